//! Accountability cases (问责, Art.5–6): the case row with where its procedure stands and each
//! step's day and text, the case file (facts linked to the ledger, notes, the steps as taken,
//! addenda), and remediation tasks. The procedure's rules are the core's (`cases::Procedure`);
//! here each change is one transaction, checked against the version the caller saw, written to
//! the case file and audited. Every read of a case by a person is audited too (`audit_case_view`).
//! Nothing is deleted; a closed case takes only addenda.

pub mod attachments;
mod tasks;

pub use tasks::CaseTask;

use super::{check_updated, check_version, date_text, parse_date, parse_opt_date};
use crate::db::{Db, Tx, new_id};
use crate::error::{Result, StorageError};
use chrono::NaiveDate;
use serde::Serialize;
use serde_json::{Value, json};
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};
use zeren_core::cases::{
    Action, AppealDecision, CaseFields, CaseState, Decision, Fact, FactKind, Standing, SubjectKind,
};

/// A stored case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Case {
    /// Storage id.
    pub id: String,
    /// What it is about.
    pub fields: CaseFields,
    /// Where its procedure stands.
    pub state: CaseState,
    /// The user who referred it (a college secretary), if it was referred.
    pub referred_by: Option<String>,
    /// The day referred.
    pub referred_on: Option<NaiveDate>,
    /// Why the referral was declined.
    pub decline_reason: Option<String>,
    /// The day the case was opened (or the referral accepted).
    pub opened_on: Option<NaiveDate>,
    /// The person invited to state their case (the person, or whoever answers for the org).
    pub respondent: Option<String>,
    /// What was put to them.
    pub invitation: Option<String>,
    /// The day invited.
    pub invited_on: Option<NaiveDate>,
    /// The statement's last day.
    pub statement_due: Option<NaiveDate>,
    /// Their statement.
    pub statement: Option<String>,
    /// The day it came in.
    pub statement_on: Option<NaiveDate>,
    /// The day the statement period was recorded as passed.
    pub lapsed_on: Option<NaiveDate>,
    /// The decision.
    pub decision: Option<Decision>,
    /// The day it was served.
    pub notified_on: Option<NaiveDate>,
    /// The appeal's grounds.
    pub appeal: Option<String>,
    /// The day lodged.
    pub appealed_on: Option<NaiveDate>,
    /// The appeal's decision.
    pub appeal_decision: Option<AppealDecision>,
    /// The day closed.
    pub closed_on: Option<NaiveDate>,
    /// Edit version.
    pub version: i64,
    /// Who made the row (user name).
    pub created_by: String,
}

impl Case {
    /// What the procedure needs of it, with `open_tasks` remediation tasks not verified.
    pub fn standing(&self, open_tasks: usize) -> Standing {
        Standing {
            state: self.state,
            statement_due: self.statement_due,
            decided_on: self.decision.as_ref().map(|d| d.decided_on),
            notified_on: self.notified_on,
            open_tasks,
        }
    }

    /// The day the statement step completed (the statement's, or the lapse's).
    pub fn statement_done_on(&self) -> Option<NaiveDate> {
        self.statement_on.or(self.lapsed_on)
    }

    /// The whole case as JSON (the commission's view, and what the audit keeps).
    pub fn to_json(&self) -> Value {
        let f = &self.fields;
        json!({
            "id": self.id,
            "title": f.title,
            "subject_kind": f.subject_kind.as_str(),
            "org": f.org,
            "person": f.person,
            "post": f.post,
            "period_from": date_text(f.period_from),
            "period_to": date_text(f.period_to),
            "grounds": f.grounds,
            "background": f.background,
            "state": self.state.as_str(),
            "referred_by": self.referred_by,
            "referred_on": self.referred_on.map(date_text),
            "decline_reason": self.decline_reason,
            "opened_on": self.opened_on.map(date_text),
            "respondent": self.respondent,
            "invitation": self.invitation,
            "invited_on": self.invited_on.map(date_text),
            "statement_due": self.statement_due.map(date_text),
            "statement": self.statement,
            "statement_on": self.statement_on.map(date_text),
            "lapsed_on": self.lapsed_on.map(date_text),
            "decision": self.decision.as_ref().map(decision_json),
            "notified_on": self.notified_on.map(date_text),
            "appeal": self.appeal,
            "appealed_on": self.appealed_on.map(date_text),
            "appeal_decision": self.appeal_decision.as_ref().map(appeal_json),
            "closed_on": self.closed_on.map(date_text),
            "version": self.version,
        })
    }
}

