//! Incidents (舆情事件, Art.4(4), Art.3): recorded, changed, handled entry by entry on their
//! timeline, paused and resumed where the pack allows, signed off by the first responsible
//! person, closed with a review that opens rectification tasks. Each incident is the event the
//! pack's incident duty hangs on: recording it owes that obligation at once, due by the
//! closure-report clock of its severity; closing it discharges it. Zeren records each change of
//! severity, handler and state on the timeline by itself. The rules are
//! [`zeren_core::incidents`]; each change is one transaction, checked against the version the
//! caller saw where it edits, and audited.

use super::{check_updated, check_version, date_text, parse_date, placeholders};
use crate::db::{Db, Tx, new_id};
use crate::error::{Result, StorageError};
use chrono::{Duration, NaiveDate, NaiveDateTime};
use serde::Serialize;
use serde_json::{Value, json};
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};
use zeren_core::clock::shanghai;
use zeren_core::events::{date_time_text, parse_date_time};
use zeren_core::incidents::{Closure, Entry, IncidentFields, IncidentRules, Recorded};
use zeren_core::obligation::Event;
use zeren_core::org::OrgModel;
use zeren_core::policy::Policies;
use zeren_core::vocab::{EventKind, IncidentChannel, IncidentClock, TimelineKind};

pub mod attachments;
mod kept;
mod stats;
mod tallies;

pub use kept::KeptClocks;
pub use stats::{CLOSE_BUCKETS, IncidentStats};
pub(crate) use tallies::tally_all;

/// A stored incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Incident {
    /// Storage id.
    pub id: String,
    /// Its fields (severity and handler as they are now).
    pub fields: IncidentFields,
    /// Whether it is closed.
    pub closed: bool,
    /// Whether its clocks are stopped.
    pub paused: bool,
    /// The day its closure report is due (the closure-report clock of its severity).
    pub closure_due: Option<NaiveDate>,
    /// When it was closed.
    pub closed_at: Option<NaiveDateTime>,
    /// The closure review: what was done.
    pub handled: Option<String>,
    /// The closure review: what is changed so it does not recur.
    pub prevention: Option<String>,
    /// Edit version.
    pub version: i64,
    /// Who recorded it (user name).
    pub created_by: String,
    /// Its clocks as worked out at its last change, if they have been since.
    #[serde(skip)]
    pub kept: Option<KeptClocks>,
}

impl Incident {
    /// The event its obligations hang on: its day, its platform, and the closure report's
    /// deadline as the event's own.
    pub fn event(&self) -> Event {
        Event {
            id: self.id.clone(),
            kind: EventKind::Incident,
            org: self.fields.org.clone(),
            date: self.fields.day(),
            platform: self.fields.platform.clone(),
            due: self.closure_due,
        }
    }

    /// The whole incident as JSON (the API's shape, and what the audit keeps).
    pub fn to_json(&self) -> Value {
        let f = &self.fields;
        json!({
            "id": self.id,
            "title": f.title,
            "org": f.org,
            "platform": f.platform,
            "noticed_at": date_time_text(f.noticed_at),
            "channel": f.channel.as_str(),
            "source": f.source,
            "facts": f.facts,
            "severity": f.severity,
            "handler": f.handler,
            "state": if self.closed { "closed" } else { "open" },
            "paused": self.paused,
            "closure_due": self.closure_due.map(date_text),
            "closed_at": self.closed_at.map(date_time_text),
            "handled": self.handled,
            "prevention": self.prevention,
            "version": self.version,
        })
    }
}

/// One entry of an incident's timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimelineEntry {
    /// Storage id.
    pub id: String,
    /// Order within the incident, from 1.
    pub seq: i64,
    /// Kind.
    pub kind: TimelineKind,
    /// When it happened (as recorded by the person, or when Zeren recorded the change).
    pub at: NaiveDateTime,
    /// The person who recorded it, if the account is a person's.
    pub person: Option<String>,
    /// Whether that person was the first responsible person of the org at the time.
    pub as_first_responsible: bool,
    /// What was done, or the note of a change.
    pub detail: String,
    /// A change of severity: from.
    pub severity_from: Option<String>,
    /// A change of severity: to (on `recorded`: the first severity).
    pub severity_to: Option<String>,
    /// A change of handler: from.
    pub handler_from: Option<String>,
    /// A change of handler: to.
    pub handler_to: Option<String>,
    /// A pause's reason id.
    pub reason: Option<String>,
    /// The account that recorded it.
    pub created_by: String,
    /// When it was stored (milliseconds since the epoch).
    pub created_at: i64,
}

impl TimelineEntry {
    /// The entry as the rules read it.
    pub fn recorded(&self) -> Recorded<'_> {
        Recorded {
            kind: self.kind,
            at: self.at,
            by: self.person.as_deref(),
            as_first_responsible: self.as_first_responsible,
            severity: self.severity_to.as_deref(),
        }
    }
}

