//! The router's body limit, the routes that take uploads instead (multipart bodies with their
//! own limit, the setting `attachments`), and the bound on any one text value of a body. Which
//! routes take uploads is read from the route table (`Describe::multipart`), so no path is
//! written twice.

use crate::shared::access::Refusal;
use crate::shared::auth::tr_for;
use crate::shared::i18n::Tr;
use crate::shared::routes::RouteDoc;
use axum::body::Body;
use axum::extract::Request;
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

/// The longest single text value a request body may carry — a form field, a JSON string (or
/// key), a multipart text part — in characters. It sits above every bound of the domain (the
/// longest, [`zeren_core::records::TEXT_MAX`], is 100 000 characters of minutes or findings), so
/// a value the domain would take is never refused here, and far under [`crate::BODY_LIMIT`], so
/// a value over it is refused by its name (422) rather than by the size of the whole body (413).
/// Handlers still check their own, tighter bounds; this one holds where a handler forgot to.
pub const FIELD_MAX: usize = 128 * 1024;

const _: () = assert!(FIELD_MAX > zeren_core::records::TEXT_MAX && FIELD_MAX < crate::BODY_LIMIT);

/// How much of an over-long field *name* a refusal repeats.
const NAME_SHOWN: usize = 40;

/// The routes that take uploads: method and path, split into segments (`{id}` matches one).
#[derive(Debug, Default)]
pub struct Uploads(Vec<(&'static str, Vec<String>)>);

impl Uploads {
    /// The upload routes of a route table.
    pub fn of(table: &[RouteDoc]) -> Uploads {
        Uploads(
            table
                .iter()
                .filter(|r| r.multipart)
                .map(|r| (r.method, r.path.split('/').map(str::to_string).collect()))
                .collect(),
        )
    }

    /// Whether `method path` is one of them.
    pub fn takes(&self, method: &Method, path: &str) -> bool {
        let segments: Vec<&str> = path.split('/').collect();
        self.0.iter().any(|(m, pattern)| {
            *m == method.as_str()
                && pattern.len() == segments.len()
                && pattern.iter().zip(&segments).all(|(p, s)| {
                    if p.starts_with('{') {
                        !s.is_empty()
                    } else {
                        p == s
                    }
                })
        })
    }
}

/// The router's body limit for every request but uploads: a declared length over
/// [`crate::BODY_LIMIT`] is refused with 413 before anything is read (bodies without a length
/// are held to the limit by `DefaultBodyLimit` where they are read).
pub fn oversized(uploads: &Uploads, req: &Request) -> Option<Response> {
    if uploads.takes(req.method(), req.uri().path())
        || content_length(req.headers()).is_none_or(|n| n <= crate::BODY_LIMIT as u64)
    {
        return None;
    }
    let tr = Tr::from_parts(
        req.uri().query(),
        req.headers()
            .get(axum::http::header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    );
    Some((StatusCode::PAYLOAD_TOO_LARGE, tr.t("error.too_large")).into_response())
}

/// Whether `s` is longer than [`FIELD_MAX`] characters (counted only when its bytes could be).
pub fn too_long(s: &str) -> bool {
    s.len() > FIELD_MAX && s.chars().count() > FIELD_MAX
}

/// How many characters UTF-8 `bytes` hold, counted without decoding (continuation bytes are not
/// counted), so a text part can be counted chunk by chunk as it arrives: the sum over its chunks
/// is its count wherever the chunks were cut.
pub fn chars_in(bytes: &[u8]) -> usize {
    bytes.iter().filter(|b| (**b & 0xC0) != 0x80).count()
}

/// The name to show for a field: an over-long name is cut (a refusal never echoes a megabyte).
fn shown(name: &str) -> String {
    if name.chars().count() > NAME_SHOWN {
        let mut cut: String = name.chars().take(NAME_SHOWN).collect();
        cut.push('…');
        cut
    } else {
        name.to_string()
    }
}

/// The first field of an urlencoded body whose name or value is longer than [`FIELD_MAX`].
pub fn long_form_field(body: &[u8]) -> Option<String> {
    form_urlencoded::parse(body)
        .find(|(k, v)| too_long(k) || too_long(v))
        .map(|(k, _)| shown(&k))
}

/// The first string (or key) of a JSON value longer than [`FIELD_MAX`], named by its path:
/// `title`, `agenda[2].title`; `body` when the whole body is that string.
pub fn long_json_field(value: &Value) -> Option<String> {
    fn walk(v: &Value, path: &mut String) -> Option<String> {
        match v {
            Value::String(s) if too_long(s) => Some(if path.is_empty() {
                "body".to_string()
            } else {
                shown(path)
            }),
            Value::Array(items) => items.iter().enumerate().find_map(|(i, item)| {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                let found = walk(item, path);
                path.truncate(len);
                found
            }),
            Value::Object(map) => map.iter().find_map(|(k, item)| {
                if too_long(k) {
                    return Some(shown(k));
                }
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(k);
                let found = walk(item, path);
                path.truncate(len);
                found
            }),
            _ => None,
        }
    }
    walk(value, &mut String::new())
}

/// Whether a content type is JSON (`application/json`, `application/…+json`).
fn is_json(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// The bound on every text value of a request body, checked before any handler runs: the body
/// (all of it but an upload's multipart stream, whose text parts its reader bounds) is read up
/// to [`crate::BODY_LIMIT`] (413 beyond), as JSON when it says it is JSON, else as an urlencoded
/// form — the only other body a route takes, and the way a handler reading raw bytes would
/// read it. A value longer than [`FIELD_MAX`] is refused with 422 naming its field (the JSON
/// error shape under `/api/`, the error page elsewhere), so nothing of it is stored. Returns
/// the request to go on with, its body put back together.
pub async fn bounded(req: Request) -> Result<Request, Response> {
    let (parts, body) = req.into_parts();
    let tr = tr_for(&parts, None);
    let kind = parts
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if kind
        .trim_start()
        .to_ascii_lowercase()
        .starts_with("multipart/")
    {
        return Ok(Request::from_parts(parts, body));
    }
    let bytes = match axum::body::to_bytes(body, crate::BODY_LIMIT).await {
        Ok(b) => b,
        Err(_) => {
            return Err((StatusCode::PAYLOAD_TOO_LARGE, tr.t("error.too_large")).into_response());
        }
    };
    let long = if bytes.is_empty() {
        None
    } else if is_json(kind) {
        // A body that is not JSON at all is left to the handler, which says why.
        serde_json::from_slice::<Value>(&bytes)
            .ok()
            .and_then(|v| long_json_field(&v))
    } else {
        long_form_field(&bytes)
    };
    match long {
        None => Ok(Request::from_parts(parts, Body::from(bytes))),
        Some(field) => {
            tracing::warn!(path = %parts.uri.path(), field = %field, "over-long field refused");
            let refusal = field_too_long(tr, &field);
            let path = parts.uri.path();
            Err(if path == "/api" || path.starts_with("/api/") {
                refusal.api().into_response()
            } else {
                refusal.page(tr)
            })
        }
    }
}

/// Why a text part of an upload was not taken.
pub enum PartRefused {
    /// The body could not be read.
    Unreadable,
    /// Longer than any field may be: the refusal names it.
    TooLong(Refusal),
}

/// Reads past a text part of an upload that the handler does not use (the CSRF token, or
/// anything a client adds), bounded like any field.
pub async fn skip_text_part(
    field: &mut axum::extract::multipart::Field<'_>,
    tr: Tr,
) -> Result<(), PartRefused> {
    let key = field.name().unwrap_or_default().to_string();
    let mut chars = 0;
    while let Some(chunk) = field.chunk().await.map_err(|_| PartRefused::Unreadable)? {
        chars += chars_in(&chunk);
        if chars > FIELD_MAX {
            return Err(PartRefused::TooLong(field_too_long(tr, &key)));
        }
    }
    Ok(())
}

/// 422: `field` holds more than [`FIELD_MAX`] characters — for the readers of the bodies the gate
/// leaves unread (an upload's multipart text parts: count each with [`chars_in`] as its chunks
/// arrive).
pub fn field_too_long(tr: Tr, field: &str) -> Refusal {
    Refusal::invalid(
        tr,
        field,
        &tr.tf("error.too_long", &[("max", &FIELD_MAX.to_string())]),
    )
}

/// The declared length of a body.
pub fn content_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shared::routes::Kind;

    fn doc(method: &'static str, path: &str, multipart: bool) -> RouteDoc {
        RouteDoc {
            method,
            path: path.into(),
            kind: Kind::Page,
            summary: "",
            tag: "",
            auth: true,
            query: &[],
            body: true,
            multipart,
        }
    }

    #[test]
    fn the_field_bound_counts_characters() {
        assert!(!too_long(&"x".repeat(FIELD_MAX)));
        assert!(too_long(&"x".repeat(FIELD_MAX + 1)));
        // The domain's longest text, in Chinese (three bytes a character), is not too long.
        assert!(!too_long(&"纪".repeat(zeren_core::records::TEXT_MAX)));
        assert!(!too_long(&"纪".repeat(FIELD_MAX)));
        assert!(too_long(&"纪".repeat(FIELD_MAX + 1)));
        // Counted in chunks cut inside a character (byte 995 is inside a 纪), the sum is the count.
        let zh = "纪律a".repeat(1000);
        let (a, b) = zh.as_bytes().split_at(995);
        assert_eq!(chars_in(a) + chars_in(b), 3000);
        assert_eq!(chars_in(zh.as_bytes()), zh.chars().count());
    }

    #[test]
    fn names_the_long_form_field() {
        let long = "x".repeat(FIELD_MAX + 1);
        let body = format!("csrf=t&title=ok&minutes={long}&more=1");
        assert_eq!(long_form_field(body.as_bytes()).as_deref(), Some("minutes"));
        assert_eq!(long_form_field(b"csrf=t&title=ok"), None);
        // Percent-encoded Chinese: each character is nine bytes on the wire, one character.
        let zh = "%E7%BA%AA".repeat(zeren_core::records::TEXT_MAX);
        assert_eq!(long_form_field(format!("content={zh}").as_bytes()), None);
        // A long name is named, cut.
        let named = long_form_field(format!("{long}=1").as_bytes()).unwrap();
        assert_eq!(named.chars().count(), NAME_SHOWN + 1);
        assert!(named.ends_with('…'));
        // A body that is no form at all is one long name.
        assert!(long_form_field(long.as_bytes()).is_some());
    }

    #[test]
    fn names_the_long_json_string_by_its_path() {
        let long = "x".repeat(FIELD_MAX + 1);
        let v = serde_json::json!({"title": "ok", "details": {"agenda": [{"title": "a"}, {"title": long}]}});
        assert_eq!(
            long_json_field(&v).as_deref(),
            Some("details.agenda[1].title")
        );
        assert_eq!(
            long_json_field(&serde_json::json!({"a": [1, "b", {"c": null}]})),
            None
        );
        assert_eq!(
            long_json_field(&Value::String(long.clone())).as_deref(),
            Some("body")
        );
        let mut key = serde_json::Map::new();
        key.insert(long, Value::Bool(true));
        assert!(long_json_field(&Value::Object(key)).unwrap().ends_with('…'));
    }

    #[test]
    fn json_content_types() {
        assert!(is_json("application/json"));
        assert!(is_json("Application/JSON; charset=utf-8"));
        assert!(is_json("application/merge-patch+json"));
        assert!(!is_json("application/x-www-form-urlencoded"));
        assert!(!is_json("text/plain"));
    }

    #[tokio::test]
    async fn bounded_bodies() {
        let long = "x".repeat(FIELD_MAX + 1);
        let req = |path: &str, kind: &str, body: String| {
            Request::builder()
                .method("POST")
                .uri(path)
                .header(CONTENT_TYPE, kind)
                .header(axum::http::header::ACCEPT_LANGUAGE, "en")
                .body(Body::from(body))
                .unwrap()
        };
        // Within the bound: the body goes on whole.
        let ok = bounded(req(
            "/records/new",
            "application/x-www-form-urlencoded",
            "title=a".into(),
        ))
        .await
        .unwrap();
        let back = axum::body::to_bytes(ok.into_body(), usize::MAX)
            .await
            .unwrap();
        assert_eq!(&back[..], b"title=a");
        // A long JSON string under /api/: 422 in the error shape, naming the field.
        let refused = bounded(req(
            "/api/v1/records",
            "application/json",
            serde_json::json!({ "title": long }).to_string(),
        ))
        .await
        .unwrap_err();
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body = axum::body::to_bytes(refused.into_body(), usize::MAX)
            .await
            .unwrap();
        let v: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["error"]["code"], "invalid_input");
        assert_eq!(
            v["error"]["message"],
            format!("title: must be at most {FIELD_MAX} characters")
        );
        // A long form field: 422.
        let refused = bounded(req(
            "/api/v1/x",
            "application/x-www-form-urlencoded",
            format!("name={long}"),
        ))
        .await
        .unwrap_err();
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        // Over the body limit: 413.
        let huge = "x".repeat(crate::BODY_LIMIT + 1);
        let refused = bounded(req("/api/v1/x", "application/json", huge))
            .await
            .unwrap_err();
        assert_eq!(refused.status(), StatusCode::PAYLOAD_TOO_LARGE);
        // Multipart is left to the upload's reader, unread.
        let passed = bounded(req("/records/new", "multipart/form-data; boundary=b", long))
            .await
            .unwrap();
        let back = axum::body::to_bytes(passed.into_body(), usize::MAX)
            .await
            .unwrap();
        assert_eq!(back.len(), FIELD_MAX + 1);
    }

    #[test]
    fn upload_routes_come_from_the_table() {
        let u = Uploads::of(&[
            doc("POST", "/records/{id}/attachments", true),
            doc("POST", "/records/{id}/edit", false),
            doc("POST", "/records/new", true),
        ]);
        assert!(u.takes(&Method::POST, "/records/abc/attachments"));
        assert!(u.takes(&Method::POST, "/records/new"));
        assert!(!u.takes(&Method::GET, "/records/new"));
        assert!(!u.takes(&Method::POST, "/records//attachments"));
        assert!(!u.takes(&Method::POST, "/records/a/b/attachments"));
        assert!(!u.takes(&Method::POST, "/records/abc/edit"));
    }
}
