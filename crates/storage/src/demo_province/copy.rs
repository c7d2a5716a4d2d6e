//! Bulk loading for the province demo: rows in PostgreSQL's `COPY` text format, sent on a
//! connection of its own inside a transaction that commits only after the audit entry counting
//! the rows is on the audit chain.

use crate::demo_scale::Progress;
use crate::error::{Result, StorageError};
use crate::{Actor, Db};
use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::{Executor, PgConnection};

/// Rows of one table in PostgreSQL's `COPY` text format.
pub(super) struct CopyRows {
    table: &'static str,
    columns: &'static [&'static str],
    buf: Vec<u8>,
    pub(super) rows: u64,
    /// At the start of a row (no column written yet).
    fresh: bool,
}

impl CopyRows {
    pub(super) fn new(table: &'static str, columns: &'static [&'static str]) -> CopyRows {
        CopyRows {
            table,
            columns,
            buf: Vec::new(),
            rows: 0,
            fresh: true,
        }
    }

    fn sep(&mut self) {
        if !self.fresh {
            self.buf.push(b'\t');
        }
        self.fresh = false;
    }

    pub(super) fn text(&mut self, s: &str) -> &mut CopyRows {
        self.sep();
        for b in s.bytes() {
            match b {
                b'\\' => self.buf.extend_from_slice(b"\\\\"),
                b'\t' => self.buf.extend_from_slice(b"\\t"),
                b'\n' => self.buf.extend_from_slice(b"\\n"),
                b'\r' => self.buf.extend_from_slice(b"\\r"),
                _ => self.buf.push(b),
            }
        }
        self
    }

    pub(super) fn int(&mut self, i: i64) -> &mut CopyRows {
        self.sep();
        self.buf.extend_from_slice(i.to_string().as_bytes());
        self
    }

    pub(super) fn null(&mut self) -> &mut CopyRows {
        self.sep();
        self.buf.extend_from_slice(b"\\N");
        self
    }

    pub(super) fn opt(&mut self, s: Option<&str>) -> &mut CopyRows {
        match s {
            Some(s) => self.text(s),
            None => self.null(),
        }
    }

    pub(super) fn end(&mut self) {
        self.buf.push(b'\n');
        self.rows += 1;
        self.fresh = true;
    }
}

/// The audit entry that counts a batch of copied rows.
pub(super) struct Note {
    pub(super) action: &'static str,
    pub(super) object_type: &'static str,
    pub(super) object_id: String,
    /// Fields beside `table` and `rows`.
    pub(super) extra: serde_json::Value,
    /// A year of obligations to note as in step with this model generation.
    pub(super) sync: Option<(i32, i64)>,
}

impl Note {
    /// One table of the org model.
    pub(super) fn model(object_type: &'static str, table: &str) -> Note {
        Note {
            action: "demo.province.insert",
            object_type,
            object_id: table.into(),
            extra: json!({}),
            sync: None,
        }
    }
}

/// The bulk-loading connection and what the audit entries need.
pub(super) struct Loader<'a> {
    pub(super) db: &'a Db,
    pub(super) pg: PgConnection,
    pub(super) actor: Actor,
    pub(super) now: DateTime<Utc>,
}

impl Loader<'_> {
    /// Copies the rows in a transaction, audits them with one entry counting them (and notes
    /// the year in step, if asked), then commits the rows.
    pub(super) async fn copy(
        &mut self,
        rows: CopyRows,
        note: Note,
        progress: Progress<'_>,
    ) -> Result<u64> {
        let stage = if note.object_id == rows.table {
            rows.table.to_string()
        } else {
            format!("{} {}", rows.table, note.object_id)
        };
        // A stage of no rows prints its one line at the end (its start would read as done too).
        if rows.rows > 0 {
            progress(&stage, 0, rows.rows);
        }
        self.pg.execute("BEGIN").await?;
        let statement = format!(
            "COPY {} ({}) FROM STDIN",
            rows.table,
            rows.columns.join(", ")
        );
        let mut copy = self.pg.copy_in_raw(&statement).await?;
        let total = rows.buf.len().max(1) as u64;
        let mut sent = 0u64;
        for chunk in rows.buf.chunks(1 << 20) {
            copy.send(chunk).await?;
            sent += chunk.len() as u64;
            // The stage ends when its rows are committed, not when the last bytes are sent.
            if sent < total {
                progress(&stage, rows.rows * sent / total, rows.rows);
            }
        }
        let copied = copy.finish().await?;
        if copied != rows.rows {
            return Err(StorageError::Corrupt(format!(
                "COPY into {} wrote {copied} rows of {}",
                rows.table, rows.rows
            )));
        }
        let mut after = json!({"table": rows.table, "rows": copied});
        if let (Some(a), serde_json::Value::Object(e)) = (after.as_object_mut(), note.extra) {
            a.extend(e);
        }
        let mut tx = self.db.begin(&self.actor, self.now).await?;
        tx.audit(
            note.action,
            note.object_type,
            &note.object_id,
            None,
            Some(&after),
        )
        .await?;
        if let Some((year, generation)) = note.sync {
            tx.record_obligation_sync(year, generation, usize::try_from(copied).unwrap_or(0))
                .await?;
        }
        tx.commit().await?;
        self.pg.execute("COMMIT").await?;
        progress(&stage, rows.rows, rows.rows);
        Ok(copied)
    }
}
