//! The ledger (台账) export's reads: one consistent snapshot of an org subtree's year, read on a
//! connection of its own inside a read-only transaction, so every sheet of a workbook agrees with
//! the others however long the export takes and whatever is written meanwhile.
//!
//! Obligations come page by page (keyset on due date and id); each page is one row holding a
//! JSON array, because the driver's cost is per row (SQLite's rows are handed over from its worker
//! thread one by one) and an export reads every obligation of the year. [`LedgerReader::counts`]
//! tells which orgs have anything on each sheet, so the export asks nothing of the empty ones.

use super::{date_text, parse_date, parse_opt_date};
use crate::db::{Backend, Db};
use crate::error::{Result, StorageError};
use chrono::NaiveDate;
use sqlx::{AnyConnection, AssertSqlSafe, Connection, Row};
use std::collections::HashMap;
use zeren_core::vocab::EvidenceKind;

/// An obligation for the ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerObligation {
    /// Id.
    pub id: String,
    /// Duty id.
    pub duty: String,
    /// The policy version it was made under.
    pub policy: String,
    /// Subject kind (`org`, `platform`, `person`, `event`).
    pub subject_kind: String,
    /// Subject id.
    pub subject: String,
    /// Org that owes it.
    pub org: String,
    /// Period key.
    pub period: String,
    /// Due date.
    pub due: NaiveDate,
    /// Citation as stored (`Art.4(2)`).
    pub citation: String,
    /// open, done or waived.
    pub state: String,
    /// Done on.
    pub completed_on: Option<NaiveDate>,
    /// Completion note.
    pub completion_note: Option<String>,
    /// The platform it concerns (the subject, or the platform of an event about one).
    pub platform: Option<String>,
}

impl LedgerObligation {
    /// The platform it concerns, in `model`.
    pub fn platform_in<'m>(
        &self,
        model: &'m zeren_core::org::OrgModel,
    ) -> Option<&'m zeren_core::org::Platform> {
        self.platform
            .as_deref()
            .and_then(|p| model.find_platform(p))
    }

    /// Its discharge state.
    pub fn discharge(&self) -> zeren_core::obligation::Discharge {
        use zeren_core::obligation::Discharge;
        match (self.state.as_str(), self.completed_on) {
            ("done", Some(d)) => Discharge::Done(d),
            ("waived", _) => Discharge::Waived,
            _ => Discharge::Open,
        }
    }
}

/// How many rows an org has on each sheet of a year's ledger.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LedgerCounts {
    /// Obligations (not withdrawn).
    pub obligations: i64,
    /// Live records dated in the year, by kind.
    pub records: HashMap<String, i64>,
    /// Live directives received in the year.
    pub directives: i64,
    /// Supervised tasks due in the year.
    pub tasks: i64,
    /// Online events held (or to be held) in the year.
    pub events: i64,
    /// Incidents that came to notice in the year.
    pub incidents: i64,
    /// Policies and projects planned to launch in the year.
    pub projects: i64,
}

impl LedgerCounts {
    /// Live records of one kind.
    pub fn records_of(&self, kind: &str) -> i64 {
        self.records.get(kind).copied().unwrap_or(0)
    }

    /// The kinds with live records that are not of the product's vocabulary: the kinds policy
    /// packs define (`[[record_kinds]]`), in no particular order.
    pub fn defined_kinds(&self) -> impl Iterator<Item = &str> {
        self.records
            .iter()
            .filter(|(kind, n)| **n > 0 && EvidenceKind::parse(kind).is_none())
            .map(|(kind, _)| kind.as_str())
    }
}

/// A record for the ledger (meetings, analyses, trainings, education activities).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerRecord {
    /// Id.
    pub id: String,
    /// Kind as stored (`meeting`, `analysis`, …).
    pub kind: String,
    /// Org.
    pub org: String,
    /// Date.
    pub date: NaiveDate,
    /// Title.
    pub title: String,
    /// Body (as stored).
    pub body: String,
    /// Topics (JSON as stored).
    pub topics: String,
    /// Attendees (JSON as stored).
    pub attendees: String,
    /// Version.
    pub version: i64,
    /// When it was made (epoch milliseconds): of a pack-defined kind, the later, the newer the
    /// definition its body carries.
    pub created_at: i64,
    /// Files attached (what a pack-defined kind's attachment field holds).
    pub files: i64,
}

