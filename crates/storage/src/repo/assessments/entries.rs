//! What each college of a round writes and is given: its entry (the self-assessment, the
//! reviewer's opinion, the duty report), and the reviewers' marks of its indicators
//! (append-only).

use super::{check_open, corrupt};
use crate::db::{Db, Tx, new_id};
use crate::error::{Result, StorageError};
use crate::repo::{check_updated, check_version, date_text, not_found, parse_date, parse_opt_date};
use chrono::NaiveDate;
use serde::Serialize;
use serde_json::{Value, json};
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};
use zeren_core::assessments::{Mark, MarkKind};

/// What a college and its reviewer wrote in a round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AssessmentEntry {
    /// The round.
    pub round_id: String,
    /// The college.
    pub org_id: String,
    /// Its self-assessment.
    pub self_assessment: Option<String>,
    /// The day submitted.
    pub self_submitted_on: Option<NaiveDate>,
    /// Who submitted it (user name).
    pub self_submitted_by: Option<String>,
    /// The reviewer's opinion.
    pub review: Option<String>,
    /// The day written.
    pub reviewed_on: Option<NaiveDate>,
    /// Who wrote it (user name).
    pub reviewed_by: Option<String>,
    /// The secretary's duty report (述职报告), draft or submitted.
    pub duty_report: Option<String>,
    /// The day it was submitted (then it no longer changes).
    pub duty_report_submitted_on: Option<NaiveDate>,
    /// Who submitted it (user name).
    pub duty_report_submitted_by: Option<String>,
    /// Edit version (0: nothing written yet).
    pub version: i64,
}

impl AssessmentEntry {
    /// The entry as JSON.
    pub fn to_json(&self) -> Value {
        json!({
            "round_id": self.round_id,
            "org_id": self.org_id,
            "self_assessment": self.self_assessment,
            "self_submitted_on": self.self_submitted_on.map(date_text),
            "self_submitted_by": self.self_submitted_by,
            "review": self.review,
            "reviewed_on": self.reviewed_on.map(date_text),
            "reviewed_by": self.reviewed_by,
            "duty_report": self.duty_report,
            "duty_report_submitted_on": self.duty_report_submitted_on.map(date_text),
            "duty_report_submitted_by": self.duty_report_submitted_by,
            "version": self.version,
        })
    }
}

/// A reviewer's mark as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredMark {
    /// Storage id.
    pub id: String,
    /// The college.
    pub org_id: String,
    /// The version of the scheme it was given under.
    pub scheme_version: i64,
    /// Indicator, kind, points and reason.
    pub mark: Mark,
    /// Who gave it (user name).
    pub marked_by: String,
    /// The day given.
    pub marked_on: NaiveDate,
    /// When (ms since the epoch).
    pub at_ms: i64,
}

impl StoredMark {
    /// The mark as JSON.
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "org_id": self.org_id,
            "scheme_version": self.scheme_version,
            "indicator": self.mark.indicator,
            "kind": self.mark.kind.as_str(),
            "points": self.mark.points,
            "reason": self.mark.reason,
            "marked_by": self.marked_by,
            "marked_on": date_text(self.marked_on),
            "at_ms": self.at_ms,
        })
    }
}

/// Which text of an entry is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EntryText {
    /// The college's self-assessment, submitted.
    SelfAssessment,
    /// The reviewer's opinion.
    Review,
    /// The duty report: saved as a draft, or submitted (then it no longer changes).
    DutyReport {
        /// Submitted with this save.
        submit: bool,
    },
}

impl EntryText {
    /// The audit action of writing it.
    pub fn action(self) -> &'static str {
        match self {
            EntryText::SelfAssessment => "assessment.self",
            EntryText::Review => "assessment.review",
            EntryText::DutyReport { submit: false } => "assessment.report",
            EntryText::DutyReport { submit: true } => "assessment.report.submit",
        }
    }

    /// The columns written: the text's, its day's and its author's (these two only when the text
    /// is submitted).
    fn columns(self) -> (&'static str, Option<(&'static str, &'static str)>) {
        match self {
            EntryText::SelfAssessment => (
                "self_assessment",
                Some(("self_submitted_on", "self_submitted_by")),
            ),
            EntryText::Review => ("review", Some(("reviewed_on", "reviewed_by"))),
            EntryText::DutyReport { submit } => (
                "duty_report",
                submit.then_some(("duty_report_submitted_on", "duty_report_submitted_by")),
            ),
        }
    }
}

