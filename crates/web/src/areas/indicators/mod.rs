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
use chrono::{NaiveDate, Timelike};
use serde::Deserialize;
use serde_json::json;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use zeren_core::access::Permission;
use zeren_core::events::{approver, event_duty, shown};
use zeren_core::indicators::{
    EVENT_GROUND, PLATFORM_GROUND, long_overdue_by, of_event, of_obligation, overdue_at_once,
};
use zeren_core::org::Platform;
use zeren_core::platforms::website::log_gap;
use zeren_core::policy::Subject;
use zeren_core::responsibility::{Target, resolve};

use zeren_storage::StorageError;
use zeren_storage::repo::indicators::Overdue;

mod catalog;
mod incidents;
mod last_logs;

pub use catalog::CATALOG;

const QUERY: &[(&str, &str)] = &[
    (
        "org",
        "Org code or id: facts of its subtree (default: every org in scope)",
    ),
    ("ground", "art5-2 | art5-3 | art5-6 | art5-7 (default: all)"),
    ("page", "Page number, from 1; 50 facts a page"),
];

/// Page routes of this area.
pub fn page_routes() -> Routes {
    Routes::pages().get(
        "/indicators",
        Describe::auth(
            "indicators",
            "Facts that may touch a ground for accountability (Art.5(2), (3), (6), (7)), with their evidence",
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

/// The grounds of the view, in the order their facts are listed.
const ALL_GROUNDS: [&str; 4] = [
    PLATFORM_GROUND,
    EVENT_GROUND,
    incidents::GROUNDS[0],
    incidents::GROUNDS[1],
];

/// The query.
#[derive(Deserialize, Default)]
pub struct IndicatorQuery {
    org: Option<String>,
    ground: Option<String>,
    page: Option<String>,
}

/// One indicator, as shown and as the API gives it.
#[derive(Clone)]
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
    /// The org's id, the evidence as `kind:id` and the person's id: what a case opened from
    /// the indicator starts with.
    pub org_id: String,
    pub evidence_ref: String,
    pub person_id: String,
    /// The form that opens a case from it, for the discipline commission in the org's scope.
    pub case_href: Option<String>,
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

/// What a request asks for, checked: whose facts, which ground, which page.
struct Asked<'q> {
    /// The org asked for (its code and id), if one was; it is in the viewer's scope.
    org: Option<(String, String)>,
    ground: Option<&'q str>,
    page: usize,
}

impl Asked<'_> {
    /// Whose facts are asked for: an org's subtree, or the orgs the viewer's scopes can read
    /// (their readable orgs follow from the scopes and the model).
    fn whose(&self, v: &Viewer) -> String {
        match &self.org {
            Some((_, id)) => format!("org {id}"),
            None => {
                let mut scopes = v.principal.scopes(Permission::ReadOrg);
                scopes.sort_unstable();
                scopes.dedup();
                format!("scopes {}", scopes.join(" "))
            }
        }
    }

    /// What the page found for this ask depends on beside the moment: whose facts, the
    /// ground, the page and the language of the words and links (`?lang=` or not).
    fn key(&self, whose: &str, tr: Tr) -> String {
        format!(
            "{whose}|{}|{}|{}{}",
            self.ground.unwrap_or_default(),
            self.page,
            tr.tag(),
            tr.qs()
        )
    }
}

/// Checks the query: an org the viewer may read, a ground of the view, a page number.
fn ask<'q>(v: &Viewer, q: &'q IndicatorQuery) -> Result<Asked<'q>, Refusal> {
    let tr = v.tr;
    let org = match nonempty(&q.org) {
        Some(c) => {
            let o = v
                .snap
                .model
                .find_org(c)
                .filter(|o| v.can(Permission::ReadOrg, Some(&o.id)))
                .ok_or_else(|| Refusal::not_found(tr, "indicators.org_not_found", c))?;
            Some((o.code.clone(), o.id.clone()))
        }
        None => None,
    };
    let ground = nonempty(&q.ground);
    if let Some(g) = ground
        && !ALL_GROUNDS.contains(&g)
    {
        return Err(Refusal::invalid(
            tr,
            "ground",
            &tr.tf("indicators.error.ground", &[("value", g)]),
        ));
    }
    let page = page_number(nonempty(&q.page), tr, "indicators.error.page")?;
    Ok(Asked { org, ground, page })
}

