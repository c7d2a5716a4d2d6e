//! A small roster for the tests, and ways to look at rosters without the cells they came from.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![allow(dead_code)]

use chrono::NaiveDate;
use zeren_core::org::roster::{
    AssignmentRow, At, Cell, Day, HoldingRow, OrgRow, PersonRow, PlatformRow, PostRow, Roster,
    Sheet, Text,
};

pub fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// Anywhere: the writer ignores cells, and [`values`] forgets them.
const NOWHERE: At = At {
    sheet: Sheet::Orgs,
    row: 0,
    col: 0,
};

pub fn t(s: &str) -> Text {
    Cell {
        value: s.to_string(),
        at: NOWHERE,
    }
}

pub fn ot(s: &str) -> Option<Text> {
    Some(t(s))
}

pub fn day(s: &str) -> Day {
    Cell {
        value: d(s),
        at: NOWHERE,
    }
}

pub fn oday(s: &str) -> Option<Day> {
    Some(day(s))
}

/// Two orgs, three people (one staff number with a leading zero), posts, holdings with and
/// without an end, assignments.
pub fn roster() -> Roster {
    Roster {
        orgs: vec![
            OrgRow {
                code: t("xyz"),
                name: t("某某大学"),
                kind: t("university"),
                parent: None,
                established_on: oday("1929-10-12"),
                closed_on: None,
            },
            OrgRow {
                code: t("xyz-chem"),
                name: t("化学化工学院"),
                kind: t("学院"),
                parent: ot("xyz"),
                established_on: None,
                closed_on: oday("2030-12-31"),
            },
        ],
        people: vec![
            PersonRow {
                staff_no: t("00123"),
                name: t("张三"),
                org: t("xyz-chem"),
                email: ot("zhangsan@xyz.edu.cn"),
                wecom: ot("ZhangSan"),
                dingtalk: None,
                left_on: None,
            },
            PersonRow {
                staff_no: t("20230002"),
                name: t("李四"),
                org: t("xyz-chem"),
                email: None,
                wecom: None,
                dingtalk: ot("lisi"),
                left_on: oday("2025-07-31"),
            },
            PersonRow {
                staff_no: t("A-7"),
                name: t("王五"),
                org: t("xyz"),
                email: ot("wangwu@xyz.edu.cn"),
                wecom: None,
                dingtalk: None,
                left_on: None,
            },
        ],
        posts: vec![
            PostRow {
                org: t("xyz-chem"),
                kind: t("secretary"),
                title: t("党委书记"),
                closed_on: None,
            },
            PostRow {
                org: t("xyz-chem"),
                kind: t("党委副书记"),
                title: t("党委副书记（分管宣传）"),
                closed_on: oday("2031-01-01"),
            },
        ],
        holdings: vec![
            HoldingRow {
                org: t("xyz-chem"),
                post: t("党委书记"),
                staff_no: t("00123"),
                start: day("2021-03-01"),
                end: None,
            },
            HoldingRow {
                org: t("xyz-chem"),
                post: t("党委副书记（分管宣传）"),
                staff_no: t("20230002"),
                start: day("2022-01-01"),
                end: oday("2025-07-31"),
            },
        ],
        assignments: vec![
            AssignmentRow {
                org: t("xyz-chem"),
                post: t("党委副书记（分管宣传）"),
                staff_no: t("20230002"),
                portfolio: t("publicity"),
                start: day("2022-01-01"),
                end: oday("2025-07-31"),
            },
            AssignmentRow {
                org: t("xyz-chem"),
                post: t("党委书记"),
                staff_no: t("00123"),
                portfolio: t("宣传思想"),
                start: day("2025-08-01"),
                end: None,
            },
        ],
        platforms: vec![PlatformRow {
            code: t("xyz-chem-wechat"),
            name: t("化学化工学院微信公众号"),
            kind: t("wechat-official"),
            org: t("xyz-chem"),
            portfolio: Some(t("publicity")),
            news_function: Some(t("是")),
            opened_on: oday("2023-09-01"),
            state: Some(t("active")),
            operators: Some(t("00123、20230001")),
            icp: None,
            account_id: Some(t("gh_0123456789ab")),
            registered_on: oday("2023-08-20"),
            registering_body: Some(t("某大学化学化工学院")),
        }],
    }
}

