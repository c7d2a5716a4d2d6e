//! An org's robots and delivery log.

use super::*;

#[derive(Template)]
#[template(path = "notify_org.html")]
pub(super) struct OrgPage {
    pub(super) frame: Frame,
    pub(super) tr: Tr,
    pub(super) csrf: String,
    pub(super) org_name: String,
    pub(super) org_href: String,
    pub(super) action: String,
    pub(super) wecom: Option<String>,
    pub(super) dingtalk: Option<String>,
    pub(super) dingtalk_signed: bool,
    /// Why a stored address is not sent to (saved before the rules, or its host no longer
    /// allowed).
    pub(super) wecom_refused: Option<String>,
    pub(super) dingtalk_refused: Option<String>,
    pub(super) version: i64,
    pub(super) saved: bool,
    pub(super) errors: Vec<(String, String)>,
    pub(super) form: OrgForm,
    pub(super) counts: Vec<(String, String, i64, String)>,
    pub(super) status: String,
    pub(super) rows: Vec<DeliveryRow>,
    pub(super) prev: Option<String>,
    pub(super) next: Option<String>,
}

impl OrgPage {
    pub(super) fn error_for(&self, field: &str) -> Option<&str> {
        crate::shared::format::field_error(&self.errors, field)
    }

    pub(super) fn general_errors(&self) -> Vec<&str> {
        crate::shared::format::field_errors(&self.errors, "form")
    }
}

/// The robots form: a URL or secret left empty keeps what is stored; the boxes remove it.
#[derive(Deserialize, Default, Clone)]
pub struct OrgForm {
    #[serde(default)]
    pub(super) wecom_url: String,
    pub(super) wecom_clear: Option<String>,
    #[serde(default)]
    pub(super) dingtalk_url: String,
    pub(super) dingtalk_clear: Option<String>,
    #[serde(default)]
    pub(super) dingtalk_secret: String,
    pub(super) dingtalk_secret_clear: Option<String>,
    #[serde(default)]
    pub(super) version: String,
}

/// Query of the org page and the deliveries API.
#[derive(Deserialize, Default)]
pub struct LogQuery {
    pub(super) org: Option<String>,
    pub(super) status: Option<String>,
    pub(super) channel: Option<String>,
    pub(super) page: Option<String>,
    pub(super) saved: Option<String>,
}

/// The subtree of `org` as a delivery filter.
pub(super) fn subtree_filter(
    v: &Viewer,
    org: &Org,
    status: Option<&str>,
    channel: Option<&str>,
) -> DeliveryFilter {
    DeliveryFilter {
        orgs: v
            .snap
            .model
            .subtree(&org.id)
            .into_iter()
            .map(|o| o.id.clone())
            .collect(),
        status: status.map(str::to_string),
        channel: channel.map(str::to_string),
    }
}

pub(super) fn check_status(tr: Tr, s: Option<&str>) -> Result<Option<String>, ApiError> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) if zeren_storage::repo::notify::DELIVERY_STATUSES.contains(&s) => {
            Ok(Some(s.into()))
        }
        Some(_) => Err(invalid(tr, "status", tr.t("notify.error.status"))),
    }
}

pub(super) fn check_channel(tr: Tr, s: Option<&str>) -> Result<Option<String>, ApiError> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) if zeren_storage::repo::notify::CHANNELS.contains(&s) => Ok(Some(s.into())),
        Some(_) => Err(invalid(tr, "channel", tr.t("notify.error.channel"))),
    }
}

