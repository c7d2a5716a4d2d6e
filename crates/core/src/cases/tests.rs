#![allow(clippy::unwrap_used)]
use super::*;
use crate::org::{Holding, Org, Person, Post};
use crate::vocab::OrgKind;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

const TODAY: &str = "2026-12-06";

fn model() -> OrgModel {
    let org = |id: &str, kind, parent: Option<&str>| Org {
        id: id.into(),
        code: id.into(),
        name: format!("{id}学院"),
        kind,
        parent: parent.map(Into::into),
        established_on: None,
        closed_on: None,
    };
    let person = |id: &str, name: &str, org: &str| Person {
        id: id.into(),
        name: name.into(),
        org: org.into(),
    };
    OrgModel::new(
        vec![
            org("cqu", OrgKind::University, None),
            org("mse", OrgKind::College, Some("cqu")),
            org("cs", OrgKind::College, Some("cqu")),
        ],
        vec![
            person("zhao", "赵敏", "mse"),
            person("liu", "刘佳", "mse"),
            person("wu", "吴强", "cs"),
        ],
        vec![Post {
            id: "deputy".into(),
            org: "mse".into(),
            kind: "deputy-secretary".into(),
            title: "党委副书记".into(),
            portfolios: vec!["publicity".into()],
            closed_on: None,
        }],
        vec![Holding {
            id: "h1".into(),
            post: "deputy".into(),
            person: "zhao".into(),
            start: d("2025-01-01"),
            end: None,
        }],
        vec![],
        vec![],
    )
}

fn grounds() -> Vec<&'static str> {
    (1..=9)
        .map(|n| {
            [
                "art5-1", "art5-2", "art5-3", "art5-4", "art5-5", "art5-6", "art5-7", "art5-8",
                "art5-9",
            ][n - 1]
        })
        .collect()
}

fn draft() -> CaseDraft {
    CaseDraft {
        title: "学院微信公众号年审逾期".into(),
        subject_kind: "person".into(),
        org: "mse".into(),
        person: "zhao".into(),
        post: "deputy".into(),
        period_from: "2026-01-01".into(),
        period_to: "2026-11-30".into(),
        grounds: vec!["art5-6".into()],
        background: "学院微信公众号年审逾期未完成".into(),
        facts: vec![FactDraft {
            kind: "obligation".into(),
            reference: "ob-1".into(),
            ground: "art5-6".into(),
            note: "年审逾期 40 天".into(),
            indicator: "review-overdue".into(),
        }],
    }
}

fn check(dr: &CaseDraft) -> Result<(CaseFields, Vec<Fact>), FieldErrors> {
    check_case(dr, &model(), &grounds(), d(TODAY), Lang::Zh)
}

fn fields_of(errors: &FieldErrors) -> Vec<&str> {
    errors.iter().map(|(f, _)| f.as_str()).collect()
}

#[test]
fn a_case_names_a_person_in_a_post_on_the_relevant_dates_and_the_packs_grounds() {
    let (case, facts) = check(&draft()).unwrap();
    assert_eq!(case.subject_kind, SubjectKind::Person);
    assert_eq!(case.person.as_deref(), Some("zhao"));
    assert_eq!(facts[0].kind, FactKind::Obligation);
    assert_eq!(facts[0].indicator.as_deref(), Some("review-overdue"));
    // Before the person held the post: refused, naming the post and the dates.
    let before = CaseDraft {
        period_from: "2024-01-01".into(),
        period_to: "2024-06-30".into(),
        ..draft()
    };
    let e = check(&before).unwrap_err();
    assert_eq!(fields_of(&e), ["post"]);
    assert_eq!(
        e[0].1,
        "赵敏 在 2024-01-01 至 2024-06-30 期间未担任「党委副书记」"
    );
    // A ground the pack does not have; a fact on a ground not the case's; a person of another
    // college; the period the wrong way round and in the future.
    let bad = CaseDraft {
        grounds: vec!["art5-10".into()],
        person: "wu".into(),
        period_from: "2026-12-01".into(),
        period_to: "2026-12-31".into(),
        ..draft()
    };
    let e = check(&bad).unwrap_err();
    assert_eq!(fields_of(&e), ["period_to", "person", "grounds", "fact"]);
    assert!(
        e[2].1.starts_with("问责情形「art5-10」不在制度中"),
        "{}",
        e[2].1
    );
    // An org needs no person; a subject kind that does not exist is named.
    let org = CaseDraft {
        subject_kind: "org".into(),
        person: String::new(),
        post: String::new(),
        ..draft()
    };
    let (case, _) = check(&org).unwrap();
    assert_eq!((case.person, case.post), (None, None));
    let e = check(&CaseDraft {
        subject_kind: "team".into(),
        ..draft()
    })
    .unwrap_err();
    assert_eq!(fields_of(&e), ["subject_kind"]);
    // Facts: a ledger link needs its id; a document needs its text and no link.
    let facts = CaseDraft {
        facts: vec![
            FactDraft {
                kind: "incident".into(),
                ..FactDraft::default()
            },
            FactDraft {
                kind: "document".into(),
                reference: "x".into(),
                ..FactDraft::default()
            },
            FactDraft {
                kind: "rumour".into(),
                ..FactDraft::default()
            },
        ],
        ..draft()
    };
    let e = check(&facts).unwrap_err();
    assert_eq!(fields_of(&e), ["fact", "note", "fact", "fact"]);
}

