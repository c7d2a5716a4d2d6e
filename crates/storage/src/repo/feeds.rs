//! Calendar feed tokens, the full-text search index, and the rows of the ledger export.
//!
//! **Calendar tokens** are secrets in a URL: only their SHA-256 is stored (like API tokens), so
//! the address is known only to the answer that made it; one live token per account; rotating
//! revokes the old one, audited (without the secret).
//!
//! **Search** runs over one derived table, `search_docs`, with one row per searchable item
//! (obligation, record, directive, task) holding its text. It is kept in step by triggers on the
//! source tables, so every write path — repositories of every area, the CLI, a restore — updates
//! it in the same transaction. The objects are created in code per engine by
//! [`Db::ensure_search_index`] (not in a migration: the DDL differs):
//! - SQLite: an FTS5 table with the `trigram` tokenizer over `search_docs` (external content);
//! - PostgreSQL: `pg_trgm` and a GIN trigram index on `search_docs.text`; without the extension,
//!   the same queries run as plain `LIKE` scans (correct, slower).
//!
//! Queries of one or two characters use `LIKE`: a trigram index cannot match a two-character
//! Chinese word such as 研判. Everything named `search_…` is derived: it is left out of backups
//! and rebuilt from the source tables whenever it is missing or its definition changed.

use super::parse_date;
use crate::User;
use crate::db::{Backend, Db, Tx, new_id};
use crate::error::{Result, StorageError};
use crate::secrets::{random_token, token_hash};
use chrono::NaiveDate;
use serde::Serialize;
use serde_json::json;
use sqlx::{AssertSqlSafe, Row};
use zeren_core::policy::PolicyPack;

/// Prefix of every derived search object (tables, views, triggers, functions): excluded from
/// backups and from the schema check.
pub const SEARCH_PREFIX: &str = "search_";

/// Bump when the definitions below change: the index is dropped and rebuilt at the next start.
const SEARCH_VERSION: &str = "2";

// ------------------------------------------------------------------------------------------
// Calendar tokens
// ------------------------------------------------------------------------------------------

/// A live calendar feed token: when it was made and last read. The secret is not stored; only
/// [`Tx::rotate_calendar_token`] returns it, once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CalendarToken {
    /// Id.
    pub id: String,
    /// The account whose obligations the feed shows.
    pub user: String,
    /// Created (epoch ms).
    pub created_at: i64,
    /// Last fetched by a calendar client (epoch ms, at most hourly precision).
    pub last_used_at: Option<i64>,
}

fn token_from_row(r: &sqlx::any::AnyRow) -> Result<CalendarToken> {
    Ok(CalendarToken {
        id: r.try_get("id")?,
        user: r.try_get("user_id")?,
        created_at: r.try_get("created_at")?,
        last_used_at: r.try_get("last_used_at")?,
    })
}

impl Db {
    /// The live calendar token of an account, if any.
    pub async fn calendar_token_of(&self, user: &str) -> Result<Option<CalendarToken>> {
        let row = sqlx::query(
            "SELECT id, user_id, created_at, last_used_at FROM calendar_tokens WHERE user_id = $1 AND revoked_at IS NULL ORDER BY created_at DESC, id DESC",
        )
        .bind(user)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(token_from_row).transpose()
    }

    /// The account a calendar token (the secret from the URL) belongs to, if it is live and the
    /// account is not disabled.
    pub async fn calendar_token_user(&self, token: &str) -> Result<Option<(User, CalendarToken)>> {
        let row = sqlx::query(
            "SELECT id, user_id, created_at, last_used_at FROM calendar_tokens WHERE token_hash = $1 AND revoked_at IS NULL",
        )
        .bind(token_hash(token))
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let t = token_from_row(&row)?;
        let user = match self.user(&t.user).await {
            Ok(u) => u,
            Err(StorageError::NotFound { .. }) => return Ok(None),
            Err(e) => return Err(e),
        };
        if user.disabled {
            return Ok(None);
        }
        Ok(Some((user, t)))
    }

