use super::*;
use crate::directory::link::Linked;

fn identity(key: Option<&str>) -> DirectoryIdentity {
    DirectoryIdentity {
        subject: "u1".into(),
        key: key.map(str::to_string),
        ..Default::default()
    }
}

fn person(id: &str, left: bool, account: Option<(&str, bool, bool)>) -> Candidate {
    Candidate {
        person_id: id.into(),
        left,
        account: account.map(|(a, admin, off)| (a.to_string(), admin, off)),
    }
}

#[test]
fn an_identity_links_by_its_key_to_one_current_person_and_their_account() {
    let id = identity(Some(" 20011 "));
    let one = [person("p1", false, Some(("u-1", false, false)))];
    assert_eq!(
        link(&id, "employeeNumber", &one, false),
        Ok(Linked::Account("u-1".into()))
    );
    // A former holder of the same number who has left does not count against the current one.
    let two = [person("p0", true, None), one[0].clone()];
    assert_eq!(
        link(&id, "employeeNumber", &two, false),
        Ok(Linked::Account("u-1".into()))
    );
}

#[test]
fn every_refusal_names_the_key_and_the_value() {
    let none: [Candidate; 0] = [];
    let e = link(&identity(Some("999")), "k", &none, false).unwrap_err();
    assert_eq!(
        e,
        LinkRefusal::Unknown {
            value: "999".into()
        }
    );
    let m = e.message(Method::Cas, LinkKey::StaffNo, Lang::Zh);
    assert!(
        m.contains("工号") && m.contains("「999」") && m.contains("统一身份认证"),
        "{m}"
    );
    let m = e.message(Method::Oidc, LinkKey::StaffNo, Lang::En);
    assert!(m.contains("staff number `999`"), "{m}");

    let e = link(&identity(None), "employeeNumber", &none, true).unwrap_err();
    assert!(
        e.message(Method::Ldap, LinkKey::StaffNo, Lang::Zh)
            .contains("employeeNumber")
    );

    let left = [person("p", true, Some(("u", false, false)))];
    assert_eq!(
        link(&identity(Some("1")), "k", &left, false),
        Err(LinkRefusal::Left { value: "1".into() })
    );
    let twins = [person("a", false, None), person("b", false, None)];
    assert_eq!(
        link(&identity(Some("王伟")), "k", &twins, true),
        Err(LinkRefusal::Ambiguous {
            value: "王伟".into(),
            count: 2
        })
    );
}

#[test]
fn accounts_are_made_only_when_set_and_administrators_and_disabled_accounts_are_refused() {
    let bare = [person("p1", false, None)];
    let id = identity(Some("1"));
    assert_eq!(
        link(&id, "k", &bare, false),
        Err(LinkRefusal::NoAccount { value: "1".into() })
    );
    assert_eq!(
        link(&id, "k", &bare, true),
        Ok(Linked::Provision("p1".into()))
    );
    let admin = [person("p1", false, Some(("u", true, false)))];
    assert_eq!(
        link(&id, "k", &admin, true),
        Err(LinkRefusal::Administrator)
    );
    let off = [person("p1", false, Some(("u", false, true)))];
    assert_eq!(link(&id, "k", &off, true), Err(LinkRefusal::Disabled));
}

#[test]
fn groups_map_to_grants_whatever_the_case_and_spacing_of_the_dn() {
    let maps = vec![
        GroupGrant {
            group: "cn=Party Office,ou=groups,dc=cqu,dc=edu,dc=cn".into(),
            role: "supervisor".into(),
            org: "cqu".into(),
        },
        GroupGrant {
            group: "cn=other,dc=x".into(),
            role: "staff".into(),
            org: "cqu".into(),
        },
    ];
    let held = vec!["CN=party office, OU=Groups, DC=cqu, DC=edu, DC=cn".to_string()];
    let got = mapped_grants(&held, &maps);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].role, "supervisor");
}

#[test]
fn settings_are_checked_field_by_field() {
    let known = |o: &str| o == "cqu";
    let mut s = DirectorySettings {
        public_url: "https://zeren.example.edu.cn".into(),
        cas: Some(CasSettings {
            base_url: "http://authserver.example.edu.cn/authserver".into(),
            ..Default::default()
        }),
        ldap: Some(LdapSettings {
            url: "ldap://ldap.example.edu.cn".into(),
            base_dn: "dc=x".into(),
            user_filter: "uid={login}".into(),
            key_attribute: "employeeNumber".into(),
            timeout_secs: 5,
            groups: vec![GroupGrant {
                group: "cn=g".into(),
                role: "king".into(),
                org: "nowhere".into(),
            }],
            ..Default::default()
        }),
        oidc: Some(OidcSettings {
            issuer: "https://idp.example.edu.cn?x=1".into(),
            client_id: "zeren".into(),
            key_claim: "employee_number".into(),
            ..Default::default()
        }),
        ..Default::default()
    };
    let problems = s.check(Lang::Zh, &known).unwrap_err();
    let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "cas.base_url",
            "ldap.url",
            "ldap.user_filter",
            "ldap.group_attribute",
            "ldap.groups:1",
            "ldap.groups:1",
            "oidc.issuer",
            "oidc.client_secret"
        ]
    );
    assert!(problems[0].message.contains("https"));
    // Plain http and ldap to this machine are taken (a portal or directory on the same host).
    s.cas.as_mut().unwrap().base_url = "http://127.0.0.1:8443/cas".into();
    let l = s.ldap.as_mut().unwrap();
    l.url = "ldap://127.0.0.1:3389".into();
    l.user_filter = "(uid={login})".into();
    l.groups[0].role = "supervisor".into();
    l.groups[0].org = "cqu".into();
    l.group_attribute = "memberOf".into();
    let o = s.oidc.as_mut().unwrap();
    o.issuer = "https://idp.example.edu.cn".into();
    o.client_secret = Secret("s".into());
    assert_eq!(s.check(Lang::En, &known), Ok(()));
    assert_eq!(s.secrets_mut().len(), 2);
    assert_eq!(format!("{:?}", Secret("hunter2".into())), "Secret(…)");
}

#[test]
fn failures_speak_the_users_language_and_keep_the_portals_code() {
    let m = SignInFailure::Refused {
        code: "INVALID_TICKET".into(),
    }
    .message(Method::Cas, Lang::Zh);
    assert!(m.contains("INVALID_TICKET") && m.contains("统一身份认证"));
    let m = SignInFailure::Unreachable.message(Method::Ldap, Lang::En);
    assert!(m.contains("administrators can still sign in"));
    assert_eq!(Method::parse("oidc"), Some(Method::Oidc));
    assert_eq!(LinkKey::parse("staff-no"), Some(LinkKey::StaffNo));
}
