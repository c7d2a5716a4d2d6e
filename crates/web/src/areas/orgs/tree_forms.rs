//! The org tree kept by its own people: a child org created, an org renamed, moved, closed on
//! a day or reopened — the pages, and the permission rule the API shares.
//!
//! Who may: creating a child org and renaming an org take the right to manage the org itself
//! (its secretary, a branch secretary for the branch); moving, closing and reopening change
//! where the org stands among its siblings, so they take the right to manage its parent (and
//! the new parent, for a move). The rules of the tree itself are the core's
//! (`zeren_core::org::check_place` and the others), checked in the transaction that writes.

use super::*;
use crate::shared::format::FormMessages;

/// What one org form does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum OrgAction {
    /// A child org under this one.
    NewChild,
    /// Rename, or move under another parent.
    Edit,
    /// Close on a day.
    Close,
    /// Reopen a closed org.
    Reopen,
}

impl OrgAction {
    pub(super) fn path(self) -> &'static str {
        match self {
            OrgAction::NewChild => "children/new",
            OrgAction::Edit => "edit",
            OrgAction::Close => "close",
            OrgAction::Reopen => "reopen",
        }
    }

    pub(super) fn key(self) -> &'static str {
        match self {
            OrgAction::NewChild => "new_child",
            OrgAction::Edit => "edit",
            OrgAction::Close => "close",
            OrgAction::Reopen => "reopen",
        }
    }
}

/// Whether the viewer may do `action` on `org`: manage the org itself to create under it or
/// rename it, manage its parent to move, close or reopen it (the root is never moved or closed).
pub(super) fn may(v: &Viewer, action: OrgAction, org: &Org) -> bool {
    match action {
        OrgAction::NewChild | OrgAction::Edit => v.can(Permission::ManageOrg, Some(&org.id)),
        OrgAction::Close | OrgAction::Reopen => org
            .parent
            .as_deref()
            .is_some_and(|p| v.can(Permission::ManageOrg, Some(p))),
    }
}

/// Whether the viewer may move `org` (manage its parent).
pub(super) fn may_move(v: &Viewer, org: &Org) -> bool {
    may(v, OrgAction::Close, org)
}

/// The form of every org action (each shows the fields it needs).
#[derive(Deserialize, Default, Clone)]
pub struct OrgForm {
    #[serde(default)]
    pub(super) code: String,
    #[serde(default)]
    pub(super) name: String,
    #[serde(default)]
    pub(super) kind: String,
    #[serde(default)]
    pub(super) parent: String,
    #[serde(default)]
    pub(super) established_on: String,
    #[serde(default)]
    pub(super) closed_on: String,
    #[serde(default)]
    pub(super) version: String,
}

#[derive(Template)]
#[template(path = "org_form.html")]
pub(super) struct OrgFormPage {
    pub(super) frame: Frame,
    pub(super) tr: Tr,
    pub(super) csrf: String,
    pub(super) action: String,
    /// `new_child`, `edit`, `close` or `reopen`: the catalogue keys of the title, lead and button.
    pub(super) key: &'static str,
    pub(super) org_name: String,
    pub(super) org_href: String,
    /// The kinds a child may be: (value, label).
    pub(super) kinds: Vec<(String, String)>,
    /// Parents the org may move under: (code, label).
    pub(super) parents: Vec<(String, String)>,
    pub(super) may_move: bool,
    pub(super) form: OrgForm,
    pub(super) errors: Vec<FieldError>,
}

impl OrgFormPage {
    /// The title or the button of this form.
    pub(super) fn text(&self, part: &str) -> String {
        self.tr
            .t(&format!("orgs.form.{}.{part}", self.key))
            .to_string()
    }

    /// What the form does, with the org's name.
    pub(super) fn lead(&self) -> String {
        self.tr.tf(
            &format!("orgs.form.{}.lead", self.key),
            &[("org", &self.org_name)],
        )
    }
}

impl FormMessages for OrgFormPage {
    fn messages(&self) -> &[FieldError] {
        &self.errors
    }

