//! Incidents (舆情事件) concerning the organisation or one of its platforms (Art.4(4), Art.3):
//! recorded by a person — Zeren watches no one — graded on the pack's scale of severity, handled
//! against the pack's clocks, every action and change kept on a timeline, and closed with a
//! review. An incident the pack marks for personal handling (重大 and above in the seed) is not
//! closed until the first responsible person has recorded their own handling and signed it off.
//! Rules only: the caller passes the instant.

use crate::Lang;
use crate::events::{parse_date_time, shown};
use crate::org::{OrgModel, Platform};
use crate::period::add_days;
use crate::policy::{Duty, PolicyPack, Subject};
use crate::records::FieldErrors;
use crate::records::validate::Errors;
use crate::responsibility::{NamedRef, Target, resolve};
use crate::vocab::{EventKind, IncidentChannel, IncidentClock, TimelineKind};
use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

mod clocks;
#[cfg(test)]
mod tests;

pub use clocks::{ClockState, clocks, clocks_at, late_from};

/// Longest title, in characters.
pub const TITLE_MAX: usize = 200;
/// Longest source or summary, in characters.
pub const TEXT_MAX: usize = 20_000;
/// Longest note of a change (severity, handler, pause), in characters.
pub const NOTE_MAX: usize = 2_000;
/// Most rectification tasks one closure opens.
pub const TASKS_MAX: usize = 50;
/// Longest rectification task, in characters.
pub const TASK_TITLE_MAX: usize = 500;
/// Latest deadline of a rectification task, in days after the closure.
pub const DEADLINE_MAX_DAYS: u32 = 365;

/// One level of the pack's scale of severity (一般 / 较大 / 重大 / 特别重大 in the seed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Severity {
    /// Stable id (`general`, `considerable`, `major`, `especially-major`).
    pub id: String,
    /// Chinese name.
    pub name: String,
    /// English name.
    pub name_en: String,
    /// What makes an incident this severe, in Chinese (shown beside the choice).
    pub definition: String,
    /// The same in English.
    pub definition_en: String,
    /// Handled personally by the first responsible person (Art.3): closed only after their own
    /// handling and sign-off, told at once when an incident is raised to it.
    pub personal_handling: bool,
    /// The clocks of this level, each in minutes from the moment the incident came to notice.
    pub clocks: Vec<(IncidentClock, u32)>,
}

impl Severity {
    /// The clock's length in minutes, if this level has it.
    pub fn limit(&self, clock: IncidentClock) -> Option<u32> {
        self.clocks
            .iter()
            .find(|(c, _)| *c == clock)
            .map(|(_, m)| *m)
    }

    /// The name in `lang`.
    pub fn name_in(&self, lang: Lang) -> &str {
        lang.pick(&self.name, &self.name_en)
    }
}

/// A reason the pack allows the clocks to stop for (e.g. waiting on a higher level).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PauseReason {
    /// Stable id.
    pub id: String,
    /// Chinese name.
    pub name: String,
    /// English name.
    pub name_en: String,
}

/// How incidents are graded and how fast they are handled (`[incidents]` of a pack).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentRules {
    /// The scale, from the least to the most severe.
    pub severities: Vec<Severity>,
    /// Why the clocks may stop; none: they never do.
    pub pause_reasons: Vec<PauseReason>,
    /// A clock run out reaches the leader of the portfolio at once and the first responsible
    /// person this many minutes later.
    pub escalate_after: u32,
}

/// Minutes in an hour and in a day.
const HOUR: u32 = 60;
const DAY: u32 = 24 * HOUR;

