//! Record kinds as pack data: `[[record_kinds]]` definitions are read, checked with located
//! errors, and usable as a duty's evidence.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use zeren_core::Lang;
use zeren_core::policy::{BUILTIN_PACK_SOURCE, EvidenceOf, FieldType, RecordCheck, parse_pack};

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
