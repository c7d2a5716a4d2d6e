//! The SMTP server and the allowed robot hosts (system administrator).

use super::*;

#[derive(Template)]
#[template(path = "notify_admin.html")]
pub(super) struct AdminPage {
    pub(super) frame: Frame,
    pub(super) tr: Tr,
    pub(super) csrf: String,
    pub(super) host: String,
    pub(super) port: String,
    pub(super) tls: String,
    pub(super) username: String,
    pub(super) password_set: bool,
    pub(super) from: String,
    pub(super) version: i64,
    pub(super) saved: bool,
    pub(super) errors: Vec<(String, String)>,
    pub(super) counts: Vec<(String, i64)>,
    pub(super) last_run: Option<String>,
    /// The allowed robot hosts, one a line, and their setting's version.
    pub(super) hosts: String,
    pub(super) hosts_version: i64,
    pub(super) hosts_saved: bool,
    /// The providers' own hosts, always allowed.
    pub(super) wecom_host: &'static str,
    pub(super) dingtalk_host: &'static str,
}

impl AdminPage {
    pub(super) fn error_for(&self, field: &str) -> Option<&str> {
        crate::shared::format::field_error(&self.errors, field)
    }

    pub(super) fn general_errors(&self) -> Vec<&str> {
        crate::shared::format::field_errors(&self.errors, "form")
    }
}

/// The SMTP form.
#[derive(Deserialize, Default, Clone)]
pub struct SmtpForm {
    #[serde(default)]
    pub(super) host: String,
    #[serde(default)]
    pub(super) port: String,
    #[serde(default)]
    pub(super) tls: String,
    #[serde(default)]
    pub(super) username: String,
    #[serde(default)]
    pub(super) password: String,
    pub(super) password_clear: Option<String>,
    #[serde(default)]
    pub(super) from: String,
    #[serde(default)]
    pub(super) version: String,
}

/// What the page shows besides what is stored: a form sent back with its errors, and which
/// form was just saved (`?saved=1` the SMTP server, `?saved=hosts` the robot hosts).
#[derive(Default)]
pub(super) struct AdminShown {
    pub(super) smtp: Option<SmtpForm>,
    pub(super) hosts: Option<HostsForm>,
    pub(super) saved: Option<String>,
}

pub(super) async fn render_admin(
    state: &AppState,
    v: &Viewer,
    status: StatusCode,
    shown: AdminShown,
    errors: Vec<(String, String)>,
) -> Response {
    let tr = v.tr;
    let db = &state.db;
    let (current, counts, (stored_hosts, hosts_version)) = match (
        db.setting::<SmtpSettings>(SMTP_SETTING).await,
        db.outbox_counts().await,
        robot_hosts(db).await,
    ) {
        (Ok(c), Ok(n), Ok(h)) => (c, n, h),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => return storage_page(tr, &e),
    };
    let form = shown.smtp;
    let hosts = match shown.hosts {
        Some(f) => f.hosts,
        None => stored_hosts.hosts.join("\n"),
    };
    let today = state.today();
    let last_run = match db
        .job_run(zeren_storage::repo::notify::PLAN_JOB, &today.to_string())
        .await
    {
        Ok(r) => r.and_then(|r| r.finished_at).map(minute),
        Err(e) => return storage_page(tr, &e),
    };
    let (s, version) = current.unwrap_or_default();
    let password_set = !s.password.is_empty();
    let (host, port, tls, username, from) = match form {
        Some(f) => (f.host, f.port, f.tls, f.username, f.from),
        None => (
            s.host,
            if s.port == 0 {
                "587".into()
            } else {
                s.port.to_string()
            },
            s.tls.as_str().to_string(),
            s.username,
            s.from,
        ),
    };
    page(
        status,
        &AdminPage {
            frame: Frame::of(state, Some(v)),
            tr,
            csrf: v.csrf().to_string(),
            host,
            port,
            tls,
            username,
            password_set,
            from,
            version,
            saved: shown.saved.as_deref() == Some("1"),
            errors,
            counts: zeren_storage::repo::notify::DELIVERY_STATUSES
                .iter()
                .map(|s| {
                    (
                        tr.t(status_key(s)).to_string(),
                        counts.get(*s).copied().unwrap_or(0),
                    )
                })
                .collect(),
            last_run,
            hosts,
            hosts_version,
            hosts_saved: shown.saved.as_deref() == Some("hosts"),
            wecom_host: Robot::Wecom.host(),
            dingtalk_host: Robot::Dingtalk.host(),
        },
    )
}

