//! Attachments: files stored once by content (SHA-256) in the data dir, named `ab/cdef…`;
//! uploads staged beside them so that storing one is a rename; the sweep of contents nothing
//! holds; and the content types accepted, told from the content ([`sniff`]). A content is held
//! by a row of `attachments`, written only in the transaction that attaches it to a record (here)
//! or to an entry of an incident's timeline ([`super::incidents::attachments`]); the sweep and the
//! backups go by those rows, so a file attached anywhere is kept and backed up.

mod sniff;

pub use sniff::{ACCEPTED_TYPES, sniff};

use super::not_found;
use super::records::RECORDS;
use crate::db::{Db, Tx, new_id};
use crate::error::{Result, StorageError};
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::any::AnyRow;
use sqlx::{Any, AssertSqlSafe, Executor, Row};
use std::collections::HashSet;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// A file kept in the data dir, named by its SHA-256.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredFile {
    /// Hex SHA-256 of the content.
    pub sha256: String,
    /// Bytes.
    pub size: i64,
    /// Content type, from the content.
    pub mime: String,
}

/// What [`Db::sweep_files`] removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SweptFiles {
    /// Stored contents no attachment row refers to.
    pub unreferenced: usize,
    /// Staged uploads left by requests that never finished.
    pub staged: usize,
}

fn sweep(root: &Path, held: &HashSet<String>, grace: std::time::Duration) -> Result<SweptFiles> {
    let mut out = SweptFiles::default();
    let old = |path: &Path| -> bool {
        std::fs::metadata(path)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age >= grace)
    };
    let Ok(heads) = std::fs::read_dir(root) else {
        return Ok(out);
    };
    for head in heads.flatten() {
        let head_path = head.path();
        if !head_path.is_dir() {
            continue;
        }
        let staging = head.file_name() == "tmp";
        for entry in std::fs::read_dir(&head_path)
            .map_err(|e| io(&head_path, e))?
            .flatten()
        {
            let path = entry.path();
            if !path.is_file() || !old(&path) {
                continue;
            }
            if staging {
                out.staged += usize::from(remove(&path)?);
                continue;
            }
            // Stored as <first two hex digits>/<the rest>.
            let sha = format!(
                "{}{}",
                head.file_name().to_string_lossy(),
                entry.file_name().to_string_lossy()
            );
            let is_content = sha.len() == 64 && sha.bytes().all(|b| b.is_ascii_hexdigit());
            if is_content && !held.contains(&sha) {
                out.unreferenced += usize::from(remove(&path)?);
            }
        }
    }
    Ok(out)
}

/// Removes a file; one already gone (another instance swept it) is not an error.
fn remove(path: &Path) -> Result<bool> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(io(path, e)),
    }
}

/// A file attached to a record (or to an entry of an incident's timeline).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attachment {
    /// Hex SHA-256 of the content.
    pub sha256: String,
    /// The name it was uploaded with.
    pub filename: String,
    /// Bytes.
    pub size: i64,
    /// Content type, from the content.
    pub mime: String,
    /// When it was attached, epoch ms.
    pub added_at: i64,
    /// Who attached it.
    pub added_by: String,
}

/// Whether `s` is a hex SHA-256.
pub fn is_sha256(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Where a file lives under the files dir: `ab/cdef…` (the first two hex digits name a folder).
pub fn attachment_relative_path(sha: &str) -> PathBuf {
    let (head, rest) = sha.split_at(2.min(sha.len()));
    Path::new(head).join(rest)
}

fn io(path: &Path, e: std::io::Error) -> StorageError {
    StorageError::Io {
        path: path.display().to_string(),
        source: e,
    }
}

/// A file name as it may be shown and offered for download: no folders, no control characters,
/// at most 200 characters.
pub fn clean_filename(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '<' | '>' | '|' | '*' | '?' | ':'))
        .collect();
    // Leading dots and spaces in any order: `. .` must not come out as `.`.
    let cleaned = cleaned
        .trim_start_matches(|c: char| c == '.' || c.is_whitespace())
        .trim_end();
    // Cut to 200 characters, then trimmed again: the cut may end on a space.
    let mut out: String = cleaned
        .chars()
        .take(200)
        .collect::<String>()
        .trim_end()
        .into();
    if out.is_empty() {
        out = "attachment".into();
    }
    out
}

fn sha256_of_file(path: &Path) -> std::io::Result<(String, i64)> {
    let mut f = std::fs::File::open(path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut size: i64 = 0;
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
        size += n as i64;
    }
    Ok((hex::encode(h.finalize()), size))
}

