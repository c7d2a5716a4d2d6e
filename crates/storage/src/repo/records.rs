//! Evidence records (Art.4(1)–(3), (5)): committee meetings, situation analyses, training
//! sessions, education activities and directive reports; the versions every amendment keeps; the
//! link from an obligation to the records that discharge it; attachments stored once by content
//! (SHA-256) in the data dir; directives from higher levels with their supervised tasks.
//!
//! A record is validated against the org model and the policy pack before anything is written
//! (the rules are [`zeren_core::records`]), with one message per field in the user's language; a
//! write is one transaction, audited.
//! Records are amended (a new version, the old one kept) and never deleted.

use super::{date_text, not_found, parse_date, parse_opt_date, placeholders, qualified};
use crate::db::{Db, Tx, new_id};
use crate::error::{Result, StorageError};
use crate::repo::obligations::{
    COLUMNS as OBLIGATION_COLS, OBLIGATIONS, StoredObligation, obligation_from_row,
};
use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};
use std::collections::BTreeMap;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use zeren_core::Lang;
use zeren_core::clock::shanghai_date;
use zeren_core::evidence::{ObligationFacts, RecordFacts, check};
use zeren_core::obligation::{Event, SubjectKind, generate};
use zeren_core::org::OrgModel;
use zeren_core::policy::{PolicyPack, parse_pack};
use zeren_core::records::join_messages;
use zeren_core::vocab::{EventKind, EvidenceKind};

// The drafts, their rules and the directive values live in the domain core; they stay
// reachable here under their old paths.
pub use zeren_core::records::{
    AgendaDraft, AgendaItem, COUNT_MAX, Directive, DirectiveDraft, FieldErrors, HOURS_MAX,
    RECORD_KINDS, RecordContext, RecordDetails, RecordDraft, ReportDraft, TEXT_MAX, TITLE_MAX,
    Task, TaskDraft, TaskReport, ValidRecord, field_label, format_hours, number_or_text, unique,
    validate_directive, validate_record, validate_report, validate_task,
};

/// A stored evidence record.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// Storage id.
    pub id: String,
    /// Kind.
    pub kind: EvidenceKind,
    /// The org it belongs to.
    pub org: String,
    /// The day it happened.
    pub date: NaiveDate,
    /// Title.
    pub title: String,
    /// The kind's fields.
    pub details: RecordDetails,
    /// Edit version (1 when created).
    pub version: i64,
    /// Archived (never deleted).
    pub archived: bool,
    /// User name of the creator.
    pub created_by: String,
    /// Created, epoch ms.
    pub created_at: i64,
    /// Last amended, epoch ms.
    pub updated_at: i64,
}

impl Record {
    /// What evidence matching needs.
    pub fn facts(&self) -> RecordFacts {
        RecordFacts {
            kind: Some(self.kind),
            org: self.org.clone(),
            date: Some(self.date),
            topics: self.details.topics(),
            covers: self.details.covers(),
            platforms: Vec::new(),
            attendees: self.details.attendees(),
            event: self.details.event(),
        }
    }

    /// The whole record as JSON (the API shape, and what a version keeps).
    pub fn to_json(&self) -> Value {
        let mut out = json!({
            "id": self.id,
            "org": self.org,
            "date": date_text(self.date),
            "title": self.title,
        });
        if let (Some(obj), Ok(Value::Object(details))) =
            (out.as_object_mut(), serde_json::to_value(&self.details))
        {
            for (k, v) in details {
                obj.insert(k, v);
            }
            obj.insert("version".into(), json!(self.version));
            obj.insert("archived".into(), json!(self.archived));
            obj.insert("created_by".into(), json!(self.created_by));
            obj.insert("created_at".into(), json!(self.created_at));
            obj.insert("updated_at".into(), json!(self.updated_at));
        }
        out
    }

    /// The record as a draft, for amendment forms and partial updates.
    pub fn draft(&self) -> RecordDraft {
        RecordDraft::of(self.kind, &self.org, self.date, &self.title, &self.details)
    }
}

impl Serialize for Record {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        self.to_json().serialize(s)
    }
}

// ------------------------------------------------------------------------------------------
// Rows
// ------------------------------------------------------------------------------------------

const RECORD_COLS: &str = "id, kind, org_id, record_date, title, body, version, archived, created_by, created_at, updated_at";

fn record_from(r: &AnyRow) -> Result<Record> {
    let id: String = r.try_get("id")?;
    let kind_text: String = r.try_get("kind")?;
    let kind = EvidenceKind::parse(&kind_text).ok_or_else(|| {
        StorageError::Corrupt(format!("record `{id}`: unknown kind `{kind_text}`"))
    })?;
    let body: String = r.try_get("body")?;
    let details: RecordDetails = serde_json::from_str(&body)
        .map_err(|e| StorageError::Corrupt(format!("record `{id}`: {e}")))?;
    Ok(Record {
        kind,
        org: r.try_get("org_id")?,
        date: parse_date(&r.try_get::<String, _>("record_date")?)?,
        title: r.try_get("title")?,
        details,
        version: r.try_get("version")?,
        archived: r.try_get::<i64, _>("archived")? != 0,
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
        id,
    })
}

fn json_list(v: &[String]) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "[]".into())
}

/// One version of a record, as it was.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecordVersion {
    /// Version number.
    pub version: i64,
    /// The whole record at that version.
    pub data: Value,
    /// Who wrote it.
    pub changed_by: String,
    /// When, epoch ms.
    pub changed_at: i64,
}

/// A record linked as evidence of an obligation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvidenceLink {
    /// The record.
    pub record: Record,
    /// When it was linked, epoch ms.
    pub linked_at: i64,
    /// Who linked it (the account name).
    pub linked_by: String,
    /// Who linked it, as people know them (the account's display name, else its name).
    pub linked_by_name: String,
}

