//! Validating a record draft: one message per problem, each with its field, in the user's
//! language.

use super::DefinedRecord;
use super::defined::defined_values;
use super::{
    AgendaItem, COUNT_MAX, HOURS_MAX, RECORD_KINDS, RecordContext, RecordDetails, RecordDraft,
    TEXT_MAX, TITLE_MAX, ValidRecord, unique,
};
use crate::Lang;
use crate::org::OrgModel;
use crate::period::Period;
use crate::policy::{EvidenceOf, PolicyPack};
use crate::vocab::EvidenceKind;
use chrono::NaiveDate;

/// Problems, each as (field, message in the user's language).
pub type FieldErrors = Vec<(String, String)>;

/// The name of a field in the user's language.
pub fn field_label(field: &str, lang: Lang) -> &'static str {
    let (zh, en) = match field {
        "kind" => ("材料类型", "kind"),
        "org" => ("所属组织", "org"),
        "date" => ("日期", "date"),
        "title" => ("标题", "title"),
        "attendees" => ("出席人员", "attendees"),
        "absentees" => ("缺席人员", "absentees"),
        "agenda" => ("议程", "agenda"),
        "minutes" => ("会议纪要", "minutes"),
        "decisions" => ("会议决定", "decisions"),
        "covers" => ("研判期间", "period covered"),
        "author" => ("撰写人", "author"),
        "findings" => ("研判结论", "findings"),
        "measures" => ("工作措施", "measures"),
        "trainer" => ("主讲人", "trainer"),
        "hours" => ("学时", "hours"),
        "audience" => ("教育对象", "audience"),
        "count" => ("参加人数", "number of participants"),
        "content" => ("内容", "content"),
        "directive" => ("上级部署", "directive"),
        "rectification" => ("整改任务", "rectification task"),
        "reviewer" => ("年审人", "reviewer"),
        "outcome" => ("年审结论", "outcome"),
        "summary" => ("年审意见", "findings"),
        "platform" => ("平台", "platform"),
        "checklist" => ("年审清单", "checklist"),
        "rectifications" => ("整改任务", "rectification tasks"),
        "text" => ("落实情况", "report"),
        "issuer" => ("发文单位", "issuer"),
        "document_number" => ("文号", "document number"),
        "received_on" => ("收文日期", "received on"),
        "owner" => ("责任人", "owner"),
        "deadline" => ("完成时限", "deadline"),
        "version" => ("版本号", "version"),
        "to" => ("目标状态", "state"),
        "on" => ("生效日期", "day"),
        "reason" => ("原因", "reason"),
        "icp" => ("ICP 备案号", "ICP number"),
        "account_id" => ("账号 ID", "account id"),
        "registered_on" => ("注册日期", "day registered"),
        "registering_body" => ("注册主体", "registering body"),
        "code" => ("代码", "code"),
        "name" => ("名称", "name"),
        "portfolio" => ("分管领域", "portfolio"),
        "opened_on" => ("建立日期", "opened on"),
        "operators" => ("管理员", "operators"),
        "state" => ("状态", "state"),
        "facts" => ("事件经过", "what happened"),
        "source" => ("信息来源", "source"),
        "handler" => ("处置责任人", "handler"),
        "severity" => ("事件等级", "severity"),
        "channel" => ("发现渠道", "channel"),
        "detail" => ("处置内容", "what was done"),
        "handled" => ("处置情况", "handling"),
        "prevention" => ("整改与防范措施", "prevention"),
        "note" => ("说明", "note"),
        "description" => ("项目内容", "description"),
        "launch_on" => ("计划实施日期", "planned launch"),
        "launched_on" => ("实施日期", "launch day"),
        "planned" => ("拟实施事项", "what is planned"),
        "affected" => ("涉及对象", "who is affected"),
        "risks" => ("风险点", "risks"),
        "level" => ("风险等级", "risk level"),
        "assessors" => ("评估人", "assessors"),
        "assessed_on" => ("评估日期", "assessed on"),
        "subject_kind" => ("问责对象类型", "subject kind"),
        "person" => ("问责对象", "person"),
        "post" => ("所任职务", "post"),
        "period_from" => ("相关期间起", "period from"),
        "period_to" => ("相关期间止", "period to"),
        "grounds" => ("问责情形", "grounds"),
        "fact" => ("事实依据", "fact"),
        "invitation" => ("告知内容", "what is put to the respondent"),
        "respondent" => ("陈述申辩人", "respondent"),
        "statement" => ("陈述申辩意见", "statement"),
        "finding" => ("认定意见", "finding"),
        "forms" => ("问责方式", "forms of accountability"),
        "deciding_body" => ("决定机关", "deciding body"),
        "decided_on" => ("决定日期", "decided on"),
        "notified_on" => ("送达日期", "served on"),
        "appeal_outcome" => ("复查结果", "outcome"),
        "evidence" => ("完成情况", "evidence"),
        "addendum" => ("补充说明", "addendum"),
        "background" => ("案情概要", "background"),
        "assignee" => ("承办人", "assignee"),
        "due" => ("完成时限", "due day"),
        "decision_text" => ("决定内容", "decision"),
        _ => ("字段", "field"),
    };
    lang.pick(zh, en)
}

