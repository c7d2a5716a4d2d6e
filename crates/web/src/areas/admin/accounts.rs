//! The account list and the form that creates a business account.

use super::*;

/// An account's state.
pub(super) fn account_state(u: &User, now_ms: i64) -> &'static str {
    if u.disabled {
        "disabled"
    } else if u.locked_until.is_some_and(|t| t > now_ms) {
        "locked"
    } else {
        "active"
    }
}

pub(super) fn state_label(tr: Tr, state: &str) -> String {
    match state {
        "disabled" => tr.t("admin.state.disabled"),
        "locked" => tr.t("admin.state.locked"),
        _ => tr.t("admin.state.active"),
    }
    .to_string()
}

/// One account as listed.
pub struct AccountRow {
    /// Id.
    pub id: String,
    /// Sign-in name.
    pub username: String,
    /// Name shown.
    pub display_name: String,
    /// Administrator role, or "business account".
    pub kind: String,
    /// Administrator account.
    pub is_admin: bool,
    /// Linked person, "name（org code）".
    pub person: String,
    /// `active`, `disabled` or `locked`.
    pub state: &'static str,
    /// The state in words.
    pub state_label: String,
    /// Locked until, Asia/Shanghai.
    pub locked_until: Option<String>,
    /// Second factor on.
    pub totp: bool,
    /// Must change the password at next sign-in.
    pub must_change: bool,
    /// Edit version.
    pub version: i64,
}

impl AccountRow {
    pub(super) fn new(u: &User, snap: &Snapshot, tr: Tr, now_ms: i64) -> AccountRow {
        let state = account_state(u, now_ms);
        AccountRow {
            id: u.id.clone(),
            username: u.username.clone(),
            display_name: u.display_name.clone(),
            kind: match u.admin_role {
                Some(a) => role_label(tr, a.as_str()),
                None => tr.t("admin.kind.business").to_string(),
            },
            is_admin: u.admin_role.is_some(),
            person: u
                .person
                .as_deref()
                .map(|p| person_label(snap, p))
                .unwrap_or_default(),
            state,
            state_label: state_label(tr, state),
            locked_until: u.locked_until.filter(|t| *t > now_ms).map(second),
            totp: u.totp_enabled,
            must_change: u.must_change_password,
            version: u.version,
        }
    }
}

/// The new-account form, as typed. `admin_role` is not offered: it is read only to refuse it,
/// since administrator accounts are made on the server (`zeren user add --admin`).
#[derive(Deserialize, Default, Clone)]
pub struct NewAccountForm {
    #[serde(default)]
    pub(super) username: String,
    #[serde(default)]
    pub(super) display_name: String,
    #[serde(default)]
    pub(super) person: String,
    #[serde(default)]
    pub(super) admin_role: String,
    /// On an installation without orgs: this account creates the root org (`1`).
    #[serde(default)]
    pub(super) founder: String,
}

pub(super) struct NewAccount {
    pub(super) username: String,
    pub(super) display_name: String,
    pub(super) person: Option<String>,
    /// Designated to create the root org (the tree is empty).
    pub(super) founder: bool,
}

pub(super) fn is_username(s: &str) -> bool {
    (2..=64).contains(&s.len())
        && s.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_' || b == b'.'
        })
}