/// The rules' view of a timeline.
pub fn recorded(timeline: &[TimelineEntry]) -> Vec<Recorded<'_>> {
    timeline.iter().map(TimelineEntry::recorded).collect()
}

/// A rectification task a closure opened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IncidentTask {
    /// Storage id (the event id of its obligation).
    pub id: String,
    /// The incident.
    pub incident: String,
    /// The org that owes it.
    pub org: String,
    /// The platform concerned.
    pub platform: Option<String>,
    /// What is to be done.
    pub title: String,
    /// Owner's person id.
    pub owner: String,
    /// The day the closure opened it.
    pub opened_on: NaiveDate,
    /// Deadline.
    pub deadline: NaiveDate,
}

impl IncidentTask {
    /// The event its obligation hangs on (a rectification, with its own deadline).
    pub fn event(&self) -> Event {
        Event {
            id: self.id.clone(),
            kind: EventKind::Rectification,
            org: self.org.clone(),
            date: self.opened_on,
            platform: self.platform.clone(),
            due: Some(self.deadline),
        }
    }
}

pub(crate) const COLS: &str = "id, org_id, platform_id, title, noticed_at, channel, source, facts, severity, handler_id, state, paused, closure_due, closed_at, handled, prevention, version, created_by, clocks, clock_terms";
const ENTRY_COLS: &str = "id, incident_id, seq, kind, happened_at, person_id, as_first_responsible, detail, severity_from, severity_to, handler_from, handler_to, reason, created_by, created_at";
const TASK_COLS: &str =
    "id, incident_id, org_id, platform_id, title, owner_id, opened_on, deadline";

/// The incidents table.
const INCIDENTS: super::Rows<Incident> = super::Rows {
    table: "incidents",
    cols: COLS,
    what: "incident",
    from: incident_from,
};

fn corrupt(what: &str, id: &str) -> StorageError {
    StorageError::Corrupt(format!("incident `{id}`: {what}"))
}

fn instant(r: &AnyRow, col: &str, id: &str) -> Result<NaiveDateTime> {
    parse_date_time(&r.try_get::<String, _>(col)?).ok_or_else(|| corrupt(col, id))
}

/// The timelines of the incidents of `org` noticed between `from` and `to` (`YYYY-MM-DD`), by
/// incident, over `conn`.
pub(crate) async fn timelines_of_org(
    conn: &mut sqlx::AnyConnection,
    org: &str,
    from: &str,
    to: &str,
) -> Result<std::collections::HashMap<String, Vec<TimelineEntry>>> {
    let mut out: std::collections::HashMap<String, Vec<TimelineEntry>> =
        std::collections::HashMap::new();
    for r in sqlx::query(AssertSqlSafe(format!(
        "SELECT {} FROM incident_timeline t JOIN incidents i ON i.id = t.incident_id \
         WHERE i.org_id = $1 AND i.noticed_day >= $2 AND i.noticed_day <= $3 ORDER BY t.incident_id, t.seq",
        super::qualified(ENTRY_COLS, "t")
    )))
    .bind(org)
    .bind(from)
    .bind(to)
    .fetch_all(&mut *conn)
    .await?
    {
        let incident: String = r.try_get("incident_id")?;
        out.entry(incident).or_default().push(entry_from(&r)?);
    }
    Ok(out)
}

pub(crate) fn incident_from(r: &AnyRow) -> Result<Incident> {
    let id: String = r.try_get("id")?;
    let channel = IncidentChannel::parse(&r.try_get::<String, _>("channel")?)
        .ok_or_else(|| corrupt("channel", &id))?;
    let closed_at = match r.try_get::<Option<String>, _>("closed_at")? {
        Some(s) => Some(parse_date_time(&s).ok_or_else(|| corrupt("closed_at", &id))?),
        None => None,
    };
    Ok(Incident {
        fields: IncidentFields {
            title: r.try_get("title")?,
            org: r.try_get("org_id")?,
            platform: r.try_get("platform_id")?,
            noticed_at: instant(r, "noticed_at", &id)?,
            channel,
            source: r.try_get("source")?,
            facts: r.try_get("facts")?,
            severity: r.try_get("severity")?,
            handler: r.try_get("handler_id")?,
        },
        closed: r.try_get::<String, _>("state")? == "closed",
        paused: r.try_get::<i64, _>("paused")? != 0,
        closure_due: r
            .try_get::<Option<String>, _>("closure_due")?
            .map(|s| parse_date(&s))
            .transpose()?,
        closed_at,
        handled: r.try_get("handled")?,
        prevention: r.try_get("prevention")?,
        version: r.try_get("version")?,
        created_by: r.try_get("created_by")?,
        kept: KeptClocks::read(r.try_get("clock_terms")?, r.try_get("clocks")?),
        id,
    })
}

