//! Errors of the web layer: one stable code per failure, mapped once to an HTTP status and to
//! a translated message. Causes go to the log, never to the user.

use crate::shared::i18n::Tr;
use axum::Json;
use axum::extract::OriginalUri;
use axum::http::Method;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use zeren_storage::StorageError;

/// What went wrong, as API clients see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    /// No policy version with the id asked for.
    PolicyNotFound,
    /// No API endpoint at this path.
    RouteNotFound,
    /// No page at this path.
    PageNotFound,
    /// The endpoint exists but not for this method.
    MethodNotAllowed,
    /// The request could not be read.
    BadRequest,
    /// The database could not be queried.
    DatabaseUnavailable,
    /// A fault on our side (a bug or damaged data).
    Internal,
    /// No valid session or token.
    Unauthenticated,
    /// The session ended after the idle timeout.
    SessionExpired,
    /// Signed in, but the password must be changed first.
    PasswordChangeRequired,
    /// Signed in with the password; the second factor is still due.
    SecondFactorRequired,
    /// Signed in, but not allowed.
    Forbidden,
    /// Missing or wrong CSRF token.
    CsrfFailed,
    /// A record that does not exist or is outside the caller's scope.
    NotFound,
    /// The record changed since it was read.
    Conflict,
    /// The input is invalid; the message names the field.
    Validation,
}

impl ErrorCode {
    /// The stable code in `{"error":{"code":…}}`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::PolicyNotFound => "policy_not_found",
            ErrorCode::RouteNotFound => "route_not_found",
            ErrorCode::PageNotFound => "page_not_found",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::BadRequest => "bad_request",
            ErrorCode::DatabaseUnavailable => "database_unavailable",
            ErrorCode::Internal => "internal_error",
            ErrorCode::Unauthenticated => "unauthenticated",
            ErrorCode::SessionExpired => "session_expired",
            ErrorCode::PasswordChangeRequired => "password_change_required",
            ErrorCode::SecondFactorRequired => "second_factor_required",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::CsrfFailed => "csrf_failed",
            ErrorCode::NotFound => "not_found",
            ErrorCode::Conflict => "version_conflict",
            ErrorCode::Validation => "invalid_input",
        }
    }

    /// The HTTP status.
    pub fn status(self) -> StatusCode {
        match self {
            ErrorCode::PolicyNotFound | ErrorCode::RouteNotFound | ErrorCode::PageNotFound => {
                StatusCode::NOT_FOUND
            }
            ErrorCode::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ErrorCode::BadRequest => StatusCode::BAD_REQUEST,
            ErrorCode::DatabaseUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::Unauthenticated
            | ErrorCode::SessionExpired
            | ErrorCode::SecondFactorRequired => StatusCode::UNAUTHORIZED,
            ErrorCode::PasswordChangeRequired | ErrorCode::Forbidden | ErrorCode::CsrfFailed => {
                StatusCode::FORBIDDEN
            }
            ErrorCode::NotFound => StatusCode::NOT_FOUND,
            ErrorCode::Conflict => StatusCode::CONFLICT,
            ErrorCode::Validation => StatusCode::UNPROCESSABLE_ENTITY,
        }
    }
}

/// An error answered with JSON: `{"error":{"code":"…","message":"…"}}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The stable code.
    pub code: ErrorCode,
    /// The message in the user's language.
    pub message: String,
    /// Each problem with the field it is about (`values.talked-on`, `title`), when the
    /// refusal is of several fields of a form; the message joins their messages.
    pub fields: Vec<(String, String)>,
}

impl ApiError {
    /// An error with a message already translated.
    pub fn new(code: ErrorCode, message: String) -> ApiError {
        ApiError {
            code,
            message,
            fields: Vec::new(),
        }
    }

    /// The same error naming the field of each problem.
    pub fn with_fields(mut self, fields: Vec<(String, String)>) -> ApiError {
        self.fields = fields;
        self
    }

    /// A policy id that is not loaded.
    pub fn policy_not_found(tr: Tr, id: &str) -> ApiError {
        ApiError::new(
            ErrorCode::PolicyNotFound,
            tr.tf("error.policy_not_found", &[("id", id)]),
        )
    }

