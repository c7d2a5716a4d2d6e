//! Setting up, replacing and turning off the second factor (TOTP).
//!
//! Opening the setup page changes nothing: it shows a fresh secret that the form carries back.
//! The secret is stored (sealed under the installation key) only when a code from the app
//! matches it; replacing or turning off a second factor in use needs a code of the current one.
//! Each change ends the account's other sessions. Wrong codes count towards the lockout.

use super::*;
use crate::shared::auth::{SettlingViewer, Viewer, redirect};
use signin::{CodeCheck, check_code, locked_out, unavailable};
use zeren_storage::secrets::random_bytes;

/// Bytes of a new TOTP secret (160 bits, as RFC 4226 recommends).
const SECRET_BYTES: usize = 20;

#[derive(Template)]
#[template(path = "totp_setup.html")]
struct TotpSetupPage {
    frame: Frame,
    tr: Tr,
    csrf: String,
    secret: String,
    uri: String,
    /// The link as a QR code (inline SVG drawn here), for the authenticator app to scan.
    qr: Option<String>,
    required: bool,
    /// A second factor is in use: replacing it needs a code of the current one.
    replacing: bool,
    errors: Vec<(String, String)>,
}

impl TotpSetupPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        crate::shared::format::field_error(&self.errors, field)
    }
}

fn setup_page(
    state: &AppState,
    v: &Viewer,
    secret: String,
    errors: Vec<(String, String)>,
    status: StatusCode,
) -> Response {
    let uri = totp::from_base32(&secret)
        .map(|b| totp::otpauth_uri("Zeren", &v.user.username, &b))
        .unwrap_or_default();
    let required = v.snap.security.requires_totp(&v.principal);
    let qr = qr_svg(&uri, v.tr.t("totp.setup.qr"));
    // The full navigation, but for an account that must settle this before anything else.
    let settling = v.user.must_change_password || (required && !v.user.totp_enabled);
    let frame = if settling {
        Frame::of(state, None)
    } else {
        Frame::of(state, Some(v))
    };
    page(
        status,
        &TotpSetupPage {
            frame,
            tr: v.tr,
            csrf: v.csrf().to_string(),
            secret,
            qr,
            uri,
            required,
            replacing: v.user.totp_enabled,
            errors,
        },
    )
}

/// `GET /account/totp` — a fresh secret to scan or type into an authenticator app. Nothing is
/// stored until a code confirms it.
pub async fn totp_setup_form(
    State(state): State<AppState>,
    SettlingViewer(v): SettlingViewer,
) -> Response {
    let secret = random_bytes(SECRET_BYTES)
        .map(|b| totp::base32(&b))
        .unwrap_or_default();
    setup_page(&state, &v, secret, Vec::new(), StatusCode::OK)
}

/// `text` as a QR code: an inline SVG image labelled `label` (none for an empty text).
fn qr_svg(text: &str, label: &str) -> Option<String> {
    if text.is_empty() {
        return None;
    }
    let code =
        qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M).ok()?;
    let svg = code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    // Inline in HTML: without the XML declaration, named for screen readers.
    let start = svg.find("<svg")?;
    let label = label.replace(['"', '<', '>', '&'], "");
    Some(svg[start..].replacen(
        "<svg ",
        &format!("<svg role=\"img\" aria-label=\"{label}\" "),
        1,
    ))
}

/// The setup form: the secret shown, a code of it, and (when replacing) a code of the current one.
#[derive(Deserialize)]
pub struct SetupForm {
    secret: String,
    code: String,
    #[serde(default)]
    current: String,
}

/// The secret a setup form carries back, if it is one this page could have made.
fn carried_secret(text: &str) -> Option<Vec<u8>> {
    (text.len() <= 64)
        .then(|| totp::from_base32(text.trim()))
        .flatten()
        .filter(|b| b.len() == SECRET_BYTES)
}

/// `POST /account/totp` — turns the second factor on (or replaces it) once a code from the
/// app matches the new secret; ends the account's other sessions.
pub async fn totp_setup(
    State(state): State<AppState>,
    SettlingViewer(v): SettlingViewer,
    Form(form): Form<SetupForm>,
) -> Response {
    let tr = v.tr;
    let Some(secret) = carried_secret(&form.secret) else {
        return redirect("/account/totp");
    };
    let shown = totp::base32(&secret);
    if v.user.totp_enabled {
        match check_code(&state, &v, &form.current, "wrong current code").await {
            CodeCheck::Right(_) => {}
            CodeCheck::Wrong(Some(until)) => {
                return locked_out(&state, tr, v.snap.security.login, until).await;
            }
            CodeCheck::Wrong(None) => {
                let errors = vec![("current".to_string(), tr.t("totp.error").to_string())];
                return setup_page(&state, &v, shown, errors, StatusCode::UNPROCESSABLE_ENTITY);
            }
            CodeCheck::Unavailable => return unavailable(tr),
        }
    }
    let now = state.clock.now();
    let Some(step) = totp::verify(&secret, form.code.trim(), now.timestamp()) else {
        let errors = vec![("code".to_string(), tr.t("totp.error").to_string())];
        return setup_page(&state, &v, shown, errors, StatusCode::UNPROCESSABLE_ENTITY);
    };
    let keep = v.session.as_ref().map(|s| s.id.as_str()).unwrap_or("");
    let done = async {
        let mut tx = state.db.begin(&v.actor(), now).await?;
        tx.set_totp(&v.user, Some((&secret, step)), keep).await?;
        tx.commit().await
    }
    .await;
    match done {
        Ok(()) if v.user.totp_enabled => redirect("/account?changed=totp-replaced"),
        Ok(()) => redirect("/account?changed=totp-on"),
        Err(_) => unavailable(tr),
    }
}

/// The form that turns the second factor off: a code of it.
#[derive(Deserialize)]
pub struct OffForm {
    current: String,
}

/// `POST /account/totp/off` — turns the second factor off with a code of it, unless the
/// security policy requires one for the account's roles; ends the account's other sessions.
pub async fn totp_off(
    State(state): State<AppState>,
    SettlingViewer(v): SettlingViewer,
    Form(form): Form<OffForm>,
) -> Response {
    let tr = v.tr;
    if !v.user.totp_enabled {
        return redirect("/account");
    }
    if v.snap.security.requires_totp(&v.principal) {
        return error_page(
            tr,
            ErrorCode::Forbidden,
            "error.forbidden.title",
            tr.t("totp.off.required").to_string(),
        );
    }
    match check_code(&state, &v, &form.current, "wrong current code").await {
        CodeCheck::Right(_) => {}
        CodeCheck::Wrong(Some(until)) => {
            return locked_out(&state, tr, v.snap.security.login, until).await;
        }
        CodeCheck::Wrong(None) => {
            let secret = random_bytes(SECRET_BYTES)
                .map(|b| totp::base32(&b))
                .unwrap_or_default();
            let errors = vec![("off".to_string(), tr.t("totp.error").to_string())];
            return setup_page(&state, &v, secret, errors, StatusCode::UNPROCESSABLE_ENTITY);
        }
        CodeCheck::Unavailable => return unavailable(tr),
    }
    let keep = v.session.as_ref().map(|s| s.id.as_str()).unwrap_or("");
    let done = async {
        let mut tx = state.db.begin(&v.actor(), state.clock.now()).await?;
        tx.set_totp(&v.user, None, keep).await?;
        tx.commit().await
    }
    .await;
    match done {
        Ok(()) => redirect("/account?changed=totp-off"),
        Err(_) => unavailable(tr),
    }
}