/// Every message of a refusal in one line, in the order found.
pub fn join_messages(errors: &FieldErrors, lang: Lang) -> String {
    errors
        .iter()
        .map(|(_, m)| m.as_str())
        .collect::<Vec<_>>()
        .join(lang.pick("；", "; "))
}

/// The problems found so far, and the checks every form shares.
pub(crate) struct Errors {
    lang: Lang,
    list: FieldErrors,
}

impl Errors {
    /// No problems yet; messages will be in `lang`.
    pub(crate) fn new(lang: Lang) -> Errors {
        Errors {
            lang,
            list: Vec::new(),
        }
    }

    /// The valid value when nothing was found, else every problem.
    pub(crate) fn result<T>(self, value: Option<T>) -> Result<T, FieldErrors> {
        match value {
            Some(v) if self.list.is_empty() => Ok(v),
            _ => Err(self.list),
        }
    }

    /// A problem of `field`, told in Chinese or English.
    pub(crate) fn push(&mut self, field: impl Into<String>, zh: String, en: String) {
        let msg = if self.lang == Lang::Zh { zh } else { en };
        self.list.push((field.into(), msg));
    }

    /// `field` was left empty.
    pub(crate) fn required(&mut self, field: &str) {
        let l = field_label(field, self.lang);
        self.push(field, format!("{l}不能为空"), format!("{l} is required"));
    }

    /// Trimmed text, at most `max` characters.
    pub(crate) fn text(&mut self, field: &str, value: &str, required: bool, max: usize) -> String {
        let v = value.trim();
        if v.is_empty() {
            if required {
                self.required(field);
            }
        } else if v.chars().count() > max {
            let l = field_label(field, self.lang);
            self.push(
                field,
                format!("{l}不能超过 {max} 个字符"),
                format!("{l} must be at most {max} characters"),
            );
        }
        v.to_string()
    }