/// Which records to list.
#[derive(Debug, Clone, Default)]
pub struct RecordFilter {
    /// Org ids (the caller's scope, already resolved); empty lists nothing.
    pub orgs: Vec<String>,
    /// Only this kind.
    pub kind: Option<EvidenceKind>,
    /// Only records dated in this year.
    pub year: Option<i32>,
    /// Rows to skip.
    pub offset: i64,
    /// Rows to return.
    pub limit: i64,
}

/// Training of one person in a year.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrainingStatus {
    /// Person id.
    pub person: String,
    /// Sessions attended.
    pub sessions: u32,
    /// Hours in total.
    pub hours: f64,
}

impl Db {
    /// One record by id.
    pub async fn record(&self, id: &str) -> Result<Record> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {RECORD_COLS} FROM records WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| not_found("record", id))?;
        record_from(&row)
    }

    /// Records of some orgs, newest first, and how many there are in all.
    pub async fn records(&self, f: &RecordFilter) -> Result<(Vec<Record>, i64)> {
        if f.orgs.is_empty() {
            return Ok((Vec::new(), 0));
        }
        let mut cond = format!(
            "archived = 0 AND org_id IN ({})",
            placeholders(1, f.orgs.len())
        );
        let mut n = f.orgs.len();
        if f.kind.is_some() {
            n += 1;
            cond.push_str(&format!(" AND kind = ${n}"));
        }
        if f.year.is_some() {
            cond.push_str(&format!(
                " AND record_date >= ${} AND record_date <= ${}",
                n + 1,
                n + 2
            ));
            n += 2;
        }
        let bind_all = |sql: String| {
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for o in &f.orgs {
                q = q.bind(o.clone());
            }
            if let Some(k) = f.kind {
                q = q.bind(k.as_str());
            }
            if let Some(y) = f.year {
                q = q
                    .bind(format!("{y:04}-01-01"))
                    .bind(format!("{y:04}-12-31"));
            }
            q
        };
        let total: i64 = bind_all(format!(
            "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM records WHERE {cond}"
        ))
        .fetch_one(&self.pool)
        .await?
        .try_get("n")?;
        let rows = bind_all(format!(
            "SELECT {RECORD_COLS} FROM records WHERE {cond} ORDER BY record_date DESC, id DESC LIMIT ${} OFFSET ${}",
            n + 1,
            n + 2
        ))
        .bind(f.limit.max(0))
        .bind(f.offset.max(0))
        .fetch_all(&self.pool)
        .await?;
        let records = rows.iter().map(record_from).collect::<Result<Vec<_>>>()?;
        Ok((records, total))
    }

    /// Every version of a record, newest first.
    pub async fn record_versions(&self, id: &str) -> Result<Vec<RecordVersion>> {
        let rows = sqlx::query(
            "SELECT version, data, changed_by, changed_at FROM record_versions WHERE record_id = $1 ORDER BY version DESC",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let data: String = r.try_get("data")?;
                Ok(RecordVersion {
                    version: r.try_get("version")?,
                    data: serde_json::from_str(&data)
                        .map_err(|e| StorageError::Corrupt(format!("record version: {e}")))?,
                    changed_by: r.try_get("changed_by")?,
                    changed_at: r.try_get("changed_at")?,
                })
            })
            .collect()
    }

    /// The records linked as evidence of an obligation, in the order they were linked.
    pub async fn evidence_of(&self, obligation_id: &str) -> Result<Vec<EvidenceLink>> {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {}, e.linked_at, e.linked_by, COALESCE(u.display_name, e.linked_by) AS linked_by_name \
             FROM obligation_evidence e JOIN records r ON r.id = e.record_id \
             LEFT JOIN users u ON u.username = e.linked_by \
             WHERE e.obligation_id = $1 ORDER BY e.linked_at, r.id",
            qualified(RECORD_COLS, "r")
        )))
        .bind(obligation_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(EvidenceLink {
                    record: record_from(r)?,
                    linked_at: r.try_get("linked_at")?,
                    linked_by: r.try_get("linked_by")?,
                    linked_by_name: r.try_get("linked_by_name")?,
                })
            })
            .collect()
    }

    /// The obligations a record is evidence of.
    pub async fn record_obligations(&self, record_id: &str) -> Result<Vec<StoredObligation>> {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {} FROM obligations o JOIN obligation_evidence e ON e.obligation_id = o.id \
             WHERE e.record_id = $1 ORDER BY o.due_on, o.obligation_key",
            qualified(OBLIGATION_COLS, "o")
        )))
        .bind(record_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(obligation_from_row).collect()
    }

    /// One obligation by id (for linking evidence to it).
    pub async fn evidence_obligation(&self, id: &str) -> Result<StoredObligation> {
        OBLIGATIONS.by_id(&self.pool, id).await
    }

    /// Open or done obligations of the record's org and year that the record would discharge
    /// under `pack` and is not yet linked to.
    pub async fn evidence_candidates(
        &self,
        record: &Record,
        pack: &PolicyPack,
    ) -> Result<Vec<StoredObligation>> {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {OBLIGATION_COLS} FROM obligations WHERE org_id = $1 AND year = $2 AND state = 'open' \
             AND id NOT IN (SELECT obligation_id FROM obligation_evidence WHERE record_id = $3) ORDER BY due_on, obligation_key"
        )))
        .bind(&record.org)
        .bind(i64::from(record.date.year()))
        .bind(&record.id)
        .fetch_all(&self.pool)
        .await?;
        let facts = record.facts();
        let mut out = Vec::new();
        for r in &rows {
            let o = obligation_from_row(r)?;
            let Some(duty) = pack.duty(&o.duty) else {
                continue;
            };
            let Some(kind) = SubjectKind::parse(&o.subject_kind) else {
                continue;
            };
            let of = ObligationFacts {
                duty,
                org: &o.org,
                subject_kind: kind,
                subject: &o.subject,
                period: &o.period,
            };
            if check(&of, &facts).is_ok() {
                out.push(o);
            }
        }
        Ok(out)
    }

    /// Training of people in a year: the sessions held by `orgs` (pass the subtree and its
    /// ancestors to count trainings the university held too).
    pub async fn training_status(
        &self,
        orgs: &[String],
        year: i32,
    ) -> Result<BTreeMap<String, TrainingStatus>> {
        let mut out: BTreeMap<String, TrainingStatus> = BTreeMap::new();
        if orgs.is_empty() {
            return Ok(out);
        }
        let n = orgs.len();
        let sql = format!(
            "SELECT {RECORD_COLS} FROM records WHERE archived = 0 AND kind = 'training-session' AND org_id IN ({}) \
             AND record_date >= ${} AND record_date <= ${}",
            placeholders(1, n),
            n + 1,
            n + 2
        );
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for o in orgs {
            q = q.bind(o.clone());
        }
        let rows = q
            .bind(format!("{year:04}-01-01"))
            .bind(format!("{year:04}-12-31"))
            .fetch_all(&self.pool)
            .await?;
        for r in &rows {
            let rec = record_from(r)?;
            if let RecordDetails::TrainingSession {
                attendees, hours, ..
            } = &rec.details
            {
                for p in attendees {
                    let e = out.entry(p.clone()).or_insert_with(|| TrainingStatus {
                        person: p.clone(),
                        sessions: 0,
                        hours: 0.0,
                    });
                    e.sessions += 1;
                    e.hours += hours;
                }
            }
        }
        Ok(out)
    }
}

