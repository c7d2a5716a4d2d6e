//! A website's upkeep (Art.4(6) 做好学院网站管理维护工作): its content-responsibility
//! arrangements — who approves publication and, where the pack asks for 三审三校, the three
//! reviewers in order — and its maintenance log, where each entry records a day, what was done
//! and by whom. A running website with no entry for the pack's number of days is an indicator
//! (`art5-6`). Rules only.

use crate::Lang;
use crate::org::{OrgModel, Platform};
use crate::records::FieldErrors;
use crate::records::validate::Errors;
use crate::vocab::PlatformKind;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Longest note of a log entry, in characters.
pub const LOG_NOTE_MAX: usize = 2000;

/// What the pack asks of websites' upkeep.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebsiteRules {
    /// A running website with no log entry for this many days is an indicator.
    pub log_days: u32,
    /// Whether content passes three reviews (三审三校): three reviewers must be named.
    pub three_reviews: bool,
}

impl Default for WebsiteRules {
    fn default() -> WebsiteRules {
        WebsiteRules {
            log_days: 30,
            three_reviews: false,
        }
    }
}

/// The arrangements as typed in.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ContentDraft {
    /// Who approves publication (person id).
    pub approver: String,
    /// The reviewers, first to third (person ids; empty where none).
    pub reviewers: Vec<String>,
}

/// A website's checked arrangements.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContentArrangements {
    /// Who approves publication.
    pub approver: String,
    /// The reviewers in order (三审: first, second, third).
    pub reviewers: Vec<String>,
}

/// Kinds of maintenance.
pub const LOG_KINDS: [&str; 4] = ["update", "check", "fix", "security"];

/// A log entry as typed in.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LogDraft {
    /// `YYYY-MM-DD`, not after today.
    pub date: String,
    /// `update` (栏目更新), `check` (巡查), `fix` (修复), `security` (安全检查).
    pub kind: String,
    /// What was done.
    pub note: String,
}

/// A checked log entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogEntry {
    /// The day.
    pub date: NaiveDate,
    /// The kind.
    pub kind: String,
    /// What was done.
    pub note: String,
}

fn website(e: &mut Errors, p: &Platform) -> bool {
    if p.kind == PlatformKind::Website {
        return true;
    }
    e.push(
        "platform",
        format!("{}不是网站：内容审核安排和维护日志只适用于网站", p.name),
        format!(
            "{} is not a website: arrangements and the log are for websites",
            p.name
        ),
    );
    false
}

/// Checks the arrangements of website `p`: people of its org, above or below it; three
/// distinct reviewers where the pack asks for 三审三校.
pub fn check_content(
    d: &ContentDraft,
    p: &Platform,
    rules: &WebsiteRules,
    model: &OrgModel,
    lang: Lang,
) -> Result<ContentArrangements, FieldErrors> {
    let mut e = Errors::new(lang);
    let ok = website(&mut e, p);
    let approver = person(
        &mut e,
        "approver",
        ("发布审批人", "publication approver"),
        &d.approver,
        p,
        model,
        true,
    );
    let reviewers: Vec<String> = d
        .reviewers
        .iter()
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty())
        .collect();
    if reviewers.len() > 3 {
        e.push(
            "reviewers",
            "审核人最多三位（三审）".into(),
            "at most three reviewers".into(),
        );
    }
    for (n, r) in reviewers.iter().enumerate().take(3) {
        person(
            &mut e,
            &format!("reviewers.{}", n + 1),
            ("审核人", "reviewer"),
            r,
            p,
            model,
            true,
        );
    }
    let mut seen = reviewers.clone();
    seen.sort();
    seen.dedup();
    if seen.len() != reviewers.len() {
        e.push(
            "reviewers",
            "三审须由不同的人担任".into(),
            "the three reviews need three different people".into(),
        );
    }
    if rules.three_reviews && reviewers.len() != 3 {
        e.push(
            "reviewers",
            "制度要求三审三校：须依次指定初审、复审、终审三位审核人".into(),
            "the policy asks for three reviews: name the first, second and final reviewer".into(),
        );
    }
    let valid = ok.then_some(ContentArrangements {
        approver,
        reviewers,
    });
    e.result(valid)
}

/// A person of `p`'s org, of an org below or above it.
fn person(
    e: &mut Errors,
    field: &str,
    l: (&str, &str),
    id: &str,
    p: &Platform,
    model: &OrgModel,
    required: bool,
) -> String {
    let id = id.trim();
    let label = e.lang().pick(l.0, l.1).to_string();
    match model.person(id) {
        _ if id.is_empty() => {
            if required {
                e.push(
                    field,
                    format!("{}不能为空", l.0),
                    format!("{} is required", l.1),
                );
            }
        }
        None => e.push(
            field,
            format!("{label}：找不到人员「{id}」"),
            format!("{label}: there is no person `{id}`"),
        ),
        Some(x) if !(model.is_within(&x.org, &p.org) || model.is_within(&p.org, &x.org)) => {
            e.push(
                field,
                format!(
                    "{label}：{}不是{}所属组织或其上级、下级组织的人员",
                    x.name, p.name
                ),
                format!(
                    "{label}: {} is not of the org that owns {}, nor above or below it",
                    x.name, p.name
                ),
            );
        }
        Some(_) => {}
    }
    id.to_string()
}

/// Checks a log entry of website `p`: a day while it was open, not after today.
pub fn check_log(
    d: &LogDraft,
    p: &Platform,
    today: NaiveDate,
    lang: Lang,
) -> Result<LogEntry, FieldErrors> {
    let mut e = Errors::new(lang);
    let ok = website(&mut e, p);
    let date = e.past_date("date", &d.date, today);
    if let Some(day) = date
        && (day < p.opened_on || p.closed_on.is_some_and(|c| day > c))
    {
        e.push(
            "date",
            format!("{day} 不在{}开设期间", p.name),
            format!("{day} is not while {} was open", p.name),
        );
    }
    let kind = d.kind.trim().to_string();
    if !LOG_KINDS.contains(&kind.as_str()) {
        e.push(
            "kind",
            format!("维护类型「{kind}」无效，可选：update（栏目更新）、check（巡查）、fix（修复）、security（安全检查）"),
            format!("kind `{kind}` is not valid; use update, check, fix or security"),
        );
    }
    let note = e.text("note", &d.note, true, LOG_NOTE_MAX);
    let valid = match (ok, date) {
        (true, Some(date)) => Some(LogEntry { date, kind, note }),
        _ => None,
    };
    e.result(valid)
}

/// Whether a running website whose last entry is `last` (none: never) is an indicator on
/// `today`: no entry for the pack's days, counted from its last entry or from the day it began
/// to run. The days since, when it is.
pub fn log_gap(
    p: &Platform,
    last: Option<NaiveDate>,
    rules: &WebsiteRules,
    today: NaiveDate,
) -> Option<i64> {
    if p.kind != PlatformKind::Website || !p.runs_during(today, today) {
        return None;
    }
    let from = last.or(p.active_from)?;
    let days = (today - from).num_days();
    (days >= i64::from(rules.log_days)).then_some(days)
}