const ENTRY_COLS: &str = "round_id, org_id, self_assessment, self_submitted_on, self_submitted_by, review, reviewed_on, reviewed_by, duty_report, duty_report_submitted_on, duty_report_submitted_by, version";
const MARK_COLS: &str =
    "id, org_id, scheme_version, indicator_id, kind, points, reason, marked_by, marked_on, at_ms";

fn entry_from(r: &AnyRow) -> Result<AssessmentEntry> {
    Ok(AssessmentEntry {
        round_id: r.try_get("round_id")?,
        org_id: r.try_get("org_id")?,
        self_assessment: r.try_get("self_assessment")?,
        self_submitted_on: parse_opt_date(r.try_get("self_submitted_on")?)?,
        self_submitted_by: r.try_get("self_submitted_by")?,
        review: r.try_get("review")?,
        reviewed_on: parse_opt_date(r.try_get("reviewed_on")?)?,
        reviewed_by: r.try_get("reviewed_by")?,
        duty_report: r.try_get("duty_report")?,
        duty_report_submitted_on: parse_opt_date(r.try_get("duty_report_submitted_on")?)?,
        duty_report_submitted_by: r.try_get("duty_report_submitted_by")?,
        version: r.try_get("version")?,
    })
}

fn mark_from(r: &AnyRow) -> Result<StoredMark> {
    let id: String = r.try_get("id")?;
    let kind = MarkKind::parse(&r.try_get::<String, _>("kind")?)
        .ok_or_else(|| corrupt("assessment mark", &id, "kind"))?;
    Ok(StoredMark {
        org_id: r.try_get("org_id")?,
        scheme_version: r.try_get("scheme_version")?,
        mark: Mark {
            indicator: r.try_get("indicator_id")?,
            kind,
            points: r.try_get("points")?,
            reason: r.try_get("reason")?,
        },
        marked_by: r.try_get("marked_by")?,
        marked_on: parse_date(&r.try_get::<String, _>("marked_on")?)?,
        at_ms: r.try_get("at_ms")?,
        id,
    })
}

async fn find_entry<'c>(
    on: impl sqlx::Executor<'c, Database = sqlx::Any>,
    round: &str,
    org: &str,
) -> Result<Option<AssessmentEntry>> {
    sqlx::query(AssertSqlSafe(format!(
        "SELECT {ENTRY_COLS} FROM assessment_entries WHERE round_id = $1 AND org_id = $2"
    )))
    .bind(round)
    .bind(org)
    .fetch_optional(on)
    .await?
    .map(|r| entry_from(&r))
    .transpose()
}

impl Db {
    /// What the colleges and reviewers wrote in a round, by college.
    pub async fn assessment_entries(&self, round: &str) -> Result<Vec<AssessmentEntry>> {
        sqlx::query(AssertSqlSafe(format!(
            "SELECT {ENTRY_COLS} FROM assessment_entries WHERE round_id = $1 ORDER BY org_id"
        )))
        .bind(round)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(entry_from)
        .collect()
    }

    /// What `org` and its reviewer wrote in a round, if anything.
    pub async fn assessment_entry(
        &self,
        round: &str,
        org: &str,
    ) -> Result<Option<AssessmentEntry>> {
        find_entry(&self.pool, round, org).await
    }

    /// The marks of a round (of `org` only, when given), in the order they were made.
    pub async fn assessment_marks(
        &self,
        round: &str,
        org: Option<&str>,
    ) -> Result<Vec<StoredMark>> {
        let of_org = if org.is_some() {
            " AND org_id = $2"
        } else {
            ""
        };
        let mut q = sqlx::query(AssertSqlSafe(format!(
            "SELECT {MARK_COLS} FROM assessment_marks WHERE round_id = $1{of_org} ORDER BY at_ms, id"
        )))
        .bind(round);
        if let Some(o) = org {
            q = q.bind(o);
        }
        q.fetch_all(&self.pool)
            .await?
            .iter()
            .map(mark_from)
            .collect()
    }
}

