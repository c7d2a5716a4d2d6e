//! The rules of record, directive, task and report drafts, one by one, in both languages.

use super::*;
use crate::Lang;
use crate::org::{Org, Person};
use crate::policy::builtin_pack;
use crate::vocab::OrgKind;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

const TODAY: &str = "2026-11-28";

/// A university with two colleges; the materials college has a branch.
fn model() -> OrgModel {
    let org = |id: &str, name: &str, kind, parent: Option<&str>| Org {
        id: id.into(),
        code: format!("cqu-{id}"),
        name: name.into(),
        kind,
        parent: parent.map(Into::into),
        established_on: None,
        closed_on: None,
    };
    let person = |id: &str, name: &str, org: &str| Person {
        id: id.into(),
        name: name.into(),
        org: org.into(),
    };
    OrgModel::new(
        vec![
            org("uni", "重庆大学", OrgKind::University, None),
            org("mse", "材料科学与工程学院", OrgKind::College, Some("uni")),
            org("mse-b1", "材料学院第一党支部", OrgKind::Branch, Some("mse")),
            org("cs", "计算机学院", OrgKind::College, Some("uni")),
        ],
        vec![
            person("li", "李明华", "mse"),
            person("zhao", "赵敏", "mse-b1"),
            person("he", "何志强", "cs"),
            person("wang", "王校长", "uni"),
        ],
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
    )
}

struct Fixture {
    model: OrgModel,
    pack: PolicyPack,
}

impl Fixture {
    fn new() -> Fixture {
        Fixture {
            model: model(),
            pack: builtin_pack().unwrap(),
        }
    }

    fn ctx(&self, directive: Option<(&str, &str)>) -> RecordContext<'_> {
        RecordContext {
            model: &self.model,
            pack: &self.pack,
            today: d(TODAY),
            directive: directive.map(|(org, day)| (org.to_string(), d(day))),
            rectification: None,
            defined: None,
        }
    }

    fn check(&self, draft: &RecordDraft, lang: Lang) -> Result<ValidRecord, FieldErrors> {
        validate_record(draft, &self.ctx(Some(("mse", "2026-11-02"))), lang)
    }

    /// The messages of a refused draft.
    fn refused(&self, draft: &RecordDraft, lang: Lang) -> FieldErrors {
        match self.check(draft, lang) {
            Err(errors) => errors,
            Ok(v) => panic!("expected a refusal, got {v:?}"),
        }
    }
}

/// Asserts that some problem of `field` says `want`.
fn says(errors: &FieldErrors, field: &str, want: &str) {
    assert!(
        errors.iter().any(|(f, m)| f == field && m.contains(want)),
        "no `{want}` on `{field}` in {errors:?}"
    );
}

fn meeting() -> RecordDraft {
    RecordDraft {
        kind: "committee-meeting".into(),
        org: "cqu-mse".into(),
        date: "2026-11-20".into(),
        title: "党委会".into(),
        attendees: vec!["li".into(), "zhao".into()],
        agenda: vec![AgendaDraft {
            title: "研究网络意识形态工作".into(),
            topics: vec!["online-ideology".into()],
        }],
        minutes: "会议纪要".into(),
        ..RecordDraft::default()
    }
}

fn analysis() -> RecordDraft {
    RecordDraft {
        kind: "situation-analysis".into(),
        org: "cqu-mse".into(),
        date: "2026-10-10".into(),
        title: "研判".into(),
        covers: "2026-Q3".into(),
        author: "li".into(),
        findings: "总体平稳".into(),
        measures: "加强管理".into(),
        ..RecordDraft::default()
    }
}

fn training() -> RecordDraft {
    RecordDraft {
        kind: "training-session".into(),
        org: "cqu-mse".into(),
        date: "2026-10-10".into(),
        title: "培训".into(),
        trainer: "专家".into(),
        attendees: vec!["zhao".into()],
        hours: "1.5".into(),
        ..RecordDraft::default()
    }
}

fn education() -> RecordDraft {
    RecordDraft {
        kind: "education-activity".into(),
        org: "cqu-mse".into(),
        date: "2026-10-10".into(),
        title: "主题教育".into(),
        audience: "2025级本科生".into(),
        count: "120".into(),
        content: "网络素养".into(),
        ..RecordDraft::default()
    }
}

