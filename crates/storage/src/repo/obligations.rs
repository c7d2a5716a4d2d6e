//! Obligations as stored: the instances the policy requires, with their completion data; the
//! lists and roll-ups the ledger pages read (status computed from state and due date, in SQL
//! with the same rule as [`status_on`]); waivers (module `waivers`) and a year held in memory
//! (module `year_rows`).

use super::{Rows, check_updated, check_version, date_text, parse_date, parse_opt_date, qualified};
use crate::db::{Db, Tx, new_id};
use crate::error::{Result, StorageError};
use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use serde_json::json;
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;
use zeren_core::obligation::{
    Discharge, ObligationStatus, PlannedObligation, SubjectKind, status_on,
};
use zeren_core::org::{OrgModel, Platform};
use zeren_core::period::add_days;

mod changes;
mod reconcile;
mod waivers;
mod year_rows;
pub use changes::{LedgerChanges, ObligationChanges};
pub use waivers::{WAIVER_TEXT_MAX, Waiver, WaiverOutcome, WaiverState};
pub use year_rows::YearRows;

/// A stored obligation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredObligation {
    /// Storage id.
    pub id: String,
    /// Stable key (duty/subject/period).
    pub key: String,
    /// Policy version that required it.
    pub policy: String,
    /// Duty id.
    pub duty: String,
    /// Subject kind.
    pub subject_kind: String,
    /// Subject id.
    pub subject: String,
    /// The org that owes it.
    pub org: String,
    /// Period key.
    pub period: String,
    /// Due date.
    pub due: NaiveDate,
    /// Article citation.
    pub citation: String,
    /// open, done, waived, or withdrawn (no longer required: kept, audited, out of every list).
    pub state: String,
    /// Day it was done.
    pub completed_on: Option<NaiveDate>,
    /// Note on completion.
    pub completion_note: Option<String>,
    /// Edit version.
    pub version: i64,
    /// The person named as its handler (经办人), who keeps its records.
    pub handler: Option<String>,
    /// The platform it concerns (the subject, or the platform of an event about one).
    pub platform: Option<String>,
}

impl StoredObligation {
    /// The platform it concerns, in `model` (what a `portfolio:subject` duty answers by).
    pub fn platform_in<'m>(&self, model: &'m OrgModel) -> Option<&'m Platform> {
        self.platform
            .as_deref()
            .and_then(|p| model.find_platform(p))
    }

    /// Its discharge state.
    pub fn discharge(&self) -> Discharge {
        match (self.state.as_str(), self.completed_on) {
            ("done", Some(d)) => Discharge::Done(d),
            ("waived", _) => Discharge::Waived,
            _ => Discharge::Open,
        }
    }

    /// No longer required (its subject closed, a holding corrected, a directive withdrawn…):
    /// kept with its history, out of every list, count, reminder and feed.
    pub fn withdrawn(&self) -> bool {
        self.state == WITHDRAWN
    }

    /// Its status on `today`.
    pub fn status(&self, clock: StatusClock) -> ObligationStatus {
        status_on(self.discharge(), self.due, clock.today, clock.due_soon_days)
    }
}

/// What bringing a year's stored obligations in step with the plan changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Reconciled {
    /// Open ones no longer required, withdrawn.
    pub withdrawn: usize,
    /// Withdrawn ones required again, restored.
    pub restored: usize,
    /// Open ones put under the version that governs them now.
    pub replanned: usize,
}

/// The state of an obligation no longer required.
pub const WITHDRAWN: &str = "withdrawn";
/// A SQL condition keeping the obligations still required (`ob` is the obligations table).
pub const LIVE: &str = "ob.state <> 'withdrawn'";

/// The columns of a stored obligation, unprefixed, for every query over `obligations`.
pub const COLUMNS: &str = "id, obligation_key, policy_id, duty_id, subject_kind, subject_id, org_id, period, due_on, citation, state, completed_on, completion_note, version, handler_id, platform_id";

/// Obligations read by id.
pub(crate) const OBLIGATIONS: Rows<StoredObligation> = Rows {
    table: "obligations",
    cols: COLUMNS,
    what: "obligation",
    from: obligation_from_row,
};

/// Reads a row selected with [`COLUMNS`].
pub fn obligation_from_row(r: &AnyRow) -> Result<StoredObligation> {
    Ok(StoredObligation {
        id: r.try_get("id")?,
        key: r.try_get("obligation_key")?,
        policy: r.try_get("policy_id")?,
        duty: r.try_get("duty_id")?,
        subject_kind: r.try_get("subject_kind")?,
        subject: r.try_get("subject_id")?,
        org: r.try_get("org_id")?,
        period: r.try_get("period")?,
        due: parse_date(&r.try_get::<String, _>("due_on")?)?,
        citation: r.try_get("citation")?,
        state: r.try_get("state")?,
        completed_on: parse_opt_date(r.try_get("completed_on")?)?,
        completion_note: r.try_get("completion_note")?,
        version: r.try_get("version")?,
        handler: r.try_get("handler_id")?,
        platform: r.try_get("platform_id")?,
    })
}

