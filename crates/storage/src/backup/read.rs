//! Reading an archive as a stream of checked items. Every line, count and size has a bound
//! checked before anything is allocated for it; the signature, the files' hashes and the audit
//! chain are checked as the lines go by. Nothing here panics or trusts the input.

use super::BackupSummary;
use super::{
    CHUNK_BYTES, Cell, FORMAT, FORMAT_VERSION, MAX_FILE_BYTES, MAX_FILES, MAX_META_LINE,
    MAX_ROW_LINE, MAX_ROWS, MAX_TABLE_ROWS,
};
use crate::error::{Result, StorageError};
use crate::keys::{InstallationKey, Purpose};
use crate::schema::{TABLES, Table, Ty};
use flate2::read::MultiGzDecoder;
use ring::hmac;
use serde::Deserialize;
use serde::de::{DeserializeSeed, Error as _, IgnoredAny, SeqAccess, Visitor};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::io::{BufRead, BufReader, Read};
use subtle::ConstantTimeEq;
use zeren_core::audit::{AuditEntry, ChainCursor, HashAlgorithm};

/// Longest chunk line: the base64 of [`CHUNK_BYTES`] and the JSON around it.
const MAX_CHUNK_LINE: usize = CHUNK_BYTES.div_ceil(3) * 4 + 64;

/// What an archive's first line says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchiveHeader {
    /// Format version (1: unsigned, from before archives were signed).
    pub version: i64,
    /// Fingerprint of the key that signed it (from version 2).
    pub key: Option<String>,
    /// Engine it was taken on.
    pub engine: Option<String>,
    /// When it was taken (epoch ms).
    pub created_at_ms: Option<i64>,
}

