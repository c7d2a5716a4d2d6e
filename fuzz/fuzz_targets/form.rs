//! Urlencoded forms and query strings as the web layer reads them: the shared decoders
//! (`form_pairs`, `form_field` — which reads the CSRF token of every urlencoded POST), the
//! after-sign-in path check (`local_path`), the encoders, the language choice, the upload-route
//! match, and axum's `Form`/`Query` extractors into structs shaped like the real ones (those are
//! private to their areas: see README.md), with the field a refusal names.
#![no_main]

use arbitrary::Arbitrary;
use axum::extract::{FromRequest, FromRequestParts, Query};
use axum::http::{Method, Request};
use axum::{Form, body::Body};
use libfuzzer_sys::fuzz_target;
use serde::Deserialize;
use std::sync::LazyLock;
use zeren_web::shared::extract::rejected_field;
use zeren_web::shared::i18n::Tr;
use zeren_web::shared::limits::Uploads;
use zeren_web::shared::urls::{
    encode, encode_component, encode_filename, form_field, form_pairs, local_path,
};

#[derive(Arbitrary, Debug)]
struct Input<'a> {
    body: &'a [u8],
    path: &'a str,
    query: &'a str,
    accept_language: &'a str,
    post: bool,
}

/// Shaped like `identity::signin::LoginForm`.
#[derive(Deserialize)]
#[allow(dead_code)]
struct LoginForm {
    username: String,
    password: String,
    #[serde(default)]
    next: String,
}

/// Shaped like `notify::smtp::SmtpForm` (defaults and an optional box).
#[derive(Deserialize)]
#[allow(dead_code)]
struct SmtpForm {
    #[serde(default)]
    host: String,
    #[serde(default)]
    port: String,
    password_clear: Option<String>,
    #[serde(default)]
    version: String,
}

/// A list page's query: typed fields, so refusals name one.
#[derive(Deserialize)]
#[allow(dead_code)]
struct ListQuery {
    page: Option<u32>,
    unread: Option<bool>,
    year: Option<i32>,
    q: Option<String>,
    next: Option<String>,
}

static RT: LazyLock<tokio::runtime::Runtime> = LazyLock::new(|| {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime")
});

static UPLOADS: LazyLock<Uploads> = LazyLock::new(|| Uploads::of(&zeren_web::route_table()));

/// The host a browser goes to for `href` on a page of zeren.example.
fn followed_host(href: &str) -> Option<String> {
    let base = url::Url::parse("https://zeren.example/orgs/x").expect("base");
    base.join(href)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
}

fn percent_decoded(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).expect("ascii");
            out.push(u8::from_str_radix(hex, 16).expect("hex escape"));
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).expect("utf-8 back")
}

fn check_next(next: &str) {
    if let Some(p) = local_path(next) {
        assert_eq!(
            followed_host(p).as_deref(),
            Some("zeren.example"),
            "accepted {p:?}, which leaves the site"
        );
    }
}

fuzz_target!(|input: Input<'_>| {
    let Input {
        body,
        path,
        query,
        accept_language,
        post,
    } = input;

    // The decoders: the CSRF field is the first `csrf` pair.
    let pairs = form_pairs(body);
    let csrf = form_field(body, "csrf");
    assert_eq!(
        csrf,
        pairs
            .iter()
            .find(|(k, _)| k == "csrf")
            .map(|(_, v)| v.clone())
    );
    for (k, v) in &pairs {
        if k == "next" {
            check_next(v);
        }
    }
    check_next(path);
    check_next(&String::from_utf8_lossy(body));

    // The encoders give back what they were given, in ASCII.
    for s in [path, query] {
        for e in [encode(s), encode_component(s), encode_filename(s)] {
            assert!(e.is_ascii(), "{e:?}");
            // Nothing that ends a header parameter, a query value or an attribute.
            assert!(!e.contains(['"', '\'', ' ', ';', ',', '=', '?']), "{e:?}");
            assert!(!e.chars().any(|c| c.is_ascii_control()), "{e:?}");
            assert_eq!(percent_decoded(&e), s);
        }
    }

    let _ = Tr::from_parts(Some(query), Some(accept_language));
    let method = if post { Method::POST } else { Method::GET };
    let _ = UPLOADS.takes(&method, path);

    RT.block_on(async {
        let form = |body: &[u8]| {
            Request::builder()
                .method(Method::POST)
                .uri("/signin")
                .header("content-type", "application/x-www-form-urlencoded")
                .body(Body::from(body.to_vec()))
                .expect("request")
        };
        if let Err(e) = Form::<LoginForm>::from_request(form(body), &()).await {
            let _ = rejected_field(&e.body_text(), "body");
        }
        let _ = Form::<SmtpForm>::from_request(form(body), &()).await;
        let _ = Form::<Vec<(String, String)>>::from_request(form(body), &()).await;

        // The query string of a list page: a refusal names one of its fields, or none.
        let uri = format!("/list?{}", encode_query(query));
        if let Ok(req) = Request::builder().uri(uri).body(()) {
            let (mut parts, ()) = req.into_parts();
            if let Err(e) = Query::<ListQuery>::from_request_parts(&mut parts, &()).await {
                let field = rejected_field(&e.body_text(), "query");
                assert!(
                    ["query", "page", "unread", "year", "q", "next"].contains(&field.as_str()),
                    "refusal names {field:?}: {}",
                    e.body_text()
                );
            }
        }
    });
});

/// A query string as a request line carries it: bytes outside the URI's allowed set escaped.
fn encode_query(q: &str) -> String {
    q.bytes()
        .map(|b| {
            if b.is_ascii_graphic() && b != b'#' {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
