//! Record kinds as pack data: `[[record_kinds]]` definitions are read, checked with located
//! errors, and usable as a duty's evidence; records of such a kind are validated field by field
//! against their definition, and the kind's checks decide whether one discharges an obligation.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use serde_json::{Value, json};
use zeren_core::Lang;
use zeren_core::evidence::{Mismatch, ObligationFacts, RecordFacts, check};
use zeren_core::obligation::SubjectKind;
use zeren_core::org::OrgModel;
use zeren_core::policy::{
    BUILTIN_PACK_SOURCE, EvidenceOf, FieldType, PolicyPack, RecordCheck, parse_pack,
};
use zeren_core::records::{
    FieldErrors, RecordContext, RecordDetails, RecordDraft, ValidRecord, validate_record,
};
use zeren_core::vocab::{EvidenceKind, OrgKind};

const TALK: &str = r#"
[[record_kinds]]
id = "integrity-talk"
name = "廉政谈话记录"
name_en = "Integrity talk record"
date_field = "held-on"

  [[record_kinds.fields]]
  id = "held-on"
  type = "date"
  label = "谈话日期"
  label_en = "Date of the talk"
  required = true

  [[record_kinds.fields]]
  id = "participants"
  type = "people"
  label = "参加人员"
  label_en = "Participants"
  help = "谈话人和被谈话人"
  help_en = "Who talked and who was talked to"
  required = true

  [[record_kinds.fields]]
  id = "form"
  type = "choice"
  label = "谈话形式"
  label_en = "Form"
  choices = [
    { id = "one-to-one", name = "个别谈话", name_en = "One to one" },
    { id = "collective", name = "集体谈话", name_en = "Collective" },
  ]

  [[record_kinds.fields]]
  id = "minutes"
  type = "attachment"
  label = "谈话记录"
  label_en = "Minutes"

  [[record_kinds.fields]]
  id = "hours"
  type = "number"
  label = "时长（小时）"
  label_en = "Hours"
  min = 0
  max = 8.5

  [[record_kinds.checks]]
  check = "date-in-period"
  field = "held-on"

  [[record_kinds.checks]]
  check = "at-least"
  field = "participants"
  count = 2

  [[record_kinds.checks]]
  check = "present"
  field = "minutes"

[[duties]]
id = "integrity-talks"
title = "廉政谈话"
title_en = "Integrity talks"
articles = ["Art.3"]
subject = "org"
org_kinds = ["college"]
cadence = "annual"
due = { by = "12-31" }
responsible = "first-responsible"
evidence = [{ kind = "integrity-talk" }]
"#;

fn with(extra: &str) -> String {
    format!("{BUILTIN_PACK_SOURCE}\n{extra}")
}

#[test]
fn a_pack_defines_its_own_record_kind_and_a_duty_asks_for_it() {
    let pack = parse_pack(&with(TALK)).unwrap();
    let kind = pack.record_kind("integrity-talk").unwrap();
    assert_eq!(kind.date_field, "held-on");
    assert_eq!(kind.fields.len(), 5);
    assert!(
        matches!(kind.field("form").unwrap().kind, FieldType::Choice { ref choices } if choices.len() == 2)
    );
    assert_eq!(
        kind.field("hours").unwrap().kind,
        FieldType::Number {
            min: Some(0.0),
            max: Some(8.5)
        }
    );
    assert_eq!(
        kind.checks,
        vec![
            RecordCheck::DateInPeriod {
                field: "held-on".into()
            },
            RecordCheck::AtLeast {
                field: "participants".into(),
                count: 2
            },
            RecordCheck::Present {
                field: "minutes".into()
            },
        ]
    );
    let duty = pack.duty("integrity-talks").unwrap();
    assert_eq!(
        duty.evidence[0].kind,
        EvidenceOf::Pack("integrity-talk".into())
    );
    // The built-in kinds are still the product's own.
    assert!(matches!(
        pack.duty("annual-dedicated-study").unwrap().evidence[0].kind,
        EvidenceOf::Builtin(_)
    ));
}

/// The problems of `extra` appended to the built-in pack, each as `line: message` (English).
fn problems(extra: &str) -> Vec<(usize, String)> {
    let src = with(extra);
    parse_pack(&src)
        .unwrap_err()
        .iter()
        .map(|d| (d.line, d.problem.message(Lang::En)))
        .collect()
}

