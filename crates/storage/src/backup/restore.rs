//! Restoring an archive: read and checked whole first, writing nothing; then read again (and
//! checked again) straight into one transaction that replaces every table. Sealed values of an
//! archive from another installation are re-sealed under this installation's key on the way.

use super::read::{Item, Reader};
use super::{BackupSummary, Cell, io_err};
use crate::db::{Backend, Db};
use crate::error::{Result, StorageError};
use crate::keys::{InstallationKey, is_sealed};
use crate::schema::{SEALED, TABLES, Table, Ty};
use sqlx::{Any, AssertSqlSafe, Executor, Transaction};
use std::path::{Path, PathBuf};
use tokio::sync::mpsc;

/// Tables whose rows may name a parent row of the same table (by `id`), with that column: a
/// child may come before its parent (an org moved under a newer one).
const SELF_PARENTS: &[(&str, &str)] = &[("orgs", "parent_id")];

/// Rows in flight between the reading thread and the transaction.
const IN_FLIGHT: usize = 256;

/// What the reading thread hands the transaction.
enum Step {
    Table(&'static Table),
    Row(Vec<Cell>),
    /// A complete, checked attachment file, staged in the files dir.
    File {
        sha: String,
        staged: PathBuf,
    },
}

/// Indexes of the sealed columns of `t`.
fn sealed_columns(t: &Table) -> Vec<usize> {
    t.columns
        .iter()
        .enumerate()
        .filter(|(_, (c, _))| SEALED.contains(&(t.name, *c)))
        .map(|(i, _)| i)
        .collect()
}

/// `v` with every sealed value in it passed through `f`: the whole of it when it is sealed, or
/// each sealed string inside it when it is JSON (the directory settings). `None` when nothing
/// in it is sealed.
fn reseal_text(v: &str, f: &dyn Fn(&str) -> Result<String>) -> Result<Option<String>> {
    if is_sealed(v) {
        return f(v).map(Some);
    }
    if !v.contains("sealed:v1:") {
        return Ok(None);
    }
    let Ok(mut json) = serde_json::from_str::<serde_json::Value>(v) else {
        return Ok(None);
    };
    fn walk(
        node: &mut serde_json::Value,
        f: &dyn Fn(&str) -> Result<String>,
        changed: &mut bool,
    ) -> Result<()> {
        match node {
            serde_json::Value::String(s) if is_sealed(s) => {
                *s = f(s)?;
                *changed = true;
            }
            serde_json::Value::Array(items) => {
                for item in items {
                    walk(item, f, changed)?;
                }
            }
            serde_json::Value::Object(map) => {
                for item in map.values_mut() {
                    walk(item, f, changed)?;
                }
            }
            _ => {}
        }
        Ok(())
    }
    let mut changed = false;
    walk(&mut json, f, &mut changed)?;
    Ok(changed.then(|| json.to_string()))
}

/// Pass 1: reads everything and checks it; when the archive comes from another installation,
/// also that each sealed value opens with its key. Writes nothing.
fn check(path: &Path, keys: &[&InstallationKey], local: &str) -> Result<BackupSummary> {
    let file = std::fs::File::open(path).map_err(|e| io_err(path, e))?;
    let mut r = Reader::new(file, keys)?;
    let signer = r.signer();
    let reseal = signer.fingerprint() != local;
    let mut sealed: (&str, Vec<usize>) = ("", Vec::new());
    while let Some(item) = r.next_item()? {
        match item {
            Item::Table(t) => sealed = (t.name, sealed_columns(t)),
            Item::Row(row) if reseal => {
                for i in &sealed.1 {
                    if let Some(Cell::Text(Some(v))) = row.get(*i)
                        && reseal_text(v, &|x| signer.open(x).map(|_| x.to_string())).is_err()
                    {
                        return Err(StorageError::Backup(format!(
                            "a sealed value of `{}` does not open with the key that signed the archive",
                            sealed.0
                        )));
                    }
                }
            }
            _ => {}
        }
    }
    r.summary()
}

/// Pass 2, reading side: hands each row to the transaction and stages each file.
fn feed(
    path: &Path,
    keys: &[&InstallationKey],
    signer: &str,
    db: &Db,
    out: &mpsc::Sender<Step>,
) -> Result<BackupSummary> {
    let stopped = || StorageError::Backup("the restore stopped".into());
    let file = std::fs::File::open(path).map_err(|e| io_err(path, e))?;
    let mut r = Reader::new(file, keys)?;
    if r.signer().fingerprint() != signer {
        return Err(StorageError::Backup(
            "the archive changed between its check and its restore".into(),
        ));
    }
    let mut staged: Option<(String, PathBuf, std::fs::File)> = None;
    let result = (|| -> Result<()> {
        while let Some(item) = r.next_item()? {
            let step = match item {
                Item::Table(t) => Step::Table(t),
                Item::Row(row) => Step::Row(row),
                Item::File { sha } => {
                    let p = db.staging_file()?;
                    let f = std::fs::File::create(&p).map_err(|e| io_err(&p, e))?;
                    staged = Some((sha, p, f));
                    continue;
                }
                Item::Chunk(bytes) => {
                    if let Some((_, p, f)) = staged.as_mut() {
                        use std::io::Write;
                        f.write_all(&bytes).map_err(|e| io_err(p, e))?;
                    }
                    continue;
                }
                Item::FileEnd => {
                    let Some((sha, p, f)) = staged.take() else {
                        continue;
                    };
                    f.sync_all().map_err(|e| io_err(&p, e))?;
                    Step::File { sha, staged: p }
                }
            };
            out.blocking_send(step).map_err(|_| stopped())?;
        }
        Ok(())
    })();
    if let Some((_, p, _)) = staged {
        let _ = std::fs::remove_file(p);
    }
    result?;
    r.summary()
}

/// An insert statement for one table, and what the rows of that table need on the way.
struct Insert {
    table: &'static Table,
    sql: String,
    sealed: Vec<usize>,
    /// (column of the parent, column of the id) for a table of [`SELF_PARENTS`].
    parent: Option<(usize, usize)>,
}

impl Insert {
    fn of(t: &'static Table) -> Insert {
        let cols: Vec<&str> = t.columns.iter().map(|(c, _)| *c).collect();
        let params: Vec<String> = (1..=cols.len()).map(|i| format!("${i}")).collect();
        let index = |name: &str| t.columns.iter().position(|(c, _)| *c == name);
        let parent = SELF_PARENTS
            .iter()
            .find(|(name, _)| *name == t.name)
            .and_then(|(_, col)| Some((index(col)?, index("id")?)));
        Insert {
            table: t,
            sql: format!(
                "INSERT INTO {} ({}) VALUES ({})",
                t.name,
                cols.join(", "),
                params.join(", ")
            ),
            sealed: sealed_columns(t),
            parent,
        }
    }
}

fn text_at(row: &[Cell], i: usize) -> Option<&str> {
    match row.get(i) {
        Some(Cell::Text(Some(v))) => Some(v),
        _ => None,
    }
}

impl Db {
    /// Replaces the whole database with the backup at `path`, which must be signed by this
    /// installation's key or by `archive_key` (the key of the installation that wrote it). The
    /// archive is read and checked completely first; a damaged, forged or foreign one changes
    /// nothing. The restore is one transaction.
    pub async fn restore(
        &self,
        path: &Path,
        archive_key: Option<&InstallationKey>,
    ) -> Result<BackupSummary> {
        let local = self.key()?.clone();
        let mut keys = vec![local.clone()];
        keys.extend(archive_key.cloned());
        let at = |e: StorageError| match e {
            StorageError::Backup(m) => StorageError::Backup(format!("{}: {m}", path.display())),
            e => e,
        };
        let joined =
            |e: tokio::task::JoinError| StorageError::Backup(format!("reading failed ({e})"));

        // Pass 1: everything checked, nothing written.
        let (p, k, fp) = (path.to_path_buf(), keys.clone(), local.fingerprint());
        let checked =
            tokio::task::spawn_blocking(move || check(&p, &k.iter().collect::<Vec<_>>(), &fp))
                .await
                .map_err(joined)?
                .map_err(at)?;
        if checked.files > 0 && self.files_dir().is_none() {
            return Err(at(StorageError::Backup(
                "the archive holds attachment files but this installation keeps none".into(),
            )));
        }
        let reseal = keys
            .iter()
            .find(|k| k.fingerprint() == checked.key && checked.key != local.fingerprint())
            .map(|from| (from.clone(), local.clone()));

        // Pass 2: read again, into one transaction.
        self.migrate().await?;
        let (tx_steps, rx) = mpsc::channel(IN_FLIGHT);
        let (p, db, signer) = (path.to_path_buf(), self.clone(), checked.key.clone());
        let reader = tokio::task::spawn_blocking(move || {
            feed(
                &p,
                &keys.iter().collect::<Vec<_>>(),
                &signer,
                &db,
                &tx_steps,
            )
        });
        let written = self.write_steps(rx, reseal.as_ref()).await;
        let read = reader.await.map_err(joined)?;
        let tx = written?;
        let summary = read.map_err(at)?;
        tx.commit().await?;
        Ok(summary)
    }

