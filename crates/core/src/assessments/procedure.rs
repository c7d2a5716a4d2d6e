//! Where a year's assessment stands, and what may be done there. The procedure is the pack's
//! (self-assessment → review → scoring → publication, some steps may be left out); before it
//! the scheme is a draft. Publishing the scheme opens the first step; the supervising office
//! moves on one step at a time; the publication step publishes the results and freezes them.

use crate::Lang;
use crate::policy::AssessmentStep;
use serde::Serialize;

/// Where a year's assessment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Stage {
    /// The scheme is being drawn up; nothing else can be done.
    Draft,
    /// A step of the procedure is under way; at [`AssessmentStep::Publication`] the results are
    /// published and frozen.
    Step(AssessmentStep),
}

impl Stage {
    /// Stable spelling: `draft` or the step's.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Draft => "draft",
            Stage::Step(s) => s.as_str(),
        }
    }

    /// Reads the stable spelling.
    pub fn parse(s: &str) -> Option<Stage> {
        match s {
            "draft" => Some(Stage::Draft),
            _ => AssessmentStep::parse(s).map(Stage::Step),
        }
    }

    /// Its name in `lang`.
    pub fn name(self, lang: Lang) -> &'static str {
        match self {
            Stage::Draft => lang.pick("方案制定", "drawing up the scheme"),
            Stage::Step(AssessmentStep::SelfAssessment) => lang.pick("自评", "self-assessment"),
            Stage::Step(AssessmentStep::Review) => lang.pick("审核", "review"),
            Stage::Step(AssessmentStep::Scoring) => lang.pick("评分", "scoring"),
            Stage::Step(AssessmentStep::Publication) => lang.pick("公布", "publication"),
        }
    }

    /// Whether the results are published (and frozen).
    pub fn published(self) -> bool {
        self == Stage::Step(AssessmentStep::Publication)
    }
}

/// The steps of a year's procedure, in order, publication last.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Procedure {
    steps: Vec<AssessmentStep>,
}

impl Default for Procedure {
    /// Self-assessment, review, scoring, publication.
    fn default() -> Procedure {
        Procedure::new(&[
            AssessmentStep::SelfAssessment,
            AssessmentStep::Review,
            AssessmentStep::Scoring,
            AssessmentStep::Publication,
        ])
    }
}

/// Why something cannot be done at this stage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StageError {
    /// The results are published: nothing of the year changes any more.
    Frozen,
    /// The scheme in force is published: a change is a new version.
    SchemePublished,
    /// A new version is already being drawn up.
    DraftPending,
    /// No draft to publish.
    NothingToPublish,
    /// The scheme is not published yet.
    NotStarted,
    /// Only the next step can follow.
    NotNext { at: Stage, to: Stage },
    /// This is done in another step.
    WrongStep {
        /// What was tried.
        what: &'static str,
        /// The step it belongs to.
        wanted: Stage,
        /// Where the assessment stands.
        at: Stage,
    },
    /// Manual indicators still unscored, as (college, indicator) names.
    Unscored(Vec<(String, String)>),
    /// The duty report was submitted: it no longer changes.
    ReportSubmitted,
}

impl StageError {
    /// The rule, in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        let zh = lang == Lang::Zh;
        match self {
            StageError::Frozen if zh => "考核结果已公布并冻结，不能再作任何修改".into(),
            StageError::Frozen => {
                "the results are published and frozen: nothing changes any more".into()
            }
            StageError::SchemePublished if zh => {
                "已发布的考核方案不能修改；如需调整，请修订为新版本并重新发布".into()
            }
            StageError::SchemePublished => {
                "a published scheme cannot be changed; revise it as a new version and publish that"
                    .into()
            }
            StageError::DraftPending if zh => "已有尚未发布的修订稿，请先编辑或发布该修订稿".into(),
            StageError::DraftPending => {
                "a new version is already being drawn up: edit or publish it first".into()
            }
            StageError::NothingToPublish if zh => "没有待发布的方案稿".into(),
            StageError::NothingToPublish => "there is no draft scheme to publish".into(),
            StageError::NotStarted if zh => "考核方案尚未发布，请先发布方案".into(),
            StageError::NotStarted => "the scheme is not published yet: publish it first".into(),
            StageError::NotNext { at, to } if zh => format!(
                "考核程序须逐步进行：当前处于「{}」环节，不能进入「{}」环节",
                at.name(lang),
                to.name(lang)
            ),
            StageError::NotNext { at, to } => format!(
                "the procedure goes one step at a time: it is at {}, it cannot go to {}",
                at.name(lang),
                to.name(lang)
            ),
            StageError::WrongStep { what, wanted, at } if zh => format!(
                "{}须在「{}」环节进行，当前处于「{}」环节",
                what_name(what, lang),
                wanted.name(lang),
                at.name(lang)
            ),
            StageError::WrongStep { what, wanted, at } => format!(
                "{} is done in the {} step; the assessment is at {}",
                what_name(what, lang),
                wanted.name(lang),
                at.name(lang)
            ),
            StageError::Unscored(list) => {
                let names = list
                    .iter()
                    .take(5)
                    .map(|(o, i)| {
                        if zh {
                            format!("{o}「{i}」")
                        } else {
                            format!("{o}: {i}")
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(lang.pick("、", "; "));
                let more = if list.len() > 5 {
                    if zh {
                        format!(" 等 {} 项", list.len())
                    } else {
                        format!(" and {} more", list.len() - 5)
                    }
                } else {
                    String::new()
                };
                if zh {
                    format!("人工评分指标全部评分后才能公布结果，尚未评分：{names}{more}")
                } else {
                    format!(
                        "every manual indicator must be scored before publication; not yet: {names}{more}"
                    )
                }
            }
            StageError::ReportSubmitted if zh => "述职报告已提交，不能再修改".into(),
            StageError::ReportSubmitted => {
                "the duty report was submitted: it no longer changes".into()
            }
        }
    }
}

fn what_name(what: &str, lang: Lang) -> &'static str {
    match what {
        "self-assessment" => lang.pick("提交自评", "submitting a self-assessment"),
        "review" => lang.pick("填写审核意见", "writing a review opinion"),
        "mark" => lang.pick("评分和调整", "scoring and adjusting"),
        _ => lang.pick("此操作", "this"),
    }
}

impl Procedure {
    /// The procedure of `steps` (in the order given; publication is added last if missing).
    pub fn new(steps: &[AssessmentStep]) -> Procedure {
        let mut s: Vec<AssessmentStep> = Vec::new();
        for &st in steps {
            if st != AssessmentStep::Publication && !s.contains(&st) {
                s.push(st);
            }
        }
        s.sort();
        s.push(AssessmentStep::Publication);
        Procedure { steps: s }
    }

