//! The JSON API of projects and their risk assessments: `/api/v1/risk-assessments`.

use super::*;

/// A project as the API shows it, with its assessments (each with who approves it).
fn project_json(
    state: &AppState,
    v: &Viewer,
    p: &Project,
    assessments: &[RiskAssessment],
) -> Value {
    let m = &v.snap.model;
    let mut out = p.to_json();
    let org = m.org(&p.fields.org);
    out["org"] = json!({"id": p.fields.org, "code": org.map(|o| o.code.as_str()), "name": org.map(|o| o.name.as_str())});
    out["approved"] = json!(
        assessments
            .iter()
            .any(|a| a.state == AssessmentState::Approved)
    );
    out["assessments"] = json!(
        assessments
            .iter()
            .map(|a| {
                let mut j = a.to_json();
                j["approver"] = json!(
                    approver_of(state, v, p, &a.fields.level)
                        .map(|x| json!({"id": x.id, "name": x.name}))
                );
                j
            })
            .collect::<Vec<_>>()
    );
    out
}

/// `GET /api/v1/risk-assessments`
pub(super) async fn api_projects(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    q: Result<Query<ProjectQuery>, Rejected>,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    read_gate(&v).map_err(Refusal::api)?;
    let Query(q) = q?;
    let (f, _, page) = filter_of(&v, &q).map_err(Refusal::api)?;
    let (projects, total) = state
        .db
        .projects(&f)
        .await
        .map_err(|e| storage_refusal(tr, e, "").api())?;
    let assessments = assessments_of_all(&state, &projects)
        .await
        .map_err(|e| storage_refusal(tr, e, "").api())?;
    let items: Vec<Value> = projects
        .iter()
        .map(|p| {
            project_json(
                &state,
                &v,
                p,
                assessments.get(&p.id).map_or(&[], Vec::as_slice),
            )
        })
        .collect();
    Ok(
        Json(json!({"total": total, "page": page, "per_page": f.limit, "items": items}))
            .into_response(),
    )
}

/// The project whole: its assessments and obligations.
async fn whole(state: &AppState, v: &Viewer, id: &str) -> Result<Value, ApiError> {
    let tr = v.tr;
    let db = &state.db;
    let p = db
        .project(id)
        .await
        .map_err(|e| storage_refusal(tr, e, id).api())?;
    let assessments = db
        .assessments_of(id)
        .await
        .map_err(|e| storage_refusal(tr, e, id).api())?;
    let mut out = project_json(state, v, &p, &assessments);
    let obligations = db
        .obligations_about(zeren_core::obligation::SubjectKind::Event, id)
        .await
        .map_err(|e| storage_refusal(tr, e, id).api())?;
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

/// `POST /api/v1/risk-assessments`
pub(super) async fn api_create_project(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    body: Result<JsonBody<ProjectDraft>, Rejected>,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    read_gate(&v).map_err(Refusal::api)?;
    let JsonBody(d) = body?;
    let p = register(&state, &v, &d).await.map_err(|r| r.api(tr))?;
    Ok((StatusCode::CREATED, Json(whole(&state, &v, &p.id).await?)).into_response())
}

/// `GET /api/v1/risk-assessments/{id}`
pub(super) async fn api_project(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    id: Result<Path<String>, Rejected>,
) -> Result<Response, ApiError> {
    let Path(id) = id?;
    let p = readable(&state, &v, &id).await.map_err(Refusal::api)?;
    Ok(Json(whole(&state, &v, &p.id).await?).into_response())
}

/// Runs `change` on the project `id` (writable when `keep`) and answers with it whole.
async fn api_act<T>(
    state: &AppState,
    v: &Viewer,
    id: &str,
    keep: bool,
    change: impl AsyncFnOnce(&Project) -> Result<T, Refused>,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    let p = if keep {
        writable(state, v, id).await
    } else {
        readable(state, v, id).await
    }
    .map_err(Refusal::api)?;
    change(&p).await.map_err(|r| r.api(tr))?;
    Ok(Json(whole(state, v, &p.id).await?).into_response())
}

/// An edit through the API.
#[derive(Deserialize)]
pub struct EditBody {
    version: i64,
    #[serde(flatten)]
    draft: ProjectDraft,
}

/// `PATCH /api/v1/risk-assessments/{id}`
pub(super) async fn api_edit_project(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    id: Result<Path<String>, Rejected>,
    body: Result<JsonBody<EditBody>, Rejected>,
) -> Result<Response, ApiError> {
    let Path(id) = id?;
    let JsonBody(b) = body?;
    api_act(&state, &v, &id, true, async |p| {
        edit(&state, &v, p, b.version, &b.draft).await
    })
    .await
}

/// `POST /api/v1/risk-assessments/{id}/assessments`
pub(super) async fn api_assess(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    id: Result<Path<String>, Rejected>,
    body: Result<JsonBody<AssessmentDraft>, Rejected>,
) -> Result<Response, ApiError> {
    let Path(id) = id?;
    let JsonBody(d) = body?;
    api_act(&state, &v, &id, true, async |p| {
        assess(&state, &v, p, &d).await
    })
    .await
}

/// A decision through the API.
#[derive(Deserialize)]
pub struct DecisionBody {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    note: String,
}

/// `POST /api/v1/risk-assessments/{id}/assessments/{assessment}/decision`
pub(super) async fn api_decide(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    ids: Result<Path<(String, String)>, Rejected>,
    body: Result<JsonBody<DecisionBody>, Rejected>,
) -> Result<Response, ApiError> {
    let Path((id, assessment)) = ids?;
    let JsonBody(b) = body?;
    api_act(&state, &v, &id, false, async |p| {
        decide(&state, &v, p, &assessment, &b.decision, &b.note).await
    })
    .await
}

/// A launch through the API.
#[derive(Deserialize)]
pub struct LaunchBody {
    version: i64,
    #[serde(flatten)]
    launch: LaunchDraft,
}

/// `POST /api/v1/risk-assessments/{id}/launch`
pub(super) async fn api_launch(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    id: Result<Path<String>, Rejected>,
    body: Result<JsonBody<LaunchBody>, Rejected>,
) -> Result<Response, ApiError> {
    let Path(id) = id?;
    let JsonBody(b) = body?;
    api_act(&state, &v, &id, true, async |p| {
        launch(&state, &v, p, b.version, &b.launch).await
    })
    .await
}

/// A cancellation through the API.
#[derive(Deserialize)]
pub struct CancelBody {
    version: i64,
    #[serde(default)]
    reason: String,
}

/// `POST /api/v1/risk-assessments/{id}/cancel`
pub(super) async fn api_cancel(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    id: Result<Path<String>, Rejected>,
    body: Result<JsonBody<CancelBody>, Rejected>,
) -> Result<Response, ApiError> {
    let Path(id) = id?;
    let JsonBody(b) = body?;
    api_act(&state, &v, &id, true, async |p| {
        cancel(&state, &v, p, b.version, &b.reason).await
    })
    .await
}
