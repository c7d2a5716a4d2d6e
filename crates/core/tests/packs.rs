//! The built-in pack and the pack checker.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use zeren_core::Lang;
use zeren_core::policy::{BUILTIN_PACK_SOURCE, Problem, builtin_pack, parse_pack};

const SEED: &str = include_str!("../packs/seed/implementation-rules.zh.txt");

#[test]
fn builtin_pack_is_valid_and_complete() {
    let pack = match builtin_pack() {
        Ok(p) => p,
        Err(diags) => {
            let lines: Vec<String> = diags
                .iter()
                .map(|d| d.render("cqu-mse-2021-6.toml", Lang::En))
                .collect();
            panic!("built-in pack has problems:\n{}", lines.join("\n"));
        }
    };
    assert_eq!(pack.meta.id, "cqu-mse-2021-6");
    assert_eq!(pack.meta.document_number, "重大材料委〔2021〕6号");
    assert_eq!(pack.meta.adopted_on.to_string(), "2021-05-12");
    assert_eq!(pack.meta.issued_on.to_string(), "2021-05-13");
    assert_eq!(pack.meta.effective_from.to_string(), "2021-05-13");
    assert_eq!(pack.articles.len(), 8);
    assert_eq!(pack.articles[3].items.len(), 6);
    assert_eq!(pack.articles[4].items.len(), 9);
    let grounds: Vec<&str> = pack.grounds.iter().map(|g| g.id.as_str()).collect();
    assert_eq!(
        grounds,
        (1..=9).map(|i| format!("art5-{i}")).collect::<Vec<_>>()
    );
    for duty in [
        "annual-dedicated-study",
        "situation-analysis",
        "cadre-training",
        "platform-registration",
        "platform-annual-review",
        "operator-training",
        "youth-education",
        "risk-assessment",
        "incident-handling",
        "directive-implementation",
        "online-event-registration",
        "annual-assessment",
    ] {
        assert!(pack.duty(duty).is_some(), "missing duty {duty}");
    }
    let scheme = pack.assessment.as_ref().expect("assessment scheme");
    let total: f64 = scheme.indicators.iter().map(|i| i.weight).sum();
    assert!((total - 100.0).abs() < 1e-9);
}

#[test]
fn builtin_articles_are_verbatim() {
    let pack = builtin_pack().unwrap();
    let numerals = ["一", "二", "三", "四", "五", "六", "七", "八", "九"];
    for a in &pack.articles {
        let line = format!("第{}条 {}", numerals[a.number as usize - 1], a.text);
        assert!(
            SEED.contains(&line),
            "Art.{} is not verbatim: {line}",
            a.number
        );
        for i in &a.items {
            let line = format!("（{}）{}", numerals[i.number as usize - 1], i.text);
            assert!(
                SEED.contains(&line),
                "Art.{}({}) is not verbatim",
                a.number,
                i.number
            );
        }
    }
    for g in &pack.grounds {
        assert!(SEED.contains(&g.text), "ground {} text", g.id);
    }
}

const BROKEN: &str = r#"format = 1

[policy]
id = "Bad Id"
series = "s"
version = 1
document_number = "x"
title = "t"
title_en = "t"
issuer = "i"
adopted_on = 2021-05-12
issued_on = 2021-05-13
effective_from = 2021-05-01
legal_basis = ["a"]
colour = "red"

[[post_kinds]]
id = "secretary"
name = "书记"
name_en = "Secretary"
org_kinds = ["college", "galaxy"]
first_responsible = true

[[articles]]
number = 1
text = "第一条"

[[articles]]
number = 3
text = "第三条"

[[duties]]
id = "d1"
title = "t"
title_en = "t"
articles = ["Art.9(1)"]
subject = "org"
org_kinds = ["college"]
cadence = "quarterly"
due = { by = "12-31" }
responsible = "post:dean"
evidence = [{ kind = "telepathy" }]

[[duties]]
id = "d1"
title = "t"
title_en = "t"
articles = ["Art.1"]
subject = "platform"
cadence = "annual"
due = { by = "02-30" }
responsible = "first-responsible"
evidence = [{ kind = "annual-review", topic = "x" }]
"#;

#[test]
fn broken_pack_lists_every_problem_with_line_and_column() {
    let diags = parse_pack(BROKEN).unwrap_err();
    let rendered: Vec<String> = diags
        .iter()
        .map(|d| d.render("broken.toml", Lang::En))
        .collect();
    let text = rendered.join("\n");
    let expect = [
        "broken.toml:4:6: invalid value `Bad Id` for `id`",
        "broken.toml:13:18: `effective_from` must not be before `adopted_on`",
        "broken.toml:15:1: unknown key `colour`",
        "broken.toml:21:25: invalid value `galaxy` for `org_kinds`",
        "broken.toml:29:10: article number should be 2, found 3",
        "broken.toml:36:13: citation `Art.9(1)` names an article or item the pack does not have",
        "broken.toml:40:9: due rule `by` does not fit cadence `quarterly`",
        "broken.toml:41:15: unknown post kind `dean`",
        "broken.toml:42:22: unknown evidence kind `telepathy`",
        "broken.toml:45:6: duplicate duty id `d1`",
        "broken.toml:51:14: invalid value `02-30` for `due.by`",
        "broken.toml:53:47: only committee-meeting evidence can require a topic",
    ];
    for e in expect {
        assert!(text.contains(e), "expected `{e}` in:\n{text}");
    }
    assert_eq!(
        rendered.len(),
        expect.len(),
        "unexpected extra problems:\n{text}"
    );
}

