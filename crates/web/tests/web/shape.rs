//! The shape of `crates/web/src`, kept by a test: the shared layer never imports an area; an
//! area reaches another only through a declared seam; no source file grows past 1 200 lines.
//! (Rules on paper drift; this one fails the build.)

use std::path::{Path, PathBuf};

/// The only places where one area uses another: (the area that uses, `area::item` it uses).
/// Each is a read of another area's view, never a write; add one here only with a reason.
const SEAMS: &[(&str, &str)] = &[
    // The home page shows the viewer's duties, the calendar feed, and the landing page to visitors.
    ("home", "obligations::obligations_of"),
    ("home", "feeds::feed_status"),
    ("home", "feeds::FeedStatus"),
    ("home", "policies::index"),
    // The home page shows what accountability cases ask of the viewer.
    ("home", "cases::asked_of"),
    ("home", "cases::Asked"),
    // The home page shows what the year's assessment asks of the viewer.
    ("home", "assessments::asked_of"),
    ("home", "assessments::Asked"),
    // The dashboard shows the incidents of the year by month, as the statistics draw them.
    ("obligations", "incidents::month_chart"),
    // `GET /api/v1/me` tells the caller's calendar feed state.
    ("identity", "feeds::feed_status"),
    ("identity", "feeds::FeedStatus"),
    // The sign-in page offers the portal, provider and LDAP ways the system administrator set.
    ("identity", "directory::sign_in_ways"),
    // Signing out of a session the portal began ends the portal's too.
    ("identity", "directory::after_sign_out"),
];

/// Longest source file allowed.
const MAX_LINES: usize = 1200;

/// Every `.rs` file under `dir`.
fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The areas: the folders under `src/areas`.
fn areas(src: &Path) -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(src.join("areas"))
        .unwrap()
        .filter_map(|e| {
            let p = e.unwrap().path();
            p.is_dir()
                .then(|| p.file_name().unwrap().to_string_lossy().into_owned())
        })
        .collect();
    out.sort();
    out
}

fn ident(s: &str) -> &str {
    let end = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    &s[..end]
}

/// The `area::item` paths a source names through `crate::areas::…` or a `super::` chain that
/// climbs to the areas module (`super::` from an area's `mod.rs`, `super::super::` from one of
/// its files). A group (`feeds::{a, b}`) gives one path per member; a bare area, `area::*`.
fn area_paths(text: &str, depth: usize, areas: &[String]) -> Vec<String> {
    let mut found = Vec::new();
    let mut prefixes = vec!["crate::areas::".to_string()];
    if depth > 0 {
        prefixes.push("super::".repeat(depth));
    }
    for prefix in &prefixes {
        for (at, _) in text.match_indices(prefix.as_str()) {
            // `super::super::x` also contains `super::x` one step in; only whole chains count.
            if prefix.starts_with("super") && text[..at].ends_with("super::") {
                continue;
            }
            let rest = &text[at + prefix.len()..];
            let area = ident(rest);
            if !areas.iter().any(|a| a == area) {
                continue;
            }
            let after = &rest[area.len()..];
            let Some(after) = after.strip_prefix("::") else {
                found.push(format!("{area}::*"));
                continue;
            };
            if let Some(group) = after.strip_prefix('{') {
                let inner = &group[..group.find('}').unwrap_or(group.len())];
                for member in inner.split(',').map(str::trim).filter(|m| !m.is_empty()) {
                    found.push(format!("{area}::{}", ident(member)));
                }
            } else {
                found.push(format!("{area}::{}", ident(after)));
            }
        }
    }
    found
}

