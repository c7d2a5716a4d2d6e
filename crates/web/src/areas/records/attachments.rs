//! Attachments of a record: uploads (through the shared reader: type sniffed, size limited,
//! stored once) and downloads.

use super::*;

/// An upload's failure in the API's terms (for forms that show it as a page).
pub(super) fn upload_refusal(tr: Tr, e: UploadError) -> ApiError {
    e.api_error(tr, |e| storage_api(tr, e))
}

pub(super) async fn receive(
    state: &AppState,
    v: &Viewer,
    record: &Record,
    headers: &HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Vec<Attachment>, UploadError> {
    let files = receive_files(state, headers, multipart).await?;
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
        Err(e) => Ok(e.api(tr, |e| storage_api(tr, e))),
    }
}

/// Query of a download.
#[derive(Deserialize, Default)]
pub struct DownloadQuery {
    pub(super) record: Option<String>,
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
    match send_file(&state, &att).await {
        Ok(Some(r)) => r,
        Ok(None) => not_found(),
        Err(e) => api_error_page(tr, storage_api(tr, e)),
    }
}
