//! Zeren storage: one set of migrations and one code path over SQLite and PostgreSQL
//! (sqlx `Any`), repositories for every record, the audit chain written in the same
//! transaction as each change, and engine-independent backups.

pub mod backup;
pub mod db;
pub mod demo;
mod demo_events;
mod demo_evidence;
mod demo_incidents;
pub mod demo_province;
pub mod demo_scale;
pub mod error;
pub mod keys;
pub mod ledger;
pub mod repo;
pub mod schema;
pub mod secrets;
pub mod testing;

pub use db::{Actor, Backend, Db, Tx, new_id, redact_url};
pub use error::{Result, StorageError};
pub use keys::InstallationKey;
pub use repo::assignments::AssignmentEdit;
pub use repo::identity::{ApiToken, Grant, NewUser, PasswordChange, Session, User};
pub use repo::model_changes::{ModelChanges, ModelPosition};
pub use repo::obligations::StoredObligation;
pub use repo::orgs::{HoldingEdit, NewOrg, NewPlatform, OrgEdit, PostEdit};
pub use repo::people::{NewPerson, PersonEdit, PersonError, PersonRecord};
pub use repo::policies::StoredPolicy;
pub use repo::policy_impact::Impact;