fn report() -> RecordDraft {
    RecordDraft {
        kind: "directive-report".into(),
        org: "cqu-mse".into(),
        date: "2026-11-27".into(),
        title: "落实情况报告".into(),
        directive: "dir-1".into(),
        text: "已按要求完成".into(),
        ..RecordDraft::default()
    }
}

// ------------------------------------------------------------------------------------------
// Records: what every kind shares
// ------------------------------------------------------------------------------------------

#[test]
fn a_valid_meeting_is_trimmed_and_deduplicated() {
    let f = Fixture::new();
    let draft = RecordDraft {
        org: " cqu-mse ".into(),
        title: "  党委会 ".into(),
        attendees: vec!["li".into(), " li ".into(), "".into(), "zhao".into()],
        agenda: vec![
            AgendaDraft {
                title: " 研究网络意识形态工作 ".into(),
                topics: vec![
                    "online-ideology".into(),
                    " online-ideology".into(),
                    "".into(),
                    "ideology".into(),
                ],
            },
            // An empty row of the form is no item.
            AgendaDraft::default(),
            AgendaDraft {
                title: "其他".into(),
                topics: vec!["ideology".into()],
            },
        ],
        ..meeting()
    };
    let v = f.check(&draft, Lang::Zh).unwrap();
    assert_eq!(v.kind.builtin(), Some(EvidenceKind::CommitteeMeeting));
    assert_eq!(v.org, "mse", "the org code is resolved to its id");
    assert_eq!(v.date, d("2026-11-20"));
    assert_eq!(v.title, "党委会");
    assert_eq!(v.details.attendees(), vec!["li", "zhao"]);
    assert_eq!(v.details.topics(), vec!["online-ideology", "ideology"]);
    let RecordDetails::CommitteeMeeting { agenda, .. } = &v.details else {
        panic!("a meeting")
    };
    assert_eq!(agenda.len(), 2);
    assert_eq!(agenda[0].title, "研究网络意识形态工作");
    assert_eq!(agenda[0].topics, vec!["online-ideology", "ideology"]);
}

#[test]
fn every_kind_round_trips_through_its_draft() {
    let f = Fixture::new();
    for draft in [meeting(), analysis(), training(), education(), report()] {
        let v = f.check(&draft, Lang::Zh).unwrap();
        assert_eq!(v.details.kind(), v.kind);
        let again = f.check(&v.draft(), Lang::Zh).unwrap();
        assert_eq!(again, v, "{}", draft.kind);
    }
}

#[test]
fn the_kind_must_be_one_this_area_records() {
    let f = Fixture::new();
    for kind in ["", "annual-review", "meeting"] {
        let draft = RecordDraft {
            kind: kind.into(),
            ..meeting()
        };
        says(
            &f.refused(&draft, Lang::Zh),
            "kind",
            &format!("材料类型「{kind}」无法登记，可选：committee-meeting（党委会会议记录）"),
        );
        says(
            &f.refused(&draft, Lang::En),
            "kind",
            &format!(
                "kind `{kind}` cannot be recorded here; use one of: committee-meeting, situation-analysis, training-session, education-activity, directive-report"
            ),
        );
    }
}

#[test]
fn the_org_must_exist() {
    let f = Fixture::new();
    let empty = RecordDraft {
        org: " ".into(),
        ..meeting()
    };
    says(&f.refused(&empty, Lang::Zh), "org", "所属组织不能为空");
    says(&f.refused(&empty, Lang::En), "org", "org is required");
    let unknown = RecordDraft {
        org: "cqu-xyz".into(),
        ..meeting()
    };
    says(
        &f.refused(&unknown, Lang::Zh),
        "org",
        "找不到组织「cqu-xyz」",
    );
    says(
        &f.refused(&unknown, Lang::En),
        "org",
        "there is no org `cqu-xyz`",
    );
    // The id works as well as the code.
    let by_id = RecordDraft {
        org: "mse".into(),
        ..meeting()
    };
    assert_eq!(f.check(&by_id, Lang::Zh).unwrap().org, "mse");
}