/// A value as text, with the cell it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    pub at: At,
    pub value: String,
}

/// Every value of the roster with its cell, sheet by sheet, row by row, field by field.
pub fn cells(r: &Roster) -> Vec<Seen> {
    let mut out = Vec::new();
    let mut t = |c: &Text| {
        out.push(Seen {
            at: c.at,
            value: c.value.clone(),
        })
    };
    let mut all_text = Vec::new();
    let mut all_days = Vec::new();
    for o in &r.orgs {
        all_text.extend([&o.code, &o.name, &o.kind]);
        all_text.extend(o.parent.as_ref());
        all_days.extend(o.established_on.as_ref());
        all_days.extend(o.closed_on.as_ref());
    }
    for p in &r.people {
        all_text.extend([&p.staff_no, &p.name, &p.org]);
        all_text.extend(p.email.as_ref());
        all_text.extend(p.wecom.as_ref());
        all_text.extend(p.dingtalk.as_ref());
        all_days.extend(p.left_on.as_ref());
    }
    for p in &r.posts {
        all_text.extend([&p.org, &p.kind, &p.title]);
        all_days.extend(p.closed_on.as_ref());
    }
    for h in &r.holdings {
        all_text.extend([&h.org, &h.post, &h.staff_no]);
        all_days.push(&h.start);
        all_days.extend(h.end.as_ref());
    }
    for a in &r.assignments {
        all_text.extend([&a.org, &a.post, &a.staff_no, &a.portfolio]);
        all_days.push(&a.start);
        all_days.extend(a.end.as_ref());
    }
    for c in all_text {
        t(c);
    }
    for c in all_days {
        out.push(Seen {
            at: c.at,
            value: c.value.to_string(),
        });
    }
    out
}

/// The roster with every cell forgotten, to compare values only.
pub fn values(r: &Roster) -> Roster {
    let mut r = r.clone();
    let t = |c: &mut Text| c.at = NOWHERE;
    let dd = |c: &mut Day| c.at = NOWHERE;
    for o in &mut r.orgs {
        t(&mut o.code);
        t(&mut o.name);
        t(&mut o.kind);
        o.parent.as_mut().map(t);
        o.established_on.as_mut().map(dd);
        o.closed_on.as_mut().map(dd);
    }
    for p in &mut r.people {
        t(&mut p.staff_no);
        t(&mut p.name);
        t(&mut p.org);
        p.email.as_mut().map(t);
        p.wecom.as_mut().map(t);
        p.dingtalk.as_mut().map(t);
        p.left_on.as_mut().map(dd);
    }
    for p in &mut r.posts {
        t(&mut p.org);
        t(&mut p.kind);
        t(&mut p.title);
        p.closed_on.as_mut().map(dd);
    }
    for h in &mut r.holdings {
        t(&mut h.org);
        t(&mut h.post);
        t(&mut h.staff_no);
        dd(&mut h.start);
        h.end.as_mut().map(dd);
    }
    for a in &mut r.assignments {
        t(&mut a.org);
        t(&mut a.post);
        t(&mut a.staff_no);
        t(&mut a.portfolio);
        dd(&mut a.start);
        a.end.as_mut().map(dd);
    }
    for p in &mut r.platforms {
        t(&mut p.code);
        t(&mut p.name);
        t(&mut p.kind);
        t(&mut p.org);
        p.portfolio.as_mut().map(t);
        p.news_function.as_mut().map(t);
        p.opened_on.as_mut().map(dd);
        p.state.as_mut().map(t);
        p.operators.as_mut().map(t);
        p.icp.as_mut().map(t);
        p.account_id.as_mut().map(t);
        p.registered_on.as_mut().map(dd);
        p.registering_body.as_mut().map(t);
    }
    r
}

/// Problems as `(where, kind)` lines, for readable assertions.
pub fn told(problems: &[zeren_roster::Problem]) -> Vec<String> {
    problems
        .iter()
        .map(|p| match p.at {
            Some(at) => format!("{at} {:?}", p.kind),
            None => format!("- {:?}", p.kind),
        })
        .collect()
}