fn entry_from(r: &AnyRow) -> Result<TimelineEntry> {
    let id: String = r.try_get("id")?;
    let kind = TimelineKind::parse(&r.try_get::<String, _>("kind")?)
        .ok_or_else(|| corrupt("timeline kind", &id))?;
    Ok(TimelineEntry {
        seq: r.try_get("seq")?,
        kind,
        at: instant(r, "happened_at", &id)?,
        person: r.try_get("person_id")?,
        as_first_responsible: r.try_get::<i64, _>("as_first_responsible")? != 0,
        detail: r.try_get("detail")?,
        severity_from: r.try_get("severity_from")?,
        severity_to: r.try_get("severity_to")?,
        handler_from: r.try_get("handler_from")?,
        handler_to: r.try_get("handler_to")?,
        reason: r.try_get("reason")?,
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
        id,
    })
}

fn task_from(r: &AnyRow) -> Result<IncidentTask> {
    Ok(IncidentTask {
        id: r.try_get("id")?,
        incident: r.try_get("incident_id")?,
        org: r.try_get("org_id")?,
        platform: r.try_get("platform_id")?,
        title: r.try_get("title")?,
        owner: r.try_get("owner_id")?,
        opened_on: parse_date(&r.try_get::<String, _>("opened_on")?)?,
        deadline: parse_date(&r.try_get::<String, _>("deadline")?)?,
    })
}

/// The day the closure report of an incident of `severity` noticed at `noticed` is due, by the
/// pack's clock (none: the duty's own due rule applies).
pub fn closure_due(
    rules: &IncidentRules,
    severity: &str,
    noticed: NaiveDateTime,
) -> Option<NaiveDate> {
    let minutes = rules
        .severity(severity)?
        .limit(IncidentClock::ClosureReport)?;
    Some((noticed + Duration::minutes(i64::from(minutes))).date())
}

/// What a closure leaves for the indicators.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClosedFacts {
    /// The clocks that ran out before they were met.
    pub late: Vec<IncidentClock>,
    /// Art.3's personal handling done (or not asked for by its level).
    pub personal_done: bool,
}

impl ClosedFacts {
    /// As stored: the clocks comma-separated, or none.
    fn late_text(&self) -> Option<String> {
        (!self.late.is_empty()).then(|| {
            self.late
                .iter()
                .map(|c| c.as_str())
                .collect::<Vec<_>>()
                .join(",")
        })
    }
}

/// A closed incident that is an indicator: a clock ran out, or it closed without the personal
/// handling its level asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClosedIndicator {
    /// Incident id.
    pub id: String,
    /// Its severity.
    pub severity: String,
    /// The clocks that ran out.
    pub late: Vec<IncidentClock>,
    /// Whether Art.3's handling was done.
    pub personal_done: bool,
}

/// Which incidents to list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct IncidentFilter {
    /// Orgs whose incidents are listed (none: every org).
    pub orgs: Option<Vec<String>>,
    /// Only open (true) or closed (false) ones.
    pub open: Option<bool>,
    /// Only of this severity.
    pub severity: Option<String>,
    /// Only about this platform.
    pub platform: Option<String>,
    /// First day (inclusive).
    pub from: Option<NaiveDate>,
    /// Last day (inclusive).
    pub to: Option<NaiveDate>,
    /// Only open ones that may be late at this moment under rules of these terms: those whose
    /// kept clocks say so, and those whose clocks are not kept (or kept under other terms).
    pub late_by: Option<(NaiveDateTime, String)>,
    /// Rows to skip.
    pub offset: i64,
    /// Most rows.
    pub limit: i64,
}

impl IncidentFilter {
    /// The WHERE clause and its arguments; `None` when no org is in scope.
    fn clause(&self) -> Option<(String, Vec<String>)> {
        let mut cond = vec!["1 = 1".to_string()];
        let mut args: Vec<String> = Vec::new();
        if let Some(orgs) = &self.orgs {
            if orgs.is_empty() {
                return None;
            }
            cond.push(format!(
                "org_id IN ({})",
                placeholders(args.len() + 1, orgs.len())
            ));
            args.extend(orgs.iter().cloned());
        }
        if let Some(open) = self.open {
            args.push(if open { "open" } else { "closed" }.to_string());
            cond.push(format!("state = ${}", args.len()));
        }
        if let Some(s) = &self.severity {
            args.push(s.clone());
            cond.push(format!("severity = ${}", args.len()));
        }
        if let Some(p) = &self.platform {
            args.push(p.clone());
            cond.push(format!("platform_id = ${}", args.len()));
        }
        if let Some(d) = self.from {
            args.push(date_text(d));
            cond.push(format!("noticed_at >= ${}", args.len()));
        }
        if let Some(d) = self.to.and_then(|d| d.succ_opt()) {
            args.push(date_text(d));
            cond.push(format!("noticed_at < ${}", args.len()));
        }
        if let Some((now, terms)) = &self.late_by {
            args.push(date_time_text(*now));
            args.push(terms.clone());
            let (at, t) = (args.len() - 1, args.len());
            // Each part of the union as an index serves it: by the moment from which each
            // is late, and by the terms (or none) its clocks are kept under.
            cond.push(format!(
                "id IN (SELECT id FROM incidents WHERE state = 'open' AND late_from <= ${at} \
                 UNION ALL SELECT id FROM incidents WHERE clock_terms IS NULL AND state = 'open' \
                 UNION ALL SELECT id FROM incidents WHERE clock_terms < ${t} AND state = 'open' \
                 UNION ALL SELECT id FROM incidents WHERE clock_terms > ${t} AND state = 'open')"
            ));
        }
        Some((cond.join(" AND "), args))
    }
}

