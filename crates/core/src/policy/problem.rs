//! Problems found in a policy pack, with their position and bilingual messages.

use crate::lang::Lang;

/// One problem in a pack, at a line and column (both from 1, columns in characters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Line, from 1.
    pub line: usize,
    /// Column in characters, from 1.
    pub col: usize,
    /// What is wrong.
    pub problem: Problem,
}

impl Diagnostic {
    /// `FILE:LINE:COL: message`.
    pub fn render(&self, file: &str, lang: Lang) -> String {
        format!(
            "{file}:{}:{}: {}",
            self.line,
            self.col,
            self.problem.message(lang)
        )
    }
}

/// What is wrong at a place in a pack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The text is not valid TOML.
    Syntax(String),
    /// A key the format does not know.
    UnknownKey { key: String, allowed: String },
    /// A required key is absent.
    Missing { key: String, table: String },
    /// A value of the wrong TOML type.
    WrongType { key: String, expected: &'static str },
    /// A value the key does not allow.
    BadValue {
        key: String,
        value: String,
        expected: String,
    },
    /// A number outside its range.
    OutOfRange {
        key: String,
        value: i64,
        min: i64,
        max: i64,
    },
    /// Two entries share an id.
    Duplicate { what: Thing, id: String },
    /// A reference to something the pack (or the product) does not have.
    UnknownRef { what: Thing, id: String },
    /// A citation to an article or item the pack does not have.
    MissingArticle { citation: String },
    /// Article or item numbers not 1, 2, 3 … in order.
    Numbering {
        what: Thing,
        expected: u32,
        found: i64,
    },
    /// Two dates in the wrong order.
    DateOrder { earlier: String, later: String },
    /// A due rule that does not fit the cadence.
    DueRuleMismatch {
        cadence: String,
        rule: String,
        allowed: String,
    },
    /// A key that belongs to another subject kind.
    SubjectKey { key: String, subject: String },
    /// on-event cadence without an event subject, or the reverse.
    CadenceSubject { cadence: String, subject: String },
    /// An agenda topic on evidence that is not a committee meeting.
    TopicNotAllowed { kind: String },
    /// Indicator weights that do not add up to 100.
    WeightsSum { sum: String },
    /// Two first-responsible post kinds for one org kind.
    TwoFirstResponsible { org_kind: String },
    /// A list that must not be empty.
    Empty { key: String },
    /// A list that must be strictly decreasing / in order.
    Order { key: String },
    /// A record kind id that is one of the product's own evidence kinds.
    BuiltinKind { id: String },
    /// A field used where another type of field is needed.
    FieldUse { field: String, wanted: &'static str },
    /// A key that only some field types (or checks) take.
    KeyForType { key: String, field_type: String },
}

/// Kinds of things a problem can be about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Thing {
    Article,
    Item,
    Duty,
    Ground,
    PostKind,
    Portfolio,
    Topic,
    Indicator,
    OrgKind,
    PlatformKind,
    EventKind,
    EvidenceKind,
    Step,
    RecordKind,
    Field,
    Choice,
    ReviewItem,
    EventForm,
    Severity,
    PauseReason,
    RiskLevel,
    Form,
    CaseStep,
}

impl Thing {
    fn name(self, lang: Lang) -> &'static str {
        use Thing::*;
        let (zh, en) = match self {
            Article => ("条", "article"),
            Item => ("项", "item"),
            Duty => ("职责", "duty"),
            Ground => ("问责情形", "ground"),
            PostKind => ("职务", "post kind"),
            Portfolio => ("分管领域", "portfolio"),
            Topic => ("议题", "topic"),
            Indicator => ("考核指标", "indicator"),
            OrgKind => ("组织类型", "org kind"),
            PlatformKind => ("平台类型", "platform kind"),
            EventKind => ("事件类型", "event kind"),
            EvidenceKind => ("佐证材料类型", "evidence kind"),
            Step => ("考核程序步骤", "procedure step"),
            RecordKind => ("记录类型", "record kind"),
            Field => ("字段", "field"),
            Choice => ("选项", "choice"),
            ReviewItem => ("年审项目", "review item"),
            EventForm => ("活动形式", "event form"),
            Severity => ("事件等级", "severity"),
            PauseReason => ("暂停计时情形", "pause reason"),
            RiskLevel => ("风险等级", "risk level"),
            Form => ("问责方式", "form of accountability"),
            CaseStep => ("问责程序步骤", "step of the accountability procedure"),
        };
        lang.pick(zh, en)
    }
}

