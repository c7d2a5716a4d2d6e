//! The JSON API of annual assessments: `/api/v1/assessments`.

use super::*;
use crate::shared::urls::encode_component;
use zeren_core::assessments::IndicatorScore;

/// `{id, code, name}` of an org.
fn org_json(o: &Org) -> Value {
    json!({"id": o.id, "code": o.code, "name": o.name})
}

/// A round as the API shows it, with its procedure.
pub(super) fn round_json(v: &Viewer, r: &AssessmentRound, scheme: &Scheme) -> Value {
    let tr = v.tr;
    let m = &v.snap.model;
    let mut out = json!({
        "id": r.id,
        "year": r.year,
        "org": m.org(&r.scope_org).map_or(json!({"id": r.scope_org}), org_json),
        "policy": r.policy_id,
        "stage": r.stage.as_str(),
        "stage_name": stage_name(tr, r.stage),
        "scheme_version": r.scheme_version,
        "newest_version": r.newest_version,
        "newest_is_draft": r.newest_is_draft,
        "published_on": r.published_on.map(date),
        "version": r.version,
        "created_by": r.created_by,
    });
    out["procedure"] = json!(
        scheme
            .steps
            .iter()
            .map(|s| json!({
                "step": s.step.as_str(),
                "name": stage_name(tr, Stage::Step(s.step)),
                "until": date(s.until),
                "current": r.stage == Stage::Step(s.step),
            }))
            .collect::<Vec<_>>()
    );
    out
}

/// The scheme as the API shows it.
pub(super) fn scheme_json(v: &Viewer, scheme: &Scheme) -> Value {
    let tr = v.tr;
    json!({
        "indicators": scheme.indicators.iter().map(|i| json!({
            "id": i.id,
            "title": i.title,
            "title_en": i.title_en,
            "weight": pts(i.weight),
            "method": i.method.as_str(),
            "duties": i.duties,
        })).collect::<Vec<_>>(),
        "steps": scheme.steps.iter().map(|s| json!({
            "step": s.step.as_str(),
            "name": stage_name(tr, Stage::Step(s.step)),
            "until": date(s.until),
        })).collect::<Vec<_>>(),
    })
}

/// One indicator's score, with where its figures come from.
fn indicator_json(
    v: &Viewer,
    r: &AssessmentRound,
    scheme: &Scheme,
    college: &Org,
    s: &IndicatorScore,
) -> Value {
    let tr = v.tr;
    let ind = scheme.indicator(&s.indicator);
    let mut out = json!({
        "id": s.indicator,
        "title": ind.map(|i| i.title(tr.lang())),
        "weight": pts(s.weight),
        "method": ind.map(|i| i.method.as_str()),
        "counts": s.counts,
        "computed": s.computed.map(pts),
        "not_applicable": s.not_applicable,
        "scored": s.scored.map(pts),
        "adjusted": pts(s.adjusted),
        "points": pts(s.points),
    });
    if let Some(i) = ind.filter(|i| i.computed()) {
        out["drill_down"] = json!(format!(
            "/assessments/{}/orgs/{}/indicators/{}",
            encode(&r.id),
            encode(&college.code),
            encode(&i.id)
        ));
        out["obligations"] = json!(
            i.duties
                .iter()
                .map(|d| format!(
                    "/api/v1/obligations?org={}&year={}&duty={}",
                    encode_component(&college.code),
                    r.year,
                    encode_component(d)
                ))
                .collect::<Vec<_>>()
        );
    }
    out
}

/// A mark as the API shows it.
fn mark_json(v: &Viewer, scheme: &Scheme, m: &StoredMark) -> Value {
    json!({
        "id": m.id,
        "indicator": m.mark.indicator,
        "indicator_title": scheme.indicator(&m.mark.indicator).map(|i| i.title(v.tr.lang())),
        "kind": m.mark.kind.as_str(),
        "points": pts(m.mark.points),
        "reason": m.mark.reason,
        "by": m.marked_by,
        "on": date(m.marked_on),
        "scheme_version": m.scheme_version,
    })
}