impl Db {
    /// The incident generation: it moves with every change of an incident, a timeline, a
    /// project or an assessment, and with nothing else.
    pub async fn incident_generation(&self) -> Result<i64> {
        Ok(
            sqlx::query_scalar("SELECT value FROM incident_generation WHERE id = 1")
                .fetch_one(&self.pool)
                .await?,
        )
    }

    /// One incident.
    pub async fn incident(&self, id: &str) -> Result<Incident> {
        INCIDENTS.by_id(&self.pool, id.trim()).await
    }

    /// Incidents by the time they came to notice (newest first), filtered, with how many match.
    pub async fn incidents(&self, f: &IncidentFilter) -> Result<(Vec<Incident>, i64)> {
        Ok((self.incident_page(f).await?, self.incident_count(f).await?))
    }

    /// Incidents by the time they came to notice (newest first), filtered: the page `f` asks
    /// for.
    pub async fn incident_page(&self, f: &IncidentFilter) -> Result<Vec<Incident>> {
        let Some((cond, args)) = f.clause() else {
            return Ok(Vec::new());
        };
        INCIDENTS
            .slice(
                &self.pool,
                &cond,
                &args,
                "noticed_at DESC, id DESC",
                f.limit,
                f.offset,
            )
            .await
    }

    /// How many incidents match `f` (its page aside).
    pub async fn incident_count(&self, f: &IncidentFilter) -> Result<i64> {
        let Some((cond, args)) = f.clause() else {
            return Ok(0);
        };
        INCIDENTS.count(&self.pool, &cond, &args).await
    }

    /// An incident's timeline, in the order it was added.
    pub async fn timeline(&self, id: &str) -> Result<Vec<TimelineEntry>> {
        sqlx::query(AssertSqlSafe(format!(
            "SELECT {ENTRY_COLS} FROM incident_timeline WHERE incident_id = $1 ORDER BY seq"
        )))
        .bind(id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(entry_from)
        .collect()
    }

    /// The timelines of several incidents (a page of the list), by incident id.
    pub async fn timelines(
        &self,
        ids: &[String],
    ) -> Result<std::collections::HashMap<String, Vec<TimelineEntry>>> {
        let mut out: std::collections::HashMap<String, Vec<TimelineEntry>> =
            std::collections::HashMap::new();
        for chunk in ids.chunks(500) {
            let mut q = sqlx::query(AssertSqlSafe(format!(
                "SELECT {ENTRY_COLS} FROM incident_timeline WHERE incident_id IN ({}) ORDER BY incident_id, seq",
                placeholders(1, chunk.len())
            )));
            for id in chunk {
                q = q.bind(id.clone());
            }
            for r in q.fetch_all(&self.pool).await? {
                let incident: String = r.try_get("incident_id")?;
                out.entry(incident).or_default().push(entry_from(&r)?);
            }
        }
        Ok(out)
    }

    /// The obligation each open incident's notices hang on (its incident duty's), by incident.
    pub async fn open_incident_obligations(
        &self,
    ) -> Result<std::collections::HashMap<String, String>> {
        sqlx::query(
            "SELECT o.subject_id, o.id FROM obligations o JOIN incidents i ON i.id = o.subject_id \
             WHERE o.subject_kind = 'event' AND i.state = 'open' ORDER BY o.subject_id, o.id",
        )
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| Ok((r.try_get("subject_id")?, r.try_get("id")?)))
        .collect()
    }

