//! Export benchmarks for the annual assessment: a 30-page duty report written as an official
//! Word document, and the score sheet of 100 colleges. Run with
//! `cargo bench -p zeren-exports --bench report`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use criterion::{Criterion, criterion_group, criterion_main};
use std::collections::HashMap;
use std::hint::black_box;
use zeren_core::assessments::{Counts, Mark, MarkKind, Scheme, SchemeIndicator, score};
use zeren_core::policy::IndicatorMethod;
use zeren_exports::assessment::{
    ScoreSheet, SheetCollege, SheetIndicator, SheetLabels, SheetMark, score_sheet,
};
use zeren_exports::docx::{Block, OfficialDoc, official_doc};

/// The body grid: 28 characters a line, 22 lines a page.
const CHARS_PER_LINE: usize = 28;
const LINES_PER_PAGE: usize = 22;

const TEXT: &str = "学院党委坚持以习近平新时代中国特色社会主义思想为指导，认真落实网络意识形态工作责任制，\
把网络意识形态工作纳入党建工作责任制和领导班子年度考核，定期专题研究、分析研判网络舆情，\
加强校园网站、新媒体平台和师生自媒体账号的建设与管理，健全舆情监测、研判、处置和报告机制，\
组织开展网络安全和网络素养专题培训，推动网络育人与思想政治工作深度融合，\
对发现的问题建立台账、限期整改、逐项销号，确保各项规定动作按时保质完成。";

/// `n` characters of the report's text, starting `at` characters in.
fn text(at: usize, n: usize) -> String {
    TEXT.chars()
        .cycle()
        .skip(at % TEXT.chars().count())
        .take(n)
        .collect()
}

/// About 30 pages: 150 paragraphs of 110 characters (four lines each with the two-character
/// indent: 600 lines, 16 500 characters) under 5 first- and 10 second-level headings, and a
/// table of 40 rows.
fn report() -> OfficialDoc {
    const NUMERALS: [&str; 5] = ["一", "二", "三", "四", "五"];
    let mut blocks = Vec::new();
    for p in 0..150 {
        if p % 30 == 0 {
            blocks.push(Block::Heading1(format!(
                "{}、{}",
                NUMERALS[p / 30],
                text(p, 14)
            )));
        } else if p % 15 == 0 {
            blocks.push(Block::Heading2(format!("（一）{}", text(p * 7, 12))));
        }
        blocks.push(Block::Paragraph(text(p * 13, 110)));
        if p == 90 {
            blocks.push(Block::Table {
                header: vec![
                    "序号".into(),
                    "规定动作".into(),
                    "应完成".into(),
                    "已完成".into(),
                ],
                rows: (1..=40)
                    .map(|i| vec![i.to_string(), text(i * 5, 10), "4".into(), "4".into()])
                    .collect(),
            });
        }
    }
    OfficialDoc {
        issuer: "中共重庆大学材料科学与工程学院委员会".into(),
        number: None,
        title: "材料科学与工程学院党委书记2026年度\n履行网络意识形态工作责任制述职报告".into(),
        addressee: Some("校党委：".into()),
        blocks,
        signer: Some("张三".into()),
        date: Some("2027年1月10日".into()),
        attachments_note: None,
        footer_note: None,
    }
}

/// Lines the body takes on the 28 × 22 grid (a first-line indent of two characters; a table row
/// of short cells one line), and so the pages.
fn pages(doc: &OfficialDoc) -> (usize, usize, usize) {
    let lines_of = |s: &str| (s.chars().count() + 2).div_ceil(CHARS_PER_LINE);
    // Issuer, title (two lines) and the blank line under it, addressee, signature and date.
    let mut lines = 1 + 2 + 1 + 1 + 3;
    let mut chars = 0;
    for b in &doc.blocks {
        match b {
            Block::Paragraph(t)
            | Block::Heading1(t)
            | Block::Heading2(t)
            | Block::Heading3(t)
            | Block::Heading4(t) => {
                lines += lines_of(t);
                chars += t.chars().count();
            }
            Block::Table { rows, .. } => lines += rows.len() + 1,
            Block::PageBreak => lines = lines.div_ceil(LINES_PER_PAGE) * LINES_PER_PAGE,
        }
    }
    (chars, lines, lines.div_ceil(LINES_PER_PAGE))
}

