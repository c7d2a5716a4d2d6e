//! One account: its page, and what the security administrator does to it.

use super::*;

/// One explicit grant as listed.
pub struct GrantRow {
    /// Id.
    pub id: String,
    /// Role name.
    pub role: String,
    /// Org "name（code）".
    pub org: String,
    /// Who granted it.
    pub granted_by: String,
}

#[derive(Template)]
#[template(path = "admin_account.html")]
pub(super) struct AccountPage {
    pub(super) frame: Frame,
    pub(super) tr: Tr,
    pub(super) csrf: String,
    pub(super) a: AccountRow,
    pub(super) is_self: bool,
    pub(super) derived: Vec<(String, String)>,
    pub(super) grants: Vec<GrantRow>,
    pub(super) roles: Vec<Choice>,
    pub(super) orgs: Vec<(String, String)>,
    pub(super) grant_org: String,
    pub(super) errors: FieldErrors,
    pub(super) error: Option<String>,
    pub(super) notice: Option<String>,
    pub(super) temporary: Option<String>,
}

impl AccountPage {
    pub(super) fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
}

pub(super) struct DetailView {
    pub(super) grant_role: String,
    pub(super) grant_org: String,
    pub(super) errors: FieldErrors,
    pub(super) error: Option<String>,
    pub(super) notice: Option<String>,
    pub(super) temporary: Option<String>,
}

impl DetailView {
    pub(super) fn plain() -> DetailView {
        DetailView {
            grant_role: String::new(),
            grant_org: String::new(),
            errors: Vec::new(),
            error: None,
            notice: None,
            temporary: None,
        }
    }
}

/// Orgs offered in the grant form's list (a province has too many to list: then the code is typed).
pub(super) const ORG_LIST_MAX: usize = 500;

pub(super) async fn render_account(
    state: &AppState,
    v: &Viewer,
    id: &str,
    view: DetailView,
    status: StatusCode,
) -> Response {
    let tr = v.tr;
    let user = match state.db.user(id).await {
        Ok(u) => u,
        Err(e) => return failure_page(tr, &e),
    };
    // The snapshot of the request may predate a change just made; read the current one.
    let snap = match state.current_snapshot().await {
        Ok(s) => s,
        Err(e) => return failure_page(tr, &e),
    };
    let today = state.today();
    let principal = snap.principal(&user, today);
    let derived = principal
        .roles
        .iter()
        .filter(|g| g.source.starts_with("post:"))
        .map(|g| (role_label(tr, g.role.as_str()), org_label(&snap, &g.org)))
        .collect();
    let grants = snap
        .grants
        .iter()
        .filter(|g| g.user == user.id)
        .map(|g| GrantRow {
            id: g.id.clone(),
            role: role_label(tr, g.role.as_str()),
            org: org_label(&snap, &g.org),
            granted_by: g.granted_by.clone(),
        })
        .collect();
    let roles = Role::ALL
        .iter()
        .map(|r| Choice {
            value: r.as_str().to_string(),
            label: role_label(tr, r.as_str()),
            selected: view.grant_role == r.as_str(),
        })
        .collect();
    let mut orgs: Vec<(String, String)> = snap
        .model
        .orgs()
        .iter()
        .map(|o| (o.code.clone(), o.name.clone()))
        .collect();
    orgs.sort();
    if orgs.len() > ORG_LIST_MAX {
        orgs.clear();
    }
    let shows_secret = view.temporary.is_some();
    let mut resp = page(
        status,
        &AccountPage {
            frame: Frame::of(state, Some(v)),
            tr,
            csrf: v.csrf().to_string(),
            a: AccountRow::new(&user, &snap, tr, state.now_ms()),
            is_self: user.id == v.user.id,
            derived,
            grants,
            roles,
            orgs,
            grant_org: view.grant_org,
            errors: view.errors,
            error: view.error,
            notice: view.notice,
            temporary: view.temporary,
        },
    );
    if shows_secret {
        // A temporary password stays out of every cache, the browser's included.
        resp.headers_mut()
            .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    resp
}

/// Query of the account page.
#[derive(Deserialize, Default)]
pub struct AccountQuery {
    pub(super) done: Option<String>,
}

/// `GET /admin/accounts/{id}`.
pub async fn account_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    Path(id): Path<String>,
    q: Result<Query<AccountQuery>, Rejected>,
) -> Response {
    let tr = v.tr;
    if !v.principal.can_somewhere(Permission::ManageAccounts) {
        return forbidden_page(tr);
    }
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let mut view = DetailView::plain();
    view.notice = match q.done.as_deref() {
        Some("state") => Some(tr.t("admin.done.state")),
        Some("unlock") => Some(tr.t("admin.done.unlock")),
        Some("totp") => Some(tr.t("admin.done.totp")),
        Some("grant") => Some(tr.t("admin.done.grant")),
        Some("revoke") => Some(tr.t("admin.done.revoke")),
        _ => None,
    }
    .map(String::from);
    render_account(&state, &v, &id, view, StatusCode::OK).await
}