    /// The closed incidents of `orgs` (every org when `None`) that are indicators: a clock ran
    /// out, or the personal handling its level asked for was not done (`personal` lists those
    /// levels), newest first.
    pub async fn closed_incident_indicators(
        &self,
        orgs: Option<&[String]>,
        personal: &[String],
    ) -> Result<Vec<ClosedIndicator>> {
        let mut args: Vec<String> = Vec::new();
        // As the partial index says it, so that the index serves it.
        let mut cond = "state = 'closed' AND (late IS NOT NULL OR personal_done = 0)".to_string();
        if let Some(orgs) = orgs {
            if orgs.is_empty() {
                return Ok(Vec::new());
            }
            cond.push_str(&format!(
                " AND org_id IN ({})",
                placeholders(args.len() + 1, orgs.len())
            ));
            args.extend(orgs.iter().cloned());
        }
        let mut q = sqlx::query(AssertSqlSafe(format!(
            "SELECT id, severity, late, personal_done FROM incidents WHERE {cond} ORDER BY noticed_at DESC, id DESC"
        )));
        for a in &args {
            q = q.bind(a.clone());
        }
        let found: Vec<ClosedIndicator> = q
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                Ok(ClosedIndicator {
                    id: r.try_get("id")?,
                    severity: r.try_get("severity")?,
                    late: r
                        .try_get::<Option<String>, _>("late")?
                        .unwrap_or_default()
                        .split(',')
                        .filter_map(IncidentClock::parse)
                        .collect(),
                    personal_done: r.try_get::<Option<i64>, _>("personal_done")?.unwrap_or(1) != 0,
                })
            })
            .collect::<Result<_>>()?;
        // Closed without personal handling counts only at a level that asks for it.
        Ok(found
            .into_iter()
            .filter(|c| !c.late.is_empty() || personal.contains(&c.severity))
            .collect())
    }

    /// Incidents by id, in the order asked.
    pub async fn incidents_by_id(&self, ids: &[String]) -> Result<Vec<Incident>> {
        let mut found: std::collections::HashMap<String, Incident> =
            std::collections::HashMap::new();
        for chunk in ids.chunks(500) {
            let mut q = sqlx::query(AssertSqlSafe(format!(
                "SELECT {COLS} FROM incidents WHERE id IN ({})",
                placeholders(1, chunk.len())
            )));
            for id in chunk {
                q = q.bind(id.clone());
            }
            for r in q.fetch_all(&self.pool).await? {
                let i = incident_from(&r)?;
                found.insert(i.id.clone(), i);
            }
        }
        Ok(ids.iter().filter_map(|id| found.remove(id)).collect())
    }

    /// The rectification tasks an incident's closure opened.
    pub async fn incident_tasks(&self, incident: &str) -> Result<Vec<IncidentTask>> {
        sqlx::query(AssertSqlSafe(format!(
            "SELECT {TASK_COLS} FROM incident_tasks WHERE incident_id = $1 ORDER BY deadline, id"
        )))
        .bind(incident)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(task_from)
        .collect()
    }
}
/// What a new timeline entry holds beyond its kind, time and text.
#[derive(Debug, Clone, Default)]
struct Change {
    severity: Option<(Option<String>, String)>,
    handler: Option<(String, String)>,
    reason: Option<String>,
}

/// Who records an entry: the person (if the account is a person's) and whether they are the
/// first responsible person of the incident's org now.
#[derive(Debug, Clone, Copy, Default)]
pub struct RecordedBy<'a> {
    /// Person id.
    pub person: Option<&'a str>,
    /// Whether they are the first responsible person of the org now.
    pub first_responsible: bool,
}

impl Tx {
    /// The instant now, in Asia/Shanghai, to the minute (Zeren's own entries are dated so).
    fn local_now(&self) -> NaiveDateTime {
        let t = self.now().with_timezone(&shanghai()).naive_local();
        t.date()
            .and_hms_opt(chrono::Timelike::hour(&t), chrono::Timelike::minute(&t), 0)
            .unwrap_or(t)
    }

    async fn incident_for_update(&mut self, id: &str, expected: Option<i64>) -> Result<Incident> {
        let i = INCIDENTS.by_id(&mut *self.tx, id).await?;
        if let Some(expected) = expected {
            check_version("incident", id, expected, i.version)?;
        }
        if i.closed {
            return Err(StorageError::Invalid(format!(
                "incident `{id}` is closed; it is not changed"
            )));
        }
        Ok(i)
    }

    /// Adds an entry to the timeline of `incident` (locking its row for the order).
    async fn append(
        &mut self,
        incident: &str,
        kind: TimelineKind,
        at: NaiveDateTime,
        by: RecordedBy<'_>,
        detail: &str,
        change: Change,
    ) -> Result<TimelineEntry> {
        // The kept clocks no longer stand: they are worked out again.
        sqlx::query(
            "UPDATE incidents SET entries = entries + 1, clocks = NULL, clock_terms = NULL, late_from = NULL WHERE id = $1",
        )
            .bind(incident)
            .execute(&mut *self.tx)
            .await?;
        let seq: i64 = sqlx::query_scalar("SELECT entries FROM incidents WHERE id = $1")
            .bind(incident)
            .fetch_one(&mut *self.tx)
            .await?;
        let e = TimelineEntry {
            id: new_id(),
            seq,
            kind,
            at,
            person: by.person.map(str::to_string),
            as_first_responsible: by.first_responsible && by.person.is_some(),
            detail: detail.trim().to_string(),
            severity_from: change.severity.as_ref().and_then(|(f, _)| f.clone()),
            severity_to: change.severity.map(|(_, t)| t),
            handler_from: change.handler.as_ref().map(|(f, _)| f.clone()),
            handler_to: change.handler.map(|(_, t)| t),
            reason: change.reason,
            created_by: self.actor_name(),
            created_at: self.now_ms(),
        };
        sqlx::query(
            "INSERT INTO incident_timeline (id, incident_id, seq, kind, happened_at, person_id, as_first_responsible, detail, severity_from, severity_to, handler_from, handler_to, reason, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
        )
        .bind(&e.id)
        .bind(incident)
        .bind(e.seq)
        .bind(e.kind.as_str())
        .bind(date_time_text(e.at))
        .bind(&e.person)
        .bind(i64::from(e.as_first_responsible))
        .bind(&e.detail)
        .bind(&e.severity_from)
        .bind(&e.severity_to)
        .bind(&e.handler_from)
        .bind(&e.handler_to)
        .bind(&e.reason)
        .bind(&e.created_by)
        .bind(e.created_at)
        .execute(&mut *self.tx)
        .await?;
        Ok(e)
    }