/// A college's entry (texts) as the API shows it.
fn entry_json(e: Option<&AssessmentEntry>) -> Value {
    match e {
        None => json!({"version": 0}),
        Some(e) => json!({
            "self_assessment": e.self_assessment,
            "self_submitted_on": e.self_submitted_on.map(date),
            "self_submitted_by": e.self_submitted_by,
            "review": e.review,
            "reviewed_on": e.reviewed_on.map(date),
            "reviewed_by": e.reviewed_by,
            "duty_report_submitted_on": e.duty_report_submitted_on.map(date),
            "version": e.version,
        }),
    }
}

/// The round whole: its scheme and the colleges the caller may see.
async fn whole(state: &AppState, v: &Viewer, r: &AssessmentRound) -> Result<Value, Refusal> {
    let scheme = scheme_of(state, v, r).await?;
    let mut out = round_json(v, r, &scheme);
    out["scheme"] = scheme_json(v, &scheme);
    let is_office = office(v, r);
    let mine = visible_colleges(v, r);
    let shown = if is_office || r.stage.published() {
        colleges(v, r)
    } else {
        mine.clone()
    };
    if r.stage != Stage::Draft || is_office {
        let scored = scores(state, v, r, &scheme, &shown, is_office).await?;
        out["colleges"] = json!(
            scored
                .iter()
                .map(|s| {
                    let full = is_office || mine.iter().any(|o| o.id == s.org.id);
                    let mut j = json!({
                        "org": org_json(&s.org),
                        "total": pts(s.score.total),
                        "rank": s.rank,
                    });
                    if full {
                        j["href"] = json!(format!(
                            "/api/v1/assessments/{}/orgs/{}",
                            encode(&r.id),
                            encode(&s.org.code)
                        ));
                        j["unscored"] = json!(s.score.unscored);
                    }
                    j
                })
                .collect::<Vec<_>>()
        );
    }
    Ok(out)
}

/// One college whole.
async fn college_whole(
    state: &AppState,
    v: &Viewer,
    r: &AssessmentRound,
    college: &Org,
) -> Result<Value, Refusal> {
    let tr = v.tr;
    let scheme = scheme_of(state, v, r).await?;
    let scored = scores(state, v, r, &scheme, &[college], office(v, r)).await?;
    let marks = state
        .db
        .assessment_marks(&r.id, Some(&college.id))
        .await
        .map_err(|e| storage_refusal(tr, e, &r.id))?;
    let entry = state
        .db
        .assessment_entry(&r.id, &college.id)
        .await
        .map_err(|e| storage_refusal(tr, e, &r.id))?;
    let mut out = json!({
        "assessment": {"id": r.id, "year": r.year, "stage": r.stage.as_str(), "version": r.version},
        "org": org_json(college),
        "secretary": secretary_of(v, &college.id),
    });
    if let Some(s) = scored.first() {
        out["total"] = json!(pts(s.score.total));
        out["rank"] = json!(s.rank);
        out["unscored"] = json!(s.score.unscored);
        out["indicators"] = json!(
            s.score
                .indicators
                .iter()
                .map(|i| indicator_json(v, r, &scheme, college, i))
                .collect::<Vec<_>>()
        );
    }
    out["marks"] = json!(
        marks
            .iter()
            .map(|m| mark_json(v, &scheme, m))
            .collect::<Vec<_>>()
    );
    out["entry"] = entry_json(entry.as_ref());
    Ok(out)
}

/// `GET /api/v1/assessments`
pub(super) async fn api_rounds(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
) -> Result<Response, ApiError> {
    let rounds = visible_rounds(&state, &v).await.map_err(Refusal::api)?;
    let mut items = Vec::new();
    for r in &rounds {
        let scheme = scheme_of(&state, &v, r).await.map_err(Refusal::api)?;
        items.push(round_json(&v, r, &scheme));
    }
    Ok(Json(json!({"items": items})).into_response())
}

