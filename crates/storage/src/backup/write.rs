//! Writing an archive: one consistent read of the database, streamed table by table to a gzip
//! writer on a blocking thread that signs every line as it goes. Memory stays bounded: rows
//! travel through a short channel, files in chunks.

use super::{
    BackupSummary, CHUNK_BYTES, Cell, FORMAT, FORMAT_VERSION, MAX_FILE_BYTES, MAX_ROW_LINE,
    MAX_TABLE_ROWS, io_err, row_cells, select_all,
};
use crate::db::{Backend, Db};
use crate::error::{Result, StorageError};
use crate::keys::{InstallationKey, Purpose};
use crate::schema::TABLES;
use chrono::{DateTime, Utc};
use flate2::Compression;
use flate2::write::GzEncoder;
use futures_util::TryStreamExt;
use ring::hmac;
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use sqlx::{AssertSqlSafe, Executor};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use tokio::sync::mpsc;

/// Rows (or other lines) in flight between the database and the writer.
const IN_FLIGHT: usize = 256;

/// What the reading side hands the writer.
enum Msg {
    /// The header.
    Header(Vec<u8>),
    /// A table line, announcing `rows` rows.
    Table {
        name: &'static str,
        rows: u64,
        line: Vec<u8>,
    },
    /// One row line.
    Row(Vec<u8>),
    /// An attachment file to copy in.
    File { sha: String, path: PathBuf },
    /// Everything was sent: sign and close.
    End,
}

fn line_of(v: &impl Serialize) -> Result<Vec<u8>> {
    let mut b = serde_json::to_vec(v)
        .map_err(|e| StorageError::Backup(format!("cannot encode a line ({e})")))?;
    b.push(b'\n');
    Ok(b)
}

fn stopped() -> StorageError {
    StorageError::Backup("the archive writer stopped".into())
}

/// Lines written to the gzip stream and fed to the signature.
struct Signer<W: Write> {
    gz: GzEncoder<W>,
    mac: hmac::Context,
}

impl<W: Write> Signer<W> {
    fn put(&mut self, line: &[u8]) -> std::io::Result<()> {
        self.mac.update(line);
        self.gz.write_all(line)
    }
}

fn write_err(e: std::io::Error) -> StorageError {
    StorageError::Backup(format!("cannot write the archive ({e})"))
}

/// The writer's side: runs on a blocking thread until [`Msg::End`].
fn write_archive<W: Write>(
    out: W,
    key: &InstallationKey,
    mut rx: mpsc::Receiver<Msg>,
) -> Result<(W, BackupSummary)> {
    let mut s = Signer {
        gz: GzEncoder::new(out, Compression::default()),
        mac: hmac::Context::with_key(&key.signing_key(Purpose::Backup)),
    };
    let mut summary = BackupSummary {
        tables: Vec::new(),
        rows: 0,
        files: 0,
        key: key.fingerprint(),
    };
    loop {
        match rx.blocking_recv() {
            // The reading side failed: no trailer, so no archive.
            None => {
                return Err(StorageError::Backup(
                    "the backup stopped before its end".into(),
                ));
            }
            Some(Msg::Header(line)) => s.put(&line).map_err(write_err)?,
            Some(Msg::Table { name, rows, line }) => {
                s.put(&line).map_err(write_err)?;
                summary.tables.push((name.to_string(), rows));
            }
            Some(Msg::Row(line)) => {
                s.put(&line).map_err(write_err)?;
                summary.rows += 1;
            }
            Some(Msg::File { sha, path }) => {
                copy_file(&mut s, &sha, &path)?;
                summary.files += 1;
            }
            Some(Msg::End) => break,
        }
    }
    let tag = s.mac.sign();
    let trailer = json!({
        "end": true, "rows": summary.rows, "files": summary.files,
        "key": summary.key, "hmac": hex::encode(tag.as_ref()),
    });
    s.gz.write_all(&line_of(&trailer)?).map_err(write_err)?;
    let out = s.gz.finish().map_err(write_err)?;
    Ok((out, summary))
}

/// Copies one attachment in, chunk by chunk, checking it still matches its name.
fn copy_file<W: Write>(s: &mut Signer<W>, sha: &str, path: &Path) -> Result<()> {
    let mut f = std::fs::File::open(path).map_err(|e| io_err(path, e))?;
    let len = f.metadata().map_err(|e| io_err(path, e))?.len();
    if len > MAX_FILE_BYTES {
        return Err(StorageError::Backup(format!(
            "attachment {sha} holds {len} bytes, more than an archive may hold ({MAX_FILE_BYTES})"
        )));
    }
    s.put(&line_of(&json!({"file": sha, "bytes": len}))?)
        .map_err(write_err)?;
    let mut buf = vec![0u8; CHUNK_BYTES];
    let mut left = len;
    let mut hasher = Sha256::new();
    while left > 0 {
        let want = usize::try_from(left.min(CHUNK_BYTES as u64)).unwrap_or(CHUNK_BYTES);
        let chunk = &mut buf[..want];
        f.read_exact(chunk).map_err(|e| io_err(path, e))?;
        hasher.update(&*chunk);
        let encoded = data_encoding::BASE64.encode(chunk);
        s.put(&line_of(&json!({ "chunk": encoded }))?)
            .map_err(write_err)?;
        left -= want as u64;
    }
    if hex::encode(hasher.finalize()) != sha {
        return Err(StorageError::Backup(format!(
            "attachment {sha} does not match its content: the stored file is damaged"
        )));
    }
    Ok(())
}

