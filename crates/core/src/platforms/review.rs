//! A platform's annual review (年审, Art.4(6)): the pack's checklist answered item by item, an
//! overall outcome (pass, rectify, close), the reviewer and the review's findings. A "rectify"
//! outcome opens rectification tasks (整改任务), each with an owner and a deadline; each is an
//! event the pack's `rectification` duty hangs on, so each is an obligation of its own, closed by
//! a rectification report. Rules only: the caller passes today.

use crate::Lang;
use crate::org::{OrgModel, Platform};
use crate::period::add_days;
use crate::policy::ReviewChecklist;
use crate::records::FieldErrors;
use crate::records::validate::Errors;
use crate::vocab::ReviewOutcome;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Longest note on one checklist item, in characters.
pub const NOTE_MAX: usize = 1000;
/// Longest findings of a review or text of a rectification report, in characters.
pub const SUMMARY_MAX: usize = 20_000;
/// Longest title of a rectification task, in characters.
pub const TASK_TITLE_MAX: usize = 200;
/// Most rectification tasks one review opens.
pub const TASKS_MAX: usize = 50;
/// The latest deadline of a rectification task, in days after the review.
pub const DEADLINE_MAX_DAYS: u32 = 365;

/// A review as typed in (the form, the API).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReviewDraft {
    /// The day of the review, `YYYY-MM-DD`.
    pub date: String,
    /// The reviewer's person id.
    pub reviewer: String,
    /// The answer to each checklist item, by item id.
    pub items: BTreeMap<String, ItemDraft>,
    /// `pass`, `rectify` or `close`.
    pub outcome: String,
    /// The review's findings (required unless it passes).
    pub summary: String,
    /// The rectification tasks a `rectify` outcome opens.
    pub rectifications: Vec<RectificationDraft>,
}

/// The answer to one checklist item as typed in.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ItemDraft {
    /// `met` or `not-met`.
    pub result: String,
    /// What was found (required when not met).
    pub note: String,
}

/// A rectification task as typed in.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RectificationDraft {
    /// The checklist item it rectifies (empty: the review's findings in general).
    pub item: String,
    /// What is to be done.
    pub title: String,
    /// The owner's person id.
    pub owner: String,
    /// `YYYY-MM-DD` (empty: the pack's default number of days after the review).
    pub deadline: String,
}

/// One checklist item as answered, with the item's text as the pack said it that day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckedItem {
    /// Item id.
    pub id: String,
    /// Chinese text.
    pub title: String,
    /// English text.
    pub title_en: String,
    /// Whether it was met.
    pub met: bool,
    /// What was found.
    pub note: String,
}

/// A rectification task a review opened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RectificationTask {
    /// Storage id (also the id of the event its obligation hangs on); empty until stored.
    pub id: String,
    /// The checklist item it rectifies.
    pub item: Option<String>,
    /// What is to be done.
    pub title: String,
    /// The owner's person id.
    pub owner: String,
    /// The deadline.
    pub deadline: NaiveDate,
}

/// A platform's annual review, checked: what the record of kind `annual-review` holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnnualReview {
    /// The platform reviewed.
    pub platform: String,
    /// The reviewer's person id.
    pub reviewer: String,
    /// The checklist as answered.
    pub items: Vec<CheckedItem>,
    /// The outcome.
    pub outcome: ReviewOutcome,
    /// The findings.
    pub summary: String,
    /// The rectification tasks it opened.
    pub rectifications: Vec<RectificationTask>,
}

impl AnnualReview {
    /// The items not met.
    pub fn not_met(&self) -> impl Iterator<Item = &CheckedItem> {
        self.items.iter().filter(|i| !i.met)
    }
}

/// Whether `person` may answer for `platform`: a person of its org, of an org under it, or of
/// an org above it (the college reviews a branch's account).
fn of_platform(model: &OrgModel, platform: &Platform, person_org: &str) -> bool {
    model.is_within(person_org, &platform.org) || model.is_within(&platform.org, person_org)
}

impl Errors {
    /// A person who may answer for the platform (see [`of_platform`]), the field named `l`.
    fn platform_person(
        &mut self,
        field: &str,
        l: (&str, &str),
        id: &str,
        model: &OrgModel,
        platform: &Platform,
    ) -> String {
        let id = id.trim();
        let label = self.lang().pick(l.0, l.1).to_string();
        match model.person(id) {
            _ if id.is_empty() => self.push(
                field,
                format!("{}不能为空", l.0),
                format!("{} is required", l.1),
            ),
            None => self.push(
                field,
                format!("{label}：找不到人员「{id}」"),
                format!("{label}: there is no person `{id}`"),
            ),
            Some(p) if !of_platform(model, platform, &p.org) => {
                let their = model.org(&p.org).map(|o| o.name.as_str()).unwrap_or(&p.org);
                self.push(
                    field,
                    format!("{label}：{}（{their}）不是{}所属组织或其上级、下级组织的人员", p.name, platform.name),
                    format!(
                        "{label}: {} ({their}) is not of the org that owns {}, nor above or below it",
                        p.name, platform.name
                    ),
                );
            }
            Some(_) => {}
        }
        id.to_string()
    }
}