// ------------------------------------------------------------------------------------------
// Status in SQL
// ------------------------------------------------------------------------------------------

/// The day statuses are computed for, and the pack's "due soon" window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusClock {
    /// Today in Asia/Shanghai.
    pub today: NaiveDate,
    /// `reminders.due_soon_days` of the pack.
    pub due_soon_days: u32,
}

/// Every status, in the order lists and charts show them.
pub const STATUSES: [ObligationStatus; 5] = [
    ObligationStatus::Overdue,
    ObligationStatus::DueSoon,
    ObligationStatus::Upcoming,
    ObligationStatus::Done,
    ObligationStatus::Waived,
];

/// Reads a status as the API spells it.
pub fn parse_status(s: &str) -> Option<ObligationStatus> {
    STATUSES.into_iter().find(|st| st.as_str() == s)
}

/// A bound value of a query built at run time.
#[derive(Debug, Clone)]
enum Arg {
    Text(String),
    OptText(Option<String>),
    Int(i64),
}

/// SQL text with its arguments, numbered `$1…` in the order they are added.
#[derive(Debug, Default)]
struct Sql {
    text: String,
    args: Vec<Arg>,
}

impl Sql {
    fn push(&mut self, s: &str) -> &mut Self {
        self.text.push_str(s);
        self
    }

    /// Adds an argument and returns its placeholder.
    fn text_arg(&mut self, v: impl Into<String>) -> String {
        self.args.push(Arg::Text(v.into()));
        format!("${}", self.args.len())
    }

    fn opt_text_arg(&mut self, v: Option<String>) -> String {
        self.args.push(Arg::OptText(v));
        format!("${}", self.args.len())
    }

    fn int_arg(&mut self, v: i64) -> String {
        self.args.push(Arg::Int(v));
        format!("${}", self.args.len())
    }

    fn query(&self) -> sqlx::query::Query<'_, sqlx::Any, sqlx::any::AnyArguments> {
        let mut q = sqlx::query(AssertSqlSafe(self.text.clone()));
        for a in &self.args {
            q = match a {
                Arg::Text(s) => q.bind(s.clone()),
                Arg::OptText(s) => q.bind(s.clone()),
                Arg::Int(i) => q.bind(*i),
            };
        }
        q
    }
}

/// The day bounds of the statuses, exactly as [`status_on`] draws them: an open obligation is
/// overdue when due before today, due soon when due from today to today + window, upcoming after.
fn bounds(clock: StatusClock) -> (String, String) {
    (
        date_text(clock.today),
        date_text(add_days(clock.today, clock.due_soon_days)),
    )
}

/// `state` is open: not waived, and not done with a completion day.
const OPEN: &str = "(ob.state <> 'waived' AND (ob.state <> 'done' OR ob.completed_on IS NULL))";

/// A SQL expression giving the status of `ob` (the same spelling as the API).
fn status_case(sql: &mut Sql, clock: StatusClock) -> String {
    let (today, soon) = bounds(clock);
    let today = sql.text_arg(today);
    let soon = sql.text_arg(soon);
    format!(
        "(CASE WHEN ob.state = 'waived' THEN 'waived' \
         WHEN ob.state = 'done' AND ob.completed_on IS NOT NULL THEN 'done' \
         WHEN ob.due_on < {today} THEN 'overdue' \
         WHEN ob.due_on <= {soon} THEN 'due_soon' ELSE 'upcoming' END)"
    )
}

/// A SQL condition true for obligations in `status`.
fn status_condition(sql: &mut Sql, clock: StatusClock, status: ObligationStatus) -> String {
    let (today, soon) = bounds(clock);
    match status {
        ObligationStatus::Waived => "ob.state = 'waived'".into(),
        ObligationStatus::Done => "(ob.state = 'done' AND ob.completed_on IS NOT NULL)".into(),
        ObligationStatus::Overdue => {
            let t = sql.text_arg(today);
            format!("({OPEN} AND ob.due_on < {t})")
        }
        ObligationStatus::DueSoon => {
            let t = sql.text_arg(today);
            let s = sql.text_arg(soon);
            format!("({OPEN} AND ob.due_on >= {t} AND ob.due_on <= {s})")
        }
        ObligationStatus::Upcoming => {
            let s = sql.text_arg(soon);
            format!("({OPEN} AND ob.due_on > {s})")
        }
    }
}

/// Rank of a status for sorting: overdue first, waived last.
fn status_rank_case(sql: &mut Sql, clock: StatusClock) -> String {
    let case = status_case(sql, clock);
    format!(
        "(CASE {case} WHEN 'overdue' THEN 0 WHEN 'due_soon' THEN 1 WHEN 'upcoming' THEN 2 WHEN 'done' THEN 3 ELSE 4 END)"
    )
}

// ------------------------------------------------------------------------------------------
// Lists
// ------------------------------------------------------------------------------------------

