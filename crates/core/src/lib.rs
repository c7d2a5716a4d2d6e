//! Zeren domain core: policy packs, the org model, responsibility resolution, obligation
//! generation, the rules evidence records must pass and the audit chain's hashing. No IO, no
//! clock, no database: every function takes the day or instant it needs as a parameter.

pub mod access;
pub mod assessments;
pub mod audit;
pub mod cases;
pub mod citation;
pub mod clock;
pub mod directory;
pub mod events;
pub mod evidence;
pub mod incidents;
pub mod indicators;
pub mod lang;
pub mod obligation;
pub mod org;
pub mod params;
pub mod period;
pub mod platforms;
pub mod policy;
pub mod projects;
pub mod records;
pub mod reminders;
pub mod responsibility;
pub mod totp;
pub mod vocab;

pub use citation::Citation;
pub use clock::Clock;
pub use lang::Lang;