    /// Pass 2, writing side: empties every table and inserts the rows as they come. Returns
    /// the transaction uncommitted: only a reader that reached the verified end commits it.
    async fn write_steps(
        &self,
        mut rx: mpsc::Receiver<Step>,
        reseal: Option<&(InstallationKey, InstallationKey)>,
    ) -> Result<Transaction<'static, Any>> {
        let mut tx = self.pool.begin().await?;
        if self.backend() == Backend::Sqlite {
            // Rows go in parents-first, but a full replace is simplest to check at commit.
            tx.execute("PRAGMA defer_foreign_keys = ON").await?;
        }
        for t in TABLES.iter().rev() {
            sqlx::query(AssertSqlSafe(format!("DELETE FROM {}", t.name)))
                .execute(&mut *tx)
                .await?;
        }
        let mut current: Option<Insert> = None;
        // Rows whose parent came later: (id, parent), linked once the table is complete.
        let mut orphans: Vec<(String, String)> = Vec::new();
        while let Some(step) = rx.recv().await {
            match step {
                Step::Table(t) => {
                    link_parents(&mut tx, current.as_ref(), &mut orphans).await?;
                    current = Some(Insert::of(t));
                }
                Step::Row(mut row) => {
                    let Some(ins) = current.as_ref() else {
                        return Err(StorageError::Backup("a row before any table".into()));
                    };
                    if let Some((from, to)) = reseal {
                        for &i in &ins.sealed {
                            if let Some(Cell::Text(Some(v))) = row.get_mut(i)
                                && let Some(new) = reseal_text(v, &|x| to.seal(&from.open(x)?))?
                            {
                                *v = new;
                            }
                        }
                    }
                    if let Some((pcol, idcol)) = ins.parent
                        && let (Some(parent), Some(id)) =
                            (text_at(&row, pcol), text_at(&row, idcol))
                    {
                        let placed: Option<String> = sqlx::query_scalar(AssertSqlSafe(format!(
                            "SELECT id FROM {} WHERE id = $1",
                            ins.table.name
                        )))
                        .bind(parent)
                        .fetch_optional(&mut *tx)
                        .await?;
                        if placed.is_none() {
                            orphans.push((id.to_string(), parent.to_string()));
                            if let Some(cell) = row.get_mut(pcol) {
                                *cell = Cell::Text(None);
                            }
                        }
                    }
                    let mut q = sqlx::query(AssertSqlSafe(ins.sql.clone()));
                    for (cell, (_, ty)) in row.into_iter().zip(ins.table.columns) {
                        q = match (cell, ty) {
                            (Cell::Text(v), Ty::Text) => q.bind(v),
                            (Cell::Int(v), Ty::Int) => q.bind(v),
                            _ => {
                                return Err(StorageError::Backup(format!(
                                    "a value of `{}` has the wrong type",
                                    ins.table.name
                                )));
                            }
                        };
                    }
                    q.execute(&mut *tx).await?;
                }
                Step::File { sha, staged } => {
                    let stored = self.store_file(&staged, "application/octet-stream").await?;
                    if stored.sha256 != sha {
                        return Err(StorageError::Backup(format!(
                            "attachment {sha} does not match its content"
                        )));
                    }
                }
            }
        }
        link_parents(&mut tx, current.as_ref(), &mut orphans).await?;
        Ok(tx)
    }
}

/// Gives the rows that came before their parent their parent back (the table is complete).
async fn link_parents(
    tx: &mut Transaction<'static, Any>,
    table: Option<&Insert>,
    orphans: &mut Vec<(String, String)>,
) -> Result<()> {
    let Some(ins) = table else { return Ok(()) };
    let Some((pcol, _)) = ins.parent else {
        return Ok(());
    };
    let column = ins.table.columns.get(pcol).map(|(c, _)| *c).unwrap_or("id");
    for (id, parent) in orphans.drain(..) {
        sqlx::query(AssertSqlSafe(format!(
            "UPDATE {} SET {column} = $1 WHERE id = $2",
            ins.table.name
        )))
        .bind(parent)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}