/// Which obligations a list or roll-up covers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ObligationFilter {
    /// Org ids whose subtrees are covered; `None` covers every org.
    pub roots: Option<Vec<String>>,
    /// Exactly these orgs (when set, instead of `roots`: the caller knows the subtree).
    pub org_ids: Option<Vec<String>>,
    /// The caller knows the filter keeps few of the year's rows: sort those rather than walk
    /// the whole year in due order (which stops early only when most rows match).
    pub few: bool,
    /// Only the root orgs themselves, not the orgs below them.
    pub own_only: bool,
    /// The year the obligations belong to.
    pub year: i32,
    /// Statuses to keep; empty keeps all.
    pub statuses: Vec<ObligationStatus>,
    /// Duty ids to keep; `None` keeps all (an empty list keeps none: a system without duties).
    pub duties: Option<Vec<String>>,
    /// Only obligations due in this month (`YYYY-MM`).
    pub due_month: Option<String>,
    /// Only obligations done in this month (`YYYY-MM`).
    pub done_month: Option<String>,
}

/// How a list is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ObligationSort {
    /// Due date, earliest first (then key).
    #[default]
    Due,
    /// Due date, latest first.
    DueDesc,
    /// Org code, then due date.
    Org,
    /// Duty id, then due date.
    Duty,
    /// Status (overdue, due soon, upcoming, done, waived), then due date.
    Status,
}

impl ObligationSort {
    /// Every sort with its query spelling.
    pub const ALL: [(ObligationSort, &'static str); 5] = [
        (ObligationSort::Due, "due"),
        (ObligationSort::DueDesc, "-due"),
        (ObligationSort::Org, "org"),
        (ObligationSort::Duty, "duty"),
        (ObligationSort::Status, "status"),
    ];

    /// Reads the query spelling.
    pub fn parse(s: &str) -> Option<ObligationSort> {
        Self::ALL.iter().find(|(_, n)| *n == s).map(|(x, _)| *x)
    }

    /// The query spelling.
    pub fn as_str(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(x, _)| *x == self)
            .map(|(_, n)| *n)
            .unwrap_or("due")
    }
}

/// The `WITH RECURSIVE` clause naming the orgs of the roots' subtrees (`sub(id)`), if any.
fn subtree_cte(sql: &mut Sql, roots: &[String]) -> String {
    let list: Vec<String> = roots.iter().map(|r| sql.text_arg(r.clone())).collect();
    format!(
        "WITH RECURSIVE sub(id) AS (SELECT id FROM orgs WHERE id IN ({}) \
         UNION SELECT o.id FROM orgs o JOIN sub ON o.parent_id = sub.id) ",
        list.join(", ")
    )
}

/// Adds the CTE (when needed) and returns the WHERE conditions of a filter.
fn conditions(sql: &mut Sql, f: &ObligationFilter, clock: StatusClock) -> Vec<String> {
    let mut cond = Vec::new();
    let year = sql.int_arg(i64::from(f.year));
    cond.push(format!("ob.year = {year}"));
    cond.push(LIVE.into());
    if let Some(ids) = &f.org_ids {
        if ids.is_empty() {
            cond.push("1 = 0".into());
        } else {
            let list: Vec<String> = ids.iter().map(|r| sql.text_arg(r.clone())).collect();
            cond.push(format!("ob.org_id IN ({})", list.join(", ")));
        }
        return more_conditions(sql, f, clock, cond);
    }
    match &f.roots {
        None => {}
        Some(roots) if roots.is_empty() => cond.push("1 = 0".into()),
        Some(roots) if f.own_only => {
            let list: Vec<String> = roots.iter().map(|r| sql.text_arg(r.clone())).collect();
            cond.push(format!("ob.org_id IN ({})", list.join(", ")));
        }
        Some(roots) => {
            let cte = subtree_cte(sql, roots);
            sql.push(&cte);
            cond.push("ob.org_id IN (SELECT id FROM sub)".into());
        }
    }
    more_conditions(sql, f, clock, cond)
}

fn more_conditions(
    sql: &mut Sql,
    f: &ObligationFilter,
    clock: StatusClock,
    mut cond: Vec<String>,
) -> Vec<String> {
    if !f.statuses.is_empty() {
        let parts: Vec<String> = f
            .statuses
            .iter()
            .map(|s| status_condition(sql, clock, *s))
            .collect();
        cond.push(format!("({})", parts.join(" OR ")));
    }
    match f.duties.as_deref() {
        None => {}
        Some([]) => cond.push("1 = 0".to_string()),
        Some(duties) => {
            let list: Vec<String> = duties.iter().map(|d| sql.text_arg(d.clone())).collect();
            cond.push(format!("ob.duty_id IN ({})", list.join(", ")));
        }
    }
    if let Some(m) = &f.due_month {
        let from = sql.text_arg(format!("{m}-01"));
        let to = sql.text_arg(format!("{m}-31"));
        cond.push(format!("ob.due_on >= {from} AND ob.due_on <= {to}"));
    }
    if let Some(m) = &f.done_month {
        let from = sql.text_arg(format!("{m}-01"));
        let to = sql.text_arg(format!("{m}-31"));
        cond.push(format!(
            "ob.state = 'done' AND ob.completed_on >= {from} AND ob.completed_on <= {to}"
        ));
    }
    cond
}

