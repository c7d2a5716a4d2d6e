//! Attached files, for every area that takes them (a record's, an incident's timeline entry's):
//! the limit (the setting `attachments`), a multipart form read with each file staged in the
//! files dir and its type sniffed from the content, the refusals in the user's language, and a
//! stored file served for download with safe headers. The areas write the rows that attach a
//! file, in their own transactions; the files themselves are stored by content
//! ([`zeren_storage::repo::attachments`]).

use crate::AppState;
use crate::shared::csrf::CsrfMultipart;
use crate::shared::error::{ApiError, ErrorCode, classify, generic_message};
use crate::shared::i18n::Tr;
use crate::shared::limits::{FIELD_MAX, chars_in, content_length, field_too_long};
use axum::Json;
use axum::extract::multipart::{Field, MultipartError, MultipartRejection};
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::header::{
    CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_LENGTH, CONTENT_TYPE, X_CONTENT_TYPE_OPTIONS,
};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::json;
use zeren_storage::StorageError;
use zeren_storage::repo::attachments::{Attachment, StoredFile, clean_filename, sniff};

/// Setting key of the attachment rules (`{"max_bytes": N}`).
pub const ATTACHMENTS_SETTING: &str = "attachments";
/// The default largest attachment: 50 MB.
pub const DEFAULT_MAX_BYTES: u64 = 50 * 1024 * 1024;
/// Most files in one upload.
pub const MAX_FILES: usize = 20;
/// Room for the multipart framing and small fields beside the files.
const MULTIPART_SLACK: u64 = 64 * 1024;
/// The types an upload may be, as a form's hint names them.
const TYPES_SHOWN: &str = "PDF, PNG, JPEG, GIF, DOCX, XLSX, PPTX, DOC, XLS, PPT, TXT, CSV";

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

