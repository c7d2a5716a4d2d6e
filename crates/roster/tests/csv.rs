//! Reading rosters from CSV files: encodings, headers in either language, located faults.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{d, told, values};
use zeren_core::Lang;
use zeren_roster::{CsvFault, ProblemKind, read_csv, read_xlsx, write_xlsx};

const PEOPLE: &str = "工号,姓名,所属组织代码,电子邮箱,企业微信账号,钉钉账号,离开日期\r\n\
00123,张三,xyz-chem,zhangsan@xyz.edu.cn,,,\r\n\
20230002, 李四 ,xyz-chem,,,lisi,2025/7/31\r\n\
\r\n\
A-7,王五,xyz,,,,2025-08-01\r\n";

const HOLDINGS: &str = "组织代码,职务名称,工号,任职开始,任职结束\n\
xyz-chem,\"党委书记\",00123,2021-03-01,\n";

fn files(list: &[(&str, Vec<u8>)]) -> Vec<(String, Vec<u8>)> {
    list.iter()
        .map(|(n, b)| (n.to_string(), b.clone()))
        .collect()
}

fn utf8_bom(s: &str) -> Vec<u8> {
    let mut b = vec![0xef, 0xbb, 0xbf];
    b.extend_from_slice(s.as_bytes());
    b
}

fn gb18030(s: &str) -> Vec<u8> {
    let (bytes, _, unmappable) = encoding_rs::GB18030.encode(s);
    assert!(!unmappable);
    bytes.into_owned()
}

#[test]
fn utf8_with_bom_and_gb18030_read_alike() {
    let utf8 = read_csv(&files(&[
        ("人员.csv", utf8_bom(PEOPLE)),
        ("holdings.csv", utf8_bom(HOLDINGS)),
    ]))
    .unwrap_or_else(|p| panic!("{:#?}", told(&p)));
    let gbk = read_csv(&files(&[
        ("人员.csv", gb18030(PEOPLE)),
        ("holdings.csv", gb18030(HOLDINGS)),
    ]))
    .unwrap_or_else(|p| panic!("{:#?}", told(&p)));
    // The GB18030 bytes are not UTF-8, so they were really decoded as GB18030.
    assert!(std::str::from_utf8(&gb18030(PEOPLE)).is_err());
    assert_eq!(utf8, gbk);
    assert_eq!(utf8.people.len(), 3);
    assert_eq!(utf8.people[0].staff_no.value, "00123");
    assert_eq!(utf8.people[1].name.value, "李四");
    assert_eq!(
        utf8.people[1].left_on.as_ref().unwrap().value,
        d("2025-07-31")
    );
    assert_eq!(
        utf8.people[1].left_on.as_ref().unwrap().at.to_string(),
        "人员!G3"
    );
    // A blank line is skipped but still counted, as Excel numbers rows.
    assert_eq!(utf8.people[2].staff_no.at.to_string(), "人员!A5");
    assert_eq!(
        utf8.people[2].left_on.as_ref().unwrap().value,
        d("2025-08-01")
    );
    assert_eq!(utf8.holdings[0].post.value, "党委书记");
    assert!(utf8.orgs.is_empty());
}

#[test]
fn english_headers_in_any_order_read() {
    let csv = "name,kind,code,parent\nChemistry,college,xyz-chem,xyz\n某某大学,university,xyz,\n";
    let r = read_csv(&files(&[("orgs.csv", csv.as_bytes().to_vec())]))
        .unwrap_or_else(|p| panic!("{:#?}", told(&p)));
    assert_eq!(r.orgs.len(), 2);
    assert_eq!(r.orgs[0].code.value, "xyz-chem");
    assert_eq!(r.orgs[0].code.at.to_string(), "组织!C2");
    assert_eq!(r.orgs[1].parent, None);
}

#[test]
fn a_csv_roster_equals_its_workbook() {
    let from_csv = read_csv(&files(&[
        ("people.csv", PEOPLE.as_bytes().to_vec()),
        ("任职.csv", HOLDINGS.as_bytes().to_vec()),
    ]))
    .unwrap();
    let from_xlsx = read_xlsx(&write_xlsx(&from_csv).unwrap()).unwrap();
    assert_eq!(values(&from_csv), values(&from_xlsx));
}

#[test]
fn an_unbalanced_quote_is_located() {
    let csv = "工号,姓名,所属组织代码\n1,张三,xyz\n2,\"李四,xyz\n3,王五,xyz\n";
    let problems = read_csv(&files(&[("people.csv", csv.as_bytes().to_vec())])).unwrap_err();
    assert_eq!(problems.len(), 1, "{problems:#?}");
    let message = problems[0].message(Lang::En);
    assert!(message.starts_with("people.csv:3: "), "{message}");
    assert!(matches!(
        problems[0].kind,
        ProblemKind::Csv {
            line: 3,
            fault: CsvFault::FieldCount { .. } | CsvFault::OpenQuote,
            ..
        }
    ));
    assert_eq!(problems[0].at.unwrap().to_string(), "人员!A3");

    // In the last line, the open quote swallows the line end and still makes three fields.
    let csv = "工号,姓名,所属组织代码\n1,张三,\"xyz\n";
    let problems = read_csv(&files(&[("people.csv", csv.as_bytes().to_vec())])).unwrap_err();
    assert_eq!(told(&problems).len(), 1, "{problems:#?}");
    assert!(problems[0].message(Lang::Zh).starts_with("people.csv:2: "));

    // Too few fields on a line of its own.
    let csv = "工号,姓名,所属组织代码\n1,张三\n2,李四,xyz\n";
    let problems = read_csv(&files(&[("people.csv", csv.as_bytes().to_vec())])).unwrap_err();
    assert_eq!(
        problems[0].kind,
        ProblemKind::Csv {
            file: "people.csv".into(),
            line: 2,
            fault: CsvFault::FieldCount {
                expected: 3,
                found: 2
            }
        }
    );
}

#[test]
fn csv_dates_unknown_files_and_bad_encodings() {
    let holdings =
        "org,post,staff_no,start,end\nxyz,书记,1,2024-9-1,明天\nxyz,书记,2,,2024.09.01\n";
    let problems = read_csv(&files(&[
        ("README.csv", b"anything".to_vec()),
        ("holdings.csv", holdings.as_bytes().to_vec()),
        ("peple.csv", b"x".to_vec()),
        ("posts.csv", vec![0xff, 0xfe, 0x00]),
    ]))
    .unwrap_err();
    assert_eq!(
        told(&problems),
        [
            "- UnknownSheet { name: \"peple.csv\" }",
            "- BadEncoding { file: \"posts.csv\" }",
            "任职!E2 NotADate { found: \"明天\" }",
            "任职!D3 Required { header: \"任职开始\" }",
            "任职!E3 NotADate { found: \"2024.09.01\" }",
        ]
    );
}
