//! Connecting to SQLite or PostgreSQL through one code path, migrations, and writing
//! transactions that append to the audit chain.

use crate::error::{Result, StorageError};
use chrono::{DateTime, Utc};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::pool::PoolConnectionMetadata;
use sqlx::{Any, AnyConnection, AnyPool, AssertSqlSafe, Executor, Row, Transaction};
use std::future::Future;
use std::pin::Pin;
use std::str::FromStr;
use std::time::Duration;
use zeren_core::audit::{AuditEntry, HashAlgorithm};

/// The database engine behind a [`Db`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// Embedded SQLite (a file in the data dir).
    Sqlite,
    /// PostgreSQL (or compatible).
    Postgres,
}

impl Backend {
    /// Name used in health output.
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// A connection pool on one database.
#[derive(Clone, Debug)]
pub struct Db {
    pub(crate) pool: AnyPool,
    backend: Backend,
    algorithm: HashAlgorithm,
    /// Shared: a `Db` is cloned into every request.
    files: Option<std::sync::Arc<std::path::Path>>,
    /// The installation key (sealing secrets, signing backups); kept outside the database.
    key: Option<std::sync::Arc<crate::keys::InstallationKey>>,
}

/// Who makes a change and from where; written into the audit chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// User name, or `system`, or `cli`.
    pub name: String,
    /// IP address, or `cli`.
    pub origin: String,
}

impl Actor {
    /// A change made from the command line.
    pub fn cli() -> Actor {
        Actor {
            name: "cli".into(),
            origin: "cli".into(),
        }
    }

    /// A change made by Zeren itself (initialisation, scheduled jobs).
    pub fn system() -> Actor {
        Actor {
            name: "system".into(),
            origin: "local".into(),
        }
    }
}

/// Hides a password in a URL for messages.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let userinfo = &url[s + 3..at];
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{}://{}@{}", &url[..s], user, &url[at + 1..])
        }
        _ => url.to_string(),
    }
}

fn sqlite_pragmas<'c>(
    conn: &'c mut AnyConnection,
    _meta: PoolConnectionMetadata,
) -> Pin<Box<dyn Future<Output = Result<(), sqlx::Error>> + Send + 'c>> {
    Box::pin(async move {
        // WAL for readers beside the writer; FULL so an acknowledged write survives power loss.
        conn.execute("PRAGMA journal_mode = WAL").await?;
        conn.execute("PRAGMA synchronous = FULL").await?;
        conn.execute("PRAGMA foreign_keys = ON").await?;
        conn.execute("PRAGMA busy_timeout = 10000").await?;
        // Reads of the database file through a memory map rather than a copy per page read.
        conn.execute("PRAGMA mmap_size = 268435456").await?;
        Ok(())
    })
}

const MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "foundation",
        include_str!("../migrations/0001_foundation.sql"),
    ),
    (
        2,
        "identity",
        include_str!("../migrations/0002_identity.sql"),
    ),
    (3, "records", include_str!("../migrations/0003_records.sql")),
    (4, "ledger", include_str!("../migrations/0004_ledger.sql")),
    (5, "notify", include_str!("../migrations/0005_notify.sql")),
    (6, "feeds", include_str!("../migrations/0006_feeds.sql")),
    (
        7,
        "ledger pages",
        include_str!("../migrations/0007_ledger_pages.sql"),
    ),
    (
        8,
        "feed secrets",
        include_str!("../migrations/0008_feed_secrets.sql"),
    ),
    (
        9,
        "ledger generation",
        include_str!("../migrations/0009_ledger_generation.sql"),
    ),
    (10, "roster", include_str!("../migrations/0010_roster.sql")),
    (
        11,
        "handlers",
        include_str!("../migrations/0011_handlers.sql"),
    ),
    (
        12,
        "platform lifecycle",
        include_str!("../migrations/0012_platform_lifecycle.sql"),
    ),
    (
        13,
        "platform running",
        include_str!("../migrations/0013_platform_running.sql"),
    ),
    (
        14,
        "obligation subjects",
        include_str!("../migrations/0014_obligation_subjects.sql"),
    ),
    (
        15,
        "obligation platform",
        include_str!("../migrations/0015_obligation_platform.sql"),
    ),
    (
        16,
        "rectifications",
        include_str!("../migrations/0016_rectifications.sql"),
    ),
    (
        17,
        "online events",
        include_str!("../migrations/0017_online_events.sql"),
    ),
    (
        18,
        "website upkeep",
        include_str!("../migrations/0018_website_upkeep.sql"),
    ),
    (
        19,
        "event and indicator indexes",
        include_str!("../migrations/0019_indicator_indexes.sql"),
    ),
    (
        20,
        "incidents and risk assessments",
        include_str!("../migrations/0020_incidents.sql"),
    ),
    (
        21,
        "incident reads",
        include_str!("../migrations/0021_incident_reads.sql"),
    ),
    (
        22,
        "incident attachments",
        include_str!("../migrations/0022_incident_attachments.sql"),
    ),
    (23, "cases", include_str!("../migrations/0023_cases.sql")),
    (
        24,
        "assessments",
        include_str!("../migrations/0024_assessments.sql"),
    ),
    (
        25,
        "directory sign-in",
        include_str!("../migrations/0025_directory.sql"),
    ),
];