fn decided_case() -> CaseFields {
    check(&draft()).unwrap().0
}

fn finding(ground: &str, f: &str, reason: &str) -> FindingDraft {
    FindingDraft {
        ground: ground.into(),
        finding: f.into(),
        reason: reason.into(),
    }
}

fn decision(findings: Vec<FindingDraft>, forms: &[&str]) -> DecisionDraft {
    DecisionDraft {
        findings,
        forms: forms.iter().map(|s| s.to_string()).collect(),
        deciding_body: String::new(),
        document_number: "重大纪〔2026〕3号".into(),
        decided_on: "2026-12-05".into(),
        decision_text: "给予通报问责".into(),
    }
}

#[test]
fn a_decision_finds_on_every_ground_and_chooses_forms_the_subject_allows() {
    let rules = CaseRules::default();
    let case = decided_case();
    let check = |dr: &DecisionDraft, done: &str| {
        check_decision(dr, &case, &rules, d(done), d(TODAY), Lang::Zh)
    };
    let ok = check(
        &decision(
            vec![finding("art5-6", "upheld", "年审逾期属实")],
            &["circular"],
        ),
        "2026-12-04",
    )
    .unwrap();
    assert_eq!(ok.forms, ["circular"]);
    assert_eq!(ok.deciding_body, "学校纪委");
    assert_eq!(ok.document_number.as_deref(), Some("重大纪〔2026〕3号"));
    // 改组 is for organisations; a cadre is not reorganised.
    let e = check(
        &decision(
            vec![finding("art5-6", "upheld", "属实")],
            &["reorganisation"],
        ),
        "2026-12-04",
    )
    .unwrap_err();
    assert_eq!(fields_of(&e), ["forms"]);
    assert!(
        e[0].1.starts_with("问责方式「改组」不适用于领导干部"),
        "{}",
        e[0].1
    );
    // A ground without a finding, a finding without a reason, a ground not the case's.
    let e = check(
        &decision(
            vec![
                finding("art5-1", "upheld", "x"),
                finding("art5-6", "upheld", ""),
            ],
            &["circular"],
        ),
        "2026-12-04",
    )
    .unwrap_err();
    assert_eq!(fields_of(&e), ["finding", "finding"]);
    // Nothing upheld: no form applies.
    let e = check(
        &decision(
            vec![finding("art5-6", "not-upheld", "已及时整改")],
            &["circular"],
        ),
        "2026-12-04",
    )
    .unwrap_err();
    assert_eq!(e[0].1, "问责情形均不成立的，不能给予问责");
    assert!(
        check(
            &decision(vec![finding("art5-6", "not-upheld", "已及时整改")], &[]),
            "2026-12-04"
        )
        .is_ok()
    );
    // Not before the statement step completed.
    let e = check(
        &decision(vec![finding("art5-6", "upheld", "属实")], &["circular"]),
        "2026-12-06",
    )
    .unwrap_err();
    assert_eq!(fields_of(&e), ["decided_on"]);
}

