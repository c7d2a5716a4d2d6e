//! Searching the audit log for the auditor: filters, newest first, by page or by cursor; and the
//! record counts the system administrator sees.

use crate::db::Db;
use crate::error::Result;
use sqlx::any::AnyArguments;
use sqlx::query::Query;
use sqlx::{Any, AssertSqlSafe, Row};
use zeren_core::audit::AuditEntry;

/// Which audit entries to read. Every field narrows the search; `None` does not.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// Exactly this actor (user name, `cli`, `system`, `demo`).
    pub actor: Option<String>,
    /// Exactly this object type (`user`, `org`, `holding`, …).
    pub object_type: Option<String>,
    /// Exactly this object id.
    pub object_id: Option<String>,
    /// Actions starting with this (`login` matches `login.success` and `login.failure`).
    pub action_prefix: Option<String>,
    /// At or after this instant (epoch ms).
    pub from_ms: Option<i64>,
    /// Before this instant (epoch ms, exclusive).
    pub to_ms: Option<i64>,
    /// Only entries older than this sequence number (the cursor of the next page).
    pub before_seq: Option<i64>,
}

enum Bind {
    Text(String),
    Int(i64),
}

impl AuditFilter {
    /// The `WHERE` clause and its values, placeholders numbered from `$1`.
    fn clause(&self) -> (String, Vec<Bind>) {
        let mut conds: Vec<String> = Vec::new();
        let mut binds: Vec<Bind> = Vec::new();
        let mut arg = |b: Bind| {
            binds.push(b);
            format!("${}", binds.len())
        };
        for (col, value) in [
            ("actor", &self.actor),
            ("object_type", &self.object_type),
            ("object_id", &self.object_id),
        ] {
            if let Some(v) = value {
                conds.push(format!("{col} = {}", arg(Bind::Text(v.clone()))));
            }
        }
        if let Some(p) = &self.action_prefix {
            // SUBSTR compares exactly on both engines (LIKE's case rules differ).
            let len = arg(Bind::Int(p.chars().count() as i64));
            let prefix = arg(Bind::Text(p.clone()));
            conds.push(format!(
                "SUBSTR(action, 1, CAST({len} AS INTEGER)) = {prefix}"
            ));
        }
        if let Some(from) = self.from_ms {
            conds.push(format!("at_ms >= {}", arg(Bind::Int(from))));
        }
        if let Some(to) = self.to_ms {
            conds.push(format!("at_ms < {}", arg(Bind::Int(to))));
        }
        if let Some(before) = self.before_seq {
            conds.push(format!("seq < {}", arg(Bind::Int(before))));
        }
        let sql = if conds.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", conds.join(" AND "))
        };
        (sql, binds)
    }
}

fn bind_all<'q>(
    mut q: Query<'q, Any, AnyArguments>,
    binds: &'q [Bind],
) -> Query<'q, Any, AnyArguments> {
    for b in binds {
        q = match b {
            Bind::Text(s) => q.bind(s.as_str()),
            Bind::Int(i) => q.bind(*i),
        };
    }
    q
}

/// How many records of each kind the database holds (no business content, only numbers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RecordCounts {
    /// Organisations.
    pub orgs: i64,
    /// People.
    pub people: i64,
    /// Obligations, all years.
    pub obligations: i64,
    /// Audit entries.
    pub audit_entries: i64,
}

impl Db {
    /// Audit entries matching `filter`, newest first: `limit` of them after skipping `offset`.
    pub async fn audit_search(
        &self,
        filter: &AuditFilter,
        offset: i64,
        limit: i64,
    ) -> Result<Vec<AuditEntry>> {
        let (clause, binds) = filter.clause();
        let n = binds.len();
        let sql = format!(
            "SELECT seq, at_ms, actor, origin, action, object_type, object_id, before_json, after_json, prev_hash, hash, algorithm \
             FROM audit_log{clause} ORDER BY seq DESC LIMIT ${} OFFSET ${}",
            n + 1,
            n + 2
        );
        let rows = bind_all(sqlx::query(AssertSqlSafe(sql)), &binds)
            .bind(limit.max(0))
            .bind(offset.max(0))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(super::audit::entry_from).collect()
    }

