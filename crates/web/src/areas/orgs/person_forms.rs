//! People kept by the org's own managers: a person's 工号, contact and 企业微信/钉钉 ids edited,
//! a person leaving on a day (their posts and portfolios end that day), a person added to an
//! org — the pages' forms and `GET|PATCH /api/v1/people/{id}`.
//!
//! Who may: whoever reads the person's org sees the person; whoever manages it edits them
//! (moving them to another org takes managing that one too). A person outside the viewer's
//! scope answers like one that does not exist (404); administrators have no business here
//! (403). The rules of each field are storage's (`zeren_storage::PersonError`), told here.

use super::*;
use crate::shared::format::FormMessages;
use zeren_storage::repo::people::{
    CHANNEL_ID_MAX, EMAIL_MAX, STAFF_NO_MAX, check_dingtalk_id, check_email, check_name,
    check_staff_no, check_wecom_id,
};
use zeren_storage::{NewPerson, PersonEdit, PersonError, PersonRecord};

/// A person, if they exist and their org is within the viewer's scope.
pub(super) fn find_visible_person<'a>(v: &'a Viewer, id: &str) -> Option<(&'a Person, &'a Org)> {
    let m = &v.snap.model;
    let p = m.person(id.trim())?;
    let org = m.org(&p.org)?;
    visible(v, &org.id).then_some((p, org))
}

/// The same page for a person who does not exist and one outside the viewer's scope.
pub(super) fn person_not_found_page(tr: Tr, id: &str) -> Response {
    error_page(
        tr,
        ErrorCode::NotFound,
        "people.not_found.title",
        tr.tf("people.not_found", &[("id", id)]),
    )
}

/// A person's field the user got wrong: the field and the message.
pub(super) fn person_error(tr: Tr, m: &OrgModel, e: &PersonError) -> FieldError {
    let message = match e {
        PersonError::Name => tr.t("people.error.name").to_string(),
        PersonError::StaffNo => tr.tf(
            "people.error.staff_no",
            &[("max", &STAFF_NO_MAX.to_string())],
        ),
        PersonError::Email => tr.tf("people.error.email", &[("max", &EMAIL_MAX.to_string())]),
        PersonError::WecomId => tr.tf(
            "people.error.wecom_id",
            &[("max", &CHANNEL_ID_MAX.to_string())],
        ),
        PersonError::DingtalkId => tr.tf(
            "people.error.dingtalk_id",
            &[("max", &CHANNEL_ID_MAX.to_string())],
        ),
        PersonError::LeftBeforeHoldingStart { post, start, .. } => {
            let title = m.post(post).map(|p| p.title.clone()).unwrap_or_default();
            tr.tf(
                "people.error.left_before",
                &[("post", &title), ("day", &date(*start))],
            )
        }
    };
    (e.field(), message)
}

/// A person's field the user got wrong, told in `lang` (for the command line).
pub fn person_message(lang: zeren_core::Lang, m: &OrgModel, e: &PersonError) -> String {
    let (field, message) = person_error(Tr::preferred(lang), m, e);
    format!("{field}: {message}")
}

/// A taken staff number, told in `lang` (for the command line).
pub fn staff_no_taken_message(lang: zeren_core::Lang, staff_no: &str) -> String {
    Tr::preferred(lang).tf("people.error.staff_no_taken", &[("key", staff_no)])
}

/// A storage refusal of a person's change, as the API answers it.
pub(super) fn person_api_refused(tr: Tr, m: &OrgModel, e: StorageError) -> ApiError {
    match e {
        StorageError::Person(p) => {
            let (field, message) = person_error(tr, m, &p);
            invalid(tr, field, &message)
        }
        StorageError::Duplicate { key, .. } => ApiError::new(
            ErrorCode::Conflict,
            tr.tf(
                "error.field",
                &[
                    ("field", "staff_no"),
                    (
                        "message",
                        &tr.tf("people.error.staff_no_taken", &[("key", &key)]),
                    ),
                ],
            ),
        ),
        StorageError::NotFound { what: "org", id } => not_found(tr, "org", &id),
        e => Refusal::storage(tr, e, "people.error.conflict", || {
            Refusal::new(
                ErrorCode::NotFound,
                generic_message(tr, ErrorCode::NotFound),
            )
        })
        .api(),
    }
}