impl Db {
    /// Writes a backup of the whole database to `path` (via a temporary file, renamed at the
    /// end), signed with the installation key.
    pub async fn backup(&self, path: &Path, now: DateTime<Utc>) -> Result<BackupSummary> {
        let tmp = path.with_extension("partial");
        let file = std::fs::File::create(&tmp).map_err(|e| io_err(&tmp, e))?;
        let made = match self.backup_to(file, now).await {
            Ok((file, summary)) => file
                .sync_all()
                .map_err(|e| io_err(&tmp, e))
                .and_then(|()| std::fs::rename(&tmp, path).map_err(|e| io_err(path, e)))
                .map(|()| summary),
            Err(e) => Err(e),
        };
        if made.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        made
    }

    /// Writes a backup of the whole database to `out`, streaming, and hands `out` back. The
    /// rows come from one read transaction, so the archive is one consistent state (its audit
    /// chain ends at its audit head) even while others write.
    pub async fn backup_to<W: Write + Send + 'static>(
        &self,
        out: W,
        now: DateTime<Utc>,
    ) -> Result<(W, BackupSummary)> {
        let key = self.key()?.clone();
        let fingerprint = key.fingerprint();
        let (tx, rx) = mpsc::channel(IN_FLIGHT);
        let writer = tokio::task::spawn_blocking(move || write_archive(out, &key, rx));
        let sent = self.send_archive(&tx, now, &fingerprint).await;
        drop(tx);
        let written = writer
            .await
            .map_err(|e| StorageError::Backup(format!("the archive writer failed ({e})")))?;
        // The reading side's error explains more than the writer's "stopped before its end".
        sent?;
        written
    }

    async fn send_archive(
        &self,
        tx: &mpsc::Sender<Msg>,
        now: DateTime<Utc>,
        fingerprint: &str,
    ) -> Result<()> {
        let mut read = self.pool.begin().await?;
        if self.backend() == Backend::Postgres {
            // One snapshot for every table (SQLite's read transaction is one already).
            read.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                .await?;
        }
        let header = json!({
            "format": FORMAT, "version": FORMAT_VERSION, "engine": self.backend().as_str(),
            "created_at_ms": now.timestamp_millis(), "key": fingerprint,
            "tables": TABLES.iter().map(|t| t.name).collect::<Vec<_>>(),
        });
        tx.send(Msg::Header(line_of(&header)?))
            .await
            .map_err(|_| stopped())?;
        let mut attachments = 0;
        for t in TABLES.iter() {
            let count: i64 = sqlx::query_scalar(AssertSqlSafe(format!(
                "SELECT CAST(COUNT(*) AS BIGINT) FROM {}",
                t.name
            )))
            .fetch_one(&mut *read)
            .await?;
            let count = u64::try_from(count).unwrap_or(0);
            if count > MAX_TABLE_ROWS {
                return Err(StorageError::Backup(format!(
                    "`{}` holds {count} rows, more than an archive may hold ({MAX_TABLE_ROWS})",
                    t.name
                )));
            }
            if t.name == "attachments" {
                attachments = count;
            }
            let cols: Vec<&str> = t.columns.iter().map(|(c, _)| *c).collect();
            let line = line_of(&json!({"table": t.name, "columns": cols, "rows": count}))?;
            tx.send(Msg::Table {
                name: t.name,
                rows: count,
                line,
            })
            .await
            .map_err(|_| stopped())?;
            let sql = select_all(t);
            let mut rows = sqlx::query(AssertSqlSafe(sql)).fetch(&mut *read);
            let mut sent = 0u64;
            while let Some(r) = rows.try_next().await? {
                let cells: Vec<Cell> = row_cells(&r, t)?;
                let line = line_of(&cells)?;
                if line.len() > MAX_ROW_LINE {
                    return Err(StorageError::Backup(format!(
                        "a row of `{}` is longer than an archive may hold ({MAX_ROW_LINE} bytes)",
                        t.name
                    )));
                }
                tx.send(Msg::Row(line)).await.map_err(|_| stopped())?;
                sent += 1;
            }
            if sent != count {
                return Err(StorageError::Backup(format!(
                    "`{}` changed while it was read",
                    t.name
                )));
            }
        }
        // Attachment files, content-addressed: each once, checked by its own hash on restore.
        if attachments > 0 {
            let mut shas =
                sqlx::query_scalar::<_, String>("SELECT sha256 FROM attachments ORDER BY sha256")
                    .fetch(&mut *read);
            while let Some(sha) = shas.try_next().await? {
                let path = self.attachment_path(&sha)?;
                tx.send(Msg::File { sha, path })
                    .await
                    .map_err(|_| stopped())?;
            }
        }
        read.rollback().await?;
        tx.send(Msg::End).await.map_err(|_| stopped())?;
        Ok(())
    }
}
