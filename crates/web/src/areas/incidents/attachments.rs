//! Files on the entries of an incident's timeline (issue 15: "a timeline of actions, each dated,
//! by whom, with attachments"): added with a new entry (the entry form is multipart when files
//! come with it, and the entry and its files are stored together or not at all), or later to an
//! entry already there (each entry's own form, `POST /incidents/{id}/entries/{seq}/attachments`,
//! and the API's); listed under each entry and in the API's timeline; downloaded through the
//! incident (its org's read scope; 404 outside, as if missing). Who may attach is who may add to
//! the timeline; a closed incident takes no file, as it takes no change (409). The files are
//! read, limited, sniffed, stored and served by the shared uploads, as a record's are.

use super::*;
use crate::shared::csrf::CsrfMultipart;
use crate::shared::uploads::{
    FormError, Upload, UploadError, download, file_size, read_form, receive_files,
};
use axum::extract::Multipart;
use axum::extract::multipart::MultipartRejection;
use axum::http::HeaderMap;
use std::collections::HashMap;
use zeren_storage::repo::attachments::StoredFile;
use zeren_storage::repo::incidents::attachments::EntryAttachment;

/// One file of an entry as the page shows it.
pub struct FileRow {
    /// Its download.
    pub href: String,
    pub filename: String,
    /// Its size in words.
    pub size: String,
    /// Who attached it, when.
    pub added: String,
}

/// The download of a file of an incident.
fn file_href(incident: &str, sha: &str) -> String {
    format!(
        "/incidents/{}/attachments/{}",
        encode(incident),
        encode(sha)
    )
}

/// The files of an incident, as each entry (by `seq`) shows them.
pub(super) fn files_by_entry(
    incident: &str,
    files: &[EntryAttachment],
) -> HashMap<i64, Vec<FileRow>> {
    let mut out: HashMap<i64, Vec<FileRow>> = HashMap::new();
    for a in files {
        out.entry(a.seq).or_default().push(FileRow {
            href: file_href(incident, &a.file.sha256),
            filename: a.file.filename.clone(),
            size: file_size(a.file.size),
            added: format!(
                "{} · {}",
                a.file.added_by,
                crate::shared::format::minute(a.file.added_at)
            ),
        });
    }
    out
}

/// A file of an incident as the API shows it.
pub(super) fn file_json(incident: &str, a: &EntryAttachment) -> Value {
    json!({
        "sha256": a.file.sha256,
        "filename": a.file.filename,
        "size": a.file.size,
        "mime": a.file.mime,
        "added_by": a.file.added_by,
        "added_at": crate::shared::format::rfc3339(a.file.added_at),
        "href": file_href(incident, &a.file.sha256),
    })
}

/// The field a refused file of the entry `seq` is shown under.
pub(super) fn file_field(seq: i64) -> String {
    format!("file.{seq}")
}

/// The entry `seq` of an incident's timeline, if it has it (a number it has; else 404).
async fn entry_of(state: &AppState, tr: Tr, i: &Incident, seq: &str) -> Result<i64, Refusal> {
    let missing = || {
        Refusal::not_found(tr, "incidents.entry_not_found", seq).titled("incidents.not_found.title")
    };
    let seq: i64 = seq.trim().parse().map_err(|_| missing())?;
    let line = state
        .db
        .timeline(&i.id)
        .await
        .map_err(|e| storage_refusal(tr, e, &i.id))?;
    if line.iter().any(|e| e.seq == seq) {
        Ok(seq)
    } else {
        Err(missing())
    }
}

/// Attaches stored files to the entry `seq`, in one transaction.
async fn attach(
    state: &AppState,
    v: &Viewer,
    i: &Incident,
    seq: i64,
    files: &[(StoredFile, String)],
) -> Result<Vec<EntryAttachment>, Refused> {
    in_tx(state, v, &i.id, async |tx| {
        let mut out = Vec::new();
        for (file, name) in files {
            out.push(tx.attach_to_incident_entry(&i.id, seq, file, name).await?);
        }
        Ok(out)
    })
    .await
}

