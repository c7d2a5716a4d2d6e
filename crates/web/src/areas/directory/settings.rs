//! The system administrator's settings for directory sign-in and the office apps: the page, its
//! API, and "test connection". Secrets are sealed at rest (`Tx::put_directory_settings`), never
//! shown back: an empty secret field keeps the one saved.

use super::*;
use crate::shared::error::{ApiError, ErrorCode};
use crate::shared::extract::JsonBody;
use crate::shared::urls::posted_pairs;
use axum::Json;
use axum::extract::RawForm;
use axum::extract::rejection::RawFormRejection;
use serde_json::{Value, json};
use std::collections::HashMap;
use zeren_core::directory::{
    CasSettings, CasVersion, DingtalkSettings, GroupGrant, LdapSettings, LinkKey, OidcSettings,
    Secret, SettingProblem, WecomSettings,
};
use zeren_directory::{cas, dingtalk, ldap, oidc, wecom};

#[derive(Template)]
#[template(path = "directory_settings.html")]
struct SettingsPage {
    frame: Frame,
    tr: Tr,
    csrf: String,
    /// The fields as shown (saved, or as sent back with errors).
    f: HashMap<String, String>,
    /// Which secrets are saved.
    secrets_set: Vec<&'static str>,
    version: i64,
    saved: bool,
    errors: Vec<(String, String)>,
    /// The last connection test: what, whether it worked, in words.
    tested: Option<(String, bool, String)>,
    /// The addresses to register at the portal and providers.
    addresses: Vec<(String, String)>,
    keys: Vec<(&'static str, &'static str)>,
}

impl SettingsPage {
    fn v(&self, name: &str) -> &str {
        self.f.get(name).map(String::as_str).unwrap_or("")
    }

    fn on(&self, name: &str) -> bool {
        self.v(name) == "1"
    }

    fn secret_set(&self, name: &str) -> bool {
        self.secrets_set.contains(&name)
    }

    fn error_for(&self, field: &str) -> Option<&str> {
        crate::shared::format::field_error(&self.errors, field)
    }

    fn general_errors(&self) -> Vec<&str> {
        crate::shared::format::field_errors(&self.errors, "form")
    }
}

