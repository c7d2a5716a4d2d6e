//! What changed in the org model after a point of the audit chain, so that an in-memory
//! snapshot of the model (the web layer's `shared::snapshot`) follows the database by reading
//! only the objects that changed, not the whole model.
//!
//! Every change to the model is audited in its own transaction (`Tx::audit`, naming the object
//! type and id) and moves the model generation in the same commit; audit sequence numbers are
//! taken in commit order. So the entries after a position name every object changed since, and
//! re-reading those objects by id gives their state now.

use super::assignments::{ASSIGNMENT_COLS, assignment_from};
use super::orgs::{HOLDING_COLS, ORG_COLS, PLATFORM_COLS, POST_COLS, holding_from, org_from};
use super::orgs::{platform_from, post_from};
use crate::db::{Db, MODEL_OBJECTS};
use crate::error::Result;
use sqlx::{AssertSqlSafe, Row};
use std::collections::{BTreeSet, HashMap};
use zeren_core::org::{ModelChange, Person};

/// Where a read of the model stands: the model generation and the audit head (sequence number
/// and hash) it was read at.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ModelPosition {
    /// The model generation.
    pub generation: i64,
    /// The audit head's sequence number.
    pub seq: i64,
    /// The audit head's hash: tells a restored chain from the one the position was read in.
    pub hash: String,
}

/// The changes after a position (see [`Db::model_changes`]).
#[derive(Debug, Clone)]
pub struct ModelChanges {
    /// The position they run to.
    pub position: ModelPosition,
    /// The object types that changed (`org`, `person`, `policy`, `setting`, …).
    pub kinds: BTreeSet<String>,
    /// The orgs, people, posts, holdings and platforms that changed, as they are now.
    pub change: ModelChange,
    /// The stored version of each changed org.
    pub org_versions: Vec<(String, i64)>,
}

