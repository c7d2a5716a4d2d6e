//! The procedure of an accountability case: where it stands, what may be done next, and the
//! periods the pack sets. A secretary's referral waits for the commission to accept or decline
//! it; an accepted case runs opened → (investigating) → statement invited → statement received
//! or its period passed → decided → (notified) → appeal window (→ appeal lodged → appeal
//! decided) → closed. A decision is never recorded before the statement step is complete, and
//! an appeal never after its window. Rules only: the caller passes the day.

use crate::Lang;
use crate::period::add_days;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A step of the procedure a pack may list (`procedure` of `[accountability]`), in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Step {
    /// 立案.
    Opened,
    /// 调查核实 (optional).
    Investigating,
    /// 告知并听取陈述申辩.
    Statement,
    /// 作出问责决定.
    Decision,
    /// 送达 (optional: without it the appeal window runs from the decision).
    Notified,
    /// 申诉期.
    Appeal,
    /// 结案.
    Closed,
}

impl Step {
    /// Every step, in order.
    pub const ALL: [Step; 7] = [
        Step::Opened,
        Step::Investigating,
        Step::Statement,
        Step::Decision,
        Step::Notified,
        Step::Appeal,
        Step::Closed,
    ];

    /// Steps no procedure leaves out: a fair procedure hears the respondent, decides, allows an
    /// appeal and closes.
    pub const REQUIRED: [Step; 5] = [
        Step::Opened,
        Step::Statement,
        Step::Decision,
        Step::Appeal,
        Step::Closed,
    ];

    /// Stable spelling (the pack's).
    pub fn as_str(self) -> &'static str {
        match self {
            Step::Opened => "opened",
            Step::Investigating => "investigating",
            Step::Statement => "statement",
            Step::Decision => "decision",
            Step::Notified => "notified",
            Step::Appeal => "appeal",
            Step::Closed => "closed",
        }
    }

    /// Reads the stable spelling.
    pub fn parse(s: &str) -> Option<Step> {
        Step::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// Where a case stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CaseState {
    /// Referred by a college secretary, waiting for the commission (待受理).
    Referred,
    /// The commission declined the referral, with a reason (不予受理). Final.
    Declined,
    /// 已立案.
    Opened,
    /// 调查核实中.
    Investigating,
    /// The respondent is invited to state their case (已告知陈述申辩), until a deadline.
    StatementInvited,
    /// The respondent's statement is in (已陈述申辩).
    StatementReceived,
    /// The statement period passed without one, as the commission recorded (陈述期限届满).
    StatementLapsed,
    /// 已作出决定.
    Decided,
    /// The decision was served (已送达); the appeal window runs.
    Notified,
    /// The respondent appealed within the window (申诉中).
    Appealed,
    /// The appeal was decided (申诉已复查).
    AppealDecided,
    /// 已结案. Immutable but for dated addenda.
    Closed,
}

impl CaseState {
    /// Every state, in procedure order.
    pub const ALL: [CaseState; 12] = [
        CaseState::Referred,
        CaseState::Declined,
        CaseState::Opened,
        CaseState::Investigating,
        CaseState::StatementInvited,
        CaseState::StatementReceived,
        CaseState::StatementLapsed,
        CaseState::Decided,
        CaseState::Notified,
        CaseState::Appealed,
        CaseState::AppealDecided,
        CaseState::Closed,
    ];

    /// Stable spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            CaseState::Referred => "referred",
            CaseState::Declined => "declined",
            CaseState::Opened => "opened",
            CaseState::Investigating => "investigating",
            CaseState::StatementInvited => "statement-invited",
            CaseState::StatementReceived => "statement-received",
            CaseState::StatementLapsed => "statement-lapsed",
            CaseState::Decided => "decided",
            CaseState::Notified => "notified",
            CaseState::Appealed => "appealed",
            CaseState::AppealDecided => "appeal-decided",
            CaseState::Closed => "closed",
        }
    }

    /// Reads the stable spelling.
    pub fn parse(s: &str) -> Option<CaseState> {
        CaseState::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// Whether the case is still in hand (neither declined nor closed).
    pub fn open(self) -> bool {
        !matches!(self, CaseState::Declined | CaseState::Closed)
    }

    /// Whether the case was accepted (a case file the commission keeps).
    pub fn accepted(self) -> bool {
        !matches!(self, CaseState::Referred | CaseState::Declined)
    }

    /// Whether a decision is on the record.
    pub fn decided(self) -> bool {
        matches!(
            self,
            CaseState::Decided
                | CaseState::Notified
                | CaseState::Appealed
                | CaseState::AppealDecided
                | CaseState::Closed
        )
    }

    /// Whether the statement step is complete (received, or its period passed).
    pub fn statement_done(self) -> bool {
        matches!(
            self,
            CaseState::StatementReceived | CaseState::StatementLapsed
        ) || self.decided()
    }
}

