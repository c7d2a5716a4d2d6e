//! Files on a case's file: the respondent's statement and appeal may bring them (the forms are
//! multipart; the step and its files are stored together or not at all), and more can be added
//! to an entry later (`POST /cases/{id}/entries/{seq}/attachments`, and the API's) — by the
//! commission to any entry, by the respondent to their own statement and appeal — until the case
//! is closed. A file is downloaded through the case by whoever may see its entry: the
//! commission any, the respondent those of their own statement and appeal; the download is
//! audited as a view. The files are read, limited, sniffed, stored and served by the shared
//! uploads, as a record's are.

use super::*;
use crate::shared::csrf::CsrfMultipart;
use crate::shared::uploads::{UploadError, download, file_size, receive_files};
use axum::extract::Multipart;
use axum::extract::multipart::MultipartRejection;
use axum::http::HeaderMap;
use std::collections::HashMap;
use zeren_storage::repo::attachments::StoredFile;
use zeren_storage::repo::cases::attachments::CaseFile;

/// One file as the page shows it.
#[derive(Clone)]
pub struct FileRow {
    /// Its download.
    pub href: String,
    pub filename: String,
    /// Its size in words.
    pub size: String,
    /// Who attached it, when.
    pub added: String,
}

/// The download of a file of a case.
fn file_href(case: &str, sha: &str) -> String {
    format!("/cases/{}/attachments/{}", encode(case), encode(sha))
}

/// Whether `e` is the respondent's own (their statement or appeal).
pub(super) fn respondents_entry(e: &CaseEntry, person: Option<&str>) -> bool {
    matches!(e.step.as_deref(), Some("submit-statement" | "appeal"))
        && person.is_some()
        && e.person.as_deref() == person
}

/// Whether the respondent may still add files to their own entry `e`: to the statement until
/// the decision, to the appeal until it is decided — what was before the commission when it
/// decided stays as it was.
pub(super) fn respondent_may_add(c: &Case, e: &CaseEntry) -> bool {
    match e.step.as_deref() {
        Some("submit-statement") => c.state == CaseState::StatementReceived,
        Some("appeal") => c.state == CaseState::Appealed,
        _ => false,
    }
}

/// Whether the viewer may see (and, the case not closed, add to) the files of `e`.
pub(super) fn may_see(v: &Viewer, part: Part, e: &CaseEntry) -> bool {
    part.commission || (part.respondent && respondents_entry(e, v.user.person.as_deref()))
}

/// The files of a case the viewer may see, by entry (`seq`).
pub(super) fn files_by_entry(
    v: &Viewer,
    part: Part,
    c: &Case,
    entries: &[CaseEntry],
    files: &[CaseFile],
) -> HashMap<i64, Vec<FileRow>> {
    let seen: Vec<i64> = entries
        .iter()
        .filter(|e| may_see(v, part, e))
        .map(|e| e.seq)
        .collect();
    let mut out: HashMap<i64, Vec<FileRow>> = HashMap::new();
    for f in files.iter().filter(|f| seen.contains(&f.seq)) {
        out.entry(f.seq).or_default().push(FileRow {
            href: file_href(&c.id, &f.file.sha256),
            filename: f.file.filename.clone(),
            size: file_size(f.file.size),
            added: format!(
                "{} · {}",
                f.file.added_by,
                crate::shared::format::minute(f.file.added_at)
            ),
        });
    }
    out
}

/// A file as the API shows it.
pub(super) fn file_json(case: &str, f: &CaseFile) -> Value {
    json!({
        "seq": f.seq,
        "sha256": f.file.sha256,
        "filename": f.file.filename,
        "size": f.file.size,
        "mime": f.file.mime,
        "added_by": f.file.added_by,
        "added_at": crate::shared::format::rfc3339(f.file.added_at),
        "href": file_href(case, &f.file.sha256),
    })
}

/// The entry `seq` of the case the viewer may add files to: 404 when it has no such entry or
/// the viewer may not see it, 409 when the case is closed.
async fn entry_to_attach(
    state: &AppState,
    v: &Viewer,
    c: &Case,
    part: Part,
    seq: &str,
) -> Result<i64, Refused> {
    let tr = v.tr;
    let missing = || {
        Refused::Other(
            Refusal::not_found(tr, "cases.entry_not_found", seq).titled("cases.not_found.title"),
        )
    };
    let seq: i64 = seq.trim().parse().map_err(|_| missing())?;
    let entries = state
        .db
        .case_entries(&c.id)
        .await
        .map_err(|e| Refused::Other(storage_refusal(tr, e, &c.id)))?;
    let entry = match entries.iter().find(|e| e.seq == seq) {
        Some(e) if may_see(v, part, e) => e,
        _ => return Err(missing()),
    };
    if c.state == CaseState::Closed {
        return Err(procedure_refusal(ProcedureError::Closed, tr));
    }
    if !part.commission && !respondent_may_add(c, entry) {
        return Err(Refused::Other(Refusal::new(
            ErrorCode::Conflict,
            tr.t("cases.error.files_after").to_string(),
        )));
    }
    Ok(seq)
}

/// Why files were not attached: the upload itself, or the change.
enum NotAttached {
    Upload(UploadError),
    Refused(Refused),
}