#[test]
fn the_date_is_a_day_that_has_come() {
    let f = Fixture::new();
    let with = |date: &str| RecordDraft {
        date: date.into(),
        ..meeting()
    };
    says(&f.refused(&with(""), Lang::Zh), "date", "日期不能为空");
    says(
        &f.refused(&with("2026/11/20"), Lang::Zh),
        "date",
        "日期「2026/11/20」不是有效日期，请按 YYYY-MM-DD 填写",
    );
    says(
        &f.refused(&with("tomorrow"), Lang::En),
        "date",
        "date `tomorrow` is not a date; write YYYY-MM-DD",
    );
    says(
        &f.refused(&with("2026-11-29"), Lang::Zh),
        "date",
        "日期 2026-11-29 晚于今天（2026-11-28），不能登记尚未发生的事项",
    );
    says(
        &f.refused(&with("2026-11-29"), Lang::En),
        "date",
        "date 2026-11-29 is after today (2026-11-28); nothing can be recorded before it happens",
    );
    assert!(f.check(&with(TODAY), Lang::Zh).is_ok(), "today counts");
}

#[test]
fn the_title_is_required_and_bounded() {
    let f = Fixture::new();
    let with = |title: String| RecordDraft { title, ..meeting() };
    says(
        &f.refused(&with("  ".into()), Lang::Zh),
        "title",
        "标题不能为空",
    );
    says(
        &f.refused(&with("".into()), Lang::En),
        "title",
        "title is required",
    );
    let long = "字".repeat(TITLE_MAX + 1);
    says(
        &f.refused(&with(long.clone()), Lang::Zh),
        "title",
        "标题不能超过 200 个字符",
    );
    says(
        &f.refused(&with(long), Lang::En),
        "title",
        "title must be at most 200 characters",
    );
    assert!(f.check(&with("字".repeat(TITLE_MAX)), Lang::Zh).is_ok());
}

#[test]
fn every_problem_is_told_with_its_field_in_order() {
    let f = Fixture::new();
    let draft = RecordDraft {
        kind: "committee-meeting".into(),
        ..RecordDraft::default()
    };
    let fields: Vec<String> = f
        .refused(&draft, Lang::Zh)
        .into_iter()
        .map(|(f, _)| f)
        .collect();
    assert_eq!(
        fields,
        ["org", "date", "title", "attendees", "agenda", "minutes"]
    );
}

// ------------------------------------------------------------------------------------------
// Committee meetings
// ------------------------------------------------------------------------------------------

#[test]
fn meeting_people_belong_to_the_org() {
    let f = Fixture::new();
    let none = RecordDraft {
        attendees: vec![" ".into()],
        ..meeting()
    };
    says(&f.refused(&none, Lang::Zh), "attendees", "出席人员不能为空");
    let unknown = RecordDraft {
        attendees: vec!["nobody".into()],
        ..meeting()
    };
    says(
        &f.refused(&unknown, Lang::Zh),
        "attendees",
        "出席人员：找不到人员「nobody」",
    );
    says(
        &f.refused(&unknown, Lang::En),
        "attendees",
        "attendees: there is no person `nobody`",
    );
    let outsider = RecordDraft {
        attendees: vec!["li".into(), "he".into()],
        ..meeting()
    };
    says(
        &f.refused(&outsider, Lang::Zh),
        "attendees",
        "出席人员：何志强（计算机学院）不是材料科学与工程学院的人员",
    );
    says(
        &f.refused(&outsider, Lang::En),
        "attendees",
        "attendees: 何志强 (计算机学院) is not a person of 材料科学与工程学院",
    );
    // A person of the university above the college is not of the college either.
    let above = RecordDraft {
        absentees: vec!["wang".into()],
        ..meeting()
    };
    says(
        &f.refused(&above, Lang::Zh),
        "absentees",
        "缺席人员：王校长（重庆大学）不是材料科学与工程学院的人员",
    );
    // A branch's member is a member of the college.
    assert!(f.check(&meeting(), Lang::Zh).is_ok());
}

#[test]
fn nobody_is_both_present_and_absent() {
    let f = Fixture::new();
    let draft = RecordDraft {
        absentees: vec!["zhao".into()],
        ..meeting()
    };
    says(
        &f.refused(&draft, Lang::Zh),
        "absentees",
        "赵敏 不能既出席又缺席",
    );
    says(
        &f.refused(&draft, Lang::En),
        "absentees",
        "赵敏 cannot be both present and absent",
    );
}

