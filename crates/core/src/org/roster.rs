//! The roster (组织机构/人员/任职 名册): the org tree, people, posts, holdings, portfolio
//! assignments and platforms as rows of a workbook, each value with the cell it came from.
//!
//! Reading and writing files (xlsx, CSV) is done by the `zeren-roster` crate; this module is the
//! shape both sides agree on, and where the rows are checked against the org model.

use chrono::NaiveDate;
use std::fmt;

mod plan;
pub use plan::{
    Counts, HoldingRef, PersonFacts, PersonRef, Plan, Planned, PlatformFacts, PostRef, RosterError,
    RosterProblem, Step, plan, plan_with_platforms, roster_of, roster_with_platforms,
};

/// A sheet of the roster workbook (or a CSV file of the same rows).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Sheet {
    /// 组织: the org tree.
    Orgs,
    /// 人员: people.
    People,
    /// 职务: posts.
    Posts,
    /// 任职: holdings.
    Holdings,
    /// 分管: portfolio assignments.
    Assignments,
    /// 阵地: platforms.
    Platforms,
}

impl Sheet {
    /// Every sheet, in workbook order (an org before its people, a post before its holders).
    pub const ALL: [Sheet; 6] = [
        Sheet::Orgs,
        Sheet::People,
        Sheet::Posts,
        Sheet::Holdings,
        Sheet::Assignments,
        Sheet::Platforms,
    ];

    /// The sheet's name in the workbook (the template is in Chinese; locations use it).
    pub fn title(self) -> &'static str {
        match self {
            Sheet::Orgs => "组织",
            Sheet::People => "人员",
            Sheet::Posts => "职务",
            Sheet::Holdings => "任职",
            Sheet::Assignments => "分管",
            Sheet::Platforms => "阵地",
        }
    }

    /// The stem of the sheet's CSV file (`people.csv`), also accepted as its name.
    pub fn stem(self) -> &'static str {
        match self {
            Sheet::Orgs => "orgs",
            Sheet::People => "people",
            Sheet::Posts => "posts",
            Sheet::Holdings => "holdings",
            Sheet::Assignments => "assignments",
            Sheet::Platforms => "platforms",
        }
    }

    /// The sheet named `name` (its title or its stem).
    pub fn named(name: &str) -> Option<Sheet> {
        let name = name.trim();
        Sheet::ALL
            .into_iter()
            .find(|s| s.title() == name || s.stem().eq_ignore_ascii_case(name))
    }
}

/// A cell of the roster: sheet, row (1-based, as spreadsheets number them) and column
/// (0-based; shown as letters). Displayed the way people find it: `人员!B7`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct At {
    /// The sheet.
    pub sheet: Sheet,
    /// Row, from 1 (row 1 holds the headers).
    pub row: u32,
    /// Column, from 0 (`A`).
    pub col: u16,
}

impl At {
    /// The column in letters: 0 → `A`, 25 → `Z`, 26 → `AA`.
    pub fn col_letters(&self) -> String {
        let mut n = u32::from(self.col) + 1;
        let mut out = Vec::new();
        while n > 0 {
            let rem = ((n - 1) % 26) as u8;
            out.push(char::from(b'A' + rem));
            n = (n - 1) / 26;
        }
        out.iter().rev().collect()
    }
}

impl fmt::Display for At {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}!{}{}",
            self.sheet.title(),
            self.col_letters(),
            self.row
        )
    }
}

/// A value read from a cell, with where it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell<T> {
    /// The value (text trimmed; never empty — an empty cell is `None` where optional).
    pub value: T,
    /// Where it was.
    pub at: At,
}

/// A text cell.
pub type Text = Cell<String>;
/// A date cell (a real date in xlsx; `YYYY-MM-DD` in CSV).
pub type Day = Cell<NaiveDate>;

/// A row of 组织: one org.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgRow {
    /// 组织代码 (kebab-case, the key).
    pub code: Text,
    /// 名称.
    pub name: Text,
    /// 类型: `university`/`college`/`unit`/`branch` or the Chinese name (学校/学院/单位/党支部).
    pub kind: Text,
    /// 上级组织代码; empty for the root.
    pub parent: Option<Text>,
    /// 成立日期.
    pub established_on: Option<Day>,
    /// 撤销日期.
    pub closed_on: Option<Day>,
}

