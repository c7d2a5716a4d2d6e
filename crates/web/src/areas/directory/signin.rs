//! The ways of signing in through a directory, and [`finish`], where they all end.
//!
//! A sign-in that goes to a portal or provider and comes back (CAS, OIDC, 企业微信, 钉钉) is
//! begun here: a random `state` is kept (its digest) with a digest of a cookie set on this
//! browser, and comes back once, within ten minutes, to the browser that began it — so a link
//! with someone else's ticket or code cannot sign a victim in as someone else, and a ticket or
//! code is never taken twice.

use super::*;
use crate::shared::auth::{PRE_COOKIE, clear_cookie, session_cookie, with_cookies};
use crate::shared::throttle::AddressThrottle;
use crate::shared::urls::after_sign_in;
use axum::Form;
use axum::extract::Query;
use serde_json::json;
use zeren_core::access::Role;
use zeren_core::directory::{DirectoryIdentity, LinkKey, Linked, link, mapped_grants};
use zeren_directory::{cas, ldap, oidc};
use zeren_storage::repo::directory::{SignInAttempt, Taken};
use zeren_storage::secrets::{hash_password, random_token, token_hash};

fn binding_cookie(value: &str, secure: bool) -> String {
    format!(
        "{BINDING_COOKIE}={value}; Path=/login; HttpOnly; SameSite=Lax; Max-Age=600{}",
        if secure { "; Secure" } else { "" }
    )
}

/// Records a failed sign-in (its own transaction) and answers with its page.
async fn refuse(
    state: &AppState,
    tr: Tr,
    origin: &str,
    method: Method,
    failure: SignInFailure,
    detail: serde_json::Value,
) -> Response {
    let mut detail = detail;
    if let (SignInFailure::Refused { code }, Some(d)) = (&failure, detail.as_object_mut()) {
        d.insert("code".into(), json!(code));
    }
    // A way that is not set up was not tried: nothing to record.
    if failure != SignInFailure::NotConfigured {
        audit_refusal(state, origin, method, failure.slug(), detail).await;
    }
    failed_page(
        state,
        tr,
        method,
        status_of(&failure),
        failure.message(method, tr.lang()),
    )
}

/// Records a directory sign-in that ended in no session (its own transaction).
async fn audit_refusal(
    state: &AppState,
    origin: &str,
    method: Method,
    reason: &str,
    detail: serde_json::Value,
) {
    let actor = zeren_storage::Actor {
        name: "-".into(),
        origin: origin.into(),
    };
    if let Ok(mut tx) = state.db.begin(&actor, state.clock.now()).await
        && tx
            .sign_in_refused(method.as_str(), reason, detail)
            .await
            .is_ok()
    {
        let _ = tx.commit().await;
    }
}

/// A sign-in to begin: by which way, going where after, and for OIDC the provider's own
/// state, nonce and verifier.
struct Beginning<'a> {
    method: Method,
    next: &'a str,
    oidc: Option<&'a oidc::Start>,
}

/// Begins a sign-in at a portal or provider: keeps the attempt, binds it to this browser and
/// sends the browser to `to(state)`.
async fn begin(
    state: &AppState,
    tr: Tr,
    origin: &str,
    b: Beginning<'_>,
    to: impl FnOnce(&str) -> Result<String, SignInFailure>,
) -> Response {
    let Beginning { method, next, oidc } = b;
    let given_state = oidc.map(|o| o.state.clone());
    let (Ok(token), Ok(binding)) = (given_state.map_or_else(random_token, Ok), random_token())
    else {
        return refuse(
            state,
            tr,
            origin,
            method,
            SignInFailure::Protocol,
            json!({}),
        )
        .await;
    };
    let address = match to(&token) {
        Ok(a) => a,
        Err(f) => return refuse(state, tr, origin, method, f, json!({})).await,
    };
    let attempt = SignInAttempt {
        method: method.as_str().into(),
        binding: token_hash(&binding),
        nonce: oidc.map(|o| o.nonce.clone()),
        verifier: oidc.map(|o| o.verifier.clone()),
        next: after_sign_in(next),
    };
    if let Err(e) = state
        .db
        .begin_sign_in(&token, &attempt, origin, state.now_ms())
        .await
    {
        return storage_page(tr, &e);
    }
    with_cookies(
        redirect(&address),
        &[binding_cookie(&binding, state.secure_cookies)],
    )
}

