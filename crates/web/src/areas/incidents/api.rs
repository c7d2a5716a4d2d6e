//! The incident ledger's JSON API: `/api/v1/incidents` — what the organisation's own systems
//! record incidents through, and what reads them back with their clocks and timelines.

use super::*;
use serde::Serialize;

/// A clock as the API shows it.
#[derive(Serialize)]
struct ClockJson {
    clock: &'static str,
    limit_minutes: Option<u32>,
    due: Option<String>,
    met: Option<String>,
    breached: Option<String>,
    stopped: bool,
    overdue: bool,
}

impl ClockJson {
    fn of(c: &ClockState) -> ClockJson {
        use zeren_core::events::date_time_text;
        ClockJson {
            clock: c.clock.as_str(),
            limit_minutes: c.limit,
            due: c.due.map(date_time_text),
            met: c.met.map(date_time_text),
            breached: c.breached.map(date_time_text),
            stopped: c.stopped,
            overdue: c.overdue(),
        }
    }
}

/// An org or a platform as the API names it.
#[derive(Serialize)]
struct Named<'a> {
    id: &'a str,
    code: Option<&'a str>,
    name: Option<&'a str>,
}

/// A person or a level as the API names it.
#[derive(Serialize)]
struct Called<'a> {
    id: &'a str,
    name: String,
}

/// An incident as the API lists it: the fields of [`Incident::to_json`], each id named, and
/// its clocks now.
#[derive(Serialize)]
struct IncidentJson<'a> {
    id: &'a str,
    title: &'a str,
    org: Named<'a>,
    platform: Option<Named<'a>>,
    noticed_at: String,
    channel: &'static str,
    source: &'a str,
    facts: &'a str,
    severity: Called<'a>,
    handler: Called<'a>,
    state: &'static str,
    paused: bool,
    closure_due: Option<String>,
    closed_at: Option<String>,
    handled: Option<&'a str>,
    prevention: Option<&'a str>,
    version: i64,
    clocks: Vec<ClockJson>,
    overdue: bool,
}

impl<'a> IncidentJson<'a> {
    fn of(v: &'a Viewer, i: &'a Incident, states: &[ClockState]) -> IncidentJson<'a> {
        let m = &v.snap.model;
        let f = &i.fields;
        let org = m.org(&f.org);
        IncidentJson {
            id: &i.id,
            title: &f.title,
            org: Named {
                id: &f.org,
                code: org.map(|o| o.code.as_str()),
                name: org.map(|o| o.name.as_str()),
            },
            platform: f.platform.as_deref().map(|p| {
                let found = m.find_platform(p);
                Named {
                    id: p,
                    code: found.map(|p| p.code.as_str()),
                    name: found.map(|p| p.name.as_str()),
                }
            }),
            noticed_at: zeren_core::events::date_time_text(f.noticed_at),
            channel: f.channel.as_str(),
            source: &f.source,
            facts: &f.facts,
            severity: Called {
                id: &f.severity,
                name: severity_name(v, &f.severity),
            },
            handler: Called {
                id: &f.handler,
                name: person_name(m, &f.handler),
            },
            state: if i.closed { "closed" } else { "open" },
            paused: i.paused,
            closure_due: i.closure_due.map(date),
            closed_at: i.closed_at.map(zeren_core::events::date_time_text),
            handled: i.handled.as_deref(),
            prevention: i.prevention.as_deref(),
            version: i.version,
            clocks: states.iter().map(ClockJson::of).collect(),
            overdue: states.iter().any(ClockState::overdue),
        }
    }
}

/// A page of the ledger as the API answers it.
#[derive(Serialize)]
struct ListedJson<'a> {
    total: i64,
    page: i64,
    per_page: i64,
    items: Vec<IncidentJson<'a>>,
}

/// `GET /api/v1/incidents`
pub(super) async fn api_incidents(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    q: Result<Query<IncidentQuery>, Rejected>,
) -> Result<Response, ApiError> {
    read_gate(&v).map_err(Refusal::api)?;
    let Query(q) = q?;
    let l = filter_of(&v, &q, now_local(&state)).map_err(Refusal::api)?;
    let (items, total) = listed(&state, &v, &l).await.map_err(Refusal::api)?;
    Ok(Json(ListedJson {
        total,
        page: l.page,
        per_page: if l.print { PRINT_MAX } else { PER_PAGE },
        items: items
            .iter()
            .map(|(i, c)| IncidentJson::of(&v, i, c))
            .collect(),
    })
    .into_response())
}

/// The incident whole: its clocks, timeline (each entry with its files), rectification tasks
/// and obligations.
async fn whole(state: &AppState, v: &Viewer, i: &Incident) -> Result<Value, ApiError> {
    let tr = v.tr;
    let m = &v.snap.model;
    let db = &state.db;
    let (line, tasks, files) = tokio::try_join!(
        db.timeline(&i.id),
        db.incident_tasks(&i.id),
        db.incident_attachments(&i.id)
    )
    .map_err(|e| storage_refusal(tr, e, &i.id).api())?;
    let states = clocks_of(v, i, &line, now_local(state));
    let mut out = serde_json::to_value(IncidentJson::of(v, i, &states)).unwrap_or_default();
    let files_of = |seq: i64| -> Vec<Value> {
        files
            .iter()
            .filter(|a| a.seq == seq)
            .map(|a| file_json(&i.id, a))
            .collect()
    };
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
                "attachments": files_of(e.seq),
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