    /// A required `YYYY-MM-DD` date.
    pub(crate) fn date(&mut self, field: &str, value: &str) -> Option<NaiveDate> {
        let v = value.trim();
        let l = field_label(field, self.lang);
        if v.is_empty() {
            self.required(field);
            return None;
        }
        match NaiveDate::parse_from_str(v, "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                self.push(
                    field,
                    format!("{l}「{v}」不是有效日期，请按 YYYY-MM-DD 填写"),
                    format!("{l} `{v}` is not a date; write YYYY-MM-DD"),
                );
                None
            }
        }
    }

    /// A required date that is not after today: nothing is recorded before it happens.
    pub(crate) fn past_date(
        &mut self,
        field: &str,
        value: &str,
        today: NaiveDate,
    ) -> Option<NaiveDate> {
        let d = self.date(field, value)?;
        if d > today {
            let l = field_label(field, self.lang);
            self.push(
                field,
                format!("{l} {d} 晚于今天（{today}），不能登记尚未发生的事项"),
                format!(
                    "{l} {d} is after today ({today}); nothing can be recorded before it happens"
                ),
            );
            return None;
        }
        Some(d)
    }

    /// A day that cannot be before the directive it answers was received; `what` names the day
    /// (Chinese, English).
    pub(crate) fn not_before_receipt(
        &mut self,
        field: &str,
        what: (&str, &str),
        day: NaiveDate,
        received: NaiveDate,
    ) {
        if day < received {
            self.push(
                field,
                format!("{} {day} 早于收文日期 {received}", what.0),
                format!(
                    "{} {day} is before the directive was received ({received})",
                    what.1
                ),
            );
        }
    }

    /// The id of the org with this code (or id).
    pub(crate) fn org(&mut self, field: &str, code: &str, model: &OrgModel) -> Option<String> {
        match code.trim() {
            "" => {
                self.required(field);
                None
            }
            code => match model.find_org(code) {
                Some(o) => Some(o.id.clone()),
                None => {
                    self.push(
                        field,
                        format!("找不到组织「{code}」"),
                        format!("there is no org `{code}`"),
                    );
                    None
                }
            },
        }
    }

    /// Person ids of the org's subtree, each once, in the order given.
    pub(crate) fn people(
        &mut self,
        field: &str,
        ids: &[String],
        model: &OrgModel,
        org: Option<&str>,
        required: bool,
    ) -> Vec<String> {
        let out = unique(
            ids.iter()
                .map(|s| s.trim())
                .filter(|s| !s.is_empty())
                .map(str::to_string),
        );
        for id in &out {
            self.person(field, id, model, org);
        }
        if out.is_empty() && required {
            self.required(field);
        }
        out
    }

    /// One required person of the org's subtree; the trimmed id.
    pub(crate) fn one_person(
        &mut self,
        field: &str,
        id: &str,
        model: &OrgModel,
        org: Option<&str>,
    ) -> String {
        let id = id.trim();
        if id.is_empty() {
            self.required(field);
        } else {
            self.person(field, id, model, org);
        }
        id.to_string()
    }

    /// The language of the messages.
    pub(crate) fn lang(&self) -> Lang {
        self.lang
    }

    /// A person of the org's subtree (or anyone in the model when no org is known).
    fn person(&mut self, field: &str, id: &str, model: &OrgModel, org: Option<&str>) {
        self.person_as(field, field_label(field, self.lang), id, model, org);
    }

    /// A person of the org's subtree, the field named `l` in messages.
    pub(crate) fn person_as(
        &mut self,
        field: &str,
        l: &str,
        id: &str,
        model: &OrgModel,
        org: Option<&str>,
    ) {
        match (model.person(id), org) {
            (None, _) => self.push(
                field,
                format!("{l}：找不到人员「{id}」"),
                format!("{l}: there is no person `{id}`"),
            ),
            (Some(p), Some(org)) if !model.is_within(&p.org, org) => {
                let org_name = model.org(org).map(|o| o.name.as_str()).unwrap_or(org);
                let their = model.org(&p.org).map(|o| o.name.as_str()).unwrap_or(&p.org);
                self.push(
                    field,
                    format!("{l}：{}（{their}）不是{org_name}的人员", p.name),
                    format!("{l}: {} ({their}) is not a person of {org_name}", p.name),
                );
            }
            _ => {}
        }
    }
}

