//! Who was responsible (Art.3), with the chain of reasons.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{d, demo_parts};
use zeren_core::Lang;
use zeren_core::policy::builtin_pack;
use zeren_core::responsibility::{Reason, ResolveError, Target, resolve};

#[test]
fn the_handover_changes_the_answer_on_its_date() {
    let pack = builtin_pack().unwrap();
    let model = demo_parts().model();
    let org = model.find_org("cqu-mse").unwrap();
    let duty = pack.duty("annual-dedicated-study").unwrap();
    let before = resolve(
        &pack,
        &model,
        org,
        Target::Duty {
            duty,
            platform: None,
        },
        d("2026-06-30"),
    )
    .unwrap();
    let after = resolve(
        &pack,
        &model,
        org,
        Target::Duty {
            duty,
            platform: None,
        },
        d("2026-07-01"),
    )
    .unwrap();
    assert_eq!(before.person.as_ref().unwrap().id, "wang");
    assert_eq!(after.person.as_ref().unwrap().id, "li");
    assert!(!before.vacant);
    assert!(
        before.first_responsible.is_none(),
        "the secretary is the first responsible person"
    );
    // The chain: duty → first-responsible post (Art.3) → holding valid on the day.
    assert!(matches!(&before.chain[0], Reason::Duty { citation, .. } if citation == "Art.4(2)"));
    assert!(matches!(
        &before.chain[1],
        Reason::FirstResponsiblePost { .. }
    ));
    assert!(
        matches!(&before.chain[2], Reason::Holding { end: Some(e), .. } if *e == d("2026-06-30"))
    );
    let text = before
        .chain
        .iter()
        .map(|r| r.describe(Lang::Zh))
        .collect::<Vec<_>>()
        .join("\n");
    assert!(text.contains("第四条第（二）项"), "{text}");
    assert!(text.contains("第三条："), "{text}");
}