/// Moves a staged file to its content address (once: a file already there is kept and the
/// staged copy removed). The content is synced before the rename, so a crash leaves either no
/// file or the whole file.
fn put_in_place(dir: &Path, staged: &Path, sha: &str) -> std::io::Result<PathBuf> {
    let dest = dir.join(attachment_relative_path(sha));
    if dest.exists() {
        std::fs::remove_file(staged)?;
        // Fresh again: the sweep leaves recent files alone, and this one is about to be
        // referenced (an unreferenced copy may have been lying there since a failed request).
        // File times are the file system's own (the sweep compares them with `elapsed()`), not
        // business time: the injected clock does not apply.
        #[allow(clippy::disallowed_methods)]
        let touched = std::time::SystemTime::now();
        std::fs::File::options()
            .append(true)
            .open(&dest)?
            .set_modified(touched)?;
        return Ok(dest);
    }
    if let Some(parent) = dest.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::File::open(staged)?.sync_all()?;
    std::fs::rename(staged, &dest)?;
    if let Some(parent) = dest.parent()
        && let Ok(d) = std::fs::File::open(parent)
    {
        let _ = d.sync_all();
    }
    Ok(dest)
}

impl Db {
    fn files_root(&self) -> Result<&Path> {
        self.files_dir().ok_or_else(|| {
            StorageError::Invalid(
                "attachments are not configured: the server has no files directory".into(),
            )
        })
    }

    /// A fresh path to stage an upload at (in the files dir, so that storing it is a rename).
    pub fn staging_file(&self) -> Result<PathBuf> {
        let dir = self.files_root()?.join("tmp");
        std::fs::create_dir_all(&dir).map_err(|e| io(&dir, e))?;
        Ok(dir.join(format!("{}.part", new_id())))
    }

    /// Stores a staged file by its content: hashes it and moves it to `ab/cdef…`, once.
    pub async fn store_file(&self, staged: &Path, mime: &str) -> Result<StoredFile> {
        let dir = self.files_root()?.to_path_buf();
        let staged = staged.to_path_buf();
        let mime = mime.to_string();
        tokio::task::spawn_blocking(move || {
            let (sha, size) = sha256_of_file(&staged).map_err(|e| io(&staged, e))?;
            put_in_place(&dir, &staged, &sha).map_err(|e| io(&staged, e))?;
            Ok(StoredFile {
                sha256: sha,
                size,
                mime,
            })
        })
        .await
        .map_err(|e| StorageError::Invalid(format!("storing a file failed: {e}")))?
    }

    /// The path of a stored file (it may be missing if the files dir was not restored).
    pub fn attachment_path(&self, sha: &str) -> Result<PathBuf> {
        if !is_sha256(sha) {
            return Err(not_found("attachment", sha));
        }
        Ok(self.files_root()?.join(attachment_relative_path(sha)))
    }

    /// The files attached to a record, in the order they were attached.
    pub async fn record_attachments(&self, record_id: &str) -> Result<Vec<Attachment>> {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "{ATTACHMENTS_OF_RECORD} ORDER BY ra.added_at, ra.filename"
        )))
        .bind(record_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(attachment_from).collect()
    }

    /// One file of a record, if it is attached to it.
    pub async fn record_attachment(
        &self,
        record_id: &str,
        sha: &str,
    ) -> Result<Option<Attachment>> {
        attachment_of(&self.pool, record_id, sha).await
    }

    /// Every stored file as (SHA-256, path under the files dir), for backups.
    pub async fn attachment_files(&self) -> Result<Vec<(String, PathBuf)>> {
        let shas: Vec<String> =
            sqlx::query_scalar("SELECT sha256 FROM attachments ORDER BY sha256")
                .fetch_all(&self.pool)
                .await?;
        let root = self.files_root()?;
        Ok(shas
            .into_iter()
            .map(|s| {
                let p = root.join(attachment_relative_path(&s));
                (s, p)
            })
            .collect())
    }

    /// Removes the files nothing holds: content stored for a record or an incident whose
    /// transaction then failed (a stale version, a refused rule, a closed incident), and uploads
    /// staged by a request that never finished (a crash). Only files untouched for `grace` go,
    /// so a request storing its files right now is never raced. Files with a row in
    /// `attachments` — written only beside the record's or the timeline entry's own row — are
    /// never touched.
    pub async fn sweep_files(&self, grace: std::time::Duration) -> Result<SweptFiles> {
        let root = self.files_root()?.to_path_buf();
        let held: HashSet<String> = sqlx::query_scalar("SELECT sha256 FROM attachments")
            .fetch_all(&self.pool)
            .await?
            .into_iter()
            .collect();
        tokio::task::spawn_blocking(move || sweep(&root, &held, grace))
            .await
            .map_err(|e| StorageError::Invalid(format!("sweeping files failed: {e}")))?
    }

    /// Puts a file back from a backup: refused unless its content hashes to `sha`.
    pub async fn restore_attachment_file(&self, sha: &str, content: &[u8]) -> Result<()> {
        if !is_sha256(sha) || hex::encode(Sha256::digest(content)) != sha {
            return Err(StorageError::Backup(format!(
                "attachment `{sha}` does not match its content"
            )));
        }
        let staged = self.staging_file()?;
        let mut f = std::fs::File::create(&staged).map_err(|e| io(&staged, e))?;
        f.write_all(content).map_err(|e| io(&staged, e))?;
        drop(f);
        let root = self.files_root()?.to_path_buf();
        put_in_place(&root, &staged, sha).map_err(|e| io(&staged, e))?;
        Ok(())
    }
}