/// The body of a new round.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct NewRound {
    year: Value,
    org: String,
}

/// `POST /api/v1/assessments`
pub(super) async fn api_create(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    body: Result<JsonBody<NewRound>, Rejected>,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    read_gate(&v).map_err(Refusal::api)?;
    let JsonBody(b) = body?;
    let year = match &b.year {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    };
    let r = create_round(&state, &v, &year, &b.org)
        .await
        .map_err(|e| e.api(tr))?;
    Ok((
        StatusCode::CREATED,
        Json(whole(&state, &v, &r).await.map_err(Refusal::api)?),
    )
        .into_response())
}

/// `GET /api/v1/assessments/{id}`
pub(super) async fn api_round(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    id: Result<Path<String>, Rejected>,
) -> Result<Response, ApiError> {
    let Path(id) = id?;
    let r = readable(&state, &v, &id).await.map_err(Refusal::api)?;
    Ok(Json(whole(&state, &v, &r).await.map_err(Refusal::api)?).into_response())
}

/// A scheme change's body.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct SchemeBody {
    version: i64,
    scheme: Option<SchemeDraft>,
}

/// Runs an office change on round `id` and answers with the round whole.
async fn office_change(
    state: &AppState,
    v: &Viewer,
    id: &str,
    change: impl AsyncFnOnce(&AssessmentRound) -> Result<AssessmentRound, Refused>,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    let r = run_by_office(state, v, id).await.map_err(Refusal::api)?;
    let r = change(&r).await.map_err(|e| e.api(tr))?;
    Ok(Json(whole(state, v, &r).await.map_err(Refusal::api)?).into_response())
}

/// `PUT /api/v1/assessments/{id}/scheme`
pub(super) async fn api_save_scheme(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    id: Result<Path<String>, Rejected>,
    body: Result<JsonBody<SchemeBody>, Rejected>,
) -> Result<Response, ApiError> {
    let Path(id) = id?;
    let JsonBody(b) = body?;
    office_change(&state, &v, &id, async |r| {
        let d = b.scheme.clone().unwrap_or_default();
        save_scheme(&state, &v, r, b.version, &d).await
    })
    .await
}

/// `POST /api/v1/assessments/{id}/scheme/revise`
pub(super) async fn api_revise_scheme(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    id: Result<Path<String>, Rejected>,
    body: Result<JsonBody<SchemeBody>, Rejected>,
) -> Result<Response, ApiError> {
    let Path(id) = id?;
    let JsonBody(b) = body?;
    office_change(&state, &v, &id, async |r| {
        revise_scheme(&state, &v, r, b.version, b.scheme.as_ref()).await
    })
    .await
}

/// A body with only the version.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct VersionBody {
    version: i64,
    to: String,
    document_number: String,
}

/// `POST /api/v1/assessments/{id}/scheme/publish`
pub(super) async fn api_publish_scheme(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    id: Result<Path<String>, Rejected>,
    body: Result<JsonBody<VersionBody>, Rejected>,
) -> Result<Response, ApiError> {
    let Path(id) = id?;
    let JsonBody(b) = body?;
    office_change(&state, &v, &id, async |r| {
        publish_scheme(&state, &v, r, b.version).await
    })
    .await
}

/// `POST /api/v1/assessments/{id}/advance`
pub(super) async fn api_advance(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    id: Result<Path<String>, Rejected>,
    body: Result<JsonBody<VersionBody>, Rejected>,
) -> Result<Response, ApiError> {
    let Path(id) = id?;
    let JsonBody(b) = body?;
    office_change(&state, &v, &id, async |r| {
        advance(&state, &v, r, b.version, &b.to, &b.document_number).await
    })
    .await
}

