//! The policy-pack parser (`zeren policy check`, `zeren policy import`): any text, and any bytes
//! read as text, must give a pack or problems, never a panic; every problem has a line and a
//! column inside the text (from 1; the column in characters, one past the end allowed).
#![no_main]

use libfuzzer_sys::fuzz_target;
use zeren_core::lang::Lang;
use zeren_core::policy::{check_new_version, parse_pack};

fn check(src: &str) {
    match parse_pack(src) {
        Ok(pack) => {
            // Parsing is a function of the text.
            assert!(parse_pack(src).is_ok(), "a pack parsed once but not twice");
            let _ = check_new_version(std::slice::from_ref(&pack.meta), &pack.meta);
        }
        Err(diags) => {
            assert!(!diags.is_empty(), "refused without a problem to show");
            let lines: Vec<&str> = src.split('\n').collect();
            for d in &diags {
                assert!(d.line >= 1 && d.col >= 1, "position from 0: {d:?}");
                assert!(d.line <= lines.len(), "line past the end: {d:?}");
                let width = lines[d.line - 1].chars().count();
                assert!(d.col <= width + 1, "column past the line ({width}): {d:?}");
                for lang in [Lang::Zh, Lang::En] {
                    let shown = d.render("pack.toml", lang);
                    assert!(
                        shown.starts_with(&format!("pack.toml:{}:{}: ", d.line, d.col)),
                        "{shown}"
                    );
                }
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    match std::str::from_utf8(data) {
        Ok(src) => check(src),
        // `zeren policy check` refuses a file that is not UTF-8 before parsing; the lossy text
        // reaches the parser's other paths all the same.
        Err(_) => check(&String::from_utf8_lossy(data)),
    }
});
