//! Handover (page and API share the checks).

use super::*;

/// People who may take a post over: those of its org and of the org's parent.
pub(super) fn candidates<'a>(m: &'a OrgModel, org: &Org) -> Vec<(&'a Person, &'a Org)> {
    let mut out: Vec<(&Person, &Org)> = m
        .people_of(&org.id)
        .chain(org.parent.iter().flat_map(|parent| m.people_of(parent)))
        .filter_map(|p| m.org(&p.org).map(|o| (p, o)))
        .collect();
    // The org's own people first, then the parent's; by name within each.
    out.sort_by(|a, b| {
        (a.1.id != org.id, &a.0.name, &a.0.id).cmp(&(b.1.id != org.id, &b.0.name, &b.0.id))
    });
    out
}

/// A handover problem: the field it is about and the message.
pub(super) type FieldError = (&'static str, String);

pub(super) fn holding_error(tr: Tr, e: &HoldingError) -> FieldError {
    match e {
        HoldingError::NothingToHandOver(eve) => (
            "on",
            tr.tf("handover.error.nothing", &[("day", &date(*eve))]),
        ),
        HoldingError::HandoverOutside { start, .. } => (
            "on",
            tr.tf(
                "handover.error.not_after_start",
                &[("start", &date(*start))],
            ),
        ),
        HoldingError::SamePerson { start, .. } => (
            "person",
            tr.tf("handover.error.same_person", &[("start", &date(*start))]),
        ),
        HoldingError::Overlap { start, end, .. } => (
            "on",
            tr.tf(
                "handover.error.overlap",
                &[
                    ("start", &date(*start)),
                    (
                        "end",
                        &end.map(date)
                            .unwrap_or_else(|| tr.t("handover.now").to_string()),
                    ),
                ],
            ),
        ),
        HoldingError::ReasonRequired => ("reason", tr.t("orgs.error.holding.reason").to_string()),
        HoldingError::EndBeforeStart { start, end } => (
            "on",
            tr.tf(
                "handover.error.end_before_start",
                &[("start", &date(*start)), ("end", &date(*end))],
            ),
        ),
    }
}

/// Checks a handover against the snapshot: the day, the person, and the core's rules.
/// `person_ok` says whether the person may be chosen at all.
pub(super) fn check_handover(
    tr: Tr,
    m: &OrgModel,
    post: &Post,
    person: &str,
    person_ok: bool,
    on: &str,
) -> Result<NaiveDate, Vec<FieldError>> {
    let mut errors: Vec<FieldError> = Vec::new();
    if person.trim().is_empty() {
        errors.push(("person", tr.t("handover.error.person_missing").to_string()));
    } else if !person_ok {
        errors.push(("person", tr.t("handover.error.person_unknown").to_string()));
    }
    let day = if on.trim().is_empty() {
        errors.push(("on", tr.t("handover.error.date_missing").to_string()));
        None
    } else {
        match parse_day(on) {
            Some(d) => Some(d),
            None => {
                errors.push((
                    "on",
                    tr.tf("handover.error.date_malformed", &[("value", on.trim())]),
                ));
                None
            }
        }
    };
    let Some(day) = day else {
        return Err(errors);
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    let holdings: Vec<Holding> = m.holdings_of(&post.id).cloned().collect();
    // The latest holding is the one handed over (or, ended, the one there is nothing after).
    if let Some(latest) = holdings.iter().max_by_key(|h| h.start) {
        if latest.person == person.trim() && latest.end.is_none_or(|e| e >= sub_days(day, 1)) {
            return Err(vec![(
                "person",
                tr.tf(
                    "handover.error.already_holds",
                    &[("start", &date(latest.start))],
                ),
            )]);
        }
        if day <= latest.start {
            return Err(vec![(
                "on",
                tr.tf(
                    "handover.error.not_after_start",
                    &[("start", &date(latest.start))],
                ),
            )]);
        }
    }
    match plan_handover(&holdings, &post.id, person.trim(), day, String::new()) {
        Ok(_) => Ok(day),
        Err(e) => Err(vec![holding_error(tr, &e)]),
    }
}

/// Records the handover; storage audits it.
pub(super) async fn do_handover(
    state: &AppState,
    v: &Viewer,
    post: &str,
    person: &str,
    on: NaiveDate,
) -> Result<(Holding, Holding), StorageError> {
    let mut tx = state.db.begin(&v.actor(), state.clock.now()).await?;
    let done = tx.handover(&v.snap.pack, post, person, on).await?;
    tx.commit().await?;
    Ok(done)
}

#[derive(Template)]
#[template(path = "handover.html")]
pub(super) struct HandoverPage {
    pub(super) frame: Frame,
    pub(super) tr: Tr,
    pub(super) head: PostFormHead,
    pub(super) current: Option<HolderView>,
    pub(super) people: Vec<(String, String)>,
    pub(super) person: String,
    pub(super) on: String,
    pub(super) errors: Vec<FieldError>,
}

impl HandoverPage {
    pub(super) fn error_for(&self, field: &str) -> Option<&str> {
        crate::shared::format::field_error(&self.errors, field)
    }

    /// Errors not tied to a field of the form.
    pub(super) fn general_errors(&self) -> Vec<&str> {
        self.errors
            .iter()
            .filter(|(f, _)| *f != "person" && *f != "on")
            .map(|(_, m)| m.as_str())
            .collect()
    }
}

/// What the forms about one post (a handover, an appointment) show above their fields, and
/// where they post.
pub(super) struct PostFormHead {
    pub(super) csrf: String,
    pub(super) action: String,
    pub(super) org_name: String,
    pub(super) org_href: String,
    pub(super) post_title: String,
    pub(super) post_kind: String,
}

impl PostFormHead {
    /// The head of the form at `/orgs/{code}/posts/{id}/{verb}`.
    pub(super) fn of(v: &Viewer, org: &Org, post: &Post, verb: &str) -> PostFormHead {
        let tr = v.tr;
        PostFormHead {
            csrf: v.csrf().to_string(),
            action: format!(
                "/orgs/{}/posts/{}/{verb}{}",
                encode(&org.code),
                encode(&post.id),
                tr.qs()
            ),
            org_name: org.name.clone(),
            org_href: org_href(&org.code, tr),
            post_title: post.title.clone(),
            post_kind: post_kind_name(tr, &v.snap.pack, &post.kind),
        }
    }
}

/// The form of a handover.
#[derive(Deserialize, Default)]
pub struct HandoverForm {
    #[serde(default)]
    pub(super) person: String,
    #[serde(default)]
    pub(super) on: String,
}

/// Why a handover route refuses.
pub(super) enum HandoverRefused {
    /// No business role at all, or no ManageOrg on the org.
    Forbidden,
    /// The org does not exist or lies outside the viewer's scope.
    Org,
    /// The post does not exist or is not the org's.
    Post,
    /// The post has several holders; it is not handed over.
    NotSingle,
    /// The post is closed (on that day): nobody is appointed to it, nor handed it.
    Closed(NaiveDate),
}

impl HandoverRefused {
    pub(super) fn page(self, tr: Tr, code: &str, post_id: &str) -> Response {
        match self {
            HandoverRefused::Forbidden => forbidden_page(tr),
            HandoverRefused::Org => org_not_found_page(tr, code),
            HandoverRefused::Post => post_not_found_page(tr, post_id),
            HandoverRefused::NotSingle => error_page(
                tr,
                ErrorCode::Validation,
                "handover.title",
                tr.t("handover.error.not_single").to_string(),
            ),
            HandoverRefused::Closed(on) => error_page(
                tr,
                ErrorCode::Validation,
                "orgs.form.post_close.title",
                tr.tf("orgs.error.post.closed", &[("day", &date(on))]),
            ),
        }
    }
}

/// The org and post of a route about one post (a handover, an appointment): 403 for no business
/// role, 404 out of scope, 403 without ManageOrg.
pub(super) fn managed_post<'a>(
    v: &'a Viewer,
    code: &str,
    post_id: &str,
) -> Result<(&'a Org, &'a Post), HandoverRefused> {
    if !v.principal.can_somewhere(Permission::ReadOrg) {
        return Err(HandoverRefused::Forbidden);
    }
    let org = find_visible(v, code).ok_or(HandoverRefused::Org)?;
    let post = v
        .snap
        .model
        .post(post_id)
        .filter(|p| p.org == org.id)
        .ok_or(HandoverRefused::Post)?;
    if !v.can(Permission::ManageOrg, Some(&org.id)) {
        return Err(HandoverRefused::Forbidden);
    }
    Ok((org, post))
}

/// The org and post of a route that gives the post a holder or a portfolio (a handover, an
/// appointment, an assignment): as [`managed_post`], and 422 for a closed post.
pub(super) fn open_post<'a>(
    v: &'a Viewer,
    code: &str,
    post_id: &str,
) -> Result<(&'a Org, &'a Post), HandoverRefused> {
    let (org, post) = managed_post(v, code, post_id)?;
    match post.closed_on {
        Some(on) => Err(HandoverRefused::Closed(on)),
        None => Ok((org, post)),
    }
}

