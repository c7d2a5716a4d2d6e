//! Security (issue 10): the general rules as sweeps over the route table. Each sweep takes every
//! route of `route_table()` it applies to and fails naming any it cannot try, so a new route
//! without coverage fails here:
//! - `reads`: no GET or HEAD changes anything, as any account or a visitor;
//! - `csrf`: every state-changing route refuses a missing or wrong CSRF token from a
//!   cookie-authenticated session (403), uploads included, and stores nothing;
//! - `pending`: a session that still owes its second factor reaches only the code form,
//!   sign-out and the static assets;
//! - `bounds`: every body's text values are bounded — a 1 MB value answers 413/422, a value
//!   just over `limits::FIELD_MAX` answers 422 naming its field, and nothing is stored.
//!
//! `fixture` fills every route's path with real ids and snapshots the whole database; `writes`
//! makes a plausible request for every write route (a page's own form, scraped, or a JSON body
//! named there). A route either cannot fill is a failure that names it.

mod bounds;
mod csrf;
mod fixture;
mod pending;
mod reads;
mod writes;
