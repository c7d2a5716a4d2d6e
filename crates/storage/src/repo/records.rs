//! Evidence records (Art.4(1)–(3), (5)): committee meetings, situation analyses, training
//! sessions, education activities and directive reports; the versions every amendment keeps; the
//! link from an obligation to the records that discharge it. Their files are kept by
//! [`super::attachments`]; directives with their supervised tasks by [`super::directives`].
//!
//! A record is validated against the org model and the policy pack before anything is written
//! (the rules are [`zeren_core::records`]), with one message per field in the user's language; a
//! write is one transaction, audited. Records are amended (a new version, the old one kept) and
//! never deleted.

use super::{
    Rows, check_updated, check_version, date_text, not_found, parse_date, placeholders, qualified,
};
use crate::db::{Db, Tx, new_id};
use crate::error::{Result, StorageError};
use crate::repo::obligations::{
    COLUMNS as OBLIGATION_COLS, OBLIGATIONS, StoredObligation, obligation_from_row,
};
use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use serde_json::{Value, json};
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};
use std::collections::BTreeMap;
use zeren_core::Lang;
use zeren_core::clock::shanghai_date;
use zeren_core::evidence::{ObligationFacts, RecordFacts, check};
use zeren_core::obligation::SubjectKind;
use zeren_core::org::OrgModel;
use zeren_core::policy::{EvidenceOf, PolicyPack, RecordKind, parse_pack};
use zeren_core::records::join_messages;
use zeren_core::vocab::EvidenceKind;

// Kept under their old paths: the drafts, their rules and the directive values live in the
// domain core, files in `attachments`.
pub use super::attachments::{
    ACCEPTED_TYPES, Attachment, StoredFile, SweptFiles, attachment_relative_path, clean_filename,
    is_sha256, sniff,
};
pub use zeren_core::records::{
    AgendaDraft, AgendaItem, COUNT_MAX, Directive, DirectiveDraft, FieldErrors, HOURS_MAX,
    RECORD_KINDS, RecordContext, RecordDetails, RecordDraft, ReportDraft, TEXT_MAX, TITLE_MAX,
    Task, TaskDraft, TaskReport, ValidRecord, field_label, format_hours, number_or_text, unique,
    validate_directive, validate_record, validate_report, validate_task,
};
pub use zeren_core::records::{DefinedRecord, PEOPLE_MAX, ShownField, value_text};

