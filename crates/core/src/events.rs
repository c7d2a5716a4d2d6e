//! Online events (报告会、研讨会、讲座、论坛、讲坛、年会、直播 held through a platform, Art.4(4),
//! Art.5(7)): registered before they happen, approved by the leader who answers for the
//! platform's portfolio — by the first responsible person when the pack makes the event major —
//! at least N days ahead, and recorded after they took place. An event held without approval, or
//! changed after it was approved and not approved again, is a fact for people to look at (an
//! indicator citing `art5-7`), never a verdict. Rules only: the caller passes today.

use crate::Lang;
use crate::org::{OrgModel, Platform};
use crate::period::sub_days;
use crate::policy::{Duty, EventRules, PolicyPack, Subject};
use crate::records::FieldErrors;
use crate::records::validate::Errors;
use crate::responsibility::{Target, resolve};
use crate::vocab::{EventForm, EventKind};
use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};
use serde::{Deserialize, Serialize};

/// Longest title, in characters.
pub const TITLE_MAX: usize = 200;
/// Longest organising unit, speaker name or affiliation, in characters.
pub const NAME_MAX: usize = 200;
/// Longest outline or summary, in characters.
pub const OUTLINE_MAX: usize = 20_000;
/// Most speakers one event lists.
pub const SPEAKERS_MAX: usize = 50;
/// Largest expected or actual audience.
pub const AUDIENCE_MAX: u32 = 10_000_000;

/// One speaker and their affiliation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Speaker {
    /// Name.
    pub name: String,
    /// Affiliation (单位).
    pub affiliation: String,
}

/// An event as typed in (the form, the API).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct EventDraft {
    /// Title.
    pub title: String,
    /// `report`, `seminar`, `lecture`, `forum`, `platform`, `annual-meeting`, `livestream`.
    pub form: String,
    /// The org that holds it, by code or id.
    pub org: String,
    /// The organising unit as named on the notice (主办单位).
    pub organiser: String,
    /// The person responsible for it (person id).
    pub responsible: String,
    /// Speakers and their affiliations.
    pub speakers: Vec<Speaker>,
    /// `YYYY-MM-DDTHH:MM` (or with a space), Asia/Shanghai.
    pub starts_at: String,
    /// `YYYY-MM-DDTHH:MM`, after the start.
    pub ends_at: String,
    /// The platform it is held through (code or id).
    pub platform: String,
    /// Expected audience.
    #[serde(deserialize_with = "crate::records::number_or_text")]
    pub audience: String,
    /// Outline (内容提要).
    pub outline: String,
    /// Marked major by the registrant (the pack's rules may make it major too).
    pub major: bool,
}

/// An event's checked fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventFields {
    /// Title.
    pub title: String,
    /// Form.
    pub form: EventForm,
    /// The org that holds it (id).
    pub org: String,
    /// Organising unit.
    pub organiser: String,
    /// Responsible person id.
    pub responsible: String,
    /// Speakers.
    pub speakers: Vec<Speaker>,
    /// Start.
    pub starts_at: NaiveDateTime,
    /// End.
    pub ends_at: NaiveDateTime,
    /// Platform id.
    pub platform: String,
    /// Expected audience.
    pub audience: u32,
    /// Outline.
    pub outline: String,
    /// Major: marked so, or made so by the pack's rules.
    pub major: bool,
}

impl EventFields {
    /// The day it takes place.
    pub fn day(&self) -> NaiveDate {
        self.starts_at.date()
    }
}

/// Whether the pack's rules make an event major.
pub fn is_major(rules: &EventRules, form: EventForm, audience: u32, marked: bool) -> bool {
    marked
        || rules.major_forms.contains(&form)
        || rules.major_audience.is_some_and(|n| audience >= n)
}