/// Takes back the attempt of `state_param`, begun by this browser, once.
async fn take_back(
    state: &AppState,
    headers: &HeaderMap,
    method: Method,
    state_param: &str,
) -> Result<SignInAttempt, SignInFailure> {
    if state_param.is_empty() || state_param.len() > 256 {
        return Err(SignInFailure::Replayed);
    }
    let now = state.now_ms();
    let taken = state
        .db
        .take_sign_in(method.as_str(), state_param, now, now - ATTEMPT_MS)
        .await
        .map_err(|_| SignInFailure::Unreachable)?;
    let Taken::Fresh(attempt) = taken else {
        return Err(SignInFailure::Replayed);
    };
    let brought = cookie(headers, BINDING_COOKIE).map(token_hash);
    let same = brought.is_some_and(|b| {
        use subtle::ConstantTimeEq;
        b.as_bytes().ct_eq(attempt.binding.as_bytes()).into()
    });
    if !same {
        return Err(SignInFailure::Replayed);
    }
    Ok(attempt)
}

/// What a way of signing in brings to [`finish`].
struct Vouched {
    method: Method,
    identity: DirectoryIdentity,
    /// The key matched on, and the attribute or claim it came from (named in refusals).
    key: LinkKey,
    key_field: String,
    /// The grants the directory's groups give (LDAP), when mappings are set.
    grants: Option<Vec<(Role, String)>>,
    /// The digest a portal's single logout names (CAS).
    sso_ref: Option<String>,
    next: String,
}

/// Links what a directory vouched for to an account and opens the session — or refuses,
/// naming the key and the value. One transaction: the account made on first sign-in (when
/// set), the grants of mapped groups, the session and its audit entry.
async fn finish(
    state: &AppState,
    tr: Tr,
    origin: &str,
    settings: &DirectorySettings,
    v: Vouched,
) -> Response {
    let today = state.today();
    let value = v.identity.key.clone().unwrap_or_default();
    let candidates = if value.trim().is_empty() {
        Vec::new()
    } else {
        match state.db.link_candidates(v.key, &value, today).await {
            Ok(c) => c,
            Err(e) => return storage_page(tr, &e),
        }
    };
    let linked = match link(
        &v.identity,
        &v.key_field,
        &candidates,
        settings.auto_provision,
    ) {
        Ok(l) => l,
        Err(refusal) => {
            audit_refusal(
                state,
                origin,
                v.method,
                refusal.slug(),
                json!({"key": v.key.as_str(), "value": value, "subject": v.identity.subject}),
            )
            .await;
            return failed_page(
                state,
                tr,
                v.method,
                StatusCode::FORBIDDEN,
                refusal.message(v.method, v.key, tr.lang()),
            );
        }
    };
    let unusable = match &linked {
        Linked::Provision(_) => match hash_password(random_token().unwrap_or_default()).await {
            Ok(h) => Some(h),
            Err(e) => return storage_page(tr, &e),
        },
        Linked::Account(_) => None,
    };
    let actor = zeren_storage::Actor {
        name: "-".into(),
        origin: origin.into(),
    };
    let opened = async {
        let mut tx = state.db.begin(&actor, state.clock.now()).await?;
        let user = match (&linked, unusable) {
            (Linked::Provision(person), Some(hash)) => {
                tx.provision_account(person, v.method.as_str(), hash)
                    .await?
            }
            (Linked::Account(id), _) | (Linked::Provision(id), None) => state.db.user(id).await?,
        };
        if let Some(wanted) = &v.grants {
            tx.sync_directory_grants(&user, v.method.as_str(), wanted)
                .await?;
        }
        let pending = settings.ask_second_factor && user.totp_enabled;
        let made = tx
            .create_session_via(
                &user,
                origin,
                pending,
                v.method.as_str(),
                v.sso_ref.as_deref(),
                json!({"subject": v.identity.subject, "key": v.key.as_str(), "value": value}),
            )
            .await?;
        tx.commit().await?;
        Ok::<_, zeren_storage::StorageError>((made.0, pending))
    }
    .await;
    let (session, pending) = match opened {
        Ok(o) => o,
        Err(e) => return storage_page(tr, &e),
    };
    let to = if pending {
        "/login/totp".to_string()
    } else {
        v.next
    };
    with_cookies(
        redirect(&to),
        &[
            session_cookie(&session, state.secure_cookies),
            clear_cookie(BINDING_COOKIE, state.secure_cookies),
            clear_cookie(PRE_COOKIE, state.secure_cookies),
        ],
    )
}