/// A stored evidence record.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// Storage id.
    pub id: String,
    /// Kind: one of the product's, or one a pack defines.
    pub kind: EvidenceOf,
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
    /// What evidence matching needs; `files` is how many files are attached to the record.
    pub fn facts(&self, files: usize) -> RecordFacts {
        let defined = self.details.defined();
        RecordFacts {
            kind: Some(self.kind.clone()),
            org: self.org.clone(),
            date: Some(self.date),
            topics: self.details.topics(),
            covers: self.details.covers(),
            platforms: self.details.platforms(),
            attendees: self.details.attendees(),
            event: self.details.event(),
            defined: defined.map(|d| d.facts(files)),
        }
    }

    /// The whole record as JSON (the API shape, and what a version keeps).
    pub fn to_json(&self) -> Value {
        let mut out = json!({
            "id": self.id,
            "kind": self.kind,
            "org": self.org,
            "date": date_text(self.date),
            "title": self.title,
        });
        if let (Some(obj), Ok(Value::Object(details))) =
            (out.as_object_mut(), serde_json::to_value(&self.details))
        {
            for (k, v) in details {
                // A pack-defined record is tagged `defined` in storage; its kind is its own.
                if k != "kind" {
                    obj.insert(k, v);
                }
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
        RecordDraft::of(&self.kind, &self.org, self.date, &self.title, &self.details)
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

pub(crate) const RECORD_COLS: &str = "id, kind, org_id, record_date, title, body, version, archived, created_by, created_at, updated_at";

/// Records read by id.
pub(crate) const RECORDS: Rows<Record> = Rows {
    table: "records",
    cols: RECORD_COLS,
    what: "record",
    from: record_from,
};

pub(crate) fn record_from(r: &AnyRow) -> Result<Record> {
    let id: String = r.try_get("id")?;
    let kind_text: String = r.try_get("kind")?;
    let body: String = r.try_get("body")?;
    let details: RecordDetails = serde_json::from_str(&body)
        .map_err(|e| StorageError::Corrupt(format!("record `{id}`: {e}")))?;
    let kind = details.kind();
    if kind.as_str() != kind_text {
        return Err(StorageError::Corrupt(format!(
            "record `{id}`: kind `{kind_text}` but its fields are of `{kind}`",
            kind = kind.as_str()
        )));
    }
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

pub(crate) fn json_list(v: &[String]) -> String {
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
    /// Only this kind (a product's kind or a pack's).
    pub kind: Option<String>,
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
        RECORDS.by_id(&self.pool, id).await
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
            if let Some(k) = &f.kind {
                q = q.bind(k.clone());
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
        let files = self.record_attachments(&record.id).await?.len();
        let facts = record.facts(files);
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
                record_kinds: &pack.record_kinds,
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
    pub(crate) async fn policy_pack(&mut self, id: &str) -> Result<PolicyPack> {
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

    /// The definition a new record of a pack-defined kind is made under: the kind as the
    /// version in force today defines it, with that version's id. `None` for the product's
    /// kinds and for kinds no version in force defines.
    async fn definition_today(&mut self, kind: &str) -> Result<Option<(String, RecordKind)>> {
        if EvidenceKind::parse(kind.trim()).is_some() {
            return Ok(None);
        }
        let set = self.policy_set().await?;
        Ok(set
            .record_kind(kind.trim(), shanghai_date(self.now()))
            .map(|(p, k)| (p.meta.id.clone(), k.clone())))
    }

    /// How many files are attached to a record.
    async fn files_of(&mut self, record_id: &str) -> Result<usize> {
        let n: i64 = sqlx::query_scalar(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM record_attachments WHERE record_id = $1",
        )
        .bind(record_id)
        .fetch_one(&mut *self.tx)
        .await?;
        Ok(usize::try_from(n).unwrap_or(0))
    }

    async fn validated(
        &mut self,
        draft: &RecordDraft,
        model: &OrgModel,
        pack: &PolicyPack,
        defined: Option<&(String, RecordKind)>,
        lang: Lang,
    ) -> Result<ValidRecord> {
        let ctx = RecordContext {
            model,
            pack,
            today: shanghai_date(self.now()),
            directive: self.directive_facts(&draft.directive).await?,
            rectification: self.rectification_facts(&draft.rectification).await?,
            defined: defined.map(|(p, k)| (p.as_str(), k)),
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

    /// Stores a new record after validating it against the org model and the pack; the messages
    /// of a refusal are in `lang`. The record's first version is kept like every later one.
    pub async fn create_record(
        &mut self,
        draft: &RecordDraft,
        model: &OrgModel,
        pack: &PolicyPack,
        lang: Lang,
    ) -> Result<Record> {
        let defined = self.definition_today(&draft.kind).await?;
        let v = self
            .validated(draft, model, pack, defined.as_ref(), lang)
            .await?;
        self.insert_record(v).await
    }

    /// Stores a record whose values were checked (by [`validate_record`], or by the rules of
    /// the area that keeps its kind), its first version kept like every later one.
    pub(crate) async fn insert_record(&mut self, v: ValidRecord) -> Result<Record> {
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
        .bind(json_list(&r.details.platforms()))
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
        let before = RECORDS.by_id(&mut *self.tx, id).await?;
        check_version("record", id, expected_version, before.version)?;
        if before.details.review().is_some() {
            return Err(StorageError::Invalid(
                lang.pick(
                    "年审记录不能修改：如有错漏，请在平台页面重新登记一次年审",
                    "an annual review is not amended: record a new review from the platform's page",
                )
                .into(),
            ));
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
        // A record keeps the definition it was made under.
        let defined = before
            .details
            .defined()
            .map(|d| (d.policy.clone(), d.definition.clone()));
        let mut draft = draft.clone();
        draft.files = self.files_of(id).await?;
        let v = self
            .validated(&draft, model, pack, defined.as_ref(), lang)
            .await?;
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
        check_updated(done.rows_affected(), "record", id, expected_version)?;
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
            self.check_rule(&o, &pack, &after, draft.files, lang)?;
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

    /// Whether `record` (with `files` attached) still discharges `o` under its pack.
    fn check_rule(
        &self,
        o: &StoredObligation,
        pack: &PolicyPack,
        record: &Record,
        files: usize,
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
            record_kinds: &pack.record_kinds,
        };
        check(&facts, &record.facts(files))
            .map_err(|m| StorageError::Invalid(m.message(duty, lang)))
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
        let before = self
            .obligation_for_update(obligation_id, expected_version)
            .await?;
        let record = RECORDS.by_id(&mut *self.tx, record_id).await?;
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
        let files = self.files_of(record_id).await?;
        self.check_rule(&before, &pack, &record, files, lang)?;
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
        check_updated(
            done.rows_affected(),
            "obligation",
            obligation_id,
            expected_version,
        )?;
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
