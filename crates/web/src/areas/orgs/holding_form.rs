//! A holding ended, or its recorded days corrected, by form: `/orgs/{code}/posts/{id}/holdings/
//! {holding}` (the page twin of `PATCH /api/v1/holdings/{id}`). Ending an open holding needs
//! its last day only; any other change is a correction and says why (kept in the audit log).
//! The form carries the version it was shown, so a change made meanwhile is refused (409), not
//! overwritten.

use super::*;
use crate::shared::format::FormMessages;
use zeren_core::org::DatesEdit;

/// Ends or corrects; storage audits it (and ends the holder's portfolios with the holding).
pub(super) async fn update_holding(
    state: &AppState,
    v: &Viewer,
    id: &str,
    version: i64,
    edit: DatesEdit,
) -> Result<(Holding, i64), StorageError> {
    let mut tx = state.db.begin(&v.actor(), state.clock.now()).await?;
    let out = tx.update_holding(&v.snap.pack, id, version, edit).await?;
    tx.commit().await?;
    Ok(out)
}

/// The link to a holding's form.
fn holding_href(tr: Tr, org: &Org, h: &Holding) -> String {
    format!(
        "/orgs/{}/posts/{}/holdings/{}{}",
        encode(&org.code),
        encode(&h.post),
        encode(&h.id),
        tr.qs()
    )
}

/// A holding as shown, with the link to its form for a viewer who manages the org.
pub(super) fn holding_view(v: &Viewer, org: &Org, h: &Holding) -> HolderView {
    HolderView {
        edit: v
            .can(Permission::ManageOrg, Some(&org.id))
            .then(|| holding_href(v.tr, org, h)),
        ..holder_view(&v.snap.model, h)
    }
}

/// The form ending or correcting a holding.
#[derive(Deserialize, Default)]
pub struct HoldingForm {
    #[serde(default)]
    start: String,
    #[serde(default)]
    end: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    version: String,
}

#[derive(Template)]
#[template(path = "holding_form.html")]
pub(super) struct HoldingFormPage {
    frame: Frame,
    tr: Tr,
    head: PostFormHead,
    person: String,
    /// The days as recorded.
    recorded: String,
    form: HoldingForm,
    errors: Vec<FieldError>,
}

impl FormMessages for HoldingFormPage {
    fn messages(&self) -> &[FieldError] {
        &self.errors
    }

    fn shown(&self) -> &'static [&'static str] {
        &["start", "end", "reason"]
    }
}

fn holding_page(
    state: &AppState,
    v: &Viewer,
    (org, post, h): (&Org, &Post, &Holding),
    form: HoldingForm,
    (status, errors): (StatusCode, Vec<FieldError>),
) -> Response {
    let tr = v.tr;
    let mut head = PostFormHead::of(v, org, post, "holdings");
    head.action = holding_href(tr, org, h);
    page(
        status,
        &HoldingFormPage {
            frame: Frame::of(state, Some(v)),
            tr,
            head,
            person: person_name(&v.snap.model, &h.person),
            recorded: format!(
                "{} – {}",
                date(h.start),
                h.end
                    .map(date)
                    .unwrap_or_else(|| tr.t("handover.now").to_string())
            ),
            form,
            errors,
        },
    )
}

/// The org, post and holding of a holding form route: 403 for no business role, 404 out of
/// scope or for a holding not of the post, 403 without ManageOrg.
fn holding_target<'a>(
    v: &'a Viewer,
    code: &str,
    post_id: &str,
    holding_id: &str,
) -> Result<(&'a Org, &'a Post, &'a Holding), Box<Response>> {
    let tr = v.tr;
    let (org, post) =
        managed_post(v, code, post_id).map_err(|r| Box::new(r.page(tr, code, post_id)))?;
    let h = v
        .snap
        .model
        .holdings_of(&post.id)
        .find(|h| h.id == holding_id)
        .ok_or_else(|| {
            Box::new(error_page(
                tr,
                ErrorCode::NotFound,
                "orgs.not_found.title",
                tr.tf("orgs.holding_not_found", &[("id", holding_id)]),
            ))
        })?;
    Ok((org, post, h))
}

/// `GET /orgs/{code}/posts/{post_id}/holdings/{holding_id}`: the form, with the holding's days
/// and version (an open holding is offered today as its last day).
pub(super) async fn holding_form(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    Path((code, post_id, holding_id)): Path<(String, String, String)>,
) -> Response {
    let target = match holding_target(&v, &code, &post_id, &holding_id) {
        Ok(t) => t,
        Err(refused) => return *refused,
    };
    let h = target.2;
    let version = match state.db.holding_version(&h.id).await {
        Ok(version) => version,
        Err(e) => return storage_page(v.tr, &e),
    };
    let form = HoldingForm {
        start: date(h.start),
        end: date(h.end.unwrap_or_else(|| state.today())),
        reason: String::new(),
        version: version.to_string(),
    };
    holding_page(&state, &v, target, form, (StatusCode::OK, Vec::new()))
}

/// `POST /orgs/{code}/posts/{post_id}/holdings/{holding_id}`: ends or corrects with the
/// version the form was shown, and goes back to the org.
pub(super) async fn holding_submit(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    Path((code, post_id, holding_id)): Path<(String, String, String)>,
    form: Result<Form<HoldingForm>, FormRejection>,
) -> Response {
    let tr = v.tr;
    let target = match holding_target(&v, &code, &post_id, &holding_id) {
        Ok(t) => t,
        Err(refused) => return *refused,
    };
    let back = |form, status, errors| holding_page(&state, &v, target, form, (status, errors));
    let Ok(Form(form)) = form else {
        let errors = vec![("form", tr.t("handover.error.form").to_string())];
        return back(HoldingForm::default(), StatusCode::BAD_REQUEST, errors);
    };
    let version = form_version(tr, &form.version);
    let edit = dates_from_form(tr, &form.start, &form.end, &form.reason);
    let (version, edit) = match (version, edit) {
        (Ok(version), Ok(edit)) => (version, edit),
        (version, edit) => {
            let mut errors: Vec<FieldError> = version.err().into_iter().collect();
            errors.extend(edit.err().unwrap_or_default());
            return back(form, StatusCode::UNPROCESSABLE_ENTITY, errors);
        }
    };
    let (org, post, h) = target;
    match update_holding(&state, &v, &h.id, version, edit).await {
        Ok(_) => redirect(&format!("{}#post-{}", org_href(&org.code, tr), post.id)),
        Err(StorageError::Holding(e)) => {
            let errors = vec![appointment_error(tr, &e)];
            back(form, StatusCode::UNPROCESSABLE_ENTITY, errors)
        }
        Err(StorageError::Post(e)) => {
            let (_, message) = post_error(tr, &v.snap.pack, &e);
            back(
                form,
                StatusCode::UNPROCESSABLE_ENTITY,
                vec![("end", message)],
            )
        }
        Err(StorageError::Conflict { .. }) => {
            let errors = vec![("form", tr.t("orgs.form.error.stale_holding").to_string())];
            back(form, StatusCode::CONFLICT, errors)
        }
        Err(e) => storage_page(tr, &e),
    }
}