#[test]
fn the_agenda_has_titled_items_with_the_policys_topics() {
    let f = Fixture::new();
    let with = |agenda: Vec<AgendaDraft>| RecordDraft {
        agenda,
        ..meeting()
    };
    let item = |title: &str, topics: &[&str]| AgendaDraft {
        title: title.into(),
        topics: topics.iter().map(|t| t.to_string()).collect(),
    };
    says(
        &f.refused(&with(vec![]), Lang::Zh),
        "agenda",
        "议程至少需要一项",
    );
    says(
        &f.refused(&with(vec![AgendaDraft::default()]), Lang::En),
        "agenda",
        "the agenda needs at least one item",
    );
    let untitled = with(vec![item("议题", &[]), item(" ", &["ideology"])]);
    says(
        &f.refused(&untitled, Lang::Zh),
        "agenda.2.title",
        "议程第 2 项缺少议题名称",
    );
    says(
        &f.refused(&untitled, Lang::En),
        "agenda.2.title",
        "agenda item 2 has no title",
    );
    let long = with(vec![item(&"议".repeat(TITLE_MAX + 1), &[])]);
    says(
        &f.refused(&long, Lang::Zh),
        "agenda.1.title",
        "议程第 1 项的名称不能超过 200 个字符",
    );
    says(
        &f.refused(&long, Lang::En),
        "agenda.1.title",
        "agenda item 1: the title must be at most 200 characters",
    );
    let gossip = with(vec![item("闲谈", &["gossip"])]);
    says(
        &f.refused(&gossip, Lang::Zh),
        "agenda.1.topics",
        "议程第 1 项的议题标签「gossip」不是责任制规定的议题，可选：online-ideology（网络意识形态工作）",
    );
    says(
        &f.refused(&gossip, Lang::En),
        "agenda.1.topics",
        "agenda item 1: topic `gossip` is not a topic of the policy; use one of: online-ideology, ideology",
    );
    // An item needs no topic.
    assert!(
        f.check(&with(vec![item("其他事项", &[])]), Lang::Zh)
            .is_ok()
    );
}

#[test]
fn minutes_are_required_and_decisions_optional() {
    let f = Fixture::new();
    let no_minutes = RecordDraft {
        minutes: " ".into(),
        ..meeting()
    };
    says(
        &f.refused(&no_minutes, Lang::Zh),
        "minutes",
        "会议纪要不能为空",
    );
    let long_decisions = RecordDraft {
        decisions: "决".repeat(TEXT_MAX + 1),
        ..meeting()
    };
    says(
        &f.refused(&long_decisions, Lang::Zh),
        "decisions",
        "会议决定不能超过 100000 个字符",
    );
    let v = f.check(&meeting(), Lang::Zh).unwrap();
    let RecordDetails::CommitteeMeeting { decisions, .. } = v.details else {
        panic!("a meeting")
    };
    assert_eq!(decisions, "");
}

// ------------------------------------------------------------------------------------------
// Situation analyses
// ------------------------------------------------------------------------------------------

#[test]
fn an_analysis_covers_a_calendar_period_begun_by_its_date() {
    let f = Fixture::new();
    let with = |covers: &str| RecordDraft {
        covers: covers.into(),
        ..analysis()
    };
    for covers in ["2026", "2026-H2", "2026-Q3", "2026-07", "2026-10"] {
        let v = f.check(&with(covers), Lang::Zh).unwrap();
        assert_eq!(v.details.covers().as_deref(), Some(covers));
    }
    says(
        &f.refused(&with(" "), Lang::Zh),
        "covers",
        "研判期间不能为空",
    );
    for bad in ["2026-Q5", "once", "2026-07-01", "Q3"] {
        says(
            &f.refused(&with(bad), Lang::Zh),
            "covers",
            &format!("研判期间「{bad}」无效，请填写年份、半年、季度或月份"),
        );
        says(
            &f.refused(&with(bad), Lang::En),
            "covers",
            &format!("period `{bad}` is not valid; write a year, half, quarter or month"),
        );
    }
    // A period begun before the report's date is fine; one that begins after it is not.
    assert!(f.check(&with("2026-Q4"), Lang::Zh).is_ok());
    says(
        &f.refused(&with("2026-11"), Lang::Zh),
        "covers",
        "研判期间 2026-11 自 2026-11-01 开始，报告日期 2026-10-10 早于该期间",
    );
    says(
        &f.refused(&with("2026-11"), Lang::En),
        "covers",
        "the period 2026-11 starts on 2026-11-01, after the report's date 2026-10-10",
    );
}

