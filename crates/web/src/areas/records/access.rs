//! Who may read and keep which records, and the checks every records route makes.

use super::*;
use zeren_core::params;

/// 404 for a thing of this area (catalogue message `key` naming `id`) that does not exist or
/// lies outside the viewer's scope.
pub(super) fn missing(tr: Tr, key: &str, id: &str) -> Refusal {
    Refusal::not_found(tr, key, id).titled("records.not_found.title")
}

pub(super) fn write_gate(v: &Viewer) -> Result<(), Refusal> {
    if v.principal.can_somewhere(Permission::KeepRecords) {
        Ok(())
    } else {
        Err(Refusal::forbidden(v.tr))
    }
}

pub(super) fn readable(v: &Viewer, org: &str) -> bool {
    v.can(Permission::ReadOrg, Some(org))
}

/// Whether the viewer may keep records of `kind` (of any kind of this area, when `None`) in
/// `org` that are not tied to one obligation: its first responsible person, or the person
/// responsible on the day for a duty such records discharge (PRODUCT.md §5).
pub(super) fn writable(v: &Viewer, org: &str, kind: Option<&EvidenceOf>, today: NaiveDate) -> bool {
    match kind {
        Some(k) => keeps_kind(v, org, k, today),
        None => recordable(&v.snap.pack)
            .iter()
            .any(|k| keeps_kind(v, org, k, today)),
    }
}

/// The kinds of record this area keeps: the product's own, then those the policies in force
/// define.
pub(super) fn recordable(pack: &PolicyPack) -> Vec<EvidenceOf> {
    RECORD_KINDS
        .iter()
        .map(|k| EvidenceOf::Builtin(*k))
        .chain(
            pack.record_kinds
                .iter()
                .map(|k| EvidenceOf::Pack(k.id.clone())),
        )
        .collect()
}

/// A kind this area keeps, by its id.
pub(super) fn kind_of(pack: &PolicyPack, id: &str) -> Option<EvidenceOf> {
    let id = id.trim();
    recordable(pack).into_iter().find(|k| k.as_str() == id)
}

/// Whether the viewer may amend the record, add to it or link it: they may keep its kind in
/// its org, or act on an obligation it is evidence of (its handler, say).
pub(super) async fn keeps_record(
    state: &AppState,
    v: &Viewer,
    record: &Record,
) -> Result<bool, ApiError> {
    let today = state.today();
    if writable(v, &record.org, Some(&record.kind), today) {
        return Ok(true);
    }
    let linked = state
        .db
        .record_obligations(&record.id)
        .await
        .map_err(|e| storage_api(v.tr, e))?;
    Ok(linked.iter().any(|o| acts_on(v, o, today)))
}

/// Whether the viewer may register directives received by `org`: as for the directive reports
/// that discharge their implementation.
pub(super) fn keeps_directives(v: &Viewer, org: &str, today: NaiveDate) -> bool {
    writable(
        v,
        org,
        Some(&EvidenceOf::Builtin(EvidenceKind::DirectiveReport)),
        today,
    )
}

/// Whether the viewer may keep the directive's records (set its tasks, report on them): they
/// may register directives for its org, or act on its implementation obligation (its handler).
pub(super) async fn keeps_directive(
    state: &AppState,
    v: &Viewer,
    d: &Directive,
) -> Result<bool, ApiError> {
    let today = state.today();
    if keeps_directives(v, &d.org, today) {
        return Ok(true);
    }
    let obligations = directive_obligations(state, d)
        .await
        .map_err(|e| storage_api(v.tr, e))?;
    Ok(obligations.iter().any(|o| acts_on(v, o, today)))
}

/// Whether the viewer may report on the task: they keep the directive's records, or own the
/// task and keep records in the directive's org.
pub(super) async fn reports_on(
    state: &AppState,
    v: &Viewer,
    d: &Directive,
    task: &Task,
) -> Result<bool, ApiError> {
    let owns = v.user.person.as_deref() == Some(task.owner.as_str())
        && v.can(Permission::KeepRecords, Some(&d.org));
    Ok(owns || keeps_directive(state, v, d).await?)
}

/// An org the viewer may read, by code or id.
pub(super) fn org_to_read<'a>(v: &'a Viewer, code: &str) -> Result<&'a Org, Refusal> {
    v.snap
        .model
        .find_org(code.trim())
        .filter(|o| readable(v, &o.id))
        .ok_or_else(|| missing(v.tr, "records.error.org_not_found", code.trim()))
}

/// An org the viewer keeps records of `kind` for (of any kind, when `None`).
pub(super) fn org_to_write<'a>(
    v: &'a Viewer,
    code: &str,
    kind: Option<&EvidenceOf>,
    today: NaiveDate,
) -> Result<&'a Org, Refusal> {
    let org = org_to_read(v, code)?;
    if writable(v, &org.id, kind, today) {
        Ok(org)
    } else {
        Err(Refusal::forbidden(v.tr))
    }
}