impl Db {
    /// Connects to `url` (`sqlite://PATH` or `postgres://…`). A SQLite file is created if missing.
    pub async fn connect(url: &str) -> Result<Db> {
        sqlx::any::install_default_drivers();
        let (backend, url_for_driver) = if let Some(path) = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
        {
            let path = path.split('?').next().unwrap_or(path);
            if path.is_empty() || path == ":memory:" {
                return Err(StorageError::UnsupportedUrl(format!(
                    "{url} (an in-memory database would lose everything; name a file)"
                )));
            }
            (Backend::Sqlite, format!("sqlite://{path}?mode=rwc"))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            (Backend::Postgres, url.to_string())
        } else {
            return Err(StorageError::UnsupportedUrl(redact_url(url)));
        };
        let options =
            AnyConnectOptions::from_str(&url_for_driver).map_err(|e| StorageError::Connect {
                url: redact_url(url),
                source: e,
            })?;
        let mut pool = AnyPoolOptions::new().acquire_timeout(Duration::from_secs(10));
        pool = match backend {
            // SQLite has one writer at a time anyway; a few connections serve readers.
            Backend::Sqlite => pool.max_connections(4).after_connect(sqlite_pragmas),
            Backend::Postgres => pool.max_connections(10),
        };
        let pool = pool
            .connect_with(options)
            .await
            .map_err(|e| StorageError::Connect {
                url: redact_url(url),
                source: e,
            })?;
        Ok(Db {
            pool,
            backend,
            algorithm: HashAlgorithm::Sm3,
            files: None,
            key: None,
        })
    }

    /// Keeps attachment files under `dir` (content-addressed). Without it, attachments are refused.
    pub fn with_files_dir(mut self, dir: std::path::PathBuf) -> Db {
        self.files = Some(dir.into());
        self
    }

    /// Uses `key` as the installation key. Without one, sealing a secret (a TOTP setup) and
    /// signing or checking a backup are refused.
    pub fn with_key(mut self, key: crate::keys::InstallationKey) -> Db {
        self.key = Some(key.into());
        self
    }

    /// The installation key.
    pub fn key(&self) -> Result<&crate::keys::InstallationKey> {
        self.key
            .as_deref()
            .ok_or_else(|| StorageError::Invalid("no installation key is configured".into()))
    }

    /// Where attachment files live, if set.
    pub fn files_dir(&self) -> Option<&std::path::Path> {
        self.files.as_deref()
    }

