//! What a file is, read from its content: the types Zeren accepts as attachments.
//!
//! PDF and the images are told by their first bytes; a zip only as a Word, Excel or PowerPoint
//! document, by the entry names in its central directory (read with the `zip` crate, within a
//! fixed budget of bytes and entries whatever the archive claims, and never inflated); an OLE2
//! compound file by the name of its main stream; text by being UTF-8 throughout. A magic-bytes
//! table and not the `infer` crate: `infer` adds nothing for the four prefixes, guesses Office
//! documents from the first local headers of a zip instead of its directory, and needs a whole
//! OLE2 file in memory to read its class id.

use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;
use zip::ZipArchive;
use zip::read::{ArchiveOffset, Config};

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

/// First bytes of the types told by them alone.
const MAGIC: &[(&[u8], &str)] = &[
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xFF\xD8\xFF", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
];
/// First bytes of a zip archive (its first local file header).
const ZIP: &[u8] = b"PK\x03\x04";
/// First bytes of an OLE2 compound file (the legacy Office formats).
const OLE: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Most bytes read from a zip to find and read its central directory (about 20 000 entries:
/// an Office document has tens to a few thousand).
const ZIP_READ_MAX: u64 = 1024 * 1024;
/// Most entry names of a zip looked at.
const ZIP_ENTRIES_MAX: usize = 10_000;

/// The content type of a file, read from its content (the name only tells CSV from plain text);
/// `None` when Zeren does not accept it (executables, archives, empty files, …).
pub fn sniff(path: &Path, filename: &str) -> io::Result<Option<&'static str>> {
    let mut f = std::fs::File::open(path)?;
    let mut head = Vec::with_capacity(8);
    (&mut f).take(8).read_to_end(&mut head)?;
    if head.is_empty() {
        return Ok(None);
    }
    if let Some((_, mime)) = MAGIC.iter().find(|(magic, _)| head.starts_with(magic)) {
        return Ok(Some(mime));
    }
    if head.starts_with(ZIP) {
        return ooxml_type(f);
    }
    if head.starts_with(OLE) {
        return ole_type(&mut f);
    }
    if is_utf8_text(&mut f)? {
        let csv = filename.to_ascii_lowercase().ends_with(".csv");
        return Ok(Some(if csv { "text/csv" } else { "text/plain" }));
    }
    Ok(None)
}

/// A zip is accepted only as a Word, Excel or PowerPoint document: its central directory names
/// `[Content_Types].xml` and the part folder of one of them. Nothing is inflated, at most
/// [`ZIP_READ_MAX`] bytes are read and [`ZIP_ENTRIES_MAX`] names looked at; an archive that
/// needs more is refused.
fn ooxml_type(reader: impl Read + Seek) -> io::Result<Option<&'static str>> {
    let mut capped = Capped::new(reader, ZIP_READ_MAX);
    // The archive starts at byte 0 (it begins with a local header): no search for an offset.
    let config = Config {
        archive_offset: ArchiveOffset::Known(0),
    };
    let archive = match ZipArchive::with_config(config, &mut capped) {
        Ok(archive) => archive,
        // Malformed or over the budget is a refusal; the file failing to read is an error.
        Err(_) => return capped.failure.take().map_or(Ok(None), Err),
    };
    let names: Vec<&[u8]> = archive.file_names_raw().take(ZIP_ENTRIES_MAX).collect();
    if !names.contains(&b"[Content_Types].xml".as_slice()) {
        return Ok(None);
    }
    let has = |prefix: &[u8]| names.iter().any(|n| n.starts_with(prefix));
    Ok(if has(b"word/") {
        Some("application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    } else if has(b"xl/") {
        Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    } else if has(b"ppt/") {
        Some("application/vnd.openxmlformats-officedocument.presentationml.presentation")
    } else {
        None
    })
}

/// A reader that gives out at most a budget of bytes and then fails, so that what a hostile
/// archive makes the zip reader read is bounded whatever its directory claims. A failure of the
/// file itself is kept, to be told apart from the budget running out.
struct Capped<R> {
    inner: R,
    left: u64,
    failure: Option<io::Error>,
}

impl<R> Capped<R> {
    fn new(inner: R, budget: u64) -> Capped<R> {
        Capped {
            inner,
            left: budget,
            failure: None,
        }
    }