/// Checks a draft; the valid record, or every problem with its field.
pub fn validate_record(
    d: &RecordDraft,
    ctx: &RecordContext<'_>,
    lang: Lang,
) -> Result<ValidRecord, FieldErrors> {
    let mut e = Errors::new(lang);
    let defined = ctx.defined.filter(|(_, k)| k.id == d.kind.trim());
    let kind = match defined {
        Some(_) => None,
        None => record_kind(&mut e, &d.kind, ctx.pack),
    };
    let org = e.org("org", &d.org, ctx.model);
    // A pack-defined kind is dated by its own date field.
    let date = match defined {
        Some(_) => None,
        None => e.past_date("date", &d.date, ctx.today),
    };
    let title = e.text("title", &d.title, true, TITLE_MAX);
    let org_ref = org.as_deref();
    if let Some((policy, def)) = defined {
        let (date, values) = defined_values(&mut e, def, d, ctx.model, org_ref, ctx.today);
        let valid = match (org, date) {
            (Some(org), Some(date)) => Some(ValidRecord {
                kind: EvidenceOf::Pack(def.id.clone()),
                org,
                date,
                title,
                details: RecordDetails::Defined(DefinedRecord {
                    policy: policy.to_string(),
                    definition: def.clone(),
                    values,
                }),
            }),
            _ => None,
        };
        return e.result(valid);
    }
    let details = match kind {
        Some(EvidenceKind::CommitteeMeeting) => Some(committee_meeting(&mut e, d, ctx, org_ref)),
        Some(EvidenceKind::SituationAnalysis) => {
            Some(situation_analysis(&mut e, d, ctx, org_ref, date))
        }
        Some(EvidenceKind::TrainingSession) => Some(training_session(&mut e, d, ctx, org_ref)),
        Some(EvidenceKind::EducationActivity) => Some(education_activity(&mut e, d)),
        Some(EvidenceKind::DirectiveReport) => {
            Some(directive_report(&mut e, d, ctx, org_ref, date))
        }
        Some(EvidenceKind::RectificationReport) => {
            Some(rectification_report(&mut e, d, ctx, org_ref, date))
        }
        _ => None,
    };
    let valid = match (kind, org, date, details) {
        (Some(kind), Some(org), Some(date), Some(details)) => Some(ValidRecord {
            kind: EvidenceOf::Builtin(kind),
            org,
            date,
            title,
            details,
        }),
        _ => None,
    };
    e.result(valid)
}

/// One of [`RECORD_KINDS`] (a kind the pack defines is validated by its definition); the
/// refusal lists both.
fn record_kind(e: &mut Errors, kind: &str, pack: &PolicyPack) -> Option<EvidenceKind> {
    let kind = kind.trim();
    match EvidenceKind::parse(kind) {
        Some(k) if RECORD_KINDS.contains(&k) => Some(k),
        _ => {
            let names: Vec<String> = RECORD_KINDS
                .iter()
                .map(|k| format!("{}（{}）", k.as_str(), k.name_zh()))
                .chain(
                    pack.record_kinds
                        .iter()
                        .map(|k| format!("{}（{}）", k.id, k.name)),
                )
                .collect();
            let plain: Vec<&str> = RECORD_KINDS
                .iter()
                .map(|k| k.as_str())
                .chain(pack.record_kinds.iter().map(|k| k.id.as_str()))
                .collect();
            e.push(
                "kind",
                format!("材料类型「{kind}」无法登记，可选：{}", names.join("、")),
                format!(
                    "kind `{kind}` cannot be recorded here; use one of: {}",
                    plain.join(", ")
                ),
            );
            None
        }
    }
}

