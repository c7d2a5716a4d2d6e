//! The router's body limit, and the CSRF token of multipart forms, read before the handler.

use crate::shared::i18n::Tr;
use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::header::CONTENT_LENGTH;
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;

/// Whether a request is an attachment upload, which carries its own size limit (the setting
/// `attachments`) instead of the router's 1 MB.
pub fn is_upload(method: &Method, path: &str) -> bool {
    if method != Method::POST {
        return false;
    }
    // The new-record form takes its attachments with it (multipart; urlencoded bodies are
    // still held to the 1 MB limit by the handler).
    if path == "/records/new" {
        return true;
    }
    let rest = path
        .strip_prefix("/api/v1/records/")
        .or_else(|| path.strip_prefix("/records/"));
    match rest.and_then(|r| r.split_once('/')) {
        Some((id, "attachments")) => !id.is_empty() && !id.contains('/'),
        _ => false,
    }
}

/// The router's body limit for every request but attachment uploads: a declared length over
/// [`crate::BODY_LIMIT`] is refused with 413 before anything is read (bodies without a length
/// are held to the limit by `DefaultBodyLimit` where they are read).
pub fn oversized(req: &Request) -> Option<Response> {
    if is_upload(req.method(), req.uri().path())
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

pub fn content_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
}

/// For the CSRF guard: the `csrf` field of a `multipart/form-data` body, which must be the
/// form's first part (Zeren's forms put it first). Reads at most 16 KB; the body is handed back
/// whole, whatever was read.
pub async fn multipart_csrf(content_type: &str, body: Body) -> (Option<String>, Body) {
    let Some(boundary) = boundary_of(content_type) else {
        return (None, body);
    };
    let delimiter = format!("--{boundary}");
    let mut stream = body.into_data_stream();
    let mut head: Vec<u8> = Vec::new();
    let mut failure: Option<axum::Error> = None;
    let mut token = None;
    while head.len() < 16 * 1024 {
        match stream.next().await {
            Some(Ok(chunk)) => head.extend_from_slice(&chunk),
            Some(Err(e)) => {
                failure = Some(e);
                break;
            }
            None => {
                token = first_field(&head, &delimiter, "csrf").flatten();
                break;
            }
        }
        match first_field(&head, &delimiter, "csrf") {
            Some(found) => {
                token = found;
                break;
            }
            None => continue,
        }
    }
    let prefix =
        futures_util::stream::once(async move { Ok::<Bytes, axum::Error>(Bytes::from(head)) });
    let failed = futures_util::stream::iter(failure.map(Err));
    let body = Body::from_stream(prefix.chain(failed).chain(stream));
    (token, body)
}

/// The boundary of a `multipart/form-data` content type.
fn boundary_of(content_type: &str) -> Option<String> {
    let (mime, params) = content_type.split_once(';')?;
    if !mime.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params
        .split(';')
        .find_map(|p| {
            let (k, v) = p.split_once('=')?;
            k.trim()
                .eq_ignore_ascii_case("boundary")
                .then(|| v.trim().trim_matches('"').to_string())
        })
        .filter(|b| !b.is_empty())
}

/// The value of the first part of a multipart body if it is named `name`: `Some(Some(v))`;
/// `Some(None)` when the first part is another; `None` when more bytes are needed.
fn first_field(head: &[u8], delimiter: &str, name: &str) -> Option<Option<String>> {
    let d = delimiter.as_bytes();
    let start = find(head, d)?;
    let after = start + d.len();
    let headers_end = find(&head[after..], b"\r\n\r\n")? + after;
    let headers = String::from_utf8_lossy(&head[after..headers_end]).to_ascii_lowercase();
    let wanted = format!("name=\"{name}\"");
    if !headers.contains("content-disposition") || !headers.contains(&wanted) {
        return Some(None);
    }
    let value_start = headers_end + 4;
    let mut end_marker = b"\r\n".to_vec();
    end_marker.extend_from_slice(d);
    let value_end = find(&head[value_start..], &end_marker)? + value_start;
    Some(Some(
        String::from_utf8_lossy(&head[value_start..value_end])
            .trim()
            .to_string(),
    ))
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    hay.windows(needle.len()).position(|w| w == needle)
}
