//! Posts set up and holders appointed by the org's own people: `POST /api/v1/posts` (a post of
//! a kind the policy gives the org's kind) and `POST /api/v1/holdings` (an appointment from a
//! day, ended or open), with the pages' forms. The rules are the core's
//! (`zeren_core::org::check_post`, `check_holding`), checked in the transaction that writes.

use super::*;
use crate::shared::format::FormMessages;

/// A post the policy does not allow there: the field it concerns and the message.
pub(super) fn post_error(tr: Tr, pack: &PolicyPack, e: &PostError) -> FieldError {
    match e {
        PostError::UnknownKind { kind } => (
            "kind",
            tr.tf("orgs.error.post.unknown_kind", &[("kind", kind)]),
        ),
        PostError::NotOfOrg { kind, org_kind } => (
            "kind",
            tr.tf(
                "orgs.error.post.not_of_org",
                &[
                    ("post", &post_kind_name(tr, pack, kind)),
                    ("kind", &org_kind_name(tr, *org_kind)),
                ],
            ),
        ),
        PostError::UnknownPortfolio { portfolio } => (
            "portfolios",
            tr.tf(
                "orgs.error.post.unknown_portfolio",
                &[("portfolio", portfolio)],
            ),
        ),
        PostError::NotLeadership { kind } => (
            "portfolios",
            tr.tf(
                "orgs.error.post.not_leadership",
                &[("post", &post_kind_name(tr, pack, kind))],
            ),
        ),
        PostError::FirstResponsibleTaken { kind } => (
            "kind",
            tr.tf(
                "orgs.error.post.first_taken",
                &[("post", &post_kind_name(tr, pack, kind))],
            ),
        ),
        PostError::OrgClosed { on } => (
            "org",
            tr.tf("orgs.form.error.closed", &[("day", &date(*on))]),
        ),
        PostError::PostClosed { on } => (
            "post",
            tr.tf("orgs.error.post.closed", &[("day", &date(*on))]),
        ),
        PostError::HeldAfterClosing { on, start, end, .. } => (
            "closed_on",
            tr.tf(
                "orgs.error.post.held_after",
                &[
                    ("day", &date(*on)),
                    ("start", &date(*start)),
                    (
                        "end",
                        &end.map(date)
                            .unwrap_or_else(|| tr.t("handover.now").to_string()),
                    ),
                ],
            ),
        ),
        PostError::CloseInFuture { today, .. } => (
            "closed_on",
            tr.tf("orgs.error.tree.close_in_future", &[("day", &date(*today))]),
        ),
        PostError::AlreadyClosed { on } => (
            "closed_on",
            tr.tf("orgs.error.post.already_closed", &[("day", &date(*on))]),
        ),
        PostError::NotClosed => ("closed_on", tr.t("orgs.error.post.not_closed").to_string()),
    }
}

/// A holding problem of an appointment: as the handover tells it, with the appointment's
/// field names (`start` for the handover's `on`).
pub(super) fn appointment_error(tr: Tr, e: &HoldingError) -> FieldError {
    let (field, message) = holding_error(tr, e);
    match (e, field) {
        (HoldingError::EndBeforeStart { .. }, _) => ("end", message),
        (_, "on") => ("start", message),
        (_, f) => (f, message),
    }
}

/// Body of `POST /api/v1/posts`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewPostBody {
    org: String,
    kind: String,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    portfolios: Vec<String>,
}

/// Body of `POST /api/v1/holdings`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppointBody {
    post: String,
    person: String,
    start: String,
    #[serde(default)]
    end: Option<String>,
}

/// A storage refusal of a post or an appointment, told by field.
pub(super) fn refused(tr: Tr, pack: &PolicyPack, e: StorageError) -> ApiError {
    match e {
        StorageError::Post(p) => {
            let (field, message) = post_error(tr, pack, &p);
            invalid(tr, field, &message)
        }
        StorageError::Holding(h) => {
            let (field, message) = appointment_error(tr, &h);
            invalid(tr, field, &message)
        }
        e => from_storage(tr, e),
    }
}

