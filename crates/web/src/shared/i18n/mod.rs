//! The UI's words in Chinese and English, and how a request picks its language.
//!
//! Every UI string lives in the two catalogs below, under the same keys; a test checks
//! that both catalogs hold exactly the same keys and that every key the templates and
//! views use exists. Policy text (articles, titles from the pack) is data, not UI, and is
//! never translated here.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::LazyLock;
use zeren_core::Lang;

mod catalog;

/// One catalogue: the same keys in Chinese and English. The shared layer has one ([`SHARED`]);
/// each area brings its own, and the crate root lists them all (`crate::CATALOGS`).
#[derive(Debug, Clone, Copy)]
pub struct Catalog {
    /// Simplified Chinese, the default.
    pub zh: &'static [(&'static str, &'static str)],
    /// English.
    pub en: &'static [(&'static str, &'static str)],
}

/// The shared layer's catalogue.
pub const SHARED: Catalog = Catalog {
    zh: catalog::ZH,
    en: catalog::EN,
};

fn all(lang: Lang) -> impl Iterator<Item = (&'static str, &'static str)> {
    crate::CATALOGS.iter().flat_map(move |c| {
        match lang {
            Lang::Zh => c.zh,
            Lang::En => c.en,
        }
        .iter()
        .copied()
    })
}

/// FNV-1a: the catalogs' keys are short, fixed and ours, so the hash need not resist
/// flooding, and every page looks up dozens of them.
#[derive(Clone, Copy)]
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut h = self.0;
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

type Lookup = HashMap<&'static str, &'static str, std::hash::BuildHasherDefault<Fnv>>;

static ZH_MAP: LazyLock<Lookup> = LazyLock::new(|| all(Lang::Zh).collect());
static EN_MAP: LazyLock<Lookup> = LazyLock::new(|| all(Lang::En).collect());

/// The UI string `key` in `lang`. A missing key shows as itself (the tests make sure none is).
pub fn t(lang: Lang, key: &str) -> &str {
    let map = match lang {
        Lang::Zh => &ZH_MAP,
        Lang::En => &EN_MAP,
    };
    map.get(key).copied().unwrap_or(key)
}

/// The UI string `key` in `lang` with `{name}` placeholders filled in.
pub fn tf(lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
    let mut s = t(lang, key).to_string();
    for (name, value) in args {
        s = s.replace(&format!("{{{name}}}"), value);
    }
    s
}

/// "N days" in `lang`.
pub fn days(lang: Lang, n: u32) -> String {
    let key = if n == 1 { "days.one" } else { "days.other" };
    tf(lang, key, &[("n", &n.to_string())])
}

/// The language of one request's UI, and whether the user chose it explicitly with `?lang=`
/// (then links carry the choice on; otherwise the browser's `Accept-Language` decides).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Tr {
    lang: Lang,
    explicit: bool,
}

impl Tr {
    /// A translator for `lang`, as if chosen explicitly.
    pub fn new(lang: Lang) -> Tr {
        Tr {
            lang,
            explicit: true,
        }
    }

    /// A translator for a language the user prefers (their account setting), not chosen by `?lang=`.
    pub fn preferred(lang: Lang) -> Tr {
        Tr {
            lang,
            explicit: false,
        }
    }

    /// Whether the language was chosen with `?lang=`.
    pub fn is_explicit(&self) -> bool {
        self.explicit
    }

    /// The language.
    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// The UI string `key`.
    pub fn t<'a>(&self, key: &'a str) -> &'a str {
        t(self.lang, key)
    }

    /// The UI string `key` with placeholders filled in.
    pub fn tf(&self, key: &str, args: &[(&str, &str)]) -> String {
        tf(self.lang, key, args)
    }

    /// The BCP 47 tag for `<html lang>`.
    pub fn tag(&self) -> &'static str {
        self.lang.tag()
    }

    /// Whether the UI is in English.
    pub fn is_en(&self) -> bool {
        self.lang == Lang::En
    }

    /// The query string that keeps an explicit language choice on internal links.
    pub fn qs(&self) -> &'static str {
        match (self.explicit, self.lang) {
            (false, _) => "",
            (true, Lang::Zh) => "?lang=zh",
            (true, Lang::En) => "?lang=en",
        }
    }

    /// Picks from `?lang=` first, then `Accept-Language`, then Chinese.
    pub fn from_parts(query: Option<&str>, accept_language: Option<&str>) -> Tr {
        if let Some(tag) = query.and_then(lang_param) {
            return Tr {
                lang: Lang::from_tag(tag),
                explicit: true,
            };
        }
        Tr {
            lang: accept_language.map(negotiate).unwrap_or_default(),
            explicit: false,
        }
    }
}

fn lang_param(query: &str) -> Option<&str> {
    query
        .split('&')
        .filter_map(|pair| pair.strip_prefix("lang="))
        .find(|v| !v.is_empty())
}