/// A row of 人员: one person, keyed by staff number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonRow {
    /// 工号 (the key; a number stored by Excel is read as its digits).
    pub staff_no: Text,
    /// 姓名.
    pub name: Text,
    /// 所属组织代码.
    pub org: Text,
    /// 电子邮箱.
    pub email: Option<Text>,
    /// 企业微信账号.
    pub wecom: Option<Text>,
    /// 钉钉账号.
    pub dingtalk: Option<Text>,
    /// 离开日期: from the day after, their holdings have ended.
    pub left_on: Option<Day>,
}

/// A row of 职务: one post, keyed by its org and title.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostRow {
    /// 组织代码.
    pub org: Text,
    /// 职务类型: a post kind id of the policy pack or its Chinese name.
    pub kind: Text,
    /// 职务名称 (unique in its org).
    pub title: Text,
    /// 撤销日期.
    pub closed_on: Option<Day>,
}

/// A row of 任职: one holding of a post by a person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HoldingRow {
    /// 组织代码.
    pub org: Text,
    /// 职务名称.
    pub post: Text,
    /// 工号.
    pub staff_no: Text,
    /// 任职开始.
    pub start: Day,
    /// 任职结束; empty while held.
    pub end: Option<Day>,
}

/// A row of 分管: a portfolio held by the holder of a leadership post over some days.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssignmentRow {
    /// 组织代码.
    pub org: Text,
    /// 职务名称.
    pub post: Text,
    /// 工号.
    pub staff_no: Text,
    /// 分管领域: a portfolio id of the policy pack or its Chinese name.
    pub portfolio: Text,
    /// 开始.
    pub start: Day,
    /// 结束; empty while held.
    pub end: Option<Day>,
}

/// A row of 阵地: one platform, keyed by its code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlatformRow {
    /// 平台代码 (kebab-case, the key).
    pub code: Text,
    /// 名称.
    pub name: Text,
    /// 类型: a platform kind (`website`, `wechat-official`, …) or its Chinese name.
    pub kind: Text,
    /// 所属组织代码.
    pub org: Text,
    /// 分管领域: a portfolio id of the policy pack or its Chinese name.
    pub portfolio: Option<Text>,
    /// 新闻舆论功能: 是/否 (empty: 否).
    pub news_function: Option<Text>,
    /// 登记日期: the day it entered the registry (empty: the day of the import).
    pub opened_on: Option<Day>,
    /// 状态: `planned`/`active` (筹建/运行) for a new platform, empty: active; a stored
    /// platform's state is moved by steps, not by a roster.
    pub state: Option<Text>,
    /// 管理员工号: staff numbers separated by `、` or `,`.
    pub operators: Option<Text>,
    /// ICP 备案号 (websites).
    pub icp: Option<Text>,
    /// 账号 ID (accounts).
    pub account_id: Option<Text>,
    /// 注册日期.
    pub registered_on: Option<Day>,
    /// 注册主体.
    pub registering_body: Option<Text>,
}

/// A whole roster, sheet by sheet, rows in file order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Roster {
    /// 组织.
    pub orgs: Vec<OrgRow>,
    /// 人员.
    pub people: Vec<PersonRow>,
    /// 职务.
    pub posts: Vec<PostRow>,
    /// 任职.
    pub holdings: Vec<HoldingRow>,
    /// 分管.
    pub assignments: Vec<AssignmentRow>,
    /// 阵地.
    pub platforms: Vec<PlatformRow>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_named_as_spreadsheets_name_them() {
        let at = |col, row| At {
            sheet: Sheet::People,
            row,
            col,
        };
        assert_eq!(at(0, 1).to_string(), "人员!A1");
        assert_eq!(at(1, 7).to_string(), "人员!B7");
        assert_eq!(at(25, 2).to_string(), "人员!Z2");
        assert_eq!(at(26, 2).to_string(), "人员!AA2");
        assert_eq!(at(701, 3).to_string(), "人员!ZZ3");
        assert_eq!(at(702, 3).to_string(), "人员!AAA3");
    }

    #[test]
    fn sheets_are_found_by_title_or_stem() {
        assert_eq!(Sheet::named("任职"), Some(Sheet::Holdings));
        assert_eq!(Sheet::named(" People "), Some(Sheet::People));
        assert_eq!(Sheet::named("人事"), None);
    }
}