/// The security administrator may change any business account but never its own: its role,
/// grants, state and password stay as the command line set them.
pub(super) fn refusal(v: &Viewer, target: &str) -> Option<Response> {
    if !v.principal.can_somewhere(Permission::ManageAccounts) {
        return Some(forbidden_page(v.tr));
    }
    if target == v.user.id {
        return Some(refuse_with(v.tr, v.tr.t("admin.error.self").to_string()));
    }
    None
}

/// 三员分立: no administrator creates, enables, disables, unlocks or resets another
/// administrator (PRODUCT.md §5); administrator accounts are managed on the server with
/// `zeren user …`, audited there. A 403 page naming that, for a change to one of them.
pub(super) fn administrator_refusal(v: &Viewer, target: &User) -> Option<Response> {
    target
        .admin_role
        .is_some()
        .then(|| refuse_with(v.tr, v.tr.t("admin.error.admin_account").to_string()))
}

pub(super) fn may_change_api(v: &Viewer, target: &str) -> Result<(), ApiError> {
    require(v, Permission::ManageAccounts, None)?;
    if target == v.user.id {
        return Err(ApiError::new(
            ErrorCode::Forbidden,
            v.tr.t("admin.error.self").to_string(),
        ));
    }
    Ok(())
}

pub(super) fn account_href(id: &str, done: &str) -> String {
    format!("/admin/accounts/{}?done={done}", encode(id))
}

/// A form carrying the version of the account it was read at.
#[derive(Deserialize)]
pub struct VersionForm {
    #[serde(default)]
    pub(super) version: String,
}

/// The disable/enable form.
#[derive(Deserialize)]
pub struct StateForm {
    #[serde(default)]
    pub(super) version: String,
    #[serde(default)]
    pub(super) disabled: String,
}

pub(super) async fn stale(state: &AppState, v: &Viewer, id: &str) -> Response {
    let mut view = DetailView::plain();
    view.error = Some(v.tr.t("admin.error.stale").to_string());
    render_account(state, v, id, view, StatusCode::CONFLICT).await
}

pub(super) async fn bad_version(state: &AppState, v: &Viewer, id: &str) -> Response {
    let mut view = DetailView::plain();
    view.error = Some(v.tr.t("admin.error.version").to_string());
    render_account(state, v, id, view, StatusCode::UNPROCESSABLE_ENTITY).await
}

/// A form that carries the version of the account it was read at.
pub(super) trait Versioned {
    fn version(&self) -> &str;
}

impl Versioned for VersionForm {
    fn version(&self) -> &str {
        &self.version
    }
}

impl Versioned for StateForm {
    fn version(&self) -> &str {
        &self.version
    }
}

/// What every version-checked change to an account checks first, in this order: the security
/// role and not one's own account; the account, which must be a business account; the form;
/// the version the form was read at.
pub(super) async fn account_change<F: Versioned>(
    state: &AppState,
    v: &Viewer,
    id: &str,
    form: Result<Form<F>, FormRejection>,
) -> Result<(F, User, i64), Response> {
    if let Some(r) = refusal(v, id) {
        return Err(r);
    }
    let user = state
        .db
        .user(id)
        .await
        .map_err(|e| failure_page(v.tr, &e))?;
    if let Some(r) = administrator_refusal(v, &user) {
        return Err(r);
    }
    let Form(form) = form.map_err(|e| bad_form(v.tr, e.body_text()))?;
    let Ok(version) = form.version().trim().parse::<i64>() else {
        return Err(bad_version(state, v, id).await);
    };
    Ok((form, user, version))
}