    /// How many audit entries match `filter`.
    pub async fn audit_count(&self, filter: &AuditFilter) -> Result<i64> {
        let (clause, binds) = filter.clause();
        let sql = format!("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM audit_log{clause}");
        let row = bind_all(sqlx::query(AssertSqlSafe(sql)), &binds)
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get("n")?)
    }

    /// How many orgs, people, obligations and audit entries are stored.
    pub async fn record_counts(&self) -> Result<RecordCounts> {
        let row = sqlx::query(
            "SELECT (SELECT CAST(COUNT(*) AS BIGINT) FROM orgs) AS orgs, \
             (SELECT CAST(COUNT(*) AS BIGINT) FROM people) AS people, \
             (SELECT CAST(COUNT(*) AS BIGINT) FROM obligations) AS obligations, \
             (SELECT CAST(COUNT(*) AS BIGINT) FROM audit_log) AS audit_entries",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(RecordCounts {
            orgs: row.try_get("orgs")?,
            people: row.try_get("people")?,
            obligations: row.try_get("obligations")?,
            audit_entries: row.try_get("audit_entries")?,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use crate::testing;
    use crate::{Actor, ledger};
    use chrono::{TimeZone, Utc};

    async fn seeded(db: &Db) {
        let t0 = Utc.with_ymd_and_hms(2026, 3, 1, 4, 0, 0).unwrap();
        ledger::initialise(db, t0).await.unwrap();
        for (i, (actor, action, ty, id)) in [
            ("alice", "login.success", "user", "u1"),
            ("alice", "login.failure", "user", "u1"),
            ("bob", "org.create", "org", "o1"),
            ("bob", "loginx", "user", "u2"),
        ]
        .into_iter()
        .enumerate()
        {
            let at = t0 + chrono::Duration::days(i as i64 + 1);
            let mut tx = db
                .begin(
                    &Actor {
                        name: actor.into(),
                        origin: "127.0.0.1".into(),
                    },
                    at,
                )
                .await
                .unwrap();
            tx.audit(action, ty, id, None, None).await.unwrap();
            tx.commit().await.unwrap();
        }
    }

    #[tokio::test]
    async fn filters_and_pages_on_every_engine() {
        for t in testing::engines().await {
            let db = &t.db;
            seeded(db).await;
            let all = db
                .audit_search(&AuditFilter::default(), 0, 1000)
                .await
                .unwrap();
            let total = db.audit_count(&AuditFilter::default()).await.unwrap();
            assert_eq!(all.len() as i64, total, "{}", t.label);
            assert!(all.windows(2).all(|w| w[0].seq > w[1].seq), "newest first");

            let f = AuditFilter {
                actor: Some("alice".into()),
                ..AuditFilter::default()
            };
            assert_eq!(db.audit_count(&f).await.unwrap(), 2);

            let f = AuditFilter {
                action_prefix: Some("login.".into()),
                ..AuditFilter::default()
            };
            let hits = db.audit_search(&f, 0, 10).await.unwrap();
            assert_eq!(
                hits.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(),
                ["login.failure", "login.success"]
            );

            let f = AuditFilter {
                object_type: Some("user".into()),
                object_id: Some("u1".into()),
                before_seq: Some(hits[0].seq),
                ..AuditFilter::default()
            };
            let older = db.audit_search(&f, 0, 10).await.unwrap();
            assert_eq!(older.len(), 1);
            assert_eq!(older[0].action, "login.success");

            let day3 = Utc.with_ymd_and_hms(2026, 3, 3, 0, 0, 0).unwrap();
            let day4 = Utc.with_ymd_and_hms(2026, 3, 4, 0, 0, 0).unwrap();
            let f = AuditFilter {
                from_ms: Some(day3.timestamp_millis()),
                to_ms: Some(day4.timestamp_millis()),
                ..AuditFilter::default()
            };
            let one = db.audit_search(&f, 0, 10).await.unwrap();
            assert_eq!(one.len(), 1);
            assert_eq!(one[0].action, "login.failure");

            let page2 = db
                .audit_search(&AuditFilter::default(), 1, 2)
                .await
                .unwrap();
            assert_eq!(page2.len(), 2);
            assert_eq!(page2[0].seq, all[1].seq);

            let counts = db.record_counts().await.unwrap();
            assert_eq!(counts.audit_entries, total);
            assert_eq!(counts.orgs, 0);
            t.finish().await;
        }
    }
}