/// The fields of saved settings, as the form names them; `org_code` names a mapping's org as
/// the administrator wrote it (mappings keep the id).
fn fields_of(s: &DirectorySettings, org_code: &dyn Fn(&str) -> String) -> HashMap<String, String> {
    let mut f = HashMap::new();
    let mut put = |k: &str, v: String| {
        f.insert(k.to_string(), v);
    };
    let flag = |b: bool| if b { "1".to_string() } else { String::new() };
    put("public_url", s.public_url.clone());
    put("link", s.link.as_str().into());
    put("auto_provision", flag(s.auto_provision));
    put("ask_second_factor", flag(s.ask_second_factor));
    let cas = s.cas.clone();
    put("cas.enabled", flag(cas.is_some()));
    let c = cas.unwrap_or_default();
    put("cas.base_url", c.base_url);
    put(
        "cas.version",
        match c.version {
            CasVersion::V2 => "2.0".into(),
            CasVersion::V3 => "3.0".into(),
        },
    );
    put("cas.key_attribute", c.key_attribute);
    put("cas.label", c.label);
    let ldap = s.ldap.clone();
    put("ldap.enabled", flag(ldap.is_some()));
    let l = ldap.unwrap_or_else(|| LdapSettings {
        user_filter: "(uid={login})".into(),
        key_attribute: "employeeNumber".into(),
        name_attribute: "cn".into(),
        group_attribute: "memberOf".into(),
        timeout_secs: 5,
        ..Default::default()
    });
    put("ldap.url", l.url);
    put("ldap.starttls", flag(l.starttls));
    put("ldap.bind_dn", l.bind_dn);
    put("ldap.base_dn", l.base_dn);
    put("ldap.user_filter", l.user_filter);
    put("ldap.key_attribute", l.key_attribute);
    put("ldap.name_attribute", l.name_attribute);
    put("ldap.group_attribute", l.group_attribute);
    put("ldap.timeout_secs", l.timeout_secs.to_string());
    put(
        "ldap.groups",
        l.groups
            .iter()
            .map(|g| format!("{} => {} @ {}", g.group, g.role, org_code(&g.org)))
            .collect::<Vec<_>>()
            .join("\n"),
    );
    let oidc = s.oidc.clone();
    put("oidc.enabled", flag(oidc.is_some()));
    let o = oidc.unwrap_or_else(|| OidcSettings {
        key_claim: "employee_number".into(),
        ..Default::default()
    });
    put("oidc.issuer", o.issuer);
    put("oidc.client_id", o.client_id);
    put("oidc.key_claim", o.key_claim);
    put("oidc.label", o.label);
    let wecom = s.wecom.clone();
    put("wecom.enabled", flag(wecom.is_some()));
    let w = wecom.unwrap_or_else(|| WecomSettings {
        api_base: "https://qyapi.weixin.qq.com".into(),
        oauth_base: "https://open.weixin.qq.com".into(),
        ..Default::default()
    });
    put("wecom.api_base", w.api_base);
    put("wecom.oauth_base", w.oauth_base);
    put("wecom.corp_id", w.corp_id);
    put("wecom.agent_id", w.agent_id);
    put("wecom.sign_in", flag(w.sign_in));
    put("wecom.messages", flag(w.messages));
    let dingtalk = s.dingtalk.clone();
    put("dingtalk.enabled", flag(dingtalk.is_some()));
    let d = dingtalk.unwrap_or_else(|| DingtalkSettings {
        api_base: "https://oapi.dingtalk.com".into(),
        new_api_base: "https://api.dingtalk.com".into(),
        oauth_base: "https://login.dingtalk.com".into(),
        ..Default::default()
    });
    put("dingtalk.api_base", d.api_base);
    put("dingtalk.new_api_base", d.new_api_base);
    put("dingtalk.oauth_base", d.oauth_base);
    put("dingtalk.app_key", d.app_key);
    put("dingtalk.agent_id", d.agent_id);
    put("dingtalk.sign_in", flag(d.sign_in));
    put("dingtalk.messages", flag(d.messages));
    f
}

fn secrets_set(s: &DirectorySettings) -> Vec<&'static str> {
    let mut out = Vec::new();
    if s.ldap.as_ref().is_some_and(|l| l.bind_password.is_set()) {
        out.push("ldap.bind_password");
    }
    if s.oidc.as_ref().is_some_and(|o| o.client_secret.is_set()) {
        out.push("oidc.client_secret");
    }
    if s.wecom.as_ref().is_some_and(|w| w.secret.is_set()) {
        out.push("wecom.secret");
    }
    if s.dingtalk.as_ref().is_some_and(|d| d.app_secret.is_set()) {
        out.push("dingtalk.app_secret");
    }
    out
}

/// A secret as sent: the new one, or the saved one when the field was left empty.
fn secret(sent: &str, saved: Option<&Secret>) -> Secret {
    if sent.is_empty() {
        saved.cloned().unwrap_or_default()
    } else {
        Secret(sent.to_string())
    }
}

/// Reads the group mappings, one a line: `group DN => role @ org`; orgs by code or id, kept
/// by id. Problems name the line.
fn parse_groups(
    text: &str,
    tr: Tr,
    find_org: &dyn Fn(&str) -> Option<String>,
) -> (Vec<GroupGrant>, Vec<(String, String)>) {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let parsed = line.rsplit_once("=>").and_then(|(group, rest)| {
            let (role, org) = rest.split_once('@')?;
            Some((group.trim(), role.trim(), org.trim()))
        });
        match parsed {
            Some((group, role, org)) if !group.is_empty() => out.push(GroupGrant {
                group: group.to_string(),
                role: role.to_string(),
                org: find_org(org).unwrap_or_else(|| org.to_string()),
            }),
            _ => errors.push((
                "ldap.groups".to_string(),
                tr.tf(
                    "directory.error.group_line",
                    &[("line", &(i + 1).to_string())],
                ),
            )),
        }
    }
    (out, errors)
}

