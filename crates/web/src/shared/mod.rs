//! The shared layer of the web crate: what every area stands on, and nothing that belongs to
//! one area. No module here imports an area (`crate::areas`); a test keeps it so.
//!
//! - [`state`]: the application state, with the snapshot and the process-wide caches;
//! - [`auth`]: who is asking (sessions, tokens, the viewer extractors);
//! - [`snapshot`]: the org model and policy in memory, swapped without blocking readers;
//! - [`access`]: the one permission gate and the refusals areas answer with;
//! - [`error`]: stable error codes, the JSON error shape, the storage-error mapping;
//! - [`frame`]: the page frame, rendering, error pages;
//! - [`format`]: days, anchors and field errors as pages show them;
//! - [`charts`]: SVG charts whose bars link to the lists behind them;
//! - [`i18n`]: the translation engine (each area brings its own catalogue);
//! - [`routes`]: the route table that builds the router, the OpenAPI document and the matrix;
//! - [`csrf`]: the CSRF check of every state-changing request, multipart forms included;
//! - [`extract`], [`urls`], [`pager`]: input read and checked, URLs and forms, list pages;
//! - [`gate`], [`limits`]: the one request layer, the body limit and the upload routes;
//! - [`uploads`]: attached files — uploads read, staged, sniffed and limited; downloads served;
//! - [`recent`], [`assets`]: short-lived reads, the embedded stylesheet;
//! - [`throttle`]: failed sign-ins counted by client address.

pub mod access;
pub mod assets;
pub mod auth;
pub mod charts;
pub mod csrf;
pub mod error;
pub mod extract;
pub mod format;
pub mod frame;
pub mod gate;
pub mod i18n;
pub mod limits;
pub mod memo;
pub mod pager;
pub mod recent;
pub mod refused;
pub mod routes;
pub mod snapshot;
pub mod state;
pub mod throttle;
pub mod uploads;
pub mod urls;