/// `GET /api/v1/assessments/{id}/orgs/{org}`
pub(super) async fn api_college(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    ids: Result<Path<(String, String)>, Rejected>,
) -> Result<Response, ApiError> {
    let Path((id, org)) = ids?;
    let (r, o) = round_and_college(&state, &v, &id, &org)
        .await
        .map_err(Refusal::api)?;
    Ok(Json(
        college_whole(&state, &v, &r, o)
            .await
            .map_err(Refusal::api)?,
    )
    .into_response())
}

/// `POST /api/v1/assessments/{id}/orgs/{org}/marks`
pub(super) async fn api_mark(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    ids: Result<Path<(String, String)>, Rejected>,
    body: Result<JsonBody<MarkDraft>, Rejected>,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    let Path((id, org)) = ids?;
    let JsonBody(d) = body?;
    let (r, o) = round_and_college(&state, &v, &id, &org)
        .await
        .map_err(Refusal::api)?;
    mark(&state, &v, &r, o, &d).await.map_err(|e| e.api(tr))?;
    Ok((
        StatusCode::CREATED,
        Json(
            college_whole(&state, &v, &r, o)
                .await
                .map_err(Refusal::api)?,
        ),
    )
        .into_response())
}

/// A text's body.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct TextBody {
    version: i64,
    text: String,
    submit: bool,
}

/// Writes a college's text and answers with the college whole.
async fn api_text(
    state: &AppState,
    v: &Viewer,
    id: &str,
    org: &str,
    which: EntryText,
    b: &TextBody,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    let (r, o) = round_and_college(state, v, id, org)
        .await
        .map_err(Refusal::api)?;
    write_text(state, v, &r, o, which, b.version, &b.text)
        .await
        .map_err(|e| e.api(tr))?;
    Ok(Json(college_whole(state, v, &r, o).await.map_err(Refusal::api)?).into_response())
}

/// `PUT /api/v1/assessments/{id}/orgs/{org}/self-assessment`
pub(super) async fn api_self_assessment(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    ids: Result<Path<(String, String)>, Rejected>,
    body: Result<JsonBody<TextBody>, Rejected>,
) -> Result<Response, ApiError> {
    let Path((id, org)) = ids?;
    let JsonBody(b) = body?;
    api_text(&state, &v, &id, &org, EntryText::SelfAssessment, &b).await
}

/// `PUT /api/v1/assessments/{id}/orgs/{org}/review`
pub(super) async fn api_review(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    ids: Result<Path<(String, String)>, Rejected>,
    body: Result<JsonBody<TextBody>, Rejected>,
) -> Result<Response, ApiError> {
    let Path((id, org)) = ids?;
    let JsonBody(b) = body?;
    api_text(&state, &v, &id, &org, EntryText::Review, &b).await
}

/// `GET /api/v1/assessments/{id}/orgs/{org}/duty-report`
pub(super) async fn api_duty_report(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    ids: Result<Path<(String, String)>, Rejected>,
) -> Result<Response, ApiError> {
    let Path((id, org)) = ids?;
    let (r, o) = round_and_college(&state, &v, &id, &org)
        .await
        .map_err(Refusal::api)?;
    let report = duty_report_of(&state, &v, &r, o)
        .await
        .map_err(Refusal::api)?;
    Ok(Json(json!({
        "text": report.text,
        "drafted": report.drafted,
        "submitted_on": report.submitted_on.map(date),
        "submitted_by": report.submitted_by,
        "version": report.version,
    }))
    .into_response())
}

/// `PUT /api/v1/assessments/{id}/orgs/{org}/duty-report`
pub(super) async fn api_save_duty_report(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    ids: Result<Path<(String, String)>, Rejected>,
    body: Result<JsonBody<TextBody>, Rejected>,
) -> Result<Response, ApiError> {
    let Path((id, org)) = ids?;
    let JsonBody(b) = body?;
    let which = EntryText::DutyReport { submit: b.submit };
    api_text(&state, &v, &id, &org, which, &b).await
}