    fn shown(&self) -> &'static [&'static str] {
        match self.key {
            "new_child" => &["code", "name", "kind", "established_on"],
            "edit" => &["name", "parent"],
            "close" => &["closed_on"],
            _ => &[],
        }
    }
}

/// Orgs `org` may move under, for the viewer: open, managed by the viewer, outside `org`'s
/// subtree, of a kind it fits under (at most 1 000, by code).
fn parent_choices(v: &Viewer, org: &Org) -> Vec<(String, String)> {
    let m = &v.snap.model;
    let mut out: Vec<(String, String)> = visible_tree(v, Sort::Code)
        .into_iter()
        .map(|(_, o)| o)
        .filter(|o| {
            o.closed_on.is_none()
                && Some(o.id.as_str()) != org.parent.as_deref()
                && zeren_core::org::fits_under(org.kind, o.kind)
                && !m.is_within(&o.id, &org.id)
                && v.can(Permission::ManageOrg, Some(&o.id))
        })
        .take(1000)
        .map(|o| (o.code.clone(), format!("{}（{}）", o.name, o.code)))
        .collect();
    out.sort();
    out
}

pub(super) fn org_form_page(
    state: &AppState,
    v: &Viewer,
    org: &Org,
    action: OrgAction,
    form: OrgForm,
    errors: Vec<FieldError>,
    status: StatusCode,
) -> Response {
    let tr = v.tr;
    let kinds = OrgKind::ALL
        .iter()
        .filter(|k| zeren_core::org::fits_under(**k, org.kind))
        .map(|k| (k.as_str().to_string(), org_kind_name(tr, *k)))
        .collect();
    let may_move = action == OrgAction::Edit && may_move(v, org);
    let parents = if may_move {
        parent_choices(v, org)
    } else {
        Vec::new()
    };
    page(
        status,
        &OrgFormPage {
            frame: Frame::of(state, Some(v)),
            tr,
            csrf: v.csrf().to_string(),
            action: format!("/orgs/{}/{}{}", encode(&org.code), action.path(), tr.qs()),
            key: action.key(),
            org_name: org.name.clone(),
            org_href: org_href(&org.code, tr),
            kinds,
            parents,
            may_move,
            form,
            errors,
        },
    )
}

/// Why an org form route refuses.
enum Refused {
    /// No business role, or not the right the action takes.
    Forbidden,
    /// The org does not exist or lies outside the viewer's scope.
    Org,
    /// Nothing can be created under the org: (message key, the org's kind, its closing day).
    NoChild(&'static str, OrgKind, Option<NaiveDate>),
}

impl Refused {
    fn page(self, tr: Tr, code: &str) -> Response {
        match self {
            Refused::Forbidden => forbidden_page(tr),
            Refused::Org => org_not_found_page(tr, code),
            Refused::NoChild(key, kind, closed) => error_page(
                tr,
                ErrorCode::Validation,
                "orgs.form.new_child.title",
                tr.tf(
                    key,
                    &[
                        ("kind", &org_kind_name(tr, kind)),
                        ("day", &closed.map(date).unwrap_or_default()),
                    ],
                ),
            ),
        }
    }
}

/// Whether anything can be created under `org`: it is open, and some kind fits under it.
pub(super) fn takes_children(org: &Org) -> Result<(), (&'static str, OrgKind, Option<NaiveDate>)> {
    if org.closed_on.is_some() {
        return Err(("orgs.form.error.closed", org.kind, org.closed_on));
    }
    if !OrgKind::ALL
        .iter()
        .any(|k| zeren_core::org::fits_under(*k, org.kind))
    {
        return Err(("orgs.form.error.no_kinds", org.kind, None));
    }
    Ok(())
}

/// The org of an org form route after the checks every one makes: 403 for no business role,
/// 404 out of scope, 403 without the right the action takes.
fn target<'a>(v: &'a Viewer, code: &str, action: OrgAction) -> Result<&'a Org, Refused> {
    if !v.principal.can_somewhere(Permission::ReadOrg) {
        return Err(Refused::Forbidden);
    }
    let org = find_visible(v, code).ok_or(Refused::Org)?;
    if !may(v, action, org) {
        return Err(Refused::Forbidden);
    }
    if action == OrgAction::NewChild {
        takes_children(org).map_err(|(key, kind, day)| Refused::NoChild(key, kind, day))?;
    }
    Ok(org)
}