/// The org a list or form starts at: the one asked for, or the viewer's first.
pub(super) fn default_org(v: &Viewer, p: Permission) -> Option<&Org> {
    v.principal
        .scopes(p)
        .first()
        .and_then(|id| v.snap.model.org(id))
}

pub(super) async fn visible_record(
    state: &AppState,
    v: &Viewer,
    id: &str,
) -> Result<Record, ApiError> {
    let tr = v.tr;
    match state.db.record(id.trim()).await {
        Ok(r) if readable(v, &r.org) => Ok(r),
        Ok(_) | Err(StorageError::NotFound { .. }) => {
            Err(missing(tr, "records.error.record_not_found", id.trim()).api())
        }
        Err(e) => Err(storage_api(tr, e)),
    }
}

pub(super) async fn visible_directive(
    state: &AppState,
    v: &Viewer,
    id: &str,
) -> Result<Directive, ApiError> {
    let tr = v.tr;
    match state.db.directive(id.trim()).await {
        Ok(d) if readable(v, &d.org) => Ok(d),
        Ok(_) | Err(StorageError::NotFound { .. }) => {
            Err(missing(tr, "records.error.directive_not_found", id.trim()).api())
        }
        Err(e) => Err(storage_api(tr, e)),
    }
}

pub(super) async fn visible_obligation(
    state: &AppState,
    v: &Viewer,
    id: &str,
) -> Result<StoredObligation, ApiError> {
    let tr = v.tr;
    match state.db.evidence_obligation(id.trim()).await {
        Ok(o) if readable(v, &o.org) => Ok(o),
        Ok(_) | Err(StorageError::NotFound { .. }) => {
            Err(missing(tr, "records.error.obligation_not_found", id.trim()).api())
        }
        Err(e) => Err(storage_api(tr, e)),
    }
}

/// The record a page writes to, after the checks every such page makes: 403 for a role that
/// keeps no records, 400 for a malformed id, 404 outside the viewer's scope, 403 where the
/// viewer may read the record but not keep it.
pub(super) async fn record_to_write(
    state: &AppState,
    v: &Viewer,
    id: Result<Path<String>, Rejected>,
) -> Result<Record, Refusal> {
    write_gate(v)?;
    let id = id.get()?;
    let record = visible_record(state, v, &id).await.map_err(|e| {
        let found = e.code != ErrorCode::NotFound;
        let refusal = Refusal::new(e.code, e.message);
        if found {
            refusal
        } else {
            refusal.titled("records.not_found.title")
        }
    })?;
    if !keeps_record(state, v, &record)
        .await
        .map_err(|e| Refusal::new(e.code, e.message))?
    {
        return Err(Refusal::forbidden(v.tr));
    }
    Ok(record)
}

pub(super) fn forbidden(tr: Tr) -> ApiError {
    Refusal::forbidden(tr).api()
}

/// A storage failure with the domain's messages; conflicts told in the user's language.
pub(super) fn storage_api(tr: Tr, err: StorageError) -> ApiError {
    Refusal::storage(tr, err, "records.error.conflict", || {
        Refusal::new(
            ErrorCode::NotFound,
            generic_message(tr, ErrorCode::NotFound),
        )
    })
    .api()
}

/// An API error as a page: the status and message of the error.
pub(super) fn api_error_page(tr: Tr, e: ApiError) -> Response {
    let title = match e.code {
        ErrorCode::Forbidden => "error.forbidden.title",
        ErrorCode::NotFound => "records.not_found.title",
        ErrorCode::DatabaseUnavailable => "error.database_unavailable.title",
        ErrorCode::Validation | ErrorCode::Conflict | ErrorCode::BadRequest => {
            "records.error.title"
        }
        _ => "error.internal.title",
    };
    error_page(tr, e.code, title, e.message)
}

pub(super) use crate::shared::refused::invalid_fields as invalid;

pub(super) fn parse_year(tr: Tr, s: Option<&str>, today: NaiveDate) -> Result<i32, ApiError> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(today.year()),
        Some(y) => params::year(y).ok_or_else(|| {
            ApiError::new(
                ErrorCode::Validation,
                tr.tf("records.error.year", &[("value", y)]),
            )
        }),
    }
}

pub(super) fn parse_page(tr: Tr, s: Option<&str>) -> Result<i64, ApiError> {
    params::page(s)
        .and_then(|n| i64::try_from(n).ok())
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::Validation,
                tr.t("records.error.page").to_string(),
            )
        })
}

pub(super) fn parse_kind(v: &Viewer, s: Option<&str>) -> Result<Option<EvidenceOf>, ApiError> {
    let tr = v.tr;
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(k) => match kind_of(&v.snap.pack, k) {
            Some(kind) => Ok(Some(kind)),
            None => Err(ApiError::new(
                ErrorCode::Validation,
                tr.tf("records.error.kind", &[("value", k)]),
            )),
        },
    }
}