fn line_of(extra: &str, needle: &str) -> usize {
    let src = with(extra);
    src.lines().position(|l| l.contains(needle)).unwrap() + 1
}

#[test]
fn every_problem_of_a_definition_is_told_at_its_line() {
    let bad = TALK
        .replace("type = \"people\"", "type = \"persons\"")
        .replace("date_field = \"held-on\"", "date_field = \"form\"")
        .replace(
            "  check = \"present\"\n  field = \"minutes\"",
            "  check = \"present\"\n  field = \"nothing\"",
        );
    let got = problems(&bad);
    assert!(
        got.contains(&(
            line_of(&bad, "\"persons\""),
            "invalid value `persons` for `type` (expected text, long-text, date, date-time, number, choice, person, people, org, platform, attachment)".into()
        )),
        "{got:?}"
    );
    assert!(
        got.contains(&(
            line_of(&bad, "date_field = \"form\""),
            "field `form` cannot be used here (needs a required date or date-time field)".into()
        )),
        "{got:?}"
    );
    assert!(
        got.contains(&(
            line_of(&bad, "field = \"nothing\""),
            "unknown field `nothing`".into()
        )),
        "{got:?}"
    );
    // The kind with problems is left out, and the duty asking for it is not told twice.
    assert!(
        !got.iter().any(|(_, m)| m.contains("unknown evidence kind")),
        "{got:?}"
    );
}

#[test]
fn checks_and_keys_must_fit_the_field() {
    let bad = TALK
        .replace(
            "  field = \"participants\"\n  count = 2",
            "  field = \"form\"\n  count = 2",
        )
        .replace("  min = 0\n", "  min = 9\n");
    let got = problems(&bad);
    assert!(
        got.iter()
            .any(|(_, m)| m
                == "field `form` cannot be used here (needs a people or attachment field)"),
        "{got:?}"
    );
    assert!(
        got.iter()
            .any(|(_, m)| m.contains("`min`") || m.contains("min")),
        "{got:?}"
    );
    let bad = TALK.replace("  type = \"date\"\n", "  type = \"date\"\n  choices = []\n");
    let got = problems(&bad);
    assert!(
        got.iter()
            .any(|(_, m)| m == "`choices` is not allowed with `date`"),
        "{got:?}"
    );
}

#[test]
fn a_record_kind_may_not_take_a_product_kind_id_nor_be_unknown_to_a_duty() {
    let bad = TALK.replace("id = \"integrity-talk\"", "id = \"training-session\"");
    let got = problems(&bad);
    assert!(
        got.iter()
            .any(|(_, m)| m.contains("one of the product's own evidence kinds")),
        "{got:?}"
    );
    let bad = TALK.replace(
        "evidence = [{ kind = \"integrity-talk\" }]",
        "evidence = [{ kind = \"integrity-tlk\" }]",
    );
    let got = problems(&bad);
    assert_eq!(
        got,
        vec![(
            line_of(&bad, "integrity-tlk"),
            "unknown evidence kind `integrity-tlk`".into()
        )]
    );
    // A topic only goes with committee meetings, never with a pack kind.
    let bad = TALK.replace(
        "evidence = [{ kind = \"integrity-talk\" }]",
        "evidence = [{ kind = \"integrity-talk\", topic = \"ideology\" }]",
    );
    assert_eq!(problems(&bad).len(), 1);
    // In Chinese too.
    let src = with(&TALK.replace("type = \"people\"", "type = \"persons\""));
    let zh = parse_pack(&src).unwrap_err()[0].problem.message(Lang::Zh);
    assert!(zh.contains("persons"), "{zh}");
}

// ---------------------------------------------------------------------------
// Records of a pack-defined kind: validation against the definition, and the evidence rule.
// ---------------------------------------------------------------------------