/// A holding of a person as the API writes it.
#[derive(Serialize)]
pub(super) struct PersonHoldingOut<'a> {
    holding: &'a str,
    post: &'a str,
    title: &'a str,
    org: &'a str,
    org_code: &'a str,
    start: NaiveDate,
    end: Option<NaiveDate>,
}

/// A person as the roster keeps them, with their version and every post they held.
#[derive(Serialize)]
pub(super) struct PersonRecordOut<'a> {
    id: &'a str,
    name: &'a str,
    org: &'a str,
    org_code: Option<&'a str>,
    org_name: Option<&'a str>,
    staff_no: Option<&'a str>,
    email: Option<&'a str>,
    wecom_id: Option<&'a str>,
    dingtalk_id: Option<&'a str>,
    left_on: Option<NaiveDate>,
    version: i64,
    /// Holdings, oldest first (as the snapshot knows them).
    holdings: Vec<PersonHoldingOut<'a>>,
}

/// Every holding of a person, oldest first, with its post and org.
pub(super) fn holdings_of<'a>(
    m: &'a OrgModel,
    person: &str,
) -> Vec<(&'a Holding, &'a Post, &'a Org)> {
    let mut out: Vec<(&Holding, &Post, &Org)> = m
        .holdings_of_person(person)
        .filter_map(|h| {
            let post = m.post(&h.post)?;
            let org = m.org(&post.org)?;
            Some((h, post, org))
        })
        .collect();
    out.sort_by(|a, b| (a.0.start, &a.0.id).cmp(&(b.0.start, &b.0.id)));
    out
}

fn record_out<'a>(m: &'a OrgModel, r: &'a PersonRecord) -> PersonRecordOut<'a> {
    let org = m.org(&r.org);
    PersonRecordOut {
        id: &r.id,
        name: &r.name,
        org: &r.org,
        org_code: org.map(|o| o.code.as_str()),
        org_name: org.map(|o| o.name.as_str()),
        staff_no: r.staff_no.as_deref(),
        email: r.email.as_deref(),
        wecom_id: r.wecom_id.as_deref(),
        dingtalk_id: r.dingtalk_id.as_deref(),
        left_on: r.left_on,
        version: r.version,
        holdings: holdings_of(m, &r.id)
            .into_iter()
            .map(|(h, post, org)| PersonHoldingOut {
                holding: &h.id,
                post: &post.id,
                title: &post.title,
                org: &org.id,
                org_code: &org.code,
                start: h.start,
                end: h.end,
            })
            .collect(),
    }
}

/// `GET /api/v1/people/{id}`
pub(super) async fn api_person(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    id: Result<Path<String>, Rejected>,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    read_gate(&v)?;
    let id = id.get()?;
    let (person, _) = find_visible_person(&v, &id).ok_or_else(|| not_found(tr, "id", &id))?;
    let record = state
        .db
        .person_record(&person.id)
        .await
        .map_err(|e| person_api_refused(tr, &v.snap.model, e))?;
    Ok(Json(record_out(&v.snap.model, &record)).into_response())
}

/// Body of `PATCH /api/v1/people/{id}`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonPatch {
    version: i64,
    #[serde(default)]
    name: Option<String>,
    /// Another org (code or id) the person moves to.
    #[serde(default)]
    org: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    staff_no: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    email: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    wecom_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    dingtalk_id: Option<Option<String>>,
    /// A day: the person's last; `null`: they are back.
    #[serde(default, deserialize_with = "double_option")]
    left_on: Option<Option<String>>,
}

/// An optional field checked by `check`: `Some(None)` clears it.
fn checked_opt(
    value: Option<Option<String>>,
    check: fn(&str) -> Result<Option<String>, PersonError>,
) -> Result<Option<Option<String>>, PersonError> {
    value.map(|v| check(v.as_deref().unwrap_or(""))).transpose()
}

