//! Portfolio assignments (分管 with dates): which leader holds which portfolio from when to
//! when. `POST /api/v1/portfolio-assignments` assigns, `PATCH …/{id}` ends or corrects (a
//! correction says why; 409 on a stale version), `GET` lists an org's; the page of a leadership
//! post does both by form. The rules are the core's (`zeren_core::org::check_assignment`),
//! checked in the transaction that writes.

use super::*;
use crate::shared::format::FormMessages;
use zeren_core::org::{AssignmentError, PortfolioAssignment};
use zeren_storage::AssignmentEdit;

/// An assignment refused: the field it concerns and the message.
pub(super) fn assignment_error(tr: Tr, pack: &PolicyPack, e: &AssignmentError) -> FieldError {
    let until = |end: &Option<NaiveDate>| {
        end.map(date)
            .unwrap_or_else(|| tr.t("handover.now").to_string())
    };
    match e {
        AssignmentError::EndBeforeStart { start, end } => (
            "end",
            tr.tf(
                "handover.error.end_before_start",
                &[("start", &date(*start)), ("end", &date(*end))],
            ),
        ),
        AssignmentError::NotLeadership(kind) => (
            "holding",
            tr.tf(
                "orgs.error.post.not_leadership",
                &[("post", &post_kind_name(tr, pack, kind))],
            ),
        ),
        AssignmentError::UnknownPortfolio(p) => (
            "portfolio",
            tr.tf("orgs.error.post.unknown_portfolio", &[("portfolio", p)]),
        ),
        AssignmentError::OutsideHolding { start, end } => (
            "start",
            tr.tf(
                "orgs.error.assignment.outside",
                &[("start", &date(*start)), ("end", &until(end))],
            ),
        ),
        AssignmentError::Overlap { start, end, .. } => (
            "portfolio",
            tr.tf(
                "orgs.error.assignment.overlap",
                &[("start", &date(*start)), ("end", &until(end))],
            ),
        ),
        AssignmentError::ReasonRequired => {
            ("reason", tr.t("orgs.error.assignment.reason").to_string())
        }
    }
}

fn refused(tr: Tr, pack: &PolicyPack, e: StorageError) -> ApiError {
    match e {
        StorageError::Assignment(a) => {
            let (field, message) = assignment_error(tr, pack, &a);
            invalid(tr, field, &message)
        }
        e => from_storage(tr, e),
    }
}

/// An assignment as the API answers it.
#[derive(Serialize)]
pub(super) struct AssignmentOut<'a> {
    id: &'a str,
    holding: &'a str,
    post: &'a str,
    post_title: &'a str,
    person: &'a str,
    person_name: String,
    portfolio: &'a str,
    portfolio_name: String,
    start: NaiveDate,
    end: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<i64>,
}

fn assignment_out<'a>(
    v: &Viewer,
    holding: &'a Holding,
    post: &'a Post,
    a: &'a PortfolioAssignment,
    version: Option<i64>,
) -> AssignmentOut<'a> {
    AssignmentOut {
        id: &a.id,
        holding: &a.holding,
        post: &post.id,
        post_title: &post.title,
        person: &holding.person,
        person_name: person_name(&v.snap.model, &holding.person),
        portfolio: &a.portfolio,
        portfolio_name: portfolio_name(v.tr, &v.snap.pack, &a.portfolio),
        start: a.start,
        end: a.end,
        version,
    }
}

/// The holding of a visible post the viewer manages, with its post and org; anything else
/// answers as absent (404) or forbidden (403).
fn managed_holding<'a>(
    v: &'a Viewer,
    holding: &str,
) -> Result<(&'a Holding, &'a Post, &'a Org), ApiError> {
    let tr = v.tr;
    let m = &v.snap.model;
    let h = m
        .holdings()
        .iter()
        .find(|h| h.id == holding)
        .and_then(|h| find_visible_post(v, &h.post).map(|(p, o)| (h, p, o)))
        .ok_or_else(|| not_found(tr, "holding", holding))?;
    require(v, Permission::ManageOrg, Some(&h.2.id))?;
    Ok(h)
}

/// Body of `POST /api/v1/portfolio-assignments`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssignBody {
    holding: String,
    portfolio: String,
    start: String,
    #[serde(default)]
    end: Option<String>,
}

