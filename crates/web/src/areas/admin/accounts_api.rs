//! The accounts API: list, create, change, and the security policy.

use super::*;

#[derive(Serialize)]
pub(super) struct GrantJson<'a> {
    pub(super) id: &'a str,
    pub(super) role: &'static str,
    pub(super) org: &'a str,
    pub(super) org_code: &'a str,
    pub(super) granted_by: &'a str,
}

#[derive(Serialize)]
pub(super) struct AccountJson<'a> {
    pub(super) id: &'a str,
    pub(super) username: &'a str,
    pub(super) display_name: &'a str,
    pub(super) person: Option<&'a str>,
    pub(super) person_name: Option<&'a str>,
    pub(super) admin_role: Option<&'static str>,
    pub(super) state: &'static str,
    pub(super) locked_until: Option<String>,
    pub(super) totp_enabled: bool,
    pub(super) must_change_password: bool,
    pub(super) version: i64,
    pub(super) grants: Vec<GrantJson<'a>>,
}

pub(super) fn account_json<'a>(
    u: &'a User,
    snap: &'a Snapshot,
    grants: &'a [Grant],
    now_ms: i64,
) -> AccountJson<'a> {
    AccountJson {
        id: &u.id,
        username: &u.username,
        display_name: &u.display_name,
        person: u.person.as_deref(),
        person_name: u
            .person
            .as_deref()
            .and_then(|p| snap.model.person(p))
            .map(|p| p.name.as_str()),
        admin_role: u.admin_role.map(|a| a.as_str()),
        state: account_state(u, now_ms),
        locked_until: u.locked_until.filter(|t| *t > now_ms).and_then(rfc3339),
        totp_enabled: u.totp_enabled,
        must_change_password: u.must_change_password,
        version: u.version,
        grants: grants
            .iter()
            .filter(|g| g.user == u.id)
            .map(|g| GrantJson {
                id: &g.id,
                role: g.role.as_str(),
                org: &g.org,
                org_code: snap
                    .model
                    .org(&g.org)
                    .map(|o| o.code.as_str())
                    .unwrap_or(""),
                granted_by: &g.granted_by,
            })
            .collect(),
    }
}

/// `GET /api/v1/accounts`.
pub async fn api_accounts(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    require(&v, Permission::ManageAccounts, None)?;
    let users = state.db.users().await.map_err(|e| api_storage(tr, e))?;
    let snap = state
        .current_snapshot()
        .await
        .map_err(|e| api_storage(tr, e))?;
    let now_ms = state.now_ms();
    let accounts: Vec<AccountJson> = users
        .iter()
        .map(|u| account_json(u, &snap, &snap.grants, now_ms))
        .collect();
    Ok(Json(json!({ "accounts": accounts })).into_response())
}

/// Body of `POST /api/v1/accounts`.
#[derive(Deserialize)]
pub struct NewAccountBody {
    pub(super) username: String,
    pub(super) display_name: String,
    #[serde(default)]
    pub(super) person: Option<String>,
    #[serde(default)]
    pub(super) admin_role: Option<String>,
    /// On an installation without orgs: this account creates the root org.
    #[serde(default)]
    pub(super) founder: bool,
}

/// `POST /api/v1/accounts` — 201 with the account and its temporary password (shown once).
pub async fn api_create_account(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    body: Result<JsonBody<NewAccountBody>, Rejected>,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    require(&v, Permission::ManageAccounts, None)?;
    let body = body.get()?;
    let form = NewAccountForm {
        username: body.username,
        display_name: body.display_name,
        person: body.person.unwrap_or_default(),
        admin_role: body.admin_role.unwrap_or_default(),
        founder: if body.founder {
            "1".into()
        } else {
            String::new()
        },
    };
    let users = state.db.users().await.map_err(|e| api_storage(tr, e))?;
    let (user, password) = match create(&state, &v, &form, &users).await {
        Ok(made) => made,
        Err(CreateError::Fields(errors)) => return Err(api_fields(tr, &errors)),
        Err(CreateError::Storage(e)) => return Err(api_storage(tr, e)),
    };
    let snap = state
        .current_snapshot()
        .await
        .map_err(|e| api_storage(tr, e))?;
    Ok((
        StatusCode::CREATED,
        [(CACHE_CONTROL, "no-store")],
        Json(json!({
            "account": account_json(&user, &snap, &snap.grants, state.now_ms()),
            "temporary_password": password,
        })),
    )
        .into_response())
}

/// Body of `POST /api/v1/accounts/{id}/grants`.
#[derive(Deserialize)]
pub struct GrantBody {
    pub(super) role: String,
    pub(super) org: String,
}

/// `POST /api/v1/accounts/{id}/grants` — 201 with the grant.
pub async fn api_grant(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    Path(id): Path<String>,
    body: Result<JsonBody<GrantBody>, Rejected>,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    may_change_api(&v, &id)?;
    let body = body.get()?;
    let user = state.db.user(&id).await.map_err(|e| api_storage(tr, e))?;
    let form = GrantForm {
        role: body.role,
        org: body.org,
    };
    match grant(&state, &v, &user, &form).await {
        Ok(g) => {
            let snap = state
                .current_snapshot()
                .await
                .map_err(|e| api_storage(tr, e))?;
            Ok((
                StatusCode::CREATED,
                Json(json!({
                    "grant": GrantJson {
                        id: &g.id,
                        role: g.role.as_str(),
                        org: &g.org,
                        org_code: snap.model.org(&g.org).map(|o| o.code.as_str()).unwrap_or(""),
                        granted_by: &g.granted_by,
                    }
                })),
            )
                .into_response())
        }
        Err(GrantError::Forbidden(m)) => Err(ApiError::new(ErrorCode::Forbidden, m)),
        Err(GrantError::Fields(errors)) => Err(api_fields(tr, &errors)),
        Err(GrantError::Storage(e)) => Err(api_storage(tr, e)),
    }
}

pub(super) fn security_json(p: &SecurityPolicy, version: i64) -> Value {
    json!({
        "password": p.password,
        "login": p.login,
        "totp_required": p.totp_required,
        "version": version,
    })
}

/// `GET /api/v1/settings/security`.
pub async fn api_security(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    require(&v, Permission::ManageAccounts, None)?;
    let (p, version) = security_setting(&state)
        .await
        .map_err(|e| api_storage(tr, e))?;
    Ok(Json(security_json(&p, version)).into_response())
}

/// Body of `PUT /api/v1/settings/security`: the whole policy and the version it was read at
/// (0 when never saved).
#[derive(Deserialize)]
pub struct SecurityBody {
    pub(super) password: PasswordPolicy,
    pub(super) login: LoginPolicy,
    #[serde(default)]
    pub(super) totp_required: Vec<String>,
    pub(super) version: i64,
}

/// `PUT /api/v1/settings/security` — 409 when the version is stale.
pub async fn api_put_security(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    body: Result<JsonBody<SecurityBody>, Rejected>,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    require(&v, Permission::ManageAccounts, None)?;
    let body = body.get()?;
    let policy = SecurityPolicy {
        password: body.password,
        login: body.login,
        totp_required: body.totp_required,
    };
    let errors = check_policy(&policy, tr);
    if !errors.is_empty() {
        return Err(api_fields(tr, &errors));
    }
    let policy = SecurityPolicy {
        totp_required: canonical_totp(&policy.totp_required),
        ..policy
    };
    let version = store_policy(&state, &v, &policy, body.version)
        .await
        .map_err(|e| api_storage(tr, e))?;
    Ok(Json(security_json(&policy, version)).into_response())
}
