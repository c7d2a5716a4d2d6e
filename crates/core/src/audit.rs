//! The tamper-evident audit chain: each entry's hash covers its content and the previous hash.

use serde::Serialize;
use sha2::Digest as _;

/// The hash before the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Hash function of the chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum HashAlgorithm {
    /// SM3 (GB/T 32905), the 国密 hash. Default.
    #[default]
    Sm3,
    /// SHA-256.
    Sha256,
}

impl HashAlgorithm {
    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            HashAlgorithm::Sm3 => "sm3",
            HashAlgorithm::Sha256 => "sha256",
        }
    }

    /// Reads the stable name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "sm3" => Some(HashAlgorithm::Sm3),
            "sha256" => Some(HashAlgorithm::Sha256),
            _ => None,
        }
    }

    fn digest(self, bytes: &[u8]) -> String {
        match self {
            HashAlgorithm::Sm3 => hex::encode(sm3::Sm3::digest(bytes)),
            HashAlgorithm::Sha256 => hex::encode(sha2::Sha256::digest(bytes)),
        }
    }
}

/// The content of one audit entry: who did what, when, from where, and the before/after state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    /// Position in the chain, from 1, without gaps.
    pub seq: i64,
    /// When, as Unix epoch milliseconds (UTC).
    pub at_ms: i64,
    /// Who (user name, or `system`/`cli:<os user>`).
    pub actor: String,
    /// From where (IP address, or `cli`).
    pub origin: String,
    /// What was done, e.g. `holding.handover`.
    pub action: String,
    /// Kind of object changed.
    pub object_type: String,
    /// Id of the object changed.
    pub object_id: String,
    /// JSON of the object before, if it existed.
    pub before: Option<String>,
    /// JSON of the object after, if it still exists.
    pub after: Option<String>,
    /// Hash of the previous entry.
    pub prev_hash: String,
    /// Hash of this entry.
    pub hash: String,
    /// Algorithm of `hash`.
    pub algorithm: HashAlgorithm,
}

impl AuditEntry {
    /// The hash this entry's content and `prev_hash` call for.
    pub fn compute_hash(&self) -> String {
        let mut buf = Vec::with_capacity(256);
        // Length-prefixed fields: no two different entries serialise to the same bytes.
        let mut field = |b: &[u8]| {
            buf.extend_from_slice(&(b.len() as u64).to_be_bytes());
            buf.extend_from_slice(b);
        };
        field(self.prev_hash.as_bytes());
        field(&self.seq.to_be_bytes());
        field(&self.at_ms.to_be_bytes());
        field(self.actor.as_bytes());
        field(self.origin.as_bytes());
        field(self.action.as_bytes());
        field(self.object_type.as_bytes());
        field(self.object_id.as_bytes());
        for opt in [&self.before, &self.after] {
            match opt {
                Some(s) => {
                    field(b"1");
                    field(s.as_bytes());
                }
                None => field(b"0"),
            }
        }
        field(self.algorithm.as_str().as_bytes());
        self.algorithm.digest(&buf)
    }

    /// Fills `prev_hash` and `hash` so the entry follows `prev_hash`.
    pub fn seal(mut self, prev_hash: &str) -> Self {
        self.prev_hash = prev_hash.to_string();
        self.hash = self.compute_hash();
        self
    }
}

/// Where the chain breaks.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    /// An entry's content does not match its hash (edited).
    #[error("audit entry {seq} was altered: its content does not match its hash")]
    Altered {
        /// Entry.
        seq: i64,
    },
    /// An entry does not follow the previous one (removed or reordered entries).
    #[error("audit entry {seq} does not follow entry {prev}: entries were removed or reordered")]
    Broken {
        /// Entry.
        seq: i64,
        /// The entry before it.
        prev: i64,
    },
    /// The chain ends before its recorded head (entries removed at the end).
    #[error(
        "the audit log ends at entry {last} but {head} entries were recorded: entries were removed"
    )]
    Truncated {
        /// Last entry found.
        last: i64,
        /// Recorded head.
        head: i64,
    },
}