/// Checks a new business account against the rules: a valid, free user name; a name; a person
/// has at most one account. No administrator role (三员分立): no administrator creates another
/// administrator; those accounts are made on the server with `zeren user add --admin`.
pub(super) fn check_new_account(
    form: &NewAccountForm,
    snap: &Snapshot,
    users: &[User],
    tr: Tr,
) -> Result<NewAccount, FieldErrors> {
    let mut errors = FieldErrors::new();
    let username = form.username.trim().to_lowercase();
    if username.is_empty() {
        errors.push(("username", tr.t("admin.error.required").to_string()));
    } else if !is_username(&username) {
        errors.push(("username", tr.t("admin.error.username").to_string()));
    } else if users.iter().any(|u| u.username == username) {
        errors.push((
            "username",
            tr.tf("admin.error.username_taken", &[("username", &username)]),
        ));
    }
    let display_name = form.display_name.trim().to_string();
    if display_name.is_empty() {
        errors.push(("display_name", tr.t("admin.error.required").to_string()));
    } else if display_name.chars().count() > 80 {
        errors.push((
            "display_name",
            tr.tf("admin.error.too_long", &[("max", "80")]),
        ));
    }
    if !form.admin_role.trim().is_empty() {
        errors.push(("admin_role", tr.t("admin.error.admin_role").to_string()));
    }
    let person = match form.person.trim() {
        "" => None,
        id => {
            if snap.model.person(id).is_none() {
                errors.push(("person", tr.t("admin.error.person").to_string()));
            } else if let Some(u) = users.iter().find(|u| u.person.as_deref() == Some(id)) {
                errors.push((
                    "person",
                    tr.tf("admin.error.person_taken", &[("username", &u.username)]),
                ));
            }
            Some(id.to_string())
        }
    };
    let founder = matches!(form.founder.trim(), "1" | "on" | "true");
    if founder && !snap.model.orgs().is_empty() {
        errors.push(("founder", tr.t("admin.error.founder").to_string()));
    }
    if errors.is_empty() {
        Ok(NewAccount {
            username,
            display_name,
            person,
            founder,
        })
    } else {
        Err(errors)
    }
}

/// A temporary password that the policy accepts, with every character class: shown once,
/// changed at the first sign-in. Unambiguous characters only (no 0/O, 1/l/I).
pub(super) fn temporary_password(
    policy: &PasswordPolicy,
    username: &str,
) -> Result<String, StorageError> {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789-_.!@#%+=";
    let len = policy.min_length.clamp(16, 128);
    // Bytes at or above `limit` are dropped, so every character is equally likely.
    let limit = 256 - 256 % ALPHABET.len();
    for _ in 0..64 {
        let pw: String = random_bytes(len * 2)?
            .into_iter()
            .map(usize::from)
            .filter(|b| *b < limit)
            .take(len)
            .map(|b| char::from(ALPHABET[b % ALPHABET.len()]))
            .collect();
        let classes = [
            pw.chars().any(|c| c.is_ascii_lowercase()),
            pw.chars().any(|c| c.is_ascii_uppercase()),
            pw.chars().any(|c| c.is_ascii_digit()),
            pw.chars().any(|c| !c.is_ascii_alphanumeric()),
        ];
        if pw.len() == len && classes.iter().all(|c| *c) && policy.check(&pw, username).is_ok() {
            return Ok(pw);
        }
    }
    Err(StorageError::Invalid(
        "could not generate a temporary password".into(),
    ))
}

pub(super) enum CreateError {
    Fields(FieldErrors),
    Storage(StorageError),
}

/// Creates a business account with a temporary password it must change at first sign-in.
pub(super) async fn create(
    state: &AppState,
    v: &Viewer,
    form: &NewAccountForm,
    users: &[User],
) -> Result<(User, String), CreateError> {
    let new = check_new_account(form, &v.snap, users, v.tr).map_err(CreateError::Fields)?;
    let password = temporary_password(&v.snap.security.password, &new.username)
        .map_err(CreateError::Storage)?;
    let made = async {
        let hash = hash_password(password.clone()).await?;
        // The founder replaces any designated before (the version read here is checked in
        // the transaction).
        let founder_version = match new.founder {
            true => state
                .db
                .setting::<Founder>(FOUNDER_SETTING)
                .await?
                .map_or(0, |(_, version)| version),
            false => 0,
        };
        let mut tx = state.db.begin(&v.actor(), state.clock.now()).await?;
        let user = tx
            .create_user(NewUser {
                username: new.username.clone(),
                display_name: new.display_name.clone(),
                person: new.person.clone(),
                admin_role: None,
                password_hash: hash,
                must_change_password: true,
            })
            .await?;
        if new.founder {
            let founder = Founder {
                user: Some(user.id.clone()),
            };
            tx.put_setting(FOUNDER_SETTING, &founder, founder_version)
                .await?;
        }
        tx.commit().await?;
        Ok::<_, StorageError>(user)
    }
    .await;
    match made {
        Ok(user) => Ok((user, password)),
        Err(StorageError::Duplicate { .. }) => Err(CreateError::Fields(vec![(
            "username",
            v.tr.tf("admin.error.username_taken", &[("username", &new.username)]),
        )])),
        Err(e) => Err(CreateError::Storage(e)),
    }
}

