//! The router's body limit, and the routes that take uploads instead (multipart bodies with
//! their own limit, the setting `attachments`). Which routes those are is read from the route
//! table (`Describe::multipart`), so no path is written twice.

use crate::shared::i18n::Tr;
use crate::shared::routes::RouteDoc;
use axum::extract::Request;
use axum::http::header::CONTENT_LENGTH;
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};

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
