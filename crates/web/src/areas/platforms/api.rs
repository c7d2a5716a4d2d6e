//! The registry's JSON API: `/api/v1/platforms`.

use super::*;

/// A platform as the API shows it in a list.
pub(super) fn platform_json(v: &Viewer, p: &Platform, today: NaiveDate) -> Value {
    let m = &v.snap.model;
    let org = m.org(&p.org);
    json!({
        "id": p.id,
        "code": p.code,
        "name": p.name,
        "kind": p.kind.as_str(),
        "org": {"id": p.org, "code": org.map(|o| o.code.as_str()), "name": org.map(|o| o.name.as_str())},
        "portfolio": p.portfolio,
        "responsible": responsible_leader(v, p, today)
            .map(|(id, name, post)| json!({"person": id, "name": name, "post": post})),
        "news_function": p.news_function,
        "opened_on": date(p.opened_on),
        "closed_on": p.closed_on.map(date),
        "active_from": p.active_from.map(date),
        "state": p.state.as_str(),
        "operators": p.operators.iter().map(|o| json!({"id": o, "name": person_name(m, o)})).collect::<Vec<_>>(),
    })
}

/// A platform with its registration, steps, version and obligations.
async fn detail_json(state: &AppState, v: &Viewer, p: &Platform) -> Result<Value, ApiError> {
    let tr = v.tr;
    let today = state.today();
    let life = state
        .db
        .platform_lifecycle(&p.id)
        .await
        .map_err(|e| storage_refusal(tr, e, &p.id).api())?;
    let duties = duties_of(state, v, p)
        .await
        .map_err(|e| storage_refusal(tr, e, &p.id).api())?;
    let mut out = platform_json(v, p, today);
    out["state"] = json!(life.state.as_str());
    out["state_since"] = json!(date(life.since));
    out["registration"] = json!({
        "icp": life.registration.icp,
        "account_id": life.registration.account_id,
        "registered_on": life.registration.registered_on.map(date),
        "registering_body": life.registration.registering_body,
    });
    out["version"] = json!(life.version);
    out["steps"] = json!(
        life.steps
            .iter()
            .map(|s| json!({
                "from": s.from.as_str(),
                "to": s.to.as_str(),
                "on": date(s.on),
                "reason": s.reason,
                "made_by": s.made_by,
                "made_at": crate::shared::format::rfc3339(s.made_at),
            }))
            .collect::<Vec<_>>()
    );
    out["obligations"] = json!(
        duties
            .iter()
            .map(|o| json!({
                "id": o.id,
                "duty": o.duty,
                "subject_kind": o.subject_kind,
                "subject": o.subject,
                "period": o.period,
                "due": date(o.due),
                "citation": o.citation,
                "status": status_of(v, o, today).as_str(),
                "completed_on": o.completed_on.map(date),
                "version": o.version,
            }))
            .collect::<Vec<_>>()
    );
    Ok(out)
}

pub(super) async fn api_platforms(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    q: Result<Query<RegistryQuery>, Rejected>,
) -> Result<Response, ApiError> {
    read_gate(&v).map_err(Refusal::api)?;
    let Query(q) = q?;
    let f = filter_of(&v, &q).map_err(Refusal::api)?;
    let today = state.today();
    let (rows, total) = select(&v, &f);
    Ok(Json(json!({
        "platforms": rows.iter().map(|p| platform_json(&v, p, today)).collect::<Vec<_>>(),
        "total": total,
        "page": f.page,
        "per_page": PER_PAGE,
    }))
    .into_response())
}

pub(super) async fn api_platform(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    id: Result<Path<String>, Rejected>,
) -> Result<Response, ApiError> {
    read_gate(&v).map_err(Refusal::api)?;
    let Path(id) = id?;
    let p = readable(&v, &id).map_err(Refusal::api)?.clone();
    Ok(Json(detail_json(&state, &v, &p).await?).into_response())
}

