//! A small org model for core tests: a university, a college with its leadership team, a
//! branch and a platform, with the college secretary post handed over on 2026-07-01.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![allow(dead_code)]

use chrono::NaiveDate;
use zeren_core::org::{Holding, Org, OrgModel, Person, Platform, PortfolioAssignment, Post};
use zeren_core::vocab::{OrgKind, PlatformKind, PlatformState};

pub fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

pub fn org(id: &str, kind: OrgKind, parent: Option<&str>) -> Org {
    Org {
        id: id.into(),
        code: id.into(),
        name: format!("{id}名"),
        kind,
        parent: parent.map(Into::into),
        established_on: None,
        closed_on: None,
    }
}

pub fn person(id: &str, org: &str) -> Person {
    Person {
        id: id.into(),
        name: format!("{id}名"),
        org: org.into(),
    }
}

pub fn post(id: &str, org: &str, kind: &str, portfolios: &[&str]) -> Post {
    Post {
        id: id.into(),
        org: org.into(),
        kind: kind.into(),
        title: format!("{id}岗"),
        portfolios: portfolios.iter().map(|s| s.to_string()).collect(),
        closed_on: None,
    }
}

pub fn holding(id: &str, post: &str, person: &str, start: &str, end: Option<&str>) -> Holding {
    Holding {
        id: id.into(),
        post: post.into(),
        person: person.into(),
        start: d(start),
        end: end.map(d),
    }
}

#[derive(Debug, Clone)]
pub struct Parts {
    pub orgs: Vec<Org>,
    pub people: Vec<Person>,
    pub posts: Vec<Post>,
    pub holdings: Vec<Holding>,
    pub platforms: Vec<Platform>,
}

impl Parts {
    pub fn model(&self) -> OrgModel {
        OrgModel::new(
            self.orgs.clone(),
            self.people.clone(),
            self.posts.clone(),
            self.holdings.clone(),
            PortfolioAssignment::standing(&self.posts, &self.holdings),
            self.platforms.clone(),
        )
    }
}

pub fn demo_parts() -> Parts {
    Parts {
        orgs: vec![
            org("cqu", OrgKind::University, None),
            org("cqu-mse", OrgKind::College, Some("cqu")),
            org("cqu-mse-b1", OrgKind::Branch, Some("cqu-mse")),
        ],
        people: ["uni-sec", "wang", "li", "zhao", "sun", "liu", "zheng"]
            .iter()
            .map(|p| person(p, "cqu-mse"))
            .collect(),
        posts: vec![
            post("p-uni-sec", "cqu", "secretary", &[]),
            post("p-sec", "cqu-mse", "secretary", &[]),
            post(
                "p-dep",
                "cqu-mse",
                "deputy-secretary",
                &["publicity", "student-affairs"],
            ),
            post("p-vd", "cqu-mse", "vice-dean", &["network-it"]),
            post("p-op", "cqu-mse", "platform-operator", &[]),
            post("p-b1", "cqu-mse-b1", "branch-secretary", &[]),
        ],
        holdings: vec![
            holding("h1", "p-uni-sec", "uni-sec", "2018-03-01", None),
            holding("h2", "p-sec", "wang", "2019-09-01", Some("2026-06-30")),
            holding("h3", "p-sec", "li", "2026-07-01", None),
            holding("h4", "p-dep", "zhao", "2019-09-01", None),
            holding("h5", "p-vd", "sun", "2019-09-01", Some("2026-03-31")),
            holding("h6", "p-op", "liu", "2020-01-01", None),
            holding("h7", "p-b1", "zheng", "2020-01-01", None),
        ],
        platforms: vec![Platform {
            id: "pf-wechat".into(),
            code: "cqu-mse-wechat".into(),
            name: "微信公众号".into(),
            kind: PlatformKind::WechatOfficial,
            org: "cqu-mse".into(),
            portfolio: Some("publicity".into()),
            news_function: true,
            opened_on: d("2017-03-01"),
            closed_on: None,
            operators: vec!["liu".into()],
            state: PlatformState::Active,
            active_from: Some(d("2017-03-01")),
        }],
    }
}
