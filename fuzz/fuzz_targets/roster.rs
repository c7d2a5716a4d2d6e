//! The roster reader (`zeren_roster::read_xlsx` and `read_csv`: what the roster upload and
//! `zeren import roster` read) fed any bytes, as a workbook and as a CSV sheet: it answers a
//! roster or its problems, each told in both languages, and never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use zeren_core::Lang;

fuzz_target!(|data: &[u8]| {
    let told = |problems: Vec<zeren_roster::Problem>| {
        for p in problems {
            assert!(!p.message(Lang::Zh).is_empty() && !p.message(Lang::En).is_empty());
        }
    };
    if let Err(problems) = zeren_roster::read_xlsx(data) {
        told(problems);
    }
    let (name, rest) = match data.split_first() {
        Some((b, rest)) if b % 2 == 0 => ("people.csv", rest),
        Some((_, rest)) => ("任职.csv", rest),
        None => ("orgs.csv", data),
    };
    if let Err(problems) = zeren_roster::read_csv(&[(name.to_string(), rest.to_vec())]) {
        told(problems);
    }
});
