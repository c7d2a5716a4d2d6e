//! Importing a roster (Art.3's people and posts entered by the org itself): what the plan
//! creates, changes, ends and leaves alone, and every problem at its cell.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{d, demo_parts};
use zeren_core::org::OrgModel;
use zeren_core::org::roster::{
    AssignmentRow, At, Cell, HoldingRow, OrgRow, PersonFacts, PersonRow, PostRow, Roster,
    RosterError, Sheet, Step, plan, roster_of,
};
use zeren_core::policy::builtin_pack;

fn at(sheet: Sheet, row: u32, col: u16) -> At {
    At { sheet, row, col }
}

fn t(sheet: Sheet, row: u32, col: u16, v: &str) -> Cell<String> {
    Cell {
        value: v.into(),
        at: at(sheet, row, col),
    }
}

fn day(sheet: Sheet, row: u32, col: u16, v: &str) -> Cell<chrono::NaiveDate> {
    Cell {
        value: d(v),
        at: at(sheet, row, col),
    }
}

/// The people of the demo parts with staff numbers `s-{id}`.
fn facts(model: &OrgModel) -> Vec<PersonFacts> {
    model
        .people()
        .map(|p| PersonFacts {
            id: p.id.clone(),
            name: p.name.clone(),
            org: p.org.clone(),
            staff_no: Some(format!("s-{}", p.id)),
            ..PersonFacts::default()
        })
        .collect()
}

/// A small college under `cqu`: its secretary and a deputy holding publicity.
fn college() -> Roster {
    let (o, p, po, h, a) = (
        Sheet::Orgs,
        Sheet::People,
        Sheet::Posts,
        Sheet::Holdings,
        Sheet::Assignments,
    );
    Roster {
        orgs: vec![OrgRow {
            code: t(o, 2, 0, "cqu-chem"),
            name: t(o, 2, 1, "化学化工学院党委"),
            kind: t(o, 2, 2, "学院"),
            parent: Some(t(o, 2, 3, "cqu")),
            established_on: None,
            closed_on: None,
        }],
        people: vec![
            PersonRow {
                staff_no: t(p, 2, 0, "20230001"),
                name: t(p, 2, 1, "张三"),
                org: t(p, 2, 2, "cqu-chem"),
                email: Some(t(p, 2, 3, "zhang@example.edu.cn")),
                wecom: None,
                dingtalk: None,
                left_on: None,
            },
            PersonRow {
                staff_no: t(p, 3, 0, "20230002"),
                name: t(p, 3, 1, "李四"),
                org: t(p, 3, 2, "cqu-chem"),
                email: None,
                wecom: None,
                dingtalk: None,
                left_on: None,
            },
        ],
        posts: vec![
            PostRow {
                org: t(po, 2, 0, "cqu-chem"),
                kind: t(po, 2, 1, "secretary"),
                title: t(po, 2, 2, "党委书记"),
                closed_on: None,
            },
            PostRow {
                org: t(po, 3, 0, "cqu-chem"),
                kind: t(po, 3, 1, "党委副书记"),
                title: t(po, 3, 2, "党委副书记"),
                closed_on: None,
            },
        ],
        holdings: vec![
            HoldingRow {
                org: t(h, 2, 0, "cqu-chem"),
                post: t(h, 2, 1, "党委书记"),
                staff_no: t(h, 2, 2, "20230001"),
                start: day(h, 2, 3, "2024-09-01"),
                end: None,
            },
            HoldingRow {
                org: t(h, 3, 0, "cqu-chem"),
                post: t(h, 3, 1, "党委副书记"),
                staff_no: t(h, 3, 2, "20230002"),
                start: day(h, 3, 3, "2024-09-01"),
                end: None,
            },
        ],
        assignments: vec![AssignmentRow {
            org: t(a, 2, 0, "cqu-chem"),
            post: t(a, 2, 1, "党委副书记"),
            staff_no: t(a, 2, 2, "20230002"),
            portfolio: t(a, 2, 3, "宣传思想"),
            start: day(a, 2, 4, "2024-09-01"),
            end: None,
        }],
        platforms: Vec::new(),
    }
}