impl Default for IncidentRules {
    /// The product's scale when a pack says nothing: the four levels of the national practice,
    /// 重大 and 特别重大 handled personally.
    fn default() -> IncidentRules {
        let level = |id: &str,
                     name: &str,
                     name_en: &str,
                     definition: &str,
                     definition_en: &str,
                     personal: bool,
                     clocks: [u32; 3]| Severity {
            id: id.into(),
            name: name.into(),
            name_en: name_en.into(),
            definition: definition.into(),
            definition_en: definition_en.into(),
            personal_handling: personal,
            clocks: vec![
                (IncidentClock::FirstResponse, clocks[0]),
                (IncidentClock::Assessment, clocks[1]),
                (IncidentClock::ClosureReport, clocks[2]),
            ],
        };
        IncidentRules {
            severities: vec![
                level(
                    "general",
                    "一般",
                    "General",
                    "影响限于本单位，关注度低",
                    "Confined to the unit, little attention",
                    false,
                    [24 * HOUR, 3 * DAY, 30 * DAY],
                ),
                level(
                    "considerable",
                    "较大",
                    "Considerable",
                    "在校内引起较多关注",
                    "Draws wide attention within the university",
                    false,
                    [4 * HOUR, 24 * HOUR, 15 * DAY],
                ),
                level(
                    "major",
                    "重大",
                    "Major",
                    "引起校外关注或媒体报道",
                    "Draws attention outside the university or from the media",
                    true,
                    [HOUR, 24 * HOUR, 7 * DAY],
                ),
                level(
                    "especially-major",
                    "特别重大",
                    "Especially major",
                    "引起全国性关注，或可能引发群体性事件",
                    "Draws national attention, or may lead to a mass incident",
                    true,
                    [30, 12 * HOUR, 7 * DAY],
                ),
            ],
            pause_reasons: Vec::new(),
            escalate_after: 24 * HOUR,
        }
    }
}

impl IncidentRules {
    /// The level `id`.
    pub fn severity(&self, id: &str) -> Option<&Severity> {
        self.severities.iter().find(|s| s.id == id)
    }

    /// Its place on the scale (0: the least severe).
    pub fn rank(&self, id: &str) -> Option<usize> {
        self.severities.iter().position(|s| s.id == id)
    }

    /// What the clocks are worked out from — each level in the order of the scale with its
    /// clocks' lengths — as a short fingerprint (16 hex digits). Clocks worked out under rules
    /// with other terms are stale.
    pub fn clock_terms(&self) -> String {
        use sha2::Digest;
        let levels: Vec<String> = self
            .severities
            .iter()
            .map(|s| {
                let clocks: Vec<String> = s
                    .clocks
                    .iter()
                    .map(|(c, m)| format!("{}={m}", c.as_str()))
                    .collect();
                format!("{}:{}", s.id, clocks.join(","))
            })
            .collect();
        let digest = sha2::Sha256::digest(levels.join(";").as_bytes());
        hex::encode(&digest[..8])
    }

    /// The ids of the scale, comma-separated, for messages.
    pub fn expected(&self) -> String {
        let ids: Vec<&str> = self.severities.iter().map(|s| s.id.as_str()).collect();
        ids.join(", ")
    }

    /// The reason `id` the clocks may stop for.
    pub fn pause_reason(&self, id: &str) -> Option<&PauseReason> {
        self.pause_reasons.iter().find(|r| r.id == id)
    }

    /// A severity's name in `lang`, or its id when no level of the scale has it.
    pub fn severity_name(&self, id: &str, lang: Lang) -> String {
        self.severity(id)
            .map_or_else(|| id.to_string(), |s| s.name_in(lang).to_string())
    }
}

/// A length of time as people read it (`1 小时`, `7 天`, `30 分钟`).
pub fn duration_text(minutes: u32, lang: Lang) -> String {
    let (n, zh, en) = if minutes.is_multiple_of(DAY) {
        (minutes / DAY, "天", "day")
    } else if minutes.is_multiple_of(HOUR) {
        (minutes / HOUR, "小时", "hour")
    } else {
        (minutes, "分钟", "minute")
    };
    match lang {
        Lang::Zh => format!("{n} {zh}"),
        Lang::En if n == 1 => format!("1 {en}"),
        Lang::En => format!("{n} {en}s"),
    }
}

