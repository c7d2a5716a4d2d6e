//! What a subtree still lacks: the getting-started page's questions.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{d, demo_parts};
use zeren_core::org::{OrgModel, gaps};
use zeren_core::policy::builtin_pack;

#[test]
fn a_vacant_post_its_portfolio_and_the_duties_passing_up_are_told() {
    let pack = builtin_pack().unwrap();
    let model = demo_parts().model();
    let root = model.find_org("cqu").unwrap();
    // The vice-dean (network-it) left on 2026-03-31.
    let g = gaps(&pack, &model, root, d("2026-05-01"), 100);
    assert!(!g.no_colleges);
    assert!(
        g.vacant_posts
            .iter()
            .any(|(o, p)| o.code == "cqu-mse" && p.id == "p-vd")
    );
    assert!(
        g.unheld_portfolios
            .iter()
            .any(|(o, p)| o.code == "cqu-mse" && p == "network-it")
    );
    assert!(
        !g.unheld_portfolios
            .iter()
            .any(|(o, p)| o.code == "cqu-mse" && p == "publicity")
    );
    assert_eq!(g.vacant_posts_total, g.vacant_posts.len());
    // Before the vice-dean left, the post was held.
    let before = gaps(&pack, &model, root, d("2026-03-01"), 100);
    assert!(!before.vacant_posts.iter().any(|(_, p)| p.id == "p-vd"));
    // Capped lists keep the full count.
    let capped = gaps(&pack, &model, root, d("2026-05-01"), 1);
    assert!(capped.unheld_portfolios.len() <= 1);
    assert_eq!(capped.unheld_portfolios_total, g.unheld_portfolios_total);
}

#[test]
fn a_university_alone_has_no_colleges_yet() {
    let pack = builtin_pack().unwrap();
    let parts = demo_parts();
    let model = OrgModel::new(
        vec![parts.orgs[0].clone()],
        vec![],
        vec![],
        vec![],
        vec![],
        vec![],
    );
    let g = gaps(
        &pack,
        &model,
        model.find_org("cqu").unwrap(),
        d("2026-05-01"),
        10,
    );
    assert!(g.no_colleges && !g.is_empty());
    // Every duty the university owes passes up with no one to answer.
    assert!(g.unheld_portfolios_total > 0);
}

#[test]
fn a_post_closed_is_no_vacancy_after_its_closing_day_and_its_duties_pass_up_as_for_no_post() {
    use zeren_core::responsibility::{Reason, Target, resolve};
    let pack = builtin_pack().unwrap();
    let mut parts = demo_parts();
    // The vice-dean's post (network-it), held until 2026-03-31, is closed that day.
    parts
        .posts
        .iter_mut()
        .find(|p| p.id == "p-vd")
        .unwrap()
        .closed_on = Some(d("2026-03-31"));
    let model = parts.model();
    let root = model.find_org("cqu").unwrap();
    let g = gaps(&pack, &model, root, d("2026-05-01"), 100);
    assert!(!g.vacant_posts.iter().any(|(_, p)| p.id == "p-vd"));
    let college = model.find_org("cqu-mse").unwrap();
    let on = |day: &str| {
        resolve(
            &pack,
            &model,
            college,
            Target::Portfolio("network-it"),
            d(day),
        )
        .unwrap()
    };
    // After its closing day the post does not exist: the org has no post holding network-it,
    // and the duty passes to the secretary as for any portfolio no post holds.
    let after = on("2026-05-01");
    assert!(
        !after
            .chain
            .iter()
            .any(|r| matches!(r, Reason::Vacant { .. }))
    );
    assert!(after.chain.iter().any(
        |r| matches!(r, Reason::NoSuchPost { wanted, .. } if wanted == "portfolio:network-it")
    ));
    assert_eq!(after.person.unwrap().id, "wang");
    // On its closing day and before, it answers as it did.
    assert_eq!(on("2026-03-31").person.unwrap().id, "sun");
}