/// The moment facts are found as of: the ledger generation (obligations, events, records), the
/// snapshot's generation (orgs, people, posts, platforms and their upkeep logs) and the minute,
/// each moving only forward; a sign-in or a notification moves none of them.
type Moment = (i64, i64, chrono::NaiveDateTime);

/// A value found once for every reader that asks for it at the same moment: the first reader
/// works it out, those who ask meanwhile wait for it.
type Shared<T> = Arc<tokio::sync::OnceCell<Arc<T>>>;

/// What was found at the latest moment: the counts of each scope and the pages asked for.
/// A reader at a newer moment starts it over; one still at an older moment (it read the
/// stamp before a change) works its page out alone.
#[derive(Default)]
struct Found(Mutex<Kept>);

#[derive(Default)]
struct Kept {
    at: Option<Moment>,
    counts: HashMap<String, Shared<Counted>>,
    pages: HashMap<String, Shared<Indicators>>,
}

/// Pages kept for one moment before the cache starts over.
const FOUND_KEPT: usize = 1024;

impl Found {
    /// The shared counts of `whose` and page of `key` at `at`.
    fn at(&self, at: Moment, whose: &str, key: &str) -> (Shared<Counted>, Shared<Indicators>) {
        let mut kept = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if kept.at.is_none_or(|k| k < at) || kept.pages.len() >= FOUND_KEPT {
            *kept = Kept {
                at: Some(at),
                ..Kept::default()
            };
        }
        if kept.at != Some(at) {
            return Default::default();
        }
        (
            kept.counts.entry(whose.to_string()).or_default().clone(),
            kept.pages.entry(key.to_string()).or_default().clone(),
        )
    }
}

/// The facts the query asks for, within the viewer's scope: counted once for each scope and
/// found once for each page at each moment (a change of the ledger or the model, a new minute),
/// and kept for the readers after.
async fn indicators(
    state: &AppState,
    v: &Viewer,
    q: &IndicatorQuery,
) -> Result<Arc<Indicators>, Refusal> {
    let tr = v.tr;
    let asked = ask(v, q)?;
    let storage =
        |e: StorageError| Refusal::storage(tr, e, "indicators.error", || Refusal::forbidden(tr));
    let ledger = state.ledger_generation().await.map_err(storage)?;
    // To the minute: events that began this minute count from the next one.
    let now = state
        .clock
        .now()
        .with_timezone(&zeren_core::clock::shanghai())
        .naive_local()
        .with_second(0)
        .unwrap_or_default()
        .with_nanosecond(0)
        .unwrap_or_default();
    let whose = asked.whose(v);
    let (counted, found) = state.cache::<Found>().at(
        (ledger, v.snap.generation, now),
        &whose,
        &asked.key(&whose, tr),
    );
    let page = found
        .get_or_try_init(|| async {
            let counted = counted
                .get_or_try_init(|| async {
                    let orgs = orgs_of(v, &asked);
                    count(state, v, unless_every_org(v, &orgs).as_deref(), &whose, now)
                        .await
                        .map(Arc::new)
                })
                .await?;
            work_out(state, v, &asked, counted, now).await.map(Arc::new)
        })
        .await?;
    Ok(page.clone())
}

/// The ids of the orgs whose facts are asked for.
fn orgs_of(v: &Viewer, asked: &Asked<'_>) -> Vec<String> {
    match &asked.org {
        Some((_, id)) => v
            .snap
            .model
            .subtree(id)
            .iter()
            .map(|o| o.id.clone())
            .collect(),
        None => readable_orgs(v),
    }
}

/// How many facts there are in a scope under each ground, whatever page is asked for.
struct Counted {
    /// Overdue platform duties listed.
    overdue: usize,
    /// Running websites without upkeep: (platform id, days since its last log or its start,
    /// its last log day), in the model's order.
    unmaintained: Vec<(String, i64, Option<NaiveDate>)>,
    /// Events held unapproved.
    events: usize,
    /// The facts of incidents and major projects.
    incidents: Arc<incidents::IncidentFacts>,
    /// The orgs of the scope, or `None` for every org.
    scope: Option<Vec<String>>,
}