/// A kind with every other field type: a date-time dates it, the attachment is required.
const CHECK: &str = r#"
[[record_kinds]]
id = "safety-check"
name = "安全检查记录"
name_en = "Safety check record"
date_field = "checked-at"

  [[record_kinds.fields]]
  id = "checked-at"
  type = "date-time"
  label = "检查时间"
  label_en = "Time of the check"
  required = true

  [[record_kinds.fields]]
  id = "place"
  type = "text"
  label = "检查地点"
  label_en = "Place"

  [[record_kinds.fields]]
  id = "leader"
  type = "person"
  label = "带队人"
  label_en = "Led by"
  required = true

  [[record_kinds.fields]]
  id = "checkers"
  type = "people"
  label = "检查人员"
  label_en = "Checkers"

  [[record_kinds.fields]]
  id = "unit"
  type = "org"
  label = "被检查单位"
  label_en = "Unit checked"

  [[record_kinds.fields]]
  id = "hazards"
  type = "number"
  label = "隐患数量"
  label_en = "Hazards found"
  min = 0
  max = 50

  [[record_kinds.fields]]
  id = "level"
  type = "choice"
  label = "风险等级"
  label_en = "Risk level"
  choices = [
    { id = "high", name = "高", name_en = "High" },
    { id = "low", name = "低", name_en = "Low" },
  ]

  [[record_kinds.fields]]
  id = "findings"
  type = "long-text"
  label = "检查情况"
  label_en = "Findings"
  required = true

  [[record_kinds.fields]]
  id = "photos"
  type = "attachment"
  label = "现场照片"
  label_en = "Photos"
  required = true

  [[record_kinds.checks]]
  check = "date-in-period"
  field = "checked-at"

  [[record_kinds.checks]]
  check = "at-least"
  field = "photos"
  count = 2
"#;

const TODAY: &str = "2026-11-28";

/// A university with two colleges; the materials college has a branch.
fn small_model() -> OrgModel {
    let mut mse = common::org("mse", OrgKind::College, Some("uni"));
    mse.name = "材料科学与工程学院".into();
    let mut cs = common::org("cs", OrgKind::College, Some("uni"));
    cs.name = "计算机学院".into();
    let mut he = common::person("he", "cs");
    he.name = "何志强".into();
    OrgModel::new(
        vec![
            common::org("uni", OrgKind::University, None),
            mse,
            common::org("mse-b1", OrgKind::Branch, Some("mse")),
            cs,
        ],
        vec![
            common::person("li", "mse"),
            common::person("zhao", "mse-b1"),
            he,
        ],
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
    )
}

struct Fx {
    model: OrgModel,
    pack: PolicyPack,
}

impl Fx {
    fn new() -> Fx {
        Fx {
            model: small_model(),
            pack: parse_pack(&with(&format!("{TALK}\n{CHECK}")))
                .unwrap_or_else(|d| panic!("{d:?}")),
        }
    }

    /// Validates `draft` as a record of the pack's kind `kind`, made today.
    fn validate(
        &self,
        kind: &str,
        draft: &RecordDraft,
        lang: Lang,
    ) -> Result<ValidRecord, FieldErrors> {
        let def = self.pack.record_kind(kind).unwrap();
        let ctx = RecordContext {
            model: &self.model,
            pack: &self.pack,
            today: common::d(TODAY),
            directive: None,
            rectification: None,
            defined: Some((self.pack.meta.id.as_str(), def)),
        };
        validate_record(draft, &ctx, lang)
    }