/// A decision as JSON.
pub fn decision_json(d: &Decision) -> Value {
    json!({
        "findings": d.findings.iter().map(|f| json!({
            "ground": f.ground, "upheld": f.upheld, "reason": f.reason,
        })).collect::<Vec<_>>(),
        "forms": d.forms,
        "deciding_body": d.deciding_body,
        "document_number": d.document_number,
        "decided_on": date_text(d.decided_on),
        "decision_text": d.decision_text,
    })
}

/// An appeal's decision as JSON.
pub fn appeal_json(a: &AppealDecision) -> Value {
    json!({
        "outcome": a.outcome.as_str(),
        "reason": a.reason,
        "forms": a.forms,
        "decided_on": date_text(a.decided_on),
    })
}

/// What an entry of the case file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EntryKind {
    /// A fact with its evidence.
    Fact,
    /// An investigation note.
    Note,
    /// A step of the procedure, as taken.
    Step,
    /// A dated addendum to a closed case.
    Addendum,
    /// An investigation task: its text, assignee and due day; done when a note answers it.
    Inquiry,
}

impl EntryKind {
    /// Stable spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::Fact => "fact",
            EntryKind::Note => "note",
            EntryKind::Step => "step",
            EntryKind::Addendum => "addendum",
            EntryKind::Inquiry => "inquiry",
        }
    }

    fn parse(s: &str) -> Option<EntryKind> {
        [
            EntryKind::Fact,
            EntryKind::Note,
            EntryKind::Step,
            EntryKind::Addendum,
            EntryKind::Inquiry,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// An entry of the case file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseEntry {
    /// Storage id.
    pub id: String,
    /// The case.
    pub case: String,
    /// Order within the case, from 1.
    pub seq: i64,
    /// What it is.
    pub kind: EntryKind,
    /// For a fact: what it links to.
    pub fact: Option<Fact>,
    /// For a step: the action taken (`accept`, `decide`, …).
    pub step: Option<String>,
    /// Its text (a fact's note, a note, a step's text, an addendum).
    pub text: String,
    /// The day it concerns.
    pub day: NaiveDate,
    /// The person who made it, if a person did.
    pub person: Option<String>,
    /// For an investigation task: who is to do it, by when.
    pub inquiry: Option<(String, NaiveDate)>,
    /// For a note reporting an investigation task done: the task's `seq`.
    pub answers: Option<i64>,
    /// Who made it (user name).
    pub created_by: String,
    /// When (ms since the epoch).
    pub created_at: i64,
}

impl CaseEntry {
    /// The entry as JSON.
    pub fn to_json(&self) -> Value {
        json!({
            "seq": self.seq,
            "kind": self.kind.as_str(),
            "fact_kind": self.fact.as_ref().map(|f| f.kind.as_str()),
            "reference": self.fact.as_ref().and_then(|f| f.reference.clone()),
            "ground": self.fact.as_ref().and_then(|f| f.ground.clone()),
            "indicator": self.fact.as_ref().and_then(|f| f.indicator.clone()),
            "step": self.step,
            "text": self.text,
            "day": date_text(self.day),
            "person": self.person,
            "assignee": self.inquiry.as_ref().map(|i| i.0.clone()),
            "due": self.inquiry.as_ref().map(|i| date_text(i.1)),
            "answers": self.answers,
            "created_by": self.created_by,
        })
    }
}

const COLS: &str = "id, org_id, title, subject_kind, person_id, post_id, period_from, period_to, grounds, background, state, referred_by, referred_on, decline_reason, opened_on, respondent_id, invitation, invited_on, statement_due, statement, statement_on, lapsed_on, decision, decided_on, notified_on, appeal, appealed_on, appeal_decision, appeal_decided_on, closed_on, version, created_by";
const ENTRY_COLS: &str = "id, case_id, seq, kind, fact_kind, reference, ground, indicator, step, text, day, person_id, assignee_id, due_on, answers, created_by, created_at";

const CASES: super::Rows<Case> = super::Rows {
    table: "cases",
    cols: COLS,
    what: "case",
    from: case_from,
};

fn corrupt(id: &str, what: &str) -> StorageError {
    StorageError::Corrupt(format!("case `{id}`: {what}"))
}

fn json_of<T: serde::de::DeserializeOwned>(
    id: &str,
    what: &str,
    s: Option<String>,
) -> Result<Option<T>> {
    s.map(|s| serde_json::from_str(&s).map_err(|_| corrupt(id, what)))
        .transpose()
}

fn case_from(r: &AnyRow) -> Result<Case> {
    let id: String = r.try_get("id")?;
    let state =
        CaseState::parse(&r.try_get::<String, _>("state")?).ok_or_else(|| corrupt(&id, "state"))?;
    let subject_kind = SubjectKind::parse(&r.try_get::<String, _>("subject_kind")?)
        .ok_or_else(|| corrupt(&id, "subject kind"))?;
    let grounds: Vec<String> =
        json_of(&id, "grounds", Some(r.try_get("grounds")?))?.unwrap_or_default();
    Ok(Case {
        fields: CaseFields {
            title: r.try_get("title")?,
            subject_kind,
            org: r.try_get("org_id")?,
            person: r.try_get("person_id")?,
            post: r.try_get("post_id")?,
            period_from: parse_date(&r.try_get::<String, _>("period_from")?)?,
            period_to: parse_date(&r.try_get::<String, _>("period_to")?)?,
            grounds,
            background: r.try_get("background")?,
        },
        state,
        referred_by: r.try_get("referred_by")?,
        referred_on: parse_opt_date(r.try_get("referred_on")?)?,
        decline_reason: r.try_get("decline_reason")?,
        opened_on: parse_opt_date(r.try_get("opened_on")?)?,
        respondent: r.try_get("respondent_id")?,
        invitation: r.try_get("invitation")?,
        invited_on: parse_opt_date(r.try_get("invited_on")?)?,
        statement_due: parse_opt_date(r.try_get("statement_due")?)?,
        statement: r.try_get("statement")?,
        statement_on: parse_opt_date(r.try_get("statement_on")?)?,
        lapsed_on: parse_opt_date(r.try_get("lapsed_on")?)?,
        decision: json_of(&id, "decision", r.try_get("decision")?)?,
        notified_on: parse_opt_date(r.try_get("notified_on")?)?,
        appeal: r.try_get("appeal")?,
        appealed_on: parse_opt_date(r.try_get("appealed_on")?)?,
        appeal_decision: json_of(&id, "appeal decision", r.try_get("appeal_decision")?)?,
        closed_on: parse_opt_date(r.try_get("closed_on")?)?,
        version: r.try_get("version")?,
        created_by: r.try_get("created_by")?,
        id,
    })
}

fn entry_from(r: &AnyRow) -> Result<CaseEntry> {
    let id: String = r.try_get("id")?;
    let kind = EntryKind::parse(&r.try_get::<String, _>("kind")?)
        .ok_or_else(|| corrupt(&id, "entry kind"))?;
    let fact = match r.try_get::<Option<String>, _>("fact_kind")? {
        Some(k) => Some(Fact {
            kind: FactKind::parse(&k).ok_or_else(|| corrupt(&id, "fact kind"))?,
            reference: r.try_get("reference")?,
            ground: r.try_get("ground")?,
            note: r.try_get("text")?,
            indicator: r.try_get("indicator")?,
        }),
        None => None,
    };
    Ok(CaseEntry {
        case: r.try_get("case_id")?,
        seq: r.try_get("seq")?,
        kind,
        fact,
        step: r.try_get("step")?,
        text: r.try_get("text")?,
        day: parse_date(&r.try_get::<String, _>("day")?)?,
        person: r.try_get("person_id")?,
        inquiry: match (
            r.try_get::<Option<String>, _>("assignee_id")?,
            parse_opt_date(r.try_get("due_on")?)?,
        ) {
            (Some(a), Some(d)) => Some((a, d)),
            _ => None,
        },
        answers: r.try_get("answers")?,
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
        id,
    })
}

/// Which cases to list.
#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    /// Orgs whose cases are listed (`None`: every org).
    pub orgs: Option<Vec<String>>,
    /// Only in these states (empty: any).
    pub states: Vec<CaseState>,
    /// Rows to skip.
    pub offset: i64,
    /// Most rows.
    pub limit: i64,
}

