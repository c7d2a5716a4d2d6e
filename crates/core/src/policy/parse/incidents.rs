//! `[incidents]`: the scale of severity of incidents (舆情事件分级), each level's clocks and
//! whether the first responsible person handles it personally (Art.3), the reasons the clocks
//! may stop for, and when a clock run out reaches the first responsible person;
//! `[risk_assessment]`: the levels of risk an assessment finds, and which the first
//! responsible person approves. Every problem is located like the rest of the pack.

use super::{Reader, Tab};
use crate::incidents::{IncidentRules, PauseReason, Severity};
use crate::policy::problem::{Problem, Thing};
use crate::projects::{RiskLevel, RiskRules};
use crate::vocab::IncidentClock;
use std::collections::HashSet;

/// Keys of `[incidents]`.
const INCIDENT_KEYS: &[&str] = &["severities", "pause_reasons", "escalate_after"];
/// Keys of a level of severity.
const SEVERITY_KEYS: &[&str] = &[
    "id",
    "name",
    "name_en",
    "definition",
    "definition_en",
    "personal_handling",
    "first_response",
    "assessment",
    "closure_report",
];
/// The clocks, by their key in a level.
const CLOCK_KEYS: &[(&str, IncidentClock)] = &[
    ("first_response", IncidentClock::FirstResponse),
    ("assessment", IncidentClock::Assessment),
    ("closure_report", IncidentClock::ClosureReport),
];
/// The longest clock: a year, in minutes.
const LONGEST: u32 = 366 * 24 * 60;

/// Minutes of a length written `30m`, `4h` or `7d`, at most a year and more than nothing.
pub(crate) fn length(text: &str) -> Option<u32> {
    let t = text.trim();
    let unit = match t.chars().last()? {
        'm' => 1,
        'h' => 60,
        'd' => 24 * 60,
        _ => return None,
    };
    let n: u32 = t[..t.len() - 1].parse().ok()?;
    n.checked_mul(unit).filter(|m| (1..=LONGEST).contains(m))
}

impl Reader<'_> {
    /// A length of time at `key` (`30m`, `4h`, `7d`), in minutes.
    fn length(&mut self, t: &Tab<'_>, key: &str, required: bool) -> Option<u32> {
        let (v, span) = self.string(t, key, required)?;
        let m = length(&v);
        if m.is_none() {
            self.at(
                &span,
                Problem::BadValue {
                    key: key.into(),
                    value: v,
                    expected: "a length such as 30m, 4h or 7d, at most 366d".into(),
                },
            );
        }
        m
    }

    /// `[incidents]`: a level with problems is left out (and reported).
    pub(super) fn incidents(&mut self, t: &Tab<'_>) -> IncidentRules {
        self.keys(t, INCIDENT_KEYS);
        let defaults = IncidentRules::default();
        let escalate_after = self
            .length(t, "escalate_after", false)
            .unwrap_or(defaults.escalate_after);
        let mut seen = HashSet::new();
        let mut severities = Vec::new();
        for level in self.tables(t, "severities", true) {
            let before = self.diags.len();
            self.keys(&level, SEVERITY_KEYS);
            let id = self.id(&level, "id");
            if let Some((id, span)) = &id {
                self.unique(&mut seen, Thing::Severity, id, span);
            }
            let name = self.text(&level, "name");
            let name_en = self.text(&level, "name_en");
            let definition = self.text(&level, "definition");
            let definition_en = self.text(&level, "definition_en");
            let personal_handling = self.boolean(&level, "personal_handling");
            let clocks = CLOCK_KEYS
                .iter()
                .filter_map(|(key, clock)| self.length(&level, key, false).map(|m| (*clock, m)))
                .collect();
            if let Some((id, _)) = id
                && self.diags.len() == before
            {
                severities.push(Severity {
                    id,
                    name,
                    name_en,
                    definition,
                    definition_en,
                    personal_handling,
                    clocks,
                });
            }
        }
        let mut seen = HashSet::new();
        let mut pause_reasons = Vec::new();
        for r in self.tables(t, "pause_reasons", false) {
            self.keys(&r, &["id", "name", "name_en"]);
            let id = self.id(&r, "id");
            let name = self.text(&r, "name");
            let name_en = self.text(&r, "name_en");
            if let Some((id, span)) = id {
                self.unique(&mut seen, Thing::PauseReason, &id, &span);
                pause_reasons.push(PauseReason { id, name, name_en });
            }
        }
        IncidentRules {
            severities,
            pause_reasons,
            escalate_after,
        }
    }

    /// `[risk_assessment]`: the levels of risk, from the lowest.
    pub(super) fn risk_assessment(&mut self, t: &Tab<'_>) -> RiskRules {
        self.keys(t, &["levels"]);
        let mut seen = HashSet::new();
        let mut levels = Vec::new();
        for l in self.tables(t, "levels", true) {
            self.keys(&l, &["id", "name", "name_en", "first_responsible_approval"]);
            let id = self.id(&l, "id");
            let name = self.text(&l, "name");
            let name_en = self.text(&l, "name_en");
            let first_responsible_approval = self.boolean(&l, "first_responsible_approval");
            if let Some((id, span)) = id {
                self.unique(&mut seen, Thing::RiskLevel, &id, &span);
                levels.push(RiskLevel {
                    id,
                    name,
                    name_en,
                    first_responsible_approval,
                });
            }
        }
        RiskRules { levels }
    }
}

#[cfg(test)]
mod tests {
    use super::length;

    #[test]
    fn lengths_are_minutes_hours_or_days_up_to_a_year() {
        assert_eq!(length("30m"), Some(30));
        assert_eq!(length("4h"), Some(240));
        assert_eq!(length("7d"), Some(7 * 24 * 60));
        assert_eq!(length("366d"), Some(366 * 24 * 60));
        for bad in [
            "",
            "0h",
            "367d",
            "4",
            "h",
            "-1h",
            "1.5h",
            "4 h",
            "４h",
            "99999999999d",
        ] {
            assert_eq!(length(bad), None, "{bad}");
        }
    }
}
