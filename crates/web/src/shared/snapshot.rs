//! The in-memory snapshot of the org model, the policy in force, grants and the security policy,
//! that makes role and scope checks nearly free — and how it follows the database.
//!
//! The database's model generation moves on every change to the model ([`zeren_storage::Tx`]).
//! A snapshot is loaded for one generation and then only read. [`Snapshots`] holds the current
//! one in an [`ArcSwapOption`], so a reader takes it without a lock and never waits for a load:
//!
//! - the request that changed the model brings the snapshot up to its own change before it
//!   answers (the gate calls [`AppState::caught_up`]), so the writer and every read that starts
//!   after its answer on this instance see the change;
//! - a reader that finds the database ahead of the snapshot (another instance changed it, or a
//!   change here has committed but not answered yet) goes on with the current snapshot and sets
//!   one load going in the background; the next reads get the new one once it is swapped in;
//! - one load runs at a time: a second caller waits for the running one and finds it current.
//!
//! A load after the first reads only what changed ([`Snapshot::after`]): the audit chain names
//! the objects changed since the snapshot's position, those are read again by id and applied to
//! a copy of the model ([`zeren_core::org::OrgModel::changed`]); policies, grants and the
//! security policy are read again only when one of them changed, and a change that leaves the
//! model alone (an account's password, say) shares it with the new snapshot.
//!
//! Only the very first load of a process, and the jobs that must act on the latest model
//! ([`AppState::fresh_snapshot`]), wait — and every reader when the process keeps no recent
//! reads ([`crate::shared::recent::RecentReads`] with ttl zero, as in the tests, where a change
//! made beside the server must be seen by the next request).

use crate::shared::state::AppState;
use arc_swap::ArcSwapOption;
use std::sync::Arc;
use zeren_core::access::{Principal, RoleGrant, SecurityPolicy, roles_from_posts};
use zeren_core::org::OrgModel;
use zeren_core::policy::{BUILTIN_PACK_ID, Policies, PolicyPack};
use zeren_storage::{Db, Grant, ModelPosition, User};

/// Setting key of the security policy.
pub const SECURITY_SETTING: &str = "security";

/// More objects changed than this since a snapshot: a whole load instead of reading each.
const CHANGES_MAX: usize = 2_000;

/// Every system together on `today` ([`Policies::combined`]), the built-in pack's series
/// first: the vocabulary of the org tree, roles and lists.
fn combined_pack(set: &Policies, today: chrono::NaiveDate) -> zeren_storage::Result<PolicyPack> {
    let builtin =
        set.get(BUILTIN_PACK_ID)
            .ok_or_else(|| zeren_storage::StorageError::NotFound {
                what: "policy",
                id: BUILTIN_PACK_ID.into(),
            })?;
    Ok(set
        .combined(&builtin.meta.series, today)
        .unwrap_or_else(|| builtin.clone()))
}

/// The loaded versions as one set.
fn policy_set(policies: &[zeren_storage::StoredPolicy]) -> Policies {
    Policies::new(policies.iter().map(|p| p.pack.clone()).collect())
}

/// Setting key of the founder: the account the security administrator designated, on an
/// installation without orgs, to create the root org (and so become its first org
/// administrator). Cleared once the root exists.
pub const FOUNDER_SETTING: &str = "founder";

/// The value of [`FOUNDER_SETTING`].
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Founder {
    /// The account; `None` once the root org was created.
    pub user: Option<String>,
}

/// The founder's account, if one is designated and has not founded the tree yet.
async fn founder(db: &Db) -> zeren_storage::Result<Option<String>> {
    Ok(db
        .setting::<Founder>(FOUNDER_SETTING)
        .await?
        .and_then(|(f, _)| f.user))
}

/// The stored security policy, or the default one.
async fn security_policy(db: &Db) -> zeren_storage::Result<SecurityPolicy> {
    Ok(db
        .setting::<SecurityPolicy>(SECURITY_SETTING)
        .await?
        .map(|(s, _)| s)
        .unwrap_or_default())
}

/// Memory the documents rendered from one snapshot may take before they start over.
const RENDERED_MAX_BYTES: usize = 16 << 20;

