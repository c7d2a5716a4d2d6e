//! Extractors for request input that read and check it by themselves, and turn what cannot be
//! read into a refusal naming the field, in the viewer's language: the JSON error shape under
//! `/api/`, the error page elsewhere.
//!
//! Taken as `Query(q)`, a bad input is answered at once. A handler that must check permissions
//! first takes `Result<Query<T>, Rejected>` and calls [`Input::get`] after its checks, so a
//! request refused for its role learns nothing from its input.

use crate::shared::access::Refusal;
use crate::shared::auth::tr_for;
use crate::shared::error::ApiError;
use crate::shared::i18n::Tr;
use crate::shared::state::AppState;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

/// A query value as typed, trimmed; `None` when absent or blank.
pub fn nonempty(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// The language messages of this request take: the viewer's (their account setting, recorded by
/// the viewer extractors), else what the request asks for.
pub fn request_tr(parts: &Parts) -> Tr {
    parts
        .extensions
        .get::<Tr>()
        .copied()
        .unwrap_or_else(|| tr_for(parts, None))
}

/// The field a serde message is about (`missing field `x``, `unknown field `x``, or
/// `x: invalid type …` with the path first); `fallback` when it names none.
pub fn rejected_field(text: &str, fallback: &str) -> String {
    if let Some(rest) = text.split("field `").nth(1)
        && let Some(name) = rest.split('`').next()
    {
        return name.to_string();
    }
    let detail = text.rsplit("target type: ").next().unwrap_or(text);
    let detail = detail
        .strip_prefix("Failed to deserialize query string: ")
        .unwrap_or(detail);
    if let Some((path, _)) = detail.split_once(": ")
        && !path.is_empty()
        && !path.contains(' ')
    {
        return path.to_string();
    }
    fallback.to_string()
}

fn is_api(parts: &Parts) -> bool {
    let path = parts.uri.path();
    path == "/api" || path.starts_with("/api/")
}

/// Input that could not be read: the refusal, answered as JSON under `/api/` and as a page
/// elsewhere.
#[derive(Debug)]
pub struct Rejected {
    refusal: Refusal,
    api: bool,
    tr: Tr,
}

impl Rejected {
    fn of(parts: &Parts, refusal: Refusal, tr: Tr) -> Rejected {
        Rejected {
            refusal,
            api: is_api(parts),
            tr,
        }
    }
}

impl IntoResponse for Rejected {
    fn into_response(self) -> Response {
        if self.api {
            self.refusal.api().into_response()
        } else {
            self.refusal.page(self.tr)
        }
    }
}

impl From<Rejected> for Refusal {
    fn from(r: Rejected) -> Refusal {
        r.refusal
    }
}

impl From<Rejected> for ApiError {
    fn from(r: Rejected) -> ApiError {
        r.refusal.api()
    }
}

/// A JSON body of type `T` (the response side stays `axum::Json`). Before any handler runs, the
/// gate has refused a body over the body limit (413) or with a string longer than
/// [`crate::shared::limits::FIELD_MAX`] (422 naming it), so `T` sees neither.
pub struct JsonBody<T>(pub T);

/// The query string as `T`.
pub struct Query<T>(pub T);

/// The path parameters as `T` (a malformed one is a 400).
pub struct Path<T>(pub T);

/// Input taken after the handler's own checks: `body.get()?`.
pub trait Input<T> {
    /// The value, or the refusal to answer with.
    fn get(self) -> Result<T, Refusal>;
}

macro_rules! input {
    ($($t:ident),*) => {$(
        impl<T> Input<T> for Result<$t<T>, Rejected> {
            fn get(self) -> Result<T, Refusal> {
                self.map(|$t(v)| v).map_err(Refusal::from)
            }
        }
    )*};
}
input!(JsonBody, Query, Path);

impl<T: DeserializeOwned> FromRequest<AppState> for JsonBody<T> {
    type Rejection = Rejected;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (parts, body) = req.into_parts();
        let (tr, api) = (request_tr(&parts), is_api(&parts));
        match axum::Json::<T>::from_request(Request::from_parts(parts, body), state).await {
            Ok(axum::Json(v)) => Ok(JsonBody(v)),
            Err(e) => {
                let text = e.body_text();
                let refusal = Refusal::invalid(tr, &rejected_field(&text, "body"), &text);
                Err(Rejected { refusal, api, tr })
            }
        }
    }
}

impl<T: DeserializeOwned + Send> FromRequestParts<AppState> for Query<T> {
    type Rejection = Rejected;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let tr = request_tr(parts);
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(Query(v)),
            Err(e) => {
                let text = e.body_text();
                let refusal = Refusal::invalid(tr, &rejected_field(&text, "query"), &text);
                Err(Rejected::of(parts, refusal, tr))
            }
        }
    }
}

impl<T: DeserializeOwned + Send> FromRequestParts<AppState> for Path<T> {
    type Rejection = Rejected;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let tr = request_tr(parts);
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(Path(v)),
            Err(e) => Err(Rejected::of(
                parts,
                Refusal::bad_request(tr, &e.body_text()),
                tr,
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_field_serde_complains_about() {
        assert_eq!(
            rejected_field("missing field `version` at line 1", "body"),
            "version"
        );
        assert_eq!(
            rejected_field(
                "Failed to deserialize the JSON body into the target type: name: invalid type: integer `1`, expected a string at line 1 column 9",
                "body"
            ),
            "name"
        );
        assert_eq!(
            rejected_field(
                "Failed to deserialize query string: unread: invalid digit found in string",
                "query"
            ),
            "unread"
        );
        assert_eq!(
            rejected_field("EOF while parsing a value at line 1 column 0", "body"),
            "body"
        );
    }

    #[test]
    fn rejections_name_their_field() {
        assert_eq!(
            rejected_field(
                "Failed to deserialize the JSON body into the target type: missing field `version` at line 1 column 2",
                "body"
            ),
            "version"
        );
        assert_eq!(
            rejected_field(
                "Failed to deserialize the JSON body into the target type: version: invalid type: string \"x\", expected i64 at line 1 column 15",
                "body"
            ),
            "version"
        );
        assert_eq!(
            rejected_field(
                "Expected request with `Content-Type: application/json`",
                "body"
            ),
            "body"
        );
    }
}
