//! What the year's assessments ask of the viewer now, for the home page: a college secretary's
//! self-assessment while that step runs and the duty report until it is submitted; the
//! supervising office's step under way with its last day.

use super::*;

/// One thing asked of the viewer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asked {
    /// `self-assessment`, `duty-report` or `step`.
    pub what: &'static str,
    /// What, in words.
    pub title: String,
    /// By when (`YYYY-MM-DD`), if the scheme sets a day.
    pub due: String,
    /// Where to do it.
    pub href: String,
}

/// What the assessments under way ask of the viewer. Nothing when the database does not answer
/// (the home page still shows).
pub async fn asked_of(state: &AppState, v: &Viewer) -> Vec<Asked> {
    let tr = v.tr;
    let mut out = Vec::new();
    let Ok(rounds) = state.db.assessment_rounds(None).await else {
        return out;
    };
    let m = &v.snap.model;
    let led: Vec<&Org> = v
        .principal
        .roles
        .iter()
        .filter(|g| g.role == Role::Secretary)
        .filter_map(|g| m.org(&g.org))
        .collect();
    for r in rounds
        .iter()
        .filter(|r| r.stage != Stage::Draft && !r.stage.published())
    {
        let colleges: Vec<&Org> = led
            .iter()
            .copied()
            .filter(|o| is_college(o, r, m))
            .collect();
        // Nothing asked of this viewer here: the scheme is not read.
        if colleges.is_empty() && !office(v, r) {
            continue;
        }
        let Ok(scheme) = scheme_of(state, v, r).await else {
            continue;
        };
        let year = r.year.to_string();
        let due_of = |step: AssessmentStep| scheme.deadline(step).map(date).unwrap_or_default();
        if office(v, r)
            && let Stage::Step(step) = r.stage
        {
            out.push(Asked {
                what: "step",
                title: tr.tf(
                    "assessments.asked.step",
                    &[("year", &year), ("step", stage_name(tr, r.stage))],
                ),
                due: due_of(step),
                href: round_href(&r.id, tr),
            });
        }
        for college in colleges {
            let entry = state
                .db
                .assessment_entry(&r.id, &college.id)
                .await
                .unwrap_or_default();
            let e = entry.as_ref();
            let names = [("year", year.as_str()), ("college", college.name.as_str())];
            if r.stage == Stage::Step(AssessmentStep::SelfAssessment)
                && e.is_none_or(|e| e.self_submitted_on.is_none())
            {
                out.push(Asked {
                    what: "self-assessment",
                    title: tr.tf("assessments.asked.self", &names),
                    due: due_of(AssessmentStep::SelfAssessment),
                    href: college_href(&r.id, college, tr),
                });
            }
            if e.is_none_or(|e| e.duty_report_submitted_on.is_none()) {
                out.push(Asked {
                    what: "duty-report",
                    title: tr.tf("assessments.asked.report", &names),
                    due: due_of(AssessmentStep::Publication),
                    href: with_lang(
                        &format!(
                            "/assessments/{}/orgs/{}/duty-report",
                            encode(&r.id),
                            encode(&college.code)
                        ),
                        tr,
                    ),
                });
            }
        }
    }
    out
}