#[test]
fn a_new_college_is_planned_parents_first_and_counted_per_sheet() {
    let pack = builtin_pack().unwrap();
    let model = demo_parts().model();
    let people = facts(&model);
    let p = plan(&pack, &model, &people, &college()).unwrap();
    let c = |s| p.counts(s);
    assert_eq!(c(Sheet::Orgs).created, 1);
    assert_eq!(c(Sheet::People).created, 2);
    assert_eq!(c(Sheet::Posts).created, 2);
    assert_eq!(c(Sheet::Holdings).created, 2);
    assert_eq!(c(Sheet::Assignments).created, 1);
    // Kinds and portfolios given by their Chinese names are stored by id.
    assert!(
        matches!(&p.steps[0].step, Step::CreateOrg { code, kind, .. } if code == "cqu-chem" && kind.as_str() == "college")
    );
    assert!(
        p.steps.iter().any(
            |s| matches!(&s.step, Step::CreatePost { kind, .. } if kind == "deputy-secretary")
        )
    );
    assert!(
        p.steps
            .iter()
            .any(|s| matches!(&s.step, Step::Assign { portfolio, .. } if portfolio == "publicity"))
    );
    let sheets: Vec<Sheet> = p.steps.iter().map(|s| s.sheet).collect();
    let mut sorted = sheets.clone();
    sorted.sort();
    assert_eq!(
        sheets, sorted,
        "orgs, people, posts, holdings, assignments in order"
    );
}

#[test]
fn every_problem_is_told_at_its_cell_and_nothing_is_planned() {
    let pack = builtin_pack().unwrap();
    let model = demo_parts().model();
    let people = facts(&model);
    let mut r = college();
    r.orgs[0].parent = Some(t(Sheet::Orgs, 2, 3, "nowhere"));
    let errors = plan(&pack, &model, &people, &r).unwrap_err();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].at.to_string(), "组织!D2");
    assert_eq!(errors[0].error, RosterError::UnknownOrg);

    let mut r = college();
    r.people[1].staff_no = t(Sheet::People, 3, 0, "20230001");
    r.posts[1].kind = t(Sheet::Posts, 3, 1, "pope");
    r.holdings[1].end = Some(day(Sheet::Holdings, 3, 4, "2020-01-01"));
    r.holdings.push(HoldingRow {
        org: t(Sheet::Holdings, 4, 0, "cqu-chem"),
        post: t(Sheet::Holdings, 4, 1, "党委书记"),
        staff_no: t(Sheet::Holdings, 4, 2, "20230001"),
        start: day(Sheet::Holdings, 4, 3, "2025-01-01"),
        end: None,
    });
    let errors = plan(&pack, &model, &people, &r).unwrap_err();
    let told: Vec<(String, RosterError)> = errors
        .into_iter()
        .map(|e| (e.at.to_string(), e.error))
        .collect();
    assert!(told.contains(&(
        "人员!A3".into(),
        RosterError::Duplicate {
            first: at(Sheet::People, 2, 0)
        }
    )));
    assert!(told.contains(&("职务!B3".into(), RosterError::UnknownPostKind)));
    assert!(told.contains(&("任职!E3".into(), RosterError::EndBeforeStart)));
    // The same person twice on the secretary post.
    assert!(
        told.contains(&("任职!D4".into(), RosterError::SamePerson)),
        "{told:?}"
    );
}

#[test]
fn a_single_holder_post_takes_one_holder_a_day_in_the_file() {
    let pack = builtin_pack().unwrap();
    let model = demo_parts().model();
    let people = facts(&model);
    let mut r = college();
    r.holdings.push(HoldingRow {
        org: t(Sheet::Holdings, 4, 0, "cqu-chem"),
        post: t(Sheet::Holdings, 4, 1, "党委书记"),
        staff_no: t(Sheet::Holdings, 4, 2, "20230002"),
        start: day(Sheet::Holdings, 4, 3, "2025-01-01"),
        end: None,
    });
    let errors = plan(&pack, &model, &people, &r).unwrap_err();
    assert_eq!(errors[0].at.to_string(), "任职!D4");
    assert!(matches!(errors[0].error, RosterError::Overlap { .. }));
}

#[test]
fn exporting_and_importing_again_changes_nothing() {
    let pack = builtin_pack().unwrap();
    let model = demo_parts().model();
    let people = facts(&model);
    let roster = roster_of(&model, &people);
    assert_eq!(roster.orgs.len(), model.orgs().len());
    assert_eq!(roster.holdings.len(), model.holdings().len());
    assert_eq!(roster.assignments.len(), model.assignments().len());
    let p = plan(&pack, &model, &people, &roster).unwrap();
    assert!(p.is_empty(), "{:?}", p.steps);
    assert_eq!(p.counts(Sheet::Holdings).unchanged, model.holdings().len());
}

