//! One folder per area of the product: its routes, handlers, view models and translation
//! catalogue. Areas stand on [`crate::shared`]; one area reaches another only through the seams
//! declared in the shape test (`tests/web/shape.rs`).

pub mod admin;
pub mod assessments;
pub mod cases;
pub mod directory;
pub mod events;
pub mod feeds;
pub mod home;
pub mod identity;
pub mod incidents;
pub mod indicators;
pub mod notify;
pub mod obligations;
pub mod orgs;
pub mod platforms;
pub mod policies;
pub mod records;
pub mod risk;
pub mod roster;
pub mod setup;
pub mod system;
