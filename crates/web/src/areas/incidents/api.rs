//! The incident ledger's JSON API: `/api/v1/incidents` — what the organisation's own systems
//! record incidents through, and what reads them back with their clocks and timelines.

use super::*;

/// A clock as the API shows it.
fn clock_json(c: &ClockState) -> Value {
    json!({
        "clock": c.clock.as_str(),
        "limit_minutes": c.limit,
        "due": c.due.map(zeren_core::events::date_time_text),
        "met": c.met.map(zeren_core::events::date_time_text),
        "breached": c.breached.map(zeren_core::events::date_time_text),
        "stopped": c.stopped,
        "overdue": c.overdue(),
    })
}

/// An incident as the API lists it: its fields with names, its clocks now.
fn incident_json(v: &Viewer, i: &Incident, states: &[ClockState]) -> Value {
    let m = &v.snap.model;
    let mut out = i.to_json();
    let org = m.org(&i.fields.org);
    out["org"] = json!({"id": i.fields.org, "code": org.map(|o| o.code.as_str()), "name": org.map(|o| o.name.as_str())});
    out["platform"] = match i.fields.platform.as_deref() {
        Some(p) => {
            let found = m.find_platform(p);
            json!({"id": p, "code": found.map(|p| p.code.as_str()), "name": found.map(|p| p.name.as_str())})
        }
        None => Value::Null,
    };
    out["handler"] = json!({"id": i.fields.handler, "name": person_name(m, &i.fields.handler)});
    out["severity"] =
        json!({"id": i.fields.severity, "name": severity_name(v, &i.fields.severity)});
    out["clocks"] = json!(states.iter().map(clock_json).collect::<Vec<_>>());
    out["overdue"] = json!(states.iter().any(ClockState::overdue));
    out
}

/// `GET /api/v1/incidents`
pub(super) async fn api_incidents(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    q: Result<Query<IncidentQuery>, Rejected>,
) -> Result<Response, ApiError> {
    read_gate(&v).map_err(Refusal::api)?;
    let Query(q) = q?;
    let l = filter_of(&v, &q).map_err(Refusal::api)?;
    let (items, total) = listed(&state, &v, &l).await.map_err(Refusal::api)?;
    let items: Vec<Value> = items.iter().map(|(i, c)| incident_json(&v, i, c)).collect();
    let per_page = if l.print { PRINT_MAX } else { PER_PAGE };
    Ok(
        Json(json!({"total": total, "page": l.page, "per_page": per_page, "items": items}))
            .into_response(),
    )
}