// ------------------------------------------------------------------------------------------
// Writing records and linking evidence
// ------------------------------------------------------------------------------------------

impl Tx {
    async fn record_row(&mut self, id: &str) -> Result<Record> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {RECORD_COLS} FROM records WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&mut *self.tx)
        .await?
        .ok_or_else(|| not_found("record", id))?;
        record_from(&row)
    }

    async fn policy_pack(&mut self, id: &str) -> Result<PolicyPack> {
        let source: String = sqlx::query_scalar("SELECT source FROM policies WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *self.tx)
            .await?
            .ok_or_else(|| not_found("policy", id))?;
        parse_pack(&source).map_err(|d| {
            StorageError::Corrupt(format!(
                "stored policy `{id}` no longer parses ({} problems)",
                d.len()
            ))
        })
    }

    async fn directive_facts(&mut self, id: &str) -> Result<Option<(String, NaiveDate)>> {
        let id = id.trim();
        if id.is_empty() {
            return Ok(None);
        }
        let row = sqlx::query("SELECT org_id, received_on FROM directives WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *self.tx)
            .await?;
        match row {
            Some(r) => Ok(Some((
                r.try_get("org_id")?,
                parse_date(&r.try_get::<String, _>("received_on")?)?,
            ))),
            None => Ok(None),
        }
    }

    async fn validated(
        &mut self,
        draft: &RecordDraft,
        model: &OrgModel,
        pack: &PolicyPack,
        lang: Lang,
    ) -> Result<ValidRecord> {
        let ctx = RecordContext {
            model,
            pack,
            today: shanghai_date(self.now()),
            directive: self.directive_facts(&draft.directive).await?,
        };
        validate_record(draft, &ctx, lang)
            .map_err(|errs| StorageError::Invalid(join_messages(&errs, lang)))
    }

    async fn write_version(&mut self, r: &Record) -> Result<()> {
        sqlx::query(
            "INSERT INTO record_versions (record_id, version, data, changed_by, changed_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&r.id)
        .bind(r.version)
        .bind(r.to_json().to_string())
        .bind(self.actor_name())
        .bind(self.now_ms())
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    fn actor_name(&self) -> String {
        self.actor().name.clone()
    }

    /// Stores a new record after validating it against the org model and the pack; the messages
    /// of a refusal are in `lang`. The record's first version is kept like every later one.
    pub async fn create_record(
        &mut self,
        draft: &RecordDraft,
        model: &OrgModel,
        pack: &PolicyPack,
        lang: Lang,
    ) -> Result<Record> {
        let v = self.validated(draft, model, pack, lang).await?;
        let now = self.now_ms();
        let r = Record {
            id: new_id(),
            kind: v.kind,
            org: v.org,
            date: v.date,
            title: v.title,
            details: v.details,
            version: 1,
            archived: false,
            created_by: self.actor_name(),
            created_at: now,
            updated_at: now,
        };
        let body =
            serde_json::to_string(&r.details).map_err(|e| StorageError::Invalid(e.to_string()))?;
        sqlx::query(
            "INSERT INTO records (id, kind, org_id, record_date, title, body, topics, platforms, attendees, covers, event_id, version, archived, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 1, 0, $12, $13, $13)",
        )
        .bind(&r.id)
        .bind(r.kind.as_str())
        .bind(&r.org)
        .bind(date_text(r.date))
        .bind(&r.title)
        .bind(body)
        .bind(json_list(&r.details.topics()))
        .bind("[]")
        .bind(json_list(&r.details.attendees()))
        .bind(r.details.covers())
        .bind(r.details.event())
        .bind(&r.created_by)
        .bind(now)
        .execute(&mut *self.tx)
        .await?;
        self.write_version(&r).await?;
        self.audit("record.create", "record", &r.id, None, Some(&r.to_json()))
            .await?;
        Ok(r)
    }

    /// Amends a record: a new version, the previous one kept. Refused when `expected_version` is
    /// stale (409), when the kind or org would change, and when the record would no longer
    /// satisfy the rule of an obligation it discharges (the message names the rule).
    pub async fn amend_record(
        &mut self,
        id: &str,
        expected_version: i64,
        draft: &RecordDraft,
        model: &OrgModel,
        pack: &PolicyPack,
        lang: Lang,
    ) -> Result<Record> {
        let before = self.record_row(id).await?;
        if before.version != expected_version {
            return Err(StorageError::Conflict {
                what: "record",
                id: id.into(),
                expected: expected_version,
                actual: before.version,
            });
        }
        if before.archived {
            return Err(StorageError::Invalid(
                lang.pick(
                    "已归档的材料不能修改",
                    "an archived record cannot be amended",
                )
                .into(),
            ));
        }
        let v = self.validated(draft, model, pack, lang).await?;
        if v.kind != before.kind {
            return Err(StorageError::Invalid(
                lang.pick("材料类型不能修改", "the kind of a record cannot change")
                    .into(),
            ));
        }
        if v.org != before.org {
            return Err(StorageError::Invalid(
                lang.pick("所属组织不能修改", "the org of a record cannot change")
                    .into(),
            ));
        }
        let after = Record {
            date: v.date,
            title: v.title,
            details: v.details,
            version: before.version + 1,
            updated_at: self.now_ms(),
            ..before.clone()
        };
        let body = serde_json::to_string(&after.details)
            .map_err(|e| StorageError::Invalid(e.to_string()))?;
        let done = sqlx::query(
            "UPDATE records SET record_date = $1, title = $2, body = $3, topics = $4, attendees = $5, covers = $6, event_id = $7, \
             version = version + 1, updated_at = $8 WHERE id = $9 AND version = $10",
        )
        .bind(date_text(after.date))
        .bind(&after.title)
        .bind(body)
        .bind(json_list(&after.details.topics()))
        .bind(json_list(&after.details.attendees()))
        .bind(after.details.covers())
        .bind(after.details.event())
        .bind(after.updated_at)
        .bind(id)
        .bind(expected_version)
        .execute(&mut *self.tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(StorageError::Conflict {
                what: "record",
                id: id.into(),
                expected: expected_version,
                actual: expected_version + 1,
            });
        }
        self.write_version(&after).await?;
        // The obligations it discharges must still be discharged by it.
        let linked: Vec<String> = sqlx::query_scalar(
            "SELECT obligation_id FROM obligation_evidence WHERE record_id = $1",
        )
        .bind(id)
        .fetch_all(&mut *self.tx)
        .await?;
        for oid in linked {
            let o = OBLIGATIONS.by_id(&mut *self.tx, &oid).await?;
            let pack = self.policy_pack(&o.policy).await?;
            self.check_rule(&o, &pack, &after, lang)?;
            self.resettle_completion(&o).await?;
        }
        self.audit(
            "record.amend",
            "record",
            id,
            Some(&before.to_json()),
            Some(&after.to_json()),
        )
        .await?;
        Ok(after)
    }

    fn check_rule(
        &self,
        o: &StoredObligation,
        pack: &PolicyPack,
        record: &Record,
        lang: Lang,
    ) -> Result<()> {
        let duty = pack.duty(&o.duty).ok_or_else(|| {
            StorageError::Corrupt(format!(
                "obligation `{}`: duty `{}` is not in policy `{}`",
                o.id, o.duty, o.policy
            ))
        })?;
        let kind = SubjectKind::parse(&o.subject_kind).ok_or_else(|| {
            StorageError::Corrupt(format!(
                "obligation `{}`: unknown subject kind `{}`",
                o.id, o.subject_kind
            ))
        })?;
        let facts = ObligationFacts {
            duty,
            org: &o.org,
            subject_kind: kind,
            subject: &o.subject,
            period: &o.period,
        };
        check(&facts, &record.facts()).map_err(|m| StorageError::Invalid(m.message(duty, lang)))
    }

    /// A done obligation is completed on the day of its earliest evidence.
    async fn resettle_completion(&mut self, o: &StoredObligation) -> Result<()> {
        if o.state != "done" {
            return Ok(());
        }
        let first: Option<String> = sqlx::query_scalar(
            "SELECT MIN(r.record_date) FROM obligation_evidence e JOIN records r ON r.id = e.record_id WHERE e.obligation_id = $1",
        )
        .bind(&o.id)
        .fetch_one(&mut *self.tx)
        .await?;
        let Some(first) = first.map(|s| parse_date(&s)).transpose()? else {
            return Ok(());
        };
        if o.completed_on == Some(first) {
            return Ok(());
        }
        sqlx::query(
            "UPDATE obligations SET completed_on = $1, version = version + 1, updated_at = $2 WHERE id = $3",
        )
        .bind(date_text(first))
        .bind(self.now_ms())
        .bind(&o.id)
        .execute(&mut *self.tx)
        .await?;
        let mut after = o.clone();
        after.completed_on = Some(first);
        after.version += 1;
        self.audit(
            "obligation.evidence_date",
            "obligation",
            &o.id,
            Some(&serde_json::to_value(o).unwrap_or_default()),
            Some(&serde_json::to_value(&after).unwrap_or_default()),
        )
        .await
    }

    /// Links a record as evidence of an obligation and marks the obligation done on the record's
    /// day, if the record satisfies the duty's evidence rule from the pack; otherwise refuses with
    /// the rule's message in `lang` ([`StorageError::Invalid`]). `expected_version` is the
    /// obligation's version the caller saw (409 when stale). A done obligation takes further
    /// evidence; a waived one takes none.
    pub async fn attach_evidence(
        &mut self,
        obligation_id: &str,
        record_id: &str,
        expected_version: i64,
        lang: Lang,
    ) -> Result<StoredObligation> {
        let before = OBLIGATIONS.by_id(&mut *self.tx, obligation_id).await?;
        if before.version != expected_version {
            return Err(StorageError::Conflict {
                what: "obligation",
                id: obligation_id.into(),
                expected: expected_version,
                actual: before.version,
            });
        }
        let record = self.record_row(record_id).await?;
        if record.archived {
            return Err(StorageError::Invalid(
                lang.pick(
                    "已归档的材料不能作为佐证",
                    "an archived record cannot be evidence",
                )
                .into(),
            ));
        }
        if before.state == "waived" {
            return Err(StorageError::Invalid(
                lang.pick(
                    "该事项已批准免于履行，不能再挂接佐证材料",
                    "the obligation is waived; it takes no evidence",
                )
                .into(),
            ));
        }
        if before.withdrawn() {
            return Err(StorageError::Invalid(
                lang.pick(
                    "该事项已撤销（制度不再要求），不能再挂接佐证材料",
                    "the obligation is withdrawn (no longer required); it takes no evidence",
                )
                .into(),
            ));
        }
        let linked: Option<i64> = sqlx::query_scalar(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM obligation_evidence WHERE obligation_id = $1 AND record_id = $2",
        )
        .bind(obligation_id)
        .bind(record_id)
        .fetch_optional(&mut *self.tx)
        .await?;
        if linked.unwrap_or(0) > 0 {
            return Err(StorageError::Invalid(
                lang.pick(
                    "该材料已是此事项的佐证",
                    "the record is already evidence of this obligation",
                )
                .into(),
            ));
        }
        let pack = self.policy_pack(&before.policy).await?;
        self.check_rule(&before, &pack, &record, lang)?;
        let now = self.now_ms();
        let mut after = before.clone();
        after.version += 1;
        if before.state == "done" {
            after.completed_on = before.completed_on.map(|d| d.min(record.date));
        } else {
            after.state = "done".into();
            after.completed_on = Some(record.date);
        }
        let done = sqlx::query(
            "UPDATE obligations SET state = $1, completed_on = $2, version = version + 1, updated_at = $3 WHERE id = $4 AND version = $5",
        )
        .bind(&after.state)
        .bind(after.completed_on.map(date_text))
        .bind(now)
        .bind(obligation_id)
        .bind(expected_version)
        .execute(&mut *self.tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(StorageError::Conflict {
                what: "obligation",
                id: obligation_id.into(),
                expected: expected_version,
                actual: expected_version + 1,
            });
        }
        sqlx::query(
            "INSERT INTO obligation_evidence (obligation_id, record_id, linked_at, linked_by) VALUES ($1, $2, $3, $4)",
        )
        .bind(obligation_id)
        .bind(record_id)
        .bind(now)
        .bind(self.actor_name())
        .execute(&mut *self.tx)
        .await?;
        let mut before_json = serde_json::to_value(&before).unwrap_or_default();
        let mut after_json = serde_json::to_value(&after).unwrap_or_default();
        before_json["evidence_added"] = Value::Null;
        after_json["evidence_added"] =
            json!({"record": record_id, "kind": record.kind.as_str(), "title": record.title});
        self.audit(
            "obligation.evidence",
            "obligation",
            obligation_id,
            Some(&before_json),
            Some(&after_json),
        )
        .await?;
        Ok(after)
    }
}

// ------------------------------------------------------------------------------------------
// Attachments: content-addressed files
// ------------------------------------------------------------------------------------------

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

fn sweep(
    root: &Path,
    held: &std::collections::HashSet<String>,
    grace: std::time::Duration,
) -> Result<SweptFiles> {
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

/// A file attached to a record.
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
    let cleaned = cleaned.trim().trim_start_matches('.').trim();
    let mut out: String = cleaned.chars().take(200).collect();
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
        let rows = sqlx::query(
            "SELECT ra.sha256, ra.filename, ra.added_at, ra.added_by, a.size, a.mime FROM record_attachments ra \
             JOIN attachments a ON a.sha256 = ra.sha256 WHERE ra.record_id = $1 ORDER BY ra.added_at, ra.filename",
        )
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
        let row = sqlx::query(
            "SELECT ra.sha256, ra.filename, ra.added_at, ra.added_by, a.size, a.mime FROM record_attachments ra \
             JOIN attachments a ON a.sha256 = ra.sha256 WHERE ra.record_id = $1 AND ra.sha256 = $2",
        )
        .bind(record_id)
        .bind(sha)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(attachment_from).transpose()
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

    /// Removes the files no record holds: content stored for a record whose transaction then
    /// failed (a stale version, a refused rule), and uploads staged by a request that never
    /// finished (a crash). Only files untouched for `grace` go, so a request storing its files
    /// right now is never raced. Files referenced by an attachment row are never touched.
    pub async fn sweep_files(&self, grace: std::time::Duration) -> Result<SweptFiles> {
        let root = self.files_root()?.to_path_buf();
        let held: std::collections::HashSet<String> =
            sqlx::query_scalar("SELECT sha256 FROM attachments")
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

fn attachment_from(r: &AnyRow) -> Result<Attachment> {
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
    /// Attaches a stored file to a record (once per record; the same content under a second
    /// name on the same record keeps the first name).
    pub async fn add_attachment(
        &mut self,
        record_id: &str,
        file: &StoredFile,
        filename: &str,
    ) -> Result<Attachment> {
        let record = self.record_row(record_id).await?;
        if record.archived {
            return Err(StorageError::Invalid(
                "an archived record takes no attachments".into(),
            ));
        }
        let now = self.now_ms();
        let filename = clean_filename(filename);
        sqlx::query(
            "INSERT INTO attachments (sha256, size, mime, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (sha256) DO NOTHING",
        )
        .bind(&file.sha256)
        .bind(file.size)
        .bind(&file.mime)
        .bind(now)
        .execute(&mut *self.tx)
        .await?;
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
        let row = sqlx::query(
            "SELECT ra.sha256, ra.filename, ra.added_at, ra.added_by, a.size, a.mime FROM record_attachments ra \
             JOIN attachments a ON a.sha256 = ra.sha256 WHERE ra.record_id = $1 AND ra.sha256 = $2",
        )
        .bind(record_id)
        .bind(&file.sha256)
        .fetch_one(&mut *self.tx)
        .await?;
        let att = attachment_from(&row)?;
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

// ------------------------------------------------------------------------------------------
// Sniffing a file's type from its content
// ------------------------------------------------------------------------------------------

/// Content types Zeren accepts, as (mime, usual extension).
pub const ACCEPTED_TYPES: &[(&str, &str)] = &[
    ("application/pdf", "pdf"),
    ("image/png", "png"),
    ("image/jpeg", "jpg"),
    ("image/gif", "gif"),
    (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "docx",
    ),
    (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "xlsx",
    ),
    (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "pptx",
    ),
    ("application/msword", "doc"),
    ("application/vnd.ms-excel", "xls"),
    ("application/vnd.ms-powerpoint", "ppt"),
    ("text/plain", "txt"),
    ("text/csv", "csv"),
];

/// The content type of a file, read from its content (the name only tells CSV from plain text);
/// `None` when Zeren does not accept it (executables, archives, empty files, …).
pub fn sniff(path: &Path, filename: &str) -> std::io::Result<Option<&'static str>> {
    let mut f = std::fs::File::open(path)?;
    let len = f.metadata()?.len();
    if len == 0 {
        return Ok(None);
    }
    let mut head = [0u8; 8];
    let n = read_up_to(&mut f, &mut head)?;
    let head = &head[..n];
    if head.starts_with(b"%PDF-") {
        return Ok(Some("application/pdf"));
    }
    if head.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        return Ok(Some("image/png"));
    }
    if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Ok(Some("image/jpeg"));
    }
    if head.starts_with(b"GIF87a") || head.starts_with(b"GIF89a") {
        return Ok(Some("image/gif"));
    }
    if head.starts_with(b"PK\x03\x04") {
        return ooxml_type(&mut f, len);
    }
    if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        return ole_type(&mut f);
    }
    if is_utf8_text(&mut f)? {
        let csv = filename.to_ascii_lowercase().ends_with(".csv");
        return Ok(Some(if csv { "text/csv" } else { "text/plain" }));
    }
    Ok(None)
}

fn read_up_to(f: &mut std::fs::File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        let k = f.read(&mut buf[n..])?;
        if k == 0 {
            break;
        }
        n += k;
    }
    Ok(n)
}

fn u16_at(b: &[u8], i: usize) -> Option<usize> {
    Some(u16::from_le_bytes([*b.get(i)?, *b.get(i + 1)?]) as usize)
}

fn u32_at(b: &[u8], i: usize) -> Option<u64> {
    Some(u64::from(u32::from_le_bytes([
        *b.get(i)?,
        *b.get(i + 1)?,
        *b.get(i + 2)?,
        *b.get(i + 3)?,
    ])))
}

/// A zip is accepted only as a Word, Excel or PowerPoint document: its central directory names
/// `[Content_Types].xml` and the part folder of one of them.
fn ooxml_type(f: &mut std::fs::File, len: u64) -> std::io::Result<Option<&'static str>> {
    let tail_len = len.min(65_557);
    f.seek(SeekFrom::Start(len - tail_len))?;
    let mut tail = vec![0u8; tail_len as usize];
    let n = read_up_to(f, &mut tail)?;
    tail.truncate(n);
    let Some(eocd) = tail.windows(4).rposition(|w| w == b"PK\x05\x06") else {
        return Ok(None);
    };
    let (Some(cd_size), Some(cd_offset)) = (u32_at(&tail, eocd + 12), u32_at(&tail, eocd + 16))
    else {
        return Ok(None);
    };
    if cd_size == 0 || cd_size > 16 * 1024 * 1024 || cd_offset + cd_size > len {
        return Ok(None);
    }
    f.seek(SeekFrom::Start(cd_offset))?;
    let mut cd = vec![0u8; cd_size as usize];
    let n = read_up_to(f, &mut cd)?;
    cd.truncate(n);
    let mut names: Vec<String> = Vec::new();
    let mut i = 0;
    while i + 46 <= cd.len() && &cd[i..i + 4] == b"PK\x01\x02" {
        let (Some(name_len), Some(extra), Some(comment)) = (
            u16_at(&cd, i + 28),
            u16_at(&cd, i + 30),
            u16_at(&cd, i + 32),
        ) else {
            break;
        };
        let Some(name) = cd.get(i + 46..i + 46 + name_len) else {
            break;
        };
        names.push(String::from_utf8_lossy(name).into_owned());
        i += 46 + name_len + extra + comment;
    }
    if !names.iter().any(|n| n == "[Content_Types].xml") {
        return Ok(None);
    }
    let has = |prefix: &str| names.iter().any(|n| n.starts_with(prefix));
    Ok(if has("word/") {
        Some("application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    } else if has("xl/") {
        Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    } else if has("ppt/") {
        Some("application/vnd.openxmlformats-officedocument.presentationml.presentation")
    } else {
        None
    })
}

fn utf16(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(|u| u.to_le_bytes()).collect()
}

/// An OLE2 compound file is accepted as a Word, Excel or PowerPoint document, told apart by the
/// name of its main stream in the directory.
fn ole_type(f: &mut std::fs::File) -> std::io::Result<Option<&'static str>> {
    let needles: [(Vec<u8>, &'static str); 4] = [
        (utf16("WordDocument"), "application/msword"),
        (utf16("Workbook"), "application/vnd.ms-excel"),
        (utf16("Book\0"), "application/vnd.ms-excel"),
        (
            utf16("PowerPoint Document"),
            "application/vnd.ms-powerpoint",
        ),
    ];
    let keep = needles.iter().map(|(n, _)| n.len()).max().unwrap_or(0);
    f.seek(SeekFrom::Start(0))?;
    let mut buf = vec![0u8; 256 * 1024];
    let mut carry: Vec<u8> = Vec::new();
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            return Ok(None);
        }
        carry.extend_from_slice(&buf[..n]);
        for (needle, mime) in &needles {
            if carry.windows(needle.len()).any(|w| w == needle.as_slice()) {
                return Ok(Some(mime));
            }
        }
        let cut = carry.len().saturating_sub(keep);
        carry.drain(..cut);
    }
}

