//! Matrix entries of the admin area (owned by the admin change).

use crate::common::matrix::Expect;

pub fn expectations() -> Vec<Expect> {
    Vec::new()
}