/// The largest file an upload may carry now (the setting, or the default).
pub async fn upload_limit(state: &AppState) -> u64 {
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

/// A size in bytes as people read it: `512 B`, `1.5 KB`, `50.0 MB`.
pub fn file_size(n: i64) -> String {
    let n = n.max(0) as f64;
    if n < 1024.0 {
        format!("{n} B")
    } else if n < 1024.0 * 1024.0 {
        format!("{:.1} KB", n / 1024.0)
    } else {
        format!("{:.1} MB", n / 1024.0 / 1024.0)
    }
}

/// What an upload form says under its file picker: the limit and the types accepted.
pub fn upload_hint(tr: Tr, max: u64) -> String {
    tr.tf(
        "upload.hint",
        &[("max", &file_size(max as i64)), ("types", TYPES_SHOWN)],
    )
}

/// Why an upload failed.
pub enum UploadError {
    /// A file (or the whole body) over the limit, in bytes.
    TooLarge(u64),
    /// A file of a type not accepted (read from its content), by its cleaned name.
    Refused(String),
    /// No file came.
    NoFile,
    /// More than [`MAX_FILES`] files.
    TooMany,
    /// The body is not a multipart form that can be read.
    Unreadable(String),
    /// A text part longer than [`FIELD_MAX`]: its name.
    FieldTooLong(String),
    /// Staging or storing failed.
    Storage(StorageError),
}

impl UploadError {
    /// The status and the message, in the user's language (a form shows it).
    pub fn message(&self, tr: Tr) -> (StatusCode, String) {
        match self {
            UploadError::TooLarge(max) => (
                StatusCode::PAYLOAD_TOO_LARGE,
                tr.tf("upload.too_large", &[("max", &file_size(*max as i64))]),
            ),
            UploadError::Refused(name) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                tr.tf("upload.refused", &[("name", name)]),
            ),
            UploadError::NoFile => (
                StatusCode::UNPROCESSABLE_ENTITY,
                tr.t("upload.no_file").into(),
            ),
            UploadError::TooMany => (
                StatusCode::UNPROCESSABLE_ENTITY,
                tr.tf("upload.too_many", &[("n", &MAX_FILES.to_string())]),
            ),
            UploadError::Unreadable(detail) => (
                StatusCode::BAD_REQUEST,
                tr.tf("upload.unreadable", &[("detail", detail)]),
            ),
            UploadError::FieldTooLong(field) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                field_too_long(tr, field).message,
            ),
            UploadError::Storage(e) => {
                let code = classify(e, ErrorCode::NotFound);
                (code.status(), generic_message(tr, code))
            }
        }
    }

    /// The refusal in the API's terms; a storage failure as the area maps it (`storage`). Over
    /// the limit is a validation error here; [`UploadError::api`] answers it with 413.
    pub fn api_error(self, tr: Tr, storage: impl FnOnce(StorageError) -> ApiError) -> ApiError {
        match self {
            UploadError::Storage(e) => storage(e),
            UploadError::FieldTooLong(field) => ApiError::from(field_too_long(tr, &field)),
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

    /// The API's answer: 413 `payload_too_large` over the limit, else [`UploadError::api_error`].
    pub fn api(self, tr: Tr, storage: impl FnOnce(StorageError) -> ApiError) -> Response {
        match self {
            UploadError::TooLarge(max) => too_large(tr, max),
            other => other.api_error(tr, storage).into_response(),
        }
    }
}

/// 413 with JSON naming the limit.
pub fn too_large(tr: Tr, max: u64) -> Response {
    (
        StatusCode::PAYLOAD_TOO_LARGE,
        Json(json!({"error": {"code": "payload_too_large", "message": tr.tf("upload.too_large", &[("max", &file_size(max as i64))])}})),
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

/// A file of a multipart form, written to the staging area and sniffed, not yet stored.
pub struct StagedFile {
    path: std::path::PathBuf,
    mime: &'static str,
    name: String,
}

impl Drop for StagedFile {
    /// A staged file never outlives its request: once stored it has been moved into place, and
    /// on every other way out (a refused form, a thing not found) it is removed.
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// What a multipart form carried: its small fields (in order), its files (staged), and the
/// first file refused (of a refused type, or one too many): then no file is kept, but the
/// fields are, so a form can be shown again as typed.
pub struct Upload {
    /// The text fields, in order.
    pub pairs: Vec<(String, String)>,
    files: Vec<StagedFile>,
    /// The first file refused, if any (then `files` is empty).
    pub refused: Option<UploadError>,
}

impl Upload {
    /// How many files came.
    pub fn count(&self) -> usize {
        self.files.len()
    }

    /// Removes the staged files (the form was refused: nothing of it is kept).
    pub fn discard(self) {
        drop(self);
    }

    /// Stores the staged files content-addressed (each content once), with the names they
    /// came with; their rows are written by the caller's transaction. Files not stored (after a
    /// failure) are removed as they drop.
    pub async fn store(self, state: &AppState) -> Result<Vec<(StoredFile, String)>, UploadError> {
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
pub async fn read_upload(
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
            let mut chars = 0;
            while let Some(chunk) = field.chunk().await.map_err(|e| multipart_failure(e, max))? {
                text_bytes += chunk.len();
                if text_bytes > crate::BODY_LIMIT {
                    return Err(UploadError::TooLarge(crate::BODY_LIMIT as u64));
                }
                chars += chars_in(&chunk);
                if chars > FIELD_MAX {
                    return Err(UploadError::FieldTooLong(key));
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

async fn write_field(
    field: &mut Field<'_>,
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

/// The files of an upload that must bring at least one, stored by content and ready for the
/// caller's transaction to attach: a refused file, or none at all, refuses it with nothing kept.
pub async fn receive_files(
    state: &AppState,
    headers: &HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Vec<(StoredFile, String)>, UploadError> {
    let mut up = read_upload(state, headers, multipart).await?;
    if let Some(e) = up.refused.take() {
        return Err(e);
    }
    if up.count() == 0 {
        return Err(UploadError::NoFile);
    }
    up.store(state).await
}

/// Why a form posted to a route that takes uploads could not be read.
pub enum FormError {
    /// Refused before it was read (the CSRF check, a body over the router's limit): answer so.
    Refused(Response),
    /// A multipart form refused as it was read.
    Upload(UploadError),
}

/// A form posted to a route that takes uploads, either way a browser sends it: multipart (its
/// CSRF token checked as its first part, its files staged) or urlencoded (held to the router's
/// body limit, which does not guard these routes). Returns its fields, and its upload when it
/// was multipart.
pub async fn read_form(
    state: &AppState,
    tr: Tr,
    req: Request,
) -> Result<(Vec<(String, String)>, Option<Upload>), FormError> {
    let headers = req.headers().clone();
    let multipart = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if multipart {
        let CsrfMultipart(mp) = <CsrfMultipart as FromRequest<AppState>>::from_request(req, state)
            .await
            .map_err(FormError::Refused)?;
        let mut up = read_upload(state, &headers, mp)
            .await
            .map_err(FormError::Upload)?;
        Ok((std::mem::take(&mut up.pairs), Some(up)))
    } else {
        match axum::body::to_bytes(req.into_body(), crate::BODY_LIMIT).await {
            Ok(body) => Ok((crate::shared::urls::form_pairs(&body), None)),
            Err(_) => Err(FormError::Refused(
                (StatusCode::PAYLOAD_TOO_LARGE, tr.t("error.too_large")).into_response(),
            )),
        }
    }
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
    let encoded = crate::shared::urls::encode_filename(filename);
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

/// Word (.docx).
pub const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
/// Excel (.xlsx).
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A file made for this request (a Word or Excel export) as a download named `filename`,
/// never cached.
pub fn made_file(bytes: Vec<u8>, filename: &str, content_type: &'static str) -> Response {
    let disposition = content_disposition(filename);
    (
        StatusCode::OK,
        [
            (CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (CACHE_CONTROL, HeaderValue::from_static("no-store")),
            (
                CONTENT_DISPOSITION,
                HeaderValue::from_str(&disposition)
                    .unwrap_or_else(|_| HeaderValue::from_static("attachment")),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// A stored file as a download: its type (text says its charset), always as an attachment
/// under its name, never sniffed by the browser, never cached by others. `Ok(None)` when the
/// file is missing from the files dir (logged; the caller answers 404 as for any missing file).
pub async fn download(
    state: &AppState,
    att: &Attachment,
) -> Result<Option<Response>, StorageError> {
    let path = state.db.attachment_path(&att.sha256)?;
    let file = match tokio::fs::File::open(&path).await {
        Ok(f) => f,
        Err(e) => {
            tracing::error!(error = %e, path = %path.display(), "attachment file missing");
            return Ok(None);
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
    Ok(Some(
        (
            StatusCode::OK,
            headers,
            crate::shared::frame::file_body(file),
        )
            .into_response(),
    ))
}