/// Adds an entry the viewer recorded with the files that came with it: both stored, or (a
/// problem of the entry or of a file) neither. Every problem is told at once, each by its field.
async fn add_entry_with_files(
    state: &AppState,
    v: &Viewer,
    i: &Incident,
    d: &EntryDraft,
    upload: Option<Upload>,
    file_error: Option<UploadError>,
) -> Result<TimelineEntry, Refused> {
    let tr = v.tr;
    let first = first_of(state, v, &i.fields.org);
    let checked = check_entry(
        d,
        &i.fields,
        v.user.person.as_deref(),
        first.as_ref(),
        now_local(state),
        tr.lang(),
    );
    let file_problem = file_error.map(|e| ("file".to_string(), e.message(tr).1));
    let entry = match (checked, file_problem) {
        (Ok(entry), None) => entry,
        (Ok(_), Some(p)) => return Err(Refused::Fields(vec![p])),
        (Err(mut errors), p) => {
            errors.extend(p);
            return Err(Refused::Fields(errors));
        }
    };
    let files = match upload {
        Some(up) => up.store(state).await.map_err(|e| match e {
            UploadError::Storage(e) => Refused::Other(storage_refusal(tr, e, &i.id)),
            other => Refused::Fields(vec![("file".into(), other.message(tr).1)]),
        })?,
        None => Vec::new(),
    };
    let by = recorded_by(v, first.as_ref());
    in_tx(state, v, &i.id, async |tx| {
        let e = tx.add_incident_entry(&i.id, &entry, by).await?;
        for (file, name) in &files {
            tx.attach_to_incident_entry(&i.id, e.seq, file, name)
                .await?;
        }
        Ok(e)
    })
    .await
}

/// The incident's page again with a form's problems (or the refusal's own page for 403/404).
async fn shown_again(
    state: &AppState,
    v: &Viewer,
    i: &Incident,
    form: Failed,
    refused: Refused,
) -> Response {
    let tr = v.tr;
    let (errors, status) = match refused.on_page() {
        Ok(x) => x,
        Err(r) => return r.page(tr),
    };
    // Shown against what is stored now.
    let i = state.db.incident(&i.id).await.unwrap_or_else(|_| i.clone());
    incident_view(state, v, &i, form, errors, status).await
}

/// `POST /incidents/{id}/entries`: the entry form, urlencoded, or multipart with its files.
pub(super) async fn entry_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    id: Result<Path<String>, Rejected>,
    req: axum::extract::Request,
) -> Response {
    let tr = v.tr;
    let Ok(Path(id)) = id else {
        return Refusal::not_found(tr, "incidents.not_found", "").page(tr);
    };
    // Who may add to it is settled before anything of the form is read or staged.
    let i = match writable(&state, &v, &id).await {
        Ok(i) => i,
        Err(r) => return r.page(tr),
    };
    let (pairs, mut upload) = match read_form(&state, tr, req).await {
        Ok(x) => x,
        Err(FormError::Refused(r)) => return r,
        Err(FormError::Upload(e)) => {
            let (status, message) = e.message(tr);
            return incident_view(
                &state,
                &v,
                &i,
                Failed::Entry,
                vec![("file".into(), message)],
                status,
            )
            .await;
        }
    };
    let d = EntryDraft {
        kind: form_first(&pairs, "kind").into(),
        at: form_first(&pairs, "at").into(),
        detail: form_first(&pairs, "detail").into(),
    };
    let file_error = upload.as_mut().and_then(|u| u.refused.take());
    match add_entry_with_files(&state, &v, &i, &d, upload, file_error).await {
        Ok(e) => redirect(&format!("{}#entry-{}", incident_href(&i.id, tr), e.seq)),
        Err(r) => shown_again(&state, &v, &i, Failed::Entry, r).await,
    }
}

/// The incident and the entry a file goes to, after the checks every upload makes: 404 when
/// the viewer may not read it or it has no such entry, 403 when they may not keep its records,
/// 409 when it is closed.
async fn entry_to_attach(
    state: &AppState,
    v: &Viewer,
    ids: Result<Path<(String, String)>, Rejected>,
) -> Result<(Incident, i64), Refusal> {
    let tr = v.tr;
    let Ok(Path((id, seq))) = ids else {
        return Err(Refusal::not_found(tr, "incidents.not_found", ""));
    };
    let i = writable(state, v, &id).await?;
    let seq = entry_of(state, tr, &i, &seq).await?;
    Ok((i, seq))
}