/// Whether the whole file is UTF-8 text without NUL bytes (plain text, CSV).
fn is_utf8_text(f: &mut std::fs::File) -> std::io::Result<bool> {
    f.seek(SeekFrom::Start(0))?;
    let mut buf = vec![0u8; 256 * 1024];
    let mut pending: Vec<u8> = Vec::new();
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            return Ok(pending.is_empty());
        }
        pending.extend_from_slice(&buf[..n]);
        if pending.contains(&0) {
            return Ok(false);
        }
        match std::str::from_utf8(&pending) {
            Ok(_) => pending.clear(),
            Err(e) if e.error_len().is_none() => {
                // A character cut at the chunk's end: keep its first bytes for the next chunk.
                let valid = e.valid_up_to();
                pending.drain(..valid);
            }
            Err(_) => return Ok(false),
        }
    }
}

// ------------------------------------------------------------------------------------------
// Directives (上级部署) and supervised tasks (督办)
// ------------------------------------------------------------------------------------------

const DIRECTIVE_COLS: &str = "id, org_id, issuer, document_number, received_on, title, content, version, created_by, created_at";
const TASK_COLS: &str =
    "id, directive_id, title, owner_id, deadline, status, completed_on, version";
const REPORT_COLS: &str = "id, task_id, kind, report_date, content, created_by, created_at";

