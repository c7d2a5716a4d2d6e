//! A refused change, as the API and a form page each answer it: the problems of its fields
//! (422, every field named), or a refusal (403, 404, 409, …).

use crate::shared::access::Refusal;
use crate::shared::error::{ApiError, ErrorCode};
use crate::shared::i18n::Tr;
use axum::http::StatusCode;
use zeren_core::records::FieldErrors;

/// A refused change: the problems of its fields, or a refusal.
pub enum Refused {
    /// Each problem with its field.
    Fields(FieldErrors),
    /// Not allowed, not found, stale, …
    Other(Refusal),
}

impl Refused {
    /// The API's answer: 422 with `error.fields`, or the refusal's.
    pub fn api(self, tr: Tr) -> ApiError {
        match self {
            Refused::Fields(e) => invalid_fields(&e, tr),
            Refused::Other(r) => r.api(),
        }
    }

    /// As a form page answers it: the problems to show with the form again and its status,
    /// or (403, 404) the refusal to answer with an error page instead.
    pub fn on_page(self) -> Result<(FieldErrors, StatusCode), Refusal> {
        match self {
            Refused::Fields(e) => Ok((e, StatusCode::UNPROCESSABLE_ENTITY)),
            Refused::Other(r) if matches!(r.code, ErrorCode::Forbidden | ErrorCode::NotFound) => {
                Err(r)
            }
            Refused::Other(r) => {
                let status = r.code.status();
                Ok((vec![("form".into(), r.message)], status))
            }
        }
    }
}

/// Field problems as the API's 422: every message joined, each kept with its field.
pub fn invalid_fields(errors: &FieldErrors, tr: Tr) -> ApiError {
    let msg = errors
        .iter()
        .map(|(_, m)| m.as_str())
        .collect::<Vec<_>>()
        .join(tr.lang().pick("；", "; "));
    ApiError::new(ErrorCode::Validation, msg).with_fields(errors.clone())
}
