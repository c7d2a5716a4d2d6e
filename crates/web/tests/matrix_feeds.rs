//! Matrix entries of the feeds area (owned by that area's change).

use crate::common::matrix::Expect;

pub fn expectations() -> Vec<Expect> {
    Vec::new()
}