/// The best of Chinese and English by an `Accept-Language` header's weights; Chinese on a tie
/// or when neither is named.
fn negotiate(header: &str) -> Lang {
    let mut best: Option<(f32, Lang)> = None;
    for entry in header.split(',') {
        let mut parts = entry.split(';');
        let tag = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let lang = if tag == "en" || tag.starts_with("en-") {
            Lang::En
        } else if tag == "zh" || tag.starts_with("zh-") {
            Lang::Zh
        } else {
            continue;
        };
        let q = parts
            .filter_map(|p| p.trim().strip_prefix("q="))
            .find_map(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        if q > 0.0 && best.is_none_or(|(bq, _)| q > bq) {
            best = Some((q, lang));
        }
    }
    best.map(|(_, l)| l).unwrap_or_default()
}

/// Cookie remembering the language a visitor last chose with `?lang=` (or in the account page).
pub const LANG_COOKIE: &str = "zeren_lang";

/// The `?lang=` of a query, if any.
pub fn query_lang(query: Option<&str>) -> Option<Lang> {
    query.and_then(lang_param).map(Lang::from_tag)
}

impl<S: Send + Sync> FromRequestParts<S> for Tr {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(crate::shared::auth::tr_for(parts, None))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;
    use zeren_core::period::Cadence;
    use zeren_core::vocab::EvidenceKind;

    fn keys(lang: Lang) -> BTreeSet<&'static str> {
        all(lang).map(|(k, _)| k).collect()
    }

    #[test]
    fn both_locales_have_the_same_keys() {
        let (zh, en) = (keys(Lang::Zh), keys(Lang::En));
        let only_zh: Vec<_> = zh.difference(&en).collect();
        let only_en: Vec<_> = en.difference(&zh).collect();
        assert!(only_zh.is_empty(), "missing in English: {only_zh:?}");
        assert!(only_en.is_empty(), "missing in Chinese: {only_en:?}");
        assert_eq!(
            zh.len(),
            all(Lang::Zh).count(),
            "duplicate key in the Chinese catalog"
        );
        assert_eq!(
            en.len(),
            all(Lang::En).count(),
            "duplicate key in the English catalog"
        );
        for (k, v) in all(Lang::Zh).chain(all(Lang::En)) {
            assert!(!v.trim().is_empty(), "empty text for {k}");
        }
    }

    #[test]
    fn placeholders_match_across_locales() {
        fn names(s: &str) -> BTreeSet<String> {
            s.split('{')
                .skip(1)
                .filter_map(|p| p.split_once('}').map(|(n, _)| n.to_string()))
                .collect()
        }
        for (k, zh) in all(Lang::Zh) {
            assert_eq!(names(zh), names(t(Lang::En, k)), "placeholders of {k}");
        }
    }

    /// Every file under `dir` whose name ends with one of `exts`, however deep.
    fn files_under(dir: &std::path::Path, exts: &[&str], out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                files_under(&path, exts, out);
            } else if path
                .extension()
                .is_some_and(|e| exts.iter().any(|x| e == *x))
            {
                out.push(path);
            }
        }
    }

    /// The string literals of `src` shaped like a catalogue key (`area.word…`): found by their
    /// quotes on both sides, so an odd quote elsewhere cannot hide one. File names and audit
    /// actions, which share the shape, are left out.
    fn key_literals(src: &str) -> Vec<&str> {
        let is_key = |s: &str| {
            let mut parts = s.split('.');
            let first = parts.next().unwrap_or("");
            let rest: Vec<&str> = parts.collect();
            !first.is_empty()
                && first.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
                && !rest.is_empty()
                && rest.iter().all(|p| {
                    !p.is_empty()
                        && p.bytes().all(|b| {
                            b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-'
                        })
                })
        };
        // File names (templates, assets) share the shape; they are not keys.
        let is_file = |s: &str| {
            [
                ".html", ".css", ".js", ".ics", ".xlsx", ".docx", ".toml", ".json",
            ]
            .iter()
            .any(|ext| s.ends_with(ext))
        };
        let mut out = Vec::new();
        let quotes: Vec<usize> = src.match_indices('"').map(|(i, _)| i).collect();
        for pair in quotes.windows(2) {
            let inner = &src[pair[0] + 1..pair[1]];
            // Audit actions (`tx.audit("system.backup", …)`) share the shape; they are not keys.
            let audit_action = src[..pair[0]].trim_end().ends_with("audit(");
            if is_key(inner) && !is_file(inner) && !audit_action {
                out.push(inner);
            }
        }
        out
    }

    /// Every key the templates and the sources name — through `tr.t("…")`, `tr.tf("…")`, an
    /// error page's title, a refusal, a navigation link, in every folder — is in the catalogue.
    /// A literal counts as a key when its first part is a catalogue namespace (`records.…`,
    /// `error.…`); the catalogue files themselves are the definitions, not uses.
    #[test]
    fn every_key_used_exists() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut paths = Vec::new();
        files_under(&root.join("templates"), &["html"], &mut paths);
        files_under(&root.join("src"), &["rs"], &mut paths);
        let zh = keys(Lang::Zh);
        let namespaces: BTreeSet<&str> = zh.iter().filter_map(|k| k.split('.').next()).collect();
        let (mut used, mut files, mut unknown) = (0, 0, Vec::new());
        for path in &paths {
            let name = path.to_string_lossy();
            if name.ends_with("catalog.rs") {
                continue;
            }
            files += 1;
            let src = std::fs::read_to_string(path).unwrap();
            for key in key_literals(&src) {
                let ns = key.split('.').next().unwrap_or("");
                if namespaces.contains(ns) {
                    if !zh.contains(key) {
                        unknown.push(format!("`{key}` in {name}"));
                    }
                    used += 1;
                }
            }
        }
        assert!(unknown.is_empty(), "unknown UI keys: {unknown:#?}");
        assert!(
            files > 60,
            "scanned only {files} files; is the walk broken?"
        );
        assert!(
            used > 500,
            "found only {used} key uses; is the scan broken?"
        );
    }

    /// Keys built at run time from the core's vocabularies.
    #[test]
    fn computed_keys_exist() {
        let zh = keys(Lang::Zh);
        let mut computed: Vec<String> = Cadence::ALL
            .iter()
            .map(|(_, name)| format!("cadence.{name}"))
            .collect();
        computed.extend((1..=12).map(|m| format!("month.{m}")));
        computed.extend(["completion-rate", "on-time-rate"].map(|m| format!("method.{m}")));
        computed.extend(
            ["self-assessment", "review", "scoring", "publication"].map(|s| format!("step.{s}")),
        );
        computed.extend(zeren_core::access::Role::ALL.map(|r| format!("role.{}", r.as_str())));
        computed.extend(zeren_core::access::AdminRole::ALL.map(|r| format!("role.{}", r.as_str())));
        computed.extend(
            ["upcoming", "due_soon", "overdue", "done", "waived"].map(|s| format!("status.{s}")),
        );
        computed.extend(
            [
                "nav.home",
                "nav.orgs",
                "nav.people",
                "nav.who",
                "nav.policy",
                "nav.audit",
                "nav.accounts",
                "nav.system",
                "nav.account",
            ]
            .map(String::from),
        );
        computed.extend(
            [
                "auth.error.unauthenticated",
                "auth.error.expired",
                "auth.error.password_change",
                "auth.error.second_factor",
                "auth.error.csrf_title",
                "error.forbidden.title",
            ]
            .map(String::from),
        );
        for key in computed {
            assert!(zh.contains(key.as_str()), "missing {key}");
        }
    }

    #[test]
    fn evidence_kinds_are_named_like_the_core() {
        for kind in EvidenceKind::ALL {
            let key = format!("evidence.{}", kind.as_str());
            assert_eq!(t(Lang::Zh, &key), kind.name_zh(), "{key}");
            assert_ne!(t(Lang::En, &key), key, "{key} missing in English");
        }
    }

    #[test]
    fn picks_the_language() {
        assert_eq!(Tr::from_parts(None, None).lang(), Lang::Zh);
        assert_eq!(Tr::from_parts(Some("lang=en"), None).lang(), Lang::En);
        assert_eq!(Tr::from_parts(Some("x=1&lang=en"), None).qs(), "?lang=en");
        assert_eq!(Tr::from_parts(Some("lang=zh"), Some("en")).lang(), Lang::Zh);
        assert_eq!(Tr::from_parts(None, Some("en")).lang(), Lang::En);
        assert_eq!(Tr::from_parts(None, Some("en")).qs(), "");
        assert_eq!(
            Tr::from_parts(None, Some("en-US,en;q=0.9")).lang(),
            Lang::En
        );
        assert_eq!(
            Tr::from_parts(None, Some("zh-CN,zh;q=0.9,en;q=0.8")).lang(),
            Lang::Zh
        );
        assert_eq!(
            Tr::from_parts(None, Some("fr, en;q=0.5, zh;q=0.7")).lang(),
            Lang::Zh
        );
        assert_eq!(Tr::from_parts(None, Some("fr, en;q=0.5")).lang(), Lang::En);
        assert_eq!(Tr::from_parts(None, Some("en;q=0")).lang(), Lang::Zh);
        assert_eq!(Tr::from_parts(None, Some("*")).lang(), Lang::Zh);
    }

    #[test]
    fn fills_placeholders() {
        assert_eq!(days(Lang::En, 1), "1 day");
        assert_eq!(days(Lang::En, 15), "15 days");
        assert_eq!(days(Lang::Zh, 15), "15日");
        assert_eq!(
            tf(Lang::Zh, "due.by", &[("month", "12月"), ("day", "31")]),
            "每年12月31日前"
        );
    }
}