/// `?next=` of a sign-in begun.
#[derive(Deserialize, Default)]
pub struct StartQuery {
    #[serde(default)]
    next: String,
}

// ------------------------------------------------------------------------------------------
// CAS
// ------------------------------------------------------------------------------------------

/// The service address of a CAS sign-in: made from the configured public address and the
/// attempt's state, never from the request, so it is the same, character for character, when
/// the ticket is validated.
fn cas_service(settings: &DirectorySettings, state_param: &str) -> String {
    settings.address(&format!(
        "/login/cas/return?state={}",
        crate::shared::urls::encode(state_param)
    ))
}

/// `GET /login/cas`.
pub async fn cas_start(
    State(state): State<AppState>,
    tr: Tr,
    ClientIp(origin): ClientIp,
    Query(q): Query<StartQuery>,
) -> Response {
    let (settings, cas_settings) =
        match configured(&state, tr, Method::Cas, |s| s.cas.clone()).await {
            Ok(c) => c,
            Err(r) => return r,
        };
    let b = Beginning {
        method: Method::Cas,
        next: &q.next,
        oidc: None,
    };
    begin(&state, tr, &origin, b, |s| {
        cas::login_url(&cas_settings, &cas_service(&settings, s)).map(|u| u.to_string())
    })
    .await
}

/// `?state=&ticket=` of the portal's return.
#[derive(Deserialize, Default)]
pub struct CasReturn {
    #[serde(default)]
    state: String,
    #[serde(default)]
    ticket: String,
}

/// `GET /login/cas/return`.
pub async fn cas_return(
    State(state): State<AppState>,
    tr: Tr,
    headers: HeaderMap,
    ClientIp(origin): ClientIp,
    Query(q): Query<CasReturn>,
) -> Response {
    let m = Method::Cas;
    let (settings, cas_settings) = match configured(&state, tr, m, |s| s.cas.clone()).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    if !cas::plausible_ticket(&q.ticket) {
        let f = SignInFailure::Refused {
            code: "INVALID_REQUEST".into(),
        };
        return refuse(&state, tr, &origin, m, f, json!({})).await;
    }
    // A ticket is taken once, whatever the portal would say of it the second time.
    match state
        .db
        .claim_ticket(&q.ticket, &origin, state.now_ms())
        .await
    {
        Ok(true) => {}
        Ok(false) => {
            return refuse(
                &state,
                tr,
                &origin,
                m,
                SignInFailure::Replayed,
                json!({"ticket": "seen before"}),
            )
            .await;
        }
        Err(e) => return storage_page(tr, &e),
    }
    let attempt = match take_back(&state, &headers, m, &q.state).await {
        Ok(a) => a,
        Err(f) => return refuse(&state, tr, &origin, m, f, json!({})).await,
    };
    let service = cas_service(&settings, &q.state);
    let vouched =
        match cas::validate(&cas_settings, &service, &q.ticket, WAIT, &policy(&state)).await {
            Ok(s) => s,
            Err(f) => return refuse(&state, tr, &origin, m, f, json!({})).await,
        };
    let key_field = if cas_settings.key_attribute.trim().is_empty() {
        "user".to_string()
    } else {
        cas_settings.key_attribute.trim().to_string()
    };
    let identity = DirectoryIdentity {
        subject: vouched.user.clone(),
        key: vouched
            .value(cas_settings.key_attribute.trim())
            .map(str::to_string),
        name: vouched
            .value("cn")
            .or_else(|| vouched.value("name"))
            .map(str::to_string),
        groups: Vec::new(),
    };
    let v = Vouched {
        method: m,
        identity,
        key: settings.link,
        key_field,
        grants: None,
        sso_ref: Some(token_hash(&format!("cas-session:{}", q.ticket))),
        next: attempt.next,
    };
    finish(&state, tr, &origin, &settings, v).await
}

/// The portal's single-logout post.
#[derive(Deserialize, Default)]
pub struct LogoutPost {
    #[serde(rename = "logoutRequest", default)]
    logout_request: String,
}