/// `POST /admin/accounts/{id}/state` — disable or enable (version-checked).
pub async fn set_state(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    Path(id): Path<String>,
    form: Result<Form<StateForm>, FormRejection>,
) -> Response {
    let tr = v.tr;
    let (form, user, version) = match account_change(&state, &v, &id, form).await {
        Ok(parts) => parts,
        Err(r) => return r,
    };
    let disabled = form.disabled == "1";
    let done = async {
        let mut tx = state.db.begin(&v.actor(), state.clock.now()).await?;
        tx.set_user_state(&user, version, disabled).await?;
        tx.commit().await
    }
    .await;
    match done {
        Ok(()) => redirect(&account_href(&id, "state")),
        Err(StorageError::Conflict { .. }) => stale(&state, &v, &id).await,
        Err(e) => failure_page(tr, &e),
    }
}

/// `POST /admin/accounts/{id}/unlock` — clears a lockout (version-checked).
pub async fn unlock(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    Path(id): Path<String>,
    form: Result<Form<VersionForm>, FormRejection>,
) -> Response {
    let tr = v.tr;
    let (_, user, version) = match account_change(&state, &v, &id, form).await {
        Ok(parts) => parts,
        Err(r) => return r,
    };
    let done = async {
        let mut tx = state.db.begin(&v.actor(), state.clock.now()).await?;
        // Setting the state as it is clears the failures and the lock, version-checked.
        tx.set_user_state(&user, version, user.disabled).await?;
        tx.audit(
            "user.unlock",
            "user",
            &user.id,
            Some(&json!({"failed_logins": user.failed_logins, "locked_until": user.locked_until})),
            Some(&json!({"failed_logins": 0, "locked_until": null})),
        )
        .await?;
        tx.commit().await
    }
    .await;
    match done {
        Ok(()) => redirect(&account_href(&id, "unlock")),
        Err(StorageError::Conflict { .. }) => stale(&state, &v, &id).await,
        Err(e) => failure_page(tr, &e),
    }
}

/// `POST /admin/accounts/{id}/totp/reset` — turns a business account's second factor off when
/// its authenticator is lost (version-checked, audited); every session of the account ends, and
/// where the policy requires a second factor it sets one up again at its next sign-in.
pub async fn reset_totp(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    Path(id): Path<String>,
    form: Result<Form<VersionForm>, FormRejection>,
) -> Response {
    let tr = v.tr;
    let (_, user, version) = match account_change(&state, &v, &id, form).await {
        Ok(parts) => parts,
        Err(r) => return r,
    };
    if version != user.version {
        return stale(&state, &v, &id).await;
    }
    if !user.totp_enabled {
        return redirect(&account_href(&id, "totp"));
    }
    let done = async {
        let mut tx = state.db.begin(&v.actor(), state.clock.now()).await?;
        tx.set_totp(&user, None, "").await?;
        tx.commit().await
    }
    .await;
    match done {
        Ok(()) => redirect(&account_href(&id, "totp")),
        Err(e) => failure_page(tr, &e),
    }
}

/// `POST /admin/accounts/{id}/password` — a new temporary password for a business account,
/// shown once; the account's sessions end, its API tokens are revoked (storage does both with
/// the new password) and it must choose a new password at the next sign-in. An administrator's
/// password is recovered on the server with `zeren user passwd` (refused in `account_change`).
pub async fn reset_password(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    Path(id): Path<String>,
    form: Result<Form<VersionForm>, FormRejection>,
) -> Response {
    let tr = v.tr;
    let (_, user, version) = match account_change(&state, &v, &id, form).await {
        Ok(parts) => parts,
        Err(r) => return r,
    };
    if version != user.version {
        return stale(&state, &v, &id).await;
    }
    let password = match temporary_password(&v.snap.security.password, &user.username) {
        Ok(p) => p,
        Err(e) => return failure_page(tr, &e),
    };
    let done = async {
        let hash = hash_password(password.clone()).await?;
        let mut tx = state.db.begin(&v.actor(), state.clock.now()).await?;
        tx.set_password(
            &user,
            &hash,
            zeren_storage::PasswordChange::Reset { must_change: true },
        )
        .await?;
        tx.commit().await
    }
    .await;
    match done {
        Ok(()) => {
            let mut view = DetailView::plain();
            view.temporary = Some(password);
            view.notice = Some(tr.t("admin.done.password").to_string());
            render_account(&state, &v, &id, view, StatusCode::OK).await
        }
        Err(e) => failure_page(tr, &e),
    }
}

