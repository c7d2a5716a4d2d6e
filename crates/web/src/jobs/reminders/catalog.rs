//! The words of reminders, Chinese and English.

use crate::shared::i18n::Catalog;

/// The reminders' catalogue.
pub const CATALOG: Catalog = Catalog { zh: ZH, en: EN };

const ZH: &[(&str, &str)] = &[
    ("reminder.days.one", "{n} 天"),
    ("reminder.days.other", "{n} 天"),
    ("reminder.kind.before", "到期提醒"),
    ("reminder.kind.overdue", "逾期提醒"),
    ("reminder.kind.escalate", "逾期报告"),
    ("reminder.kind.other", "通知"),
    ("reminder.kind.incident-raised", "重大舆情"),
    ("reminder.kind.incident-clock", "处置时限"),
    ("reminder.kind.incident-escalate", "督办报告"),
    ("reminder.kind.case-task-due", "整改提醒"),
    ("reminder.kind.case-task-overdue", "整改逾期"),
    ("reminder.kind.case-task-escalate", "整改督办"),
    (
        "reminder.msg.case-task-due",
        "{org}：您负责的整改任务「{title}」将于 {due} 到期，请按时完成并报告整改情况。",
    ),
    (
        "reminder.msg.case-task-overdue",
        "{org}：您负责的整改任务「{title}」已于 {due} 到期，尚未完成整改核验，请抓紧整改并报告。",
    ),
    (
        "reminder.msg.case-task-escalate",
        "{org}：您布置的整改任务「{title}」已于 {due} 到期，至今未经核验（整改责任人：{responsible}），请督办。",
    ),
    (
        "reminder.msg.incident-raised",
        "{org}：舆情事件「{title}」已定为{severity}，须由第一责任人亲自处置并签批（第三条）。",
    ),
    (
        "reminder.msg.incident-clock",
        "{org}：舆情事件「{title}」的「{clock}」时限已于 {due} 届满，尚未完成，请抓紧处置。",
    ),
    (
        "reminder.msg.incident-escalate",
        "{org}：舆情事件「{title}」的「{clock}」时限已于 {due} 届满，尚未完成（处置人：{responsible}），请分管领导督办。",
    ),
    (
        "reminder.msg.incident-escalate-first",
        "{org}：舆情事件「{title}」的「{clock}」时限已于 {due} 届满，至今尚未完成（处置人：{responsible}），报第一责任人。",
    ),
    (
        "reminder.msg.before",
        "{org}：「{duty}」（{citation}）将于 {due} 到期，还有 {left}。",
    ),
    (
        "reminder.msg.today",
        "{org}：「{duty}」（{citation}）今天（{due}）到期。",
    ),
    (
        "reminder.msg.overdue",
        "{org}：「{duty}」（{citation}）已于 {due} 到期，尚未完成。",
    ),
    (
        "reminder.msg.escalate",
        "{org}：「{duty}」（{citation}）已逾期 {left}（{due} 到期），责任人 {responsible} 尚未完成，请第一责任人督促落实。",
    ),
    (
        "reminder.msg.other",
        "{org}：「{duty}」（{citation}），{due}。",
    ),
    ("reminder.mail.subject", "【{kind}】{duty}（{due}）"),
    ("reminder.mail.greeting", "{name}："),
    (
        "reminder.mail.footer",
        "此邮件由 Zeren 责任制台账自动发送，请勿回复。可在“消息通知 › 通知设置”中关闭邮件提醒。",
    ),
    ("reminder.robot.text", "【{kind}】{text}（提醒：{name}）"),
    (
        "reminder.failure.not_configured",
        "本单位的这个机器人已被删除，未发送",
    ),
    (
        "reminder.failure.address",
        "已拒绝：机器人地址不符合规定（须为企业微信、钉钉的官方 https 地址，或系统管理员允许的主机上的 https 地址），未发送",
    ),
    (
        "reminder.failure.forbidden",
        "已拒绝：机器人主机解析到{range}地址，未连接",
    ),
    ("reminder.failure.resolve", "无法解析机器人的主机名"),
    ("reminder.failure.connect", "无法连接机器人服务"),
    (
        "reminder.failure.tls",
        "与机器人服务的 TLS 握手失败（证书不受信任或连接中断）",
    ),
    ("reminder.failure.protocol", "机器人服务的应答无法识别"),
    ("reminder.failure.timeout", "机器人服务 {secs} 秒内无应答"),
    ("reminder.failure.http", "机器人服务返回 HTTP {status}"),
    (
        "reminder.failure.redirect",
        "机器人服务要求跳转（HTTP {status}），未跟随",
    ),
    (
        "reminder.failure.errcode",
        "机器人拒收消息（错误码 {code}）",
    ),
    (
        "reminder.failure.errcode_known",
        "机器人拒收消息（错误码 {code}）：{why}",
    ),
    ("reminder.failure.why.key", "Webhook 地址中的 key 无效"),
    ("reminder.failure.why.rate", "发送过于频繁，被限流"),
    (
        "reminder.failure.why.security",
        "不符合机器人的安全设置（自定义关键词、加签或 IP 地址段）",
    ),
    (
        "reminder.failure.why.token",
        "Webhook 地址中的 access_token 无效",
    ),
    ("reminder.failure.why.disabled", "机器人已停用"),
    (
        "reminder.failure.legacy",
        "发送失败（早期记录，详情不再显示）",
    ),
    ("reminder.app.wecom", "企业微信"),
    ("reminder.app.dingtalk", "钉钉"),
    (
        "reminder.failure.app.not_configured",
        "系统管理员已停用{app}应用的消息发送，或应用设置不完整，未发送",
    ),
    (
        "reminder.failure.app.forbidden",
        "已拒绝：{app}接口的主机解析到{range}地址，未连接",
    ),
    ("reminder.failure.app.resolve", "无法解析{app}接口的主机名"),
    ("reminder.failure.app.connect", "无法连接{app}接口"),
    (
        "reminder.failure.app.tls",
        "与{app}接口的 TLS 握手失败（证书不受信任或连接中断）",
    ),
    ("reminder.failure.app.protocol", "{app}接口的应答无法识别"),
    (
        "reminder.failure.app.timeout",
        "{app}接口 {secs} 秒内无应答",
    ),
    ("reminder.failure.app.http", "{app}接口返回 HTTP {status}"),
    (
        "reminder.failure.app.errcode",
        "{app}拒收消息（错误码 {code}）",
    ),
    (
        "reminder.failure.app.errcode_known",
        "{app}拒收消息（错误码 {code}）：{why}",
    ),
    (
        "reminder.failure.app.invaliduser",
        "{app}不接受此人的账号（userid 不存在、已离职或不在应用的可见范围内）",
    ),
    (
        "reminder.failure.app.why.ip",
        "本服务器的出口 IP 不在应用的“企业可信IP”中",
    ),
    (
        "reminder.failure.app.why.secret",
        "企业 ID 或应用的 Secret 不正确",
    ),
    ("reminder.failure.app.why.agent", "应用的 AgentId 不正确"),
    (
        "reminder.failure.app.why.user",
        "收件人不存在或不在应用的可见范围内",
    ),
];