#[test]
fn an_analysis_has_an_author_of_the_org_findings_and_measures() {
    let f = Fixture::new();
    let no_author = RecordDraft {
        author: " ".into(),
        ..analysis()
    };
    says(&f.refused(&no_author, Lang::Zh), "author", "撰写人不能为空");
    let outsider = RecordDraft {
        author: "he".into(),
        ..analysis()
    };
    says(
        &f.refused(&outsider, Lang::Zh),
        "author",
        "撰写人：何志强（计算机学院）不是材料科学与工程学院的人员",
    );
    let empty = RecordDraft {
        findings: "".into(),
        measures: "".into(),
        ..analysis()
    };
    let errors = f.refused(&empty, Lang::En);
    says(&errors, "findings", "findings is required");
    says(&errors, "measures", "measures is required");
}

// ------------------------------------------------------------------------------------------
// Training sessions and education activities
// ------------------------------------------------------------------------------------------

#[test]
fn training_hours_are_a_positive_number_up_to_the_limit() {
    let f = Fixture::new();
    let with = |hours: &str| RecordDraft {
        hours: hours.into(),
        ..training()
    };
    says(&f.refused(&with(""), Lang::Zh), "hours", "学时不能为空");
    for zero in ["0", "-1", "-0.5"] {
        says(&f.refused(&with(zero), Lang::Zh), "hours", "学时必须大于 0");
        says(
            &f.refused(&with(zero), Lang::En),
            "hours",
            "hours must be more than 0",
        );
    }
    says(
        &f.refused(&with("1000.5"), Lang::Zh),
        "hours",
        "学时不能超过 1000",
    );
    says(
        &f.refused(&with("1e9"), Lang::En),
        "hours",
        "hours must be at most 1000",
    );
    says(
        &f.refused(&with("两小时"), Lang::Zh),
        "hours",
        "学时「两小时」不是数字",
    );
    says(
        &f.refused(&with("two"), Lang::En),
        "hours",
        "hours `two` is not a number",
    );
    for ok in ["0.5", " 2 ", "1000"] {
        let v = f.check(&with(ok), Lang::Zh).unwrap();
        let RecordDetails::TrainingSession { hours, .. } = v.details else {
            panic!("a training")
        };
        assert_eq!(hours, ok.trim().parse::<f64>().unwrap());
    }
}

#[test]
fn a_training_has_a_trainer_and_attendees() {
    let f = Fixture::new();
    let draft = RecordDraft {
        trainer: " ".into(),
        attendees: Vec::new(),
        ..training()
    };
    let errors = f.refused(&draft, Lang::Zh);
    says(&errors, "trainer", "主讲人不能为空");
    says(&errors, "attendees", "出席人员不能为空");
    let long = RecordDraft {
        trainer: "讲".repeat(TITLE_MAX + 1),
        ..training()
    };
    says(
        &f.refused(&long, Lang::Zh),
        "trainer",
        "主讲人不能超过 200 个字符",
    );
}

#[test]
fn an_education_activity_counts_from_one_to_the_limit() {
    let f = Fixture::new();
    let with = |count: &str| RecordDraft {
        count: count.into(),
        ..education()
    };
    says(
        &f.refused(&with(" "), Lang::Zh),
        "count",
        "参加人数不能为空",
    );
    for bad in ["0", "-3", "1.5", "many", "1000001", "99999999999"] {
        says(
            &f.refused(&with(bad), Lang::Zh),
            "count",
            &format!("参加人数「{bad}」须为 1 至 1000000 之间的整数"),
        );
        says(
            &f.refused(&with(bad), Lang::En),
            "count",
            &format!("number of participants `{bad}` must be a whole number from 1 to 1000000"),
        );
    }
    for (text, n) in [("1", 1), (" 30 ", 30), ("1000000", COUNT_MAX)] {
        let v = f.check(&with(text), Lang::Zh).unwrap();
        let RecordDetails::EducationActivity { count, .. } = v.details else {
            panic!("an education activity")
        };
        assert_eq!(count, n);
    }
    let empty = RecordDraft {
        audience: "".into(),
        content: "".into(),
        ..education()
    };
    let errors = f.refused(&empty, Lang::Zh);
    says(&errors, "audience", "教育对象不能为空");
    says(&errors, "content", "内容不能为空");
}