    /// The steps in order, publication last.
    pub fn steps(&self) -> &[AssessmentStep] {
        &self.steps
    }

    /// The stage after `at`.
    pub fn next(&self, at: Stage) -> Option<Stage> {
        match at {
            Stage::Draft => self.steps.first().copied().map(Stage::Step),
            Stage::Step(s) => {
                let i = self.steps.iter().position(|x| *x == s)?;
                self.steps.get(i + 1).copied().map(Stage::Step)
            }
        }
    }

    /// The step in which reviewers score and adjust: scoring, or the last before publication
    /// when the procedure has no scoring step.
    pub fn marking_stage(&self) -> Stage {
        if self.steps.contains(&AssessmentStep::Scoring) {
            return Stage::Step(AssessmentStep::Scoring);
        }
        let n = self.steps.len();
        if n >= 2 {
            Stage::Step(self.steps[n - 2])
        } else {
            Stage::Step(AssessmentStep::Publication)
        }
    }

    /// Moving from `at` to `to` by hand (the supervising office): one step forward, never from
    /// the draft (publishing the scheme does that), never after publication.
    pub fn check_advance(&self, at: Stage, to: Stage) -> Result<(), StageError> {
        if at.published() {
            return Err(StageError::Frozen);
        }
        if at == Stage::Draft {
            return Err(StageError::NotStarted);
        }
        if self.next(at) != Some(to) {
            return Err(StageError::NotNext { at, to });
        }
        Ok(())
    }

    /// Editing the newest version of the scheme, which is a draft or not.
    pub fn check_scheme_edit(&self, at: Stage, newest_is_draft: bool) -> Result<(), StageError> {
        if at.published() {
            return Err(StageError::Frozen);
        }
        if !newest_is_draft {
            return Err(StageError::SchemePublished);
        }
        Ok(())
    }

    /// Starting a new version of a published scheme.
    pub fn check_revise(&self, at: Stage, newest_is_draft: bool) -> Result<(), StageError> {
        if at.published() {
            return Err(StageError::Frozen);
        }
        if newest_is_draft {
            return Err(StageError::DraftPending);
        }
        Ok(())
    }

    /// Publishing the newest version: it must be a draft. From the draft stage this opens the
    /// first step (returned); later it replaces the scheme in force where the year stands.
    pub fn check_publish_scheme(
        &self,
        at: Stage,
        newest_is_draft: bool,
    ) -> Result<Stage, StageError> {
        if at.published() {
            return Err(StageError::Frozen);
        }
        if !newest_is_draft {
            return Err(StageError::NothingToPublish);
        }
        Ok(match at {
            Stage::Draft => self.next(at).unwrap_or(at),
            s => s,
        })
    }

    /// `what` (`self-assessment`, `review`, `mark`) at `at`.
    pub fn check_step(&self, what: &'static str, at: Stage) -> Result<(), StageError> {
        if at.published() {
            return Err(StageError::Frozen);
        }
        let wanted = match what {
            "self-assessment" => Stage::Step(AssessmentStep::SelfAssessment),
            "review" => Stage::Step(AssessmentStep::Review),
            _ => self.marking_stage(),
        };
        if at == Stage::Draft {
            return Err(StageError::NotStarted);
        }
        if at != wanted {
            return Err(StageError::WrongStep { what, wanted, at });
        }
        Ok(())
    }

    /// Publishing the results: from the step before publication, once every manual indicator
    /// of every college is scored (`unscored` as (college, indicator) names).
    pub fn check_publish_results(
        &self,
        at: Stage,
        unscored: Vec<(String, String)>,
    ) -> Result<(), StageError> {
        self.check_advance(at, Stage::Step(AssessmentStep::Publication))?;
        if !unscored.is_empty() {
            return Err(StageError::Unscored(unscored));
        }
        Ok(())
    }

    /// Editing or submitting a duty report: once the scheme is published, until it is submitted
    /// or the results are published.
    pub fn check_duty_report(&self, at: Stage, submitted: bool) -> Result<(), StageError> {
        if at.published() {
            return Err(StageError::Frozen);
        }
        if at == Stage::Draft {
            return Err(StageError::NotStarted);
        }
        if submitted {
            return Err(StageError::ReportSubmitted);
        }
        Ok(())
    }
}
