//! Obligation generation: deterministic, idempotent, complete, every instance citing an article.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{d, demo_parts, holding, org, person, post};
use proptest::prelude::*;
use std::collections::{HashMap, HashSet};
use zeren_core::obligation::{
    Discharge, Event, ObligationStatus, SubjectKind, generate, generate_events_in, missing,
    status_on,
};
use zeren_core::policy::builtin_pack;
use zeren_core::vocab::{EventKind, OrgKind};

#[test]
fn a_college_year_has_the_expected_obligations() {
    let pack = builtin_pack().unwrap();
    let model = demo_parts().model();
    let list = generate(&pack, &model, 2026, &[]);
    let of = |duty: &str| list.iter().filter(|o| o.duty == duty).collect::<Vec<_>>();
    assert_eq!(of("annual-dedicated-study").len(), 1);
    assert_eq!(of("annual-dedicated-study")[0].due, d("2026-12-31"));
    let analyses = of("situation-analysis");
    assert_eq!(analyses.len(), 4);
    assert_eq!(
        analyses.iter().map(|o| o.due).collect::<Vec<_>>(),
        vec![
            d("2026-04-15"),
            d("2026-07-15"),
            d("2026-10-15"),
            d("2027-01-15")
        ]
    );
    assert_eq!(of("youth-education").len(), 2);
    assert_eq!(of("platform-annual-review")[0].due, d("2026-06-30"));
    // Once-only registration, due 30 days after the policy took effect for an older platform.
    assert_eq!(of("platform-registration")[0].due, d("2021-06-12"));
    assert_eq!(of("operator-training").len(), 1);
    // Branches owe none of the college duties.
    assert!(list.iter().all(|o| o.org != "cqu-mse-b1"));
}

#[test]
fn an_org_closed_owes_nothing_falling_due_after_its_closing_day() {
    let pack = builtin_pack().unwrap();
    let mut parts = demo_parts();
    let mse = parts.orgs.iter_mut().find(|o| o.id == "cqu-mse").unwrap();
    mse.closed_on = Some(d("2026-06-30"));
    let list = generate(&pack, &parts.model(), 2026, &[]);
    let owed: Vec<_> = list.iter().filter(|o| o.org == "cqu-mse").collect();
    assert!(
        !owed.is_empty(),
        "what fell due before the closing stays owed"
    );
    assert!(owed.iter().all(|o| o.due <= d("2026-06-30")), "{owed:?}");
    // The annual study (due 31 December) is no longer owed; the first quarter's analysis is.
    assert!(owed.iter().all(|o| o.duty != "annual-dedicated-study"));
    assert!(
        owed.iter()
            .any(|o| o.duty == "situation-analysis" && o.due == d("2026-04-15"))
    );
}

#[test]
fn events_create_on_event_obligations() {
    let pack = builtin_pack().unwrap();
    let model = demo_parts().model();
    let events = vec![
        Event {
            id: "e1".into(),
            kind: EventKind::Incident,
            org: "cqu-mse".into(),
            date: d("2026-05-10"),
            platform: None,
            due: None,
        },
        Event {
            id: "e2".into(),
            kind: EventKind::MajorProject,
            org: "cqu-mse".into(),
            date: d("2026-09-01"),
            platform: None,
            due: None,
        },
        Event {
            id: "e3".into(),
            kind: EventKind::Incident,
            org: "cqu-mse".into(),
            date: d("2025-05-10"),
            platform: None,
            due: None,
        },
    ];
    let list = generate(&pack, &model, 2026, &events);
    let incident: Vec<_> = list
        .iter()
        .filter(|o| o.duty == "incident-handling")
        .collect();
    assert_eq!(incident.len(), 1);
    assert_eq!(incident[0].due, d("2026-05-11"));
    let risk: Vec<_> = list
        .iter()
        .filter(|o| o.duty == "risk-assessment")
        .collect();
    assert_eq!(risk[0].due, d("2026-08-17"));
    // What one event's change works out: the same obligations of events, and nothing else.
    let of_events = generate_events_in(
        &pack,
        std::slice::from_ref(&pack.meta),
        &model,
        2026,
        &events,
    );
    let expected: Vec<_> = list
        .iter()
        .filter(|o| o.subject_kind == SubjectKind::Event)
        .cloned()
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(of_events, expected);
}

