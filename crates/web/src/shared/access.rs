//! The one permission gate of the web layer, and the refusal every area answers with — as the
//! JSON error shape in the API, as an error page elsewhere.
//!
//! A record in an org outside the viewer's scope is refused exactly like a missing one (404),
//! so nothing leaks about other orgs; a role that may not act at all is refused with 403.

use crate::shared::auth::Viewer;
use crate::shared::error::{ApiError, ErrorCode, classify, generic_message};
use crate::shared::frame::error_page;
use crate::shared::i18n::Tr;
use axum::response::Response;
use chrono::NaiveDate;
use zeren_core::access::{Act, Actor, Permission};
use zeren_core::org::Org;
use zeren_core::policy::EvidenceOf;
use zeren_storage::{StorageError, StoredObligation};

/// Why a request is refused: its stable code, the message in the user's language, and the
/// catalogue key of the error page's title.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The stable code (and so the HTTP status).
    pub code: ErrorCode,
    /// The message, translated.
    pub message: String,
    /// The error page's title (catalogue key).
    pub title: &'static str,
}

impl Refusal {
    /// A refusal with a message already translated; the page title follows the code.
    pub fn new(code: ErrorCode, message: String) -> Refusal {
        let title = match code {
            ErrorCode::Forbidden => "error.forbidden.title",
            ErrorCode::PageNotFound => "error.not_found.title",
            ErrorCode::NotFound => "error.missing.title",
            ErrorCode::DatabaseUnavailable => "error.database_unavailable.title",
            ErrorCode::Validation | ErrorCode::Conflict | ErrorCode::BadRequest => {
                "error.input.title"
            }
            _ => "error.internal.title",
        };
        Refusal {
            code,
            message,
            title,
        }
    }

    /// The same refusal under another page title (an area's "not found" page names its thing).
    pub fn titled(mut self, title: &'static str) -> Refusal {
        self.title = title;
        self
    }

    /// 403: the viewer's roles do not allow this.
    pub fn forbidden(tr: Tr) -> Refusal {
        Refusal::new(ErrorCode::Forbidden, tr.t("error.forbidden").to_string())
    }

    /// 404 with the catalogue message `key` naming the `id` asked for.
    pub fn not_found(tr: Tr, key: &str, id: &str) -> Refusal {
        Refusal::new(ErrorCode::NotFound, tr.tf(key, &[("id", id)]))
    }

    /// 422: `field` is invalid, and why (already translated).
    pub fn invalid(tr: Tr, field: &str, message: &str) -> Refusal {
        Refusal::new(
            ErrorCode::Validation,
            tr.tf("error.field", &[("field", field), ("message", message)]),
        )
    }

    /// 400: the request itself could not be read (a malformed path segment).
    pub fn bad_request(tr: Tr, detail: &str) -> Refusal {
        Refusal::new(
            ErrorCode::BadRequest,
            tr.tf("error.bad_request", &[("detail", detail)]),
        )
    }

    /// A storage failure: a stale version becomes 409 with the area's message `conflict_key`
    /// (placeholders `{expected}`, `{actual}`), "not found" what `not_found` says, a duplicate
    /// 409 and a broken domain rule 422 with their own messages; anything else is logged with
    /// its cause and answered without it.
    pub fn storage(
        tr: Tr,
        err: StorageError,
        conflict_key: &str,
        not_found: impl FnOnce() -> Refusal,
    ) -> Refusal {
        match err {
            StorageError::Conflict {
                expected, actual, ..
            } => Refusal::new(
                ErrorCode::Conflict,
                tr.tf(
                    conflict_key,
                    &[
                        ("expected", &expected.to_string()),
                        ("actual", &actual.to_string()),
                    ],
                ),
            ),
            StorageError::NotFound { .. } => not_found(),
            err => match classify(&err, ErrorCode::Internal) {
                // Domain rules and duplicates say what was wrong; they carry no internals.
                code @ (ErrorCode::Conflict | ErrorCode::Validation) => {
                    Refusal::new(code, err.to_string())
                }
                code => Refusal::new(code, generic_message(tr, code)),
            },
        }
    }

    /// The refusal as the API answers it.
    pub fn api(self) -> ApiError {
        ApiError::new(self.code, self.message)
    }

    /// The refusal as an error page.
    pub fn page(self, tr: Tr) -> Response {
        error_page(tr, self.code, self.title, self.message)
    }
}

impl From<Refusal> for ApiError {
    fn from(r: Refusal) -> ApiError {
        r.api()
    }
}

/// Refuses with 403 unless the viewer may do `p` (on `org`, when given). For records in an org
/// outside the viewer's scope, handlers answer 404 instead, so nothing leaks about other orgs.
pub fn require(v: &Viewer, p: Permission, org: Option<&str>) -> Result<(), ApiError> {
    let allowed = match org {
        Some(o) => v.can(p, Some(o)),
        None => v.principal.can_somewhere(p),
    };
    if allowed {
        Ok(())
    } else {
        Err(Refusal::forbidden(v.tr).api())
    }
}

/// 403 for anyone who may read no org at all (the administrators among others).
pub fn read_gate(v: &Viewer) -> Result<(), Refusal> {
    if v.principal.can_somewhere(Permission::ReadOrg) {
        Ok(())
    } else {
        Err(Refusal::forbidden(v.tr))
    }
}

