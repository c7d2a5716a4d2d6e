use super::*;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

const TODAY: &str = "2026-11-28";

fn step(to: &str, on: &str, reason: &str) -> TransitionDraft {
    TransitionDraft {
        to: to.into(),
        on: on.into(),
        reason: reason.into(),
    }
}

fn messages(r: Result<Transition, FieldErrors>) -> Vec<(String, String)> {
    r.unwrap_err()
}

#[test]
fn a_platform_goes_step_by_step_and_may_close_from_anywhere() {
    use PlatformState::*;
    let t = check_transition(
        Planned,
        d("2026-03-01"),
        &step("registered", "2026-03-10", "已完成备案"),
        d(TODAY),
        Lang::Zh,
    )
    .unwrap();
    assert_eq!((t.from, t.to, t.on), (Planned, Registered, d("2026-03-10")));
    assert_eq!(t.reason, "已完成备案");
    for (from, to) in [
        (Registered, Active),
        (Active, Suspended),
        (Suspended, Active),
    ] {
        let t = check_transition(
            from,
            d("2026-03-01"),
            &step(to.as_str(), "2026-04-01", "按计划"),
            d(TODAY),
            Lang::Zh,
        );
        assert!(t.is_ok(), "{from} → {to}");
    }
    for from in [Planned, Registered, Active, Suspended] {
        assert!(
            check_transition(
                from,
                d("2026-03-01"),
                &step("closed", "2026-04-01", "撤并"),
                d(TODAY),
                Lang::Zh
            )
            .is_ok()
        );
    }
}

#[test]
fn a_skipped_step_or_a_closed_platform_is_refused_with_what_may_come_next() {
    use PlatformState::*;
    let m = messages(check_transition(
        Planned,
        d("2026-03-01"),
        &step("active", "2026-03-10", "上线"),
        d(TODAY),
        Lang::Zh,
    ));
    assert_eq!(
        m,
        vec![(
            "to".to_string(),
            "平台处于「筹建」，不能直接改为「运行」，下一步只能是：已备案、关停".to_string()
        )]
    );
    let m = messages(check_transition(
        Planned,
        d("2026-03-01"),
        &step("active", "2026-03-10", "go live"),
        d(TODAY),
        Lang::En,
    ));
    assert_eq!(
        m[0].1,
        "a planned platform cannot become active directly; next it can only be: registered, closed"
    );
    let m = messages(check_transition(
        Closed,
        d("2026-03-01"),
        &step("active", "2026-03-10", "重开"),
        d(TODAY),
        Lang::Zh,
    ));
    assert_eq!(m[0].1, "平台已关停，不能再改变状态");
    let m = messages(check_transition(
        Active,
        d("2026-03-01"),
        &step("paused", "2026-03-10", "x"),
        d(TODAY),
        Lang::Zh,
    ));
    assert!(m[0].1.starts_with("平台状态「paused」无效"), "{m:?}");
}

#[test]
fn a_step_is_dated_between_the_last_one_and_today_and_gives_its_reason() {
    use PlatformState::*;
    let m = messages(check_transition(
        Active,
        d("2026-06-01"),
        &step("suspended", "2026-05-31", "整改"),
        d(TODAY),
        Lang::Zh,
    ));
    assert_eq!(
        m,
        vec![(
            "on".to_string(),
            "日期 2026-05-31 早于平台进入当前状态的日期 2026-06-01".to_string()
        )]
    );
    let m = messages(check_transition(
        Active,
        d("2026-06-01"),
        &step("suspended", "2026-12-01", "整改"),
        d(TODAY),
        Lang::Zh,
    ));
    assert_eq!(m[0].0, "on");
    assert!(m[0].1.contains("晚于今天"), "{m:?}");
    let m = messages(check_transition(
        Active,
        d("2026-06-01"),
        &step("suspended", "2026-07-01", "  "),
        d(TODAY),
        Lang::En,
    ));
    assert_eq!(
        m,
        vec![("reason".to_string(), "reason is required".to_string())]
    );
    let long = "因".repeat(REASON_MAX + 1);
    let m = messages(check_transition(
        Active,
        d("2026-06-01"),
        &step("suspended", "2026-07-01", &long),
        d(TODAY),
        Lang::Zh,
    ));
    assert_eq!(m[0].0, "reason");
    // Several problems at once, each by its field.
    let m = messages(check_transition(
        Planned,
        d("2026-06-01"),
        &step("active", "2026-13-01", ""),
        d(TODAY),
        Lang::Zh,
    ));
    let fields: Vec<&str> = m.iter().map(|(f, _)| f.as_str()).collect();
    assert_eq!(fields, ["to", "on", "reason"]);
}

