//! Portfolio assignments (分管 with dates): which leadership holding holds which portfolio from
//! when to when. A new holding of a post gets the post's standing portfolios; a handover carries
//! the outgoing holder's portfolios to the incoming one; a holding that ends ends its
//! assignments with it.

use super::orgs::{HOLDING_COLS, holding_from};
use super::{date_text, parse_date, parse_opt_date};
use crate::db::{Db, Tx, new_id};
use crate::error::{Result, StorageError, current};
use chrono::NaiveDate;
use serde_json::json;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AssertSqlSafe, Row};
use std::collections::BTreeSet;
use zeren_core::org::{
    AssignmentError, DateChange, Holding, PortfolioAssignment, Post, check_assignment, standing_id,
};
use zeren_core::policy::PolicyPack;

pub(crate) const ASSIGNMENT_COLS: &str = "id, holding_id, portfolio, start_on, end_on";

pub(crate) fn assignment_from(r: &AnyRow) -> Result<PortfolioAssignment> {
    Ok(PortfolioAssignment {
        id: r.try_get("id")?,
        holding: r.try_get("holding_id")?,
        portfolio: r.try_get("portfolio")?,
        start: parse_date(&r.try_get::<String, _>("start_on")?)?,
        end: parse_opt_date(r.try_get("end_on")?)?,
    })
}

fn assignment_json(a: &PortfolioAssignment) -> serde_json::Value {
    json!({"id": a.id, "holding": a.holding, "portfolio": a.portfolio,
           "start": date_text(a.start), "end": a.end.map(date_text)})
}

/// Gives each holding of a post with standing portfolios an assignment of each of them over the
/// holding's days, where it has none (ids from [`standing_id`], so running it again adds
/// nothing). One statement per portfolio, in SQL both engines read: the carrying over of
/// migration 10, and the last step of the bulk demo loaders.
pub(crate) async fn assign_standing_portfolios(
    conn: &mut AnyConnection,
    now_ms: i64,
) -> Result<u64> {
    let lists: Vec<String> =
        sqlx::query_scalar("SELECT DISTINCT portfolios FROM posts WHERE portfolios <> ''")
            .fetch_all(&mut *conn)
            .await?;
    let ids: BTreeSet<&str> = lists
        .iter()
        .flat_map(|l| l.split(','))
        .filter(|p| !p.is_empty())
        .collect();
    let mut added = 0;
    for portfolio in ids {
        // Portfolio ids are kebab-case: no `%` or `_` to escape in the LIKE.
        let done = sqlx::query(
            "INSERT INTO portfolio_assignments \
             (id, holding_id, portfolio, start_on, end_on, note, archived, version, created_at, updated_at) \
             SELECT 'pa-' || h.id || '-' || $1, h.id, $1, h.start_on, h.end_on, NULL, 0, 1, $2, $2 \
             FROM holdings h JOIN posts p ON p.id = h.post_id \
             WHERE (',' || p.portfolios || ',') LIKE ('%,' || $1 || ',%') \
             AND NOT EXISTS (SELECT 1 FROM portfolio_assignments a \
                             WHERE a.holding_id = h.id AND a.portfolio = $1)",
        )
        .bind(portfolio)
        .bind(now_ms)
        .execute(&mut *conn)
        .await?;
        added += done.rows_affected();
    }
    Ok(added)
}

/// What an edit of an assignment changes (the core's rule of an end and a correction,
/// [`zeren_core::org::DatesEdit`]).
pub type AssignmentEdit = zeren_core::org::DatesEdit;

impl Db {
    /// Every assignment in force in the model (not withdrawn).
    pub(crate) async fn load_assignments(&self) -> Result<Vec<PortfolioAssignment>> {
        sqlx::query(AssertSqlSafe(format!(
            "SELECT {ASSIGNMENT_COLS} FROM portfolio_assignments WHERE archived = 0 ORDER BY holding_id, start_on"
        )))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(assignment_from)
        .collect()
    }

    /// The stored version of an assignment, for edits that must not overwrite a change.
    pub async fn assignment_version(&self, id: &str) -> Result<i64> {
        sqlx::query_scalar::<_, i64>(
            "SELECT version FROM portfolio_assignments WHERE id = $1 AND archived = 0",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StorageError::NotFound {
            what: "portfolio assignment",
            id: id.into(),
        })
    }
}

