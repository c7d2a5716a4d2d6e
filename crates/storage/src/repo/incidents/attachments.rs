//! Files attached to the entries of an incident's timeline: the screenshot of the post, the
//! statement published, the notice from above — each belongs to one entry (the incident and the
//! entry's `seq`), stored once by its content like a record's files ([`crate::repo::attachments`]:
//! the same `attachments` rows hold it from the sweep and put it in backups). An open incident
//! takes them, as it takes entries; a closed one takes none. Each is audited on the incident.

use super::super::attachments::{
    Attachment, StoredFile, attachment_from, clean_filename, is_sha256,
};
use super::super::not_found;
use crate::db::{Db, Tx};
use crate::error::{Result, StorageError};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{Any, AssertSqlSafe, Executor, Row};

/// A file attached to an entry of an incident's timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntryAttachment {
    /// The entry it belongs to: its `seq` on the incident's timeline.
    pub seq: i64,
    /// The file, its name and who attached it when.
    #[serde(flatten)]
    pub file: Attachment,
}

/// The files of an incident: `SELECT` of what [`entry_attachment_from`] reads, for
/// `ia.incident_id = $1`.
const OF_INCIDENT: &str = "SELECT ia.seq, ia.sha256, ia.filename, ia.added_at, ia.added_by, a.size, a.mime \
     FROM incident_attachments ia JOIN attachments a ON a.sha256 = ia.sha256 WHERE ia.incident_id = $1";

fn entry_attachment_from(r: &AnyRow) -> Result<EntryAttachment> {
    Ok(EntryAttachment {
        seq: r.try_get("seq")?,
        file: attachment_from(r)?,
    })
}

/// One file of an incident, if it is attached to one of its entries (the first such entry's, by
/// `seq`, when several hold the same content); on the pool or inside a transaction alike.
async fn attachment_of<'c>(
    on: impl Executor<'c, Database = Any>,
    incident: &str,
    seq: Option<i64>,
    sha: &str,
) -> Result<Option<EntryAttachment>> {
    let cond = if seq.is_some() {
        " AND ia.seq = $3"
    } else {
        ""
    };
    let mut q = sqlx::query(AssertSqlSafe(format!(
        "{OF_INCIDENT} AND ia.sha256 = $2{cond} ORDER BY ia.seq LIMIT 1"
    )))
    .bind(incident)
    .bind(sha);
    if let Some(seq) = seq {
        q = q.bind(seq);
    }
    q.fetch_optional(on)
        .await?
        .as_ref()
        .map(entry_attachment_from)
        .transpose()
}

impl Db {
    /// The files attached to an incident's timeline, by entry (`seq`), each entry's in the order
    /// they were attached.
    pub async fn incident_attachments(&self, incident: &str) -> Result<Vec<EntryAttachment>> {
        sqlx::query(AssertSqlSafe(format!(
            "{OF_INCIDENT} ORDER BY ia.seq, ia.added_at, ia.filename"
        )))
        .bind(incident)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(entry_attachment_from)
        .collect()
    }

    /// One file of an incident, if it is attached to an entry of its timeline (for a download;
    /// anything but a SHA-256 is simply not attached).
    pub async fn incident_attachment(
        &self,
        incident: &str,
        sha: &str,
    ) -> Result<Option<EntryAttachment>> {
        if !is_sha256(sha) {
            return Ok(None);
        }
        attachment_of(&self.pool, incident, None, sha).await
    }
}

impl Tx {
    /// Attaches a stored file to the entry `seq` of an open incident's timeline (once per entry;
    /// the same content under a second name on the same entry keeps the first name). Refused
    /// for a closed incident, as every change of one is, and for an entry it does not have.
    pub async fn attach_to_incident_entry(
        &mut self,
        incident: &str,
        seq: i64,
        file: &StoredFile,
        filename: &str,
    ) -> Result<EntryAttachment> {
        let now = self.now_ms();
        // The incident's row, locked while it is open: a closure committing meanwhile is waited
        // for, and then this finds it closed (a bare read would let both through).
        let open =
            sqlx::query("UPDATE incidents SET updated_at = $1 WHERE id = $2 AND state = 'open'")
                .bind(now)
                .bind(incident)
                .execute(&mut *self.tx)
                .await?
                .rows_affected();
        if open == 0 {
            // Missing (404) or closed (refused as any change of a closed incident is).
            self.incident_for_update(incident, None).await?;
            return Err(StorageError::Invalid(format!(
                "incident `{incident}` is closed; it is not changed"
            )));
        }
        let entry: Option<i64> = sqlx::query_scalar(
            "SELECT seq FROM incident_timeline WHERE incident_id = $1 AND seq = $2",
        )
        .bind(incident)
        .bind(seq)
        .fetch_optional(&mut *self.tx)
        .await?;
        if entry.is_none() {
            return Err(not_found("timeline entry", &format!("{incident}#{seq}")));
        }
        self.hold_file(file).await?;
        let added = sqlx::query(
            "INSERT INTO incident_attachments (incident_id, seq, sha256, filename, added_at, added_by) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (incident_id, seq, sha256) DO NOTHING",
        )
        .bind(incident)
        .bind(seq)
        .bind(&file.sha256)
        .bind(clean_filename(filename))
        .bind(now)
        .bind(self.actor_name())
        .execute(&mut *self.tx)
        .await?
        .rows_affected();
        let att = attachment_of(&mut *self.tx, incident, Some(seq), &file.sha256)
            .await?
            .ok_or_else(|| not_found("attachment", &file.sha256))?;
        if added > 0 {
            self.audit(
                "incident.attach",
                "incident",
                incident,
                None,
                Some(&serde_json::to_value(&att).unwrap_or_default()),
            )
            .await?;
        }
        Ok(att)
    }
}
