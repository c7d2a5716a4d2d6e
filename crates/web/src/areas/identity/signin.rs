//! Signing in and out, the second factor, and the account page (password, TOTP, language, API tokens).

use crate::AppState;
use crate::shared::auth::{
    ClientIp, MaybeViewer, PRE_COOKIE, PageViewer, PendingViewer, SESSION_COOKIE, clear_cookie,
    cookie, redirect, session_cookie,
};
use crate::shared::error::ErrorCode;
use crate::shared::extract::{Path, Query};
use crate::shared::frame::{Frame, error_page, page};
use crate::shared::i18n::Tr;
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::{TimeZone, Utc};
use serde::Deserialize;
use zeren_core::clock::shanghai;
use zeren_core::totp;
use zeren_storage::secrets::{hash_password, random_bytes, random_token, verify_password};
use zeren_storage::{ApiToken, User};

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
}

#[derive(Template)]
#[template(path = "totp.html")]
struct TotpPage {
    frame: Frame,
    tr: Tr,
    csrf: String,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    frame: Frame,
    tr: Tr,
    csrf: String,
    forced: bool,
    errors: Vec<(String, String)>,
    /// The password rules in force, in words.
    rules: String,
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    frame: Frame,
    tr: Tr,
    csrf: String,
    user: User,
    roles: Vec<(String, String)>,
    tokens: Vec<ApiToken>,
    new_token: Option<String>,
    totp_required: bool,
}

#[derive(Template)]
#[template(path = "totp_setup.html")]
struct TotpSetupPage {
    frame: Frame,
    tr: Tr,
    csrf: String,
    secret: String,
    uri: String,
    /// The link as a QR code (inline SVG drawn here), for the authenticator app to scan.
    qr: Option<String>,
    required: bool,
    error: Option<String>,
}

impl PasswordPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        crate::shared::format::field_error(&self.errors, field)
    }
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

/// Only paths of this site are followed after sign-in; anything else goes home.
fn safe_next(next: &str) -> String {
    crate::shared::urls::local_path(next)
        .unwrap_or("/")
        .to_string()
}

fn with_cookies(mut resp: Response, cookies: &[String]) -> Response {
    for c in cookies {
        if let Ok(v) = c.parse() {
            resp.headers_mut().append(SET_COOKIE, v);
        }
    }
    resp
}

/// The sign-in rules in force (the defaults when the database cannot say).
async fn login_policy(state: &AppState) -> zeren_core::access::LoginPolicy {
    state
        .current_snapshot()
        .await
        .map(|s| s.security.login)
        .unwrap_or_default()
}

fn lockout_hint(tr: Tr, p: zeren_core::access::LoginPolicy) -> String {
    tr.tf(
        "login.hint",
        &[
            ("failures", &p.max_failures.to_string()),
            ("minutes", &p.lockout_minutes.to_string()),
        ],
    )
}

fn password_rules(tr: Tr, p: zeren_core::access::PasswordPolicy) -> String {
    tr.tf(
        "password.rules",
        &[
            ("length", &p.min_length.to_string()),
            ("classes", &p.min_classes.to_string()),
        ],
    )
}

