//! The secretary's duty report (述职报告) as first drafted from the ledger: what the college did
//! under each article, in figures; what was missed or late; remediation. The secretary edits
//! it before submitting. Also how a report's plain text reads as headings of the official
//! layout (一、 （一） 1. （1）).

use super::Counts;
use crate::Lang;
use serde::Serialize;

/// One duty's figures for the year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DutyFigures {
    /// The article that requires it, as cited (第四条第（二）项 / Art.4(2)).
    pub article: String,
    /// The duty's title.
    pub duty: String,
    /// What its obligations came to.
    pub counts: Counts,
    /// What was missed or late, each in words.
    pub missed: Vec<String>,
}

/// What the ledger says of a college's year, for its duty report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DutyReportFacts {
    /// The college.
    pub org: String,
    /// Its secretary (first responsible person).
    pub secretary: String,
    /// The year.
    pub year: i32,
    /// The policy, as cited (《…》（重大材料委〔2021〕6号）).
    pub policy: String,
    /// Each duty's figures, in the pack's order.
    pub duties: Vec<DutyFigures>,
    /// Remediation tasks of the year, and of them done.
    pub remediation: (i64, i64),
}

const NUMERALS: [&str; 10] = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];

fn numeral(n: usize) -> String {
    match n {
        1..=10 => NUMERALS[n - 1].to_string(),
        11..=19 => format!("十{}", NUMERALS[n - 11]),
        _ => n.to_string(),
    }
}

fn percent(part: i64, whole: i64) -> String {
    if whole == 0 {
        return "—".into();
    }
    let tenths = (2000 * part + whole) / (2 * whole);
    format!("{}.{}%", tenths / 10, tenths % 10)
}

/// The first draft of the duty report, numbered in the official way.
pub fn duty_report_draft(f: &DutyReportFacts, lang: Lang) -> String {
    let zh = lang == Lang::Zh;
    let mut total = Counts::default();
    for d in &f.duties {
        total.add(&d.counts);
    }
    let mut out = Vec::new();
    let h1 = |n: usize, zh_t: &str, en_t: &str| {
        if zh {
            format!("{}、{zh_t}", numeral(n))
        } else {
            format!("{}. {en_t}", n)
        }
    };
    out.push(h1(1, "履行第一责任人职责的总体情况", "Overall"));
    out.push(if zh {
        format!(
            "{year}年，{org}党组织书记{sec}按照{policy}的要求，履行网络意识形态工作第一责任人职责。本年度应履行规定动作 {owed} 项，已完成 {done} 项，其中按时完成 {on_time} 项，完成率 {rate}，按时完成率 {on_rate}{waived}。",
            year = f.year,
            org = f.org,
            sec = f.secretary,
            policy = f.policy,
            owed = total.owed,
            done = total.done,
            on_time = total.on_time,
            rate = percent(total.done, total.owed),
            on_rate = percent(total.on_time, total.owed),
            waived = if total.waived > 0 {
                format!("；经批准免于履行 {} 项", total.waived)
            } else {
                String::new()
            },
        )
    } else {
        format!(
            "In {year}, {sec}, secretary of {org}, carried out the duties of the first responsible person under {policy}. The year owed {owed} obligations; {done} were done, {on_time} of them on time (done {rate}, on time {on_rate}){waived}.",
            year = f.year,
            org = f.org,
            sec = f.secretary,
            policy = f.policy,
            owed = total.owed,
            done = total.done,
            on_time = total.on_time,
            rate = percent(total.done, total.owed),
            on_rate = percent(total.on_time, total.owed),
            waived = if total.waived > 0 {
                format!("; {} were waived with approval", total.waived)
            } else {
                String::new()
            },
        )
    });
    out.push(h1(
        2,
        "落实实施细则规定动作的情况",
        "Duties under the rules",
    ));
    let mut articles: Vec<&str> = Vec::new();
    for d in &f.duties {
        if !articles.contains(&d.article.as_str()) {
            articles.push(&d.article);
        }
    }
    for (k, a) in articles.iter().enumerate() {
        out.push(if zh {
            format!("（{}）{a}", numeral(k + 1))
        } else {
            format!("({}) {a}", k + 1)
        });
        for (j, d) in f.duties.iter().filter(|d| d.article == *a).enumerate() {
            let c = d.counts;
            out.push(if zh {
                format!(
                    "{}. {}：应完成 {} 项，已完成 {} 项，其中按时完成 {} 项{}。",
                    j + 1,
                    d.duty,
                    c.owed,
                    c.done,
                    c.on_time,
                    if c.waived > 0 {
                        format!("，免于履行 {} 项", c.waived)
                    } else {
                        String::new()
                    }
                )
            } else {
                format!(
                    "{}. {}: {} owed, {} done, {} of them on time{}.",
                    j + 1,
                    d.duty,
                    c.owed,
                    c.done,
                    c.on_time,
                    if c.waived > 0 {
                        format!(", {} waived", c.waived)
                    } else {
                        String::new()
                    }
                )
            });
        }
    }
    out.push(h1(3, "存在的问题", "Problems found"));
    let missed: Vec<(&DutyFigures, &String)> = f
        .duties
        .iter()
        .flat_map(|d| d.missed.iter().map(move |m| (d, m)))
        .collect();
    if missed.is_empty() {
        out.push(
            lang.pick(
                "本年度规定动作均已按时完成，台账未显示问题。",
                "Every obligation of the year was done on time; the ledger shows no problem.",
            )
            .into(),
        );
    } else {
        for (n, (d, m)) in missed.iter().enumerate() {
            out.push(if zh {
                format!("{}. {}：{m}。", n + 1, d.duty)
            } else {
                format!("{}. {}: {m}.", n + 1, d.duty)
            });
        }
    }
    out.push(h1(
        4,
        "整改落实情况和下一步打算",
        "Remediation and next steps",
    ));
    let (tasks, done) = f.remediation;
    out.push(if tasks == 0 {
        lang.pick(
            "本年度无整改任务。",
            "There was no remediation task in the year.",
        )
        .into()
    } else if zh {
        format!("本年度整改任务 {tasks} 项，已完成 {done} 项。")
    } else {
        format!("{tasks} remediation tasks in the year; {done} done.")
    });
    out.push(
        lang.pick(
            "（请结合实际补充下一步工作打算。）",
            "(Add the plans for the coming year.)",
        )
        .into(),
    );
    out.join("\n")
}

