//! Fixed product vocabulary: kinds of orgs, platforms, events and evidence records.
//!
//! These are the kinds of things Zeren keeps records of; a policy pack names them but cannot
//! invent new ones (a new kind needs new record forms) — except platform kinds, which a pack
//! may add to (each new kind is kept like any account).

macro_rules! kebab_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal, $zh:literal;)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The stable kebab-case spelling used in packs, URLs and the API.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text,)+ }
            }

            /// The Chinese name shown to users.
            pub fn name_zh(self) -> &'static str {
                match self { $($name::$variant => $zh,)+ }
            }

            /// Reads the kebab-case spelling.
            pub fn parse(s: &str) -> Option<$name> {
                match s { $($text => Some($name::$variant),)+ _ => None }
            }

            /// All spellings, comma-separated, for error messages.
            pub fn expected() -> String {
                [$($text,)+].join(", ")
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                $name::parse(&s).ok_or_else(|| serde::de::Error::custom(format!(
                    "unknown {} `{}` (expected one of: {})", stringify!($name), s, $name::expected())))
            }
        }
    };
}

kebab_enum! {
    /// Kind of an organisation in the tree.
    OrgKind {
        /// 学校党委.
        University => "university", "学校";
        /// 学院党委.
        College => "college", "学院";
        /// 党支部.
        Branch => "branch", "党支部";
        /// Administrative unit (办公室、中心).
        Unit => "unit", "单位";
    }
}

/// Kind of an official online platform (阵地): one Zeren knows, or one the policy pack
/// declares in `[[platform_kinds]]` (e.g. 小红书号). Websites are registered by ICP number and
/// keep a maintenance log; every other kind, declared ones included, is an account registered
/// by account id, day and registering body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PlatformKind {
    /// 网站.
    Website,
    /// 微信公众号.
    WechatOfficial,
    /// 微博.
    Weibo,
    /// 视频号 (WeChat channels).
    Video,
    /// 抖音号.
    Douyin,
    /// 哔哩哔哩账号.
    Bilibili,
    /// 论坛 / BBS.
    Forum,
    /// 直播账号.
    Livestream,
    /// 客户端.
    App,
    /// 其他.
    Other,
    /// A kind the policy pack declares; its names are the pack's.
    Declared(KindId),
}

/// The id of a platform kind a pack declares: kebab-case, at most [`KindId::MAX`] bytes, never
/// the spelling of a kind Zeren knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KindId(arrayvec::ArrayString<{ KindId::MAX }>);

impl KindId {
    /// Longest id a pack may declare, in bytes.
    pub const MAX: usize = 32;

    /// The id, if `s` is a kebab-case id of at most [`KindId::MAX`] bytes that no built-in kind
    /// spells.
    pub fn new(s: &str) -> Option<KindId> {
        let kebab = s.split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        });
        if !kebab || PlatformKind::parse(s).is_some() {
            return None;
        }
        arrayvec::ArrayString::from(s).ok().map(KindId)
    }

    /// The id.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

const BUILT_IN_KINDS: &[(PlatformKind, &str, &str)] = &[
    (PlatformKind::Website, "website", "网站"),
    (
        PlatformKind::WechatOfficial,
        "wechat-official",
        "微信公众号",
    ),
    (PlatformKind::Weibo, "weibo", "微博"),
    (PlatformKind::Video, "video", "视频号"),
    (PlatformKind::Douyin, "douyin", "抖音号"),
    (PlatformKind::Bilibili, "bilibili", "哔哩哔哩账号"),
    (PlatformKind::Forum, "forum", "论坛"),
    (PlatformKind::Livestream, "livestream", "直播账号"),
    (PlatformKind::App, "app", "客户端"),
    (PlatformKind::Other, "other", "其他"),
];

impl PlatformKind {
    /// Every kind Zeren knows, in order; a pack may declare more
    /// ([`crate::policy::PolicyPack::platform_kinds`]).
    pub fn built_ins() -> impl Iterator<Item = PlatformKind> {
        BUILT_IN_KINDS.iter().map(|(k, _, _)| *k)
    }

