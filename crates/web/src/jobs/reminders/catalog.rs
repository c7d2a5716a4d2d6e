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
];

const EN: &[(&str, &str)] = &[
    ("reminder.days.one", "{n} day"),
    ("reminder.days.other", "{n} days"),
    ("reminder.kind.before", "Reminder"),
    ("reminder.kind.overdue", "Overdue"),
    ("reminder.kind.escalate", "Escalation"),
    ("reminder.kind.other", "Notice"),
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
];
