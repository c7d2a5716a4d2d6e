//! A post closed on a day, or reopened: `PATCH /api/v1/posts/{id}` and the page at
//! `/orgs/{code}/posts/{id}/close`, whose form closes an open post (posting to it) or reopens a
//! closed one (posting to `…/reopen`). A closed post keeps its history; nobody is
//! appointed to it after its closing day. Closing is refused while someone holds the post after
//! that day (the holding is ended first, by its own form); the rules are the core's
//! (`zeren_core::org::check_post_close`, `check_post_reopen`), checked in the transaction that
//! writes, with the version the form or the caller was shown (409 when stale).

use super::*;
use crate::shared::format::FormMessages;
use zeren_storage::PostEdit;

/// Body of `PATCH /api/v1/posts/{id}`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PostPatch {
    version: i64,
    /// A day closes the post; `null` reopens it; absent leaves it.
    #[serde(default, deserialize_with = "double_option")]
    closed_on: Option<Option<String>>,
}

/// Closes or reopens; storage audits it.
async fn update_post(
    state: &AppState,
    v: &Viewer,
    id: &str,
    version: i64,
    edit: PostEdit,
) -> Result<(Post, i64), StorageError> {
    let mut tx = state.db.begin(&v.actor(), state.clock.now()).await?;
    let out = tx.update_post(id, version, edit).await?;
    tx.commit().await?;
    Ok(out)
}

/// `PATCH /api/v1/posts/{id}`
pub(super) async fn api_update_post(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    id: Result<Path<String>, Rejected>,
    body: Result<JsonBody<PostPatch>, Rejected>,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    read_gate(&v)?;
    let id = id.get()?;
    let (post, org) = find_visible_post(&v, &id).ok_or_else(|| not_found(tr, "id", &id))?;
    require(&v, Permission::ManageOrg, Some(&org.id))?;
    let b = body.get()?;
    let closed_on = match b.closed_on {
        None => None,
        // `null` on an open post leaves it open (a PATCH states the wanted value, as for orgs).
        Some(None) if post.closed_on.is_none() => None,
        Some(None) => Some(None),
        Some(Some(s)) => Some(Some(parse_day(&s).ok_or_else(|| {
            invalid(
                tr,
                "closed_on",
                &tr.tf("orgs.error.date", &[("value", s.trim())]),
            )
        })?)),
    };
    let pack = &v.snap.pack;
    let (after, version) = update_post(&state, &v, &post.id, b.version, PostEdit { closed_on })
        .await
        .map_err(|e| refused(tr, pack, e))?;
    // The snapshot predates the change: the post's own fields come from storage.
    let mut out =
        serde_json::to_value(post_out(&v, state.today(), &after, org)).unwrap_or_default();
    out["version"] = serde_json::json!(version);
    Ok(Json(out).into_response())
}

// ------------------------------------------------------------------------------------------
// The pages
// ------------------------------------------------------------------------------------------

/// What a post form does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum PostAction {
    /// Close on a day.
    Close,
    /// Reopen a closed post.
    Reopen,
}

impl PostAction {
    fn verb(self) -> &'static str {
        match self {
            PostAction::Close => "close",
            PostAction::Reopen => "reopen",
        }
    }
}

/// The form closing or reopening a post.
#[derive(Deserialize, Default)]
pub struct PostCloseForm {
    #[serde(default)]
    closed_on: String,
    #[serde(default)]
    version: String,
}

#[derive(Template)]
#[template(path = "post_close.html")]
pub(super) struct PostClosePage {
    frame: Frame,
    tr: Tr,
    head: PostFormHead,
    /// `close` or `reopen`: the catalogue keys of the title, lead and button.
    key: &'static str,
    /// The post's closing day, when it is closed.
    closed: Option<String>,
    /// Its holders today and later (what stands in the way of a closing), with the link to
    /// end each.
    holders: Vec<HolderView>,
    form: PostCloseForm,
    errors: Vec<FieldError>,
}

impl PostClosePage {
    fn text(&self, part: &str) -> String {
        self.tr
            .t(&format!("orgs.form.post_{}.{part}", self.key))
            .to_string()
    }

    fn lead(&self) -> String {
        self.tr.tf(
            &format!("orgs.form.post_{}.lead", self.key),
            &[
                ("post", &self.head.post_title),
                ("day", self.closed.as_deref().unwrap_or("")),
            ],
        )
    }
}

impl FormMessages for PostClosePage {
    fn messages(&self) -> &[FieldError] {
        &self.errors
    }

    fn shown(&self) -> &'static [&'static str] {
        &["closed_on"]
    }
}

fn post_close_page(
    state: &AppState,
    v: &Viewer,
    (org, post): (&Org, &Post),
    action: PostAction,
    form: PostCloseForm,
    (status, errors): (StatusCode, Vec<FieldError>),
) -> Response {
    let tr = v.tr;
    let m = &v.snap.model;
    let today = state.today();
    page(
        status,
        &PostClosePage {
            frame: Frame::of(state, Some(v)),
            tr,
            head: PostFormHead::of(v, org, post, action.verb()),
            key: action.verb(),
            closed: post.closed_on.map(date),
            holders: m
                .holdings_of(&post.id)
                .filter(|h| h.end.is_none_or(|e| e >= today))
                .map(|h| holding_view(v, org, h))
                .collect(),
            form,
            errors,
        },
    )
}