    fn entry(&self) -> Option<&'static (PlatformKind, &'static str, &'static str)> {
        BUILT_IN_KINDS.iter().find(|(k, _, _)| k == self)
    }

    /// The stable kebab-case spelling used in packs, URLs and the API.
    pub fn as_str(&self) -> &str {
        match self {
            PlatformKind::Declared(id) => id.as_str(),
            k => k.entry().map_or("", |(_, text, _)| text),
        }
    }

    /// The Chinese name of a built-in kind; a declared kind's names are the pack's
    /// ([`crate::policy::PolicyPack::platform_kind_name`]), so this gives its id.
    pub fn name_zh(&self) -> &str {
        match self {
            PlatformKind::Declared(id) => id.as_str(),
            k => k.entry().map_or("", |(_, _, zh)| zh),
        }
    }

    /// Reads the spelling of a built-in kind.
    pub fn parse(s: &str) -> Option<PlatformKind> {
        BUILT_IN_KINDS
            .iter()
            .find(|(_, text, _)| *text == s)
            .map(|(k, _, _)| *k)
    }

    /// Reads a kind as stored: a built-in spelling, else a declared id (a platform keeps its
    /// kind when a later pack no longer declares it).
    pub fn stored(s: &str) -> Option<PlatformKind> {
        PlatformKind::parse(s).or_else(|| KindId::new(s).map(PlatformKind::Declared))
    }

    /// Whether the kind is registered by ICP number and keeps a maintenance log.
    pub fn is_website(&self) -> bool {
        *self == PlatformKind::Website
    }
}

impl std::fmt::Display for PlatformKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for PlatformKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for PlatformKind {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        PlatformKind::stored(&s).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "`{s}` is not a platform kind (kebab-case, at most {} bytes)",
                KindId::MAX
            ))
        })
    }
}

kebab_enum! {
    /// Where a platform is in its life: planned, registered (备案/注册), active, suspended,
    /// closed. Each step is recorded with its day, reason and who made it.
    PlatformState {
        /// 筹建: decided, not yet registered.
        Planned => "planned", "筹建";
        /// 已备案: registered (ICP 备案 or account registration), not yet running.
        Registered => "registered", "已备案";
        /// 运行: running.
        Active => "active", "运行";
        /// 暂停: suspended (e.g. for rectification).
        Suspended => "suspended", "暂停";
        /// 关停: closed for good.
        Closed => "closed", "关停";
    }
}

kebab_enum! {
    /// The form of an online event held through a platform.
    EventForm {
        /// 报告会.
        Report => "report", "报告会";
        /// 研讨会.
        Seminar => "seminar", "研讨会";
        /// 讲座.
        Lecture => "lecture", "讲座";
        /// 论坛.
        Forum => "forum", "论坛";
        /// 讲坛.
        Platform => "platform", "讲坛";
        /// 年会.
        AnnualMeeting => "annual-meeting", "年会";
        /// 直播.
        Livestream => "livestream", "直播";
    }
}

kebab_enum! {
    /// The outcome of a platform's annual review (年审结论).
    ReviewOutcome {
        /// 通过.
        Pass => "pass", "通过";
        /// 整改: rectification tasks are opened.
        Rectify => "rectify", "整改";
        /// 关停: the platform is to be closed.
        Close => "close", "关停";
    }
}

kebab_enum! {
    /// Kind of event that on-event duties hang on.
    EventKind {
        /// 上级部署.
        Directive => "directive", "上级部署";
        /// 舆情事件.
        Incident => "incident", "舆情事件";
        /// 重大政策、项目.
        MajorProject => "major-project", "重大政策、项目";
        /// 网上报告会、讲座、论坛、直播.
        OnlineEvent => "online-event", "网上活动";
        /// 整改: a rectification task an annual review opened.
        Rectification => "rectification", "整改";
    }
}