/// Documents rendered from a snapshot, and their size.
#[derive(Debug, Default)]
struct Rendered {
    docs: std::collections::HashMap<String, axum::body::Bytes>,
    bytes: usize,
}

/// Everything role and scope checks need, as of one model generation.
#[derive(Debug)]
pub struct Snapshot {
    /// The generation it was read at.
    pub generation: i64,
    /// The generation and audit head it was read at: where the next changes start.
    pub position: ModelPosition,
    /// The generation at which the org tree last changed (orgs added, renamed, moved or
    /// closed): what figures summed over the tree are kept by.
    pub tree_generation: i64,
    /// Org tree, people, posts, holdings, platforms (shared with the next snapshot when a
    /// change leaves it alone).
    pub model: Arc<OrgModel>,
    /// Every system in force together, the built-in series first ([`Policies::combined`]):
    /// post kinds, portfolios, topics and duties of all; the built-in version's articles,
    /// reminders and assessment. A duty's own version is in [`Snapshot::set`].
    pub pack: PolicyPack,
    /// Explicit grants.
    pub grants: Vec<Grant>,
    /// Security policy.
    pub security: SecurityPolicy,
    /// The account designated to create the root org, while there is none.
    pub founder: Option<String>,
    /// Every loaded policy version, parsed (shared with the next snapshot unless a policy is
    /// loaded).
    pub policies: Arc<Vec<zeren_storage::StoredPolicy>>,
    /// The same versions as one set: every series side by side, each version governing its
    /// own time.
    pub set: Arc<Policies>,
    /// Each org's stored version, by org id (for the `version` edits must quote).
    pub org_versions: std::collections::HashMap<String, i64>,
    /// Documents rendered from this snapshot, by key (a policy's JSON for a day, an org's for
    /// a viewer and a day), so that a read is serialised once per generation.
    rendered: std::sync::Mutex<Rendered>,
    /// Principals worked out from this snapshot, by account and day.
    principals:
        std::sync::Mutex<std::collections::HashMap<(String, chrono::NaiveDate), Arc<Principal>>>,
}

impl Snapshot {
    /// A whole load: the model, every policy, grants, org versions and the security policy.
    pub async fn load(db: &Db, today: chrono::NaiveDate) -> zeren_storage::Result<Snapshot> {
        let started = std::time::Instant::now();
        // The position first: what commits while the rest is read is after it (see
        // `Db::model_position`).
        let position = db.model_position().await?;
        let model = Arc::new(db.load_model().await?);
        let policies = Arc::new(db.policies().await?);
        let set = Arc::new(policy_set(&policies));
        let snap = Snapshot {
            generation: position.generation,
            tree_generation: position.generation,
            position,
            model,
            pack: combined_pack(&set, today)?,
            grants: db.grants().await?,
            security: security_policy(db).await?,
            founder: founder(db).await?,
            set,
            policies,
            org_versions: db.org_versions().await?,
            rendered: Default::default(),
            principals: Default::default(),
        };
        tracing::debug!(
            generation = snap.generation,
            ms = started.elapsed().as_millis(),
            "snapshot loaded whole"
        );
        Ok(snap)
    }

    /// The snapshot after the changes made since this one was read: only the objects that
    /// changed are read again (their ids come from the audit chain) and applied to a copy of
    /// the model; the policies, grants and security policy are read again only when one of
    /// them changed. A whole load when the changes cannot be told (a restored chain) or are
    /// too many.
    pub async fn after(
        &self,
        db: &Db,
        today: chrono::NaiveDate,
    ) -> zeren_storage::Result<Snapshot> {
        let started = std::time::Instant::now();
        let Some(changes) = db.model_changes(&self.position, CHANGES_MAX).await? else {
            return Snapshot::load(db, today).await;
        };
        let kinds = &changes.kinds;
        let (policies, set) = if kinds.contains("policy") {
            let policies = Arc::new(db.policies().await?);
            let set = Arc::new(policy_set(&policies));
            (policies, set)
        } else {
            (self.policies.clone(), self.set.clone())
        };
        let tree_generation = if changes.change.orgs.is_empty() {
            self.tree_generation
        } else {
            changes.position.generation
        };
        let model = if changes.change.is_empty() {
            self.model.clone()
        } else {
            Arc::new(self.model.changed(changes.change))
        };
        let mut org_versions = self.org_versions.clone();
        org_versions.extend(changes.org_versions);
        let snap = Snapshot {
            generation: changes.position.generation,
            tree_generation,
            position: changes.position,
            model,
            pack: combined_pack(&set, today)?,
            grants: if kinds.contains("grant") {
                db.grants().await?
            } else {
                self.grants.clone()
            },
            security: if kinds.contains("setting") {
                security_policy(db).await?
            } else {
                self.security.clone()
            },
            founder: if kinds.contains("setting") {
                founder(db).await?
            } else {
                self.founder.clone()
            },
            policies,
            set,
            org_versions,
            rendered: Default::default(),
            principals: Default::default(),
        };
        tracing::debug!(
            generation = snap.generation,
            ms = started.elapsed().as_millis(),
            ?kinds,
            "snapshot brought up to date"
        );
        Ok(snap)
    }