    /// Notes that a calendar client fetched the feed (at most one write an hour per token).
    pub async fn touch_calendar_token(&self, id: &str, now_ms: i64) -> Result<()> {
        sqlx::query("UPDATE calendar_tokens SET last_used_at = $1 WHERE id = $2 AND (last_used_at IS NULL OR last_used_at < $3)")
            .bind(now_ms)
            .bind(id)
            .bind(now_ms - 3_600_000)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

impl Tx {
    /// Creates a new calendar token for an account, revoking the live one; returns the secret
    /// (shown once) and the token. Audited without the secret.
    pub async fn rotate_calendar_token(&mut self, user: &User) -> Result<(String, CalendarToken)> {
        let now = self.now_ms();
        let old: Vec<String> = sqlx::query_scalar(
            "SELECT id FROM calendar_tokens WHERE user_id = $1 AND revoked_at IS NULL",
        )
        .bind(&user.id)
        .fetch_all(&mut *self.tx)
        .await?;
        sqlx::query(
            "UPDATE calendar_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
        )
        .bind(now)
        .bind(&user.id)
        .execute(&mut *self.tx)
        .await?;
        let secret = format!("zcal_{}", random_token()?);
        let id = new_id();
        sqlx::query("INSERT INTO calendar_tokens (id, user_id, token_hash, created_at, last_used_at, revoked_at) VALUES ($1, $2, $3, $4, NULL, NULL)")
            .bind(&id)
            .bind(&user.id)
            .bind(token_hash(&secret))
            .bind(now)
            .execute(&mut *self.tx)
            .await?;
        self.audit(
            if old.is_empty() {
                "calendar_token.create"
            } else {
                "calendar_token.rotate"
            },
            "calendar_token",
            &id,
            (!old.is_empty()).then(|| json!({"revoked": old})).as_ref(),
            Some(&json!({"user": user.id})),
        )
        .await?;
        Ok((
            secret,
            CalendarToken {
                id,
                user: user.id.clone(),
                created_at: now,
                last_used_at: None,
            },
        ))
    }
}

// ------------------------------------------------------------------------------------------
// Search index
// ------------------------------------------------------------------------------------------

/// How searches of three characters or more are answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SearchIndexKind {
    /// SQLite FTS5 with the trigram tokenizer.
    Fts5Trigram,
    /// PostgreSQL pg_trgm GIN index.
    PgTrgm,
    /// No trigram index (pg_trgm unavailable): LIKE scans.
    LikeOnly,
}

impl SearchIndexKind {
    /// Name for logs and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            SearchIndexKind::Fts5Trigram => "fts5-trigram",
            SearchIndexKind::PgTrgm => "pg-trgm",
            SearchIndexKind::LikeOnly => "like",
        }
    }
}

/// The columns of `search_docs` that sources fill (the view of each source yields them).
const DOC_COLS: &str = "doc_key, kind, sub, ref_id, org_id, year, day, title, body, text";

/// A source of searchable items: a table, the view that turns its rows into documents, and
/// the tables whose changes re-derive its documents.
struct Source {
    /// Table the items live in (the index covers it only if it exists).
    table: &'static str,
    /// Document kind and key prefix.
    kind: &'static str,
    /// `SELECT` yielding [`DOC_COLS`] for every item (one code path on both engines).
    view: &'static str,
    /// (parent table, columns whose change matters, view column that names the parent): a
    /// change of the parent re-derives the documents that mention it.
    parents: &'static [(&'static str, &'static str, &'static str)],
}