impl Tx {
    /// Writes `which` text of `org`'s entry in the round on `day`: a self-assessment or a review
    /// opinion (submitted as written), or a duty report (a draft, or submitted with `submit`;
    /// once submitted it no longer changes). The entry is made by its first text (`expected` 0),
    /// then changed from the version the caller saw.
    pub async fn save_assessment_text(
        &mut self,
        round: &str,
        org: &str,
        expected: i64,
        which: EntryText,
        text: &str,
        day: NaiveDate,
    ) -> Result<AssessmentEntry> {
        let r = self.round_here(round).await?;
        check_open(&r)?;
        let key = format!("{round}/{org}");
        let before = find_entry(&mut *self.tx, round, org).await?;
        check_version(
            "assessment entry",
            &key,
            expected,
            before.as_ref().map_or(0, |e| e.version),
        )?;
        if matches!(which, EntryText::DutyReport { .. })
            && before
                .as_ref()
                .is_some_and(|e| e.duty_report_submitted_on.is_some())
        {
            return Err(StorageError::Invalid(format!(
                "assessment entry `{key}`: the duty report was submitted; it no longer changes"
            )));
        }
        let now = self.now_ms();
        if before.is_none() {
            // The row at version 0, written by the guarded update below like any later change.
            sqlx::query(
                "INSERT INTO assessment_entries (round_id, org_id, version, created_at, updated_at) \
                 VALUES ($1, $2, 0, $3, $3)",
            )
            .bind(round)
            .bind(org)
            .bind(now)
            .execute(&mut *self.tx)
            .await
            .map_err(|e| crate::repo::unique_violation(e, "assessment entry", &key))?;
        }
        let (col, stamp) = which.columns();
        let (sets, n) = match stamp {
            Some((on, by)) => (format!("{col} = $1, {on} = $2, {by} = $3"), 3),
            None => (format!("{col} = $1"), 1),
        };
        let mut q = sqlx::query(AssertSqlSafe(format!(
            "UPDATE assessment_entries SET {sets}, version = version + 1, updated_at = ${} \
             WHERE round_id = ${} AND org_id = ${} AND version = ${}",
            n + 1,
            n + 2,
            n + 3,
            n + 4
        )))
        .bind(text);
        if stamp.is_some() {
            q = q.bind(date_text(day)).bind(self.actor_name());
        }
        let done = q
            .bind(now)
            .bind(round)
            .bind(org)
            .bind(expected)
            .execute(&mut *self.tx)
            .await?;
        check_updated(done.rows_affected(), "assessment entry", &key, expected)?;
        let after = find_entry(&mut *self.tx, round, org)
            .await?
            .ok_or_else(|| not_found("assessment entry", &key))?;
        let mut a = after.to_json();
        a["day"] = json!(date_text(day));
        self.audit(
            which.action(),
            "assessment",
            round,
            before.as_ref().map(AssessmentEntry::to_json).as_ref(),
            Some(&a),
        )
        .await?;
        Ok(after)
    }

    /// Records a reviewer's mark of `org` under version `scheme_version` of the round's scheme
    /// (the one in force; checked by `assessments::check_mark`) on `day`. Marks are never changed:
    /// a later score replaces an earlier one when scores are computed, adjustments add up.
    pub async fn add_assessment_mark(
        &mut self,
        round: &str,
        org: &str,
        scheme_version: i64,
        mark: &Mark,
        day: NaiveDate,
    ) -> Result<StoredMark> {
        let r = self.round_here(round).await?;
        check_open(&r)?;
        if r.scheme_version == 0 || scheme_version != r.scheme_version {
            return Err(StorageError::Invalid(format!(
                "assessment round `{round}`: marks are given under the scheme in force (version {}), not version {scheme_version}",
                r.scheme_version
            )));
        }
        let m = StoredMark {
            id: new_id(),
            org_id: org.to_string(),
            scheme_version,
            mark: mark.clone(),
            marked_by: self.actor_name(),
            marked_on: day,
            at_ms: self.now_ms(),
        };
        sqlx::query(
            "INSERT INTO assessment_marks (id, round_id, org_id, scheme_version, indicator_id, kind, points, reason, marked_by, marked_on, at_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(&m.id)
        .bind(round)
        .bind(org)
        .bind(scheme_version)
        .bind(&mark.indicator)
        .bind(mark.kind.as_str())
        .bind(mark.points)
        .bind(&mark.reason)
        .bind(&m.marked_by)
        .bind(date_text(day))
        .bind(m.at_ms)
        .execute(&mut *self.tx)
        .await?;
        self.audit(
            "assessment.mark",
            "assessment",
            round,
            None,
            Some(&m.to_json()),
        )
        .await?;
        Ok(m)
    }
}
