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

// ------------------------------------------------------------------------------------------
// What the audit views show (display side only: the stored entries and their hashes are as
// written, and the chain verifies over them)
// ------------------------------------------------------------------------------------------

/// Action families whose before/after the audit views show in full: accounts, grants,
/// settings, sign-ins, sessions, API tokens and the system administrator's actions. Their
/// detail is administrative and holds no secret (no password, hash, token or TOTP secret is
/// ever written into it; secret settings are written masked).
pub const ADMINISTRATIVE_FAMILIES: &[&str] = &[
    "user", "grant", "setting", "login", "session", "token", "system",
];

/// Hex characters kept of a content digest.
pub const DIGEST_CHARS: usize = 16;

/// Longest field name listed in a digest; longer names, or names with other characters than
/// `a-z A-Z 0-9 _ -`, are not listed (a key that is not a field name may be content).
const FIELD_NAME_MAX: usize = 64;

/// True when the audit views show the entry's before/after in full: its action's family (the
/// part before the first `.`) is administrative. Every other entry — records, directives,
/// tasks and their reports, obligations, waivers, the org model, notifications, and any action
/// added later — is shown as a [`ChangeDigest`] only (三员分立, PRODUCT.md §5: the auditor sees
/// who, when, from where, which action on which object and a digest of the change, not the
/// content of business records).
pub fn shows_detail(action: &str) -> bool {
    let family = action.split('.').next().unwrap_or("");
    ADMINISTRATIVE_FAMILIES.contains(&family)
}

/// A change as the auditor may see it without its content: the digest of each side and the
/// names (never the values) of the fields that changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChangeDigest {
    /// Hash function of the digests: the chain's.
    pub algorithm: HashAlgorithm,
    /// Digest of the canonical JSON before (first [`DIGEST_CHARS`] hex characters).
    pub before: Option<String>,
    /// Digest of the canonical JSON after.
    pub after: Option<String>,
    /// Names of the top-level fields that differ, sorted: every field of an object created (or
    /// removed).
    pub fields: Vec<String>,
}

/// An entry's change as the audit views show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShownChange {
    /// An administrative entry: the before/after as stored.
    Detail {
        /// JSON before.
        before: Option<String>,
        /// JSON after.
        after: Option<String>,
    },
    /// Any other entry: a digest only.
    Digest(ChangeDigest),
}

/// JSON text with object keys sorted at every depth and no insignificant whitespace, so the
/// same content always gives the same digest whatever order it was written in. Text that is not
/// JSON is taken as it is.
pub fn canonical_json(text: &str) -> String {
    fn write(v: &serde_json::Value, out: &mut String) {
        match v {
            serde_json::Value::Object(map) => {
                let mut keys: Vec<&String> = map.keys().collect();
                keys.sort();
                out.push('{');
                for (i, k) in keys.into_iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&serde_json::Value::String(k.clone()).to_string());
                    out.push(':');
                    if let Some(x) = map.get(k) {
                        write(x, out);
                    }
                }
                out.push('}');
            }
            serde_json::Value::Array(items) => {
                out.push('[');
                for (i, x) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write(x, out);
                }
                out.push(']');
            }
            scalar => out.push_str(&scalar.to_string()),
        }
    }
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(v) => {
            let mut out = String::with_capacity(text.len());
            write(&v, &mut out);
            out
        }
        Err(_) => text.to_string(),
    }
}