/// An incident as typed in (the form, the API of the organisation's own systems).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct IncidentDraft {
    /// Title.
    pub title: String,
    /// The org concerned, by code or id.
    pub org: String,
    /// The platform concerned (code or id; empty: the unit itself).
    pub platform: String,
    /// When it came to notice, `YYYY-MM-DD HH:MM` (Asia/Shanghai).
    pub noticed_at: String,
    /// How it came to notice (`self-found`, `reported`, `higher-level`, `media`, `own-system`,
    /// `other`).
    pub channel: String,
    /// Where it was seen or who passed it on (no private data of people).
    pub source: String,
    /// What happened: the facts.
    pub facts: String,
    /// The severity's id on the pack's scale.
    pub severity: String,
    /// The person handling it (person id).
    pub handler: String,
}

/// An incident's checked fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentFields {
    /// Title.
    pub title: String,
    /// Org id.
    pub org: String,
    /// Platform id.
    pub platform: Option<String>,
    /// When it came to notice.
    pub noticed_at: NaiveDateTime,
    /// How.
    pub channel: IncidentChannel,
    /// Where it was seen or who passed it on.
    pub source: String,
    /// The facts.
    pub facts: String,
    /// Severity id.
    pub severity: String,
    /// Handler's person id.
    pub handler: String,
}

impl IncidentFields {
    /// The day it came to notice: the day of the event its duty hangs on.
    pub fn day(&self) -> NaiveDate {
        self.noticed_at.date()
    }
}

impl Errors {
    /// A date and time no later than `now`, not before `earliest` when given.
    fn instant(
        &mut self,
        field: &str,
        value: &str,
        l: (&str, &str),
        earliest: Option<(NaiveDateTime, &str, &str)>,
        now: NaiveDateTime,
    ) -> Option<NaiveDateTime> {
        let v = value.trim();
        if v.is_empty() {
            self.push(
                field,
                format!("{}不能为空", l.0),
                format!("{} is required", l.1),
            );
            return None;
        }
        let Some(t) = parse_date_time(v) else {
            self.push(
                field,
                format!("{}「{v}」无效，请按 YYYY-MM-DD HH:MM 填写", l.0),
                format!("{} `{v}` is not valid; write YYYY-MM-DD HH:MM", l.1),
            );
            return None;
        };
        if t > now {
            self.push(
                field,
                format!("{}（{}）晚于现在（{}）", l.0, shown(t), shown(now)),
                format!(
                    "{} ({}) is in the future (now {})",
                    l.1,
                    shown(t),
                    shown(now)
                ),
            );
            return None;
        }
        if let Some((first, zh, en)) = earliest
            && t < first
        {
            self.push(
                field,
                format!("{}（{}）早于{zh}（{}）", l.0, shown(t), shown(first)),
                format!("{} ({}) is before {en} ({})", l.1, shown(t), shown(first)),
            );
            return None;
        }
        Some(t)
    }

    /// A severity on the pack's scale.
    fn severity(&mut self, field: &str, value: &str, rules: &IncidentRules) -> Option<String> {
        match value.trim() {
            "" => {
                self.push(
                    field,
                    "事件等级不能为空".into(),
                    "the severity is required".into(),
                );
                None
            }
            s if rules.severity(s).is_some() => Some(s.to_string()),
            s => {
                self.push(
                    field,
                    format!(
                        "事件等级「{s}」不在制度的分级中，可选：{}",
                        rules.expected()
                    ),
                    format!(
                        "severity `{s}` is not on the policy's scale; use one of: {}",
                        rules.expected()
                    ),
                );
                None
            }
        }
    }
}

/// The platform an incident of `org` concerns: one of the org's own or of an org above or below
/// it (an incident about a branch's account concerns the college too).
fn platform_of<'m>(
    e: &mut Errors,
    code: &str,
    model: &'m OrgModel,
    org: Option<&str>,
) -> Option<Option<&'m Platform>> {
    let code = code.trim();
    if code.is_empty() {
        return Some(None);
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
        && !model.is_within(&p.org, org)
    {
        let name = model.org(org).map(|o| o.name.as_str()).unwrap_or(org);
        e.push(
            "platform",
            format!("{}不是{name}或其上级、下级组织的平台", p.name),
            format!(
                "{} is not a platform of {name} or of an org above or below it",
                p.name
            ),
        );
        return None;
    }
    Some(Some(p))
}

