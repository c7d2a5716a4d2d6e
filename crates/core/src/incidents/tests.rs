//! The rules of incidents: fields, the timeline, the clocks under changes of severity and
//! pauses, Art.3's personal handling and the closure.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use crate::org::{Org, Person};
use crate::vocab::OrgKind;

fn t(s: &str) -> NaiveDateTime {
    parse_date_time(s).unwrap()
}

const NOW: &str = "2026-11-28 12:00";

fn model() -> OrgModel {
    let org = |id: &str, kind, parent: Option<&str>| Org {
        id: id.into(),
        code: id.into(),
        name: format!("{id}名"),
        kind,
        parent: parent.map(Into::into),
        established_on: None,
        closed_on: None,
    };
    let person = |id: &str, org: &str| Person {
        id: id.into(),
        name: format!("{id}名"),
        org: org.into(),
    };
    OrgModel::new(
        vec![
            org("mse", OrgKind::College, None),
            org("mse-b1", OrgKind::Branch, Some("mse")),
            org("cs", OrgKind::College, None),
        ],
        vec![
            person("li", "mse"),
            person("liu", "mse-b1"),
            person("he", "cs"),
        ],
        vec![],
        vec![],
        vec![],
        vec![],
    )
}

fn draft() -> IncidentDraft {
    IncidentDraft {
        title: "公众号推文评论区出现不实信息".into(),
        org: "mse".into(),
        platform: String::new(),
        noticed_at: "2026-11-28 09:00".into(),
        channel: "self-found".into(),
        source: "学院公众号后台".into(),
        facts: "11月28日推文评论区出现关于招生的不实说法。".into(),
        severity: "general".into(),
        handler: "li".into(),
    }
}

fn fields(severity: &str) -> IncidentFields {
    let d = IncidentDraft {
        severity: severity.into(),
        ..draft()
    };
    check_incident(&d, &model(), &IncidentRules::default(), t(NOW), Lang::Zh).unwrap()
}

fn rec(kind: TimelineKind, at: &str) -> Recorded<'static> {
    Recorded {
        kind,
        at: t(at),
        by: Some("li"),
        as_first_responsible: false,
        severity: None,
    }
}