fn is_field_name(k: &str) -> bool {
    !k.is_empty()
        && k.len() <= FIELD_NAME_MAX
        && k.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// The top-level fields that differ between two JSON texts, by name.
fn changed_fields(before: Option<&str>, after: Option<&str>) -> Vec<String> {
    let object = |s: Option<&str>| match s.map(serde_json::from_str::<serde_json::Value>) {
        Some(Ok(serde_json::Value::Object(m))) => m,
        _ => serde_json::Map::new(),
    };
    let (b, a) = (object(before), object(after));
    let mut fields: Vec<String> = b
        .keys()
        .chain(a.keys())
        .filter(|k| b.get(*k) != a.get(*k))
        .filter(|k| is_field_name(k))
        .cloned()
        .collect();
    fields.sort();
    fields.dedup();
    fields
}

impl ChangeDigest {
    /// The digest of a change, with the chain's hash function.
    pub fn of(algorithm: HashAlgorithm, before: Option<&str>, after: Option<&str>) -> Self {
        let digest = |s: &str| {
            let mut d = algorithm.digest(canonical_json(s).as_bytes());
            d.truncate(DIGEST_CHARS);
            d
        };
        ChangeDigest {
            algorithm,
            before: before.map(digest),
            after: after.map(digest),
            fields: changed_fields(before, after),
        }
    }
}

impl AuditEntry {
    /// What the audit views (page, API, any export) show of this entry's change: the one rule,
    /// [`shows_detail`].
    pub fn shown_change(&self) -> ShownChange {
        if shows_detail(&self.action) {
            ShownChange::Detail {
                before: self.before.clone(),
                after: self.after.clone(),
            }
        } else {
            ShownChange::Digest(ChangeDigest::of(
                self.algorithm,
                self.before.as_deref(),
                self.after.as_deref(),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]

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

    fn entry(action: &str, before: Option<&str>, after: Option<&str>) -> AuditEntry {
        AuditEntry {
            seq: 1,
            at_ms: 1_700_000_000_000,
            actor: "secretary".into(),
            origin: "10.0.0.1".into(),
            action: action.into(),
            object_type: "record".into(),
            object_id: "r1".into(),
            before: before.map(str::to_string),
            after: after.map(str::to_string),
            prev_hash: String::new(),
            hash: String::new(),
            algorithm: HashAlgorithm::Sm3,
        }
        .seal(GENESIS)
    }

    #[test]
    fn business_content_is_shown_as_a_digest_and_field_names_only() {
        let before = r#"{"title":"党委会","minutes":"讨论了张三的问题","version":1,"org":"o1"}"#;
        let after = r#"{"version":2,"org":"o1","title":"党委会","minutes":"改为李四"}"#;
        for action in [
            "record.create",
            "record.amend",
            "directive.create",
            "task.report",
            "waiver.request",
            "obligation.complete",
            "holding.handover",
            "notify.person_channels",
            "calendar_token.create",
            "anything.new",
        ] {
            let e = entry(action, Some(before), Some(after));
            let ShownChange::Digest(d) = e.shown_change() else {
                panic!("{action} shown in full");
            };
            assert_eq!(d.fields, ["minutes", "version"], "{action}");
            let shown = serde_json::to_string(&d).unwrap();
            for secret in ["党委会", "张三", "李四", "o1"] {
                assert!(!shown.contains(secret), "{action}: {shown}");
            }
            assert_eq!(d.before.as_ref().map(String::len), Some(DIGEST_CHARS));
            assert_ne!(d.before, d.after);
            // The stored entry is unchanged, and still verifies.
            assert_eq!(e.after.as_deref(), Some(after));
            assert_eq!(verify([&e], Some((1, e.hash.as_str()))), Ok(1));
        }
        // The same content in another key order has the same digest; a create lists every field.
        let created = ChangeDigest::of(HashAlgorithm::Sha256, None, Some(after));
        let reordered = ChangeDigest::of(
            HashAlgorithm::Sha256,
            None,
            Some(r#"{ "title":"党委会", "org":"o1", "minutes":"改为李四", "version":2 }"#),
        );
        assert_eq!(created, reordered);
        assert_eq!(created.before, None);
        assert_eq!(created.fields, ["minutes", "org", "title", "version"]);
        // Keys that are not field names (content used as a key) are not listed.
        let keyed = ChangeDigest::of(
            HashAlgorithm::Sm3,
            None,
            Some(r#"{"张三":1,"a b":2,"ok_1":3}"#),
        );
        assert_eq!(keyed.fields, ["ok_1"]);
    }

    #[test]
    fn administrative_entries_keep_their_detail() {
        for action in [
            "user.create",
            "user.state",
            "grant.create",
            "setting.update",
            "login.failure",
            "session.end",
            "token.create",
            "system.backup",
        ] {
            let e = entry(action, None, Some(r#"{"disabled":true}"#));
            assert_eq!(
                e.shown_change(),
                ShownChange::Detail {
                    before: None,
                    after: Some(r#"{"disabled":true}"#.into())
                },
                "{action}"
            );
        }
        // A family is matched whole, not by prefix.
        assert!(!shows_detail("username.x"));
        assert!(!shows_detail("calendar_token.rotate"));
        assert!(!shows_detail(""));
    }

    #[test]
    fn canonical_json_sorts_keys_at_every_depth() {
        assert_eq!(
            canonical_json(r#"{"b":[{"y":1,"x":"\u5f20"}],"a":null}"#),
            r#"{"a":null,"b":[{"x":"张","y":1}]}"#
        );
        assert_eq!(canonical_json("not json"), "not json");
    }
}