fn committee_meeting(
    e: &mut Errors,
    d: &RecordDraft,
    ctx: &RecordContext<'_>,
    org: Option<&str>,
) -> RecordDetails {
    let attendees = e.people("attendees", &d.attendees, ctx.model, org, true);
    let absentees = e.people("absentees", &d.absentees, ctx.model, org, false);
    for p in absentees.iter().filter(|p| attendees.contains(p)) {
        let name = ctx
            .model
            .person(p)
            .map(|x| x.name.clone())
            .unwrap_or(p.clone());
        e.push(
            "absentees",
            format!("{name} 不能既出席又缺席"),
            format!("{name} cannot be both present and absent"),
        );
    }
    let known: Vec<&str> = ctx.pack.topics.iter().map(|t| t.id.as_str()).collect();
    let mut agenda = Vec::new();
    for (i, item) in d.agenda.iter().enumerate() {
        let n = i + 1;
        let item_title = item.title.trim();
        let topics = unique(
            item.topics
                .iter()
                .map(|t| t.trim().to_string())
                .filter(|t| !t.is_empty()),
        );
        if item_title.is_empty() && topics.is_empty() {
            continue;
        }
        if item_title.is_empty() {
            e.push(
                format!("agenda.{n}.title"),
                format!("议程第 {n} 项缺少议题名称"),
                format!("agenda item {n} has no title"),
            );
        } else if item_title.chars().count() > TITLE_MAX {
            e.push(
                format!("agenda.{n}.title"),
                format!("议程第 {n} 项的名称不能超过 {TITLE_MAX} 个字符"),
                format!("agenda item {n}: the title must be at most {TITLE_MAX} characters"),
            );
        }
        for t in topics.iter().filter(|t| !known.contains(&t.as_str())) {
            let names: Vec<String> = ctx
                .pack
                .topics
                .iter()
                .map(|x| format!("{}（{}）", x.id, x.name))
                .collect();
            e.push(
                format!("agenda.{n}.topics"),
                format!(
                    "议程第 {n} 项的议题标签「{t}」不是责任制规定的议题，可选：{}",
                    names.join("、")
                ),
                format!(
                    "agenda item {n}: topic `{t}` is not a topic of the policy; use one of: {}",
                    known.join(", ")
                ),
            );
        }
        agenda.push(AgendaItem {
            title: item_title.to_string(),
            topics,
        });
    }
    if agenda.is_empty() {
        e.push(
            "agenda",
            "议程至少需要一项".to_string(),
            "the agenda needs at least one item".to_string(),
        );
    }
    let minutes = e.text("minutes", &d.minutes, true, TEXT_MAX);
    let decisions = e.text("decisions", &d.decisions, false, TEXT_MAX);
    RecordDetails::CommitteeMeeting {
        attendees,
        absentees,
        agenda,
        minutes,
        decisions,
    }
}

fn situation_analysis(
    e: &mut Errors,
    d: &RecordDraft,
    ctx: &RecordContext<'_>,
    org: Option<&str>,
    date: Option<NaiveDate>,
) -> RecordDetails {
    let covers = d.covers.trim().to_string();
    match Period::parse(&covers) {
        _ if covers.is_empty() => e.required("covers"),
        Some(p @ (Period::Year(_) | Period::Half(..) | Period::Quarter(..) | Period::Month(..))) => {
            if let (Some(start), Some(day)) = (p.start(), date)
                && day < start
            {
                e.push(
                    "covers",
                    format!("研判期间 {covers} 自 {start} 开始，报告日期 {day} 早于该期间"),
                    format!("the period {covers} starts on {start}, after the report's date {day}"),
                );
            }
        }
        _ => e.push(
            "covers",
            format!("研判期间「{covers}」无效，请填写年份、半年、季度或月份，如 2026、2026-H2、2026-Q3、2026-07"),
            format!("period `{covers}` is not valid; write a year, half, quarter or month such as 2026, 2026-H2, 2026-Q3, 2026-07"),
        ),
    }
    let author = e.one_person("author", &d.author, ctx.model, org);
    let findings = e.text("findings", &d.findings, true, TEXT_MAX);
    let measures = e.text("measures", &d.measures, true, TEXT_MAX);
    RecordDetails::SituationAnalysis {
        covers,
        author,
        findings,
        measures,
    }
}