/// The org and post of a handover route, after the checks every handover route makes:
/// 403 for no business role, 404 out of scope, 403 without ManageOrg, 422 for a post that is
/// not single-holder.
pub(super) fn handover_target<'a>(
    v: &'a Viewer,
    code: &str,
    post_id: &str,
) -> Result<(&'a Org, &'a Post), HandoverRefused> {
    let (org, post) = open_post(v, code, post_id)?;
    if !single_holder(&v.snap.pack, post) {
        return Err(HandoverRefused::NotSingle);
    }
    Ok((org, post))
}

pub(super) fn handover_page(
    state: &AppState,
    v: &Viewer,
    org: &Org,
    post: &Post,
    form: HandoverForm,
    errors: Vec<FieldError>,
) -> Response {
    let tr = v.tr;
    let m = &v.snap.model;
    let today = state.today();
    let current = m
        .holders_on(&post.id, today)
        .first()
        .map(|h| holder_view(m, h));
    let people = candidates(m, org)
        .into_iter()
        .map(|(p, o)| (p.id.clone(), format!("{}（{}）", p.name, o.name)))
        .collect();
    page(
        if errors.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        },
        &HandoverPage {
            frame: Frame::of(state, Some(v)),
            tr,
            head: PostFormHead::of(v, org, post, "handover"),
            current,
            people,
            person: form.person,
            on: form.on,
            errors,
        },
    )
}

