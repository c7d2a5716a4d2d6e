//! Stories of the feeds area (filled in by that area's change).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
