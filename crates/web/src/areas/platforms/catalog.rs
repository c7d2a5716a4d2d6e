//! The platform registry's words, Chinese and English.

use crate::shared::i18n::Catalog;

/// This area's catalogue.
pub const CATALOG: Catalog = Catalog { zh: ZH, en: EN };

/// Chinese UI strings of this area.
pub const ZH: &[(&str, &str)] = &[
    ("platforms.nav", "阵地登记"),
    ("platforms.title", "网络阵地登记簿"),
    (
        "platforms.lead",
        "本单位主办的网站、微信公众号、微博、视频号、直播账号等网络阵地：所属分管领域（据此明确分管领导，第三条）、管理员、备案登记信息和每一次状态变化（第四条第（四）（六）项）。只登记本单位的官方阵地，不监测任何个人账号或言论。",
    ),
    ("platforms.filter.org", "组织"),
    ("platforms.filter.all_orgs", "全部组织"),
    ("platforms.filter.kind", "类型"),
    ("platforms.filter.all_kinds", "全部类型"),
    ("platforms.filter.state", "状态"),
    ("platforms.filter.all_states", "全部状态"),
    ("platforms.filter.q", "名称或代码"),
    ("platforms.filter.submit", "筛选"),
    ("platforms.new", "登记新阵地"),
    ("platforms.print", "打印阵地台账"),
    ("platforms.print.title", "网络阵地台账（{org}，{day}）"),
    ("platforms.empty", "没有符合条件的阵地。"),
    ("platforms.page", "第 {page}/{pages} 页，共 {total} 个"),
    ("platforms.prev", "上一页"),
    ("platforms.next", "下一页"),
    ("platforms.col.name", "名称"),
    ("platforms.col.code", "代码"),
    ("platforms.col.kind", "类型"),
    ("platforms.col.org", "主办组织"),
    ("platforms.col.portfolio", "分管领域"),
    ("platforms.col.leader", "责任领导（今日）"),
    ("platforms.col.operators", "管理员"),
    ("platforms.col.state", "状态"),
    ("platforms.col.opened_on", "登记日期"),
    ("platforms.col.closed_on", "关停日期"),
    ("platforms.news", "具有新闻舆论功能"),
    ("platforms.no_leader", "未明确分管领导"),
    ("platforms.why", "为什么是此人"),
    ("platforms.no_portfolio", "未归入分管领域"),
    ("platforms.no_operators", "未指定管理员"),
    ("platforms.since", "自 {day} 起"),
    ("platforms.edit", "修改阵地信息"),
    ("platforms.registration", "备案登记"),
    ("platforms.registration.none", "尚未填写备案登记信息。"),
    ("platforms.registration.edit", "填写或更正备案登记信息"),
    ("platforms.registration.save", "保存备案信息"),
    ("platforms.reg.icp", "ICP 备案号"),
    ("platforms.reg.account_id", "账号 ID"),
    ("platforms.reg.registered_on", "注册日期"),
    ("platforms.reg.registering_body", "注册主体"),
    ("platforms.life", "状态变化"),
    ("platforms.life.none", "登记以来状态未变化。"),
    ("platforms.step.to", "改为"),
    ("platforms.step.on", "生效日期"),
    ("platforms.step.change", "变化"),
    ("platforms.step.by", "操作人"),
    ("platforms.step.submit", "记录状态变化"),
    ("platforms.duties", "相关规定动作"),
    (
        "platforms.duties.none",
        "暂无与该阵地相关的规定动作（筹建中的阵地只须备案登记）。",
    ),
    ("platforms.duty.title", "规定动作"),
    ("platforms.duty.period", "期间"),
    ("platforms.period.once", "一次性"),
    ("platforms.duty.due", "期限"),
    ("platforms.duty.status", "状态"),
    ("platforms.form.title", "登记新阵地"),
    ("platforms.form.edit_title", "修改阵地信息"),
    (
        "platforms.form.lead",
        "登记后立即生成备案登记义务；阵地开通运行后生成年审义务，管理员生成年度培训义务。",
    ),
    (
        "platforms.form.edit_lead",
        "代码、类型和主办组织登记后不再改变；状态在阵地页面逐步记录。",
    ),
    ("platforms.form.for_org", "主办组织：{org}（点击更换）"),
    (
        "platforms.form.code_hint",
        "小写字母、数字和连字符，全校唯一，登记后不可更改。",
    ),
    ("platforms.form.choose", "请选择"),
    ("platforms.form.no_portfolio", "不归入分管领域"),
    (
        "platforms.form.portfolio_hint",
        "分管该领域的领导班子成员即为该阵地的分管领导（一岗双责）。",
    ),
    (
        "platforms.form.news_function",
        "具有新闻舆论功能（发布新闻、开设评论等）",
    ),
    ("platforms.form.start", "登记时的状态"),
    (
        "platforms.form.start_planned",
        "筹建：尚未备案、尚未开通（备案登记义务自登记日起计算）",
    ),
    (
        "platforms.form.start_active",
        "运行：已开通运行的阵地补登记",
    ),
    (
        "platforms.form.operators_hint",
        "只能从主办组织及其下级组织的人员中选择。",
    ),
    (
        "platforms.form.no_people",
        "该组织还没有人员，请先在人员名册中添加。",
    ),
    ("platforms.form.submit", "保存"),
    ("platforms.form.cancel", "取消"),
    ("platforms.not_found", "找不到阵地「{id}」，或您无权查看。"),
    ("platforms.not_found.title", "找不到该阵地"),
    (
        "platforms.org_not_found",
        "找不到组织「{id}」，或您无权查看。",
    ),
    (
        "platforms.error.conflict",
        "该阵地已被他人修改（当前版本 {actual}，您编辑的是版本 {expected}），请刷新后重试。",
    ),
    (
        "platforms.error.kind",
        "类型「{value}」无效，可选：{expected}",
    ),
    (
        "platforms.error.state",
        "状态「{value}」无效，可选：{expected}",
    ),
    ("platforms.error.page", "页码「{value}」无效"),
    (
        "platforms.error.register_first",
        "改为「已备案」前，须先填写完整的备案登记信息",
    ),
    ("platforms.kind.website", "网站"),
    ("platforms.kind.wechat-official", "微信公众号"),
    ("platforms.kind.weibo", "微博"),
    ("platforms.kind.video", "视频号"),
    ("platforms.kind.douyin", "抖音号"),
    ("platforms.kind.bilibili", "哔哩哔哩账号"),
    ("platforms.kind.livestream", "直播账号"),
    ("platforms.kind.forum", "论坛"),
    ("platforms.kind.app", "客户端"),
    ("platforms.kind.other", "其他"),
    ("platforms.state.planned", "筹建"),
    ("platforms.state.registered", "已备案"),
    ("platforms.state.active", "运行"),
    ("platforms.state.suspended", "暂停"),
    ("platforms.state.closed", "关停"),
];

