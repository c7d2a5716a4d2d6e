//! The restore reader (`zeren_storage::backup::verify_archive`, the first pass of every
//! restore): any bytes — as given, gzip'd, or gzip'd behind a valid header signed-for by the
//! fuzzing key — are refused or verified, never a panic, and nothing is allocated by a count or
//! a size the archive claims (rows, columns, files, file sizes, line lengths are all bounded).
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::io::Write;
use std::sync::LazyLock;
use zeren_storage::InstallationKey;
use zeren_storage::backup::verify_archive;

/// A fixed key: the fuzzer cannot forge its signature, but gets past the header's key check.
static KEY: LazyLock<InstallationKey> =
    LazyLock::new(|| InstallationKey::from_hex(&"5a".repeat(32)).expect("64 hex digits"));

/// A valid header line for [`KEY`]: the input then plays the tables, rows, files and trailer.
static HEADER: LazyLock<Vec<u8>> = LazyLock::new(|| {
    let tables = zeren_storage::schema::TABLES
        .iter()
        .map(|t| format!("\"{}\"", t.name))
        .collect::<Vec<_>>()
        .join(",");
    format!(
        "{{\"format\":\"zeren-backup\",\"version\":2,\"engine\":\"sqlite\",\"created_at_ms\":0,\"key\":\"{}\",\"tables\":[{tables}]}}\n",
        KEY.fingerprint()
    )
    .into_bytes()
});

fn gzip(parts: &[&[u8]]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    for p in parts {
        gz.write_all(p).expect("in memory");
    }
    gz.finish().expect("in memory")
}

fuzz_target!(|data: &[u8]| {
    // As given: mostly refused by the gzip decoder (and a gzip'd input in the corpus goes deep).
    let _ = verify_archive(data, &KEY);
    // Compressed: the reader's own line checks see the bytes.
    let _ = verify_archive(&gzip(&[data])[..], &KEY);
    // Behind a valid header: table lines, rows, files and the trailer.
    if verify_archive(&gzip(&[&HEADER, data])[..], &KEY).is_ok() {
        panic!("an archive the fuzzer made passed the signature check");
    }
});