#[test]
fn nothing_is_owed_before_the_policy_took_effect() {
    let pack = builtin_pack().unwrap();
    let model = demo_parts().model();
    assert!(generate(&pack, &model, 2020, &[]).is_empty());
    // 2021: Q1 analysis was due 2021-04-15, before 2021-05-13.
    let y2021 = generate(&pack, &model, 2021, &[]);
    assert!(
        !y2021
            .iter()
            .any(|o| o.duty == "situation-analysis" && o.period == "2021-Q1")
    );
    assert!(
        y2021
            .iter()
            .any(|o| o.duty == "situation-analysis" && o.period == "2021-Q2")
    );
}

#[test]
fn status_follows_the_due_date() {
    let due = d("2026-12-31");
    assert_eq!(
        status_on(Discharge::Open, due, d("2026-11-28"), 14),
        ObligationStatus::Upcoming
    );
    assert_eq!(
        status_on(Discharge::Open, due, d("2026-12-17"), 14),
        ObligationStatus::DueSoon
    );
    assert_eq!(
        status_on(Discharge::Open, due, d("2026-12-31"), 14),
        ObligationStatus::DueSoon
    );
    assert_eq!(
        status_on(Discharge::Open, due, d("2027-01-01"), 14),
        ObligationStatus::Overdue
    );
    assert_eq!(
        status_on(Discharge::Done(d("2026-06-01")), due, d("2027-01-01"), 14),
        ObligationStatus::Done
    );
    assert_eq!(
        status_on(Discharge::Waived, due, d("2027-01-01"), 14),
        ObligationStatus::Waived
    );
    assert_eq!(ObligationStatus::DueSoon.as_str(), "due_soon");
}