/// `POST /api/v1/posts`
pub(super) async fn api_create_post(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    body: Result<JsonBody<NewPostBody>, Rejected>,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    read_gate(&v)?;
    let b = body.get()?;
    let org = find_visible(&v, &b.org).ok_or_else(|| not_found(tr, "org", b.org.trim()))?;
    require(&v, Permission::ManageOrg, Some(&org.id))?;
    let title = b.title.as_deref().unwrap_or("").trim();
    if title.chars().count() > 200 {
        return Err(invalid(tr, "title", tr.t("orgs.error.name")));
    }
    let portfolios: Vec<&str> = b.portfolios.iter().map(|p| p.trim()).collect();
    let pack = &v.snap.pack;
    let post = async {
        let mut tx = state.db.begin(&v.actor(), state.clock.now()).await?;
        let post = tx
            .create_post(pack, &org.id, b.kind.trim(), title, &portfolios)
            .await?;
        tx.commit().await?;
        Ok::<Post, StorageError>(post)
    }
    .await
    .map_err(|e| refused(tr, pack, e))?;
    Ok((
        StatusCode::CREATED,
        Json(post_out(&v, state.today(), &post, org)),
    )
        .into_response())
}

/// The days of an appointment, or every message at once.
pub(super) fn appointment_days(
    tr: Tr,
    start: &str,
    end: Option<&str>,
) -> Result<(NaiveDate, Option<NaiveDate>), Vec<FieldError>> {
    let mut errors = Vec::new();
    let start = match parse_day(start) {
        Some(d) => Some(d),
        None if start.trim().is_empty() => {
            errors.push(("start", tr.t("orgs.form.error.day_missing").to_string()));
            None
        }
        None => {
            errors.push((
                "start",
                tr.tf("orgs.error.date", &[("value", start.trim())]),
            ));
            None
        }
    };
    let end = match end.map(str::trim).filter(|e| !e.is_empty()) {
        None => None,
        Some(e) => match parse_day(e) {
            Some(d) => Some(d),
            None => {
                errors.push(("end", tr.tf("orgs.error.date", &[("value", e)])));
                None
            }
        },
    };
    match start {
        Some(s) if errors.is_empty() => Ok((s, end)),
        _ => Err(errors),
    }
}

/// Appoints; storage audits it.
async fn appoint(
    state: &AppState,
    v: &Viewer,
    post: &Post,
    person: &str,
    start: NaiveDate,
    end: Option<NaiveDate>,
) -> Result<Holding, StorageError> {
    let mut tx = state.db.begin(&v.actor(), state.clock.now()).await?;
    let h = tx
        .add_holding(&v.snap.pack, &post.id, person, start, end)
        .await?;
    tx.commit().await?;
    Ok(h)
}

/// `POST /api/v1/holdings`
pub(super) async fn api_appoint(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    body: Result<JsonBody<AppointBody>, Rejected>,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    read_gate(&v)?;
    let b = body.get()?;
    let (post, org) =
        find_visible_post(&v, &b.post).ok_or_else(|| not_found(tr, "post", b.post.trim()))?;
    require(&v, Permission::ManageOrg, Some(&org.id))?;
    let m = &v.snap.model;
    let person = b.person.trim();
    // The people one may appoint: the org's own and its parent's (as for a handover); anyone
    // else answers like one that does not exist.
    if !candidates(m, org).iter().any(|(p, _)| p.id == person) {
        return Err(not_found(tr, "person", person));
    }
    let (start, end) = appointment_days(tr, &b.start, b.end.as_deref()).map_err(|errors| {
        let (field, message) = errors.into_iter().next().unwrap_or_default();
        invalid(tr, field, &message)
    })?;
    let h = appoint(&state, &v, post, person, start, end)
        .await
        .map_err(|e| refused(tr, &v.snap.pack, e))?;
    Ok((StatusCode::CREATED, Json(holding_out(m, &h))).into_response())
}

// ------------------------------------------------------------------------------------------
// The pages
// ------------------------------------------------------------------------------------------

/// The form of a new post.
#[derive(Default)]
pub struct PostForm {
    kind: String,
    title: String,
    /// Checked portfolios (the field `portfolio` repeats).
    portfolio: Vec<String>,
}

impl PostForm {
    fn of(pairs: &[(String, String)]) -> PostForm {
        use crate::shared::urls::{form_all, form_first};
        PostForm {
            kind: form_first(pairs, "kind").to_string(),
            title: form_first(pairs, "title").to_string(),
            portfolio: form_all(pairs, "portfolio"),
        }
    }
}

/// The form of an appointment.
#[derive(Deserialize, Default)]
pub struct AppointForm {
    #[serde(default)]
    person: String,
    #[serde(default)]
    start: String,
    #[serde(default)]
    end: String,
}

#[derive(Template)]
#[template(path = "post_form.html")]
pub(super) struct PostFormPage {
    frame: Frame,
    tr: Tr,
    csrf: String,
    action: String,
    org_name: String,
    org_href: String,
    /// (id, name, leadership) of the post kinds the org may have.
    kinds: Vec<(String, String, bool)>,
    /// (id, name) of the policy's portfolios.
    portfolios: Vec<(String, String)>,
    form: PostForm,
    errors: Vec<FieldError>,
}