/// `PATCH /api/v1/people/{id}`
pub(super) async fn api_update_person(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    id: Result<Path<String>, Rejected>,
    body: Result<JsonBody<PersonPatch>, Rejected>,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    read_gate(&v)?;
    let id = id.get()?;
    let (person, _) = find_visible_person(&v, &id).ok_or_else(|| not_found(tr, "id", &id))?;
    require(&v, Permission::ManageOrg, Some(&person.org))?;
    let b = body.get()?;
    let m = &v.snap.model;
    let field = |e: PersonError| {
        let (field, message) = person_error(tr, m, &e);
        invalid(tr, field, &message)
    };
    let name = b
        .name
        .as_deref()
        .map(check_name)
        .transpose()
        .map_err(field)?;
    let staff_no = checked_opt(b.staff_no, check_staff_no).map_err(field)?;
    let email = checked_opt(b.email, check_email).map_err(field)?;
    let wecom_id = checked_opt(b.wecom_id, check_wecom_id).map_err(field)?;
    let dingtalk_id = checked_opt(b.dingtalk_id, check_dingtalk_id).map_err(field)?;
    let left_on = match b.left_on {
        None => None,
        Some(None) => Some(None),
        Some(Some(s)) => Some(Some(parse_day(&s).ok_or_else(|| {
            invalid(
                tr,
                "left_on",
                &tr.tf("orgs.error.date", &[("value", s.trim())]),
            )
        })?)),
    };
    // Another org must be one the caller manages too (one outside the scope answers as one
    // that does not exist).
    let org = match b.org.as_deref().map(str::trim) {
        None => None,
        Some(o) => {
            let target = find_visible(&v, o).ok_or_else(|| not_found(tr, "org", o))?;
            require(&v, Permission::ManageOrg, Some(&target.id))?;
            Some(target.id.clone())
        }
    };
    let edit = PersonEdit {
        name,
        org,
        staff_no,
        email,
        wecom_id,
        dingtalk_id,
        left_on,
    };
    let (record, _) = update(&state, &v, &person.id, b.version, edit)
        .await
        .map_err(|e| person_api_refused(tr, m, e))?;
    Ok(Json(record_out(m, &record)).into_response())
}

/// Edits a person; storage checks and audits it.
async fn update(
    state: &AppState,
    v: &Viewer,
    id: &str,
    version: i64,
    edit: PersonEdit,
) -> Result<(PersonRecord, i64), StorageError> {
    let mut tx = state.db.begin(&v.actor(), state.clock.now()).await?;
    let out = tx.update_person(id, version, edit).await?;
    tx.commit().await?;
    Ok(out)
}

/// Creates a person; storage checks and audits it.
pub(super) async fn create(
    state: &AppState,
    v: &Viewer,
    new: NewPerson,
) -> Result<Person, StorageError> {
    let mut tx = state.db.begin(&v.actor(), state.clock.now()).await?;
    let p = tx.create_person(new).await?;
    tx.commit().await?;
    Ok(p)
}

/// Checks the optional fields of a new person (the API's and the form's), every message at once.
pub(super) fn new_person_fields(
    tr: Tr,
    m: &OrgModel,
    name: &str,
    staff_no: &str,
    email: &str,
    wecom_id: &str,
    dingtalk_id: &str,
) -> Result<(String, [Option<String>; 4]), Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut keep = |r: Result<Option<String>, PersonError>| match r {
        Ok(v) => v,
        Err(e) => {
            errors.push(person_error(tr, m, &e));
            None
        }
    };
    let name = keep(check_name(name).map(Some)).unwrap_or_default();
    let fields = [
        keep(check_staff_no(staff_no)),
        keep(check_email(email)),
        keep(check_wecom_id(wecom_id)),
        keep(check_dingtalk_id(dingtalk_id)),
    ];
    if errors.is_empty() {
        Ok((name, fields))
    } else {
        Err(errors)
    }
}

// ------------------------------------------------------------------------------------------
// The pages
// ------------------------------------------------------------------------------------------

/// What one person form does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum PersonAction {
    /// A new person in an org.
    New,
    /// Name, staff number and contact.
    Edit,
    /// The last day.
    Leave,
}

impl PersonAction {
    fn key(self) -> &'static str {
        match self {
            PersonAction::New => "new",
            PersonAction::Edit => "edit",
            PersonAction::Leave => "leave",
        }
    }
}

/// The form of every person action (each shows the fields it needs).
#[derive(Deserialize, Default, Clone)]
pub struct PersonForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    staff_no: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    wecom_id: String,
    #[serde(default)]
    dingtalk_id: String,
    #[serde(default)]
    left_on: String,
    #[serde(default)]
    version: String,
}

