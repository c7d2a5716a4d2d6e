//! The annual assessment's exports: the score sheet is read back with calamine (the cached
//! results, which are what a viewer that does not recalculate shows) and its formulas checked
//! against the core's rules; a report's text becomes official-document blocks at the right
//! heading levels, and a 30-page report is written.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use calamine::{Data, Reader, Xlsx};
use std::collections::HashMap;
use std::io::{Cursor, Read};
use zeren_core::Lang;
use zeren_core::assessments::{
    Counts, DutyFigures, DutyReportFacts, Mark, MarkKind, OrgScore, Scheme, SchemeIndicator,
    duty_report_draft, rank, score,
};
use zeren_core::policy::IndicatorMethod;
use zeren_exports::assessment::{
    ScoreSheet, ScoreSheetError, SheetCollege, SheetIndicator, SheetLabels, SheetMark,
    report_blocks, score_sheet,
};
use zeren_exports::docx::{Block, OfficialDoc, official_doc};

fn indicator(
    id: &str,
    title: &str,
    weight: i64,
    method: IndicatorMethod,
    duties: &[&str],
) -> SchemeIndicator {
    SchemeIndicator {
        id: id.into(),
        title: title.into(),
        title_en: String::new(),
        weight,
        method,
        duties: duties.iter().map(|d| d.to_string()).collect(),
    }
}

/// Four indicators: a completion rate, an on-time rate over two duties, a completion rate whose
/// duty owed nothing this year, and a manual one; weights with odd hundredths so that the
/// rounding is exercised.
fn scheme() -> Scheme {
    use IndicatorMethod::*;
    Scheme {
        indicators: vec![
            indicator(
                "meetings",
                "党委会专题研究网络意识形态工作",
                3333,
                CompletionRate,
                &["d1"],
            ),
            indicator(
                "on-time",
                "规定动作按时完成",
                2667,
                OnTimeRate,
                &["d2", "d3"],
            ),
            indicator("drills", "应急演练", 1000, CompletionRate, &["d4"]),
            indicator("manual", "工作创新与特色", 3000, Manual, &[]),
        ],
        steps: Vec::new(),
    }
}

fn counts(rows: &[(&str, i64, i64, i64)]) -> HashMap<String, Counts> {
    rows.iter()
        .map(|(d, owed, done, on_time)| {
            (
                d.to_string(),
                Counts {
                    owed: *owed,
                    done: *done,
                    on_time: *on_time,
                    waived: 0,
                },
            )
        })
        .collect()
}

fn mark(indicator: &str, kind: MarkKind, points: i64, reason: &str) -> Mark {
    Mark {
        indicator: indicator.into(),
        kind,
        points,
        reason: reason.into(),
    }
}

fn method_name(m: IndicatorMethod) -> &'static str {
    match m {
        IndicatorMethod::CompletionRate => "完成率",
        IndicatorMethod::OnTimeRate => "按时完成率",
        IndicatorMethod::Manual => "人工评分",
    }
}

fn sheet_indicators(s: &Scheme) -> Vec<SheetIndicator> {
    s.indicators
        .iter()
        .map(|i| SheetIndicator {
            id: i.id.clone(),
            title: i.title.clone(),
            weight: i.weight,
            method: i.method,
            method_name: method_name(i.method).into(),
        })
        .collect()
}

fn college(s: &Scheme, name: &str, c: HashMap<String, Counts>, marks: Vec<Mark>) -> SheetCollege {
    let score = score(s, &c, &marks);
    SheetCollege {
        name: name.into(),
        score,
        marks: marks
            .iter()
            .map(|m| SheetMark {
                indicator: s.indicator(&m.indicator).unwrap().title.clone(),
                kind: match m.kind {
                    MarkKind::Score => "评分".into(),
                    MarkKind::Adjustment => "调整".into(),
                },
                points: m.points,
                reason: m.reason.clone(),
                by: "考核组".into(),
                day: "2027-01-25".into(),
            })
            .collect(),
    }
}

