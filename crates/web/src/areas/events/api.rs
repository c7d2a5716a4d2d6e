//! The event ledger's JSON API: `/api/v1/events`.

use super::*;

/// An event as the API shows it: its fields, where it stands, who approves it, whether it is
/// an indicator now.
fn event_json(state: &AppState, v: &Viewer, e: &OnlineEvent) -> Value {
    let m = &v.snap.model;
    let mut out = e.to_json();
    let org = m.org(&e.fields.org);
    out["org"] = json!({"id": e.fields.org, "code": org.map(|o| o.code.as_str()), "name": org.map(|o| o.name.as_str())});
    let platform = m.find_platform(&e.fields.platform);
    out["platform"] = json!({"id": e.fields.platform, "code": platform.map(|p| p.code.as_str()), "name": platform.map(|p| p.name.as_str())});
    out["responsible"] =
        json!({"id": e.fields.responsible, "name": person_name(m, &e.fields.responsible)});
    out["approver"] =
        json!(approver_of(state, v, &e.fields).map(|(id, name)| json!({"id": id, "name": name})));
    out["approve_by"] = json!(date(approve_by(v, e.fields.day())));
    out["unapproved"] = json!(unapproved_indicator(e, now_local(state)));
    out
}

/// `GET /api/v1/events`
pub(super) async fn api_events(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    q: Result<Query<EventQuery>, Rejected>,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    read_gate(&v).map_err(Refusal::api)?;
    let Query(q) = q?;
    let (f, _, page, _) = filter_of(&v, &q).map_err(Refusal::api)?;
    let (events, total) = state
        .db
        .online_events(&f)
        .await
        .map_err(|e| storage_refusal(tr, e, "").api())?;
    let items: Vec<Value> = events.iter().map(|e| event_json(&state, &v, e)).collect();
    Ok(
        Json(json!({"total": total, "page": page, "per_page": f.limit, "items": items}))
            .into_response(),
    )
}

/// `POST /api/v1/events`
pub(super) async fn api_create_event(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    body: Result<JsonBody<EventDraft>, Rejected>,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    read_gate(&v).map_err(Refusal::api)?;
    let JsonBody(d) = body?;
    let e = register(&state, &v, &d).await.map_err(|r| r.api(tr))?;
    Ok((
        StatusCode::CREATED,
        Json(with_obligations(&state, &v, &e).await?),
    )
        .into_response())
}

/// The event with the obligations about it.
async fn with_obligations(
    state: &AppState,
    v: &Viewer,
    e: &OnlineEvent,
) -> Result<Value, ApiError> {
    let tr = v.tr;
    let mut out = event_json(state, v, e);
    let obligations = state
        .db
        .obligations_about(zeren_core::obligation::SubjectKind::Event, &e.id)
        .await
        .map_err(|err| storage_refusal(tr, err, &e.id).api())?;
    out["obligations"] = json!(
        obligations
            .iter()
            .map(|o| json!({
                "id": o.id, "duty": o.duty, "due": date(o.due), "state": o.state,
                "completed_on": o.completed_on.map(date), "citation": o.citation,
            }))
            .collect::<Vec<_>>()
    );
    Ok(out)
}

/// `GET /api/v1/events/{id}`
pub(super) async fn api_event(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    id: Result<Path<String>, Rejected>,
) -> Result<Response, ApiError> {
    let Path(id) = id?;
    let e = readable(&state, &v, &id).await.map_err(Refusal::api)?;
    Ok(Json(with_obligations(&state, &v, &e).await?).into_response())
}

/// An edit through the API: the version seen and the fields.
#[derive(Deserialize)]
pub struct EditBody {
    version: i64,
    #[serde(flatten)]
    draft: EventDraft,
}

/// `PATCH /api/v1/events/{id}`
pub(super) async fn api_edit_event(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    id: Result<Path<String>, Rejected>,
    body: Result<JsonBody<EditBody>, Rejected>,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    let Path(id) = id?;
    let e = writable(&state, &v, &id).await.map_err(Refusal::api)?;
    let JsonBody(b) = body?;
    let e = edit(&state, &v, &e, b.version, &b.draft)
        .await
        .map_err(|r| r.api(tr))?;
    Ok(Json(with_obligations(&state, &v, &e).await?).into_response())
}

/// A decision through the API.
#[derive(Deserialize)]
pub struct DecisionBody {
    version: i64,
    #[serde(default)]
    decision: String,
    #[serde(default)]
    note: String,
}

/// `POST /api/v1/events/{id}/decision`
pub(super) async fn api_decide_event(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    id: Result<Path<String>, Rejected>,
    body: Result<JsonBody<DecisionBody>, Rejected>,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    let Path(id) = id?;
    let e = readable(&state, &v, &id).await.map_err(Refusal::api)?;
    let JsonBody(b) = body?;
    let e = decide(&state, &v, &e, b.version, &b.decision, &b.note)
        .await
        .map_err(|r| r.api(tr))?;
    Ok(Json(with_obligations(&state, &v, &e).await?).into_response())
}

/// The record after an event through the API.
#[derive(Deserialize)]
pub struct HeldBody {
    version: i64,
    #[serde(flatten)]
    held: HeldDraft,
}

/// `POST /api/v1/events/{id}/held`
pub(super) async fn api_held_event(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    id: Result<Path<String>, Rejected>,
    body: Result<JsonBody<HeldBody>, Rejected>,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    let Path(id) = id?;
    let e = writable(&state, &v, &id).await.map_err(Refusal::api)?;
    let JsonBody(b) = body?;
    let e = record_held(&state, &v, &e, b.version, &b.held)
        .await
        .map_err(|r| r.api(tr))?;
    Ok(Json(with_obligations(&state, &v, &e).await?).into_response())
}
