//! What readers found, kept for the readers after them until what it was found from changes: a
//! map of answers by key, all valid for one stamp (a generation, or a generation and a minute).
//! A reader with a newer stamp starts the map afresh; one with an older stamp neither reads nor
//! replaces it. Each answer is found by the first reader who asks for it at a stamp, in
//! proportion to what it shows; the readers after share it.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};

/// The answers kept, with the stamp they are valid at.
type Kept<S, K, V> = Option<(S, HashMap<K, Arc<V>>)>;

/// Answers by key, valid at one stamp; at most `MAX` of them. One reader at a time finds an
/// answer not kept: the readers who miss it together wait for that one rather than each
/// finding it again.
pub struct Memo<S, K, V, const MAX: usize = 256> {
    kept: Mutex<Kept<S, K, V>>,
    finding: tokio::sync::Mutex<()>,
}

impl<S, K, V, const MAX: usize> Default for Memo<S, K, V, MAX> {
    fn default() -> Self {
        Memo {
            kept: Mutex::new(None),
            finding: tokio::sync::Mutex::new(()),
        }
    }
}

impl<S: Ord + Clone, K: Hash + Eq, V, const MAX: usize> Memo<S, K, V, MAX> {
    /// The answer for `key` at `stamp`: as kept, or found by `find` and kept.
    pub async fn get_or<E>(
        &self,
        stamp: S,
        key: K,
        find: impl AsyncFnOnce() -> Result<V, E>,
    ) -> Result<Arc<V>, E> {
        if let Some(found) = self.kept(&stamp, &key) {
            return Ok(found);
        }
        let _finding = self.finding.lock().await;
        // Found meanwhile by the reader this one waited for.
        if let Some(found) = self.kept(&stamp, &key) {
            return Ok(found);
        }
        let found = Arc::new(find().await?);
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        match kept.as_mut() {
            Some((s, map)) if *s == stamp => {
                if map.len() >= MAX {
                    map.clear();
                }
                map.insert(key, found.clone());
            }
            Some((s, _)) if *s > stamp => {}
            _ => *kept = Some((stamp, HashMap::from([(key, found.clone())]))),
        }
        Ok(found)
    }

    /// The answer kept for `key` at `stamp`, if there is one.
    fn kept(&self, stamp: &S, key: &K) -> Option<Arc<V>> {
        let kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        match kept.as_ref() {
            Some((s, map)) if s == stamp => map.get(key).cloned(),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Memo;

    #[tokio::test]
    async fn an_answer_is_kept_for_its_stamp_and_found_again_for_a_newer_one() {
        let memo: Memo<i64, &str, i64, 2> = Memo::default();
        let found = |n: i64| async move || Ok::<_, ()>(n);
        assert_eq!(*memo.get_or(1, "a", found(10)).await.unwrap(), 10);
        // Kept: not found again at the same stamp.
        assert_eq!(*memo.get_or(1, "a", found(11)).await.unwrap(), 10);
        // A newer stamp finds it again and starts afresh.
        assert_eq!(*memo.get_or(2, "a", found(12)).await.unwrap(), 12);
        // An older stamp is answered but does not replace what is kept.
        assert_eq!(*memo.get_or(1, "a", found(13)).await.unwrap(), 13);
        assert_eq!(*memo.get_or(2, "a", found(14)).await.unwrap(), 12);
        // At most MAX answers: the map starts afresh when full.
        assert_eq!(*memo.get_or(2, "b", found(20)).await.unwrap(), 20);
        assert_eq!(*memo.get_or(2, "c", found(30)).await.unwrap(), 30);
        assert_eq!(*memo.get_or(2, "a", found(15)).await.unwrap(), 15);
        // A failure is not kept.
        assert!(
            memo.get_or(3, "x", async || Err::<i64, ()>(()))
                .await
                .is_err()
        );
        assert_eq!(*memo.get_or(3, "x", found(40)).await.unwrap(), 40);
    }
}
