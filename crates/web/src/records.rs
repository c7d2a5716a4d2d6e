//! Evidence records (Art.4(1)–(3), (5)): committee meetings, situation analyses, training
//! sessions, education activities, directive reports; attachments; directives from higher levels
//! with their supervised tasks — the pages and the JSON API.
//!
//! Reading needs `ReadOrg` on the record's org; writing needs `KeepRecords` there (secretary,
//! leader, staff, branch). A record outside the viewer's scope answers exactly like a missing one
//! (404); administrators hold no business permission (403). Saving a record with an obligation
//! (`?obligation=ID`) also links it as evidence in the same transaction: when the record does not
//! satisfy the duty's evidence rule, nothing is stored and the message names the rule.

use crate::AppState;
use crate::auth::{ApiViewer, PageViewer, Viewer, encode, redirect};
use crate::error::{ApiError, ErrorCode, classify, generic_message};
use crate::i18n::Tr;
use crate::pages::{Frame, error_page, page};
use crate::routes::{Describe, Routes};
use crate::views::date;
use askama::Template;
use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::multipart::{MultipartError, MultipartRejection};
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection, RawFormRejection};
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, RawForm, Request, State};
use axum::handler::Handler;
use axum::http::header::{
    CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_LENGTH, CONTENT_TYPE, X_CONTENT_TYPE_OPTIONS,
};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, NaiveDate};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::LazyLock;
use zeren_core::access::Permission;
use zeren_core::obligation::{ObligationStatus, status_on};
use zeren_core::org::{Org, OrgModel};
use zeren_core::policy::PolicyPack;
use zeren_core::vocab::EvidenceKind;
use zeren_storage::repo::records::{
    AgendaDraft, Attachment, Directive, DirectiveDraft, FieldErrors, RECORD_KINDS, Record,
    RecordContext, RecordDetails, RecordDraft, RecordFilter, ReportDraft, StoredFile, Task,
    TaskDraft, TaskReport, clean_filename, field_label, format_hours, number_or_text, sniff,
    validate_directive, validate_record, validate_report, validate_task,
};
use zeren_storage::{StorageError, StoredObligation};

/// Rows per page of every list.
pub const PER_PAGE: i64 = 50;
/// Setting key of the attachment rules (`{"max_bytes": N}`).
pub const ATTACHMENTS_SETTING: &str = "attachments";
/// The default largest attachment: 50 MB.
pub const DEFAULT_MAX_BYTES: u64 = 50 * 1024 * 1024;
/// Most files in one upload.
pub const MAX_FILES: usize = 20;
/// Room for the multipart framing and small fields beside the files.
const MULTIPART_SLACK: u64 = 64 * 1024;
/// Agenda rows a meeting form can carry.
const AGENDA_MAX: usize = 30;

/// The attachment rules kept in the setting `attachments`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentSettings {
    /// Largest file, in bytes.
    #[serde(default = "default_max_bytes")]
    pub max_bytes: u64,
}

fn default_max_bytes() -> u64 {
    DEFAULT_MAX_BYTES
}

impl Default for AttachmentSettings {
    fn default() -> Self {
        AttachmentSettings {
            max_bytes: DEFAULT_MAX_BYTES,
        }
    }
}

// ------------------------------------------------------------------------------------------
// Routes
// ------------------------------------------------------------------------------------------

const LIST_QUERY: &[(&str, &str)] = &[
    (
        "org",
        "Org code or id: records of its subtree (default: every org in scope)",
    ),
    (
        "kind",
        "committee-meeting | situation-analysis | training-session | education-activity | directive-report",
    ),
    (
        "year",
        "Records dated in this year (default: the current year)",
    ),
    ("page", "Page number, from 1; 50 rows a page"),
];

const NEW_QUERY: &[(&str, &str)] = &[
    ("kind", "Kind of record"),
    ("org", "Org code or id"),
    (
        "obligation",
        "Obligation id: the record is saved as its evidence (the org and kind follow from it)",
    ),
];

const TRAINING_QUERY: &[(&str, &str)] = &[
    ("org", "Org code or id (default: the caller's first org)"),
    ("year", "Year (default: the current year)"),
];

const DIRECTIVES_QUERY: &[(&str, &str)] = &[
    ("org", "Org code or id: directives of its subtree"),
    ("page", "Page number, from 1; 50 rows a page"),
];

/// Page routes of this area.
pub fn page_routes() -> Routes {
    Routes::pages()
        .get(
            "/records",
            Describe::auth("records", "Evidence records within the caller's scope")
                .query(LIST_QUERY),
            records_page,
        )
        .get(
            "/records/new",
            Describe::auth("records", "Form for a new record").query(NEW_QUERY),
            new_record_form,
        )
        .post(
            "/records/new",
            Describe::auth(
                "records",
                "Save a new record (urlencoded, or multipart with its attachments); with an obligation, also link it as its evidence",
            )
            .query(NEW_QUERY),
            create_record_page.layer(DefaultBodyLimit::disable()),
        )
        .get(
            "/records/training",
            Describe::auth("records", "Training status: hours per person in a year")
                .query(TRAINING_QUERY),
            training_page,
        )
        .get(
            "/records/directives",
            Describe::auth("directives", "Directives from higher levels").query(DIRECTIVES_QUERY),
            directives_page,
        )
        .get(
            "/records/directives/new",
            Describe::auth("directives", "Form to register a directive")
                .query(&[("org", "Org code or id")]),
            new_directive_form,
        )
        .post(
            "/records/directives/new",
            Describe::auth(
                "directives",
                "Register a directive (creates its implementation obligation)",
            ),
            create_directive_page,
        )
        .get(
            "/records/directives/{id}",
            Describe::auth(
                "directives",
                "A directive with its supervised tasks and reports",
            ),
            directive_page,
        )
        .post(
            "/records/directives/{id}/tasks",
            Describe::auth("directives", "Add a supervised task to a directive"),
            add_task_page,
        )
        .post(
            "/records/tasks/{id}/reports",
            Describe::auth("directives", "Report progress or completion of a task"),
            add_report_page,
        )
        .get(
            "/records/{id}",
            Describe::auth(
                "records",
                "A record: its fields, attachments, the obligations it discharges, its versions",
            ),
            record_page,
        )
        .get(
            "/records/{id}/edit",
            Describe::auth("records", "Form to amend a record"),
            edit_record_form,
        )
        .post(
            "/records/{id}/edit",
            Describe::auth(
                "records",
                "Amend a record (a new version; 409 on a stale version)",
            ),
            amend_record_page,
        )
        .post(
            "/records/{id}/attachments",
            Describe::auth(
                "records",
                "Upload attachments (multipart/form-data; type sniffed from the content)",
            )
            .multipart(),
            upload_page.layer(DefaultBodyLimit::disable()),
        )
        .post(
            "/records/{id}/evidence",
            Describe::auth(
                "records",
                "Link the record as evidence of an obligation: obligation, version",
            ),
            evidence_page,
        )
        .get(
            "/attachments/{sha}",
            Describe::auth("records", "Download an attachment of a record").query(&[(
                "record",
                "Record id (required): access is checked like the record's",
            )]),
            download,
        )
}

/// API routes of this area (paths relative to `/api/v1`).
pub fn api_routes() -> Routes {
    Routes::api("/api/v1")
        .get(
            "/records",
            Describe::auth("records", "Evidence records within the caller's scope, newest first")
                .query(LIST_QUERY),
            api_records,
        )
        .post(
            "/records",
            Describe::auth(
                "records",
                "Create a record: {kind, org, date, title, …the kind's fields}; with ?obligation=ID&version=N also link it as evidence",
            )
            .query(&[
                ("obligation", "Obligation id to discharge with the new record"),
                ("version", "The obligation's version (409 when stale)"),
            ]),
            api_create_record,
        )
        .get(
            "/records/training",
            Describe::auth("records", "Training status: sessions and hours per person in a year")
                .query(TRAINING_QUERY),
            api_training,
        )
        .get(
            "/records/{id}",
            Describe::auth(
                "records",
                "One record with its versions, attachments and the obligations it discharges",
            ),
            api_record,
        )
        .patch(
            "/records/{id}",
            Describe::auth(
                "records",
                "Amend a record: {version, …fields to change}; 409 on a stale version",
            ),
            api_amend_record,
        )
        .post(
            "/records/{id}/attachments",
            Describe::auth(
                "records",
                "Upload attachments (multipart/form-data, field `file`, repeatable); type sniffed from the content; 413 over the limit",
            )
            .multipart(),
            api_upload.layer(DefaultBodyLimit::disable()),
        )
        .post(
            "/obligations/{id}/evidence",
            Describe::auth(
                "records",
                "Discharge an obligation with a record: {record, version}; 422 with the rule's message when the record does not satisfy it",
            ),
            api_attach_evidence,
        )
        .get(
            "/directives",
            Describe::auth("directives", "Directives within the caller's scope")
                .query(DIRECTIVES_QUERY),
            api_directives,
        )
        .post(
            "/directives",
            Describe::auth(
                "directives",
                "Register a directive: {org, issuer, document_number, received_on, title, content}",
            ),
            api_create_directive,
        )
        .get(
            "/directives/{id}",
            Describe::auth("directives", "A directive with its tasks, reports and obligations"),
            api_directive,
        )
        .post(
            "/directives/{id}/tasks",
            Describe::auth("directives", "Add a supervised task: {title, owner, deadline}"),
            api_add_task,
        )
        .post(
            "/tasks/{id}/reports",
            Describe::auth(
                "directives",
                "Report on a task: {kind: progress|completion, date, content}",
            ),
            api_add_report,
        )
}

/// How long a stored or staged file may lie unreferenced before the sweep removes it: far
/// longer than any request takes between storing its files and committing their rows.
const SWEEP_GRACE: std::time::Duration = std::time::Duration::from_secs(60 * 60);

/// Background work of this area, started once by `zeren serve`: every hour, the files no record
/// holds (a record's transaction failed after its files were stored; an upload cut off by a
/// crash) are swept from the data dir.
pub fn spawn_jobs(state: &AppState) {
    let db = state.db.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(SWEEP_GRACE);
        loop {
            every.tick().await;
            match db.sweep_files(SWEEP_GRACE).await {
                Ok(swept) if swept != Default::default() => {
                    tracing::info!(
                        unreferenced = swept.unreferenced,
                        staged = swept.staged,
                        "removed files no record holds"
                    );
                }
                Ok(_) => {}
                // No files directory (attachments not configured): nothing to sweep.
                Err(zeren_storage::StorageError::Invalid(_)) => return,
                Err(e) => tracing::warn!(error = %e, "cannot sweep the files directory"),
            }
        }
    });
}

// ------------------------------------------------------------------------------------------
// Hooks for the router and the CSRF guard (see the area's notes)
// ------------------------------------------------------------------------------------------

/// Whether a request is an attachment upload, which carries its own size limit (the setting
/// `attachments`) instead of the router's 1 MB.
pub fn is_upload(method: &Method, path: &str) -> bool {
    if method != Method::POST {
        return false;
    }
    // The new-record form takes its attachments with it (multipart; urlencoded bodies are
    // still held to the 1 MB limit by the handler).
    if path == "/records/new" {
        return true;
    }
    let rest = path
        .strip_prefix("/api/v1/records/")
        .or_else(|| path.strip_prefix("/records/"));
    match rest.and_then(|r| r.split_once('/')) {
        Some((id, "attachments")) => !id.is_empty() && !id.contains('/'),
        _ => false,
    }
}

/// The router's body limit for every request but attachment uploads: a declared length over
/// [`crate::BODY_LIMIT`] is refused with 413 before anything is read (bodies without a length
/// are held to the limit by `DefaultBodyLimit` where they are read).
pub fn oversized(req: &Request) -> Option<Response> {
    if is_upload(req.method(), req.uri().path())
        || content_length(req.headers()).is_none_or(|n| n <= crate::BODY_LIMIT as u64)
    {
        return None;
    }
    let tr = Tr::from_parts(
        req.uri().query(),
        req.headers()
            .get(axum::http::header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    );
    Some((StatusCode::PAYLOAD_TOO_LARGE, tr.t("error.too_large")).into_response())
}

fn content_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
}

/// For the CSRF guard: the `csrf` field of a `multipart/form-data` body, which must be the
/// form's first part (Zeren's forms put it first). Reads at most 16 KB; the body is handed back
/// whole, whatever was read.
pub async fn multipart_csrf(content_type: &str, body: Body) -> (Option<String>, Body) {
    let Some(boundary) = boundary_of(content_type) else {
        return (None, body);
    };
    let delimiter = format!("--{boundary}");
    let mut stream = body.into_data_stream();
    let mut head: Vec<u8> = Vec::new();
    let mut failure: Option<axum::Error> = None;
    let mut token = None;
    while head.len() < 16 * 1024 {
        match stream.next().await {
            Some(Ok(chunk)) => head.extend_from_slice(&chunk),
            Some(Err(e)) => {
                failure = Some(e);
                break;
            }
            None => {
                token = first_field(&head, &delimiter, "csrf").flatten();
                break;
            }
        }
        match first_field(&head, &delimiter, "csrf") {
            Some(found) => {
                token = found;
                break;
            }
            None => continue,
        }
    }
    let prefix =
        futures_util::stream::once(async move { Ok::<Bytes, axum::Error>(Bytes::from(head)) });
    let failed = futures_util::stream::iter(failure.map(Err));
    let body = Body::from_stream(prefix.chain(failed).chain(stream));
    (token, body)
}

/// The boundary of a `multipart/form-data` content type.
fn boundary_of(content_type: &str) -> Option<String> {
    let (mime, params) = content_type.split_once(';')?;
    if !mime.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params
        .split(';')
        .find_map(|p| {
            let (k, v) = p.split_once('=')?;
            k.trim()
                .eq_ignore_ascii_case("boundary")
                .then(|| v.trim().trim_matches('"').to_string())
        })
        .filter(|b| !b.is_empty())
}

/// The value of the first part of a multipart body if it is named `name`: `Some(Some(v))`;
/// `Some(None)` when the first part is another; `None` when more bytes are needed.
fn first_field(head: &[u8], delimiter: &str, name: &str) -> Option<Option<String>> {
    let d = delimiter.as_bytes();
    let start = find(head, d)?;
    let after = start + d.len();
    let headers_end = find(&head[after..], b"\r\n\r\n")? + after;
    let headers = String::from_utf8_lossy(&head[after..headers_end]).to_ascii_lowercase();
    let wanted = format!("name=\"{name}\"");
    if !headers.contains("content-disposition") || !headers.contains(&wanted) {
        return Some(None);
    }
    let value_start = headers_end + 4;
    let mut end_marker = b"\r\n".to_vec();
    end_marker.extend_from_slice(d);
    let value_end = find(&head[value_start..], &end_marker)? + value_start;
    Some(Some(
        String::from_utf8_lossy(&head[value_start..value_end])
            .trim()
            .to_string(),
    ))
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

// ------------------------------------------------------------------------------------------
// Scope
// ------------------------------------------------------------------------------------------

/// Why a request is refused before its input is looked at.
enum Refusal {
    /// No permission (administrators, read-only roles writing).
    Forbidden,
    /// Missing or outside the viewer's scope: (catalog key, id).
    NotFound(&'static str, String),
}

impl Refusal {
    fn api(self, tr: Tr) -> ApiError {
        match self {
            Refusal::Forbidden => {
                ApiError::new(ErrorCode::Forbidden, tr.t("error.forbidden").into())
            }
            Refusal::NotFound(key, id) => {
                ApiError::new(ErrorCode::NotFound, tr.tf(key, &[("id", &id)]))
            }
        }
    }

    fn page(self, tr: Tr) -> Response {
        match self {
            Refusal::Forbidden => error_page(
                tr,
                ErrorCode::Forbidden,
                "error.forbidden.title",
                tr.t("error.forbidden").to_string(),
            ),
            Refusal::NotFound(key, id) => error_page(
                tr,
                ErrorCode::NotFound,
                "records.not_found.title",
                tr.tf(key, &[("id", &id)]),
            ),
        }
    }
}

fn read_gate(v: &Viewer) -> Result<(), Refusal> {
    if v.principal.can_somewhere(Permission::ReadOrg) {
        Ok(())
    } else {
        Err(Refusal::Forbidden)
    }
}

fn write_gate(v: &Viewer) -> Result<(), Refusal> {
    if v.principal.can_somewhere(Permission::KeepRecords) {
        Ok(())
    } else {
        Err(Refusal::Forbidden)
    }
}

fn readable(v: &Viewer, org: &str) -> bool {
    v.can(Permission::ReadOrg, Some(org))
}

fn writable(v: &Viewer, org: &str) -> bool {
    v.can(Permission::KeepRecords, Some(org))
}

/// An org the viewer may read, by code or id.
fn org_to_read<'a>(v: &'a Viewer, code: &str) -> Result<&'a Org, Refusal> {
    v.snap
        .model
        .find_org(code.trim())
        .filter(|o| readable(v, &o.id))
        .ok_or_else(|| Refusal::NotFound("records.error.org_not_found", code.trim().to_string()))
}

