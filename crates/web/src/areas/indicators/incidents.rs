//! The facts of incidents and major projects: an incident whose clock ran out (`art5-2` when
//! its level is handled personally by the first responsible person, `art5-3` otherwise), one of
//! such a level closed without that person's own handling (`art5-2`), a major project launched
//! without an approved risk assessment (`art5-3`). Open incidents are those whose kept clocks
//! (or timelines, where the clocks are not kept yet) say a clock is late now; closed ones keep
//! what their closure found.

use super::*;
use crate::shared::memo::Memo;
use zeren_core::incidents::first_responsible;
use zeren_core::indicators::{Fact, MAJOR_INCIDENT_GROUND, PREVENTION_GROUND, of_incident};

/// The facts of a scope, in the order they are listed: under `art5-2`, then under `art5-3`
/// (incidents first, then projects). Each names its incident or project by id.
#[derive(Default)]
pub(super) struct IncidentFacts {
    pub(super) major: Vec<(String, Fact)>,
    pub(super) prevention: Vec<(String, Fact)>,
}

/// What was found at the latest (incident generation, minute), by whose facts they are.
type Found = Memo<Stamp, String, IncidentFacts>;

/// When facts of incidents were found: the incident generation (any change of an incident, a
/// timeline, a project or an assessment moves it, and nothing else does) and the minute.
type Stamp = (i64, chrono::NaiveDateTime);

/// The facts of `scope` (every org when `None`; `whose` names it) at `now`: found once for
/// each change of the incidents and each minute, and kept for the readers after — a meeting
/// recorded or a person added does not make them be found again.
pub(super) async fn count(
    state: &AppState,
    v: &Viewer,
    scope: Option<&[String]>,
    whose: &str,
    now: chrono::NaiveDateTime,
) -> Result<Arc<IncidentFacts>, StorageError> {
    let at = (state.db.incident_generation().await?, now);
    state
        .cache::<Found>()
        .get_or(at, whose.to_string(), async || {
            find(state, v, scope, now).await
        })
        .await
}

/// Finds the facts of `scope` (every org when `None`) at `now`.
async fn find(
    state: &AppState,
    v: &Viewer,
    scope: Option<&[String]>,
    now: chrono::NaiveDateTime,
) -> Result<IncidentFacts, StorageError> {
    let rules = v.snap.pack.incidents.clone().unwrap_or_default();
    let personal: Vec<String> = rules
        .severities
        .iter()
        .filter(|s| s.personal_handling)
        .map(|s| s.id.clone())
        .collect();
    let mut out = IncidentFacts::default();
    let mut put = |id: &str, fact: Fact| {
        let list = if fact.ground() == MAJOR_INCIDENT_GROUND {
            &mut out.major
        } else {
            &mut out.prevention
        };
        list.push((id.to_string(), fact));
    };
    let mut late = state.db.late_incidents(scope, &rules, now).await?;
    // Newest first, like the closed ones.
    late.reverse();
    for (i, states) in &late {
        let major = personal.contains(&i.fields.severity);
        for fact in of_incident(states, major) {
            put(&i.id, fact);
        }
    }
    for c in state
        .db
        .closed_incident_indicators(scope, &personal)
        .await?
    {
        let major = personal.contains(&c.severity);
        for clock in &c.late {
            put(
                &c.id,
                Fact::IncidentPastClock {
                    clock: *clock,
                    major,
                },
            );
        }
        if major && !c.personal_done {
            put(&c.id, Fact::MajorWithoutPersonalHandling);
        }
    }
    for p in state.db.launched_past_the_gate(scope).await? {
        out.prevention.push((p.id, Fact::LaunchedWithoutAssessment));
    }
    Ok(out)
}

