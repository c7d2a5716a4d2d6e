//! Engine-independent backups: a gzip'd stream of JSON lines holding every row of every table,
//! closed by a trailer with the row count and a SHA-256 of everything before it. A backup taken
//! on SQLite restores into PostgreSQL and back, identically. A damaged or truncated archive is
//! refused before anything is changed.

use crate::db::{Backend, Db};
use crate::error::{Result, StorageError};
use crate::schema::{TABLES, Table, Ty};
use chrono::{DateTime, Utc};
use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use sqlx::{AssertSqlSafe, Executor, Row};
use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;

const FORMAT: &str = "zeren-backup";
const FORMAT_VERSION: i64 = 1;

/// What a backup or restore did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupSummary {
    /// Rows per table.
    pub tables: Vec<(String, u64)>,
    /// All rows.
    pub rows: u64,
    /// Attachment files.
    pub files: u64,
}

fn io_err(path: &Path, e: std::io::Error) -> StorageError {
    StorageError::Io {
        path: path.display().to_string(),
        source: e,
    }
}

async fn dump_table(db: &Db, t: &Table) -> Result<Vec<Vec<Value>>> {
    let cols: Vec<&str> = t.columns.iter().map(|(c, _)| *c).collect();
    let sql = format!(
        "SELECT {} FROM {} ORDER BY {}",
        cols.join(", "),
        t.name,
        t.order_by
    );
    let rows = sqlx::query(AssertSqlSafe(sql.clone()))
        .fetch_all(&db.pool)
        .await?;
    rows.iter()
        .map(|r| {
            t.columns
                .iter()
                .enumerate()
                .map(|(i, (_, ty))| {
                    Ok(match ty {
                        Ty::Text => r
                            .try_get::<Option<String>, _>(i)?
                            .map(Value::String)
                            .unwrap_or(Value::Null),
                        Ty::Int => r
                            .try_get::<Option<i64>, _>(i)?
                            .map(Value::from)
                            .unwrap_or(Value::Null),
                    })
                })
                .collect::<Result<Vec<_>>>()
        })
        .collect()
}

impl Db {
    /// Every row of every table, in a deterministic order (for backups and comparisons).
    pub async fn dump(&self) -> Result<Vec<(&'static str, Vec<Vec<Value>>)>> {
        let mut out = Vec::new();
        for t in TABLES.iter() {
            out.push((t.name, dump_table(self, t).await?));
        }
        Ok(out)
    }

    /// Writes a backup of the whole database to `path` (via a temporary file, renamed at the end).
    pub async fn backup(&self, path: &Path, now: DateTime<Utc>) -> Result<BackupSummary> {
        let dump = self.dump().await?;
        let mut body = Vec::new();
        let header = json!({
            "format": FORMAT, "version": FORMAT_VERSION, "engine": self.backend().as_str(),
            "created_at_ms": now.timestamp_millis(),
            "tables": TABLES.iter().map(|t| t.name).collect::<Vec<_>>(),
        });
        let mut line = |v: &Value| {
            body.extend_from_slice(v.to_string().as_bytes());
            body.push(b'\n');
        };
        line(&header);
        let mut summary = BackupSummary {
            tables: Vec::new(),
            rows: 0,
            files: 0,
        };
        for (t, (name, rows)) in TABLES.iter().zip(&dump) {
            let cols: Vec<&str> = t.columns.iter().map(|(c, _)| *c).collect();
            line(&json!({"table": name, "columns": cols, "rows": rows.len()}));
            for r in rows {
                line(&Value::Array(r.clone()));
            }
            summary.tables.push((name.to_string(), rows.len() as u64));
            summary.rows += rows.len() as u64;
        }
        // Attachment files, content-addressed: each once, checked by its own hash on restore.
        let has_files = dump
            .iter()
            .any(|(name, rows)| *name == "attachments" && !rows.is_empty());
        let files = if has_files {
            self.attachment_files().await?
        } else {
            Vec::new()
        };
        for (sha, file) in &files {
            let bytes = std::fs::read(file).map_err(|e| io_err(file, e))?;
            line(
                &json!({"file": sha, "bytes": bytes.len(), "data": data_encoding::BASE64.encode(&bytes)}),
            );
        }
        summary.files = files.len() as u64;
        let sha = hex::encode(Sha256::digest(&body));
        body.extend_from_slice(
            json!({"end": true, "rows": summary.rows, "files": summary.files, "sha256": sha})
                .to_string()
                .as_bytes(),
        );
        body.push(b'\n');

        let tmp = path.with_extension("partial");
        let file = std::fs::File::create(&tmp).map_err(|e| io_err(&tmp, e))?;
        let mut gz = GzEncoder::new(file, Compression::default());
        gz.write_all(&body).map_err(|e| io_err(&tmp, e))?;
        let file = gz.finish().map_err(|e| io_err(&tmp, e))?;
        file.sync_all().map_err(|e| io_err(&tmp, e))?;
        std::fs::rename(&tmp, path).map_err(|e| io_err(path, e))?;
        Ok(summary)
    }