/// The org and post of a close or reopen route: 403 for no business role, 404 out of scope,
/// 403 without ManageOrg, 422 for a post already closed (closing) or open (reopening).
fn post_close_target<'a>(
    v: &'a Viewer,
    code: &str,
    post_id: &str,
    action: PostAction,
) -> Result<(&'a Org, &'a Post), Box<Response>> {
    let tr = v.tr;
    let (org, post) =
        managed_post(v, code, post_id).map_err(|r| Box::new(r.page(tr, code, post_id)))?;
    let wrong = match (action, post.closed_on) {
        (PostAction::Close, Some(on)) => Some(PostError::AlreadyClosed { on }),
        (PostAction::Reopen, None) => Some(PostError::NotClosed),
        _ => None,
    };
    if let Some(e) = wrong {
        let (_, message) = post_error(tr, &v.snap.pack, &e);
        return Err(Box::new(error_page(
            tr,
            ErrorCode::Validation,
            &format!("orgs.form.post_{}.title", action.verb()),
            message,
        )));
    }
    Ok((org, post))
}

/// `GET /orgs/{code}/posts/{post_id}/close`: the form closing an open post, or reopening a
/// closed one, with the post's version.
pub(super) async fn post_close_form(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    Path((code, post_id)): Path<(String, String)>,
) -> Response {
    let (state, v) = (&state, &v);
    let target = match managed_post(v, &code, &post_id) {
        Ok(t) => t,
        Err(refused) => return refused.page(v.tr, &code, &post_id),
    };
    let action = match target.1.closed_on {
        None => PostAction::Close,
        Some(_) => PostAction::Reopen,
    };
    let version = match state.db.post_version(&target.1.id).await {
        Ok(version) => version,
        Err(e) => return storage_page(v.tr, &e),
    };
    let form = PostCloseForm {
        closed_on: if action == PostAction::Close {
            date(state.today())
        } else {
            String::new()
        },
        version: version.to_string(),
    };
    post_close_page(state, v, target, action, form, (StatusCode::OK, Vec::new()))
}

/// `POST /orgs/{code}/posts/{post_id}/close` and `/reopen`: checks, writes with the version
/// the form was shown, and goes back to the org.
async fn post_close_submit(
    state: &AppState,
    v: &Viewer,
    code: &str,
    post_id: &str,
    action: PostAction,
    form: Result<Form<PostCloseForm>, FormRejection>,
) -> Response {
    let tr = v.tr;
    let target = match post_close_target(v, code, post_id, action) {
        Ok(t) => t,
        Err(refused) => return *refused,
    };
    let back =
        |form, status, errors| post_close_page(state, v, target, action, form, (status, errors));
    let Ok(Form(form)) = form else {
        let errors = vec![("form", tr.t("handover.error.form").to_string())];
        return back(PostCloseForm::default(), StatusCode::BAD_REQUEST, errors);
    };
    let mut errors = Vec::new();
    let version = form_version(tr, &form.version)
        .map_err(|e| errors.push(e))
        .ok();
    let closed_on = match action {
        PostAction::Reopen => Some(None),
        PostAction::Close => {
            let value = form.closed_on.trim();
            match parse_day(value) {
                Some(day) => Some(Some(day)),
                None => {
                    errors.push(if value.is_empty() {
                        ("closed_on", tr.t("orgs.form.error.day_missing").to_string())
                    } else {
                        ("closed_on", tr.tf("orgs.error.date", &[("value", value)]))
                    });
                    None
                }
            }
        }
    };
    let (Some(version), Some(closed_on), true) = (version, closed_on, errors.is_empty()) else {
        return back(form, StatusCode::UNPROCESSABLE_ENTITY, errors);
    };
    let (org, post) = target;
    let edit = PostEdit {
        closed_on: Some(closed_on),
    };
    match update_post(state, v, &post.id, version, edit).await {
        Ok(_) => redirect(&format!("{}#post-{}", org_href(&org.code, tr), post.id)),
        Err(StorageError::Post(e)) => {
            let errors = vec![post_error(tr, &v.snap.pack, &e)];
            back(form, StatusCode::UNPROCESSABLE_ENTITY, errors)
        }
        Err(StorageError::Conflict { .. }) => {
            let errors = vec![("form", tr.t("orgs.form.error.stale_post").to_string())];
            back(form, StatusCode::CONFLICT, errors)
        }
        Err(e) => storage_page(tr, &e),
    }
}

macro_rules! post_close_routes {
    ($($submit:ident => $action:expr;)+) => {$(
        /// The submission of one post action.
        pub(super) async fn $submit(
            State(state): State<AppState>,
            PageViewer(v): PageViewer,
            Path((code, post_id)): Path<(String, String)>,
            form: Result<Form<PostCloseForm>, FormRejection>,
        ) -> Response {
            post_close_submit(&state, &v, &code, &post_id, $action, form).await
        }
    )+};
}

post_close_routes! {
    post_close_submit_page => PostAction::Close;
    post_reopen_submit_page => PostAction::Reopen;
}
