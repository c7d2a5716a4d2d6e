//! Websites' upkeep (Art.4(6)): content-responsibility arrangements, replaced by a new version
//! checked against the one the caller saw, and the maintenance log, appended to. The rules are
//! [`zeren_core::platforms::website`]; each change is one transaction, audited.

use super::{check_version, date_text, parse_date};
use crate::db::{Db, Tx, new_id};
use crate::error::{Result, StorageError};
use chrono::NaiveDate;
use serde::Serialize;
use serde_json::json;
use sqlx::Row;
use std::collections::HashMap;
use zeren_core::platforms::website::{ContentArrangements, LogEntry};

/// A website's arrangements as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredContent {
    /// The arrangements.
    pub content: ContentArrangements,
    /// Edit version.
    pub version: i64,
    /// Who set them (user name).
    pub updated_by: String,
}

/// A log entry as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredLog {
    /// Storage id.
    pub id: String,
    /// The entry.
    pub entry: LogEntry,
    /// Who entered it (user name).
    pub created_by: String,
}

impl Db {
    /// A website's arrangements, if set.
    pub async fn website_content(&self, platform: &str) -> Result<Option<StoredContent>> {
        let row = sqlx::query(
            "SELECT approver_id, reviewers, version, updated_by FROM website_content WHERE platform_id = $1",
        )
        .bind(platform)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(StoredContent {
                content: ContentArrangements {
                    approver: r.try_get("approver_id")?,
                    reviewers: serde_json::from_str(&r.try_get::<String, _>("reviewers")?)
                        .map_err(|e| StorageError::Corrupt(format!("website reviewers: {e}")))?,
                },
                version: r.try_get("version")?,
                updated_by: r.try_get("updated_by")?,
            })
        })
        .transpose()
    }

    /// A website's log, newest first, at most `limit` entries.
    pub async fn website_log(&self, platform: &str, limit: i64) -> Result<Vec<StoredLog>> {
        sqlx::query(
            "SELECT id, log_day, kind, note, created_by FROM website_log WHERE platform_id = $1 ORDER BY log_day DESC, created_at DESC LIMIT $2",
        )
        .bind(platform)
        .bind(limit.clamp(1, 10_000))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            Ok(StoredLog {
                id: r.try_get("id")?,
                entry: LogEntry {
                    date: parse_date(&r.try_get::<String, _>("log_day")?)?,
                    kind: r.try_get("kind")?,
                    note: r.try_get("note")?,
                },
                created_by: r.try_get("created_by")?,
            })
        })
        .collect()
    }

    /// The day of each website's last log entry (of every website with one).
    pub async fn last_log_days(&self) -> Result<HashMap<String, NaiveDate>> {
        sqlx::query("SELECT platform_id, log_day FROM website_last_log")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                Ok((
                    r.try_get("platform_id")?,
                    parse_date(&r.try_get::<String, _>("log_day")?)?,
                ))
            })
            .collect()
    }
}

impl Tx {
    /// Sets a website's arrangements (checked by `check_content`); `expected_version` is the
    /// one the caller saw (0 when none was set).
    pub async fn set_website_content(
        &mut self,
        platform: &str,
        expected_version: i64,
        content: &ContentArrangements,
    ) -> Result<i64> {
        let before = sqlx::query(
            "SELECT approver_id, reviewers, version FROM website_content WHERE platform_id = $1",
        )
        .bind(platform)
        .fetch_optional(&mut *self.tx)
        .await?;
        let now = self.now_ms();
        let reviewers = serde_json::to_string(&content.reviewers).unwrap_or_else(|_| "[]".into());
        let (version, before_json) = match before {
            None => {
                check_version("website arrangements", platform, expected_version, 0)?;
                sqlx::query(
                    "INSERT INTO website_content (platform_id, approver_id, reviewers, version, updated_by, updated_at) VALUES ($1, $2, $3, 1, $4, $5)",
                )
                .bind(platform)
                .bind(&content.approver)
                .bind(&reviewers)
                .bind(self.actor_name())
                .bind(now)
                .execute(&mut *self.tx)
                .await?;
                (1, None)
            }
            Some(r) => {
                let v: i64 = r.try_get("version")?;
                check_version("website arrangements", platform, expected_version, v)?;
                let before = json!({"approver": r.try_get::<String, _>("approver_id")?, "reviewers": r.try_get::<String, _>("reviewers")?, "version": v});
                sqlx::query(
                    "UPDATE website_content SET approver_id = $1, reviewers = $2, version = version + 1, updated_by = $3, updated_at = $4 WHERE platform_id = $5 AND version = $6",
                )
                .bind(&content.approver)
                .bind(&reviewers)
                .bind(self.actor_name())
                .bind(now)
                .bind(platform)
                .bind(v)
                .execute(&mut *self.tx)
                .await?;
                (v + 1, Some(before))
            }
        };
        self.audit(
            "website.content",
            "platform",
            platform,
            before_json.as_ref(),
            Some(&json!({"approver": content.approver, "reviewers": content.reviewers, "version": version})),
        )
        .await?;
        Ok(version)
    }

    /// Appends a log entry (checked by `check_log`).
    pub async fn add_website_log(&mut self, platform: &str, entry: &LogEntry) -> Result<StoredLog> {
        let log = StoredLog {
            id: new_id(),
            entry: entry.clone(),
            created_by: self.actor_name(),
        };
        sqlx::query(
            "INSERT INTO website_log (id, platform_id, log_day, kind, note, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&log.id)
        .bind(platform)
        .bind(date_text(entry.date))
        .bind(&entry.kind)
        .bind(&entry.note)
        .bind(&log.created_by)
        .bind(self.now_ms())
        .execute(&mut *self.tx)
        .await?;
        sqlx::query(
            "INSERT INTO website_last_log (platform_id, log_day) VALUES ($1, $2) \
             ON CONFLICT (platform_id) DO UPDATE SET log_day = excluded.log_day \
             WHERE excluded.log_day > website_last_log.log_day",
        )
        .bind(platform)
        .bind(date_text(entry.date))
        .execute(&mut *self.tx)
        .await?;
        self.audit(
            "website.log",
            "platform",
            platform,
            None,
            Some(&json!({"id": log.id, "date": date_text(entry.date), "kind": entry.kind, "note": entry.note})),
        )
        .await?;
        Ok(log)
    }
}
