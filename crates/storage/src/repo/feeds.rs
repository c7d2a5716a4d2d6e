//! Calendar feeds, search and ledger export (filled in by its area's change).
