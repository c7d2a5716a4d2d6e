//! Who does the work (PRODUCT.md §5): the first responsible person, the person responsible on
//! the day (a leader within the portfolios held that day), and the handler named on an
//! obligation — everyone else in scope reads only.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{d, demo_parts};
use zeren_core::Lang;
use zeren_core::access::{
    Act, Actor, HandlerError, Principal, Role, check_handler, handler_choices, roles_from_posts,
};
use zeren_core::org::OrgModel;
use zeren_core::policy::{EvidenceOf, PolicyPack, builtin_pack};
use zeren_core::vocab::EvidenceKind;

fn principal(pack: &PolicyPack, model: &OrgModel, person: &str, day: &str) -> Principal {
    Principal {
        user: format!("u-{person}"),
        roles: roles_from_posts(pack, model, person, d(day)),
        admin: None,
    }
}

#[test]
fn a_leader_acts_only_within_the_portfolios_held_on_the_day() {
    let pack = builtin_pack().unwrap();
    let model = demo_parts().model();
    let day = d("2026-09-01");
    let zhao = principal(&pack, &model, "zhao", "2026-09-01");
    assert!(zhao.roles.iter().all(|g| g.role == Role::Leader));
    let me = Actor {
        principal: &zhao,
        person: Some("zhao"),
    };
    let youth = Act {
        org: "cqu-mse",
        duty: pack.duty("youth-education").unwrap(),
        platform: None,
        handler: None,
    };
    let cadres = Act {
        duty: pack.duty("cadre-training").unwrap(),
        ..youth
    };
    let study = Act {
        duty: pack.duty("annual-dedicated-study").unwrap(),
        ..youth
    };
    let review = Act {
        duty: pack.duty("platform-annual-review").unwrap(),
        platform: model.find_platform("cqu-mse-wechat"),
        ..youth
    };
    // student-affairs and publicity are zhao's; organisation is nobody's (it passes up to the
    // first responsible person), the dedicated study is the secretary's own.
    assert!(me.may_act(&pack, &model, &youth, day));
    assert!(me.may_act(&pack, &model, &review, day));
    assert!(!me.may_act(&pack, &model, &cadres, day));
    assert!(!me.may_act(&pack, &model, &study, day));
    assert!(me.may_name_handler(&pack, &model, &youth, day));
    assert!(!me.may_name_handler(&pack, &model, &cadres, day));
    // Records not tied to one obligation: the kinds of the duties the leader answers for.
    assert!(me.may_keep_kind(
        &pack,
        &model,
        "cqu-mse",
        &EvidenceOf::Builtin(EvidenceKind::EducationActivity),
        day
    ));
    assert!(me.may_keep_kind(
        &pack,
        &model,
        "cqu-mse",
        &EvidenceOf::Builtin(EvidenceKind::AnnualReview),
        day
    ));
    assert!(!me.may_keep_kind(
        &pack,
        &model,
        "cqu-mse",
        &EvidenceOf::Builtin(EvidenceKind::SituationAnalysis),
        day
    ));
    assert!(!me.may_keep_kind(
        &pack,
        &model,
        "cqu-mse",
        &EvidenceOf::Builtin(EvidenceKind::CommitteeMeeting),
        day
    ));
    // Before the portfolios were held (zhao's holding starts 2019-09-01), nothing.
    assert!(!me.may_act(&pack, &model, &youth, d("2019-08-31")));
}