/// `GET /admin/notify`.
pub(super) async fn admin_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    Query(q): Query<SavedQuery>,
) -> Response {
    if let Err(r) = system_admin(&v) {
        return r.page(v.tr);
    }
    let shown = AdminShown {
        saved: q.saved,
        ..AdminShown::default()
    };
    render_admin(&state, &v, StatusCode::OK, shown, Vec::new()).await
}

/// Saves the SMTP server; a password left out keeps the stored one.
pub(super) async fn save_smtp(
    state: &AppState,
    v: &Viewer,
    checked: CheckedSmtp,
    password: Option<String>,
    version: i64,
) -> Result<(SmtpSettings, i64), ApiError> {
    let tr = v.tr;
    let (host, port, tls, username, from) = checked;
    let stored = state
        .db
        .setting::<SmtpSettings>(SMTP_SETTING)
        .await
        .map_err(|e| storage_api(tr, e))?
        .map(|(s, _)| s.password)
        .unwrap_or_default();
    let settings = SmtpSettings {
        host,
        port,
        tls,
        password: password.unwrap_or(stored),
        username,
        from,
    };
    let mut tx = state
        .db
        .begin(&v.actor(), state.clock.now())
        .await
        .map_err(|e| storage_api(tr, e))?;
    let version = tx
        .put_secret_setting(SMTP_SETTING, &settings, &["password"], version)
        .await
        .map_err(|e| storage_api(tr, e))?;
    tx.commit().await.map_err(|e| storage_api(tr, e))?;
    Ok((settings, version))
}

/// `POST /admin/notify`.
pub(super) async fn admin_submit(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    form: Result<Form<SmtpForm>, FormRejection>,
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
        let checked = check_smtp(tr, &f.host, &f.port, &f.tls, &f.username, &f.from)
            .map_err(|(field, e)| (field.to_string(), e))?;
        let password = if f.password_clear.is_some() {
            Some(String::new())
        } else if f.password.is_empty() {
            None
        } else {
            Some(f.password.clone())
        };
        save_smtp(&state, &v, checked, password, version)
            .await
            .map_err(|e| ("form".to_string(), e))?;
        Ok(())
    }
    .await;
    match result {
        Ok(()) => redirect("/admin/notify?saved=1"),
        Err((field, e)) => {
            let mut kept = f.clone();
            kept.password.clear();
            let shown = AdminShown {
                smtp: Some(kept),
                ..AdminShown::default()
            };
            render_admin(&state, &v, e.code.status(), shown, vec![(field, e.message)]).await
        }
    }
}

pub(super) fn smtp_json(s: &SmtpSettings, version: i64) -> Value {
    json!({
        "host": s.host,
        "port": s.port,
        "tls": s.tls.as_str(),
        "username": s.username,
        "password_set": !s.password.is_empty(),
        "from": s.from,
        "version": version,
    })
}

/// `GET /api/v1/settings/smtp`.
pub(super) async fn api_smtp(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
) -> Result<Json<Value>, ApiError> {
    let tr = v.tr;
    system_admin(&v).map_err(Refusal::api)?;
    let (s, version) = state
        .db
        .setting::<SmtpSettings>(SMTP_SETTING)
        .await
        .map_err(|e| storage_api(tr, e))?
        .unwrap_or_default();
    Ok(Json(smtp_json(&s, version)))
}

/// Body of `PUT /api/v1/settings/smtp`; `password` absent keeps the stored one.
#[derive(Deserialize)]
pub struct SmtpBody {
    pub(super) host: String,
    pub(super) port: u16,
    pub(super) tls: String,
    #[serde(default)]
    pub(super) username: String,
    pub(super) password: Option<String>,
    pub(super) from: String,
    pub(super) version: i64,
}

/// `PUT /api/v1/settings/smtp`.
pub(super) async fn api_put_smtp(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    body: Result<JsonBody<SmtpBody>, Rejected>,
) -> Result<Json<Value>, ApiError> {
    let tr = v.tr;
    system_admin(&v).map_err(Refusal::api)?;
    let b = body.get()?;
    let checked = check_smtp(
        tr,
        &b.host,
        &b.port.to_string(),
        &b.tls,
        &b.username,
        &b.from,
    )
    .map_err(|(_, e)| e)?;
    let (s, version) = save_smtp(&state, &v, checked, b.password, b.version).await?;
    Ok(Json(smtp_json(&s, version)))
}