#[test]
fn syntax_errors_have_a_position() {
    let diags = parse_pack("format = 1\n[policy\nid = 1\n").unwrap_err();
    assert_eq!(diags.len(), 1);
    assert!(matches!(diags[0].problem, Problem::Syntax(_)));
    assert_eq!(diags[0].line, 2);
}

#[test]
fn messages_are_chinese_by_default() {
    let diags = parse_pack(BROKEN).unwrap_err();
    let zh = diags[0].render("broken.toml", Lang::default());
    assert!(zh.contains("无效"), "{zh}");
}

#[test]
fn builtin_source_is_the_one_compiled_in() {
    assert!(BUILTIN_PACK_SOURCE.contains("重大材料委〔2021〕6号"));
}

#[test]
fn the_documented_example_pack_is_valid() {
    let doc = include_str!("../../../docs/policy-pack.md");
    let start = doc
        .find("## 8. A complete annotated example")
        .expect("example section");
    let body = &doc[start..];
    let open = body.find("```toml\n").expect("toml block") + "```toml\n".len();
    let close = body[open..].find("\n```").expect("end of block") + open;
    let pack = match parse_pack(&body[open..close]) {
        Ok(p) => p,
        Err(d) => panic!(
            "{}",
            d.iter()
                .map(|d| d.render("example", Lang::En))
                .collect::<Vec<_>>()
                .join("\n")
        ),
    };
    assert!(!pack.duties.is_empty());
}

#[test]
fn established_by_must_cite_an_existing_article() {
    let src = BUILTIN_PACK_SOURCE.replacen(
        "established_by = \"Art.3\"",
        "established_by = \"Art.30\"",
        1,
    );
    let diags = parse_pack(&src).unwrap_err();
    assert_eq!(diags.len(), 1, "{diags:?}");
    let line = src
        .lines()
        .position(|l| l.contains("Art.30"))
        .map(|i| i + 1)
        .unwrap();
    assert_eq!(diags[0].line, line);
    assert!(diags[0].render("p.toml", Lang::En).contains("Art.30"));
    let bad = BUILTIN_PACK_SOURCE.replacen(
        "established_by = \"Art.3\"",
        "established_by = \"art.3\"",
        1,
    );
    assert!(
        parse_pack(&bad).unwrap_err()[0]
            .render("p.toml", Lang::Zh)
            .contains("established_by")
    );
    let pack = builtin_pack().unwrap();
    assert_eq!(
        pack.post_kind("secretary").unwrap().established_by,
        Some(zeren_core::Citation::article(3))
    );
    assert!(pack.portfolios.iter().all(|p| p.established_by.is_some()));
}

#[test]
fn the_second_system_example_pack_is_valid() {
    let src = include_str!("../../../docs/examples/cqu-mse-clean-government-2025-2.toml");
    let pack = match parse_pack(src) {
        Ok(p) => p,
        Err(d) => panic!(
            "{}",
            d.iter()
                .map(|d| d.render("cqu-mse-clean-government-2025-2.toml", Lang::En))
                .collect::<Vec<_>>()
                .join("\n")
        ),
    };
    assert_eq!(pack.meta.id, "cqu-mse-2025-2");
    assert_eq!(pack.meta.series, "cqu-mse-clean-government");
    assert_eq!(pack.meta.effective_from.to_string(), "2025-03-01");
    assert!(pack.duties.iter().all(|d| d.id.starts_with("cg-")));
    assert_eq!(
        pack.post_kind("secretary").unwrap().established_by,
        Some(zeren_core::Citation::article(2))
    );
    assert!(pack.post_kind("discipline-member").unwrap().leadership);
    assert!(pack.portfolio("discipline").is_some());
    // The post kinds it shares with the built-in pack mean the same there.
    let seed = builtin_pack().unwrap();
    for k in &pack.post_kinds {
        if let Some(s) = seed.post_kind(&k.id) {
            assert_eq!(
                (
                    &s.org_kinds,
                    s.single_holder,
                    s.first_responsible,
                    s.leadership
                ),
                (
                    &k.org_kinds,
                    k.single_holder,
                    k.first_responsible,
                    k.leadership
                ),
                "{}",
                k.id
            );
        }
    }
    assert!(seed.post_kind("discipline-member").is_none());
}