#[test]
fn icp_numbers_are_checked_by_their_form() {
    for ok in [
        "渝ICP备05003022号",
        "渝ICP备05003022号-1",
        "京ICP备12345678号-12",
    ] {
        assert!(is_icp(ok), "{ok}");
    }
    for bad in [
        "",
        "ICP备05003022号",
        "渝ICP05003022号",
        "渝ICP备0500302号",
        "渝ICP备050030222号",
        "渝ICP备05003022",
        "渝ICP备05003022号-",
        "渝ICP备05003022号-a",
        "美ICP备05003022号",
        "渝ICP备０５００３０２２号",
    ] {
        assert!(!is_icp(bad), "{bad}");
    }
}

#[test]
fn a_website_is_registered_by_its_icp_number_an_account_by_its_details() {
    let today = d(TODAY);
    let site = RegistrationDraft {
        icp: " 渝ICP备05003022号-1 ".into(),
        ..Default::default()
    };
    let r = check_registration(PlatformKind::Website, &site, true, today, Lang::Zh).unwrap();
    assert_eq!(r.icp.as_deref(), Some("渝ICP备05003022号-1"));
    let m = check_registration(
        PlatformKind::Website,
        &RegistrationDraft::default(),
        true,
        today,
        Lang::Zh,
    )
    .unwrap_err();
    assert_eq!(
        m,
        vec![("icp".to_string(), "网站须填写 ICP 备案号".to_string())]
    );
    // Not yet registered: nothing is required, but what is given is checked.
    assert!(
        check_registration(
            PlatformKind::Website,
            &RegistrationDraft::default(),
            false,
            today,
            Lang::Zh
        )
        .is_ok()
    );
    let bad = RegistrationDraft {
        icp: "渝ICP备123号".into(),
        ..Default::default()
    };
    let m = check_registration(PlatformKind::Website, &bad, false, today, Lang::En).unwrap_err();
    assert_eq!(m[0].0, "icp");
    assert!(
        m[0].1
            .starts_with("ICP number `渝ICP备123号` is not of the form"),
        "{m:?}"
    );

    let account = RegistrationDraft {
        account_id: "gh_0123456789ab".into(),
        registered_on: "2024-09-01".into(),
        registering_body: "重庆大学材料科学与工程学院".into(),
        ..Default::default()
    };
    let r = check_registration(
        PlatformKind::WechatOfficial,
        &account,
        true,
        today,
        Lang::Zh,
    )
    .unwrap();
    assert_eq!(r.registered_on, Some(d("2024-09-01")));
    let m = check_registration(
        PlatformKind::WechatOfficial,
        &RegistrationDraft::default(),
        true,
        today,
        Lang::Zh,
    )
    .unwrap_err();
    let fields: Vec<&str> = m.iter().map(|(f, _)| f.as_str()).collect();
    assert_eq!(fields, ["account_id", "registering_body", "registered_on"]);
    let future = RegistrationDraft {
        registered_on: "2027-01-01".into(),
        ..account.clone()
    };
    let m = check_registration(PlatformKind::WechatOfficial, &future, true, today, Lang::Zh)
        .unwrap_err();
    assert_eq!(m[0].0, "registered_on");
}

#[test]
fn only_active_and_suspended_platforms_run() {
    use PlatformState::*;
    let running: Vec<PlatformState> = PlatformState::ALL
        .iter()
        .copied()
        .filter(|s| s.runs())
        .collect();
    assert_eq!(running, [Active, Suspended]);
    // Every state but the last can be left; none leads back to planned.
    for s in PlatformState::ALL {
        assert!(!s.next().contains(&Planned));
        assert_eq!(s.next().is_empty(), *s == Closed);
    }
}