impl PostFormPage {
    fn checked(&self, portfolio: &str) -> bool {
        self.form.portfolio.iter().any(|p| p == portfolio)
    }
}

impl FormMessages for PostFormPage {
    fn messages(&self) -> &[FieldError] {
        &self.errors
    }

    fn shown(&self) -> &'static [&'static str] {
        &["kind", "title", "portfolios"]
    }
}

#[derive(Template)]
#[template(path = "appoint.html")]
pub(super) struct AppointPage {
    frame: Frame,
    tr: Tr,
    head: PostFormHead,
    current: Vec<HolderView>,
    people: Vec<(String, String)>,
    form: AppointForm,
    errors: Vec<FieldError>,
}

impl FormMessages for AppointPage {
    fn messages(&self) -> &[FieldError] {
        &self.errors
    }

    fn shown(&self) -> &'static [&'static str] {
        &["person", "start", "end"]
    }
}

fn status_of(errors: &[FieldError]) -> StatusCode {
    if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    }
}

fn post_form_page(
    state: &AppState,
    v: &Viewer,
    org: &Org,
    form: PostForm,
    errors: Vec<FieldError>,
) -> Response {
    let tr = v.tr;
    let pack = &v.snap.pack;
    let lang = tr.lang();
    page(
        status_of(&errors),
        &PostFormPage {
            frame: Frame::of(state, Some(v)),
            tr,
            csrf: v.csrf().to_string(),
            action: format!("/orgs/{}/posts/new{}", encode(&org.code), tr.qs()),
            org_name: org.name.clone(),
            org_href: org_href(&org.code, tr),
            kinds: zeren_core::org::post_kinds_of(pack, org.kind)
                .map(|k| (k.id.clone(), post_kind_name(tr, pack, &k.id), k.leadership))
                .collect(),
            portfolios: pack
                .portfolios
                .iter()
                .map(|p| (p.id.clone(), lang.pick(&p.name, &p.name_en).to_string()))
                .collect(),
            form,
            errors,
        },
    )
}

/// The org of a post form after the checks: 403 without managing it, 404 out of scope, 422
/// for a closed org.
fn post_target<'a>(v: &'a Viewer, code: &str) -> Result<&'a Org, Box<Response>> {
    let tr = v.tr;
    if !v.principal.can_somewhere(Permission::ReadOrg) {
        return Err(Box::new(forbidden_page(tr)));
    }
    let org = find_visible(v, code).ok_or_else(|| Box::new(org_not_found_page(tr, code)))?;
    if !v.can(Permission::ManageOrg, Some(&org.id)) {
        return Err(Box::new(forbidden_page(tr)));
    }
    if let Some(on) = org.closed_on {
        return Err(Box::new(error_page(
            tr,
            ErrorCode::Validation,
            "orgs.form.new_post.title",
            tr.tf("orgs.form.error.closed", &[("day", &date(on))]),
        )));
    }
    Ok(org)
}

/// `GET /orgs/{code}/posts/new`
pub(super) async fn new_post_form(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    Path(code): Path<String>,
) -> Response {
    match post_target(&v, &code) {
        Ok(org) => post_form_page(&state, &v, org, PostForm::default(), Vec::new()),
        Err(refused) => *refused,
    }
}

/// `POST /orgs/{code}/posts/new`
pub(super) async fn new_post_submit(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    Path(code): Path<String>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let tr = v.tr;
    let org = match post_target(&v, &code) {
        Ok(org) => org,
        Err(refused) => return *refused,
    };
    let Ok(Form(pairs)) = form else {
        let errors = vec![("form", tr.t("handover.error.form").to_string())];
        return post_form_page(&state, &v, org, PostForm::default(), errors);
    };
    let form = PostForm::of(&pairs);
    if form.title.trim().chars().count() > 200 {
        let errors = vec![("title", tr.t("orgs.error.name").to_string())];
        return post_form_page(&state, &v, org, form, errors);
    }
    let pack = &v.snap.pack;
    let portfolios: Vec<&str> = form.portfolio.iter().map(|p| p.trim()).collect();
    let made = async {
        let mut tx = state.db.begin(&v.actor(), state.clock.now()).await?;
        let post = tx
            .create_post(
                pack,
                &org.id,
                form.kind.trim(),
                form.title.trim(),
                &portfolios,
            )
            .await?;
        tx.commit().await?;
        Ok::<Post, StorageError>(post)
    }
    .await;
    match made {
        Ok(post) => redirect(&format!("{}#post-{}", org_href(&org.code, tr), post.id)),
        Err(StorageError::Post(e)) => {
            let errors = vec![post_error(tr, pack, &e)];
            post_form_page(&state, &v, org, form, errors)
        }
        Err(e) => storage_page(tr, &e),
    }
}