#[test]
fn a_pack_declares_platform_kinds_beyond_the_built_in_ones() {
    use zeren_core::vocab::PlatformKind;
    let pack = builtin_pack().unwrap();
    let xhs = pack.platform_kind("xiaohongshu").expect("declared kind");
    assert!(matches!(xhs, PlatformKind::Declared(_)));
    assert_eq!(pack.platform_kind("小红书号"), Some(xhs));
    assert_eq!(
        pack.platform_kind("微信公众号"),
        Some(PlatformKind::WechatOfficial)
    );
    assert_eq!(pack.platform_kind("kuaishou"), None);
    assert_eq!(pack.platform_kind_name(xhs, Lang::Zh), "小红书号");
    assert_eq!(
        pack.platform_kind_name(xhs, Lang::En),
        "Xiaohongshu account"
    );
    assert_eq!(pack.platform_kinds().last(), Some(&xhs));

    // A review item or a duty may name a declared kind; an undeclared one is unknown.
    let src = BUILTIN_PACK_SOURCE.replacen(
        "platform_kinds = [\"website\"]",
        "platform_kinds = [\"website\", \"xiaohongshu\"]",
        1,
    );
    let pack = parse_pack(&src).unwrap();
    let item = &pack.annual_review.as_ref().unwrap().items;
    assert!(item.iter().any(|i| i.platform_kinds.contains(&xhs)));
    let unknown = src.replacen("id = \"xiaohongshu\"", "id = \"kuaishou\"", 1);
    let diags = parse_pack(&unknown).unwrap_err();
    let text: Vec<String> = diags.iter().map(|d| d.render("p.toml", Lang::En)).collect();
    assert_eq!(text.len(), 1, "{text:?}");
    assert!(
        text[0].contains("unknown platform kind `xiaohongshu`"),
        "{text:?}"
    );

    // A declared id may not be a built-in one, be twice, or run over 32 characters.
    let built_in = BUILTIN_PACK_SOURCE.replacen("id = \"xiaohongshu\"", "id = \"weibo\"", 1);
    let text = parse_pack(&built_in).unwrap_err()[0].render("p.toml", Lang::Zh);
    assert!(text.contains("weibo"), "{text}");
    let long = BUILTIN_PACK_SOURCE.replacen(
        "id = \"xiaohongshu\"",
        &format!("id = \"{}\"", "x".repeat(33)),
        1,
    );
    assert!(parse_pack(&long).is_err());
    let twice = BUILTIN_PACK_SOURCE.replacen(
        "[[platform_kinds]]",
        "[[platform_kinds]]\nid = \"xiaohongshu\"\nname = \"小红书\"\nname_en = \"X\"\n\n[[platform_kinds]]",
        1,
    );
    let text = parse_pack(&twice).unwrap_err()[0].render("p.toml", Lang::En);
    assert!(
        text.contains("duplicate platform kind id `xiaohongshu`"),
        "{text}"
    );
}

#[test]
fn a_pack_grades_incidents_and_risk_with_clocks_and_levels_of_its_own() {
    use zeren_core::vocab::IncidentClock;
    let pack = builtin_pack().unwrap();
    let rules = pack.incidents.as_ref().expect("[incidents]");
    let ids: Vec<&str> = rules.severities.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(
        ids,
        ["general", "considerable", "major", "especially-major"]
    );
    let major = rules.severity("major").unwrap();
    assert!(major.personal_handling);
    assert_eq!(major.limit(IncidentClock::FirstResponse), Some(60));
    assert_eq!(major.limit(IncidentClock::ClosureReport), Some(7 * 24 * 60));
    assert!(!rules.severity("general").unwrap().personal_handling);
    assert_eq!(rules.escalate_after, 24 * 60);
    assert_eq!(rules.pause_reasons[0].id, "higher-level");
    let risk = pack.risk_assessment.as_ref().expect("[risk_assessment]");
    assert!(risk.level("high").unwrap().first_responsible_approval);
    assert!(!risk.level("medium").unwrap().first_responsible_approval);

    // A clock that is not a length, and a level twice, are told at their line and column.
    let bad = BUILTIN_PACK_SOURCE
        .replacen("first_response = \"1h\"", "first_response = \"an hour\"", 1)
        .replacen("id = \"considerable\"", "id = \"general\"", 1);
    let text: Vec<String> = parse_pack(&bad)
        .unwrap_err()
        .iter()
        .map(|d| d.render("p.toml", Lang::En))
        .collect();
    assert_eq!(text.len(), 2, "{text:?}");
    assert!(
        text.iter()
            .any(|t| t.contains("duplicate severity id `general`")),
        "{text:?}"
    );
    let clock = text.iter().find(|t| t.contains("an hour")).unwrap();
    let line = BUILTIN_PACK_SOURCE
        .lines()
        .position(|l| l.starts_with("first_response = \"1h\""))
        .unwrap()
        + 1;
    assert!(clock.starts_with(&format!("p.toml:{line}:18:")), "{clock}");
    assert!(clock.contains("a length such as 30m, 4h or 7d"), "{clock}");
}
