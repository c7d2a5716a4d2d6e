//! The words of the roster import and export, Chinese and English.

use crate::shared::i18n::Catalog;

/// This area's catalogue.
pub const CATALOG: Catalog = Catalog { zh: ZH, en: EN };

/// Chinese UI strings of this area.
pub const ZH: &[(&str, &str)] = &[
    ("roster.title", "组织机构名册"),
    (
        "roster.lead",
        "用一张 Excel 工作簿（组织、人员、职务、任职、分管、阵地六张表）录入或更新本组织的组织机构、人员、职务、任职、分管和阵地（新媒体平台）。上传后先预览：列出将新增、变更、结束和保持不变的内容，以及每个问题所在的单元格；确认后整份名册一次写入，有任何问题则什么也不写。同一份名册导入两次不会改变任何内容；下一届的名册按文件中的日期办理交接。",
    ),
    ("roster.nav", "名册"),
    ("roster.template", "下载名册模板"),
    (
        "roster.template_hint",
        "模板有中文表头和一行示例；也可上传以表名命名的 CSV 文件（UTF-8 或 GB18030）。",
    ),
    ("roster.template_name", "组织机构名册模板"),
    ("roster.export", "导出本组织名册"),
    ("roster.export_name", "组织机构名册"),
    ("roster.upload", "上传名册"),
    ("roster.file", "名册文件（.xlsx，或多个 .csv）"),
    ("roster.preview", "预览"),
    ("roster.preview_title", "导入预览"),
    ("roster.sheet", "表"),
    ("roster.created", "新增"),
    ("roster.changed", "变更"),
    ("roster.ended", "结束"),
    ("roster.unchanged", "不变"),
    ("roster.more", "另有 {n} 项未列出。"),
    (
        "roster.nothing",
        "名册与现有数据一致，导入不会改变任何内容。",
    ),
    ("roster.confirm", "确认导入"),
    (
        "roster.confirm_hint",
        "导入在一个事务中完成，每项变更都记入审计日志。",
    ),
    (
        "roster.problems",
        "名册有以下问题，未写入任何内容。请修改后重新上传：",
    ),
    ("roster.done", "导入完成：写入 {n} 项变更。"),
    ("roster.now", "至今"),
    ("roster.step.create", "新增"),
    ("roster.step.change", "变更"),
    ("roster.step.end", "结束"),
    ("roster.step.handover", "交接"),
    ("roster.change.name", "名称改为“{value}”"),
    ("roster.change.parent", "上级改为 {value}"),
    ("roster.change.closed", "{day} 撤销"),
    ("roster.change.reopened", "恢复"),
    ("roster.change.left", "{day} 离开"),
    ("roster.change.until", "至 {day}"),
    (
        "roster.error.upload",
        "无法读取上传的文件，请重新选择文件上传。",
    ),
    ("roster.error.no_file", "请选择名册文件。"),
    ("roster.error.too_large", "文件超过 {mb} MB，未读取。"),
    (
        "roster.error.one_workbook",
        "一次只能上传一个 Excel 工作簿（或若干 CSV 文件）。",
    ),
    (
        "roster.error.storage",
        "暂时无法保存上传的名册，请稍后再试。",
    ),
    ("roster.error.expired", "预览已失效，请重新上传名册。"),
    (
        "roster.error.refused",
        "导入未完成，没有写入任何内容：{reason}",
    ),
    ("roster.error.write", "无法生成名册文件。"),
    ("roster.error.dry_run", "dry_run 只能是 true 或 false。"),
    ("roster.error.duplicate", "与 {first} 重复。"),
    (
        "roster.error.bad_code",
        "组织代码只能由小写字母、数字和单个连字符组成。",
    ),
    (
        "roster.error.org_kind",
        "组织类型应为 学校、学院、单位 或 党支部。",
    ),
    (
        "roster.error.unknown_org",
        "组织代码不存在（名册和现有组织中都没有，或不在您管理的范围内）。",
    ),
    ("roster.error.kind_under", "{kind}不能设在{parent}之下。"),
    (
        "roster.error.second_root",
        "组织树已有根组织 {root}；其他组织须填写上级组织代码。",
    ),
    ("roster.error.root_kind", "只有学校可以没有上级组织。"),
    ("roster.error.cycle", "上级组织形成循环。"),
    (
        "roster.error.kind_changed",
        "现有组织的类型是{kind}，名册不能改变组织类型。",
    ),
    ("roster.error.closed_early", "撤销日期早于成立日期。"),
    ("roster.error.post_kind", "职务类型不是制度规定的职务。"),
    ("roster.error.post_not_of_org", "{kind}不设{post}。"),
    (
        "roster.error.first_taken",
        "第一责任人职务只设一个：本组织已有这一职务。",
    ),
    (
        "roster.error.post_kind_changed",
        "现有职务的类型是{post}，名册不能改变职务类型。",
    ),
    (
        "roster.error.post_closing",
        "名册不能撤销职务，请在组织页面办理。",
    ),
    (
        "roster.error.unknown_post",
        "本组织没有这一职务（名册的职务表和现有职务中都没有）。",
    ),
    (
        "roster.error.unknown_staff_no",
        "工号不存在（名册的人员表和现有人员中都没有）。",
    ),
    (
        "roster.error.ambiguous_person",
        "本组织有多位同名且没有工号的人员，无法确定是哪一位，请先在人员页面补上工号。",
    ),
    ("roster.error.end_before_start", "结束日期早于开始日期。"),
    (
        "roster.error.overlap",
        "这一职务只设一人，与 {start} – {end} 的任职重叠。",
    ),
    (
        "roster.error.same_person",
        "同一人在重叠的日期内重复任这一职务。",
    ),
    ("roster.error.reopened", "已结束的任职不能通过名册恢复。"),
    ("roster.error.portfolio", "分管领域不是制度规定的领域。"),
    (
        "roster.error.not_leadership",
        "这一职务不是领导班子职务，不能分管领域。",
    ),
    ("roster.error.no_holding", "开始日期那天此人不任这一职务。"),
    (
        "roster.error.outside_holding",
        "分管日期须在任职期内（{start} – {end}）。",
    ),
    (
        "roster.error.portfolio_taken",
        "本组织已有领导分管这一领域（{start} – {end}）；同一天一个领域只由一位领导分管。",
    ),
    (
        "roster.error.platform_kind",
        "平台类型应为以下之一：{expected}。",
    ),
    ("roster.error.yes_no", "应填写“是”或“否”。"),
    (
        "roster.error.platform_start",
        "新平台的状态只能是 筹建 或 运行。",
    ),
    (
        "roster.error.platform_state",
        "平台状态应为 筹建、已备案、运行、暂停 或 关停。",
    ),
    (
        "roster.error.platform_kind_changed",
        "现有平台的类型是{kind}，名册不能改变平台类型。",
    ),
    (
        "roster.error.platform_org_changed",
        "现有平台属于 {org}，名册不能改变平台的所属组织。",
    ),
    (
        "roster.error.platform_state_changed",
        "现有平台的状态是“{state}”；平台状态须在平台页面逐步变更，名册不能改变。",
    ),
    (
        "roster.error.operator_outside",
        "平台管理员须为平台所属组织或其下级组织的人员。",
    ),
    ("roster.error.too_many_operators", "平台管理员过多。"),
    ("roster.error.too_long", "不能超过 {max} 个字符。"),
    (
        "roster.error.icp",
        "ICP 备案号格式不正确，应如 渝ICP备05003022号 或 渝ICP备05003022号-1。",
    ),
    (
        "roster.error.icp_required",
        "已备案或运行中的网站填写备案登记时须填写 ICP 备案号。",
    ),
    (
        "roster.error.account_required",
        "已备案或运行中的账号填写备案登记时，账号ID、注册日期和注册主体须一并填写。",
    ),
    ("roster.change.registration", "备案登记更新"),
];

