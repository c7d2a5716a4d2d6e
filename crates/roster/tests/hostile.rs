//! Files that are not rosters, or are built to hurt: refused, quickly, before they are parsed.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{Cursor, Write};
use std::time::{Duration, Instant};
use zeren_roster::{MAX_BYTES, Problem, ProblemKind, read_csv, read_xlsx};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

fn only(problems: Vec<Problem>) -> ProblemKind {
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].at, None);
    problems.into_iter().next().unwrap().kind
}

fn deflated() -> SimpleFileOptions {
    SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .large_file(true)
}

/// The parts calamine needs to take a zip for a workbook of one sheet, 人员.
fn workbook_parts(zip: &mut ZipWriter<Cursor<Vec<u8>>>) {
    let parts = [
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>"#,
        ),
        (
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
        ),
        (
            "xl/workbook.xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="人员" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
        ),
        (
            "xl/_rels/workbook.xml.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#,
        ),
    ];
    for (name, body) in parts {
        zip.start_file(name, deflated()).unwrap();
        zip.write_all(body.as_bytes()).unwrap();
    }
}

#[test]
fn a_zip_bomb_is_refused_quickly() {
    // 300 MB of sheet XML, deflated to a few hundred KB, written a megabyte at a time.
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    workbook_parts(&mut zip);
    zip.start_file("xl/worksheets/sheet1.xml", deflated())
        .unwrap();
    zip.write_all(br#"<?xml version="1.0"?><worksheet><sheetData><row r="1">"#)
        .unwrap();
    let chunk = b"<c t=\"inlineStr\"><is><t>x</t></is></c>".repeat(1 << 15);
    let mut written = 0usize;
    while written < 300_000_000 {
        zip.write_all(&chunk).unwrap();
        written += chunk.len();
    }
    let bytes = zip.finish().unwrap().into_inner();
    assert!(bytes.len() < 2_000_000, "{} bytes", bytes.len());

    let start = Instant::now();
    assert_eq!(only(read_xlsx(&bytes).unwrap_err()), ProblemKind::ZipBomb);
    assert!(
        start.elapsed() < Duration::from_secs(1),
        "{:?}",
        start.elapsed()
    );
}

/// A deflated entry of 2 MB whose headers say it holds 1 000 bytes: under every declared limit,
/// caught only by unpacking it.
#[test]
fn an_entry_lying_about_its_size_is_refused() {
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    zip.start_file("xl/worksheets/sheet1.xml", deflated().large_file(false))
        .unwrap();
    zip.write_all(&vec![b'x'; 2_000_000]).unwrap();
    workbook_parts(&mut zip);
    let mut bytes = zip.finish().unwrap().into_inner();
    let patch = |bytes: &mut Vec<u8>, signature: &[u8], offset: usize| {
        let at = bytes
            .windows(4)
            .position(|w| w == signature)
            .expect("header");
        let field = &mut bytes[at + offset..at + offset + 4];
        assert_eq!(u32::from_le_bytes(field.try_into().unwrap()), 2_000_000);
        field.copy_from_slice(&1000u32.to_le_bytes());
    };
    patch(&mut bytes, b"PK\x03\x04", 22); // local header: uncompressed size
    patch(&mut bytes, b"PK\x01\x02", 24); // central directory: uncompressed size
    assert_eq!(only(read_xlsx(&bytes).unwrap_err()), ProblemKind::ZipBomb);
}

#[test]
fn too_many_entries_are_refused() {
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    let stored = SimpleFileOptions::default().compression_method(CompressionMethod::Stored);
    for i in 0..10_001 {
        zip.start_file(format!("x/{i}"), stored).unwrap();
    }
    let bytes = zip.finish().unwrap().into_inner();
    assert_eq!(only(read_xlsx(&bytes).unwrap_err()), ProblemKind::ZipBomb);
}

#[test]
fn files_over_the_limit_are_refused_unread() {
    let big = vec![0u8; MAX_BYTES + 1];
    let files = vec![
        ("people.csv".to_string(), vec![b'a'; MAX_BYTES / 2]),
        ("orgs.csv".to_string(), vec![b'a'; MAX_BYTES / 2 + 1]),
    ];
    let start = Instant::now();
    assert_eq!(
        only(read_xlsx(&big).unwrap_err()),
        ProblemKind::TooLarge {
            bytes: MAX_BYTES + 1
        }
    );
    assert_eq!(
        only(read_csv(&files).unwrap_err()),
        ProblemKind::TooLarge {
            bytes: MAX_BYTES + 1
        }
    );
    assert!(start.elapsed() < Duration::from_millis(100));
}

#[test]
fn random_bytes_are_not_a_workbook() {
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    let bytes: Vec<u8> = (0..100_000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    assert_eq!(
        only(read_xlsx(&bytes).unwrap_err()),
        ProblemKind::NotAWorkbook
    );
    assert_eq!(only(read_xlsx(&[]).unwrap_err()), ProblemKind::NotAWorkbook);
    // A zip's signature and nothing else.
    assert_eq!(
        only(read_xlsx(b"PK\x03\x04garbage").unwrap_err()),
        ProblemKind::NotAWorkbook
    );
}

#[test]
fn a_document_that_is_not_a_workbook_is_refused() {
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    for (name, body) in [
        ("[Content_Types].xml", "<Types/>"),
        ("word/document.xml", "<w:document/>"),
        ("_rels/.rels", "<Relationships/>"),
    ] {
        zip.start_file(name, deflated()).unwrap();
        zip.write_all(body.as_bytes()).unwrap();
    }
    let bytes = zip.finish().unwrap().into_inner();
    assert_eq!(
        only(read_xlsx(&bytes).unwrap_err()),
        ProblemKind::NotAWorkbook
    );
}

#[test]
fn a_damaged_sheet_is_told() {
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    workbook_parts(&mut zip);
    zip.start_file("xl/worksheets/sheet1.xml", deflated())
        .unwrap();
    zip.write_all(br#"<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>"#)
        .unwrap();
    let bytes = zip.finish().unwrap().into_inner();
    let problems = read_xlsx(&bytes).unwrap_err();
    assert!(
        problems.iter().any(|p| p.kind
            == ProblemKind::BrokenSheet {
                sheet: zeren_core::org::roster::Sheet::People
            }),
        "{problems:?}"
    );
}
