//! The steps of a case's procedure: who takes each (the commission; the respondent their
//! statement and appeal), what the procedure allows from where the case stands (the core's
//! `Procedure::next`), the step's own fields checked, and the change it writes.

use super::*;

/// A step as asked for, by the API (JSON) or a page's form.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct StepBody {
    /// The action (`accept`, `decline`, `investigate`, `invite-statement`, `submit-statement`,
    /// `record-lapse`, `decide`, `notify`, `appeal`, `decide-appeal`, `close`).
    pub action: String,
    /// The version seen.
    pub version: i64,
    /// Why (a decline, an appeal decision), or a note on a lapse.
    pub reason: String,
    /// What is put to the respondent (invite-statement).
    pub invitation: String,
    /// For an org, who answers for it (invite-statement; default its first responsible person).
    pub respondent: String,
    /// The respondent's statement.
    pub statement: String,
    /// The respondent's appeal.
    pub appeal: String,
    /// The day the decision was served (default today).
    pub notified_on: String,
    /// Findings per ground (decide).
    pub findings: Vec<FindingDraft>,
    /// Forms of accountability (decide; decide-appeal when varied).
    pub forms: Vec<String>,
    /// The deciding body (decide; default the pack's).
    pub deciding_body: String,
    /// The document number (decide).
    pub document_number: String,
    /// The day decided (decide, decide-appeal).
    pub decided_on: String,
    /// The decision's text (decide).
    pub decision_text: String,
    /// upheld | varied | revoked (decide-appeal).
    pub outcome: String,
}

impl StepBody {
    /// A step posted by a page's form: findings as `finding.<ground>` and `reason.<ground>`,
    /// forms as repeated `forms`.
    pub fn from_form(p: &[(String, String)], grounds: &[String]) -> StepBody {
        let f = |k: &str| form_first(p, k).to_string();
        StepBody {
            action: f("action"),
            version: f("version").trim().parse().unwrap_or(0),
            reason: f("reason"),
            invitation: f("invitation"),
            respondent: f("respondent"),
            statement: f("statement"),
            appeal: f("appeal"),
            notified_on: f("notified_on"),
            findings: grounds
                .iter()
                .map(|g| FindingDraft {
                    ground: g.clone(),
                    finding: f(&format!("finding.{g}")),
                    reason: f(&format!("reason.{g}")),
                })
                .filter(|x| !x.finding.is_empty() || !x.reason.is_empty())
                .collect(),
            forms: form_all(p, "forms"),
            deciding_body: f("deciding_body"),
            document_number: f("document_number"),
            decided_on: f("decided_on"),
            decision_text: f("decision_text"),
            outcome: f("outcome"),
        }
    }
}

/// Whether the respondent (rather than the commission) takes `a`.
pub(super) fn respondents(a: Action) -> bool {
    matches!(a, Action::SubmitStatement | Action::Appeal)
}

/// Takes a step with the files that came with it (the statement's, the appeal's), audited
/// whether done or refused.
pub(super) async fn take_step(
    state: &AppState,
    v: &Viewer,
    c: &Case,
    (part, tasks): (Part, &[CaseTask]),
    b: &StepBody,
    files: &[(zeren_storage::repo::attachments::StoredFile, String)],
) -> Result<Case, Refused> {
    let out = step_unaudited(state, v, c, (part, tasks), b, files).await;
    audited(state, v, &c.id, b.action.trim(), out).await
}