pub(super) async fn api_create_platform(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    body: Result<JsonBody<PlatformDraft>, Rejected>,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    write_gate(&v).map_err(Refusal::api)?;
    let JsonBody(draft) = body?;
    let (p, added) = enter(&state, &v, &draft).await.map_err(|r| r.api(tr))?;
    let v = refreshed(&state, v).await;
    let p = v.snap.model.find_platform(&p.id).cloned().unwrap_or(p);
    let mut out = detail_json(&state, &v, &p).await?;
    out["obligations_added"] = json!(added);
    Ok((StatusCode::CREATED, Json(out)).into_response())
}

/// The edit of a platform through the API: what is given changes, the rest stays.
#[derive(Deserialize)]
pub struct PlatformPatch {
    version: i64,
    name: Option<String>,
    portfolio: Option<String>,
    news_function: Option<bool>,
    operators: Option<Vec<String>>,
}

pub(super) async fn api_edit_platform(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    id: Result<Path<String>, Rejected>,
    body: Result<JsonBody<PlatformPatch>, Rejected>,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    let Path(id) = id?;
    let p = writable(&v, &id).map_err(Refusal::api)?.clone();
    let JsonBody(patch) = body?;
    let draft = PlatformDraft {
        code: p.code.clone(),
        name: patch.name.unwrap_or_else(|| p.name.clone()),
        kind: p.kind.as_str().into(),
        org: p.org.clone(),
        portfolio: patch
            .portfolio
            .unwrap_or_else(|| p.portfolio.clone().unwrap_or_default()),
        news_function: patch.news_function.unwrap_or(p.news_function),
        opened_on: date(p.opened_on),
        operators: patch.operators.unwrap_or_else(|| p.operators.clone()),
        state: p.state.as_str().into(),
    };
    let after = change(&state, &v, &p, patch.version, &draft)
        .await
        .map_err(|r| r.api(tr))?;
    let v = refreshed(&state, v).await;
    Ok(Json(detail_json(&state, &v, &after).await?).into_response())
}

/// A lifecycle step through the API.
#[derive(Deserialize)]
pub struct StepBody {
    version: i64,
    #[serde(flatten)]
    step: TransitionDraft,
}

pub(super) async fn api_step_platform(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    id: Result<Path<String>, Rejected>,
    body: Result<JsonBody<StepBody>, Rejected>,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    let Path(id) = id?;
    let p = writable(&v, &id).map_err(Refusal::api)?.clone();
    let JsonBody(b) = body?;
    step(&state, &v, &p, b.version, &b.step)
        .await
        .map_err(|r| r.api(tr))?;
    let v = refreshed(&state, v).await;
    let p = v.snap.model.find_platform(&p.id).cloned().unwrap_or(p);
    Ok(Json(detail_json(&state, &v, &p).await?).into_response())
}

/// Registration details through the API.
#[derive(Deserialize)]
pub struct RegistrationBody {
    version: i64,
    #[serde(flatten)]
    registration: RegistrationDraft,
}

pub(super) async fn api_registration(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    id: Result<Path<String>, Rejected>,
    body: Result<JsonBody<RegistrationBody>, Rejected>,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    let Path(id) = id?;
    let p = writable(&v, &id).map_err(Refusal::api)?.clone();
    let JsonBody(b) = body?;
    register(&state, &v, &p, b.version, &b.registration)
        .await
        .map_err(|r| r.api(tr))?;
    let v = refreshed(&state, v).await;
    let p = v.snap.model.find_platform(&p.id).cloned().unwrap_or(p);
    Ok(Json(detail_json(&state, &v, &p).await?).into_response())
}

/// The viewer on the snapshot that follows the change just made (so the answer shows it).
async fn refreshed(state: &AppState, mut v: Viewer) -> Viewer {
    if let Ok(snap) = state.current_snapshot().await {
        v.snap = snap;
    }
    v
}