    /// Replaces the whole database with the backup at `path`. The archive is read and checked
    /// completely first; a damaged one changes nothing. The restore is one transaction.
    pub async fn restore(&self, path: &Path) -> Result<BackupSummary> {
        let (archive, files) = read_archive(path)?;
        self.migrate().await?;
        // Files first: content-addressed, so writing them changes nothing the database sees
        // until the rows that name them are committed.
        for (sha, bytes) in &files {
            self.restore_attachment_file(sha, bytes).await?;
        }
        let mut tx = self.pool.begin().await?;
        if self.backend() == Backend::Sqlite {
            // Rows go in parents-first, but a full replace is simplest to check at commit.
            tx.execute("PRAGMA defer_foreign_keys = ON").await?;
        }
        for t in TABLES.iter().rev() {
            sqlx::query(AssertSqlSafe(format!("DELETE FROM {}", t.name)))
                .execute(&mut *tx)
                .await?;
        }
        let mut summary = BackupSummary {
            tables: Vec::new(),
            rows: 0,
            files: files.len() as u64,
        };
        for t in TABLES.iter() {
            let rows = archive.get(t.name).cloned().unwrap_or_default();
            let rows = if t.name == "orgs" {
                parents_first(rows)
            } else {
                rows
            };
            let cols: Vec<&str> = t.columns.iter().map(|(c, _)| *c).collect();
            let params: Vec<String> = (1..=cols.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "INSERT INTO {} ({}) VALUES ({})",
                t.name,
                cols.join(", "),
                params.join(", ")
            );
            for row in &rows {
                let mut q = sqlx::query(AssertSqlSafe(sql.clone()));
                for ((_, ty), v) in t.columns.iter().zip(row) {
                    q = match ty {
                        Ty::Text => q.bind(v.as_str().map(str::to_string)),
                        Ty::Int => q.bind(v.as_i64()),
                    };
                }
                q.execute(&mut *tx).await?;
            }
            summary.tables.push((t.name.to_string(), rows.len() as u64));
            summary.rows += rows.len() as u64;
        }
        tx.commit().await?;
        Ok(summary)
    }
}

/// Orders org rows so every parent comes before its children.
fn parents_first(rows: Vec<Vec<Value>>) -> Vec<Vec<Value>> {
    let mut placed: HashSet<String> = HashSet::new();
    let mut pending = rows;
    let mut out = Vec::with_capacity(pending.len());
    while !pending.is_empty() {
        let before = pending.len();
        let (ready, rest): (Vec<_>, Vec<_>) =
            pending
                .into_iter()
                .partition(|r| match r.get(4).and_then(Value::as_str) {
                    None => true,
                    Some(parent) => placed.contains(parent),
                });
        for r in &ready {
            if let Some(id) = r.first().and_then(Value::as_str) {
                placed.insert(id.to_string());
            }
        }
        out.extend(ready);
        pending = rest;
        if pending.len() == before {
            // A cycle or a missing parent: let the database's foreign keys report it.
            out.extend(pending);
            break;
        }
    }
    out
}

/// Reads and checks a whole archive: gzip integrity, header, every row's shape, trailer hash.
type Archive = (HashMap<String, Vec<Vec<Value>>>, Vec<(String, Vec<u8>)>);

