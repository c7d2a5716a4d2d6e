//! Signing in (password, then the second factor when the account has one) and signing out.
//!
//! Every attempt — a password or a code — is counted in the database before it is checked
//! (`claim_login_attempt`), so parallel guesses cannot outrun the lockout; only a completed
//! sign-in clears the count. Every failure answers alike and costs the same work, whether the
//! name is unknown, the account disabled or locked, or the password wrong. Failures are also
//! counted per client address ([`AddressThrottle`]).

use super::*;
use crate::shared::auth::{
    ClientIp, MaybeViewer, PRE_COOKIE, SESSION_COOKIE, SecondFactorViewer, clear_cookie, cookie,
    redirect, session_cookie, with_cookies,
};
use crate::shared::throttle::AddressThrottle;
use chrono::{TimeZone, Utc};
use zeren_core::access::{LoginPolicy, sign_in_input_fits};
use zeren_core::clock::shanghai;
use zeren_storage::secrets::{hash_password, random_token, verify_password};

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    frame: Frame,
    tr: Tr,
    csrf: String,
    username: String,
    next: String,
    error: Option<String>,
    notice: Option<String>,
    /// The lockout rule in force, in words.
    hint: String,
    /// The portals and providers set up: (words, address).
    ways: Vec<(String, String)>,
    /// Whether the LDAP form is offered.
    ldap: bool,
}

#[derive(Template)]
#[template(path = "totp.html")]
struct TotpPage {
    frame: Frame,
    tr: Tr,
    csrf: String,
    error: Option<String>,
}

/// Query of the sign-in page.
#[derive(Deserialize, Default)]
pub struct LoginQuery {
    next: Option<String>,
    expired: Option<String>,
}

/// The sign-in form.
#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    #[serde(default)]
    next: String,
}

/// The sign-in rules in force (the defaults when the database cannot say).
async fn login_policy(state: &AppState) -> LoginPolicy {
    state
        .current_snapshot()
        .await
        .map(|s| s.security.login)
        .unwrap_or_default()
}

fn lockout_hint(tr: Tr, p: LoginPolicy) -> String {
    tr.tf(
        "login.hint",
        &[
            ("failures", &p.max_failures.to_string()),
            ("minutes", &p.lockout_minutes.to_string()),
        ],
    )
}

/// The sign-in page: a fresh form, or the form again with `error` (401), or a refusal to an
/// address that must wait (`status` 429).
struct LoginAnswer {
    username: String,
    next: String,
    error: Option<String>,
    notice: Option<String>,
    status: StatusCode,
}

async fn login_page(
    state: &AppState,
    tr: Tr,
    policy: LoginPolicy,
    csrf: String,
    answer: LoginAnswer,
) -> Response {
    let (ways, ldap) = crate::areas::directory::sign_in_ways(state, tr, &answer.next).await;
    let mut resp = page(
        answer.status,
        &LoginPage {
            frame: Frame::of(state, None),
            tr,
            csrf: csrf.clone(),
            username: answer.username,
            next: answer.next,
            error: answer.error,
            notice: answer.notice,
            hint: lockout_hint(tr, policy),
            ways,
            ldap,
        },
    );
    if let Ok(v) = format!(
        "{PRE_COOKIE}={csrf}; Path=/; HttpOnly; SameSite=Strict{}",
        if state.secure_cookies { "; Secure" } else { "" }
    )
    .parse()
    {
        resp.headers_mut().append(SET_COOKIE, v);
    }
    resp
}

pub(super) fn unavailable(tr: Tr) -> Response {
    error_page(
        tr,
        ErrorCode::DatabaseUnavailable,
        "error.database_unavailable.title",
        tr.t("error.database_unavailable").into(),
    )
}

fn clock_time(until_ms: i64) -> String {
    Utc.timestamp_millis_opt(until_ms)
        .single()
        .map(|t| t.with_timezone(&shanghai()).format("%H:%M").to_string())
        .unwrap_or_default()
}

