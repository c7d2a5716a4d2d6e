//! Evidence records (filled in by its area's change).
