//! The words of directory sign-in and its settings, Chinese and English.

use crate::shared::i18n::Catalog;

/// This area's catalogue.
pub const CATALOG: Catalog = Catalog { zh: ZH, en: EN };

const ZH: &[(&str, &str)] = &[
    ("nav.directory", "统一身份认证"),
    ("directory.login.cas", "统一身份认证登录"),
    ("directory.login.oidc", "OIDC 单点登录"),
    ("directory.login.wecom", "企业微信登录"),
    ("directory.login.dingtalk", "钉钉登录"),
    ("directory.login.others", "其他登录方式"),
    ("directory.login.ldap_title", "使用校园目录（LDAP）账号登录"),
    ("directory.login.ldap_username", "目录用户名"),
    ("directory.login.ldap_password", "目录密码"),
    ("directory.login.ldap_submit", "用目录账号登录"),
    ("directory.login.local_title", "本地账号登录"),
    (
        "directory.login.local_hint",
        "管理员和未接入统一身份认证的账号使用本地密码登录。",
    ),
    ("directory.failed.title", "登录未成功"),
    ("directory.failed.again", "重新登录"),
    ("directory.failed.back", "返回登录页"),
    (
        "directory.error.throttled",
        "此地址登录失败次数过多，请稍后再试。",
    ),
    ("directory.error.link", "请选择匹配人员所用的字段"),
    (
        "directory.error.group_line",
        "第 {line} 行应写作「群组 DN => 角色 @ 组织」",
    ),
    ("directory.error.on_line", "第 {line} 行：{message}"),
    (
        "directory.error.conflict",
        "设置已被他人修改，请刷新页面后重新填写。",
    ),
    ("directory.settings.title", "统一身份认证与办公应用"),
    (
        "directory.settings.lead",
        "配置统一身份认证（CAS）、LDAP、OIDC 登录，以及企业微信、钉钉应用的登录和提醒消息。管理员始终使用本地密码登录，门户故障不影响管理员登录。",
    ),
    ("directory.settings.saved", "设置已保存。"),
    ("directory.settings.general", "通用"),
    ("directory.settings.public_url", "本系统对外地址"),
    (
        "directory.settings.public_url_hint",
        "浏览器访问本系统的地址，如 https://zeren.example.edu.cn；回调地址由它生成，不取自请求。",
    ),
    (
        "directory.settings.public_url_unset",
        "（先填写本系统对外地址）",
    ),
    ("directory.settings.link", "按此字段匹配人员"),
    (
        "directory.settings.link_hint",
        "目录返回的值须与名册中人员的该字段一致；默认工号。企业微信、钉钉始终按人员的企业微信/钉钉账号匹配。",
    ),
    (
        "directory.settings.auto_provision",
        "首次登录时为名册中已有、但尚无账号的人员自动开通账号",
    ),
    (
        "directory.settings.ask_second_factor",
        "目录登录后仍要求本系统的双因素验证（默认不要求：目录自身的双因素验证有效）",
    ),
    ("directory.settings.enabled", "启用"),
    ("directory.settings.cas", "统一身份认证（CAS）"),
    ("directory.settings.cas.base_url", "门户地址前缀"),
    (
        "directory.settings.cas.base_url_hint",
        "如 https://authserver.example.edu.cn/authserver；其后接 /login、/logout、/serviceValidate。",
    ),
    ("directory.settings.cas.version", "协议版本"),
    ("directory.settings.cas.key_attribute", "工号所在属性"),
    (
        "directory.settings.cas.key_attribute_hint",
        "留空表示门户返回的用户名即为工号。",
    ),
    ("directory.settings.label", "登录按钮文字（可留空）"),
    ("directory.settings.ldap", "LDAP 目录"),
    ("directory.settings.ldap.url", "服务器地址"),
    (
        "directory.settings.ldap.url_hint",
        "ldaps://ldap.example.edu.cn:636，或 ldap:// 并启用 StartTLS；明文只允许本机地址。",
    ),
    ("directory.settings.ldap.starttls", "使用 StartTLS"),
    (
        "directory.settings.ldap.bind_dn",
        "服务账号 DN（留空为匿名查询）",
    ),
    ("directory.settings.ldap.bind_password", "服务账号密码"),
    ("directory.settings.ldap.base_dn", "用户查询基准 DN"),
    ("directory.settings.ldap.user_filter", "用户查询条件"),
    ("directory.settings.ldap.key_attribute", "工号所在属性"),
    ("directory.settings.ldap.name_attribute", "姓名所在属性"),
    ("directory.settings.ldap.group_attribute", "所属群组属性"),
    ("directory.settings.ldap.timeout_secs", "等待时间（秒）"),
    ("directory.settings.ldap.groups", "群组授权映射"),
    (
        "directory.settings.ldap.groups_hint",
        "每行一条：群组 DN => 角色 @ 组织代码，如 cn=party-office,ou=groups,dc=example,dc=edu,dc=cn => supervisor @ cqu。角色仍主要来自岗位；只有这里映射的群组才授予角色，登录时同步。",
    ),
    ("directory.settings.oidc", "OpenID Connect"),
    ("directory.settings.oidc.issuer", "签发方（Issuer）"),
    ("directory.settings.oidc.client_id", "客户端 ID"),
    ("directory.settings.oidc.client_secret", "客户端密钥"),
    ("directory.settings.oidc.key_claim", "工号所在声明"),
    ("directory.settings.wecom", "企业微信自建应用"),
    ("directory.settings.dingtalk", "钉钉企业内部应用"),
    ("directory.settings.api_base", "接口地址"),
    ("directory.settings.new_api_base", "新版接口地址"),
    ("directory.settings.oauth_base", "授权页地址"),
    ("directory.settings.corp_id", "企业 ID（CorpID）"),
    ("directory.settings.agent_id", "应用 AgentId"),
    ("directory.settings.secret", "应用 Secret"),
    ("directory.settings.app_key", "AppKey（Client ID）"),
    (
        "directory.settings.app_secret",
        "AppSecret（Client Secret）",
    ),
    ("directory.settings.sign_in", "允许从工作台登录"),
    (
        "directory.settings.messages",
        "向已登记账号的人员发送提醒消息",
    ),
    (
        "directory.settings.secret_kept",
        "已保存（加密存储）；留空则不变",
    ),
    ("directory.settings.secret_none", "尚未设置"),
    ("directory.settings.submit", "保存设置"),
    (
        "directory.settings.addresses",
        "需在门户或应用后台登记的回调地址",
    ),
    ("directory.settings.test", "测试连接"),
    (
        "directory.settings.test_hint",
        "测试使用已保存的设置；修改后请先保存。",
    ),
    ("directory.test.ok", "连接正常"),
    ("directory.test.separator", "："),
    ("directory.test.failed", "连接失败"),
    ("directory.test.not_set", "尚未启用或保存此项设置。"),
    (
        "directory.test.cas_ok",
        "门户可以访问，并按 CAS 协议应答了一张测试票据（{code}）。",
    ),
    (
        "directory.test.cas_accepted",
        "门户接受了一张不存在的测试票据，应答不可信。请检查门户地址。",
    ),
    (
        "directory.test.oidc_ok",
        "已读取身份提供方的发现文档和签名密钥。",
    ),
];