/// What a step of the procedure writes on the case row: the columns and their new values.
#[derive(Debug, Clone, Default)]
pub struct StepChange {
    /// `(column, value)` pairs; columns are this module's own names.
    pub set: Vec<(&'static str, Option<String>)>,
    /// The text the case file keeps of the step.
    pub text: String,
}

/// Columns a step may set.
const STEP_COLUMNS: &[&str] = &[
    "decline_reason",
    "opened_on",
    "respondent_id",
    "invitation",
    "invited_on",
    "statement_due",
    "statement",
    "statement_on",
    "lapsed_on",
    "decision",
    "decided_on",
    "notified_on",
    "appeal",
    "appealed_on",
    "appeal_decision",
    "appeal_decided_on",
    "closed_on",
];

impl StepChange {
    /// Sets `col` to `v`.
    pub fn set(mut self, col: &'static str, v: impl Into<String>) -> StepChange {
        self.set.push((col, Some(v.into())));
        self
    }

    /// Sets `col` to a day.
    pub fn day(self, col: &'static str, d: NaiveDate) -> StepChange {
        self.set(col, date_text(d))
    }

    /// The text kept on the case file.
    pub fn text(mut self, t: impl Into<String>) -> StepChange {
        self.text = t.into();
        self
    }

    /// The decision, as stored.
    pub fn decision(self, d: &Decision) -> StepChange {
        let day = d.decided_on;
        self.set("decision", decision_json(d).to_string())
            .day("decided_on", day)
    }

