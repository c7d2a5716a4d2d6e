//! The ledger workbook (台账) download.

use super::*;

#[derive(Deserialize, Default)]
pub(super) struct LedgerParams {
    pub(super) year: Option<String>,
}

/// Parses a ledger year: 2000–2100.
pub fn parse_year(s: &str) -> Option<i32> {
    zeren_core::params::year(s)
}

/// `GET /orgs/{code}/ledger.xlsx?year=`
pub(super) async fn ledger_download(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    Path(code): Path<String>,
    params: Result<Query<LedgerParams>, Rejected>,
) -> Response {
    let tr = v.tr;
    if v.principal.admin.is_some() {
        return forbidden_page(tr);
    }
    let Some(org) = v.snap.model.find_org(code.trim()) else {
        return not_found_page(tr);
    };
    if !(v.can(Permission::KeepRecords, Some(&org.id)) || v.can(Permission::ReadOrg, Some(&org.id)))
    {
        return not_found_page(tr);
    }
    let params = params.map(|Query(p)| p).unwrap_or_default();
    let year = match params.year.as_deref().filter(|s| !s.trim().is_empty()) {
        None => state.today().year(),
        Some(s) => match parse_year(s) {
            Some(y) => y,
            None => {
                return error_page(
                    tr,
                    ErrorCode::Validation,
                    "feeds.ledger.bad_year_title",
                    tr.tf("feeds.ledger.bad_year", &[("value", s)]),
                );
            }
        },
    };
    let req = zeren_exports::ledger::LedgerRequest {
        db: &state.db,
        model: &v.snap.model,
        pack: &v.snap.pack,
        policies: &v.snap.set,
        org,
        year,
        now: state.clock.now(),
        exported_by: &v.user.display_name,
        tempdir: None,
    };
    // Written to an unnamed temporary file (gone when closed) and streamed from there: the
    // server holds neither the rows nor the workbook in memory.
    let spool = match tempfile::tempfile() {
        Ok(f) => std::io::BufWriter::new(f),
        Err(e) => return internal_page(tr, &e),
    };
    let (summary, spool) = match zeren_exports::ledger::write_ledger(&req, spool).await {
        Ok(done) => done,
        Err(e) => return internal_page(tr, &e),
    };
    let workbook = match rewound(spool) {
        Ok(f) => f,
        Err(e) => return internal_page(tr, &e),
    };
    // Exports of business data are audited (who took which ledger, when, from where).
    let audited = async {
        let mut tx = state.db.begin(&v.actor(), state.clock.now()).await?;
        let rows: HashMap<&str, u32> = summary.iter().map(|(n, r)| (n.as_str(), *r)).collect();
        tx.audit(
            "ledger.export",
            "org",
            &org.id,
            None,
            Some(&serde_json::json!({"year": year, "rows": rows})),
        )
        .await?;
        tx.commit().await
    };
    if let Err(e) = audited.await {
        return internal_page(tr, &e);
    }
    let ascii = format!("{}-{year}-ledger.xlsx", org.code);
    let utf8 = format!("{}{year}年度台账.xlsx", org.name);
    let disposition = format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
        encode(&utf8)
    );
    (
        StatusCode::OK,
        [
            (
                CONTENT_TYPE,
                HeaderValue::from_static(
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                ),
            ),
            (CACHE_CONTROL, HeaderValue::from_static("no-store")),
            (
                CONTENT_DISPOSITION,
                HeaderValue::from_str(&disposition)
                    .unwrap_or_else(|_| HeaderValue::from_static("attachment")),
            ),
            (CONTENT_LENGTH, HeaderValue::from(workbook.1)),
        ],
        crate::shared::frame::file_body(tokio::fs::File::from_std(workbook.0)),
    )
        .into_response()
}

/// The spooled workbook, flushed and rewound for reading, with its length.
pub(super) fn rewound(
    spool: std::io::BufWriter<std::fs::File>,
) -> std::io::Result<(std::fs::File, u64)> {
    use std::io::{Seek, SeekFrom};
    let mut file = spool.into_inner().map_err(|e| e.into_error())?;
    let len = file.seek(SeekFrom::End(0))?;
    file.seek(SeekFrom::Start(0))?;
    Ok((file, len))
}