#[derive(Template)]
#[template(path = "person_form.html")]
pub(super) struct PersonFormPage {
    frame: Frame,
    tr: Tr,
    csrf: String,
    action: String,
    /// `new`, `edit` or `leave`: the catalogue keys of the title, lead and button.
    key: &'static str,
    /// The person's name (empty for a new one).
    person_name: String,
    /// Where the cancel link goes: the person, or the org's people.
    back_href: String,
    org_name: String,
    org_href: String,
    /// The holdings a leaving ends: "title（org）自 start".
    ending: Vec<String>,
    form: PersonForm,
    errors: Vec<FieldError>,
}

impl PersonFormPage {
    fn text(&self, part: &str) -> String {
        self.tr
            .t(&format!("people.form.{}.{part}", self.key))
            .to_string()
    }

    fn lead(&self) -> String {
        self.tr.tf(
            &format!("people.form.{}.lead", self.key),
            &[("name", &self.person_name), ("org", &self.org_name)],
        )
    }
}

impl FormMessages for PersonFormPage {
    fn messages(&self) -> &[FieldError] {
        &self.errors
    }

    fn shown(&self) -> &'static [&'static str] {
        match self.key {
            "leave" => &["left_on"],
            _ => &["name", "staff_no", "email", "wecom_id", "dingtalk_id"],
        }
    }
}

/// The link to a person's page.
pub(super) fn person_href(id: &str, tr: Tr) -> String {
    format!("/people/{}{}", encode(id), tr.qs())
}

/// Holdings of the person still held after `day`, as the leave form lists them.
fn ending_after(m: &OrgModel, person: &str, day: NaiveDate) -> Vec<String> {
    holdings_of(m, person)
        .into_iter()
        .filter(|(h, _, _)| h.end.is_none_or(|e| e > day))
        .map(|(h, post, org)| format!("{}（{}）{}", post.title, org.name, date(h.start)))
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn person_form_page(
    state: &AppState,
    v: &Viewer,
    action: PersonAction,
    org: &Org,
    person: Option<&Person>,
    form: PersonForm,
    errors: Vec<FieldError>,
    status: StatusCode,
) -> Response {
    let tr = v.tr;
    let m = &v.snap.model;
    let (path, back_href) = match person {
        Some(p) => (
            format!("/people/{}/{}", encode(&p.id), action.key()),
            person_href(&p.id, tr),
        ),
        None => (
            format!("/orgs/{}/people/new", encode(&org.code)),
            href_with("/people", &[("org", org.code.as_str())], tr),
        ),
    };
    let ending = match (action, person) {
        (PersonAction::Leave, Some(p)) => {
            let day = parse_day(&form.left_on).unwrap_or_else(|| state.today());
            ending_after(m, &p.id, day)
        }
        _ => Vec::new(),
    };
    page(
        status,
        &PersonFormPage {
            frame: Frame::of(state, Some(v)),
            tr,
            csrf: v.csrf().to_string(),
            action: format!("{path}{}", tr.qs()),
            key: action.key(),
            person_name: person.map(|p| p.name.clone()).unwrap_or_default(),
            back_href,
            org_name: org.name.clone(),
            org_href: org_href(&org.code, tr),
            ending,
            form,
            errors,
        },
    )
}

/// Why a person form refuses.
enum Refused {
    Forbidden,
    Person,
    Org,
}

impl Refused {
    fn page(self, tr: Tr, id: &str) -> Response {
        match self {
            Refused::Forbidden => forbidden_page(tr),
            Refused::Person => person_not_found_page(tr, id),
            Refused::Org => org_not_found_page(tr, id),
        }
    }
}

/// The person of an edit or leave form after the checks: 403 for no business role, 404 out of
/// scope, 403 without managing the person's org.
fn managed_person<'a>(v: &'a Viewer, id: &str) -> Result<(&'a Person, &'a Org), Refused> {
    if !v.principal.can_somewhere(Permission::ReadOrg) {
        return Err(Refused::Forbidden);
    }
    let (p, org) = find_visible_person(v, id).ok_or(Refused::Person)?;
    if !v.can(Permission::ManageOrg, Some(&org.id)) {
        return Err(Refused::Forbidden);
    }
    Ok((p, org))
}

