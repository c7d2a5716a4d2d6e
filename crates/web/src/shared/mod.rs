//! The shared layer of the web crate: what every area stands on, and nothing that belongs to
//! one area. No module here imports an area (`crate::areas`); a test keeps it so.
//!
//! - [`state`]: the application state, with the snapshot and the process-wide caches;
//! - [`auth`]: who is asking (sessions, tokens, the viewer extractors) and the CSRF check;
//! - [`access`]: the one permission gate and the refusals areas answer with;
//! - [`error`]: stable error codes, the JSON error shape, the storage-error mapping;
//! - [`frame`]: the page frame, rendering, error pages;
//! - [`format`]: days, anchors and field errors as pages show them;
//! - [`i18n`]: the translation engine (each area brings its own catalogue);
//! - [`routes`]: the route table that builds the router, the OpenAPI document and the matrix;
//! - [`recent`], [`assets`], [`upload_guard`]: short-lived reads, the embedded stylesheet, the
//!   body limit.

pub mod access;
pub mod assets;
pub mod auth;
pub mod error;
pub mod extract;
pub mod format;
pub mod frame;
pub mod gate;
pub mod i18n;
pub mod pager;
pub mod recent;
pub mod routes;
pub mod state;
pub mod upload_guard;
pub mod urls;