/// The rows of `facts[skip..take]`, each with its evidence and who answered for it.
pub(super) async fn rows(
    state: &AppState,
    v: &Viewer,
    facts: &[(String, Fact)],
    skip: usize,
    take: usize,
) -> Result<Vec<Indicator>, StorageError> {
    let tr = v.tr;
    let lang = tr.lang();
    let m = &v.snap.model;
    let pack = &v.snap.pack;
    let rules = pack.incidents.clone().unwrap_or_default();
    let page: Vec<&(String, Fact)> = facts.iter().take(take).skip(skip).collect();
    let incident_ids: Vec<String> = page
        .iter()
        .filter(|(_, f)| *f != Fact::LaunchedWithoutAssessment)
        .map(|(id, _)| id.clone())
        .collect();
    let incidents: HashMap<String, zeren_storage::repo::incidents::Incident> = state
        .db
        .incidents_by_id(&incident_ids)
        .await?
        .into_iter()
        .map(|i| (i.id.clone(), i))
        .collect();
    let ground = |id: &str| {
        pack.grounds
            .iter()
            .find(|g| g.id == id)
            .map(|g| {
                (
                    lang.pick(&g.title, &g.title_en).to_string(),
                    g.article.to_string(),
                )
            })
            .unwrap_or_else(|| (id.to_string(), String::new()))
    };
    let mut out = Vec::new();
    for (id, fact) in page {
        let (ground_title, citation) = ground(fact.ground());
        if *fact == Fact::LaunchedWithoutAssessment {
            let p = match state.db.project(id).await {
                Ok(p) => p,
                Err(StorageError::NotFound { .. }) => continue,
                Err(e) => return Err(e),
            };
            let href = with_lang(&format!("/risk-assessments/{}", encode(id)), tr);
            let day = p.launched_on.map(date).unwrap_or_default();
            out.push(Indicator {
                fact: fact.as_str(),
                ground: fact.ground(),
                ground_title,
                citation,
                what: fact.describe(lang),
                subject: p.fields.title.clone(),
                subject_href: href.clone(),
                org: m
                    .org(&p.fields.org)
                    .map(|o| o.name.clone())
                    .unwrap_or_default(),
                evidence: tr.tf(
                    "indicators.project_evidence",
                    &[
                        ("day", &day),
                        ("reason", p.override_reason.as_deref().unwrap_or_default()),
                    ],
                ),
                evidence_href: format!("{href}#override"),
                day,
                person: p
                    .override_by
                    .as_deref()
                    .map(|x| person_name(m, x))
                    .unwrap_or_default(),
                org_id: p.fields.org.clone(),
                evidence_ref: format!("project:{id}"),
                person_id: p.override_by.clone().unwrap_or_default(),
                case_href: None,
            });
            continue;
        }
        let Some(i) = incidents.get(id) else { continue };
        let f = &i.fields;
        let href = with_lang(&format!("/incidents/{}", encode(id)), tr);
        // Who answered for it: the first responsible person on the day it came to notice.
        let first = first_responsible(pack, m, &f.org, f.day());
        let person_id = first.as_ref().map(|p| p.id.clone()).unwrap_or_default();
        let person = first.map(|p| p.name).unwrap_or_default();
        out.push(Indicator {
            fact: fact.as_str(),
            ground: fact.ground(),
            ground_title,
            citation,
            what: fact.describe(lang),
            subject: f.title.clone(),
            subject_href: href.clone(),
            org: m.org(&f.org).map(|o| o.name.clone()).unwrap_or_default(),
            evidence: tr.tf(
                "indicators.incident_evidence",
                &[
                    ("severity", &rules.severity_name(&f.severity, lang)),
                    ("noticed", &shown(f.noticed_at)),
                    ("handler", &person_name(m, &f.handler)),
                ],
            ),
            evidence_href: format!(
                "{href}#{}",
                if *fact == Fact::MajorWithoutPersonalHandling {
                    "timeline"
                } else {
                    "clocks"
                }
            ),
            day: date(f.day()),
            person,
            org_id: f.org.clone(),
            evidence_ref: format!("incident:{id}"),
            person_id,
            case_href: None,
        });
    }
    Ok(out)
}

/// The grounds these facts fall under, in the order they are listed.
pub(super) const GROUNDS: [&str; 2] = [MAJOR_INCIDENT_GROUND, PREVENTION_GROUND];
