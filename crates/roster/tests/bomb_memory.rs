//! A zip bomb is refused in bounded memory. Alone in its file, so the process's peak resident
//! size is this test's.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{Cursor, Write};
use zeren_roster::{ProblemKind, read_xlsx};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

/// Peak resident size of this process, in KiB (Linux); `None` elsewhere.
fn peak_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[test]
fn a_bomb_whose_sizes_lie_is_refused_in_bounded_memory() {
    // 200 MiB of one byte, under the declared-size limits once its headers say 1 000 bytes:
    // only unpacking finds it out, and that must not keep what it unpacks.
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .large_file(false);
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    zip.start_file("xl/worksheets/sheet1.xml", options).unwrap();
    let chunk = vec![b' '; 1 << 20];
    for _ in 0..200 {
        zip.write_all(&chunk).unwrap();
    }
    let mut bytes = zip.finish().unwrap().into_inner();
    for (signature, offset) in [(&b"PK\x03\x04"[..], 22), (&b"PK\x01\x02"[..], 24)] {
        let at = bytes.windows(4).position(|w| w == signature).unwrap();
        bytes[at + offset..at + offset + 4].copy_from_slice(&1000u32.to_le_bytes());
    }
    let before = peak_kib();
    let problems = read_xlsx(&bytes).unwrap_err();
    assert_eq!(problems[0].kind, ProblemKind::ZipBomb);
    if let (Some(before), Some(after)) = (before, peak_kib()) {
        assert!(
            after - before < 32 * 1024,
            "peak grew by {} KiB",
            after - before
        );
    }
}