/// `POST /api/v1/portfolio-assignments`
pub(super) async fn api_assign(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    body: Result<JsonBody<AssignBody>, Rejected>,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    read_gate(&v)?;
    let b = body.get()?;
    let (holding, post, _) = managed_holding(&v, b.holding.trim())?;
    let (start, end) = appointment_days(tr, &b.start, b.end.as_deref()).map_err(|errors| {
        let (field, message) = errors.into_iter().next().unwrap_or_default();
        invalid(tr, field, &message)
    })?;
    let pack = &v.snap.pack;
    let a = assign(&state, &v, &holding.id, b.portfolio.trim(), start, end)
        .await
        .map_err(|e| refused(tr, pack, e))?;
    Ok((
        StatusCode::CREATED,
        Json(assignment_out(&v, holding, post, &a, Some(1))),
    )
        .into_response())
}

async fn assign(
    state: &AppState,
    v: &Viewer,
    holding: &str,
    portfolio: &str,
    start: NaiveDate,
    end: Option<NaiveDate>,
) -> Result<PortfolioAssignment, StorageError> {
    let mut tx = state.db.begin(&v.actor(), state.clock.now()).await?;
    let a = tx
        .assign_portfolio(&v.snap.pack, holding, portfolio, start, end)
        .await?;
    tx.commit().await?;
    Ok(a)
}

/// `PATCH /api/v1/portfolio-assignments/{id}`
pub(super) async fn api_update_assignment(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    id: Result<Path<String>, Rejected>,
    body: Result<JsonBody<DatesPatch>, Rejected>,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    read_gate(&v)?;
    let id = id.get()?;
    let m = &v.snap.model;
    let a = m
        .assignments()
        .iter()
        .find(|a| a.id == id)
        .ok_or_else(|| not_found(tr, "id", &id))?;
    let (holding, post, _) = managed_holding(&v, &a.holding).map_err(|e| {
        // An assignment of a holding out of reach is one that does not exist.
        if e.code.status() == StatusCode::NOT_FOUND {
            not_found(tr, "id", &id)
        } else {
            e
        }
    })?;
    let b = body.get()?;
    let edit = b.edit(tr)?;
    let pack = &v.snap.pack;
    let (after, version) = update(&state, &v, &a.id, b.version, edit)
        .await
        .map_err(|e| refused(tr, pack, e))?;
    Ok(Json(assignment_out(&v, holding, post, &after, Some(version))).into_response())
}

async fn update(
    state: &AppState,
    v: &Viewer,
    id: &str,
    version: i64,
    edit: AssignmentEdit,
) -> Result<(PortfolioAssignment, i64), StorageError> {
    let mut tx = state.db.begin(&v.actor(), state.clock.now()).await?;
    let out = tx
        .update_assignment(&v.snap.pack, id, version, edit)
        .await?;
    tx.commit().await?;
    Ok(out)
}

/// Query of `GET /api/v1/portfolio-assignments`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssignmentsQuery {
    org: String,
    #[serde(default)]
    at: Option<String>,
    #[serde(default)]
    page: Option<String>,
}

/// `GET /api/v1/portfolio-assignments`: an org's assignments (in force on `at`, or all),
/// by post and start.
pub(super) async fn api_assignments(
    State(_state): State<AppState>,
    ApiViewer(v): ApiViewer,
    q: Result<Query<AssignmentsQuery>, Rejected>,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    read_gate(&v)?;
    let q = q.get()?;
    let org = find_visible(&v, q.org.trim()).ok_or_else(|| not_found(tr, "org", q.org.trim()))?;
    let at = match q.at.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(
            parse_day(s)
                .ok_or_else(|| invalid(tr, "at", &tr.tf("orgs.error.date", &[("value", s)])))?,
        ),
    };
    let page = api_page(tr, q.page.as_deref())?;
    let rows = org_assignments(&v.snap.model, org, at);
    let total = rows.len();
    let items: Vec<AssignmentOut> = page_of(&rows, page)
        .iter()
        .map(|(h, p, a)| assignment_out(&v, h, p, a, None))
        .collect();
    Ok(Json(serde_json::json!({ "total": total, "page": page, "items": items })).into_response())
}