/// Settings from the form's fields; the saved ones give the secrets left empty.
fn settings_of(
    f: &HashMap<String, String>,
    saved: &DirectorySettings,
    tr: Tr,
    find_org: &dyn Fn(&str) -> Option<String>,
) -> (DirectorySettings, Vec<(String, String)>) {
    let v = |k: &str| f.get(k).map(|s| s.trim().to_string()).unwrap_or_default();
    let on = |k: &str| f.get(k).is_some_and(|s| s == "1");
    let mut errors = Vec::new();
    let link = LinkKey::parse(&v("link"))
        .filter(|k| LinkKey::ALL.contains(k))
        .unwrap_or_else(|| {
            errors.push(("link".to_string(), tr.t("directory.error.link").to_string()));
            LinkKey::StaffNo
        });
    let cas = on("cas.enabled").then(|| CasSettings {
        base_url: v("cas.base_url"),
        version: if v("cas.version") == "2.0" {
            CasVersion::V2
        } else {
            CasVersion::V3
        },
        key_attribute: v("cas.key_attribute"),
        label: v("cas.label"),
    });
    let ldap = if on("ldap.enabled") {
        let (groups, group_errors) = parse_groups(&v("ldap.groups"), tr, find_org);
        errors.extend(group_errors);
        let timeout = v("ldap.timeout_secs").parse::<u32>().unwrap_or(0);
        Some(LdapSettings {
            url: v("ldap.url"),
            starttls: on("ldap.starttls"),
            bind_dn: v("ldap.bind_dn"),
            bind_password: secret(
                f.get("ldap.bind_password")
                    .map(String::as_str)
                    .unwrap_or(""),
                saved.ldap.as_ref().map(|l| &l.bind_password),
            ),
            base_dn: v("ldap.base_dn"),
            user_filter: v("ldap.user_filter"),
            key_attribute: v("ldap.key_attribute"),
            name_attribute: v("ldap.name_attribute"),
            group_attribute: v("ldap.group_attribute"),
            groups,
            timeout_secs: timeout,
        })
    } else {
        None
    };
    let oidc = on("oidc.enabled").then(|| OidcSettings {
        issuer: v("oidc.issuer"),
        client_id: v("oidc.client_id"),
        client_secret: secret(
            f.get("oidc.client_secret")
                .map(String::as_str)
                .unwrap_or(""),
            saved.oidc.as_ref().map(|o| &o.client_secret),
        ),
        key_claim: v("oidc.key_claim"),
        label: v("oidc.label"),
    });
    let wecom = on("wecom.enabled").then(|| WecomSettings {
        api_base: v("wecom.api_base"),
        oauth_base: v("wecom.oauth_base"),
        corp_id: v("wecom.corp_id"),
        agent_id: v("wecom.agent_id"),
        secret: secret(
            f.get("wecom.secret").map(String::as_str).unwrap_or(""),
            saved.wecom.as_ref().map(|w| &w.secret),
        ),
        sign_in: on("wecom.sign_in"),
        messages: on("wecom.messages"),
    });
    let dingtalk = on("dingtalk.enabled").then(|| DingtalkSettings {
        api_base: v("dingtalk.api_base"),
        new_api_base: v("dingtalk.new_api_base"),
        oauth_base: v("dingtalk.oauth_base"),
        app_key: v("dingtalk.app_key"),
        app_secret: secret(
            f.get("dingtalk.app_secret")
                .map(String::as_str)
                .unwrap_or(""),
            saved.dingtalk.as_ref().map(|d| &d.app_secret),
        ),
        agent_id: v("dingtalk.agent_id"),
        sign_in: on("dingtalk.sign_in"),
        messages: on("dingtalk.messages"),
    });
    let settings = DirectorySettings {
        public_url: v("public_url"),
        cas,
        ldap,
        oidc,
        wecom,
        dingtalk,
        link,
        auto_provision: on("auto_provision"),
        ask_second_factor: on("ask_second_factor"),
    };
    (settings, errors)
}