/// An org the viewer keeps records for.
fn org_to_write<'a>(v: &'a Viewer, code: &str) -> Result<&'a Org, Refusal> {
    let org = org_to_read(v, code)?;
    if writable(v, &org.id) {
        Ok(org)
    } else {
        Err(Refusal::Forbidden)
    }
}

/// Every org id the viewer may read (the subtrees of their roles), each once.
fn readable_orgs(v: &Viewer) -> Vec<String> {
    let m = &v.snap.model;
    let mut out: Vec<String> = Vec::new();
    for root in v.principal.scopes(Permission::ReadOrg) {
        for o in m.subtree(root) {
            if !out.contains(&o.id) {
                out.push(o.id.clone());
            }
        }
    }
    out
}

/// The org a list or form starts at: the one asked for, or the viewer's first.
fn default_org(v: &Viewer, p: Permission) -> Option<&Org> {
    v.principal
        .scopes(p)
        .first()
        .and_then(|id| v.snap.model.org(id))
}

async fn visible_record(state: &AppState, v: &Viewer, id: &str) -> Result<Record, ApiError> {
    let tr = v.tr;
    match state.db.record(id.trim()).await {
        Ok(r) if readable(v, &r.org) => Ok(r),
        Ok(_) | Err(StorageError::NotFound { .. }) => {
            Err(Refusal::NotFound("records.error.record_not_found", id.trim().into()).api(tr))
        }
        Err(e) => Err(storage_api(tr, e)),
    }
}

async fn visible_directive(state: &AppState, v: &Viewer, id: &str) -> Result<Directive, ApiError> {
    let tr = v.tr;
    match state.db.directive(id.trim()).await {
        Ok(d) if readable(v, &d.org) => Ok(d),
        Ok(_) | Err(StorageError::NotFound { .. }) => {
            Err(Refusal::NotFound("records.error.directive_not_found", id.trim().into()).api(tr))
        }
        Err(e) => Err(storage_api(tr, e)),
    }
}

async fn visible_obligation(
    state: &AppState,
    v: &Viewer,
    id: &str,
) -> Result<StoredObligation, ApiError> {
    let tr = v.tr;
    match state.db.evidence_obligation(id.trim()).await {
        Ok(o) if readable(v, &o.org) => Ok(o),
        Ok(_) | Err(StorageError::NotFound { .. }) => {
            Err(Refusal::NotFound("records.error.obligation_not_found", id.trim().into()).api(tr))
        }
        Err(e) => Err(storage_api(tr, e)),
    }
}

fn forbidden(tr: Tr) -> ApiError {
    Refusal::Forbidden.api(tr)
}

/// A storage failure with the domain's messages; conflicts told in the user's language.
fn storage_api(tr: Tr, err: StorageError) -> ApiError {
    match err {
        StorageError::Conflict {
            expected, actual, ..
        } => ApiError::new(
            ErrorCode::Conflict,
            tr.tf(
                "records.error.conflict",
                &[
                    ("expected", &expected.to_string()),
                    ("actual", &actual.to_string()),
                ],
            ),
        ),
        err => ApiError::from_storage(err, tr, ErrorCode::NotFound, ""),
    }
}

/// An API error as a page: the status and message of the error.
fn api_error_page(tr: Tr, e: ApiError) -> Response {
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

fn invalid(errors: &FieldErrors, tr: Tr) -> ApiError {
    let msg = errors
        .iter()
        .map(|(_, m)| m.as_str())
        .collect::<Vec<_>>()
        .join(tr.lang().pick("；", "; "));
    ApiError::new(ErrorCode::Validation, msg)
}

fn json_body<T>(tr: Tr, body: Result<Json<T>, JsonRejection>) -> Result<T, ApiError> {
    body.map(|Json(b)| b).map_err(|e| {
        ApiError::new(
            ErrorCode::Validation,
            tr.tf("records.error.body", &[("detail", &e.body_text())]),
        )
    })
}

fn query_of<T>(tr: Tr, q: Result<Query<T>, QueryRejection>) -> Result<T, ApiError> {
    q.map(|Query(q)| q).map_err(|e| {
        ApiError::new(
            ErrorCode::Validation,
            tr.tf("records.error.body", &[("detail", &e.body_text())]),
        )
    })
}

fn path_of(tr: Tr, p: Result<Path<String>, PathRejection>) -> Result<String, ApiError> {
    p.map(|Path(p)| p).map_err(|e| {
        ApiError::new(
            ErrorCode::BadRequest,
            tr.tf("error.bad_request", &[("detail", &e.body_text())]),
        )
    })
}

fn parse_year(tr: Tr, s: Option<&str>, today: NaiveDate) -> Result<i32, ApiError> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(today.year()),
        Some(y) => y
            .parse::<i32>()
            .ok()
            .filter(|y| (1900..=9999).contains(y))
            .ok_or_else(|| {
                ApiError::new(
                    ErrorCode::Validation,
                    tr.tf("records.error.year", &[("value", y)]),
                )
            }),
    }
}

fn parse_page(tr: Tr, s: Option<&str>) -> Result<i64, ApiError> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(1),
        Some(p) => p.parse::<i64>().ok().filter(|n| *n >= 1).ok_or_else(|| {
            ApiError::new(
                ErrorCode::Validation,
                tr.t("records.error.page").to_string(),
            )
        }),
    }
}

fn parse_kind(tr: Tr, s: Option<&str>) -> Result<Option<EvidenceKind>, ApiError> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(k) => match EvidenceKind::parse(k) {
            Some(kind) if RECORD_KINDS.contains(&kind) => Ok(Some(kind)),
            _ => Err(ApiError::new(
                ErrorCode::Validation,
                tr.tf("records.error.kind", &[("value", k)]),
            )),
        },
    }
}

// ------------------------------------------------------------------------------------------
// Words and links
// ------------------------------------------------------------------------------------------

/// A field's name as a label: capitalised in English.
fn label(field: &str, tr: Tr) -> String {
    let l = field_label(field, tr.lang());
    let mut chars = l.chars();
    match chars.next() {
        Some(c) if tr.is_en() => c.to_uppercase().chain(chars).collect(),
        _ => l.to_string(),
    }
}

fn kind_name(tr: Tr, k: EvidenceKind) -> String {
    tr.t(&format!("evidence.{}", k.as_str())).to_string()
}

fn person_name(m: &OrgModel, id: &str) -> String {
    m.person(id)
        .map(|p| p.name.clone())
        .unwrap_or_else(|| id.to_string())
}

fn org_name(m: &OrgModel, id: &str) -> String {
    m.org(id)
        .map(|o| o.name.clone())
        .unwrap_or_else(|| id.to_string())
}

fn topic_name(tr: Tr, pack: &PolicyPack, id: &str) -> String {
    pack.topics
        .iter()
        .find(|t| t.id == id)
        .map(|t| tr.lang().pick(&t.name, &t.name_en).to_string())
        .unwrap_or_else(|| id.to_string())
}

/// `href` with the explicit language choice kept.
fn with_lang(href: &str, tr: Tr) -> String {
    let qs = tr.qs();
    if qs.is_empty() {
        href.to_string()
    } else if href.contains('?') {
        format!("{href}&{}", &qs[1..])
    } else {
        format!("{href}{qs}")
    }
}

/// `path?k=v&…` from the non-empty parameters.
fn href_with(path: &str, params: &[(&str, &str)], tr: Tr) -> String {
    let parts: Vec<String> = params
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect();
    let base = if parts.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{}", parts.join("&"))
    };
    with_lang(&base, tr)
}

fn record_href(id: &str, tr: Tr) -> String {
    with_lang(&format!("/records/{}", encode(id)), tr)
}

fn directive_href(id: &str, tr: Tr) -> String {
    with_lang(&format!("/records/directives/{}", encode(id)), tr)
}

/// Whether the obligations area serves `GET /obligations/{id}` (then links and redirects go there).
static OBLIGATION_PAGE: LazyLock<bool> = LazyLock::new(|| {
    crate::route_table()
        .iter()
        .any(|r| r.method == "GET" && r.path == "/obligations/{id}")
});

fn obligation_href(id: &str, tr: Tr) -> Option<String> {
    (*OBLIGATION_PAGE).then(|| with_lang(&format!("/obligations/{}", encode(id)), tr))
}

/// The link that records a new piece of evidence for an obligation (for the obligation's page).
pub fn new_evidence_href(obligation_id: &str, tr: Tr) -> String {
    href_with("/records/new", &[("obligation", obligation_id)], tr)
}

fn fmt_instant(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| {
            t.with_timezone(&zeren_core::clock::shanghai())
                .format("%Y-%m-%d %H:%M")
                .to_string()
        })
        .unwrap_or_default()
}

fn fmt_size(n: i64) -> String {
    let n = n.max(0) as f64;
    if n < 1024.0 {
        format!("{n} B")
    } else if n < 1024.0 * 1024.0 {
        format!("{:.1} KB", n / 1024.0)
    } else {
        format!("{:.1} MB", n / 1024.0 / 1024.0)
    }
}

/// People of an org's subtree as (id, "name（org）"), by org then name.
fn people_of(m: &OrgModel, org: &str) -> Vec<(String, String)> {
    let mut out: Vec<(&str, &str, &str)> = m
        .people()
        .iter()
        .filter(|p| m.is_within(&p.org, org))
        .map(|p| {
            (
                p.id.as_str(),
                p.name.as_str(),
                m.org(&p.org).map(|o| o.name.as_str()).unwrap_or(""),
            )
        })
        .collect();
    let own = m.org(org).map(|o| o.name.as_str()).unwrap_or("");
    out.sort_by(|a, b| (a.2 != own, a.2, a.1).cmp(&(b.2 != own, b.2, b.1)));
    out.into_iter()
        .map(|(id, name, o)| (id.to_string(), format!("{name}（{o}）")))
        .collect()
}

/// Status of an obligation today, as its API spelling.
fn status_of(o: &StoredObligation, pack: &PolicyPack, today: NaiveDate) -> ObligationStatus {
    status_on(o.discharge(), o.due, today, pack.reminders.due_soon_days)
}

/// An obligation as a record's page shows it.
pub struct ObligationLink {
    /// Id.
    pub id: String,
    /// Its page, once the obligations area serves one.
    pub href: Option<String>,
    /// Duty title.
    pub duty: String,
    /// Article citation.
    pub citation: String,
    /// Period key.
    pub period: String,
    /// Due date.
    pub due: String,
    /// Status spelling (`done`, …).
    pub status: &'static str,
    /// Status in words.
    pub status_name: String,
    /// Version (for linking evidence).
    pub version: i64,
}

fn obligation_link(
    o: &StoredObligation,
    pack: &PolicyPack,
    tr: Tr,
    today: NaiveDate,
) -> ObligationLink {
    let status = status_of(o, pack, today).as_str();
    let duty = pack
        .duty(&o.duty)
        .map(|d| tr.lang().pick(&d.title, &d.title_en).to_string())
        .unwrap_or_else(|| o.duty.clone());
    let citation = pack
        .duty(&o.duty)
        .map(|d| {
            if tr.is_en() {
                d.citation().to_string()
            } else {
                d.citation().to_zh()
            }
        })
        .unwrap_or_else(|| o.citation.clone());
    ObligationLink {
        id: o.id.clone(),
        href: obligation_href(&o.id, tr),
        duty,
        citation,
        period: o.period.clone(),
        due: date(o.due),
        status,
        status_name: tr.t(&format!("status.{status}")).to_string(),
        version: o.version,
    }
}

fn obligation_json(o: &StoredObligation, pack: &PolicyPack, today: NaiveDate) -> Value {
    json!({
        "id": o.id,
        "duty": o.duty,
        "org": o.org,
        "subject_kind": o.subject_kind,
        "subject": o.subject,
        "period": o.period,
        "due": date(o.due),
        "citation": o.citation,
        "status": status_of(o, pack, today).as_str(),
        "completed_on": o.completed_on.map(date),
        "version": o.version,
    })
}

// ------------------------------------------------------------------------------------------
// What a record shows
// ------------------------------------------------------------------------------------------

/// One field of a record as shown.
pub struct FieldView {
    /// Label.
    pub label: String,
    /// Text (may be long; shown with its line breaks).
    pub value: String,
}

fn fields_of(
    tr: Tr,
    m: &OrgModel,
    pack: &PolicyPack,
    details: &RecordDetails,
    directive_title: Option<&str>,
) -> Vec<FieldView> {
    let lang = tr.lang();
    let names = |ids: &[String]| -> String {
        if ids.is_empty() {
            tr.t("records.none").to_string()
        } else {
            ids.iter()
                .map(|p| person_name(m, p))
                .collect::<Vec<_>>()
                .join(lang.pick("、", ", "))
        }
    };
    let f = |field: &str, value: String| FieldView {
        label: label(field, tr),
        value,
    };
    match details {
        RecordDetails::CommitteeMeeting {
            attendees,
            absentees,
            agenda,
            minutes,
            decisions,
        } => {
            let agenda_text = agenda
                .iter()
                .enumerate()
                .map(|(i, a)| {
                    let topics: Vec<String> =
                        a.topics.iter().map(|t| topic_name(tr, pack, t)).collect();
                    if topics.is_empty() {
                        format!("{}. {}", i + 1, a.title)
                    } else {
                        format!(
                            "{}. {}（{}）",
                            i + 1,
                            a.title,
                            topics.join(lang.pick("、", ", "))
                        )
                    }
                })
                .collect::<Vec<_>>()
                .join("\n");
            vec![
                f("attendees", names(attendees)),
                f("absentees", names(absentees)),
                f("agenda", agenda_text),
                f("minutes", minutes.clone()),
                f(
                    "decisions",
                    if decisions.is_empty() {
                        tr.t("records.none").into()
                    } else {
                        decisions.clone()
                    },
                ),
            ]
        }
        RecordDetails::SituationAnalysis {
            covers,
            author,
            findings,
            measures,
        } => vec![
            f("covers", covers.clone()),
            f("author", person_name(m, author)),
            f("findings", findings.clone()),
            f("measures", measures.clone()),
        ],
        RecordDetails::TrainingSession {
            trainer,
            attendees,
            hours,
        } => vec![
            f("trainer", trainer.clone()),
            f("hours", format_hours(*hours)),
            f("attendees", names(attendees)),
        ],
        RecordDetails::EducationActivity {
            audience,
            count,
            content,
        } => vec![
            f("audience", audience.clone()),
            f("count", count.to_string()),
            f("content", content.clone()),
        ],
        RecordDetails::DirectiveReport { directive, text } => vec![
            f(
                "directive",
                directive_title
                    .map(str::to_string)
                    .unwrap_or_else(|| directive.clone()),
            ),
            f("text", text.clone()),
        ],
    }
}

/// One version in a record's history.
pub struct VersionView {
    /// "version n · by · at".
    pub line: String,
    /// Number.
    pub version: i64,
    /// Who wrote it.
    pub by: String,
    /// When.
    pub at: String,
    /// Title then.
    pub title: String,
    /// Date then.
    pub date: String,
    /// The fields then.
    pub fields: Vec<FieldView>,
}

/// One attachment as listed.
pub struct AttachmentView {
    /// Download link.
    pub href: String,
    /// File name.
    pub filename: String,
    /// Size in words.
    pub size: String,
    /// Content type.
    pub mime: String,
    /// Who attached it, when.
    pub added: String,
}

fn attachment_view(a: &Attachment, record_id: &str) -> AttachmentView {
    AttachmentView {
        href: format!(
            "/attachments/{}?record={}",
            encode(&a.sha256),
            encode(record_id)
        ),
        filename: a.filename.clone(),
        size: fmt_size(a.size),
        mime: a.mime.clone(),
        added: format!("{} · {}", a.added_by, fmt_instant(a.added_at)),
    }
}

