//! The indicators view (Art.5): for each org in the viewer's scope, the facts in the ledger that
//! may touch a ground for accountability so far — platforms whose annual review is overdue and
//! platform duties long overdue (`art5-6`), online events held without standing approval
//! (`art5-7`) — each with its evidence (the obligation or the event) and the person who answered
//! for it on the relevant day. Read-only: facts for people to look at, never verdicts; cases are
//! opened by people, elsewhere.

use crate::AppState;
use crate::shared::access::{Refusal, read_gate, readable_orgs, unless_every_org};
use crate::shared::auth::{ApiViewer, PageViewer, Viewer};
use crate::shared::error::ApiError;
use crate::shared::extract::{Query, Rejected, nonempty};
use crate::shared::format::{date, person_name};
use crate::shared::frame::{Frame, page};
use crate::shared::i18n::Tr;
use crate::shared::pager::{Pager, page_number};
use crate::shared::routes::{Describe, Routes};
use crate::shared::urls::{encode, with_lang};
use askama::Template;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;
use zeren_core::access::Permission;
use zeren_core::events::{approver, event_duty, shown};
use zeren_core::indicators::{
    EVENT_GROUND, PLATFORM_GROUND, long_overdue_by, of_event, of_obligation, overdue_at_once,
};
use zeren_core::org::Platform;
use zeren_core::platforms::website::log_gap;
use zeren_core::policy::Subject;
use zeren_core::responsibility::{Target, resolve};
use zeren_core::vocab::PlatformKind;
use zeren_storage::StorageError;
use zeren_storage::repo::indicators::Overdue;

mod catalog;
mod last_logs;

pub use catalog::CATALOG;

const QUERY: &[(&str, &str)] = &[
    (
        "org",
        "Org code or id: facts of its subtree (default: every org in scope)",
    ),
    ("ground", "art5-6 | art5-7 (default: both)"),
    ("page", "Page number, from 1; 50 facts a page"),
];

/// Page routes of this area.
pub fn page_routes() -> Routes {
    Routes::pages().get(
        "/indicators",
        Describe::auth(
            "indicators",
            "Facts that may touch a ground for accountability (Art.5(6), (7)), with their evidence",
        )
        .query(QUERY),
        indicators_page,
    )
}

/// API routes of this area (paths relative to `/api/v1`).
pub fn api_routes() -> Routes {
    Routes::api("/api/v1").get(
        "/indicators",
        Describe::auth(
            "indicators",
            "Facts that may touch a ground for accountability, with their evidence and the person who answered for each",
        )
        .query(QUERY),
        api_indicators,
    )
}

/// Indicators a page.
const PER_PAGE: usize = 50;

/// The query.
#[derive(Deserialize, Default)]
pub struct IndicatorQuery {
    org: Option<String>,
    ground: Option<String>,
    page: Option<String>,
}

/// One indicator, as shown and as the API gives it.
pub struct Indicator {
    pub fact: &'static str,
    pub ground: &'static str,
    pub ground_title: String,
    pub citation: String,
    pub what: String,
    pub subject: String,
    pub subject_href: String,
    pub org: String,
    pub evidence: String,
    pub evidence_href: String,
    pub day: String,
    pub person: String,
}