/// Which overdue obligations the view lists, as the policies in force say (see [`Overdue`]).
struct OverdueRules {
    operator_duties: Vec<String>,
    except: Option<String>,
    at_once: Vec<String>,
}

impl OverdueRules {
    fn of(v: &Viewer) -> OverdueRules {
        let pack = &v.snap.pack;
        OverdueRules {
            operator_duties: pack
                .duties
                .iter()
                .filter(|d| matches!(d.subject, Subject::Operator { .. }))
                .map(|d| d.id.clone())
                .collect(),
            // An event's approval is the event's own fact (art5-7), not a platform's.
            except: event_duty(pack).map(|d| d.id.clone()),
            // The duties whose overdue obligations are facts at once, in any policy in force.
            at_once: v
                .snap
                .set
                .packs()
                .iter()
                .flat_map(|p| p.duties.iter())
                .filter(|d| overdue_at_once(d))
                .map(|d| d.id.clone())
                .collect(),
        }
    }

    fn filter<'a>(&'a self, scope: Option<&'a [String]>, today: NaiveDate) -> Overdue<'a> {
        Overdue {
            orgs: scope,
            operator_duties: &self.operator_duties,
            except: self.except.as_deref(),
            at_once: &self.at_once,
            long_before: long_overdue_by(today),
            today,
        }
    }
}

/// Counts the facts of `scope` (every org when `None`): the overdue platform duties and the
/// events in the database, the websites (bounded by the platforms, their last log days kept in
/// memory) in full.
async fn count(
    state: &AppState,
    v: &Viewer,
    scope: Option<&[String]>,
    whose: &str,
    now: chrono::NaiveDateTime,
) -> Result<Counted, Refusal> {
    let tr = v.tr;
    let m = &v.snap.model;
    let today = now.date();
    let storage =
        |e: StorageError| Refusal::storage(tr, e, "indicators.error", || Refusal::forbidden(tr));
    let rules = OverdueRules::of(v);
    let overdue = state
        .db
        .count_overdue_platform_obligations(&rules.filter(scope, today))
        .await
        .map_err(storage)?;
    let upkeep = v.snap.pack.website_maintenance.clone().unwrap_or_default();
    let running_site = |p: &&Platform| p.kind.is_website() && p.runs_during(today, today);
    let sites: Vec<&Platform> = match scope {
        None => m.platforms().iter().filter(running_site).collect(),
        Some(orgs) => orgs
            .iter()
            .flat_map(|o| m.platforms_of(o))
            .filter(running_site)
            .collect(),
    };
    let last = last_logs::days(state).await.map_err(storage)?;
    let unmaintained = sites
        .into_iter()
        .filter_map(|p| {
            let day = last.get(&p.id).copied();
            Some((p.id.clone(), log_gap(p, day, &upkeep, today)?, day))
        })
        .collect();
    let events = state
        .db
        .count_unapproved_events(scope, now)
        .await
        .map_err(storage)?;
    let incidents = incidents::count(state, v, scope, whose, now)
        .await
        .map_err(storage)?;
    Ok(Counted {
        overdue: usize::try_from(overdue).unwrap_or(0),
        unmaintained,
        events: usize::try_from(events).unwrap_or(0),
        incidents,
        scope: scope.map(<[String]>::to_vec),
    })
}