/// A directive for the ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerDirective {
    /// Id.
    pub id: String,
    /// Org.
    pub org: String,
    /// Issuer.
    pub issuer: String,
    /// Document number.
    pub document_number: String,
    /// Received.
    pub received_on: NaiveDate,
    /// Title.
    pub title: String,
    /// Content.
    pub content: String,
}

/// A supervised task for the ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerTask {
    /// Id.
    pub id: String,
    /// Org of its directive.
    pub org: String,
    /// Directive title.
    pub directive: String,
    /// Title.
    pub title: String,
    /// Owner (person id).
    pub owner: String,
    /// Deadline.
    pub deadline: NaiveDate,
    /// Status as stored.
    pub status: String,
    /// Completed.
    pub completed_on: Option<NaiveDate>,
}

/// The columns of a [`LedgerRecord`], of `records r`.
const RECORD_COLUMNS: &str = "r.id, r.kind, r.org_id, r.record_date, r.title, r.body, r.topics, \
     r.attendees, r.version, r.created_at, \
     (SELECT CAST(COUNT(*) AS BIGINT) FROM record_attachments a WHERE a.record_id = r.id) AS files";

fn ledger_record(r: &sqlx::any::AnyRow) -> Result<LedgerRecord> {
    Ok(LedgerRecord {
        id: r.try_get("id")?,
        kind: r.try_get("kind")?,
        org: r.try_get("org_id")?,
        date: parse_date(&r.try_get::<String, _>("record_date")?)?,
        title: r.try_get("title")?,
        body: r.try_get("body")?,
        topics: r.try_get("topics")?,
        attendees: r.try_get("attendees")?,
        version: r.try_get("version")?,
        created_at: r.try_get("created_at")?,
        files: r.try_get("files")?,
    })
}

fn year_bounds(year: i32) -> (String, String) {
    (format!("{year:04}-01-01"), format!("{year:04}-12-31"))
}

/// SQLite page cache of the export's own connection (KiB, as `PRAGMA cache_size` takes it when
/// negative). A year's obligations are read org by org, and one org's rows are spread over many
/// pages shared with other orgs: with the default 2 MB cache each page would be read again for
/// every org on it. Memory is only taken as pages are read, and goes with the connection.
const EXPORT_CACHE_KIB: i64 = 65_536;

/// One consistent read of the ledger (see the module docs). Call [`LedgerReader::finish`] at the
/// end; dropped without it, its connection is closed and the read transaction with it.
pub struct LedgerReader {
    conn: AnyConnection,
    backend: Backend,
    records: bool,
}

impl Db {
    /// Opens a consistent read of the ledger on a connection of its own (taken out of the pool
    /// and closed at the end, so its larger cache never stays behind).
    pub async fn ledger_reader(&self) -> Result<LedgerReader> {
        let mut conn = self.pool.acquire().await?.detach();
        let begin = match self.backend() {
            Backend::Sqlite => {
                sqlx::query(AssertSqlSafe(format!(
                    "PRAGMA cache_size = -{EXPORT_CACHE_KIB}"
                )))
                .execute(&mut conn)
                .await?;
                // Deferred: the snapshot is the one the first read sees (WAL).
                "BEGIN"
            }
            Backend::Postgres => "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
        };
        sqlx::query(begin).execute(&mut conn).await?;
        let records = super::feeds::table_exists(&mut conn, "records").await?;
        Ok(LedgerReader {
            conn,
            backend: self.backend(),
            records,
        })
    }
}

impl LedgerReader {
    /// Ends the read and closes its connection.
    pub async fn finish(mut self) -> Result<()> {
        sqlx::query("COMMIT").execute(&mut self.conn).await?;
        self.conn.close().await?;
        Ok(())
    }

    /// Where platform `id` stands, with every step it took, in this read.
    pub async fn platform(&mut self, id: &str) -> Result<super::platforms::PlatformLifecycle> {
        super::platforms::lifecycle(&mut self.conn, id).await
    }

    /// Whether the evidence-record tables exist (the records area's migration).
    pub fn has_records(&self) -> bool {
        self.records
    }