/// The incident whole: its clocks, timeline, rectification tasks and obligations.
async fn whole(state: &AppState, v: &Viewer, i: &Incident) -> Result<Value, ApiError> {
    let tr = v.tr;
    let m = &v.snap.model;
    let db = &state.db;
    let (line, tasks) = tokio::try_join!(db.timeline(&i.id), db.incident_tasks(&i.id))
        .map_err(|e| storage_refusal(tr, e, &i.id).api())?;
    let states = clocks_of(v, i, &line, now_local(state));
    let mut out = incident_json(v, i, &states);
    out["timeline"] = json!(
        line.iter()
            .map(|e| json!({
                "seq": e.seq,
                "kind": e.kind.as_str(),
                "at": zeren_core::events::date_time_text(e.at),
                "person": e.person.as_deref().map(|p| json!({"id": p, "name": person_name(m, p)})),
                "as_first_responsible": e.as_first_responsible,
                "detail": e.detail,
                "severity_from": e.severity_from,
                "severity_to": e.severity_to,
                "handler_from": e.handler_from,
                "handler_to": e.handler_to,
                "reason": e.reason,
                "recorded_by": e.created_by,
                "recorded_at": crate::shared::format::rfc3339(e.created_at),
            }))
            .collect::<Vec<_>>()
    );
    out["rectifications"] = json!(tasks);
    let first = first_of(state, v, &i.fields.org);
    out["first_responsible"] = json!(first.map(|f| json!({"id": f.id, "name": f.name})));
    let obligations = db
        .obligations_about(zeren_core::obligation::SubjectKind::Event, &i.id)
        .await
        .map_err(|err| storage_refusal(tr, err, &i.id).api())?;
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

/// `POST /api/v1/incidents`
pub(super) async fn api_create_incident(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    body: Result<JsonBody<IncidentDraft>, Rejected>,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    read_gate(&v).map_err(Refusal::api)?;
    let JsonBody(d) = body?;
    let i = record(&state, &v, &d).await.map_err(|r| r.api(tr))?;
    Ok((StatusCode::CREATED, Json(whole(&state, &v, &i).await?)).into_response())
}

/// `GET /api/v1/incidents/{id}`
pub(super) async fn api_incident(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    id: Result<Path<String>, Rejected>,
) -> Result<Response, ApiError> {
    let Path(id) = id?;
    let i = readable(&state, &v, &id).await.map_err(Refusal::api)?;
    Ok(Json(whole(&state, &v, &i).await?).into_response())
}

/// An edit through the API: the version seen, a note, and the fields.
#[derive(Deserialize)]
pub struct EditBody {
    version: i64,
    #[serde(default)]
    note: String,
    #[serde(flatten)]
    draft: IncidentDraft,
}

/// Runs `change` on the writable incident `id` and answers with the incident whole.
async fn api_act<T>(
    state: &AppState,
    v: &Viewer,
    id: Result<Path<String>, Rejected>,
    change: impl AsyncFnOnce(&Incident) -> Result<T, Refused>,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    let Path(id) = id?;
    let i = writable(state, v, &id).await.map_err(Refusal::api)?;
    change(&i).await.map_err(|r| r.api(tr))?;
    let i = state
        .db
        .incident(&i.id)
        .await
        .map_err(|e| storage_refusal(tr, e, &i.id).api())?;
    Ok(Json(whole(state, v, &i).await?).into_response())
}

/// `PATCH /api/v1/incidents/{id}`
pub(super) async fn api_edit_incident(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    id: Result<Path<String>, Rejected>,
    body: Result<JsonBody<EditBody>, Rejected>,
) -> Result<Response, ApiError> {
    let JsonBody(b) = body?;
    api_act(&state, &v, id, async |i| {
        edit(&state, &v, i, b.version, &b.draft, &b.note).await
    })
    .await
}

/// A change of severity through the API.
#[derive(Deserialize)]
pub struct SeverityBody {
    version: i64,
    #[serde(default)]
    severity: String,
    #[serde(default)]
    note: String,
}

/// `POST /api/v1/incidents/{id}/severity`
pub(super) async fn api_severity(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    id: Result<Path<String>, Rejected>,
    body: Result<JsonBody<SeverityBody>, Rejected>,
) -> Result<Response, ApiError> {
    let JsonBody(b) = body?;
    api_act(&state, &v, id, async |i| {
        change_severity(&state, &v, i, b.version, &b.severity, &b.note).await
    })
    .await
}

/// `POST /api/v1/incidents/{id}/entries`
pub(super) async fn api_entry(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    id: Result<Path<String>, Rejected>,
    body: Result<JsonBody<EntryDraft>, Rejected>,
) -> Result<Response, ApiError> {
    let JsonBody(d) = body?;
    api_act(&state, &v, id, async |i| add_entry(&state, &v, i, &d).await).await
}

/// A sign-off through the API.
#[derive(Deserialize)]
pub struct SignOffBody {
    #[serde(default)]
    detail: String,
}

/// `POST /api/v1/incidents/{id}/sign-off`
pub(super) async fn api_sign_off(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    id: Result<Path<String>, Rejected>,
    body: Result<JsonBody<SignOffBody>, Rejected>,
) -> Result<Response, ApiError> {
    let JsonBody(b) = body?;
    api_act(&state, &v, id, async |i| {
        sign_off(&state, &v, i, &b.detail).await
    })
    .await
}

/// A pause (or its end) through the API.
#[derive(Deserialize)]
pub struct PauseBody {
    version: i64,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    note: String,
}

/// `POST /api/v1/incidents/{id}/pause`
pub(super) async fn api_pause(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    id: Result<Path<String>, Rejected>,
    body: Result<JsonBody<PauseBody>, Rejected>,
) -> Result<Response, ApiError> {
    let JsonBody(b) = body?;
    api_act(&state, &v, id, async |i| {
        pause(&state, &v, i, b.version, Some(&b.reason), &b.note).await
    })
    .await
}

/// `POST /api/v1/incidents/{id}/resume`
pub(super) async fn api_resume(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    id: Result<Path<String>, Rejected>,
    body: Result<JsonBody<PauseBody>, Rejected>,
) -> Result<Response, ApiError> {
    let JsonBody(b) = body?;
    api_act(&state, &v, id, async |i| {
        pause(&state, &v, i, b.version, None, &b.note).await
    })
    .await
}

/// A closure through the API.
#[derive(Deserialize)]
pub struct CloseBody {
    version: i64,
    #[serde(flatten)]
    closure: ClosureDraft,
}

/// `POST /api/v1/incidents/{id}/close`
pub(super) async fn api_close(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    id: Result<Path<String>, Rejected>,
    body: Result<JsonBody<CloseBody>, Rejected>,
) -> Result<Response, ApiError> {
    let JsonBody(b) = body?;
    api_act(&state, &v, id, async |i| {
        close(&state, &v, i, b.version, &b.closure).await
    })
    .await
}