/// A date and time as typed in (`YYYY-MM-DDTHH:MM`, or with a space, seconds allowed).
fn date_time(s: &str) -> Option<NaiveDateTime> {
    [
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%d %H:%M:%S",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(s.trim(), f).ok())
}

/// A day as stored and shown: `YYYY-MM-DD` (written directly, not through a format string read
/// anew for each day: ledgers write thousands).
pub fn day_text(d: NaiveDate) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
}

/// The day and the time to the minute, with `sep` between.
fn minute_text(t: NaiveDateTime, sep: char) -> String {
    format!(
        "{}{sep}{:02}:{:02}",
        day_text(t.date()),
        t.hour(),
        t.minute()
    )
}

/// The text of a stored date and time (`2026-12-15T19:00`).
pub fn date_time_text(t: NaiveDateTime) -> String {
    minute_text(t, 'T')
}

/// A date and time as people read it (`2026-12-15 19:00`).
pub fn shown(t: NaiveDateTime) -> String {
    minute_text(t, ' ')
}

/// Reads a stored date and time.
pub fn parse_date_time(s: &str) -> Option<NaiveDateTime> {
    date_time(s)
}

impl Errors {
    fn when(&mut self, field: &str, value: &str, zh: &str, en: &str) -> Option<NaiveDateTime> {
        let v = value.trim();
        if v.is_empty() {
            self.push(field, format!("{zh}不能为空"), format!("{en} is required"));
            return None;
        }
        let t = date_time(v);
        if t.is_none() {
            self.push(
                field,
                format!("{zh}「{v}」无效，请按 YYYY-MM-DD HH:MM 填写"),
                format!("{en} `{v}` is not valid; write YYYY-MM-DD HH:MM"),
            );
        }
        t
    }

    fn count(&mut self, field: &str, value: &str, zh: &str, en: &str) -> Option<u32> {
        let v = value.trim();
        if v.is_empty() {
            return Some(0);
        }
        match v.parse::<u32>() {
            Ok(n) if n <= AUDIENCE_MAX => Some(n),
            _ => {
                self.push(
                    field,
                    format!("{zh}「{v}」须为 0 到 {AUDIENCE_MAX} 之间的整数"),
                    format!("{en} `{v}` must be a whole number from 0 to {AUDIENCE_MAX}"),
                );
                None
            }
        }
    }
}