/// The security policy form, as typed.
#[derive(Clone)]
pub struct SecurityValues {
    /// Minimum password length.
    pub min_length: String,
    /// Minimum character classes.
    pub min_classes: String,
    /// Failures before lockout.
    pub max_failures: String,
    /// Lockout minutes.
    pub lockout_minutes: String,
    /// Idle minutes.
    pub idle_minutes: String,
    /// Roles that must use TOTP.
    pub totp: Vec<String>,
    /// Version edited.
    pub version: i64,
}

impl SecurityValues {
    pub(super) fn of(p: &SecurityPolicy, version: i64) -> SecurityValues {
        SecurityValues {
            min_length: p.password.min_length.to_string(),
            min_classes: p.password.min_classes.to_string(),
            max_failures: p.login.max_failures.to_string(),
            lockout_minutes: p.login.lockout_minutes.to_string(),
            idle_minutes: p.login.idle_minutes.to_string(),
            totp: p.totp_required.clone(),
            version,
        }
    }
}

/// Every role name the TOTP rule may name: the six business roles, then the three administrators.
pub(super) fn totp_role_names() -> Vec<&'static str> {
    Role::ALL
        .iter()
        .map(|r| r.as_str())
        .chain(AdminRole::ALL.iter().map(|a| a.as_str()))
        .collect()
}

pub(super) fn totp_choices(tr: Tr, checked: &[String]) -> Vec<Choice> {
    totp_role_names()
        .into_iter()
        .map(|name| Choice {
            value: name.to_string(),
            label: role_label(tr, name),
            selected: checked.iter().any(|c| c == name),
        })
        .collect()
}

pub(super) const MIN_LENGTH: (i64, i64) = (8, 64);
pub(super) const MIN_CLASSES: (i64, i64) = (2, 4);
pub(super) const MAX_FAILURES: (i64, i64) = (3, 10);
pub(super) const LOCKOUT_MINUTES: (i64, i64) = (1, 1440);
pub(super) const IDLE_MINUTES: (i64, i64) = (5, 480);

pub(super) fn range_error(tr: Tr, (lo, hi): (i64, i64)) -> String {
    tr.tf(
        "admin.error.range",
        &[("min", &lo.to_string()), ("max", &hi.to_string())],
    )
}

/// Checks a security policy: every number within its bounds, only known roles.
pub(super) fn check_policy(p: &SecurityPolicy, tr: Tr) -> FieldErrors {
    let mut errors = FieldErrors::new();
    let mut within = |field: &'static str, value: i64, bounds: (i64, i64)| {
        if value < bounds.0 || value > bounds.1 {
            errors.push((field, range_error(tr, bounds)));
        }
    };
    let as_i64 = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
    within("min_length", as_i64(p.password.min_length), MIN_LENGTH);
    within("min_classes", as_i64(p.password.min_classes), MIN_CLASSES);
    within(
        "max_failures",
        i64::from(p.login.max_failures),
        MAX_FAILURES,
    );
    within(
        "lockout_minutes",
        i64::from(p.login.lockout_minutes),
        LOCKOUT_MINUTES,
    );
    within(
        "idle_minutes",
        i64::from(p.login.idle_minutes),
        IDLE_MINUTES,
    );
    let known = totp_role_names();
    if let Some(bad) = p
        .totp_required
        .iter()
        .find(|r| !known.contains(&r.as_str()))
    {
        errors.push(("totp", tr.tf("admin.error.role_unknown", &[("role", bad)])));
    }
    errors
}

