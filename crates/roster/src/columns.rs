//! The columns of each sheet: one table that the readers, the writer and the 说明 sheet share, so
//! a header the template writes is always one the reader accepts.

use zeren_core::org::roster::Sheet;

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Text (codes and staff numbers included: they are written as text so Excel keeps `00123`).
    Text,
    /// A date.
    Date,
}

/// A column of a sheet.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Col {
    /// The field of the row type: also accepted as a header, so scripts can write CSV.
    pub field: &'static str,
    /// The header the template writes.
    pub header: &'static str,
    pub kind: Kind,
    /// Not an `Option` in the row type.
    pub required: bool,
    /// Column width in Excel's character units.
    pub width: f64,
    /// What goes in it, for the 说明 sheet.
    pub note: &'static str,
}

const fn text(
    field: &'static str,
    header: &'static str,
    required: bool,
    width: f64,
    note: &'static str,
) -> Col {
    Col {
        field,
        header,
        kind: Kind::Text,
        required,
        width,
        note,
    }
}

const fn date(
    field: &'static str,
    header: &'static str,
    required: bool,
    note: &'static str,
) -> Col {
    Col {
        field,
        header,
        kind: Kind::Date,
        required,
        width: 12.0,
        note,
    }
}

const ORGS: [Col; 6] = [
    text(
        "code",
        "组织代码",
        true,
        18.0,
        "组织的唯一代码，小写字母、数字和连字符，如 xyz-chem",
    ),
    text("name", "名称", true, 24.0, "组织全称，如 化学化工学院"),
    text(
        "kind",
        "类型",
        true,
        10.0,
        "university/college/unit/branch，或 学校/学院/单位/党支部",
    ),
    text(
        "parent",
        "上级组织代码",
        false,
        16.0,
        "上级组织的组织代码；最上级组织留空",
    ),
    date(
        "established_on",
        "成立日期",
        false,
        "日期格式单元格，可留空",
    ),
    date(
        "closed_on",
        "撤销日期",
        false,
        "组织撤销的日期；仍存续则留空",
    ),
];

const PEOPLE: [Col; 7] = [
    text(
        "staff_no",
        "工号",
        true,
        14.0,
        "人员的唯一工号；请设为文本格式，以免 Excel 去掉开头的 0",
    ),
    text("name", "姓名", true, 10.0, "姓名"),
    text("org", "所属组织代码", true, 16.0, "所在组织的组织代码"),
    text("email", "电子邮箱", false, 26.0, "用于提醒，可留空"),
    text(
        "wecom",
        "企业微信账号",
        false,
        14.0,
        "企业微信 userid，可留空",
    ),
    text("dingtalk", "钉钉账号", false, 12.0, "钉钉 userid，可留空"),
    date(
        "left_on",
        "离开日期",
        false,
        "调离或退休的日期；此后其任职均视为结束。在岗则留空",
    ),
];

const POSTS: [Col; 4] = [
    text("org", "组织代码", true, 16.0, "职务所在组织的组织代码"),
    text(
        "kind",
        "职务类型",
        true,
        18.0,
        "政策包中的职务类型代码或中文名，如 secretary 或 党委书记",
    ),
    text(
        "title",
        "职务名称",
        true,
        24.0,
        "职务名称，在同一组织内唯一，如 党委副书记（分管宣传）",
    ),
    date(
        "closed_on",
        "撤销日期",
        false,
        "职务撤销的日期；仍设置则留空",
    ),
];

const HOLDINGS: [Col; 5] = [
    text("org", "组织代码", true, 16.0, "职务所在组织的组织代码"),
    text("post", "职务名称", true, 24.0, "与“职务”表中的职务名称一致"),
    text("staff_no", "工号", true, 14.0, "任职人员的工号"),
    date("start", "任职开始", true, "任职开始日期（必填）"),
    date("end", "任职结束", false, "任职结束日期；现任则留空"),
];

