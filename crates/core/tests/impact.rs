//! Impact before adoption: what a new version of the built-in pack says differently, and what
//! loading it does to the ledger of the demo model.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{d, demo_parts};
use zeren_core::citation::Citation;
use zeren_core::lang::Lang;
use zeren_core::obligation::PlannedObligation;
use zeren_core::policy::{
    Action, ChangeKind, DiffOp, Field, Impact, LedgerImpact, PackDiff, Policies, PolicyPack,
    StoredRow, StoredState, YearPlans, builtin_pack, builtin_source_as, parse_pack,
};

/// Version 2 of the built-in series, in force from 2026-07-01: the situation analysis monthly,
/// Art.4(2) says 每月 where it said 定期, and cadre training answered for by the leader in
/// charge of publicity instead of organisation.
fn version_2() -> PolicyPack {
    let src = builtin_source_as("cqu-mse-2026-4", 2, "2026-07-01")
        .replacen(
            "cadence = \"quarterly\"                    # college's choice",
            "cadence = \"monthly\"                    # college's choice",
            1,
        )
        .replacen(
            "定期分析研判网络意识形态领域情况",
            "每月分析研判网络意识形态领域情况",
            1,
        )
        .replacen(
            "responsible = \"portfolio:organisation\"",
            "responsible = \"portfolio:publicity\"",
            1,
        );
    assert!(src.contains("每月分析研判"));
    parse_pack(&src).unwrap()
}

type DutyRow<'a> = (&'a str, ChangeKind, Vec<(Field, &'a str, &'a str)>);
type GroupRow<'a> = (&'a str, &'a str, Vec<(&'a str, Action)>, usize);

fn v1() -> PolicyPack {
    builtin_pack().unwrap()
}

fn field(list: &[zeren_core::policy::FieldChange]) -> Vec<(Field, &str, &str)> {
    list.iter()
        .map(|f| (f.field, f.old.as_str(), f.new.as_str()))
        .collect()
}

#[test]
fn the_diff_names_what_the_new_version_says_differently() {
    let diff = PackDiff::between(&v1(), &version_2());
    assert_eq!(diff.old.id, "cqu-mse-2021-6");
    assert_eq!(diff.new.id, "cqu-mse-2026-4");
    // One item changed, by two characters.
    assert_eq!(diff.articles.len(), 1);
    let a = &diff.articles[0];
    assert_eq!(
        (a.citation, a.kind),
        (Citation::item(4, 2), ChangeKind::Changed)
    );
    assert_eq!(a.cited(Lang::Zh), "第四条第（二）项");
    assert_eq!(a.cited(Lang::En), "Art.4(2)");
    let changed: Vec<(DiffOp, &str)> = a
        .diff
        .iter()
        .filter(|s| s.op != DiffOp::Equal)
        .map(|s| (s.op, s.text.as_str()))
        .collect();
    assert_eq!(
        changed,
        vec![(DiffOp::Delete, "定期"), (DiffOp::Insert, "每月")]
    );
    // The diff spans rebuild both texts.
    let side = |skip: DiffOp| {
        a.diff
            .iter()
            .filter(|s| s.op != skip)
            .map(|s| s.text.as_str())
            .collect::<String>()
    };
    assert_eq!(Some(side(DiffOp::Insert)), a.old);
    assert_eq!(Some(side(DiffOp::Delete)), a.new);
    // Two duties changed, each in the one aspect.
    let duties: Vec<DutyRow> = diff
        .duties
        .iter()
        .map(|e| (e.id.as_str(), e.kind, field(&e.fields)))
        .collect();
    assert_eq!(
        duties,
        vec![
            (
                "situation-analysis",
                ChangeKind::Changed,
                vec![(Field::Cadence, "quarterly", "monthly")]
            ),
            (
                "cadre-training",
                ChangeKind::Changed,
                vec![(
                    Field::Responsible,
                    "portfolio:organisation",
                    "portfolio:publicity"
                )]
            ),
        ]
    );
    assert!(diff.post_kinds.is_empty());
    assert!(diff.portfolios.is_empty());
    assert!(diff.grounds.is_empty());
}

