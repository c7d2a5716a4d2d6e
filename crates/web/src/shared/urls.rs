//! URL and form encoding, by the `percent-encoding` and `form_urlencoded` crates: which bytes
//! each place keeps as they are is the only thing decided here.

use crate::shared::i18n::Tr;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// Unreserved characters (RFC 3986) stay; everything else is escaped.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// A query value: unreserved characters and `/` stay (a `next=/orgs/x` stays readable).
const QUERY_VALUE: &AsciiSet = &COMPONENT.remove(b'/');

/// RFC 5987 `attr-char`: what a `filename*=UTF-8''…` value may carry unescaped.
const ATTR_CHAR: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'!')
    .remove(b'#')
    .remove(b'$')
    .remove(b'&')
    .remove(b'+')
    .remove(b'-')
    .remove(b'.')
    .remove(b'^')
    .remove(b'_')
    .remove(b'`')
    .remove(b'|')
    .remove(b'~');

/// Percent-encodes a query value (or a path segment made of ids and codes).
pub fn encode(s: &str) -> String {
    utf8_percent_encode(s, QUERY_VALUE).to_string()
}

/// Percent-encodes everything but unreserved characters: a path segment from stored data, a
/// signature in a query.
pub fn encode_component(s: &str) -> String {
    utf8_percent_encode(s, COMPONENT).to_string()
}

/// A file name as the `filename*` parameter of `Content-Disposition` (RFC 6266/5987).
pub fn encode_filename(s: &str) -> String {
    utf8_percent_encode(s, ATTR_CHAR).to_string()
}

/// `href` with the explicit language choice kept (`?lang=` when the user chose one).
pub fn with_lang(href: &str, tr: Tr) -> String {
    let qs = tr.qs();
    if qs.is_empty() {
        href.to_string()
    } else if href.contains('?') {
        format!("{href}&{}", &qs[1..])
    } else {
        format!("{href}{qs}")
    }
}

/// `path?k=v&…` from the non-empty parameters, with the explicit language choice kept.
pub fn href_with<K: AsRef<str>, V: AsRef<str>>(path: &str, params: &[(K, V)], tr: Tr) -> String {
    let parts: Vec<String> = params
        .iter()
        .filter(|(_, v)| !v.as_ref().is_empty())
        .map(|(k, v)| format!("{}={}", k.as_ref(), encode(v.as_ref())))
        .collect();
    let base = if parts.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{}", parts.join("&"))
    };
    with_lang(&base, tr)
}

/// `s` when a browser would read it as a path on this site, else `None`: it starts with one `/`,
/// and holds no backslash (read as `/`) and no control character (tab and newline are dropped by
/// browsers, so `/\t/evil.example` would become `//evil.example`, another host).
pub fn local_path(s: &str) -> Option<&str> {
    let local = s.starts_with('/')
        && !s.starts_with("//")
        && !s.contains('\\')
        && !s.chars().any(char::is_control);
    local.then_some(s)
}

/// Where to go after signing in: `next` when it is a path of this site (at most 2 048
/// characters), home otherwise.
pub fn after_sign_in(next: &str) -> String {
    local_path(next).unwrap_or("/").chars().take(2048).collect()
}

/// The pairs of a posted form (none when the body could not be read: the form then
/// answers with its fields missing).
pub fn posted_pairs(
    form: Result<axum::extract::RawForm, axum::extract::rejection::RawFormRejection>,
) -> Vec<(String, String)> {
    form_pairs(&form.map(|axum::extract::RawForm(b)| b).unwrap_or_default())
}

/// The `version` a form posts back, or 0 (which no stored row has: a 409).
pub fn posted_version(pairs: &[(String, String)]) -> i64 {
    form_first(pairs, "version").trim().parse().unwrap_or(0)
}

/// The first value of a form field ("" when absent).
pub fn form_first<'a>(pairs: &'a [(String, String)], key: &str) -> &'a str {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

/// Every non-empty value of a repeated form field (checkboxes), trimmed.
pub fn form_all(pairs: &[(String, String)], key: &str) -> Vec<String> {
    pairs
        .iter()
        .filter(|(k, v)| k == key && !v.trim().is_empty())
        .map(|(_, v)| v.trim().to_string())
        .collect()
}

/// The pairs of an urlencoded form body, in order, repeated keys kept.
pub fn form_pairs(body: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(body).into_owned().collect()
}

/// One field of an urlencoded form body.
pub fn form_field(body: &[u8], name: &str) -> Option<String> {
    form_urlencoded::parse(body)
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_as_each_place_needs() {
        assert_eq!(encode("/orgs/cqu-mse?x=1"), "/orgs/cqu-mse%3Fx%3D1");
        assert_eq!(encode("王"), "%E7%8E%8B");
        assert_eq!(encode_component("a/b+c="), "a%2Fb%2Bc%3D");
        assert_eq!(
            encode_filename("会议 纪要.pdf"),
            "%E4%BC%9A%E8%AE%AE%20%E7%BA%AA%E8%A6%81.pdf"
        );
        assert_eq!(encode_filename("a!#$&+-.^_`|~b"), "a!#$&+-.^_`|~b");
    }

    #[test]
    fn only_paths_of_this_site_are_local() {
        assert_eq!(
            local_path("/orgs/cqu-mse?tab=posts"),
            Some("/orgs/cqu-mse?tab=posts")
        );
        assert_eq!(local_path("/"), Some("/"));
        for foreign in [
            "//evil.example",
            "/\\evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r//evil.example",
            "\t//evil.example",
            "https://evil.example",
            "evil.example",
            "",
            "/a\u{7f}b",
        ] {
            assert_eq!(local_path(foreign), None, "{foreign:?}");
        }
    }

    #[test]
    fn decodes_forms() {
        let pairs = form_pairs(b"csrf=abc&kind=meeting&topic=%E7%A0%94%E5%88%A4&topic=a+b&bad=%zz");
        assert_eq!(pairs[2], ("topic".into(), "研判".into()));
        assert_eq!(pairs[3], ("topic".into(), "a b".into()));
        assert_eq!(pairs[4], ("bad".into(), "%zz".into()));
        assert_eq!(
            form_field(b"a=1&csrf=x%2By", "csrf").as_deref(),
            Some("x+y")
        );
        assert_eq!(form_field(b"a=1", "csrf"), None);
    }
}
