//! The handler (经办人) of an obligation: named, changed or removed by its first responsible
//! person or by the person responsible for it on the day (PRODUCT.md §5); the handler then
//! keeps its records. Version-checked and audited (`obligation.handler`).

use super::*;

/// Body of `POST /api/v1/obligations/{id}/handler`.
#[derive(Deserialize, Debug)]
pub struct HandlerBody {
    pub(super) version: i64,
    /// The person's id; `null` removes the handler.
    #[serde(default)]
    pub(super) handler: Option<String>,
}

/// The form (strings, so a bad value is named instead of refused wholesale).
#[derive(Deserialize, Debug, Default)]
pub struct HandlerFormBody {
    pub(super) version: Option<String>,
    pub(super) handler: Option<String>,
}

/// The obligation whose handler the viewer may set: 404 outside their scope, 403 for anyone
/// who may read it but not name its handler.
async fn handler_target(
    state: &AppState,
    v: &Viewer,
    id: &str,
) -> Result<StoredObligation, Refusal> {
    write_target(state, v, id, |o| names_handler(v, o, state.today())).await
}

/// Names the handler (or removes it): the rules checked in the user's language first, then
/// again in the transaction.
async fn set_handler(
    state: &AppState,
    v: &Viewer,
    o: &StoredObligation,
    version: i64,
    handler: Option<&str>,
) -> Result<Item, Refusal> {
    let tr = v.tr;
    let today = state.today();
    current_version(tr, o, version)?;
    if o.discharge() != zeren_core::obligation::Discharge::Open || o.withdrawn() {
        return Err(field_refusal(
            tr,
            "obligation",
            "obligations.error.not_open",
        ));
    }
    if let Some(person) = handler {
        zeren_core::access::check_handler(&v.snap.model, &o.org, person, today)
            .map_err(|e| Refusal::invalid(tr, "handler", &e.message(tr.lang())))?;
    }
    let mut tx = state
        .db
        .begin(&v.actor(), state.clock.now())
        .await
        .map_err(|e| storage_refusal(tr, e, &o.id))?;
    let after = tx
        .set_obligation_handler(&o.id, version, handler, &v.snap.model, tr.lang())
        .await
        .map_err(|e| storage_refusal(tr, e, &o.id))?;
    tx.commit()
        .await
        .map_err(|e| storage_refusal(tr, e, &o.id))?;
    let clock = status_clock(state, v);
    items(state, v, clock, &[&after])
        .await
        .pop()
        .ok_or_else(|| not_found(tr, &o.id))
}

fn person_field(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

/// `POST /api/v1/obligations/{id}/handler`
pub(super) async fn api_handler(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    id: Result<Path<String>, Rejected>,
    body: Result<JsonBody<HandlerBody>, Rejected>,
) -> Result<Response, ApiError> {
    let id = id.get().map_err(Refusal::api)?;
    let o = handler_target(&state, &v, &id)
        .await
        .map_err(Refusal::api)?;
    let b = body.get().map_err(Refusal::api)?;
    let item = set_handler(
        &state,
        &v,
        &o,
        b.version,
        person_field(b.handler.as_deref()),
    )
    .await
    .map_err(Refusal::api)?;
    Ok(Json(item).into_response())
}

/// `POST /obligations/{id}/handler`
pub(super) async fn handler_form(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    id: Result<Path<String>, Rejected>,
    form: Result<Form<HandlerFormBody>, FormRejection>,
) -> Response {
    let tr = v.tr;
    let id = match id.get() {
        Ok(id) => id,
        Err(r) => return r.page(tr),
    };
    let o = match handler_target(&state, &v, &id).await {
        Ok(o) => o,
        Err(r) => return r.page(tr),
    };
    let f = form.map(|Form(f)| f).unwrap_or_default();
    let version = f
        .version
        .as_deref()
        .map(str::trim)
        .and_then(|s| s.parse::<i64>().ok())
        .ok_or_else(|| field_refusal(tr, "version", "obligations.error.version"));
    let outcome = match version {
        Ok(version) => {
            set_handler(&state, &v, &o, version, person_field(f.handler.as_deref())).await
        }
        Err(r) => Err(r),
    };
    match outcome {
        Ok(_) => redirect(&format!("/obligations/{}{}", encode(&o.id), tr.qs())),
        Err(r) => item_page_with(&state, &v, &o, Some((r, String::new()))).await,
    }
}