/// Checks an incident; its fields, or every problem with its field (`title`, `org`, `platform`,
/// `noticed_at`, `channel`, `source`, `facts`, `severity`, `handler`). It came to notice no
/// later than `now`; its handler is a person of the org or below.
pub fn check_incident(
    d: &IncidentDraft,
    model: &OrgModel,
    rules: &IncidentRules,
    now: NaiveDateTime,
    lang: Lang,
) -> Result<IncidentFields, FieldErrors> {
    let mut e = Errors::new(lang);
    let title = e.text("title", &d.title, true, TITLE_MAX);
    let org = e.org("org", &d.org, model);
    let platform = platform_of(&mut e, &d.platform, model, org.as_deref());
    let noticed_at = e.instant(
        "noticed_at",
        &d.noticed_at,
        ("发现时间", "the time it came to notice"),
        None,
        now,
    );
    let channel = match d.channel.trim() {
        "" => {
            e.push(
                "channel",
                "发现渠道不能为空".into(),
                "the channel is required".into(),
            );
            None
        }
        c => match IncidentChannel::parse(c) {
            Some(c) => Some(c),
            None => {
                e.push(
                    "channel",
                    format!("发现渠道「{c}」无效，可选：{}", IncidentChannel::expected()),
                    format!(
                        "channel `{c}` is not valid; use one of: {}",
                        IncidentChannel::expected()
                    ),
                );
                None
            }
        },
    };
    let source = e.text("source", &d.source, false, TEXT_MAX);
    let facts = e.text("facts", &d.facts, true, TEXT_MAX);
    let severity = e.severity("severity", &d.severity, rules);
    let handler = e.one_person("handler", &d.handler, model, org.as_deref());
    let valid = match (org, platform, noticed_at, channel, severity) {
        (Some(org), Some(platform), Some(noticed_at), Some(channel), Some(severity)) => {
            Some(IncidentFields {
                title,
                org,
                platform: platform.map(|p| p.id.clone()),
                noticed_at,
                channel,
                source,
                facts,
                severity,
                handler,
            })
        }
        _ => None,
    };
    e.result(valid)
}

/// The pack's on-event duty for incidents (whose articles the ledger cites).
pub fn incident_duty(pack: &PolicyPack) -> Option<&Duty> {
    pack.duties.iter().find(|d| {
        matches!(
            d.subject,
            Subject::Event {
                event: EventKind::Incident
            }
        )
    })
}

/// The first responsible person of the incident's org on `day` (Art.3), passing up the tree
/// while the post is vacant.
pub fn first_responsible(
    pack: &PolicyPack,
    model: &OrgModel,
    org: &str,
    day: NaiveDate,
) -> Option<NamedRef> {
    let o = model.org(org)?;
    crate::reminders::first_responsible_of(pack, model, o, day)
}

/// The leader who answers for the platform's portfolio on `day` (the first escalation of a clock
/// run out); the first responsible person where the incident concerns no platform with a
/// portfolio, or the org has no such leader.
pub fn portfolio_leader(
    pack: &PolicyPack,
    model: &OrgModel,
    org: &str,
    platform: Option<&str>,
    day: NaiveDate,
) -> Option<NamedRef> {
    let o = model.org(org)?;
    let portfolio = platform
        .and_then(|p| model.find_platform(p))
        .and_then(|p| p.portfolio.as_deref());
    match portfolio {
        Some(p) => resolve(pack, model, o, Target::Portfolio(p), day)
            .ok()
            .and_then(|a| a.person),
        None => first_responsible(pack, model, org, day),
    }
}