/// Five colleges; two of them end on the same total, so the ranks skip (1, 2, 2, 4, 5 or so).
fn sheet() -> ScoreSheet {
    let s = scheme();
    let colleges = vec![
        college(
            &s,
            "材料科学与工程学院",
            counts(&[
                ("d1", 3, 2, 2),
                ("d2", 7, 7, 5),
                ("d3", 2, 1, 1),
                ("d4", 0, 0, 0),
            ]),
            vec![
                mark(
                    "meetings",
                    MarkKind::Adjustment,
                    -250,
                    "一次专题会议未形成纪要",
                ),
                mark("manual", MarkKind::Score, 2550, "建立网评员队伍"),
            ],
        ),
        college(
            &s,
            "机械与运载工程学院",
            counts(&[
                ("d1", 4, 4, 4),
                ("d2", 6, 6, 6),
                ("d3", 0, 0, 0),
                ("d4", 1, 1, 1),
            ]),
            vec![
                mark("manual", MarkKind::Score, 2000, "初评"),
                mark("manual", MarkKind::Score, 2800, "复核后改为 28 分"),
                mark("on-time", MarkKind::Adjustment, 500, "超出本项满分，应封顶"),
            ],
        ),
        // Same counts and marks as the first: the same total, the same rank.
        college(
            &s,
            "土木工程学院",
            counts(&[
                ("d1", 3, 2, 2),
                ("d2", 7, 7, 5),
                ("d3", 2, 1, 1),
                ("d4", 0, 0, 0),
            ]),
            vec![
                mark(
                    "meetings",
                    MarkKind::Adjustment,
                    -250,
                    "一次专题会议未形成纪要",
                ),
                mark("manual", MarkKind::Score, 2550, "建立网评员队伍"),
            ],
        ),
        // Nothing done, a large deduction: kept at 0, and the manual indicator unscored.
        college(
            &s,
            "外国语学院",
            counts(&[("d1", 2, 0, 0), ("d2", 3, 1, 0), ("d4", 2, 1, 0)]),
            vec![mark("meetings", MarkKind::Adjustment, -3000, "全年未研究")],
        ),
        // No counts at all: every computed indicator not applicable, full marks.
        college(&s, "新闻学院", HashMap::new(), vec![]),
    ];
    ScoreSheet {
        title: "2026年度二级党组织网络意识形态工作责任制考核得分".into(),
        labels: SheetLabels::zh(),
        indicators: sheet_indicators(&s),
        colleges,
    }
}

fn open(bytes: &[u8]) -> Xlsx<Cursor<Vec<u8>>> {
    Xlsx::new(Cursor::new(bytes.to_vec())).unwrap()
}

fn part(bytes: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut s = String::new();
    zip.by_name(name)
        .unwrap_or_else(|e| panic!("{name}: {e}"))
        .read_to_string(&mut s)
        .unwrap();
    s
}

fn num(d: Option<&Data>) -> f64 {
    match d {
        Some(Data::Float(f)) => *f,
        Some(Data::Int(i)) => *i as f64,
        other => panic!("not a number: {other:?}"),
    }
}

fn points(centi: i64) -> f64 {
    centi as f64 / 100.0
}

/// Excel's ROUND(x, 2): half away from zero on the decimal value (Excel corrects the binary
/// error first, so 2.675 rounds to 2.68).
fn excel_round2(x: f64) -> f64 {
    let h = x * 100.0;
    let snapped = (h * 1e6).round() / 1e6;
    snapped.round() / 100.0
}