kebab_enum! {
    /// Kind of evidence record that can discharge an obligation.
    EvidenceKind {
        /// 党委会会议记录.
        CommitteeMeeting => "committee-meeting", "党委会会议记录";
        /// 分析研判报告.
        SituationAnalysis => "situation-analysis", "分析研判报告";
        /// 培训记录.
        TrainingSession => "training-session", "培训记录";
        /// 教育活动记录.
        EducationActivity => "education-activity", "教育活动记录";
        /// 上级部署落实报告.
        DirectiveReport => "directive-report", "落实情况报告";
        /// 备案登记记录.
        PlatformRegistration => "platform-registration", "备案登记记录";
        /// 年审记录.
        AnnualReview => "annual-review", "年审记录";
        /// 整改情况报告 (closes a rectification task).
        RectificationReport => "rectification-report", "整改情况报告";
        /// 舆情风险评估.
        RiskAssessment => "risk-assessment", "舆情风险评估";
        /// 舆情事件处置记录.
        IncidentRecord => "incident-record", "舆情处置记录";
        /// 网上活动报备.
        EventRegistration => "event-registration", "活动报备记录";
        /// 考核自评报告.
        AssessmentReport => "assessment-report", "考核自评报告";
    }
}

kebab_enum! {
    /// How an incident (舆情事件) came to notice.
    IncidentChannel {
        /// 自查发现: the organisation found it itself.
        SelfFound => "self-found", "自查发现";
        /// 群众反映: someone reported it.
        Reported => "reported", "群众反映";
        /// 上级通报: a higher level passed it on.
        HigherLevel => "higher-level", "上级通报";
        /// 媒体报道: reported by the media.
        Media => "media", "媒体报道";
        /// 本单位系统推送: entered from one of the organisation's own systems.
        OwnSystem => "own-system", "本单位系统推送";
        /// 其他.
        Other => "other", "其他";
    }
}

kebab_enum! {
    /// A time limit on handling an incident, its length set per severity by the pack.
    IncidentClock {
        /// 首次响应: the first action taken.
        FirstResponse => "first-response", "首次响应";
        /// 研判: the assessment of what the incident is and may become.
        Assessment => "assessment", "研判";
        /// 结案报告: the closure with its review.
        ClosureReport => "closure-report", "结案报告";
    }
}

kebab_enum! {
    /// One entry of an incident's timeline: an action someone recorded, or a change Zeren
    /// recorded by itself.
    TimelineKind {
        /// 登记: the incident was recorded.
        Recorded => "recorded", "登记";
        /// 首次响应: meets the first-response clock.
        Response => "response", "首次响应";
        /// 研判: meets the assessment clock.
        Assessment => "assessment", "研判";
        /// 处置措施: an action taken.
        Action => "action", "处置措施";
        /// 第一责任人批示: the first responsible person's own handling (Art.3).
        Instruction => "instruction", "第一责任人批示";
        /// 第一责任人签批: the first responsible person signs the handling off (Art.3).
        SignOff => "sign-off", "第一责任人签批";
        /// 备注.
        Note => "note", "备注";
        /// 调整等级 (recorded by Zeren).
        Severity => "severity", "调整等级";
        /// 更换处置人 (recorded by Zeren).
        Handler => "handler", "更换处置人";
        /// 暂停计时 (recorded by Zeren, for a reason the pack allows).
        Paused => "paused", "暂停计时";
        /// 恢复计时 (recorded by Zeren).
        Resumed => "resumed", "恢复计时";
        /// 结案 (recorded by Zeren).
        Closed => "closed", "结案";
    }
}

impl TimelineKind {
    /// The kinds a person records by hand (the others Zeren records when it happens).
    pub const ENTERED: &'static [TimelineKind] = &[
        TimelineKind::Response,
        TimelineKind::Assessment,
        TimelineKind::Action,
        TimelineKind::Instruction,
        TimelineKind::Note,
    ];

    /// Whether a person records it by hand.
    pub fn entered(self) -> bool {
        TimelineKind::ENTERED.contains(&self)
    }
}