const SOURCES: &[Source] = &[
    Source {
        table: "obligations",
        kind: "obligation",
        view: "SELECT 'obligation:' || ob.id AS doc_key, 'obligation' AS kind, ob.duty_id AS sub, ob.id AS ref_id, ob.org_id AS org_id, ob.year AS year, ob.due_on AS day, \
               COALESCE(d.title, ob.duty_id) AS title, \
               o.name || COALESCE(' · ' || p.name, '') || ' · ' || ob.citation AS body, \
               lower(COALESCE(d.title, ob.duty_id) || ' ' || COALESCE(d.title_en, '') || ' ' || o.name || ' ' || o.code || ' ' || COALESCE(p.name, '') || ' ' || ob.citation) AS text, \
               p.id AS platform_id \
               FROM obligations ob JOIN orgs o ON o.id = ob.org_id \
               LEFT JOIN search_duties d ON d.duty_id = ob.duty_id \
               LEFT JOIN platforms p ON ob.subject_kind = 'platform' AND p.id = ob.subject_id \
               WHERE ob.state <> 'withdrawn'",
        parents: &[
            ("orgs", "name, code", "org_id"),
            ("platforms", "name", "platform_id"),
        ],
    },
    Source {
        table: "records",
        kind: "record",
        view: "SELECT 'record:' || r.id AS doc_key, 'record' AS kind, r.kind AS sub, r.id AS ref_id, r.org_id AS org_id, CAST(substr(r.record_date, 1, 4) AS BIGINT) AS year, r.record_date AS day, \
               r.title AS title, r.body AS body, lower(r.title || ' ' || r.body || ' ' || o.name) AS text \
               FROM records r JOIN orgs o ON o.id = r.org_id WHERE r.archived = 0",
        parents: &[("orgs", "name, code", "org_id")],
    },
    Source {
        table: "directives",
        kind: "directive",
        view: "SELECT 'directive:' || dv.id AS doc_key, 'directive' AS kind, 'directive' AS sub, dv.id AS ref_id, dv.org_id AS org_id, CAST(substr(dv.received_on, 1, 4) AS BIGINT) AS year, dv.received_on AS day, \
               dv.title AS title, dv.issuer || ' ' || dv.document_number || ' ' || dv.content AS body, \
               lower(dv.title || ' ' || dv.issuer || ' ' || dv.document_number || ' ' || dv.content || ' ' || o.name) AS text \
               FROM directives dv JOIN orgs o ON o.id = dv.org_id WHERE dv.archived = 0",
        parents: &[("orgs", "name, code", "org_id")],
    },
    Source {
        table: "tasks",
        kind: "task",
        view: "SELECT 'task:' || t.id AS doc_key, 'task' AS kind, t.status AS sub, t.id AS ref_id, dv.org_id AS org_id, CAST(substr(t.deadline, 1, 4) AS BIGINT) AS year, t.deadline AS day, \
               t.title AS title, dv.title AS body, lower(t.title || ' ' || dv.title || ' ' || o.name) AS text, \
               dv.id AS directive_id \
               FROM tasks t JOIN directives dv ON dv.id = t.directive_id JOIN orgs o ON o.id = dv.org_id",
        parents: &[
            ("directives", "title, org_id, archived", "directive_id"),
            ("orgs", "name, code", "org_id"),
        ],
    },
];

/// One document found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SearchHit {
    /// `obligation`, `record`, `directive` or `task`.
    pub kind: String,
    /// Duty id (obligations), record kind (records), status (tasks).
    pub sub: String,
    /// Id of the item.
    pub id: String,
    /// Org it belongs to.
    pub org: String,
    /// Year.
    pub year: i64,
    /// Its day: due date, record date, received date or deadline.
    pub day: NaiveDate,
    /// Title.
    pub title: String,
    /// Body text.
    pub body: String,
}

/// A search request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchQuery {
    /// Terms, each matched as a substring (case-insensitive); all must match.
    pub terms: Vec<String>,
    /// Only these orgs (`None`: every org).
    pub orgs: Option<Vec<String>>,
    /// Rows to skip.
    pub offset: i64,
    /// Rows to return.
    pub limit: i64,
}

/// A page of results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SearchPage {
    /// Matches in all.
    pub total: i64,
    /// This page.
    pub hits: Vec<SearchHit>,
    /// Whether a trigram index answered (some term of three characters or more) or LIKE did.
    pub mode: &'static str,
}

/// Splits a query into lower-cased terms (whitespace separates; at most 8 terms of 64 chars).
pub fn search_terms(q: &str) -> Vec<String> {
    q.split_whitespace()
        .map(|t| t.chars().take(64).collect::<String>().to_lowercase())
        .filter(|t| !t.is_empty())
        .take(8)
        .collect()
}

