//! Failed sign-ins counted by client address, whatever the way of signing in (password,
//! second factor, LDAP): past a number within a window the address waits.

use std::collections::HashMap;
use std::sync::Mutex;
use zeren_core::access::{ADDRESS_MAX_FAILURES, ADDRESS_WINDOW_MINUTES};

/// Failed sign-ins by client address, within a window: past [`ADDRESS_MAX_FAILURES`] the
/// address waits for the window to pass, whatever names it tries.
#[derive(Default)]
pub struct AddressThrottle(Mutex<HashMap<String, (i64, u32)>>);

/// Addresses remembered before the oldest are forgotten (a bound on memory).
const THROTTLE_MAX_ADDRESSES: usize = 100_000;

impl AddressThrottle {
    pub fn window_ms() -> i64 {
        i64::from(ADDRESS_WINDOW_MINUTES) * 60_000
    }

    /// When the address may try again, if it must wait.
    pub fn blocked_until(&self, address: &str, now_ms: i64) -> Option<i64> {
        let map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let (start, failures) = map.get(address)?;
        let until = start + Self::window_ms();
        (until > now_ms && *failures >= ADDRESS_MAX_FAILURES).then_some(until)
    }

    /// Counts a failure of the address.
    pub fn failed(&self, address: &str, now_ms: i64) {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= THROTTLE_MAX_ADDRESSES {
            map.retain(|_, (start, _)| *start + Self::window_ms() > now_ms);
            if map.len() >= THROTTLE_MAX_ADDRESSES {
                map.clear();
            }
        }
        let entry = map.entry(address.to_string()).or_insert((now_ms, 0));
        if entry.0 + Self::window_ms() <= now_ms {
            *entry = (now_ms, 0);
        }
        entry.1 += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_waits_after_its_failures_and_the_window_passes() {
        let t = AddressThrottle::default();
        let start = 1_000_000;
        for _ in 0..ADDRESS_MAX_FAILURES {
            assert_eq!(t.blocked_until("10.1.1.1", start), None);
            t.failed("10.1.1.1", start);
        }
        let until = t.blocked_until("10.1.1.1", start + 1).unwrap();
        assert_eq!(until, start + AddressThrottle::window_ms());
        assert_eq!(t.blocked_until("10.1.1.2", start + 1), None);
        assert_eq!(t.blocked_until("10.1.1.1", until), None);
        t.failed("10.1.1.1", until);
        assert_eq!(t.blocked_until("10.1.1.1", until + 1), None);
    }
}