fn standing(state: CaseState) -> Standing {
    Standing {
        state,
        statement_due: Some(d("2026-12-10")),
        decided_on: Some(d("2026-12-12")),
        notified_on: Some(d("2026-12-13")),
        open_tasks: 0,
    }
}

#[test]
fn the_procedure_hears_the_respondent_before_deciding_and_allows_an_appeal_in_its_window() {
    let p = Procedure::default();
    let today = d(TODAY);
    use CaseState as S;
    assert_eq!(
        p.next(&standing(S::Referred), Action::Accept, today),
        Ok(S::Opened)
    );
    assert_eq!(
        p.next(&standing(S::Referred), Action::Decline, today),
        Ok(S::Declined)
    );
    assert_eq!(
        p.next(&standing(S::Opened), Action::Investigate, today),
        Ok(S::Investigating)
    );
    assert_eq!(
        p.next(&standing(S::Investigating), Action::InviteStatement, today),
        Ok(S::StatementInvited)
    );
    // No decision before the statement step.
    for s in [S::Opened, S::Investigating, S::StatementInvited] {
        let e = p.next(&standing(s), Action::Decide, today).unwrap_err();
        assert_eq!(e, ProcedureError::StatementPending);
    }
    assert!(
        ProcedureError::StatementPending
            .message(Lang::Zh)
            .contains("陈述申辩环节完成前不能作出问责决定")
    );
    // The lapse is recorded only once the period passed.
    assert_eq!(
        p.next(&standing(S::StatementInvited), Action::RecordLapse, today),
        Err(ProcedureError::StatementPeriodRunning {
            until: d("2026-12-10")
        })
    );
    assert_eq!(
        p.next(
            &standing(S::StatementInvited),
            Action::RecordLapse,
            d("2026-12-11")
        ),
        Ok(S::StatementLapsed)
    );
    assert_eq!(
        p.next(
            &standing(S::StatementInvited),
            Action::SubmitStatement,
            today
        ),
        Ok(S::StatementReceived)
    );
    assert_eq!(
        p.next(&standing(S::StatementReceived), Action::Decide, today),
        Ok(S::Decided)
    );
    assert_eq!(
        p.next(&standing(S::Decided), Action::Notify, today),
        Ok(S::Notified)
    );
    // The appeal window: 30 days from the day served, inclusive.
    assert_eq!(
        p.appeal_until(&standing(S::Notified)),
        Some(d("2027-01-12"))
    );
    assert_eq!(
        p.next(&standing(S::Notified), Action::Appeal, d("2027-01-12")),
        Ok(S::Appealed)
    );
    let late = p
        .next(&standing(S::Notified), Action::Appeal, d("2027-01-13"))
        .unwrap_err();
    assert_eq!(
        late,
        ProcedureError::AppealWindowPassed {
            until: d("2027-01-12")
        }
    );
    assert_eq!(
        late.message(Lang::Zh),
        "申诉期限已于 2027-01-12 届满，不能再提出申诉"
    );
    // Closing: after the window with no appeal, or after the appeal is decided; never with
    // remediation not verified.
    assert_eq!(
        p.next(&standing(S::Notified), Action::Close, d("2027-01-12")),
        Err(ProcedureError::AppealWindowOpen {
            until: d("2027-01-12")
        })
    );
    assert_eq!(
        p.next(&standing(S::Notified), Action::Close, d("2027-01-13")),
        Ok(S::Closed)
    );
    let mut open = standing(S::AppealDecided);
    open.open_tasks = 2;
    assert_eq!(
        p.next(&open, Action::Close, today),
        Err(ProcedureError::RemediationOpen { open: 2 })
    );
    assert_eq!(
        p.next(&standing(S::AppealDecided), Action::Close, today),
        Ok(S::Closed)
    );
    // A closed case is not changed; nothing skips a step.
    assert_eq!(
        p.next(&standing(S::Closed), Action::Appeal, today),
        Err(ProcedureError::Closed)
    );
    assert!(matches!(
        p.next(&standing(S::Opened), Action::Appeal, today),
        Err(ProcedureError::NotNow { .. })
    ));
    // On a day: the lapse only once the period passed, closing only once the window did.
    assert_eq!(
        p.actions_on(&standing(S::StatementInvited), today),
        [Action::SubmitStatement]
    );
    assert_eq!(
        p.actions_on(&standing(S::StatementInvited), d("2026-12-11")),
        [Action::SubmitStatement, Action::RecordLapse]
    );
    assert_eq!(
        p.actions_on(&standing(S::Notified), today),
        [Action::Appeal]
    );
    assert_eq!(
        p.actions_on(&standing(S::Notified), d("2027-01-13")),
        [Action::Close]
    );
    assert_eq!(
        p.actions(&standing(S::Investigating)),
        [Action::InviteStatement, Action::Decide]
            .into_iter()
            .filter(|a| *a != Action::Decide)
            .collect::<Vec<_>>()
    );
}

