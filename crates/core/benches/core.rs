//! Core benchmarks: one year's obligations for 100 000 orgs, and 100 000 responsibility
//! resolutions against ten years of holdings history. Run with `cargo bench -p zeren-core`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use zeren_core::obligation::generate;
use zeren_core::org::{Holding, Org, OrgModel, Person, Platform, PortfolioAssignment, Post};
use zeren_core::policy::builtin_pack;
use zeren_core::responsibility::{Target, resolve};
use zeren_core::vocab::{OrgKind, PlatformKind, PlatformState};

const COLLEGES: usize = 2_000;
const BRANCHES_PER_COLLEGE: usize = 49; // 1 + 2 000 × (1 + 49) = 100 001 orgs

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// A province-size tree: every college has a secretary post handed over every year from 2016 to
/// 2025 (ten holdings each), a deputy with portfolios, an operator and two platforms.
fn province() -> OrgModel {
    let mut orgs = vec![Org {
        id: "root".into(),
        code: "root".into(),
        name: "省委".into(),
        kind: OrgKind::University,
        parent: None,
        established_on: None,
        closed_on: None,
    }];
    let (mut people, mut posts, mut holdings, mut platforms) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for c in 0..COLLEGES {
        let cid = format!("c{c}");
        orgs.push(Org {
            id: cid.clone(),
            code: cid.clone(),
            name: format!("学院{c}"),
            kind: OrgKind::College,
            parent: Some("root".into()),
            established_on: None,
            closed_on: None,
        });
        for b in 0..BRANCHES_PER_COLLEGE {
            let bid = format!("{cid}-b{b}");
            orgs.push(Org {
                id: bid.clone(),
                code: bid.clone(),
                name: format!("支部{b}"),
                kind: OrgKind::Branch,
                parent: Some(cid.clone()),
                established_on: None,
                closed_on: None,
            });
        }
        posts.push(Post {
            id: format!("{cid}-sec"),
            org: cid.clone(),
            kind: "secretary".into(),
            title: "党委书记".into(),
            portfolios: vec![],
            closed_on: None,
        });
        posts.push(Post {
            id: format!("{cid}-dep"),
            org: cid.clone(),
            kind: "deputy-secretary".into(),
            title: "副书记".into(),
            portfolios: vec!["publicity".into(), "student-affairs".into()],
            closed_on: None,
        });
        posts.push(Post {
            id: format!("{cid}-op"),
            org: cid.clone(),
            kind: "platform-operator".into(),
            title: "管理员".into(),
            portfolios: vec![],
            closed_on: None,
        });
        for y in 2016..2026 {
            let pid = format!("{cid}-p{y}");
            people.push(Person {
                id: pid.clone(),
                name: pid.clone(),
                org: cid.clone(),
            });
            holdings.push(Holding {
                id: format!("{cid}-h{y}"),
                post: format!("{cid}-sec"),
                person: pid,
                start: date(y, 7, 1),
                end: (y < 2025).then(|| date(y + 1, 6, 30)),
            });
        }
        people.push(Person {
            id: format!("{cid}-dp"),
            name: "副书记".into(),
            org: cid.clone(),
        });
        holdings.push(Holding {
            id: format!("{cid}-hd"),
            post: format!("{cid}-dep"),
            person: format!("{cid}-dp"),
            start: date(2016, 1, 1),
            end: None,
        });
        people.push(Person {
            id: format!("{cid}-op1"),
            name: "管理员".into(),
            org: cid.clone(),
        });
        holdings.push(Holding {
            id: format!("{cid}-ho"),
            post: format!("{cid}-op"),
            person: format!("{cid}-op1"),
            start: date(2016, 1, 1),
            end: None,
        });
        for (i, kind) in [PlatformKind::Website, PlatformKind::WechatOfficial]
            .into_iter()
            .enumerate()
        {
            platforms.push(Platform {
                id: format!("{cid}-pf{i}"),
                code: format!("{cid}-pf{i}"),
                name: "平台".into(),
                kind,
                org: cid.clone(),
                portfolio: Some("publicity".into()),
                news_function: true,
                opened_on: date(2015, 1, 1),
                closed_on: None,
                operators: vec![format!("{cid}-op1")],
                state: PlatformState::Active,
                active_from: Some(date(2015, 1, 1)),
            });
        }
    }
    let assignments = PortfolioAssignment::standing(&posts, &holdings);
    OrgModel::new(orgs, people, posts, holdings, assignments, platforms)
}

fn benches(c: &mut Criterion) {
    let pack = builtin_pack().unwrap();
    let model = province();
    assert_eq!(
        model.orgs().len(),
        1 + COLLEGES * (1 + BRANCHES_PER_COLLEGE)
    );
    let n = generate(&pack, &model, 2026, &[]).len();
    eprintln!(
        "orgs: {}, obligations generated for 2026: {n}",
        model.orgs().len()
    );

    let mut g = c.benchmark_group("core");
    g.sample_size(10);
    g.bench_function("generate one year, 100 000 orgs", |b| {
        b.iter(|| black_box(generate(&pack, &model, 2026, &[]).len()))
    });

    let duty = pack.duty("annual-dedicated-study").unwrap();
    let colleges: Vec<&Org> = model
        .orgs()
        .iter()
        .filter(|o| o.kind == OrgKind::College)
        .collect();
    g.bench_function("100 000 resolutions over 10 years of holdings", |b| {
        b.iter(|| {
            let mut found = 0;
            for i in 0..100_000usize {
                let org = colleges[i % colleges.len()];
                let day = date(
                    2016 + (i % 10) as i32,
                    1 + (i % 12) as u32,
                    1 + (i % 28) as u32,
                );
                let target = if i % 2 == 0 {
                    Target::Duty {
                        duty,
                        platform: None,
                    }
                } else {
                    Target::Portfolio("publicity")
                };
                if resolve(&pack, &model, org, target, day)
                    .map(|a| a.person.is_some())
                    .unwrap_or(false)
                {
                    found += 1;
                }
            }
            black_box(found)
        })
    });
    g.finish();
}

criterion_group!(core, benches);
criterion_main!(core);