/// One page of a list and the size of the whole list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObligationPage {
    /// The rows of the page.
    pub rows: Vec<StoredObligation>,
    /// Rows in the whole list.
    pub total: usize,
}

/// Counts per status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct StatusCounts {
    /// Sum of the five.
    pub total: i64,
    /// Not due soon yet.
    pub upcoming: i64,
    /// Due within the window.
    pub due_soon: i64,
    /// Past due, not done.
    pub overdue: i64,
    /// Done.
    pub done: i64,
    /// Waived.
    pub waived: i64,
}

impl StatusCounts {
    /// Adds `n` obligations in `status`.
    pub fn add(&mut self, status: ObligationStatus, n: i64) {
        self.total += n;
        match status {
            ObligationStatus::Upcoming => self.upcoming += n,
            ObligationStatus::DueSoon => self.due_soon += n,
            ObligationStatus::Overdue => self.overdue += n,
            ObligationStatus::Done => self.done += n,
            ObligationStatus::Waived => self.waived += n,
        }
    }

    /// Adds another set of counts.
    pub fn merge(&mut self, o: &StatusCounts) {
        self.total += o.total;
        self.upcoming += o.upcoming;
        self.due_soon += o.due_soon;
        self.overdue += o.overdue;
        self.done += o.done;
        self.waived += o.waived;
    }

    /// The count of one status.
    pub fn get(&self, status: ObligationStatus) -> i64 {
        match status {
            ObligationStatus::Upcoming => self.upcoming,
            ObligationStatus::DueSoon => self.due_soon,
            ObligationStatus::Overdue => self.overdue,
            ObligationStatus::Done => self.done,
            ObligationStatus::Waived => self.waived,
        }
    }

    /// Done as a share of what is owed (waived obligations are not owed); `None` when nothing is.
    pub fn completion_rate(&self) -> Option<f64> {
        let owed = self.total - self.waived;
        (owed > 0).then(|| self.done as f64 / owed as f64)
    }
}

/// A roll-up of one org's subtree for a year: counts per child (with the org itself) and duty,
/// and per month.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Rollup {
    /// All obligations of the subtree.
    pub totals: StatusCounts,
    /// Per (org id, duty id): the org is the root itself (its own obligations) or one of its
    /// children (with everything below it).
    pub cells: BTreeMap<(String, String), StatusCounts>,
    /// Per month 1..=12 of the year: obligations due that month, by status.
    pub due_by_month: [StatusCounts; 12],
    /// Per month 1..=12 of the year: obligations done that month.
    pub done_by_month: [i64; 12],
}

/// Obligations of one org, duty, status, month due and month done, counted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgAggregate {
    /// The org that owes them.
    pub org: String,
    /// Duty id.
    pub duty: String,
    /// Their status.
    pub status: ObligationStatus,
    /// Month due, `YYYY-MM`.
    pub due_month: String,
    /// Month done, `YYYY-MM` (done ones only).
    pub done_month: Option<String>,
    /// How many.
    pub count: i64,
}

impl Rollup {
    /// Adds aggregated obligations under the row of `top` (the root or one of its children).
    pub fn add(&mut self, top: &str, a: &OrgAggregate, year: i32) {
        self.count(top, a, a.count, year);
    }

    /// Takes out what [`Rollup::add`] added (a cell left empty goes, as if never added).
    pub fn remove(&mut self, top: &str, a: &OrgAggregate, year: i32) {
        self.count(top, a, -a.count, year);
        let key = (top.to_string(), a.duty.clone());
        if self.cells.get(&key).is_some_and(|c| c.total == 0) {
            self.cells.remove(&key);
        }
    }

    fn count(&mut self, top: &str, a: &OrgAggregate, n: i64, year: i32) {
        self.totals.add(a.status, n);
        self.cells
            .entry((top.to_string(), a.duty.clone()))
            .or_default()
            .add(a.status, n);
        if let Some(i) = month_index(&a.due_month, year) {
            self.due_by_month[i].add(a.status, n);
        }
        if let Some(i) = a.done_month.as_deref().and_then(|m| month_index(m, year)) {
            self.done_by_month[i] += n;
        }
    }
}

fn month_index(ym: &str, year: i32) -> Option<usize> {
    let (y, m) = ym.split_once('-')?;
    if y.parse::<i32>().ok()? != year {
        return None;
    }
    let m: usize = m.get(..2)?.parse().ok()?;
    (1..=12).contains(&m).then(|| m - 1)
}

impl Db {
    /// Obligations owed by one org in a year, by due date.
    pub async fn obligations(&self, org: &str, year: i32) -> Result<Vec<StoredObligation>> {
        sqlx::query(AssertSqlSafe(format!("SELECT {COLUMNS} FROM obligations ob WHERE org_id = $1 AND year = $2 AND {LIVE} ORDER BY due_on, obligation_key")))
            .bind(org)
            .bind(i64::from(year))
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(obligation_from_row)
            .collect()
    }