const EN: &[(&str, &str)] = &[
    ("reminder.days.one", "{n} day"),
    ("reminder.days.other", "{n} days"),
    ("reminder.kind.before", "Reminder"),
    ("reminder.kind.overdue", "Overdue"),
    ("reminder.kind.escalate", "Escalation"),
    ("reminder.kind.other", "Notice"),
    ("reminder.kind.incident-raised", "Major incident"),
    ("reminder.kind.incident-clock", "Incident clock"),
    ("reminder.kind.incident-escalate", "Incident escalation"),
    ("reminder.kind.case-task-due", "Remediation reminder"),
    ("reminder.kind.case-task-overdue", "Remediation overdue"),
    ("reminder.kind.case-task-escalate", "Remediation escalated"),
    (
        "reminder.msg.case-task-due",
        "{org}: your remediation task \"{title}\" is due on {due}; finish it and report what was done.",
    ),
    (
        "reminder.msg.case-task-overdue",
        "{org}: your remediation task \"{title}\" was due on {due} and is not verified; finish it and report.",
    ),
    (
        "reminder.msg.case-task-escalate",
        "{org}: the remediation task \"{title}\" you set was due on {due} and is still not verified (owner: {responsible}); follow it up.",
    ),
    (
        "reminder.msg.incident-raised",
        "{org}: the incident “{title}” is now {severity}; the first responsible person handles it personally and signs it off (Art.3).",
    ),
    (
        "reminder.msg.incident-clock",
        "{org}: the {clock} clock of the incident “{title}” ran out at {due} and is not met.",
    ),
    (
        "reminder.msg.incident-escalate",
        "{org}: the {clock} clock of the incident “{title}” ran out at {due} and is not met (handler: {responsible}); for the portfolio's leader to follow up.",
    ),
    (
        "reminder.msg.incident-escalate-first",
        "{org}: the {clock} clock of the incident “{title}” ran out at {due} and is still not met (handler: {responsible}); reported to the first responsible person.",
    ),
    (
        "reminder.msg.before",
        "{org}: “{duty}” ({citation}) is due on {due}, in {left}.",
    ),
    (
        "reminder.msg.today",
        "{org}: “{duty}” ({citation}) is due today ({due}).",
    ),
    (
        "reminder.msg.overdue",
        "{org}: “{duty}” ({citation}) was due on {due} and is not done.",
    ),
    (
        "reminder.msg.escalate",
        "{org}: “{duty}” ({citation}) has been overdue for {left} (due {due}); {responsible} is responsible. Please see that it is done.",
    ),
    ("reminder.msg.other", "{org}: “{duty}” ({citation}), {due}."),
    ("reminder.mail.subject", "[{kind}] {duty} ({due})"),
    ("reminder.mail.greeting", "Dear {name},"),
    (
        "reminder.mail.footer",
        "Sent by the Zeren ledger; please do not reply. Email reminders can be turned off under Notifications › Notification settings.",
    ),
    ("reminder.robot.text", "[{kind}] {text} (for: {name})"),
    (
        "reminder.failure.not_configured",
        "this robot of the org was removed; not sent",
    ),
    (
        "reminder.failure.address",
        "refused: the robot's address does not qualify (it must be an official https address of 企业微信 or 钉钉, or an https address on a host the system administrator allows); not sent",
    ),
    (
        "reminder.failure.forbidden",
        "refused: the robot's host resolves to a {range} address; not connected",
    ),
    (
        "reminder.failure.resolve",
        "the robot's host name does not resolve",
    ),
    ("reminder.failure.connect", "cannot connect to the robot"),
    (
        "reminder.failure.tls",
        "the TLS handshake with the robot failed (untrusted certificate or connection cut)",
    ),
    (
        "reminder.failure.protocol",
        "the robot's answer could not be read",
    ),
    (
        "reminder.failure.timeout",
        "no answer from the robot within {secs} s",
    ),
    ("reminder.failure.http", "the robot answered HTTP {status}"),
    (
        "reminder.failure.redirect",
        "the robot answered with a redirect (HTTP {status}), not followed",
    ),
    (
        "reminder.failure.errcode",
        "the robot refused the message (errcode {code})",
    ),
    (
        "reminder.failure.errcode_known",
        "the robot refused the message (errcode {code}): {why}",
    ),
    (
        "reminder.failure.why.key",
        "the key in the webhook address is not valid",
    ),
    (
        "reminder.failure.why.rate",
        "too many messages, rate-limited",
    ),
    (
        "reminder.failure.why.security",
        "the message does not meet the robot's security settings (keywords, signing or IP range)",
    ),
    (
        "reminder.failure.why.token",
        "the access_token in the webhook address is not valid",
    ),
    ("reminder.failure.why.disabled", "the robot is disabled"),
    (
        "reminder.failure.legacy",
        "failed (an early entry; its details are no longer shown)",
    ),
    ("reminder.app.wecom", "WeCom"),
    ("reminder.app.dingtalk", "DingTalk"),
    (
        "reminder.failure.app.not_configured",
        "the {app} app does not send messages (turned off by the system administrator, or its settings are incomplete); not sent",
    ),
    (
        "reminder.failure.app.forbidden",
        "refused: the {app} API's host resolves to a {range} address; not connected",
    ),
    (
        "reminder.failure.app.resolve",
        "the {app} API's host name does not resolve",
    ),
    (
        "reminder.failure.app.connect",
        "cannot connect to the {app} API",
    ),
    (
        "reminder.failure.app.tls",
        "the TLS handshake with the {app} API failed (untrusted certificate or connection cut)",
    ),
    (
        "reminder.failure.app.protocol",
        "the {app} API's answer could not be read",
    ),
    (
        "reminder.failure.app.timeout",
        "no answer from the {app} API within {secs} s",
    ),
    (
        "reminder.failure.app.http",
        "the {app} API answered HTTP {status}",
    ),
    (
        "reminder.failure.app.errcode",
        "{app} refused the message (errcode {code})",
    ),
    (
        "reminder.failure.app.errcode_known",
        "{app} refused the message (errcode {code}): {why}",
    ),
    (
        "reminder.failure.app.invaliduser",
        "{app} does not accept this person's user id (no such user, left, or outside the app's visible range)",
    ),
    (
        "reminder.failure.app.why.ip",
        "this server's outgoing IP is not among the app's trusted IPs",
    ),
    (
        "reminder.failure.app.why.secret",
        "the corp id or the app's Secret is not valid",
    ),
    (
        "reminder.failure.app.why.agent",
        "the app's AgentId is not valid",
    ),
    (
        "reminder.failure.app.why.user",
        "the recipient does not exist or is outside the app's visible range",
    ),
];
