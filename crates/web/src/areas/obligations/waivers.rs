//! Waivers.

use super::*;

/// Body of a waiver request.
#[derive(Deserialize, Debug)]
pub struct WaiverBody {
    pub(super) version: i64,
    pub(super) reason: String,
}

/// Body of a waiver decision.
#[derive(Deserialize, Debug)]
pub struct DecisionBody {
    pub(super) version: i64,
    #[serde(default)]
    pub(super) note: Option<String>,
}

/// Form of a waiver request (strings, so a bad value is named instead of refused wholesale).
#[derive(Deserialize, Debug, Default)]
pub struct WaiverFormBody {
    pub(super) version: Option<String>,
    pub(super) reason: Option<String>,
    pub(super) note: Option<String>,
}

#[derive(Serialize)]
pub(super) struct WaiverResult {
    pub(super) obligation: Item,
    pub(super) waiver: WaiverOut,
}

/// Who may act on an obligation's waiver, checked before any body is read.
pub(super) enum WaiverAct {
    Request,
    Decide,
}

pub(super) async fn waiver_target(
    state: &AppState,
    v: &Viewer,
    id: &str,
    act: WaiverAct,
) -> Result<StoredObligation, Refusal> {
    write_target(state, v, id, |o| match act {
        WaiverAct::Request => acts_on(v, o, state.today()),
        WaiverAct::Decide => first_responsible(v, &o.org),
    })
    .await
}

pub(super) fn check_text(tr: Tr, field: &str, s: &str, required: bool) -> Result<(), Refusal> {
    let t = s.trim();
    if required && t.is_empty() {
        return Err(field_refusal(tr, field, "obligations.error.reason_empty"));
    }
    if t.chars().count() > zeren_storage::repo::obligations::WAIVER_TEXT_MAX {
        return Err(field_refusal(tr, field, "obligations.error.too_long"));
    }
    Ok(())
}

/// The rules a waiver request must meet, in the user's language (storage checks them again in
/// the transaction).
pub(super) async fn check_request(
    state: &AppState,
    v: &Viewer,
    o: &StoredObligation,
    version: i64,
    reason: &str,
) -> Result<(), Refusal> {
    let tr = v.tr;
    check_text(tr, "reason", reason, true)?;
    current_version(tr, o, version)?;
    if o.discharge() != zeren_core::obligation::Discharge::Open {
        return Err(field_refusal(
            tr,
            "obligation",
            "obligations.error.not_open",
        ));
    }
    let waivers = state
        .db
        .waivers_of(&o.id)
        .await
        .map_err(|e| storage_refusal(tr, e, &o.id))?;
    if waivers.iter().any(|w| w.state == WaiverState::Pending) {
        return Err(field_refusal(tr, "obligation", "obligations.error.pending"));
    }
    Ok(())
}

pub(super) async fn check_decision(
    state: &AppState,
    v: &Viewer,
    o: &StoredObligation,
    version: i64,
    note: Option<&str>,
) -> Result<(), Refusal> {
    let tr = v.tr;
    check_text(tr, "note", note.unwrap_or(""), false)?;
    current_version(tr, o, version)?;
    let waivers = state
        .db
        .waivers_of(&o.id)
        .await
        .map_err(|e| storage_refusal(tr, e, &o.id))?;
    if !waivers.iter().any(|w| w.state == WaiverState::Pending) {
        return Err(field_refusal(
            tr,
            "obligation",
            "obligations.error.no_pending",
        ));
    }
    Ok(())
}

pub(super) async fn do_request(
    state: &AppState,
    v: &Viewer,
    o: &StoredObligation,
    version: i64,
    reason: &str,
) -> Result<WaiverResult, Refusal> {
    let tr = v.tr;
    check_request(state, v, o, version, reason).await?;
    let approve = first_responsible(v, &o.org);
    let mut tx = state
        .db
        .begin(&v.actor(), state.clock.now())
        .await
        .map_err(|e| storage_refusal(tr, e, &o.id))?;
    let out = tx
        .request_waiver(&o.id, version, reason, &v.user.id, approve)
        .await
        .map_err(|e| storage_refusal(tr, e, &o.id))?;
    tx.commit()
        .await
        .map_err(|e| storage_refusal(tr, e, &o.id))?;
    result(state, v, out).await
}

pub(super) async fn do_decide(
    state: &AppState,
    v: &Viewer,
    o: &StoredObligation,
    version: i64,
    approve: bool,
    note: Option<&str>,
) -> Result<WaiverResult, Refusal> {
    let tr = v.tr;
    check_decision(state, v, o, version, note).await?;
    let mut tx = state
        .db
        .begin(&v.actor(), state.clock.now())
        .await
        .map_err(|e| storage_refusal(tr, e, &o.id))?;
    let out = tx
        .decide_waiver(&o.id, version, &v.user.id, approve, note)
        .await
        .map_err(|e| storage_refusal(tr, e, &o.id))?;
    tx.commit()
        .await
        .map_err(|e| storage_refusal(tr, e, &o.id))?;
    result(state, v, out).await
}

