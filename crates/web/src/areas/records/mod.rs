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
use crate::shared::access::{Refusal, acts_on, keeps_kind, read_gate, readable_orgs};
use crate::shared::auth::{ApiViewer, PageViewer, Viewer, redirect};
use crate::shared::csrf::CsrfMultipart;
use crate::shared::error::{ApiError, ErrorCode, generic_message};
use crate::shared::extract::{Input, JsonBody, Path, Query, Rejected};
use crate::shared::format::date;
use crate::shared::format::{evidence_name, minute, person_name};
use crate::shared::frame::{Frame, error_page, page};
use crate::shared::i18n::Tr;
use crate::shared::routes::{Describe, Routes};
use crate::shared::uploads::{
    FormError, Upload, UploadError, download as send_file, file_size, read_form, receive_files,
    upload_hint, upload_limit,
};
use crate::shared::urls::{encode, form_pairs, href_with, with_lang};
use askama::Template;
use axum::Json;
use axum::body::Bytes;
use axum::extract::multipart::MultipartRejection;
use axum::extract::rejection::RawFormRejection;
use axum::extract::{DefaultBodyLimit, Multipart, RawForm, State};
use axum::handler::Handler;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use zeren_core::access::Permission;
use zeren_core::obligation::{ObligationStatus, status_on};
use zeren_core::org::{Org, OrgModel};
use zeren_core::policy::{EvidenceOf, PolicyPack, RecordKind};
use zeren_core::vocab::EvidenceKind;
use zeren_storage::repo::records::{
    AgendaDraft, Attachment, Directive, DirectiveDraft, FieldErrors, RECORD_KINDS, Record,
    RecordContext, RecordDetails, RecordDraft, RecordFilter, ReportDraft, Task, TaskDraft,
    TaskReport, field_label, format_hours, number_or_text, validate_directive, validate_record,
    validate_report, validate_task,
};
use zeren_storage::{StorageError, StoredObligation};

mod access;
mod api;
mod attachments;
mod catalog;
mod defined;
mod detail;
mod directives;
mod editor;
mod forms;
mod links;
mod list;
mod training;
mod views;

use access::*;
use api::*;
use attachments::*;
use defined::*;
use detail::*;
use directives::*;
use editor::*;
use forms::*;
use links::*;
use list::*;
use training::*;
use views::*;

pub use catalog::CATALOG;

/// Rows per page of every list.
pub const PER_PAGE: i64 = 50;
/// Agenda rows a meeting form can carry.
const AGENDA_MAX: usize = 30;

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
            .query(NEW_QUERY)
            .multipart(),
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