/// Walks a chain entry by entry, so a long chain can be checked page by page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainCursor {
    seq: i64,
    hash: String,
    checked: u64,
}

impl Default for ChainCursor {
    fn default() -> Self {
        ChainCursor {
            seq: 0,
            hash: GENESIS.to_string(),
            checked: 0,
        }
    }
}

impl ChainCursor {
    /// Checks the next entry: it must follow the last one and match its own hash.
    pub fn step(&mut self, e: &AuditEntry) -> Result<(), ChainError> {
        if e.seq != self.seq + 1 || e.prev_hash != self.hash {
            return Err(ChainError::Broken {
                seq: e.seq,
                prev: self.seq,
            });
        }
        if e.compute_hash() != e.hash {
            return Err(ChainError::Altered { seq: e.seq });
        }
        self.seq = e.seq;
        self.hash.clone_from(&e.hash);
        self.checked += 1;
        Ok(())
    }

    /// Checks that the chain ends at the recorded head. Returns the number of entries checked.
    pub fn finish(&self, head_seq: i64, head_hash: &str) -> Result<u64, ChainError> {
        if head_seq != self.seq {
            return Err(ChainError::Truncated {
                last: self.seq,
                head: head_seq,
            });
        }
        if head_hash != self.hash {
            return Err(ChainError::Altered { seq: self.seq });
        }
        Ok(self.checked)
    }

    /// Seq of the last entry checked.
    pub fn last_seq(&self) -> i64 {
        self.seq
    }
}

/// Verifies a whole chain in order from the first entry, against the recorded head (seq, hash)
/// of the last entry written. Returns the number of entries checked.
pub fn verify<'a>(
    entries: impl IntoIterator<Item = &'a AuditEntry>,
    head: Option<(i64, &str)>,
) -> Result<u64, ChainError> {
    let mut cursor = ChainCursor::default();
    for e in entries {
        cursor.step(e)?;
    }
    match head {
        Some((seq, hash)) => cursor.finish(seq, hash),
        None => Ok(cursor.checked),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64, alg: HashAlgorithm) -> Vec<AuditEntry> {
        let mut prev = GENESIS.to_string();
        (1..=n)
            .map(|seq| {
                let e = AuditEntry {
                    seq,
                    at_ms: 1_700_000_000_000 + seq,
                    actor: "admin".into(),
                    origin: "cli".into(),
                    action: "org.create".into(),
                    object_type: "org".into(),
                    object_id: format!("o{seq}"),
                    before: None,
                    after: Some(format!("{{\"n\":{seq}}}")),
                    prev_hash: String::new(),
                    hash: String::new(),
                    algorithm: alg,
                }
                .seal(&prev);
                prev = e.hash.clone();
                e
            })
            .collect()
    }

    #[test]
    fn intact_chain_verifies() {
        for alg in [HashAlgorithm::Sm3, HashAlgorithm::Sha256] {
            let c = chain(5, alg);
            let head = c.last().map(|e| (e.seq, e.hash.as_str()));
            assert_eq!(verify(&c, head), Ok(5));
        }
    }

    #[test]
    fn sm3_known_answer() {
        // GB/T 32905 example: SM3("abc").
        assert_eq!(
            HashAlgorithm::Sm3.digest(b"abc"),
            "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
        );
    }

    #[test]
    fn edits_removals_and_truncation_are_caught() {
        let c = chain(5, HashAlgorithm::Sm3);
        let head = (5, c[4].hash.clone());
        let mut edited = c.clone();
        edited[2].actor = "mallory".into();
        assert_eq!(
            verify(&edited, Some((head.0, &head.1))),
            Err(ChainError::Altered { seq: 3 })
        );
        let mut removed = c.clone();
        removed.remove(1);
        assert_eq!(
            verify(&removed, Some((head.0, &head.1))),
            Err(ChainError::Broken { seq: 3, prev: 1 })
        );
        let truncated = &c[..4];
        assert_eq!(
            verify(truncated, Some((head.0, &head.1))),
            Err(ChainError::Truncated { last: 4, head: 5 })
        );
    }
}