/// `GET /login`.
pub async fn login_form(
    State(state): State<AppState>,
    tr: Tr,
    headers: HeaderMap,
    MaybeViewer(viewer): MaybeViewer,
    Query(q): Query<LoginQuery>,
) -> Response {
    if viewer.is_some() {
        return redirect(&crate::shared::urls::after_sign_in(
            q.next.as_deref().unwrap_or("/"),
        ));
    }
    let csrf = match cookie(&headers, PRE_COOKIE) {
        Some(c) => c.to_string(),
        None => random_token().unwrap_or_default(),
    };
    let answer = LoginAnswer {
        username: String::new(),
        next: q.next.unwrap_or_default(),
        error: None,
        notice: q.expired.map(|_| tr.t("login.expired").to_string()),
        status: StatusCode::OK,
    };
    login_page(&state, tr, login_policy(&state).await, csrf, answer).await
}

/// `POST /login` (the CSRF guard has checked the form against the pre-session cookie).
pub async fn login(
    State(state): State<AppState>,
    tr: Tr,
    headers: HeaderMap,
    ClientIp(origin): ClientIp,
    Form(form): Form<LoginForm>,
) -> Response {
    let csrf = cookie(&headers, PRE_COOKIE).unwrap_or_default().to_string();
    let policy = login_policy(&state).await;
    let now = state.clock.now();
    let now_ms = now.timestamp_millis();
    let throttle = state.cache::<AddressThrottle>();
    // What is shown back in the form: never more than a user name can be.
    let shown: String = form
        .username
        .trim()
        .chars()
        .take(zeren_core::access::USERNAME_MAX)
        .collect();
    let answer = |error: String, status: StatusCode| LoginAnswer {
        username: shown.clone(),
        next: form.next.chars().take(2048).collect(),
        error: Some(error),
        notice: None,
        status,
    };
    if let Some(until) = throttle.blocked_until(&origin, now_ms) {
        let error = tr.tf("login.error.throttled", &[("time", &clock_time(until))]);
        return login_page(
            &state,
            tr,
            policy,
            csrf,
            answer(error, StatusCode::TOO_MANY_REQUESTS),
        )
        .await;
    }
    let invalid = tr.t("login.error.invalid").to_string();
    if form.username.trim().is_empty() || form.password.is_empty() {
        let error = tr.t("login.error.empty").to_string();
        return login_page(
            &state,
            tr,
            policy,
            csrf,
            answer(error, StatusCode::UNAUTHORIZED),
        )
        .await;
    }
    let username = form.username.trim().to_lowercase();
    let snap = match state.current_snapshot().await {
        Ok(s) => s,
        Err(_) => return unavailable(tr),
    };
    let policy = snap.security.login;
    let refused = || {
        throttle.failed(&origin, now_ms);
        login_page(
            &state,
            tr,
            policy,
            csrf.clone(),
            answer(invalid.clone(), StatusCode::UNAUTHORIZED),
        )
    };
    if !sign_in_input_fits(&username, &form.password) {
        // Longer than any account's name or password: nothing to check, nothing kept as typed.
        record_unknown(&state, &origin, &username, now).await;
        return refused().await;
    }
    let user = match state.db.user_by_username(&username).await {
        Ok(Some(u)) if !u.disabled => Some(u),
        Ok(_) => None,
        Err(_) => return unavailable(tr),
    };
    let Some(user) = user else {
        // The same work as a real check, so that names cannot be told apart by time.
        let _ = verify_password(form.password.clone(), dummy_hash().await).await;
        record_unknown(&state, &origin, &username, now).await;
        return refused().await;
    };
    let max = i64::from(policy.max_failures);
    let claimed = match state.db.claim_login_attempt(&user.id, now_ms, max).await {
        Ok(c) => c,
        Err(_) => return unavailable(tr),
    };
    // Checked even when the account is locked: a locked account answers like any failure.
    let right = verify_password(form.password.clone(), user.password_hash.clone()).await;
    let actor = zeren_storage::Actor {
        name: user.username.clone(),
        origin: origin.clone(),
    };
    if !claimed || !right {
        let reason = if claimed { "wrong password" } else { "locked" };
        let lock_until = now_ms + i64::from(policy.lockout_minutes) * 60_000;
        if let Ok(mut tx) = state.db.begin(&actor, now).await
            && tx
                .login_failed(&user, max, lock_until, reason)
                .await
                .is_ok()
        {
            let _ = tx.commit().await;
        }
        return refused().await;
    }
    let pending = user.totp_enabled;
    if pending && state.db.release_login_attempt(&user.id).await.is_err() {
        return unavailable(tr);
    }
    let created = async {
        let mut tx = state.db.begin(&actor, now).await?;
        let made = tx.create_session(&user, &origin, pending).await?;
        tx.commit().await?;
        Ok::<_, zeren_storage::StorageError>(made)
    }
    .await;
    let Ok((session, _)) = created else {
        return unavailable(tr);
    };
    let to = if pending {
        "/login/totp".to_string()
    } else {
        crate::shared::urls::after_sign_in(&form.next)
    };
    with_cookies(
        redirect(&to),
        &[
            session_cookie(&session, state.secure_cookies),
            clear_cookie(PRE_COOKIE, state.secure_cookies),
        ],
    )
}