    /// The engine.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Checks that the database answers.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Closes the pool.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Applies pending migrations. Returns how many were applied.
    pub async fn migrate(&self) -> Result<usize> {
        self.pool
            .execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
            )
            .await?;
        let mut applied = 0;
        for (version, name, sql) in MIGRATIONS {
            let mut tx = self.pool.begin().await?;
            let done: Option<i64> =
                sqlx::query_scalar("SELECT version FROM schema_migrations WHERE version = $1")
                    .bind(*version)
                    .fetch_optional(&mut *tx)
                    .await?;
            if done.is_some() {
                continue;
            }
            for stmt in split_statements(sql) {
                sqlx::query(AssertSqlSafe(stmt)).execute(&mut *tx).await?;
            }
            if *version == 10 {
                // Portfolios kept on posts become dated assignments of their holdings.
                crate::repo::assignments::assign_standing_portfolios(&mut tx, 0).await?;
            }
            if *version == 21 {
                // The incidents kept so far are counted into their tallies.
                crate::repo::incidents::tally_all(&mut tx).await?;
            }
            sqlx::query(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
            )
            .bind(*version)
            .bind(*name)
            .bind(0_i64)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            applied += 1;
        }
        Ok(applied)
    }

    /// Whether the schema has been created.
    pub async fn is_initialised(&self) -> Result<bool> {
        let n: Option<i64> = sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM policies")
            .fetch_optional(&self.pool)
            .await
            .ok()
            .flatten();
        Ok(n.is_some_and(|n| n > 0))
    }

    /// Starts a writing transaction for `actor` at `now`. Takes the audit chain's head first, so
    /// writers are serialised and the chain never forks.
    pub async fn begin(&self, actor: &Actor, now: DateTime<Utc>) -> Result<Tx> {
        let mut tx = self.pool.begin().await?;
        let row = sqlx::query("UPDATE audit_head SET seq = seq WHERE id = 1 RETURNING seq, hash")
            .fetch_one(&mut *tx)
            .await?;
        let head = (
            row.try_get::<i64, _>("seq")?,
            row.try_get::<String, _>("hash")?,
        );
        Ok(Tx {
            tx,
            actor: actor.clone(),
            now,
            head,
            algorithm: self.algorithm,
            touches_model: false,
            touches_ledger: false,
            touches_incidents: false,
            key: self.key.clone(),
        })
    }
}

/// A writing transaction. Every change it makes is recorded with [`Tx::audit`]; the audit
/// entries are written in the same transaction, so a change and its record stand or fall together.
pub struct Tx {
    pub(crate) tx: Transaction<'static, Any>,
    actor: Actor,
    now: DateTime<Utc>,
    head: (i64, String),
    algorithm: HashAlgorithm,
    touches_model: bool,
    touches_ledger: bool,
    touches_incidents: bool,
    key: Option<std::sync::Arc<crate::keys::InstallationKey>>,
}

/// Object types whose change moves the incident generation: incidents (and their timelines),
/// projects and their assessments.
const INCIDENT_OBJECTS: &[&str] = &["incident", "project", "risk_assessment"];

/// Actions on those objects that change nothing a snapshot holds: sign-in attempts, session
/// ends and audited reads such as an export (a flood of failed sign-ins or of downloads must not
/// make every instance reload its snapshot).
const BOOKKEEPING_ACTIONS: &[&str] = &["login.", "session.", "ledger.export"];

/// Object types whose changes leave every obligation, record and waiver as it was: a change of
/// only these does not move the ledger generation. Obligations follow the org model and the
/// policy through the obligation sync, which audits what it changes as `obligations`.
const OUTSIDE_LEDGER: &[&str] = &[
    "user",
    "directory",
    "api_token",
    "grant",
    "setting",
    "notify_setting",
    "delivery",
    "notification",
    "job_run",
    "org",
    "person",
    "post",
    "holding",
    "platform",
    "policy",
    "case",
    "case_task",
    "assessment",
];

/// Object types whose change makes every instance's in-memory snapshot stale.
pub(crate) const MODEL_OBJECTS: &[&str] = &[
    "org",
    "person",
    "post",
    "holding",
    "assignment",
    "platform",
    "policy",
    "user",
    "grant",
    "setting",
];

impl Tx {
    /// The instant of this change (from the injected clock).
    pub fn now(&self) -> DateTime<Utc> {
        self.now
    }