/// How one line of a report reads in the official layout: 0 body text, 1 "一、", 2 "（一）",
/// 3 "1." and 4 "（1）". A numbered line that is a whole sentence (it ends with 。 or ；) is an
/// item of body text, not a heading: it is not kept with what follows. Blank lines are left out.
pub fn outline(text: &str) -> Vec<(u8, String)> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| (level(l), l.to_string()))
        .collect()
}

fn level(l: &str) -> u8 {
    let n = heading_level(l);
    if n >= 3 && l.ends_with(['。', '；', '.', ';']) {
        return 0;
    }
    n
}

fn heading_level(l: &str) -> u8 {
    let is_numeral = |c: char| "一二三四五六七八九十".contains(c);
    let lead: String = l.chars().take_while(|c| is_numeral(*c)).collect();
    if !lead.is_empty() && l[lead.len()..].starts_with('、') && lead.chars().count() <= 3 {
        return 1;
    }
    let paren = l.strip_prefix('（').or_else(|| l.strip_prefix('('));
    if let Some(rest) = paren {
        let n: String = rest.chars().take_while(|c| is_numeral(*c)).collect();
        if !n.is_empty() && n.chars().count() <= 3 && rest[n.len()..].starts_with(['）', ')']) {
            return 2;
        }
        let d: String = rest.chars().take_while(char::is_ascii_digit).collect();
        if !d.is_empty() && d.len() <= 3 && rest[d.len()..].starts_with(['）', ')']) {
            return 4;
        }
    }
    let d: String = l.chars().take_while(char::is_ascii_digit).collect();
    if !d.is_empty() && d.len() <= 3 && l[d.len()..].starts_with(['.', '．']) {
        return 3;
    }
    0
}