/// Audits a sign-in under a name with no usable account, without the name as typed.
async fn record_unknown(
    state: &AppState,
    origin: &str,
    username: &str,
    now: chrono::DateTime<Utc>,
) {
    let actor = zeren_storage::Actor {
        name: "-".into(),
        origin: origin.into(),
    };
    if let Ok(mut tx) = state.db.begin(&actor, now).await
        && tx.login_unknown(username).await.is_ok()
    {
        let _ = tx.commit().await;
    }
}

/// An argon2id hash of a random password, checked against when the user does not exist.
async fn dummy_hash() -> String {
    static HASH: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    HASH.get_or_init(|| async {
        hash_password(random_token().unwrap_or_default())
            .await
            .unwrap_or_default()
    })
    .await
    .clone()
}

/// `GET /login/totp`.
pub async fn totp_form(
    State(state): State<AppState>,
    SecondFactorViewer(v): SecondFactorViewer,
) -> Response {
    if !second_factor_due(&v) {
        return redirect("/");
    }
    page(
        StatusCode::OK,
        &TotpPage {
            frame: Frame::of(&state, None),
            tr: v.tr,
            csrf: v.csrf().to_string(),
            error: None,
        },
    )
}

/// Whether the viewer's session still owes its second factor.
fn second_factor_due(v: &crate::shared::auth::Viewer) -> bool {
    v.session.as_ref().is_some_and(|s| s.second_factor_pending)
}

/// A code form (the second factor, or a current code that approves a change).
#[derive(Deserialize)]
pub struct CodeForm {
    code: String,
}

/// What checking a code of the account's own authenticator found.
pub(super) enum CodeCheck {
    /// The code is right: the step it belongs to (a step is never accepted twice).
    Right(i64),
    /// Wrong, reused, or not counted because the account is locked; the lock, if one is set.
    Wrong(Option<i64>),
    /// The database failed.
    Unavailable,
}

/// Checks a code of the account's second factor, counting the attempt like a password's: a
/// wrong code counts towards the lockout, and a right one clears nothing by itself.
pub(super) async fn check_code(
    state: &AppState,
    v: &crate::shared::auth::Viewer,
    code: &str,
    reason: &str,
) -> CodeCheck {
    let now = state.clock.now();
    let now_ms = now.timestamp_millis();
    let policy = v.snap.security.login;
    let max = i64::from(policy.max_failures);
    let Ok(claimed) = state.db.claim_login_attempt(&v.user.id, now_ms, max).await else {
        return CodeCheck::Unavailable;
    };
    let Ok(secret) = state.db.totp_secret(&v.user) else {
        return CodeCheck::Unavailable;
    };
    let step = secret
        .and_then(|s| totp::verify(&s, code.trim(), now.timestamp()))
        .filter(|step| v.user.totp_last_step.is_none_or(|last| *step > last));
    if claimed && let Some(step) = step {
        if state.db.release_login_attempt(&v.user.id).await.is_err() {
            return CodeCheck::Unavailable;
        }
        return CodeCheck::Right(step);
    }
    state.cache::<AddressThrottle>().failed(&v.origin, now_ms);
    let lock_until = now_ms + i64::from(policy.lockout_minutes) * 60_000;
    let locked = async {
        let mut tx = state.db.begin(&v.actor(), now).await?;
        let locked = tx
            .login_failed(
                &v.user,
                max,
                lock_until,
                if claimed { reason } else { "locked" },
            )
            .await?;
        if locked.is_some()
            && let Some(s) = &v.session
        {
            tx.end_session(&s.id, &v.user.id, "locked").await?;
        }
        tx.commit().await?;
        Ok::<_, zeren_storage::StorageError>(locked)
    }
    .await;
    match locked {
        Ok(l) => CodeCheck::Wrong(l),
        Err(_) => CodeCheck::Unavailable,
    }
}