const ASSIGNMENTS: [Col; 6] = [
    text("org", "组织代码", true, 16.0, "职务所在组织的组织代码"),
    text(
        "post",
        "职务名称",
        true,
        24.0,
        "领导班子职务的名称，与“职务”表一致",
    ),
    text(
        "staff_no",
        "工号",
        true,
        14.0,
        "分管人员的工号，须在此期间担任该职务",
    ),
    text(
        "portfolio",
        "分管领域",
        true,
        14.0,
        "政策包中的分管领域代码或中文名，如 publicity 或 宣传思想",
    ),
    date("start", "开始", true, "分管开始日期（必填）"),
    date("end", "结束", false, "分管结束日期；仍分管则留空"),
];

const PLATFORMS: [Col; 13] = [
    text(
        "code",
        "平台代码",
        true,
        20.0,
        "平台的唯一代码，小写字母、数字和连字符，如 xyz-chem-wechat",
    ),
    text(
        "name",
        "名称",
        true,
        24.0,
        "平台名称，如 化学化工学院微信公众号",
    ),
    text(
        "kind",
        "类型",
        true,
        14.0,
        "website/wechat-official/weibo/video/douyin/bilibili/forum/livestream/app/other，或 网站/微信公众号/微博/视频号/抖音号/哔哩哔哩账号/论坛/直播账号/客户端/其他",
    ),
    text(
        "org",
        "所属组织代码",
        true,
        16.0,
        "主办平台的组织的组织代码",
    ),
    text(
        "portfolio",
        "分管领域",
        false,
        14.0,
        "政策包中的分管领域代码或中文名，如 publicity 或 宣传思想；可留空",
    ),
    text(
        "news_function",
        "新闻舆论功能",
        false,
        10.0,
        "是 或 否；留空为否",
    ),
    date(
        "opened_on",
        "登记日期",
        false,
        "平台纳入登记的日期；留空为导入当天。已登记的平台不因此更改",
    ),
    text(
        "state",
        "状态",
        false,
        10.0,
        "新平台为 筹建(planned) 或 运行(active)，留空为运行；已登记平台的状态须在平台页面逐步变更，此处只能与现状一致",
    ),
    text(
        "operators",
        "管理员工号",
        false,
        20.0,
        "平台管理员的工号，多人用“、”或“,”分隔；须为所属组织或其下级组织的人员",
    ),
    text(
        "icp",
        "ICP备案号",
        false,
        22.0,
        "网站的 ICP 备案号，如 渝ICP备05003022号-1；可留空",
    ),
    text(
        "account_id",
        "账号ID",
        false,
        18.0,
        "账号的 ID（公众号原始ID、微博 UID 等）；可留空",
    ),
    date("registered_on", "注册日期", false, "账号注册的日期；可留空"),
    text(
        "registering_body",
        "注册主体",
        false,
        20.0,
        "账号的注册主体；可留空。运行中的账号填写备案登记时，账号ID、注册日期和注册主体须一并填写",
    ),
];

/// The columns of `sheet`, in template order (the order the row type lists its fields).
pub(crate) fn columns(sheet: Sheet) -> &'static [Col] {
    match sheet {
        Sheet::Orgs => &ORGS,
        Sheet::People => &PEOPLE,
        Sheet::Posts => &POSTS,
        Sheet::Holdings => &HOLDINGS,
        Sheet::Assignments => &ASSIGNMENTS,
        Sheet::Platforms => &PLATFORMS,
    }
}

/// The column of `sheet` that `header` names (the Chinese header or the field name).
pub(crate) fn find(sheet: Sheet, header: &str) -> Option<usize> {
    columns(sheet)
        .iter()
        .position(|c| c.header == header || c.field.eq_ignore_ascii_case(header))
}

/// A sheet that holds instructions for people, not rows: allowed and skipped.
pub(crate) fn is_instructions(name: &str) -> bool {
    let name = name.trim();
    name == "说明" || name.eq_ignore_ascii_case("readme")
}