fn attachment_json(a: &Attachment, record_id: &str) -> Value {
    json!({
        "sha256": a.sha256,
        "filename": a.filename,
        "size": a.size,
        "mime": a.mime,
        "added_at": a.added_at,
        "added_by": a.added_by,
        "href": format!("/attachments/{}?record={}", a.sha256, encode(record_id)),
    })
}

// ------------------------------------------------------------------------------------------
// Forms: reading urlencoded bodies with repeated keys
// ------------------------------------------------------------------------------------------

/// The body of a form; an unreadable one reads as empty (its fields are then reported missing).
fn raw(form: Result<RawForm, RawFormRejection>) -> Bytes {
    form.map(|RawForm(b)| b).unwrap_or_default()
}

fn form_pairs(body: &[u8]) -> Vec<(String, String)> {
    let text = String::from_utf8_lossy(body);
    text.split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let hex = |b: u8| (b as char).to_digit(16);
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn first<'a>(pairs: &'a [(String, String)], key: &str) -> &'a str {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

fn all_of(pairs: &[(String, String)], key: &str) -> Vec<String> {
    pairs
        .iter()
        .filter(|(k, v)| k == key && !v.trim().is_empty())
        .map(|(_, v)| v.trim().to_string())
        .collect()
}

/// A record draft from a form.
fn draft_from_form(pairs: &[(String, String)]) -> RecordDraft {
    let mut agenda: BTreeMap<usize, AgendaDraft> = BTreeMap::new();
    for (k, v) in pairs {
        let Some(rest) = k.strip_prefix("agenda.") else {
            continue;
        };
        let Some((n, what)) = rest.split_once('.') else {
            continue;
        };
        let Ok(n) = n.parse::<usize>() else {
            continue;
        };
        if n == 0 || n > AGENDA_MAX {
            continue;
        }
        let item = agenda.entry(n).or_default();
        match what {
            "title" => item.title = v.clone(),
            "topics" if !v.trim().is_empty() => item.topics.push(v.trim().to_string()),
            _ => {}
        }
    }
    let rows = agenda.keys().max().copied().unwrap_or(0);
    let agenda = (1..=rows)
        .map(|n| agenda.remove(&n).unwrap_or_default())
        .collect();
    RecordDraft {
        kind: first(pairs, "kind").into(),
        org: first(pairs, "org").into(),
        date: first(pairs, "date").into(),
        title: first(pairs, "title").into(),
        attendees: all_of(pairs, "attendees"),
        absentees: all_of(pairs, "absentees"),
        agenda,
        minutes: first(pairs, "minutes").into(),
        decisions: first(pairs, "decisions").into(),
        covers: first(pairs, "covers").into(),
        author: first(pairs, "author").into(),
        findings: first(pairs, "findings").into(),
        measures: first(pairs, "measures").into(),
        trainer: first(pairs, "trainer").into(),
        hours: first(pairs, "hours").into(),
        audience: first(pairs, "audience").into(),
        count: first(pairs, "count").into(),
        content: first(pairs, "content").into(),
        directive: first(pairs, "directive").into(),
        text: first(pairs, "text").into(),
    }
}

// ------------------------------------------------------------------------------------------
// Pages: the list
// ------------------------------------------------------------------------------------------

/// Query of the record list.
#[derive(Deserialize, Default)]
pub struct ListQuery {
    org: Option<String>,
    kind: Option<String>,
    year: Option<String>,
    page: Option<String>,
}

/// One row of the record list.
pub struct RecordRow {
    /// Link.
    pub href: String,
    /// Day.
    pub date: String,
    /// Kind in words.
    pub kind: String,
    /// Title.
    pub title: String,
    /// Org name.
    pub org: String,
    /// Version.
    pub version: i64,
}

#[derive(Template)]
#[template(path = "records_list.html")]
struct ListPage {
    frame: Frame,
    tr: Tr,
    org: String,
    kind: String,
    year: String,
    kinds: Vec<(String, String)>,
    rows: Vec<RecordRow>,
    prev: Option<String>,
    next: Option<String>,
    page_label: String,
    new_links: Vec<(String, String)>,
    training_href: String,
    directives_href: String,
    error: Option<String>,
}

struct Listing {
    orgs: Vec<String>,
    org_code: String,
    kind: Option<EvidenceKind>,
    year: i32,
    page: i64,
}

fn listing(v: &Viewer, q: &ListQuery, today: NaiveDate) -> Result<Listing, ApiError> {
    let tr = v.tr;
    let year = parse_year(tr, q.year.as_deref(), today)?;
    let kind = parse_kind(tr, q.kind.as_deref())?;
    let page = parse_page(tr, q.page.as_deref())?;
    let (orgs, org_code) = match q.org.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(code) => {
            let org = org_to_read(v, code).map_err(|r| r.api(tr))?;
            (
                v.snap
                    .model
                    .subtree(&org.id)
                    .iter()
                    .map(|o| o.id.clone())
                    .collect(),
                org.code.clone(),
            )
        }
        None => (readable_orgs(v), String::new()),
    };
    Ok(Listing {
        orgs,
        org_code,
        kind,
        year,
        page,
    })
}

async fn records_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    q: Result<Query<ListQuery>, QueryRejection>,
) -> Response {
    let tr = v.tr;
    if let Err(r) = read_gate(&v) {
        return r.page(tr);
    }
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let today = state.today();
    let (l, error) = match listing(&v, &q, today) {
        Ok(l) => (l, None),
        Err(e) if e.code == ErrorCode::NotFound => return api_error_page(tr, e),
        Err(e) => (
            Listing {
                orgs: readable_orgs(&v),
                org_code: String::new(),
                kind: None,
                year: today.year(),
                page: 1,
            },
            Some(e.message),
        ),
    };
    let filter = RecordFilter {
        orgs: l.orgs.clone(),
        kind: l.kind,
        year: Some(l.year),
        offset: (l.page - 1) * PER_PAGE,
        limit: PER_PAGE,
    };
    let (records, total) = match state.db.records(&filter).await {
        Ok(x) => x,
        Err(e) => return api_error_page(tr, storage_api(tr, e)),
    };
    let m = &v.snap.model;
    let rows = records
        .iter()
        .map(|r| RecordRow {
            href: record_href(&r.id, tr),
            date: date(r.date),
            kind: kind_name(tr, r.kind),
            title: r.title.clone(),
            org: org_name(m, &r.org),
            version: r.version,
        })
        .collect();
    let year = l.year.to_string();
    let kind = l.kind.map(|k| k.as_str().to_string()).unwrap_or_default();
    let pages = ((total + PER_PAGE - 1) / PER_PAGE).max(1);
    let link = |n: i64| {
        href_with(
            "/records",
            &[
                ("org", &l.org_code),
                ("kind", &kind),
                ("year", &year),
                ("page", &n.to_string()),
            ],
            tr,
        )
    };
    let new_org = if l.org_code.is_empty() {
        default_org(&v, Permission::KeepRecords)
            .map(|o| o.code.clone())
            .unwrap_or_default()
    } else {
        l.org_code.clone()
    };
    let new_links = if v.principal.can_somewhere(Permission::KeepRecords) {
        RECORD_KINDS
            .iter()
            .map(|k| {
                (
                    href_with(
                        "/records/new",
                        &[("kind", k.as_str()), ("org", &new_org)],
                        tr,
                    ),
                    kind_name(tr, *k),
                )
            })
            .collect()
    } else {
        Vec::new()
    };
    page(
        if error.is_some() {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::OK
        },
        &ListPage {
            frame: Frame::of(&state, Some(&v)),
            tr,
            org: l.org_code.clone(),
            kinds: RECORD_KINDS
                .iter()
                .map(|k| (k.as_str().to_string(), kind_name(tr, *k)))
                .collect(),
            rows,
            prev: (l.page > 1).then(|| link(l.page - 1)),
            next: (l.page < pages).then(|| link(l.page + 1)),
            page_label: tr.tf(
                "records.page",
                &[
                    ("page", &l.page.to_string()),
                    ("pages", &pages.to_string()),
                    ("total", &total.to_string()),
                ],
            ),
            new_links,
            training_href: href_with(
                "/records/training",
                &[("org", &l.org_code), ("year", &year)],
                tr,
            ),
            directives_href: href_with("/records/directives", &[("org", &l.org_code)], tr),
            kind,
            year,
            error,
        },
    )
}

// ------------------------------------------------------------------------------------------
// Pages: the record form (new and amend)
// ------------------------------------------------------------------------------------------

/// One agenda row of the meeting form.
pub struct AgendaRow {
    /// Row number from 1.
    pub n: usize,
    /// "Item n".
    pub label: String,
    /// Title typed.
    pub title: String,
    /// (topic id, name, checked).
    pub topics: Vec<(String, String, bool)>,
}

/// The obligation a new record is for.
pub struct ObligationNote {
    /// Id.
    pub id: String,
    /// Version seen.
    pub version: i64,
    /// Duty, citation, period, due as one line.
    pub line: String,
    /// Link, when the obligations area serves one.
    pub href: Option<String>,
}

#[derive(Template)]
#[template(path = "records_form.html")]
struct FormPage {
    frame: Frame,
    tr: Tr,
    csrf: String,
    heading: String,
    action: String,
    cancel: String,
    kind: String,
    kind_name: String,
    org_id: String,
    org_name: String,
    version: Option<i64>,
    obligation: Option<ObligationNote>,
    draft: RecordDraft,
    people: Vec<(String, String)>,
    agenda: Vec<AgendaRow>,
    directives: Vec<(String, String)>,
    errors: FieldErrors,
    choose: Vec<(String, String)>,
    /// The largest attachment, as shown (`50 MB`).
    max_size: String,
}

impl FormPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        crate::views::field_error(&self.errors, field)
    }

    fn has_error(&self, field: &str) -> bool {
        self.error_for(field).is_some()
    }

    /// Errors of the agenda rows and of fields the form does not show.
    fn general_errors(&self) -> Vec<&str> {
        const SHOWN: &[&str] = &[
            "date",
            "title",
            "attendees",
            "absentees",
            "minutes",
            "decisions",
            "covers",
            "author",
            "findings",
            "measures",
            "trainer",
            "hours",
            "audience",
            "count",
            "content",
            "directive",
            "text",
            "files",
        ];
        crate::views::other_errors(&self.errors, SHOWN)
    }

    fn attending(&self, id: &str) -> bool {
        self.draft.attendees.iter().any(|a| a == id)
    }

    fn absent(&self, id: &str) -> bool {
        self.draft.absentees.iter().any(|a| a == id)
    }

    fn label(&self, field: &str) -> String {
        label(field, self.tr)
    }
}

struct FormSetup<'a> {
    org: &'a Org,
    kind: Option<EvidenceKind>,
    obligation: Option<StoredObligation>,
    version: Option<i64>,
    record_id: Option<String>,
}

async fn form_page(
    state: &AppState,
    v: &Viewer,
    s: &FormSetup<'_>,
    draft: RecordDraft,
    errors: FieldErrors,
    status: StatusCode,
) -> Response {
    let tr = v.tr;
    let m = &v.snap.model;
    let pack = &v.snap.pack;
    let today = state.today();
    let obligation = s.obligation.as_ref().map(|o| {
        let l = obligation_link(o, pack, tr, today);
        ObligationNote {
            id: o.id.clone(),
            version: o.version,
            line: tr.tf(
                "records.form.for_obligation",
                &[
                    ("duty", &l.duty),
                    ("citation", &l.citation),
                    ("period", &l.period),
                    ("due", &l.due),
                ],
            ),
            href: l.href,
        }
    });
    let (action, heading, cancel) = match &s.record_id {
        Some(id) => (
            with_lang(&format!("/records/{}/edit", encode(id)), tr),
            tr.t("records.form.amend").to_string(),
            record_href(id, tr),
        ),
        None => (
            match &s.obligation {
                Some(o) => href_with("/records/new", &[("obligation", &o.id)], tr),
                None => with_lang("/records/new", tr),
            },
            tr.t("records.form.new").to_string(),
            match &s.obligation {
                Some(o) => obligation_href(&o.id, tr)
                    .unwrap_or_else(|| href_with("/records", &[("org", &s.org.code)], tr)),
                None => href_with("/records", &[("org", &s.org.code)], tr),
            },
        ),
    };
    let choose = if s.kind.is_none() {
        RECORD_KINDS
            .iter()
            .map(|k| {
                let mut params = vec![("kind", k.as_str()), ("org", s.org.code.as_str())];
                if let Some(o) = &s.obligation {
                    params.push(("obligation", o.id.as_str()));
                }
                (href_with("/records/new", &params, tr), kind_name(tr, *k))
            })
            .collect()
    } else {
        Vec::new()
    };
    let rows = draft.agenda.len().max(2) + 1;
    let agenda = (0..rows.min(AGENDA_MAX))
        .map(|i| {
            let item = draft.agenda.get(i);
            AgendaRow {
                n: i + 1,
                label: tr.tf("records.form.agenda_item", &[("n", &(i + 1).to_string())]),
                title: item.map(|a| a.title.clone()).unwrap_or_default(),
                topics: pack
                    .topics
                    .iter()
                    .map(|t| {
                        (
                            t.id.clone(),
                            tr.lang().pick(&t.name, &t.name_en).to_string(),
                            item.is_some_and(|a| a.topics.contains(&t.id)),
                        )
                    })
                    .collect(),
            }
        })
        .collect();
    let directives = if s.kind == Some(EvidenceKind::DirectiveReport) {
        match state
            .db
            .directives(std::slice::from_ref(&s.org.id), 0, 200)
            .await
        {
            Ok((list, _)) => list
                .iter()
                .map(|d| {
                    (
                        d.id.clone(),
                        format!(
                            "{} {}（{}）",
                            d.document_number,
                            d.title,
                            date(d.received_on)
                        ),
                    )
                })
                .collect(),
            Err(e) => return api_error_page(tr, storage_api(tr, e)),
        }
    } else {
        Vec::new()
    };
    page(
        status,
        &FormPage {
            frame: Frame::of(state, Some(v)),
            tr,
            csrf: v.csrf().to_string(),
            heading,
            action,
            cancel,
            kind: s.kind.map(|k| k.as_str().to_string()).unwrap_or_default(),
            kind_name: s.kind.map(|k| kind_name(tr, k)).unwrap_or_default(),
            org_id: s.org.id.clone(),
            org_name: s.org.name.clone(),
            version: s.version,
            obligation,
            draft,
            people: people_of(m, &s.org.id),
            agenda,
            directives,
            errors,
            choose,
            max_size: fmt_size(upload_limit(state).await as i64),
        },
    )
}

/// Query of the new-record form.
#[derive(Deserialize, Default)]
pub struct NewQuery {
    kind: Option<String>,
    org: Option<String>,
    obligation: Option<String>,
}

/// What a form for an obligation starts with: its org, the first kind its duty accepts, and the
/// fields its rule asks for.
fn draft_for_obligation(
    o: &StoredObligation,
    pack: &PolicyPack,
    tr: Tr,
    today: NaiveDate,
    kind: Option<EvidenceKind>,
) -> (Option<EvidenceKind>, RecordDraft) {
    let duty = pack.duty(&o.duty);
    let accepted: Vec<EvidenceKind> = duty
        .map(|d| {
            d.evidence
                .iter()
                .map(|r| r.kind)
                .filter(|k| RECORD_KINDS.contains(k))
                .collect()
        })
        .unwrap_or_default();
    let kind = kind
        .filter(|k| accepted.contains(k))
        .or_else(|| accepted.first().copied());
    let mut d = RecordDraft {
        org: o.org.clone(),
        date: date(today),
        ..RecordDraft::default()
    };
    if let (Some(k), Some(duty)) = (kind, duty) {
        d.kind = k.as_str().into();
        d.title = tr.lang().pick(&duty.title, &duty.title_en).to_string();
        let topics: Vec<String> = duty
            .evidence
            .iter()
            .filter(|r| r.kind == k)
            .filter_map(|r| r.topic.clone())
            .collect();
        match k {
            EvidenceKind::CommitteeMeeting => {
                d.agenda = vec![AgendaDraft {
                    title: d.title.clone(),
                    topics,
                }];
            }
            EvidenceKind::SituationAnalysis => d.covers = o.period.clone(),
            EvidenceKind::DirectiveReport => d.directive = o.subject.clone(),
            _ => {}
        }
    }
    (kind, d)
}