#[allow(clippy::too_many_arguments)]
fn login_page(
    state: &AppState,
    tr: Tr,
    policy: zeren_core::access::LoginPolicy,
    csrf: String,
    username: String,
    next: String,
    error: Option<String>,
    notice: Option<String>,
) -> Response {
    let mut resp = page(
        if error.is_some() {
            StatusCode::UNAUTHORIZED
        } else {
            StatusCode::OK
        },
        &LoginPage {
            frame: Frame::of(state, None),
            tr,
            csrf: csrf.clone(),
            username,
            next,
            error,
            notice,
            hint: lockout_hint(tr, policy),
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

/// `GET /login`.
pub async fn login_form(
    State(state): State<AppState>,
    tr: Tr,
    headers: HeaderMap,
    MaybeViewer(viewer): MaybeViewer,
    Query(q): Query<LoginQuery>,
) -> Response {
    if viewer.is_some() {
        return redirect(&safe_next(q.next.as_deref().unwrap_or("/")));
    }
    let csrf = match cookie(&headers, PRE_COOKIE) {
        Some(c) => c.to_string(),
        None => random_token().unwrap_or_default(),
    };
    let notice = q.expired.map(|_| tr.t("login.expired").to_string());
    login_page(
        &state,
        tr,
        login_policy(&state).await,
        csrf,
        String::new(),
        q.next.unwrap_or_default(),
        None,
        notice,
    )
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
    let username = form.username.trim().to_lowercase();
    let policy = login_policy(&state).await;
    let fail = |state: &AppState, msg: String| {
        login_page(
            state,
            tr,
            policy,
            csrf.clone(),
            username.clone(),
            form.next.clone(),
            Some(msg),
            None,
        )
    };
    if username.is_empty() || form.password.is_empty() {
        return fail(&state, tr.t("login.error.empty").to_string());
    }
    let snap = match state.current_snapshot().await {
        Ok(s) => s,
        Err(_) => {
            return error_page(
                tr,
                ErrorCode::DatabaseUnavailable,
                "error.database_unavailable.title",
                tr.t("error.database_unavailable").into(),
            );
        }
    };
    let policy = snap.security.login;
    let now = state.clock.now();
    let actor = zeren_storage::Actor {
        name: username.clone(),
        origin: origin.clone(),
    };
    let user = match state.db.user_by_username(&username).await {
        Ok(Some(u)) if !u.disabled => u,
        Ok(_) => {
            // Spend the same time as a real check, so names cannot be probed by timing.
            let _ = verify_password(form.password.clone(), dummy_hash().await).await;
            if let Ok(mut tx) = state.db.begin(&actor, now).await
                && tx.login_unknown(&username).await.is_ok()
            {
                let _ = tx.commit().await;
            }
            return fail(&state, tr.t("login.error.invalid").to_string());
        }
        Err(_) => return fail(&state, tr.t("error.database_unavailable").to_string()),
    };
    if let Some(until) = user.locked_until
        && until > now.timestamp_millis()
    {
        return fail(&state, locked_message(tr, until));
    }
    if !verify_password(form.password.clone(), user.password_hash.clone()).await {
        let failures = user.failed_logins + 1;
        let lock = (failures >= i64::from(policy.max_failures))
            .then(|| now.timestamp_millis() + i64::from(policy.lockout_minutes) * 60_000);
        if let Ok(mut tx) = state.db.begin(&actor, now).await
            && tx.login_failed(&user, lock, "wrong password").await.is_ok()
        {
            let _ = tx.commit().await;
        }
        return fail(
            &state,
            match lock {
                Some(until) => locked_message(tr, until),
                None => tr.t("login.error.invalid").to_string(),
            },
        );
    }
    let pending = user.totp_enabled;
    let created = async {
        let mut tx = state.db.begin(&actor, now).await?;
        let made = tx.create_session(&user, &origin, pending).await?;
        tx.commit().await?;
        Ok::<_, zeren_storage::StorageError>(made)
    }
    .await;
    let Ok((session, _)) = created else {
        return fail(&state, tr.t("error.database_unavailable").to_string());
    };
    let to = if pending {
        "/login/totp".to_string()
    } else {
        safe_next(&form.next)
    };
    with_cookies(
        redirect(&to),
        &[
            session_cookie(&session, state.secure_cookies),
            clear_cookie(PRE_COOKIE, state.secure_cookies),
        ],
    )
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

fn locked_message(tr: Tr, until_ms: i64) -> String {
    let at = Utc
        .timestamp_millis_opt(until_ms)
        .single()
        .map(|t| t.with_timezone(&shanghai()).format("%H:%M").to_string())
        .unwrap_or_default();
    tr.tf("login.error.locked", &[("time", &at)])
}

/// `GET /login/totp`.
pub async fn totp_form(State(state): State<AppState>, PendingViewer(v): PendingViewer) -> Response {
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

/// The second-factor form.
#[derive(Deserialize)]
pub struct CodeForm {
    code: String,
}

/// `POST /login/totp`.
pub async fn totp(
    State(state): State<AppState>,
    PendingViewer(v): PendingViewer,
    headers: HeaderMap,
    Form(form): Form<CodeForm>,
) -> Response {
    let tr = v.tr;
    let Some(value) = cookie(&headers, SESSION_COOKIE) else {
        return redirect("/login");
    };
    let Ok(Some(session)) = state.db.session(value).await else {
        return redirect("/login");
    };
    if !session.second_factor_pending {
        return redirect("/");
    }
    let secret = v.user.totp_secret.as_deref().and_then(totp::from_base32);
    let now = state.clock.now();
    let step = secret
        .and_then(|s| totp::verify(&s, &form.code, now.timestamp()))
        .filter(|step| v.user.totp_last_step.is_none_or(|last| *step > last));
    let mut tx = match state.db.begin(&v.actor(), now).await {
        Ok(tx) => tx,
        Err(_) => {
            return error_page(
                tr,
                ErrorCode::DatabaseUnavailable,
                "error.database_unavailable.title",
                tr.t("error.database_unavailable").into(),
            );
        }
    };
    match step {
        Some(step) => {
            if tx.second_factor_done(&session, step).await.is_ok() && tx.commit().await.is_ok() {
                return redirect("/");
            }
            redirect("/login")
        }
        None => {
            let snap = state.current_snapshot().await.ok();
            let policy = snap.map(|s| s.security.login).unwrap_or_default();
            let lock = (v.user.failed_logins + 1 >= i64::from(policy.max_failures))
                .then(|| now.timestamp_millis() + i64::from(policy.lockout_minutes) * 60_000);
            let _ = tx.login_failed(&v.user, lock, "wrong second factor").await;
            if lock.is_some() {
                let _ = tx.end_session(&session.id, &v.user.id, "locked").await;
            }
            let _ = tx.commit().await;
            if let Some(until) = lock {
                return with_cookies(
                    login_page(
                        &state,
                        tr,
                        policy,
                        random_token().unwrap_or_default(),
                        v.user.username.clone(),
                        String::new(),
                        Some(locked_message(tr, until)),
                        None,
                    ),
                    &[clear_cookie(SESSION_COOKIE, state.secure_cookies)],
                );
            }
            page(
                StatusCode::UNAUTHORIZED,
                &TotpPage {
                    frame: Frame::of(&state, None),
                    tr,
                    csrf: v.csrf().to_string(),
                    error: Some(tr.t("totp.error").to_string()),
                },
            )
        }
    }
}

/// `POST /logout`.
pub async fn logout(State(state): State<AppState>, PendingViewer(v): PendingViewer) -> Response {
    if let Some(s) = &v.session
        && let Ok(mut tx) = state.db.begin(&v.actor(), state.clock.now()).await
        && tx.end_session(&s.id, &v.user.id, "sign-out").await.is_ok()
    {
        let _ = tx.commit().await;
    }
    with_cookies(
        redirect("/login"),
        &[clear_cookie(SESSION_COOKIE, state.secure_cookies)],
    )
}

/// `GET /account/password`.
pub async fn password_form(
    State(state): State<AppState>,
    PendingViewer(v): PendingViewer,
) -> Response {
    let frame = if v.user.must_change_password {
        Frame::of(&state, None)
    } else {
        Frame::of(&state, Some(&v))
    };
    page(
        StatusCode::OK,
        &PasswordPage {
            frame,
            tr: v.tr,
            csrf: v.csrf().to_string(),
            forced: v.user.must_change_password,
            errors: Vec::new(),
            rules: password_rules(v.tr, v.snap.security.password),
        },
    )
}

/// The password form.
#[derive(Deserialize)]
pub struct PasswordForm {
    current: String,
    new: String,
    confirm: String,
}

/// `POST /account/password`.
pub async fn change_password(
    State(state): State<AppState>,
    PendingViewer(v): PendingViewer,
    Form(form): Form<PasswordForm>,
) -> Response {
    let tr = v.tr;
    let mut errors = Vec::new();
    if !verify_password(form.current.clone(), v.user.password_hash.clone()).await {
        errors.push((
            "current".to_string(),
            tr.t("password.error.current").to_string(),
        ));
    }
    if let Err(p) = v.snap.security.password.check(&form.new, &v.user.username) {
        errors.push(("new".to_string(), p.message(tr.lang())));
    } else if form.new == form.current {
        errors.push(("new".to_string(), tr.t("password.error.same").to_string()));
    }
    if form.new != form.confirm {
        errors.push((
            "confirm".to_string(),
            tr.t("password.error.confirm").to_string(),
        ));
    }
    if !errors.is_empty() {
        let frame = if v.user.must_change_password {
            Frame::of(&state, None)
        } else {
            Frame::of(&state, Some(&v))
        };
        return page(
            StatusCode::UNPROCESSABLE_ENTITY,
            &PasswordPage {
                frame,
                tr,
                csrf: v.csrf().to_string(),
                forced: v.user.must_change_password,
                errors,
                rules: password_rules(tr, v.snap.security.password),
            },
        );
    }
    let done = async {
        let hash = hash_password(form.new.clone()).await?;
        let mut tx = state.db.begin(&v.actor(), state.clock.now()).await?;
        tx.set_password(
            &v.user,
            &hash,
            false,
            v.session.as_ref().map(|s| s.id.as_str()),
        )
        .await?;
        tx.commit().await
    }
    .await;
    match done {
        Ok(()) => redirect("/account?changed=1"),
        Err(_) => error_page(
            tr,
            ErrorCode::DatabaseUnavailable,
            "error.database_unavailable.title",
            tr.t("error.database_unavailable").into(),
        ),
    }
}

fn role_rows(v: &crate::shared::auth::Viewer) -> Vec<(String, String)> {
    let tr = v.tr;
    if let Some(a) = v.principal.admin {
        return vec![(
            tr.t(&format!("role.{}", a.as_str())).to_string(),
            String::new(),
        )];
    }
    v.principal
        .roles
        .iter()
        .map(|g| {
            let org = v
                .snap
                .model
                .org(&g.org)
                .map(|o| format!("{}（{}）", o.name, o.code))
                .unwrap_or_default();
            (tr.t(&format!("role.{}", g.role.as_str())).to_string(), org)
        })
        .collect()
}

async fn account_page(
    state: &AppState,
    v: &crate::shared::auth::Viewer,
    new_token: Option<String>,
) -> Response {
    let tokens = state.db.api_tokens(&v.user.id).await.unwrap_or_default();
    page(
        StatusCode::OK,
        &AccountPage {
            frame: Frame::of(state, Some(v)),
            tr: v.tr,
            csrf: v.csrf().to_string(),
            user: v.user.clone(),
            roles: role_rows(v),
            tokens,
            new_token,
            totp_required: v.snap.security.requires_totp(&v.principal),
        },
    )
}

/// `GET /account`.
pub async fn account(State(state): State<AppState>, PageViewer(v): PageViewer) -> Response {
    account_page(&state, &v, None).await
}

/// The language form.
#[derive(Deserialize)]
pub struct LangForm {
    lang: String,
}

/// `POST /account/lang`.
pub async fn set_lang(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    Form(form): Form<LangForm>,
) -> Response {
    let lang = if form.lang == "en" { "en" } else { "zh-CN" };
    if let Ok(mut tx) = state.db.begin(&v.actor(), state.clock.now()).await
        && tx.set_user_lang(&v.user, lang).await.is_ok()
    {
        let _ = tx.commit().await;
    }
    with_cookies(
        redirect("/account"),
        &[format!(
            "{}={lang}; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly",
            crate::shared::i18n::LANG_COOKIE
        )],
    )
}

/// The new-token form.
#[derive(Deserialize)]
pub struct TokenForm {
    name: String,
}

/// `POST /account/tokens` — the token is shown once.
pub async fn create_token(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    Form(form): Form<TokenForm>,
) -> Response {
    let name = if form.name.trim().is_empty() {
        "API".to_string()
    } else {
        form.name.trim().chars().take(80).collect()
    };
    let made = async {
        let mut tx = state.db.begin(&v.actor(), state.clock.now()).await?;
        let token = tx.create_api_token(&v.user, &name).await?;
        tx.commit().await?;
        Ok::<_, zeren_storage::StorageError>(token)
    }
    .await;
    match made {
        Ok(token) => account_page(&state, &v, Some(token)).await,
        Err(_) => error_page(
            v.tr,
            ErrorCode::DatabaseUnavailable,
            "error.database_unavailable.title",
            v.tr.t("error.database_unavailable").into(),
        ),
    }
}

/// `POST /account/tokens/{id}/revoke`.
pub async fn revoke_token(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    Path(id): Path<String>,
) -> Response {
    let done = async {
        let mut tx = state.db.begin(&v.actor(), state.clock.now()).await?;
        tx.revoke_api_token(&v.user.id, &id).await?;
        tx.commit().await
    }
    .await;
    match done {
        Ok(()) => redirect("/account"),
        Err(_) => error_page(
            v.tr,
            ErrorCode::NotFound,
            "error.not_found.title",
            v.tr.t("error.not_found.text").into(),
        ),
    }
}

/// `GET /account/totp` — a new secret to scan or type into an authenticator app.
pub async fn totp_setup_form(
    State(state): State<AppState>,
    PendingViewer(v): PendingViewer,
) -> Response {
    let secret = match v
        .user
        .totp_secret
        .as_deref()
        .filter(|_| !v.user.totp_enabled)
    {
        Some(s) => s.to_string(),
        None => {
            let fresh = random_bytes(20)
                .map(|b| totp::base32(&b))
                .unwrap_or_default();
            if let Ok(mut tx) = state.db.begin(&v.actor(), state.clock.now()).await
                && tx.set_totp(&v.user, Some(&fresh), false).await.is_ok()
            {
                let _ = tx.commit().await;
            }
            fresh
        }
    };
    totp_setup_page(&state, &v, secret, None, StatusCode::OK)
}

fn totp_setup_page(
    state: &AppState,
    v: &crate::shared::auth::Viewer,
    secret: String,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let uri = totp::from_base32(&secret)
        .map(|b| totp::otpauth_uri("Zeren", &v.user.username, &b))
        .unwrap_or_default();
    let required = v.snap.security.requires_totp(&v.principal);
    let qr = qr_svg(&uri, v.tr.t("totp.setup.qr"));
    page(
        status,
        &TotpSetupPage {
            frame: Frame::of(state, None),
            tr: v.tr,
            csrf: v.csrf().to_string(),
            secret,
            qr,
            uri,
            required,
            error,
        },
    )
}

/// `text` as a QR code: an inline SVG image labelled `label` (none for an empty text).
fn qr_svg(text: &str, label: &str) -> Option<String> {
    if text.is_empty() {
        return None;
    }
    let code =
        qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M).ok()?;
    let svg = code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    // Inline in HTML: without the XML declaration, named for screen readers.
    let start = svg.find("<svg")?;
    let label = label.replace(['"', '<', '>', '&'], "");
    Some(svg[start..].replacen(
        "<svg ",
        &format!("<svg role=\"img\" aria-label=\"{label}\" "),
        1,
    ))
}

/// `POST /account/totp` — turns the second factor on once a code from the app matches.
pub async fn totp_setup(
    State(state): State<AppState>,
    PendingViewer(v): PendingViewer,
    Form(form): Form<CodeForm>,
) -> Response {
    let Some(secret) = v.user.totp_secret.clone() else {
        return redirect("/account/totp");
    };
    let ok = totp::from_base32(&secret)
        .and_then(|s| totp::verify(&s, &form.code, state.clock.now().timestamp()));
    if ok.is_none() {
        return totp_setup_page(
            &state,
            &v,
            secret,
            Some(v.tr.t("totp.error").to_string()),
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    if let Ok(mut tx) = state.db.begin(&v.actor(), state.clock.now()).await
        && tx.set_totp(&v.user, Some(&secret), true).await.is_ok()
    {
        let _ = tx.commit().await;
    }
    redirect("/account")
}