impl Tx {
    pub(crate) async fn holding_row(&mut self, id: &str) -> Result<Holding> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {HOLDING_COLS} FROM holdings WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&mut *self.tx)
        .await?
        .ok_or_else(|| StorageError::NotFound {
            what: "holding",
            id: id.into(),
        })?;
        holding_from(&row)
    }

    async fn assignment_row(&mut self, id: &str) -> Result<(PortfolioAssignment, i64)> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {ASSIGNMENT_COLS}, version FROM portfolio_assignments WHERE id = $1 AND archived = 0"
        )))
        .bind(id)
        .fetch_optional(&mut *self.tx)
        .await?
        .ok_or_else(|| StorageError::NotFound {
            what: "portfolio assignment",
            id: id.into(),
        })?;
        Ok((assignment_from(&row)?, row.try_get("version")?))
    }

    /// The assignments of `portfolio` in the org of `post` (of any of its posts' holdings).
    async fn assignments_in_org(
        &mut self,
        post: &str,
        portfolio: &str,
    ) -> Result<Vec<PortfolioAssignment>> {
        sqlx::query(AssertSqlSafe(format!(
            "SELECT {} FROM portfolio_assignments a JOIN holdings h ON h.id = a.holding_id \
             JOIN posts p ON p.id = h.post_id \
             WHERE a.archived = 0 AND a.portfolio = $1 \
             AND p.org_id = (SELECT org_id FROM posts WHERE id = $2) ORDER BY a.start_on",
            ASSIGNMENT_COLS
                .split(", ")
                .map(|c| format!("a.{c}"))
                .collect::<Vec<_>>()
                .join(", ")
        )))
        .bind(portfolio)
        .bind(post)
        .fetch_all(&mut *self.tx)
        .await?
        .iter()
        .map(assignment_from)
        .collect()
    }

    /// Checks an assignment of its holding against the pack and the others of the same
    /// portfolio in the org.
    async fn check_assignment_of(
        &mut self,
        pack: &PolicyPack,
        post: &Post,
        holding: &Holding,
        a: &PortfolioAssignment,
    ) -> Result<()> {
        if !pack.post_kind(&post.kind).is_some_and(|k| k.leadership) {
            return Err(AssignmentError::NotLeadership(post.kind.clone()).into());
        }
        if pack.portfolio(&a.portfolio).is_none() {
            return Err(AssignmentError::UnknownPortfolio(a.portfolio.clone()).into());
        }
        let others = self.assignments_in_org(&post.id, &a.portfolio).await?;
        check_assignment(holding, &others.iter().collect::<Vec<_>>(), a)?;
        Ok(())
    }

    async fn insert_assignment(&mut self, a: &PortfolioAssignment, action: &str) -> Result<()> {
        let now = self.now_ms();
        sqlx::query(
            "INSERT INTO portfolio_assignments (id, holding_id, portfolio, start_on, end_on, note, archived, version, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, NULL, 0, 1, $6, $6)",
        )
        .bind(&a.id)
        .bind(&a.holding)
        .bind(&a.portfolio)
        .bind(date_text(a.start))
        .bind(a.end.map(date_text))
        .bind(now)
        .execute(&mut *self.tx)
        .await?;
        self.audit(action, "assignment", &a.id, None, Some(&assignment_json(a)))
            .await
    }

    /// Assigns `portfolio` to the holding from `start` (to `end`): the holding's post must be a
    /// leadership post, the days within the holding, and no one else in the org may hold the
    /// portfolio on any of them.
    pub async fn assign_portfolio(
        &mut self,
        pack: &PolicyPack,
        holding: &str,
        portfolio: &str,
        start: NaiveDate,
        end: Option<NaiveDate>,
    ) -> Result<PortfolioAssignment> {
        let holding = self.holding_row(holding).await?;
        let post = self.post_row(&holding.post).await?;
        let a = PortfolioAssignment {
            id: new_id(),
            holding: holding.id.clone(),
            portfolio: portfolio.trim().to_string(),
            start,
            end,
        };
        self.check_assignment_of(pack, &post, &holding, &a).await?;
        self.insert_assignment(&a, "assignment.create").await?;
        Ok(a)
    }

    /// Ends or corrects an assignment (409 on a stale version). Ending an open one is
    /// audited as an end; any other change is a correction and needs a reason.
    pub async fn update_assignment(
        &mut self,
        pack: &PolicyPack,
        id: &str,
        expected_version: i64,
        edit: AssignmentEdit,
    ) -> Result<(PortfolioAssignment, i64)> {
        let (before, version) = self.assignment_row(id).await?;
        current(
            "portfolio assignment",
            &before.id,
            expected_version,
            version,
        )?;
        let mut after = before.clone();
        (after.start, after.end) = edit.applied(before.start, before.end);
        let reason = match edit
            .change(before.start, before.end)
            .map_err(|_| AssignmentError::ReasonRequired)?
        {
            DateChange::Unchanged => return Ok((before, version)),
            DateChange::End => None,
            DateChange::Correction { reason } => Some(reason),
        };
        let holding = self.holding_row(&before.holding).await?;
        let post = self.post_row(&holding.post).await?;
        self.check_assignment_of(pack, &post, &holding, &after)
            .await?;
        sqlx::query(
            "UPDATE portfolio_assignments SET start_on = $1, end_on = $2, note = $3, version = version + 1, updated_at = $4 \
             WHERE id = $5 AND version = $6",
        )
        .bind(date_text(after.start))
        .bind(after.end.map(date_text))
        .bind(reason)
        .bind(self.now_ms())
        .bind(&before.id)
        .bind(expected_version)
        .execute(&mut *self.tx)
        .await?;
        let mut new = assignment_json(&after);
        if let Some(r) = reason {
            new["reason"] = json!(r);
        }
        self.audit(
            if reason.is_none() {
                "assignment.end"
            } else {
                "assignment.correct"
            },
            "assignment",
            &before.id,
            Some(&assignment_json(&before)),
            Some(&new),
        )
        .await?;
        Ok((after, version + 1))
    }

    /// Gives a new holding the post's standing portfolios over its days; one another leader
    /// of the org holds on any of those days is left with them (the appointment stands; the
    /// portfolio is re-divided by an assignment).
    pub(crate) async fn assign_standing(
        &mut self,
        pack: &PolicyPack,
        post: &Post,
        holding: &Holding,
    ) -> Result<()> {
        for portfolio in &post.portfolios {
            let a = PortfolioAssignment {
                id: standing_id(&holding.id, portfolio),
                holding: holding.id.clone(),
                portfolio: portfolio.clone(),
                start: holding.start,
                end: holding.end,
            };
            match self.check_assignment_of(pack, post, holding, &a).await {
                Ok(()) => self.insert_assignment(&a, "assignment.create").await?,
                Err(StorageError::Assignment(_)) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// A handover carries the portfolios the outgoing holder held on its last day to the
    /// incoming holder from the handover day.
    pub(crate) async fn carry_assignments(
        &mut self,
        pack: &PolicyPack,
        post: &Post,
        outgoing: &Holding,
        incoming: &Holding,
    ) -> Result<()> {
        let Some(eve) = outgoing.end else {
            return Ok(());
        };
        let carried: Vec<PortfolioAssignment> = self
            .assignments_of_holding(&outgoing.id)
            .await?
            .into_iter()
            .filter(|a| a.covers(eve))
            .collect();
        self.clip_assignments(outgoing).await?;
        for old in carried {
            let a = PortfolioAssignment {
                id: new_id(),
                holding: incoming.id.clone(),
                portfolio: old.portfolio.clone(),
                start: incoming.start,
                end: incoming.end,
            };
            match self.check_assignment_of(pack, post, incoming, &a).await {
                Ok(()) => self.insert_assignment(&a, "assignment.handover").await?,
                Err(StorageError::Assignment(_)) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    async fn assignments_of_holding(&mut self, holding: &str) -> Result<Vec<PortfolioAssignment>> {
        sqlx::query(AssertSqlSafe(format!(
            "SELECT {ASSIGNMENT_COLS} FROM portfolio_assignments WHERE holding_id = $1 AND archived = 0 ORDER BY start_on"
        )))
        .bind(holding)
        .fetch_all(&mut *self.tx)
        .await?
        .iter()
        .map(assignment_from)
        .collect()
    }

    /// Ends with a holding (which now ends on `holding.end`) the assignments of it that ran
    /// past that day; those that would start after it are withdrawn. Each is audited.
    pub(crate) async fn clip_assignments(&mut self, holding: &Holding) -> Result<()> {
        let Some(end) = holding.end else {
            return Ok(());
        };
        let now = self.now_ms();
        for a in self.assignments_of_holding(&holding.id).await? {
            if a.end.is_some_and(|e| e <= end) {
                continue;
            }
            let mut after = a.clone();
            let action = if a.start > end {
                sqlx::query(
                    "UPDATE portfolio_assignments SET archived = 1, version = version + 1, updated_at = $1 WHERE id = $2",
                )
                .bind(now)
                .bind(&a.id)
                .execute(&mut *self.tx)
                .await?;
                "assignment.withdraw"
            } else {
                after.end = Some(end);
                sqlx::query(
                    "UPDATE portfolio_assignments SET end_on = $1, version = version + 1, updated_at = $2 WHERE id = $3",
                )
                .bind(date_text(end))
                .bind(now)
                .bind(&a.id)
                .execute(&mut *self.tx)
                .await?;
                "assignment.end"
            };
            self.audit(
                action,
                "assignment",
                &a.id,
                Some(&assignment_json(&a)),
                Some(&json!({"end": after.end.map(date_text), "with_holding": holding.id})),
            )
            .await?;
        }
        Ok(())
    }
}
