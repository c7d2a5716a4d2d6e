//! What the roster pages and the command line say about a file: each problem at its cell, and
//! each planned step as a line of the preview, in the user's language.

use crate::shared::format::{date, platform_kind_name};
use crate::shared::i18n::Tr;
use chrono::NaiveDate;
use zeren_core::Lang;
use zeren_core::org::OrgModel;
use zeren_core::org::roster::{
    HoldingRef, PersonRef, Planned, PostRef, RosterError, RosterProblem, Step,
};
use zeren_core::policy::PolicyPack;

fn until(tr: Tr, end: Option<NaiveDate>) -> String {
    end.map(date)
        .unwrap_or_else(|| tr.t("roster.now").to_string())
}

fn post_kind(tr: Tr, pack: &PolicyPack, kind: &str) -> String {
    pack.post_kind(kind)
        .map(|k| tr.lang().pick(&k.name, &k.name_en).to_string())
        .unwrap_or_else(|| kind.to_string())
}

/// A problem of the plan, at its cell: `人员!B7: …`.
pub fn problem_message(tr: Tr, pack: &PolicyPack, p: &RosterProblem) -> String {
    let text = match &p.error {
        RosterError::Duplicate { first } => {
            tr.tf("roster.error.duplicate", &[("first", &first.to_string())])
        }
        RosterError::BadCode => tr.t("roster.error.bad_code").to_string(),
        RosterError::UnknownOrgKind => tr.t("roster.error.org_kind").to_string(),
        RosterError::UnknownOrg => tr.t("roster.error.unknown_org").to_string(),
        RosterError::KindUnder { kind, parent } => tr.tf(
            "roster.error.kind_under",
            &[
                ("kind", tr.t(&format!("orgs.kind.{}", kind.as_str()))),
                ("parent", tr.t(&format!("orgs.kind.{}", parent.as_str()))),
            ],
        ),
        RosterError::SecondRoot(root) => tr.tf("roster.error.second_root", &[("root", root)]),
        RosterError::RootKind => tr.t("roster.error.root_kind").to_string(),
        RosterError::Cycle => tr.t("roster.error.cycle").to_string(),
        RosterError::KindChanged { stored } => tr.tf(
            "roster.error.kind_changed",
            &[("kind", tr.t(&format!("orgs.kind.{}", stored.as_str())))],
        ),
        RosterError::ClosedBeforeEstablished => tr.t("roster.error.closed_early").to_string(),
        RosterError::UnknownPostKind => tr.t("roster.error.post_kind").to_string(),
        RosterError::PostNotOfOrg { kind, org_kind } => tr.tf(
            "roster.error.post_not_of_org",
            &[
                ("post", &post_kind(tr, pack, kind)),
                ("kind", tr.t(&format!("orgs.kind.{}", org_kind.as_str()))),
            ],
        ),
        RosterError::FirstResponsibleTaken => tr.t("roster.error.first_taken").to_string(),
        RosterError::PostKindChanged { stored } => tr.tf(
            "roster.error.post_kind_changed",
            &[("post", &post_kind(tr, pack, stored))],
        ),
        RosterError::PostClosing => tr.t("roster.error.post_closing").to_string(),
        RosterError::UnknownPost => tr.t("roster.error.unknown_post").to_string(),
        RosterError::UnknownStaffNo => tr.t("roster.error.unknown_staff_no").to_string(),
        RosterError::AmbiguousPerson => tr.t("roster.error.ambiguous_person").to_string(),
        RosterError::EndBeforeStart => tr.t("roster.error.end_before_start").to_string(),
        RosterError::Overlap { start, end } => tr.tf(
            "roster.error.overlap",
            &[("start", &date(*start)), ("end", &until(tr, *end))],
        ),
        RosterError::SamePerson => tr.t("roster.error.same_person").to_string(),
        RosterError::HoldingReopened => tr.t("roster.error.reopened").to_string(),
        RosterError::UnknownPortfolio => tr.t("roster.error.portfolio").to_string(),
        RosterError::NotLeadership => tr.t("roster.error.not_leadership").to_string(),
        RosterError::NoHolding => tr.t("roster.error.no_holding").to_string(),
        RosterError::OutsideHolding { start, end } => tr.tf(
            "roster.error.outside_holding",
            &[("start", &date(*start)), ("end", &until(tr, *end))],
        ),
        RosterError::Person(e) => tr
            .t(&format!("roster.error.person.{}", e.field()))
            .to_string(),
        RosterError::PortfolioTaken { start, end } => tr.tf(
            "roster.error.portfolio_taken",
            &[("start", &date(*start)), ("end", &until(tr, *end))],
        ),
        RosterError::UnknownPlatformKind => {
            // Chinese users write the names, others the ids; the sheet takes either.
            let names: Vec<String> = pack
                .platform_kinds()
                .into_iter()
                .map(|k| match tr.lang() {
                    Lang::Zh => platform_kind_name(tr, pack, k),
                    Lang::En => k.as_str().to_string(),
                })
                .collect();
            tr.tf(
                "roster.error.platform_kind",
                &[("expected", &names.join(tr.lang().pick("、", ", ")))],
            )
        }
        RosterError::NotYesNo => tr.t("roster.error.yes_no").to_string(),
        RosterError::PlatformStartState => tr.t("roster.error.platform_start").to_string(),
        RosterError::UnknownPlatformState => tr.t("roster.error.platform_state").to_string(),
        RosterError::PlatformKindChanged { stored } => tr.tf(
            "roster.error.platform_kind_changed",
            &[("kind", &platform_kind_name(tr, pack, *stored))],
        ),
        RosterError::PlatformOrgChanged { stored } => {
            tr.tf("roster.error.platform_org_changed", &[("org", stored)])
        }
        RosterError::PlatformStateChanged { stored } => tr.tf(
            "roster.error.platform_state_changed",
            &[("state", stored.name(tr.lang()))],
        ),
        RosterError::OperatorOutside => tr.t("roster.error.operator_outside").to_string(),
        RosterError::TooManyOperators => tr.t("roster.error.too_many_operators").to_string(),
        RosterError::TooLong { max } => {
            tr.tf("roster.error.too_long", &[("max", &max.to_string())])
        }
        RosterError::BadIcp => tr.t("roster.error.icp").to_string(),
        RosterError::IcpRequired => tr.t("roster.error.icp_required").to_string(),
        RosterError::AccountDetailsRequired => tr.t("roster.error.account_required").to_string(),
    };
    format!("{}: {text}", p.at)
}

