//! Notifications and reminders (filled in by its area's change).