#[test]
fn without_a_notification_step_the_window_runs_from_the_decision() {
    let p = Procedure {
        steps: vec![
            Step::Opened,
            Step::Statement,
            Step::Decision,
            Step::Appeal,
            Step::Closed,
        ],
        statement_days: 7,
        appeal_days: 10,
    };
    let s = standing(CaseState::Decided);
    assert_eq!(p.appeal_until(&s), Some(d("2026-12-22")));
    assert_eq!(
        p.next(&s, Action::Notify, d(TODAY)).unwrap_err(),
        ProcedureError::NotNow {
            action: Action::Notify,
            state: CaseState::Decided
        }
    );
    assert_eq!(
        p.next(&s, Action::Appeal, d(TODAY)),
        Ok(CaseState::Appealed)
    );
    assert!(matches!(
        p.next(&standing(CaseState::Opened), Action::Investigate, d(TODAY)),
        Err(ProcedureError::NotNow { .. })
    ));
}

#[test]
fn remediation_is_reported_by_its_owner_and_verified_by_someone_else() {
    let m = model();
    let t = check_task(
        &TaskDraft {
            title: "完成公众号年审".into(),
            owner: "liu".into(),
            deadline: "2026-12-31".into(),
        },
        "mse",
        &m,
        d(TODAY),
        Lang::Zh,
    )
    .unwrap();
    assert_eq!(t.owner, "liu");
    let e = check_task(
        &TaskDraft {
            title: String::new(),
            owner: "wu".into(),
            deadline: "2026-12-01".into(),
        },
        "mse",
        &m,
        d(TODAY),
        Lang::Zh,
    )
    .unwrap_err();
    assert_eq!(fields_of(&e), ["title", "owner", "deadline"]);
    assert_eq!(check_report("liu", Some("liu"), false), Ok(()));
    assert_eq!(
        check_report("liu", Some("zhao"), false),
        Err(TaskError::NotTheOwner)
    );
    assert_eq!(
        check_report("liu", Some("liu"), true),
        Err(TaskError::Verified)
    );
    assert_eq!(
        check_verification("liu", Some("liu"), true),
        Err(TaskError::OwnTask)
    );
    assert_eq!(
        check_verification("liu", Some("qian"), false),
        Err(TaskError::NotAwaitingVerification)
    );
    assert_eq!(check_verification("liu", Some("qian"), true), Ok(()));
    assert_eq!(check_verification("liu", None, true), Ok(()));
}

#[test]
fn an_appeal_decision_varies_with_forms_and_upholds_without() {
    let rules = CaseRules::default();
    let check = |outcome: &str, forms: &[&str], day: &str| {
        check_appeal_decision(
            &AppealDecisionDraft {
                outcome: outcome.into(),
                reason: "经复查".into(),
                forms: forms.iter().map(|s| s.to_string()).collect(),
                decided_on: day.into(),
            },
            SubjectKind::Person,
            &rules,
            d("2026-12-01"),
            d(TODAY),
            Lang::Zh,
        )
    };
    assert_eq!(
        check("upheld", &[], TODAY).unwrap().outcome,
        AppealOutcome::Upheld
    );
    assert_eq!(
        check("varied", &["admonition"], TODAY).unwrap().forms,
        ["admonition"]
    );
    assert_eq!(
        fields_of(&check("varied", &[], TODAY).unwrap_err()),
        ["forms"]
    );
    assert_eq!(
        fields_of(&check("upheld", &["circular"], TODAY).unwrap_err()),
        ["forms"]
    );
    assert_eq!(
        fields_of(&check("maybe", &[], "2026-11-30").unwrap_err()),
        ["appeal_outcome", "decided_on"]
    );
}