/// `$1, $2, …, $n` after `first - 1` parameters.
fn placeholders(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Db {
    /// The position now. Read it before reading the model: a change committed while the model
    /// is read is then after the position, and is applied again by the next
    /// [`Db::model_changes`] (re-reading an object by id is the same whether or not the first read
    /// saw it).
    pub async fn model_position(&self) -> Result<ModelPosition> {
        // The generation first, then the head: every entry of a change counted in the
        // generation is at or before the head read after it.
        let generation = self.model_generation().await?;
        let row = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
            .fetch_one(&self.pool)
            .await?;
        Ok(ModelPosition {
            generation,
            seq: row.try_get("seq")?,
            hash: row.try_get("hash")?,
        })
    }

    /// The changes to the model after `from`, with each changed object read again; `None` when
    /// they cannot be told from the audit chain — the chain no longer holds `from` (a restore
    /// replaced it) — or when more than `limit` objects changed (then a whole load is cheaper).
    pub async fn model_changes(
        &self,
        from: &ModelPosition,
        limit: usize,
    ) -> Result<Option<ModelChanges>> {
        let position = self.model_position().await?;
        if position.seq < from.seq {
            return Ok(None);
        }
        if from.seq > 0 && !self.audit_holds(from.seq, &from.hash).await? {
            return Ok(None);
        }
        let types = placeholders(4, MODEL_OBJECTS.len());
        let mut q = sqlx::query(AssertSqlSafe(format!(
            "SELECT object_type, object_id FROM audit_log \
             WHERE seq > $1 AND seq <= $2 AND object_type IN ({types}) ORDER BY seq LIMIT $3"
        )))
        .bind(from.seq)
        .bind(position.seq)
        .bind(i64::try_from(limit).unwrap_or(i64::MAX).saturating_add(1));
        for t in MODEL_OBJECTS {
            q = q.bind(*t);
        }
        let rows = q.fetch_all(&self.pool).await?;
        if rows.len() > limit {
            return Ok(None);
        }
        let mut kinds = BTreeSet::new();
        let mut ids: HashMap<String, BTreeSet<String>> = HashMap::new();
        for r in &rows {
            let kind: String = r.try_get("object_type")?;
            ids.entry(kind.clone())
                .or_default()
                .insert(r.try_get("object_id")?);
            kinds.insert(kind);
        }
        let none = BTreeSet::new();
        let of = |kind: &str| ids.get(kind).unwrap_or(&none);
        let (orgs, org_versions) = self.orgs_by_id(of("org")).await?;
        let change = ModelChange {
            orgs,
            people: self.people_by_id(of("person")).await?,
            posts: self.posts_by_id(of("post")).await?,
            holdings: self.holdings_by_id(of("holding")).await?,
            assignments: self.assignments_by_id(of("assignment")).await?,
            platforms: self.platforms_by_id(of("platform")).await?,
        };
        Ok(Some(ModelChanges {
            position,
            kinds,
            change,
            org_versions,
        }))
    }

    /// Rows of `table` whose id is in `ids`, with `cols`.
    async fn rows_by_id(
        &self,
        table: &str,
        cols: &str,
        ids: &BTreeSet<String>,
    ) -> Result<Vec<sqlx::any::AnyRow>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut q = sqlx::query(AssertSqlSafe(format!(
            "SELECT {cols} FROM {table} WHERE id IN ({})",
            placeholders(1, ids.len())
        )));
        for id in ids {
            q = q.bind(id.as_str());
        }
        Ok(q.fetch_all(&self.pool).await?)
    }

    async fn orgs_by_id(
        &self,
        ids: &BTreeSet<String>,
    ) -> Result<(
        Vec<(String, Option<zeren_core::org::Org>)>,
        Vec<(String, i64)>,
    )> {
        let rows = self
            .rows_by_id("orgs", &format!("{ORG_COLS}, version"), ids)
            .await?;
        let mut found = HashMap::new();
        let mut versions = Vec::new();
        for r in &rows {
            let org = org_from(r)?;
            versions.push((org.id.clone(), r.try_get("version")?));
            found.insert(org.id.clone(), org);
        }
        Ok((gone_or_found(ids, found), versions))
    }

    async fn people_by_id(&self, ids: &BTreeSet<String>) -> Result<Vec<(String, Option<Person>)>> {
        let mut found = HashMap::new();
        for r in self
            .rows_by_id("people", "id, name, org_id, archived", ids)
            .await?
        {
            if r.try_get::<i64, _>("archived")? == 0 {
                let p = Person {
                    id: r.try_get("id")?,
                    name: r.try_get("name")?,
                    org: r.try_get("org_id")?,
                };
                found.insert(p.id.clone(), p);
            }
        }
        Ok(gone_or_found(ids, found))
    }

    async fn posts_by_id(
        &self,
        ids: &BTreeSet<String>,
    ) -> Result<Vec<(String, Option<zeren_core::org::Post>)>> {
        let mut found = HashMap::new();
        for r in self
            .rows_by_id("posts", &format!("{POST_COLS}, archived"), ids)
            .await?
        {
            if r.try_get::<i64, _>("archived")? == 0 {
                let p = post_from(&r)?;
                found.insert(p.id.clone(), p);
            }
        }
        Ok(gone_or_found(ids, found))
    }

    async fn holdings_by_id(
        &self,
        ids: &BTreeSet<String>,
    ) -> Result<Vec<(String, Option<zeren_core::org::Holding>)>> {
        let mut found = HashMap::new();
        for r in self.rows_by_id("holdings", HOLDING_COLS, ids).await? {
            let h = holding_from(&r)?;
            found.insert(h.id.clone(), h);
        }
        Ok(gone_or_found(ids, found))
    }

    async fn assignments_by_id(
        &self,
        ids: &BTreeSet<String>,
    ) -> Result<Vec<(String, Option<zeren_core::org::PortfolioAssignment>)>> {
        let mut found = HashMap::new();
        for r in self
            .rows_by_id(
                "portfolio_assignments",
                &format!("{ASSIGNMENT_COLS}, archived"),
                ids,
            )
            .await?
        {
            if r.try_get::<i64, _>("archived")? == 0 {
                let a = assignment_from(&r)?;
                found.insert(a.id.clone(), a);
            }
        }
        Ok(gone_or_found(ids, found))
    }

    async fn platforms_by_id(
        &self,
        ids: &BTreeSet<String>,
    ) -> Result<Vec<(String, Option<zeren_core::org::Platform>)>> {
        let rows = self.rows_by_id("platforms", PLATFORM_COLS, ids).await?;
        let mut operators: HashMap<String, Vec<String>> = HashMap::new();
        if !ids.is_empty() {
            let mut q = sqlx::query(AssertSqlSafe(format!(
                "SELECT platform_id, person_id FROM platform_operators \
                 WHERE platform_id IN ({}) ORDER BY platform_id, person_id",
                placeholders(1, ids.len())
            )));
            for id in ids {
                q = q.bind(id.as_str());
            }
            for r in q.fetch_all(&self.pool).await? {
                operators
                    .entry(r.try_get("platform_id")?)
                    .or_default()
                    .push(r.try_get("person_id")?);
            }
        }
        let mut found = HashMap::new();
        for r in &rows {
            let id: String = r.try_get("id")?;
            let p = platform_from(r, operators.remove(&id).unwrap_or_default())?;
            found.insert(id, p);
        }
        Ok(gone_or_found(ids, found))
    }
}

/// Each id with the object found for it, or `None` when it is gone.
fn gone_or_found<T>(
    ids: &BTreeSet<String>,
    mut found: HashMap<String, T>,
) -> Vec<(String, Option<T>)> {
    ids.iter()
        .map(|id| (id.clone(), found.remove(id)))
        .collect()
}