/// The core's problems as the form shows them: a group mapping's under the mappings' field,
/// naming its line.
fn problems(p: Vec<SettingProblem>, tr: Tr) -> Vec<(String, String)> {
    p.into_iter()
        .map(|p| match p.field.strip_prefix("ldap.groups:") {
            Some(line) => (
                "ldap.groups".to_string(),
                tr.tf(
                    "directory.error.on_line",
                    &[("line", line), ("message", &p.message)],
                ),
            ),
            None => (p.field, p.message),
        })
        .collect()
}

/// What the page shows besides the saved settings.
#[derive(Default)]
struct Shown {
    fields: Option<HashMap<String, String>>,
    saved: bool,
    tested: Option<(String, bool, String)>,
}

async fn render(
    state: &AppState,
    v: &Viewer,
    status: StatusCode,
    shown: Shown,
    errors: Vec<(String, String)>,
) -> Response {
    let tr = v.tr;
    let (saved, version) = match state.db.directory_settings().await {
        Ok(s) => s,
        Err(e) => return storage_page(tr, &e),
    };
    let public = if saved.public_url.trim().is_empty() {
        tr.t("directory.settings.public_url_unset").to_string()
    } else {
        String::new()
    };
    let at = |p: &str| {
        if public.is_empty() {
            saved.address(p)
        } else {
            format!("{public} {p}")
        }
    };
    let addresses = vec![
        (
            tr.t("directory.settings.cas").to_string(),
            at("/login/cas/return"),
        ),
        (
            tr.t("directory.settings.oidc").to_string(),
            at("/login/oidc/return"),
        ),
        (
            tr.t("directory.settings.wecom").to_string(),
            at("/login/wecom/return"),
        ),
        (
            tr.t("directory.settings.dingtalk").to_string(),
            at("/login/dingtalk/return"),
        ),
    ];
    page(
        status,
        &SettingsPage {
            frame: Frame::of(state, Some(v)),
            tr,
            csrf: v.csrf().to_string(),
            f: shown.fields.unwrap_or_else(|| {
                let model = &v.snap.model;
                fields_of(&saved, &|id| {
                    model
                        .org(id)
                        .map(|o| o.code.clone())
                        .unwrap_or_else(|| id.to_string())
                })
            }),
            secrets_set: secrets_set(&saved),
            version,
            saved: shown.saved,
            errors,
            tested: shown.tested,
            addresses,
            keys: LinkKey::ALL
                .iter()
                .map(|k| (k.as_str(), k.label(tr.lang())))
                .collect(),
        },
    )
}

/// `?saved=1` after saving.
#[derive(Deserialize, Default)]
pub struct SavedQuery {
    saved: Option<String>,
}

/// `GET /admin/directory`.
pub async fn settings_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    axum::extract::Query(q): axum::extract::Query<SavedQuery>,
) -> Response {
    if !is_system_admin(&v) {
        return forbidden_page(v.tr);
    }
    let shown = Shown {
        saved: q.saved.is_some(),
        ..Default::default()
    };
    render(&state, &v, StatusCode::OK, shown, Vec::new()).await
}

/// Checks and saves `settings` over version `version`: the problems, each naming its field.
async fn save(
    state: &AppState,
    v: &Viewer,
    settings: DirectorySettings,
    version: i64,
    mut errors: Vec<(String, String)>,
) -> Result<i64, (StatusCode, Vec<(String, String)>)> {
    let tr = v.tr;
    let model = &v.snap.model;
    if let Err(p) = settings.check(tr.lang(), &|o| model.org(o).is_some()) {
        errors.extend(problems(p, tr));
    }
    if !errors.is_empty() {
        return Err((StatusCode::UNPROCESSABLE_ENTITY, errors));
    }
    let saved = async {
        let mut tx = state.db.begin(&v.actor(), state.clock.now()).await?;
        let n = tx.put_directory_settings(settings, version).await?;
        tx.commit().await?;
        Ok::<_, zeren_storage::StorageError>(n)
    }
    .await;
    saved.map_err(|e| match e {
        zeren_storage::StorageError::Conflict { .. } => (
            StatusCode::CONFLICT,
            vec![("form".into(), tr.t("directory.error.conflict").to_string())],
        ),
        e => {
            tracing::error!(error = %e, "saving directory settings failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                vec![(
                    "form".into(),
                    tr.t("error.database_unavailable").to_string(),
                )],
            )
        }
    })
}

