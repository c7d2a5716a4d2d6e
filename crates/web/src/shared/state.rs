//! What every handler can reach: the database, the clock, the snapshots of the org model, and
//! the caches each area keeps for this application (never in statics, so two applications in
//! one process — as in the tests — never share them).

use crate::shared::recent::RecentReads;
use crate::shared::snapshot::Snapshots;
use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use zeren_core::Clock;
use zeren_core::clock::shanghai_date;
use zeren_core::reminders::robots::OutboundPolicy;
use zeren_storage::Db;

/// What every handler can reach. One shared allocation: axum clones the state for every
/// request (the router, the gate, each `State` extractor), and a clone is one reference count,
/// not one per part (the parts' counts were hit by every request on every core).
#[derive(Clone)]
pub struct AppState(Arc<Parts>);

impl std::ops::Deref for AppState {
    type Target = Parts;
    fn deref(&self) -> &Parts {
        &self.0
    }
}

/// Setting a part (at start, before the state is shared: serving, tests) changes this state
/// only; a state already cloned keeps what it had.
impl std::ops::DerefMut for AppState {
    fn deref_mut(&mut self) -> &mut Parts {
        Arc::make_mut(&mut self.0)
    }
}

/// The parts of the [`AppState`].
#[derive(Clone)]
pub struct Parts {
    /// The database.
    pub db: Db,
    /// The clock; tests fix it.
    pub clock: Arc<dyn Clock>,
    /// The org model, policy and grants, following the database's generation (see
    /// [`crate::shared::snapshot`]).
    pub snapshots: Arc<Snapshots>,
    /// Reverse proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Arc<[std::net::IpAddr]>,
    /// Cookies carry `Secure` (the server or its proxy speaks TLS).
    pub secure_cookies: bool,
    /// A banner shown on every page when the clock is set by `--clock`.
    pub clock_banner: Option<Arc<str>>,
    /// Reads kept for a short time (see [`RecentReads`]).
    pub recent: Arc<RecentReads>,
    /// Which addresses the server's own requests (robot webhooks) may connect to: public ones
    /// only; tests alone allow loopback (see [`AppState::with_outbound`]).
    pub outbound: Arc<OutboundPolicy>,
    /// Each area's caches, by type (see [`AppState::cache`]).
    caches: Arc<Caches>,
}

/// One value per type, made on first use: the caches areas keep (memos of computed pages and
/// figures), held by the state so the shared layer need not name them; and those of them that
/// follow this process's writes (see [`FollowsWrites`]).
#[derive(Default)]
struct Caches {
    by_type: Mutex<HashMap<TypeId, Arc<dyn Any + Send + Sync>>>,
    followers: Mutex<Vec<Arc<dyn FollowsWrites>>>,
}

/// A cache that readers keep using while it is brought up to date in the background, and that
/// this process's own writes bring up to date before the writer is answered: after every write
/// request the gate awaits [`FollowsWrites::catch_up`] of each such cache (made with
/// [`AppState::following`]), so the writer — and every read that starts after its answer —
/// sees its change, while the readers already running keep what they found.
pub trait FollowsWrites: Send + Sync + 'static {
    /// Brings what the cache holds up to the database's present state.
    fn catch_up<'a>(&'a self, state: &'a AppState) -> futures_util::future::BoxFuture<'a, ()>;
}

impl AppState {
    /// State over a database and a clock, with no proxies trusted and plain-HTTP cookies.
    pub fn new(db: Db, clock: Arc<dyn Clock>) -> AppState {
        AppState(Arc::new(Parts {
            db,
            clock,
            snapshots: Arc::default(),
            trusted_proxies: Arc::new([]),
            secure_cookies: false,
            clock_banner: None,
            recent: Arc::default(),
            outbound: Arc::default(),
            caches: Arc::default(),
        }))
    }

    /// The same state with another outbound policy (tests: loopback stand-ins).
    pub fn with_outbound(mut self, policy: OutboundPolicy) -> AppState {
        self.outbound = Arc::new(policy);
        self
    }

    /// The change stamp (the audit head), or a recent read of it: what cached obligations are
    /// checked against.
    pub async fn change_stamp(&self) -> zeren_storage::Result<(i64, String)> {
        let recent = &self.recent;
        recent
            .get_or_read(&recent.stamp, "", |_| true, || self.db.change_stamp())
            .await
    }

    /// The ledger generation, or a recent read of it: what counted ledgers and the pages made
    /// from them are kept by (it moves only with changes that can move their figures).
    pub async fn ledger_generation(&self) -> zeren_storage::Result<i64> {
        let recent = &self.recent;
        recent
            .get_or_read(&recent.ledger, "", |_| true, || self.db.ledger_generation())
            .await
    }

    /// Today in Asia/Shanghai.
    pub fn today(&self) -> chrono::NaiveDate {
        shanghai_date(self.clock.now())
    }

    /// Now, epoch ms.
    pub fn now_ms(&self) -> i64 {
        self.clock.now().timestamp_millis()
    }

    /// The cache of type `C` of this application, made with `C::default()` on first use.
    pub fn cache<C: Default + Send + Sync + 'static>(&self) -> Arc<C> {
        self.cache_made(|_| {})
    }

    /// The cache of type `C`, as [`AppState::cache`], that also follows this process's writes.
    pub fn following<C: FollowsWrites + Default>(&self) -> Arc<C> {
        self.cache_made(|c: &Arc<C>| {
            let follower: Arc<dyn FollowsWrites> = c.clone();
            self.caches
                .followers
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(follower);
        })
    }

    /// The cache of type `C`; `made` sees it when it is made.
    fn cache_made<C: Default + Send + Sync + 'static>(&self, made: impl FnOnce(&Arc<C>)) -> Arc<C> {
        let mut map = self
            .caches
            .by_type
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if let Some(c) = map
            .get(&TypeId::of::<C>())
            .and_then(|c| c.clone().downcast::<C>().ok())
        {
            return c;
        }
        let c = Arc::new(C::default());
        map.insert(TypeId::of::<C>(), c.clone());
        drop(map);
        made(&c);
        c
    }

    /// After a change made by this process: brings each cache that follows writes up to date
    /// (see [`FollowsWrites`]).
    pub(crate) async fn caches_caught_up(&self) {
        let followers = self
            .caches
            .followers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        for f in followers {
            f.catch_up(self).await;
        }
    }
}