/// The TOTP list in canonical order, without repeats.
pub(super) fn canonical_totp(list: &[String]) -> Vec<String> {
    totp_role_names()
        .into_iter()
        .filter(|n| list.iter().any(|r| r == n))
        .map(String::from)
        .collect()
}

/// Reads the security form's pairs (checkboxes repeat `totp`).
pub(super) fn security_from_pairs(
    pairs: &[(String, String)],
    tr: Tr,
) -> (SecurityValues, Result<(SecurityPolicy, i64), FieldErrors>) {
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let totp: Vec<String> = pairs
        .iter()
        .filter(|(n, _)| n == "totp")
        .map(|(_, v)| v.clone())
        .collect();
    let version_text = get("version");
    let values = SecurityValues {
        min_length: get("min_length"),
        min_classes: get("min_classes"),
        max_failures: get("max_failures"),
        lockout_minutes: get("lockout_minutes"),
        idle_minutes: get("idle_minutes"),
        totp: totp.clone(),
        version: version_text.parse().unwrap_or(-1),
    };
    let mut errors = FieldErrors::new();
    let mut number = |field: &'static str, text: &str, bounds: (i64, i64)| -> i64 {
        match text.parse::<i64>() {
            Ok(n) if n >= bounds.0 && n <= bounds.1 => n,
            _ => {
                errors.push((field, range_error(tr, bounds)));
                0
            }
        }
    };
    let min_length = number("min_length", &values.min_length, MIN_LENGTH);
    let min_classes = number("min_classes", &values.min_classes, MIN_CLASSES);
    let max_failures = number("max_failures", &values.max_failures, MAX_FAILURES);
    let lockout = number("lockout_minutes", &values.lockout_minutes, LOCKOUT_MINUTES);
    let idle = number("idle_minutes", &values.idle_minutes, IDLE_MINUTES);
    let version = match version_text.parse::<i64>() {
        Ok(n) if n >= 0 => n,
        _ => {
            errors.push(("version", tr.t("admin.error.version").to_string()));
            0
        }
    };
    let policy = SecurityPolicy {
        password: PasswordPolicy {
            min_length: usize::try_from(min_length).unwrap_or(0),
            min_classes: usize::try_from(min_classes).unwrap_or(0),
        },
        login: LoginPolicy {
            max_failures: u32::try_from(max_failures).unwrap_or(0),
            lockout_minutes: u32::try_from(lockout).unwrap_or(0),
            idle_minutes: u32::try_from(idle).unwrap_or(0),
        },
        totp_required: canonical_totp(&totp),
    };
    if errors.is_empty() {
        errors = check_policy(&policy, tr);
    }
    if errors.is_empty() {
        (values, Ok((policy, version)))
    } else {
        (values, Err(errors))
    }
}

pub(super) async fn security_setting(
    state: &AppState,
) -> Result<(SecurityPolicy, i64), StorageError> {
    Ok(state
        .db
        .setting::<SecurityPolicy>(SECURITY_SETTING)
        .await?
        .unwrap_or_default())
}

/// Writes the security policy if `version` is still current.
pub(super) async fn store_policy(
    state: &AppState,
    v: &Viewer,
    policy: &SecurityPolicy,
    version: i64,
) -> Result<i64, StorageError> {
    let mut tx = state.db.begin(&v.actor(), state.clock.now()).await?;
    let new_version = tx.put_setting(SECURITY_SETTING, policy, version).await?;
    tx.commit().await?;
    Ok(new_version)
}