    /// The obligation an incident's notices hang on (its incident duty's), if the pack has one.
    pub async fn incident_obligation(&mut self, id: &str) -> Result<Option<String>> {
        Ok(sqlx::query_scalar(
            "SELECT id FROM obligations WHERE subject_kind = 'event' AND subject_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_optional(&mut *self.tx)
        .await?)
    }

    /// Records an incident (fields checked by `check_incident`): its first timeline entry, and
    /// the obligation of the pack's incident duty, due by its closure-report clock.
    pub async fn record_incident(
        &mut self,
        fields: IncidentFields,
        by: RecordedBy<'_>,
        rules: &IncidentRules,
        policies: &Policies,
        model: &OrgModel,
    ) -> Result<Incident> {
        let now = self.now_ms();
        let i = Incident {
            id: new_id(),
            closure_due: closure_due(rules, &fields.severity, fields.noticed_at),
            fields,
            closed: false,
            paused: false,
            closed_at: None,
            handled: None,
            prevention: None,
            version: 1,
            created_by: self.actor_name(),
            kept: None,
        };
        let f = &i.fields;
        sqlx::query(
            "INSERT INTO incidents (id, org_id, platform_id, title, noticed_at, noticed_day, channel, source, facts, severity, handler_id, state, paused, entries, closure_due, version, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'open', 0, 0, $12, 1, $13, $14, $14)",
        )
        .bind(&i.id)
        .bind(&f.org)
        .bind(&f.platform)
        .bind(&f.title)
        .bind(date_time_text(f.noticed_at))
        .bind(date_text(f.day()))
        .bind(f.channel.as_str())
        .bind(&f.source)
        .bind(&f.facts)
        .bind(&f.severity)
        .bind(&f.handler)
        .bind(i.closure_due.map(date_text))
        .bind(&i.created_by)
        .bind(now)
        .execute(&mut *self.tx)
        .await?;
        self.append(
            &i.id,
            TimelineKind::Recorded,
            f.noticed_at,
            by,
            "",
            Change {
                severity: Some((None, f.severity.clone())),
                handler: Some((String::new(), f.handler.clone())),
                reason: None,
            },
        )
        .await?;
        tallies::retally(&mut self.tx, None, Some(&i)).await?;
        self.audit(
            "incident.record",
            "incident",
            &i.id,
            None,
            Some(&i.to_json()),
        )
        .await?;
        self.plan_event(&i.event(), None, policies, model).await?;
        Ok(i)
    }

    /// Changes an incident's fields. A new severity or handler is put on the timeline (with
    /// `note`), and a new severity moves the closure report's deadline.
    #[allow(clippy::too_many_arguments)]
    pub async fn edit_incident(
        &mut self,
        id: &str,
        expected_version: i64,
        fields: IncidentFields,
        note: &str,
        by: RecordedBy<'_>,
        rules: &IncidentRules,
        policies: &Policies,
        model: &OrgModel,
    ) -> Result<Incident> {
        let before = self.incident_for_update(id, Some(expected_version)).await?;
        let mut after = before.clone();
        after.fields = fields;
        after.fields.org = before.fields.org.clone();
        after.closure_due = closure_due(rules, &after.fields.severity, after.fields.noticed_at);
        after.version += 1;
        let f = &after.fields;
        let done = sqlx::query(
            "UPDATE incidents SET platform_id = $1, title = $2, noticed_at = $3, noticed_day = $4, channel = $5, source = $6, facts = $7, \
             severity = $8, handler_id = $9, closure_due = $10, clocks = NULL, clock_terms = NULL, late_from = NULL, \
             version = version + 1, updated_at = $11 WHERE id = $12 AND version = $13",
        )
        .bind(&f.platform)
        .bind(&f.title)
        .bind(date_time_text(f.noticed_at))
        .bind(date_text(f.day()))
        .bind(f.channel.as_str())
        .bind(&f.source)
        .bind(&f.facts)
        .bind(&f.severity)
        .bind(&f.handler)
        .bind(after.closure_due.map(date_text))
        .bind(self.now_ms())
        .bind(id)
        .bind(expected_version)
        .execute(&mut *self.tx)
        .await?;
        check_updated(done.rows_affected(), "incident", id, expected_version)?;
        let now = self.local_now();
        if before.fields.severity != after.fields.severity {
            let change = Change {
                severity: Some((
                    Some(before.fields.severity.clone()),
                    after.fields.severity.clone(),
                )),
                ..Change::default()
            };
            self.append(id, TimelineKind::Severity, now, by, note, change)
                .await?;
        }
        if before.fields.handler != after.fields.handler {
            let change = Change {
                handler: Some((before.fields.handler.clone(), after.fields.handler.clone())),
                ..Change::default()
            };
            self.append(id, TimelineKind::Handler, now, by, note, change)
                .await?;
        }
        tallies::retally(&mut self.tx, Some(&before), Some(&after)).await?;
        self.audit(
            "incident.edit",
            "incident",
            id,
            Some(&before.to_json()),
            Some(&after.to_json()),
        )
        .await?;
        let left = (before.fields.day() != after.fields.day()).then(|| before.fields.day());
        self.plan_event(&after.event(), left, policies, model)
            .await?;
        Ok(after)
    }

    /// Adds an entry a person recorded (checked by `check_entry`).
    pub async fn add_incident_entry(
        &mut self,
        id: &str,
        entry: &Entry,
        by: RecordedBy<'_>,
    ) -> Result<TimelineEntry> {
        self.add_entry(
            id,
            entry.kind,
            entry.at,
            by,
            &entry.detail,
            "incident.entry",
        )
        .await
    }

    /// The first responsible person signs off their handling (checked by `check_sign_off`).
    pub async fn sign_off_incident(
        &mut self,
        id: &str,
        detail: &str,
        by: RecordedBy<'_>,
    ) -> Result<TimelineEntry> {
        let now = self.local_now();
        self.add_entry(
            id,
            TimelineKind::SignOff,
            now,
            by,
            detail,
            "incident.sign_off",
        )
        .await
    }

    /// Adds an entry to an open incident's timeline, moves its version and audits it as
    /// `action`.
    async fn add_entry(
        &mut self,
        id: &str,
        kind: TimelineKind,
        at: NaiveDateTime,
        by: RecordedBy<'_>,
        detail: &str,
        action: &str,
    ) -> Result<TimelineEntry> {
        self.incident_for_update(id, None).await?;
        let e = self
            .append(id, kind, at, by, detail, Change::default())
            .await?;
        sqlx::query("UPDATE incidents SET version = version + 1, updated_at = $1 WHERE id = $2")
            .bind(self.now_ms())
            .bind(id)
            .execute(&mut *self.tx)
            .await?;
        self.audit(
            action,
            "incident",
            id,
            None,
            Some(&serde_json::to_value(&e).unwrap_or_default()),
        )
        .await?;
        Ok(e)
    }

    /// Stops (with the reason's id, checked by `check_pause`) or restarts the clocks.
    pub async fn pause_incident(
        &mut self,
        id: &str,
        expected_version: i64,
        reason: Option<&str>,
        note: &str,
        by: RecordedBy<'_>,
    ) -> Result<Incident> {
        let before = self.incident_for_update(id, Some(expected_version)).await?;
        let pause = reason.is_some();
        if before.paused == pause {
            return Err(StorageError::Invalid(format!(
                "incident `{id}`: the clocks are {} already",
                if pause { "stopped" } else { "running" }
            )));
        }
        let done = sqlx::query(
            "UPDATE incidents SET paused = $1, version = version + 1, updated_at = $2 WHERE id = $3 AND version = $4",
        )
        .bind(i64::from(pause))
        .bind(self.now_ms())
        .bind(id)
        .bind(expected_version)
        .execute(&mut *self.tx)
        .await?;
        check_updated(done.rows_affected(), "incident", id, expected_version)?;
        let kind = if pause {
            TimelineKind::Paused
        } else {
            TimelineKind::Resumed
        };
        let now = self.local_now();
        let change = Change {
            reason: reason.map(str::to_string),
            ..Change::default()
        };
        self.append(id, kind, now, by, note, change).await?;
        let mut after = before.clone();
        after.paused = pause;
        after.version += 1;
        self.audit(
            if pause {
                "incident.pause"
            } else {
                "incident.resume"
            },
            "incident",
            id,
            Some(&before.to_json()),
            Some(&after.to_json()),
        )
        .await?;
        Ok(after)
    }

    /// Closes an incident with its review (checked by `check_close`): the rectification tasks
    /// it opens with their obligations, and the incident's own obligation discharged today.
    /// `facts` is what the closure leaves for the indicators: the clocks that ran out, and
    /// whether Art.3's personal handling was done where its level asked for it.
    #[allow(clippy::too_many_arguments)]
    pub async fn close_incident(
        &mut self,
        id: &str,
        expected_version: i64,
        mut closure: Closure,
        facts: ClosedFacts,
        by: RecordedBy<'_>,
        policies: &Policies,
        model: &OrgModel,
    ) -> Result<Incident> {
        let before = self.incident_for_update(id, Some(expected_version)).await?;
        let now = self.local_now();
        let done = sqlx::query(
            "UPDATE incidents SET state = 'closed', paused = 0, closed_at = $1, handled = $2, prevention = $3, late = $4, personal_done = $5, \
             version = version + 1, updated_at = $6 WHERE id = $7 AND version = $8",
        )
        .bind(date_time_text(now))
        .bind(&closure.handled)
        .bind(&closure.prevention)
        .bind(facts.late_text())
        .bind(i64::from(facts.personal_done))
        .bind(self.now_ms())
        .bind(id)
        .bind(expected_version)
        .execute(&mut *self.tx)
        .await?;
        check_updated(done.rows_affected(), "incident", id, expected_version)?;
        self.append(
            id,
            TimelineKind::Closed,
            now,
            by,
            &closure.handled,
            Change::default(),
        )
        .await?;
        let mut after = before.clone();
        after.closed = true;
        after.paused = false;
        after.closed_at = Some(now);
        after.handled = Some(closure.handled.clone());
        after.prevention = Some(closure.prevention.clone());
        after.version += 1;
        let today = now.date();
        let mut events = Vec::new();
        for t in &mut closure.rectifications {
            t.id = new_id();
            let task = IncidentTask {
                id: t.id.clone(),
                incident: id.to_string(),
                org: before.fields.org.clone(),
                platform: before.fields.platform.clone(),
                title: t.title.clone(),
                owner: t.owner.clone(),
                opened_on: today,
                deadline: t.deadline,
            };
            sqlx::query(
                "INSERT INTO incident_tasks (id, incident_id, org_id, platform_id, title, owner_id, opened_on, deadline, created_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(&task.id)
            .bind(id)
            .bind(&task.org)
            .bind(&task.platform)
            .bind(&task.title)
            .bind(&task.owner)
            .bind(date_text(today))
            .bind(date_text(task.deadline))
            .bind(self.actor_name())
            .bind(self.now_ms())
            .execute(&mut *self.tx)
            .await?;
            self.audit(
                "rectification.open",
                "rectification",
                &task.id,
                None,
                Some(&serde_json::to_value(&task).unwrap_or_default()),
            )
            .await?;
            events.push(task.event());
        }
        tallies::retally(&mut self.tx, Some(&before), Some(&after)).await?;
        let mut json = after.to_json();
        json["rectifications"] = serde_json::to_value(&closure.rectifications).unwrap_or_default();
        self.audit(
            "incident.close",
            "incident",
            id,
            Some(&before.to_json()),
            Some(&json),
        )
        .await?;
        for e in &events {
            self.plan_event(e, None, policies, model).await?;
        }
        let owners: Vec<(&str, &str)> = closure
            .rectifications
            .iter()
            .map(|t| (t.id.as_str(), t.owner.as_str()))
            .collect();
        self.name_owners(&owners, model, today).await?;
        let note = format!("舆情事件已结案（{}）", date_text(today));
        self.discharge_event(id, today, &note).await?;
        Ok(after)
    }
}

/// The incidents noticed and the rectification tasks their closures opened in `year`, as the
/// events on-event duties hang on, over `conn`.
pub(crate) async fn incident_events_of_year(
    conn: &mut sqlx::AnyConnection,
    year: i32,
) -> Result<Vec<Event>> {
    let (from, to) = (format!("{year:04}-01-01"), format!("{year:04}-12-31"));
    let mut out = Vec::new();
    for r in sqlx::query(
        "SELECT id, org_id, platform_id, noticed_day, closure_due FROM incidents WHERE noticed_day >= $1 AND noticed_day <= $2 ORDER BY id",
    )
    .bind(&from)
    .bind(&to)
    .fetch_all(&mut *conn)
    .await?
    {
        out.push(Event {
            id: r.try_get("id")?,
            kind: EventKind::Incident,
            org: r.try_get("org_id")?,
            date: parse_date(&r.try_get::<String, _>("noticed_day")?)?,
            platform: r.try_get("platform_id")?,
            due: r
                .try_get::<Option<String>, _>("closure_due")?
                .map(|s| parse_date(&s))
                .transpose()?,
        });
    }
    for r in sqlx::query(AssertSqlSafe(format!(
        "SELECT {TASK_COLS} FROM incident_tasks WHERE opened_on >= $1 AND opened_on <= $2 ORDER BY id"
    )))
    .bind(&from)
    .bind(&to)
    .fetch_all(&mut *conn)
    .await?
    {
        out.push(task_from(&r)?.event());
    }
    Ok(out)
}