    /// One page of an org's obligations of a year, by due date then id, after the key `after`
    /// (keyset paging: memory stays flat however many there are).
    pub async fn obligations(
        &mut self,
        org: &str,
        year: i32,
        after: Option<(NaiveDate, String)>,
        limit: i64,
    ) -> Result<Vec<LedgerObligation>> {
        let (day, id) = after
            .map(|(d, id)| (date_text(d), id))
            .unwrap_or_else(|| (String::new(), String::new()));
        // One row holding the page as a JSON array (see the module docs). The
        // (org_id, year, due_on, id) index answers it in order, without a sort.
        let columns = "id, duty_id, policy_id, subject_kind, subject_id, period, due_on, citation, state, completed_on, completion_note, platform_id";
        let (aggregate, array) = match self.backend {
            Backend::Sqlite => ("json_group_array", "json_array"),
            Backend::Postgres => ("json_agg", "json_build_array"),
        };
        let page: Option<String> = sqlx::query_scalar(AssertSqlSafe(format!(
            "SELECT CAST({aggregate}({array}({columns}) ORDER BY due_on, id) AS TEXT) FROM ( \
             SELECT {columns} FROM obligations WHERE org_id = $1 AND year = $2 AND state <> 'withdrawn' \
             AND (due_on, id) > ($3, $4) ORDER BY due_on, id LIMIT {}) page",
            limit.clamp(1, 10_000)
        )))
        .bind(org)
        .bind(i64::from(year))
        .bind(day)
        .bind(id)
        .fetch_one(&mut self.conn)
        .await?;
        type Row = (
            String,
            String,
            String,
            String,
            String,
            String,
            String,
            String,
            String,
            Option<String>,
            Option<String>,
            Option<String>,
        );
        let rows: Vec<Row> = match page.as_deref() {
            None | Some("") => Vec::new(),
            Some(json) => serde_json::from_str(json)
                .map_err(|e| StorageError::Corrupt(format!("ledger page: {e}")))?,
        };
        rows.into_iter()
            .map(
                |(
                    id,
                    duty,
                    policy,
                    subject_kind,
                    subject,
                    period,
                    due,
                    citation,
                    state,
                    done,
                    note,
                    platform,
                )| {
                    Ok(LedgerObligation {
                        id,
                        duty,
                        policy,
                        subject_kind,
                        subject,
                        org: org.to_string(),
                        period,
                        due: parse_date(&due)?,
                        citation,
                        state,
                        completed_on: parse_opt_date(done)?,
                        completion_note: note,
                        platform,
                    })
                },
            )
            .collect()
    }

    /// How many rows each org has on each sheet of the year's ledger
    /// ([`LedgerCounts`]), in one query per table: the export skips the orgs with nothing to
    /// show instead of asking each of a thousand orgs for its empty lists.
    pub async fn counts(&mut self, year: i32) -> Result<HashMap<String, LedgerCounts>> {
        let (from, to) = year_bounds(year);
        let mut counts: HashMap<String, LedgerCounts> = HashMap::new();
        let rows = sqlx::query(
            "SELECT org_id, CAST(COUNT(*) AS BIGINT) AS n FROM obligations \
             WHERE year = $1 AND state <> 'withdrawn' GROUP BY org_id",
        )
        .bind(i64::from(year))
        .fetch_all(&mut self.conn)
        .await?;
        for r in &rows {
            counts.entry(r.try_get("org_id")?).or_default().obligations = r.try_get("n")?;
        }
        if !self.records {
            return Ok(counts);
        }
        let rows = sqlx::query(
            "SELECT org_id, kind, CAST(COUNT(*) AS BIGINT) AS n FROM records \
             WHERE record_date >= $1 AND record_date <= $2 AND archived = 0 GROUP BY org_id, kind",
        )
        .bind(&from)
        .bind(&to)
        .fetch_all(&mut self.conn)
        .await?;
        for r in &rows {
            let kind: String = r.try_get("kind")?;
            let n: i64 = r.try_get("n")?;
            let c = counts.entry(r.try_get("org_id")?).or_default();
            *c.records.entry(kind).or_default() += n;
        }
        for (org, n) in self
            .per_org(
                "SELECT org_id, CAST(COUNT(*) AS BIGINT) AS n FROM directives \
                 WHERE received_on >= $1 AND received_on <= $2 AND archived = 0 GROUP BY org_id",
                &from,
                &to,
            )
            .await?
        {
            counts.entry(org).or_default().directives = n;
        }
        for (org, n) in self
            .per_org(
                "SELECT dv.org_id, CAST(COUNT(*) AS BIGINT) AS n FROM tasks t JOIN directives dv ON dv.id = t.directive_id \
                 WHERE t.deadline >= $1 AND t.deadline <= $2 AND dv.archived = 0 GROUP BY dv.org_id",
                &from,
                &to,
            )
            .await?
        {
            counts.entry(org).or_default().tasks = n;
        }
        for (org, n) in self
            .per_org(
                "SELECT org_id, CAST(COUNT(*) AS BIGINT) AS n FROM online_events \
                 WHERE event_day >= $1 AND event_day <= $2 GROUP BY org_id",
                &from,
                &to,
            )
            .await?
        {
            counts.entry(org).or_default().events = n;
        }
        for (org, n) in self
            .per_org(
                "SELECT org_id, CAST(COUNT(*) AS BIGINT) AS n FROM incidents \
                 WHERE noticed_day >= $1 AND noticed_day <= $2 GROUP BY org_id",
                &from,
                &to,
            )
            .await?
        {
            counts.entry(org).or_default().incidents = n;
        }
        for (org, n) in self
            .per_org(
                "SELECT org_id, CAST(COUNT(*) AS BIGINT) AS n FROM projects \
                 WHERE launch_on >= $1 AND launch_on <= $2 GROUP BY org_id",
                &from,
                &to,
            )
            .await?
        {
            counts.entry(org).or_default().projects = n;
        }
        Ok(counts)
    }