mod registry {
    use super::*;
    use crate::org::{Org, OrgModel, Person};
    use crate::vocab::{KindId, OrgKind};

    fn model() -> OrgModel {
        let org = |id: &str, parent: Option<&str>| Org {
            id: id.into(),
            code: id.into(),
            name: format!("{id}名"),
            kind: if parent.is_some() {
                OrgKind::Branch
            } else {
                OrgKind::College
            },
            parent: parent.map(Into::into),
            established_on: None,
            closed_on: None,
        };
        let person = |id: &str, org: &str| Person {
            id: id.into(),
            name: format!("{id}名"),
            org: org.into(),
        };
        OrgModel::new(
            vec![
                org("mse", None),
                org("mse-b1", Some("mse")),
                org("cs", None),
            ],
            vec![person("liu", "mse-b1"), person("he", "cs")],
            vec![],
            vec![],
            vec![],
            vec![],
        )
    }

    fn draft() -> PlatformDraft {
        PlatformDraft {
            code: "mse-b1-wechat".into(),
            name: "第一党支部公众号".into(),
            kind: "wechat-official".into(),
            org: "mse-b1".into(),
            portfolio: "publicity".into(),
            news_function: true,
            opened_on: "2026-11-01".into(),
            operators: vec!["liu".into()],
            state: String::new(),
        }
    }

    /// The portfolio `publicity`, the built-in kinds and the kinds `declared` adds.
    fn terms(declared: &[&str]) -> PlatformTerms {
        PlatformTerms {
            portfolios: vec!["publicity".into()],
            kinds: PlatformKind::built_ins()
                .chain(
                    declared
                        .iter()
                        .map(|id| PlatformKind::Declared(KindId::new(id).unwrap())),
                )
                .collect(),
        }
    }

    #[test]
    fn a_kind_the_policies_declare_is_accepted_and_kept_as_an_account() {
        let xhs = PlatformDraft {
            kind: "xiaohongshu".into(),
            ..draft()
        };
        let refused =
            check_platform(&xhs, None, &model(), &terms(&[]), d(TODAY), Lang::Zh).unwrap_err();
        assert_eq!(refused[0].0, "kind");
        let ok = check_platform(
            &xhs,
            None,
            &model(),
            &terms(&["xiaohongshu"]),
            d(TODAY),
            Lang::Zh,
        )
        .unwrap();
        assert_eq!(ok.kind.as_str(), "xiaohongshu");
        assert!(!ok.kind.is_website());
        assert_eq!(PlatformKind::stored("xiaohongshu"), Some(ok.kind));
        // An id that spells a built-in kind, or is too long, is never a declared one.
        assert_eq!(KindId::new("website"), None);
        assert_eq!(KindId::new(&"a".repeat(KindId::MAX + 1)), None);
        assert_eq!(KindId::new("Xiao Hong Shu"), None);
    }

    #[test]
    fn a_new_platform_is_checked_field_by_field() {
        let ok = check_platform(&draft(), None, &model(), &terms(&[]), d(TODAY), Lang::Zh).unwrap();
        assert_eq!(ok.state, PlatformState::Planned);
        assert_eq!(ok.operators, vec!["liu"]);
        let bad = PlatformDraft {
            code: "Bad Code".into(),
            kind: "tiktok".into(),
            portfolio: "sports".into(),
            operators: vec!["he".into()],
            opened_on: "2027-01-01".into(),
            state: "closed".into(),
            name: " ".into(),
            ..draft()
        };
        let errs =
            check_platform(&bad, None, &model(), &terms(&[]), d(TODAY), Lang::Zh).unwrap_err();
        let fields: Vec<&str> = errs.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(
            fields,
            vec![
                "name",
                "code",
                "kind",
                "opened_on",
                "state",
                "portfolio",
                "operators"
            ]
        );
        let operator = &errs.last().unwrap().1;
        assert!(operator.contains("不是mse-b1名的人员"), "{operator}");
        let en = check_platform(&bad, None, &model(), &terms(&[]), d(TODAY), Lang::En).unwrap_err();
        assert!(en[2].1.contains("platform kind `tiktok` is not valid"));
    }
}