async fn new_record_form(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    q: Result<Query<NewQuery>, QueryRejection>,
) -> Response {
    let tr = v.tr;
    if let Err(r) = write_gate(&v) {
        return r.page(tr);
    }
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let today = state.today();
    let asked_kind = q
        .kind
        .as_deref()
        .and_then(|k| EvidenceKind::parse(k.trim()))
        .filter(|k| RECORD_KINDS.contains(k));
    if let Some(oid) = q.obligation.as_deref().filter(|s| !s.trim().is_empty()) {
        let o = match visible_obligation(&state, &v, oid).await {
            Ok(o) => o,
            Err(e) => return api_error_page(tr, e),
        };
        let org = match org_to_write(&v, &o.org) {
            Ok(org) => org,
            Err(r) => return r.page(tr),
        };
        let (kind, draft) = draft_for_obligation(&o, &v.snap.pack, tr, today, asked_kind);
        if kind.is_none() {
            // The duty asks for records other areas keep (annual reviews, incident records, …).
            let names: Vec<String> = v
                .snap
                .pack
                .duty(&o.duty)
                .map(|d| d.evidence.iter().map(|r| kind_name(tr, r.kind)).collect())
                .unwrap_or_default();
            return error_page(
                tr,
                ErrorCode::Validation,
                "records.error.title",
                tr.tf(
                    "records.error.kind_elsewhere",
                    &[("kinds", &names.join(tr.lang().pick("、", ", ")))],
                ),
            );
        }
        let setup = FormSetup {
            org,
            kind,
            obligation: Some(o),
            version: None,
            record_id: None,
        };
        return form_page(&state, &v, &setup, draft, Vec::new(), StatusCode::OK).await;
    }
    let org = match q.org.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(code) => match org_to_write(&v, code) {
            Ok(o) => o,
            Err(r) => return r.page(tr),
        },
        None => match default_org(&v, Permission::KeepRecords) {
            Some(o) => o,
            None => return Refusal::Forbidden.page(tr),
        },
    };
    let draft = RecordDraft {
        kind: asked_kind
            .map(|k| k.as_str().to_string())
            .unwrap_or_default(),
        org: org.id.clone(),
        date: date(today),
        ..RecordDraft::default()
    };
    let setup = FormSetup {
        org,
        kind: asked_kind,
        obligation: None,
        version: None,
        record_id: None,
    };
    form_page(&state, &v, &setup, draft, Vec::new(), StatusCode::OK).await
}

async fn record_context<'a>(
    state: &AppState,
    v: &'a Viewer,
    draft: &RecordDraft,
) -> Result<RecordContext<'a>, StorageError> {
    Ok(RecordContext {
        model: &v.snap.model,
        pack: &v.snap.pack,
        today: state.today(),
        directive: state.db.directive_facts(&draft.directive).await?,
    })
}

/// What saving a record produced.
enum Saved {
    Record(Box<Record>),
    /// Field problems (422).
    Invalid(FieldErrors),
    /// A storage refusal (a rule, a conflict, …).
    Refused(ApiError),
}

/// Validates and stores a record; with an obligation, links it as evidence in the same
/// transaction (all or nothing).
async fn save_record(
    state: &AppState,
    v: &Viewer,
    draft: &RecordDraft,
    obligation: Option<(&str, i64)>,
    upload: Option<Upload>,
) -> Saved {
    let tr = v.tr;
    let lang = tr.lang();
    let ctx = match record_context(state, v, draft).await {
        Ok(c) => c,
        Err(e) => {
            if let Some(up) = upload {
                up.discard();
            }
            return Saved::Refused(storage_api(tr, e));
        }
    };
    if let Err(errors) = validate_record(draft, &ctx, lang) {
        if let Some(up) = upload {
            up.discard();
        }
        return Saved::Invalid(errors);
    }
    let files = match upload {
        Some(up) => match up.store(state).await {
            Ok(files) => files,
            Err(e) => return Saved::Refused(upload_refusal(tr, e)),
        },
        None => Vec::new(),
    };
    let done = async {
        let mut tx = state.db.begin(&v.actor(), state.clock.now()).await?;
        let r = tx
            .create_record(draft, &v.snap.model, &v.snap.pack, lang)
            .await?;
        if let Some((oid, version)) = obligation {
            tx.attach_evidence(oid, &r.id, version, lang).await?;
        }
        for (file, name) in &files {
            tx.add_attachment(&r.id, file, name).await?;
        }
        tx.commit().await?;
        Ok::<Record, StorageError>(r)
    }
    .await;
    match done {
        Ok(r) => Saved::Record(Box::new(r)),
        Err(e) => Saved::Refused(storage_api(tr, e)),
    }
}

async fn create_record_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    q: Result<Query<NewQuery>, QueryRejection>,
    req: axum::extract::Request,
) -> Response {
    let tr = v.tr;
    if let Err(r) = write_gate(&v) {
        return r.page(tr);
    }
    let q = q.map(|Query(q)| q).unwrap_or_default();
    // The form is multipart when files come with it (then they are staged until the record
    // is saved, and attached in its transaction); urlencoded otherwise.
    let headers = req.headers().clone();
    let multipart = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let (pairs, mut upload) = if multipart {
        let mp =
            <Multipart as axum::extract::FromRequest<AppState>>::from_request(req, &state).await;
        match read_upload(&state, &headers, mp).await {
            Ok(mut up) => (std::mem::take(&mut up.pairs), Some(up)),
            Err(UploadError::TooLarge(max)) => {
                let message = tr.tf(
                    "records.upload.too_large",
                    &[("max", &fmt_size(max as i64))],
                );
                return (StatusCode::PAYLOAD_TOO_LARGE, message).into_response();
            }
            Err(e) => return api_error_page(tr, upload_refusal(tr, e)),
        }
    } else {
        match axum::body::to_bytes(req.into_body(), crate::BODY_LIMIT).await {
            Ok(body) => (form_pairs(&body), None),
            Err(_) => {
                return (StatusCode::PAYLOAD_TOO_LARGE, tr.t("error.too_large")).into_response();
            }
        }
    };
    let mut draft = draft_from_form(&pairs);
    let file_error = upload.as_mut().and_then(|u| u.refused.take());
    let oid = q
        .obligation
        .clone()
        .filter(|s| !s.trim().is_empty())
        .or_else(|| Some(first(&pairs, "obligation").to_string()).filter(|s| !s.trim().is_empty()));
    let obligation = match &oid {
        Some(id) => match visible_obligation(&state, &v, id).await {
            Ok(o) => Some(o),
            Err(e) => return api_error_page(tr, e),
        },
        None => None,
    };
    if let Some(o) = &obligation {
        draft.org = o.org.clone();
    }
    let org = match org_to_write(&v, &draft.org) {
        Ok(o) => o,
        Err(Refusal::NotFound(..)) if draft.org.trim().is_empty() => {
            match default_org(&v, Permission::KeepRecords) {
                Some(o) => {
                    draft.org = o.id.clone();
                    o
                }
                None => return Refusal::Forbidden.page(tr),
            }
        }
        Err(r) => return r.page(tr),
    };
    let kind = EvidenceKind::parse(draft.kind.trim()).filter(|k| RECORD_KINDS.contains(k));
    let expected = first(&pairs, "obligation_version")
        .trim()
        .parse::<i64>()
        .ok();
    let setup = FormSetup {
        org,
        kind,
        obligation: obligation.clone(),
        version: None,
        record_id: None,
    };
    let link = match (&obligation, expected) {
        (Some(o), Some(ver)) => Some((o.id.as_str(), ver)),
        (Some(o), None) => Some((o.id.as_str(), o.version)),
        (None, _) => None,
    };
    if let Some(e) = file_error {
        if let Some(up) = upload {
            up.discard();
        }
        let (status, message) = e.message(tr);
        let errors = vec![("files".to_string(), message)];
        return form_page(&state, &v, &setup, draft, errors, status).await;
    }
    match save_record(&state, &v, &draft, link, upload).await {
        Saved::Record(r) => match &obligation {
            Some(o) => {
                redirect(&obligation_href(&o.id, tr).unwrap_or_else(|| record_href(&r.id, tr)))
            }
            None => redirect(&record_href(&r.id, tr)),
        },
        Saved::Invalid(errors) => {
            form_page(
                &state,
                &v,
                &setup,
                draft,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Saved::Refused(e) => {
            let status = e.code.status();
            let errors = vec![("form".to_string(), e.message)];
            form_page(&state, &v, &setup, draft, errors, status).await
        }
    }
}

async fn edit_record_form(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    id: Result<Path<String>, PathRejection>,
) -> Response {
    let tr = v.tr;
    if let Err(r) = write_gate(&v) {
        return r.page(tr);
    }
    let id = match path_of(tr, id) {
        Ok(id) => id,
        Err(e) => return api_error_page(tr, e),
    };
    let record = match visible_record(&state, &v, &id).await {
        Ok(r) => r,
        Err(e) => return api_error_page(tr, e),
    };
    let org = match org_to_write(&v, &record.org) {
        Ok(o) => o,
        Err(r) => return r.page(tr),
    };
    let setup = FormSetup {
        org,
        kind: Some(record.kind),
        obligation: None,
        version: Some(record.version),
        record_id: Some(record.id.clone()),
    };
    form_page(
        &state,
        &v,
        &setup,
        record.draft(),
        Vec::new(),
        StatusCode::OK,
    )
    .await
}

async fn amend_record_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    id: Result<Path<String>, PathRejection>,
    form: Result<RawForm, RawFormRejection>,
) -> Response {
    let tr = v.tr;
    if let Err(r) = write_gate(&v) {
        return r.page(tr);
    }
    let id = match path_of(tr, id) {
        Ok(id) => id,
        Err(e) => return api_error_page(tr, e),
    };
    let record = match visible_record(&state, &v, &id).await {
        Ok(r) => r,
        Err(e) => return api_error_page(tr, e),
    };
    let org = match org_to_write(&v, &record.org) {
        Ok(o) => o,
        Err(r) => return r.page(tr),
    };
    let pairs = form_pairs(&raw(form));
    let mut draft = draft_from_form(&pairs);
    draft.kind = record.kind.as_str().into();
    draft.org = record.org.clone();
    let version = first(&pairs, "version").trim().parse::<i64>().ok();
    let setup = FormSetup {
        org,
        kind: Some(record.kind),
        obligation: None,
        version: Some(version.unwrap_or(record.version)),
        record_id: Some(record.id.clone()),
    };
    let Some(version) = version else {
        let errors = vec![(
            "version".to_string(),
            tr.tf(
                "records.error.field_required",
                &[("field", field_label("version", tr.lang()))],
            ),
        )];
        return form_page(
            &state,
            &v,
            &setup,
            draft,
            errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    match amend(&state, &v, &record.id, version, &draft).await {
        Saved::Record(r) => redirect(&record_href(&r.id, tr)),
        Saved::Invalid(errors) => {
            form_page(
                &state,
                &v,
                &setup,
                draft,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Saved::Refused(e) => {
            let status = e.code.status();
            let errors = vec![("form".to_string(), e.message)];
            form_page(&state, &v, &setup, draft, errors, status).await
        }
    }
}

async fn amend(state: &AppState, v: &Viewer, id: &str, version: i64, draft: &RecordDraft) -> Saved {
    let tr = v.tr;
    let lang = tr.lang();
    let ctx = match record_context(state, v, draft).await {
        Ok(c) => c,
        Err(e) => return Saved::Refused(storage_api(tr, e)),
    };
    if let Err(errors) = validate_record(draft, &ctx, lang) {
        return Saved::Invalid(errors);
    }
    let done = async {
        let mut tx = state.db.begin(&v.actor(), state.clock.now()).await?;
        let r = tx
            .amend_record(id, version, draft, &v.snap.model, &v.snap.pack, lang)
            .await?;
        tx.commit().await?;
        Ok::<Record, StorageError>(r)
    }
    .await;
    match done {
        Ok(r) => Saved::Record(Box::new(r)),
        Err(e) => Saved::Refused(storage_api(tr, e)),
    }
}

// ------------------------------------------------------------------------------------------
// Pages: one record
// ------------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "records_detail.html")]
struct DetailPage {
    frame: Frame,
    tr: Tr,
    csrf: String,
    kind: String,
    title: String,
    date: String,
    org: String,
    org_records: String,
    version_label: String,
    created: String,
    fields: Vec<FieldView>,
    attachments: Vec<AttachmentView>,
    discharges: Vec<ObligationLink>,
    candidates: Vec<ObligationLink>,
    versions: Vec<VersionView>,
    can_write: bool,
    edit_href: String,
    upload_action: String,
    evidence_action: String,
    upload_hint: String,
    error: Option<String>,
}

async fn directive_title(state: &AppState, details: &RecordDetails) -> Option<String> {
    match details {
        RecordDetails::DirectiveReport { directive, .. } => state
            .db
            .directive(directive)
            .await
            .ok()
            .map(|d| format!("{} {}", d.document_number, d.title)),
        _ => None,
    }
}

async fn upload_limit(state: &AppState) -> u64 {
    match state
        .db
        .setting::<AttachmentSettings>(ATTACHMENTS_SETTING)
        .await
    {
        Ok(Some((s, _))) => s.max_bytes,
        Ok(None) => DEFAULT_MAX_BYTES,
        Err(e) => {
            tracing::warn!(error = %e, "attachment setting unreadable; using the default");
            DEFAULT_MAX_BYTES
        }
    }
}

async fn detail_page(
    state: &AppState,
    v: &Viewer,
    record: &Record,
    error: Option<(StatusCode, String)>,
) -> Response {
    let tr = v.tr;
    let m = &v.snap.model;
    let pack = &v.snap.pack;
    let today = state.today();
    let db = &state.db;
    let loaded = async {
        Ok::<_, StorageError>((
            db.record_attachments(&record.id).await?,
            db.record_obligations(&record.id).await?,
            db.evidence_candidates(record, pack).await?,
            db.record_versions(&record.id).await?,
        ))
    }
    .await;
    let (attachments, discharges, candidates, versions) = match loaded {
        Ok(x) => x,
        Err(e) => return api_error_page(tr, storage_api(tr, e)),
    };
    let dtitle = directive_title(state, &record.details).await;
    let can_write = writable(v, &record.org);
    let mut version_views = Vec::new();
    for ver in versions.iter().skip(1) {
        let details: Option<RecordDetails> = serde_json::from_value(ver.data.clone()).ok();
        version_views.push(VersionView {
            line: tr.tf(
                "records.detail.version_line",
                &[
                    ("n", &ver.version.to_string()),
                    ("by", &ver.changed_by),
                    ("at", &fmt_instant(ver.changed_at)),
                ],
            ),
            version: ver.version,
            by: ver.changed_by.clone(),
            at: fmt_instant(ver.changed_at),
            title: ver.data["title"].as_str().unwrap_or_default().to_string(),
            date: ver.data["date"].as_str().unwrap_or_default().to_string(),
            fields: details
                .map(|d| fields_of(tr, m, pack, &d, dtitle.as_deref()))
                .unwrap_or_default(),
        });
    }
    let max = upload_limit(state).await;
    let status = error.as_ref().map(|(s, _)| *s).unwrap_or(StatusCode::OK);
    let org = m.org(&record.org);
    page(
        status,
        &DetailPage {
            frame: Frame::of(state, Some(v)),
            tr,
            csrf: v.csrf().to_string(),
            kind: kind_name(tr, record.kind),
            title: record.title.clone(),
            date: date(record.date),
            org: org_name(m, &record.org),
            org_records: href_with(
                "/records",
                &[("org", org.map(|o| o.code.as_str()).unwrap_or(""))],
                tr,
            ),
            version_label: tr.tf(
                "records.detail.version",
                &[("n", &record.version.to_string())],
            ),
            created: tr.tf(
                "records.detail.created",
                &[
                    ("by", &record.created_by),
                    ("at", &fmt_instant(record.created_at)),
                ],
            ),
            fields: fields_of(tr, m, pack, &record.details, dtitle.as_deref()),
            attachments: attachments
                .iter()
                .map(|a| attachment_view(a, &record.id))
                .collect(),
            discharges: discharges
                .iter()
                .map(|o| obligation_link(o, pack, tr, today))
                .collect(),
            candidates: if can_write {
                candidates
                    .iter()
                    .map(|o| obligation_link(o, pack, tr, today))
                    .collect()
            } else {
                Vec::new()
            },
            versions: version_views,
            can_write,
            edit_href: with_lang(&format!("/records/{}/edit", encode(&record.id)), tr),
            upload_action: with_lang(&format!("/records/{}/attachments", encode(&record.id)), tr),
            evidence_action: with_lang(&format!("/records/{}/evidence", encode(&record.id)), tr),
            upload_hint: tr.tf(
                "records.detail.upload_hint",
                &[
                    ("max", &fmt_size(max as i64)),
                    (
                        "types",
                        "PDF, PNG, JPEG, GIF, DOCX, XLSX, PPTX, DOC, XLS, PPT, TXT, CSV",
                    ),
                ],
            ),
            error: error.map(|(_, m)| m),
        },
    )
}

async fn record_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    id: Result<Path<String>, PathRejection>,
) -> Response {
    let tr = v.tr;
    if let Err(r) = read_gate(&v) {
        return r.page(tr);
    }
    let id = match path_of(tr, id) {
        Ok(id) => id,
        Err(e) => return api_error_page(tr, e),
    };
    match visible_record(&state, &v, &id).await {
        Ok(r) => detail_page(&state, &v, &r, None).await,
        Err(e) => api_error_page(tr, e),
    }
}

/// Form of `POST /records/{id}/evidence`.
#[derive(Deserialize, Default)]
pub struct EvidenceForm {
    #[serde(default)]
    obligation: String,
    #[serde(default, deserialize_with = "number_or_text")]
    version: String,
}

async fn evidence_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    id: Result<Path<String>, PathRejection>,
    form: Result<RawForm, RawFormRejection>,
) -> Response {
    let tr = v.tr;
    if let Err(r) = write_gate(&v) {
        return r.page(tr);
    }
    let id = match path_of(tr, id) {
        Ok(id) => id,
        Err(e) => return api_error_page(tr, e),
    };
    let record = match visible_record(&state, &v, &id).await {
        Ok(r) => r,
        Err(e) => return api_error_page(tr, e),
    };
    if !writable(&v, &record.org) {
        return Refusal::Forbidden.page(tr);
    }
    let pairs = form_pairs(&raw(form));
    let form = EvidenceForm {
        obligation: first(&pairs, "obligation").to_string(),
        version: first(&pairs, "version").to_string(),
    };
    match discharge(&state, &v, &form.obligation, &record.id, &form.version).await {
        Ok(_) => redirect(&format!("{}#evidence", record_href(&record.id, tr))),
        Err(e) => {
            let status = e.code.status();
            detail_page(&state, &v, &record, Some((status, e.message))).await
        }
    }
}

/// Links `record_id` as evidence of the obligation (checks: the obligation is visible, the
/// viewer keeps records for its org, the version is a number).
async fn discharge(
    state: &AppState,
    v: &Viewer,
    obligation_id: &str,
    record_id: &str,
    version: &str,
) -> Result<StoredObligation, ApiError> {
    let tr = v.tr;
    let o = visible_obligation(state, v, obligation_id).await?;
    if !writable(v, &o.org) {
        return Err(forbidden(tr));
    }
    let version = version.trim().parse::<i64>().map_err(|_| {
        ApiError::new(
            ErrorCode::Validation,
            tr.tf(
                "records.error.field_required",
                &[("field", field_label("version", tr.lang()))],
            ),
        )
    })?;
    let record = visible_record(state, v, record_id).await.map_err(|e| {
        if e.code == ErrorCode::NotFound {
            ApiError::new(ErrorCode::Validation, e.message)
        } else {
            e
        }
    })?;
    let lang = tr.lang();
    async {
        let mut tx = state.db.begin(&v.actor(), state.clock.now()).await?;
        let after = tx.attach_evidence(&o.id, &record.id, version, lang).await?;
        tx.commit().await?;
        Ok::<StoredObligation, StorageError>(after)
    }
    .await
    .map_err(|e| storage_api(tr, e))
}

// ------------------------------------------------------------------------------------------
// Attachments: upload and download
// ------------------------------------------------------------------------------------------

/// An upload's failure in the API's terms (for forms that show it as a page).
fn upload_refusal(tr: Tr, e: UploadError) -> ApiError {
    match e {
        UploadError::Storage(e) => storage_api(tr, e),
        other => {
            let (status, message) = other.message(tr);
            let code = match status {
                StatusCode::BAD_REQUEST => ErrorCode::BadRequest,
                _ => ErrorCode::Validation,
            };
            ApiError::new(code, message)
        }
    }
}

/// Why an upload failed.
enum UploadError {
    TooLarge(u64),
    Refused(String),
    NoFile,
    TooMany,
    Unreadable(String),
    Storage(StorageError),
}

impl UploadError {
    fn api(self, tr: Tr) -> Response {
        match self {
            UploadError::TooLarge(max) => too_large(tr, max),
            UploadError::Refused(name) => ApiError::new(
                ErrorCode::Validation,
                tr.tf("records.upload.refused", &[("name", &name)]),
            )
            .into_response(),
            UploadError::NoFile => {
                ApiError::new(ErrorCode::Validation, tr.t("records.upload.no_file").into())
                    .into_response()
            }
            UploadError::TooMany => ApiError::new(
                ErrorCode::Validation,
                tr.tf("records.upload.too_many", &[("n", &MAX_FILES.to_string())]),
            )
            .into_response(),
            UploadError::Unreadable(detail) => ApiError::new(
                ErrorCode::BadRequest,
                tr.tf("records.upload.unreadable", &[("detail", &detail)]),
            )
            .into_response(),
            UploadError::Storage(e) => storage_api(tr, e).into_response(),
        }
    }

    fn message(&self, tr: Tr) -> (StatusCode, String) {
        match self {
            UploadError::TooLarge(max) => (
                StatusCode::PAYLOAD_TOO_LARGE,
                tr.tf(
                    "records.upload.too_large",
                    &[("max", &fmt_size(*max as i64))],
                ),
            ),
            UploadError::Refused(name) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                tr.tf("records.upload.refused", &[("name", name)]),
            ),
            UploadError::NoFile => (
                StatusCode::UNPROCESSABLE_ENTITY,
                tr.t("records.upload.no_file").into(),
            ),
            UploadError::TooMany => (
                StatusCode::UNPROCESSABLE_ENTITY,
                tr.tf("records.upload.too_many", &[("n", &MAX_FILES.to_string())]),
            ),
            UploadError::Unreadable(detail) => (
                StatusCode::BAD_REQUEST,
                tr.tf("records.upload.unreadable", &[("detail", detail)]),
            ),
            UploadError::Storage(e) => {
                let code = classify(e, ErrorCode::NotFound);
                (code.status(), generic_message(tr, code))
            }
        }
    }
}

fn too_large(tr: Tr, max: u64) -> Response {
    (
        StatusCode::PAYLOAD_TOO_LARGE,
        Json(json!({"error": {"code": "payload_too_large", "message": tr.tf("records.upload.too_large", &[("max", &fmt_size(max as i64))])}})),
    )
        .into_response()
}

fn multipart_failure(e: MultipartError, max: u64) -> UploadError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        UploadError::TooLarge(max)
    } else {
        UploadError::Unreadable(e.body_text())
    }
}