/// Checks a review of `platform` against the pack's checklist; the review, or every problem
/// The review's day and the review, or every problem
/// with its field (`date`, `reviewer`, `items.<id>`, `outcome`, `summary`,
/// `rectifications.<n>.<field>`). Task ids are left empty for the caller to give.
pub fn check_review(
    d: &ReviewDraft,
    platform: &Platform,
    checklist: Option<&ReviewChecklist>,
    model: &OrgModel,
    today: NaiveDate,
    lang: Lang,
) -> Result<(NaiveDate, AnnualReview), FieldErrors> {
    let mut e = Errors::new(lang);
    let date = e.past_date("date", &d.date, today);
    if let Some(day) = date {
        match platform.active_from {
            None => e.push(
                "date",
                format!("{}尚未运行，还不需要年审", platform.name),
                format!(
                    "{} has not run yet; it owes no annual review",
                    platform.name
                ),
            ),
            Some(a) if day < a => e.push(
                "date",
                format!("年审日期 {day} 早于{}开始运行的日期 {a}", platform.name),
                format!(
                    "the review day {day} is before {} began to run ({a})",
                    platform.name
                ),
            ),
            _ => {}
        }
        if let Some(c) = platform.closed_on.filter(|c| *c < day) {
            e.push(
                "date",
                format!("{}已于 {c} 关停，不能再年审", platform.name),
                format!("{} closed on {c}; it is no longer reviewed", platform.name),
            );
        }
    }
    let reviewer = e.platform_person(
        "reviewer",
        ("年审人", "reviewer"),
        &d.reviewer,
        model,
        platform,
    );

    let asked = checklist
        .map(|c| c.items_for(platform.kind, platform.news_function))
        .unwrap_or_default();
    for id in d
        .items
        .keys()
        .filter(|id| !asked.iter().any(|i| &i.id == *id))
    {
        e.push(
            format!("items.{id}"),
            format!("年审清单中没有适用于{}的项目「{id}」", platform.name),
            format!("the checklist has no item `{id}` for {}", platform.name),
        );
    }
    let mut items = Vec::with_capacity(asked.len());
    for item in &asked {
        let field = format!("items.{}", item.id);
        let answer = d.items.get(&item.id).cloned().unwrap_or_default();
        let met = match answer.result.trim() {
            "met" => Some(true),
            "not-met" => Some(false),
            "" => {
                e.push(
                    &field,
                    format!("「{}」：请选择符合或不符合", item.title),
                    format!("“{}”: choose met or not met", item.title_en),
                );
                None
            }
            other => {
                e.push(
                    &field,
                    format!(
                        "「{}」：结果「{other}」无效，可选：met（符合）、not-met（不符合）",
                        item.title
                    ),
                    format!(
                        "“{}”: result `{other}` is not valid; use met or not-met",
                        item.title_en
                    ),
                );
                None
            }
        };
        let note = answer.note.trim().to_string();
        if note.chars().count() > NOTE_MAX {
            e.push(
                &field,
                format!("「{}」：说明不能超过 {NOTE_MAX} 个字符", item.title),
                format!(
                    "“{}”: the note must be at most {NOTE_MAX} characters",
                    item.title_en
                ),
            );
        }
        if met == Some(false) && note.is_empty() {
            e.push(
                &field,
                format!("「{}」不符合：请说明发现的问题", item.title),
                format!("“{}” is not met: say what was found", item.title_en),
            );
        }
        if let Some(met) = met {
            items.push(CheckedItem {
                id: item.id.clone(),
                title: item.title.clone(),
                title_en: item.title_en.clone(),
                met,
                note,
            });
        }
    }

    let outcome = match d.outcome.trim() {
        "" => {
            e.push(
                "outcome",
                "年审结论不能为空".into(),
                "the outcome is required".into(),
            );
            None
        }
        o => match ReviewOutcome::parse(o) {
            Some(o) => Some(o),
            None => {
                e.push(
                    "outcome",
                    format!("年审结论「{o}」无效，可选：{}", ReviewOutcome::expected()),
                    format!(
                        "outcome `{o}` is not valid; use one of: {}",
                        ReviewOutcome::expected()
                    ),
                );
                None
            }
        },
    };
    let failed: Vec<&CheckedItem> = items.iter().filter(|i| !i.met).collect();
    if outcome == Some(ReviewOutcome::Pass) && !failed.is_empty() {
        let names: Vec<&str> = failed.iter().map(|i| i.title.as_str()).collect();
        let names_en: Vec<&str> = failed.iter().map(|i| i.title_en.as_str()).collect();
        e.push(
            "outcome",
            format!(
                "有不符合项（{}），结论不能为通过：请选择整改或关停",
                names.join("；")
            ),
            format!(
                "items are not met ({}); the outcome cannot be pass: choose rectify or close",
                names_en.join("; ")
            ),
        );
    }
    let summary = d.summary.trim().to_string();
    if summary.chars().count() > SUMMARY_MAX {
        e.push(
            "summary",
            format!("年审意见不能超过 {SUMMARY_MAX} 个字符"),
            format!("the findings must be at most {SUMMARY_MAX} characters"),
        );
    }
    if summary.is_empty() && matches!(outcome, Some(ReviewOutcome::Rectify | ReviewOutcome::Close))
    {
        e.push(
            "summary",
            "结论为整改或关停时，须填写年审意见".into(),
            "a rectify or close outcome needs the findings".into(),
        );
    }

    let mut rectifications = Vec::new();
    match outcome {
        Some(ReviewOutcome::Rectify) if d.rectifications.is_empty() => e.push(
            "rectifications",
            "结论为整改时，须列出至少一项整改任务（内容、责任人、完成时限）".into(),
            "a rectify outcome needs at least one rectification task (what, owner, deadline)"
                .into(),
        ),
        Some(ReviewOutcome::Pass | ReviewOutcome::Close) if !d.rectifications.is_empty() => e.push(
            "rectifications",
            "只有结论为整改时才列整改任务".into(),
            "only a rectify outcome opens rectification tasks".into(),
        ),
        _ => {}
    }
    if d.rectifications.len() > TASKS_MAX {
        e.push(
            "rectifications",
            format!("整改任务不能超过 {TASKS_MAX} 项"),
            format!("at most {TASKS_MAX} rectification tasks"),
        );
    }
    for (n, t) in d.rectifications.iter().enumerate().take(TASKS_MAX) {
        let at = |f: &str| format!("rectifications.{}.{f}", n + 1);
        let (zh, en) = (
            format!("整改任务 {}", n + 1),
            format!("Rectification {}", n + 1),
        );
        let title = t.title.trim().to_string();
        if title.is_empty() {
            e.push(
                at("title"),
                format!("{zh}：整改内容不能为空"),
                format!("{en}: what is to be done is required"),
            );
        } else if title.chars().count() > TASK_TITLE_MAX {
            e.push(
                at("title"),
                format!("{zh}：整改内容不能超过 {TASK_TITLE_MAX} 个字符"),
                format!("{en}: at most {TASK_TITLE_MAX} characters"),
            );
        }
        let owner = e.platform_person(
            &at("owner"),
            (&format!("{zh}的责任人"), &format!("{en}: owner")),
            &t.owner,
            model,
            platform,
        );
        let item = match t.item.trim() {
            "" => None,
            i if failed.iter().any(|f| f.id == i) => Some(i.to_string()),
            i => {
                e.push(
                    at("item"),
                    format!("{zh}：「{i}」不是本次年审的不符合项"),
                    format!("{en}: `{i}` is not an item this review found not met"),
                );
                None
            }
        };
        let deadline = match (t.deadline.trim(), date) {
            ("", Some(day)) => Some(add_days(
                day,
                checklist.map_or(30, |c| c.rectification_days),
            )),
            ("", None) => None,
            (s, _) => match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
                Ok(dl) => Some(dl),
                Err(_) => {
                    e.push(
                        at("deadline"),
                        format!("{zh}：完成时限「{s}」不是有效日期，请按 YYYY-MM-DD 填写"),
                        format!("{en}: deadline `{s}` is not a date; write YYYY-MM-DD"),
                    );
                    None
                }
            },
        };
        if let (Some(dl), Some(day)) = (deadline, date) {
            let latest = add_days(day, DEADLINE_MAX_DAYS);
            if dl <= day {
                e.push(
                    at("deadline"),
                    format!("{zh}：完成时限 {dl} 须晚于年审日期 {day}"),
                    format!("{en}: the deadline {dl} must be after the review ({day})"),
                );
            } else if dl > latest {
                e.push(
                    at("deadline"),
                    format!("{zh}：完成时限 {dl} 晚于年审后一年（{latest}）"),
                    format!(
                        "{en}: the deadline {dl} is more than a year after the review ({latest})"
                    ),
                );
            }
        }
        if let Some(deadline) = deadline {
            rectifications.push(RectificationTask {
                id: String::new(),
                item,
                title,
                owner,
                deadline,
            });
        }
    }

    let valid = match (date, outcome) {
        (Some(day), Some(outcome)) => Some((
            day,
            AnnualReview {
                platform: platform.id.clone(),
                reviewer,
                items,
                outcome,
                summary,
                rectifications,
            },
        )),
        _ => None,
    };
    e.result(valid)
}