#[test]
fn additions_and_removals_are_named() {
    let old = v1();
    let mut new = version_2();
    new.duties.retain(|x| x.id != "youth-education");
    let mut extra = new.duty("situation-analysis").unwrap().clone();
    extra.id = "weekly-check".into();
    new.duties.push(extra);
    new.portfolios.retain(|p| p.id != "research");
    new.grounds[0].title = "新标题".into();
    new.articles[3].items.pop();
    let diff = PackDiff::between(&old, &new);
    let kinds = |l: &[zeren_core::policy::EntryChange]| {
        l.iter().map(|e| (e.id.clone(), e.kind)).collect::<Vec<_>>()
    };
    assert_eq!(
        kinds(&diff.duties),
        vec![
            ("situation-analysis".into(), ChangeKind::Changed),
            ("cadre-training".into(), ChangeKind::Changed),
            ("weekly-check".into(), ChangeKind::Added),
            ("youth-education".into(), ChangeKind::Removed),
        ]
    );
    assert_eq!(
        kinds(&diff.portfolios),
        vec![("research".into(), ChangeKind::Removed)]
    );
    assert_eq!(
        kinds(&diff.grounds),
        vec![("art5-1".into(), ChangeKind::Changed)]
    );
    assert_eq!(
        diff.articles
            .iter()
            .map(|a| (a.citation.to_string(), a.kind))
            .collect::<Vec<_>>(),
        vec![
            ("Art.4(2)".into(), ChangeKind::Changed),
            ("Art.4(6)".into(), ChangeKind::Removed),
        ]
    );
}

/// The ledger as synchronised under version 1 for 2026, every obligation open but the third
/// quarter's situation analysis, done.
fn stored_2026(plan: &[PlannedObligation]) -> Vec<StoredRow> {
    plan.iter()
        .map(|p| StoredRow {
            key: p.key.clone(),
            year: 2026,
            state: if p.key.ends_with("situation-analysis/org/cqu-mse/2026-Q3") {
                StoredState::Done
            } else {
                StoredState::Open
            },
            org: p.org.clone(),
            duty: p.duty.clone(),
            subject_kind: p.subject_kind,
            subject: p.subject.clone(),
            period: p.period.clone(),
            policy: p.policy.clone(),
            due: p.due,
            citation: p.citation.to_string(),
        })
        .collect()
}

fn impact() -> (Impact, LedgerImpact) {
    let model = demo_parts().model();
    let current = Policies::new(vec![v1()]);
    let after = Policies::new(vec![v1(), version_2()]);
    let now = current.generate(&model, 2026, &[]);
    let planned = after.generate(&model, 2026, &[]);
    let stored = stored_2026(&now);
    let ledger = LedgerImpact::compute(
        &stored,
        &[YearPlans {
            year: 2026,
            current: &now,
            after: &planned,
        }],
        &after,
        &version_2(),
        &model,
    );
    (Impact::new(&current, &version_2(), ledger.clone()), ledger)
}