    /// The installation key (see [`Db::key`]).
    pub fn key(&self) -> Result<&crate::keys::InstallationKey> {
        self.key
            .as_deref()
            .ok_or_else(|| StorageError::Invalid("no installation key is configured".into()))
    }

    /// Who makes this change.
    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    /// The name written as the author of what this change stores.
    pub(crate) fn actor_name(&self) -> String {
        self.actor.name.clone()
    }

    /// The day of this change in Asia/Shanghai.
    pub fn today(&self) -> chrono::NaiveDate {
        zeren_core::clock::shanghai_date(self.now)
    }

    /// Epoch milliseconds of this change.
    pub fn now_ms(&self) -> i64 {
        self.now.timestamp_millis()
    }

    /// The connection, for queries inside the transaction.
    pub fn conn(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }

    /// Appends an audit entry for a change made in this transaction.
    pub async fn audit(
        &mut self,
        action: &str,
        object_type: &str,
        object_id: &str,
        before: Option<&serde_json::Value>,
        after: Option<&serde_json::Value>,
    ) -> Result<()> {
        let entry = AuditEntry {
            seq: self.head.0 + 1,
            at_ms: self.now.timestamp_millis(),
            actor: self.actor.name.clone(),
            origin: self.actor.origin.clone(),
            action: action.into(),
            object_type: object_type.into(),
            object_id: object_id.into(),
            before: before.map(|v| v.to_string()),
            after: after.map(|v| v.to_string()),
            prev_hash: String::new(),
            hash: String::new(),
            algorithm: self.algorithm,
        }
        .seal(&self.head.1);
        sqlx::query(
            "INSERT INTO audit_log (seq, at_ms, actor, origin, action, object_type, object_id, before_json, after_json, prev_hash, hash, algorithm) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(entry.seq)
        .bind(entry.at_ms)
        .bind(&entry.actor)
        .bind(&entry.origin)
        .bind(&entry.action)
        .bind(&entry.object_type)
        .bind(&entry.object_id)
        .bind(&entry.before)
        .bind(&entry.after)
        .bind(&entry.prev_hash)
        .bind(&entry.hash)
        .bind(entry.algorithm.as_str())
        .execute(&mut *self.tx)
        .await?;
        self.head = (entry.seq, entry.hash);
        self.touches_model |= MODEL_OBJECTS.contains(&object_type)
            && !BOOKKEEPING_ACTIONS.iter().any(|p| action.starts_with(p));
        self.touches_ledger |= !OUTSIDE_LEDGER.contains(&object_type);
        self.touches_incidents |= INCIDENT_OBJECTS.contains(&object_type);
        Ok(())
    }

    /// Commits the change and its audit entries.
    pub async fn commit(mut self) -> Result<()> {
        if self.touches_model {
            sqlx::query("UPDATE model_generation SET value = value + 1 WHERE id = 1")
                .execute(&mut *self.tx)
                .await?;
        }
        if self.touches_ledger {
            sqlx::query("UPDATE ledger_generation SET value = value + 1 WHERE id = 1")
                .execute(&mut *self.tx)
                .await?;
        }
        if self.touches_incidents {
            sqlx::query("UPDATE incident_generation SET value = value + 1 WHERE id = 1")
                .execute(&mut *self.tx)
                .await?;
        }
        sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
            .bind(self.head.0)
            .bind(&self.head.1)
            .execute(&mut *self.tx)
            .await?;
        self.tx.commit().await?;
        Ok(())
    }
}

/// Splits a migration into statements at `;` line ends (the migrations hold no procedural code).
fn split_statements(sql: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for line in sql.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with("--") || trimmed.is_empty() {
            continue;
        }
        cur.push_str(line);
        cur.push('\n');
        if trimmed.ends_with(';') {
            out.push(cur.trim().trim_end_matches(';').to_string());
            cur.clear();
        }
    }
    if !cur.trim().is_empty() {
        out.push(cur.trim().to_string());
    }
    out
}

/// A new time-ordered id (UUIDv7). Ids carry no business time: that always comes from the
/// injected clock.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}