/// A timeline entry as typed in: an action taken, with the time it was taken.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct EntryDraft {
    /// `response`, `assessment`, `action`, `instruction` or `note`.
    pub kind: String,
    /// When it was done, `YYYY-MM-DD HH:MM`.
    pub at: String,
    /// What was done.
    pub detail: String,
}

/// A checked timeline entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Kind.
    pub kind: TimelineKind,
    /// When it was done.
    pub at: NaiveDateTime,
    /// What was done.
    pub detail: String,
}

/// Checks a timeline entry by `person`: a kind people enter, dated between the time the
/// incident came to notice and `now`. An instruction is the first responsible person's own
/// handling: only they record it (`first_responsible` is who that is today).
pub fn check_entry(
    d: &EntryDraft,
    incident: &IncidentFields,
    person: Option<&str>,
    first_responsible: Option<&NamedRef>,
    now: NaiveDateTime,
    lang: Lang,
) -> Result<Entry, FieldErrors> {
    let mut e = Errors::new(lang);
    let expected = || {
        let ids: Vec<&str> = TimelineKind::ENTERED.iter().map(|k| k.as_str()).collect();
        ids.join(", ")
    };
    let kind = match TimelineKind::parse(d.kind.trim()) {
        Some(k) if k.entered() => Some(k),
        _ => {
            e.push(
                "kind",
                format!("记录类型「{}」无效，可选：{}", d.kind.trim(), expected()),
                format!(
                    "entry kind `{}` is not valid; use one of: {}",
                    d.kind.trim(),
                    expected()
                ),
            );
            None
        }
    };
    if kind == Some(TimelineKind::Instruction) {
        let is_first = matches!((person, first_responsible), (Some(p), Some(f)) if p == f.id);
        if !is_first {
            let who = first_responsible.map(|f| f.name.as_str()).unwrap_or("—");
            e.push(
                "kind",
                format!("批示须由第一责任人（{who}）本人记录"),
                format!(
                    "an instruction is recorded by the first responsible person ({who}) themself"
                ),
            );
        }
    }
    let at = e.instant(
        "at",
        &d.at,
        ("处置时间", "the time"),
        Some((
            incident.noticed_at,
            "事件发现时间",
            "the time the incident came to notice",
        )),
        now,
    );
    let detail = e.text("detail", &d.detail, true, TEXT_MAX);
    let valid = match (kind, at) {
        (Some(kind), Some(at)) => Some(Entry { kind, at, detail }),
        _ => None,
    };
    e.result(valid)
}

/// A checked note of a change (severity, handler, pause): at most [`NOTE_MAX`] characters,
/// required when `required`.
pub fn check_note(note: &str, required: bool, lang: Lang) -> Result<String, FieldErrors> {
    let mut e = Errors::new(lang);
    let v = note.trim();
    if required && v.is_empty() {
        e.push("note", "请写明原因".into(), "say why".into());
    } else if v.chars().count() > NOTE_MAX {
        e.push(
            "note",
            format!("说明不能超过 {NOTE_MAX} 个字符"),
            format!("the note must be at most {NOTE_MAX} characters"),
        );
    }
    e.result(Some(v.to_string()))
}

/// Checks a change of severity: a level of the scale other than the current one. Lowering needs
/// a reason (the history keeps what it was). Whether it raises.
pub fn check_severity_change(
    rules: &IncidentRules,
    current: &str,
    to: &str,
    note: &str,
    lang: Lang,
) -> Result<bool, FieldErrors> {
    let mut e = Errors::new(lang);
    let to = e.severity("severity", to, rules);
    let mut raises = None;
    if let Some(to) = &to {
        let (from, next) = (
            rules.rank(current).unwrap_or(0),
            rules.rank(to).unwrap_or(0),
        );
        if to == current {
            e.push(
                "severity",
                format!("事件已是{}", rules.severity_name(to, Lang::Zh)),
                format!(
                    "the incident is {} already",
                    rules.severity_name(to, Lang::En)
                ),
            );
        } else {
            raises = Some(next > from);
        }
    }
    let v = note.trim();
    if raises == Some(false) && v.is_empty() {
        e.push(
            "note",
            "降低等级须写明原因".into(),
            "lowering the severity needs a reason".into(),
        );
    } else if v.chars().count() > NOTE_MAX {
        e.push(
            "note",
            format!("说明不能超过 {NOTE_MAX} 个字符"),
            format!("the note must be at most {NOTE_MAX} characters"),
        );
    }
    e.result(raises)
}