fn training_session(
    e: &mut Errors,
    d: &RecordDraft,
    ctx: &RecordContext<'_>,
    org: Option<&str>,
) -> RecordDetails {
    let trainer = e.text("trainer", &d.trainer, true, TITLE_MAX);
    let attendees = e.people("attendees", &d.attendees, ctx.model, org, true);
    let hours_text = d.hours.trim();
    let hours = if hours_text.is_empty() {
        e.required("hours");
        0.0
    } else {
        match hours_text.parse::<f64>() {
            Ok(h) if h.is_finite() && h > 0.0 && h <= HOURS_MAX => h,
            Ok(h) if h.is_finite() && h > HOURS_MAX => {
                e.push(
                    "hours",
                    format!("学时不能超过 {HOURS_MAX}"),
                    format!("hours must be at most {HOURS_MAX}"),
                );
                0.0
            }
            Ok(_) => {
                e.push(
                    "hours",
                    "学时必须大于 0".to_string(),
                    "hours must be more than 0".to_string(),
                );
                0.0
            }
            Err(_) => {
                e.push(
                    "hours",
                    format!("学时「{hours_text}」不是数字"),
                    format!("hours `{hours_text}` is not a number"),
                );
                0.0
            }
        }
    };
    RecordDetails::TrainingSession {
        trainer,
        attendees,
        hours,
    }
}

fn education_activity(e: &mut Errors, d: &RecordDraft) -> RecordDetails {
    let audience = e.text("audience", &d.audience, true, TITLE_MAX);
    let count_text = d.count.trim();
    let count = if count_text.is_empty() {
        e.required("count");
        0
    } else {
        match count_text.parse::<u32>() {
            Ok(n) if (1..=COUNT_MAX).contains(&n) => n,
            _ => {
                e.push(
                    "count",
                    format!("参加人数「{count_text}」须为 1 至 {COUNT_MAX} 之间的整数"),
                    format!(
                        "number of participants `{count_text}` must be a whole number from 1 to {COUNT_MAX}"
                    ),
                );
                0
            }
        }
    };
    let content = e.text("content", &d.content, true, TEXT_MAX);
    RecordDetails::EducationActivity {
        audience,
        count,
        content,
    }
}

fn directive_report(
    e: &mut Errors,
    d: &RecordDraft,
    ctx: &RecordContext<'_>,
    org: Option<&str>,
    date: Option<NaiveDate>,
) -> RecordDetails {
    let directive = d.directive.trim().to_string();
    if directive.is_empty() {
        e.required("directive");
    } else {
        match &ctx.directive {
            None => e.push(
                "directive",
                format!("找不到上级部署「{directive}」"),
                format!("there is no directive `{directive}`"),
            ),
            Some((dorg, _)) if Some(dorg.as_str()) != org && org.is_some() => e.push(
                "directive",
                "该上级部署属于其他组织".to_string(),
                "the directive belongs to another org".to_string(),
            ),
            Some((_, received)) => {
                if let Some(day) = date {
                    e.not_before_receipt("date", REPORT_DATE, day, *received);
                }
            }
        }
    }
    let text = e.text("text", &d.text, true, TEXT_MAX);
    RecordDetails::DirectiveReport { directive, text }
}

fn rectification_report(
    e: &mut Errors,
    d: &RecordDraft,
    ctx: &RecordContext<'_>,
    org: Option<&str>,
    date: Option<NaiveDate>,
) -> RecordDetails {
    let rectification = d.rectification.trim().to_string();
    if rectification.is_empty() {
        e.required("rectification");
    } else {
        match &ctx.rectification {
            None => e.push(
                "rectification",
                format!("找不到整改任务「{rectification}」"),
                format!("there is no rectification task `{rectification}`"),
            ),
            Some((rorg, _)) if Some(rorg.as_str()) != org && org.is_some() => e.push(
                "rectification",
                "该整改任务属于其他组织".to_string(),
                "the rectification task belongs to another org".to_string(),
            ),
            Some((_, opened)) => {
                if let Some(day) = date
                    && day < *opened
                {
                    e.push(
                        "date",
                        format!("报告日期 {day} 早于整改任务下达的日期 {opened}"),
                        format!("the report's date {day} is before the task was opened ({opened})"),
                    );
                }
            }
        }
    }
    let text = e.text("text", &d.text, true, TEXT_MAX);
    RecordDetails::RectificationReport {
        rectification,
        text,
    }
}

/// How the day of a report on a directive is named in messages.
pub(crate) const REPORT_DATE: (&str, &str) = ("报告日期", "the report's date");
