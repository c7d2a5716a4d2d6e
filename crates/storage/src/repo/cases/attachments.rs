//! Files on the entries of a case file: the respondent's statement and appeal with what they
//! bring, a document the commission adds — each belongs to one entry (the case and the entry's
//! `seq`), stored once by its content like a record's files ([`crate::repo::attachments`]: the
//! same `attachments` rows keep it from the sweep and put it in backups). A case takes them
//! until it is closed; each is audited on the case.

use super::super::attachments::{Attachment, StoredFile, attachment_from, clean_filename};
use super::super::not_found;
use crate::db::{Db, Tx};
use crate::error::{Result, StorageError};
use serde::Serialize;
use serde_json::json;
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};

/// A file on an entry of a case file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseFile {
    /// The entry it belongs to.
    pub seq: i64,
    /// The file, its name and who attached it when.
    #[serde(flatten)]
    pub file: Attachment,
}

/// The files of a case: `SELECT` of what [`case_file_from`] reads, for `ca.case_id = $1`.
const OF_CASE: &str = "SELECT ca.seq, ca.sha256, ca.filename, ca.added_at, ca.added_by, a.size, a.mime \
     FROM case_attachments ca JOIN attachments a ON a.sha256 = ca.sha256 WHERE ca.case_id = $1";

fn case_file_from(r: &AnyRow) -> Result<CaseFile> {
    Ok(CaseFile {
        seq: r.try_get("seq")?,
        file: attachment_from(r)?,
    })
}

impl Db {
    /// The files of a case's file, by entry, each entry's in the order attached.
    pub async fn case_attachments(&self, case: &str) -> Result<Vec<CaseFile>> {
        sqlx::query(AssertSqlSafe(format!(
            "{OF_CASE} ORDER BY ca.seq, ca.added_at, ca.filename"
        )))
        .bind(case)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(case_file_from)
        .collect()
    }
}

impl Tx {
    /// Attaches a stored file to the entry `seq` of a case not closed — the case's latest entry
    /// when `seq` is `None` (the step just taken in this transaction). Once per entry and
    /// content; the same content under a second name keeps the first name.
    pub async fn attach_to_case_entry(
        &mut self,
        case: &str,
        seq: Option<i64>,
        file: &StoredFile,
        filename: &str,
    ) -> Result<CaseFile> {
        let now = self.now_ms();
        // The case's row, touched while it is not closed: a closing committing meanwhile is
        // waited for, and then this finds it closed.
        let open =
            sqlx::query("UPDATE cases SET updated_at = $1 WHERE id = $2 AND state <> 'closed'")
                .bind(now)
                .bind(case)
                .execute(&mut *self.tx)
                .await?
                .rows_affected();
        if open == 0 {
            let exists: Option<String> = sqlx::query_scalar("SELECT id FROM cases WHERE id = $1")
                .bind(case)
                .fetch_optional(&mut *self.tx)
                .await?;
            return Err(match exists {
                None => not_found("case", case),
                Some(_) => {
                    StorageError::Invalid(format!("case `{case}` is closed; it takes no files"))
                }
            });
        }
        let seq: Option<i64> = match seq {
            Some(s) => {
                sqlx::query_scalar("SELECT seq FROM case_entries WHERE case_id = $1 AND seq = $2")
                    .bind(case)
                    .bind(s)
                    .fetch_optional(&mut *self.tx)
                    .await?
            }
            None => {
                sqlx::query_scalar("SELECT MAX(seq) FROM case_entries WHERE case_id = $1")
                    .bind(case)
                    .fetch_one(&mut *self.tx)
                    .await?
            }
        };
        let Some(seq) = seq else {
            return Err(not_found("case file entry", case));
        };
        self.hold_file(file).await?;
        let filename = clean_filename(filename);
        sqlx::query(
            "INSERT INTO case_attachments (case_id, seq, sha256, filename, added_at, added_by) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (case_id, seq, sha256) DO NOTHING",
        )
        .bind(case)
        .bind(seq)
        .bind(&file.sha256)
        .bind(&filename)
        .bind(now)
        .bind(self.actor_name())
        .execute(&mut *self.tx)
        .await?;
        let row = sqlx::query(AssertSqlSafe(format!(
            "{OF_CASE} AND ca.seq = $2 AND ca.sha256 = $3"
        )))
        .bind(case)
        .bind(seq)
        .bind(&file.sha256)
        .fetch_one(&mut *self.tx)
        .await?;
        let attached = case_file_from(&row)?;
        self.audit(
            "case.attach",
            "case",
            case,
            None,
            Some(&json!({"seq": seq, "sha256": file.sha256, "filename": attached.file.filename})),
        )
        .await?;
        Ok(attached)
    }
}