/// `GET /orgs/{code}/posts/{post_id}/handover` — the form.
pub(super) async fn handover_form(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    Path((code, post_id)): Path<(String, String)>,
) -> Response {
    let (org, post) = match handover_target(&v, &code, &post_id) {
        Ok(t) => t,
        Err(refusal) => return refusal.page(v.tr, &code, &post_id),
    };
    let form = HandoverForm {
        person: String::new(),
        on: date(state.today()),
    };
    handover_page(&state, &v, org, post, form, Vec::new())
}

/// `POST /orgs/{code}/posts/{post_id}/handover` — checks, records, and goes back to the org.
pub(super) async fn handover_submit(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    Path((code, post_id)): Path<(String, String)>,
    form: Result<Form<HandoverForm>, FormRejection>,
) -> Response {
    let tr = v.tr;
    let (org, post) = match handover_target(&v, &code, &post_id) {
        Ok(t) => t,
        Err(refusal) => return refusal.page(v.tr, &code, &post_id),
    };
    let form = match form {
        Ok(Form(f)) => f,
        Err(e) => {
            tracing::debug!(error = %e.body_text(), "handover form unreadable");
            let errors = vec![("form", tr.t("handover.error.form").to_string())];
            return handover_page(&state, &v, org, post, HandoverForm::default(), errors);
        }
    };
    let m = &v.snap.model;
    let person_ok = candidates(m, org)
        .iter()
        .any(|(p, _)| p.id == form.person.trim());
    let day = match check_handover(tr, m, post, &form.person, person_ok, &form.on) {
        Ok(d) => d,
        Err(errors) => return handover_page(&state, &v, org, post, form, errors),
    };
    match do_handover(&state, &v, &post.id, form.person.trim(), day).await {
        Ok(_) => redirect(&format!("{}#post-{}", org_href(&org.code, tr), post.id)),
        Err(StorageError::Holding(e)) => {
            handover_page(&state, &v, org, post, form, vec![holding_error(tr, &e)])
        }
        Err(StorageError::Invalid(msg)) => {
            handover_page(&state, &v, org, post, form, vec![("form", msg)])
        }
        Err(e) => storage_page(tr, &e),
    }
}
