//! Engine-independent, signed backups. A backup taken on SQLite restores into PostgreSQL and
//! back, identically; only an archive signed with this installation's key (or a key given for
//! the restore) is restored, and only after it has been read and checked completely.
//!
//! The archive (format version 2) is a gzip'd stream of JSON lines:
//! 1. a header: `{"format": "zeren-backup", "version": 2, "engine", "created_at_ms", "key",
//!    "tables"}` — `key` is the fingerprint of the installation key that signed it;
//! 2. for every table of [`TABLES`], in that order, `{"table", "columns", "rows": N}` and then
//!    its N rows, each an array of values;
//! 3. each attachment file as `{"file": sha256, "bytes": N}` followed by its content in chunk
//!    lines `{"chunk": base64}` of at most [`CHUNK_BYTES`] each;
//! 4. a trailer `{"end": true, "rows", "files", "key", "hmac"}`: an HMAC-SHA256 (the
//!    installation key, [`Purpose::Backup`]) over every byte before it.
//!
//! Reading checks the signature, the shape of every line, every count and size against a bound
//! ([`MAX_TABLE_ROWS`], [`MAX_FILES`], [`MAX_FILE_BYTES`], line lengths), each file's SHA-256
//! and the audit chain the archive holds — streaming, so memory stays bounded whatever the
//! archive's size. A restore reads the archive twice: once to check everything, writing
//! nothing; then again (checking everything again) into one transaction. Writing streams too:
//! rows go table by table from one consistent read of the database to the gzip writer.
//!
//! [`Purpose::Backup`]: crate::keys::Purpose::Backup

mod read;
mod restore;
mod write;

use crate::db::Db;
use crate::error::{Result, StorageError};
use crate::keys::InstallationKey;
use crate::schema::{TABLES, Table, Ty};
use serde::Serialize;
use serde_json::Value;
use sqlx::{AssertSqlSafe, Row};
use std::io::Read;
use std::path::Path;

pub use read::ArchiveHeader;

const FORMAT: &str = "zeren-backup";
/// Version of the archive format written (1: unsigned, refused since version 2).
pub const FORMAT_VERSION: i64 = 2;
/// Most rows one table of an archive may hold.
pub const MAX_TABLE_ROWS: u64 = 1_000_000_000;
/// Most rows an archive may hold in all.
pub const MAX_ROWS: u64 = 10_000_000_000;
/// Most attachment files an archive may hold (and never more than its `attachments` rows).
pub const MAX_FILES: u64 = 10_000_000;
/// Largest attachment file an archive may hold (a backup refuses to write a larger one).
pub const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024 * 1024;
/// Bytes of file content per chunk line.
pub const CHUNK_BYTES: usize = 64 * 1024;
/// Longest row line (JSON); rows hold texts bounded far below this by the web layer.
pub const MAX_ROW_LINE: usize = 16 * 1024 * 1024;
/// Longest header, table, file or trailer line.
const MAX_META_LINE: usize = 64 * 1024;

/// What a backup or restore did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupSummary {
    /// Rows per table.
    pub tables: Vec<(String, u64)>,
    /// All rows.
    pub rows: u64,
    /// Attachment files.
    pub files: u64,
    /// Fingerprint of the key that signed the archive.
    pub key: String,
}

/// One value of a row, as the archive holds it (the column's type says which).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub(crate) enum Cell {
    /// A TEXT column.
    Text(Option<String>),
    /// A BIGINT column.
    Int(Option<i64>),
}

fn io_err(path: &Path, e: std::io::Error) -> StorageError {
    StorageError::Io {
        path: path.display().to_string(),
        source: e,
    }
}

/// Reads and checks a whole archive — signature (by `key`), header, every line's shape and
/// bound, each file's hash, the audit chain, the trailer — writing nothing. The restore's first
/// pass; also the fuzzing entry point.
pub fn verify_archive<R: Read>(reader: R, key: &InstallationKey) -> Result<BackupSummary> {
    let mut r = read::Reader::new(reader, &[key])?;
    while r.next_item()?.is_some() {}
    r.summary()
}

/// The header of the archive `reader` holds: its version and, from version 2, the fingerprint
/// of the key that signed it. Nothing is verified (see [`verify_archive`]).
pub fn archive_header<R: Read>(reader: R) -> Result<ArchiveHeader> {
    read::read_header(reader)
}

/// The values of one row, in the table's column order.
fn row_cells(r: &sqlx::any::AnyRow, t: &Table) -> Result<Vec<Cell>> {
    t.columns
        .iter()
        .enumerate()
        .map(|(i, (_, ty))| {
            Ok(match ty {
                Ty::Text => Cell::Text(r.try_get::<Option<String>, _>(i)?),
                Ty::Int => Cell::Int(r.try_get::<Option<i64>, _>(i)?),
            })
        })
        .collect()
}

fn select_all(t: &Table) -> String {
    let cols: Vec<&str> = t.columns.iter().map(|(c, _)| *c).collect();
    format!(
        "SELECT {} FROM {} ORDER BY {}",
        cols.join(", "),
        t.name,
        t.order_by
    )
}

impl Db {
    /// Every row of every table, in a deterministic order (for comparisons in tests; backups
    /// stream instead).
    pub async fn dump(&self) -> Result<Vec<(&'static str, Vec<Vec<Value>>)>> {
        let mut out = Vec::new();
        for t in TABLES.iter() {
            let rows = sqlx::query(AssertSqlSafe(select_all(t)))
                .fetch_all(&self.pool)
                .await?;
            let rows = rows
                .iter()
                .map(|r| {
                    Ok(row_cells(r, t)?
                        .into_iter()
                        .map(|c| match c {
                            Cell::Text(v) => v.map(Value::String).unwrap_or(Value::Null),
                            Cell::Int(v) => v.map(Value::from).unwrap_or(Value::Null),
                        })
                        .collect())
                })
                .collect::<Result<Vec<Vec<Value>>>>()?;
            out.push((t.name, rows));
        }
        Ok(out)
    }
}