// ------------------------------------------------------------------------------------------
// Directive reports
// ------------------------------------------------------------------------------------------

#[test]
fn a_directive_report_names_a_directive_of_its_org_after_receipt() {
    let f = Fixture::new();
    let no_directive = RecordDraft {
        directive: " ".into(),
        ..report()
    };
    says(
        &f.refused(&no_directive, Lang::Zh),
        "directive",
        "上级部署不能为空",
    );
    let unknown = validate_record(&report(), &f.ctx(None), Lang::Zh).unwrap_err();
    says(&unknown, "directive", "找不到上级部署「dir-1」");
    let unknown = validate_record(&report(), &f.ctx(None), Lang::En).unwrap_err();
    says(&unknown, "directive", "there is no directive `dir-1`");
    let elsewhere =
        validate_record(&report(), &f.ctx(Some(("cs", "2026-11-02"))), Lang::Zh).unwrap_err();
    says(&elsewhere, "directive", "该上级部署属于其他组织");
    let elsewhere =
        validate_record(&report(), &f.ctx(Some(("cs", "2026-11-02"))), Lang::En).unwrap_err();
    says(
        &elsewhere,
        "directive",
        "the directive belongs to another org",
    );
    let early = RecordDraft {
        date: "2026-11-01".into(),
        ..report()
    };
    says(
        &f.refused(&early, Lang::Zh),
        "date",
        "报告日期 2026-11-01 早于收文日期 2026-11-02",
    );
    says(
        &f.refused(&early, Lang::En),
        "date",
        "the report's date 2026-11-01 is before the directive was received (2026-11-02)",
    );
    let no_text = RecordDraft {
        text: "".into(),
        ..report()
    };
    says(&f.refused(&no_text, Lang::Zh), "text", "落实情况不能为空");
    let on_receipt = RecordDraft {
        date: "2026-11-02".into(),
        ..report()
    };
    let v = f.check(&on_receipt, Lang::Zh).unwrap();
    assert_eq!(v.details.event().as_deref(), Some("dir-1"));
}

// ------------------------------------------------------------------------------------------
// What records say, and how drafts read
// ------------------------------------------------------------------------------------------

#[test]
fn details_tell_what_evidence_matching_needs() {
    let f = Fixture::new();
    let drafts = [meeting(), analysis(), training(), education(), report()];
    for (draft, want) in drafts.iter().zip(RECORD_KINDS) {
        let details = f.check(draft, Lang::Zh).unwrap().details;
        let kind = details.kind().builtin().unwrap();
        assert_eq!(kind, want);
        let takes_part = matches!(
            kind,
            EvidenceKind::CommitteeMeeting | EvidenceKind::TrainingSession
        );
        assert_eq!(!details.attendees().is_empty(), takes_part, "{kind}");
        assert_eq!(
            details.covers().is_some(),
            kind == EvidenceKind::SituationAnalysis
        );
        assert_eq!(
            details.event().is_some(),
            kind == EvidenceKind::DirectiveReport
        );
        assert_eq!(
            details.topics().is_empty(),
            kind != EvidenceKind::CommitteeMeeting
        );
    }
}

#[test]
fn hours_are_written_without_a_trailing_zero() {
    assert_eq!(format_hours(2.0), "2");
    assert_eq!(format_hours(1.5), "1.5");
    assert_eq!(format_hours(0.25), "0.25");
    assert_eq!(format_hours(1000.0), "1000");
}

#[test]
fn unique_keeps_the_first_of_each() {
    let v = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    assert_eq!(unique(v(&["b", "a", "b", "c", "a"])), v(&["b", "a", "c"]));
    assert!(unique(Vec::new()).is_empty());
}

