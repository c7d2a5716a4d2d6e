//! Database reads kept for a short time, so that an authenticated read needs no query at all.
//!
//! `ttl` zero (the default, and in tests) reads the database every time; `zeren serve` keeps
//! reads for a second. This process forgets everything at once after any change it makes (the
//! request gate in lib.rs, sign-out, revocation), and a read that raced with such a change
//! is not kept (an epoch counter tells). Changes made by other instances sharing the database
//! are seen within `ttl`.
//!
//! What is kept: sessions and API tokens with their accounts, the model generation (which
//! snapshot is current), the change stamp (the audit head: which cached obligations are
//! current), the ledger generation (which counted ledgers are current), and each account's calendar feed token (when it was made and last read; its
//! secret is stored nowhere).

use crate::shared::auth::Credential;
use std::collections::HashMap;
use std::future::Future;
use std::sync::RwLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use zeren_storage::repo::feeds::CalendarToken;

/// Entries kept before a slot starts over (a bound on memory, never reached in practice).
const SLOT_MAX: usize = 50_000;

/// Values by key, each with the moment it was read.
pub struct Slot<V> {
    entries: RwLock<HashMap<String, (Instant, V)>>,
}

impl<V> Default for Slot<V> {
    fn default() -> Self {
        Slot {
            entries: RwLock::default(),
        }
    }
}

impl<V: Clone> Slot<V> {
    fn get(&self, ttl: Duration, key: &str) -> Option<V> {
        let entries = self.entries.read().unwrap_or_else(|e| e.into_inner());
        let (at, v) = entries.get(key)?;
        (at.elapsed() < ttl).then(|| v.clone())
    }

    fn put(&self, key: &str, v: V) {
        let mut entries = self.entries.write().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= SLOT_MAX {
            entries.clear();
        }
        entries.insert(key.to_string(), (Instant::now(), v));
    }

    fn clear(&self) {
        self.entries
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }

    fn update(&self, mut f: impl FnMut(&mut V)) {
        let mut entries = self.entries.write().unwrap_or_else(|e| e.into_inner());
        for (_, v) in entries.values_mut() {
            f(v);
        }
    }
}

/// Recent reads of this process (see the module documentation).
#[derive(Default)]
pub struct RecentReads {
    ttl: Duration,
    /// Moves on every [`RecentReads::clear`]; a read begun before it is not kept.
    epoch: AtomicU64,
    /// Sessions (`s:` + cookie) and tokens (`t:` + secret).
    pub(crate) credentials: Slot<Option<Credential>>,
    /// The model generation (one entry).
    pub(crate) generation: Slot<i64>,
    /// The change stamp, the audit head (one entry).
    pub(crate) stamp: Slot<(i64, String)>,
    /// The ledger generation (one entry).
    pub(crate) ledger: Slot<i64>,
    /// Calendar feed tokens by account id.
    pub(crate) feeds: Slot<Option<CalendarToken>>,
}

impl RecentReads {
    /// Reads kept for `ttl`.
    pub fn new(ttl: Duration) -> RecentReads {
        RecentReads {
            ttl,
            ..RecentReads::default()
        }
    }

    /// Whether reads are kept at all (a ttl above zero): then readers may also go on with the
    /// current snapshot while a newer one loads ([`crate::shared::snapshot`]).
    pub fn keeps_reads(&self) -> bool {
        !self.ttl.is_zero()
    }

    /// The value under `key` in `slot`, read with `read` unless a fresh one is kept. `keep`
    /// says which results may be kept (an unknown session is not).
    pub(crate) async fn get_or_read<V, E, F>(
        &self,
        slot: &Slot<V>,
        key: &str,
        keep: impl FnOnce(&V) -> bool,
        read: impl FnOnce() -> F,
    ) -> Result<V, E>
    where
        V: Clone,
        F: Future<Output = Result<V, E>>,
    {
        if self.ttl.is_zero() {
            return read().await;
        }
        if let Some(v) = slot.get(self.ttl, key) {
            return Ok(v);
        }
        let epoch = self.epoch.load(Ordering::Acquire);
        let v = read().await?;
        if keep(&v) && self.epoch.load(Ordering::Acquire) == epoch {
            slot.put(key, v.clone());
        }
        Ok(v)
    }

    /// Forgets everything (after any change this process makes).
    pub fn clear(&self) {
        self.epoch.fetch_add(1, Ordering::AcqRel);
        self.credentials.clear();
        self.generation.clear();
        self.stamp.clear();
        self.ledger.clear();
        self.feeds.clear();
    }

    /// Records that a session was seen at `now_ms` (its row was just touched).
    pub(crate) fn touch_session(&self, session_id: &str, now_ms: i64) {
        self.credentials.update(|c| {
            if let Some(Credential::Session(s)) = c
                && s.id == session_id
            {
                s.last_seen_at = now_ms;
            }
        });
    }
}