    /// (org id, count) of a `GROUP BY org_id` count over the days `from` to `to`.
    async fn per_org(
        &mut self,
        sql: &'static str,
        from: &str,
        to: &str,
    ) -> Result<Vec<(String, i64)>> {
        let rows = sqlx::query(sql)
            .bind(from)
            .bind(to)
            .fetch_all(&mut self.conn)
            .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("org_id")?, r.try_get("n")?)))
            .collect()
    }

    /// One page of an org's live records of one kind dated in `year`, by date then id, after
    /// the key `after` (keyset paging: a college with thousands of meetings is read a page at a
    /// time). `kind || ''` keeps SQLite on the org's index rather than scanning every record
    /// of the kind.
    pub async fn records(
        &mut self,
        org: &str,
        kind: &str,
        year: i32,
        after: Option<(NaiveDate, String)>,
        limit: i64,
    ) -> Result<Vec<LedgerRecord>> {
        let (from, to) = year_bounds(year);
        let (day, id) = after
            .map(|(d, id)| (date_text(d), id))
            .unwrap_or_else(|| (String::new(), String::new()));
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {RECORD_COLUMNS} FROM records r \
             WHERE r.org_id = $1 AND r.kind || '' = $2 AND r.record_date >= $3 AND r.record_date <= $4 \
             AND r.archived = 0 AND (r.record_date, r.id) > ($5, $6) ORDER BY r.record_date, r.id LIMIT {}",
            limit.clamp(1, 10_000)
        )))
        .bind(org)
        .bind(kind)
        .bind(from)
        .bind(to)
        .bind(day)
        .bind(id)
        .fetch_all(&mut self.conn)
        .await?;
        rows.iter().map(ledger_record).collect()
    }

    /// An org's most recently made live record of a pack-defined kind dated in `year`: the
    /// one carrying the newest definition of the kind (a record keeps the definition in force
    /// when it was made).
    pub async fn newest_defined_record(
        &mut self,
        org: &str,
        kind: &str,
        year: i32,
    ) -> Result<Option<LedgerRecord>> {
        let (from, to) = year_bounds(year);
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {RECORD_COLUMNS} FROM records r \
             WHERE r.org_id = $1 AND r.kind || '' = $2 AND r.record_date >= $3 AND r.record_date <= $4 \
             AND r.archived = 0 ORDER BY r.created_at DESC, r.id DESC LIMIT 1"
        )))
        .bind(org)
        .bind(kind)
        .bind(from)
        .bind(to)
        .fetch_optional(&mut self.conn)
        .await?;
        row.as_ref().map(ledger_record).transpose()
    }

    /// An org's incidents noticed in `year`, by the time they came to notice, each with its
    /// timeline, in two reads.
    pub async fn incidents(
        &mut self,
        org: &str,
        year: i32,
    ) -> Result<
        Vec<(
            super::incidents::Incident,
            Vec<super::incidents::TimelineEntry>,
        )>,
    > {
        let (from, to) = year_bounds(year);
        let incidents: Vec<super::incidents::Incident> = sqlx::query(AssertSqlSafe(format!(
            "SELECT {} FROM incidents WHERE org_id = $1 AND noticed_day >= $2 AND noticed_day <= $3 ORDER BY noticed_at, id",
            super::incidents::COLS
        )))
        .bind(org)
        .bind(&from)
        .bind(&to)
        .fetch_all(&mut self.conn)
        .await?
        .iter()
        .map(super::incidents::incident_from)
        .collect::<Result<_>>()?;
        let mut lines = super::incidents::timelines_of_org(&mut self.conn, org, &from, &to).await?;
        Ok(incidents
            .into_iter()
            .map(|i| {
                let line = lines.remove(&i.id).unwrap_or_default();
                (i, line)
            })
            .collect())
    }

    /// An org's policies and projects planned to launch in `year`, by planned launch, each with
    /// its assessments.
    pub async fn projects(
        &mut self,
        org: &str,
        year: i32,
    ) -> Result<
        Vec<(
            super::projects::Project,
            Vec<super::projects::RiskAssessment>,
        )>,
    > {
        let (from, to) = year_bounds(year);
        super::projects::projects_of_org(&mut self.conn, org, &from, &to).await
    }

    /// An org's online events of `year`, by start.
    pub async fn online_events(
        &mut self,
        org: &str,
        year: i32,
    ) -> Result<Vec<super::events::OnlineEvent>> {
        let (from, to) = year_bounds(year);
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {} FROM online_events WHERE org_id = $1 AND event_day >= $2 AND event_day <= $3 ORDER BY starts_at, id",
            super::events::COLS
        )))
        .bind(org)
        .bind(from)
        .bind(to)
        .fetch_all(&mut self.conn)
        .await?;
        rows.iter().map(super::events::event_from).collect()
    }

    /// An org's live directives received in `year`.
    pub async fn directives(&mut self, org: &str, year: i32) -> Result<Vec<LedgerDirective>> {
        let (from, to) = year_bounds(year);
        let rows = sqlx::query(
            "SELECT id, org_id, issuer, document_number, received_on, title, content FROM directives \
             WHERE org_id = $1 AND received_on >= $2 AND received_on <= $3 AND archived = 0 ORDER BY received_on, id",
        )
        .bind(org)
        .bind(from)
        .bind(to)
        .fetch_all(&mut self.conn)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(LedgerDirective {
                    id: r.try_get("id")?,
                    org: r.try_get("org_id")?,
                    issuer: r.try_get("issuer")?,
                    document_number: r.try_get("document_number")?,
                    received_on: parse_date(&r.try_get::<String, _>("received_on")?)?,
                    title: r.try_get("title")?,
                    content: r.try_get("content")?,
                })
            })
            .collect()
    }

    /// The supervised tasks of an org's directives whose deadline falls in `year`.
    pub async fn tasks(&mut self, org: &str, year: i32) -> Result<Vec<LedgerTask>> {
        let (from, to) = year_bounds(year);
        let rows = sqlx::query(
            "SELECT t.id, dv.org_id, dv.title AS directive, t.title, t.owner_id, t.deadline, t.status, t.completed_on \
             FROM tasks t JOIN directives dv ON dv.id = t.directive_id \
             WHERE dv.org_id = $1 AND t.deadline >= $2 AND t.deadline <= $3 AND dv.archived = 0 ORDER BY t.deadline, t.id",
        )
        .bind(org)
        .bind(from)
        .bind(to)
        .fetch_all(&mut self.conn)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(LedgerTask {
                    id: r.try_get("id")?,
                    org: r.try_get("org_id")?,
                    directive: r.try_get("directive")?,
                    title: r.try_get("title")?,
                    owner: r.try_get("owner_id")?,
                    deadline: parse_date(&r.try_get::<String, _>("deadline")?)?,
                    status: r.try_get("status")?,
                    completed_on: parse_opt_date(r.try_get("completed_on")?)?,
                })
            })
            .collect()
    }
}