/// English UI strings of this area.
pub const EN: &[(&str, &str)] = &[
    ("platforms.nav", "Platforms"),
    ("platforms.title", "Platform registry"),
    (
        "platforms.lead",
        "The websites, WeChat official accounts, Weibo, channels and livestream accounts the organisation runs: the portfolio each belongs to (which gives its responsible leader, Art.3), its operators, how it is registered, and every change of its state (Art.4(4), Art.4(6)). Only the organisation's own official platforms; no personal account or speech is watched.",
    ),
    ("platforms.filter.org", "Org"),
    ("platforms.filter.all_orgs", "All orgs"),
    ("platforms.filter.kind", "Kind"),
    ("platforms.filter.all_kinds", "All kinds"),
    ("platforms.filter.state", "State"),
    ("platforms.filter.all_states", "All states"),
    ("platforms.filter.q", "Name or code"),
    ("platforms.filter.submit", "Filter"),
    ("platforms.new", "Enter a platform"),
    ("platforms.print", "Print the platform ledger"),
    ("platforms.print.title", "Platform ledger ({org}, {day})"),
    ("platforms.empty", "No platform matches."),
    (
        "platforms.page",
        "Page {page} of {pages}, {total} platforms",
    ),
    ("platforms.prev", "Previous"),
    ("platforms.next", "Next"),
    ("platforms.col.name", "Name"),
    ("platforms.col.code", "Code"),
    ("platforms.col.kind", "Kind"),
    ("platforms.col.org", "Owning org"),
    ("platforms.col.portfolio", "Portfolio"),
    ("platforms.col.leader", "Responsible leader (today)"),
    ("platforms.col.operators", "Operators"),
    ("platforms.col.state", "State"),
    ("platforms.col.opened_on", "Entered on"),
    ("platforms.col.closed_on", "Closed on"),
    ("platforms.news", "News/opinion functions"),
    ("platforms.no_leader", "No responsible leader"),
    ("platforms.why", "why this person"),
    ("platforms.no_portfolio", "In no portfolio"),
    ("platforms.no_operators", "No operator named"),
    ("platforms.since", "since {day}"),
    ("platforms.edit", "Edit the platform"),
    ("platforms.registration", "Registration"),
    (
        "platforms.registration.none",
        "No registration details yet.",
    ),
    (
        "platforms.registration.edit",
        "Enter or correct the registration details",
    ),
    ("platforms.registration.save", "Save the registration"),
    ("platforms.reg.icp", "ICP number"),
    ("platforms.reg.account_id", "Account id"),
    ("platforms.reg.registered_on", "Registered on"),
    ("platforms.reg.registering_body", "Registering body"),
    ("platforms.life", "Changes of state"),
    (
        "platforms.life.none",
        "No change of state since it was entered.",
    ),
    ("platforms.step.to", "Change to"),
    ("platforms.step.on", "Day"),
    ("platforms.step.change", "Change"),
    ("platforms.step.by", "By"),
    ("platforms.step.submit", "Record the change"),
    ("platforms.duties", "Duties about it"),
    (
        "platforms.duties.none",
        "No duty about this platform yet (a platform being set up owes only its registration).",
    ),
    ("platforms.duty.title", "Duty"),
    ("platforms.duty.period", "Period"),
    ("platforms.period.once", "once"),
    ("platforms.duty.due", "Due"),
    ("platforms.duty.status", "Status"),
    ("platforms.form.title", "Enter a platform"),
    ("platforms.form.edit_title", "Edit the platform"),
    (
        "platforms.form.lead",
        "Once entered, its registration is owed at once; once it runs, its annual review is owed, and its operators their yearly training.",
    ),
    (
        "platforms.form.edit_lead",
        "Code, kind and owning org stay as entered; the state is recorded step by step on the platform's page.",
    ),
    (
        "platforms.form.for_org",
        "Owning org: {org} (choose another)",
    ),
    (
        "platforms.form.code_hint",
        "Lower-case letters, digits and hyphens, unique in the installation; it cannot change later.",
    ),
    ("platforms.form.choose", "Choose"),
    ("platforms.form.no_portfolio", "In no portfolio"),
    (
        "platforms.form.portfolio_hint",
        "The leadership member holding the portfolio answers for the platform (一岗双责).",
    ),
    (
        "platforms.form.news_function",
        "Has news or opinion functions (publishes news, takes comments)",
    ),
    ("platforms.form.start", "State when entered"),
    (
        "platforms.form.start_planned",
        "Planned: not yet registered or running (registration is due counted from today)",
    ),
    (
        "platforms.form.start_active",
        "Active: a platform already running, entered late",
    ),
    (
        "platforms.form.operators_hint",
        "Only people of the owning org or the orgs under it.",
    ),
    (
        "platforms.form.no_people",
        "This org has no people yet; add them to the roster first.",
    ),
    ("platforms.form.submit", "Save"),
    ("platforms.form.cancel", "Cancel"),
    (
        "platforms.not_found",
        "There is no platform `{id}`, or it is outside your scope.",
    ),
    ("platforms.not_found.title", "Platform not found"),
    (
        "platforms.org_not_found",
        "There is no org `{id}`, or it is outside your scope.",
    ),
    (
        "platforms.error.conflict",
        "The platform was changed by someone else (version {actual}; you edited version {expected}). Reload and try again.",
    ),
    (
        "platforms.error.kind",
        "kind `{value}` is not valid; use one of: {expected}",
    ),
    (
        "platforms.error.state",
        "state `{value}` is not valid; use one of: {expected}",
    ),
    ("platforms.error.page", "page `{value}` is not valid"),
    (
        "platforms.error.register_first",
        "enter the complete registration details before it becomes registered",
    ),
    ("platforms.kind.website", "Website"),
    ("platforms.kind.wechat-official", "WeChat official account"),
    ("platforms.kind.weibo", "Weibo"),
    ("platforms.kind.video", "WeChat channels"),
    ("platforms.kind.douyin", "Douyin"),
    ("platforms.kind.bilibili", "Bilibili"),
    ("platforms.kind.livestream", "Livestream account"),
    ("platforms.kind.forum", "Forum"),
    ("platforms.kind.app", "App"),
    ("platforms.kind.other", "Other"),
    ("platforms.state.planned", "Planned"),
    ("platforms.state.registered", "Registered"),
    ("platforms.state.active", "Active"),
    ("platforms.state.suspended", "Suspended"),
    ("platforms.state.closed", "Closed"),
];

#[cfg(test)]
mod tests {
    use super::*;
    use zeren_core::vocab::{PlatformKind, PlatformState};

    /// Every kind and state of the core has its name in both languages.
    #[test]
    fn kinds_and_states_are_named() {
        for list in [ZH, EN] {
            let has = |k: &str| list.iter().any(|(key, _)| *key == k);
            for k in PlatformKind::ALL {
                assert!(has(&format!("platforms.kind.{}", k.as_str())), "{k}");
            }
            for s in PlatformState::ALL {
                assert!(has(&format!("platforms.state.{}", s.as_str())), "{s}");
            }
        }
    }
}
