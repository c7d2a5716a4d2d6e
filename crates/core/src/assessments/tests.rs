use super::*;
use crate::policy::parse_pack;

fn pack() -> PolicyPack {
    parse_pack(include_str!("../../packs/cqu-mse-2021-6.toml")).expect("the built-in pack parses")
}

fn counts(owed: i64, done: i64, on_time: i64) -> Counts {
    Counts {
        owed,
        done,
        on_time,
        waived: 0,
    }
}

#[test]
fn the_pack_scheme_becomes_the_years_draft_and_checks() {
    let p = pack();
    let s = Scheme::from_pack(&p, 2026).expect("the pack has a scheme");
    assert_eq!(
        s.indicators.iter().map(|i| i.weight).sum::<i64>(),
        FULL_MARKS
    );
    assert_eq!(
        s.deadline(AssessmentStep::SelfAssessment),
        NaiveDate::from_ymd_opt(2027, 1, 10)
    );
    let again = check_scheme(&s.to_draft(), &p, 2026, Lang::Zh).expect("its draft checks");
    assert_eq!(again, s);
}

#[test]
fn weights_that_do_not_add_up_and_bad_indicators_are_named() {
    let p = pack();
    let mut d = Scheme::from_pack(&p, 2026).unwrap().to_draft();
    d.indicators[0].weight = "10".into(); // was 15
    let e = check_scheme(&d, &p, 2026, Lang::Zh).unwrap_err();
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].0, "weights");
    assert!(e[0].1.contains("权重之和应为 100，现为 95.00"), "{e:?}");

    let mut d = Scheme::from_pack(&p, 2026).unwrap().to_draft();
    d.indicators[1].id = d.indicators[0].id.clone();
    d.indicators[2].method = "guess".into();
    d.indicators[3].duties = vec!["no-such-duty".into()];
    d.indicators[4].method = "manual".into();
    d.indicators[5].weight = "abc".into();
    let e = check_scheme(&d, &p, 2026, Lang::En).unwrap_err();
    let fields: Vec<&str> = e.iter().map(|(f, _)| f.as_str()).collect();
    assert_eq!(
        fields,
        [
            "indicators[1].id",
            "indicators[2].method",
            "indicators[3].duties",
            "indicators[4].duties",
            "indicators[5].weight"
        ],
        "{e:?}"
    );
    // The sum is not told while a weight cannot be read.
    assert!(!fields.contains(&"weights"));
}

#[test]
fn a_manual_indicator_and_step_days_in_order() {
    let p = pack();
    let mut d = Scheme::from_pack(&p, 2026).unwrap().to_draft();
    d.indicators[0].weight = "10".into();
    d.indicators.push(IndicatorDraft {
        id: "work-quality".into(),
        title: "工作成效".into(),
        weight: "5".into(),
        method: "manual".into(),
        ..Default::default()
    });
    d.steps[1].until = "2027-01-01".into(); // before self-assessment's 2027-01-10
    let e = check_scheme(&d, &p, 2026, Lang::Zh).unwrap_err();
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!(e[0].0, "steps[1].until");
    assert!(e[0].1.contains("「审核」环节的截止日期不能早于上一环节"));
    d.steps[1].until = "2027-01-15".into();
    let s = check_scheme(&d, &p, 2026, Lang::Zh).unwrap();
    assert!(!s.indicator("work-quality").unwrap().computed());
}