#[test]
fn next_terms_roster_hands_posts_over_with_its_dates() {
    let pack = builtin_pack().unwrap();
    let model = demo_parts().model();
    let people = facts(&model);
    // 2027: zheng takes the college secretary's post over from li.
    let h = Sheet::Holdings;
    let r = Roster {
        holdings: vec![HoldingRow {
            org: t(h, 2, 0, "cqu-mse"),
            post: t(h, 2, 1, "p-sec岗"),
            staff_no: t(h, 2, 2, "s-zheng"),
            start: day(h, 2, 3, "2027-01-01"),
            end: None,
        }],
        ..Roster::default()
    };
    let p = plan(&pack, &model, &people, &r).unwrap();
    assert_eq!(p.steps.len(), 2, "{:?}", p.steps);
    assert!(
        matches!(&p.steps[0].step, Step::EndHolding { id, end, handover: true } if id == "h3" && *end == d("2026-12-31"))
    );
    assert!(matches!(&p.steps[1].step, Step::Appoint { start, .. } if *start == d("2027-01-01")));
    // A holder starting before the current one's first day is an overlap, not a handover.
    let r = Roster {
        holdings: vec![HoldingRow {
            start: day(h, 2, 3, "2026-06-01"),
            ..r.holdings[0].clone()
        }],
        ..Roster::default()
    };
    let errors = plan(&pack, &model, &people, &r).unwrap_err();
    assert!(
        matches!(errors[0].error, RosterError::Overlap { .. }),
        "{errors:?}"
    );
}

#[test]
fn a_portfolio_already_held_in_the_org_is_refused_and_a_re_division_ends_it_first() {
    let pack = builtin_pack().unwrap();
    let model = demo_parts().model();
    let people = facts(&model);
    let a = Sheet::Assignments;
    let take = |start: &str| AssignmentRow {
        org: t(a, 3, 0, "cqu-mse"),
        post: t(a, 3, 1, "p-sec岗"),
        staff_no: t(a, 3, 2, "s-li"),
        portfolio: t(a, 3, 3, "publicity"),
        start: day(a, 3, 4, start),
        end: None,
    };
    let r = Roster {
        assignments: vec![take("2026-09-01")],
        ..Roster::default()
    };
    let errors = plan(&pack, &model, &people, &r).unwrap_err();
    assert_eq!(errors[0].at.to_string(), "分管!E3");
    assert!(matches!(
        errors[0].error,
        RosterError::PortfolioTaken { .. }
    ));
    // With the deputy's ended on 31 August in the same file, it is planned.
    let r = Roster {
        assignments: vec![
            AssignmentRow {
                org: t(a, 2, 0, "cqu-mse"),
                post: t(a, 2, 1, "p-dep岗"),
                staff_no: t(a, 2, 2, "s-zhao"),
                portfolio: t(a, 2, 3, "publicity"),
                start: day(a, 2, 4, "2019-09-01"),
                end: Some(day(a, 2, 5, "2026-08-31")),
            },
            take("2026-09-01"),
        ],
        ..Roster::default()
    };
    let p = plan(&pack, &model, &people, &r).unwrap();
    assert!(matches!(&p.steps[0].step, Step::EndAssignment { end, .. } if *end == d("2026-08-31")));
    assert!(matches!(&p.steps[1].step, Step::Assign { portfolio, .. } if portfolio == "publicity"));
}

#[test]
fn a_persons_fields_are_checked_as_every_form_checks_them() {
    use zeren_core::org::people::PersonError;
    let pack = builtin_pack().unwrap();
    let model = demo_parts().model();
    let people = facts(&model);
    let mut r = college();
    r.people[0].staff_no = t(Sheet::People, 2, 0, "工号 1");
    r.people[1].email = Some(t(Sheet::People, 3, 3, "not-an-address"));
    let errors = plan(&pack, &model, &people, &r).unwrap_err();
    let told: Vec<(String, RosterError)> = errors
        .into_iter()
        .map(|e| (e.at.to_string(), e.error))
        .collect();
    assert!(
        told.contains(&("人员!A2".into(), RosterError::Person(PersonError::StaffNo))),
        "{told:?}"
    );
    assert!(
        told.contains(&("人员!D3".into(), RosterError::Person(PersonError::Email))),
        "{told:?}"
    );
}