/// An org's assignments by post, holding and start; only those in force on `at` when given.
fn org_assignments<'a>(
    m: &'a OrgModel,
    org: &Org,
    at: Option<NaiveDate>,
) -> Vec<(&'a Holding, &'a Post, &'a PortfolioAssignment)> {
    let mut posts: Vec<&Post> = m.posts_of(&org.id).collect();
    posts.sort_by(|a, b| a.id.cmp(&b.id));
    posts
        .into_iter()
        .flat_map(|p| {
            m.holdings_of(&p.id).flat_map(move |h| {
                m.assignments_of(&h.id)
                    .filter(move |a| at.is_none_or(|d| a.covers(d)))
                    .map(move |a| (h, p, a))
            })
        })
        .collect()
}

// ------------------------------------------------------------------------------------------
// The page of a leadership post's portfolios
// ------------------------------------------------------------------------------------------

/// The form assigning a portfolio.
#[derive(Deserialize, Default)]
pub struct AssignForm {
    #[serde(default)]
    holding: String,
    #[serde(default)]
    portfolio: String,
    #[serde(default)]
    start: String,
    #[serde(default)]
    end: String,
}

/// The form ending (or correcting the end of) an assignment. It carries the version of each
/// assignment it offers, as shown (a hidden `version-{id}` field each), so that a change made
/// meanwhile is refused (409), not overwritten.
#[derive(Default)]
pub struct EndAssignmentForm {
    assignment: String,
    end: String,
    reason: String,
    /// (assignment id, version shown) of each assignment offered.
    versions: Vec<(String, String)>,
}

impl EndAssignmentForm {
    fn of(pairs: &[(String, String)]) -> EndAssignmentForm {
        use crate::shared::urls::form_first;
        EndAssignmentForm {
            assignment: form_first(pairs, "assignment").to_string(),
            end: form_first(pairs, "end").to_string(),
            reason: form_first(pairs, "reason").to_string(),
            versions: pairs
                .iter()
                .filter_map(|(k, v)| {
                    k.strip_prefix("version-")
                        .map(|id| (id.to_string(), v.clone()))
                })
                .collect(),
        }
    }

    /// The version shown of the assignment chosen.
    fn version(&self, id: &str) -> Option<&str> {
        self.versions
            .iter()
            .find(|(a, _)| a == id)
            .map(|(_, v)| v.as_str())
    }
}

/// A row of the post's assignments.
pub(super) struct AssignmentRow {
    id: String,
    holder: String,
    portfolio: String,
    start: String,
    end: Option<String>,
    in_force: bool,
}

#[derive(Template)]
#[template(path = "portfolios.html")]
pub(super) struct PortfoliosPage {
    frame: Frame,
    tr: Tr,
    head: PostFormHead,
    end_action: String,
    rows: Vec<AssignmentRow>,
    /// (holding id, label) of the post's holders today and to come.
    holders: Vec<(String, String)>,
    /// (id, name) of the policy's portfolios.
    portfolios: Vec<(String, String)>,
    /// (assignment id, label) of those that may be ended.
    open: Vec<(String, String)>,
    form: AssignForm,
    end_form: EndAssignmentForm,
    errors: Vec<FieldError>,
    /// Which form the errors belong to: `assign` or `end`.
    failed: &'static str,
}

impl PortfoliosPage {
    fn assign_error(&self, field: &str) -> Option<&str> {
        (self.failed == "assign")
            .then(|| self.error_for(field))
            .flatten()
    }

    fn end_error(&self, field: &str) -> Option<&str> {
        (self.failed == "end")
            .then(|| self.error_for(field))
            .flatten()
    }
}

impl FormMessages for PortfoliosPage {
    fn messages(&self) -> &[FieldError] {
        &self.errors
    }

    fn shown(&self) -> &'static [&'static str] {
        &[
            "holding",
            "portfolio",
            "start",
            "end",
            "assignment",
            "reason",
        ]
    }
}

/// The post of a portfolios route: a leadership post the viewer manages (422 for another).
fn leadership_post<'a>(
    v: &'a Viewer,
    code: &str,
    post_id: &str,
) -> Result<(&'a Org, &'a Post), Box<Response>> {
    let tr = v.tr;
    let (org, post) =
        open_post(v, code, post_id).map_err(|refused| Box::new(refused.page(tr, code, post_id)))?;
    if !v
        .snap
        .pack
        .post_kind(&post.kind)
        .is_some_and(|k| k.leadership)
    {
        return Err(Box::new(error_page(
            tr,
            ErrorCode::Validation,
            "orgs.form.portfolios.title",
            tr.tf(
                "orgs.error.post.not_leadership",
                &[("post", &post_kind_name(tr, &v.snap.pack, &post.kind))],
            ),
        )));
    }
    Ok((org, post))
}