#[test]
fn the_chain_cites_the_article_the_pack_names_for_the_post_and_the_portfolio() {
    // Another system names its first responsible person in Art.2 and the portfolios in Art.5.
    let mut pack = builtin_pack().unwrap();
    for k in pack.post_kinds.iter_mut() {
        k.established_by = Some(zeren_core::Citation::article(2));
    }
    for p in pack.portfolios.iter_mut() {
        p.established_by = Some(zeren_core::Citation::item(5, 1));
    }
    let model = demo_parts().model();
    let org = model.find_org("cqu-mse").unwrap();
    let text = |pack: &zeren_core::policy::PolicyPack, duty: &str, lang| {
        let a = resolve(
            pack,
            &model,
            org,
            Target::Duty {
                duty: pack.duty(duty).unwrap(),
                platform: None,
            },
            d("2026-06-30"),
        )
        .unwrap();
        a.chain
            .iter()
            .map(|r| r.describe(lang))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let study = text(&pack, "annual-dedicated-study", Lang::Zh);
    assert!(
        study.contains("第二条：") && !study.contains("第三条"),
        "{study}"
    );
    assert!(text(&pack, "annual-dedicated-study", Lang::En).contains("Art.2: the "));
    let analysis = text(&pack, "operator-training", Lang::Zh);
    assert!(analysis.contains("第五条第（一）项："), "{analysis}");
    // A pack that names no article says none.
    for k in pack.post_kinds.iter_mut() {
        k.established_by = None;
    }
    let bare = text(&pack, "annual-dedicated-study", Lang::Zh);
    assert!(
        !bare.contains("第二条") && !bare.contains("第三条"),
        "{bare}"
    );
}

#[test]
fn portfolio_duties_go_to_the_portfolio_holder_with_the_first_responsible_person_beside() {
    let pack = builtin_pack().unwrap();
    let model = demo_parts().model();
    let org = model.find_org("cqu-mse").unwrap();
    let platform = model.find_platform("cqu-mse-wechat");
    let duty = pack.duty("platform-annual-review").unwrap();
    let a = resolve(
        &pack,
        &model,
        org,
        Target::Duty { duty, platform },
        d("2026-06-30"),
    )
    .unwrap();
    assert_eq!(a.person.unwrap().id, "zhao");
    assert_eq!(a.first_responsible.unwrap().id, "wang");
    assert!(a.chain.iter().any(
        |r| matches!(r, Reason::PlatformPortfolio { portfolio: Some(p), .. } if p == "publicity")
    ));
    assert!(a.chain.iter().any(
        |r| matches!(r, Reason::PortfolioHeldBy { portfolio, .. } if portfolio == "publicity")
    ));
    let p = resolve(
        &pack,
        &model,
        org,
        Target::Portfolio("student-affairs"),
        d("2026-07-01"),
    )
    .unwrap();
    assert_eq!(p.person.unwrap().id, "zhao");
}

#[test]
fn a_vacant_post_passes_to_the_first_responsible_person_and_says_so() {
    let pack = builtin_pack().unwrap();
    let model = demo_parts().model();
    let org = model.find_org("cqu-mse").unwrap();
    // network-it's vice-dean left on 2026-03-31.
    let a = resolve(
        &pack,
        &model,
        org,
        Target::Portfolio("network-it"),
        d("2026-05-01"),
    )
    .unwrap();
    assert!(a.vacant);
    assert_eq!(a.person.unwrap().id, "wang");
    assert!(a.chain.iter().any(|r| matches!(r, Reason::Vacant { .. })));
    assert!(a.chain.iter().any(|r| matches!(r, Reason::PassesTo { .. })));
    // A portfolio no post holds (research) also passes up, never silently.
    let r = resolve(
        &pack,
        &model,
        org,
        Target::Portfolio("research"),
        d("2026-05-01"),
    )
    .unwrap();
    assert!(r.vacant);
    assert!(
        r.chain
            .iter()
            .any(|r| matches!(r, Reason::NoSuchPost { .. }))
    );
}

#[test]
fn a_vacant_first_responsible_post_passes_up_the_tree() {
    let pack = builtin_pack().unwrap();
    let mut parts = demo_parts();
    parts.holdings.retain(|h| h.post != "p-sec");
    let model = parts.model();
    let org = model.find_org("cqu-mse").unwrap();
    let duty = pack.duty("annual-dedicated-study").unwrap();
    let a = resolve(
        &pack,
        &model,
        org,
        Target::Duty {
            duty,
            platform: None,
        },
        d("2026-06-30"),
    )
    .unwrap();
    assert!(a.vacant);
    assert_eq!(a.person.unwrap().id, "uni-sec");
    // Before anyone held any post, the answer is nobody — and vacant.
    let early = resolve(
        &pack,
        &model,
        org,
        Target::Duty {
            duty,
            platform: None,
        },
        d("2010-01-01"),
    )
    .unwrap();
    assert!(early.person.is_none());
    assert!(early.vacant);
}

#[test]
fn questions_that_do_not_fit_are_refused_clearly() {
    let pack = builtin_pack().unwrap();
    let model = demo_parts().model();
    let branch = model.find_org("cqu-mse-b1").unwrap();
    let duty = pack.duty("annual-dedicated-study").unwrap();
    let err = resolve(
        &pack,
        &model,
        branch,
        Target::Duty {
            duty,
            platform: None,
        },
        d("2026-06-30"),
    )
    .unwrap_err();
    assert!(matches!(err, ResolveError::DutyNotForOrg { .. }));
    let college = model.find_org("cqu-mse").unwrap();
    let duty = pack.duty("platform-annual-review").unwrap();
    let err = resolve(
        &pack,
        &model,
        college,
        Target::Duty {
            duty,
            platform: None,
        },
        d("2026-06-30"),
    )
    .unwrap_err();
    assert!(err.to_string().contains("cqu-mse-wechat"), "{err}");
}

#[test]
fn a_portfolio_redivided_mid_year_answers_by_the_assignment_in_force_on_the_day() {
    use zeren_core::org::{OrgModel, PortfolioAssignment};
    let pack = builtin_pack().unwrap();
    let parts = demo_parts();
    // 分工调整 on 2026-09-01: publicity passes from the deputy secretary (zhao) to the new
    // vice-dean's holding; student affairs stays with zhao.
    let mut holdings = parts.holdings.clone();
    holdings.push(common::holding("h8", "p-vd", "wu", "2026-06-01", None));
    let mut assignments = PortfolioAssignment::standing(&parts.posts, &holdings);
    let publicity = assignments
        .iter_mut()
        .find(|a| a.holding == "h4" && a.portfolio == "publicity")
        .unwrap();
    publicity.end = Some(d("2026-08-31"));
    assignments.push(PortfolioAssignment {
        id: "pa-new".into(),
        holding: "h8".into(),
        portfolio: "publicity".into(),
        start: d("2026-09-01"),
        end: None,
    });
    let model = OrgModel::new(
        parts.orgs.clone(),
        parts.people.clone(),
        parts.posts.clone(),
        holdings,
        assignments,
        parts.platforms.clone(),
    );
    let org = model.find_org("cqu-mse").unwrap();
    let who = |portfolio, day| {
        resolve(&pack, &model, org, Target::Portfolio(portfolio), d(day))
            .unwrap()
            .person
            .unwrap()
            .id
    };
    assert_eq!(who("publicity", "2026-08-31"), "zhao");
    assert_eq!(who("publicity", "2026-09-01"), "wu");
    assert_eq!(who("student-affairs", "2026-09-01"), "zhao");
    // The new vice-dean holds network-it from the post's standing portfolios.
    assert_eq!(who("network-it", "2026-09-01"), "wu");
    // A platform of the publicity portfolio follows the re-division.
    let duty = pack.duty("platform-annual-review").unwrap();
    let platform = model.find_platform("cqu-mse-wechat");
    let a = resolve(
        &pack,
        &model,
        org,
        Target::Duty { duty, platform },
        d("2026-10-01"),
    )
    .unwrap();
    assert_eq!(a.person.unwrap().id, "wu");
}

#[test]
fn an_assignment_lies_within_its_holding_and_one_leader_holds_a_portfolio_at_a_time() {
    use zeren_core::org::{AssignmentError, PortfolioAssignment, check_assignment};
    let holding = common::holding("h4", "p-dep", "zhao", "2019-09-01", Some("2026-06-30"));
    let a = |id: &str, start: &str, end: Option<&str>| PortfolioAssignment {
        id: id.into(),
        holding: "h4".into(),
        portfolio: "publicity".into(),
        start: d(start),
        end: end.map(d),
    };
    assert!(check_assignment(&holding, &[], &a("x", "2020-01-01", Some("2026-06-30"))).is_ok());
    assert!(matches!(
        check_assignment(&holding, &[], &a("x", "2020-01-01", Some("2019-12-31"))),
        Err(AssignmentError::EndBeforeStart { .. })
    ));
    assert!(matches!(
        check_assignment(&holding, &[], &a("x", "2019-08-31", Some("2020-01-01"))),
        Err(AssignmentError::OutsideHolding { .. })
    ));
    // Open-ended on a holding that ends: outside.
    assert!(matches!(
        check_assignment(&holding, &[], &a("x", "2020-01-01", None)),
        Err(AssignmentError::OutsideHolding { .. })
    ));
    let other = a("other", "2021-01-01", Some("2021-12-31"));
    assert!(matches!(
        check_assignment(&holding, &[&other], &a("x", "2021-12-31", Some("2022-06-30"))),
        Err(AssignmentError::Overlap { other, .. }) if other == "other"
    ));
    assert!(
        check_assignment(
            &holding,
            &[&other],
            &a("x", "2022-01-01", Some("2022-06-30"))
        )
        .is_ok()
    );
    // Changing an assignment is not a collision with itself.
    assert!(
        check_assignment(
            &holding,
            &[&other],
            &a("other", "2021-01-01", Some("2022-06-30"))
        )
        .is_ok()
    );
}
