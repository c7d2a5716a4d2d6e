//! Policy packs: the policy itself as versioned, validated data.

mod impact;
mod model;
mod parse;
mod problem;
mod set;
mod versions;

pub use impact::{
    Action, ChangeKind, DiffOp, DiffSpan, DutyImpact, EntryChange, Field, FieldChange, Holder,
    Impact, LedgerImpact, ObligationChange, PackDiff, ResponsibilityMove, Stated, StoredRow,
    StoredState, TextChange, VersionRef, YearPlans, due_spelling, render_diff,
    responsible_spelling, subject_spelling, text_diff,
};
pub use model::*;
pub use parse::parse_pack;
pub use problem::{Diagnostic, Problem, Thing, line_col};
pub use set::Policies;
pub use versions::{VersionError, check_new_duties, check_new_version, version_in_force};

/// Source of the built-in pack `cqu-mse-2021-6`, compiled into the binary.
pub const BUILTIN_PACK_SOURCE: &str = include_str!("../../packs/cqu-mse-2021-6.toml");

/// Id of the built-in pack.
pub const BUILTIN_PACK_ID: &str = "cqu-mse-2021-6";

/// The built-in pack's source as another version of its series: `id`, `version` and
/// `effective_from` (`YYYY-MM-DD`) replaced, the rest as issued. A revision is drafted from it
/// (tests, demonstrations of a dry run) by changing what the revision changes.
pub fn builtin_source_as(id: &str, version: u32, effective_from: &str) -> String {
    BUILTIN_PACK_SOURCE
        .replacen(
            &format!("id = \"{BUILTIN_PACK_ID}\""),
            &format!("id = \"{id}\""),
            1,
        )
        .replacen("version = 1", &format!("version = {version}"), 1)
        .replacen(
            "effective_from = 2021-05-13",
            &format!("effective_from = {effective_from}"),
            1,
        )
}

/// The built-in pack, parsed. It is checked by the test suite, so parsing cannot fail in a release.
pub fn builtin_pack() -> Result<PolicyPack, Vec<Diagnostic>> {
    parse_pack(BUILTIN_PACK_SOURCE)
}