fn directive_from(r: &AnyRow) -> Result<Directive> {
    Ok(Directive {
        id: r.try_get("id")?,
        org: r.try_get("org_id")?,
        issuer: r.try_get("issuer")?,
        document_number: r.try_get("document_number")?,
        received_on: parse_date(&r.try_get::<String, _>("received_on")?)?,
        title: r.try_get("title")?,
        content: r.try_get("content")?,
        version: r.try_get("version")?,
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
    })
}

fn task_from(r: &AnyRow) -> Result<Task> {
    Ok(Task {
        id: r.try_get("id")?,
        directive: r.try_get("directive_id")?,
        title: r.try_get("title")?,
        owner: r.try_get("owner_id")?,
        deadline: parse_date(&r.try_get::<String, _>("deadline")?)?,
        status: r.try_get("status")?,
        completed_on: parse_opt_date(r.try_get("completed_on")?)?,
        version: r.try_get("version")?,
    })
}

fn report_from(r: &AnyRow) -> Result<TaskReport> {
    Ok(TaskReport {
        id: r.try_get("id")?,
        task: r.try_get("task_id")?,
        kind: r.try_get("kind")?,
        date: parse_date(&r.try_get::<String, _>("report_date")?)?,
        content: r.try_get("content")?,
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
    })
}

