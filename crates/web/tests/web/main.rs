//! The web layer's integration tests, one binary: the real application over HTTP, on a fresh
//! database per test (SQLite; PostgreSQL too where a story says so and `ZEREN_TEST_POSTGRES`
//! names a server). Each area's stories are a module; `common` is the one harness they share.

// Test code unwraps and panics: a failure is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

mod admin;
mod assessments;
mod auth;
mod cases;
mod directory;
mod events;
mod feeds;
mod http;
mod incidents;
mod matrix;
mod notify;
mod obligations;
mod orgs;
mod pack_records;
mod people_edit;
mod platforms;
mod posts;
mod records;
mod risk;
mod roster;
mod security;
mod setup;
mod shape;
mod sign_in_attacks;
mod snapshot;
mod systems;