#[test]
fn scores_come_from_counts_marks_and_adjustments() {
    let p = pack();
    let mut d = Scheme::from_pack(&p, 2026).unwrap().to_draft();
    d.indicators[0].weight = "10".into();
    d.indicators.push(IndicatorDraft {
        id: "work-quality".into(),
        title: "工作成效".into(),
        weight: "5".into(),
        method: "manual".into(),
        ..Default::default()
    });
    let s = check_scheme(&d, &p, 2026, Lang::Zh).unwrap();
    let mut c = HashMap::new();
    c.insert("annual-dedicated-study".to_string(), counts(1, 1, 0));
    c.insert("situation-analysis".to_string(), counts(4, 3, 2));
    c.insert("platform-registration".to_string(), counts(2, 2, 2));
    c.insert("platform-annual-review".to_string(), counts(1, 0, 0));
    let none = score(&s, &c, &[]);
    let by = |sc: &OrgScore, id: &str| {
        sc.indicators
            .iter()
            .find(|i| i.indicator == id)
            .unwrap()
            .clone()
    };
    // completion-rate: 1 of 1 → all of 10.
    assert_eq!(by(&none, "dedicated-study").points, 1000);
    // on-time-rate: 2 of 4 → half of 10.
    assert_eq!(by(&none, "situation-analysis").points, 500);
    // two duties counted together: 2 of 3 done of 12 → 8.00.
    assert_eq!(by(&none, "platform-management").points, 800);
    // nothing owed: full marks, told as not applicable.
    let ct = by(&none, "cadre-training");
    assert!(ct.not_applicable);
    assert_eq!(ct.points, ct.weight);
    assert_eq!(none.unscored, ["work-quality"]);

    let mark = |ind: &str, kind: &str, pts: &str| {
        check_mark(
            &MarkDraft {
                indicator: ind.into(),
                kind: kind.into(),
                points: pts.into(),
                reason: "见审核记录".into(),
            },
            &s,
            Lang::Zh,
        )
        .unwrap()
    };
    let marks = vec![
        mark("work-quality", "score", "3"),
        mark("work-quality", "score", "4.5"),
        mark("situation-analysis", "adjustment", "-1.25"),
        mark("dedicated-study", "adjustment", "2"),
    ];
    let sc = score(&s, &c, &marks);
    assert_eq!(
        by(&sc, "work-quality").points,
        450,
        "the latest score counts"
    );
    assert_eq!(by(&sc, "situation-analysis").points, 375);
    assert_eq!(
        by(&sc, "dedicated-study").points,
        1000,
        "kept within the weight"
    );
    assert!(sc.unscored.is_empty());
    assert_eq!(
        sc.total,
        sc.indicators.iter().map(|i| i.points).sum::<i64>()
    );
}

#[test]
fn a_mark_without_reason_or_of_the_wrong_kind_is_refused() {
    let p = pack();
    let s = Scheme::from_pack(&p, 2026).unwrap();
    let e = check_mark(
        &MarkDraft {
            indicator: "situation-analysis".into(),
            kind: "score".into(),
            points: "8".into(),
            reason: " ".into(),
        },
        &s,
        Lang::Zh,
    )
    .unwrap_err();
    let fields: Vec<&str> = e.iter().map(|(f, _)| f.as_str()).collect();
    assert_eq!(fields, ["kind", "reason"], "{e:?}");
    assert!(e[1].1.contains("必须说明理由"));
    let e = check_mark(
        &MarkDraft {
            indicator: "situation-analysis".into(),
            kind: "adjustment".into(),
            points: "11".into(),
            reason: "过多".into(),
        },
        &s,
        Lang::En,
    )
    .unwrap_err();
    assert_eq!(e[0].0, "points");
}

#[test]
fn ranks_share_ties() {
    assert_eq!(rank(&[9000, 9500, 9000, 8000]), [2, 1, 2, 4]);
    assert_eq!(parse_points("12.5"), Some(1250));
    assert_eq!(parse_points("-0.05"), Some(-5));
    assert_eq!(parse_points("1.234"), None);
    assert_eq!(parse_points("."), None);
    assert_eq!(points_text(-5), "-0.05");
}

#[test]
fn the_procedure_goes_a_step_at_a_time() {
    let pr = Procedure::default();
    let sa = Stage::Step(AssessmentStep::SelfAssessment);
    let review = Stage::Step(AssessmentStep::Review);
    let scoring = Stage::Step(AssessmentStep::Scoring);
    let published = Stage::Step(AssessmentStep::Publication);
    assert_eq!(pr.check_publish_scheme(Stage::Draft, true), Ok(sa));
    assert_eq!(
        pr.check_advance(Stage::Draft, sa),
        Err(StageError::NotStarted)
    );
    assert_eq!(
        pr.check_advance(sa, scoring),
        Err(StageError::NotNext {
            at: sa,
            to: scoring
        })
    );
    let e = pr.check_step("mark", sa).unwrap_err();
    assert_eq!(
        e.message(Lang::Zh),
        "评分和调整须在「评分」环节进行，当前处于「自评」环节"
    );
    assert!(pr.check_step("self-assessment", sa).is_ok());
    assert!(pr.check_step("mark", scoring).is_ok());
    assert_eq!(
        pr.check_scheme_edit(review, false),
        Err(StageError::SchemePublished)
    );
    assert_eq!(pr.check_revise(review, true), Err(StageError::DraftPending));
    assert!(pr.check_revise(review, false).is_ok());
    let e = pr
        .check_publish_results(scoring, vec![("材料学院".into(), "工作成效".into())])
        .unwrap_err();
    assert!(e.message(Lang::Zh).contains("材料学院「工作成效」"));
    assert!(pr.check_publish_results(scoring, vec![]).is_ok());
    assert_eq!(pr.check_step("review", published), Err(StageError::Frozen));
    assert_eq!(
        pr.check_scheme_edit(published, true),
        Err(StageError::Frozen)
    );

    // A procedure without scoring marks in its last step before publication.
    let short = Procedure::new(&[AssessmentStep::SelfAssessment, AssessmentStep::Publication]);
    assert_eq!(short.marking_stage(), sa);
}