/// What someone does to a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// The commission accepts a referral.
    Accept,
    /// The commission declines a referral.
    Decline,
    /// The commission begins its investigation.
    Investigate,
    /// The commission invites the respondent's statement.
    InviteStatement,
    /// The respondent submits their statement.
    SubmitStatement,
    /// The commission records that the statement period passed without one.
    RecordLapse,
    /// The commission records its decision.
    Decide,
    /// The commission records the decision served.
    Notify,
    /// The respondent appeals.
    Appeal,
    /// The commission decides the appeal.
    DecideAppeal,
    /// The commission closes the case.
    Close,
}

impl Action {
    /// Every action, in the procedure's order.
    pub const ALL: [Action; 11] = [
        Action::Accept,
        Action::Decline,
        Action::Investigate,
        Action::InviteStatement,
        Action::SubmitStatement,
        Action::RecordLapse,
        Action::Decide,
        Action::Notify,
        Action::Appeal,
        Action::DecideAppeal,
        Action::Close,
    ];

    /// Reads the stable spelling.
    pub fn parse(s: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.as_str() == s)
    }

    /// Stable spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Accept => "accept",
            Action::Decline => "decline",
            Action::Investigate => "investigate",
            Action::InviteStatement => "invite-statement",
            Action::SubmitStatement => "submit-statement",
            Action::RecordLapse => "record-lapse",
            Action::Decide => "decide",
            Action::Notify => "notify",
            Action::Appeal => "appeal",
            Action::DecideAppeal => "decide-appeal",
            Action::Close => "close",
        }
    }

    fn name(self, lang: Lang) -> &'static str {
        let (zh, en) = match self {
            Action::Accept => ("受理", "accept the referral"),
            Action::Decline => ("不予受理", "decline the referral"),
            Action::Investigate => ("开始调查核实", "begin the investigation"),
            Action::InviteStatement => ("告知陈述申辩", "invite the statement"),
            Action::SubmitStatement => ("提交陈述申辩", "submit the statement"),
            Action::RecordLapse => ("登记陈述期限届满", "record the statement period passed"),
            Action::Decide => ("作出问责决定", "record the decision"),
            Action::Notify => ("登记送达", "record the decision served"),
            Action::Appeal => ("提出申诉", "appeal"),
            Action::DecideAppeal => ("作出申诉复查决定", "decide the appeal"),
            Action::Close => ("结案", "close the case"),
        };
        lang.pick(zh, en)
    }
}

/// The periods and steps of the procedure (part of `[accountability]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Procedure {
    /// The steps, in order (always with [`Step::REQUIRED`]).
    pub steps: Vec<Step>,
    /// Days the respondent has to state their case, from the day they are invited.
    pub statement_days: u32,
    /// Days the respondent has to appeal, from the day the decision is served (or made, without
    /// a notification step).
    pub appeal_days: u32,
}

impl Default for Procedure {
    /// Every step; 5 days to state one's case; a month (30 days) to appeal (问责条例 第二十二条:
    /// 自收到问责决定书之日起1个月内).
    fn default() -> Procedure {
        Procedure {
            steps: Step::ALL.to_vec(),
            statement_days: 5,
            appeal_days: 30,
        }
    }
}

