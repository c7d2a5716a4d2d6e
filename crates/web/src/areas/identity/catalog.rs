//! The words of signing in and of the account's security that came with the second-factor
//! rules, Chinese and English (the older sign-in words are in the shared catalogue).

use crate::shared::i18n::Catalog;

/// This area's catalogue.
pub const CATALOG: Catalog = Catalog { zh: ZH, en: EN };

const ZH: &[(&str, &str)] = &[
    (
        "login.error.throttled",
        "此地址登录失败次数过多，请于 {time} 后再试。",
    ),
    ("password.error.long", "密码不能超过 {max} 个字符。"),
    (
        "account.changed.password",
        "密码已修改；您在其他设备上的登录已结束。API 令牌仍然有效，可在下方吊销。",
    ),
    (
        "account.changed.totp_on",
        "双因素验证已启用；您在其他设备上的登录已结束。",
    ),
    (
        "account.changed.totp_replaced",
        "身份验证器已更换；您在其他设备上的登录已结束。",
    ),
    (
        "account.changed.totp_off",
        "双因素验证已关闭；您在其他设备上的登录已结束。",
    ),
    ("account.totp_replace", "更换身份验证器"),
    ("totp.cancel", "取消登录"),
    (
        "totp.setup.replace_lead",
        "更换身份验证器：先输入当前身份验证器显示的动态码，再用新应用扫描二维码并输入新动态码。",
    ),
    ("totp.setup.current", "当前身份验证器的动态码"),
    ("totp.setup.new_code", "新身份验证器的动态码"),
    ("totp.setup.replace_submit", "更换"),
    ("totp.off.title", "关闭双因素验证"),
    (
        "totp.off.lead",
        "输入当前身份验证器显示的动态码以关闭双因素验证。",
    ),
    ("totp.off.submit", "关闭"),
    (
        "totp.off.required",
        "安全策略要求您的角色使用双因素验证，不能关闭。",
    ),
];

const EN: &[(&str, &str)] = &[
    (
        "login.error.throttled",
        "Too many failed sign-ins from this address; try again after {time}.",
    ),
    (
        "password.error.long",
        "The password must not be longer than {max} characters.",
    ),
    (
        "account.changed.password",
        "Password changed; your sign-ins on other devices have ended. API tokens stay valid: revoke them below if needed.",
    ),
    (
        "account.changed.totp_on",
        "The second factor is on; your sign-ins on other devices have ended.",
    ),
    (
        "account.changed.totp_replaced",
        "Authenticator replaced; your sign-ins on other devices have ended.",
    ),
    (
        "account.changed.totp_off",
        "The second factor is off; your sign-ins on other devices have ended.",
    ),
    ("account.totp_replace", "Replace the authenticator"),
    ("totp.cancel", "Cancel sign-in"),
    (
        "totp.setup.replace_lead",
        "Replacing the authenticator: enter a code of the current one, then scan the QR code with the new app and enter its code.",
    ),
    ("totp.setup.current", "Code of the current authenticator"),
    ("totp.setup.new_code", "Code of the new authenticator"),
    ("totp.setup.replace_submit", "Replace"),
    ("totp.off.title", "Turn the second factor off"),
    (
        "totp.off.lead",
        "Enter a code of your current authenticator to turn the second factor off.",
    ),
    ("totp.off.submit", "Turn off"),
    (
        "totp.off.required",
        "The security policy requires a second factor for your role: it cannot be turned off.",
    ),
];
