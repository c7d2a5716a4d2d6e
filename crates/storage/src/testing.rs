//! Test databases on both engines: SQLite always (a temp file), PostgreSQL when
//! `ZEREN_TEST_POSTGRES` names a server (a fresh database per test, dropped afterwards).

use crate::db::{Db, new_id};
use crate::error::Result;
use std::path::PathBuf;

/// The environment variable naming a PostgreSQL server for tests.
pub const PG_ENV: &str = "ZEREN_TEST_POSTGRES";

/// One fresh database for one test.
pub struct TestDb {
    /// The database.
    pub db: Db,
    /// Its URL.
    pub url: String,
    /// `sqlite` or `postgres`.
    pub label: &'static str,
    cleanup: Cleanup,
}

enum Cleanup {
    File(PathBuf),
    Database { admin_url: String, name: String },
}

/// Replaces the database name at the end of a PostgreSQL URL.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let cut = base
        .rfind('/')
        .filter(|i| *i > "postgres://".len())
        .unwrap_or(base.len());
    let mut out = format!("{}/{name}", &base[..cut]);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

/// A fresh SQLite database in a temp file.
pub async fn sqlite() -> Result<TestDb> {
    let dir = std::env::temp_dir().join(format!("zeren-test-{}", new_id()));
    std::fs::create_dir_all(&dir).map_err(|e| crate::StorageError::Io {
        path: dir.display().to_string(),
        source: e,
    })?;
    let url = format!("sqlite://{}/zeren.db", dir.display());
    Ok(TestDb {
        // Attachments beside the database, as `zeren serve` keeps them.
        db: Db::connect(&url)
            .await?
            .with_files_dir(dir.join("files"))
            .with_key(crate::keys::InstallationKey::generate()?),
        url,
        label: "sqlite",
        cleanup: Cleanup::File(dir),
    })
}

/// A fresh PostgreSQL database, if `ZEREN_TEST_POSTGRES` is set. Panics when it is set but the
/// server cannot be used: in CI a skipped PostgreSQL story is a failure.
#[allow(clippy::panic)]
pub async fn postgres() -> Option<TestDb> {
    let admin_url = std::env::var(PG_ENV).ok().filter(|s| !s.is_empty())?;
    let name = format!("zeren_t_{}", new_id().replace('-', ""));
    let admin = Db::connect(&admin_url)
        .await
        .unwrap_or_else(|e| panic!("{PG_ENV} is set but PostgreSQL is unreachable: {e}"));
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&admin.pool)
        .await
        .unwrap_or_else(|e| panic!("cannot create test database {name}: {e}"));
    admin.close().await;
    let url = with_database(&admin_url, &name);
    let files = std::env::temp_dir().join(format!("zeren-test-files-{name}"));
    let db = Db::connect(&url)
        .await
        .unwrap_or_else(|e| panic!("cannot open test database {name}: {e}"))
        .with_files_dir(files)
        .with_key(
            crate::keys::InstallationKey::generate()
                .unwrap_or_else(|e| panic!("no randomness for a test key: {e}")),
        );
    Some(TestDb {
        db,
        url,
        label: "postgres",
        cleanup: Cleanup::Database { admin_url, name },
    })
}

/// SQLite, and PostgreSQL when configured (otherwise a note that it was skipped).
#[allow(clippy::panic)]
pub async fn engines() -> Vec<TestDb> {
    let mut out = vec![
        sqlite()
            .await
            .unwrap_or_else(|e| panic!("cannot create SQLite test database: {e}")),
    ];
    match postgres().await {
        Some(pg) => out.push(pg),
        None => {
            eprintln!("note: PostgreSQL stories skipped (set {PG_ENV}=postgres://… to run them)")
        }
    }
    out
}

impl TestDb {
    /// Closes and removes the database.
    pub async fn finish(self) {
        self.db.close().await;
        match self.cleanup {
            Cleanup::File(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Cleanup::Database { admin_url, name } => {
                let _ = std::fs::remove_dir_all(
                    std::env::temp_dir().join(format!("zeren-test-files-{name}")),
                );
                if let Ok(admin) = Db::connect(&admin_url).await {
                    let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                    )))
                    .execute(&admin.pool)
                    .await;
                    admin.close().await;
                }
            }
        }
    }
}

/// Runs raw SQL, as someone editing the database by hand would (tests of tamper detection).
pub async fn execute_raw(db: &Db, sql: &str) -> Result<u64> {
    Ok(sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
        .execute(&db.pool)
        .await?
        .rows_affected())
}

/// The first column of a query, as strings (schema introspection in tests).
pub async fn table_names(db: &Db, sql: &str) -> Result<Vec<String>> {
    use sqlx::Row;
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
        .fetch_all(&db.pool)
        .await?;
    rows.iter()
        .map(|r| Ok(r.try_get::<String, _>(0)?))
        .collect()
}

/// The two orgs most stories start from: the university `cqu` (重庆大学) and its college
/// `cqu-mse` (材料科学与工程学院).
pub async fn university_and_college(
    tx: &mut crate::Tx,
) -> Result<(zeren_core::org::Org, zeren_core::org::Org)> {
    use zeren_core::vocab::OrgKind;
    let uni = tx
        .create_org(crate::NewOrg {
            code: "cqu".into(),
            name: "重庆大学".into(),
            kind: OrgKind::University,
            parent: None,
            established_on: None,
        })
        .await?;
    let college = tx
        .create_org(crate::NewOrg {
            code: "cqu-mse".into(),
            name: "材料科学与工程学院".into(),
            kind: OrgKind::College,
            parent: Some("cqu".into()),
            established_on: None,
        })
        .await?;
    Ok((uni, college))
}
