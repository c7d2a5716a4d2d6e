//! The official-document writer: the produced .docx is opened as a zip and its XML checked
//! against the GB/T 9704-2012 layout (A4, margins, the 22 × 28 grid, fonts, page numbers), and
//! read back with docx-rs's own reader.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{Cursor, Read};
use zeren_exports::docx::{Block, OfficialDoc, official_doc};

/// Millimetres to twips, rounded to the nearest.
fn twips(mm: f64) -> i64 {
    (mm * 1440.0 / 25.4).round() as i64
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

fn part_names(bytes: &[u8]) -> Vec<String> {
    let zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    zip.file_names().map(|n| n.unwrap().into_owned()).collect()
}

fn decision() -> OfficialDoc {
    OfficialDoc {
        issuer: "中共重庆大学纪律检查委员会".into(),
        number: Some("重大纪〔2026〕3号".into()),
        title: "关于对材料科学与工程学院党委\n落实全面从严治党主体责任不力问题的问责决定".into(),
        addressee: Some("材料科学与工程学院党委：".into()),
        blocks: vec![
            Block::Paragraph(
                "根据《中国共产党问责条例》第七条，经研究，决定如下。研发部门 R&D <测试> \"引号\" 'single'"
                    .into(),
            ),
            Block::Heading1("一、基本情况".into()),
            Block::Heading2("（一）问题事实".into()),
            Block::Heading3("1. 谈话提醒未按期开展".into()),
            Block::Heading4("（1）第一季度".into()),
            Block::Paragraph("“两个维护”落实不到位。第二行\n续行\t制表".into()),
            Block::Table {
                header: vec!["序号".into(), "事项".into(), "责任人".into()],
                rows: vec![
                    vec!["1".into(), "廉政谈话 & 记录".into(), "张三".into()],
                    vec!["2".into(), "短行".into()],
                ],
            },
            Block::PageBreak,
            Block::Paragraph("新的一页。".into()),
            Block::PageBreak,
            Block::Table {
                header: vec![],
                rows: vec![vec!["分页后的表格".into()]],
            },
        ],
        signer: Some("中共重庆大学纪律检查委员会".into()),
        date: Some("2026年12月6日".into()),
        attachments_note: Some("附件：1. 问责情况登记表\n2. 整改清单".into()),
        footer_note: Some(
            "抄送：学校党委办公室。\n中共重庆大学纪律检查委员会办公室\t2026年12月6日印发".into(),
        ),
    }
}

#[test]
fn decision_has_the_standard_layout() {
    let bytes = official_doc(&decision()).unwrap();
    assert!(bytes.starts_with(b"PK"), "not a zip");
    let doc = part(&bytes, "word/document.xml");

    // A4 and the margins 37/35/28/26 mm.
    assert!(doc.contains(r#"<w:pgSz w:w="11906" w:h="16838""#), "{doc}");
    assert_eq!((twips(210.0), twips(297.0)), (11906, 16838));
    let margins = format!(
        r#"<w:pgMar w:top="{}" w:right="{}" w:bottom="{}" w:left="{}""#,
        twips(37.0),
        twips(26.0),
        twips(35.0),
        twips(28.0)
    );
    assert_eq!(
        margins,
        r#"<w:pgMar w:top="2098" w:right="1474" w:bottom="1984" w:left="1587""#
    );
    assert!(doc.contains(&margins), "{doc}");

    // 22 lines of 579 twips fit the 225 mm text block; 28 characters of 16 pt − 842/4096 pt fit
    // 156 mm.
    assert!(
        doc.contains(
            r#"<w:docGrid w:type="linesAndChars" w:linePitch="579" w:charSpace="-842" />"#
        ),
        "{doc}"
    );
    let text_height = 16838 - 2098 - 1984;
    assert!((579 * 22..580 * 22).contains(&text_height));
    assert!(
        doc.contains(r#"<w:spacing w:line="579" w:lineRule="exact""#),
        "{doc}"
    );

    // Fonts, named as East-Asian fonts with a Latin font beside them.
    for font in ["方正小标宋简体", "仿宋_GB2312", "黑体", "楷体_GB2312"] {
        assert!(
            doc.contains(&format!(r#"w:eastAsia="{font}""#)),
            "no {font}"
        );
    }
    assert!(doc.contains(r#"w:ascii="Times New Roman""#));
    // Title 二号 (44 half-points), body 三号 (32), table 四号 (28).
    for size in ["44", "32", "28"] {
        assert!(
            doc.contains(&format!(r#"<w:sz w:val="{size}" />"#)),
            "no size {size}"
        );
    }

    // 版头: the red issuer, the number, the red rule.
    assert!(doc.contains("中共重庆大学纪律检查委员会"));
    assert!(doc.contains(r#"<w:color w:val="FF0000" />"#));
    assert!(doc.contains("重大纪〔2026〕3号"));
    assert!(doc.contains(r#"w:color="FF0000""#), "no red rule");

    // Title (with its manual line break), addressee, headings and body text as given.
    assert!(doc.contains("关于对材料科学与工程学院党委"));
    assert!(doc.contains("落实全面从严治党主体责任不力问题的问责决定"));
    assert!(doc.contains(r#"<w:br w:type="textWrapping" />"#));
    assert!(doc.contains("材料科学与工程学院党委："));
    for text in [
        "一、基本情况",
        "（一）问题事实",
        "1. 谈话提醒未按期开展",
        "（1）第一季度",
        "“两个维护”落实不到位。",
    ] {
        assert!(doc.contains(text), "no {text}");
    }
    assert!(doc.contains("<w:b />"), "third-level heading not bold");
    assert!(
        doc.contains(r#"<w:ind w:left="0" w:right="0" w:firstLine="632" />"#),
        "{doc}"
    );
    assert!(doc.contains("<w:tab />"));

    // Characters XML reserves are escaped once.
    assert!(doc.contains("R&amp;D &lt;测试&gt;"), "{doc}");
    assert!(!doc.contains("R&D"));
    assert!(!doc.contains("&amp;amp;"));
    assert!(doc.contains("廉政谈话 &amp; 记录"));

    // The table and the page breaks.
    assert!(doc.contains("<w:tbl>"));
    for text in ["序号", "责任人", "张三", "分页后的表格"] {
        assert!(doc.contains(text), "no {text}");
    }
    assert_eq!(doc.matches("<w:pageBreakBefore />").count(), 2, "{doc}");

    // Attachments, signer, date, and the 版记 floated to the bottom of the text block.
    assert!(doc.contains("附件：1. 问责情况登记表"));
    assert!(doc.contains("2026年12月6日"));
    assert!(doc.contains("抄送：学校党委办公室。"));
    assert!(doc.contains(r#"w:vertAnchor="margin""#) && doc.contains(r#"w:tblpYSpec="bottom""#));

    // Page numbers: odd and even footers, each with a PAGE field between em dashes.
    assert!(
        doc.contains(r#"<w:footerReference w:type="default""#),
        "{doc}"
    );
    assert!(doc.contains(r#"<w:footerReference w:type="even""#), "{doc}");
    let footers: Vec<String> = part_names(&bytes)
        .into_iter()
        .filter(|n| n.starts_with("word/footer") && n.ends_with(".xml"))
        .collect();
    assert_eq!(footers.len(), 2, "{footers:?}");
    for name in &footers {
        let footer = part(&bytes, name);
        assert!(
            footer.contains(r#"<w:fldChar w:fldCharType="begin""#),
            "{footer}"
        );
        assert!(
            footer.contains("<w:instrText>PAGE</w:instrText>"),
            "{footer}"
        );
        assert!(
            footer.contains(r#"<w:fldChar w:fldCharType="end""#),
            "{footer}"
        );
        assert!(footer.contains("— ") && footer.contains(" —"), "{footer}");
        assert!(footer.contains(r#"w:eastAsia="宋体""#), "{footer}");
    }
    assert!(part(&bytes, "word/settings.xml").contains("<w:evenAndOddHeaders"));

    // Property elements in schema order (docx-rs writes some out of order; Word may drop them).
    for rpr in doc.split("<w:rPr>").skip(1) {
        let rpr = &rpr[..rpr.find("</w:rPr>").unwrap()];
        if let (Some(fonts), Some(size)) = (rpr.find("<w:rFonts"), rpr.find("<w:sz ")) {
            assert!(fonts < size, "w:sz before w:rFonts: {rpr}");
        }
        if let (Some(color), Some(size)) = (rpr.find("<w:color"), rpr.find("<w:sz ")) {
            assert!(color < size, "w:sz before w:color: {rpr}");
        }
    }
    assert!(doc.contains(r#"<w:rPr><w:rFonts w:ascii="Times New Roman""#));
    assert!(doc.contains("<w:sectPr><w:footerReference"), "{doc}");
    assert!(doc.contains("<w:tblPr><w:tblpPr"), "{doc}");

    // docx-rs reads the package back.
    let read = docx_rs::read_docx(&bytes).unwrap();
    assert!(!read.document.children.is_empty());
}

#[test]
fn empty_document_is_still_a_docx() {
    let bytes = official_doc(&OfficialDoc::default()).unwrap();
    assert!(bytes.starts_with(b"PK"));
    let doc = part(&bytes, "word/document.xml");
    assert!(doc.contains("<w:body>") || doc.contains("<w:body"), "{doc}");
    assert!(doc.contains(r#"<w:pgSz w:w="11906" w:h="16838""#));
    assert!(part_names(&bytes).contains(&"[Content_Types].xml".to_owned()));
    docx_rs::read_docx(&bytes).unwrap();
}

#[test]
fn report_without_header_or_blocks() {
    // A duty report: no issuer, number or body yet; no red header is drawn.
    let bytes = official_doc(&OfficialDoc {
        title: "2026年度述职报告".into(),
        signer: Some("张三".into()),
        date: Some("2026年12月6日".into()),
        ..OfficialDoc::default()
    })
    .unwrap();
    let doc = part(&bytes, "word/document.xml");
    assert!(doc.contains("2026年度述职报告"));
    assert!(doc.contains("张三"));
    assert!(!doc.contains("FF0000"), "red header without an issuer");
    docx_rs::read_docx(&bytes).unwrap();
}

#[test]
fn control_characters_are_dropped() {
    let bytes = official_doc(&OfficialDoc {
        title: "标题\u{1}\u{8}".into(),
        blocks: vec![Block::Paragraph("正文\u{0}\u{1b}结束\r".into())],
        ..OfficialDoc::default()
    })
    .unwrap();
    let doc = part(&bytes, "word/document.xml");
    assert!(doc.contains("正文结束"));
    docx_rs::read_docx(&bytes).unwrap();
}