    /// The live obligations about one subject (a platform, a person), every year, newest
    /// period first.
    pub async fn obligations_about(
        &self,
        subject_kind: SubjectKind,
        subject: &str,
    ) -> Result<Vec<StoredObligation>> {
        sqlx::query(AssertSqlSafe(format!("SELECT {COLUMNS} FROM obligations ob WHERE subject_kind = $1 AND subject_id = $2 AND {LIVE} ORDER BY year DESC, due_on, obligation_key")))
            .bind(subject_kind.as_str())
            .bind(subject)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(obligation_from_row)
            .collect()
    }

    /// The keys of all stored obligations of a year.
    pub async fn obligation_keys(&self, year: i32) -> Result<std::collections::HashSet<String>> {
        let rows = sqlx::query("SELECT obligation_key FROM obligations WHERE year = $1")
            .bind(i64::from(year))
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| Ok(r.try_get::<String, _>("obligation_key")?))
            .collect()
    }

    /// How many obligations are stored.
    pub async fn obligation_count(&self) -> Result<i64> {
        Ok(
            sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM obligations")
                .fetch_one(&self.pool)
                .await?,
        )
    }

    /// One obligation by id, or by its key.
    pub async fn obligation(&self, id_or_key: &str) -> Result<StoredObligation> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM obligations WHERE id = $1 OR obligation_key = $1"
        )))
        .bind(id_or_key)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StorageError::NotFound {
            what: "obligation",
            id: id_or_key.into(),
        })?;
        obligation_from_row(&row)
    }

    /// One page of the obligations a filter covers, in `sort` order, with the size of the whole
    /// list. Statuses are computed for `clock`, before paging.
    pub async fn find_obligations(
        &self,
        f: &ObligationFilter,
        clock: StatusClock,
        sort: ObligationSort,
        limit: usize,
        offset: usize,
    ) -> Result<ObligationPage> {
        let rows = self.list_obligations(f, clock, sort, limit, offset).await?;
        let total = if offset == 0 && rows.len() < limit {
            rows.len()
        } else {
            self.count_obligations(f, clock).await?
        };
        Ok(ObligationPage { rows, total })
    }

    /// The rows of a page (without the count).
    pub async fn list_obligations(
        &self,
        f: &ObligationFilter,
        clock: StatusClock,
        sort: ObligationSort,
        limit: usize,
        offset: usize,
    ) -> Result<Vec<StoredObligation>> {
        let mut sql = Sql::default();
        let cond = conditions(&mut sql, f, clock);
        // `|| ''` keeps the planner off the due-date index when few rows match: it then finds
        // them by org and sorts them, instead of walking the whole year in due order.
        let due = if f.few {
            "(ob.due_on || '')"
        } else {
            "ob.due_on"
        };
        let order = match sort {
            ObligationSort::Due => format!("{due}, ob.obligation_key"),
            ObligationSort::DueDesc => format!("{due} DESC, ob.obligation_key DESC"),
            ObligationSort::Org => "o.code, ob.due_on, ob.obligation_key".to_string(),
            ObligationSort::Duty => "ob.duty_id, ob.due_on, ob.obligation_key".to_string(),
            ObligationSort::Status => {
                let rank = status_rank_case(&mut sql, clock);
                format!("{rank}, ob.due_on, ob.obligation_key")
            }
        };
        let join = if sort == ObligationSort::Org {
            " JOIN orgs o ON o.id = ob.org_id"
        } else {
            ""
        };
        let lim = sql.int_arg(i64::try_from(limit).unwrap_or(i64::MAX));
        let off = sql.int_arg(i64::try_from(offset).unwrap_or(i64::MAX));
        let text = format!(
            "SELECT {} FROM obligations ob{join} WHERE {} ORDER BY {order} LIMIT {lim} OFFSET {off}",
            qualified(COLUMNS, "ob"),
            cond.join(" AND ")
        );
        sql.push(&text);
        sql.query()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(obligation_from_row)
            .collect()
    }

    /// How many obligations a filter covers.
    pub async fn count_obligations(
        &self,
        f: &ObligationFilter,
        clock: StatusClock,
    ) -> Result<usize> {
        let mut sql = Sql::default();
        let cond = conditions(&mut sql, f, clock);
        let text = format!(
            "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM obligations ob WHERE {}",
            cond.join(" AND ")
        );
        sql.push(&text);
        let row = sql.query().fetch_one(&self.pool).await?;
        let n: i64 = row.try_get("n")?;
        Ok(usize::try_from(n).unwrap_or(0))
    }

    /// The roll-up of `root`'s subtree for `year` on `clock`'s day: counted by the database
    /// (grouped by child, duty, status, due month and done month), never row by row.
    pub async fn obligation_rollup(
        &self,
        root: &str,
        year: i32,
        clock: StatusClock,
    ) -> Result<Rollup> {
        let mut sql = Sql::default();
        let r = sql.text_arg(root);
        // Each org of the subtree with the child of the root it lies under (the root: itself).
        sql.push(&format!(
            "WITH RECURSIVE sub(id, top) AS (SELECT id, id FROM orgs WHERE id = {r} \
             UNION SELECT o.id, CASE WHEN sub.id = {r} THEN o.id ELSE sub.top END \
             FROM orgs o JOIN sub ON o.parent_id = sub.id) "
        ));
        let st = status_case(&mut sql, clock);
        let y = sql.int_arg(i64::from(year));
        sql.push(&format!(
            "SELECT sub.top AS top, ob.duty_id AS duty, {st} AS st, \
             SUBSTR(ob.due_on, 1, 7) AS due_m, SUBSTR(ob.completed_on, 1, 7) AS done_m, \
             CAST(COUNT(*) AS BIGINT) AS n \
             FROM obligations ob JOIN sub ON sub.id = ob.org_id WHERE ob.year = {y} AND {LIVE} \
             GROUP BY 1, 2, 3, 4, 5"
        ));
        let rows = sql.query().fetch_all(&self.pool).await?;
        let mut out = Rollup::default();
        for row in &rows {
            let top: String = row.try_get("top")?;
            let duty: String = row.try_get("duty")?;
            let st: String = row.try_get("st")?;
            let status = parse_status(&st)
                .ok_or_else(|| StorageError::Corrupt(format!("unknown status `{st}`")))?;
            let due_m: String = row.try_get("due_m")?;
            let done_m: Option<String> = row.try_get("done_m")?;
            let n: i64 = row.try_get("n")?;
            out.totals.add(status, n);
            out.cells.entry((top, duty)).or_default().add(status, n);
            if let Some(i) = month_index(&due_m, year) {
                out.due_by_month[i].add(status, n);
            }
            if status == ObligationStatus::Done
                && let Some(i) = done_m.as_deref().and_then(|m| month_index(m, year))
            {
                out.done_by_month[i] += n;
            }
        }
        Ok(out)
    }

    /// A year's obligations counted by the database per org, duty, status (for `clock`'s day),
    /// month due and month done: the figures every roll-up and list count of the year is summed
    /// from, whatever the subtree.
    pub async fn obligation_aggregates(
        &self,
        year: i32,
        clock: StatusClock,
    ) -> Result<Vec<OrgAggregate>> {
        self.aggregates_of(year, clock, None).await
    }

    /// [`Db::obligation_aggregates`] of some orgs only (their own obligations, not their
    /// subtrees): what a change to a few obligations can have moved.
    pub async fn obligation_aggregates_of(
        &self,
        year: i32,
        clock: StatusClock,
        orgs: &[String],
    ) -> Result<Vec<OrgAggregate>> {
        let mut out = Vec::new();
        for chunk in orgs.chunks(500) {
            out.extend(self.aggregates_of(year, clock, Some(chunk)).await?);
        }
        Ok(out)
    }

    async fn aggregates_of(
        &self,
        year: i32,
        clock: StatusClock,
        orgs: Option<&[String]>,
    ) -> Result<Vec<OrgAggregate>> {
        let mut sql = Sql::default();
        let st = status_case(&mut sql, clock);
        let y = sql.int_arg(i64::from(year));
        let of_orgs = match orgs {
            Some(orgs) => {
                let marks: Vec<String> = orgs.iter().map(|o| sql.text_arg(o)).collect();
                format!(" AND ob.org_id IN ({})", marks.join(", "))
            }
            None => String::new(),
        };
        sql.push(&format!(
            "SELECT ob.org_id AS org, ob.duty_id AS duty, {st} AS st, \
             SUBSTR(ob.due_on, 1, 7) AS due_m, SUBSTR(ob.completed_on, 1, 7) AS done_m, \
             CAST(COUNT(*) AS BIGINT) AS n \
             FROM obligations ob WHERE ob.year = {y}{of_orgs} AND {LIVE} GROUP BY 1, 2, 3, 4, 5"
        ));
        let rows = sql.query().fetch_all(&self.pool).await?;
        rows.iter()
            .map(|row| {
                let st: String = row.try_get("st")?;
                let status = parse_status(&st)
                    .ok_or_else(|| StorageError::Corrupt(format!("unknown status `{st}`")))?;
                let due_m: String = row.try_get("due_m")?;
                let done_m: Option<String> = row.try_get("done_m")?;
                Ok(OrgAggregate {
                    org: row.try_get("org")?,
                    duty: row.try_get("duty")?,
                    status,
                    due_month: due_m,
                    done_month: if status == ObligationStatus::Done {
                        done_m
                    } else {
                        None
                    },
                    count: row.try_get("n")?,
                })
            })
            .collect()
    }

    /// Refreshes the planner's statistics of the obligations table (after many rows were
    /// added), so lists of a few orgs are read through the org index.
    pub async fn analyze_obligations(&self) -> Result<()> {
        sqlx::query("ANALYZE obligations")
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The head of the audit chain (sequence number and hash). Every committed change moves it,
    /// on every instance's view of the database, so it says when figures computed from the
    /// database may be reused.
    pub async fn change_stamp(&self) -> Result<(i64, String)> {
        let row = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
            .fetch_one(&self.pool)
            .await?;
        Ok((row.try_get("seq")?, row.try_get("hash")?))
    }

    /// The ledger generation: moves with every change that can move a figure of the ledger
    /// (not with sign-ins, accounts, grants, settings or the org model alone).
    pub async fn ledger_generation(&self) -> Result<i64> {
        Ok(
            sqlx::query_scalar("SELECT value FROM ledger_generation WHERE id = 1")
                .fetch_one(&self.pool)
                .await?,
        )
    }

    /// The model generation a year's obligations were last generated from, if they were.
    pub async fn obligation_sync_generation(&self, year: i32) -> Result<Option<i64>> {
        Ok(
            sqlx::query_scalar("SELECT generation FROM obligation_sync WHERE year = $1")
                .bind(i64::from(year))
                .fetch_optional(&self.pool)
                .await?,
        )
    }
}