    /// A storage failure: "not found" becomes `not_found_code`; everything else is logged with
    /// its cause and answered without it.
    pub fn from_storage(
        err: StorageError,
        tr: Tr,
        not_found_code: ErrorCode,
        id: &str,
    ) -> ApiError {
        let code = classify(&err, not_found_code);
        match code {
            ErrorCode::PolicyNotFound => ApiError::policy_not_found(tr, id),
            // Domain rules and version checks say what was wrong; they carry no internals.
            ErrorCode::Conflict | ErrorCode::Validation => ApiError::new(code, err.to_string()),
            code => ApiError::new(code, generic_message(tr, code)),
        }
    }
}

/// Maps a storage error to a code, logging what the user will not see.
pub(crate) fn classify(err: &StorageError, not_found_code: ErrorCode) -> ErrorCode {
    match err {
        StorageError::NotFound { .. } => not_found_code,
        StorageError::Conflict { .. } | StorageError::Duplicate { .. } => ErrorCode::Conflict,
        StorageError::Invalid(_) => ErrorCode::Validation,
        StorageError::Connect { .. } | StorageError::Database(_) => {
            tracing::error!(error = %err, code = err.code(), "database query failed");
            ErrorCode::DatabaseUnavailable
        }
        _ => {
            tracing::error!(error = %err, code = err.code(), "storage error");
            ErrorCode::Internal
        }
    }
}

/// The message for codes whose message has no details.
pub(crate) fn generic_message(tr: Tr, code: ErrorCode) -> String {
    match code {
        ErrorCode::DatabaseUnavailable => tr.t("error.database_unavailable").to_string(),
        ErrorCode::PageNotFound => tr.t("error.not_found.text").to_string(),
        _ => tr.t("error.internal").to_string(),
    }
}

/// Any other path under `/api/v1`.
pub(crate) async fn route_not_found(tr: Tr, OriginalUri(uri): OriginalUri) -> ApiError {
    ApiError::new(
        ErrorCode::RouteNotFound,
        tr.tf("error.route_not_found", &[("path", uri.path())]),
    )
}

/// A known path with a method it does not take.
pub(crate) async fn method_not_allowed(tr: Tr, method: Method) -> ApiError {
    ApiError::new(
        ErrorCode::MethodNotAllowed,
        tr.tf("error.method_not_allowed", &[("method", method.as_str())]),
    )
}

#[derive(Serialize)]
struct Body<'a> {
    error: Inner<'a>,
}

#[derive(Serialize)]
struct Inner<'a> {
    code: &'a str,
    message: &'a str,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    fields: &'a [FieldProblem<'a>],
}

#[derive(Serialize)]
struct FieldProblem<'a> {
    field: &'a str,
    message: &'a str,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let fields: Vec<FieldProblem<'_>> = self
            .fields
            .iter()
            .map(|(field, message)| FieldProblem { field, message })
            .collect();
        let body = Body {
            error: Inner {
                code: self.code.as_str(),
                message: &self.message,
                fields: &fields,
            },
        };
        (self.code.status(), Json(body)).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use zeren_core::Lang;

    #[test]
    fn codes_map_to_statuses() {
        assert_eq!(ErrorCode::PolicyNotFound.status(), StatusCode::NOT_FOUND);
        assert_eq!(ErrorCode::RouteNotFound.status(), StatusCode::NOT_FOUND);
        assert_eq!(
            ErrorCode::DatabaseUnavailable.status(),
            StatusCode::SERVICE_UNAVAILABLE
        );
        assert_eq!(ErrorCode::Internal.as_str(), "internal_error");
    }

    #[test]
    fn storage_not_found_is_the_callers_code() {
        let err = StorageError::NotFound {
            what: "policy",
            id: "x".into(),
        };
        let e = ApiError::from_storage(err, Tr::new(Lang::En), ErrorCode::PolicyNotFound, "x");
        assert_eq!(e.code, ErrorCode::PolicyNotFound);
        assert_eq!(e.message, "There is no policy with id “x”.");
        let e = ApiError::from_storage(
            StorageError::Corrupt("secret detail".into()),
            Tr::new(Lang::Zh),
            ErrorCode::PolicyNotFound,
            "x",
        );
        assert_eq!(e.code, ErrorCode::Internal);
        assert!(!e.message.contains("secret"));
    }
}
