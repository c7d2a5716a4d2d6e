//! Platforms (阵地) the organisation runs (Art.4(4), Art.4(6)): their lifecycle and their
//! registration details. A platform goes planned → registered → active, may be suspended and
//! made active again, and may be closed from any state; no step is skipped, and each records
//! its day, its reason and who made it. A website is registered with its ICP 备案号; an account
//! with its account id, the day it was registered and the body that registered it. Rules only:
//! the caller passes today, nothing is read or written here.

use crate::Lang;
use crate::org::{OrgModel, Platform, is_code};
use crate::policy::PolicyPack;
use crate::records::FieldErrors;
use crate::records::validate::Errors;
use crate::vocab::{PlatformKind, PlatformState};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Longest reason for a step, in characters.
pub const REASON_MAX: usize = 500;
/// Longest account id or registering body, in characters.
pub const DETAIL_MAX: usize = 200;
/// Longest platform name, in characters.
pub const NAME_MAX: usize = 200;
/// Most operators one platform may list.
pub const OPERATORS_MAX: usize = 50;

mod review;
pub mod website;
pub use review::{
    AnnualReview, CheckedItem, DEADLINE_MAX_DAYS, ItemDraft, NOTE_MAX, RectificationDraft,
    RectificationTask, ReviewDraft, SUMMARY_MAX, TASK_TITLE_MAX, TASKS_MAX, check_review,
};

/// A platform as typed in (the registry's form, the API, the CLI, the roster's platform sheet).
/// On an edit, code, kind, owning org, opening day and state are kept as they are (the state
/// moves by steps).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PlatformDraft {
    /// Stable code (kebab-case), e.g. `cqu-mse-b1-wechat`.
    pub code: String,
    /// Name.
    pub name: String,
    /// Kind (`website`, `wechat-official`, …).
    pub kind: String,
    /// Owning org, by code or id.
    pub org: String,
    /// Portfolio id (empty: none).
    pub portfolio: String,
    /// Has news / opinion functions.
    pub news_function: bool,
    /// The day it entered the registry, `YYYY-MM-DD` (empty: today).
    pub opened_on: String,
    /// Operator person ids (people of the owning org or below).
    pub operators: Vec<String>,
    /// The state it starts in: `planned` (being set up: registration comes next) or `active`
    /// (an existing platform entered late); empty: planned.
    pub state: String,
}

/// A platform's checked fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlatformFields {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: PlatformKind,
    /// Owning org id.
    pub org: String,
    /// Portfolio id.
    pub portfolio: Option<String>,
    /// News / opinion functions.
    pub news_function: bool,
    /// Day it entered the registry.
    pub opened_on: NaiveDate,
    /// Operator person ids, each once.
    pub operators: Vec<String>,
    /// State it starts in (on an edit: the state it is in).
    pub state: PlatformState,
}

/// What a platform may name: the portfolios and the kinds of platform the policies declare
/// (every built-in kind, then the declared ones).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlatformTerms {
    /// Portfolio ids, sorted, each once.
    pub portfolios: Vec<String>,
    /// Kinds, built-in first, each once.
    pub kinds: Vec<PlatformKind>,
}

impl PlatformTerms {
    /// The terms of these packs together.
    pub fn of<'a>(packs: impl IntoIterator<Item = &'a PolicyPack>) -> PlatformTerms {
        let mut portfolios = Vec::new();
        let mut kinds: Vec<PlatformKind> = PlatformKind::built_ins().collect();
        for pack in packs {
            portfolios.extend(pack.portfolios.iter().map(|p| p.id.clone()));
            for d in &pack.platform_kinds {
                if !kinds.contains(&d.kind) {
                    kinds.push(d.kind);
                }
            }
        }
        portfolios.sort();
        portfolios.dedup();
        PlatformTerms { portfolios, kinds }
    }

    /// The kind spelled `id`, if the policies have it.
    pub fn kind(&self, id: &str) -> Option<PlatformKind> {
        self.kinds.iter().copied().find(|k| k.as_str() == id)
    }

    /// Every kind's id, comma-separated, for messages.
    pub fn kinds_expected(&self) -> String {
        let ids: Vec<&str> = self.kinds.iter().map(|k| k.as_str()).collect();
        ids.join(", ")
    }
}