/// Checks an event; its fields, or every problem with its field (`title`, `form`, `org`,
/// `organiser`, `responsible`, `speakers.<n>.name`, `starts_at`, `ends_at`, `platform`,
/// `audience`, `outline`). The platform must be one the org may use: its own, or one of an org
/// above it; it must run (registered platforms only hold events once active).
pub fn check_event(
    d: &EventDraft,
    model: &OrgModel,
    rules: &EventRules,
    lang: Lang,
) -> Result<EventFields, FieldErrors> {
    let mut e = Errors::new(lang);
    let title = e.text("title", &d.title, true, TITLE_MAX);
    let form = match d.form.trim() {
        "" => {
            e.push(
                "form",
                "活动形式不能为空".into(),
                "the form is required".into(),
            );
            None
        }
        f => match EventForm::parse(f) {
            Some(f) => Some(f),
            None => {
                e.push(
                    "form",
                    format!("活动形式「{f}」无效，可选：{}", EventForm::expected()),
                    format!(
                        "form `{f}` is not valid; use one of: {}",
                        EventForm::expected()
                    ),
                );
                None
            }
        },
    };
    let org = e.org("org", &d.org, model);
    let organiser = e.text("organiser", &d.organiser, true, NAME_MAX);
    let responsible = e.one_person("responsible", &d.responsible, model, org.as_deref());
    if d.speakers.len() > SPEAKERS_MAX {
        e.push(
            "speakers",
            format!("主讲人不能超过 {SPEAKERS_MAX} 位"),
            format!("at most {SPEAKERS_MAX} speakers"),
        );
    }
    let mut speakers = Vec::new();
    for (n, s) in d.speakers.iter().enumerate().take(SPEAKERS_MAX) {
        let (name, affiliation) = (s.name.trim(), s.affiliation.trim());
        if name.is_empty() && affiliation.is_empty() {
            continue;
        }
        let field = format!("speakers.{}", n + 1);
        if name.is_empty() {
            e.push(
                &field,
                format!("主讲人 {}：姓名不能为空", n + 1),
                format!("speaker {}: the name is required", n + 1),
            );
        } else if name.chars().count() > NAME_MAX || affiliation.chars().count() > NAME_MAX {
            e.push(
                &field,
                format!("主讲人 {}：姓名和单位各不能超过 {NAME_MAX} 个字符", n + 1),
                format!(
                    "speaker {}: name and affiliation at most {NAME_MAX} characters each",
                    n + 1
                ),
            );
        }
        speakers.push(Speaker {
            name: name.to_string(),
            affiliation: affiliation.to_string(),
        });
    }
    if speakers.is_empty() {
        e.push(
            "speakers",
            "至少填写一位主讲人及其单位".into(),
            "name at least one speaker and their affiliation".into(),
        );
    }
    let starts_at = e.when("starts_at", &d.starts_at, "开始时间", "the start");
    let ends_at = e.when("ends_at", &d.ends_at, "结束时间", "the end");
    if let (Some(s), Some(t)) = (starts_at, ends_at)
        && t <= s
    {
        e.push(
            "ends_at",
            format!("结束时间 {} 须晚于开始时间 {}", shown(t), shown(s)),
            format!("the end {} must be after the start {}", shown(t), shown(s)),
        );
    }
    let platform = platform_for(&mut e, &d.platform, model, org.as_deref(), starts_at);
    let audience = e.count(
        "audience",
        &d.audience,
        "预计受众人数",
        "the expected audience",
    );
    let outline = e.text("outline", &d.outline, true, OUTLINE_MAX);
    let valid = match (form, org, starts_at, ends_at, platform, audience) {
        (Some(form), Some(org), Some(starts_at), Some(ends_at), Some(platform), Some(audience)) => {
            Some(EventFields {
                title,
                form,
                org,
                organiser,
                responsible,
                speakers,
                starts_at,
                ends_at,
                platform: platform.id.clone(),
                audience,
                outline,
                major: is_major(rules, form, audience, d.major),
            })
        }
        _ => None,
    };
    e.result(valid)
}

/// The platform an event of `org` is held through: the org's own or one of an org above it,
/// running on the event's day.
fn platform_for<'m>(
    e: &mut Errors,
    code: &str,
    model: &'m OrgModel,
    org: Option<&str>,
    starts_at: Option<NaiveDateTime>,
) -> Option<&'m Platform> {
    let code = code.trim();
    if code.is_empty() {
        e.push(
            "platform",
            "活动平台不能为空".into(),
            "the platform is required".into(),
        );
        return None;
    }
    let Some(p) = model.find_platform(code) else {
        e.push(
            "platform",
            format!("找不到平台「{code}」"),
            format!("there is no platform `{code}`"),
        );
        return None;
    };
    if let Some(org) = org
        && !model.is_within(org, &p.org)
    {
        let name = model.org(org).map(|o| o.name.as_str()).unwrap_or(org);
        e.push(
            "platform",
            format!("{}不是{name}或其上级组织的平台", p.name),
            format!(
                "{} is not a platform of {name} or of an org above it",
                p.name
            ),
        );
        return None;
    }
    if let Some(day) = starts_at.map(|t| t.date())
        && !p.runs_during(day, day)
    {
        e.push(
            "platform",
            format!("{}在活动当天（{day}）不处于运行状态", p.name),
            format!("{} does not run on the day of the event ({day})", p.name),
        );
        return None;
    }
    Some(p)
}