    /// Keeps a failure of the file and hands on one of the same kind.
    fn failed(&mut self, e: io::Error) -> io::Error {
        let kind = e.kind();
        if kind == io::ErrorKind::Interrupted {
            return e;
        }
        self.failure = Some(e);
        io::Error::new(kind, "reading the file failed")
    }
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.left == 0 && !buf.is_empty() {
            return Err(io::Error::other("over the budget for reading a zip"));
        }
        let max = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        match self.inner.read(&mut buf[..max]) {
            Ok(n) => {
                self.left = self.left.saturating_sub(n as u64);
                Ok(n)
            }
            Err(e) => Err(self.failed(e)),
        }
    }
}

impl<R: Seek> Seek for Capped<R> {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        self.inner.seek(pos).map_err(|e| self.failed(e))
    }
}

fn utf16(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(|u| u.to_le_bytes()).collect()
}

/// An OLE2 compound file is accepted as a Word, Excel or PowerPoint document, told apart by the
/// name of its main stream in the directory.
fn ole_type(f: &mut (impl Read + Seek)) -> std::io::Result<Option<&'static str>> {
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
fn is_utf8_text(f: &mut (impl Read + Seek)) -> std::io::Result<bool> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Cursor, Write};
    use zip::CompressionMethod;
    use zip::write::{SimpleFileOptions, ZipWriter};

    const DOCX: Option<&str> =
        Some("application/vnd.openxmlformats-officedocument.wordprocessingml.document");

    /// A file in memory that counts the bytes read from it.
    struct Counted {
        inner: Cursor<Vec<u8>>,
        read: u64,
    }

    impl Read for Counted {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.inner.read(buf)?;
            self.read += n as u64;
            Ok(n)
        }
    }

    impl Seek for Counted {
        fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
            self.inner.seek(pos)
        }
    }

    /// The type told for an archive, and how many of its bytes were read to tell it.
    fn told(bytes: Vec<u8>) -> (Option<&'static str>, u64) {
        let mut f = Counted {
            inner: Cursor::new(bytes),
            read: 0,
        };
        let mime = ooxml_type(&mut f).unwrap();
        (mime, f.read)
    }

    /// An archive of empty stored entries with these names, its central directory built by hand
    /// (in the ZIP64 form past 65 535 entries) so that it can be as large as a test needs.
    fn directory_of(names: impl IntoIterator<Item = String>) -> Vec<u8> {
        let mut out = b"PK\x03\x04".to_vec();
        out.extend_from_slice(&[20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        out.extend_from_slice(&[0; 16]);
        let cd_start = out.len() as u64;
        let mut count: u64 = 0;
        for name in names {
            out.extend_from_slice(b"PK\x01\x02");
            out.extend_from_slice(&[20, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
            out.extend_from_slice(&[0; 12]);
            out.extend_from_slice(&(name.len() as u16).to_le_bytes());
            out.extend_from_slice(&[0; 16]);
            out.extend_from_slice(name.as_bytes());
            count += 1;
        }
        let cd_size = out.len() as u64 - cd_start;
        if count > 0xFFFF {
            let eocd64 = out.len() as u64;
            out.extend_from_slice(b"PK\x06\x06");
            out.extend_from_slice(&44u64.to_le_bytes());
            out.extend_from_slice(&[45, 0, 45, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
            out.extend_from_slice(&count.to_le_bytes());
            out.extend_from_slice(&count.to_le_bytes());
            out.extend_from_slice(&cd_size.to_le_bytes());
            out.extend_from_slice(&cd_start.to_le_bytes());
            out.extend_from_slice(b"PK\x06\x07");
            out.extend_from_slice(&0u32.to_le_bytes());
            out.extend_from_slice(&eocd64.to_le_bytes());
            out.extend_from_slice(&1u32.to_le_bytes());
            out.extend_from_slice(b"PK\x05\x06");
            out.extend_from_slice(&[0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF]);
            out.extend_from_slice(&[0xFF; 8]);
        } else {
            out.extend_from_slice(b"PK\x05\x06");
            out.extend_from_slice(&[0, 0, 0, 0]);
            out.extend_from_slice(&(count as u16).to_le_bytes());
            out.extend_from_slice(&(count as u16).to_le_bytes());
            out.extend_from_slice(&(cd_size as u32).to_le_bytes());
            out.extend_from_slice(&(cd_start as u32).to_le_bytes());
        }
        out.extend_from_slice(&[0, 0]);
        out
    }

    fn numbered(n: usize, width: usize) -> impl Iterator<Item = String> {
        (0..n).map(move |i| format!("word/media/{i:0width$}.png"))
    }

    #[test]
    fn an_office_document_is_told_by_its_directory_alone() {
        // A bomb (32 MiB of zeros deflated to a few KiB) and a 4 MiB picture: neither is
        // inflated or read, the names in the directory suffice.
        let mut w = ZipWriter::new(Cursor::new(Vec::new()));
        let stored = SimpleFileOptions::default().compression_method(CompressionMethod::Stored);
        let deflated = SimpleFileOptions::default()
            .compression_method(CompressionMethod::Deflated)
            .large_file(true);
        w.start_file("[Content_Types].xml", stored).unwrap();
        w.write_all(b"<Types/>").unwrap();
        w.start_file("word/document.xml", deflated).unwrap();
        let zeros = vec![0u8; 1024 * 1024];
        for _ in 0..32 {
            w.write_all(&zeros).unwrap();
        }
        w.start_file("word/media/image1.png", stored).unwrap();
        let mut x: u32 = 0x9E37_79B9;
        let noise: Vec<u8> = (0..4 * 1024 * 1024)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                x as u8
            })
            .collect();
        w.write_all(&noise).unwrap();
        let bytes = w.finish().unwrap().into_inner();
        let size = bytes.len() as u64;
        assert!(size > 4 * 1024 * 1024);
        let (mime, read) = told(bytes);
        assert_eq!(mime, DOCX);
        assert!(read < 128 * 1024, "read {read} of {size} bytes");
    }

    #[test]
    fn a_zip_is_accepted_only_as_word_excel_or_powerpoint() {
        let of = |names: &[&str]| told(directory_of(names.iter().map(|n| n.to_string()))).0;
        assert_eq!(of(&["[Content_Types].xml", "word/document.xml"]), DOCX);
        assert_eq!(
            of(&["[Content_Types].xml", "ppt/presentation.xml"]),
            Some("application/vnd.openxmlformats-officedocument.presentationml.presentation")
        );
        // No content types: not Office, whatever the folders.
        assert_eq!(of(&["word/document.xml", "xl/workbook.xml"]), None);
        // Content types but no part folder of the three (an OpenDocument file, say).
        assert_eq!(of(&["[Content_Types].xml", "content.xml"]), None);
        assert_eq!(
            of(&["mimetype", "content.xml", "META-INF/manifest.xml"]),
            None
        );
        assert_eq!(of(&[]), None);
        // Not a zip at all past its first bytes.
        assert_eq!(told(b"PK\x03\x04 and then nothing".to_vec()).0, None);
    }

    #[test]
    fn only_the_first_entries_are_looked_at() {
        let types = || std::iter::once("[Content_Types].xml".to_string());
        let first = directory_of(types().chain(numbered(ZIP_ENTRIES_MAX, 5)));
        assert_eq!(told(first).0, DOCX);
        let last = directory_of(numbered(ZIP_ENTRIES_MAX, 5).chain(types()));
        assert_eq!(told(last).0, None);
    }

    #[test]
    fn a_directory_over_the_budget_is_refused_once_the_budget_is_read() {
        // 65 535 entries of 60-byte names: a directory of about 7 MiB.
        let names = std::iter::once("[Content_Types].xml".to_string()).chain(numbered(65_534, 40));
        let bytes = directory_of(names);
        assert!(bytes.len() as u64 > 6 * ZIP_READ_MAX);
        let (mime, read) = told(bytes);
        assert_eq!(mime, None);
        assert!(read <= ZIP_READ_MAX, "read {read}");
    }

    #[test]
    fn a_million_entries_are_never_read() {
        let names = std::iter::once("[Content_Types].xml".to_string()).chain(numbered(999_999, 7));
        let bytes = directory_of(names);
        let size = bytes.len() as u64;
        let (mime, read) = told(bytes);
        assert_eq!(mime, None);
        assert!(read <= ZIP_READ_MAX, "read {read} of {size} bytes");
    }

    #[test]
    fn a_file_that_fails_to_read_is_an_error_not_a_refusal() {
        struct Failing;
        impl Read for Failing {
            fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
                Err(io::Error::new(io::ErrorKind::PermissionDenied, "denied"))
            }
        }
        impl Seek for Failing {
            fn seek(&mut self, _: SeekFrom) -> io::Result<u64> {
                Ok(1024)
            }
        }
        let err = ooxml_type(Failing).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::PermissionDenied);
    }
}