/// A page of the facts in the viewer's scope.
struct Indicators {
    /// The org whose subtree was asked for (code), or empty.
    org: String,
    /// This page, from 1.
    page: usize,
    /// How many facts there are under each ground asked for, `art5-6` first.
    counts: Vec<(&'static str, usize)>,
    /// This page's facts: platforms first (obligations by due day, then websites), then
    /// events by start.
    rows: Vec<Indicator>,
}

impl Indicators {
    fn total(&self) -> usize {
        self.counts.iter().map(|(_, n)| n).sum()
    }
}

/// The facts within the viewer's scope (of `org`'s subtree when given), `ground` only if
/// given, one page of them. The overdue platform duties and the events are counted in the
/// database and read only for the page, by index; the websites (bounded by the platforms, their
/// last log days kept in memory) are found in full.
async fn indicators(
    state: &AppState,
    v: &Viewer,
    q: &IndicatorQuery,
) -> Result<Indicators, Refusal> {
    let tr = v.tr;
    let m = &v.snap.model;
    let pack = &v.snap.pack;
    let lang = tr.lang();
    let (org, orgs) = match nonempty(&q.org) {
        Some(c) => {
            let o = m
                .find_org(c)
                .filter(|o| v.can(Permission::ReadOrg, Some(&o.id)))
                .ok_or_else(|| Refusal::not_found(tr, "indicators.org_not_found", c))?;
            (
                o.code.clone(),
                m.subtree(&o.id).iter().map(|o| o.id.clone()).collect(),
            )
        }
        None => (String::new(), readable_orgs(v)),
    };
    // Every org: no list to match against.
    let scope = unless_every_org(v, &orgs);
    let scope = scope.as_deref();
    let ground = nonempty(&q.ground);
    if let Some(g) = ground
        && ![PLATFORM_GROUND, EVENT_GROUND].contains(&g)
    {
        return Err(Refusal::invalid(
            tr,
            "ground",
            &tr.tf("indicators.error.ground", &[("value", g)]),
        ));
    }
    let page = page_number(nonempty(&q.page), tr, "indicators.error.page")?;
    let (from, until) = ((page - 1) * PER_PAGE, page * PER_PAGE);
    let wants = |g: &str| ground.is_none_or(|x| x == g);
    let today = state.today();
    let now = state
        .clock
        .now()
        .with_timezone(&zeren_core::clock::shanghai())
        .naive_local();
    let ground_of = |id: &str| {
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
    let storage =
        |e: StorageError| Refusal::storage(tr, e, "indicators.error", || Refusal::forbidden(tr));
    let mut counts = Vec::new();
    let mut rows = Vec::new();
    if wants(PLATFORM_GROUND) {
        let operator_duties: Vec<String> = pack
            .duties
            .iter()
            .filter(|d| matches!(d.subject, Subject::Operator { .. }))
            .map(|d| d.id.clone())
            .collect();
        // An event's approval is the event's own fact (art5-7), not a platform's.
        let event_duty = event_duty(pack).map(|d| d.id.as_str());
        // The duties whose overdue obligations are facts at once, in any policy in force.
        let at_once: Vec<String> = v
            .snap
            .set
            .packs()
            .iter()
            .flat_map(|p| p.duties.iter())
            .filter(|d| overdue_at_once(d))
            .map(|d| d.id.clone())
            .collect();
        let f = Overdue {
            orgs: scope,
            operator_duties: &operator_duties,
            except: event_duty,
            at_once: &at_once,
            long_before: long_overdue_by(today),
            today,
        };
        let n_overdue = state
            .db
            .count_overdue_platform_obligations(&f)
            .await
            .map_err(storage)?;
        let n_overdue = usize::try_from(n_overdue).unwrap_or(0);
        let obligations = state
            .db
            .overdue_platform_obligations(
                &f,
                from as i64,
                until.min(n_overdue).saturating_sub(from) as i64,
            )
            .await
            .map_err(storage)?;
        let overdue: Vec<_> = obligations
            .iter()
            .filter_map(|o| {
                let duty = v.snap.set.get(&o.policy).unwrap_or(pack).duty(&o.duty)?;
                Some((o, duty, of_obligation(duty, o.due, today)?))
            })
            .collect();
        // Running websites with no maintenance logged for the pack's days.
        let rules = pack.website_maintenance.clone().unwrap_or_default();
        let running_site =
            |p: &&Platform| p.kind == PlatformKind::Website && p.runs_during(today, today);
        let sites: Vec<&Platform> = match scope {
            None => m.platforms().iter().filter(running_site).collect(),
            Some(orgs) => orgs
                .iter()
                .flat_map(|o| m.platforms_of(o))
                .filter(running_site)
                .collect(),
        };
        let last = last_logs::days(state).await.map_err(storage)?;
        let unmaintained: Vec<(&Platform, i64)> = sites
            .into_iter()
            .filter_map(|p| Some((p, log_gap(p, last.get(&p.id).copied(), &rules, today)?)))
            .collect();
        counts.push((PLATFORM_GROUND, n_overdue + unmaintained.len()));
        let (ground_title, citation) = ground_of(PLATFORM_GROUND);
        for (o, duty, fact) in overdue {
            let platform = o.platform_in(m);
            let org = m.org(&o.org);
            let person = org
                .and_then(|org| resolve(pack, m, org, Target::Duty { duty, platform }, o.due).ok())
                .and_then(|a| a.person)
                .map(|p| p.name)
                .unwrap_or_default();
            let (subject, subject_href) = match (platform, o.subject_kind.as_str()) {
                (Some(p), _) => (
                    p.name.clone(),
                    with_lang(&format!("/platforms/{}", encode(&p.id)), tr),
                ),
                (None, "person") => (
                    person_name(m, &o.subject),
                    with_lang(&format!("/people/{}", encode(&o.subject)), tr),
                ),
                _ => (String::new(), String::new()),
            };
            rows.push(Indicator {
                fact: fact.as_str(),
                ground: fact.ground(),
                ground_title: ground_title.clone(),
                citation: citation.clone(),
                what: fact.describe(lang),
                subject,
                subject_href,
                org: org.map(|o| o.name.clone()).unwrap_or_default(),
                evidence: format!(
                    "{}（{} {}）",
                    lang.pick(&duty.title, &duty.title_en),
                    tr.t("indicators.due"),
                    date(o.due)
                ),
                evidence_href: with_lang(&format!("/obligations/{}", encode(&o.id)), tr),
                day: date(o.due),
                person,
            });
        }
        let (skip, take) = (
            from.saturating_sub(n_overdue),
            until.saturating_sub(n_overdue),
        );
        for (p, days) in unmaintained.into_iter().take(take).skip(skip) {
            let org = m.org(&p.org);
            let person = match (org, p.portfolio.as_deref()) {
                (Some(org), Some(portfolio)) => {
                    resolve(pack, m, org, Target::Portfolio(portfolio), today)
                        .ok()
                        .and_then(|a| a.person)
                        .map(|p| p.name)
                        .unwrap_or_default()
                }
                _ => String::new(),
            };
            let href = with_lang(&format!("/platforms/{}", encode(&p.id)), tr);
            rows.push(Indicator {
                fact: "website-unmaintained",
                ground: PLATFORM_GROUND,
                ground_title: ground_title.clone(),
                citation: citation.clone(),
                what: tr.tf("indicators.website_gap", &[("days", &days.to_string())]),
                subject: p.name.clone(),
                subject_href: href.clone(),
                org: org.map(|o| o.name.clone()).unwrap_or_default(),
                evidence: match last.get(&p.id) {
                    Some(d) => tr.tf("indicators.last_log", &[("day", &date(*d))]),
                    None => tr.t("indicators.no_log").to_string(),
                },
                evidence_href: format!("{href}#website"),
                day: date(today),
                person,
            });
        }
    }
    if wants(EVENT_GROUND) {
        let before: usize = counts.iter().map(|(_, n)| n).sum();
        let count = state
            .db
            .count_unapproved_events(scope, now)
            .await
            .map_err(storage)?;
        counts.push((EVENT_GROUND, usize::try_from(count).unwrap_or(0)));
        let (skip, take) = (from.saturating_sub(before), until.saturating_sub(before));
        let events = state
            .db
            .unapproved_events(scope, now, skip as i64, take.saturating_sub(skip) as i64)
            .await
            .map_err(storage)?;
        let (ground_title, citation) = ground_of(EVENT_GROUND);
        for e in &events {
            let Some(fact) = of_event(false, e.changed_after_approval) else {
                continue;
            };
            let f = &e.fields;
            let approver = approver(pack, m, &f.org, &f.platform, f.major, f.day())
                .map(|(_, n)| n)
                .unwrap_or_default();
            rows.push(Indicator {
                fact: fact.as_str(),
                ground: fact.ground(),
                ground_title: ground_title.clone(),
                citation: citation.clone(),
                what: fact.describe(lang),
                subject: f.title.clone(),
                subject_href: with_lang(&format!("/events/{}", encode(&e.id)), tr),
                org: m.org(&f.org).map(|o| o.name.clone()).unwrap_or_default(),
                evidence: format!(
                    "{} {} · {}",
                    shown(f.starts_at),
                    m.find_platform(&f.platform)
                        .map(|p| p.name.as_str())
                        .unwrap_or_default(),
                    tr.tf(
                        "indicators.event_people",
                        &[
                            ("responsible", &person_name(m, &f.responsible)),
                            ("approver", &approver)
                        ]
                    ),
                ),
                evidence_href: with_lang(&format!("/events/{}", encode(&e.id)), tr),
                day: date(f.day()),
                person: approver,
            });
        }
    }
    Ok(Indicators {
        org,
        page,
        counts,
        rows,
    })
}

#[derive(Template)]
#[template(path = "indicators.html")]
struct IndicatorsPage {
    frame: Frame,
    tr: Tr,
    orgs: Vec<(String, String)>,
    org: String,
    ground: String,
    grounds: Vec<(&'static str, String)>,
    counts: Vec<(&'static str, String, usize)>,
    pager: Pager,
    rows: Vec<Indicator>,
}

async fn indicators_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    q: Result<Query<IndicatorQuery>, Rejected>,
) -> Response {
    let tr = v.tr;
    if let Err(r) = read_gate(&v) {
        return r.page(tr);
    }
    let q = match q {
        Ok(Query(q)) => q,
        Err(r) => return Refusal::from(r).page(tr),
    };
    let found = match indicators(&state, &v, &q).await {
        Ok(x) => x,
        Err(r) => return r.page(tr),
    };
    let m = &v.snap.model;
    let title = |g: &str| {
        v.snap
            .pack
            .grounds
            .iter()
            .find(|x| x.id == g)
            .map(|x| tr.lang().pick(&x.title, &x.title_en).to_string())
            .unwrap_or_default()
    };
    let ground = q.ground.as_deref().map(str::trim).unwrap_or_default();
    let params: Vec<(&str, &str)> = [("org", found.org.as_str()), ("ground", ground)]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .collect();
    page(
        StatusCode::OK,
        &IndicatorsPage {
            frame: Frame::of(&state, Some(&v)),
            tr,
            orgs: readable_orgs(&v)
                .iter()
                .filter_map(|id| m.org(id))
                .filter(|o| o.kind != zeren_core::vocab::OrgKind::Branch)
                .map(|o| (o.code.clone(), o.name.clone()))
                .collect(),
            org: found.org.clone(),
            ground: ground.to_string(),
            grounds: [PLATFORM_GROUND, EVENT_GROUND]
                .into_iter()
                .map(|g| (g, title(g)))
                .collect(),
            counts: found
                .counts
                .iter()
                .map(|(g, n)| (*g, title(g), *n))
                .collect(),
            pager: Pager::new(
                "/indicators",
                &params,
                found.page,
                found.total(),
                PER_PAGE,
                tr,
            ),
            rows: found.rows,
        },
    )
}

async fn api_indicators(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    q: Result<Query<IndicatorQuery>, Rejected>,
) -> Result<Response, ApiError> {
    read_gate(&v).map_err(Refusal::api)?;
    let Query(q) = q?;
    let found = indicators(&state, &v, &q).await.map_err(Refusal::api)?;
    let items: Vec<_> = found
        .rows
        .iter()
        .map(|r| {
            json!({
                "fact": r.fact, "ground": r.ground, "ground_title": r.ground_title,
                "citation": r.citation, "what": r.what, "subject": r.subject,
                "subject_href": r.subject_href, "org": r.org, "evidence": r.evidence,
                "evidence_href": r.evidence_href, "day": r.day, "person": r.person,
            })
        })
        .collect();
    let counts: serde_json::Map<String, serde_json::Value> = found
        .counts
        .iter()
        .map(|(g, n)| (g.to_string(), json!(n)))
        .collect();
    Ok(Json(json!({
        "total": found.total(), "counts": counts, "page": found.page, "per_page": PER_PAGE,
        "items": items,
    }))
    .into_response())
}
