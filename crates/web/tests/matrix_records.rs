//! Matrix entries of the records area (owned by that area's change).

use crate::common::matrix::Expect;

pub fn expectations() -> Vec<Expect> {
    Vec::new()
}
