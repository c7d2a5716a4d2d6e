//! Reading and writing a large roster: 1 000 orgs, 20 000 people, 3 000 posts, 25 000 holdings
//! and 3 000 assignments. Run with `cargo bench -p zeren-roster`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use zeren_core::org::roster::{
    AssignmentRow, At, Cell, HoldingRow, OrgRow, PersonRow, PostRow, Roster, Sheet,
};

const ORGS: usize = 1_000;
const PEOPLE: usize = 20_000;
const POSTS: usize = 3_000;
const HOLDINGS: usize = 25_000;
const ASSIGNMENTS: usize = 3_000;

fn roster() -> Roster {
    let at = At {
        sheet: Sheet::Orgs,
        row: 0,
        col: 0,
    };
    let t = |s: String| Cell { value: s, at };
    let day = |n: usize| Cell {
        value: NaiveDate::from_ymd_opt(2015, 1, 1).unwrap() + chrono::Days::new(n as u64 % 3650),
        at,
    };
    let org = |i: usize| format!("org-{i:04}");
    let post = |i: usize| format!("职务{i}");
    let staff = |i: usize| format!("{:08}", 20_000_000 + i);
    Roster {
        orgs: (0..ORGS)
            .map(|i| OrgRow {
                code: t(org(i)),
                name: t(format!("第{i}学院党委")),
                kind: t(if i == 0 { "university" } else { "college" }.into()),
                parent: (i > 0).then(|| t(org(0))),
                established_on: Some(day(i)),
                closed_on: None,
            })
            .collect(),
        people: (0..PEOPLE)
            .map(|i| PersonRow {
                staff_no: t(staff(i)),
                name: t(format!("人员{i}")),
                org: t(org(i % ORGS)),
                email: Some(t(format!("p{i}@xyz.edu.cn"))),
                wecom: (i % 2 == 0).then(|| t(format!("wx{i}"))),
                dingtalk: None,
                left_on: (i % 10 == 0).then(|| day(i)),
            })
            .collect(),
        posts: (0..POSTS)
            .map(|i| PostRow {
                org: t(org(i % ORGS)),
                kind: t("deputy-secretary".into()),
                title: t(post(i)),
                closed_on: None,
            })
            .collect(),
        holdings: (0..HOLDINGS)
            .map(|i| HoldingRow {
                org: t(org(i % ORGS)),
                post: t(post(i % POSTS)),
                staff_no: t(staff(i % PEOPLE)),
                start: day(i),
                end: (i % 3 == 0).then(|| day(i + 400)),
            })
            .collect(),
        assignments: (0..ASSIGNMENTS)
            .map(|i| AssignmentRow {
                org: t(org(i % ORGS)),
                post: t(post(i % POSTS)),
                staff_no: t(staff(i % PEOPLE)),
                portfolio: t("publicity".into()),
                start: day(i),
                end: None,
            })
            .collect(),
        platforms: Vec::new(),
    }
}

fn bench(c: &mut Criterion) {
    let r = roster();
    let bytes = zeren_roster::write_xlsx(&r).unwrap();
    eprintln!("workbook: {} bytes", bytes.len());
    let back = zeren_roster::read_xlsx(&bytes).unwrap();
    assert_eq!(back.holdings.len(), HOLDINGS);
    let mut group = c.benchmark_group("roster");
    group.sample_size(10);
    group.bench_function("read_xlsx", |b| {
        b.iter(|| zeren_roster::read_xlsx(black_box(&bytes)).unwrap())
    });
    group.bench_function("write_xlsx", |b| {
        b.iter(|| zeren_roster::write_xlsx(black_box(&r)).unwrap())
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