/// The org of the new-person form after the same checks.
fn managed_org<'a>(v: &'a Viewer, code: &str) -> Result<&'a Org, Refused> {
    if !v.principal.can_somewhere(Permission::ReadOrg) {
        return Err(Refused::Forbidden);
    }
    let org = find_visible(v, code).ok_or(Refused::Org)?;
    if !v.can(Permission::ManageOrg, Some(&org.id)) {
        return Err(Refused::Forbidden);
    }
    Ok(org)
}

/// The form as it first shows for a person.
async fn first_form(
    state: &AppState,
    person: &Person,
    action: PersonAction,
) -> Result<PersonForm, StorageError> {
    let r = state.db.person_record(&person.id).await?;
    Ok(PersonForm {
        name: r.name,
        staff_no: r.staff_no.unwrap_or_default(),
        email: r.email.unwrap_or_default(),
        wecom_id: r.wecom_id.unwrap_or_default(),
        dingtalk_id: r.dingtalk_id.unwrap_or_default(),
        left_on: match (action, r.left_on) {
            (_, Some(d)) => date(d),
            (PersonAction::Leave, None) => date(state.today()),
            _ => String::new(),
        },
        version: r.version.to_string(),
    })
}

/// `GET /people/{id}/edit` and `/leave`.
async fn person_form(state: &AppState, v: &Viewer, id: &str, action: PersonAction) -> Response {
    let tr = v.tr;
    let (person, org) = match managed_person(v, id) {
        Ok(t) => t,
        Err(refused) => return refused.page(tr, id),
    };
    match first_form(state, person, action).await {
        Ok(form) => person_form_page(
            state,
            v,
            action,
            org,
            Some(person),
            form,
            Vec::new(),
            StatusCode::OK,
        ),
        Err(e) => storage_page(tr, &e),
    }
}

/// A storage refusal as the form shows it, with its status.
fn form_refusal(
    tr: Tr,
    m: &OrgModel,
    e: StorageError,
) -> Result<(StatusCode, Vec<FieldError>), StorageError> {
    match e {
        StorageError::Person(p) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            vec![person_error(tr, m, &p)],
        )),
        StorageError::Duplicate { key, .. } => Ok((
            StatusCode::CONFLICT,
            vec![(
                "staff_no",
                tr.tf("people.error.staff_no_taken", &[("key", &key)]),
            )],
        )),
        StorageError::Conflict { .. } => Ok((
            StatusCode::CONFLICT,
            vec![("form", tr.t("people.form.error.stale").to_string())],
        )),
        e => Err(e),
    }
}

/// `POST /people/{id}/edit` and `/leave`: checks, writes, and goes to the person.
async fn person_submit(
    state: &AppState,
    v: &Viewer,
    id: &str,
    action: PersonAction,
    form: Result<Form<PersonForm>, FormRejection>,
) -> Response {
    let tr = v.tr;
    let m = &v.snap.model;
    let (person, org) = match managed_person(v, id) {
        Ok(t) => t,
        Err(refused) => return refused.page(tr, id),
    };
    let show = |form: PersonForm, errors: Vec<FieldError>, status: StatusCode| {
        person_form_page(state, v, action, org, Some(person), form, errors, status)
    };
    let form = match form {
        Ok(Form(f)) => f,
        Err(e) => {
            tracing::debug!(error = %e.body_text(), "person form unreadable");
            let errors = vec![("form", tr.t("handover.error.form").to_string())];
            return show(PersonForm::default(), errors, StatusCode::BAD_REQUEST);
        }
    };
    let Ok(version) = form.version.trim().parse::<i64>() else {
        let errors = vec![("form", tr.t("orgs.form.error.version").to_string())];
        return show(form, errors, StatusCode::UNPROCESSABLE_ENTITY);
    };
    let edit = match action {
        PersonAction::Leave => {
            let value = form.left_on.trim();
            let day = if value.is_empty() {
                Err(tr.t("orgs.form.error.day_missing").to_string())
            } else {
                parse_day(value).ok_or_else(|| tr.tf("orgs.error.date", &[("value", value)]))
            };
            match day {
                Ok(d) => PersonEdit {
                    left_on: Some(Some(d)),
                    ..PersonEdit::default()
                },
                Err(message) => {
                    return show(
                        form,
                        vec![("left_on", message)],
                        StatusCode::UNPROCESSABLE_ENTITY,
                    );
                }
            }
        }
        _ => match new_person_fields(
            tr,
            m,
            &form.name,
            &form.staff_no,
            &form.email,
            &form.wecom_id,
            &form.dingtalk_id,
        ) {
            Ok((name, [staff_no, email, wecom_id, dingtalk_id])) => PersonEdit {
                name: Some(name),
                staff_no: Some(staff_no),
                email: Some(email),
                wecom_id: Some(wecom_id),
                dingtalk_id: Some(dingtalk_id),
                ..PersonEdit::default()
            },
            Err(errors) => return show(form, errors, StatusCode::UNPROCESSABLE_ENTITY),
        },
    };
    match update(state, v, &person.id, version, edit).await {
        Ok(_) => redirect(&person_href(&person.id, tr)),
        Err(e) => match form_refusal(tr, m, e) {
            Ok((status, errors)) => show(form, errors, status),
            Err(e) => storage_page(tr, &e),
        },
    }
}