/// The files of a record: `SELECT` of what [`attachment_from`] reads, for `ra.record_id = $1`.
const ATTACHMENTS_OF_RECORD: &str = "SELECT ra.sha256, ra.filename, ra.added_at, ra.added_by, a.size, a.mime \
     FROM record_attachments ra JOIN attachments a ON a.sha256 = ra.sha256 WHERE ra.record_id = $1";

/// One file of a record, if it is attached to it; on the pool or inside a transaction alike.
async fn attachment_of<'c>(
    on: impl Executor<'c, Database = Any>,
    record_id: &str,
    sha: &str,
) -> Result<Option<Attachment>> {
    sqlx::query(AssertSqlSafe(format!(
        "{ATTACHMENTS_OF_RECORD} AND ra.sha256 = $2"
    )))
    .bind(record_id)
    .bind(sha)
    .fetch_optional(on)
    .await?
    .as_ref()
    .map(attachment_from)
    .transpose()
}

pub(super) fn attachment_from(r: &AnyRow) -> Result<Attachment> {
    Ok(Attachment {
        sha256: r.try_get("sha256")?,
        filename: r.try_get("filename")?,
        size: r.try_get("size")?,
        mime: r.try_get("mime")?,
        added_at: r.try_get("added_at")?,
        added_by: r.try_get("added_by")?,
    })
}

impl Tx {
    /// Holds a stored file (once per content): its row in `attachments`, which keeps it from the
    /// sweep and puts it in backups. Written only beside the row that attaches it.
    pub(super) async fn hold_file(&mut self, file: &StoredFile) -> Result<()> {
        let now = self.now_ms();
        sqlx::query(
            "INSERT INTO attachments (sha256, size, mime, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (sha256) DO NOTHING",
        )
        .bind(&file.sha256)
        .bind(file.size)
        .bind(&file.mime)
        .bind(now)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Attaches a stored file to a record (once per record; the same content under a second
    /// name on the same record keeps the first name).
    pub async fn add_attachment(
        &mut self,
        record_id: &str,
        file: &StoredFile,
        filename: &str,
    ) -> Result<Attachment> {
        let record = RECORDS.by_id(&mut *self.tx, record_id).await?;
        if record.archived {
            return Err(StorageError::Invalid(
                "an archived record takes no attachments".into(),
            ));
        }
        let now = self.now_ms();
        let filename = clean_filename(filename);
        self.hold_file(file).await?;
        let added = sqlx::query(
            "INSERT INTO record_attachments (record_id, sha256, filename, added_at, added_by) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (record_id, sha256) DO NOTHING",
        )
        .bind(record_id)
        .bind(&file.sha256)
        .bind(&filename)
        .bind(now)
        .bind(self.actor_name())
        .execute(&mut *self.tx)
        .await?
        .rows_affected();
        let att = attachment_of(&mut *self.tx, record_id, &file.sha256)
            .await?
            .ok_or_else(|| not_found("attachment", &file.sha256))?;
        if added > 0 {
            self.audit(
                "record.attach",
                "record",
                record_id,
                None,
                Some(&serde_json::to_value(&att).unwrap_or_default()),
            )
            .await?;
        }
        Ok(att)
    }
}

#[cfg(test)]
mod tests {
    use super::clean_filename;

    #[test]
    fn a_cleaned_name_is_never_a_folder() {
        // Found with fuzz/multipart: `. .` was cleaned to `.`.
        for name in [". .", " . . ", "..", ". ..", "a/. .", "\\. \t."] {
            assert_eq!(clean_filename(name), "attachment", "{name:?}");
        }
        assert_eq!(clean_filename(". .纪要.pdf"), "纪要.pdf");
        assert_eq!(clean_filename("../../etc/会议纪要.pdf"), "会议纪要.pdf");
        assert_eq!(clean_filename("a. b.txt "), "a. b.txt");
    }
    #[test]
    fn a_cleaned_name_cut_to_its_length_ends_without_a_space() {
        // Found by fuzz/multipart in CI: the 200th character was a space.
        let name = format!("{} tail.pdf", "a".repeat(199));
        let clean = clean_filename(&name);
        assert_eq!(clean, "a".repeat(199));
        assert_eq!(clean, clean.trim());
    }
}