/// A random org tree with posts and holdings.
fn arb_model() -> impl Strategy<Value = common::Parts> {
    (
        1usize..6,
        prop::collection::vec((0usize..3, 2015i32..2027, 1u32..13, prop::bool::ANY), 0..20),
    )
        .prop_map(|(colleges, hs)| {
            let mut parts = common::Parts {
                orgs: vec![org("u", OrgKind::University, None)],
                people: vec![],
                posts: vec![],
                holdings: vec![],
                platforms: vec![],
            };
            for c in 0..colleges {
                let cid = format!("c{c}");
                parts.orgs.push(org(&cid, OrgKind::College, Some("u")));
                parts
                    .orgs
                    .push(org(&format!("{cid}-b"), OrgKind::Branch, Some(&cid)));
                parts
                    .posts
                    .push(post(&format!("{cid}-op"), &cid, "platform-operator", &[]));
            }
            for (i, (c, y, m, open)) in hs.into_iter().enumerate() {
                let cid = format!("c{}", c % colleges);
                let pid = format!("person{i}");
                parts.people.push(person(&pid, &cid));
                let start = format!("{y}-{m:02}-01");
                let end = if open {
                    None
                } else {
                    Some(format!("{}-{m:02}-01", y + 1))
                };
                parts.holdings.push(holding(
                    &format!("h{i}"),
                    &format!("{cid}-op"),
                    &pid,
                    &start,
                    end.as_deref(),
                ));
            }
            parts
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn generation_is_deterministic_unique_and_cites_existing_articles(parts in arb_model(), year in 2019i32..2030) {
        let pack = builtin_pack().unwrap();
        let model = parts.model();
        let a = generate(&pack, &model, year, &[]);
        let b = generate(&pack, &model, year, &[]);
        prop_assert_eq!(&a, &b);
        let keys: HashSet<&str> = a.iter().map(|o| o.key.as_str()).collect();
        prop_assert_eq!(keys.len(), a.len());
        for o in &a {
            prop_assert!(pack.cited_text(o.citation).is_some(), "{} cites {}", o.key, o.citation);
            prop_assert!(pack.duty(&o.duty).is_some());
            prop_assert!(o.due.format("%Y").to_string().parse::<i32>().unwrap() <= year + 1);
        }
    }

    #[test]
    fn regeneration_after_a_handover_or_a_new_org_keeps_existing_instances(parts in arb_model(), year in 2022i32..2028) {
        let pack = builtin_pack().unwrap();
        let first = generate(&pack, &parts.model(), year, &[]);
        // Completion data kept beside the key, as storage keeps it.
        let mut ledger: HashMap<String, Option<&str>> = first.iter().map(|o| (o.key.clone(), Some("done"))).collect();
        let mut changed = parts;
        changed.orgs.push(org("c-new", OrgKind::College, Some("u")));
        if let Some(h) = changed.holdings.first_mut() {
            h.end = Some(h.start);
        }
        changed.people.push(person("successor", "c0"));
        changed.holdings.push(holding("h-successor", "c0-op", "successor", &format!("{year}-07-01"), None));
        let second = generate(&pack, &changed.model(), year, &[]);
        let existing: HashSet<String> = ledger.keys().cloned().collect();
        let new: Vec<_> = missing(&second, &existing).collect();
        for o in &new {
            prop_assert!(!existing.contains(&o.key));
            ledger.insert(o.key.clone(), None);
        }
        // Every first-round instance is still there with its completion data.
        for o in &first {
            prop_assert_eq!(ledger.get(&o.key).copied().flatten(), Some("done"));
        }
        // The new org got its own obligations.
        prop_assert!(new.iter().any(|o| o.org == "c-new"));
    }
}

#[test]
fn platform_duties_follow_the_lifecycle_and_operators_owe_training() {
    use zeren_core::vocab::PlatformState;
    let pack = builtin_pack().unwrap();
    let owed = |parts: &common::Parts, duty: &str| {
        generate(&pack, &parts.model(), 2026, &[])
            .into_iter()
            .filter(|o| o.duty == duty)
            .map(|o| o.subject)
            .collect::<Vec<_>>()
    };
    // A platform being set up owes its registration, due 30 days after it entered the
    // registry, but no annual review: it does not run yet; its operator owes no training.
    let mut parts = demo_parts();
    let pf = &mut parts.platforms[0];
    pf.state = PlatformState::Planned;
    pf.active_from = None;
    pf.opened_on = d("2026-05-01");
    let list = generate(&pack, &parts.model(), 2026, &[]);
    let registration = list
        .iter()
        .find(|o| o.duty == "platform-registration")
        .unwrap();
    assert_eq!(registration.due, d("2026-05-31"));
    assert!(owed(&parts, "platform-annual-review").is_empty());
    assert!(owed(&parts, "operator-training").is_empty());
    // Once it runs (even suspended later), the review and the training are owed; a second
    // operator owes training too, once however many platforms they run.
    parts.platforms[0].state = PlatformState::Suspended;
    parts.platforms[0].active_from = Some(d("2026-06-10"));
    parts.platforms[0].operators.push("zheng".into());
    assert_eq!(owed(&parts, "platform-annual-review"), vec!["pf-wechat"]);
    let mut trained = owed(&parts, "operator-training");
    trained.sort();
    assert_eq!(trained, vec!["liu", "zheng"]);
    // One that began to run after the review's due day (30 June) owes the year's review by
    // 31 December, not one late the day it opened.
    parts.platforms[0].active_from = Some(d("2026-07-10"));
    let review = generate(&pack, &parts.model(), 2026, &[])
        .into_iter()
        .find(|o| o.duty == "platform-annual-review")
        .unwrap();
    assert_eq!(review.due, d("2026-12-31"));
    assert_eq!(owed(&parts, "operator-training").len(), 2);
    // A platform closed before the year owes nothing in it.
    parts.platforms[0].closed_on = Some(d("2025-12-01"));
    parts.platforms[0].opened_on = d("2025-01-01");
    parts.platforms[0].active_from = Some(d("2025-02-01"));
    assert!(owed(&parts, "platform-annual-review").is_empty());
    assert!(owed(&parts, "operator-training").is_empty());
}