/// A scheme of ten indicators (four completion rates, four on-time rates, two manual), 100
/// colleges with their counts and three marks each.
fn score_sheet_100() -> ScoreSheet {
    let methods = [
        IndicatorMethod::CompletionRate,
        IndicatorMethod::OnTimeRate,
        IndicatorMethod::CompletionRate,
        IndicatorMethod::OnTimeRate,
        IndicatorMethod::Manual,
    ];
    let scheme = Scheme {
        indicators: (0..10)
            .map(|i| {
                let method = methods[i % 5];
                SchemeIndicator {
                    id: format!("i{i}"),
                    title: text(i * 9, 12),
                    title_en: String::new(),
                    weight: 1000,
                    method,
                    duties: if method == IndicatorMethod::Manual {
                        Vec::new()
                    } else {
                        vec![format!("d{i}")]
                    },
                }
            })
            .collect(),
        steps: Vec::new(),
    };
    let indicators = scheme
        .indicators
        .iter()
        .map(|i| SheetIndicator {
            id: i.id.clone(),
            title: i.title.clone(),
            weight: i.weight,
            method: i.method,
            method_name: match i.method {
                IndicatorMethod::CompletionRate => "完成率",
                IndicatorMethod::OnTimeRate => "按时完成率",
                IndicatorMethod::Manual => "人工评分",
            }
            .into(),
        })
        .collect();
    let colleges = (0..100i64)
        .map(|c| {
            let counts: HashMap<String, Counts> = (0..10i64)
                .map(|i| {
                    let owed = 4 + (c + i) % 9;
                    let done = owed - (c * i) % 3;
                    let c = Counts {
                        owed,
                        done,
                        on_time: done - (c + 2 * i) % 2,
                        waived: 0,
                    };
                    (format!("d{i}"), c)
                })
                .collect();
            let marks = vec![
                Mark {
                    indicator: "i4".into(),
                    kind: MarkKind::Score,
                    points: 600 + c * 3,
                    reason: text(c as usize, 40),
                },
                Mark {
                    indicator: "i9".into(),
                    kind: MarkKind::Score,
                    points: 900 - c,
                    reason: text(c as usize * 3, 40),
                },
                Mark {
                    indicator: "i0".into(),
                    kind: MarkKind::Adjustment,
                    points: -50,
                    reason: text(c as usize * 5, 40),
                },
            ];
            SheetCollege {
                name: format!("第{}学院", c + 1),
                score: score(&scheme, &counts, &marks),
                marks: marks
                    .iter()
                    .map(|m| SheetMark {
                        indicator: m.indicator.clone(),
                        kind: m.kind.as_str().into(),
                        points: m.points,
                        reason: m.reason.clone(),
                        by: "考核组".into(),
                        day: "2027-01-25".into(),
                    })
                    .collect(),
            }
        })
        .collect();
    ScoreSheet {
        title: "2026年度网络意识形态工作责任制考核得分".into(),
        labels: SheetLabels::zh(),
        indicators,
        colleges,
    }
}

fn benches(c: &mut Criterion) {
    let doc = report();
    let (chars, lines, pages) = pages(&doc);
    let bytes = official_doc(&doc).unwrap();
    eprintln!(
        "report_30_pages: {chars} characters, ≈{lines} grid lines ≈ {pages} pages; {} bytes",
        bytes.len()
    );
    if let Ok(path) = std::env::var("ZEREN_BENCH_DOCX") {
        std::fs::write(path, &bytes).unwrap();
    }
    c.bench_function("report_30_pages", |b| {
        b.iter(|| official_doc(black_box(&doc)).unwrap())
    });

    let sheet = score_sheet_100();
    let bytes = score_sheet(&sheet).unwrap();
    eprintln!(
        "score_sheet_100_colleges: {} indicators, {} details rows; {} bytes",
        sheet.indicators.len(),
        sheet.indicators.len() * sheet.colleges.len(),
        bytes.len()
    );
    c.bench_function("score_sheet_100_colleges", |b| {
        b.iter(|| score_sheet(black_box(&sheet)).unwrap())
    });
}

criterion_group!(report_benches, benches);
criterion_main!(report_benches);