pub(super) async fn render_org_page(
    state: &AppState,
    v: &Viewer,
    org: &Org,
    q: &LogQuery,
    status_code: StatusCode,
    form: OrgForm,
    errors: Vec<(String, String)>,
) -> Response {
    let tr = v.tr;
    let status = check_status(tr, q.status.as_deref()).ok().flatten();
    let page_no = page_number(q.page.as_deref()).unwrap_or(1);
    let filter = subtree_filter(v, org, status.as_deref(), None);
    let all = subtree_filter(v, org, None, None);
    let db = &state.db;
    let allowed = match robot_hosts(db).await {
        Ok((h, _)) => h.allowed(),
        Err(e) => return storage_page(tr, &e),
    };
    let (channels, list, counts) = match (
        db.org_channels(&org.id).await,
        db.deliveries(&filter, PER_PAGE, (page_no - 1) * PER_PAGE)
            .await,
        db.delivery_counts(&all).await,
    ) {
        (Ok(c), Ok(l), Ok(n)) => (c, l, n),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => return storage_page(tr, &e),
    };
    let ids: Vec<String> = list.iter().map(|d| d.id.clone()).collect();
    let tries = match db.attempts(&ids).await {
        Ok(t) => t,
        Err(e) => return storage_page(tr, &e),
    };
    let base = format!("/orgs/{}/notify", org.code);
    let shown = match &status {
        Some(s) => counts.get(s).copied().unwrap_or(0),
        None => counts.values().sum(),
    };
    let href = |p: i64| {
        let mut q = vec![format!("page={p}")];
        if let Some(s) = &status {
            q.push(format!("status={s}"));
        }
        if tr.is_explicit() {
            q.push(format!("lang={}", if tr.is_en() { "en" } else { "zh" }));
        }
        format!("{base}?{}#log", q.join("&"))
    };
    let mut count_rows = vec![(
        String::new(),
        tr.t("notify.status.all").to_string(),
        counts.values().sum(),
        format!("{base}{}#log", tr.qs()),
    )];
    for s in zeren_storage::repo::notify::DELIVERY_STATUSES {
        let sep = if tr.qs().is_empty() { "?" } else { "&" };
        count_rows.push((
            s.to_string(),
            tr.t(status_key(s)).to_string(),
            counts.get(s).copied().unwrap_or(0),
            format!("{base}{}{sep}status={s}#log", tr.qs()),
        ));
    }
    page(
        status_code,
        &OrgPage {
            frame: Frame::of(state, Some(v)),
            tr,
            csrf: v.csrf().to_string(),
            org_name: org.name.clone(),
            org_href: format!("/orgs/{}{}", org.code, tr.qs()),
            action: base.clone(),
            wecom: channels.wecom_url.as_deref().map(redact_url),
            dingtalk: channels.dingtalk_url.as_deref().map(redact_url),
            dingtalk_signed: channels.dingtalk_secret.is_some(),
            wecom_refused: stored_problem(
                tr,
                Robot::Wecom,
                channels.wecom_url.as_deref(),
                &allowed,
            ),
            dingtalk_refused: stored_problem(
                tr,
                Robot::Dingtalk,
                channels.dingtalk_url.as_deref(),
                &allowed,
            ),
            version: channels.version,
            saved: q.saved.is_some(),
            errors,
            form,
            counts: count_rows,
            status: status.clone().unwrap_or_default(),
            rows: list
                .iter()
                .map(|d| delivery_row(tr, &v.snap, d, tries.get(&d.id)))
                .collect(),
            prev: (page_no > 1).then(|| href(page_no - 1)),
            next: (page_no * PER_PAGE < shown).then(|| href(page_no + 1)),
        },
    )
}

/// `GET /orgs/{code}/notify` — the org's robots and every delivery about its subtree.
pub(super) async fn org_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    Path(code): Path<String>,
    Query(q): Query<LogQuery>,
) -> Response {
    let org = match managed_org(&v, &code) {
        Ok(o) => o.clone(),
        Err(r) => return r.page(v.tr),
    };
    render_org_page(
        &state,
        &v,
        &org,
        &q,
        StatusCode::OK,
        OrgForm::default(),
        Vec::new(),
    )
    .await
}