/// The facts `asked` for, one page of them, within the counts of their scope: the page's
/// overdue platform duties and events read from the database by index (never the whole
/// ledger), its websites taken from the counts.
async fn work_out(
    state: &AppState,
    v: &Viewer,
    asked: &Asked<'_>,
    counted: &Counted,
    now: chrono::NaiveDateTime,
) -> Result<Indicators, Refusal> {
    let tr = v.tr;
    let m = &v.snap.model;
    let pack = &v.snap.pack;
    let lang = tr.lang();
    let org = asked
        .org
        .as_ref()
        .map(|(code, _)| code.clone())
        .unwrap_or_default();
    let scope = counted.scope.as_deref();
    let (ground, page) = (asked.ground, asked.page);
    let (from, until) = ((page - 1) * PER_PAGE, page * PER_PAGE);
    let wants = |g: &str| ground.is_none_or(|x| x == g);
    let today = now.date();
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
        let rules = OverdueRules::of(v);
        let n_overdue = counted.overdue;
        let obligations = state
            .db
            .overdue_platform_obligations(
                &rules.filter(scope, today),
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
        let unmaintained = &counted.unmaintained;
        counts.push((PLATFORM_GROUND, n_overdue + unmaintained.len()));
        let (ground_title, citation) = ground_of(PLATFORM_GROUND);
        for (o, duty, fact) in overdue {
            let platform = o.platform_in(m);
            let org = m.org(&o.org);
            let answered = org
                .and_then(|org| resolve(pack, m, org, Target::Duty { duty, platform }, o.due).ok())
                .and_then(|a| a.person);
            let person_id = answered.as_ref().map(|p| p.id.clone()).unwrap_or_default();
            let person = answered.map(|p| p.name).unwrap_or_default();
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
                org_id: o.org.clone(),
                evidence_ref: format!("obligation:{}", o.id),
                person_id,
                case_href: None,
            });
        }
        let (skip, take) = (
            from.saturating_sub(n_overdue),
            until.saturating_sub(n_overdue),
        );
        let sites = unmaintained
            .iter()
            .take(take)
            .skip(skip)
            .filter_map(|(id, days, last)| Some((m.find_platform(id)?, days, last)));
        for (p, days, last) in sites {
            let org = m.org(&p.org);
            let answered = match (org, p.portfolio.as_deref()) {
                (Some(org), Some(portfolio)) => {
                    resolve(pack, m, org, Target::Portfolio(portfolio), today)
                        .ok()
                        .and_then(|a| a.person)
                }
                _ => None,
            };
            let person_id = answered.as_ref().map(|p| p.id.clone()).unwrap_or_default();
            let person = answered.map(|p| p.name).unwrap_or_default();
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
                evidence: match last {
                    Some(d) => tr.tf("indicators.last_log", &[("day", &date(*d))]),
                    None => tr.t("indicators.no_log").to_string(),
                },
                evidence_href: format!("{href}#website"),
                day: date(today),
                person,
                org_id: p.org.clone(),
                evidence_ref: format!("platform:{}", p.id),
                person_id,
                case_href: None,
            });
        }
    }
    if wants(EVENT_GROUND) {
        let before: usize = counts.iter().map(|(_, n)| n).sum();
        counts.push((EVENT_GROUND, counted.events));
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
            let (approver_id, approver) =
                approver(pack, m, &f.org, &f.platform, f.major, f.day()).unwrap_or_default();
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
                org_id: f.org.clone(),
                evidence_ref: format!("event:{}", e.id),
                person_id: approver_id,
                case_href: None,
            });
        }
    }
    for (g, facts) in [
        (incidents::GROUNDS[0], &counted.incidents.major),
        (incidents::GROUNDS[1], &counted.incidents.prevention),
    ] {
        if !wants(g) {
            continue;
        }
        let before: usize = counts.iter().map(|(_, n)| n).sum();
        counts.push((g, facts.len()));
        let (skip, take) = (from.saturating_sub(before), until.saturating_sub(before));
        if take > skip {
            rows.extend(
                incidents::rows(state, v, facts, skip, take)
                    .await
                    .map_err(storage)?,
            );
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
            grounds: ALL_GROUNDS.into_iter().map(|g| (g, title(g))).collect(),
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
            rows: found
                .rows
                .iter()
                .cloned()
                .map(|mut r| {
                    r.case_href = case_link(&v, &r);
                    r
                })
                .collect(),
        },
    )
}

/// The form that opens a case from an indicator, for the discipline commission in its org's
/// scope: the org, the evidence, the fact, its ground, who answered for it and the day.
fn case_link(v: &Viewer, r: &Indicator) -> Option<String> {
    v.can(Permission::Cases, Some(&r.org_id)).then(|| {
        let org = v
            .snap
            .model
            .org(&r.org_id)
            .map(|o| o.code.as_str())
            .unwrap_or_default();
        crate::shared::urls::href_with(
            "/cases/new",
            &[
                ("org", org),
                ("fact", r.evidence_ref.as_str()),
                ("indicator", r.fact),
                ("ground", r.ground),
                ("person", r.person_id.as_str()),
                ("day", r.day.as_str()),
            ],
            v.tr,
        )
    })
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
                "evidence_ref": r.evidence_ref, "person_id": r.person_id,
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