/// Why an action is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProcedureError {
    /// The action does not follow from where the case stands.
    NotNow {
        /// The action.
        action: Action,
        /// Where the case stands.
        state: CaseState,
    },
    /// A decision before the statement step is complete.
    StatementPending,
    /// The statement period has not passed yet.
    StatementPeriodRunning {
        /// Its last day.
        until: NaiveDate,
    },
    /// An appeal after its window.
    AppealWindowPassed {
        /// The window's last day.
        until: NaiveDate,
    },
    /// Closing while the appeal window still runs.
    AppealWindowOpen {
        /// The window's last day.
        until: NaiveDate,
    },
    /// Closing while remediation is not verified.
    RemediationOpen {
        /// How many tasks are not verified.
        open: usize,
    },
    /// A closed case is not changed; add an addendum.
    Closed,
}

impl ProcedureError {
    /// The message in `lang`, naming the rule.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            ProcedureError::NotNow { action, state } => match lang {
                Lang::Zh => format!(
                    "案件当前处于「{}」，不能{}",
                    state_name(*state, lang),
                    action.name(lang)
                ),
                Lang::En => format!(
                    "the case is {}; you cannot {} now",
                    state_name(*state, lang),
                    action.name(lang)
                ),
            },
            ProcedureError::StatementPending => lang
                .pick(
                    "陈述申辩环节完成前不能作出问责决定：须先收到被问责对象的陈述申辩，或登记陈述期限届满",
                    "no decision before the statement step is complete: the respondent's statement must be in, or its period recorded as passed",
                )
                .into(),
            ProcedureError::StatementPeriodRunning { until } => match lang {
                Lang::Zh => format!("陈述申辩期限至 {until}，期限届满前不能登记届满"),
                Lang::En => format!(
                    "the statement period runs until {until}; it cannot be recorded as passed before then"
                ),
            },
            ProcedureError::AppealWindowPassed { until } => match lang {
                Lang::Zh => format!("申诉期限已于 {until} 届满，不能再提出申诉"),
                Lang::En => format!("the appeal window closed on {until}; no appeal can be lodged"),
            },
            ProcedureError::AppealWindowOpen { until } => match lang {
                Lang::Zh => format!("申诉期限至 {until}，期满且无申诉（或申诉已复查）方可结案"),
                Lang::En => format!(
                    "the appeal window runs until {until}; the case closes after it, or after the appeal is decided"
                ),
            },
            ProcedureError::RemediationOpen { open } => match lang {
                Lang::Zh => format!("尚有 {open} 项整改任务未经核验，整改核验完成后方可结案"),
                Lang::En => format!(
                    "{open} remediation task(s) are not verified yet; the case closes once remediation is verified"
                ),
            },
            ProcedureError::Closed => lang
                .pick(
                    "案件已结案，内容不能更改；如需更正，请添加补充说明",
                    "the case is closed and is not changed; add a dated addendum to correct it",
                )
                .into(),
        }
    }
}

/// A state's name in `lang`.
pub fn state_name(s: CaseState, lang: Lang) -> &'static str {
    let (zh, en) = match s {
        CaseState::Referred => ("待受理", "referred, awaiting the commission"),
        CaseState::Declined => ("不予受理", "declined"),
        CaseState::Opened => ("已立案", "opened"),
        CaseState::Investigating => ("调查核实中", "under investigation"),
        CaseState::StatementInvited => ("待陈述申辩", "statement invited"),
        CaseState::StatementReceived => ("已陈述申辩", "statement received"),
        CaseState::StatementLapsed => ("陈述期限届满", "statement period passed"),
        CaseState::Decided => ("已作出决定", "decided"),
        CaseState::Notified => ("已送达", "decision served"),
        CaseState::Appealed => ("申诉中", "under appeal"),
        CaseState::AppealDecided => ("申诉已复查", "appeal decided"),
        CaseState::Closed => ("已结案", "closed"),
    };
    lang.pick(zh, en)
}

/// What a case's record says, as far as the procedure needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    /// Where it stands.
    pub state: CaseState,
    /// The statement's last day, once invited.
    pub statement_due: Option<NaiveDate>,
    /// The day the decision was made.
    pub decided_on: Option<NaiveDate>,
    /// The day it was served.
    pub notified_on: Option<NaiveDate>,
    /// Remediation tasks not verified.
    pub open_tasks: usize,
}