#[test]
fn the_ledger_impact_follows_what_synchronising_will_do() {
    let (impact, ledger) = impact();
    assert_eq!(impact.supersedes.as_ref().unwrap().id, "cqu-mse-2021-6");
    assert!(impact.diff.is_some());
    assert_eq!(ledger.years, vec![2026]);
    let rows: Vec<GroupRow> = ledger
        .duties
        .iter()
        .map(|x| {
            (
                x.org_code.as_str(),
                x.duty.as_str(),
                x.changes
                    .iter()
                    .map(|c| (c.period.as_str(), c.action))
                    .collect(),
                x.moves.len(),
            )
        })
        .collect();
    use Action::*;
    assert_eq!(
        rows,
        vec![
            ("cqu-mse", "annual-assessment", vec![("2026", Replanned)], 0),
            (
                "cqu-mse",
                "annual-dedicated-study",
                vec![("2026", Replanned)],
                0
            ),
            ("cqu-mse", "cadre-training", vec![("2026", Replanned)], 1),
            ("cqu-mse", "operator-training", vec![("2026", Replanned)], 0),
            (
                "cqu-mse",
                "platform-annual-review",
                vec![("2026", Replanned)],
                0
            ),
            (
                "cqu-mse",
                "situation-analysis",
                vec![
                    ("2026-07", Added),
                    ("2026-08", Added),
                    ("2026-09", Added),
                    ("2026-10", Added),
                    ("2026-11", Added),
                    ("2026-12", Added),
                    ("2026-Q3", KeptDone),
                    ("2026-Q4", Withdrawn),
                ],
                0
            ),
            (
                "cqu-mse",
                "youth-education",
                vec![("2026-H2", Replanned)],
                0
            ),
        ]
    );
    assert_eq!(
        (
            ledger.count(Added),
            ledger.count(Withdrawn),
            ledger.count(Replanned),
            ledger.count(KeptDone),
            ledger.moves()
        ),
        (6, 1, 6, 1, 1)
    );
    // Nothing of it is the ledger being behind: it was in step with version 1.
    assert!(
        ledger
            .duties
            .iter()
            .flat_map(|x| &x.changes)
            .all(|c| !c.pending)
    );
    let group = |duty: &str| ledger.duties.iter().find(|x| x.duty == duty).unwrap();
    // The new months, with their due dates and article.
    let july = &group("situation-analysis").changes[0];
    let after = july.after.as_ref().unwrap();
    assert_eq!(
        (after.policy.as_str(), after.due, after.citation.as_str()),
        ("cqu-mse-2026-4", d("2026-08-15"), "Art.4(2)")
    );
    // The annual review moves to the day version 2 takes effect.
    let review = &group("platform-annual-review").changes[0];
    assert_eq!(
        (
            review.before.as_ref().unwrap().due,
            review.after.as_ref().unwrap().due
        ),
        (d("2026-06-30"), d("2026-07-01"))
    );
    // Cadre training: nobody holds the organisation portfolio, so the secretary answered
    // (li, from the handover on 1 July); version 2 gives it to the holder of publicity.
    let m = &group("cadre-training").moves[0];
    assert_eq!(m.due, d("2026-12-31"));
    let who = |h: &zeren_core::policy::Holder| {
        (
            h.person.as_ref().unwrap().id.clone(),
            h.post.as_ref().unwrap().id.clone(),
        )
    };
    assert_eq!(who(&m.before), ("li".into(), "p-sec".into()));
    assert_eq!(who(&m.after), ("zhao".into(), "p-dep".into()));
    // Both languages, citations in their own form.
    let zh = impact.render(Lang::Zh).join("\n");
    let en = impact.render(Lang::En).join("\n");
    assert!(zh.contains("~ 第四条第（二）项：…"), "{zh}");
    assert!(
        zh.contains("- 2026-Q4 撤销：cqu-mse-2021-6 到期 2027-01-15 第四条第（二）项"),
        "{zh}"
    );
    assert!(zh.contains("= 2026-Q3 保留（已按旧版本完成）"), "{zh}");
    assert!(
        zh.contains("» 2026 责任人：li名（p-sec岗） → zhao名（p-dep岗）"),
        "{zh}"
    );
    assert!(en.contains("~ Art.4(2): …"), "{en}");
    assert!(
        en.contains("+ 2026-07 added: cqu-mse-2026-4 due 2026-08-15 Art.4(2)"),
        "{en}"
    );
    assert!(
        en.contains("= 2026-Q3 kept, done under the old version"),
        "{en}"
    );
    assert!(
        en.contains("responsible: portfolio:organisation → portfolio:publicity"),
        "{en}"
    );
    // It serialises for a page.
    let json = serde_json::to_value(&impact).unwrap();
    assert_eq!(
        json["ledger"]["duties"][5]["changes"][7]["action"],
        "withdrawn"
    );
    assert_eq!(json["diff"]["articles"][0]["citation"], "Art.4(2)");
}

#[test]
fn a_ledger_behind_its_policy_is_told_apart() {
    let model = demo_parts().model();
    let current = Policies::new(vec![v1()]);
    let after = Policies::new(vec![v1(), version_2()]);
    let now = current.generate(&model, 2026, &[]);
    let planned = after.generate(&model, 2026, &[]);
    // The annual study was never stored; the first quarter's analysis is waived.
    let mut stored = stored_2026(&now);
    stored.retain(|r| r.duty != "annual-dedicated-study");
    let q1 = stored
        .iter_mut()
        .find(|r| r.period == "2026-Q1" && r.duty == "situation-analysis")
        .unwrap();
    q1.state = StoredState::Waived;
    let ledger = LedgerImpact::compute(
        &stored,
        &[YearPlans {
            year: 2026,
            current: &now,
            after: &planned,
        }],
        &after,
        &version_2(),
        &model,
    );
    let study = ledger
        .duties
        .iter()
        .find(|x| x.duty == "annual-dedicated-study")
        .unwrap();
    assert_eq!(study.changes.len(), 1);
    assert_eq!(
        (study.changes[0].action, study.changes[0].pending),
        (Action::Added, true)
    );
    // A waived one still governed by version 1 is not listed.
    assert_eq!(ledger.count(Action::KeptWaived), 0);
    assert!(
        ledger
            .render(Lang::En)
            .last()
            .unwrap()
            .contains("the ledger is behind")
    );
}