/// The duty an online event's approval answers to: the pack's on-event duty for online
/// events (its `responsible` names who approves).
pub fn event_duty(pack: &PolicyPack) -> Option<&Duty> {
    pack.duties.iter().find(|d| {
        matches!(
            d.subject,
            Subject::Event {
                event: EventKind::OnlineEvent
            }
        )
    })
}

/// Who approves an event on `day`: the first responsible person of its org when it is major,
/// otherwise the leader who answers for its platform's portfolio (the chain passes to the first
/// responsible person where the org has no such leader); as (person id, name).
pub fn approver(
    pack: &PolicyPack,
    model: &OrgModel,
    org: &str,
    platform: &str,
    major: bool,
    day: NaiveDate,
) -> Option<(String, String)> {
    let o = model.org(org)?;
    let p = model.find_platform(platform)?;
    let target = match (event_duty(pack), p.portfolio.as_deref()) {
        (Some(duty), _) => Target::Duty {
            duty,
            platform: Some(p),
        },
        (None, Some(portfolio)) => Target::Portfolio(portfolio),
        (None, None) => return None,
    };
    let answer = resolve(pack, model, o, target, day).ok()?;
    // The answer names the first responsible person apart only when they are someone else.
    let who = if major {
        answer.first_responsible.or(answer.person)
    } else {
        answer.person
    };
    who.map(|p| (p.id, p.name))
}

/// Why an approval is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApprovalError {
    /// The approver is not the person who approves this event.
    NotTheApprover {
        /// The person who does (name), if any.
        expected: Option<String>,
        /// Major events are approved by the first responsible person.
        major: bool,
    },
    /// The event's own responsible person may not approve it.
    OwnEvent,
    /// The event has begun.
    AfterTheEvent {
        /// Its start.
        starts: NaiveDateTime,
    },
}

impl ApprovalError {
    /// The message in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            ApprovalError::NotTheApprover { expected, major } => {
                let who = match (major, lang) {
                    (true, Lang::Zh) => "第一责任人",
                    (false, Lang::Zh) => "平台归口分管的班子成员",
                    (true, Lang::En) => "the first responsible person",
                    (false, Lang::En) => "the leader in charge of the platform's portfolio",
                };
                match (expected, lang) {
                    (Some(n), Lang::Zh) => format!("此活动应由{who}（{n}）审批"),
                    (Some(n), Lang::En) => format!("this event is approved by {who} ({n})"),
                    (None, Lang::Zh) => format!("此活动应由{who}审批，目前该职务空缺"),
                    (None, Lang::En) => {
                        format!("this event is approved by {who}; the post is vacant")
                    }
                }
            }
            ApprovalError::OwnEvent => lang
                .pick(
                    "制度规定活动负责人不能审批本人负责的活动",
                    "the policy forbids approving an event one is responsible for",
                )
                .to_string(),
            ApprovalError::AfterTheEvent { starts } => match lang {
                Lang::Zh => format!("活动已于 {} 开始，不能再审批", shown(*starts)),
                Lang::En => format!(
                    "the event began at {}; it can no longer be approved",
                    shown(*starts)
                ),
            },
        }
    }
}

/// Whether `person` may approve (or reject) the event now: the right approver on today's day,
/// not its own responsible person where the pack forbids it, before it starts.
pub fn check_approval(
    pack: &PolicyPack,
    model: &OrgModel,
    event: &EventFields,
    person: &str,
    now: NaiveDateTime,
) -> Result<(), ApprovalError> {
    if now >= event.starts_at {
        return Err(ApprovalError::AfterTheEvent {
            starts: event.starts_at,
        });
    }
    let rules = pack.online_events.clone().unwrap_or_default();
    if !rules.self_approval && event.responsible == person {
        return Err(ApprovalError::OwnEvent);
    }
    let expected = approver(
        pack,
        model,
        &event.org,
        &event.platform,
        event.major,
        now.date(),
    );
    match expected {
        Some((id, _)) if id == person => Ok(()),
        other => Err(ApprovalError::NotTheApprover {
            expected: other.map(|(_, n)| n),
            major: event.major,
        }),
    }
}

