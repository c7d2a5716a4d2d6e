//! The indicators view's words, Chinese and English.

use crate::shared::i18n::Catalog;

/// This area's catalogue.
pub const CATALOG: Catalog = Catalog { zh: ZH, en: EN };

/// Chinese UI strings of this area.
pub const ZH: &[(&str, &str)] = &[
    ("indicators.nav", "问责提示"),
    ("indicators.open_case", "据此立案"),
    ("indicators.title", "问责情形提示"),
    (
        "indicators.lead",
        "台账中可能涉及第五条问责情形的事实，各附佐证和当时的责任人：重大舆情事件处置超时或结案时无第一责任人亲自处置（第五条第（二）项），舆情事件处置超时、重大项目未经批准的风险评估即实施（第五条第（三）项），年审逾期、阵地事项长期逾期（第五条第（六）项），未经审批即举办或审批后变更的网上活动（第五条第（七）项）。这些只是供核查的事实，不是结论；是否问责由纪委依程序决定。",
    ),
    ("indicators.filter.org", "组织"),
    ("indicators.all_orgs", "全部组织"),
    ("indicators.filter.ground", "问责情形"),
    ("indicators.all_grounds", "全部"),
    ("indicators.filter.submit", "筛选"),
    ("indicators.col.ground", "问责情形"),
    ("indicators.col.fact", "事实"),
    ("indicators.col.subject", "对象"),
    ("indicators.col.org", "组织"),
    ("indicators.col.evidence", "佐证"),
    ("indicators.col.person", "当时的责任人"),
    ("indicators.empty", "没有需要提示的事实。"),
    ("indicators.due", "到期"),
    (
        "indicators.event_people",
        "负责人 {responsible}，应由 {approver} 审批",
    ),
    (
        "indicators.org_not_found",
        "找不到组织「{id}」，或您无权查看。",
    ),
    (
        "indicators.error.ground",
        "问责情形「{value}」无效，可选：art5-2、art5-3、art5-6、art5-7",
    ),
    ("indicators.error", "数据已变化，请刷新后重试。"),
    ("indicators.website_gap", "网站已 {days} 天没有维护记录"),
    ("indicators.last_log", "最近一次维护：{day}"),
    ("indicators.no_log", "从未登记维护日志"),
    ("indicators.pages", "分页"),
    ("indicators.prev", "上一页"),
    ("indicators.next", "下一页"),
    ("indicators.page", "第 {page} 页，共 {pages} 页"),
    (
        "indicators.error.page",
        "页码「{value}」无效，应为 1 到 100000 之间的整数",
    ),
    (
        "indicators.incident_evidence",
        "{severity} · {noticed} 发现 · 处置人 {handler}",
    ),
    ("indicators.project_evidence", "{day} 实施 · 理由：{reason}"),
];

/// English UI strings of this area.
pub const EN: &[(&str, &str)] = &[
    ("indicators.nav", "Indicators"),
    ("indicators.open_case", "Open a case from it"),
    ("indicators.title", "Indicators of accountability grounds"),
    (
        "indicators.lead",
        "Facts in the ledger that may touch a ground for accountability in Art.5, each with its evidence and the person who answered for it then: major incidents past a clock or closed without the first responsible person's own handling (Art.5(2)), incidents past a clock and major projects launched without an approved risk assessment (Art.5(3)), annual reviews overdue and platform duties long overdue (Art.5(6)), online events held without approval or changed after it (Art.5(7)). These are facts for people to look at, never verdicts; the discipline commission decides on accountability by its procedure.",
    ),
    ("indicators.filter.org", "Org"),
    ("indicators.all_orgs", "All orgs"),
    ("indicators.filter.ground", "Ground"),
    ("indicators.all_grounds", "All"),
    ("indicators.filter.submit", "Filter"),
    ("indicators.col.ground", "Ground"),
    ("indicators.col.fact", "Fact"),
    ("indicators.col.subject", "About"),
    ("indicators.col.org", "Org"),
    ("indicators.col.evidence", "Evidence"),
    ("indicators.col.person", "Answered for by"),
    ("indicators.empty", "Nothing to point out."),
    ("indicators.due", "due"),
    (
        "indicators.event_people",
        "responsible {responsible}; approver {approver}",
    ),
    (
        "indicators.org_not_found",
        "There is no org `{id}`, or you may not see it.",
    ),
    (
        "indicators.error.ground",
        "ground `{value}` is not valid; use art5-2, art5-3, art5-6 or art5-7",
    ),
    (
        "indicators.error",
        "The data changed; reload and try again.",
    ),
    (
        "indicators.website_gap",
        "website not maintained for {days} days",
    ),
    ("indicators.last_log", "last maintenance: {day}"),
    ("indicators.no_log", "no maintenance ever logged"),
    ("indicators.pages", "Pages"),
    ("indicators.prev", "Previous"),
    ("indicators.next", "Next"),
    ("indicators.page", "Page {page} of {pages}"),
    (
        "indicators.error.page",
        "Page “{value}” is not valid: a whole number from 1 to 100000",
    ),
    (
        "indicators.incident_evidence",
        "{severity} · noticed {noticed} · handler {handler}",
    ),
    (
        "indicators.project_evidence",
        "launched {day} · reason: {reason}",
    ),
];