fn like_pattern(term: &str) -> String {
    let mut p = String::from("%");
    for c in term.chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

fn fts_phrase(term: &str) -> String {
    format!("\"{}\"", term.replace('"', "\"\""))
}

/// Whether a table exists, on either engine.
pub(crate) async fn table_exists(conn: &mut sqlx::AnyConnection, name: &str) -> Result<bool> {
    let sql = if conn.backend_name().eq_ignore_ascii_case("sqlite") {
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name = $1"
    } else {
        "SELECT CAST(table_name AS TEXT) AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = $1"
    };
    Ok(sqlx::query(sql)
        .bind(name)
        .fetch_optional(&mut *conn)
        .await?
        .is_some())
}

/// The latest title of every duty id over `packs` (every loaded version).
fn duty_titles(packs: &[PolicyPack]) -> Vec<(String, String, String)> {
    let mut by_id = std::collections::BTreeMap::new();
    let mut packs: Vec<&PolicyPack> = packs.iter().collect();
    packs.sort_by_key(|p| p.meta.effective_from);
    for p in packs {
        for d in &p.duties {
            by_id.insert(d.id.clone(), (d.title.clone(), d.title_en.clone()));
        }
    }
    by_id.into_iter().map(|(id, (t, e))| (id, t, e)).collect()
}

/// Stores the duty titles the index names obligations by; the ids of the duties whose title
/// changed (not those new to it).
async fn store_duty_titles(
    conn: &mut sqlx::AnyConnection,
    titles: &[(String, String, String)],
) -> Result<Vec<String>> {
    let mut renamed = Vec::new();
    for (id, title, title_en) in titles {
        let old: Option<(String, String)> =
            sqlx::query("SELECT title, title_en FROM search_duties WHERE duty_id = $1")
                .bind(id)
                .fetch_optional(&mut *conn)
                .await?
                .map(|r| Ok::<_, sqlx::Error>((r.try_get(0)?, r.try_get(1)?)))
                .transpose()?;
        match &old {
            Some(o) if *o == (title.clone(), title_en.clone()) => continue,
            Some(_) => renamed.push(id.clone()),
            None => {}
        }
        sqlx::query("DELETE FROM search_duties WHERE duty_id = $1")
            .bind(id)
            .execute(&mut *conn)
            .await?;
        sqlx::query("INSERT INTO search_duties (duty_id, title, title_en) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(title)
            .bind(title_en)
            .execute(&mut *conn)
            .await?;
    }
    Ok(renamed)
}

impl Tx {
    /// Brings the search index's duty titles in step with the versions loaded, `packs`, in this
    /// transaction (a version loaded while serving: its obligations, generated next, are found
    /// by their titles at once). The documents of obligations whose duty was renamed are
    /// derived again; nothing else is touched. Does nothing before the index exists.
    pub(crate) async fn refresh_search_duties(&mut self, packs: &[PolicyPack]) -> Result<()> {
        if !table_exists(&mut self.tx, "search_duties").await? {
            return Ok(());
        }
        for duty in store_duty_titles(&mut self.tx, &duty_titles(packs)).await? {
            sqlx::query("DELETE FROM search_docs WHERE kind = 'obligation' AND sub = $1")
                .bind(&duty)
                .execute(&mut *self.tx)
                .await?;
            sqlx::query(AssertSqlSafe(format!(
                "INSERT INTO search_docs ({DOC_COLS}) SELECT {DOC_COLS} FROM search_src_obligations WHERE sub = $1"
            )))
            .bind(&duty)
            .execute(&mut *self.tx)
            .await?;
        }
        Ok(())
    }
}

impl Db {
    /// Which index answers searches, without creating anything.
    pub async fn search_index_kind(&self) -> Result<SearchIndexKind> {
        Ok(match self.backend() {
            Backend::Sqlite => SearchIndexKind::Fts5Trigram,
            Backend::Postgres => {
                let n: i64 = sqlx::query_scalar(
                    "SELECT CAST(COUNT(*) AS BIGINT) FROM pg_indexes WHERE indexname = 'search_docs_trgm'",
                )
                .fetch_one(&self.pool)
                .await?;
                if n > 0 {
                    SearchIndexKind::PgTrgm
                } else {
                    SearchIndexKind::LikeOnly
                }
            }
        })
    }

    /// Whether the search index exists in its current definition.
    pub async fn search_index_ready(&self) -> bool {
        let v: std::result::Result<Option<String>, _> =
            sqlx::query_scalar("SELECT value FROM search_meta WHERE key = 'version'")
                .fetch_optional(&self.pool)
                .await;
        // The stored tag also lists the source tables covered; a new source table arrives only
        // with a migration, i.e. a restart, which calls `ensure_search_index`.
        matches!(v, Ok(Some(v)) if v.split('|').next() == Some(self.search_version_tag().as_str()))
    }

    fn search_version_tag(&self) -> String {
        format!("{SEARCH_VERSION}:{}", self.backend().as_str())
    }

    /// Creates the search index if it is missing or out of date (and fills it from the source
    /// tables), and refreshes the duty titles from the loaded policies. Safe to call at every
    /// start and from several instances at once. Returns the kind of index in use.
    pub async fn ensure_search_index(&self) -> Result<SearchIndexKind> {
        if self.backend() == Backend::Postgres {
            // Outside the transaction: a refusal (no privilege, extension not installed) must not
            // abort the rest; searches then fall back to LIKE scans.
            if let Err(e) = sqlx::raw_sql(AssertSqlSafe("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
                .execute(&self.pool)
                .await
            {
                tracing::warn!(error = %e, "pg_trgm is not available: searches use LIKE scans without a trigram index");
            }
        }
        let titles = duty_titles(
            &self
                .policies()
                .await?
                .into_iter()
                .map(|p| p.pack)
                .collect::<Vec<_>>(),
        );
        let mut tx = self.pool.begin().await?;
        if self.backend() == Backend::Postgres {
            // Serialise instances starting together (released at commit).
            sqlx::query("SELECT pg_advisory_xact_lock(7301006)")
                .execute(&mut *tx)
                .await?;
        } else {
            // Take SQLite's write lock before reading: a transaction that reads first and
            // writes later fails at once ("database is locked") when another connection
            // committed in between (the jobs starting beside this one); a first write waits
            // for the busy timeout instead.
            sqlx::query("UPDATE audit_head SET seq = seq WHERE id = 1")
                .execute(&mut *tx)
                .await?;
        }
        let ready: Option<String> = if table_exists(&mut tx, "search_meta").await? {
            sqlx::query_scalar("SELECT value FROM search_meta WHERE key = 'version'")
                .fetch_optional(&mut *tx)
                .await?
        } else {
            None
        };
        let mut sources = Vec::new();
        for s in SOURCES {
            if table_exists(&mut tx, s.table).await? {
                sources.push(s);
            }
        }
        let tag = format!(
            "{}|{}",
            self.search_version_tag(),
            sources
                .iter()
                .map(|s| s.table)
                .collect::<Vec<_>>()
                .join(",")
        );
        let fresh = ready.as_deref() != Some(tag.as_str());
        if fresh {
            self.drop_search_objects(&mut tx).await?;
            self.create_search_objects(&mut tx, &sources).await?;
        }
        let titles_changed = !store_duty_titles(&mut tx, &titles).await?.is_empty();
        if fresh {
            for s in &sources {
                rebuild_source(&mut tx, s).await?;
            }
            if self.backend() == Backend::Sqlite {
                sqlx::query("INSERT INTO search_fts (search_fts) VALUES ('rebuild')")
                    .execute(&mut *tx)
                    .await?;
            }
            sqlx::query("DELETE FROM search_meta WHERE key = 'version'")
                .execute(&mut *tx)
                .await?;
            sqlx::query("INSERT INTO search_meta (key, value) VALUES ('version', $1)")
                .bind(&tag)
                .execute(&mut *tx)
                .await?;
        } else if titles_changed && let Some(s) = sources.iter().find(|s| s.kind == "obligation") {
            rebuild_source(&mut tx, s).await?;
        }
        tx.commit().await?;
        let kind = self.search_index_kind().await?;
        if fresh {
            tracing::info!(index = kind.as_str(), "search index built");
        }
        Ok(kind)
    }

    async fn drop_search_objects(&self, conn: &mut sqlx::AnyConnection) -> Result<()> {
        match self.backend() {
            Backend::Sqlite => {
                let rows = sqlx::query(
                    "SELECT type, name FROM sqlite_master WHERE name LIKE 'search\\_%' ESCAPE '\\' AND type IN ('trigger', 'view')",
                )
                .fetch_all(&mut *conn)
                .await?;
                for r in rows {
                    let (ty, name): (String, String) = (r.try_get(0)?, r.try_get(1)?);
                    let what = if ty == "view" { "VIEW" } else { "TRIGGER" };
                    exec(conn, &format!("DROP {what} IF EXISTS {name}")).await?;
                }
                for t in ["search_fts", "search_docs", "search_duties", "search_meta"] {
                    exec(conn, &format!("DROP TABLE IF EXISTS {t}")).await?;
                }
            }
            Backend::Postgres => {
                let funcs: Vec<String> = sqlx::query_scalar(
                    "SELECT CAST(proname AS TEXT) FROM pg_proc WHERE proname LIKE 'search\\_%' AND pronamespace = CAST(current_schema() AS regnamespace)",
                )
                .fetch_all(&mut *conn)
                .await?;
                for f in funcs {
                    exec(conn, &format!("DROP FUNCTION IF EXISTS {f}() CASCADE")).await?;
                }
                let views: Vec<String> = sqlx::query_scalar(
                    "SELECT CAST(table_name AS TEXT) FROM information_schema.views WHERE table_schema = current_schema() AND table_name LIKE 'search\\_%'",
                )
                .fetch_all(&mut *conn)
                .await?;
                for v in views {
                    exec(conn, &format!("DROP VIEW IF EXISTS {v} CASCADE")).await?;
                }
                for t in ["search_docs", "search_duties", "search_meta"] {
                    exec(conn, &format!("DROP TABLE IF EXISTS {t} CASCADE")).await?;
                }
            }
        }
        Ok(())
    }

    async fn create_search_objects(
        &self,
        conn: &mut sqlx::AnyConnection,
        sources: &[&Source],
    ) -> Result<()> {
        let sqlite = self.backend() == Backend::Sqlite;
        let key = if sqlite {
            "seq INTEGER PRIMARY KEY, doc_key TEXT NOT NULL UNIQUE"
        } else {
            "doc_key TEXT PRIMARY KEY"
        };
        exec(
            conn,
            "CREATE TABLE search_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        )
        .await?;
        exec(
            conn,
            "CREATE TABLE search_duties (duty_id TEXT PRIMARY KEY, title TEXT NOT NULL, title_en TEXT NOT NULL)",
        )
        .await?;
        exec(conn, &format!("CREATE TABLE search_docs ({key}, kind TEXT NOT NULL, sub TEXT NOT NULL, ref_id TEXT NOT NULL, org_id TEXT NOT NULL, year BIGINT NOT NULL, day TEXT NOT NULL, title TEXT NOT NULL, body TEXT NOT NULL, text TEXT NOT NULL)")).await?;
        exec(
            conn,
            "CREATE INDEX search_docs_org ON search_docs (org_id, day)",
        )
        .await?;
        exec(
            conn,
            "CREATE INDEX search_docs_kind ON search_docs (kind, ref_id)",
        )
        .await?;
        if sqlite {
            exec(conn, "CREATE VIRTUAL TABLE search_fts USING fts5(text, content='search_docs', content_rowid='seq', tokenize='trigram')").await?;
            exec(conn, "CREATE TRIGGER search_docs_ai AFTER INSERT ON search_docs BEGIN INSERT INTO search_fts (rowid, text) VALUES (new.seq, new.text); END").await?;
            exec(conn, "CREATE TRIGGER search_docs_ad AFTER DELETE ON search_docs BEGIN INSERT INTO search_fts (search_fts, rowid, text) VALUES ('delete', old.seq, old.text); END").await?;
        } else {
            let has_trgm: i64 = sqlx::query_scalar(
                "SELECT CAST(COUNT(*) AS BIGINT) FROM pg_extension WHERE extname = 'pg_trgm'",
            )
            .fetch_one(&mut *conn)
            .await?;
            if has_trgm > 0 {
                exec(
                    conn,
                    "CREATE INDEX search_docs_trgm ON search_docs USING gin (text gin_trgm_ops)",
                )
                .await?;
            }
        }
        for s in sources {
            let view = format!("search_src_{}", s.table);
            exec(conn, &format!("CREATE VIEW {view} AS {}", s.view)).await?;
            let insert_one = |id: &str| {
                format!(
                    "INSERT INTO search_docs ({DOC_COLS}) SELECT {DOC_COLS} FROM {view} WHERE ref_id = {id}"
                )
            };
            let delete_one = |id: &str| {
                format!(
                    "DELETE FROM search_docs WHERE doc_key = '{}:' || {id}",
                    s.kind
                )
            };
            if sqlite {
                exec(
                    conn,
                    &format!(
                        "CREATE TRIGGER search_{t}_ai AFTER INSERT ON {t} BEGIN {}; END",
                        insert_one("new.id"),
                        t = s.table
                    ),
                )
                .await?;
                exec(
                    conn,
                    &format!(
                        "CREATE TRIGGER search_{t}_au AFTER UPDATE ON {t} BEGIN {}; {}; END",
                        delete_one("old.id"),
                        insert_one("new.id"),
                        t = s.table
                    ),
                )
                .await?;
                exec(
                    conn,
                    &format!(
                        "CREATE TRIGGER search_{t}_ad AFTER DELETE ON {t} BEGIN {}; END",
                        delete_one("old.id"),
                        t = s.table
                    ),
                )
                .await?;
            } else {
                exec(conn, &format!(
                    "CREATE FUNCTION search_sync_{t}() RETURNS trigger LANGUAGE plpgsql AS $f$ BEGIN \
                     IF TG_OP <> 'INSERT' THEN {}; END IF; \
                     IF TG_OP <> 'DELETE' THEN {}; END IF; \
                     RETURN NULL; END $f$",
                    delete_one("OLD.id"), insert_one("NEW.id"), t = s.table
                )).await?;
                exec(conn, &format!("CREATE TRIGGER search_sync_{t} AFTER INSERT OR UPDATE OR DELETE ON {t} FOR EACH ROW EXECUTE FUNCTION search_sync_{t}()", t = s.table)).await?;
            }
            for (parent, cols, via) in s.parents {
                let name = format!("search_{}_on_{parent}", s.table);
                let refresh = |id: &str| {
                    format!(
                        "DELETE FROM search_docs WHERE doc_key IN (SELECT doc_key FROM {view} WHERE {via} = {id}); \
                         INSERT INTO search_docs ({DOC_COLS}) SELECT {DOC_COLS} FROM {view} WHERE {via} = {id}"
                    )
                };
                if sqlite {
                    exec(conn, &format!("CREATE TRIGGER {name} AFTER UPDATE OF {cols} ON {parent} BEGIN {}; END", refresh("new.id"))).await?;
                } else {
                    exec(conn, &format!(
                        "CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $f$ BEGIN {}; RETURN NULL; END $f$",
                        refresh("NEW.id")
                    )).await?;
                    exec(conn, &format!("CREATE TRIGGER {name} AFTER UPDATE OF {cols} ON {parent} FOR EACH ROW EXECUTE FUNCTION {name}()")).await?;
                }
            }
        }
        Ok(())
    }

    /// Searches the index. Terms of three characters or more use the trigram index; shorter
    /// ones a LIKE filter. Results newest day first.
    pub async fn search(&self, q: &SearchQuery) -> Result<SearchPage> {
        let mut binds: Vec<String> = Vec::new();
        let mut conds: Vec<String> = Vec::new();
        fn push(v: String, binds: &mut Vec<String>) -> String {
            binds.push(v);
            format!("${}", binds.len())
        }
        let sqlite = self.backend() == Backend::Sqlite;
        let long: Vec<&String> = q.terms.iter().filter(|t| t.chars().count() >= 3).collect();
        if sqlite && !long.is_empty() {
            let expr = long
                .iter()
                .map(|t| fts_phrase(t))
                .collect::<Vec<_>>()
                .join(" AND ");
            let p = push(expr, &mut binds);
            conds.push(format!(
                "d.seq IN (SELECT rowid FROM search_fts WHERE search_fts MATCH {p})"
            ));
        }
        for t in &q.terms {
            if sqlite && t.chars().count() >= 3 {
                continue;
            }
            let p = push(like_pattern(t), &mut binds);
            conds.push(format!("d.text LIKE {p} ESCAPE '\\'"));
        }
        if let Some(orgs) = &q.orgs {
            if orgs.is_empty() {
                return Ok(SearchPage {
                    total: 0,
                    hits: Vec::new(),
                    mode: "like",
                });
            }
            let ps: Vec<String> = orgs.iter().map(|o| push(o.clone(), &mut binds)).collect();
            conds.push(format!("d.org_id IN ({})", ps.join(", ")));
        }
        if q.terms.is_empty() {
            conds.push("1 = 0".into());
        }
        let filter = conds.join(" AND ");
        let mut count = sqlx::query_scalar::<_, i64>(AssertSqlSafe(format!(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM search_docs d WHERE {filter}"
        )));
        for b in &binds {
            count = count.bind(b.clone());
        }
        let total = count.fetch_one(&self.pool).await?;
        let sql = format!(
            "SELECT d.kind, d.sub, d.ref_id, d.org_id, d.year, d.day, d.title, d.body FROM search_docs d WHERE {filter} \
             ORDER BY d.day DESC, d.doc_key LIMIT {} OFFSET {}",
            q.limit.clamp(1, 1000),
            q.offset.max(0)
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for b in &binds {
            query = query.bind(b.clone());
        }
        let hits = query
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                Ok(SearchHit {
                    kind: r.try_get("kind")?,
                    sub: r.try_get("sub")?,
                    id: r.try_get("ref_id")?,
                    org: r.try_get("org_id")?,
                    year: r.try_get("year")?,
                    day: parse_date(&r.try_get::<String, _>("day")?)?,
                    title: r.try_get("title")?,
                    body: r.try_get("body")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let trigram = !long.is_empty()
            && (sqlite || self.search_index_kind().await? == SearchIndexKind::PgTrgm);
        Ok(SearchPage {
            total,
            hits,
            mode: if trigram { "trigram" } else { "like" },
        })
    }

    /// How many documents the index holds, by kind (for tests and the system page).
    pub async fn search_doc_counts(&self) -> Result<Vec<(String, i64)>> {
        let rows = sqlx::query(
            "SELECT kind, CAST(COUNT(*) AS BIGINT) AS n FROM search_docs GROUP BY kind ORDER BY kind",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("kind")?, r.try_get("n")?)))
            .collect()
    }
}

async fn exec(conn: &mut sqlx::AnyConnection, sql: &str) -> Result<()> {
    sqlx::raw_sql(AssertSqlSafe(sql.to_string()))
        .execute(&mut *conn)
        .await?;
    Ok(())
}

async fn rebuild_source(conn: &mut sqlx::AnyConnection, s: &Source) -> Result<()> {
    sqlx::query("DELETE FROM search_docs WHERE kind = $1")
        .bind(s.kind)
        .execute(&mut *conn)
        .await?;
    exec(
        conn,
        &format!(
            "INSERT INTO search_docs ({DOC_COLS}) SELECT {DOC_COLS} FROM search_src_{}",
            s.table
        ),
    )
    .await
}