/// `POST /admin/directory`.
pub async fn settings_submit(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    form: Result<RawForm, RawFormRejection>,
) -> Response {
    if !is_system_admin(&v) {
        return forbidden_page(v.tr);
    }
    let tr = v.tr;
    let f: HashMap<String, String> = posted_pairs(form).into_iter().collect();
    let (saved, _) = match state.db.directory_settings().await {
        Ok(s) => s,
        Err(e) => return storage_page(tr, &e),
    };
    let model = v.snap.model.clone();
    let find = |o: &str| model.find_org(o).map(|org| org.id.clone());
    let (settings, errors) = settings_of(&f, &saved, tr, &find);
    let version = f
        .get("version")
        .and_then(|s| s.parse::<i64>().ok())
        .unwrap_or(-1);
    match save(&state, &v, settings, version, errors).await {
        Ok(_) => redirect("/admin/directory?saved=1"),
        Err((status, errors)) => {
            let mut fields = f;
            for s in [
                "ldap.bind_password",
                "oidc.client_secret",
                "wecom.secret",
                "dingtalk.app_secret",
            ] {
                fields.remove(s);
            }
            let shown = Shown {
                fields: Some(fields),
                ..Default::default()
            };
            render(&state, &v, status, shown, errors).await
        }
    }
}

/// `POST /admin/directory/test`: which of the saved connections to try.
#[derive(Deserialize)]
pub struct TestForm {
    #[serde(default)]
    what: String,
}

/// Tries the saved connection of `what`: Ok with what worked, Err with what failed, in words.
async fn try_connection(
    state: &AppState,
    s: &DirectorySettings,
    what: &str,
    tr: Tr,
) -> Result<String, String> {
    let p = policy(state);
    let lang = tr.lang();
    let not_set = || tr.t("directory.test.not_set").to_string();
    match what {
        "cas" => {
            let c = s.cas.as_ref().ok_or_else(not_set)?;
            // A ticket no portal issued: a portal that answers INVALID_TICKET in its protocol
            // is there and speaks CAS.
            let service = s.address("/login/cas/return");
            match cas::validate(c, &service, "ST-zeren-connection-test", WAIT, &p).await {
                Err(SignInFailure::Refused { code }) => {
                    Ok(tr.tf("directory.test.cas_ok", &[("code", &code)]))
                }
                Ok(_) => Err(tr.t("directory.test.cas_accepted").to_string()),
                Err(f) => Err(f.message(Method::Cas, lang)),
            }
        }
        "oidc" => {
            let o = s.oidc.as_ref().ok_or_else(not_set)?;
            match oidc::discover(o, WAIT, &p).await {
                Ok(_) => Ok(tr.t("directory.test.oidc_ok").to_string()),
                Err(f) => Err(f.message(Method::Oidc, lang)),
            }
        }
        "ldap" => {
            let l = s.ldap.as_ref().ok_or_else(not_set)?;
            ldap::test_connection(l, &p, lang)
                .await
                .map_err(|(_, words)| words)
        }
        "wecom" => {
            let w = s.wecom.as_ref().ok_or_else(not_set)?;
            wecom::Client::new(w, &p).test_connection(lang).await
        }
        "dingtalk" => {
            let d = s.dingtalk.as_ref().ok_or_else(not_set)?;
            dingtalk::Client::new(d, &p).test_connection(lang).await
        }
        _ => Err(not_set()),
    }
}

/// `POST /admin/directory/test`.
pub async fn test_connection(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    axum::Form(form): axum::Form<TestForm>,
) -> Response {
    if !is_system_admin(&v) {
        return forbidden_page(v.tr);
    }
    let tr = v.tr;
    let (saved, _) = match state.db.directory_settings().await {
        Ok(s) => s,
        Err(e) => return storage_page(tr, &e),
    };
    let what: String = form.what.chars().take(16).collect();
    let result = try_connection(&state, &saved, &what, tr).await;
    let ok = result.is_ok();
    let words = result.unwrap_or_else(|e| e);
    if let Ok(mut tx) = state.db.begin(&v.actor(), state.clock.now()).await
        && tx
            .audit(
                "directory.test",
                "directory",
                &what,
                None,
                Some(&json!({"ok": ok, "result": words})),
            )
            .await
            .is_ok()
    {
        let _ = tx.commit().await;
    }
    let shown = Shown {
        tested: Some((what, ok, words)),
        ..Default::default()
    };
    render(&state, &v, StatusCode::OK, shown, Vec::new()).await
}