/// Receives the files of an upload and attaches them to the entry `seq`, audited if refused.
async fn receive(
    state: &AppState,
    v: &Viewer,
    c: &Case,
    part: Part,
    seq: &str,
    headers: &HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<(i64, Vec<CaseFile>), NotAttached> {
    let seq = match entry_to_attach(state, v, c, part, seq).await {
        Ok(s) => s,
        Err(r) => {
            audit_refusal(state, v, &c.id, "attach", &why(&r)).await;
            return Err(NotAttached::Refused(r));
        }
    };
    let files = receive_files(state, headers, multipart)
        .await
        .map_err(NotAttached::Upload)?;
    let out = in_tx(state, v, &c.id, async |tx| {
        let mut out = Vec::new();
        for (file, name) in &files {
            out.push(
                tx.attach_to_case_entry(&c.id, Some(seq), file, name)
                    .await?,
            );
        }
        Ok(out)
    })
    .await
    .map_err(NotAttached::Refused)?;
    Ok((seq, out))
}

/// `POST /cases/{id}/entries/{seq}/attachments`
pub(super) async fn attach_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    ids: Result<Path<(String, String)>, Rejected>,
    headers: HeaderMap,
    CsrfMultipart(multipart): CsrfMultipart,
) -> Response {
    let tr = v.tr;
    let Ok(Path((id, seq))) = ids else {
        return not_found(tr, "").page(tr);
    };
    let (c, tasks, part) = match seen(&state, &v, &id, "page-change").await {
        Ok(x) => x,
        Err(r) => return r.page(tr),
    };
    let (errors, status) = match receive(&state, &v, &c, part, &seq, &headers, multipart).await {
        Ok((seq, _)) => return redirect(&format!("{}#entry-{seq}", case_href(&c.id, tr))),
        Err(NotAttached::Upload(e)) => {
            let (status, message) = e.message(tr);
            (vec![("file".to_string(), message)], status)
        }
        Err(NotAttached::Refused(r)) => match r.on_page() {
            Ok(x) => x,
            Err(r) => return r.page(tr),
        },
    };
    let failure = Failure {
        errors,
        form: format!("attach-{seq}"),
        status,
        posted: Vec::new(),
    };
    case_view(&state, &v, &c, &tasks, part, failure).await
}

/// `POST /api/v1/cases/{id}/entries/{seq}/attachments`
pub(super) async fn api_attach(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    ids: Result<Path<(String, String)>, Rejected>,
    headers: HeaderMap,
    CsrfMultipart(multipart): CsrfMultipart,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    let Path((id, seq)) = ids?;
    let (c, _, part) = seen(&state, &v, &id, "api-change")
        .await
        .map_err(Refusal::api)?;
    match receive(&state, &v, &c, part, &seq, &headers, multipart).await {
        Ok((seq, list)) => Ok((
            StatusCode::CREATED,
            Json(json!({
                "case": c.id,
                "seq": seq,
                "attachments": list.iter().map(|f| file_json(&c.id, f)).collect::<Vec<_>>(),
            })),
        )
            .into_response()),
        Err(NotAttached::Refused(r)) => Err(r.api(tr)),
        Err(NotAttached::Upload(e)) => Ok(e.api(tr, |e| storage_refusal(tr, e, &c.id).api())),
    }
}

/// `GET /cases/{id}/attachments/{sha}`: a file of the case, for whoever may see its entry (404
/// otherwise, and for a file the case does not hold). Audited as a view of the case.
pub(super) async fn download_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    ids: Result<Path<(String, String)>, Rejected>,
) -> Response {
    let tr = v.tr;
    let Ok(Path((id, sha))) = ids else {
        return not_found(tr, "").page(tr);
    };
    let (c, _, part) = match look(&state, &v, &id).await {
        Ok(x) => x,
        Err(r) => return r.page(tr),
    };
    let (entries, files) = match (
        state.db.case_entries(&c.id).await,
        state.db.case_attachments(&c.id).await,
    ) {
        (Ok(e), Ok(f)) => (e, f),
        (Err(e), _) | (_, Err(e)) => return storage_refusal(tr, e, &c.id).page(tr),
    };
    // A file is seen by whoever may see its entry; anyone else's look is refused (and audited
    // so), as is a look for a file the case does not hold.
    let found = files.iter().find(|f| {
        f.file.sha256 == sha.trim()
            && entries
                .iter()
                .any(|e| e.seq == f.seq && may_see(&v, part, e))
    });
    if let Err(r) = judge(&state, &v, &c, "file", part, found.is_some()).await {
        return r.page(tr);
    }
    let Some(f) = found else {
        return not_found(tr, &id).page(tr);
    };
    let missing = || {
        Refusal::not_found(tr, "cases.file_not_found", &sha)
            .titled("cases.not_found.title")
            .page(tr)
    };
    match download(&state, &f.file).await {
        Ok(Some(r)) => r,
        Ok(None) => missing(),
        Err(e) => storage_refusal(tr, e, &c.id).page(tr),
    }
}

/// The files that came with a step's form, stored and ready to attach to the step's entry; a
/// refused file refuses the step, nothing kept.
pub(super) async fn staged(
    state: &AppState,
    tr: Tr,
    upload: Option<crate::shared::uploads::Upload>,
) -> Result<Vec<(StoredFile, String)>, Refused> {
    let Some(mut up) = upload else {
        return Ok(Vec::new());
    };
    if let Some(e) = up.refused.take() {
        return Err(Refused::Fields(vec![("file".into(), e.message(tr).1)]));
    }
    up.store(state).await.map_err(|e| match e {
        UploadError::Storage(e) => Refused::Other(storage_refusal(tr, e, "")),
        other => Refused::Fields(vec![("file".into(), other.message(tr).1)]),
    })
}