/// Reads the files of a multipart upload into the files dir and attaches them to the record,
/// all or none.
/// A file of a multipart form, written to the staging area and sniffed, not yet stored.
struct StagedFile {
    path: std::path::PathBuf,
    mime: &'static str,
    name: String,
}

impl Drop for StagedFile {
    /// A staged file never outlives its request: once stored it has been moved into place, and
    /// on every other way out (a refused form, an org or obligation not found) it is removed.
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// What a multipart form carried: its small fields (in order), its files (staged), and the
/// first file refused (of a refused type, or one too many): then no file is kept, but the
/// fields are, so a form can be shown again as typed.
struct Upload {
    pairs: Vec<(String, String)>,
    files: Vec<StagedFile>,
    refused: Option<UploadError>,
}

impl Upload {
    /// Removes the staged files (the form was refused: nothing of it is kept).
    fn discard(self) {
        drop(self);
    }

    /// Stores the staged files content-addressed (each content once); their rows are written
    /// by the caller's transaction. Files not stored (after a failure) are removed as they drop.
    async fn store(self, state: &AppState) -> Result<Vec<(StoredFile, String)>, UploadError> {
        let mut out = Vec::new();
        for mut f in self.files {
            let stored = state
                .db
                .store_file(&f.path, f.mime)
                .await
                .map_err(UploadError::Storage)?;
            out.push((stored, std::mem::take(&mut f.name)));
        }
        Ok(out)
    }
}

/// Reads a multipart form: small fields kept (together at most the router's body limit),
/// each file staged and its type sniffed from the content; a file over the limit, of a
/// refused type, or one too many refuses the whole form (nothing staged is kept).
async fn read_upload(
    state: &AppState,
    headers: &HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Upload, UploadError> {
    let max = upload_limit(state).await;
    if content_length(headers).is_some_and(|n| n > max + MULTIPART_SLACK) {
        return Err(UploadError::TooLarge(max));
    }
    let mut mp = multipart.map_err(|e| UploadError::Unreadable(e.body_text()))?;
    let mut up = Upload {
        pairs: Vec::new(),
        files: Vec::new(),
        refused: None,
    };
    let read = read_fields(state, &mut mp, max, &mut up).await;
    match read {
        Ok(()) if up.refused.is_some() => {
            // Nothing of a refused upload is kept.
            up.files.clear();
            Ok(up)
        }
        Ok(()) => Ok(up),
        Err(e) => {
            up.discard();
            Err(e)
        }
    }
}

async fn read_fields(
    state: &AppState,
    mp: &mut Multipart,
    max: u64,
    up: &mut Upload,
) -> Result<(), UploadError> {
    let mut text_bytes = 0usize;
    while let Some(mut field) = mp
        .next_field()
        .await
        .map_err(|e| multipart_failure(e, max))?
    {
        let Some(name) = field.file_name().map(str::to_string) else {
            let key = field.name().unwrap_or_default().to_string();
            let mut value = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(|e| multipart_failure(e, max))? {
                text_bytes += chunk.len();
                if text_bytes > crate::BODY_LIMIT {
                    return Err(UploadError::TooLarge(crate::BODY_LIMIT as u64));
                }
                value.extend_from_slice(&chunk);
            }
            up.pairs
                .push((key, String::from_utf8_lossy(&value).into_owned()));
            continue;
        };
        if name.is_empty() || up.refused.is_some() {
            // A file input left empty, or a file after one refused: read past it.
            while field
                .chunk()
                .await
                .map_err(|e| multipart_failure(e, max))?
                .is_some()
            {}
            continue;
        }
        if up.files.len() >= MAX_FILES {
            up.refused = Some(UploadError::TooMany);
            continue;
        }
        let staged = state.db.staging_file().map_err(UploadError::Storage)?;
        let written = write_field(&mut field, &staged, max).await;
        let size = match written {
            Ok(n) => n,
            Err(e) => {
                let _ = tokio::fs::remove_file(&staged).await;
                return Err(e);
            }
        };
        let check_path = staged.clone();
        let check_name = name.clone();
        let mime = tokio::task::spawn_blocking(move || sniff(&check_path, &check_name))
            .await
            .ok()
            .and_then(|r| r.ok())
            .flatten();
        let Some(mime) = mime.filter(|_| size > 0) else {
            let _ = tokio::fs::remove_file(&staged).await;
            up.refused = Some(UploadError::Refused(clean_filename(&name)));
            continue;
        };
        up.files.push(StagedFile {
            path: staged,
            mime,
            name,
        });
    }
    Ok(())
}

async fn receive(
    state: &AppState,
    v: &Viewer,
    record: &Record,
    headers: &HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Vec<Attachment>, UploadError> {
    let mut up = read_upload(state, headers, multipart).await?;
    if let Some(e) = up.refused.take() {
        return Err(e);
    }
    if up.files.is_empty() {
        return Err(UploadError::NoFile);
    }
    let files = up.store(state).await?;
    async {
        let mut tx = state.db.begin(&v.actor(), state.clock.now()).await?;
        let mut out = Vec::new();
        for (file, name) in &files {
            out.push(tx.add_attachment(&record.id, file, name).await?);
        }
        tx.commit().await?;
        Ok::<_, StorageError>(out)
    }
    .await
    .map_err(UploadError::Storage)
}

async fn write_field(
    field: &mut axum::extract::multipart::Field<'_>,
    path: &std::path::Path,
    max: u64,
) -> Result<u64, UploadError> {
    use tokio::io::AsyncWriteExt;
    let mut f = tokio::fs::File::create(path)
        .await
        .map_err(|e| UploadError::Storage(io_error(path, e)))?;
    let mut size: u64 = 0;
    while let Some(chunk) = field.chunk().await.map_err(|e| multipart_failure(e, max))? {
        size += chunk.len() as u64;
        if size > max {
            return Err(UploadError::TooLarge(max));
        }
        f.write_all(&chunk)
            .await
            .map_err(|e| UploadError::Storage(io_error(path, e)))?;
    }
    f.flush()
        .await
        .map_err(|e| UploadError::Storage(io_error(path, e)))?;
    Ok(size)
}

fn io_error(path: &std::path::Path, e: std::io::Error) -> StorageError {
    StorageError::Io {
        path: path.display().to_string(),
        source: e,
    }
}

async fn upload_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    id: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let tr = v.tr;
    if let Err(r) = write_gate(&v) {
        return r.page(tr);
    }
    let id = match path_of(tr, id) {
        Ok(id) => id,
        Err(e) => return api_error_page(tr, e),
    };
    let record = match visible_record(&state, &v, &id).await {
        Ok(r) => r,
        Err(e) => return api_error_page(tr, e),
    };
    if !writable(&v, &record.org) {
        return Refusal::Forbidden.page(tr);
    }
    match receive(&state, &v, &record, &headers, multipart).await {
        Ok(_) => redirect(&format!("{}#attachments", record_href(&record.id, tr))),
        Err(e) => {
            let err = e.message(tr);
            detail_page(&state, &v, &record, Some(err)).await
        }
    }
}

async fn api_upload(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    id: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    write_gate(&v).map_err(|r| r.api(tr))?;
    let id = path_of(tr, id)?;
    let record = visible_record(&state, &v, &id).await?;
    if !writable(&v, &record.org) {
        return Err(forbidden(tr));
    }
    match receive(&state, &v, &record, &headers, multipart).await {
        Ok(list) => Ok((
            StatusCode::CREATED,
            Json(json!({
                "record": record.id,
                "attachments": list.iter().map(|a| attachment_json(a, &record.id)).collect::<Vec<_>>(),
            })),
        )
            .into_response()),
        Err(e) => Ok(e.api(tr)),
    }
}

/// Query of a download.
#[derive(Deserialize, Default)]
pub struct DownloadQuery {
    record: Option<String>,
}

/// `Content-Disposition` for a download: an ASCII fallback and the UTF-8 name (RFC 6266/5987).
pub fn content_disposition(filename: &str) -> String {
    let fallback: String = filename
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut encoded = String::new();
    for b in filename.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            encoded.push(char::from(b));
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

async fn download(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    sha: Result<Path<String>, PathRejection>,
    q: Result<Query<DownloadQuery>, QueryRejection>,
) -> Response {
    let tr = v.tr;
    if let Err(r) = read_gate(&v) {
        return r.page(tr);
    }
    let sha = match path_of(tr, sha) {
        Ok(s) => s,
        Err(e) => return api_error_page(tr, e),
    };
    let not_found =
        || Refusal::NotFound("records.error.attachment_not_found", sha.clone()).page(tr);
    let record_id = q.ok().and_then(|Query(q)| q.record).unwrap_or_default();
    if record_id.trim().is_empty() {
        return not_found();
    }
    let record = match visible_record(&state, &v, &record_id).await {
        Ok(r) => r,
        Err(e) if e.code == ErrorCode::NotFound => return not_found(),
        Err(e) => return api_error_page(tr, e),
    };
    let att = match state.db.record_attachment(&record.id, sha.trim()).await {
        Ok(Some(a)) => a,
        Ok(None) => return not_found(),
        Err(e) => return api_error_page(tr, storage_api(tr, e)),
    };
    let path = match state.db.attachment_path(&att.sha256) {
        Ok(p) => p,
        Err(e) => return api_error_page(tr, storage_api(tr, e)),
    };
    let file = match tokio::fs::File::open(&path).await {
        Ok(f) => f,
        Err(e) => {
            tracing::error!(error = %e, path = %path.display(), "attachment file missing");
            return not_found();
        }
    };
    let mime = if att.mime.starts_with("text/") {
        format!("{}; charset=utf-8", att.mime)
    } else {
        att.mime.clone()
    };
    let mut headers = HeaderMap::new();
    if let Ok(h) = HeaderValue::from_str(&mime) {
        headers.insert(CONTENT_TYPE, h);
    }
    if let Ok(h) = HeaderValue::from_str(&content_disposition(&att.filename)) {
        headers.insert(CONTENT_DISPOSITION, h);
    }
    if let Ok(h) = HeaderValue::from_str(&att.size.to_string()) {
        headers.insert(CONTENT_LENGTH, h);
    }
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    (StatusCode::OK, headers, crate::pages::file_body(file)).into_response()
}

// ------------------------------------------------------------------------------------------
// Pages: training status
// ------------------------------------------------------------------------------------------

/// Query of the training status.
#[derive(Deserialize, Default)]
pub struct TrainingQuery {
    org: Option<String>,
    year: Option<String>,
}

/// One person's training in a year.
pub struct TrainingRow {
    /// Name.
    pub name: String,
    /// Their org.
    pub org: String,
    /// Sessions.
    pub sessions: u32,
    /// Hours.
    pub hours: String,
    /// No training yet.
    pub none: bool,
}

struct Training {
    org: Org,
    year: i32,
    rows: Vec<(String, String, String, u32, f64)>,
}

async fn training(state: &AppState, v: &Viewer, q: &TrainingQuery) -> Result<Training, ApiError> {
    let tr = v.tr;
    let year = parse_year(tr, q.year.as_deref(), state.today())?;
    let org = match q.org.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(code) => org_to_read(v, code).map_err(|r| r.api(tr))?,
        None => default_org(v, Permission::ReadOrg).ok_or_else(|| forbidden(tr))?,
    };
    let m = &v.snap.model;
    // Sessions held by the org's subtree and by the orgs above it (a university training).
    let mut orgs: Vec<String> = m.subtree(&org.id).iter().map(|o| o.id.clone()).collect();
    let mut up = m.parent(org);
    while let Some(p) = up {
        if orgs.contains(&p.id) {
            break;
        }
        orgs.push(p.id.clone());
        up = m.parent(p);
    }
    let status = state
        .db
        .training_status(&orgs, year)
        .await
        .map_err(|e| storage_api(tr, e))?;
    let mut rows: Vec<(String, String, String, u32, f64)> = m
        .people()
        .iter()
        .filter(|p| m.is_within(&p.org, &org.id))
        .map(|p| {
            let s = status.get(&p.id);
            (
                p.id.clone(),
                p.name.clone(),
                org_name(m, &p.org),
                s.map(|s| s.sessions).unwrap_or(0),
                s.map(|s| s.hours).unwrap_or(0.0),
            )
        })
        .collect();
    rows.sort_by(|a, b| (&a.2, &a.1).cmp(&(&b.2, &b.1)));
    Ok(Training {
        org: org.clone(),
        year,
        rows,
    })
}

#[derive(Template)]
#[template(path = "records_training.html")]
struct TrainingPage {
    frame: Frame,
    tr: Tr,
    org: String,
    org_code: String,
    year: String,
    lead: String,
    rows: Vec<TrainingRow>,
    untrained_label: String,
    records_href: String,
}

async fn training_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    q: Result<Query<TrainingQuery>, QueryRejection>,
) -> Response {
    let tr = v.tr;
    if let Err(r) = read_gate(&v) {
        return r.page(tr);
    }
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let t = match training(&state, &v, &q).await {
        Ok(t) => t,
        Err(e) => return api_error_page(tr, e),
    };
    let rows: Vec<TrainingRow> = t
        .rows
        .iter()
        .map(|(_, name, org, sessions, hours)| TrainingRow {
            name: name.clone(),
            org: org.clone(),
            sessions: *sessions,
            hours: format_hours(*hours),
            none: *sessions == 0,
        })
        .collect();
    page(
        StatusCode::OK,
        &TrainingPage {
            frame: Frame::of(&state, Some(&v)),
            tr,
            org: t.org.name.clone(),
            org_code: t.org.code.clone(),
            year: t.year.to_string(),
            lead: tr.tf(
                "records.training.lead",
                &[("org", &t.org.name), ("year", &t.year.to_string())],
            ),
            untrained_label: tr.tf(
                "records.training.untrained",
                &[("n", &rows.iter().filter(|r| r.none).count().to_string())],
            ),
            rows,
            records_href: href_with(
                "/records",
                &[
                    ("org", &t.org.code),
                    ("kind", "training-session"),
                    ("year", &t.year.to_string()),
                ],
                tr,
            ),
        },
    )
}

// ------------------------------------------------------------------------------------------
// Pages: directives and supervised tasks
// ------------------------------------------------------------------------------------------

/// Query of the directive list.
#[derive(Deserialize, Default)]
pub struct DirectivesQuery {
    org: Option<String>,
    page: Option<String>,
}

/// One directive in a list.
pub struct DirectiveRow {
    /// Link.
    pub href: String,
    /// Received.
    pub received: String,
    /// 文号.
    pub number: String,
    /// Title.
    pub title: String,
    /// Issuer.
    pub issuer: String,
    /// Org name.
    pub org: String,
}

#[derive(Template)]
#[template(path = "records_directives.html")]
struct DirectivesPage {
    frame: Frame,
    tr: Tr,
    rows: Vec<DirectiveRow>,
    page_label: String,
    prev: Option<String>,
    next: Option<String>,
    new_href: Option<String>,
}

async fn directive_list(
    state: &AppState,
    v: &Viewer,
    q: &DirectivesQuery,
) -> Result<(Vec<Directive>, i64, i64, String), ApiError> {
    let tr = v.tr;
    let page_no = parse_page(tr, q.page.as_deref())?;
    let (orgs, code) = match q.org.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(c) => {
            let org = org_to_read(v, c).map_err(|r| r.api(tr))?;
            (
                v.snap
                    .model
                    .subtree(&org.id)
                    .iter()
                    .map(|o| o.id.clone())
                    .collect::<Vec<_>>(),
                org.code.clone(),
            )
        }
        None => (readable_orgs(v), String::new()),
    };
    let (list, total) = state
        .db
        .directives(&orgs, (page_no - 1) * PER_PAGE, PER_PAGE)
        .await
        .map_err(|e| storage_api(tr, e))?;
    Ok((list, total, page_no, code))
}