/// The timeline as the closing rules need it: entries with who recorded them and whether they
/// did so as the first responsible person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded<'a> {
    /// Kind.
    pub kind: TimelineKind,
    /// When.
    pub at: NaiveDateTime,
    /// The person who recorded it, if the account is a person's.
    pub by: Option<&'a str>,
    /// Whether that person was the first responsible person of the org when they recorded it.
    pub as_first_responsible: bool,
    /// The level set: the first severity on the `recorded` entry, the new one on a `severity`
    /// entry.
    pub severity: Option<&'a str>,
}

/// What Art.3 still asks of a personally handled incident before it can close.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PersonalHandling {
    /// Nothing: the severity does not ask for it, or it is done.
    Done,
    /// The first responsible person has recorded no handling (instruction) of their own.
    NoInstruction,
    /// They have, but not signed it off after it.
    NoSignOff,
}

/// What Art.3 still asks of an incident of `severity` with this timeline.
pub fn personal_handling(
    rules: &IncidentRules,
    severity: &str,
    timeline: &[Recorded<'_>],
) -> PersonalHandling {
    if !rules
        .severity(severity)
        .is_some_and(|s| s.personal_handling)
    {
        return PersonalHandling::Done;
    }
    let by_first = |k: TimelineKind| {
        timeline
            .iter()
            .filter(move |r| r.kind == k && r.as_first_responsible)
            .map(|r| r.at)
            .max()
    };
    match (
        by_first(TimelineKind::Instruction),
        by_first(TimelineKind::SignOff),
    ) {
        (None, _) => PersonalHandling::NoInstruction,
        (Some(i), Some(s)) if s >= i => PersonalHandling::Done,
        _ => PersonalHandling::NoSignOff,
    }
}

/// Why an action on an incident is refused by the rules (not by its fields).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IncidentError {
    /// The incident is closed.
    Closed,
    /// A clock other than the closure report's has not been met.
    OpenClock(IncidentClock),
    /// Art.3: the first responsible person's own handling is missing.
    NoInstruction {
        /// Their name, if the post is held.
        who: Option<String>,
    },
    /// Art.3: their sign-off is missing.
    NoSignOff {
        /// Their name.
        who: Option<String>,
    },
    /// Only the first responsible person signs off.
    NotFirstResponsible {
        /// Their name.
        who: Option<String>,
    },
    /// The clocks stop only for a reason the pack gives, or the pack gives none.
    NoPause,
    /// The clocks are stopped already / are running already.
    PauseState {
        /// Whether they are stopped.
        paused: bool,
    },
}