fn recorded(severity: &'static str, at: &str) -> Recorded<'static> {
    Recorded {
        severity: Some(severity),
        ..rec(TimelineKind::Recorded, at)
    }
}

fn raised(severity: &'static str, at: &str) -> Recorded<'static> {
    Recorded {
        severity: Some(severity),
        ..rec(TimelineKind::Severity, at)
    }
}

fn by_first(kind: TimelineKind, at: &str) -> Recorded<'static> {
    Recorded {
        as_first_responsible: true,
        by: Some("sec"),
        ..rec(kind, at)
    }
}

fn clock(states: &[ClockState], c: IncidentClock) -> ClockState {
    states.iter().find(|s| s.clock == c).cloned().unwrap()
}

#[test]
fn an_incident_is_checked_field_by_field() {
    let f = fields("general");
    assert_eq!(f.org, "mse");
    assert_eq!(f.channel, IncidentChannel::SelfFound);
    assert_eq!(f.day(), t("2026-11-28 09:00").date());

    let bad = IncidentDraft {
        severity: "catastrophic".into(),
        noticed_at: "2026-11-29 09:00".into(),
        channel: "rumour-mill".into(),
        handler: "he".into(),
        facts: String::new(),
        platform: "nowhere".into(),
        ..draft()
    };
    let errors =
        check_incident(&bad, &model(), &IncidentRules::default(), t(NOW), Lang::Zh).unwrap_err();
    let fields: Vec<&str> = errors.iter().map(|(f, _)| f.as_str()).collect();
    assert_eq!(
        fields,
        [
            "platform",
            "noticed_at",
            "channel",
            "facts",
            "severity",
            "handler"
        ]
    );
    let severity = &errors.iter().find(|(f, _)| f == "severity").unwrap().1;
    assert_eq!(
        severity,
        "事件等级「catastrophic」不在制度的分级中，可选：general, considerable, major, especially-major"
    );
    let noticed = &errors.iter().find(|(f, _)| f == "noticed_at").unwrap().1;
    assert!(noticed.contains("晚于现在"), "{noticed}");
    let en =
        check_incident(&bad, &model(), &IncidentRules::default(), t(NOW), Lang::En).unwrap_err();
    assert!(en.iter().any(|(f, m)| f == "severity"
        && m.starts_with("severity `catastrophic` is not on the policy's scale")));
}

#[test]
fn a_timeline_entry_is_dated_between_notice_and_now_and_an_instruction_is_the_first_responsible_persons()
 {
    let f = fields("major");
    let first = NamedRef {
        id: "sec".into(),
        name: "书记".into(),
    };
    let entry = |kind: &str, at: &str| EntryDraft {
        kind: kind.into(),
        at: at.into(),
        detail: "已联系平台删除不实评论".into(),
    };
    let ok = check_entry(
        &entry("response", "2026-11-28 09:30"),
        &f,
        Some("li"),
        Some(&first),
        t(NOW),
        Lang::Zh,
    )
    .unwrap();
    assert_eq!(ok.kind, TimelineKind::Response);

    let before = check_entry(
        &entry("action", "2026-11-28 08:00"),
        &f,
        Some("li"),
        Some(&first),
        t(NOW),
        Lang::Zh,
    )
    .unwrap_err();
    assert_eq!(before[0].0, "at");
    assert!(before[0].1.contains("早于事件发现时间"), "{}", before[0].1);

    let future = check_entry(
        &entry("action", "2026-11-28 13:00"),
        &f,
        Some("li"),
        Some(&first),
        t(NOW),
        Lang::En,
    )
    .unwrap_err();
    assert!(future[0].1.contains("is in the future"), "{}", future[0].1);

    let not_first = check_entry(
        &entry("instruction", "2026-11-28 10:00"),
        &f,
        Some("li"),
        Some(&first),
        t(NOW),
        Lang::Zh,
    )
    .unwrap_err();
    assert_eq!(
        not_first[0],
        ("kind".into(), "批示须由第一责任人（书记）本人记录".into())
    );
    assert!(
        check_entry(
            &entry("instruction", "2026-11-28 10:00"),
            &f,
            Some("sec"),
            Some(&first),
            t(NOW),
            Lang::Zh,
        )
        .is_ok()
    );
    // Zeren's own entries are not typed in.
    let closed = check_entry(
        &entry("closed", "2026-11-28 10:00"),
        &f,
        Some("li"),
        Some(&first),
        t(NOW),
        Lang::Zh,
    )
    .unwrap_err();
    assert_eq!(closed[0].0, "kind");
}

#[test]
fn a_clock_runs_from_notice_and_is_met_by_the_first_handling() {
    let rules = IncidentRules::default();
    let noticed = t("2026-11-28 09:00");
    // General: first response in 24 h.
    let open = clocks(
        &rules,
        noticed,
        &[recorded("general", "2026-11-28 09:00")],
        t(NOW),
    );
    let first = clock(&open, IncidentClock::FirstResponse);
    assert_eq!(first.due, Some(t("2026-11-29 09:00")));
    assert!(!first.overdue());
    assert_eq!(first.limit, Some(24 * 60));

    let met = clocks(
        &rules,
        noticed,
        &[
            recorded("general", "2026-11-28 09:00"),
            rec(TimelineKind::Action, "2026-11-28 10:00"),
        ],
        t(NOW),
    );
    let first = clock(&met, IncidentClock::FirstResponse);
    assert_eq!(first.met, Some(t("2026-11-28 10:00")));
    assert_eq!((first.due, first.breached), (None, None));
    // An action is not an assessment.
    assert_eq!(clock(&met, IncidentClock::Assessment).met, None);
}

#[test]
fn raising_the_severity_only_shortens_what_is_left() {
    let rules = IncidentRules::default();
    let noticed = t("2026-11-28 09:00");
    // Raised to major (1 h) at 10:00: the clock now ends at 11:00, and at noon it has run out.
    let line = [
        recorded("general", "2026-11-28 09:00"),
        raised("major", "2026-11-28 10:00"),
    ];
    let first = clock(
        &clocks(&rules, noticed, &line, t(NOW)),
        IncidentClock::FirstResponse,
    );
    assert_eq!(first.breached, Some(t("2026-11-28 11:00")));
    assert!(first.overdue());
    assert_eq!(first.limit, Some(60));

    // Considerable (4 h) at 09:00, raised to major at 12:30: ends at 13:00, the old end.
    let line = [
        recorded("considerable", "2026-11-28 09:00"),
        raised("major", "2026-11-28 12:30"),
    ];
    let first = clock(
        &clocks(&rules, noticed, &line, t("2026-11-28 12:40")),
        IncidentClock::FirstResponse,
    );
    assert_eq!(first.due, Some(t("2026-11-28 13:00")));
    assert!(!first.overdue());
}

#[test]
fn lowering_the_severity_lengthens_the_clock_but_keeps_a_clock_already_run_out() {
    let rules = IncidentRules::default();
    let noticed = t("2026-11-28 09:00");
    // Major (1 h), lowered to general at 09:30 before it ran out: 24 h from notice.
    let line = [
        recorded("major", "2026-11-28 09:00"),
        raised("general", "2026-11-28 09:30"),
    ];
    let first = clock(
        &clocks(&rules, noticed, &line, t(NOW)),
        IncidentClock::FirstResponse,
    );
    assert_eq!(first.due, Some(t("2026-11-29 09:00")));
    assert_eq!(first.breached, None);
    // Lowered at 11:00, after it ran out at 10:00: the history keeps it.
    let line = [
        recorded("major", "2026-11-28 09:00"),
        raised("general", "2026-11-28 11:00"),
        rec(TimelineKind::Response, "2026-11-28 11:30"),
    ];
    let first = clock(
        &clocks(&rules, noticed, &line, t(NOW)),
        IncidentClock::FirstResponse,
    );
    assert_eq!(first.breached, Some(t("2026-11-28 10:00")));
    assert!(first.late() && !first.overdue());
}

#[test]
fn a_pause_stops_every_clock_not_yet_met_and_is_counted_back() {
    let rules = IncidentRules::default();
    let noticed = t("2026-11-28 09:00");
    // Major: assessment in 24 h; stopped for two hours.
    let line = [
        recorded("major", "2026-11-28 09:00"),
        rec(TimelineKind::Response, "2026-11-28 09:20"),
        rec(TimelineKind::Paused, "2026-11-28 10:00"),
        rec(TimelineKind::Resumed, "2026-11-28 12:00"),
    ];
    let states = clocks(&rules, noticed, &line, t("2026-11-28 13:00"));
    let assessment = clock(&states, IncidentClock::Assessment);
    assert_eq!(assessment.due, Some(t("2026-11-29 11:00")));
    // While stopped: no end, and shown as stopped.
    let stopped = clocks(&rules, noticed, &line[..3], t("2026-11-29 20:00"));
    let assessment = clock(&stopped, IncidentClock::Assessment);
    assert!(assessment.stopped);
    assert_eq!((assessment.due, assessment.breached), (None, None));
    // The met first response is not stopped.
    assert!(!clock(&stopped, IncidentClock::FirstResponse).stopped);
}

#[test]
fn a_major_incident_closes_only_after_the_first_responsible_persons_handling_and_sign_off() {
    let rules = IncidentRules::default();
    let f = fields("major");
    let first = NamedRef {
        id: "sec".into(),
        name: "书记".into(),
    };
    let review = ClosureDraft {
        handled: "删除不实评论，发布说明".into(),
        prevention: "完善评论审核制度".into(),
        rectifications: vec![TaskDraft {
            title: "修订评论审核流程".into(),
            owner: "li".into(),
            deadline: "2026-12-31".into(),
        }],
    };
    let close = |line: &[Recorded<'_>]| {
        let states = clocks(&rules, f.noticed_at, line, t(NOW));
        check_close(
            &rules,
            &f,
            &states,
            line,
            Some(&first),
            &model(),
            &review,
            t(NOW),
            Lang::Zh,
        )
    };
    let mut line = vec![
        recorded("major", "2026-11-28 09:00"),
        rec(TimelineKind::Response, "2026-11-28 09:30"),
    ];
    assert_eq!(
        close(&line).unwrap_err(),
        IncidentError::OpenClock(IncidentClock::Assessment)
    );
    line.push(rec(TimelineKind::Assessment, "2026-11-28 10:00"));
    let no_instruction = close(&line).unwrap_err();
    assert_eq!(
        no_instruction,
        IncidentError::NoInstruction {
            who: Some("书记".into())
        }
    );
    assert!(no_instruction.message(Lang::Zh).contains("第三条"));
    // The sign-off is refused before their handling, and to anyone else.
    assert_eq!(
        check_sign_off(Some("sec"), Some(&first), &line).unwrap_err(),
        IncidentError::NoInstruction {
            who: Some("书记".into())
        }
    );
    line.push(by_first(TimelineKind::Instruction, "2026-11-28 10:30"));
    assert_eq!(
        close(&line).unwrap_err(),
        IncidentError::NoSignOff {
            who: Some("书记".into())
        }
    );
    assert_eq!(
        check_sign_off(Some("li"), Some(&first), &line).unwrap_err(),
        IncidentError::NotFirstResponsible {
            who: Some("书记".into())
        }
    );
    assert!(check_sign_off(Some("sec"), Some(&first), &line).is_ok());
    line.push(by_first(TimelineKind::SignOff, "2026-11-28 11:00"));
    let closure = close(&line).unwrap().unwrap();
    assert_eq!(closure.rectifications.len(), 1);
    assert_eq!(closure.rectifications[0].owner, "li");

    // A general incident asks for none of it.
    let g = fields("general");
    let line = [
        recorded("general", "2026-11-28 09:00"),
        rec(TimelineKind::Assessment, "2026-11-28 10:00"),
    ];
    let states = clocks(&rules, g.noticed_at, &line, t(NOW));
    assert!(
        check_close(
            &rules,
            &g,
            &states,
            &line,
            Some(&first),
            &model(),
            &review,
            t(NOW),
            Lang::Zh
        )
        .unwrap()
        .is_ok()
    );
}

#[test]
fn a_closure_review_is_checked_field_by_field() {
    let rules = IncidentRules::default();
    let g = fields("general");
    let line = [
        recorded("general", "2026-11-28 09:00"),
        rec(TimelineKind::Assessment, "2026-11-28 10:00"),
    ];
    let states = clocks(&rules, g.noticed_at, &line, t(NOW));
    let review = ClosureDraft {
        handled: String::new(),
        prevention: "x".repeat(TEXT_MAX + 1),
        rectifications: vec![
            TaskDraft {
                title: "修订流程".into(),
                owner: "he".into(),
                deadline: "2026-11-28".into(),
            },
            TaskDraft::default(),
        ],
    };
    let errors = check_close(
        &rules,
        &g,
        &states,
        &line,
        None,
        &model(),
        &review,
        t(NOW),
        Lang::Zh,
    )
    .unwrap()
    .unwrap_err();
    let fields: Vec<&str> = errors.iter().map(|(f, _)| f.as_str()).collect();
    assert_eq!(
        fields,
        [
            "handled",
            "prevention",
            "rectifications.1.owner",
            "rectifications.1.deadline"
        ]
    );
}

#[test]
fn a_severity_change_names_a_level_of_the_scale_and_lowering_needs_a_reason() {
    let rules = IncidentRules::default();
    assert_eq!(
        check_severity_change(&rules, "general", "major", "", Lang::Zh),
        Ok(true)
    );
    let lowered = check_severity_change(&rules, "major", "general", " ", Lang::Zh).unwrap_err();
    assert_eq!(lowered[0].0, "note");
    assert_eq!(
        check_severity_change(&rules, "major", "general", "经核实影响有限", Lang::Zh),
        Ok(false)
    );
    let same = check_severity_change(&rules, "major", "major", "", Lang::Zh).unwrap_err();
    assert_eq!(same[0], ("severity".into(), "事件已是重大".into()));
    let outside = check_severity_change(&rules, "major", "apocalyptic", "", Lang::En).unwrap_err();
    assert!(outside[0].1.contains("not on the policy's scale"));
}

#[test]
fn the_clocks_stop_only_for_a_reason_the_pack_gives() {
    let mut rules = IncidentRules::default();
    assert_eq!(
        check_pause(&rules, false, "higher-level", Lang::Zh).unwrap_err(),
        IncidentError::NoPause
    );
    rules.pause_reasons.push(PauseReason {
        id: "higher-level".into(),
        name: "等待上级指示".into(),
        name_en: "Waiting on a higher level".into(),
    });
    assert_eq!(
        check_pause(&rules, false, "higher-level", Lang::Zh).unwrap(),
        Ok("higher-level".to_string())
    );
    let other = check_pause(&rules, false, "lunch", Lang::Zh)
        .unwrap()
        .unwrap_err();
    assert_eq!(other[0].0, "reason");
    assert_eq!(
        check_pause(&rules, true, "higher-level", Lang::Zh).unwrap_err(),
        IncidentError::PauseState { paused: true }
    );
}

#[test]
fn durations_read_as_people_say_them() {
    assert_eq!(duration_text(30, Lang::Zh), "30 分钟");
    assert_eq!(duration_text(60, Lang::En), "1 hour");
    assert_eq!(duration_text(24 * 60, Lang::Zh), "1 天");
    assert_eq!(duration_text(7 * 24 * 60, Lang::En), "7 days");
    assert_eq!(duration_text(90, Lang::En), "90 minutes");
}

mod kept {
    //! Clocks worked out at one moment and kept stand at any later moment as worked out anew.
    use super::*;
    use proptest::prelude::*;

    /// A timeline from steps (kind, minutes after the previous entry).
    fn line(steps: &[(u8, u16)]) -> Vec<Recorded<'static>> {
        let mut at = t("2026-11-28 09:00");
        let mut out = vec![recorded("general", "2026-11-28 09:00")];
        let mut paused = false;
        for &(k, gap) in steps {
            at += chrono::Duration::minutes(i64::from(gap));
            let kind = match k % 7 {
                0 => TimelineKind::Response,
                1 => TimelineKind::Assessment,
                2 => TimelineKind::Action,
                3 if paused => TimelineKind::Resumed,
                3 => TimelineKind::Paused,
                4 | 5 => TimelineKind::Severity,
                _ => TimelineKind::Note,
            };
            paused ^= k % 7 == 3;
            let severity = (kind == TimelineKind::Severity).then(|| {
                ["general", "considerable", "major", "especially-major"][usize::from(k) % 4]
            });
            out.push(Recorded {
                kind,
                at,
                by: Some("li"),
                as_first_responsible: false,
                severity,
            });
        }
        out
    }

    proptest! {
        #[test]
        fn kept_clocks_stand_later_as_worked_out_anew(
            steps in proptest::collection::vec((0u8..28, 0u16..600), 0..8),
            after in 0i64..3000,
            later in 0i64..20_000,
        ) {
            let rules = IncidentRules::default();
            let noticed = t("2026-11-28 09:00");
            let line = line(&steps);
            let last = line.iter().map(|r| r.at).max().unwrap();
            let then = last + chrono::Duration::minutes(after);
            let now = then + chrono::Duration::minutes(later);
            let kept = clocks(&rules, noticed, &line, then);
            let anew = clocks(&rules, noticed, &line, now);
            prop_assert_eq!(clocks_at(&kept, now), anew.clone());
            // Whatever is late (or overdue) now was found by the moment kept with the clocks.
            if anew.iter().any(ClockState::late) {
                prop_assert!(late_from(&kept).is_some_and(|f| f <= now));
            }
        }
    }
}