/// At most this many obligations added at once are audited one by one (see
/// [`Tx::add_obligations`]).
const AUDITED_ONE_BY_ONE: usize = 20;

impl Tx {
    /// Stores the planned obligations not stored yet. Existing ones, with their completion data,
    /// are left exactly as they are. Inserts in batches. A few added (an event's) are audited one
    /// by one, so that what follows the ledger reads just them; more, in one entry for the year
    /// (what follows it reads the year again). Returns how many were added.
    pub async fn add_obligations(
        &mut self,
        planned: &[PlannedObligation],
        year: i32,
    ) -> Result<usize> {
        let now = self.now_ms();
        let mut added: Vec<(String, String)> = Vec::new();
        // 13 arguments a row: 400 rows stay far below both engines' limits.
        for chunk in planned.chunks(400) {
            let mut sql = Sql::default();
            let mut values = Vec::with_capacity(chunk.len());
            for p in chunk {
                let cols = [
                    sql.text_arg(new_id()),
                    sql.text_arg(p.key.clone()),
                    sql.text_arg(p.policy.clone()),
                    sql.text_arg(p.duty.clone()),
                    sql.text_arg(p.subject_kind.as_str()),
                    sql.text_arg(p.subject.clone()),
                    sql.text_arg(p.org.clone()),
                    sql.text_arg(p.period.clone()),
                    sql.int_arg(i64::from(year)),
                    sql.text_arg(date_text(p.due)),
                    sql.text_arg(p.citation.to_string()),
                    sql.int_arg(now),
                    sql.opt_text_arg(p.platform.clone()),
                ];
                values.push(format!(
                    "({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, 'open', NULL, NULL, 1, {}, {}, {})",
                    cols[0],
                    cols[1],
                    cols[2],
                    cols[3],
                    cols[4],
                    cols[5],
                    cols[6],
                    cols[7],
                    cols[8],
                    cols[9],
                    cols[10],
                    cols[11],
                    cols[11],
                    cols[12]
                ));
            }
            sql.push(&format!(
                "INSERT INTO obligations (id, obligation_key, policy_id, duty_id, subject_kind, subject_id, org_id, period, year, due_on, citation, state, completed_on, completion_note, version, created_at, updated_at, platform_id) \
                 VALUES {} ON CONFLICT (obligation_key) DO NOTHING RETURNING id, obligation_key",
                values.join(", ")
            ));
            for r in sql.query().fetch_all(&mut *self.tx).await? {
                added.push((r.try_get("id")?, r.try_get("obligation_key")?));
            }
        }
        if !added.is_empty() && added.len() <= AUDITED_ONE_BY_ONE {
            for (id, key) in &added {
                let p = planned.iter().find(|p| &p.key == key);
                let row = json!({
                    "key": key,
                    "year": year,
                    "duty": p.map(|p| p.duty.as_str()),
                    "org": p.map(|p| p.org.as_str()),
                    "due_on": p.map(|p| date_text(p.due)),
                });
                self.audit("obligation.generate", "obligation", id, None, Some(&row))
                    .await?;
            }
        } else if !added.is_empty() {
            let added = added.len();
            let summary = json!({"year": year, "added": added, "planned": planned.len()});
            self.audit(
                "obligation.generate",
                "obligations",
                &year.to_string(),
                None,
                Some(&summary),
            )
            .await?;
        }
        Ok(added.len())
    }