async fn directives_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    q: Result<Query<DirectivesQuery>, QueryRejection>,
) -> Response {
    let tr = v.tr;
    if let Err(r) = read_gate(&v) {
        return r.page(tr);
    }
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let (list, total, page_no, code) = match directive_list(&state, &v, &q).await {
        Ok(x) => x,
        Err(e) => return api_error_page(tr, e),
    };
    let m = &v.snap.model;
    let pages = ((total + PER_PAGE - 1) / PER_PAGE).max(1);
    let link = |n: i64| {
        href_with(
            "/records/directives",
            &[("org", &code), ("page", &n.to_string())],
            tr,
        )
    };
    page(
        StatusCode::OK,
        &DirectivesPage {
            frame: Frame::of(&state, Some(&v)),
            tr,
            rows: list
                .iter()
                .map(|d| DirectiveRow {
                    href: directive_href(&d.id, tr),
                    received: date(d.received_on),
                    number: d.document_number.clone(),
                    title: d.title.clone(),
                    issuer: d.issuer.clone(),
                    org: org_name(m, &d.org),
                })
                .collect(),
            page_label: tr.tf(
                "records.page",
                &[
                    ("page", &page_no.to_string()),
                    ("pages", &pages.to_string()),
                    ("total", &total.to_string()),
                ],
            ),
            prev: (page_no > 1).then(|| link(page_no - 1)),
            next: (page_no < pages).then(|| link(page_no + 1)),
            new_href: v
                .principal
                .can_somewhere(Permission::KeepRecords)
                .then(|| href_with("/records/directives/new", &[("org", &code)], tr)),
        },
    )
}

#[derive(Template)]
#[template(path = "records_directive_form.html")]
struct DirectiveFormPage {
    frame: Frame,
    tr: Tr,
    csrf: String,
    action: String,
    cancel: String,
    orgs: Vec<(String, String)>,
    draft: DirectiveDraft,
    errors: FieldErrors,
}

impl DirectiveFormPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        crate::views::field_error(&self.errors, field)
    }

    fn has_error(&self, field: &str) -> bool {
        self.error_for(field).is_some()
    }

    fn general_errors(&self) -> Vec<&str> {
        const SHOWN: &[&str] = &[
            "org",
            "issuer",
            "document_number",
            "received_on",
            "title",
            "content",
        ];
        crate::views::other_errors(&self.errors, SHOWN)
    }

    fn label(&self, field: &str) -> String {
        label(field, self.tr)
    }
}

/// Orgs the viewer keeps records for, as (id, name), parents first.
fn writable_orgs(v: &Viewer) -> Vec<(String, String)> {
    let m = &v.snap.model;
    let mut out: Vec<(String, String)> = Vec::new();
    for root in v.principal.scopes(Permission::KeepRecords) {
        for o in m.subtree(root) {
            if !out.iter().any(|(id, _)| *id == o.id) {
                out.push((o.id.clone(), o.name.clone()));
            }
        }
    }
    out
}

fn directive_form(
    state: &AppState,
    v: &Viewer,
    draft: DirectiveDraft,
    errors: FieldErrors,
    status: StatusCode,
) -> Response {
    let tr = v.tr;
    page(
        status,
        &DirectiveFormPage {
            frame: Frame::of(state, Some(v)),
            tr,
            csrf: v.csrf().to_string(),
            action: with_lang("/records/directives/new", tr),
            cancel: with_lang("/records/directives", tr),
            orgs: writable_orgs(v),
            draft,
            errors,
        },
    )
}

async fn new_directive_form(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    q: Result<Query<DirectivesQuery>, QueryRejection>,
) -> Response {
    let tr = v.tr;
    if let Err(r) = write_gate(&v) {
        return r.page(tr);
    }
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let org = match q.org.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(code) => match org_to_write(&v, code) {
            Ok(o) => o.id.clone(),
            Err(r) => return r.page(tr),
        },
        None => default_org(&v, Permission::KeepRecords)
            .map(|o| o.id.clone())
            .unwrap_or_default(),
    };
    let draft = DirectiveDraft {
        org,
        received_on: date(state.today()),
        ..DirectiveDraft::default()
    };
    directive_form(&state, &v, draft, Vec::new(), StatusCode::OK)
}

fn directive_from_form(pairs: &[(String, String)]) -> DirectiveDraft {
    DirectiveDraft {
        org: first(pairs, "org").into(),
        issuer: first(pairs, "issuer").into(),
        document_number: first(pairs, "document_number").into(),
        received_on: first(pairs, "received_on").into(),
        title: first(pairs, "title").into(),
        content: first(pairs, "content").into(),
    }
}

/// Registers a directive: the org must be one the viewer keeps records for.
async fn register_directive(
    state: &AppState,
    v: &Viewer,
    draft: &DirectiveDraft,
) -> Result<(Directive, usize), Result<FieldErrors, ApiError>> {
    let tr = v.tr;
    let lang = tr.lang();
    if !draft.org.trim().is_empty() {
        org_to_write(v, &draft.org).map_err(|r| Err(r.api(tr)))?;
    }
    validate_directive(draft, &v.snap.model, state.today(), lang).map_err(Ok)?;
    async {
        let mut tx = state.db.begin(&v.actor(), state.clock.now()).await?;
        let out = tx
            .create_directive(draft, &v.snap.model, &v.snap.pack, lang)
            .await?;
        tx.commit().await?;
        Ok::<_, StorageError>(out)
    }
    .await
    .map_err(|e| Err(storage_api(tr, e)))
}

async fn create_directive_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    form: Result<RawForm, RawFormRejection>,
) -> Response {
    let tr = v.tr;
    if let Err(r) = write_gate(&v) {
        return r.page(tr);
    }
    let draft = directive_from_form(&form_pairs(&raw(form)));
    match register_directive(&state, &v, &draft).await {
        Ok((d, _)) => redirect(&directive_href(&d.id, tr)),
        Err(Ok(errors)) => {
            directive_form(&state, &v, draft, errors, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(Err(e)) if matches!(e.code, ErrorCode::Forbidden | ErrorCode::NotFound) => {
            api_error_page(tr, e)
        }
        Err(Err(e)) => {
            let status = e.code.status();
            directive_form(&state, &v, draft, vec![("form".into(), e.message)], status)
        }
    }
}

/// A task as shown.
pub struct TaskView {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Owner's name.
    pub owner: String,
    /// Deadline.
    pub deadline: String,
    /// `open`, `overdue` or `done`.
    pub status: &'static str,
    /// Status in words.
    pub status_name: String,
    /// Reports, oldest first.
    pub reports: Vec<ReportView>,
    /// Where its report form posts.
    pub report_action: String,
}

/// A report as shown.
pub struct ReportView {
    /// Kind in words.
    pub kind: String,
    /// Day.
    pub date: String,
    /// Text.
    pub content: String,
    /// Who wrote it.
    pub by: String,
}

#[derive(Template)]
#[template(path = "records_directive.html")]
struct DirectivePage {
    frame: Frame,
    tr: Tr,
    csrf: String,
    d: Directive,
    org: String,
    received: String,
    obligations: Vec<ObligationLink>,
    report_href: Option<String>,
    tasks: Vec<TaskView>,
    can_write: bool,
    task_action: String,
    people: Vec<(String, String)>,
    today: String,
    task_draft: TaskDraft,
    errors: FieldErrors,
    list_href: String,
}

impl DirectivePage {
    fn label(&self, field: &str) -> String {
        label(field, self.tr)
    }
}

fn task_status(t: &Task, today: NaiveDate) -> &'static str {
    match t.status.as_str() {
        "done" => "done",
        _ if t.deadline < today => "overdue",
        _ => "open",
    }
}

fn task_json(t: &Task, reports: &[&TaskReport], today: NaiveDate) -> Value {
    json!({
        "id": t.id,
        "directive": t.directive,
        "title": t.title,
        "owner": t.owner,
        "deadline": date(t.deadline),
        "status": task_status(t, today),
        "completed_on": t.completed_on.map(date),
        "version": t.version,
        "reports": reports.iter().map(|r| json!({
            "id": r.id, "kind": r.kind, "date": date(r.date), "content": r.content,
            "created_by": r.created_by, "created_at": r.created_at,
        })).collect::<Vec<_>>(),
    })
}

/// The obligations hanging on a directive (its implementation duty).
async fn directive_obligations(
    state: &AppState,
    d: &Directive,
) -> Result<Vec<StoredObligation>, StorageError> {
    Ok(state
        .db
        .obligations(&d.org, d.received_on.year())
        .await?
        .into_iter()
        .filter(|o| o.subject_kind == "event" && o.subject == d.id)
        .collect())
}

async fn directive_view(
    state: &AppState,
    v: &Viewer,
    d: Directive,
    task_draft: TaskDraft,
    errors: FieldErrors,
    status: StatusCode,
) -> Response {
    let tr = v.tr;
    let m = &v.snap.model;
    let pack = &v.snap.pack;
    let today = state.today();
    let loaded = async {
        Ok::<_, StorageError>((
            state.db.tasks(&d.id).await?,
            state.db.task_reports(&d.id).await?,
            directive_obligations(state, &d).await?,
        ))
    }
    .await;
    let (tasks, reports, obligations) = match loaded {
        Ok(x) => x,
        Err(e) => return api_error_page(tr, storage_api(tr, e)),
    };
    let can_write = writable(v, &d.org);
    let tasks = tasks
        .iter()
        .map(|t| {
            let st = task_status(t, today);
            TaskView {
                id: t.id.clone(),
                title: t.title.clone(),
                owner: person_name(m, &t.owner),
                deadline: date(t.deadline),
                status: st,
                status_name: tr.t(&format!("records.task.{st}")).to_string(),
                reports: reports
                    .iter()
                    .filter(|r| r.task == t.id)
                    .map(|r| ReportView {
                        kind: tr.t(&format!("records.report.{}", r.kind)).to_string(),
                        date: date(r.date),
                        content: r.content.clone(),
                        by: r.created_by.clone(),
                    })
                    .collect(),
                report_action: with_lang(&format!("/records/tasks/{}/reports", encode(&t.id)), tr),
            }
        })
        .collect();
    let report_href = obligations
        .iter()
        .find(|o| o.state == "open")
        .filter(|_| can_write)
        .map(|o| new_evidence_href(&o.id, tr));
    page(
        status,
        &DirectivePage {
            frame: Frame::of(state, Some(v)),
            tr,
            csrf: v.csrf().to_string(),
            org: org_name(m, &d.org),
            received: date(d.received_on),
            obligations: obligations
                .iter()
                .map(|o| obligation_link(o, pack, tr, today))
                .collect(),
            report_href,
            tasks,
            can_write,
            task_action: with_lang(&format!("/records/directives/{}/tasks", encode(&d.id)), tr),
            people: people_of(m, &d.org),
            today: date(today),
            task_draft,
            errors,
            list_href: with_lang("/records/directives", tr),
            d,
        },
    )
}

async fn directive_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    id: Result<Path<String>, PathRejection>,
) -> Response {
    let tr = v.tr;
    if let Err(r) = read_gate(&v) {
        return r.page(tr);
    }
    let id = match path_of(tr, id) {
        Ok(id) => id,
        Err(e) => return api_error_page(tr, e),
    };
    match visible_directive(&state, &v, &id).await {
        Ok(d) => {
            directive_view(
                &state,
                &v,
                d,
                TaskDraft::default(),
                Vec::new(),
                StatusCode::OK,
            )
            .await
        }
        Err(e) => api_error_page(tr, e),
    }
}

