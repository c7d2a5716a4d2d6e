//! System settings and the backup download (system administrator).

use super::*;
use axum::http::header::CONTENT_LENGTH;

#[derive(Template)]
#[template(path = "admin_system.html")]
pub(super) struct SystemPage {
    pub(super) frame: Frame,
    pub(super) tr: Tr,
    pub(super) csrf: String,
    pub(super) version: &'static str,
    pub(super) engine: &'static str,
    pub(super) counts: RecordCounts,
    pub(super) pack_id: String,
    pub(super) pack_title: String,
    pub(super) due_soon_days: u32,
    pub(super) days_before: String,
    pub(super) escalate_after: u32,
    pub(super) error: Option<String>,
}

/// `GET /admin/system`.
pub async fn system_page(State(state): State<AppState>, PageViewer(v): PageViewer) -> Response {
    let tr = v.tr;
    if !v.principal.can_somewhere(Permission::ManageSystem) {
        return forbidden_page(tr);
    }
    system_view(&state, &v, None, StatusCode::OK).await
}

pub(super) async fn system_view(
    state: &AppState,
    v: &Viewer,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let tr = v.tr;
    let counts = match state.db.record_counts().await {
        Ok(c) => c,
        Err(e) => return failure_page(tr, &e),
    };
    let pack = &v.snap.pack;
    let r = &pack.reminders;
    page(
        status,
        &SystemPage {
            frame: Frame::of(state, Some(v)),
            tr,
            csrf: v.csrf().to_string(),
            version: env!("CARGO_PKG_VERSION"),
            engine: state.db.backend().as_str(),
            counts,
            pack_id: pack.meta.id.clone(),
            pack_title: if tr.is_en() && !pack.meta.title_en.is_empty() {
                pack.meta.title_en.clone()
            } else {
                pack.meta.title.clone()
            },
            due_soon_days: r.due_soon_days,
            days_before: r
                .days_before
                .iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join(" / "),
            escalate_after: r.escalate_after_days_overdue,
            error,
        },
    )
}

/// `POST /admin/system/backup` — the whole database as a signed `.zbak` download. The archive
/// is written to an unnamed temporary file (gone when closed, whatever happens) and streamed
/// from there, so the server holds neither the rows nor the archive in memory. The download is
/// recorded in the audit log before it is handed out.
pub async fn download_backup(State(state): State<AppState>, PageViewer(v): PageViewer) -> Response {
    let tr = v.tr;
    if !v.principal.can_somewhere(Permission::ManageSystem) {
        return forbidden_page(tr);
    }
    let now = state.clock.now();
    let name = format!(
        "zeren-{}.zbak",
        now.with_timezone(&shanghai()).format("%Y%m%d-%H%M")
    );
    let made = async {
        let spool = tempfile::tempfile().map_err(|e| StorageError::Io {
            path: "backup spool".into(),
            source: e,
        })?;
        let (spool, summary) = state
            .db
            .backup_to(std::io::BufWriter::new(spool), now)
            .await?;
        let spooled = spool
            .into_inner()
            .map_err(|e| e.into_error())
            .and_then(|mut f| {
                use std::io::Seek;
                f.rewind()?;
                let len = f.metadata()?.len();
                Ok((f, len))
            });
        let (file, bytes) = spooled.map_err(|e| StorageError::Io {
            path: "backup spool".into(),
            source: e,
        })?;
        let mut tx = state.db.begin(&v.actor(), now).await?;
        tx.audit(
            "system.backup",
            "system",
            "backup",
            None,
            Some(&json!({"file": name, "rows": summary.rows, "bytes": bytes, "key": summary.key})),
        )
        .await?;
        tx.commit().await?;
        Ok::<_, StorageError>((file, bytes))
    }
    .await;
    match made {
        Ok((file, bytes)) => (
            StatusCode::OK,
            [
                (CONTENT_TYPE, HeaderValue::from_static("application/gzip")),
                (
                    CONTENT_DISPOSITION,
                    HeaderValue::from_str(&format!("attachment; filename=\"{name}\""))
                        .unwrap_or_else(|_| HeaderValue::from_static("attachment")),
                ),
                (CACHE_CONTROL, HeaderValue::from_static("no-store")),
                (CONTENT_LENGTH, HeaderValue::from(bytes)),
            ],
            crate::shared::frame::file_body(tokio::fs::File::from_std(file)),
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, code = e.code(), "backup failed");
            system_view(
                &state,
                &v,
                Some(tr.t("system.backup.failed").to_string()),
                StatusCode::INTERNAL_SERVER_ERROR,
            )
            .await
        }
    }
}