    /// The appeal's decision, as stored.
    pub fn appeal_decision(self, a: &AppealDecision) -> StepChange {
        let day = a.decided_on;
        self.set("appeal_decision", appeal_json(a).to_string())
            .day("appeal_decided_on", day)
    }
}

impl Db {
    /// One case.
    pub async fn case(&self, id: &str) -> Result<Case> {
        CASES.by_id(&self.pool, id.trim()).await
    }

    /// Cases newest first, filtered, with how many match.
    pub async fn cases(&self, f: &CaseFilter) -> Result<(Vec<Case>, i64)> {
        let mut cond = vec!["1 = 1".to_string()];
        let mut args: Vec<String> = Vec::new();
        if let Some(orgs) = &f.orgs {
            if orgs.is_empty() {
                return Ok((Vec::new(), 0));
            }
            cond.push(format!(
                "org_id IN ({})",
                super::placeholders(args.len() + 1, orgs.len())
            ));
            args.extend(orgs.iter().cloned());
        }
        if !f.states.is_empty() {
            cond.push(format!(
                "state IN ({})",
                super::placeholders(args.len() + 1, f.states.len())
            ));
            args.extend(f.states.iter().map(|s| s.as_str().to_string()));
        }
        CASES
            .page(
                &self.pool,
                &cond.join(" AND "),
                &args,
                "created_at DESC, id DESC",
                f.limit,
                f.offset,
            )
            .await
    }

    /// How many cases of `orgs` (every org when `None`) stand in each state, in one query.
    pub async fn case_counts(&self, orgs: Option<&[String]>) -> Result<Vec<(CaseState, i64)>> {
        let cond = match orgs {
            Some([]) => return Ok(Vec::new()),
            Some(o) => format!("WHERE org_id IN ({})", super::placeholders(1, o.len())),
            None => String::new(),
        };
        let mut q = sqlx::query(AssertSqlSafe(format!(
            "SELECT state, CAST(COUNT(*) AS BIGINT) AS n FROM cases {cond} GROUP BY state"
        )));
        for o in orgs.unwrap_or_default() {
            q = q.bind(o.clone());
        }
        let mut out = Vec::new();
        for r in q.fetch_all(&self.pool).await? {
            let state: String = r.try_get("state")?;
            let s = CaseState::parse(&state)
                .ok_or_else(|| StorageError::Corrupt(format!("case state `{state}`")))?;
            out.push((s, r.try_get("n")?));
        }
        out.sort_by_key(|(s, _)| CaseState::ALL.iter().position(|x| x == s));
        Ok(out)
    }

    /// The cases in which `person` is the respondent, newest first.
    pub async fn cases_of_respondent(&self, person: &str) -> Result<Vec<Case>> {
        CASES
            .slice(
                &self.pool,
                "respondent_id = $1",
                &[person.to_string()],
                "created_at DESC, id DESC",
                1_000,
                0,
            )
            .await
    }