#[test]
fn drafts_take_numbers_as_numbers_or_text() {
    let draft: RecordDraft =
        serde_json::from_str(r#"{"kind": "training-session", "hours": 2.5, "count": 30}"#).unwrap();
    assert_eq!((draft.hours.as_str(), draft.count.as_str()), ("2.5", "30"));
    let draft: RecordDraft = serde_json::from_str(r#"{"hours": "2", "count": null}"#).unwrap();
    assert_eq!((draft.hours.as_str(), draft.count.as_str()), ("2", ""));
    let draft: RecordDraft = serde_json::from_str("{}").unwrap();
    assert_eq!(draft, RecordDraft::default());
    let err = serde_json::from_str::<RecordDraft>(r#"{"hours": true}"#).unwrap_err();
    assert!(
        err.to_string()
            .contains("invalid type: expected a number, found true"),
        "{err}"
    );
}

#[test]
fn every_field_has_a_label_in_both_languages() {
    let fields = [
        "kind",
        "org",
        "date",
        "title",
        "attendees",
        "absentees",
        "agenda",
        "minutes",
        "decisions",
        "covers",
        "author",
        "findings",
        "measures",
        "trainer",
        "hours",
        "audience",
        "count",
        "content",
        "directive",
        "text",
        "issuer",
        "document_number",
        "received_on",
        "owner",
        "deadline",
        "version",
    ];
    let zh: Vec<&str> = fields.iter().map(|f| field_label(f, Lang::Zh)).collect();
    let en: Vec<&str> = fields.iter().map(|f| field_label(f, Lang::En)).collect();
    for labels in [&zh, &en] {
        assert!(!labels.contains(&"字段") && !labels.contains(&"field"));
        assert_eq!(
            unique(labels.iter().map(|l| l.to_string())).len(),
            fields.len()
        );
    }
    assert_eq!(field_label("received_on", Lang::Zh), "收文日期");
    assert_eq!(field_label("count", Lang::En), "number of participants");
    assert_eq!(field_label("nonsense", Lang::Zh), "字段");
    assert_eq!(field_label("nonsense", Lang::En), "field");
}

#[test]
fn messages_join_in_the_users_language() {
    let errors: FieldErrors = vec![("a".into(), "一".into()), ("b".into(), "二".into())];
    assert_eq!(join_messages(&errors, Lang::Zh), "一；二");
    assert_eq!(join_messages(&errors, Lang::En), "一; 二");
    assert_eq!(join_messages(&Vec::new(), Lang::Zh), "");
}

// ------------------------------------------------------------------------------------------
// Directives, tasks and reports
// ------------------------------------------------------------------------------------------

fn directive_draft() -> DirectiveDraft {
    DirectiveDraft {
        org: "cqu-mse".into(),
        issuer: "校党委宣传部".into(),
        document_number: "党宣〔2026〕12号".into(),
        received_on: "2026-11-02".into(),
        title: "关于加强网络阵地管理的通知".into(),
        content: "各二级党组织：……".into(),
    }
}

fn directive() -> Directive {
    Directive {
        id: "dir-1".into(),
        org: "mse".into(),
        issuer: "校党委宣传部".into(),
        document_number: "党宣〔2026〕12号".into(),
        received_on: d("2026-11-02"),
        title: "关于加强网络阵地管理的通知".into(),
        content: "……".into(),
        version: 1,
        created_by: "secretary".into(),
        created_at: 0,
    }
}

fn task(status: &str) -> Task {
    Task {
        id: "task-1".into(),
        directive: "dir-1".into(),
        title: "排查".into(),
        owner: "zhao".into(),
        deadline: d("2026-12-01"),
        status: status.into(),
        completed_on: None,
        version: 1,
    }
}

#[test]
fn a_directive_is_received_by_an_org_on_a_day_that_has_come() {
    let m = model();
    let today = d(TODAY);
    assert_eq!(
        validate_directive(&directive_draft(), &m, today, Lang::Zh).unwrap(),
        ("mse".to_string(), d("2026-11-02"))
    );
    let empty = validate_directive(&DirectiveDraft::default(), &m, today, Lang::Zh).unwrap_err();
    let fields: Vec<&str> = empty.iter().map(|(f, _)| f.as_str()).collect();
    assert_eq!(
        fields,
        [
            "org",
            "issuer",
            "document_number",
            "title",
            "content",
            "received_on"
        ]
    );
    says(&empty, "document_number", "文号不能为空");
    says(&empty, "received_on", "收文日期不能为空");
    let late = DirectiveDraft {
        received_on: "2026-12-01".into(),
        ..directive_draft()
    };
    says(
        &validate_directive(&late, &m, today, Lang::Zh).unwrap_err(),
        "received_on",
        "收文日期 2026-12-01 晚于今天（2026-11-28）",
    );
    let unknown = DirectiveDraft {
        org: "cqu-xyz".into(),
        ..directive_draft()
    };
    says(
        &validate_directive(&unknown, &m, today, Lang::En).unwrap_err(),
        "org",
        "there is no org `cqu-xyz`",
    );
    let long = DirectiveDraft {
        issuer: "发".repeat(TITLE_MAX + 1),
        ..directive_draft()
    };
    says(
        &validate_directive(&long, &m, today, Lang::En).unwrap_err(),
        "issuer",
        "issuer must be at most 200 characters",
    );
}

#[test]
fn a_task_has_an_owner_of_the_directives_org_and_a_deadline_after_receipt() {
    let m = model();
    let draft = TaskDraft {
        title: "全面排查学院新媒体平台".into(),
        owner: " zhao ".into(),
        deadline: "2026-12-01".into(),
    };
    assert_eq!(
        validate_task(&draft, &directive(), &m, Lang::Zh).unwrap(),
        d("2026-12-01")
    );
    // A deadline may lie in the future, and on the day of receipt.
    let on_receipt = TaskDraft {
        deadline: "2026-11-02".into(),
        ..draft.clone()
    };
    assert!(validate_task(&on_receipt, &directive(), &m, Lang::Zh).is_ok());
    let outsider = TaskDraft {
        owner: "he".into(),
        ..draft.clone()
    };
    says(
        &validate_task(&outsider, &directive(), &m, Lang::Zh).unwrap_err(),
        "owner",
        "责任人：何志强（计算机学院）不是材料科学与工程学院的人员",
    );
    let early = TaskDraft {
        deadline: "2026-11-01".into(),
        ..draft.clone()
    };
    says(
        &validate_task(&early, &directive(), &m, Lang::Zh).unwrap_err(),
        "deadline",
        "完成时限 2026-11-01 早于收文日期 2026-11-02",
    );
    says(
        &validate_task(&early, &directive(), &m, Lang::En).unwrap_err(),
        "deadline",
        "the deadline 2026-11-01 is before the directive was received (2026-11-02)",
    );
    let empty = validate_task(&TaskDraft::default(), &directive(), &m, Lang::En).unwrap_err();
    says(&empty, "title", "title is required");
    says(&empty, "owner", "owner is required");
    says(&empty, "deadline", "deadline is required");
}

#[test]
fn a_report_is_progress_or_one_completion_dated_between_receipt_and_today() {
    let today = d(TODAY);
    let draft = ReportDraft {
        kind: "progress".into(),
        date: "2026-11-20".into(),
        content: "已排查 3 个平台".into(),
    };
    let check = |draft: &ReportDraft, status: &str, lang| {
        validate_report(draft, &task(status), &directive(), today, lang)
    };
    assert_eq!(check(&draft, "open", Lang::Zh).unwrap(), d("2026-11-20"));
    assert!(
        check(&draft, "done", Lang::Zh).is_ok(),
        "progress after completion"
    );
    let completion = ReportDraft {
        kind: " completion ".into(),
        ..draft.clone()
    };
    assert!(check(&completion, "open", Lang::Zh).is_ok());
    says(
        &check(&completion, "done", Lang::Zh).unwrap_err(),
        "kind",
        "该任务已报告完成",
    );
    says(
        &check(&completion, "done", Lang::En).unwrap_err(),
        "kind",
        "the task has already been reported complete",
    );
    let other = ReportDraft {
        kind: "final".into(),
        ..draft.clone()
    };
    says(
        &check(&other, "open", Lang::Zh).unwrap_err(),
        "kind",
        "报告类型「final」无效，可选：progress（进展）、completion（完成）",
    );
    says(
        &check(&other, "open", Lang::En).unwrap_err(),
        "kind",
        "report kind `final` is not valid; use progress or completion",
    );
    let early = ReportDraft {
        date: "2026-11-01".into(),
        ..draft.clone()
    };
    says(
        &check(&early, "open", Lang::Zh).unwrap_err(),
        "date",
        "报告日期 2026-11-01 早于收文日期 2026-11-02",
    );
    let future = ReportDraft {
        date: "2026-11-29".into(),
        ..draft.clone()
    };
    says(
        &check(&future, "open", Lang::Zh).unwrap_err(),
        "date",
        "日期 2026-11-29 晚于今天（2026-11-28）",
    );
    let empty = ReportDraft {
        content: " ".into(),
        ..draft
    };
    says(
        &check(&empty, "open", Lang::Zh).unwrap_err(),
        "content",
        "内容不能为空",
    );
}