/// Longest note of a decision, in characters.
pub const NOTE_MAX: usize = 2000;

/// Checks a decision as typed in: `approve` or `reject`, a rejection with its note, a note of
/// at most [`NOTE_MAX`] characters. Whether it approves.
pub fn check_decision(decision: &str, note: &str, lang: Lang) -> Result<bool, FieldErrors> {
    let mut e = Errors::new(lang);
    let approve = match decision.trim() {
        "approve" => Some(true),
        "reject" => Some(false),
        other => {
            e.push(
                "decision",
                format!("审批结果「{other}」无效，可选：approve（同意）、reject（不同意）"),
                format!("decision `{other}` is not valid; use approve or reject"),
            );
            None
        }
    };
    if approve == Some(false) && note.trim().is_empty() {
        e.push(
            "note",
            "不同意时须写明审批意见".into(),
            "a rejection needs a note".into(),
        );
    }
    if note.chars().count() > NOTE_MAX {
        e.push(
            "note",
            format!("审批意见不能超过 {NOTE_MAX} 个字符"),
            format!("the note must be at most {NOTE_MAX} characters"),
        );
    }
    e.result(approve)
}

/// The last day an approval is on time.
pub fn approval_due(rules: &EventRules, day: NaiveDate) -> NaiveDate {
    sub_days(day, rules.approval_days)
}

/// The record of an event after it took place, as typed in.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct HeldDraft {
    /// `held` or `cancelled`.
    pub outcome: String,
    /// Actual audience.
    #[serde(deserialize_with = "crate::records::number_or_text")]
    pub audience: String,
    /// How it went (required).
    pub summary: String,
}

/// The checked record of an event after it took place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Held {
    /// Whether it took place.
    pub held: bool,
    /// Actual audience.
    pub audience: u32,
    /// How it went.
    pub summary: String,
}

/// Checks the record after an event: only once it has begun.
pub fn check_held(
    d: &HeldDraft,
    event: &EventFields,
    now: NaiveDateTime,
    lang: Lang,
) -> Result<Held, FieldErrors> {
    let mut e = Errors::new(lang);
    if now < event.starts_at {
        e.push(
            "outcome",
            format!(
                "活动尚未开始（{}），不能登记举办情况",
                shown(event.starts_at)
            ),
            format!(
                "the event has not begun ({}); nothing can be recorded of it yet",
                shown(event.starts_at)
            ),
        );
    }
    let held = match d.outcome.trim() {
        "held" => Some(true),
        "cancelled" => Some(false),
        o => {
            e.push(
                "outcome",
                format!("举办情况「{o}」无效，可选：held（已举办）、cancelled（已取消）"),
                format!("outcome `{o}` is not valid; use held or cancelled"),
            );
            None
        }
    };
    let audience = e.count("audience", &d.audience, "实际受众人数", "the audience");
    let summary = e.text("summary", &d.summary, true, OUTLINE_MAX);
    let valid = match (held, audience) {
        (Some(held), Some(audience)) => Some(Held {
            held,
            audience,
            summary,
        }),
        _ => None,
    };
    e.result(valid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_and_times_are_written_as_their_formats_say() {
        let mut t = NaiveDate::from_ymd_opt(1999, 12, 31)
            .and_then(|d| d.and_hms_opt(23, 59, 0))
            .unwrap_or_default();
        for _ in 0..2000 {
            assert_eq!(day_text(t.date()), t.format("%Y-%m-%d").to_string());
            assert_eq!(date_time_text(t), t.format("%Y-%m-%dT%H:%M").to_string());
            assert_eq!(shown(t), t.format("%Y-%m-%d %H:%M").to_string());
            assert_eq!(parse_date_time(&date_time_text(t)), Some(t));
            t += chrono::Duration::minutes(7919);
        }
    }
}