/// English UI strings of this area.
pub const EN: &[(&str, &str)] = &[
    ("roster.title", "Organisation roster"),
    (
        "roster.lead",
        "Enter or update the org tree, people, posts, holdings, portfolio assignments and platforms with one Excel workbook (sheets 组织, 人员, 职务, 任职, 分管, 阵地). An upload is previewed first: what will be created, changed, ended and left alone, and every problem at its cell; on confirmation the whole roster is written at once, and nothing is written while any problem remains. Importing the same roster twice changes nothing; next term's roster hands posts over on the file's dates.",
    ),
    ("roster.nav", "Roster"),
    ("roster.template", "Download the roster template"),
    (
        "roster.template_hint",
        "The template has Chinese headers and one example row; CSV files named by sheet (UTF-8 or GB18030) are read too.",
    ),
    ("roster.template_name", "roster-template"),
    ("roster.export", "Export the roster of your orgs"),
    ("roster.export_name", "roster-"),
    ("roster.upload", "Upload a roster"),
    ("roster.file", "Roster file (.xlsx, or several .csv)"),
    ("roster.preview", "Preview"),
    ("roster.preview_title", "Import preview"),
    ("roster.sheet", "Sheet"),
    ("roster.created", "New"),
    ("roster.changed", "Changed"),
    ("roster.ended", "Ended"),
    ("roster.unchanged", "Unchanged"),
    ("roster.more", "{n} more not listed."),
    (
        "roster.nothing",
        "The roster matches what is stored: importing it changes nothing.",
    ),
    ("roster.confirm", "Import"),
    (
        "roster.confirm_hint",
        "The import is one transaction; every change is in the audit log.",
    ),
    (
        "roster.problems",
        "The roster has these problems; nothing was written. Fix them and upload it again:",
    ),
    ("roster.done", "Imported: {n} changes written."),
    ("roster.now", "now"),
    ("roster.step.create", "New"),
    ("roster.step.change", "Changed"),
    ("roster.step.end", "Ended"),
    ("roster.step.handover", "Handed over"),
    ("roster.change.name", "renamed “{value}”"),
    ("roster.change.parent", "moved under {value}"),
    ("roster.change.closed", "closed on {day}"),
    ("roster.change.reopened", "reopened"),
    ("roster.change.left", "left on {day}"),
    ("roster.change.until", "until {day}"),
    (
        "roster.error.upload",
        "The upload could not be read; choose the file and upload it again.",
    ),
    ("roster.error.no_file", "Choose a roster file."),
    (
        "roster.error.too_large",
        "The file is over {mb} MB and was not read.",
    ),
    (
        "roster.error.one_workbook",
        "Upload one Excel workbook at a time (or several CSV files).",
    ),
    (
        "roster.error.storage",
        "The roster could not be kept; try again later.",
    ),
    (
        "roster.error.expired",
        "The preview has expired; upload the roster again.",
    ),
    ("roster.error.refused", "Nothing was imported: {reason}"),
    (
        "roster.error.write",
        "The roster workbook could not be written.",
    ),
    ("roster.error.dry_run", "dry_run must be true or false."),
    ("roster.error.duplicate", "Repeats {first}."),
    (
        "roster.error.bad_code",
        "An org code has lower-case letters, digits and single hyphens only.",
    ),
    (
        "roster.error.org_kind",
        "The org kind must be university, college, unit or branch (学校, 学院, 单位, 党支部).",
    ),
    (
        "roster.error.unknown_org",
        "No such org code (neither in the roster nor stored, or outside the orgs you manage).",
    ),
    (
        "roster.error.kind_under",
        "A {kind} cannot sit under a {parent}.",
    ),
    (
        "roster.error.second_root",
        "The tree's root is {root}; every other org names its parent.",
    ),
    ("roster.error.root_kind", "Only a university has no parent."),
    ("roster.error.cycle", "The parents form a loop."),
    (
        "roster.error.kind_changed",
        "The stored org is a {kind}; a roster does not change an org's kind.",
    ),
    (
        "roster.error.closed_early",
        "Closed before it was established.",
    ),
    ("roster.error.post_kind", "Not a post kind of the policy."),
    ("roster.error.post_not_of_org", "A {kind} has no {post}."),
    (
        "roster.error.first_taken",
        "The first-responsible post is set up once: the org has it already.",
    ),
    (
        "roster.error.post_kind_changed",
        "The stored post is a {post}; a roster does not change a post's kind.",
    ),
    (
        "roster.error.post_closing",
        "A roster does not close posts; do it on the org's page.",
    ),
    (
        "roster.error.unknown_post",
        "The org has no such post (neither in the posts sheet nor stored).",
    ),
    (
        "roster.error.unknown_staff_no",
        "No such staff number (neither in the people sheet nor stored).",
    ),
    (
        "roster.error.ambiguous_person",
        "Several people of the org have this name and no staff number: give them staff numbers on the people page first.",
    ),
    ("roster.error.end_before_start", "Ends before it starts."),
    (
        "roster.error.overlap",
        "The post has one holder a day: this overlaps the holding {start} – {end}.",
    ),
    (
        "roster.error.same_person",
        "The same person holds the post twice on overlapping days.",
    ),
    (
        "roster.error.reopened",
        "A roster does not reopen an ended holding.",
    ),
    ("roster.error.portfolio", "Not a portfolio of the policy."),
    (
        "roster.error.not_leadership",
        "Not a leadership post: it holds no portfolios.",
    ),
    (
        "roster.error.no_holding",
        "The person does not hold the post on the first day.",
    ),
    (
        "roster.error.outside_holding",
        "The assignment must lie within the holding ({start} – {end}).",
    ),
    (
        "roster.error.portfolio_taken",
        "Another leader of the org holds this portfolio ({start} – {end}); one leader holds a portfolio on a day.",
    ),
    (
        "roster.error.platform_kind",
        "The platform kind must be one of: {expected} (or its Chinese name).",
    ),
    ("roster.error.yes_no", "Write 是 (yes) or 否 (no)."),
    (
        "roster.error.platform_start",
        "A new platform starts planned or active.",
    ),
    (
        "roster.error.platform_state",
        "The platform state must be planned, registered, active, suspended or closed.",
    ),
    (
        "roster.error.platform_kind_changed",
        "The stored platform is a {kind}; a roster does not change a platform's kind.",
    ),
    (
        "roster.error.platform_org_changed",
        "The stored platform belongs to {org}; a roster does not change a platform's org.",
    ),
    (
        "roster.error.platform_state_changed",
        "The stored platform is {state}; its state moves step by step on its page, not by a roster.",
    ),
    (
        "roster.error.operator_outside",
        "A platform's operators are people of its org or of an org below it.",
    ),
    ("roster.error.too_many_operators", "Too many operators."),
    ("roster.error.too_long", "At most {max} characters."),
    (
        "roster.error.icp",
        "Not an ICP number of the form 渝ICP备05003022号 or 渝ICP备05003022号-1.",
    ),
    (
        "roster.error.icp_required",
        "A website registered or running is registered by its ICP number.",
    ),
    (
        "roster.error.account_required",
        "An account registered or running gives its account id, the day it was registered and its registering body together.",
    ),
    ("roster.change.registration", "registration updated"),
];
