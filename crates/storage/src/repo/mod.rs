//! Repositories: reading and writing each kind of record, on both engines.

pub mod assessments;
pub mod assignments;
pub mod attachments;
pub mod audit;
pub mod audit_query;
pub mod cases;
pub mod directives;
pub mod directory;
pub mod events;
pub mod feeds;
pub mod identity;
pub mod incidents;
pub mod indicators;
pub mod ledger_rows;
pub mod model_changes;
pub mod notify;
pub mod obligations;
pub mod orgs;
pub mod people;
pub mod platforms;
pub mod policies;
pub mod policy_impact;
pub mod projects;
pub mod records;
pub mod reviews;
pub mod roster;
pub mod websites;

use crate::error::{Result, StorageError};
use chrono::NaiveDate;
use sqlx::any::AnyRow;
use sqlx::{Any, AssertSqlSafe, Executor};

/// A date as stored: `YYYY-MM-DD`.
pub(crate) fn date_text(d: NaiveDate) -> String {
    zeren_core::events::day_text(d)
}

/// Reads a stored date.
pub(crate) fn parse_date(s: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| StorageError::Corrupt(format!("not a date: `{s}`")))
}

/// Reads an optional stored date.
pub(crate) fn parse_opt_date(s: Option<String>) -> Result<Option<NaiveDate>> {
    s.as_deref().map(parse_date).transpose()
}

/// Maps a unique-constraint violation to [`StorageError::Duplicate`].
pub(crate) fn unique_violation(e: sqlx::Error, what: &'static str, key: &str) -> StorageError {
    if let sqlx::Error::Database(db) = &e
        && db.is_unique_violation()
    {
        return StorageError::Duplicate {
            what,
            key: key.to_string(),
        };
    }
    StorageError::Database(e)
}

/// [`StorageError::NotFound`] for the `what` with this id.
pub(crate) fn not_found(what: &'static str, id: &str) -> StorageError {
    StorageError::NotFound {
        what,
        id: id.to_string(),
    }
}

/// A table whose rows are read into `T`: its name, the columns `from` reads, and what a missing
/// row is called.
pub(crate) struct Rows<T> {
    /// Table name.
    pub table: &'static str,
    /// The columns `from` reads, unqualified.
    pub cols: &'static str,
    /// What [`StorageError::NotFound`] calls a missing row.
    pub what: &'static str,
    /// Reads one row.
    pub from: fn(&AnyRow) -> Result<T>,
}

impl<T> Rows<T> {
    /// The row with this id, if there is one; on the pool or inside a transaction alike.
    pub(crate) async fn find<'c>(
        &self,
        on: impl Executor<'c, Database = Any>,
        id: &str,
    ) -> Result<Option<T>> {
        sqlx::query(AssertSqlSafe(format!(
            "SELECT {} FROM {} WHERE id = $1",
            self.cols, self.table
        )))
        .bind(id)
        .fetch_optional(on)
        .await?
        .map(|row| (self.from)(&row))
        .transpose()
    }

    /// The rows matching `cond` (its `$1`, `$2`, … bound to `args` in order), in `order_by`, a
    /// page of them (`limit` rows after `offset`, the limit kept within 0..=10 000), with how many
    /// match in all.
    pub(crate) async fn page(
        &self,
        pool: &sqlx::AnyPool,
        cond: &str,
        args: &[String],
        order_by: &str,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<T>, i64)> {
        let total = self.count(pool, cond, args).await?;
        let rows = self
            .slice(pool, cond, args, order_by, limit, offset)
            .await?;
        Ok((rows, total))
    }

    /// How many rows match `cond` (its `$1`, `$2`, … bound to `args` in order).
    pub(crate) async fn count(
        &self,
        pool: &sqlx::AnyPool,
        cond: &str,
        args: &[String],
    ) -> Result<i64> {
        let mut q = sqlx::query_scalar::<_, i64>(AssertSqlSafe(format!(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM {} WHERE {cond}",
            self.table
        )));
        for a in args {
            q = q.bind(a.clone());
        }
        Ok(q.fetch_one(pool).await?)
    }

    /// The rows matching `cond`, in `order_by`: `limit` of them (kept within 0..=10 000) after
    /// `offset`.
    pub(crate) async fn slice(
        &self,
        pool: &sqlx::AnyPool,
        cond: &str,
        args: &[String],
        order_by: &str,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<T>> {
        let mut q = sqlx::query(AssertSqlSafe(format!(
            "SELECT {} FROM {} WHERE {cond} ORDER BY {order_by} LIMIT ${} OFFSET ${}",
            self.cols,
            self.table,
            args.len() + 1,
            args.len() + 2
        )));
        for a in args {
            q = q.bind(a.clone());
        }
        let rows = q
            .bind(limit.clamp(0, 10_000))
            .bind(offset.max(0))
            .fetch_all(pool)
            .await?;
        rows.iter().map(self.from).collect()
    }

    /// The row with this id; [`StorageError::NotFound`] when there is none.
    pub(crate) async fn by_id<'c>(
        &self,
        on: impl Executor<'c, Database = Any>,
        id: &str,
    ) -> Result<T> {
        self.find(on, id)
            .await?
            .ok_or_else(|| not_found(self.what, id))
    }
}

/// Refuses a change made from a version other than the stored one: [`StorageError::Conflict`].
pub(crate) fn check_version(
    what: &'static str,
    id: &str,
    expected: i64,
    actual: i64,
) -> Result<()> {
    if actual == expected {
        return Ok(());
    }
    Err(StorageError::Conflict {
        what,
        id: id.to_string(),
        expected,
        actual,
    })
}

/// Refuses a guarded `UPDATE … WHERE id = … AND version = expected` that changed no row:
/// another change came first.
pub(crate) fn check_updated(rows: u64, what: &'static str, id: &str, expected: i64) -> Result<()> {
    check_version(
        what,
        id,
        expected,
        if rows == 1 { expected } else { expected + 1 },
    )
}

/// `$from, $from+1, …` for `n` values.
pub(crate) fn placeholders(from: usize, n: usize) -> String {
    (from..from + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A column list (`a, b`) with each column qualified by a table alias (`t.a, t.b`).
pub(crate) fn qualified(cols: &str, alias: &str) -> String {
    cols.split(", ")
        .map(|c| format!("{alias}.{c}"))
        .collect::<Vec<_>>()
        .join(", ")
}