/// Checks a new platform (`existing` is `None`) or an edit of `existing` against the
/// portfolios and kinds of `terms`. Problems by field in `lang`.
pub fn check_platform(
    d: &PlatformDraft,
    existing: Option<&Platform>,
    model: &OrgModel,
    terms: &PlatformTerms,
    today: NaiveDate,
    lang: Lang,
) -> Result<PlatformFields, FieldErrors> {
    let mut e = Errors::new(lang);
    let name = e.text("name", &d.name, true, NAME_MAX);
    let (code, kind, org, opened_on, state) = match existing {
        Some(p) => (
            p.code.clone(),
            Some(p.kind),
            Some(p.org.clone()),
            Some(p.opened_on),
            Some(p.state),
        ),
        None => {
            let code = d.code.trim().to_string();
            if code.is_empty() {
                e.required("code");
            } else if !is_code(&code) || code.len() > 64 {
                e.push(
                    "code",
                    format!("代码「{code}」无效：只能用小写字母、数字和连字符，如 cqu-mse-b1-wechat"),
                    format!(
                        "code `{code}` is not valid: lower-case letters, digits and hyphens, e.g. cqu-mse-b1-wechat"
                    ),
                );
            } else if model.find_platform(&code).is_some() {
                e.push(
                    "code",
                    format!("代码「{code}」已被另一个平台使用"),
                    format!("code `{code}` is taken by another platform"),
                );
            }
            let kind = match d.kind.trim() {
                "" => {
                    e.push(
                        "kind",
                        "平台类型不能为空".to_string(),
                        "the platform kind is required".to_string(),
                    );
                    None
                }
                k => match terms.kind(k) {
                    Some(k) => Some(k),
                    None => {
                        let expected = terms.kinds_expected();
                        e.push(
                            "kind",
                            format!("平台类型「{k}」无效，可选：{expected}"),
                            format!("platform kind `{k}` is not valid; use one of: {expected}"),
                        );
                        None
                    }
                },
            };
            let org = e.org("org", &d.org, model);
            if let Some(o) = org.as_deref().and_then(|o| model.org(o))
                && o.closed_on.is_some_and(|c| c <= today)
            {
                e.push(
                    "org",
                    format!("{}已撤销，不能再登记平台", o.name),
                    format!("{} is closed; no platform can be registered for it", o.name),
                );
            }
            let opened_on = if d.opened_on.trim().is_empty() {
                Some(today)
            } else {
                e.past_date("opened_on", &d.opened_on, today)
            };
            let state = match d.state.trim() {
                "" | "planned" => Some(PlatformState::Planned),
                "active" => Some(PlatformState::Active),
                s => {
                    e.push(
                        "state",
                        format!("新平台只能从「筹建」或「运行」开始，不能是「{s}」"),
                        format!("a new platform starts planned or active, not `{s}`"),
                    );
                    None
                }
            };
            (code, kind, org, opened_on, state)
        }
    };
    let portfolio = match d.portfolio.trim() {
        "" => None,
        p if terms.portfolios.iter().any(|x| x == p) => Some(p.to_string()),
        p => {
            let expected = terms.portfolios.join(", ");
            e.push(
                "portfolio",
                format!("分管领域「{p}」不在制度中，可选：{expected}"),
                format!("portfolio `{p}` is not in the policy; use one of: {expected}"),
            );
            None
        }
    };
    let operators = e.people("operators", &d.operators, model, org.as_deref(), false);
    if operators.len() > OPERATORS_MAX {
        e.push(
            "operators",
            format!("管理员不能超过 {OPERATORS_MAX} 人"),
            format!("at most {OPERATORS_MAX} operators"),
        );
    }
    let valid = match (kind, org, opened_on, state) {
        (Some(kind), Some(org), Some(opened_on), Some(state)) => Some(PlatformFields {
            code,
            name,
            kind,
            org,
            portfolio,
            news_function: d.news_function,
            opened_on,
            operators,
            state,
        }),
        _ => None,
    };
    e.result(valid)
}