/// Why files were not attached: the upload itself, or the change (a rule, a stale state).
enum NotAttached {
    Upload(UploadError),
    Refused(Refused),
}

/// Receives the files of an upload and attaches them to the entry `seq`.
async fn receive(
    state: &AppState,
    v: &Viewer,
    i: &Incident,
    seq: i64,
    headers: &HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Vec<EntryAttachment>, NotAttached> {
    let files = receive_files(state, headers, multipart)
        .await
        .map_err(NotAttached::Upload)?;
    attach(state, v, i, seq, &files)
        .await
        .map_err(NotAttached::Refused)
}

/// `POST /incidents/{id}/entries/{seq}/attachments`: an entry's own upload form.
pub(super) async fn attach_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    ids: Result<Path<(String, String)>, Rejected>,
    headers: HeaderMap,
    CsrfMultipart(multipart): CsrfMultipart,
) -> Response {
    let tr = v.tr;
    let (i, seq) = match entry_to_attach(&state, &v, ids).await {
        Ok(x) => x,
        Err(r) => return r.page(tr),
    };
    match receive(&state, &v, &i, seq, &headers, multipart).await {
        Ok(_) => redirect(&format!("{}#entry-{seq}", incident_href(&i.id, tr))),
        Err(NotAttached::Refused(refused)) => {
            shown_again(&state, &v, &i, Failed::Attach, refused).await
        }
        Err(NotAttached::Upload(e)) => {
            let (status, message) = e.message(tr);
            incident_view(
                &state,
                &v,
                &i,
                Failed::Attach,
                vec![(file_field(seq), message)],
                status,
            )
            .await
        }
    }
}

/// `POST /api/v1/incidents/{id}/entries/{seq}/attachments`
pub(super) async fn api_attach(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    ids: Result<Path<(String, String)>, Rejected>,
    headers: HeaderMap,
    CsrfMultipart(multipart): CsrfMultipart,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    let (i, seq) = entry_to_attach(&state, &v, ids)
        .await
        .map_err(Refusal::api)?;
    match receive(&state, &v, &i, seq, &headers, multipart).await {
        Ok(list) => Ok((
            StatusCode::CREATED,
            Json(json!({
                "incident": i.id,
                "seq": seq,
                "attachments": list.iter().map(|a| file_json(&i.id, a)).collect::<Vec<_>>(),
            })),
        )
            .into_response()),
        Err(NotAttached::Refused(refused)) => Err(refused.api(tr)),
        Err(NotAttached::Upload(e)) => Ok(e.api(tr, |e| storage_refusal(tr, e, &i.id).api())),
    }
}

/// `GET /incidents/{id}/attachments/{sha}`: a file of the incident's timeline, for whoever may
/// read the incident (404 otherwise, and for a file it does not hold).
pub(super) async fn download_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    ids: Result<Path<(String, String)>, Rejected>,
) -> Response {
    let tr = v.tr;
    let Ok(Path((id, sha))) = ids else {
        return Refusal::not_found(tr, "incidents.not_found", "").page(tr);
    };
    let i = match readable(&state, &v, &id).await {
        Ok(i) => i,
        Err(r) => return r.page(tr),
    };
    let missing = || {
        Refusal::not_found(tr, "incidents.file_not_found", &sha)
            .titled("incidents.not_found.title")
            .page(tr)
    };
    let att = match state.db.incident_attachment(&i.id, sha.trim()).await {
        Ok(Some(a)) => a,
        Ok(None) => return missing(),
        Err(e) => return storage_refusal(tr, e, &i.id).page(tr),
    };
    match download(&state, &att.file).await {
        Ok(Some(r)) => r,
        Ok(None) => missing(),
        Err(e) => storage_refusal(tr, e, &i.id).page(tr),
    }
}