/// `GET /people/{id}/edit`
pub(super) async fn person_edit_form(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    Path(id): Path<String>,
) -> Response {
    person_form(&state, &v, &id, PersonAction::Edit).await
}

/// `POST /people/{id}/edit`
pub(super) async fn person_edit_submit(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    Path(id): Path<String>,
    form: Result<Form<PersonForm>, FormRejection>,
) -> Response {
    person_submit(&state, &v, &id, PersonAction::Edit, form).await
}

/// `GET /people/{id}/leave`
pub(super) async fn person_leave_form(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    Path(id): Path<String>,
) -> Response {
    person_form(&state, &v, &id, PersonAction::Leave).await
}

/// `POST /people/{id}/leave`
pub(super) async fn person_leave_submit(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    Path(id): Path<String>,
    form: Result<Form<PersonForm>, FormRejection>,
) -> Response {
    person_submit(&state, &v, &id, PersonAction::Leave, form).await
}

/// `GET /orgs/{code}/people/new`
pub(super) async fn new_person_form(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    Path(code): Path<String>,
) -> Response {
    match managed_org(&v, &code) {
        Ok(org) => person_form_page(
            &state,
            &v,
            PersonAction::New,
            org,
            None,
            PersonForm::default(),
            Vec::new(),
            StatusCode::OK,
        ),
        Err(refused) => refused.page(v.tr, &code),
    }
}

/// `POST /orgs/{code}/people/new`
pub(super) async fn new_person_submit(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    Path(code): Path<String>,
    form: Result<Form<PersonForm>, FormRejection>,
) -> Response {
    let tr = v.tr;
    let m = &v.snap.model;
    let org = match managed_org(&v, &code) {
        Ok(o) => o,
        Err(refused) => return refused.page(tr, &code),
    };
    let show = |form: PersonForm, errors: Vec<FieldError>, status: StatusCode| {
        person_form_page(
            &state,
            &v,
            PersonAction::New,
            org,
            None,
            form,
            errors,
            status,
        )
    };
    let form = match form {
        Ok(Form(f)) => f,
        Err(e) => {
            tracing::debug!(error = %e.body_text(), "person form unreadable");
            let errors = vec![("form", tr.t("handover.error.form").to_string())];
            return show(PersonForm::default(), errors, StatusCode::BAD_REQUEST);
        }
    };
    let new = match new_person_fields(
        tr,
        m,
        &form.name,
        &form.staff_no,
        &form.email,
        &form.wecom_id,
        &form.dingtalk_id,
    ) {
        Ok((name, [staff_no, email, wecom_id, dingtalk_id])) => NewPerson {
            name,
            org: org.id.clone(),
            staff_no,
            email,
            wecom_id,
            dingtalk_id,
        },
        Err(errors) => return show(form, errors, StatusCode::UNPROCESSABLE_ENTITY),
    };
    match create(&state, &v, new).await {
        Ok(p) => redirect(&person_href(&p.id, tr)),
        Err(e) => match form_refusal(tr, m, e) {
            Ok((status, errors)) => show(form, errors, status),
            Err(e) => storage_page(tr, &e),
        },
    }
}
