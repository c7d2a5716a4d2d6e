//! Identity: signing in (password, second factor), signing out, the account page (password,
//! language, API tokens), setting up the second factor, and `GET /api/v1/me`.

mod account;
mod catalog;
mod enrol;
mod me;
mod signin;

pub use catalog::CATALOG;

use crate::AppState;
use crate::shared::error::ErrorCode;
use crate::shared::extract::Query;
use crate::shared::frame::{Frame, error_page, page};
use crate::shared::i18n::Tr;
use crate::shared::routes::{Describe, Routes};
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use zeren_core::totp;

/// Page routes of this area.
pub fn page_routes() -> Routes {
    Routes::pages()
        .get(
            "/login",
            Describe::public("identity", "Sign-in form"),
            signin::login_form,
        )
        .post(
            "/login",
            Describe::public("identity", "Sign in"),
            signin::login,
        )
        .get(
            "/login/totp",
            Describe::auth("identity", "Second-factor form"),
            signin::totp_form,
        )
        .post(
            "/login/totp",
            Describe::auth("identity", "Second factor"),
            signin::totp,
        )
        .post(
            "/logout",
            Describe::auth("identity", "Sign out"),
            signin::logout,
        )
        .get(
            "/account",
            Describe::auth("identity", "My account"),
            account::account,
        )
        .get(
            "/account/password",
            Describe::auth("identity", "Password form"),
            account::password_form,
        )
        .post(
            "/account/password",
            Describe::auth("identity", "Change password"),
            account::change_password,
        )
        .post(
            "/account/lang",
            Describe::auth("identity", "UI language"),
            account::set_lang,
        )
        .post(
            "/account/tokens",
            Describe::auth("identity", "Create an API token"),
            account::create_token,
        )
        .post(
            "/account/tokens/{id}/revoke",
            Describe::auth("identity", "Revoke an API token"),
            account::revoke_token,
        )
        .get(
            "/account/totp",
            Describe::auth("identity", "Second-factor setup"),
            enrol::totp_setup_form,
        )
        .post(
            "/account/totp",
            Describe::auth("identity", "Turn the second factor on or replace it"),
            enrol::totp_setup,
        )
        .post(
            "/account/totp/off",
            Describe::auth("identity", "Turn the second factor off"),
            enrol::totp_off,
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