/// The form as it first shows for `org`.
fn first_form(state: &AppState, v: &Viewer, org: &Org, action: OrgAction) -> OrgForm {
    let version = v.snap.org_versions.get(&org.id).copied().unwrap_or(1);
    OrgForm {
        name: if action == OrgAction::Edit {
            org.name.clone()
        } else {
            String::new()
        },
        kind: OrgKind::ALL
            .iter()
            .find(|k| zeren_core::org::fits_under(**k, org.kind))
            .map(|k| k.as_str().to_string())
            .unwrap_or_default(),
        closed_on: if action == OrgAction::Close {
            date(state.today())
        } else {
            String::new()
        },
        version: version.to_string(),
        ..OrgForm::default()
    }
}

/// `GET /orgs/{code}/children/new`, `/edit`, `/close`: the form.
pub(super) async fn org_form(
    state: &AppState,
    v: &Viewer,
    code: &str,
    action: OrgAction,
) -> Response {
    let org = match target(v, code, action) {
        Ok(o) => o,
        Err(refused) => return refused.page(v.tr, code),
    };
    let form = first_form(state, v, org, action);
    org_form_page(state, v, org, action, form, Vec::new(), StatusCode::OK)
}

/// A day field: empty is `None` when `optional`, else an error.
fn day_field(
    tr: Tr,
    field: &'static str,
    value: &str,
    optional: bool,
    errors: &mut Vec<FieldError>,
) -> Option<NaiveDate> {
    let value = value.trim();
    if value.is_empty() {
        if !optional {
            errors.push((field, tr.t("orgs.form.error.day_missing").to_string()));
        }
        return None;
    }
    let day = parse_day(value);
    if day.is_none() {
        errors.push((field, tr.tf("orgs.error.date", &[("value", value)])));
    }
    day
}

/// What a submitted form asks for, checked field by field: the change to make, or every
/// message at once.
enum Asked {
    Create(NewOrg),
    Edit(i64, OrgEdit),
}

fn read_form(
    v: &Viewer,
    org: &Org,
    action: OrgAction,
    form: &OrgForm,
) -> Result<Asked, Vec<FieldError>> {
    let tr = v.tr;
    let mut errors: Vec<FieldError> = Vec::new();
    let name = form.name.trim();
    let name_ok = !name.is_empty() && name.chars().count() <= 200;
    if matches!(action, OrgAction::NewChild | OrgAction::Edit) && !name_ok {
        errors.push(("name", tr.t("orgs.error.name").to_string()));
    }
    if action == OrgAction::NewChild {
        let code = form.code.trim();
        if !is_code(code) {
            errors.push(("code", tr.tf("orgs.error.code", &[("code", code)])));
        }
        let kind = OrgKind::parse(form.kind.trim());
        if kind.is_none() {
            errors.push((
                "kind",
                tr.tf("orgs.error.kind", &[("expected", &OrgKind::expected())]),
            ));
        }
        let established_on = day_field(
            tr,
            "established_on",
            &form.established_on,
            true,
            &mut errors,
        );
        return match (errors.is_empty(), kind) {
            (true, Some(kind)) => Ok(Asked::Create(NewOrg {
                code: code.to_string(),
                name: name.to_string(),
                kind,
                parent: Some(org.id.clone()),
                established_on,
            })),
            _ => Err(errors),
        };
    }
    let Ok(version) = form.version.trim().parse::<i64>() else {
        errors.push(("form", tr.t("orgs.form.error.version").to_string()));
        return Err(errors);
    };
    let mut edit = OrgEdit::default();
    match action {
        OrgAction::Edit => {
            edit.name = Some(name.to_string());
            let parent = form.parent.trim();
            if !parent.is_empty() {
                match find_visible(v, parent) {
                    Some(p) if v.can(Permission::ManageOrg, Some(&p.id)) && may_move(v, org) => {
                        edit.parent = Some(p.id.clone());
                    }
                    _ => errors.push((
                        "parent",
                        tr.tf("orgs.form.error.parent", &[("code", parent)]),
                    )),
                }
            }
        }
        OrgAction::Close => {
            edit.closed_on =
                day_field(tr, "closed_on", &form.closed_on, false, &mut errors).map(Some);
        }
        OrgAction::Reopen => edit.closed_on = Some(None),
        OrgAction::NewChild => {}
    }
    if errors.is_empty() {
        Ok(Asked::Edit(version, edit))
    } else {
        Err(errors)
    }
}