    /// Notes that a year's obligations are in step with model generation `generation`.
    pub async fn record_obligation_sync(
        &mut self,
        year: i32,
        generation: i64,
        added: usize,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO obligation_sync (year, generation, synced_at, added) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (year) DO UPDATE SET generation = $2, synced_at = $3, added = $4",
        )
        .bind(i64::from(year))
        .bind(generation)
        .bind(self.now_ms())
        .bind(i64::try_from(added).unwrap_or(i64::MAX))
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// The obligation, checked against the version the caller read.
    pub(crate) async fn obligation_for_update(
        &mut self,
        id: &str,
        expected_version: i64,
    ) -> Result<StoredObligation> {
        let current = OBLIGATIONS.by_id(&mut *self.tx, id).await?;
        check_version("obligation", id, expected_version, current.version)?;
        Ok(current)
    }

    /// Sets an obligation's state (and bumps its version), auditing before and after.
    async fn set_obligation_state(
        &mut self,
        before: &StoredObligation,
        state: &str,
        action: &str,
    ) -> Result<StoredObligation> {
        let done = sqlx::query(
            "UPDATE obligations SET state = $1, version = version + 1, updated_at = $2 WHERE id = $3 AND version = $4",
        )
        .bind(state)
        .bind(self.now_ms())
        .bind(&before.id)
        .bind(before.version)
        .execute(&mut *self.tx)
        .await?;
        check_updated(
            done.rows_affected(),
            "obligation",
            &before.id,
            before.version,
        )?;
        let mut after = before.clone();
        after.state = state.into();
        after.version += 1;
        self.audit(
            action,
            "obligation",
            &before.id,
            Some(&serde_json::to_value(before).unwrap_or_default()),
            Some(&serde_json::to_value(&after).unwrap_or_default()),
        )
        .await?;
        Ok(after)
    }

