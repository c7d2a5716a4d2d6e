//! Matrix entries of the obligations area (owned by that area's change).

use crate::common::matrix::Expect;

pub fn expectations() -> Vec<Expect> {
    Vec::new()
}