    /// The referrals `user` made, newest first.
    pub async fn referrals_of(&self, user: &str) -> Result<Vec<Case>> {
        CASES
            .slice(
                &self.pool,
                "referred_by = $1",
                &[user.to_string()],
                "created_at DESC, id DESC",
                1_000,
                0,
            )
            .await
    }

    /// A case's file, in order.
    pub async fn case_entries(&self, case: &str) -> Result<Vec<CaseEntry>> {
        sqlx::query(AssertSqlSafe(format!(
            "SELECT {ENTRY_COLS} FROM case_entries WHERE case_id = $1 ORDER BY seq"
        )))
        .bind(case)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(entry_from)
        .collect()
    }

    /// The investigation tasks assigned to `person` that no note has reported done yet, by due
    /// day.
    pub async fn open_inquiries_of(&self, person: &str) -> Result<Vec<CaseEntry>> {
        sqlx::query(AssertSqlSafe(format!(
            "SELECT {} FROM case_entries e WHERE e.kind = 'inquiry' AND e.assignee_id = $1 \
             AND NOT EXISTS (SELECT 1 FROM case_entries a WHERE a.case_id = e.case_id AND a.answers = e.seq) \
             ORDER BY e.due_on, e.id",
            super::qualified(ENTRY_COLS, "e")
        )))
        .bind(person)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(entry_from)
        .collect()
    }
}

impl Tx {
    async fn case_for_update(&mut self, id: &str, expected: i64) -> Result<Case> {
        let c = CASES.by_id(&mut *self.tx, id).await?;
        check_version("case", id, expected, c.version)?;
        Ok(c)
    }