fn read_archive(path: &Path) -> Result<Archive> {
    let bad = |m: String| StorageError::Backup(format!("{}: {m}", path.display()));
    let file = std::fs::File::open(path).map_err(|e| io_err(path, e))?;
    let reader = BufReader::new(GzDecoder::new(file));
    let mut hasher = Sha256::new();
    let mut tables: HashMap<String, Vec<Vec<Value>>> = HashMap::new();
    let mut current: Option<(&Table, usize)> = None;
    let mut header_seen = false;
    let mut trailer: Option<Value> = None;
    let mut rows_total = 0u64;
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    for (n, line) in reader.lines().enumerate() {
        let lineno = n + 1;
        let line = line.map_err(|e| bad(format!("damaged or truncated archive ({e})")))?;
        if trailer.is_some() {
            return Err(bad(format!("line {lineno}: data after the end marker")));
        }
        let v: Value = serde_json::from_str(&line)
            .map_err(|e| bad(format!("line {lineno}: not JSON ({e})")))?;
        if v.get("end").is_some() {
            trailer = Some(v);
            continue;
        }
        hasher.update(line.as_bytes());
        hasher.update(b"\n");
        if let Some(sha) = v.get("file").and_then(Value::as_str) {
            let data = v.get("data").and_then(Value::as_str).unwrap_or_default();
            let bytes = data_encoding::BASE64
                .decode(data.as_bytes())
                .map_err(|_| bad(format!("line {lineno}: attachment {sha} is not base64")))?;
            if hex::encode(Sha256::digest(&bytes)) != sha {
                return Err(bad(format!(
                    "line {lineno}: attachment {sha} does not match its content"
                )));
            }
            files.push((sha.to_string(), bytes));
            continue;
        }
        if !header_seen {
            if v.get("format").and_then(Value::as_str) != Some(FORMAT) {
                return Err(bad("not a Zeren backup".into()));
            }
            if v.get("version").and_then(Value::as_i64) != Some(FORMAT_VERSION) {
                return Err(bad(format!(
                    "unsupported backup version {}",
                    v.get("version").unwrap_or(&Value::Null)
                )));
            }
            header_seen = true;
            continue;
        }
        if let Some(name) = v.get("table").and_then(Value::as_str) {
            if let Some((t, left)) = current
                && left != 0
            {
                return Err(bad(format!("table {} is missing {left} rows", t.name)));
            }
            let t = TABLES
                .iter()
                .find(|t| t.name == name)
                .ok_or_else(|| bad(format!("line {lineno}: unknown table `{name}`")))?;
            let cols: Vec<&str> = v
                .get("columns")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let expected: Vec<&str> = t.columns.iter().map(|(c, _)| *c).collect();
            if cols != expected {
                return Err(bad(format!(
                    "line {lineno}: columns of `{name}` differ from this version of Zeren"
                )));
            }
            let count = v
                .get("rows")
                .and_then(Value::as_u64)
                .ok_or_else(|| bad(format!("line {lineno}: row count missing")))?;
            tables.insert(name.to_string(), Vec::with_capacity(count as usize));
            current = Some((t, count as usize));
            continue;
        }
        let Some((t, left)) = current.as_mut() else {
            return Err(bad(format!("line {lineno}: a row before any table")));
        };
        let row = v
            .as_array()
            .ok_or_else(|| bad(format!("line {lineno}: not a row")))?;
        if *left == 0 || row.len() != t.columns.len() {
            return Err(bad(format!(
                "line {lineno}: unexpected row in `{}`",
                t.name
            )));
        }
        for ((col, ty), val) in t.columns.iter().zip(row) {
            let ok = match ty {
                Ty::Text => val.is_string() || val.is_null(),
                Ty::Int => val.is_i64() || val.is_null(),
            };
            if !ok {
                return Err(bad(format!(
                    "line {lineno}: `{}.{col}` has the wrong type",
                    t.name
                )));
            }
        }
        *left -= 1;
        rows_total += 1;
        tables
            .entry(t.name.to_string())
            .or_default()
            .push(row.clone());
    }
    let trailer =
        trailer.ok_or_else(|| bad("truncated archive: the end marker is missing".into()))?;
    if let Some((t, left)) = current
        && left != 0
    {
        return Err(bad(format!("table {} is missing {left} rows", t.name)));
    }
    let sha = hex::encode(hasher.finalize());
    if trailer.get("sha256").and_then(Value::as_str) != Some(sha.as_str()) {
        return Err(bad(
            "checksum mismatch: the archive was altered or damaged".into()
        ));
    }
    if trailer.get("rows").and_then(Value::as_u64) != Some(rows_total) {
        return Err(bad("row count mismatch".into()));
    }
    if trailer.get("files").and_then(Value::as_u64).unwrap_or(0) != files.len() as u64 {
        return Err(bad("attachment count mismatch".into()));
    }
    for t in TABLES.iter() {
        if !tables.contains_key(t.name) {
            return Err(bad(format!("table `{}` is missing", t.name)));
        }
    }
    Ok((tables, files))
}