/// `POST /login/cas/return`: the portal says a ticket's session is over; the session that
/// ticket began ends. Nothing else is believed of the post.
pub async fn cas_logout(
    State(state): State<AppState>,
    ClientIp(origin): ClientIp,
    Form(form): Form<LogoutPost>,
) -> Response {
    let Some(ticket) = cas::logout_request_ticket(&form.logout_request) else {
        return (StatusCode::BAD_REQUEST, "no logoutRequest naming a ticket").into_response();
    };
    let actor = zeren_storage::Actor {
        name: "cas".into(),
        origin,
    };
    let ended = async {
        let mut tx = state.db.begin(&actor, state.clock.now()).await?;
        let n = tx
            .end_portal_sessions(&token_hash(&format!("cas-session:{ticket}")))
            .await?;
        tx.commit().await?;
        Ok::<_, zeren_storage::StorageError>(n)
    }
    .await;
    match ended {
        Ok(_) => (StatusCode::OK, "ok").into_response(),
        Err(e) => {
            tracing::error!(error = %e, "portal logout failed");
            (StatusCode::SERVICE_UNAVAILABLE, "unavailable").into_response()
        }
    }
}

// ------------------------------------------------------------------------------------------
// OIDC
// ------------------------------------------------------------------------------------------

/// The provider's discovery document, kept for ten minutes (keys rotate; a token signed with
/// a key not yet seen makes it read again).
#[derive(Default)]
struct Providers(std::sync::Mutex<Option<(String, i64, oidc::Provider)>>);

const PROVIDER_MS: i64 = 10 * 60 * 1000;

async fn provider(
    state: &AppState,
    settings: &zeren_core::directory::OidcSettings,
    fresh: bool,
) -> Result<oidc::Provider, SignInFailure> {
    let cache = state.cache::<Providers>();
    let now = state.now_ms();
    if !fresh {
        let kept = cache.0.lock().unwrap_or_else(|e| e.into_inner()).clone();
        if let Some((issuer, at, p)) = kept
            && issuer == settings.issuer
            && now - at < PROVIDER_MS
        {
            return Ok(p);
        }
    }
    let p = oidc::discover(settings, WAIT, &policy(state)).await?;
    *cache.0.lock().unwrap_or_else(|e| e.into_inner()) =
        Some((settings.issuer.clone(), now, p.clone()));
    Ok(p)
}

/// `GET /login/oidc`.
pub async fn oidc_start(
    State(state): State<AppState>,
    tr: Tr,
    ClientIp(origin): ClientIp,
    Query(q): Query<StartQuery>,
) -> Response {
    let m = Method::Oidc;
    let (settings, o) = match configured(&state, tr, m, |s| s.oidc.clone()).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let p = match provider(&state, &o, false).await {
        Ok(p) => p,
        Err(f) => return refuse(&state, tr, &origin, m, f, json!({"step": "discovery"})).await,
    };
    let start = match oidc::start(&p, &o, &settings.address("/login/oidc/return")) {
        Ok(s) => s,
        Err(f) => return refuse(&state, tr, &origin, m, f, json!({})).await,
    };
    let url = start.url.to_string();
    let b = Beginning {
        method: m,
        next: &q.next,
        oidc: Some(&start),
    };
    begin(&state, tr, &origin, b, |_| Ok(url)).await
}

/// `?code=&state=` (or `?error=`) of the provider's return.
#[derive(Deserialize, Default)]
pub struct CodeReturn {
    #[serde(default)]
    code: String,
    #[serde(default)]
    state: String,
    #[serde(default)]
    error: String,
}