impl PlatformState {
    /// The states a platform in this state may go to next, in order.
    pub fn next(self) -> &'static [PlatformState] {
        use PlatformState::*;
        match self {
            Planned => &[Registered, Closed],
            Registered => &[Active, Closed],
            Active => &[Suspended, Closed],
            Suspended => &[Active, Closed],
            Closed => &[],
        }
    }

    /// Whether the platform runs (its duties are owed): active or suspended.
    pub fn runs(self) -> bool {
        matches!(self, PlatformState::Active | PlatformState::Suspended)
    }

    /// The name in the user's language.
    pub fn name(self, lang: Lang) -> &'static str {
        match lang {
            Lang::Zh => self.name_zh(),
            Lang::En => self.as_str(),
        }
    }
}

/// One step of a platform's life.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transition {
    /// From.
    pub from: PlatformState,
    /// To.
    pub to: PlatformState,
    /// The day it took effect.
    pub on: NaiveDate,
    /// Why.
    pub reason: String,
}

/// A step as typed in.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TransitionDraft {
    /// The state to go to (`registered`, …).
    pub to: String,
    /// `YYYY-MM-DD`.
    pub on: String,
    /// Why.
    pub reason: String,
}

/// Checks a step from `current` (in that state since `since`); the step, or every problem
/// with its field (`to`, `on`, `reason`) in `lang`.
pub fn check_transition(
    current: PlatformState,
    since: NaiveDate,
    d: &TransitionDraft,
    today: NaiveDate,
    lang: Lang,
) -> Result<Transition, FieldErrors> {
    let mut e = Errors::new(lang);
    let to = match PlatformState::parse(d.to.trim()) {
        Some(to) if current.next().contains(&to) => Some(to),
        Some(to) => {
            let allowed = current.next();
            let (zh, en) = if allowed.is_empty() {
                (
                    format!("平台已{}，不能再改变状态", current.name_zh()),
                    format!("the platform is {current}; its state cannot change any more"),
                )
            } else {
                let names: Vec<&str> = allowed.iter().map(|s| s.name_zh()).collect();
                let ids: Vec<&str> = allowed.iter().map(|s| s.as_str()).collect();
                (
                    format!(
                        "平台处于「{}」，不能直接改为「{}」，下一步只能是：{}",
                        current.name_zh(),
                        to.name_zh(),
                        names.join("、")
                    ),
                    format!(
                        "a {current} platform cannot become {to} directly; next it can only be: {}",
                        ids.join(", ")
                    ),
                )
            };
            e.push("to", zh, en);
            None
        }
        None => {
            let v = d.to.trim();
            e.push(
                "to",
                format!("平台状态「{v}」无效，可选：{}", PlatformState::expected()),
                format!(
                    "platform state `{v}` is not valid; use one of: {}",
                    PlatformState::expected()
                ),
            );
            None
        }
    };
    let on = e.past_date("on", &d.on, today);
    if let Some(day) = on
        && day < since
    {
        e.push(
            "on",
            format!("日期 {day} 早于平台进入当前状态的日期 {since}"),
            format!("{day} is before the platform entered its present state ({since})"),
        );
    }
    let reason = e.text("reason", &d.reason, true, REASON_MAX);
    let valid = match (to, on) {
        (Some(to), Some(on)) if on >= since => Some(Transition {
            from: current,
            to,
            on,
            reason,
        }),
        _ => None,
    };
    e.result(valid)
}

/// How a platform is registered: a website by its ICP 备案号, an account by its id, the day
/// and the registering body.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Registration {
    /// ICP 备案号 (websites), e.g. `渝ICP备05003022号-1`.
    pub icp: Option<String>,
    /// Account id (accounts: 公众号原始ID, 微博 UID, …).
    pub account_id: Option<String>,
    /// Day it was registered.
    pub registered_on: Option<NaiveDate>,
    /// The body that registered it (注册主体).
    pub registering_body: Option<String>,
}

