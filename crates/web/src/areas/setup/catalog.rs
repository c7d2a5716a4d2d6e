//! The words of the first-run page, Chinese and English.

use crate::shared::i18n::Catalog;

/// This area's catalogue.
pub const CATALOG: Catalog = Catalog { zh: ZH, en: EN };

/// Chinese UI strings of this area.
pub const ZH: &[(&str, &str)] = &[
    ("setup.title", "建立顶端组织"),
    (
        "setup.lead",
        "这是一套新安装的 Zeren，尚无任何组织。请建立顶端组织（学校党委）：您将成为其组织人事管理员，随后可录入学院等下级组织、人员、职务、任职和分管，或上传组织机构名册。",
    ),
    (
        "setup.code_hint",
        "小写字母、数字和连字符，如 xyz；下级组织的代码通常以它开头（xyz-cs）。",
    ),
    ("setup.name_hint", "如：某大学党委。"),
    ("setup.submit", "建立顶端组织"),
    (
        "setup.error.not_founder",
        "尚未建立任何组织。顶端组织由安全管理员指定的首位组织管理员建立；请联系安全管理员。",
    ),
    ("setup.error.conflict", "设置已被更改，请刷新后重试。"),
];

/// English UI strings of this area.
pub const EN: &[(&str, &str)] = &[
    ("setup.title", "Create the root org"),
    (
        "setup.lead",
        "This is a new installation of Zeren with no org yet. Create the root org (the university party committee): you become its org administrator, and can then enter the colleges and other orgs below it, people, posts, holdings and portfolios, or upload a roster.",
    ),
    (
        "setup.code_hint",
        "Lower-case letters, digits and hyphens, e.g. xyz; the codes of the orgs below usually start with it (xyz-cs).",
    ),
    ("setup.name_hint", "E.g. 某大学党委."),
    ("setup.submit", "Create the root org"),
    (
        "setup.error.not_founder",
        "No org exists yet. The root org is created by the first org administrator the security administrator designates; please ask the security administrator.",
    ),
    (
        "setup.error.conflict",
        "The settings changed meanwhile; reload and try again.",
    ),
];