/// The add-grant form.
#[derive(Deserialize, Default)]
pub struct GrantForm {
    #[serde(default)]
    pub(super) role: String,
    #[serde(default)]
    pub(super) org: String,
}

pub(super) enum GrantError {
    Forbidden(String),
    Fields(FieldErrors),
    Storage(StorageError),
}

/// Grants a business role: never to an administrator account, never to oneself, never twice.
pub(super) async fn grant(
    state: &AppState,
    v: &Viewer,
    user: &User,
    form: &GrantForm,
) -> Result<Grant, GrantError> {
    let tr = v.tr;
    if user.admin_role.is_some() {
        return Err(GrantError::Forbidden(
            tr.t("admin.error.admin_no_business").to_string(),
        ));
    }
    let snap = state
        .current_snapshot()
        .await
        .map_err(GrantError::Storage)?;
    let mut errors = FieldErrors::new();
    let role = Role::parse(form.role.trim());
    if role.is_none() {
        errors.push(("role", tr.t("admin.error.role").to_string()));
    }
    let org = snap.model.find_org(form.org.trim());
    if org.is_none() {
        errors.push(("org", tr.tf("admin.error.org", &[("org", form.org.trim())])));
    }
    let (Some(role), Some(org)) = (role, org) else {
        return Err(GrantError::Fields(errors));
    };
    if snap
        .grants
        .iter()
        .any(|g| g.user == user.id && g.role == role && g.org == org.id)
    {
        return Err(GrantError::Fields(vec![(
            "org",
            tr.t("admin.error.grant_exists").to_string(),
        )]));
    }
    let made = async {
        let mut tx = state.db.begin(&v.actor(), state.clock.now()).await?;
        let g = tx.grant(user, role, &org.id, &v.user.username).await?;
        tx.commit().await?;
        Ok::<_, StorageError>(g)
    }
    .await;
    made.map_err(GrantError::Storage)
}

/// `POST /admin/accounts/{id}/grants`.
pub async fn add_grant(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    Path(id): Path<String>,
    form: Result<Form<GrantForm>, FormRejection>,
) -> Response {
    let tr = v.tr;
    if let Some(r) = refusal(&v, &id) {
        return r;
    }
    let Form(form) = match form {
        Ok(f) => f,
        Err(e) => return bad_form(tr, e.body_text()),
    };
    let user = match state.db.user(&id).await {
        Ok(u) => u,
        Err(e) => return failure_page(tr, &e),
    };
    match grant(&state, &v, &user, &form).await {
        Ok(_) => redirect(&account_href(&id, "grant")),
        Err(GrantError::Forbidden(m)) => refuse_with(tr, m),
        Err(GrantError::Fields(errors)) => {
            let mut view = DetailView::plain();
            view.grant_role = form.role;
            view.grant_org = form.org;
            view.errors = errors;
            render_account(&state, &v, &id, view, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(GrantError::Storage(e)) => failure_page(tr, &e),
    }
}

/// `POST /admin/accounts/{id}/grants/{grant}/revoke`.
pub async fn revoke_grant(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    Path((id, grant_id)): Path<(String, String)>,
) -> Response {
    let tr = v.tr;
    if let Some(r) = refusal(&v, &id) {
        return r;
    }
    let snap = match state.current_snapshot().await {
        Ok(s) => s,
        Err(e) => return failure_page(tr, &e),
    };
    if !snap.grants.iter().any(|g| g.id == grant_id && g.user == id) {
        return error_page(
            tr,
            ErrorCode::NotFound,
            "error.not_found.title",
            tr.t("admin.error.no_grant").to_string(),
        );
    }
    let done = async {
        let mut tx = state.db.begin(&v.actor(), state.clock.now()).await?;
        tx.revoke_grant(&grant_id).await?;
        tx.commit().await
    }
    .await;
    match done {
        Ok(()) => redirect(&account_href(&id, "revoke")),
        Err(e) => failure_page(tr, &e),
    }
}