    fn refused(&self, draft: &RecordDraft, lang: Lang) -> FieldErrors {
        match self.validate(&draft.kind, draft, lang) {
            Err(e) => e,
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

fn draft(kind: &str, values: Value, files: usize) -> RecordDraft {
    RecordDraft {
        kind: kind.into(),
        org: "mse".into(),
        title: "记录".into(),
        values: serde_json::from_value(values).unwrap(),
        files,
        ..RecordDraft::default()
    }
}

fn a_check() -> Value {
    json!({
        "checked-at": "2026-11-20 09:30",
        "place": "  实验楼A区  ",
        "leader": "li",
        "checkers": ["zhao", "li", "zhao"],
        "unit": "mse-b1",
        "hazards": "3",
        "level": "high",
        "findings": "消防通道畅通，危化品柜未上锁。",
    })
}

fn a_talk() -> Value {
    json!({
        "held-on": "2026-05-10",
        "participants": ["li", "zhao"],
        "form": "one-to-one",
        "hours": 1.5,
    })
}

#[test]
fn a_valid_defined_record_keeps_its_definition_and_normalized_values() {
    let fx = Fx::new();
    let v = fx
        .validate(
            "safety-check",
            &draft("safety-check", a_check(), 2),
            Lang::Zh,
        )
        .unwrap();
    assert_eq!(v.kind, EvidenceOf::Pack("safety-check".into()));
    assert_eq!(v.org, "mse");
    // The date field dates the record; the draft's own date is not asked for.
    assert_eq!(v.date, common::d("2026-11-20"));
    let RecordDetails::Defined(r) = &v.details else {
        panic!("{:?}", v.details)
    };
    assert_eq!(r.policy, fx.pack.meta.id);
    assert_eq!(&r.definition, fx.pack.record_kind("safety-check").unwrap());
    assert_eq!(r.values["checked-at"], json!("2026-11-20T09:30"));
    assert_eq!(r.values["place"], json!("实验楼A区"));
    assert_eq!(r.values["leader"], json!("li"));
    assert_eq!(r.values["checkers"], json!(["zhao", "li"]));
    assert_eq!(r.values["unit"], json!("mse-b1"));
    assert!(r.values["hazards"].is_number(), "{:?}", r.values["hazards"]);
    assert_eq!(r.values["hazards"].as_f64(), Some(3.0));
    assert_eq!(r.values["level"], json!("high"));
    // The attachment field holds nothing: it stands for the record's files.
    assert!(!r.values.contains_key("photos"));
    assert_eq!(r.people(), ["li", "zhao"]);
    assert_eq!(v.details.attendees(), ["li", "zhao"]);
    assert_eq!(v.details.kind(), EvidenceOf::Pack("safety-check".into()));

    // Seconds are dropped, a number given as a number stays one, one person is a list of one.
    let mut values = a_check();
    values["checked-at"] = json!("2026-11-20T09:30:15");
    values["hazards"] = json!(0);
    values["checkers"] = json!("zhao");
    let v = fx
        .validate("safety-check", &draft("safety-check", values, 2), Lang::En)
        .unwrap();
    let r = v.details.defined().unwrap();
    assert_eq!(r.values["checked-at"], json!("2026-11-20T09:30"));
    assert_eq!(r.values["hazards"].as_f64(), Some(0.0));
    assert_eq!(r.values["checkers"], json!(["zhao"]));

    // Optional fields left empty are left out.
    let v = fx
        .validate(
            "integrity-talk",
            &draft(
                "integrity-talk",
                json!({"held-on": "2026-05-10", "participants": ["li"], "form": ""}),
                0,
            ),
            Lang::Zh,
        )
        .unwrap();
    let r = v.details.defined().unwrap();
    assert_eq!(
        r.values.keys().collect::<Vec<_>>(),
        ["held-on", "participants"]
    );

    // The draft of a valid record validates back to it.
    let v = fx
        .validate(
            "integrity-talk",
            &draft("integrity-talk", a_talk(), 1),
            Lang::Zh,
        )
        .unwrap();
    let mut again = v.draft();
    again.files = 1;
    assert_eq!(fx.validate("integrity-talk", &again, Lang::Zh), Ok(v));
}

#[test]
fn every_bad_value_is_told_with_the_fields_label_in_both_languages() {
    let fx = Fx::new();
    // (field, bad value, what the Chinese message says, what the English one says)
    let cases: Vec<(&str, Value, &str, &str)> = vec![
        (
            "checked-at",
            json!("2026-11-20 25:00"),
            "检查时间「2026-11-20 25:00」不是有效的日期时间",
            "Time of the check `2026-11-20 25:00` is not a date and time",
        ),
        (
            "checked-at",
            json!("2026-12-01 08:00"),
            "检查时间 2026-12-01 晚于今天",
            "Time of the check 2026-12-01 is after today",
        ),
        (
            "hazards",
            json!(51),
            "隐患数量不能大于 50",
            "Hazards found must be at most 50",
        ),
        (
            "hazards",
            json!("-1"),
            "隐患数量不能小于 0",
            "Hazards found must be at least 0",
        ),
        (
            "hazards",
            json!("three"),
            "隐患数量「three」不是数字",
            "Hazards found `three` is not a number",
        ),
        (
            "level",
            json!("medium"),
            "风险等级「medium」不是可选项，可选：high（高）、low（低）",
            "Risk level `medium` is not a choice; use one of: high, low",
        ),
        (
            "leader",
            json!("nobody"),
            "带队人：找不到人员「nobody」",
            "Led by: there is no person `nobody`",
        ),
        (
            "checkers",
            json!(["li", "he"]),
            "检查人员：何志强（计算机学院）不是材料科学与工程学院的人员",
            "Checkers: 何志强 (计算机学院) is not a person of 材料科学与工程学院",
        ),
        (
            "unit",
            json!("nowhere"),
            "被检查单位：找不到组织「nowhere」",
            "Unit checked: there is no org `nowhere`",
        ),
        (
            "findings",
            json!("   "),
            "检查情况不能为空",
            "Findings is required",
        ),
        (
            "leader",
            Value::Null,
            "带队人不能为空",
            "Led by is required",
        ),
        (
            "checked-at",
            json!(""),
            "检查时间不能为空",
            "Time of the check is required",
        ),
        (
            "nothing",
            json!("x"),
            "「安全检查记录」没有字段「nothing」",
            "Safety check record has no field `nothing`",
        ),
    ];
    for (field, bad, zh, en) in cases {
        let mut values = a_check();
        values[field] = bad.clone();
        let d = draft("safety-check", values, 2);
        let key = format!("values.{field}");
        says(&fx.refused(&d, Lang::Zh), &key, zh);
        says(&fx.refused(&d, Lang::En), &key, en);
    }

    // A date, and the people of a required people field.
    let mut values = a_talk();
    values["held-on"] = json!("2026-02-30");
    values["participants"] = json!([]);
    values["hours"] = json!(9);
    let d = draft("integrity-talk", values, 1);
    let zh = fx.refused(&d, Lang::Zh);
    says(
        &zh,
        "values.held-on",
        "谈话日期「2026-02-30」不是有效日期，请按 YYYY-MM-DD 填写",
    );
    says(&zh, "values.participants", "参加人员不能为空");
    says(&zh, "values.hours", "时长（小时）不能大于 8.5");
    let en = fx.refused(&d, Lang::En);
    says(
        &en,
        "values.held-on",
        "Date of the talk `2026-02-30` is not a date; write YYYY-MM-DD",
    );
    says(&en, "values.participants", "Participants is required");
    says(&en, "values.hours", "Hours must be at most 8.5");

    // A required attachment field with no file.
    let d = draft("safety-check", a_check(), 0);
    let zh = fx.refused(&d, Lang::Zh);
    assert_eq!(
        zh,
        vec![("values.photos".to_string(), "现场照片不能为空".to_string())]
    );
    says(
        &fx.refused(&d, Lang::En),
        "values.photos",
        "Photos is required",
    );

    // Every problem at once, in the order of the form, the unknown field first.
    let d = draft(
        "safety-check",
        json!({"extra": 1, "checked-at": "soon", "hazards": 99}),
        0,
    );
    let fields: Vec<String> = fx
        .refused(&d, Lang::En)
        .into_iter()
        .map(|(f, _)| f)
        .collect();
    assert_eq!(
        fields,
        [
            "values.extra",
            "values.checked-at",
            "values.leader",
            "values.hazards",
            "values.findings",
            "values.photos"
        ]
    );
}

/// The facts of a valid record of a pack-defined kind, with `files` attached.
fn facts_of(v: &ValidRecord, files: usize) -> RecordFacts {
    let r = v.details.defined().unwrap();
    RecordFacts {
        kind: Some(v.kind.clone()),
        org: v.org.clone(),
        date: Some(v.date),
        attendees: v.details.attendees(),
        platforms: r.platforms(),
        defined: Some(r.facts(files)),
        ..RecordFacts::default()
    }
}

#[test]
fn the_checks_of_the_kind_decide_whether_a_record_discharges_an_obligation() {
    let fx = Fx::new();
    let duty = fx.pack.duty("integrity-talks").unwrap();
    let obligation = |period| ObligationFacts {
        duty,
        org: "mse",
        subject_kind: SubjectKind::Org,
        subject: "mse",
        period,
        record_kinds: &fx.pack.record_kinds,
    };
    let talk = |values: Value| {
        fx.validate(
            "integrity-talk",
            &draft("integrity-talk", values, 0),
            Lang::Zh,
        )
        .unwrap()
    };
    let v = talk(a_talk());
    let o = obligation("2026");

    // Dated in the period, two participants, the minutes attached: it discharges.
    assert_eq!(check(&o, &facts_of(&v, 1)), Ok(()));

    // The minutes are asked for: no file, no discharge.
    let err = check(&o, &facts_of(&v, 0)).unwrap_err();
    assert_eq!(
        err,
        Mismatch::Missing {
            field: ("谈话记录".into(), "Minutes".into())
        }
    );
    assert_eq!(err.message(duty, Lang::Zh), "「谈话记录」不能为空");
    assert_eq!(err.message(duty, Lang::En), "Minutes must be filled");

    // One participant where the kind asks for two.
    let mut values = a_talk();
    values["participants"] = json!(["li"]);
    let err = check(&o, &facts_of(&talk(values), 1)).unwrap_err();
    assert_eq!(
        err,
        Mismatch::TooFew {
            field: ("参加人员".into(), "Participants".into()),
            count: 1,
            wanted: 2
        }
    );
    assert_eq!(
        err.message(duty, Lang::Zh),
        "「参加人员」至少需要 2 项，现有 1 项"
    );
    assert_eq!(
        err.message(duty, Lang::En),
        "Participants needs at least 2, it has 1"
    );

    // A talk of 2026 offered for the obligation of 2025.
    let err = check(&obligation("2025"), &facts_of(&v, 1)).unwrap_err();
    assert_eq!(
        err,
        Mismatch::OutsidePeriod {
            field: ("谈话日期".into(), "Date of the talk".into()),
            period: "2025".into()
        }
    );
    assert_eq!(
        err.message(duty, Lang::Zh),
        "「谈话日期」不在本期（2025）内"
    );
    assert_eq!(
        err.message(duty, Lang::En),
        "Date of the talk is not within the period 2025"
    );
    // A talk before the period is refused too (the record's day is the talk's day).
    let mut values = a_talk();
    values["held-on"] = json!("2025-12-20");
    assert!(matches!(
        check(&o, &facts_of(&talk(values), 1)),
        Err(Mismatch::Early { .. } | Mismatch::OutsidePeriod { .. })
    ));

    // Another kind of record is refused, naming the pack's kind.
    let meeting = RecordFacts {
        kind: Some(EvidenceOf::Builtin(EvidenceKind::EducationActivity)),
        org: "mse".into(),
        date: Some(common::d("2026-05-10")),
        ..RecordFacts::default()
    };
    let err = check(&o, &meeting).unwrap_err();
    assert!(matches!(err, Mismatch::Kind { .. }), "{err:?}");
    assert!(
        err.message(duty, Lang::Zh).contains("廉政谈话记录"),
        "{}",
        err.message(duty, Lang::Zh)
    );
    assert!(
        err.message(duty, Lang::En)
            .contains("Integrity talk record"),
        "{}",
        err.message(duty, Lang::En)
    );
    // So is a record of the same kind of another org.
    let mut other = facts_of(&v, 1);
    other.org = "cs".into();
    assert_eq!(check(&o, &other), Err(Mismatch::Org));
}

#[test]
fn an_attachment_check_counts_files_and_a_date_time_is_checked_by_its_day() {
    let fx = Fx::new();
    // A duty asking for the safety check, appended to the same pack.
    let src = with(&format!(
        "{TALK}\n{CHECK}\n{}",
        r#"
[[duties]]
id = "safety-checks"
title = "安全检查"
title_en = "Safety checks"
articles = ["Art.3"]
subject = "org"
org_kinds = ["college"]
cadence = "quarterly"
due = { days_after_period_end = 10 }
responsible = "first-responsible"
evidence = [{ kind = "safety-check" }]
"#
    ));
    let pack = parse_pack(&src).unwrap_or_else(|d| panic!("{d:?}"));
    let duty = pack.duty("safety-checks").unwrap();
    let o = |period| ObligationFacts {
        duty,
        org: "mse",
        subject_kind: SubjectKind::Org,
        subject: "mse",
        period,
        record_kinds: &pack.record_kinds,
    };
    let v = fx
        .validate(
            "safety-check",
            &draft("safety-check", a_check(), 1),
            Lang::Zh,
        )
        .unwrap();
    assert_eq!(check(&o("2026-Q4"), &facts_of(&v, 2)), Ok(()));
    assert_eq!(check(&o("2026-Q4"), &facts_of(&v, 3)), Ok(()));
    assert_eq!(
        check(&o("2026-Q4"), &facts_of(&v, 1)),
        Err(Mismatch::TooFew {
            field: ("现场照片".into(), "Photos".into()),
            count: 1,
            wanted: 2
        })
    );
    // 20 November is in the fourth quarter, not in the third.
    assert_eq!(
        check(&o("2026-Q3"), &facts_of(&v, 2)),
        Err(Mismatch::OutsidePeriod {
            field: ("检查时间".into(), "Time of the check".into()),
            period: "2026-Q3".into()
        })
    );
}

#[test]
fn a_kind_takes_one_attachment_field_the_records_files() {
    let second = "  [[record_kinds.fields]]\n  id = \"minutes\"\n  type = \"attachment\"";
    let bad = TALK.replacen(
        second,
        &format!(
            "{second}\n  label = \"谈话记录\"\n  label_en = \"Minutes\"\n\n  [[record_kinds.fields]]\n  id = \"photos\"\n  type = \"attachment\""
        ),
        1,
    );
    let got = problems(&bad);
    assert!(
        got.iter().any(|(line, m)| *line == line_of(&bad, "id = \"photos\"")
            && m == "field `photos` cannot be used here (needs the kind's only attachment field)"),
        "{got:?}"
    );
}

#[test]
fn a_changed_record_kind_is_listed_in_the_versions_diff() {
    let v1 = parse_pack(&with(TALK)).unwrap();
    let changed = TALK
        .replace("label = \"参加人员\"", "label = \"谈话对象\"")
        .replace("  count = 2", "  count = 3");
    let src = with(&changed)
        .replacen("id = \"cqu-mse-2021-6\"", "id = \"cqu-mse-2026-4\"", 1)
        .replacen("version = 1", "version = 2", 1)
        .replacen(
            "effective_from = 2021-05-13",
            "effective_from = 2026-07-01",
            1,
        );
    let v2 = parse_pack(&src).unwrap();
    let diff = zeren_core::policy::PackDiff::between(&v1, &v2);
    assert!(!diff.is_empty());
    let kinds = &diff.record_kinds;
    assert_eq!(kinds.len(), 1, "{kinds:?}");
    assert_eq!(kinds[0].id, "integrity-talk");
    let labels: Vec<&str> = kinds[0]
        .fields
        .iter()
        .map(|f| f.field.label(Lang::En))
        .collect();
    assert_eq!(labels, ["fields", "checks"], "{kinds:?}");
    let checks = &kinds[0].fields[1];
    assert!(checks.old.contains("at-least 2 participants"), "{checks:?}");
    assert!(checks.new.contains("at-least 3 participants"), "{checks:?}");
    let lines = diff.render(Lang::Zh).join("\n");
    assert!(lines.contains("记录类型"), "{lines}");
    assert!(lines.contains("佐证检查"), "{lines}");
}

#[test]
fn a_record_kind_belongs_to_one_series() {
    let built = parse_pack(&with(TALK)).unwrap();
    let other = with(TALK)
        .replacen("id = \"cqu-mse-2021-6\"", "id = \"other-2026-1\"", 1)
        .replacen(
            "series = \"cqu-mse-online-ideology\"",
            "series = \"other\"",
            1,
        );
    let mut other = parse_pack(&other).unwrap();
    // Its duties are its own (rule 29), its record kind is not (rule 30).
    other.duties.clear();
    let set = zeren_core::policy::Policies::new(vec![built]);
    let err = set.admits(&other).unwrap_err();
    assert_eq!(
        err.message(Lang::Zh),
        "记录类型 `integrity-talk` 已是制度 `cqu-mse-online-ideology` 的记录类型，请为本制度的记录类型另取编号"
    );
    assert!(
        err.message(Lang::En)
            .contains("record kind `integrity-talk`")
    );
}