/// Registration details as typed in.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RegistrationDraft {
    /// ICP 备案号.
    pub icp: String,
    /// Account id.
    pub account_id: String,
    /// `YYYY-MM-DD`.
    pub registered_on: String,
    /// Registering body.
    pub registering_body: String,
}

/// The provinces' one-character names as they open an ICP 备案号.
const ICP_PROVINCES: &str = "京津冀晋蒙辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川贵云藏陕甘青宁新";

/// Whether `s` is an ICP 备案号: a province's character, `ICP备`, 8 digits, `号`, and
/// optionally `-` and a site number (`渝ICP备05003022号`, `京ICP备12345678号-2`).
pub fn is_icp(s: &str) -> bool {
    let mut chars = s.chars();
    let Some(p) = chars.next() else { return false };
    if !ICP_PROVINCES.contains(p) {
        return false;
    }
    let rest: String = chars.collect();
    let Some(rest) = rest.strip_prefix("ICP备") else {
        return false;
    };
    let Some((digits, tail)) = rest.split_once('号') else {
        return false;
    };
    let digits_ok = digits.len() == 8 && digits.bytes().all(|b| b.is_ascii_digit());
    let tail_ok = tail.is_empty()
        || tail.strip_prefix('-').is_some_and(|n| {
            !n.is_empty() && n.len() <= 4 && n.bytes().all(|b| b.is_ascii_digit())
        });
    digits_ok && tail_ok
}

/// Checks registration details of a platform of `kind`; `complete` asks for everything its
/// kind is registered by (when it becomes registered). Problems by field (`icp`,
/// `account_id`, `registered_on`, `registering_body`) in `lang`.
pub fn check_registration(
    kind: PlatformKind,
    d: &RegistrationDraft,
    complete: bool,
    today: NaiveDate,
    lang: Lang,
) -> Result<Registration, FieldErrors> {
    let mut e = Errors::new(lang);
    let website = kind == PlatformKind::Website;
    let icp = d.icp.trim();
    let icp = if icp.is_empty() {
        if complete && website {
            e.push(
                "icp",
                "网站须填写 ICP 备案号".to_string(),
                "a website is registered by its ICP number".to_string(),
            );
        }
        None
    } else if !is_icp(icp) {
        e.push(
            "icp",
            format!("ICP 备案号「{icp}」格式不正确，应如 渝ICP备05003022号 或 渝ICP备05003022号-1"),
            format!(
                "ICP number `{icp}` is not of the form 渝ICP备05003022号 or 渝ICP备05003022号-1"
            ),
        );
        None
    } else {
        Some(icp.to_string())
    };
    let need = complete && !website;
    let mut detail = |field: &str, value: &str, zh: &str, en: &str| {
        let v = value.trim();
        if v.is_empty() {
            if need {
                e.push(
                    field,
                    format!("账号须填写{zh}"),
                    format!("an account needs its {en}"),
                );
            }
            return None;
        }
        if v.chars().count() > DETAIL_MAX {
            e.push(
                field,
                format!("{zh}不能超过 {DETAIL_MAX} 个字符"),
                format!("the {en} must be at most {DETAIL_MAX} characters"),
            );
        }
        Some(v.to_string())
    };
    let account_id = detail("account_id", &d.account_id, "账号 ID", "account id");
    let registering_body = detail(
        "registering_body",
        &d.registering_body,
        "注册主体",
        "registering body",
    );
    let registered_on = if d.registered_on.trim().is_empty() {
        if need {
            e.push(
                "registered_on",
                "账号须填写注册日期".to_string(),
                "an account needs the day it was registered".to_string(),
            );
        }
        None
    } else {
        e.past_date("registered_on", &d.registered_on, today)
    };
    e.result(Some(Registration {
        icp,
        account_id,
        registered_on,
        registering_body,
    }))
}

#[cfg(test)]
mod tests;
