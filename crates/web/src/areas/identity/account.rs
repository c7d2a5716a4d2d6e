//! The account page: password, language, API tokens, and the state of the second factor.

use super::*;
use crate::shared::auth::with_cookies;
use crate::shared::auth::{PageViewer, SettlingViewer, Viewer, redirect};
use crate::shared::extract::Path;
use signin::unavailable;
use zeren_storage::secrets::{hash_password, verify_password};
use zeren_storage::{ApiToken, PasswordChange, User};

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
    /// What the last change did, in words.
    notice: Option<String>,
}

impl PasswordPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        crate::shared::format::field_error(&self.errors, field)
    }
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

fn password_page(
    state: &AppState,
    v: &Viewer,
    errors: Vec<(String, String)>,
    status: StatusCode,
) -> Response {
    let frame = if v.user.must_change_password {
        Frame::of(state, None)
    } else {
        Frame::of(state, Some(v))
    };
    page(
        status,
        &PasswordPage {
            frame,
            tr: v.tr,
            csrf: v.csrf().to_string(),
            forced: v.user.must_change_password,
            errors,
            rules: password_rules(v.tr, v.snap.security.password),
        },
    )
}

/// `GET /account/password`.
pub async fn password_form(
    State(state): State<AppState>,
    SettlingViewer(v): SettlingViewer,
) -> Response {
    password_page(&state, &v, Vec::new(), StatusCode::OK)
}

/// The password form.
#[derive(Deserialize)]
pub struct PasswordForm {
    current: String,
    new: String,
    confirm: String,
}

/// `POST /account/password` — ends the account's other sessions (its API tokens stay: they
/// are listed on the account page, to revoke there).
pub async fn change_password(
    State(state): State<AppState>,
    SettlingViewer(v): SettlingViewer,
    Form(form): Form<PasswordForm>,
) -> Response {
    let tr = v.tr;
    let max = zeren_core::access::PASSWORD_MAX;
    let mut errors = Vec::new();
    if form.current.chars().count() > max
        || !verify_password(form.current.clone(), v.user.password_hash.clone()).await
    {
        errors.push((
            "current".to_string(),
            tr.t("password.error.current").to_string(),
        ));
    }
    if form.new.chars().count() > max {
        errors.push((
            "new".to_string(),
            tr.tf("password.error.long", &[("max", &max.to_string())]),
        ));
    } else if let Err(p) = v.snap.security.password.check(&form.new, &v.user.username) {
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
        return password_page(&state, &v, errors, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let keep = v.session.as_ref().map(|s| s.id.as_str()).unwrap_or("");
    let done = async {
        let hash = hash_password(form.new.clone()).await?;
        let mut tx = state.db.begin(&v.actor(), state.clock.now()).await?;
        tx.set_password(&v.user, &hash, PasswordChange::Own { keep_session: keep })
            .await?;
        tx.commit().await
    }
    .await;
    match done {
        Ok(()) => redirect("/account?changed=password"),
        Err(_) => unavailable(tr),
    }
}

fn role_rows(v: &Viewer) -> Vec<(String, String)> {
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
    v: &Viewer,
    new_token: Option<String>,
    notice: Option<String>,
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
            notice,
        },
    )
}

/// Query of the account page: which change was just made.
#[derive(Deserialize, Default)]
pub struct AccountQuery {
    changed: Option<String>,
}

/// `GET /account`.
pub async fn account(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    Query(q): Query<AccountQuery>,
) -> Response {
    let notice = match q.changed.as_deref() {
        Some("password") => Some("account.changed.password"),
        Some("totp-on") => Some("account.changed.totp_on"),
        Some("totp-replaced") => Some("account.changed.totp_replaced"),
        Some("totp-off") => Some("account.changed.totp_off"),
        _ => None,
    };
    account_page(&state, &v, None, notice.map(|k| v.tr.t(k).to_string())).await
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
        Ok(token) => account_page(&state, &v, Some(token), None).await,
        Err(_) => unavailable(v.tr),
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