pub(super) async fn result(
    state: &AppState,
    v: &Viewer,
    out: zeren_storage::repo::obligations::WaiverOutcome,
) -> Result<WaiverResult, Refusal> {
    let clock = status_clock(state, v);
    let mut list = items(state, v, clock, &[&out.obligation]).await;
    let obligation = list
        .pop()
        .ok_or_else(|| not_found(v.tr, &out.obligation.id))?;
    Ok(WaiverResult {
        obligation,
        waiver: WaiverOut::of(&out.waiver),
    })
}

/// `POST /api/v1/obligations/{id}/waiver`
pub(super) async fn api_waiver(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    id: Result<Path<String>, Rejected>,
    body: Result<JsonBody<WaiverBody>, Rejected>,
) -> Result<Response, ApiError> {
    let id = id.get().map_err(Refusal::api)?;
    let o = waiver_target(&state, &v, &id, WaiverAct::Request)
        .await
        .map_err(Refusal::api)?;
    let b = body.get().map_err(Refusal::api)?;
    let out = do_request(&state, &v, &o, b.version, &b.reason)
        .await
        .map_err(Refusal::api)?;
    Ok(Json(out).into_response())
}

pub(super) async fn api_decide(
    state: AppState,
    v: Viewer,
    id: Result<Path<String>, Rejected>,
    body: Result<JsonBody<DecisionBody>, Rejected>,
    approve: bool,
) -> Result<Response, ApiError> {
    let id = id.get().map_err(Refusal::api)?;
    let o = waiver_target(&state, &v, &id, WaiverAct::Decide)
        .await
        .map_err(Refusal::api)?;
    let b = body.get().map_err(Refusal::api)?;
    let out = do_decide(&state, &v, &o, b.version, approve, b.note.as_deref())
        .await
        .map_err(Refusal::api)?;
    Ok(Json(out).into_response())
}

/// `POST /api/v1/obligations/{id}/waiver/approve`
pub(super) async fn api_approve(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    id: Result<Path<String>, Rejected>,
    body: Result<JsonBody<DecisionBody>, Rejected>,
) -> Result<Response, ApiError> {
    api_decide(state, v, id, body, true).await
}

/// `POST /api/v1/obligations/{id}/waiver/reject`
pub(super) async fn api_reject(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    id: Result<Path<String>, Rejected>,
    body: Result<JsonBody<DecisionBody>, Rejected>,
) -> Result<Response, ApiError> {
    api_decide(state, v, id, body, false).await
}

pub(super) fn form_version(tr: Tr, f: &WaiverFormBody) -> Result<i64, Refusal> {
    f.version
        .as_deref()
        .map(str::trim)
        .and_then(|s| s.parse::<i64>().ok())
        .ok_or_else(|| field_refusal(tr, "version", "obligations.error.version"))
}

/// `POST /obligations/{id}/waiver`
pub(super) async fn waiver_form(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    id: Result<Path<String>, Rejected>,
    form: Result<Form<WaiverFormBody>, FormRejection>,
) -> Response {
    let tr = v.tr;
    let id = match id.get() {
        Ok(id) => id,
        Err(r) => return r.page(tr),
    };
    let o = match waiver_target(&state, &v, &id, WaiverAct::Request).await {
        Ok(o) => o,
        Err(r) => return r.page(tr),
    };
    let f = form.map(|Form(f)| f).unwrap_or_default();
    let reason = f.reason.clone().unwrap_or_default();
    let outcome = match form_version(tr, &f) {
        Ok(version) => do_request(&state, &v, &o, version, &reason).await,
        Err(r) => Err(r),
    };
    match outcome {
        Ok(_) => redirect(&format!("/obligations/{}{}", encode(&o.id), tr.qs())),
        Err(r) => item_page_with(&state, &v, &o, Some((r, reason))).await,
    }
}

pub(super) async fn decide_form(
    state: AppState,
    v: Viewer,
    id: Result<Path<String>, Rejected>,
    form: Result<Form<WaiverFormBody>, FormRejection>,
    approve: bool,
) -> Response {
    let tr = v.tr;
    let id = match id.get() {
        Ok(id) => id,
        Err(r) => return r.page(tr),
    };
    let o = match waiver_target(&state, &v, &id, WaiverAct::Decide).await {
        Ok(o) => o,
        Err(r) => return r.page(tr),
    };
    let f = form.map(|Form(f)| f).unwrap_or_default();
    let outcome = match form_version(tr, &f) {
        Ok(version) => do_decide(&state, &v, &o, version, approve, f.note.as_deref()).await,
        Err(r) => Err(r),
    };
    match outcome {
        Ok(_) => redirect(&format!("/obligations/{}{}", encode(&o.id), tr.qs())),
        Err(r) => item_page_with(&state, &v, &o, Some((r, String::new()))).await,
    }
}

/// `POST /obligations/{id}/waiver/approve`
pub(super) async fn approve_form(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    id: Result<Path<String>, Rejected>,
    form: Result<Form<WaiverFormBody>, FormRejection>,
) -> Response {
    decide_form(state, v, id, form, true).await
}

/// `POST /obligations/{id}/waiver/reject`
pub(super) async fn reject_form(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    id: Result<Path<String>, Rejected>,
    form: Result<Form<WaiverFormBody>, FormRejection>,
) -> Response {
    decide_form(state, v, id, form, false).await
}