/// Refuses a write naming the org `code` where the viewer may not do `p`: 403 when they may do
/// `p` nowhere, or may read the org but not do `p` there; 404 (`not_found_key`) when they may not
/// even read it. An org that does not exist is left to the fields' check to name.
pub fn write_org(
    v: &Viewer,
    code: &str,
    p: Permission,
    not_found_key: &str,
) -> Result<(), Refusal> {
    if !v.principal.can_somewhere(p) {
        return Err(Refusal::forbidden(v.tr));
    }
    match v.snap.model.find_org(code.trim()) {
        Some(o) if !v.can(p, Some(&o.id)) => Err(if v.can(Permission::ReadOrg, Some(&o.id)) {
            Refusal::forbidden(v.tr)
        } else {
            Refusal::not_found(v.tr, not_found_key, code)
        }),
        _ => Ok(()),
    }
}

/// The org (its code) a form to make something in is for: the one `asked` for when the viewer
/// may do `p` there (403 when they may only read it, 404 when not even that), else the first org
/// of their scope for `p` (403 when they have none).
pub fn form_org(
    v: &Viewer,
    asked: &str,
    p: Permission,
    not_found_key: &str,
) -> Result<String, Refusal> {
    if !v.principal.can_somewhere(p) {
        return Err(Refusal::forbidden(v.tr));
    }
    let m = &v.snap.model;
    match asked.trim() {
        "" => Ok(v
            .principal
            .scopes(p)
            .first()
            .and_then(|id| m.org(id))
            .map(|o| o.code.clone())
            .unwrap_or_default()),
        c => match m.find_org(c) {
            Some(o) if v.can(p, Some(&o.id)) => Ok(o.code.clone()),
            Some(o) if v.can(Permission::ReadOrg, Some(&o.id)) => Err(Refusal::forbidden(v.tr)),
            _ => Err(Refusal::not_found(v.tr, not_found_key, c)),
        },
    }
}

/// The roots of the viewer's read scope: the orgs at the top of the subtrees they may read,
/// each once, none inside another, by code.
pub fn scope_roots(v: &Viewer) -> Vec<&Org> {
    let m = &v.snap.model;
    let mut roots: Vec<&Org> = v
        .principal
        .scopes(Permission::ReadOrg)
        .into_iter()
        .filter_map(|id| m.org(id))
        .collect();
    roots.sort_by(|a, b| a.code.cmp(&b.code));
    roots.dedup_by(|a, b| a.id == b.id);
    let ids: Vec<&str> = roots.iter().map(|o| o.id.as_str()).collect();
    roots
        .iter()
        .filter(|o| !ids.iter().any(|r| *r != o.id && m.is_within(&o.id, r)))
        .copied()
        .collect()
}

/// Every org id the viewer may read (the subtrees of their read scopes), each once, in order.
pub fn readable_orgs(v: &Viewer) -> Vec<String> {
    let m = &v.snap.model;
    let mut scopes = v.principal.scopes(Permission::ReadOrg);
    scopes.sort_unstable();
    scopes.dedup();
    if let [root] = scopes[..] {
        // One subtree: no org twice, nothing to merge.
        let mut ids: Vec<String> = m.subtree(root).iter().map(|o| o.id.clone()).collect();
        ids.sort_unstable();
        return ids;
    }
    let mut ids = std::collections::BTreeSet::new();
    for root in scopes {
        for o in m.subtree(root) {
            ids.insert(o.id.clone());
        }
    }
    ids.into_iter().collect()
}

/// `orgs` as a filter for a query: `None` when they are every org of the model, which a query
/// then need not match against.
pub fn unless_every_org(v: &Viewer, orgs: &[String]) -> Option<Vec<String>> {
    (orgs.len() < v.snap.model.orgs().len()).then(|| orgs.to_vec())
}

/// The viewer as someone acting on the ledger: their roles and the person of their account.
pub fn actor(v: &Viewer) -> Actor<'_> {
    Actor {
        principal: &v.principal,
        person: v.user.person.as_deref(),
    }
}

/// The obligation as the rule of who acts on it sees it, with its duty in the policy in force
/// (`None` for a duty that policy no longer has).
fn act_of<'a>(v: &'a Viewer, o: &'a StoredObligation) -> Option<Act<'a>> {
    let m = &v.snap.model;
    let duty = v.snap.pack.duty(&o.duty)?;
    let platform = o.platform_in(m);
    Some(Act {
        org: &o.org,
        duty,
        platform,
        handler: o.handler.as_deref(),
    })
}

/// Whether the viewer may act on the obligation on `today` (keep its records, link evidence,
/// ask for a waiver): its first responsible person, the person responsible for it that day or
/// its handler. An obligation of a duty the policy in force no longer has is its first
/// responsible person's and its handler's.
pub fn acts_on(v: &Viewer, o: &StoredObligation, today: NaiveDate) -> bool {
    let m = &v.snap.model;
    match act_of(v, o) {
        Some(act) => actor(v).may_act(&v.snap.pack, m, &act, today),
        None => {
            v.can(Permission::KeepRecords, Some(&o.org))
                && (v.principal.first_responsible_over(&o.org, m)
                    || (o.handler.is_some() && o.handler == v.user.person))
        }
    }
}

/// Whether the viewer may name, change or remove the handler of the obligation on `today`: its
/// first responsible person or the person responsible for it that day.
pub fn names_handler(v: &Viewer, o: &StoredObligation, today: NaiveDate) -> bool {
    let m = &v.snap.model;
    match act_of(v, o) {
        Some(act) => actor(v).may_name_handler(&v.snap.pack, m, &act, today),
        None => {
            v.can(Permission::KeepRecords, Some(&o.org))
                && v.principal.first_responsible_over(&o.org, m)
        }
    }
}

/// Whether the viewer may keep a record of `kind` in `org` not tied to one obligation on
/// `today`: the first responsible person over the org or the person responsible for a duty of
/// the org that such a record discharges.
pub fn keeps_kind(v: &Viewer, org: &str, kind: &EvidenceOf, today: NaiveDate) -> bool {
    actor(v).may_keep_kind(&v.snap.pack, &v.snap.model, org, kind, today)
}