#[allow(clippy::too_many_arguments)]
fn portfolios_page(
    state: &AppState,
    v: &Viewer,
    org: &Org,
    post: &Post,
    form: AssignForm,
    end_form: EndAssignmentForm,
    (status, errors): (StatusCode, Vec<FieldError>),
    failed: &'static str,
) -> Response {
    let tr = v.tr;
    let m = &v.snap.model;
    let pack = &v.snap.pack;
    let today = state.today();
    let holdings: Vec<&Holding> = m.holdings_of(&post.id).collect();
    let mut rows: Vec<(&Holding, &PortfolioAssignment)> = holdings
        .iter()
        .flat_map(|h| m.assignments_of(&h.id).map(move |a| (*h, a)))
        .collect();
    rows.sort_by(|a, b| (b.1.start, &b.1.id).cmp(&(a.1.start, &a.1.id)));
    let label = |h: &Holding, a: &PortfolioAssignment| {
        format!(
            "{} · {} · {}",
            person_name(m, &h.person),
            portfolio_name(tr, pack, &a.portfolio),
            tr.tf("handover.since", &[("day", &date(a.start))])
        )
    };
    page(
        status,
        &PortfoliosPage {
            frame: Frame::of(state, Some(v)),
            tr,
            head: PostFormHead::of(v, org, post, "portfolios"),
            end_action: format!(
                "/orgs/{}/posts/{}/portfolios/end{}",
                encode(&org.code),
                encode(&post.id),
                tr.qs()
            ),
            open: rows
                .iter()
                .filter(|(_, a)| a.end.is_none_or(|e| e >= today))
                .map(|(h, a)| (a.id.clone(), label(h, a)))
                .collect(),
            rows: rows
                .iter()
                .map(|(h, a)| AssignmentRow {
                    id: a.id.clone(),
                    holder: person_name(m, &h.person),
                    portfolio: portfolio_name(tr, pack, &a.portfolio),
                    start: date(a.start),
                    end: a.end.map(date),
                    in_force: a.covers(today),
                })
                .collect(),
            holders: holdings
                .iter()
                .filter(|h| h.end.is_none_or(|e| e >= today))
                .map(|h| {
                    (
                        h.id.clone(),
                        format!(
                            "{} · {}",
                            person_name(m, &h.person),
                            tr.tf("handover.since", &[("day", &date(h.start))])
                        ),
                    )
                })
                .collect(),
            portfolios: pack
                .portfolios
                .iter()
                .map(|p| {
                    (
                        p.id.clone(),
                        tr.lang().pick(&p.name, &p.name_en).to_string(),
                    )
                })
                .collect(),
            form,
            end_form,
            errors,
            failed,
        },
    )
}

/// `GET /orgs/{code}/posts/{post_id}/portfolios`
pub(super) async fn portfolios_form(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    Path((code, post_id)): Path<(String, String)>,
) -> Response {
    match leadership_post(&v, &code, &post_id) {
        Ok((org, post)) => {
            let today = date(state.today());
            let holding = v
                .snap
                .model
                .holders_on(&post.id, state.today())
                .first()
                .map(|h| h.id.clone())
                .unwrap_or_default();
            let form = AssignForm {
                holding,
                start: today.clone(),
                ..AssignForm::default()
            };
            // The version of each assignment the end form offers, as it is now.
            let m = &v.snap.model;
            let mut versions = Vec::new();
            for a in m
                .holdings_of(&post.id)
                .flat_map(|h| m.assignments_of(&h.id))
            {
                if a.end.is_none_or(|e| e >= state.today()) {
                    match state.db.assignment_version(&a.id).await {
                        Ok(version) => versions.push((a.id.clone(), version.to_string())),
                        Err(e) => return storage_page(v.tr, &e),
                    }
                }
            }
            let end_form = EndAssignmentForm {
                end: today,
                versions,
                ..EndAssignmentForm::default()
            };
            let shown = (StatusCode::OK, Vec::new());
            portfolios_page(&state, &v, org, post, form, end_form, shown, "")
        }
        Err(refused) => *refused,
    }
}