/// `GET /login/oidc/return`.
pub async fn oidc_return(
    State(state): State<AppState>,
    tr: Tr,
    headers: HeaderMap,
    ClientIp(origin): ClientIp,
    Query(q): Query<CodeReturn>,
) -> Response {
    let m = Method::Oidc;
    let (settings, o) = match configured(&state, tr, m, |s| s.oidc.clone()).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let attempt = match take_back(&state, &headers, m, &q.state).await {
        Ok(a) => a,
        Err(f) => return refuse(&state, tr, &origin, m, f, json!({})).await,
    };
    if !q.error.is_empty() {
        let code: String = q
            .error
            .chars()
            .filter(char::is_ascii_graphic)
            .take(64)
            .collect();
        return refuse(
            &state,
            tr,
            &origin,
            m,
            SignInFailure::Refused { code },
            json!({}),
        )
        .await;
    }
    let redirect_uri = settings.address("/login/oidc/return");
    let p = match provider(&state, &o, false).await {
        Ok(p) => p,
        Err(f) => return refuse(&state, tr, &origin, m, f, json!({"step": "discovery"})).await,
    };
    let verifier = attempt.verifier.clone().unwrap_or_default();
    let nonce = attempt.nonce.clone().unwrap_or_default();
    let tokens = match oidc::exchange(
        &p,
        &o,
        &redirect_uri,
        &q.code,
        &verifier,
        WAIT,
        &policy(&state),
    )
    .await
    {
        Ok(t) => t,
        Err(f) => return refuse(&state, tr, &origin, m, f, json!({"step": "token"})).await,
    };
    let now = state.clock.now();
    let verified = match oidc::verify(&p, &o, &redirect_uri, &tokens, &nonce, now) {
        Ok(v) => Ok(v),
        // Signed with a key not yet seen: the provider's keys are read again, once.
        Err(SignInFailure::Forged) => match provider(&state, &o, true).await {
            Ok(fresh) => oidc::verify(&fresh, &o, &redirect_uri, &tokens, &nonce, now),
            Err(_) => Err(SignInFailure::Forged),
        },
        Err(f) => Err(f),
    };
    let verified = match verified {
        Ok(v) => v,
        Err(f) => return refuse(&state, tr, &origin, m, f, json!({"step": "id_token"})).await,
    };
    let identity = DirectoryIdentity {
        subject: verified.subject.clone(),
        key: verified.text(o.key_claim.trim()),
        name: verified.text("name"),
        groups: Vec::new(),
    };
    let v = Vouched {
        method: m,
        identity,
        key: settings.link,
        key_field: o.key_claim.trim().to_string(),
        grants: None,
        sso_ref: None,
        next: attempt.next,
    };
    finish(&state, tr, &origin, &settings, v).await
}

// ------------------------------------------------------------------------------------------
// LDAP
// ------------------------------------------------------------------------------------------

/// The LDAP sign-in form.
#[derive(Deserialize)]
pub struct LdapForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

/// `POST /login/ldap` (the CSRF guard has checked the form against the pre-session cookie).
/// Failures count against the client address like local passwords do.
pub async fn ldap(
    State(state): State<AppState>,
    tr: Tr,
    ClientIp(origin): ClientIp,
    Form(form): Form<LdapForm>,
) -> Response {
    let m = Method::Ldap;
    let now_ms = state.now_ms();
    let throttle = state.cache::<AddressThrottle>();
    if throttle.blocked_until(&origin, now_ms).is_some() {
        return failed_page(
            &state,
            tr,
            m,
            StatusCode::TOO_MANY_REQUESTS,
            tr.t("directory.error.throttled").to_string(),
        );
    }
    let (settings, l) = match configured(&state, tr, m, |s| s.ldap.clone()).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let login = form.username.trim();
    let bound = match ldap::sign_in(&l, login, &form.password, &policy(&state)).await {
        Ok(b) => b,
        Err(f) => {
            if f == SignInFailure::WrongPassword {
                throttle.failed(&origin, now_ms);
            }
            let shown = zeren_core::access::unknown_name_label(login);
            return refuse(&state, tr, &origin, m, f, json!({"login": shown})).await;
        }
    };
    // The mappings name orgs by id (the settings page saves them so).
    let grants = (!l.groups.is_empty()).then(|| {
        mapped_grants(&bound.groups, &l.groups)
            .into_iter()
            .filter_map(|g| Some((Role::parse(&g.role)?, g.org.clone())))
            .collect::<Vec<_>>()
    });
    let identity = DirectoryIdentity {
        subject: bound.dn.clone(),
        key: bound.key.clone(),
        name: bound.name.clone(),
        groups: bound.groups.clone(),
    };
    let v = Vouched {
        method: m,
        identity,
        key: settings.link,
        key_field: l.key_attribute.trim().to_string(),
        grants,
        sso_ref: None,
        next: after_sign_in(&form.next),
    };
    finish(&state, tr, &origin, &settings, v).await
}

// ------------------------------------------------------------------------------------------
// 企业微信 and 钉钉
// ------------------------------------------------------------------------------------------

/// `GET /login/wecom`.
pub async fn wecom_start(
    State(state): State<AppState>,
    tr: Tr,
    ClientIp(origin): ClientIp,
    Query(q): Query<StartQuery>,
) -> Response {
    app_start(&state, tr, &origin, Method::Wecom, &q.next).await
}

/// `GET /login/dingtalk`.
pub async fn dingtalk_start(
    State(state): State<AppState>,
    tr: Tr,
    ClientIp(origin): ClientIp,
    Query(q): Query<StartQuery>,
) -> Response {
    app_start(&state, tr, &origin, Method::Dingtalk, &q.next).await
}

