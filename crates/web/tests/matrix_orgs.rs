//! Matrix entries of the orgs area (owned by the orgs change).

use crate::common::matrix::Expect;

pub fn expectations() -> Vec<Expect> {
    Vec::new()
}