async fn step_unaudited(
    state: &AppState,
    v: &Viewer,
    c: &Case,
    (part, tasks): (Part, &[CaseTask]),
    b: &StepBody,
    files: &[(zeren_storage::repo::attachments::StoredFile, String)],
) -> Result<Case, Refused> {
    let tr = v.tr;
    let lang = tr.lang();
    let Some(action) = Action::parse(b.action.trim()) else {
        let all: Vec<&str> = Action::ALL.iter().map(|a| a.as_str()).collect();
        return Err(Refused::Fields(vec![(
            "action".into(),
            tr.tf(
                "cases.error.action",
                &[("value", b.action.trim()), ("all", &all.join(", "))],
            ),
        )]));
    };
    if !files.is_empty() && !respondents(action) {
        return Err(Refused::Fields(vec![(
            "file".into(),
            tr.t("cases.error.files_on_step").to_string(),
        )]));
    }
    if respondents(action) {
        if !part.respondent {
            return Err(forbidden(tr.t("cases.error.respondent_only").into()));
        }
    } else if !part.commission {
        return Err(forbidden(tr.t("cases.error.commission_only").into()));
    }
    let rules = rules(v);
    let today = state.today();
    let open_tasks = tasks.iter().filter(|t| t.verified_on.is_none()).count();
    let to = rules
        .procedure
        .next(&c.standing(open_tasks), action, today)
        .map_err(|e| procedure_refusal(e, tr))?;
    let m = &v.snap.model;
    let text = |field: &str, t: &str| check_text(field, t, lang).map_err(Refused::Fields);
    let change = match action {
        Action::Accept => StepChange::default()
            .day("opened_on", today)
            .text(tr.t("cases.step_text.accept")),
        Action::Decline => {
            let reason = text("reason", &b.reason)?;
            StepChange::default()
                .set("decline_reason", reason.clone())
                .text(reason)
        }
        Action::Investigate => StepChange::default().text(tr.t("cases.step_text.investigate")),
        Action::InviteStatement => {
            let invitation = text("invitation", &b.invitation)?;
            let respondent = match (c.fields.subject_kind, &c.fields.person) {
                (SubjectKind::Person, Some(p)) => p.clone(),
                _ => match b.respondent.trim() {
                    "" => zeren_core::incidents::first_responsible(
                        &v.snap.pack,
                        m,
                        &c.fields.org,
                        today,
                    )
                    .map(|n| n.id)
                    .ok_or_else(|| {
                        Refused::Fields(vec![(
                            "respondent".into(),
                            tr.t("cases.error.no_respondent").to_string(),
                        )])
                    })?,
                    p => match m.person(p) {
                        Some(x) if m.is_within(&x.org, &c.fields.org) => p.to_string(),
                        _ => {
                            return Err(Refused::Fields(vec![(
                                "respondent".into(),
                                tr.tf("cases.error.respondent", &[("id", p)]),
                            )]));
                        }
                    },
                },
            };
            StepChange::default()
                .set("respondent_id", respondent)
                .set("invitation", invitation.clone())
                .day("invited_on", today)
                .day("statement_due", rules.procedure.statement_due(today))
                .text(invitation)
        }
        Action::SubmitStatement => {
            let statement = text("statement", &b.statement)?;
            StepChange::default()
                .set("statement", statement.clone())
                .day("statement_on", today)
                .text(statement)
        }
        Action::RecordLapse => StepChange::default()
            .day("lapsed_on", today)
            .text(b.reason.trim()),
        Action::Decide => {
            let draft = DecisionDraft {
                findings: b.findings.clone(),
                forms: b.forms.clone(),
                deciding_body: b.deciding_body.clone(),
                document_number: b.document_number.clone(),
                decided_on: b.decided_on.clone(),
                decision_text: b.decision_text.clone(),
            };
            let done = c.statement_done_on().unwrap_or(today);
            let d = check_decision(&draft, &c.fields, &rules, done, today, lang)
                .map_err(Refused::Fields)?;
            StepChange::default()
                .decision(&d)
                .text(d.decision_text.clone())
        }
        Action::Notify => {
            let day = match b.notified_on.trim() {
                "" => today,
                s => parse_day("notified_on", s, tr)?,
            };
            let decided = c.decision.as_ref().map(|d| d.decided_on);
            if day > today || decided.is_some_and(|d| day < d) {
                return Err(Refused::Fields(vec![(
                    "notified_on".into(),
                    tr.tf(
                        "cases.error.notified_on",
                        &[
                            ("day", &date(day)),
                            ("decided", &decided.map(date).unwrap_or_default()),
                            ("today", &date(today)),
                        ],
                    ),
                )]));
            }
            StepChange::default()
                .day("notified_on", day)
                .text(tr.t("cases.step_text.notify"))
        }
        Action::Appeal => {
            let appeal = text("appeal", &b.appeal)?;
            StepChange::default()
                .set("appeal", appeal.clone())
                .day("appealed_on", today)
                .text(appeal)
        }
        Action::DecideAppeal => {
            let draft = AppealDecisionDraft {
                outcome: b.outcome.clone(),
                reason: b.reason.clone(),
                forms: b.forms.clone(),
                decided_on: b.decided_on.clone(),
            };
            let lodged = c.appealed_on.unwrap_or(today);
            let a =
                check_appeal_decision(&draft, c.fields.subject_kind, &rules, lodged, today, lang)
                    .map_err(Refused::Fields)?;
            StepChange::default().appeal_decision(&a).text(format!(
                "{}：{}",
                a.outcome.name(lang),
                a.reason
            ))
        }
        Action::Close => StepChange::default()
            .day("closed_on", today)
            .text(b.reason.trim()),
    };
    let person = v.user.person.clone();
    in_tx(state, v, &c.id, async |tx| {
        let after = tx
            .case_step(
                &c.id,
                b.version,
                action,
                to,
                change,
                today,
                person.as_deref(),
            )
            .await?;
        // The step's files go on its entry, the case's latest: both stored or neither.
        for (file, name) in files {
            tx.attach_to_case_entry(&c.id, None, file, name).await?;
        }
        Ok(after)
    })
    .await
}

/// A `YYYY-MM-DD` day of `field`.
fn parse_day(field: &str, s: &str, tr: Tr) -> Result<chrono::NaiveDate, Refused> {
    chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| {
        Refused::Fields(vec![(
            field.into(),
            tr.tf("cases.error.day", &[("value", s.trim())]),
        )])
    })
}