/// The sign-in page after a lock ended the session.
pub(super) async fn locked_out(
    state: &AppState,
    tr: Tr,
    policy: LoginPolicy,
    until: i64,
) -> Response {
    let answer = LoginAnswer {
        username: String::new(),
        next: String::new(),
        error: Some(tr.tf("login.error.locked", &[("time", &clock_time(until))])),
        notice: None,
        status: StatusCode::UNAUTHORIZED,
    };
    with_cookies(
        login_page(
            state,
            tr,
            policy,
            random_token().unwrap_or_default(),
            answer,
        )
        .await,
        &[clear_cookie(SESSION_COOKIE, state.secure_cookies)],
    )
}

/// `POST /login/totp`.
pub async fn totp(
    State(state): State<AppState>,
    SecondFactorViewer(v): SecondFactorViewer,
    Form(form): Form<CodeForm>,
) -> Response {
    let tr = v.tr;
    if !second_factor_due(&v) {
        return redirect("/");
    }
    let now_ms = state.clock.now().timestamp_millis();
    if let Some(until) = state
        .cache::<AddressThrottle>()
        .blocked_until(&v.origin, now_ms)
    {
        return page(
            StatusCode::TOO_MANY_REQUESTS,
            &TotpPage {
                frame: Frame::of(&state, None),
                tr,
                csrf: v.csrf().to_string(),
                error: Some(tr.tf("login.error.throttled", &[("time", &clock_time(until))])),
            },
        );
    }
    match check_code(&state, &v, &form.code, "wrong second factor").await {
        CodeCheck::Right(step) => {
            let done = async {
                let Some(s) = &v.session else {
                    return Ok(false);
                };
                let mut tx = state.db.begin(&v.actor(), state.clock.now()).await?;
                tx.second_factor_done(&s.id, &v.user.id, step).await?;
                tx.commit().await?;
                Ok::<_, zeren_storage::StorageError>(true)
            }
            .await;
            match done {
                Ok(true) => redirect("/"),
                Ok(false) => redirect("/login"),
                Err(_) => unavailable(tr),
            }
        }
        CodeCheck::Wrong(Some(until)) => locked_out(&state, tr, v.snap.security.login, until).await,
        CodeCheck::Wrong(None) => page(
            StatusCode::UNAUTHORIZED,
            &TotpPage {
                frame: Frame::of(&state, None),
                tr,
                csrf: v.csrf().to_string(),
                error: Some(tr.t("totp.error").to_string()),
            },
        ),
        CodeCheck::Unavailable => unavailable(tr),
    }
}

/// `POST /logout`.
pub async fn logout(
    State(state): State<AppState>,
    SecondFactorViewer(v): SecondFactorViewer,
) -> Response {
    if let Some(s) = &v.session
        && let Ok(mut tx) = state.db.begin(&v.actor(), state.clock.now()).await
        && tx.end_session(&s.id, &v.user.id, "sign-out").await.is_ok()
    {
        let _ = tx.commit().await;
    }
    // A session the 统一身份认证 portal began ends at the portal too.
    let method = v.session.as_ref().map(|s| s.method.as_str()).unwrap_or("");
    let to = crate::areas::directory::after_sign_out(&state, method)
        .await
        .unwrap_or_else(|| "/login".to_string());
    with_cookies(
        redirect(&to),
        &[clear_cookie(SESSION_COOKIE, state.secure_cookies)],
    )
}