impl IncidentError {
    /// The message in `lang`, naming the rule.
    pub fn message(&self, lang: Lang) -> String {
        let zh = lang == Lang::Zh;
        let name = |who: &Option<String>| who.clone().unwrap_or_else(|| "—".into());
        match self {
            IncidentError::Closed => lang
                .pick(
                    "事件已结案，不能再更改",
                    "the incident is closed; it is not changed",
                )
                .into(),
            IncidentError::OpenClock(c) => {
                if zh {
                    format!(
                        "「{}」尚未完成，不能结案：请先在处置记录中登记",
                        c.name_zh()
                    )
                } else {
                    format!(
                        "the {} clock has not been met; record it on the timeline before closing",
                        c.as_str()
                    )
                }
            }
            IncidentError::NoInstruction { who } => {
                if zh {
                    format!(
                        "重大及以上事件须由第一责任人亲自处置（第三条）：{}尚未记录本人的批示或处置决定，不能结案",
                        name(who)
                    )
                } else {
                    format!(
                        "a major incident is handled personally by the first responsible person (Art.3): {} has recorded no instruction of their own; it cannot close",
                        name(who)
                    )
                }
            }
            IncidentError::NoSignOff { who } => {
                if zh {
                    format!(
                        "重大及以上事件须经第一责任人签批（第三条）：{}尚未签批，不能结案",
                        name(who)
                    )
                } else {
                    format!(
                        "a major incident is signed off by the first responsible person (Art.3): {} has not signed off; it cannot close",
                        name(who)
                    )
                }
            }
            IncidentError::NotFirstResponsible { who } => {
                if zh {
                    format!("只有第一责任人（{}）可以签批", name(who))
                } else {
                    format!(
                        "only the first responsible person ({}) signs off",
                        name(who)
                    )
                }
            }
            IncidentError::NoPause => lang
                .pick(
                    "制度未规定可暂停计时的情形，计时不能暂停",
                    "the policy names no reason for stopping the clocks; they cannot stop",
                )
                .into(),
            IncidentError::PauseState { paused: true } => lang
                .pick("计时已暂停", "the clocks are stopped already")
                .into(),
            IncidentError::PauseState { paused: false } => {
                lang.pick("计时未暂停", "the clocks are running").into()
            }
        }
    }
}

/// Whether the first responsible person may sign off now: it is them, and they have recorded
/// their own handling.
pub fn check_sign_off(
    person: Option<&str>,
    first: Option<&NamedRef>,
    timeline: &[Recorded<'_>],
) -> Result<(), IncidentError> {
    let who = first.map(|f| f.name.clone());
    match (person, first) {
        (Some(p), Some(f)) if p == f.id => {}
        _ => return Err(IncidentError::NotFirstResponsible { who }),
    }
    let instructed = timeline
        .iter()
        .any(|r| r.kind == TimelineKind::Instruction && r.as_first_responsible);
    if instructed {
        Ok(())
    } else {
        Err(IncidentError::NoInstruction { who })
    }
}

/// A pause of the clocks as asked: the reason's id. Refused where the pack names no reason or
/// the clocks stand already as asked.
pub fn check_pause(
    rules: &IncidentRules,
    paused: bool,
    reason: &str,
    lang: Lang,
) -> Result<Result<String, FieldErrors>, IncidentError> {
    if rules.pause_reasons.is_empty() {
        return Err(IncidentError::NoPause);
    }
    if paused {
        return Err(IncidentError::PauseState { paused: true });
    }
    let mut e = Errors::new(lang);
    let r = reason.trim();
    let ok = rules.pause_reason(r).map(|p| p.id.clone());
    if ok.is_none() {
        let ids: Vec<&str> = rules.pause_reasons.iter().map(|p| p.id.as_str()).collect();
        e.push(
            "reason",
            format!(
                "暂停理由「{r}」不在制度允许的情形中，可选：{}",
                ids.join(", ")
            ),
            format!(
                "reason `{r}` is not one the policy allows; use one of: {}",
                ids.join(", ")
            ),
        );
    }
    Ok(e.result(ok))
}

/// A closure review as typed in.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ClosureDraft {
    /// What was done.
    pub handled: String,
    /// What is changed so it does not happen again.
    pub prevention: String,
    /// Rectification tasks it opens.
    pub rectifications: Vec<TaskDraft>,
}

/// A rectification task as typed in.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TaskDraft {
    /// What is to be done.
    pub title: String,
    /// The owner's person id.
    pub owner: String,
    /// `YYYY-MM-DD`.
    pub deadline: String,
}

/// A checked rectification task of a closure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Task {
    /// Storage id (the event id of its obligation); empty until stored.
    pub id: String,
    /// What is to be done.
    pub title: String,
    /// Owner's person id.
    pub owner: String,
    /// Deadline.
    pub deadline: NaiveDate,
}