/// Saves an org's robots from the form's or the API's fields.
pub(super) async fn save_org(
    state: &AppState,
    v: &Viewer,
    org: &Org,
    wecom: Option<String>,
    dingtalk: Option<String>,
    secret: SecretUpdate,
    version: i64,
) -> Result<OrgChannels, ApiError> {
    let tr = v.tr;
    if dingtalk.is_none() && matches!(secret, SecretUpdate::Set(_)) {
        return Err(invalid(
            tr,
            "dingtalk_url",
            tr.t("notify.error.secret_without_url"),
        ));
    }
    let secret = if dingtalk.is_none() {
        SecretUpdate::Clear
    } else {
        secret
    };
    let mut tx = state
        .db
        .begin(&v.actor(), state.clock.now())
        .await
        .map_err(|e| storage_api(tr, e))?;
    let saved = tx
        .put_org_channels(
            &org.id,
            wecom.as_deref(),
            dingtalk.as_deref(),
            secret,
            version,
        )
        .await
        .map_err(|e| storage_api(tr, e))?;
    tx.commit().await.map_err(|e| storage_api(tr, e))?;
    Ok(saved)
}

/// `POST /orgs/{code}/notify`.
pub(super) async fn org_submit(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    Path(code): Path<String>,
    form: Result<Form<OrgForm>, FormRejection>,
) -> Response {
    let tr = v.tr;
    let org = match managed_org(&v, &code) {
        Ok(o) => o.clone(),
        Err(r) => return r.page(tr),
    };
    let f = form.map(|Form(f)| f).unwrap_or_default();
    let q = LogQuery::default();
    let fail = |field: &str, e: ApiError| (field.to_string(), e);
    let result: Result<(), (String, ApiError)> = async {
        let version = f
            .version
            .trim()
            .parse::<i64>()
            .map_err(|_| fail("form", invalid(tr, "version", tr.t("notify.error.version"))))?;
        let current = state
            .db
            .org_channels(&org.id)
            .await
            .map_err(|e| fail("form", storage_api(tr, e)))?;
        let allowed = allowed_hosts(&state, tr)
            .await
            .map_err(|e| fail("form", e))?;
        let wecom = form_robot(
            tr,
            "wecom_url",
            Robot::Wecom,
            (&f.wecom_url, f.wecom_clear.is_some()),
            current.wecom_url.as_deref(),
            &allowed,
        )
        .map_err(|e| fail("wecom_url", e))?;
        let dingtalk = form_robot(
            tr,
            "dingtalk_url",
            Robot::Dingtalk,
            (&f.dingtalk_url, f.dingtalk_clear.is_some()),
            current.dingtalk_url.as_deref(),
            &allowed,
        )
        .map_err(|e| fail("dingtalk_url", e))?;
        let secret = if f.dingtalk_secret_clear.is_some() {
            SecretUpdate::Clear
        } else if f.dingtalk_secret.trim().is_empty() {
            SecretUpdate::Keep
        } else {
            SecretUpdate::Set(
                check_secret(tr, &f.dingtalk_secret).map_err(|e| fail("dingtalk_secret", e))?,
            )
        };
        save_org(&state, &v, &org, wecom, dingtalk, secret, version)
            .await
            .map_err(|e| {
                let field = if e.code == ErrorCode::Validation {
                    "dingtalk_url"
                } else {
                    "form"
                };
                fail(field, e)
            })?;
        Ok(())
    }
    .await;
    match result {
        Ok(()) => redirect(&format!("/orgs/{}/notify?saved=1", org.code)),
        Err((field, e)) => {
            let mut kept = f.clone();
            kept.dingtalk_secret.clear();
            render_org_page(
                &state,
                &v,
                &org,
                &q,
                e.code.status(),
                kept,
                vec![(field, e.message)],
            )
            .await
        }
    }
}