#[derive(Template)]
#[template(path = "admin_accounts.html")]
pub(super) struct AccountsPage {
    pub(super) frame: Frame,
    pub(super) tr: Tr,
    pub(super) csrf: String,
    pub(super) accounts: Vec<AccountRow>,
    pub(super) q: String,
    pub(super) people: Vec<Choice>,
    pub(super) people_more: bool,
    pub(super) form: NewAccountForm,
    pub(super) errors: FieldErrors,
    pub(super) sec: SecurityValues,
    pub(super) totp: Vec<Choice>,
    pub(super) sec_errors: FieldErrors,
    pub(super) sec_error: Option<String>,
    pub(super) notice: Option<String>,
    /// No org exists yet: the form offers to designate the founder.
    pub(super) empty_tree: bool,
    /// The user name of the founder designated, while the tree is empty.
    pub(super) founder: Option<String>,
}

impl AccountsPage {
    pub(super) fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }

    pub(super) fn sec_error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.sec_errors, field)
    }
}

/// People offered for a new account: not linked to an account yet, matching `q` (name or org
/// code), at most 200; the one already picked always stays.
pub(super) fn person_choices(
    snap: &Snapshot,
    users: &[User],
    q: &str,
    selected: &str,
) -> (Vec<Choice>, bool) {
    const MAX: usize = 200;
    let linked: HashSet<&str> = users.iter().filter_map(|u| u.person.as_deref()).collect();
    let q = q.trim().to_lowercase();
    let mut found: Vec<(String, String, String)> = snap
        .model
        .people()
        .filter(|p| !linked.contains(p.id.as_str()) || p.id == selected)
        .filter_map(|p| {
            let code = snap
                .model
                .org(&p.org)
                .map(|o| o.code.clone())
                .unwrap_or_default();
            let hit = q.is_empty()
                || p.name.to_lowercase().contains(&q)
                || code.to_lowercase().contains(&q)
                || p.id == selected;
            hit.then(|| (code, p.name.clone(), p.id.clone()))
        })
        .collect();
    found.sort();
    let more = found.len() > MAX;
    let mut choices: Vec<Choice> = found
        .iter()
        .take(MAX)
        .map(|(code, name, id)| Choice {
            value: id.clone(),
            label: format!("{name}（{code}）"),
            selected: id == selected,
        })
        .collect();
    if !selected.is_empty()
        && !choices.iter().any(|c| c.selected)
        && let Some((code, name, id)) = found.iter().find(|(_, _, id)| id == selected)
    {
        choices.insert(
            0,
            Choice {
                value: id.clone(),
                label: format!("{name}（{code}）"),
                selected: true,
            },
        );
    }
    (choices, more)
}

pub(super) struct AccountsView {
    pub(super) q: String,
    pub(super) form: NewAccountForm,
    pub(super) errors: FieldErrors,
    pub(super) sec: Option<SecurityValues>,
    pub(super) sec_errors: FieldErrors,
    pub(super) sec_error: Option<String>,
    pub(super) notice: Option<String>,
}

impl AccountsView {
    pub(super) fn plain() -> AccountsView {
        AccountsView {
            q: String::new(),
            form: NewAccountForm::default(),
            errors: Vec::new(),
            sec: None,
            sec_errors: Vec::new(),
            sec_error: None,
            notice: None,
        }
    }
}

pub(super) async fn render_accounts(
    state: &AppState,
    v: &Viewer,
    view: AccountsView,
    status: StatusCode,
) -> Response {
    let tr = v.tr;
    let users = match state.db.users().await {
        Ok(u) => u,
        Err(e) => return failure_page(tr, &e),
    };
    let sec = match view.sec {
        Some(s) => s,
        None => match security_setting(state).await {
            Ok((p, version)) => SecurityValues::of(&p, version),
            Err(e) => return failure_page(tr, &e),
        },
    };
    let now_ms = state.now_ms();
    let (people, people_more) = person_choices(&v.snap, &users, &view.q, &view.form.person);
    page(
        status,
        &AccountsPage {
            frame: Frame::of(state, Some(v)),
            tr,
            csrf: v.csrf().to_string(),
            accounts: users
                .iter()
                .map(|u| AccountRow::new(u, &v.snap, tr, now_ms))
                .collect(),
            q: view.q,
            people,
            people_more,
            form: view.form,
            errors: view.errors,
            totp: totp_choices(tr, &sec.totp),
            sec,
            sec_errors: view.sec_errors,
            sec_error: view.sec_error,
            notice: view.notice,
            empty_tree: v.snap.model.orgs().is_empty(),
            founder: v
                .snap
                .founder
                .as_ref()
                .filter(|_| v.snap.model.orgs().is_empty())
                .and_then(|id| users.iter().find(|u| &u.id == id))
                .map(|u| u.username.clone()),
        },
    )
}