#[test]
fn the_duty_report_draft_reads_as_official_headings() {
    let facts = DutyReportFacts {
        org: "重大材料学院".into(),
        secretary: "李明华".into(),
        year: 2026,
        policy: "《实施细则》".into(),
        duties: vec![
            DutyFigures {
                article: "第四条第（二）项".into(),
                duty: "年度专题研究".into(),
                counts: counts(1, 1, 1),
                missed: vec![],
            },
            DutyFigures {
                article: "第四条第（二）项".into(),
                duty: "定期分析研判".into(),
                counts: counts(4, 3, 2),
                missed: vec!["2026年第三季度的研判报告逾期完成".into()],
            },
        ],
        remediation: (1, 1),
    };
    let text = duty_report_draft(&facts, Lang::Zh);
    assert!(text.contains("应履行规定动作 5 项，已完成 4 项，其中按时完成 3 项，完成率 80.0%"));
    let o = outline(&text);
    let levels: Vec<u8> = o.iter().map(|(l, _)| *l).collect();
    // The numbered lines are whole sentences: items of the body, not headings.
    assert_eq!(levels, [1, 0, 1, 2, 0, 0, 1, 0, 1, 0, 0], "{o:?}");
    assert_eq!(
        outline("1. 平台管理\n2. 已完成。")[..]
            .iter()
            .map(|x| x.0)
            .collect::<Vec<_>>(),
        [3, 0]
    );
    assert_eq!(o[2].1, "二、落实实施细则规定动作的情况");
    assert_eq!(
        outline("（1）细项\n(2) x\n正文")[..2]
            .iter()
            .map(|x| x.0)
            .collect::<Vec<_>>(),
        [4, 4]
    );
}

#[test]
fn a_document_number_is_written_the_official_way() {
    assert_eq!(
        check_document_number(" 重大委〔2027〕3号 ", Lang::Zh),
        Ok(Some("重大委〔2027〕3号".into()))
    );
    assert_eq!(check_document_number("", Lang::Zh), Ok(None));
    for bad in [
        "重大委[2027]3号",
        "〔2027〕3号",
        "重大委〔27〕3号",
        "重大委〔2027〕03号",
        "重大委〔2027〕3",
    ] {
        let e = check_document_number(bad, Lang::Zh).unwrap_err();
        assert_eq!(e[0].0, "document_number", "{bad}");
    }
}

#[test]
fn an_obligation_counts_once_due_or_done() {
    let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let today = d("2026-11-28");
    let mut c = Counts::default();
    for (state, done, due, want) in [
        ("done", Some("2026-06-30"), "2026-06-30", Standing::OnTime),
        ("done", Some("2026-07-01"), "2026-06-30", Standing::Late),
        ("open", None, "2026-09-30", Standing::Open),
        ("open", None, "2027-01-15", Standing::NotDue),
        ("done", Some("2026-11-01"), "2027-01-15", Standing::OnTime),
        ("waived", None, "2026-03-31", Standing::Waived),
        ("done", None, "2026-03-31", Standing::Open),
    ] {
        let s = Standing::of(state, done.map(d), d(due), today);
        assert_eq!(s, want, "{state} {done:?} {due}");
        c.count(s);
    }
    assert_eq!(c, counts_w(5, 3, 2, 1));
}

fn counts_w(owed: i64, done: i64, on_time: i64, waived: i64) -> Counts {
    Counts {
        owed,
        done,
        on_time,
        waived,
    }
}
