//! The hosts robot addresses may use besides 企业微信's and 钉钉's (system administrator).

use super::*;

/// The form on the mail server page: one host a line.
#[derive(Deserialize, Default, Clone)]
pub struct HostsForm {
    #[serde(default)]
    pub(super) hosts: String,
    #[serde(default)]
    pub(super) version: String,
}

/// Saves the allowed hosts, checked, if `version` is current; audited with the setting.
pub(super) async fn save_hosts(
    state: &AppState,
    v: &Viewer,
    hosts: Vec<String>,
    version: i64,
) -> Result<(RobotHosts, i64), ApiError> {
    let tr = v.tr;
    let value = RobotHosts { hosts };
    let mut tx = state
        .db
        .begin(&v.actor(), state.clock.now())
        .await
        .map_err(|e| storage_api(tr, e))?;
    let version = tx
        .put_secret_setting(ROBOT_HOSTS_SETTING, &value, &[], version)
        .await
        .map_err(|e| storage_api(tr, e))?;
    tx.commit().await.map_err(|e| storage_api(tr, e))?;
    Ok((value, version))
}

/// `POST /admin/notify/robot-hosts`.
pub(super) async fn hosts_submit(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    form: Result<Form<HostsForm>, FormRejection>,
) -> Response {
    let tr = v.tr;
    if let Err(r) = system_admin(&v) {
        return r.page(tr);
    }
    let f = form.map(|Form(f)| f).unwrap_or_default();
    let result: Result<(), (String, ApiError)> = async {
        let version = f.version.trim().parse::<i64>().map_err(|_| {
            (
                "form".to_string(),
                invalid(tr, "version", tr.t("notify.error.version")),
            )
        })?;
        let hosts = check_hosts(tr, f.hosts.lines()).map_err(|e| ("hosts".to_string(), e))?;
        save_hosts(&state, &v, hosts, version)
            .await
            .map_err(|e| ("form".to_string(), e))?;
        Ok(())
    }
    .await;
    match result {
        Ok(()) => redirect("/admin/notify?saved=hosts#robot-hosts"),
        Err((field, e)) => {
            let status = e.code.status();
            let shown = AdminShown {
                hosts: Some(f),
                ..AdminShown::default()
            };
            render_admin(&state, &v, status, shown, vec![(field, e.message)]).await
        }
    }
}

fn hosts_json(h: &RobotHosts, version: i64) -> Value {
    json!({
        "builtin": [
            {"robot": "wecom", "host": Robot::Wecom.host(), "path": Robot::Wecom.path()},
            {"robot": "dingtalk", "host": Robot::Dingtalk.host(), "path": Robot::Dingtalk.path()},
        ],
        "hosts": h.hosts,
        "version": version,
    })
}

/// `GET /api/v1/settings/robot-hosts`.
pub(super) async fn api_robot_hosts(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
) -> Result<Json<Value>, ApiError> {
    let tr = v.tr;
    system_admin(&v).map_err(Refusal::api)?;
    let (h, version) = robot_hosts(&state.db)
        .await
        .map_err(|e| storage_api(tr, e))?;
    Ok(Json(hosts_json(&h, version)))
}

/// Body of `PUT /api/v1/settings/robot-hosts`: the whole list.
#[derive(Deserialize)]
pub struct HostsBody {
    pub(super) hosts: Vec<String>,
    pub(super) version: i64,
}

/// `PUT /api/v1/settings/robot-hosts`.
pub(super) async fn api_put_robot_hosts(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    body: Result<JsonBody<HostsBody>, Rejected>,
) -> Result<Json<Value>, ApiError> {
    let tr = v.tr;
    system_admin(&v).map_err(Refusal::api)?;
    let b = body.get()?;
    let hosts = check_hosts(tr, b.hosts.iter().map(String::as_str))?;
    let (h, version) = save_hosts(&state, &v, hosts, b.version).await?;
    Ok(Json(hosts_json(&h, version)))
}