async fn add_task_to(
    state: &AppState,
    v: &Viewer,
    d: &Directive,
    draft: &TaskDraft,
) -> Result<Task, Result<FieldErrors, ApiError>> {
    let tr = v.tr;
    if !writable(v, &d.org) {
        return Err(Err(forbidden(tr)));
    }
    validate_task(draft, d, &v.snap.model, tr.lang()).map_err(Ok)?;
    async {
        let mut tx = state.db.begin(&v.actor(), state.clock.now()).await?;
        let t = tx.add_task(&d.id, draft, &v.snap.model, tr.lang()).await?;
        tx.commit().await?;
        Ok::<_, StorageError>(t)
    }
    .await
    .map_err(|e| Err(storage_api(tr, e)))
}

async fn add_task_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    id: Result<Path<String>, PathRejection>,
    form: Result<RawForm, RawFormRejection>,
) -> Response {
    let tr = v.tr;
    if let Err(r) = write_gate(&v) {
        return r.page(tr);
    }
    let id = match path_of(tr, id) {
        Ok(id) => id,
        Err(e) => return api_error_page(tr, e),
    };
    let d = match visible_directive(&state, &v, &id).await {
        Ok(d) => d,
        Err(e) => return api_error_page(tr, e),
    };
    let pairs = form_pairs(&raw(form));
    let draft = TaskDraft {
        title: first(&pairs, "title").into(),
        owner: first(&pairs, "owner").into(),
        deadline: first(&pairs, "deadline").into(),
    };
    match add_task_to(&state, &v, &d, &draft).await {
        Ok(_) => redirect(&format!("{}#tasks", directive_href(&d.id, tr))),
        Err(Ok(errors)) => {
            directive_view(
                &state,
                &v,
                d,
                draft,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(Err(e)) if e.code == ErrorCode::Forbidden => api_error_page(tr, e),
        Err(Err(e)) => {
            let status = e.code.status();
            directive_view(
                &state,
                &v,
                d,
                draft,
                vec![("form".into(), e.message)],
                status,
            )
            .await
        }
    }
}

async fn report_on(
    state: &AppState,
    v: &Viewer,
    task_id: &str,
    draft: &ReportDraft,
) -> Result<(TaskReport, Task, Directive), Result<(Directive, FieldErrors), ApiError>> {
    let tr = v.tr;
    let task = match state.db.task(task_id.trim()).await {
        Ok(t) => t,
        Err(StorageError::NotFound { .. }) => {
            return Err(Err(Refusal::NotFound(
                "records.error.task_not_found",
                task_id.trim().into(),
            )
            .api(tr)));
        }
        Err(e) => return Err(Err(storage_api(tr, e))),
    };
    let d = visible_directive(state, v, &task.directive)
        .await
        .map_err(|e| {
            if e.code == ErrorCode::NotFound {
                Refusal::NotFound("records.error.task_not_found", task_id.trim().into()).api(tr)
            } else {
                e
            }
        })
        .map_err(Err)?;
    if !writable(v, &d.org) {
        return Err(Err(forbidden(tr)));
    }
    if let Err(errors) = validate_report(draft, &task, &d, state.today(), tr.lang()) {
        return Err(Ok((d, errors)));
    }
    let out = async {
        let mut tx = state.db.begin(&v.actor(), state.clock.now()).await?;
        let out = tx.add_task_report(&task.id, draft, tr.lang()).await?;
        tx.commit().await?;
        Ok::<_, StorageError>(out)
    }
    .await
    .map_err(|e| Err(storage_api(tr, e)))?;
    Ok((out.0, out.1, d))
}

async fn add_report_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    id: Result<Path<String>, PathRejection>,
    form: Result<RawForm, RawFormRejection>,
) -> Response {
    let tr = v.tr;
    if let Err(r) = write_gate(&v) {
        return r.page(tr);
    }
    let id = match path_of(tr, id) {
        Ok(id) => id,
        Err(e) => return api_error_page(tr, e),
    };
    let pairs = form_pairs(&raw(form));
    let draft = ReportDraft {
        kind: first(&pairs, "kind").into(),
        date: first(&pairs, "date").into(),
        content: first(&pairs, "content").into(),
    };
    match report_on(&state, &v, &id, &draft).await {
        Ok((_, _, d)) => redirect(&format!("{}#tasks", directive_href(&d.id, tr))),
        Err(Ok((d, errors))) => {
            directive_view(
                &state,
                &v,
                d,
                TaskDraft::default(),
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(Err(e)) => api_error_page(tr, e),
    }
}

// ------------------------------------------------------------------------------------------
// API
// ------------------------------------------------------------------------------------------

async fn api_records(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    q: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    read_gate(&v).map_err(|r| r.api(tr))?;
    let q = query_of(tr, q)?;
    let l = listing(&v, &q, state.today())?;
    let (records, total) = state
        .db
        .records(&RecordFilter {
            orgs: l.orgs,
            kind: l.kind,
            year: Some(l.year),
            offset: (l.page - 1) * PER_PAGE,
            limit: PER_PAGE,
        })
        .await
        .map_err(|e| storage_api(tr, e))?;
    Ok(Json(json!({
        "year": l.year,
        "page": l.page,
        "per_page": PER_PAGE,
        "total": total,
        "records": records,
    }))
    .into_response())
}

/// Query of `POST /api/v1/records`.
#[derive(Deserialize, Default)]
pub struct CreateQuery {
    obligation: Option<String>,
    version: Option<String>,
}

async fn api_create_record(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    q: Result<Query<CreateQuery>, QueryRejection>,
    body: Result<Json<RecordDraft>, JsonRejection>,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    write_gate(&v).map_err(|r| r.api(tr))?;
    let q = query_of(tr, q)?;
    let obligation = match q
        .obligation
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(id) => {
            let o = visible_obligation(&state, &v, id).await?;
            if !writable(&v, &o.org) {
                return Err(forbidden(tr));
            }
            let version = match q.version.as_deref().map(str::trim) {
                None | Some("") => o.version,
                Some(s) => s.parse::<i64>().map_err(|_| {
                    ApiError::new(
                        ErrorCode::Validation,
                        tr.tf(
                            "records.error.field_required",
                            &[("field", field_label("version", tr.lang()))],
                        ),
                    )
                })?,
            };
            Some((o.id, version))
        }
        None => None,
    };
    let draft = json_body(tr, body)?;
    if !draft.org.trim().is_empty() {
        org_to_write(&v, &draft.org).map_err(|r| r.api(tr))?;
    }
    let link = obligation.as_ref().map(|(id, ver)| (id.as_str(), *ver));
    match save_record(&state, &v, &draft, link, None).await {
        Saved::Record(r) => Ok((StatusCode::CREATED, Json(r.to_json())).into_response()),
        Saved::Invalid(errors) => Err(invalid(&errors, tr)),
        Saved::Refused(e) => Err(e),
    }
}

async fn api_record(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    id: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    read_gate(&v).map_err(|r| r.api(tr))?;
    let id = path_of(tr, id)?;
    let record = visible_record(&state, &v, &id).await?;
    let today = state.today();
    let pack = &v.snap.pack;
    let db = &state.db;
    let (versions, attachments, obligations) = async {
        Ok::<_, StorageError>((
            db.record_versions(&record.id).await?,
            db.record_attachments(&record.id).await?,
            db.record_obligations(&record.id).await?,
        ))
    }
    .await
    .map_err(|e| storage_api(tr, e))?;
    let mut out = record.to_json();
    out["versions"] = json!(versions);
    out["attachments"] = json!(
        attachments
            .iter()
            .map(|a| attachment_json(a, &record.id))
            .collect::<Vec<_>>()
    );
    out["discharges"] = json!(
        obligations
            .iter()
            .map(|o| obligation_json(o, pack, today))
            .collect::<Vec<_>>()
    );
    Ok(Json(out).into_response())
}

async fn api_amend_record(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    id: Result<Path<String>, PathRejection>,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    write_gate(&v).map_err(|r| r.api(tr))?;
    let id = path_of(tr, id)?;
    let record = visible_record(&state, &v, &id).await?;
    if !writable(&v, &record.org) {
        return Err(forbidden(tr));
    }
    let body = json_body(tr, body)?;
    let Value::Object(changes) = body else {
        return Err(ApiError::new(
            ErrorCode::Validation,
            tr.tf(
                "records.error.body",
                &[("detail", "expected a JSON object")],
            ),
        ));
    };
    let version = changes
        .get("version")
        .and_then(Value::as_i64)
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::Validation,
                tr.tf(
                    "records.error.field_required",
                    &[("field", field_label("version", tr.lang()))],
                ),
            )
        })?;
    let mut merged = serde_json::to_value(record.draft()).unwrap_or_default();
    for (k, val) in changes {
        if k != "version" {
            merged[k] = val;
        }
    }
    let mut draft: RecordDraft = serde_json::from_value(merged).map_err(|e| {
        ApiError::new(
            ErrorCode::Validation,
            tr.tf("records.error.body", &[("detail", &e.to_string())]),
        )
    })?;
    if draft.kind.trim() != record.kind.as_str() || draft.org.trim() != record.org {
        let same_org = v
            .snap
            .model
            .find_org(draft.org.trim())
            .is_some_and(|o| o.id == record.org);
        if draft.kind.trim() != record.kind.as_str() || !same_org {
            return Err(ApiError::new(
                ErrorCode::Validation,
                tr.t("records.error.fixed").to_string(),
            ));
        }
        draft.org = record.org.clone();
    }
    match amend(&state, &v, &record.id, version, &draft).await {
        Saved::Record(r) => Ok(Json(r.to_json()).into_response()),
        Saved::Invalid(errors) => Err(invalid(&errors, tr)),
        Saved::Refused(e) => Err(e),
    }
}

async fn api_training(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    q: Result<Query<TrainingQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    read_gate(&v).map_err(|r| r.api(tr))?;
    let q = query_of(tr, q)?;
    let t = training(&state, &v, &q).await?;
    Ok(Json(json!({
        "org": t.org.id,
        "org_code": t.org.code,
        "year": t.year,
        "people": t.rows.iter().map(|(id, name, org, sessions, hours)| json!({
            "person": id, "name": name, "org": org, "sessions": sessions, "hours": hours,
        })).collect::<Vec<_>>(),
    }))
    .into_response())
}

/// Body of `POST /api/v1/obligations/{id}/evidence`.
#[derive(Deserialize, Default)]
pub struct EvidenceBody {
    #[serde(default)]
    record: String,
    #[serde(default, deserialize_with = "number_or_text")]
    version: String,
}

async fn api_attach_evidence(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    id: Result<Path<String>, PathRejection>,
    body: Result<Json<EvidenceBody>, JsonRejection>,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    write_gate(&v).map_err(|r| r.api(tr))?;
    let id = path_of(tr, id)?;
    let o = visible_obligation(&state, &v, &id).await?;
    if !writable(&v, &o.org) {
        return Err(forbidden(tr));
    }
    let b = json_body(tr, body)?;
    if b.record.trim().is_empty() {
        return Err(ApiError::new(
            ErrorCode::Validation,
            tr.tf("records.error.field_required", &[("field", "record")]),
        ));
    }
    let after = discharge(&state, &v, &o.id, &b.record, &b.version).await?;
    let evidence = state
        .db
        .evidence_of(&after.id)
        .await
        .map_err(|e| storage_api(tr, e))?;
    let mut out = obligation_json(&after, &v.snap.pack, state.today());
    out["evidence"] = json!(
        evidence
            .iter()
            .map(|e| json!({
                "record": e.record.id, "kind": e.record.kind.as_str(), "title": e.record.title,
                "date": date(e.record.date), "linked_at": e.linked_at, "linked_by": e.linked_by,
            }))
            .collect::<Vec<_>>()
    );
    Ok(Json(out).into_response())
}

async fn api_directives(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    q: Result<Query<DirectivesQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    read_gate(&v).map_err(|r| r.api(tr))?;
    let q = query_of(tr, q)?;
    let (list, total, page_no, _) = directive_list(&state, &v, &q).await?;
    Ok(Json(json!({
        "page": page_no, "per_page": PER_PAGE, "total": total, "directives": list,
    }))
    .into_response())
}

async fn api_create_directive(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    body: Result<Json<DirectiveDraft>, JsonRejection>,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    write_gate(&v).map_err(|r| r.api(tr))?;
    let draft = json_body(tr, body)?;
    match register_directive(&state, &v, &draft).await {
        Ok((d, added)) => {
            let obligations = directive_obligations(&state, &d)
                .await
                .map_err(|e| storage_api(tr, e))?;
            let today = state.today();
            let mut out = json!(d);
            out["obligations_added"] = json!(added);
            out["obligations"] = json!(
                obligations
                    .iter()
                    .map(|o| obligation_json(o, &v.snap.pack, today))
                    .collect::<Vec<_>>()
            );
            Ok((StatusCode::CREATED, Json(out)).into_response())
        }
        Err(Ok(errors)) => Err(invalid(&errors, tr)),
        Err(Err(e)) => Err(e),
    }
}

async fn api_directive(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    id: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    read_gate(&v).map_err(|r| r.api(tr))?;
    let id = path_of(tr, id)?;
    let d = visible_directive(&state, &v, &id).await?;
    let today = state.today();
    let (tasks, reports, obligations) = async {
        Ok::<_, StorageError>((
            state.db.tasks(&d.id).await?,
            state.db.task_reports(&d.id).await?,
            directive_obligations(&state, &d).await?,
        ))
    }
    .await
    .map_err(|e| storage_api(tr, e))?;
    let mut out = json!(d);
    out["tasks"] = json!(
        tasks
            .iter()
            .map(|t| {
                let rs: Vec<&TaskReport> = reports.iter().filter(|r| r.task == t.id).collect();
                task_json(t, &rs, today)
            })
            .collect::<Vec<_>>()
    );
    out["obligations"] = json!(
        obligations
            .iter()
            .map(|o| obligation_json(o, &v.snap.pack, today))
            .collect::<Vec<_>>()
    );
    Ok(Json(out).into_response())
}

async fn api_add_task(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    id: Result<Path<String>, PathRejection>,
    body: Result<Json<TaskDraft>, JsonRejection>,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    write_gate(&v).map_err(|r| r.api(tr))?;
    let id = path_of(tr, id)?;
    let d = visible_directive(&state, &v, &id).await?;
    if !writable(&v, &d.org) {
        return Err(forbidden(tr));
    }
    let draft = json_body(tr, body)?;
    match add_task_to(&state, &v, &d, &draft).await {
        Ok(t) => Ok((StatusCode::CREATED, Json(task_json(&t, &[], state.today()))).into_response()),
        Err(Ok(errors)) => Err(invalid(&errors, tr)),
        Err(Err(e)) => Err(e),
    }
}

