//! Identity: signing in (password, second factor), signing out, the account page (password,
//! language, API tokens, second-factor setup), and `GET /api/v1/me`.

mod me;
mod signin;

use crate::shared::routes::{Describe, Routes};
use signin::*;

/// Page routes of this area.
pub fn page_routes() -> Routes {
    Routes::pages()
        .get(
            "/login",
            Describe::public("identity", "Sign-in form"),
            login_form,
        )
        .post("/login", Describe::public("identity", "Sign in"), login)
        .get(
            "/login/totp",
            Describe::auth("identity", "Second-factor form"),
            totp_form,
        )
        .post(
            "/login/totp",
            Describe::auth("identity", "Second factor"),
            totp,
        )
        .post("/logout", Describe::auth("identity", "Sign out"), logout)
        .get(
            "/account",
            Describe::auth("identity", "My account"),
            account,
        )
        .get(
            "/account/password",
            Describe::auth("identity", "Password form"),
            password_form,
        )
        .post(
            "/account/password",
            Describe::auth("identity", "Change password"),
            change_password,
        )
        .post(
            "/account/lang",
            Describe::auth("identity", "UI language"),
            set_lang,
        )
        .post(
            "/account/tokens",
            Describe::auth("identity", "Create an API token"),
            create_token,
        )
        .post(
            "/account/tokens/{id}/revoke",
            Describe::auth("identity", "Revoke an API token"),
            revoke_token,
        )
        .get(
            "/account/totp",
            Describe::auth("identity", "Second-factor setup"),
            totp_setup_form,
        )
        .post(
            "/account/totp",
            Describe::auth("identity", "Turn the second factor on"),
            totp_setup,
        )
}

/// API routes of this area.
pub fn api_routes() -> Routes {
    Routes::api("/api/v1").get(
        "/me",
        Describe::auth("identity", "The caller, with roles and their org scopes"),
        me::me,
    )
}