/// What is wrong with one file, given where it lives.
fn problems(rel: &str, text: &str, areas: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    let lines = text.lines().count();
    if lines > MAX_LINES {
        out.push(format!("{rel}: {lines} lines (at most {MAX_LINES})"));
    }
    // Every multipart body is read through `CsrfMultipart`, which checks the form's token first.
    if rel != "shared/csrf.rs"
        && (text.contains("Multipart::from_request") || text.contains("<Multipart as"))
    {
        out.push(format!(
            "{rel}: reads a multipart body without `shared::csrf::CsrfMultipart`"
        ));
    }
    let parts: Vec<&str> = rel.split('/').collect();
    match parts.as_slice() {
        // The composition root may name every area.
        ["lib.rs"] => {}
        ["areas", "mod.rs"] => {}
        ["areas", own, rest @ ..] => {
            // `super` climbs one level from a `mod.rs`'s module, one more from any other file.
            let depth = rest.len() + usize::from(rest.last() != Some(&"mod.rs"));
            for path in area_paths(text, depth, areas) {
                let target = path.split("::").next().unwrap_or("");
                if target == *own {
                    continue;
                }
                if !SEAMS.iter().any(|(from, p)| from == own && *p == path) {
                    out.push(format!(
                        "{rel}: area `{own}` uses `{path}` of another area outside the declared seams"
                    ));
                }
            }
        }
        _ => {
            for path in area_paths(text, 0, areas) {
                out.push(format!(
                    "{rel}: the shared layer uses the area path `{path}`"
                ));
            }
            if text.contains("crate::areas;") || text.contains("crate::areas::*") {
                out.push(format!("{rel}: the shared layer imports `crate::areas`"));
            }
        }
    }
    out
}

#[test]
fn the_shared_layer_never_imports_an_area_and_areas_meet_only_at_seams() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let areas = areas(&src);
    assert!(
        areas.len() >= 8,
        "found only {areas:?} under src/areas; is the walk broken?"
    );
    let mut files = Vec::new();
    sources(&src, &mut files);
    let mut all = Vec::new();
    for file in &files {
        let rel = file
            .strip_prefix(&src)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let text = std::fs::read_to_string(file).unwrap();
        all.extend(problems(&rel, &text, &areas));
    }
    assert!(
        all.is_empty(),
        "the shape of crates/web/src:\n{}",
        all.join("\n")
    );
}

#[test]
fn every_declared_seam_is_still_used() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let areas = areas(&src);
    let mut files = Vec::new();
    sources(&src.join("areas"), &mut files);
    for (from, path) in SEAMS {
        let used = files.iter().any(|f| {
            let rel = f.strip_prefix(src.join("areas")).unwrap();
            let depth = rel.components().count() - usize::from(rel.ends_with("mod.rs"));
            rel.starts_with(from)
                && area_paths(&std::fs::read_to_string(f).unwrap(), depth, &areas)
                    .iter()
                    .any(|p| p == path)
        });
        assert!(
            used,
            "the seam {from} → {path} is declared but not used; remove it"
        );
    }
}

/// The checker itself: it catches what it is for.
#[test]
fn the_shape_check_catches_an_area_import_in_the_shared_layer() {
    let areas: Vec<String> = ["feeds", "home", "records"].map(String::from).to_vec();
    let shared = "use crate::shared::i18n::Tr;\nuse crate::areas::records;\n";
    assert_eq!(problems("shared/frame.rs", shared, &areas).len(), 1);
    let grouped = "use crate::areas::records::{Record, list};\n";
    assert_eq!(problems("shared/gate.rs", grouped, &areas).len(), 2);
    let climbing = "use super::super::feeds::Secret;\n";
    assert_eq!(problems("areas/records/api.rs", climbing, &areas).len(), 1);
    let declared = "let f = crate::areas::feeds::feed_status(&state, &u).await;\n";
    assert!(problems("areas/home/mod.rs", declared, &areas).is_empty());
    let own = "use super::*;\nuse crate::areas::records::PER_PAGE;\n";
    assert!(problems("areas/records/list.rs", own, &areas).is_empty());
    let unchecked = "let mp = <Multipart as FromRequest<AppState>>::from_request(req, s).await;\n";
    assert_eq!(
        problems("areas/records/editor.rs", unchecked, &areas).len(),
        1
    );
    let long = "\n".repeat(MAX_LINES + 1);
    assert_eq!(problems("shared/format.rs", &long, &areas).len(), 1);
}