    /// Appends an entry to a case's file.
    #[allow(clippy::too_many_arguments)]
    async fn case_entry(
        &mut self,
        case: &str,
        kind: EntryKind,
        fact: Option<&Fact>,
        step: Option<&str>,
        text: &str,
        day: NaiveDate,
        person: Option<&str>,
    ) -> Result<CaseEntry> {
        let seq: i64 = sqlx::query_scalar(
            "SELECT CAST(COALESCE(MAX(seq), 0) AS BIGINT) FROM case_entries WHERE case_id = $1",
        )
        .bind(case)
        .fetch_one(&mut *self.tx)
        .await?;
        let e = CaseEntry {
            id: new_id(),
            case: case.to_string(),
            seq: seq + 1,
            kind,
            fact: fact.cloned(),
            step: step.map(str::to_string),
            text: text.to_string(),
            day,
            person: person.map(str::to_string),
            inquiry: None,
            answers: None,
            created_by: self.actor_name(),
            created_at: self.now_ms(),
        };
        sqlx::query(
            "INSERT INTO case_entries (id, case_id, seq, kind, fact_kind, reference, ground, indicator, step, text, day, person_id, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        )
        .bind(&e.id)
        .bind(case)
        .bind(e.seq)
        .bind(kind.as_str())
        .bind(fact.map(|f| f.kind.as_str()))
        .bind(fact.and_then(|f| f.reference.clone()))
        .bind(fact.and_then(|f| f.ground.clone()))
        .bind(fact.and_then(|f| f.indicator.clone()))
        .bind(step)
        .bind(text)
        .bind(date_text(day))
        .bind(person)
        .bind(&e.created_by)
        .bind(e.created_at)
        .execute(&mut *self.tx)
        .await?;
        Ok(e)
    }

    /// Opens a case (checked by `check_case`) with its first facts: by the commission
    /// (`referred` false: opened on `day`), or referred to it by a secretary (waiting for the
    /// commission to accept or decline it).
    pub async fn open_case(
        &mut self,
        fields: CaseFields,
        facts: &[Fact],
        referred: bool,
        day: NaiveDate,
        person: Option<&str>,
    ) -> Result<Case> {
        let now = self.now_ms();
        let c = Case {
            id: new_id(),
            state: if referred {
                CaseState::Referred
            } else {
                CaseState::Opened
            },
            referred_by: referred.then(|| self.actor_name()),
            referred_on: referred.then_some(day),
            decline_reason: None,
            opened_on: (!referred).then_some(day),
            respondent: None,
            invitation: None,
            invited_on: None,
            statement_due: None,
            statement: None,
            statement_on: None,
            lapsed_on: None,
            decision: None,
            notified_on: None,
            appeal: None,
            appealed_on: None,
            appeal_decision: None,
            closed_on: None,
            version: 1,
            created_by: self.actor_name(),
            fields,
        };
        let f = &c.fields;
        sqlx::query(
            "INSERT INTO cases (id, org_id, title, subject_kind, person_id, post_id, period_from, period_to, grounds, background, state, referred_by, referred_on, opened_on, version, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 1, $15, $16, $16)",
        )
        .bind(&c.id)
        .bind(&f.org)
        .bind(&f.title)
        .bind(f.subject_kind.as_str())
        .bind(&f.person)
        .bind(&f.post)
        .bind(date_text(f.period_from))
        .bind(date_text(f.period_to))
        .bind(serde_json::to_string(&f.grounds).unwrap_or_else(|_| "[]".into()))
        .bind(&f.background)
        .bind(c.state.as_str())
        .bind(&c.referred_by)
        .bind(c.referred_on.map(date_text))
        .bind(c.opened_on.map(date_text))
        .bind(&c.created_by)
        .bind(now)
        .execute(&mut *self.tx)
        .await?;
        let step = if referred { "refer" } else { "open" };
        self.case_entry(
            &c.id,
            EntryKind::Step,
            None,
            Some(step),
            &f.background,
            day,
            person,
        )
        .await?;
        for fact in facts {
            self.case_entry(
                &c.id,
                EntryKind::Fact,
                Some(fact),
                None,
                &fact.note,
                day,
                person,
            )
            .await?;
        }
        let action = if referred { "case.refer" } else { "case.open" };
        let mut after = c.to_json();
        after["facts"] = json!(facts.len());
        self.audit(action, "case", &c.id, None, Some(&after))
            .await?;
        Ok(c)
    }

    /// Takes a step of the procedure (`to` worked out by `Procedure::next`) on the case at
    /// `expected` version: writes `change` on the row and its text on the case file.
    #[allow(clippy::too_many_arguments)]
    pub async fn case_step(
        &mut self,
        id: &str,
        expected: i64,
        action: Action,
        to: CaseState,
        change: StepChange,
        day: NaiveDate,
        person: Option<&str>,
    ) -> Result<Case> {
        let before = self.case_for_update(id, expected).await?;
        if before.state == CaseState::Closed {
            return Err(StorageError::Invalid(format!(
                "case `{id}` is closed; it takes only addenda"
            )));
        }
        let mut sets = vec!["state = $1".to_string()];
        let mut values: Vec<Option<String>> = vec![Some(to.as_str().to_string())];
        for (col, v) in &change.set {
            if !STEP_COLUMNS.contains(col) {
                return Err(StorageError::Invalid(format!("case column `{col}`")));
            }
            values.push(v.clone());
            sets.push(format!("{col} = ${}", values.len()));
        }
        let n = values.len();
        let sql = format!(
            "UPDATE cases SET {}, version = version + 1, updated_at = ${} WHERE id = ${} AND version = ${}",
            sets.join(", "),
            n + 1,
            n + 2,
            n + 3
        );
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for v in values {
            q = q.bind(v);
        }
        let done = q
            .bind(self.now_ms())
            .bind(id)
            .bind(expected)
            .execute(&mut *self.tx)
            .await?;
        check_updated(done.rows_affected(), "case", id, expected)?;
        let after = CASES.by_id(&mut *self.tx, id).await?;
        self.case_entry(
            id,
            EntryKind::Step,
            None,
            Some(action.as_str()),
            &change.text,
            day,
            person,
        )
        .await?;
        self.audit(
            &format!("case.{}", action.as_str()),
            "case",
            id,
            Some(&before.to_json()),
            Some(&after.to_json()),
        )
        .await?;
        Ok(after)
    }

    /// Adds facts to an open case's file.
    pub async fn add_case_facts(
        &mut self,
        id: &str,
        facts: &[Fact],
        day: NaiveDate,
        person: Option<&str>,
    ) -> Result<Vec<CaseEntry>> {
        let c = CASES.by_id(&mut *self.tx, id).await?;
        if !c.state.open() {
            return Err(StorageError::Invalid(format!(
                "case `{id}` is {}; it takes no more facts",
                c.state.as_str()
            )));
        }
        let mut out = Vec::new();
        for f in facts {
            out.push(
                self.case_entry(id, EntryKind::Fact, Some(f), None, &f.note, day, person)
                    .await?,
            );
        }
        let after: Vec<Value> = out.iter().map(CaseEntry::to_json).collect();
        self.audit("case.facts", "case", id, None, Some(&json!(after)))
            .await?;
        Ok(out)
    }

    /// Adds a note to an open case, or an addendum to a closed one (`kind`).
    pub async fn add_case_note(
        &mut self,
        id: &str,
        kind: EntryKind,
        text: &str,
        day: NaiveDate,
        person: Option<&str>,
    ) -> Result<CaseEntry> {
        let c = CASES.by_id(&mut *self.tx, id).await?;
        let fits = match kind {
            EntryKind::Note => c.state.open(),
            EntryKind::Addendum => c.state == CaseState::Closed,
            _ => false,
        };
        if !fits {
            return Err(StorageError::Invalid(format!(
                "case `{id}` is {}; it takes no {}",
                c.state.as_str(),
                kind.as_str()
            )));
        }
        let e = self
            .case_entry(id, kind, None, None, text, day, person)
            .await?;
        self.audit(
            &format!("case.{}", kind.as_str()),
            "case",
            id,
            None,
            Some(&e.to_json()),
        )
        .await?;
        Ok(e)
    }

    /// Sets an investigation task on a case still in hand: `title` for `assignee` by `due`.
    #[allow(clippy::too_many_arguments)]
    pub async fn add_case_inquiry(
        &mut self,
        id: &str,
        title: &str,
        assignee: &str,
        due: NaiveDate,
        day: NaiveDate,
        person: Option<&str>,
    ) -> Result<CaseEntry> {
        let c = CASES.by_id(&mut *self.tx, id).await?;
        if !c.state.open() {
            return Err(StorageError::Invalid(format!(
                "case `{id}` is {}; it takes no investigation task",
                c.state.as_str()
            )));
        }
        let mut e = self
            .case_entry(id, EntryKind::Inquiry, None, None, title, day, person)
            .await?;
        sqlx::query("UPDATE case_entries SET assignee_id = $1, due_on = $2 WHERE id = $3")
            .bind(assignee)
            .bind(date_text(due))
            .bind(&e.id)
            .execute(&mut *self.tx)
            .await?;
        e.inquiry = Some((assignee.to_string(), due));
        self.audit("case.inquiry", "case", id, None, Some(&e.to_json()))
            .await?;
        Ok(e)
    }

    /// Reports the investigation task `seq` of a case still in hand done, with what was found
    /// (a note answering it); once.
    pub async fn answer_case_inquiry(
        &mut self,
        id: &str,
        seq: i64,
        text: &str,
        day: NaiveDate,
        person: Option<&str>,
    ) -> Result<CaseEntry> {
        let c = CASES.by_id(&mut *self.tx, id).await?;
        if !c.state.open() {
            return Err(StorageError::Invalid(format!(
                "case `{id}` is {}; its investigation is over",
                c.state.as_str()
            )));
        }
        let task: Option<String> = sqlx::query_scalar(
            "SELECT id FROM case_entries WHERE case_id = $1 AND seq = $2 AND kind = 'inquiry'",
        )
        .bind(id)
        .bind(seq)
        .fetch_optional(&mut *self.tx)
        .await?;
        if task.is_none() {
            return Err(super::not_found(
                "investigation task",
                &format!("{id}#{seq}"),
            ));
        }
        let done: Option<String> =
            sqlx::query_scalar("SELECT id FROM case_entries WHERE case_id = $1 AND answers = $2")
                .bind(id)
                .bind(seq)
                .fetch_optional(&mut *self.tx)
                .await?;
        if done.is_some() {
            return Err(StorageError::Invalid(format!(
                "investigation task {seq} of case `{id}` is done already"
            )));
        }
        let mut e = self
            .case_entry(id, EntryKind::Note, None, None, text, day, person)
            .await?;
        sqlx::query("UPDATE case_entries SET answers = $1 WHERE id = $2")
            .bind(seq)
            .bind(&e.id)
            .execute(&mut *self.tx)
            .await?;
        e.answers = Some(seq);
        self.audit("case.inquiry-done", "case", id, None, Some(&e.to_json()))
            .await?;
        Ok(e)
    }

    /// Records that a person read a case (`part`: what they read), or tried to and was refused.
    pub async fn audit_case_view(&mut self, id: &str, part: &str, refused: bool) -> Result<()> {
        let action = if refused {
            "case.view.refused"
        } else {
            "case.view"
        };
        self.audit(action, "case", id, None, Some(&json!({ "part": part })))
            .await
    }
}
