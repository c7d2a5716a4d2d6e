//! The org area's refusals and the messages of bad input.

use super::*;

/// The same page for an org that does not exist and one outside the viewer's scope.
pub(super) fn org_not_found_page(tr: Tr, code: &str) -> Response {
    error_page(
        tr,
        ErrorCode::NotFound,
        "orgs.not_found.title",
        tr.tf("orgs.not_found", &[("id", code)]),
    )
}

pub(super) fn post_not_found_page(tr: Tr, id: &str) -> Response {
    error_page(
        tr,
        ErrorCode::NotFound,
        "orgs.not_found.title",
        tr.tf("orgs.post_not_found", &[("id", id)]),
    )
}

/// The 403 page for anyone who may read no org at all (the administrators, among others).
pub(super) fn read_gate_page(v: &Viewer) -> Option<Response> {
    (!v.principal.can_somewhere(Permission::ReadOrg)).then(|| forbidden_page(v.tr))
}

pub(super) fn invalid(tr: Tr, field: &str, message: &str) -> ApiError {
    Refusal::invalid(tr, field, message).api()
}

pub(super) fn not_found(tr: Tr, field: &str, id: &str) -> ApiError {
    ApiError::new(
        ErrorCode::NotFound,
        tr.tf("orgs.error.not_found", &[("field", field), ("id", id)]),
    )
}

/// A rule of the org tree broken: the field it concerns and the message. A kind that cannot
/// sit under its parent is the `kind` field's fault when an org is created, the `parent`
/// field's when one moves.
pub(super) fn tree_error(tr: Tr, e: &TreeError, creating: bool) -> (&'static str, String) {
    let kind = |k: OrgKind| org_kind_name(tr, k);
    match e {
        TreeError::RootKind { kind: k } => (
            "parent",
            tr.tf("orgs.error.tree.root_kind", &[("kind", &kind(*k))]),
        ),
        TreeError::RootTaken { root } => (
            "parent",
            tr.tf("orgs.error.tree.root_taken", &[("root", root)]),
        ),
        TreeError::KindUnder { kind: k, parent } => (
            if creating { "kind" } else { "parent" },
            tr.tf(
                "orgs.error.kind_under",
                &[("kind", &kind(*k)), ("parent", &kind(*parent))],
            ),
        ),
        TreeError::MoveRoot => ("parent", tr.t("orgs.error.tree.move_root").to_string()),
        TreeError::IntoItself { parent } => (
            "parent",
            tr.tf("orgs.error.tree.into_itself", &[("parent", parent)]),
        ),
        TreeError::ParentClosed { parent, on } => (
            "parent",
            tr.tf(
                "orgs.error.tree.parent_closed",
                &[("parent", parent), ("day", &date(*on))],
            ),
        ),
        TreeError::CloseBeforeEstablished { established, .. } => (
            "closed_on",
            tr.tf(
                "orgs.error.tree.close_before_established",
                &[("day", &date(*established))],
            ),
        ),
        TreeError::OpenChildren { count, first } => (
            "closed_on",
            tr.tf(
                "orgs.error.tree.open_children",
                &[("count", &count.to_string()), ("first", first)],
            ),
        ),
        TreeError::CloseInFuture { today, .. } => (
            "closed_on",
            tr.tf("orgs.error.tree.close_in_future", &[("day", &date(*today))]),
        ),
        TreeError::AlreadyClosed { on } => (
            "closed_on",
            tr.tf("orgs.error.tree.already_closed", &[("day", &date(*on))]),
        ),
        TreeError::NotClosed => ("closed_on", tr.t("orgs.error.tree.not_closed").to_string()),
    }
}

/// A storage failure, with the domain's conflicts told in the user's language (`creating`:
/// an org is being created, see [`tree_error`]).
pub(super) fn from_storage(tr: Tr, err: StorageError) -> ApiError {
    from_storage_in(tr, err, false)
}

pub(super) fn from_storage_in(tr: Tr, err: StorageError, creating: bool) -> ApiError {
    match err {
        StorageError::Tree(e) => {
            let (field, message) = tree_error(tr, &e, creating);
            invalid(tr, field, &message)
        }
        StorageError::Holding(e) => {
            let (field, message) = holding_error(tr, &e);
            invalid(tr, field, &message)
        }
        StorageError::Duplicate { key, .. } => ApiError::new(
            ErrorCode::Conflict,
            tr.tf("orgs.error.duplicate", &[("key", &key)]),
        ),
        err => Refusal::storage(tr, err, "orgs.error.conflict", || {
            Refusal::new(
                ErrorCode::NotFound,
                generic_message(tr, ErrorCode::NotFound),
            )
        })
        .api(),
    }
}

pub(super) fn api_page(tr: Tr, s: Option<&str>) -> Result<usize, ApiError> {
    parse_page(s).ok_or_else(|| invalid(tr, "page", tr.t("orgs.error.page")))
}

pub(super) fn api_sort(tr: Tr, s: Option<&str>, default: Sort) -> Result<Sort, ApiError> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(default),
        Some(x) => Sort::parse(Some(x)).ok_or_else(|| invalid(tr, "sort", tr.t("orgs.error.sort"))),
    }
}

/// Reads a `YYYY-MM-DD` day.
pub(super) fn parse_day(s: &str) -> Option<NaiveDate> {
    zeren_core::params::day(s)
}