/// `GET /login/wecom/return`.
pub async fn wecom_return(
    State(state): State<AppState>,
    tr: Tr,
    headers: HeaderMap,
    ClientIp(origin): ClientIp,
    Query(q): Query<CodeReturn>,
) -> Response {
    app_return(&state, tr, &headers, &origin, Method::Wecom, q).await
}

/// `GET /login/dingtalk/return` (钉钉 names the code `authCode`; `code` is read too).
pub async fn dingtalk_return(
    State(state): State<AppState>,
    tr: Tr,
    headers: HeaderMap,
    ClientIp(origin): ClientIp,
    Query(q): Query<DingtalkReturn>,
) -> Response {
    let q = CodeReturn {
        code: if q.auth_code.is_empty() {
            q.code
        } else {
            q.auth_code
        },
        state: q.state,
        error: String::new(),
    };
    app_return(&state, tr, &headers, &origin, Method::Dingtalk, q).await
}

/// `?authCode=&state=` of 钉钉's return.
#[derive(Deserialize, Default)]
pub struct DingtalkReturn {
    #[serde(rename = "authCode", default)]
    auth_code: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    state: String,
}

/// The office app of a sign-in from the workbench, as set up for signing in.
enum App {
    Wecom(zeren_core::directory::WecomSettings),
    Dingtalk(zeren_core::directory::DingtalkSettings),
}

impl App {
    /// The app of `m`, where it is set up for signing in.
    fn of(s: &DirectorySettings, m: Method) -> Option<App> {
        match m {
            Method::Wecom => s.wecom.clone().filter(|w| w.sign_in).map(App::Wecom),
            Method::Dingtalk => s.dingtalk.clone().filter(|d| d.sign_in).map(App::Dingtalk),
            _ => None,
        }
    }

    /// The app's authorization page for a sign-in with `state`, coming back to `back`.
    fn authorize(&self, back: &str, state: &str) -> Result<String, SignInFailure> {
        let url = match self {
            App::Wecom(w) => zeren_directory::wecom::authorize_url(w, back, state),
            App::Dingtalk(d) => zeren_directory::dingtalk::authorize_url(d, back, state),
        };
        url.map(|u| u.to_string()).map_err(SignInFailure::from)
    }

    /// The app's user id of the person the code was given to.
    async fn user_id(&self, code: &str, p: &OutboundPolicy) -> Result<String, SignInFailure> {
        let id = match self {
            App::Wecom(w) => {
                zeren_directory::wecom::Client::new(w, p)
                    .user_id_by_code(code)
                    .await
            }
            App::Dingtalk(d) => {
                zeren_directory::dingtalk::Client::new(d, p)
                    .user_id_by_code(code)
                    .await
            }
        };
        id.map_err(SignInFailure::from)
    }
}

async fn app_start(state: &AppState, tr: Tr, origin: &str, m: Method, next: &str) -> Response {
    let (settings, app) = match configured(state, tr, m, |s| App::of(s, m)).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let back = settings.address(&format!("/login/{}/return", m.as_str()));
    let b = Beginning {
        method: m,
        next,
        oidc: None,
    };
    begin(state, tr, origin, b, |s| app.authorize(&back, s)).await
}

async fn app_return(
    state: &AppState,
    tr: Tr,
    headers: &HeaderMap,
    origin: &str,
    m: Method,
    q: CodeReturn,
) -> Response {
    let (settings, app) = match configured(state, tr, m, |s| App::of(s, m)).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let attempt = match take_back(state, headers, m, &q.state).await {
        Ok(a) => a,
        Err(f) => return refuse(state, tr, origin, m, f, json!({})).await,
    };
    if q.code.is_empty() || q.code.len() > 512 {
        let f = SignInFailure::Refused {
            code: "no-code".into(),
        };
        return refuse(state, tr, origin, m, f, json!({})).await;
    }
    let user_id = match app.user_id(&q.code, &policy(state)).await {
        Ok(u) => u,
        Err(f) => return refuse(state, tr, origin, m, f, json!({})).await,
    };
    let key = if m == Method::Wecom {
        LinkKey::WecomId
    } else {
        LinkKey::DingtalkId
    };
    let v = Vouched {
        method: m,
        identity: DirectoryIdentity {
            subject: user_id.clone(),
            key: Some(user_id),
            name: None,
            groups: Vec::new(),
        },
        key,
        key_field: "userid".into(),
        grants: None,
        sso_ref: None,
        next: attempt.next,
    };
    finish(state, tr, origin, &settings, v).await
}