    /// The document rendered under `key`, rendering it with `render` the first time.
    pub fn rendered<E>(
        &self,
        key: &str,
        render: impl FnOnce() -> Result<Vec<u8>, E>,
    ) -> Result<axum::body::Bytes, E> {
        if let Some(b) = self.rendered_doc(key) {
            return Ok(b);
        }
        Ok(self.keep_rendered(key, render()?))
    }

    /// The document kept under `key`, if it was rendered (for documents whose rendering awaits:
    /// look here first, render, then [`Snapshot::keep_rendered`]).
    pub fn rendered_doc(&self, key: &str) -> Option<axum::body::Bytes> {
        self.rendered
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .docs
            .get(key)
            .cloned()
    }

    /// Keeps `doc` under `key` (within the memo's byte bound) and hands it back.
    pub fn keep_rendered(&self, key: &str, doc: Vec<u8>) -> axum::body::Bytes {
        let fresh = axum::body::Bytes::from(doc);
        let mut kept = self.rendered.lock().unwrap_or_else(|e| e.into_inner());
        if kept.bytes + fresh.len() > RENDERED_MAX_BYTES {
            *kept = Rendered::default();
        }
        kept.bytes += fresh.len();
        if let Some(old) = kept.docs.insert(key.to_string(), fresh.clone()) {
            kept.bytes -= old.len();
        }
        fresh
    }

    /// A loaded policy version by id.
    pub fn policy(&self, id: &str) -> zeren_storage::Result<&zeren_storage::StoredPolicy> {
        self.policies
            .iter()
            .find(|p| p.pack.meta.id == id)
            .ok_or_else(|| zeren_storage::StorageError::NotFound {
                what: "policy",
                id: id.into(),
            })
    }

    /// The principal of an account on `today`, worked out once per snapshot (accounts, posts,
    /// holdings and grants are all in it: a change to any of them makes a new snapshot).
    pub fn principal_of(&self, user: &User, today: chrono::NaiveDate) -> Arc<Principal> {
        let key = (user.id.clone(), today);
        if let Some(p) = self
            .principals
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&key)
        {
            return p.clone();
        }
        let fresh = Arc::new(self.principal(user, today));
        let mut kept = self.principals.lock().unwrap_or_else(|e| e.into_inner());
        if kept.len() >= 50_000 {
            kept.clear();
        }
        kept.insert(key, fresh.clone());
        fresh
    }

    /// Whether `user` may found the org tree now: there is no org yet, and the security
    /// administrator designated them to create the root.
    pub fn may_found(&self, user: &str) -> bool {
        self.model.orgs().is_empty() && self.founder.as_deref() == Some(user)
    }

    /// The principal of an account today.
    pub fn principal(&self, user: &User, today: chrono::NaiveDate) -> Principal {
        if let Some(admin) = user.admin_role {
            return Principal {
                user: user.id.clone(),
                roles: Vec::new(),
                admin: Some(admin),
            };
        }
        let mut roles: Vec<RoleGrant> = match &user.person {
            Some(person) => roles_from_posts(&self.pack, &self.model, person, today),
            None => Vec::new(),
        };
        roles.extend(
            self.grants
                .iter()
                .filter(|g| g.user == user.id)
                .map(|g| RoleGrant {
                    role: g.role,
                    org: g.org.clone(),
                    source: format!("grant:{}", g.id),
                }),
        );
        Principal {
            user: user.id.clone(),
            roles,
            admin: None,
        }
    }
}