impl Db {
    /// One directive.
    pub async fn directive(&self, id: &str) -> Result<Directive> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {DIRECTIVE_COLS} FROM directives WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| not_found("directive", id))?;
        directive_from(&row)
    }

    /// Directives received by some orgs, newest first, and how many there are in all.
    pub async fn directives(
        &self,
        orgs: &[String],
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<Directive>, i64)> {
        if orgs.is_empty() {
            return Ok((Vec::new(), 0));
        }
        let n = orgs.len();
        let cond = format!("archived = 0 AND org_id IN ({})", placeholders(1, n));
        let mut q = sqlx::query(AssertSqlSafe(format!(
            "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM directives WHERE {cond}"
        )));
        for o in orgs {
            q = q.bind(o.clone());
        }
        let total: i64 = q.fetch_one(&self.pool).await?.try_get("n")?;
        let mut q = sqlx::query(AssertSqlSafe(format!(
            "SELECT {DIRECTIVE_COLS} FROM directives WHERE {cond} ORDER BY received_on DESC, id DESC LIMIT ${} OFFSET ${}",
            n + 1,
            n + 2
        )));
        for o in orgs {
            q = q.bind(o.clone());
        }
        let rows = q
            .bind(limit.max(0))
            .bind(offset.max(0))
            .fetch_all(&self.pool)
            .await?;
        let list = rows
            .iter()
            .map(directive_from)
            .collect::<Result<Vec<_>>>()?;
        Ok((list, total))
    }

    /// The directives received in `year`, as the events their on-event duty hangs on (for
    /// generating obligations: pass them to `zeren_core::obligation::generate`).
    pub async fn directive_events(&self, year: i32) -> Result<Vec<Event>> {
        let rows = sqlx::query(
            "SELECT id, org_id, received_on FROM directives WHERE archived = 0 AND received_on >= $1 AND received_on <= $2 ORDER BY id",
        )
        .bind(format!("{year:04}-01-01"))
        .bind(format!("{year:04}-12-31"))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Event {
                    id: r.try_get("id")?,
                    kind: EventKind::Directive,
                    org: r.try_get("org_id")?,
                    date: parse_date(&r.try_get::<String, _>("received_on")?)?,
                })
            })
            .collect()
    }

    /// The tasks of a directive, by deadline.
    pub async fn tasks(&self, directive_id: &str) -> Result<Vec<Task>> {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {TASK_COLS} FROM tasks WHERE directive_id = $1 ORDER BY deadline, id"
        )))
        .bind(directive_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(task_from).collect()
    }

    /// One task.
    pub async fn task(&self, id: &str) -> Result<Task> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {TASK_COLS} FROM tasks WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| not_found("task", id))?;
        task_from(&row)
    }

    /// The reports on the tasks of a directive, oldest first.
    pub async fn task_reports(&self, directive_id: &str) -> Result<Vec<TaskReport>> {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {} FROM task_reports r JOIN tasks t ON t.id = r.task_id WHERE t.directive_id = $1 ORDER BY r.report_date, r.created_at, r.id",
            qualified(REPORT_COLS, "r")
        )))
        .bind(directive_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(report_from).collect()
    }

    /// The org and day of receipt of a directive, if it exists (to validate reports naming it).
    pub async fn directive_facts(&self, id: &str) -> Result<Option<(String, NaiveDate)>> {
        let id = id.trim();
        if id.is_empty() {
            return Ok(None);
        }
        match self.directive(id).await {
            Ok(d) => Ok(Some((d.org, d.received_on))),
            Err(StorageError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

impl Tx {
    async fn directive_row(&mut self, id: &str) -> Result<Directive> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {DIRECTIVE_COLS} FROM directives WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&mut *self.tx)
        .await?
        .ok_or_else(|| not_found("directive", id))?;
        directive_from(&row)
    }

    /// Registers a directive and creates the obligation to implement it (the on-event duty of
    /// directive kind in `pack`, with the directive as its event). Returns the directive and the
    /// number of obligations added.
    pub async fn create_directive(
        &mut self,
        draft: &DirectiveDraft,
        model: &OrgModel,
        pack: &PolicyPack,
        lang: Lang,
    ) -> Result<(Directive, usize)> {
        let (org, received_on) = validate_directive(draft, model, shanghai_date(self.now()), lang)
            .map_err(|errs| StorageError::Invalid(join_messages(&errs, lang)))?;
        let now = self.now_ms();
        let d = Directive {
            id: new_id(),
            org,
            issuer: draft.issuer.trim().into(),
            document_number: draft.document_number.trim().into(),
            received_on,
            title: draft.title.trim().into(),
            content: draft.content.trim().into(),
            version: 1,
            created_by: self.actor_name(),
            created_at: now,
        };
        sqlx::query(
            "INSERT INTO directives (id, org_id, issuer, document_number, received_on, title, content, version, archived, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 1, 0, $8, $9, $9)",
        )
        .bind(&d.id)
        .bind(&d.org)
        .bind(&d.issuer)
        .bind(&d.document_number)
        .bind(date_text(d.received_on))
        .bind(&d.title)
        .bind(&d.content)
        .bind(&d.created_by)
        .bind(now)
        .execute(&mut *self.tx)
        .await?;
        self.audit(
            "directive.create",
            "directive",
            &d.id,
            None,
            Some(&serde_json::to_value(&d).unwrap_or_default()),
        )
        .await?;
        let year = d.received_on.year();
        let event = Event {
            id: d.id.clone(),
            kind: EventKind::Directive,
            org: d.org.clone(),
            date: d.received_on,
        };
        let planned: Vec<_> = generate(pack, model, year, std::slice::from_ref(&event))
            .into_iter()
            .filter(|p| p.subject_kind == SubjectKind::Event && p.subject == d.id)
            .collect();
        let added = self.add_obligations(&planned, year).await?;
        Ok((d, added))
    }

    /// Adds a supervised task to a directive.
    pub async fn add_task(
        &mut self,
        directive_id: &str,
        draft: &TaskDraft,
        model: &OrgModel,
        lang: Lang,
    ) -> Result<Task> {
        let directive = self.directive_row(directive_id).await?;
        let deadline = validate_task(draft, &directive, model, lang)
            .map_err(|errs| StorageError::Invalid(join_messages(&errs, lang)))?;
        let now = self.now_ms();
        let t = Task {
            id: new_id(),
            directive: directive.id.clone(),
            title: draft.title.trim().into(),
            owner: draft.owner.trim().into(),
            deadline,
            status: "open".into(),
            completed_on: None,
            version: 1,
        };
        sqlx::query(
            "INSERT INTO tasks (id, directive_id, title, owner_id, deadline, status, completed_on, version, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, 'open', NULL, 1, $6, $7, $7)",
        )
        .bind(&t.id)
        .bind(&t.directive)
        .bind(&t.title)
        .bind(&t.owner)
        .bind(date_text(t.deadline))
        .bind(self.actor_name())
        .bind(now)
        .execute(&mut *self.tx)
        .await?;
        self.audit(
            "task.create",
            "task",
            &t.id,
            None,
            Some(&serde_json::to_value(&t).unwrap_or_default()),
        )
        .await?;
        Ok(t)
    }

    /// Adds a progress or completion report to a task; a completion report closes the task.
    pub async fn add_task_report(
        &mut self,
        task_id: &str,
        draft: &ReportDraft,
        lang: Lang,
    ) -> Result<(TaskReport, Task)> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {TASK_COLS} FROM tasks WHERE id = $1"
        )))
        .bind(task_id)
        .fetch_optional(&mut *self.tx)
        .await?
        .ok_or_else(|| not_found("task", task_id))?;
        let task = task_from(&row)?;
        let directive = self.directive_row(&task.directive).await?;
        let date = validate_report(draft, &task, &directive, shanghai_date(self.now()), lang)
            .map_err(|errs| StorageError::Invalid(join_messages(&errs, lang)))?;
        let now = self.now_ms();
        let report = TaskReport {
            id: new_id(),
            task: task.id.clone(),
            kind: draft.kind.trim().into(),
            date,
            content: draft.content.trim().into(),
            created_by: self.actor_name(),
            created_at: now,
        };
        sqlx::query(
            "INSERT INTO task_reports (id, task_id, kind, report_date, content, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&report.id)
        .bind(&report.task)
        .bind(&report.kind)
        .bind(date_text(report.date))
        .bind(&report.content)
        .bind(&report.created_by)
        .bind(now)
        .execute(&mut *self.tx)
        .await?;
        self.audit(
            "task.report",
            "task",
            &task.id,
            None,
            Some(&serde_json::to_value(&report).unwrap_or_default()),
        )
        .await?;
        let mut after = task.clone();
        if report.kind == "completion" {
            sqlx::query(
                "UPDATE tasks SET status = 'done', completed_on = $1, version = version + 1, updated_at = $2 WHERE id = $3 AND version = $4",
            )
            .bind(date_text(date))
            .bind(now)
            .bind(&task.id)
            .bind(task.version)
            .execute(&mut *self.tx)
            .await?;
            after.status = "done".into();
            after.completed_on = Some(date);
            after.version += 1;
            self.audit(
                "task.complete",
                "task",
                &task.id,
                Some(&serde_json::to_value(&task).unwrap_or_default()),
                Some(&serde_json::to_value(&after).unwrap_or_default()),
            )
            .await?;
        }
        Ok((report, after))
    }
}
