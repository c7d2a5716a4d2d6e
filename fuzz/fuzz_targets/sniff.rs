//! The type of an uploaded file told from its content (`zeren_storage`'s `sniff`): any bytes
//! give an accepted type or none, never a panic, within its reading budget; a zip is read by
//! its central directory only. The file name only tells CSV from text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::io::Write;
use std::sync::LazyLock;
use zeren_storage::repo::attachments::{ACCEPTED_TYPES, sniff};

static STAGED: LazyLock<std::path::PathBuf> =
    LazyLock::new(|| std::env::temp_dir().join(format!("zeren-fuzz-sniff-{}", std::process::id())));

fuzz_target!(|data: &[u8]| {
    let mut f = std::fs::File::create(&*STAGED).expect("staging file");
    f.write_all(data).expect("staged");
    drop(f);
    let name = if data.first().is_some_and(|b| b & 1 == 1) {
        "upload.csv"
    } else {
        "upload.bin"
    };
    let mime = sniff(&STAGED, name).expect("sniffing a readable file");
    match mime {
        None => {}
        Some(mime) => {
            assert!(!data.is_empty(), "an empty file accepted as {mime}");
            assert!(ACCEPTED_TYPES.iter().any(|(m, _)| *m == mime), "{mime}");
            if mime == "text/csv" {
                assert_eq!(name, "upload.csv");
            }
            if mime.starts_with("text/") {
                assert!(std::str::from_utf8(data).is_ok() && !data.contains(&0));
            }
        }
    }
});