/// A checked closure review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Closure {
    /// What was done.
    pub handled: String,
    /// What is changed so it does not happen again.
    pub prevention: String,
    /// The rectification tasks it opens.
    pub rectifications: Vec<Task>,
}

/// Checks a closure: the incident is open, its first-response and assessment clocks are met,
/// Art.3's personal handling is done where its severity asks for it — each refused with the
/// rule — and the review's fields (`handled`, `prevention`, `rectifications.<n>.<field>`).
#[allow(clippy::too_many_arguments)]
pub fn check_close(
    rules: &IncidentRules,
    incident: &IncidentFields,
    clocks: &[ClockState],
    timeline: &[Recorded<'_>],
    first: Option<&NamedRef>,
    model: &OrgModel,
    d: &ClosureDraft,
    now: NaiveDateTime,
    lang: Lang,
) -> Result<Result<Closure, FieldErrors>, IncidentError> {
    if let Some(c) = clocks
        .iter()
        .find(|c| c.clock != IncidentClock::ClosureReport && c.met.is_none())
    {
        return Err(IncidentError::OpenClock(c.clock));
    }
    let who = first.map(|f| f.name.clone());
    match personal_handling(rules, &incident.severity, timeline) {
        PersonalHandling::Done => {}
        PersonalHandling::NoInstruction => return Err(IncidentError::NoInstruction { who }),
        PersonalHandling::NoSignOff => return Err(IncidentError::NoSignOff { who }),
    }
    let mut e = Errors::new(lang);
    let handled = e.text("handled", &d.handled, true, TEXT_MAX);
    let prevention = e.text("prevention", &d.prevention, true, TEXT_MAX);
    let today = now.date();
    if d.rectifications.len() > TASKS_MAX {
        e.push(
            "rectifications",
            format!("整改任务不能超过 {TASKS_MAX} 项"),
            format!("at most {TASKS_MAX} rectification tasks"),
        );
    }
    let mut tasks = Vec::new();
    for (n, t) in d.rectifications.iter().enumerate().take(TASKS_MAX) {
        if t.title.trim().is_empty() && t.owner.trim().is_empty() && t.deadline.trim().is_empty() {
            continue;
        }
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
        let owner = t.owner.trim().to_string();
        if owner.is_empty() {
            e.push(
                at("owner"),
                format!("{zh}：责任人不能为空"),
                format!("{en}: the owner is required"),
            );
        } else {
            e.person_as(
                &at("owner"),
                lang.pick(&format!("{zh}的责任人"), &format!("{en}: owner")),
                &owner,
                model,
                Some(&incident.org),
            );
        }
        let latest = add_days(today, DEADLINE_MAX_DAYS);
        let deadline = match NaiveDate::parse_from_str(t.deadline.trim(), "%Y-%m-%d") {
            Ok(dl) if dl <= today => {
                e.push(
                    at("deadline"),
                    format!("{zh}：完成时限 {dl} 须晚于今天（{today}）"),
                    format!("{en}: the deadline {dl} must be after today ({today})"),
                );
                None
            }
            Ok(dl) if dl > latest => {
                e.push(
                    at("deadline"),
                    format!("{zh}：完成时限 {dl} 晚于一年后（{latest}）"),
                    format!("{en}: the deadline {dl} is more than a year away ({latest})"),
                );
                None
            }
            Ok(dl) => Some(dl),
            Err(_) => {
                let s = t.deadline.trim();
                e.push(
                    at("deadline"),
                    format!("{zh}：完成时限「{s}」不是有效日期，请按 YYYY-MM-DD 填写"),
                    format!("{en}: deadline `{s}` is not a date; write YYYY-MM-DD"),
                );
                None
            }
        };
        if let Some(deadline) = deadline {
            tasks.push(Task {
                id: String::new(),
                title,
                owner,
                deadline,
            });
        }
    }
    Ok(e.result(Some(Closure {
        handled,
        prevention,
        rectifications: tasks,
    })))
}