#[test]
fn the_secretary_acts_on_everything_of_the_subtree_and_names_handlers() {
    let pack = builtin_pack().unwrap();
    let model = demo_parts().model();
    let day = d("2026-09-01");
    let li = principal(&pack, &model, "li", "2026-09-01");
    let me = Actor {
        principal: &li,
        person: Some("li"),
    };
    for duty in [
        "youth-education",
        "cadre-training",
        "annual-dedicated-study",
    ] {
        let act = Act {
            org: "cqu-mse",
            duty: pack.duty(duty).unwrap(),
            platform: None,
            handler: None,
        };
        assert!(me.may_act(&pack, &model, &act, day), "{duty}");
        assert!(me.may_name_handler(&pack, &model, &act, day), "{duty}");
    }
    assert!(me.may_keep_kind(
        &pack,
        &model,
        "cqu-mse-b1",
        &EvidenceOf::Builtin(EvidenceKind::CommitteeMeeting),
        day
    ));
    // The secretary of before the handover no longer acts.
    let wang = principal(&pack, &model, "wang", "2026-09-01");
    assert!(wang.roles.is_empty());
}

#[test]
fn staff_act_only_on_what_they_were_named_to_handle() {
    let pack = builtin_pack().unwrap();
    let model = demo_parts().model();
    let day = d("2026-09-01");
    let liu = principal(&pack, &model, "liu", "2026-09-01");
    assert!(liu.roles.iter().all(|g| g.role == Role::Staff));
    let me = Actor {
        principal: &liu,
        person: Some("liu"),
    };
    let study = Act {
        org: "cqu-mse",
        duty: pack.duty("annual-dedicated-study").unwrap(),
        platform: None,
        handler: None,
    };
    assert!(!me.may_act(&pack, &model, &study, day));
    let handled = Act {
        handler: Some("liu"),
        ..study
    };
    assert!(me.may_act(&pack, &model, &handled, day));
    // A handler does not pass the work on.
    assert!(!me.may_name_handler(&pack, &model, &handled, day));
    assert!(!me.may_keep_kind(
        &pack,
        &model,
        "cqu-mse",
        &EvidenceOf::Builtin(EvidenceKind::CommitteeMeeting),
        day
    ));
    // Someone else's account named as handler does not help.
    let other = Actor {
        principal: &liu,
        person: None,
    };
    assert!(!other.may_act(&pack, &model, &handled, day));
}

#[test]
fn a_unit_head_or_branch_secretary_is_first_responsible_only_within_their_own() {
    let pack = builtin_pack().unwrap();
    let model = demo_parts().model();
    let zheng = principal(&pack, &model, "zheng", "2026-09-01");
    assert_eq!(zheng.roles.len(), 1);
    assert_eq!(zheng.roles[0].role, Role::Branch);
    assert!(zheng.first_responsible_over("cqu-mse-b1", &model));
    assert!(!zheng.first_responsible_over("cqu-mse", &model));
}

#[test]
fn a_handler_holds_a_post_in_the_org_or_above_it_on_the_day() {
    let model = demo_parts().model();
    let day = d("2026-09-01");
    assert_eq!(check_handler(&model, "cqu-mse", "liu", day), Ok(()));
    // The university secretary's post is above the college.
    assert_eq!(check_handler(&model, "cqu-mse", "uni-sec", day), Ok(()));
    // A branch secretary's post is below the college: their roles do not reach it.
    let e = check_handler(&model, "cqu-mse", "zheng", day).unwrap_err();
    assert!(matches!(e, HandlerError::NoPost { .. }));
    assert!(
        e.message(Lang::Zh).contains("经办人"),
        "{}",
        e.message(Lang::Zh)
    );
    // Someone whose holding ended.
    assert!(check_handler(&model, "cqu-mse", "sun", day).is_err());
    assert_eq!(
        check_handler(&model, "cqu-mse", "nobody", day),
        Err(HandlerError::UnknownPerson("nobody".into()))
    );
    let names: Vec<&str> = handler_choices(&model, "cqu-mse", day)
        .iter()
        .map(|c| c.person.id.as_str())
        .collect();
    assert!(
        names.contains(&"liu") && names.contains(&"uni-sec"),
        "{names:?}"
    );
    assert!(!names.contains(&"zheng") && !names.contains(&"sun") && !names.contains(&"wang"));
}