#[test]
fn totals_ranks_and_scores_read_back_as_the_core_computed_them() {
    let s = sheet();
    let bytes = score_sheet(&s).unwrap();
    let mut wb = open(&bytes);
    assert_eq!(
        wb.sheet_names(),
        vec!["得分汇总", "得分明细", "考核方案", "评分记录"]
    );

    // The summary: one row per college after the title and headings.
    let sum = wb.worksheet_range("得分汇总").unwrap();
    let sumf = wb.worksheet_formula("得分汇总").unwrap();
    assert_eq!(sum.get((0, 0)), Some(&Data::String(s.title.clone())));
    assert_eq!(sum.get((1, 0)), Some(&Data::String("学院".into())));
    assert_eq!(
        sum.get((1, 1)),
        Some(&Data::String("党委会专题研究网络意识形态工作".into()))
    );
    assert_eq!(sum.get((1, 5)), Some(&Data::String("总分".into())));
    assert_eq!(sum.get((1, 6)), Some(&Data::String("排名".into())));
    let totals: Vec<i64> = s.colleges.iter().map(|c| c.score.total).collect();
    let ranks = rank(&totals);
    // The fixture really has a tie and a skip.
    assert_eq!(ranks[0], ranks[2]);
    assert!(ranks.contains(&1) && ranks.contains(&5));
    for (k, c) in s.colleges.iter().enumerate() {
        let r = 2 + k;
        let er = r + 1; // Excel's 1-based row
        assert_eq!(sum.get((r, 0)), Some(&Data::String(c.name.clone())));
        for (n, sc) in c.score.indicators.iter().enumerate() {
            assert_eq!(
                num(sum.get((r, 1 + n))),
                points(sc.points),
                "{} {}",
                c.name,
                sc.indicator
            );
        }
        assert_eq!(num(sum.get((r, 5))), points(c.score.total), "{}", c.name);
        assert_eq!(num(sum.get((r, 6))), f64::from(ranks[k]), "{}", c.name);
        let f = |col: u32| sumf.get_value((r as u32, col)).cloned().unwrap_or_default();
        assert_eq!(f(5), format!("ROUND(SUM(B{er}:E{er}),2)"));
        assert_eq!(f(6), format!("RANK(F{er},$F$3:$F$7)"));
        // Each indicator's points refer to its details row (four rows per college).
        assert_eq!(f(1), format!("'得分明细'!L{}", 3 + 4 * k));
        assert_eq!(f(4), format!("'得分明细'!L{}", 3 + 4 * k + 3));
    }
    // The unscored manual indicator is named.
    assert_eq!(
        sum.get((5, 7)),
        Some(&Data::String("工作创新与特色".into()))
    );
    assert_eq!(sum.get((2, 7)), Some(&Data::Empty));

    // The details: the cached results are the core's, and the formulas' rules give them too.
    let det = wb.worksheet_range("得分明细").unwrap();
    let detf = wb.worksheet_formula("得分明细").unwrap();
    let scheme = scheme();
    let mut r = 2usize;
    for c in &s.colleges {
        for (n, (i, sc)) in scheme
            .indicators
            .iter()
            .zip(&c.score.indicators)
            .enumerate()
        {
            let er = r + 1;
            let f = |col: u32| detf.get_value((r as u32, col)).cloned().unwrap_or_default();
            let w = num(det.get((r, 3)));
            assert_eq!(w, points(i.weight));
            assert_eq!(f(3), format!("'考核方案'!$C${}", 3 + n));
            assert_eq!(num(det.get((r, 10))), points(sc.adjusted));
            let base = if i.computed() {
                let counts = sc.counts.unwrap();
                assert_eq!(num(det.get((r, 4))), counts.owed as f64);
                assert_eq!(num(det.get((r, 5))), counts.done as f64);
                assert_eq!(num(det.get((r, 6))), counts.on_time as f64);
                let part_col = if i.method == IndicatorMethod::OnTimeRate {
                    "G"
                } else {
                    "F"
                };
                assert_eq!(f(7), format!("IF(E{er}=0,\"\",{part_col}{er}/E{er})"));
                assert_eq!(
                    f(8),
                    format!("IF(E{er}=0,D{er},ROUND(D{er}*{part_col}{er}/E{er},2))")
                );
                let part = if i.method == IndicatorMethod::OnTimeRate {
                    counts.on_time
                } else {
                    counts.done
                };
                let computed = num(det.get((r, 8)));
                assert_eq!(computed, points(sc.computed.unwrap()));
                // What Excel computes from the cells.
                let excel = if counts.owed == 0 {
                    w
                } else {
                    excel_round2(w * part as f64 / counts.owed as f64)
                };
                assert_eq!(excel, computed, "{} {}", c.name, i.id);
                if counts.owed == 0 {
                    assert!(sc.not_applicable);
                    // The rate is blank text, not a division by zero.
                    assert!(
                        matches!(det.get((r, 7)), Some(Data::String(t)) if t.is_empty())
                            || matches!(det.get((r, 7)), Some(Data::Empty) | None),
                        "{:?}",
                        det.get((r, 7))
                    );
                } else {
                    assert_eq!(num(det.get((r, 7))), part as f64 / counts.owed as f64);
                }
                assert_eq!(f(11), format!("MIN(D{er},MAX(0,ROUND(I{er}+K{er},2)))"));
                computed
            } else {
                assert_eq!(f(7), "");
                assert_eq!(f(8), "");
                assert_eq!(f(11), format!("MIN(D{er},MAX(0,ROUND(J{er}+K{er},2)))"));
                match sc.scored {
                    Some(p) => {
                        assert_eq!(num(det.get((r, 9))), points(p));
                        points(p)
                    }
                    None => {
                        assert!(matches!(det.get((r, 9)), Some(Data::Empty) | None));
                        0.0
                    }
                }
            };
            let pts = num(det.get((r, 11)));
            assert_eq!(pts, points(sc.points), "{} {}", c.name, i.id);
            assert_eq!(
                pts,
                w.min(excel_round2(base + points(sc.adjusted)).max(0.0))
            );
            r += 1;
        }
    }
    assert_eq!(det.height(), r);

    // The scheme: weights as numbers, their sum a formula.
    let sch = wb.worksheet_range("考核方案").unwrap();
    let schf = wb.worksheet_formula("考核方案").unwrap();
    assert_eq!(
        sch.get((2, 0)),
        Some(&Data::String("党委会专题研究网络意识形态工作".into()))
    );
    assert_eq!(sch.get((3, 1)), Some(&Data::String("按时完成率".into())));
    assert_eq!(num(sch.get((2, 2))), 33.33);
    assert_eq!(num(sch.get((6, 2))), 100.0);
    assert_eq!(schf.get_value((6, 2)).unwrap(), "ROUND(SUM(C3:C6),2)");

    // The marks, each with its reason.
    let marks = wb.worksheet_range("评分记录").unwrap();
    let n: usize = s.colleges.iter().map(|c| c.marks.len()).sum();
    assert_eq!(marks.height(), 2 + n);
    assert_eq!(
        marks.get((2, 0)),
        Some(&Data::String("材料科学与工程学院".into()))
    );
    assert_eq!(marks.get((2, 2)), Some(&Data::String("调整".into())));
    assert_eq!(num(marks.get((2, 3))), -2.5);
    assert_eq!(
        marks.get((2, 4)),
        Some(&Data::String("一次专题会议未形成纪要".into()))
    );

    // Headers frozen, widths set, two-decimal points.
    for k in 1..=4 {
        let xml = part(&bytes, &format!("xl/worksheets/sheet{k}.xml"));
        assert!(xml.contains(r#"ySplit="2""#), "sheet{k}");
        assert!(xml.contains("<cols>"), "sheet{k}");
    }
    let styles = part(&bytes, "xl/styles.xml");
    assert!(styles.contains(r#"formatCode="0.00""#), "{styles}");
    assert!(styles.contains(r#"formatCode="0.00%""#), "{styles}");
}

#[test]
fn the_formulas_round_as_the_core_does() {
    // ROUND(weight × part / owed, 2) in Excel against the core's exact half-up share, over every
    // small case and the weights a scheme is likely to have.
    for weight in [1, 333, 1000, 1250, 1667, 2500, 3333, 5000, 10_000] {
        let s = Scheme {
            indicators: vec![indicator(
                "x",
                "x",
                weight,
                IndicatorMethod::CompletionRate,
                &["d"],
            )],
            steps: Vec::new(),
        };
        for owed in 1..=40 {
            for done in 0..=owed {
                let c = counts(&[("d", owed, done, done)]);
                let core = score(&s, &c, &[]).indicators[0].computed.unwrap();
                let excel = excel_round2(points(weight) * done as f64 / owed as f64);
                assert_eq!(excel, points(core), "weight {weight}, {done}/{owed}");
            }
        }
    }
}

#[test]
fn no_college_or_no_indicator_still_writes() {
    let mut s = sheet();
    s.colleges.clear();
    let bytes = score_sheet(&s).unwrap();
    let mut wb = open(&bytes);
    assert_eq!(wb.worksheet_range("得分汇总").unwrap().height(), 2);
    assert_eq!(wb.worksheet_range("得分明细").unwrap().height(), 2);
    assert_eq!(wb.worksheet_range("评分记录").unwrap().height(), 2);
    assert_eq!(wb.worksheet_range("考核方案").unwrap().height(), 7);

    let empty = Scheme {
        indicators: Vec::new(),
        steps: Vec::new(),
    };
    let s = ScoreSheet {
        title: "空".into(),
        labels: SheetLabels::zh(),
        indicators: Vec::new(),
        colleges: vec![college(&empty, "新闻学院", HashMap::new(), vec![])],
    };
    let bytes = score_sheet(&s).unwrap();
    let mut wb = open(&bytes);
    let sum = wb.worksheet_range("得分汇总").unwrap();
    assert_eq!(num(sum.get((2, 1))), 0.0);
    assert_eq!(num(sum.get((2, 2))), 1.0);
}

#[test]
fn scores_that_do_not_fit_the_scheme_are_refused() {
    let mut s = sheet();
    s.colleges[1].score = OrgScore {
        indicators: s.colleges[1].score.indicators[..2].to_vec(),
        total: 0,
        unscored: Vec::new(),
    };
    match score_sheet(&s) {
        Err(ScoreSheetError::Mismatch { college, indicator }) => {
            assert_eq!(college, "机械与运载工程学院");
            assert_eq!(indicator, "drills");
        }
        other => panic!("{other:?}"),
    }
    let mut s = sheet();
    s.indicators[0].weight += 1;
    assert!(matches!(
        score_sheet(&s),
        Err(ScoreSheetError::Mismatch { .. })
    ));
}

#[test]
fn labels_are_made_sheet_names_and_quoted_in_formulas() {
    let mut s = sheet();
    s.labels.summary_sheet = "Summary".into();
    s.labels.details_sheet = "Details: it's [all]".into();
    s.labels.scheme_sheet = "summary".into();
    let bytes = score_sheet(&s).unwrap();
    let mut wb = open(&bytes);
    assert_eq!(
        wb.sheet_names(),
        vec![
            "Summary",
            "Details： it's ［all］",
            "summary（2）",
            "评分记录"
        ]
    );
    let f = wb.worksheet_formula("Summary").unwrap();
    assert_eq!(f.get_value((2, 1)).unwrap(), "'Details： it''s ［all］'!L3");
    let f = wb.worksheet_formula("Details： it's ［all］").unwrap();
    assert_eq!(f.get_value((2, 3)).unwrap(), "'summary（2）'!$C$3");
}

fn facts() -> DutyReportFacts {
    let figures = |article: &str, duty: &str, owed, done, on_time, missed: &[&str]| DutyFigures {
        article: article.into(),
        duty: duty.into(),
        counts: Counts {
            owed,
            done,
            on_time,
            waived: 0,
        },
        missed: missed.iter().map(|m| m.to_string()).collect(),
    };
    DutyReportFacts {
        org: "材料科学与工程学院".into(),
        secretary: "张三".into(),
        year: 2026,
        policy: "《重庆大学网络意识形态工作责任制实施细则》（重大党委〔2021〕6号）".into(),
        duties: vec![
            figures(
                "第四条第（一）项",
                "专题研究",
                4,
                4,
                3,
                &["第三季度专题研究晚于截止日期"],
            ),
            figures("第四条第（一）项", "分析研判", 2, 2, 2, &[]),
            figures(
                "第四条第（二）项",
                "阵地管理",
                12,
                11,
                11,
                &["12月巡查未完成"],
            ),
        ],
        remediation: (3, 2),
    }
}

#[test]
fn a_duty_report_draft_becomes_headings_at_their_levels() {
    let text = duty_report_draft(&facts(), Lang::Zh);
    let blocks = report_blocks(&format!("{text}\n\n   \n（1）补充说明\n"));
    let h1: Vec<&str> = blocks
        .iter()
        .filter_map(|b| match b {
            Block::Heading1(t) => Some(t.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(
        h1,
        vec![
            "一、履行第一责任人职责的总体情况",
            "二、落实实施细则规定动作的情况",
            "三、存在的问题",
            "四、整改落实情况和下一步打算",
        ]
    );
    assert_eq!(blocks[0], Block::Heading1(h1[0].into()));
    assert!(
        matches!(&blocks[1], Block::Paragraph(t) if t.starts_with("2026年，材料科学与工程学院"))
    );
    assert!(blocks.contains(&Block::Heading2("（一）第四条第（一）项".into())));
    assert!(blocks.contains(&Block::Heading2("（二）第四条第（二）项".into())));
    assert!(
        blocks
            .iter()
            .any(|b| matches!(b, Block::Paragraph(t) if t.starts_with("1. 专题研究：应完成 4 项")))
    );
    assert!(
        blocks.iter().any(
            |b| matches!(b, Block::Paragraph(t) if t.starts_with("2. 阵地管理：12月巡查未完成"))
        )
    );
    assert_eq!(
        blocks.last(),
        Some(&Block::Heading4("（1）补充说明".into()))
    );
    // No blank paragraph survives.
    assert!(
        !blocks
            .iter()
            .any(|b| matches!(b, Block::Paragraph(t) if t.trim().is_empty()))
    );

    let doc = OfficialDoc {
        title: "材料科学与工程学院党委书记2026年度\n履行网络意识形态工作责任制述职报告".into(),
        blocks,
        ..OfficialDoc::default()
    };
    let bytes = official_doc(&doc).unwrap();
    docx_rs::read_docx(&bytes).unwrap();
}

/// About 30 pages of 22 lines: 600 one-line paragraphs (24 characters and the two-character
/// indent of a 28-character line) under 10 first- and 20 second-level headings, and three tables
/// of 21 rows: some 700 lines.
fn long_report() -> OfficialDoc {
    const NUMERALS: [&str; 10] = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];
    let sentence = "学院党委定期分析研判网络意识形态工作，压实责任。";
    let mut blocks = Vec::new();
    for p in 0..600 {
        if p % 60 == 0 {
            blocks.push(Block::Heading1(format!(
                "{}、第{}部分",
                NUMERALS[p / 60],
                p / 60 + 1
            )));
        } else if p % 30 == 0 {
            blocks.push(Block::Heading2("（一）分项情况".into()));
        }
        blocks.push(Block::Paragraph(sentence.into()));
        if p % 200 == 199 {
            blocks.push(Block::Table {
                header: vec!["序号".into(), "事项".into(), "完成情况".into()],
                rows: (1..=20)
                    .map(|i| vec![i.to_string(), "规定动作".into(), "已完成".into()])
                    .collect(),
            });
        }
    }
    OfficialDoc {
        issuer: "中共重庆大学材料科学与工程学院委员会".into(),
        title: "2026年度履行网络意识形态工作责任制述职报告".into(),
        blocks,
        signer: Some("中共重庆大学材料科学与工程学院委员会".into()),
        date: Some("2027年1月10日".into()),
        ..OfficialDoc::default()
    }
}

#[test]
fn a_thirty_page_report_is_written() {
    let doc = long_report();
    let bytes = official_doc(&doc).unwrap();
    let xml = part(&bytes, "word/document.xml");
    assert!(xml.matches("<w:p>").count() + xml.matches("<w:p ").count() >= 600);
    assert_eq!(xml.matches("<w:tbl>").count(), 3);
    docx_rs::read_docx(&bytes).unwrap();
}