/// Query of the accounts page.
#[derive(Deserialize, Default)]
pub struct AccountsQuery {
    pub(super) q: Option<String>,
    pub(super) saved: Option<String>,
}

/// `GET /admin/accounts` — every account, the new-account form, the security policy.
pub async fn accounts_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    q: Result<Query<AccountsQuery>, Rejected>,
) -> Response {
    let tr = v.tr;
    if !v.principal.can_somewhere(Permission::ManageAccounts) {
        return forbidden_page(tr);
    }
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let mut view = AccountsView::plain();
    view.q = q.q.unwrap_or_default().trim().chars().take(80).collect();
    view.notice = q
        .saved
        .is_some()
        .then(|| tr.t("admin.security.saved").to_string());
    render_accounts(&state, &v, view, StatusCode::OK).await
}

/// `POST /admin/accounts` — creates the account and shows its temporary password once.
pub async fn create_account(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    form: Result<Form<NewAccountForm>, FormRejection>,
) -> Response {
    let tr = v.tr;
    if !v.principal.can_somewhere(Permission::ManageAccounts) {
        return forbidden_page(tr);
    }
    let Form(form) = match form {
        Ok(f) => f,
        Err(e) => return bad_form(tr, e.body_text()),
    };
    let users = match state.db.users().await {
        Ok(u) => u,
        Err(e) => return failure_page(tr, &e),
    };
    match create(&state, &v, &form, &users).await {
        Ok((user, password)) => {
            let mut view = DetailView::plain();
            view.temporary = Some(password);
            view.notice = Some(tr.t("admin.account.created").to_string());
            render_account(&state, &v, &user.id, view, StatusCode::OK).await
        }
        Err(CreateError::Fields(errors)) => {
            let mut view = AccountsView::plain();
            view.form = form;
            view.errors = errors;
            render_accounts(&state, &v, view, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(CreateError::Storage(e)) => failure_page(tr, &e),
    }
}

/// `POST /admin/security` — the security policy, version-checked.
pub async fn save_security(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let tr = v.tr;
    if !v.principal.can_somewhere(Permission::ManageAccounts) {
        return forbidden_page(tr);
    }
    let Form(pairs) = match form {
        Ok(f) => f,
        Err(e) => return bad_form(tr, e.body_text()),
    };
    let (values, parsed) = security_from_pairs(&pairs, tr);
    let (policy, version) = match parsed {
        Ok(p) => p,
        Err(errors) => {
            let mut view = AccountsView::plain();
            view.sec = Some(values);
            view.sec_errors = errors;
            view.sec_error = Some(tr.t("admin.error.fix_fields").to_string());
            return render_accounts(&state, &v, view, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    };
    match store_policy(&state, &v, &policy, version).await {
        Ok(_) => redirect("/admin/accounts?saved=security#security"),
        Err(StorageError::Conflict { .. }) => {
            // Show what is stored now; the edit has to be made again on top of it.
            let mut view = AccountsView::plain();
            view.sec_error = Some(tr.t("admin.error.stale").to_string());
            render_accounts(&state, &v, view, StatusCode::CONFLICT).await
        }
        Err(e) => failure_page(tr, &e),
    }
}