#[test]
fn the_seed_pack_sets_the_procedure_and_the_forms_of_the_regulations() {
    let pack = crate::policy::builtin_pack().unwrap();
    let rules = pack.accountability.clone().unwrap();
    assert_eq!(rules.procedure, Procedure::default());
    assert_eq!(rules.deciding_body, "中共重庆大学纪律检查委员会");
    let names = |k| {
        rules
            .forms_for(k)
            .map(|f| f.name.as_str())
            .collect::<Vec<_>>()
    };
    assert_eq!(names(SubjectKind::Org), ["检查", "通报", "改组"]);
    assert_eq!(
        names(SubjectKind::Person),
        ["通报", "诫勉", "组织调整或组织处理", "纪律处分"]
    );
}

#[test]
fn a_pack_that_leaves_out_the_statement_or_names_an_unknown_form_subject_is_refused_with_its_place()
{
    let src = include_str!("../../packs/cqu-mse-2021-6.toml");
    let bad = src
        .replace(
            r#"procedure = ["opened", "investigating", "statement", "decision", "notified", "appeal", "closed"]"#,
            r#"procedure = ["opened", "decision", "statement", "hearing", "appeal", "closed"]"#,
        )
        .replace(r#"subjects = ["org"]"#, r#"subjects = ["team"]"#);
    let problems = crate::policy::parse_pack(&bad).unwrap_err();
    let text: Vec<String> = problems
        .iter()
        .map(|p| p.problem.message(Lang::En))
        .collect();
    let all = text.join("\n");
    assert!(all.contains("procedure"), "{all}");
    assert!(all.contains("hearing"), "{all}");
    assert!(all.contains("team"), "{all}");
    assert!(problems.iter().all(|p| p.line > 0), "{all}");
}

#[test]
fn remediation_reminds_its_owner_and_escalates_to_whoever_set_it_once_each() {
    let t = |deadline: &str, reported, told| TaskStanding {
        deadline: d(deadline),
        reported,
        verified: false,
        told,
    };
    let none = (false, false, false);
    let today = d(TODAY);
    assert_eq!(task_notices(&t("2026-12-20", false, none), today, 7), []);
    assert_eq!(
        task_notices(&t("2026-12-13", false, none), today, 7),
        [TaskNotice::Due]
    );
    assert_eq!(task_notices(&t("2026-12-13", true, none), today, 7), []);
    assert_eq!(
        task_notices(&t("2026-12-05", true, none), today, 7),
        [TaskNotice::Overdue]
    );
    assert_eq!(
        task_notices(&t("2026-11-20", false, none), today, 7),
        [TaskNotice::Overdue, TaskNotice::Escalate]
    );
    assert_eq!(
        task_notices(&t("2026-11-20", false, (true, true, true)), today, 7),
        []
    );
    let verified = TaskStanding {
        verified: true,
        ..t("2026-11-20", true, none)
    };
    assert_eq!(task_notices(&verified, today, 7), []);
    assert_eq!(TaskNotice::Escalate.kind(), "case-task-escalate");
}

#[test]
fn an_investigation_task_names_a_person_and_a_day_not_past() {
    let m = model();
    let ok = check_inquiry(
        &InquiryDraft {
            text: "调取公众号年审记录".into(),
            assignee: "wu".into(),
            due: "2026-12-10".into(),
        },
        &m,
        d(TODAY),
        Lang::Zh,
    )
    .unwrap();
    assert_eq!((ok.assignee.as_str(), ok.due), ("wu", d("2026-12-10")));
    let e = check_inquiry(
        &InquiryDraft {
            text: " ".into(),
            assignee: "nobody".into(),
            due: "2026-12-01".into(),
        },
        &m,
        d(TODAY),
        Lang::Zh,
    )
    .unwrap_err();
    assert_eq!(fields_of(&e), ["note", "assignee", "due"]);
}