impl Problem {
    /// The message in the user's language.
    pub fn message(&self, lang: Lang) -> String {
        use Problem::*;
        let zh = lang == Lang::Zh;
        match self {
            Syntax(m) if zh => format!("TOML 语法错误：{m}"),
            Syntax(m) => format!("TOML syntax error: {m}"),
            UnknownKey { key, allowed } if zh => format!("未知的键 `{key}`（允许：{allowed}）"),
            UnknownKey { key, allowed } => format!("unknown key `{key}` (allowed: {allowed})"),
            Missing { key, table } if zh => format!("{table} 缺少必填键 `{key}`"),
            Missing { key, table } => format!("missing required key `{key}` in {table}"),
            WrongType { key, expected } if zh => format!("`{key}` 的类型应为 {expected}"),
            WrongType { key, expected } => format!("`{key}` must be {expected}"),
            BadValue {
                key,
                value,
                expected,
            } if zh => {
                format!("`{key}` 的值 `{value}` 无效（应为：{expected}）")
            }
            BadValue {
                key,
                value,
                expected,
            } => {
                format!("invalid value `{value}` for `{key}` (expected {expected})")
            }
            OutOfRange {
                key,
                value,
                min,
                max,
            } if zh => {
                format!("`{key}` = {value} 超出范围 {min}..={max}")
            }
            OutOfRange {
                key,
                value,
                min,
                max,
            } => {
                format!("`{key}` = {value} is out of range {min}..={max}")
            }
            Duplicate { what, id } if zh => format!("重复的{}编号 `{id}`", what.name(lang)),
            Duplicate { what, id } => format!("duplicate {} id `{id}`", what.name(lang)),
            UnknownRef { what, id } if zh => format!("未定义的{} `{id}`", what.name(lang)),
            UnknownRef { what, id } => format!("unknown {} `{id}`", what.name(lang)),
            MissingArticle { citation } if zh => format!("引用的条款 `{citation}` 不存在"),
            MissingArticle { citation } => {
                format!("citation `{citation}` names an article or item the pack does not have")
            }
            Numbering {
                what,
                expected,
                found,
            } if zh => {
                format!("{}序号应为 {expected}，实际为 {found}", what.name(lang))
            }
            Numbering {
                what,
                expected,
                found,
            } => {
                format!(
                    "{} number should be {expected}, found {found}",
                    what.name(lang)
                )
            }
            DateOrder { earlier, later } if zh => format!("`{later}` 不能早于 `{earlier}`"),
            DateOrder { earlier, later } => format!("`{later}` must not be before `{earlier}`"),
            DueRuleMismatch {
                cadence,
                rule,
                allowed,
            } if zh => {
                format!("周期 `{cadence}` 不能使用期限规则 `{rule}`（允许：{allowed}）")
            }
            DueRuleMismatch {
                cadence,
                rule,
                allowed,
            } => {
                format!("due rule `{rule}` does not fit cadence `{cadence}` (allowed: {allowed})")
            }
            SubjectKey { key, subject } if zh => {
                format!("`{key}` 不适用于对象类型 `{subject}`")
            }
            SubjectKey { key, subject } => {
                format!("`{key}` does not apply to subject `{subject}`")
            }
            CadenceSubject { cadence, subject } if zh => format!(
                "周期 `{cadence}` 与对象类型 `{subject}` 不匹配（on-event 仅用于 event 对象）"
            ),
            CadenceSubject { cadence, subject } => format!(
                "cadence `{cadence}` does not fit subject `{subject}` (on-event goes with subject event, and only with it)"
            ),
            TopicNotAllowed { kind } if zh => {
                format!("只有 committee-meeting 可以要求议题，`{kind}` 不可以")
            }
            TopicNotAllowed { kind } => {
                format!("only committee-meeting evidence can require a topic, not `{kind}`")
            }
            WeightsSum { sum } if zh => format!("考核指标权重合计为 {sum}，应为 100"),
            WeightsSum { sum } => {
                format!("indicator weights add up to {sum}, they must add up to 100")
            }
            TwoFirstResponsible { org_kind } if zh => {
                format!("组织类型 `{org_kind}` 有两个第一责任人职务")
            }
            TwoFirstResponsible { org_kind } => {
                format!("org kind `{org_kind}` has two first-responsible post kinds")
            }
            Empty { key } if zh => format!("`{key}` 不能为空"),
            Empty { key } => format!("`{key}` must not be empty"),
            Order { key } if zh => format!("`{key}` 的顺序不正确"),
            Order { key } => format!("`{key}` is not in the required order"),
            BuiltinKind { id } if zh => {
                format!("记录类型 `{id}` 与产品自带的佐证材料类型同名，请另取编号")
            }
            BuiltinKind { id } => format!(
                "record kind `{id}` is one of the product's own evidence kinds: give it another id"
            ),
            FieldUse { field, wanted } if zh => {
                let wanted = match *wanted {
                    "a required date or date-time field" => "必填的日期或日期时间字段",
                    "a date or date-time field" => "日期或日期时间字段",
                    "a people or attachment field" => "人员（多人）或附件字段",
                    "the kind's only attachment field" => "该记录类型唯一的附件字段",
                    other => other,
                };
                format!("字段 `{field}` 不适用于此处（应为{wanted}）")
            }
            FieldUse { field, wanted } => {
                format!("field `{field}` cannot be used here (needs {wanted})")
            }
            KeyForType { key, field_type } if zh => {
                format!("`{key}` 不适用于 `{field_type}`")
            }
            KeyForType { key, field_type } => format!("`{key}` is not allowed with `{field_type}`"),
        }
    }
}

/// Line and column (from 1; column in characters) of a byte offset.
pub fn line_col(src: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(src.len());
    let mut cut = offset;
    while cut > 0 && !src.is_char_boundary(cut) {
        cut -= 1;
    }
    let before = &src[..cut];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let col = before[line_start..].chars().count() + 1;
    (line, col)
}