/// The settings as the API shows them: every secret replaced by whether it is set.
fn shown_json(s: &DirectorySettings, version: i64) -> Value {
    let set = secrets_set(s);
    let mut blank = s.clone();
    for secret in blank.secrets_mut() {
        *secret = Secret::default();
    }
    json!({"settings": blank, "secrets_set": set, "version": version})
}

/// `GET /api/v1/settings/directory`.
pub async fn api_settings(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
) -> Result<Json<Value>, ApiError> {
    if !is_system_admin(&v) {
        return Err(ApiError::new(
            ErrorCode::Forbidden,
            v.tr.t("error.forbidden").into(),
        ));
    }
    let (s, version) = state
        .db
        .directory_settings()
        .await
        .map_err(|e| ApiError::from_storage(e, v.tr, ErrorCode::NotFound, "directory"))?;
    Ok(Json(shown_json(&s, version)))
}

/// Body of `PUT /api/v1/settings/directory`.
#[derive(Deserialize)]
pub struct PutSettings {
    settings: DirectorySettings,
    version: i64,
}

/// `PUT /api/v1/settings/directory`.
pub async fn api_put_settings(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    JsonBody(body): JsonBody<PutSettings>,
) -> Result<Json<Value>, ApiError> {
    let tr = v.tr;
    if !is_system_admin(&v) {
        return Err(ApiError::new(
            ErrorCode::Forbidden,
            tr.t("error.forbidden").into(),
        ));
    }
    let (saved, _) = state
        .db
        .directory_settings()
        .await
        .map_err(|e| ApiError::from_storage(e, tr, ErrorCode::NotFound, "directory"))?;
    let mut settings = body.settings;
    // An empty secret keeps the one saved.
    let kept = saved;
    if let (Some(n), Some(o)) = (settings.ldap.as_mut(), kept.ldap.as_ref()) {
        n.bind_password = secret(n.bind_password.expose(), Some(&o.bind_password));
    }
    if let (Some(n), Some(o)) = (settings.oidc.as_mut(), kept.oidc.as_ref()) {
        n.client_secret = secret(n.client_secret.expose(), Some(&o.client_secret));
    }
    if let (Some(n), Some(o)) = (settings.wecom.as_mut(), kept.wecom.as_ref()) {
        n.secret = secret(n.secret.expose(), Some(&o.secret));
    }
    if let (Some(n), Some(o)) = (settings.dingtalk.as_mut(), kept.dingtalk.as_ref()) {
        n.app_secret = secret(n.app_secret.expose(), Some(&o.app_secret));
    }
    if let Some(l) = settings.ldap.as_mut() {
        for g in &mut l.groups {
            if let Some(org) = v.snap.model.find_org(&g.org) {
                g.org = org.id.clone();
            }
        }
    }
    match save(&state, &v, settings, body.version, Vec::new()).await {
        Ok(version) => {
            let (s, _) = state
                .db
                .directory_settings()
                .await
                .map_err(|e| ApiError::from_storage(e, tr, ErrorCode::NotFound, "directory"))?;
            Ok(Json(shown_json(&s, version)))
        }
        Err((status, errors)) => {
            let code = if status == StatusCode::CONFLICT {
                ErrorCode::Conflict
            } else if status == StatusCode::UNPROCESSABLE_ENTITY {
                ErrorCode::Validation
            } else {
                ErrorCode::DatabaseUnavailable
            };
            let message = errors
                .iter()
                .map(|(f, m)| format!("{f}: {m}"))
                .collect::<Vec<_>>()
                .join("; ");
            Err(ApiError::new(code, message).with_fields(errors))
        }
    }
}