/// A storage refusal as the form shows it, with its status.
fn refusal(
    tr: Tr,
    e: StorageError,
    creating: bool,
) -> Result<(StatusCode, Vec<FieldError>), StorageError> {
    match e {
        StorageError::Tree(t) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            vec![tree_error(tr, &t, creating)],
        )),
        StorageError::Duplicate { key, .. } => Ok((
            StatusCode::CONFLICT,
            vec![("code", tr.tf("orgs.error.duplicate", &[("key", &key)]))],
        )),
        StorageError::Conflict { .. } => Ok((
            StatusCode::CONFLICT,
            vec![("form", tr.t("orgs.form.error.stale").to_string())],
        )),
        StorageError::Invalid(msg) => Ok((StatusCode::UNPROCESSABLE_ENTITY, vec![("form", msg)])),
        e => Err(e),
    }
}

/// `POST /orgs/{code}/children/new`, `/edit`, `/close`, `/reopen`: checks, writes, and goes
/// to the org (the new one, for a child).
pub(super) async fn org_submit(
    state: &AppState,
    v: &Viewer,
    code: &str,
    action: OrgAction,
    form: Result<Form<OrgForm>, FormRejection>,
) -> Response {
    let tr = v.tr;
    let org = match target(v, code, action) {
        Ok(o) => o,
        Err(refused) => return refused.page(tr, code),
    };
    let form = match form {
        Ok(Form(f)) => f,
        Err(e) => {
            tracing::debug!(error = %e.body_text(), "org form unreadable");
            let errors = vec![("form", tr.t("handover.error.form").to_string())];
            let first = first_form(state, v, org, action);
            return org_form_page(
                state,
                v,
                org,
                action,
                first,
                errors,
                StatusCode::BAD_REQUEST,
            );
        }
    };
    let asked = match read_form(v, org, action, &form) {
        Ok(a) => a,
        Err(errors) => {
            return org_form_page(
                state,
                v,
                org,
                action,
                form,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            );
        }
    };
    let done = async {
        let mut tx = state.db.begin(&v.actor(), state.clock.now()).await?;
        let org = match asked {
            Asked::Create(new) => tx.create_org(new).await?,
            Asked::Edit(version, edit) => tx.update_org(&org.id, version, edit).await?.0,
        };
        tx.commit().await?;
        Ok::<Org, StorageError>(org)
    }
    .await;
    match done {
        Ok(changed) => redirect(&org_href(&changed.code, tr)),
        Err(e) => match refusal(tr, e, action == OrgAction::NewChild) {
            Ok((status, errors)) => org_form_page(state, v, org, action, form, errors, status),
            Err(e) => storage_page(tr, &e),
        },
    }
}

macro_rules! org_routes {
    ($($form:ident, $submit:ident => $action:expr;)+) => {$(
        /// The form of one org action.
        pub(super) async fn $form(
            State(state): State<AppState>,
            PageViewer(v): PageViewer,
            Path(code): Path<String>,
        ) -> Response {
            org_form(&state, &v, &code, $action).await
        }

        /// The submission of one org action.
        pub(super) async fn $submit(
            State(state): State<AppState>,
            PageViewer(v): PageViewer,
            Path(code): Path<String>,
            form: Result<Form<OrgForm>, FormRejection>,
        ) -> Response {
            org_submit(&state, &v, &code, $action, form).await
        }
    )+};
}

org_routes! {
    new_child_form, new_child_submit => OrgAction::NewChild;
    edit_form, edit_submit => OrgAction::Edit;
    close_form, close_submit => OrgAction::Close;
    reopen_form, reopen_submit => OrgAction::Reopen;
}