impl Procedure {
    /// Whether the procedure has `step`.
    pub fn has(&self, step: Step) -> bool {
        self.steps.contains(&step)
    }

    /// The statement's last day when invited on `day`.
    pub fn statement_due(&self, day: NaiveDate) -> NaiveDate {
        add_days(day, self.statement_days)
    }

    /// The appeal window's last day: `appeal_days` from the day served (or decided, without a
    /// notification step).
    pub fn appeal_until(&self, s: &Standing) -> Option<NaiveDate> {
        let from = if self.has(Step::Notified) {
            s.notified_on
        } else {
            s.decided_on
        }?;
        Some(add_days(from, self.appeal_days))
    }

    /// The state `action` leads to from `s` on `today`, or why it is refused.
    pub fn next(
        &self,
        s: &Standing,
        action: Action,
        today: NaiveDate,
    ) -> Result<CaseState, ProcedureError> {
        use CaseState as S;
        let not_now = || ProcedureError::NotNow {
            action,
            state: s.state,
        };
        if s.state == S::Closed {
            return Err(ProcedureError::Closed);
        }
        let accepted_from = [S::Opened, S::Investigating];
        match action {
            Action::Accept if s.state == S::Referred => Ok(S::Opened),
            Action::Decline if s.state == S::Referred => Ok(S::Declined),
            Action::Investigate if s.state == S::Opened && self.has(Step::Investigating) => {
                Ok(S::Investigating)
            }
            Action::InviteStatement if accepted_from.contains(&s.state) => Ok(S::StatementInvited),
            Action::SubmitStatement if s.state == S::StatementInvited => Ok(S::StatementReceived),
            Action::RecordLapse if s.state == S::StatementInvited => match s.statement_due {
                Some(until) if today <= until => {
                    Err(ProcedureError::StatementPeriodRunning { until })
                }
                _ => Ok(S::StatementLapsed),
            },
            Action::Decide if matches!(s.state, S::StatementReceived | S::StatementLapsed) => {
                Ok(S::Decided)
            }
            Action::Decide if s.state.accepted() && !s.state.decided() => {
                Err(ProcedureError::StatementPending)
            }
            Action::Notify if s.state == S::Decided && self.has(Step::Notified) => Ok(S::Notified),
            Action::Appeal if self.appealable(s.state) => match self.appeal_until(s) {
                Some(until) if today > until => Err(ProcedureError::AppealWindowPassed { until }),
                _ => Ok(S::Appealed),
            },
            Action::DecideAppeal if s.state == S::Appealed => Ok(S::AppealDecided),
            Action::Close if s.state == S::AppealDecided || self.appealable(s.state) => {
                if s.state != S::AppealDecided
                    && let Some(until) = self.appeal_until(s)
                    && today <= until
                {
                    return Err(ProcedureError::AppealWindowOpen { until });
                }
                if s.open_tasks > 0 {
                    return Err(ProcedureError::RemediationOpen { open: s.open_tasks });
                }
                Ok(S::Closed)
            }
            _ => Err(not_now()),
        }
    }

    /// Whether the appeal window runs from `state` (served, or decided without a notification
    /// step).
    fn appealable(&self, state: CaseState) -> bool {
        if self.has(Step::Notified) {
            state == CaseState::Notified
        } else {
            state == CaseState::Decided
        }
    }

    /// The actions that can be taken from `s` on `today`: those [`Procedure::next`] allows (a
    /// decision's fields are checked when it is recorded), in order.
    pub fn actions_on(&self, s: &Standing, today: NaiveDate) -> Vec<Action> {
        self.actions(s)
            .into_iter()
            .filter(|a| self.next(s, *a, today).is_ok())
            .collect()
    }

    /// The actions the procedure allows from `s` (before the day's checks), in order.
    pub fn actions(&self, s: &Standing) -> Vec<Action> {
        Action::ALL
            .into_iter()
            .filter(|a| {
                !matches!(
                    self.next(s, *a, NaiveDate::MIN),
                    Err(ProcedureError::NotNow { .. }
                        | ProcedureError::Closed
                        | ProcedureError::StatementPending)
                )
            })
            .collect()
    }
}
