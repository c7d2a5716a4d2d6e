//! What a file is, read from its content: the types Zeren accepts as attachments.

use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

/// Content types Zeren accepts, as (mime, usual extension).
pub const ACCEPTED_TYPES: &[(&str, &str)] = &[
    ("application/pdf", "pdf"),
    ("image/png", "png"),
    ("image/jpeg", "jpg"),
    ("image/gif", "gif"),
    (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "docx",
    ),
    (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "xlsx",
    ),
    (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "pptx",
    ),
    ("application/msword", "doc"),
    ("application/vnd.ms-excel", "xls"),
    ("application/vnd.ms-powerpoint", "ppt"),
    ("text/plain", "txt"),
    ("text/csv", "csv"),
];

/// The content type of a file, read from its content (the name only tells CSV from plain text);
/// `None` when Zeren does not accept it (executables, archives, empty files, …).
pub fn sniff(path: &Path, filename: &str) -> std::io::Result<Option<&'static str>> {
    let mut f = std::fs::File::open(path)?;
    let len = f.metadata()?.len();
    if len == 0 {
        return Ok(None);
    }
    let mut head = [0u8; 8];
    let n = read_up_to(&mut f, &mut head)?;
    let head = &head[..n];
    if head.starts_with(b"%PDF-") {
        return Ok(Some("application/pdf"));
    }
    if head.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        return Ok(Some("image/png"));
    }
    if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Ok(Some("image/jpeg"));
    }
    if head.starts_with(b"GIF87a") || head.starts_with(b"GIF89a") {
        return Ok(Some("image/gif"));
    }
    if head.starts_with(b"PK\x03\x04") {
        return ooxml_type(&mut f, len);
    }
    if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        return ole_type(&mut f);
    }
    if is_utf8_text(&mut f)? {
        let csv = filename.to_ascii_lowercase().ends_with(".csv");
        return Ok(Some(if csv { "text/csv" } else { "text/plain" }));
    }
    Ok(None)
}

fn read_up_to(f: &mut std::fs::File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        let k = f.read(&mut buf[n..])?;
        if k == 0 {
            break;
        }
        n += k;
    }
    Ok(n)
}

fn u16_at(b: &[u8], i: usize) -> Option<usize> {
    Some(u16::from_le_bytes([*b.get(i)?, *b.get(i + 1)?]) as usize)
}

fn u32_at(b: &[u8], i: usize) -> Option<u64> {
    Some(u64::from(u32::from_le_bytes([
        *b.get(i)?,
        *b.get(i + 1)?,
        *b.get(i + 2)?,
        *b.get(i + 3)?,
    ])))
}

/// A zip is accepted only as a Word, Excel or PowerPoint document: its central directory names
/// `[Content_Types].xml` and the part folder of one of them.
fn ooxml_type(f: &mut std::fs::File, len: u64) -> std::io::Result<Option<&'static str>> {
    let tail_len = len.min(65_557);
    f.seek(SeekFrom::Start(len - tail_len))?;
    let mut tail = vec![0u8; tail_len as usize];
    let n = read_up_to(f, &mut tail)?;
    tail.truncate(n);
    let Some(eocd) = tail.windows(4).rposition(|w| w == b"PK\x05\x06") else {
        return Ok(None);
    };
    let (Some(cd_size), Some(cd_offset)) = (u32_at(&tail, eocd + 12), u32_at(&tail, eocd + 16))
    else {
        return Ok(None);
    };
    if cd_size == 0 || cd_size > 16 * 1024 * 1024 || cd_offset + cd_size > len {
        return Ok(None);
    }
    f.seek(SeekFrom::Start(cd_offset))?;
    let mut cd = vec![0u8; cd_size as usize];
    let n = read_up_to(f, &mut cd)?;
    cd.truncate(n);
    let mut names: Vec<String> = Vec::new();
    let mut i = 0;
    while i + 46 <= cd.len() && &cd[i..i + 4] == b"PK\x01\x02" {
        let (Some(name_len), Some(extra), Some(comment)) = (
            u16_at(&cd, i + 28),
            u16_at(&cd, i + 30),
            u16_at(&cd, i + 32),
        ) else {
            break;
        };
        let Some(name) = cd.get(i + 46..i + 46 + name_len) else {
            break;
        };
        names.push(String::from_utf8_lossy(name).into_owned());
        i += 46 + name_len + extra + comment;
    }
    if !names.iter().any(|n| n == "[Content_Types].xml") {
        return Ok(None);
    }
    let has = |prefix: &str| names.iter().any(|n| n.starts_with(prefix));
    Ok(if has("word/") {
        Some("application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    } else if has("xl/") {
        Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    } else if has("ppt/") {
        Some("application/vnd.openxmlformats-officedocument.presentationml.presentation")
    } else {
        None
    })
}

fn utf16(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(|u| u.to_le_bytes()).collect()
}

/// An OLE2 compound file is accepted as a Word, Excel or PowerPoint document, told apart by the
/// name of its main stream in the directory.
fn ole_type(f: &mut std::fs::File) -> std::io::Result<Option<&'static str>> {
    let needles: [(Vec<u8>, &'static str); 4] = [
        (utf16("WordDocument"), "application/msword"),
        (utf16("Workbook"), "application/vnd.ms-excel"),
        (utf16("Book\0"), "application/vnd.ms-excel"),
        (
            utf16("PowerPoint Document"),
            "application/vnd.ms-powerpoint",
        ),
    ];
    let keep = needles.iter().map(|(n, _)| n.len()).max().unwrap_or(0);
    f.seek(SeekFrom::Start(0))?;
    let mut buf = vec![0u8; 256 * 1024];
    let mut carry: Vec<u8> = Vec::new();
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            return Ok(None);
        }
        carry.extend_from_slice(&buf[..n]);
        for (needle, mime) in &needles {
            if carry.windows(needle.len()).any(|w| w == needle.as_slice()) {
                return Ok(Some(mime));
            }
        }
        let cut = carry.len().saturating_sub(keep);
        carry.drain(..cut);
    }
}

/// Whether the whole file is UTF-8 text without NUL bytes (plain text, CSV).
fn is_utf8_text(f: &mut std::fs::File) -> std::io::Result<bool> {
    f.seek(SeekFrom::Start(0))?;
    let mut buf = vec![0u8; 256 * 1024];
    let mut pending: Vec<u8> = Vec::new();
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            return Ok(pending.is_empty());
        }
        pending.extend_from_slice(&buf[..n]);
        if pending.contains(&0) {
            return Ok(false);
        }
        match std::str::from_utf8(&pending) {
            Ok(_) => pending.clear(),
            Err(e) if e.error_len().is_none() => {
                // A character cut at the chunk's end: keep its first bytes for the next chunk.
                let valid = e.valid_up_to();
                pending.drain(..valid);
            }
            Err(_) => return Ok(false),
        }
    }
}