async fn api_add_report(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    id: Result<Path<String>, PathRejection>,
    body: Result<Json<ReportDraft>, JsonRejection>,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    write_gate(&v).map_err(|r| r.api(tr))?;
    let id = path_of(tr, id)?;
    // Scope first (404/403), then the body.
    let task = match state.db.task(id.trim()).await {
        Ok(t) => t,
        Err(StorageError::NotFound { .. }) => {
            return Err(
                Refusal::NotFound("records.error.task_not_found", id.trim().into()).api(tr),
            );
        }
        Err(e) => return Err(storage_api(tr, e)),
    };
    let d = visible_directive(&state, &v, &task.directive)
        .await
        .map_err(|e| {
            if e.code == ErrorCode::NotFound {
                Refusal::NotFound("records.error.task_not_found", id.trim().into()).api(tr)
            } else {
                e
            }
        })?;
    if !writable(&v, &d.org) {
        return Err(forbidden(tr));
    }
    let draft = json_body(tr, body)?;
    match report_on(&state, &v, &task.id, &draft).await {
        Ok((report, task, _)) => {
            let today = state.today();
            Ok((
                StatusCode::CREATED,
                Json(json!({
                    "report": report,
                    "task": task_json(&task, &[], today),
                })),
            )
                .into_response())
        }
        Err(Ok((_, errors))) => Err(invalid(&errors, tr)),
        Err(Err(e)) => Err(e),
    }
}

// ------------------------------------------------------------------------------------------
// Catalogs
// ------------------------------------------------------------------------------------------

/// Chinese UI strings of this area.
pub const ZH: &[(&str, &str)] = &[
    ("records.nav", "佐证材料"),
    ("records.title", "佐证材料"),
    (
        "records.lead",
        "党委会会议记录、分析研判报告、培训记录、教育活动记录和落实情况报告。每份材料都可挂接到它所完成的规定动作上。",
    ),
    ("records.filter.org", "组织代码"),
    ("records.filter.kind", "材料类型"),
    ("records.filter.all_kinds", "全部类型"),
    ("records.filter.year", "年度"),
    ("records.filter.submit", "筛选"),
    ("records.new", "登记新材料"),
    ("records.col.date", "日期"),
    ("records.col.kind", "类型"),
    ("records.col.title", "标题"),
    ("records.col.org", "组织"),
    ("records.col.version", "版本"),
    ("records.empty", "没有符合条件的材料。"),
    ("records.page", "第 {page} 页，共 {pages} 页（{total} 条）"),
    ("records.prev", "上一页"),
    ("records.next", "下一页"),
    ("records.none", "无"),
    ("records.training.link", "人员培训情况"),
    ("records.directives.link", "上级部署与督办"),
    ("records.not_found.title", "找不到"),
    ("records.error.title", "无法处理"),
    (
        "records.error.org_not_found",
        "找不到组织「{id}」，或您无权查看。",
    ),
    (
        "records.error.record_not_found",
        "找不到材料「{id}」，或您无权查看。",
    ),
    (
        "records.error.directive_not_found",
        "找不到上级部署「{id}」，或您无权查看。",
    ),
    (
        "records.error.obligation_not_found",
        "找不到事项「{id}」，或您无权查看。",
    ),
    (
        "records.error.task_not_found",
        "找不到督办任务「{id}」，或您无权查看。",
    ),
    (
        "records.error.attachment_not_found",
        "找不到附件「{id}」，或您无权下载。",
    ),
    (
        "records.error.conflict",
        "该内容已被他人修改（当前为第 {actual} 版，您编辑的是第 {expected} 版）。请刷新后重试。",
    ),
    ("records.error.body", "请求内容无法读取：{detail}"),
    ("records.error.year", "年度「{value}」无效"),
    ("records.error.page", "页码必须是正整数"),
    ("records.error.kind", "材料类型「{value}」无效"),
    ("records.error.field_required", "{field}不能为空"),
    ("records.error.fixed", "材料类型和所属组织不能修改"),
    (
        "records.error.kind_elsewhere",
        "该事项须以{kinds}为佐证，这类材料不在此处登记。",
    ),
    ("records.form.new", "登记佐证材料"),
    ("records.form.amend", "修改佐证材料"),
    ("records.form.choose", "选择要登记的材料类型："),
    ("records.form.kind", "材料类型"),
    ("records.form.org", "所属组织"),
    (
        "records.form.for_obligation",
        "本材料将作为「{duty}」（{citation}，{period}，期限 {due}）的佐证，保存后该事项即告完成。",
    ),
    (
        "records.form.amend_note",
        "修改会生成新版本，原版本保留可查。",
    ),
    ("records.form.date_hint", "格式 YYYY-MM-DD，不能晚于今天。"),
    (
        "records.form.people_hint",
        "只能选择本组织（含下级组织）的人员。",
    ),
    ("records.form.agenda_item", "第 {n} 项"),
    ("records.form.agenda_title", "议题"),
    ("records.form.agenda_topics", "议题标签"),
    (
        "records.form.covers_hint",
        "如 2026-Q3（季度）、2026-H2（半年）、2026（全年）。",
    ),
    ("records.form.hours_hint", "可填小数，如 1.5。"),
    ("records.form.choose_person", "请选择"),
    ("records.form.submit", "保存"),
    ("records.form.cancel", "取消"),
    ("records.form.files", "附件（可选）"),
    (
        "records.form.files_hint",
        "会议纪要、签到表、照片等，可多选；每个文件不超过 {max}，类型按内容识别（PDF、Office 文档、图片、文本等）。保存时一并归档。",
    ),
    ("records.detail.created", "{by} 登记于 {at}"),
    ("records.detail.version", "第 {n} 版"),
    ("records.detail.edit", "修改"),
    ("records.detail.fields", "内容"),
    ("records.detail.evidence", "佐证的事项"),
    ("records.detail.evidence_none", "尚未挂接到任何事项。"),
    ("records.detail.candidates", "可由本材料完成的事项"),
    ("records.detail.attach", "挂接为佐证"),
    ("records.detail.attachments", "附件"),
    ("records.detail.attachments_none", "暂无附件。"),
    ("records.detail.upload", "上传附件"),
    (
        "records.detail.upload_hint",
        "每个文件不超过 {max}。可上传：{types}。文件类型按内容识别。",
    ),
    ("records.detail.upload_submit", "上传"),
    ("records.detail.versions", "修改记录"),
    ("records.detail.versions_none", "尚无修改。"),
    ("records.detail.version_line", "第 {n} 版 · {by} · {at}"),
    ("records.col.duty", "规定动作"),
    ("records.col.period", "期间"),
    ("records.col.due", "期限"),
    ("records.col.status", "状态"),
    ("records.col.file", "文件"),
    ("records.col.size", "大小"),
    ("records.col.added", "上传"),
    ("records.upload.too_large", "文件超过大小上限 {max}。"),
    (
        "records.upload.refused",
        "文件「{name}」的类型不在允许之列（按文件内容识别）。可上传 PDF、图片（PNG/JPEG/GIF）、Word、Excel、PowerPoint、纯文本和 CSV。",
    ),
    ("records.upload.no_file", "请选择要上传的文件。"),
    ("records.upload.too_many", "一次最多上传 {n} 个文件。"),
    ("records.upload.unreadable", "上传内容无法读取：{detail}"),
    ("records.training.title", "人员培训情况"),
    (
        "records.training.lead",
        "{org} {year} 年度每人参加培训的次数和学时（含上级组织举办的培训）。",
    ),
    ("records.training.untrained", "本年度尚未参加培训：{n} 人"),
    ("records.training.col.name", "姓名"),
    ("records.training.col.org", "组织"),
    ("records.training.col.sessions", "次数"),
    ("records.training.col.hours", "学时"),
    ("records.training.records", "查看培训记录"),
    ("records.directives.title", "上级部署与督办"),
    (
        "records.directives.lead",
        "登记上级部署（第四条第（一）项），分解为督办任务，明确责任人和时限，收集进展和完成情况。",
    ),
    ("records.directives.new", "登记上级部署"),
    ("records.directives.empty", "尚未登记上级部署。"),
    ("records.directives.col.received", "收文日期"),
    ("records.directives.col.number", "文号"),
    ("records.directives.col.title", "标题"),
    ("records.directives.col.issuer", "发文单位"),
    ("records.directives.col.org", "承办组织"),
    ("records.directive.form.title", "登记上级部署"),
    (
        "records.directive.form.lead",
        "登记后自动生成“贯彻落实上级决策部署”事项，落实情况报告可作为其佐证。",
    ),
    ("records.directive.facts", "部署内容"),
    ("records.directive.obligation", "落实事项"),
    ("records.directive.report", "登记落实情况报告"),
    ("records.directive.tasks", "督办任务"),
    ("records.directive.tasks_none", "尚未分解督办任务。"),
    ("records.directive.add_task", "新增督办任务"),
    ("records.directive.task_title", "任务"),
    ("records.directive.add", "添加"),
    ("records.directive.reports", "报告"),
    ("records.directive.add_report", "报告进展或完成情况"),
    ("records.directive.report_kind", "报告类型"),
    ("records.task.open", "进行中"),
    ("records.task.overdue", "已逾期"),
    ("records.task.done", "已完成"),
    ("records.report.progress", "进展报告"),
    ("records.report.completion", "完成报告"),
];

/// English UI strings of this area.
pub const EN: &[(&str, &str)] = &[
    ("records.nav", "Records"),
    ("records.title", "Evidence records"),
    (
        "records.lead",
        "Committee meeting minutes, situation analyses, training records, education activities and directive reports. Each record can be linked to the duties it discharges.",
    ),
    ("records.filter.org", "Org code"),
    ("records.filter.kind", "Kind"),
    ("records.filter.all_kinds", "All kinds"),
    ("records.filter.year", "Year"),
    ("records.filter.submit", "Filter"),
    ("records.new", "New record"),
    ("records.col.date", "Date"),
    ("records.col.kind", "Kind"),
    ("records.col.title", "Title"),
    ("records.col.org", "Org"),
    ("records.col.version", "Version"),
    ("records.empty", "No records match."),
    ("records.page", "Page {page} of {pages} ({total} rows)"),
    ("records.prev", "Previous"),
    ("records.next", "Next"),
    ("records.none", "none"),
    ("records.training.link", "Training status"),
    ("records.directives.link", "Directives and supervised tasks"),
    ("records.not_found.title", "Not found"),
    ("records.error.title", "Cannot do that"),
    (
        "records.error.org_not_found",
        "There is no org “{id}”, or you may not see it.",
    ),
    (
        "records.error.record_not_found",
        "There is no record “{id}”, or you may not see it.",
    ),
    (
        "records.error.directive_not_found",
        "There is no directive “{id}”, or you may not see it.",
    ),
    (
        "records.error.obligation_not_found",
        "There is no obligation “{id}”, or you may not see it.",
    ),
    (
        "records.error.task_not_found",
        "There is no task “{id}”, or you may not see it.",
    ),
    (
        "records.error.attachment_not_found",
        "There is no attachment “{id}”, or you may not download it.",
    ),
    (
        "records.error.conflict",
        "Someone else changed this (now version {actual}; you edited version {expected}). Reload and try again.",
    ),
    (
        "records.error.body",
        "The request could not be read: {detail}",
    ),
    ("records.error.year", "year “{value}” is not valid"),
    ("records.error.page", "page must be a positive whole number"),
    ("records.error.kind", "kind “{value}” is not valid"),
    ("records.error.field_required", "{field} is required"),
    (
        "records.error.fixed",
        "the kind and the org of a record cannot change",
    ),
    (
        "records.error.kind_elsewhere",
        "This obligation is discharged by {kinds}; such records are not kept here.",
    ),
    ("records.form.new", "New evidence record"),
    ("records.form.amend", "Amend a record"),
    ("records.form.choose", "Choose the kind of record:"),
    ("records.form.kind", "Kind"),
    ("records.form.org", "Org"),
    (
        "records.form.for_obligation",
        "This record will be the evidence of “{duty}” ({citation}, {period}, due {due}); saving it completes the obligation.",
    ),
    (
        "records.form.amend_note",
        "Amending makes a new version; the previous one is kept.",
    ),
    ("records.form.date_hint", "YYYY-MM-DD, not after today."),
    (
        "records.form.people_hint",
        "Only people of the org (or the orgs under it).",
    ),
    ("records.form.agenda_item", "Item {n}"),
    ("records.form.agenda_title", "Topic discussed"),
    ("records.form.agenda_topics", "Topic tags"),
    (
        "records.form.covers_hint",
        "e.g. 2026-Q3 (quarter), 2026-H2 (half year), 2026 (year).",
    ),
    ("records.form.hours_hint", "Decimals allowed, e.g. 1.5."),
    ("records.form.choose_person", "Choose"),
    ("records.form.submit", "Save"),
    ("records.form.cancel", "Cancel"),
    ("records.form.files", "Attachments (optional)"),
    (
        "records.form.files_hint",
        "Minutes, sign-in sheets, photos…; several at once; each at most {max}; the type is read from the content (PDF, Office documents, images, text…). Filed when you save.",
    ),
    ("records.detail.created", "recorded by {by} on {at}"),
    ("records.detail.version", "Version {n}"),
    ("records.detail.edit", "Amend"),
    ("records.detail.fields", "Content"),
    ("records.detail.evidence", "Evidence of"),
    (
        "records.detail.evidence_none",
        "Not linked to any obligation yet.",
    ),
    (
        "records.detail.candidates",
        "Obligations this record can discharge",
    ),
    ("records.detail.attach", "Link as evidence"),
    ("records.detail.attachments", "Attachments"),
    ("records.detail.attachments_none", "No attachments yet."),
    ("records.detail.upload", "Upload attachments"),
    (
        "records.detail.upload_hint",
        "Up to {max} per file. Accepted: {types}. The type is read from the content.",
    ),
    ("records.detail.upload_submit", "Upload"),
    ("records.detail.versions", "Versions"),
    ("records.detail.versions_none", "Not amended."),
    ("records.detail.version_line", "Version {n} · {by} · {at}"),
    ("records.col.duty", "Duty"),
    ("records.col.period", "Period"),
    ("records.col.due", "Due"),
    ("records.col.status", "Status"),
    ("records.col.file", "File"),
    ("records.col.size", "Size"),
    ("records.col.added", "Uploaded"),
    (
        "records.upload.too_large",
        "The file is over the limit of {max}.",
    ),
    (
        "records.upload.refused",
        "The type of “{name}” is not accepted (read from its content). Accepted: PDF, images (PNG/JPEG/GIF), Word, Excel, PowerPoint, plain text and CSV.",
    ),
    ("records.upload.no_file", "Choose a file to upload."),
    ("records.upload.too_many", "At most {n} files at a time."),
    (
        "records.upload.unreadable",
        "The upload could not be read: {detail}",
    ),
    ("records.training.title", "Training status"),
    (
        "records.training.lead",
        "Sessions and hours of each person of {org} in {year} (trainings held by the orgs above included).",
    ),
    (
        "records.training.untrained",
        "No training yet this year: {n}",
    ),
    ("records.training.col.name", "Name"),
    ("records.training.col.org", "Org"),
    ("records.training.col.sessions", "Sessions"),
    ("records.training.col.hours", "Hours"),
    ("records.training.records", "Training records"),
    (
        "records.directives.title",
        "Directives and supervised tasks",
    ),
    (
        "records.directives.lead",
        "Register directives from higher levels (Art.4(1)), break them into supervised tasks with owners and deadlines, and collect progress and completion reports.",
    ),
    ("records.directives.new", "Register a directive"),
    ("records.directives.empty", "No directive registered yet."),
    ("records.directives.col.received", "Received"),
    ("records.directives.col.number", "Number"),
    ("records.directives.col.title", "Title"),
    ("records.directives.col.issuer", "Issuer"),
    ("records.directives.col.org", "Org"),
    ("records.directive.form.title", "Register a directive"),
    (
        "records.directive.form.lead",
        "Registering it creates the obligation to implement it; the implementation report is its evidence.",
    ),
    ("records.directive.facts", "What it asks for"),
    ("records.directive.obligation", "Implementation obligation"),
    (
        "records.directive.report",
        "Record the implementation report",
    ),
    ("records.directive.tasks", "Supervised tasks"),
    ("records.directive.tasks_none", "No tasks yet."),
    ("records.directive.add_task", "Add a supervised task"),
    ("records.directive.task_title", "Task"),
    ("records.directive.add", "Add"),
    ("records.directive.reports", "Reports"),
    (
        "records.directive.add_report",
        "Report progress or completion",
    ),
    ("records.directive.report_kind", "Kind of report"),
    ("records.task.open", "Open"),
    ("records.task.overdue", "Overdue"),
    ("records.task.done", "Done"),
    ("records.report.progress", "Progress report"),
    ("records.report.completion", "Completion report"),
];