    /// Names `handler` (a person's id) the handler (经办人) of an obligation, or removes the
    /// handler (`None`), if `expected_version` is still current. The person must hold a post
    /// in the obligation's org or above it today (`check_handler`); refused in `lang` otherwise.
    /// Who may name a handler is the caller's rule (`Actor::may_name_handler`).
    pub async fn set_obligation_handler(
        &mut self,
        id: &str,
        expected_version: i64,
        handler: Option<&str>,
        model: &zeren_core::org::OrgModel,
        lang: zeren_core::Lang,
    ) -> Result<StoredObligation> {
        let before = self.obligation_for_update(id, expected_version).await?;
        if let Some(person) = handler {
            let today = zeren_core::clock::shanghai_date(self.now());
            zeren_core::access::check_handler(model, &before.org, person, today)
                .map_err(|e| StorageError::Invalid(e.message(lang)))?;
        }
        let done = sqlx::query(
            "UPDATE obligations SET handler_id = $1, version = version + 1, updated_at = $2 WHERE id = $3 AND version = $4",
        )
        .bind(handler)
        .bind(self.now_ms())
        .bind(id)
        .bind(expected_version)
        .execute(&mut *self.tx)
        .await?;
        check_updated(done.rows_affected(), "obligation", id, expected_version)?;
        let mut after = before.clone();
        after.handler = handler.map(str::to_string);
        after.version += 1;
        self.audit(
            "obligation.handler",
            "obligation",
            id,
            Some(&serde_json::to_value(&before).unwrap_or_default()),
            Some(&serde_json::to_value(&after).unwrap_or_default()),
        )
        .await?;
        Ok(after)
    }

    /// Marks an obligation done on `on`, if `expected_version` is still current.
    pub async fn complete_obligation(
        &mut self,
        id: &str,
        expected_version: i64,
        on: NaiveDate,
        note: &str,
    ) -> Result<StoredObligation> {
        let before = self.obligation_for_update(id, expected_version).await?;
        if on > zeren_core::clock::shanghai_date(self.now()) {
            return Err(StorageError::Invalid(format!(
                "completion date {on} is in the future"
            )));
        }
        sqlx::query("UPDATE obligations SET state = 'done', completed_on = $1, completion_note = $2, version = version + 1, updated_at = $3 WHERE id = $4 AND version = $5")
            .bind(date_text(on))
            .bind(note)
            .bind(self.now_ms())
            .bind(id)
            .bind(expected_version)
            .execute(&mut *self.tx)
            .await?;
        let mut after = before.clone();
        after.state = "done".into();
        after.completed_on = Some(on);
        after.completion_note = Some(note.into());
        after.version += 1;
        self.audit(
            "obligation.complete",
            "obligation",
            id,
            Some(&serde_json::to_value(&before).unwrap_or_default()),
            Some(&serde_json::to_value(&after).unwrap_or_default()),
        )
        .await?;
        Ok(after)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    /// The SQL bounds draw the statuses exactly where `status_on` does.
    #[test]
    fn bounds_agree_with_status_on() {
        let clock = StatusClock {
            today: d("2026-11-28"),
            due_soon_days: 14,
        };
        let (today, soon) = bounds(clock);
        let mut day = d("2026-11-01");
        while day < d("2027-01-15") {
            let text = date_text(day);
            let by_sql = if text < today {
                ObligationStatus::Overdue
            } else if text <= soon {
                ObligationStatus::DueSoon
            } else {
                ObligationStatus::Upcoming
            };
            assert_eq!(
                by_sql,
                status_on(Discharge::Open, day, clock.today, clock.due_soon_days),
                "{day}"
            );
            day = add_days(day, 1);
        }
    }

    #[test]
    fn months_of_the_year() {
        assert_eq!(month_index("2026-03", 2026), Some(2));
        assert_eq!(month_index("2027-01", 2026), None);
        assert_eq!(month_index("2026-12", 2026), Some(11));
        assert_eq!(month_index("junk", 2026), None);
    }

    #[test]
    fn statuses_spell_like_the_api() {
        for s in STATUSES {
            assert_eq!(parse_status(s.as_str()), Some(s));
        }
        assert_eq!(parse_status("due-soon"), None);
    }
}
