//! The indicators view (Art.5): for each org in the viewer's scope, the facts in the ledger that
//! may touch a ground for accountability so far — platforms whose annual review is overdue and
//! platform duties long overdue (`art5-6`), online events held without standing approval
//! (`art5-7`) — each with its evidence (the obligation or the event) and the person who answered
//! for it on the relevant day. Read-only: facts for people to look at, never verdicts; cases are
//! opened by people, elsewhere.

use crate::AppState;
use crate::shared::access::{Refusal, read_gate, readable_orgs};
use crate::shared::auth::{ApiViewer, PageViewer, Viewer};
use crate::shared::error::ApiError;
use crate::shared::extract::{Query, Rejected};
use crate::shared::format::{date, person_name};
use crate::shared::frame::{Frame, page};
use crate::shared::i18n::Tr;
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
use zeren_core::events::{approver, shown};
use zeren_core::indicators::{of_event, of_obligation};
use zeren_core::policy::Subject;
use zeren_core::responsibility::{Target, resolve};
use zeren_storage::StorageError;

mod catalog;

pub use catalog::CATALOG;

const QUERY: &[(&str, &str)] = &[
    (
        "org",
        "Org code or id: facts of its subtree (default: every org in scope)",
    ),
    ("ground", "art5-6 | art5-7 (default: both)"),
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

/// The query.
#[derive(Deserialize, Default)]
pub struct IndicatorQuery {
    org: Option<String>,
    ground: Option<String>,
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

/// The facts within the viewer's scope (of `org`'s subtree when given), `ground` only if given.
async fn indicators(
    state: &AppState,
    v: &Viewer,
    q: &IndicatorQuery,
) -> Result<(String, Vec<Indicator>), Refusal> {
    let tr = v.tr;
    let m = &v.snap.model;
    let pack = &v.snap.pack;
    let lang = tr.lang();
    let trimmed = |s: &Option<String>| {
        s.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let (org, orgs) = match trimmed(&q.org) {
        Some(c) => {
            let o = m
                .find_org(&c)
                .filter(|o| v.can(Permission::ReadOrg, Some(&o.id)))
                .ok_or_else(|| Refusal::not_found(tr, "indicators.org_not_found", &c))?;
            (
                o.code.clone(),
                m.subtree(&o.id).iter().map(|o| o.id.clone()).collect(),
            )
        }
        None => (String::new(), readable_orgs(v)),
    };
    let ground = trimmed(&q.ground);
    if let Some(g) = ground.as_deref()
        && !["art5-6", "art5-7"].contains(&g)
    {
        return Err(Refusal::invalid(
            tr,
            "ground",
            &tr.tf("indicators.error.ground", &[("value", g)]),
        ));
    }
    let wants = |g: &str| ground.as_deref().is_none_or(|x| x == g);
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
    let operator_duties: Vec<String> = pack
        .duties
        .iter()
        .filter(|d| matches!(d.subject, Subject::Operator { .. }))
        .map(|d| d.id.clone())
        .collect();
    let storage =
        |e: StorageError| Refusal::storage(tr, e, "indicators.error", || Refusal::forbidden(tr));
    let mut out = Vec::new();
    if wants("art5-6") {
        let obligations = state
            .db
            .overdue_platform_obligations(Some(&orgs), &operator_duties, today)
            .await
            .map_err(storage)?;
        for o in &obligations {
            let Some(duty) = v.snap.set.get(&o.policy).unwrap_or(pack).duty(&o.duty) else {
                continue;
            };
            let Some(fact) = of_obligation(duty, o.due, today) else {
                continue;
            };
            let platform = o.platform_in(m);
            let org = m.org(&o.org);
            let person = org
                .and_then(|org| resolve(pack, m, org, Target::Duty { duty, platform }, o.due).ok())
                .and_then(|a| a.person)
                .map(|p| p.name)
                .unwrap_or_default();
            let (ground_title, citation) = ground_of(fact.ground());
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
            out.push(Indicator {
                fact: fact.as_str(),
                ground: fact.ground(),
                ground_title,
                citation,
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
    }
    if wants("art5-6") {
        // Running websites with no maintenance logged for the pack's days.
        let rules = pack.website_maintenance.clone().unwrap_or_default();
        let sites: Vec<&zeren_core::org::Platform> = orgs
            .iter()
            .flat_map(|o| m.platforms_of(o))
            .filter(|p| {
                p.kind == zeren_core::vocab::PlatformKind::Website && p.runs_during(today, today)
            })
            .collect();
        let ids: Vec<String> = sites.iter().map(|p| p.id.clone()).collect();
        let last = state.db.last_log_days(&ids).await.map_err(storage)?;
        for p in sites {
            let Some(days) =
                zeren_core::platforms::website::log_gap(p, last.get(&p.id).copied(), &rules, today)
            else {
                continue;
            };
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
            let (ground_title, citation) = ground_of("art5-6");
            let href = with_lang(&format!("/platforms/{}", encode(&p.id)), tr);
            out.push(Indicator {
                fact: "website-unmaintained",
                ground: "art5-6",
                ground_title,
                citation,
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
    if wants("art5-7") {
        let events = state
            .db
            .unapproved_events(Some(&orgs), now)
            .await
            .map_err(storage)?;
        for e in &events {
            let Some(fact) = of_event(false, e.changed_after_approval) else {
                continue;
            };
            let f = &e.fields;
            let (ground_title, citation) = ground_of(fact.ground());
            let approver = approver(pack, m, &f.org, &f.platform, f.major, f.day())
                .map(|(_, n)| n)
                .unwrap_or_default();
            out.push(Indicator {
                fact: fact.as_str(),
                ground: fact.ground(),
                ground_title,
                citation,
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
    Ok((org, out))
}

#[derive(Template)]
#[template(path = "indicators.html")]
struct IndicatorsPage {
    frame: Frame,
    tr: Tr,
    orgs: Vec<(String, String)>,
    org: String,
    ground: String,
    counts: Vec<(String, String, usize)>,
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
    let (org, rows) = match indicators(&state, &v, &q).await {
        Ok(x) => x,
        Err(r) => return r.page(tr),
    };
    let m = &v.snap.model;
    let counts = ["art5-6", "art5-7"]
        .iter()
        .map(|g| {
            let title = v
                .snap
                .pack
                .grounds
                .iter()
                .find(|x| x.id == *g)
                .map(|x| tr.lang().pick(&x.title, &x.title_en).to_string())
                .unwrap_or_default();
            (
                g.to_string(),
                title,
                rows.iter().filter(|r| r.ground == *g).count(),
            )
        })
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
            org,
            ground: q.ground.clone().unwrap_or_default(),
            counts,
            rows,
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
    let (_, rows) = indicators(&state, &v, &q).await.map_err(Refusal::api)?;
    let items: Vec<_> = rows
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
    Ok(Json(json!({"total": items.len(), "items": items})).into_response())
}