/// `POST /orgs/{code}/posts/{post_id}/portfolios`: assigns a portfolio to a holder.
pub(super) async fn portfolios_submit(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    Path((code, post_id)): Path<(String, String)>,
    form: Result<Form<AssignForm>, FormRejection>,
) -> Response {
    let tr = v.tr;
    let (org, post) = match leadership_post(&v, &code, &post_id) {
        Ok(t) => t,
        Err(refused) => return *refused,
    };
    let back = |form, errors| {
        portfolios_page(
            &state,
            &v,
            org,
            post,
            form,
            EndAssignmentForm::default(),
            (StatusCode::UNPROCESSABLE_ENTITY, errors),
            "assign",
        )
    };
    let Ok(Form(form)) = form else {
        let errors = vec![("form", tr.t("handover.error.form").to_string())];
        return back(AssignForm::default(), errors);
    };
    let mut errors = Vec::new();
    let holding = form.holding.trim();
    if !v.snap.model.holdings_of(&post.id).any(|h| h.id == holding) {
        errors.push(("holding", tr.t("handover.error.person_missing").to_string()));
    }
    if form.portfolio.trim().is_empty() {
        errors.push((
            "portfolio",
            tr.t("orgs.error.assignment.portfolio_missing").to_string(),
        ));
    }
    let (start, end) = match appointment_days(tr, &form.start, Some(&form.end)) {
        Ok(d) if errors.is_empty() => d,
        Ok(_) => return back(form, errors),
        Err(more) => {
            errors.extend(more);
            return back(form, errors);
        }
    };
    match assign(&state, &v, holding, form.portfolio.trim(), start, end).await {
        Ok(_) => redirect(&format!("{}#post-{}", org_href(&org.code, tr), post.id)),
        Err(StorageError::Assignment(e)) => {
            let errors = vec![assignment_error(tr, &v.snap.pack, &e)];
            back(form, errors)
        }
        Err(e) => storage_page(tr, &e),
    }
}

/// `POST /orgs/{code}/posts/{post_id}/portfolios/end`: ends an assignment on a day, or
/// corrects its end with a reason.
pub(super) async fn portfolios_end_submit(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    Path((code, post_id)): Path<(String, String)>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let tr = v.tr;
    let (org, post) = match leadership_post(&v, &code, &post_id) {
        Ok(t) => t,
        Err(refused) => return *refused,
    };
    let back = |end_form, status, errors| {
        portfolios_page(
            &state,
            &v,
            org,
            post,
            AssignForm::default(),
            end_form,
            (status, errors),
            "end",
        )
    };
    let Ok(Form(pairs)) = form else {
        let errors = vec![("form", tr.t("handover.error.form").to_string())];
        return back(
            EndAssignmentForm::default(),
            StatusCode::UNPROCESSABLE_ENTITY,
            errors,
        );
    };
    let form = EndAssignmentForm::of(&pairs);
    let m = &v.snap.model;
    let found = m
        .assignments()
        .iter()
        .find(|a| a.id == form.assignment.trim())
        .filter(|a| m.holdings_of(&post.id).any(|h| h.id == a.holding));
    let mut errors = Vec::new();
    if found.is_none() {
        errors.push((
            "assignment",
            tr.t("orgs.error.assignment.missing").to_string(),
        ));
    }
    let version = found.map(|a| form_version(tr, form.version(&a.id).unwrap_or("")));
    if let Some(Err(e)) = &version {
        errors.push(e.clone());
    }
    let edit = dates_from_form(tr, "", &form.end, &form.reason);
    if form.end.trim().is_empty() {
        errors.push(("end", tr.t("orgs.form.error.day_missing").to_string()));
    }
    if let Err(more) = &edit {
        errors.extend(more.iter().cloned());
    }
    let (Some(a), Some(Ok(version)), Ok(edit), true) = (found, version, edit, errors.is_empty())
    else {
        return back(form, StatusCode::UNPROCESSABLE_ENTITY, errors);
    };
    match update(&state, &v, &a.id, version, edit).await {
        Ok(_) => redirect(&format!("{}#post-{}", org_href(&org.code, tr), post.id)),
        Err(StorageError::Assignment(e)) => {
            let errors = vec![assignment_error(tr, &v.snap.pack, &e)];
            back(form, StatusCode::UNPROCESSABLE_ENTITY, errors)
        }
        Err(StorageError::Conflict { .. }) => {
            let errors = vec![("form", tr.t("orgs.form.error.stale_assignment").to_string())];
            back(form, StatusCode::CONFLICT, errors)
        }
        Err(e) => storage_page(tr, &e),
    }
}