/// The current snapshot of this application, and the one load that may be running.
#[derive(Default)]
pub struct Snapshots {
    current: ArcSwapOption<Snapshot>,
    /// Held by the load that is running: one at a time.
    loading: tokio::sync::Mutex<()>,
}

impl Snapshots {
    /// The current snapshot, if one was loaded.
    pub fn current(&self) -> Option<Arc<Snapshot>> {
        self.current.load_full()
    }

    /// A snapshot of `generation` or later, loading one when the current one is older; waits
    /// for a load that is already running rather than starting a second.
    async fn at_least(
        &self,
        db: &Db,
        today: chrono::NaiveDate,
        generation: i64,
    ) -> zeren_storage::Result<Arc<Snapshot>> {
        if let Some(s) = self.current()
            && s.generation >= generation
        {
            return Ok(s);
        }
        let _loading = self.loading.lock().await;
        if let Some(s) = self.current()
            && s.generation >= generation
        {
            return Ok(s);
        }
        let fresh = Arc::new(match self.current() {
            Some(old) => old.after(db, today).await?,
            None => Snapshot::load(db, today).await?,
        });
        // A load never replaces a newer snapshot (generations only move forward).
        self.current.rcu(|old| match old {
            Some(o) if o.generation > fresh.generation => Some(o.clone()),
            _ => Some(fresh.clone()),
        });
        Ok(fresh)
    }
}

impl AppState {
    /// The snapshot a reader of `generation` uses: the current one, at once, even when the
    /// database is ahead of it — a load then runs in the background (one at a time) and the
    /// following reads get its result. A process without any snapshot yet waits, and so does
    /// every reader when recent reads are not kept at all (ttl zero: the database is read every
    /// time, as the tests run).
    pub async fn snapshot(&self, generation: i64) -> zeren_storage::Result<Arc<Snapshot>> {
        let current = match self.snapshots.current() {
            Some(s) if self.recent.keeps_reads() => s,
            _ => {
                return self
                    .snapshots
                    .at_least(&self.db, self.today(), generation)
                    .await;
            }
        };
        if current.generation < generation
            && let Ok(loading) = self.snapshots.loading.try_lock()
        {
            drop(loading);
            let state = self.clone();
            tokio::spawn(async move {
                if let Err(e) = state
                    .snapshots
                    .at_least(&state.db, state.today(), generation)
                    .await
                {
                    tracing::warn!(error = %e, "snapshot load failed; the next read retries");
                }
            });
        }
        Ok(current)
    }

    /// The snapshot of the latest generation, without waiting (see [`AppState::snapshot`]).
    pub async fn current_snapshot(&self) -> zeren_storage::Result<Arc<Snapshot>> {
        let generation = self.model_generation().await?;
        self.snapshot(generation).await
    }

    /// The snapshot of the latest generation, waiting for it to load when the current one is
    /// older: for jobs that act on the model (the reminder planner), not for readers.
    pub async fn fresh_snapshot(&self) -> zeren_storage::Result<Arc<Snapshot>> {
        let generation = self.db.model_generation().await?;
        self.snapshots
            .at_least(&self.db, self.today(), generation)
            .await
    }

    /// After a change made by this process: when it moved the model generation, waits until
    /// the snapshot has caught up with it, so that the answer to the change — and every read
    /// after it — sees it. Returns at once when the model did not change.
    pub async fn caught_up(&self) -> zeren_storage::Result<()> {
        let generation = self.db.model_generation().await?;
        if self
            .snapshots
            .current()
            .is_some_and(|s| s.generation < generation)
        {
            self.snapshots
                .at_least(&self.db, self.today(), generation)
                .await?;
        }
        Ok(())
    }

    /// The model generation, or a recent read of it.
    async fn model_generation(&self) -> zeren_storage::Result<i64> {
        let recent = &self.recent;
        recent
            .get_or_read(
                &recent.generation,
                "",
                |_| true,
                || self.db.model_generation(),
            )
            .await
    }
}