const EN: &[(&str, &str)] = &[
    ("nav.directory", "Single sign-on"),
    (
        "directory.login.cas",
        "Sign in through the university portal",
    ),
    ("directory.login.oidc", "Sign in with OpenID Connect"),
    ("directory.login.wecom", "Sign in with WeCom"),
    ("directory.login.dingtalk", "Sign in with DingTalk"),
    ("directory.login.others", "Other ways to sign in"),
    (
        "directory.login.ldap_title",
        "Sign in with your campus directory (LDAP) account",
    ),
    ("directory.login.ldap_username", "Directory user name"),
    ("directory.login.ldap_password", "Directory password"),
    ("directory.login.ldap_submit", "Sign in with the directory"),
    ("directory.login.local_title", "Local account"),
    (
        "directory.login.local_hint",
        "Administrators, and accounts not joined to the portal, sign in with their local password.",
    ),
    ("directory.failed.title", "Not signed in"),
    ("directory.failed.again", "Try again"),
    ("directory.failed.back", "Back to sign-in"),
    (
        "directory.error.throttled",
        "Too many failed sign-ins from this address; try again later.",
    ),
    (
        "directory.error.link",
        "Choose the field people are matched on",
    ),
    (
        "directory.error.group_line",
        "Line {line} should read `group DN => role @ org`",
    ),
    ("directory.error.on_line", "Line {line}: {message}"),
    (
        "directory.error.conflict",
        "Someone else changed the settings; reload the page and enter yours again.",
    ),
    ("directory.settings.title", "Single sign-on and office apps"),
    (
        "directory.settings.lead",
        "Set up signing in through the university portal (CAS), LDAP and OpenID Connect, and the WeCom and DingTalk apps for signing in and reminders. Administrators always sign in with their local password, so a portal outage never locks them out.",
    ),
    ("directory.settings.saved", "Settings saved."),
    ("directory.settings.general", "General"),
    (
        "directory.settings.public_url",
        "This installation's address",
    ),
    (
        "directory.settings.public_url_hint",
        "The address browsers reach Zeren at, like https://zeren.example.edu.cn; return addresses are made from it, never from the request.",
    ),
    (
        "directory.settings.public_url_unset",
        "(set this installation's address first)",
    ),
    ("directory.settings.link", "Match people on"),
    (
        "directory.settings.link_hint",
        "The directory's value must equal this field of a person in the roster; the staff number by default. WeCom and DingTalk always match the person's WeCom or DingTalk user id.",
    ),
    (
        "directory.settings.auto_provision",
        "Make an account on first sign-in for a person in the roster who has none",
    ),
    (
        "directory.settings.ask_second_factor",
        "Still ask for Zeren's second factor after a directory sign-in (off by default: the directory's own second factor counts)",
    ),
    ("directory.settings.enabled", "On"),
    ("directory.settings.cas", "University portal (CAS)"),
    ("directory.settings.cas.base_url", "Portal address prefix"),
    (
        "directory.settings.cas.base_url_hint",
        "Like https://authserver.example.edu.cn/authserver; /login, /logout and /serviceValidate follow it.",
    ),
    ("directory.settings.cas.version", "Protocol version"),
    (
        "directory.settings.cas.key_attribute",
        "Attribute with the staff number",
    ),
    (
        "directory.settings.cas.key_attribute_hint",
        "Empty: the user name the portal returns is the staff number.",
    ),
    ("directory.settings.label", "Button words (optional)"),
    ("directory.settings.ldap", "LDAP directory"),
    ("directory.settings.ldap.url", "Server address"),
    (
        "directory.settings.ldap.url_hint",
        "ldaps://ldap.example.edu.cn:636, or ldap:// with StartTLS; plain only to this machine.",
    ),
    ("directory.settings.ldap.starttls", "Use StartTLS"),
    (
        "directory.settings.ldap.bind_dn",
        "Service account DN (empty: anonymous search)",
    ),
    (
        "directory.settings.ldap.bind_password",
        "Service account password",
    ),
    ("directory.settings.ldap.base_dn", "Base DN for users"),
    ("directory.settings.ldap.user_filter", "User filter"),
    (
        "directory.settings.ldap.key_attribute",
        "Attribute with the staff number",
    ),
    (
        "directory.settings.ldap.name_attribute",
        "Attribute with the name",
    ),
    (
        "directory.settings.ldap.group_attribute",
        "Attribute with the groups",
    ),
    ("directory.settings.ldap.timeout_secs", "Wait (seconds)"),
    ("directory.settings.ldap.groups", "Group grants"),
    (
        "directory.settings.ldap.groups_hint",
        "One a line: group DN => role @ org code, like cn=party-office,ou=groups,dc=example,dc=edu,dc=cn => supervisor @ cqu. Roles still come mainly from posts; only groups mapped here grant a role, brought up to date at each sign-in.",
    ),
    ("directory.settings.oidc", "OpenID Connect"),
    ("directory.settings.oidc.issuer", "Issuer"),
    ("directory.settings.oidc.client_id", "Client id"),
    ("directory.settings.oidc.client_secret", "Client secret"),
    (
        "directory.settings.oidc.key_claim",
        "Claim with the staff number",
    ),
    ("directory.settings.wecom", "WeCom self-built app"),
    ("directory.settings.dingtalk", "DingTalk internal app"),
    ("directory.settings.api_base", "API address"),
    ("directory.settings.new_api_base", "New API address"),
    (
        "directory.settings.oauth_base",
        "Authorization page address",
    ),
    ("directory.settings.corp_id", "Corp id"),
    ("directory.settings.agent_id", "App AgentId"),
    ("directory.settings.secret", "App Secret"),
    ("directory.settings.app_key", "AppKey (Client ID)"),
    ("directory.settings.app_secret", "AppSecret (Client Secret)"),
    ("directory.settings.sign_in", "Sign in from the workbench"),
    (
        "directory.settings.messages",
        "Send reminders to people whose user id is recorded",
    ),
    (
        "directory.settings.secret_kept",
        "Saved (sealed); leave empty to keep",
    ),
    ("directory.settings.secret_none", "Not set"),
    ("directory.settings.submit", "Save settings"),
    (
        "directory.settings.addresses",
        "Return addresses to register at the portal or app console",
    ),
    ("directory.settings.test", "Test connection"),
    (
        "directory.settings.test_hint",
        "The test uses the saved settings; save changes first.",
    ),
    ("directory.test.ok", "Connection works"),
    ("directory.test.separator", ": "),
    ("directory.test.failed", "Connection failed"),
    (
        "directory.test.not_set",
        "This is not switched on, or not saved yet.",
    ),
    (
        "directory.test.cas_ok",
        "The portal can be reached and answered a test ticket in the CAS protocol ({code}).",
    ),
    (
        "directory.test.cas_accepted",
        "The portal accepted a ticket that does not exist; its answers cannot be trusted. Check the portal address.",
    ),
    (
        "directory.test.oidc_ok",
        "Read the provider's discovery document and signing keys.",
    ),
];