/// A person of a step, by name (stored) or staff number (new).
fn person(m: &OrgModel, r: &PersonRef) -> String {
    match r {
        PersonRef::Stored(id) => m.person(id).map(|p| p.name.clone()).unwrap_or_default(),
        PersonRef::New(staff_no) => staff_no.clone(),
    }
}

fn post(m: &OrgModel, r: &PostRef) -> String {
    match r {
        PostRef::Stored(id) => m
            .post(id)
            .map(|p| {
                let org = m.org(&p.org).map(|o| o.code.as_str()).unwrap_or_default();
                format!("{org} {}", p.title)
            })
            .unwrap_or_default(),
        PostRef::New { org, title } => format!("{org} {title}"),
    }
}

/// A line of the preview: (what, the object, the sheet and row it comes from).
pub fn step_line(tr: Tr, pack: &PolicyPack, m: &OrgModel, p: &Planned) -> (String, String) {
    let what = |k: &str| tr.t(&format!("roster.step.{k}")).to_string();
    let (kind, text) = match &p.step {
        Step::CreateOrg {
            code, name, kind, ..
        } => (
            what("create"),
            format!(
                "{code} {name}（{}）",
                tr.t(&format!("orgs.kind.{}", kind.as_str()))
            ),
        ),
        Step::EditOrg {
            code,
            name,
            parent,
            closed_on,
            ..
        } => {
            let mut parts = Vec::new();
            if let Some(n) = name {
                parts.push(tr.tf("roster.change.name", &[("value", n)]));
            }
            if let Some(p) = parent {
                parts.push(tr.tf("roster.change.parent", &[("value", p)]));
            }
            match closed_on {
                Some(Some(d)) => parts.push(tr.tf("roster.change.closed", &[("day", &date(*d))])),
                Some(None) => parts.push(tr.t("roster.change.reopened").to_string()),
                None => {}
            }
            (what("change"), format!("{code}：{}", parts.join("；")))
        }
        Step::CreatePerson {
            staff_no,
            name,
            org,
            ..
        } => (what("create"), format!("{staff_no} {name}（{org}）")),
        Step::EditPerson { id, left_on, .. } => {
            let name = m.person(id).map(|p| p.name.clone()).unwrap_or_default();
            match left_on {
                Some(Some(d)) => (
                    what("end"),
                    format!(
                        "{name}：{}",
                        tr.tf("roster.change.left", &[("day", &date(*d))])
                    ),
                ),
                _ => (what("change"), name),
            }
        }
        Step::CreatePost { org, kind, title } => (
            what("create"),
            format!("{org} {title}（{}）", post_kind(tr, pack, kind)),
        ),
        Step::Appoint {
            post: p,
            person: who,
            start,
            end,
        } => (
            what("create"),
            format!(
                "{} ← {}，{} – {}",
                post(m, p),
                person(m, who),
                date(*start),
                until(tr, *end)
            ),
        ),
        Step::EndHolding { id, end, handover } => {
            let h = m.holdings().iter().find(|h| h.id == *id);
            let label = h
                .map(|h| {
                    format!(
                        "{} {}",
                        post(m, &PostRef::Stored(h.post.clone())),
                        person(m, &PersonRef::Stored(h.person.clone()))
                    )
                })
                .unwrap_or_default();
            (
                what(if *handover { "handover" } else { "end" }),
                format!(
                    "{label}，{}",
                    tr.tf("roster.change.until", &[("day", &date(*end))])
                ),
            )
        }
        Step::Assign {
            holding,
            portfolio,
            start,
            end,
        } => {
            let who = match holding {
                HoldingRef::Stored(id) => m
                    .holdings()
                    .iter()
                    .find(|h| h.id == *id)
                    .map(|h| person(m, &PersonRef::Stored(h.person.clone())))
                    .unwrap_or_default(),
                HoldingRef::New(_, who, _) => person(m, who),
            };
            let name = pack
                .portfolio(portfolio)
                .map(|p| tr.lang().pick(&p.name, &p.name_en).to_string())
                .unwrap_or_else(|| portfolio.clone());
            (
                what("create"),
                format!("{who} {name}，{} – {}", date(*start), until(tr, *end)),
            )
        }
        Step::EndAssignment { id, end } => (
            what("end"),
            format!(
                "{}，{}",
                m.assignments()
                    .iter()
                    .find(|a| a.id == *id)
                    .map(|a| a.portfolio.clone())
                    .unwrap_or_default(),
                tr.tf("roster.change.until", &[("day", &date(*end))])
            ),
        ),
        Step::CreatePlatform {
            code,
            name,
            kind,
            org,
            ..
        } => (
            what("create"),
            format!(
                "{code} {name}（{}，{org}）",
                platform_kind_name(tr, pack, *kind)
            ),
        ),
        Step::EditPlatform {
            code,
            name,
            registration,
            ..
        } => {
            let mut parts = Vec::new();
            if let Some(n) = name {
                parts.push(tr.tf("roster.change.name", &[("value", n)]));
            }
            if registration.is_some() {
                parts.push(tr.t("roster.change.registration").to_string());
            }
            if parts.is_empty() {
                (what("change"), code.clone())
            } else {
                (what("change"), format!("{code}：{}", parts.join("；")))
            }
        }
    };
    (kind, format!("{}!{} · {text}", p.sheet.title(), p.row))
}
