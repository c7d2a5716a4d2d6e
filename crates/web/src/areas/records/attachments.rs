//! Attachments: uploads (type sniffed, size limited, stored once) and downloads.

use super::*;

/// An upload's failure in the API's terms (for forms that show it as a page).
pub(super) fn upload_refusal(tr: Tr, e: UploadError) -> ApiError {
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
pub(super) enum UploadError {
    TooLarge(u64),
    Refused(String),
    NoFile,
    TooMany,
    Unreadable(String),
    /// A text part longer than [`crate::shared::limits::FIELD_MAX`]: its name.
    FieldTooLong(String),
    Storage(StorageError),
}

impl UploadError {
    pub(super) fn api(self, tr: Tr) -> Response {
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
            UploadError::FieldTooLong(field) => {
                ApiError::from(crate::shared::limits::field_too_long(tr, &field)).into_response()
            }
            UploadError::Storage(e) => storage_api(tr, e).into_response(),
        }
    }

    pub(super) fn message(&self, tr: Tr) -> (StatusCode, String) {
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
            UploadError::FieldTooLong(field) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                crate::shared::limits::field_too_long(tr, field).message,
            ),
            UploadError::Storage(e) => {
                let code = classify(e, ErrorCode::NotFound);
                (code.status(), generic_message(tr, code))
            }
        }
    }
}

pub(super) fn too_large(tr: Tr, max: u64) -> Response {
    (
        StatusCode::PAYLOAD_TOO_LARGE,
        Json(json!({"error": {"code": "payload_too_large", "message": tr.tf("records.upload.too_large", &[("max", &fmt_size(max as i64))])}})),
    )
        .into_response()
}

pub(super) fn multipart_failure(e: MultipartError, max: u64) -> UploadError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        UploadError::TooLarge(max)
    } else {
        UploadError::Unreadable(e.body_text())
    }
}

/// Reads the files of a multipart upload into the files dir and attaches them to the record,
/// all or none.
/// A file of a multipart form, written to the staging area and sniffed, not yet stored.
pub(super) struct StagedFile {
    pub(super) path: std::path::PathBuf,
    pub(super) mime: &'static str,
    pub(super) name: String,
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
pub(super) struct Upload {
    pub(super) pairs: Vec<(String, String)>,
    pub(super) files: Vec<StagedFile>,
    pub(super) refused: Option<UploadError>,
}

impl Upload {
    /// Removes the staged files (the form was refused: nothing of it is kept).
    /// How many files came.
    pub(super) fn count(&self) -> usize {
        self.files.len()
    }

    pub(super) fn discard(self) {
        drop(self);
    }

    /// Stores the staged files content-addressed (each content once); their rows are written
    /// by the caller's transaction. Files not stored (after a failure) are removed as they drop.
    pub(super) async fn store(
        self,
        state: &AppState,
    ) -> Result<Vec<(StoredFile, String)>, UploadError> {
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
pub(super) async fn read_upload(
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

pub(super) async fn read_fields(
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
                chars += crate::shared::limits::chars_in(&chunk);
                if chars > crate::shared::limits::FIELD_MAX {
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

pub(super) async fn receive(
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

pub(super) async fn write_field(
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

pub(super) fn io_error(path: &std::path::Path, e: std::io::Error) -> StorageError {
    StorageError::Io {
        path: path.display().to_string(),
        source: e,
    }
}

pub(super) async fn upload_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    id: Result<Path<String>, Rejected>,
    headers: HeaderMap,
    CsrfMultipart(multipart): CsrfMultipart,
) -> Response {
    let tr = v.tr;
    let record = match record_to_write(&state, &v, id).await {
        Ok(r) => r,
        Err(refused) => return refused.page(tr),
    };
    match receive(&state, &v, &record, &headers, multipart).await {
        Ok(_) => redirect(&format!("{}#attachments", record_href(&record.id, tr))),
        Err(e) => {
            let err = e.message(tr);
            detail_page(&state, &v, &record, Some(err)).await
        }
    }
}

pub(super) async fn api_upload(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    id: Result<Path<String>, Rejected>,
    headers: HeaderMap,
    CsrfMultipart(multipart): CsrfMultipart,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    write_gate(&v).map_err(Refusal::api)?;
    let id = id.get()?;
    let record = visible_record(&state, &v, &id).await?;
    if !keeps_record(&state, &v, &record).await? {
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
    pub(super) record: Option<String>,
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

pub(super) async fn download(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    sha: Result<Path<String>, Rejected>,
    q: Result<Query<DownloadQuery>, Rejected>,
) -> Response {
    let tr = v.tr;
    if let Err(r) = read_gate(&v) {
        return r.page(tr);
    }
    let sha = match sha.get() {
        Ok(s) => s,
        Err(e) => return e.page(tr),
    };
    let not_found = || missing(tr, "records.error.attachment_not_found", &sha).page(tr);
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
    (
        StatusCode::OK,
        headers,
        crate::shared::frame::file_body(file),
    )
        .into_response()
}