fn appoint_page(
    state: &AppState,
    v: &Viewer,
    org: &Org,
    post: &Post,
    form: AppointForm,
    errors: Vec<FieldError>,
) -> Response {
    let tr = v.tr;
    let m = &v.snap.model;
    page(
        status_of(&errors),
        &AppointPage {
            frame: Frame::of(state, Some(v)),
            tr,
            head: PostFormHead::of(v, org, post, "appoint"),
            current: m
                .holders_on(&post.id, state.today())
                .into_iter()
                .map(|h| holder_view(m, h))
                .collect(),
            people: candidates(m, org)
                .into_iter()
                .map(|(p, o)| (p.id.clone(), format!("{}（{}）", p.name, o.name)))
                .collect(),
            form,
            errors,
        },
    )
}

/// `GET /orgs/{code}/posts/{post_id}/appoint`
pub(super) async fn appoint_form(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    Path((code, post_id)): Path<(String, String)>,
) -> Response {
    match open_post(&v, &code, &post_id) {
        Ok((org, post)) => {
            let form = AppointForm {
                start: date(state.today()),
                ..AppointForm::default()
            };
            appoint_page(&state, &v, org, post, form, Vec::new())
        }
        Err(refused) => refused.page(v.tr, &code, &post_id),
    }
}

/// `POST /orgs/{code}/posts/{post_id}/appoint`
pub(super) async fn appoint_submit(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    Path((code, post_id)): Path<(String, String)>,
    form: Result<Form<AppointForm>, FormRejection>,
) -> Response {
    let tr = v.tr;
    let (org, post) = match open_post(&v, &code, &post_id) {
        Ok(t) => t,
        Err(refused) => return refused.page(tr, &code, &post_id),
    };
    let Ok(Form(form)) = form else {
        let errors = vec![("form", tr.t("handover.error.form").to_string())];
        return appoint_page(&state, &v, org, post, AppointForm::default(), errors);
    };
    let person = form.person.trim().to_string();
    let mut errors = Vec::new();
    if !candidates(&v.snap.model, org)
        .iter()
        .any(|(p, _)| p.id == person)
    {
        errors.push(("person", tr.t("handover.error.person_missing").to_string()));
    }
    let days = appointment_days(tr, &form.start, Some(&form.end));
    let (start, end) = match days {
        Ok(d) if errors.is_empty() => d,
        Ok(_) => return appoint_page(&state, &v, org, post, form, errors),
        Err(more) => {
            errors.extend(more);
            return appoint_page(&state, &v, org, post, form, errors);
        }
    };
    match appoint(&state, &v, post, &person, start, end).await {
        Ok(_) => redirect(&format!("{}#post-{}", org_href(&org.code, tr), post.id)),
        Err(StorageError::Holding(e)) => {
            let errors = vec![appointment_error(tr, &e)];
            appoint_page(&state, &v, org, post, form, errors)
        }
        Err(StorageError::Post(e)) => {
            let errors = vec![post_error(tr, &v.snap.pack, &e)];
            appoint_page(&state, &v, org, post, form, errors)
        }
        Err(e) => storage_page(tr, &e),
    }
}

/// `PATCH /api/v1/holdings/{id}`: ends a holding on a day, or corrects its dates with a reason.
pub(super) async fn api_update_holding(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    id: Result<Path<String>, Rejected>,
    body: Result<JsonBody<DatesPatch>, Rejected>,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    read_gate(&v)?;
    let id = id.get()?;
    let m = &v.snap.model;
    let (holding, org) = m
        .holdings()
        .iter()
        .find(|h| h.id == id)
        .and_then(|h| find_visible_post(&v, &h.post).map(|(_, o)| (h, o)))
        .ok_or_else(|| not_found(tr, "id", &id))?;
    require(&v, Permission::ManageOrg, Some(&org.id))?;
    let b = body.get()?;
    let edit = b.edit(tr)?;
    let pack = &v.snap.pack;
    let (after, version) = update_holding(&state, &v, &holding.id, b.version, edit)
        .await
        .map_err(|e| refused(tr, pack, e))?;
    let mut out = serde_json::to_value(holding_out(m, &after)).unwrap_or_default();
    out["version"] = serde_json::json!(version);
    Ok(Json(out).into_response())
}