/// One step through an archive.
pub(crate) enum Item {
    /// The rows of this table follow.
    Table(&'static Table),
    /// A row of the current table, its values of the columns' types.
    Row(Vec<Cell>),
    /// An attachment file begins (its content follows in chunks).
    File {
        /// Its SHA-256, hex.
        sha: String,
    },
    /// Content of the current file.
    Chunk(Vec<u8>),
    /// The current file is complete and matches its SHA-256.
    FileEnd,
}

/// The fields of the header that reading relies on (`engine` and `created_at_ms` are for people).
#[derive(Deserialize)]
struct HeaderLine {
    format: String,
    version: i64,
    key: String,
    tables: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TableLine {
    table: String,
    columns: Vec<String>,
    rows: u64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileLine {
    file: String,
    bytes: u64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ChunkLine {
    chunk: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Trailer {
    end: bool,
    rows: u64,
    files: u64,
    key: String,
    hmac: String,
}

fn bad(m: impl std::fmt::Display) -> StorageError {
    StorageError::Backup(m.to_string())
}

/// Reads the first line of an archive (bounded) without checking anything else.
pub(crate) fn read_header<R: Read>(reader: R) -> Result<ArchiveHeader> {
    let mut input = BufReader::new(MultiGzDecoder::new(reader));
    let mut line = Vec::new();
    read_bounded(&mut input, &mut line, MAX_META_LINE, 1)?;
    loose_header(&line)
}

fn loose_header(line: &[u8]) -> Result<ArchiveHeader> {
    let v: Value = serde_json::from_slice(line).map_err(|_| bad("not a Zeren backup"))?;
    if v.get("format").and_then(Value::as_str) != Some(FORMAT) {
        return Err(bad("not a Zeren backup"));
    }
    let version = v
        .get("version")
        .and_then(Value::as_i64)
        .ok_or_else(|| bad("not a Zeren backup: no format version"))?;
    Ok(ArchiveHeader {
        version,
        key: v.get("key").and_then(Value::as_str).map(str::to_string),
        engine: v.get("engine").and_then(Value::as_str).map(str::to_string),
        created_at_ms: v.get("created_at_ms").and_then(Value::as_i64),
    })
}

/// Reads one line of at most `limit` bytes (its newline included) into `line`.
fn read_bounded<R: BufRead>(
    input: &mut R,
    line: &mut Vec<u8>,
    limit: usize,
    lineno: u64,
) -> Result<()> {
    line.clear();
    let cap = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    let n = input
        .take(cap)
        .read_until(b'\n', line)
        .map_err(|e| bad(format!("damaged or truncated archive ({e})")))?;
    if n == 0 {
        return Err(bad("truncated archive: the end marker is missing"));
    }
    if line.last() != Some(&b'\n') {
        if line.len() > limit {
            return Err(bad(format!(
                "line {lineno}: longer than the {limit} bytes a line of its kind may have"
            )));
        }
        return Err(bad("truncated archive: the end marker is missing"));
    }
    Ok(())
}

/// Deserializes one row straight into the column types: no other shape is accepted, and
/// nothing is allocated beyond the row's own values.
struct RowSeed(&'static Table);

impl<'de> DeserializeSeed<'de> for RowSeed {
    type Value = Vec<Cell>;

    fn deserialize<D: serde::Deserializer<'de>>(
        self,
        d: D,
    ) -> std::result::Result<Vec<Cell>, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for RowSeed {
    type Value = Vec<Cell>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(f, "an array of the {} columns", self.0.columns.len())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Vec<Cell>, A::Error> {
        let mut out = Vec::with_capacity(self.0.columns.len());
        for (col, ty) in self.0.columns {
            let cell = match ty {
                Ty::Text => seq
                    .next_element::<Option<String>>()
                    .map_err(|e| A::Error::custom(format!("`{col}`: {e}")))?
                    .map(Cell::Text),
                Ty::Int => seq
                    .next_element::<Option<i64>>()
                    .map_err(|e| A::Error::custom(format!("`{col}`: {e}")))?
                    .map(Cell::Int),
            };
            match cell {
                Some(c) => out.push(c),
                None => return Err(A::Error::invalid_length(out.len(), &self)),
            }
        }
        if seq.next_element::<IgnoredAny>()?.is_some() {
            return Err(A::Error::invalid_length(self.0.columns.len() + 1, &self));
        }
        Ok(out)
    }
}

/// Where the audit chain's fields sit in an `audit_log` row.
struct AuditColumns {
    seq: usize,
    at_ms: usize,
    actor: usize,
    origin: usize,
    action: usize,
    object_type: usize,
    object_id: usize,
    before: usize,
    after: usize,
    prev_hash: usize,
    hash: usize,
    algorithm: usize,
}

fn column(t: &Table, name: &str) -> Result<usize> {
    t.columns
        .iter()
        .position(|(c, _)| *c == name)
        .ok_or_else(|| bad(format!("`{}` has no column `{name}`", t.name)))
}

impl AuditColumns {
    fn of(t: &Table) -> Result<AuditColumns> {
        Ok(AuditColumns {
            seq: column(t, "seq")?,
            at_ms: column(t, "at_ms")?,
            actor: column(t, "actor")?,
            origin: column(t, "origin")?,
            action: column(t, "action")?,
            object_type: column(t, "object_type")?,
            object_id: column(t, "object_id")?,
            before: column(t, "before_json")?,
            after: column(t, "after_json")?,
            prev_hash: column(t, "prev_hash")?,
            hash: column(t, "hash")?,
            algorithm: column(t, "algorithm")?,
        })
    }

    fn entry(&self, row: &[Cell]) -> Option<AuditEntry> {
        let int = |i: usize| match row.get(i) {
            Some(Cell::Int(Some(v))) => Some(*v),
            _ => None,
        };
        let opt = |i: usize| match row.get(i) {
            Some(Cell::Text(v)) => Some(v.clone()),
            _ => None,
        };
        let text = |i: usize| opt(i).flatten();
        Some(AuditEntry {
            seq: int(self.seq)?,
            at_ms: int(self.at_ms)?,
            actor: text(self.actor)?,
            origin: text(self.origin)?,
            action: text(self.action)?,
            object_type: text(self.object_type)?,
            object_id: text(self.object_id)?,
            before: opt(self.before)?,
            after: opt(self.after)?,
            prev_hash: text(self.prev_hash)?,
            hash: text(self.hash)?,
            algorithm: HashAlgorithm::parse(&text(self.algorithm)?)?,
        })
    }
}

/// The file being read.
struct OpenFile {
    sha: String,
    left: u64,
    hasher: Sha256,
}

/// An archive being read (see the module documentation).
pub(crate) struct Reader<'k, R: Read> {
    input: BufReader<MultiGzDecoder<R>>,
    line: Vec<u8>,
    lineno: u64,
    key: &'k InstallationKey,
    fingerprint: String,
    mac: hmac::Context,
    /// Index in [`TABLES`] of the next table expected.
    next_table: usize,
    /// The current table and its rows still to come.
    current: Option<(&'static Table, u64)>,
    tables: Vec<(String, u64)>,
    rows: u64,
    declared_rows: u64,
    attachment_rows: u64,
    files: u64,
    file: Option<OpenFile>,
    audit: AuditColumns,
    /// Where `seq` and `hash` sit in the `audit_head` row.
    head_columns: (usize, usize),
    chain: ChainCursor,
    head: Option<(i64, String)>,
    tables_checked: bool,
    done: bool,
}

impl<'k, R: Read> Reader<'k, R> {
    /// Opens an archive and reads its header. It must be signed by one of `keys`.
    pub(crate) fn new(reader: R, keys: &[&'k InstallationKey]) -> Result<Reader<'k, R>> {
        let mut input = BufReader::with_capacity(64 * 1024, MultiGzDecoder::new(reader));
        let mut line = Vec::new();
        read_bounded(&mut input, &mut line, MAX_META_LINE, 1)?;
        let loose = loose_header(&line)?;
        if loose.version == 1 {
            return Err(bad(
                "this archive is unsigned (format version 1, written before backups were signed): \
                 nothing proves where it comes from, so it is refused; take a new backup with this \
                 version of Zeren",
            ));
        }
        if loose.version != FORMAT_VERSION {
            return Err(bad(format!(
                "unsupported backup version {} (this version of Zeren reads version {FORMAT_VERSION})",
                loose.version
            )));
        }
        let header: HeaderLine = serde_json::from_slice(&line)
            .map_err(|e| bad(format!("line 1: not a backup header ({})", brief(&e))))?;
        if header.format != FORMAT || header.version != FORMAT_VERSION {
            return Err(bad("not a Zeren backup"));
        }
        let key = keys
            .iter()
            .copied()
            .find(|k| k.fingerprint() == header.key)
            .ok_or_else(|| {
                let ours = keys
                    .iter()
                    .map(|k| k.fingerprint())
                    .collect::<Vec<_>>()
                    .join(", ");
                bad(format!(
                    "the archive was signed by the key with fingerprint {}, not by this \
                     installation's key ({ours}); to restore an archive of another installation, \
                     give that installation's key",
                    clip(&header.key)
                ))
            })?;
        let expected = TABLES.iter().map(|t| t.name);
        if !header.tables.iter().map(String::as_str).eq(expected) {
            return Err(bad(
                "the archive's tables differ from this version of Zeren's",
            ));
        }
        let table = |name: &str| {
            TABLES
                .iter()
                .copied()
                .find(|t| t.name == name)
                .ok_or_else(|| bad(format!("no table `{name}`")))
        };
        let (audit_table, head_table) = (table("audit_log")?, table("audit_head")?);
        let mut mac = hmac::Context::with_key(&key.signing_key(Purpose::Backup));
        mac.update(&line);
        Ok(Reader {
            input,
            line,
            lineno: 1,
            key,
            fingerprint: header.key,
            mac,
            next_table: 0,
            current: None,
            tables: Vec::new(),
            rows: 0,
            declared_rows: 0,
            attachment_rows: 0,
            files: 0,
            file: None,
            audit: AuditColumns::of(audit_table)?,
            head_columns: (column(head_table, "seq")?, column(head_table, "hash")?),
            chain: ChainCursor::default(),
            head: None,
            tables_checked: false,
            done: false,
        })
    }

    /// The key that signed the archive.
    pub(crate) fn signer(&self) -> &'k InstallationKey {
        self.key
    }

    fn read_line(&mut self, limit: usize) -> Result<()> {
        self.lineno += 1;
        // A long row once read does not keep its buffer for the rest of the archive.
        if self.line.capacity() > 4 * MAX_META_LINE {
            self.line = Vec::new();
        }
        read_bounded(&mut self.input, &mut self.line, limit, self.lineno)
    }

    fn at(&self, m: impl std::fmt::Display) -> StorageError {
        bad(format!("line {}: {m}", self.lineno))
    }

    /// The next item; `None` once the trailer has been read and every check passed.
    pub(crate) fn next_item(&mut self) -> Result<Option<Item>> {
        if self.done {
            return Ok(None);
        }
        if let Some((t, left)) = self.current
            && left > 0
        {
            self.read_line(MAX_ROW_LINE)?;
            self.mac.update(&self.line);
            let mut de = serde_json::Deserializer::from_slice(&self.line);
            let row = RowSeed(t)
                .deserialize(&mut de)
                .and_then(|r| de.end().map(|()| r))
                .map_err(|e| self.at(format!("a row of `{}`: {}", t.name, brief(&e))))?;
            self.current = Some((t, left - 1));
            self.rows += 1;
            self.check_row(t, &row)?;
            return Ok(Some(Item::Row(row)));
        }
        if let Some(t) = TABLES.get(self.next_table).copied() {
            return self.table_line(t).map(|()| Some(Item::Table(t)));
        }
        if !self.tables_checked {
            self.check_tables()?;
        }
        if let Some(file) = &self.file
            && file.left == 0
        {
            let done = self.file.take().map(|f| (f.sha, f.hasher.finalize()));
            if let Some((sha, digest)) = done
                && hex::encode(digest) != sha
            {
                return Err(self.at(format!("attachment {sha} does not match its content")));
            }
            return Ok(Some(Item::FileEnd));
        }
        if self.file.is_some() {
            return self.chunk_line().map(Some);
        }
        self.read_line(MAX_META_LINE)?;
        let v: Value = serde_json::from_slice(&self.line)
            .map_err(|e| self.at(format!("not JSON ({})", brief(&e))))?;
        if v.get("end").is_some() {
            self.trailer(v)?;
            self.done = true;
            return Ok(None);
        }
        self.mac.update(&self.line);
        let f: FileLine = serde_json::from_value(v).map_err(|e| {
            self.at(format!(
                "expected an attachment or the end marker ({})",
                brief(&e)
            ))
        })?;
        if f.file.len() != 64
            || !f
                .file
                .bytes()
                .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        {
            return Err(self.at("an attachment's name is not a SHA-256"));
        }
        if f.bytes > MAX_FILE_BYTES {
            return Err(self.at(format!(
                "attachment {} claims {} bytes, more than an archive may hold ({MAX_FILE_BYTES})",
                f.file, f.bytes
            )));
        }
        self.files += 1;
        if self.files > self.attachment_rows || self.files > MAX_FILES {
            return Err(self.at("more attachment files than attachments"));
        }
        self.file = Some(OpenFile {
            sha: f.file.clone(),
            left: f.bytes,
            hasher: Sha256::new(),
        });
        Ok(Some(Item::File { sha: f.file }))
    }

    fn table_line(&mut self, t: &'static Table) -> Result<()> {
        self.read_line(MAX_META_LINE)?;
        self.mac.update(&self.line);
        let tl: TableLine = serde_json::from_slice(&self.line)
            .map_err(|e| self.at(format!("expected the table `{}` ({})", t.name, brief(&e))))?;
        if tl.table != t.name {
            return Err(self.at(format!(
                "expected the table `{}`, found `{}`",
                t.name,
                clip(&tl.table)
            )));
        }
        if !tl
            .columns
            .iter()
            .map(String::as_str)
            .eq(t.columns.iter().map(|(c, _)| *c))
        {
            return Err(self.at(format!(
                "columns of `{}` differ from this version of Zeren",
                t.name
            )));
        }
        if tl.rows > MAX_TABLE_ROWS {
            return Err(self.at(format!(
                "`{}` claims {} rows, more than an archive may hold ({MAX_TABLE_ROWS})",
                t.name, tl.rows
            )));
        }
        self.declared_rows = self.declared_rows.saturating_add(tl.rows);
        if self.declared_rows > MAX_ROWS {
            return Err(self.at(format!(
                "the archive claims more rows than it may hold ({MAX_ROWS})"
            )));
        }
        if t.name == "attachments" {
            self.attachment_rows = tl.rows;
        }
        self.tables.push((t.name.to_string(), tl.rows));
        self.current = Some((t, tl.rows));
        self.next_table += 1;
        Ok(())
    }

    fn chunk_line(&mut self) -> Result<Item> {
        self.read_line(MAX_CHUNK_LINE)?;
        self.mac.update(&self.line);
        let c: ChunkLine = serde_json::from_slice(&self.line)
            .map_err(|e| self.at(format!("expected attachment content ({})", brief(&e))))?;
        let bytes = data_encoding::BASE64
            .decode(c.chunk.as_bytes())
            .map_err(|_| self.at("attachment content is not base64"))?;
        let lineno = self.lineno;
        let Some(file) = self.file.as_mut() else {
            return Err(bad(format!("line {lineno}: content outside an attachment")));
        };
        let n = bytes.len() as u64;
        if bytes.is_empty() || bytes.len() > CHUNK_BYTES || n > file.left {
            return Err(bad(format!(
                "line {lineno}: attachment {} has more content than it claims",
                file.sha
            )));
        }
        file.hasher.update(&bytes);
        file.left -= n;
        Ok(Item::Chunk(bytes))
    }

    /// Checks a row against the audit chain and the audit head.
    fn check_row(&mut self, t: &Table, row: &[Cell]) -> Result<()> {
        match t.name {
            "audit_log" => {
                let entry = self
                    .audit
                    .entry(row)
                    .ok_or_else(|| self.at("an audit entry lacks a field"))?;
                self.chain.step(&entry).map_err(|e| {
                    bad(format!(
                        "line {}: the archive's audit chain is broken: {e}",
                        self.lineno
                    ))
                })
            }
            "audit_head" => {
                let (Some(Cell::Int(Some(seq))), Some(Cell::Text(Some(hash)))) =
                    (row.get(self.head_columns.0), row.get(self.head_columns.1))
                else {
                    return Err(self.at("the audit head is incomplete"));
                };
                if self.head.is_some() {
                    return Err(self.at("more than one audit head"));
                }
                self.head = Some((*seq, hash.clone()));
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// Once every table is read: the audit chain ends at the recorded head.
    fn check_tables(&mut self) -> Result<()> {
        match &self.head {
            Some((seq, hash)) => {
                self.chain
                    .finish(*seq, hash)
                    .map_err(|e| bad(format!("the archive's audit chain is broken: {e}")))?;
            }
            None if self.chain.last_seq() > 0 => {
                return Err(bad("the archive's audit chain has no head"));
            }
            None => {}
        }
        self.tables_checked = true;
        Ok(())
    }

    fn trailer(&mut self, v: Value) -> Result<()> {
        let t: Trailer = serde_json::from_value(v)
            .map_err(|e| self.at(format!("not an end marker ({})", brief(&e))))?;
        let tag = self.mac.clone().sign();
        let given = hex::decode(&t.hmac).unwrap_or_default();
        let signed = t.end && t.key == self.fingerprint && bool::from(tag.as_ref().ct_eq(&given));
        if !signed {
            return Err(bad(format!(
                "the signature does not match: the archive was altered after the installation \
                 with key {} signed it",
                self.fingerprint
            )));
        }
        if t.rows != self.rows {
            return Err(bad("row count mismatch"));
        }
        if t.files != self.files {
            return Err(bad("attachment count mismatch"));
        }
        let mut probe = [0u8; 1];
        match self.input.read(&mut probe) {
            Ok(0) => Ok(()),
            Ok(_) => Err(bad(format!(
                "line {}: data after the end marker",
                self.lineno + 1
            ))),
            Err(e) => Err(bad(format!("damaged archive after the end marker ({e})"))),
        }
    }

    /// What was read; an error unless the archive was read to its verified end.
    pub(crate) fn summary(self) -> Result<BackupSummary> {
        if !self.done {
            return Err(bad("the archive was not read to its end"));
        }
        Ok(BackupSummary {
            tables: self.tables,
            rows: self.rows,
            files: self.files,
            key: self.fingerprint,
        })
    }
}

/// A value from the archive, cut short for a message.
fn clip(s: &str) -> String {
    clip_to(s, 40)
}

/// A parser's complaint, which may quote the archive, cut short for a message.
fn brief(e: &serde_json::Error) -> String {
    clip_to(&e.to_string(), 200)
}

fn clip_to(s: &str, chars: usize) -> String {
    let mut out: String = s.chars().take(chars).collect();
    if out.len() < s.len() {
        out.push('…');
    }
    out
}