/// `GET /api/v1/deliveries?org=…`.
pub(super) async fn api_deliveries(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    Query(q): Query<LogQuery>,
) -> Result<Json<Value>, ApiError> {
    let tr = v.tr;
    business(&v).map_err(Refusal::api)?;
    let Some(code) = q.org.as_deref().map(str::trim).filter(|s| !s.is_empty()) else {
        return Err(invalid(tr, "org", tr.t("notify.error.org_required")));
    };
    let org = managed_org(&v, code).map_err(Refusal::api)?.clone();
    let status = check_status(tr, q.status.as_deref())?;
    let channel = check_channel(tr, q.channel.as_deref())?;
    let page_no = page_number(q.page.as_deref())
        .ok_or_else(|| invalid(tr, "page", tr.t("notify.error.page")))?;
    let filter = subtree_filter(&v, &org, status.as_deref(), channel.as_deref());
    let db = &state.db;
    let list = db
        .deliveries(&filter, PER_PAGE, (page_no - 1) * PER_PAGE)
        .await
        .map_err(|e| storage_api(tr, e))?;
    let counts = db
        .delivery_counts(&filter)
        .await
        .map_err(|e| storage_api(tr, e))?;
    let ids: Vec<String> = list.iter().map(|d| d.id.clone()).collect();
    let tries = db.attempts(&ids).await.map_err(|e| storage_api(tr, e))?;
    let counts: HashMap<&str, i64> = zeren_storage::repo::notify::DELIVERY_STATUSES
        .iter()
        .map(|s| (*s, counts.get(*s).copied().unwrap_or(0)))
        .collect();
    Ok(Json(json!({
        "org": org.code,
        "page": page_no,
        "total": counts.values().sum::<i64>(),
        "counts": counts,
        "items": list.iter().map(|d| delivery_json(tr, &v.snap, d, tries.get(&d.id))).collect::<Vec<_>>(),
    })))
}

/// `GET /api/v1/orgs/{id}/notify`.
pub(super) async fn api_org_channels(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let tr = v.tr;
    let org = managed_org(&v, &id).map_err(Refusal::api)?.clone();
    let c = state
        .db
        .org_channels(&org.id)
        .await
        .map_err(|e| storage_api(tr, e))?;
    Ok(Json(org_channels_json(&c, &org.code)))
}

/// `null` stays distinguishable from a missing field.
pub(super) fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(d).map(Some)
}

/// Body of `PUT /api/v1/orgs/{id}/notify`: the URLs replace what is stored (`null` or absent:
/// none); the secret is kept when absent, removed when `null`.
#[derive(Deserialize)]
pub struct OrgBody {
    pub(super) wecom_url: Option<String>,
    pub(super) dingtalk_url: Option<String>,
    #[serde(default, deserialize_with = "present")]
    pub(super) dingtalk_secret: Option<Value>,
    pub(super) version: i64,
}

/// `PUT /api/v1/orgs/{id}/notify`.
pub(super) async fn api_put_org_channels(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    Path(id): Path<String>,
    body: Result<JsonBody<OrgBody>, Rejected>,
) -> Result<Json<Value>, ApiError> {
    let tr = v.tr;
    let org = managed_org(&v, &id).map_err(Refusal::api)?.clone();
    let b = body.get()?;
    let allowed = allowed_hosts(&state, tr).await?;
    let wecom = check_robot(
        tr,
        "wecom_url",
        Robot::Wecom,
        b.wecom_url.as_deref().unwrap_or(""),
        &allowed,
    )?;
    let dingtalk = check_robot(
        tr,
        "dingtalk_url",
        Robot::Dingtalk,
        b.dingtalk_url.as_deref().unwrap_or(""),
        &allowed,
    )?;
    let secret = match b.dingtalk_secret {
        None => SecretUpdate::Keep,
        Some(Value::Null) => SecretUpdate::Clear,
        Some(Value::String(s)) => SecretUpdate::Set(check_secret(tr, &s)?),
        Some(_) => return Err(invalid(tr, "dingtalk_secret", tr.t("notify.error.secret"))),
    };
    let c = save_org(&state, &v, &org, wecom, dingtalk, secret, b.version).await?;
    Ok(Json(org_channels_json(&c, &org.code)))
}
