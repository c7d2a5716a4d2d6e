//! OpenID Connect: the authorization code flow with PKCE (RFC 7636), through `openidconnect`.
//! The crate reads the provider's discovery document and keys, builds the authorization
//! address, exchanges the code and checks the ID token (signature against the provider's keys,
//! issuer, audience, nonce, expiry); its requests go through [`crate::http`], which checks every
//! address and follows no redirect.
//!
//! The key claim may be one the standard claims do not name (`employee_number`); it is read from
//! the payload of the token only after the crate has checked the token.

use crate::http;
use chrono::{DateTime, Utc};
use data_encoding::BASE64URL_NOPAD;
use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreProviderMetadata, CoreTokenResponse,
};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, HttpRequest, HttpResponse, IssuerUrl,
    Nonce, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RequestTokenError, Scope,
    TokenResponse,
};
use std::time::Duration;
use url::Url;
use zeren_core::directory::{OidcSettings, SignInFailure};
use zeren_core::reminders::robots::OutboundPolicy;

/// The provider, as its discovery document describes it (keys included).
#[derive(Debug, Clone)]
pub struct Provider(CoreProviderMetadata);

/// A sign-in begun: where the browser goes, and what must come back with it (kept by the caller
/// until the provider sends the browser back, and used once).
#[derive(Debug, Clone)]
pub struct Start {
    /// The provider's authorization address.
    pub url: Url,
    /// The `state` sent (compared with the one that comes back).
    pub state: String,
    /// The nonce the ID token must carry.
    pub nonce: String,
    /// The PKCE verifier of the challenge sent.
    pub verifier: String,
}

/// What a checked ID token says.
#[derive(Debug, Clone, PartialEq)]
pub struct Verified {
    /// `sub`.
    pub subject: String,
    /// Every claim of the token.
    pub claims: serde_json::Map<String, serde_json::Value>,
}

impl Verified {
    /// The claim `name` as text (a number is written out; anything else is absent).
    pub fn text(&self, name: &str) -> Option<String> {
        match self.claims.get(name)? {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }
}

/// The crate's requests, sent through [`http::send`] under the policy within the limit.
struct Requests {
    limit: Duration,
    policy: OutboundPolicy,
}

impl<'c> openidconnect::AsyncHttpClient<'c> for Requests {
    type Error = http::Failure;
    type Future =
        std::pin::Pin<Box<dyn Future<Output = Result<HttpResponse, http::Failure>> + Send + 'c>>;

    fn call(&'c self, req: HttpRequest) -> Self::Future {
        Box::pin(async move {
            let url = Url::parse(&req.uri().to_string()).map_err(|_| http::Failure::Protocol)?;
            let headers: Vec<(String, String)> = req
                .headers()
                .iter()
                .filter(|(n, _)| *n != ::http::header::HOST && *n != ::http::header::CONTENT_TYPE)
                .filter_map(|(n, v)| Some((n.as_str().to_string(), v.to_str().ok()?.to_string())))
                .collect();
            let content_type = req
                .headers()
                .get(::http::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            let named: Vec<(&str, &str)> = headers
                .iter()
                .map(|(n, v)| (n.as_str(), v.as_str()))
                .collect();
            let method = req.method().clone();
            let body = req.into_body();
            let payload = content_type
                .as_deref()
                .map(|ct| (ct, bytes::Bytes::from(body)));
            let answer =
                http::send(method, &url, &named, payload, self.limit, &self.policy).await?;
            let mut resp = ::http::Response::builder().status(answer.status);
            for (n, v) in &answer.headers {
                resp = resp.header(n, v);
            }
            resp.body(answer.body.to_vec())
                .map_err(|_| http::Failure::Protocol)
        })
    }
}

fn requests(limit: Duration, policy: &OutboundPolicy) -> Requests {
    Requests {
        limit,
        policy: policy.clone(),
    }
}

/// Reads the provider's discovery document and keys.
pub async fn discover(
    settings: &OidcSettings,
    limit: Duration,
    policy: &OutboundPolicy,
) -> Result<Provider, SignInFailure> {
    let issuer = IssuerUrl::new(settings.issuer.trim().to_string())
        .map_err(|_| SignInFailure::NotConfigured)?;
    let http = requests(limit, policy);
    CoreProviderMetadata::discover_async(issuer, &http)
        .await
        .map(Provider)
        .map_err(|e| {
            tracing::warn!(error = %e, "OIDC discovery failed");
            match e {
                openidconnect::DiscoveryError::Request(f) => SignInFailure::from(f),
                _ => SignInFailure::Protocol,
            }
        })
}

fn core_client(
    provider: &Provider,
    settings: &OidcSettings,
    redirect: &str,
) -> Result<
    CoreClient<
        openidconnect::EndpointSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointMaybeSet,
        openidconnect::EndpointMaybeSet,
    >,
    SignInFailure,
> {
    let redirect =
        RedirectUrl::new(redirect.to_string()).map_err(|_| SignInFailure::NotConfigured)?;
    Ok(CoreClient::from_provider_metadata(
        provider.0.clone(),
        ClientId::new(settings.client_id.trim().to_string()),
        Some(ClientSecret::new(
            settings.client_secret.expose().to_string(),
        )),
    )
    .set_redirect_uri(redirect))
}

/// Begins a sign-in: the authorization address with a fresh state, nonce and PKCE challenge
/// (S256), asking for `openid profile email`.
pub fn start(
    provider: &Provider,
    settings: &OidcSettings,
    redirect: &str,
) -> Result<Start, SignInFailure> {
    let client = core_client(provider, settings, redirect)?;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, state, nonce) = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("profile".into()))
        .add_scope(Scope::new("email".into()))
        .set_pkce_challenge(challenge)
        .url();
    Ok(Start {
        url,
        state: state.secret().clone(),
        nonce: nonce.secret().clone(),
        verifier: verifier.secret().clone(),
    })
}

/// Exchanges the code the provider sent back (with the PKCE verifier) for tokens.
pub async fn exchange(
    provider: &Provider,
    settings: &OidcSettings,
    redirect: &str,
    code: &str,
    verifier: &str,
    limit: Duration,
    policy: &OutboundPolicy,
) -> Result<CoreTokenResponse, SignInFailure> {
    if code.is_empty() || code.len() > 2048 {
        return Err(SignInFailure::Refused {
            code: "invalid_grant".into(),
        });
    }
    let client = core_client(provider, settings, redirect)?;
    let http = requests(limit, policy);
    let request = client
        .exchange_code(AuthorizationCode::new(code.to_string()))
        .map_err(|_| SignInFailure::NotConfigured)?
        .set_pkce_verifier(PkceCodeVerifier::new(verifier.to_string()));
    request.request_async(&http).await.map_err(|e| {
        tracing::warn!(error = %e, "OIDC code exchange failed");
        match e {
            RequestTokenError::ServerResponse(r) => SignInFailure::Refused {
                code: r.error().to_string(),
            },
            RequestTokenError::Request(f) => SignInFailure::from(f),
            _ => SignInFailure::Protocol,
        }
    })
}

/// Checks the ID token of `tokens` (signature, issuer, audience, nonce, expiry at `now`) and
/// reads its claims.
pub fn verify(
    provider: &Provider,
    settings: &OidcSettings,
    redirect: &str,
    tokens: &CoreTokenResponse,
    nonce: &str,
    now: DateTime<Utc>,
) -> Result<Verified, SignInFailure> {
    let client = core_client(provider, settings, redirect)?;
    let token = tokens.id_token().ok_or(SignInFailure::Protocol)?;
    let verifier = client.id_token_verifier().set_time_fn(move || now);
    let claims = token
        .claims(&verifier, &Nonce::new(nonce.to_string()))
        .map_err(|e| {
            tracing::warn!(error = %e, "OIDC ID token refused");
            SignInFailure::Forged
        })?;
    let subject = claims.subject().as_str().to_string();
    // The token is checked: its payload may now be read as it is, for claims the standard set
    // does not name.
    let compact = token.to_string();
    let payload = compact.split('.').nth(1).ok_or(SignInFailure::Protocol)?;
    let bytes = BASE64URL_NOPAD
        .decode(payload.trim_end_matches('=').as_bytes())
        .map_err(|_| SignInFailure::Protocol)?;
    let claims: serde_json::Map<String, serde_json::Value> =
        serde_json::from_slice(&bytes).map_err(|_| SignInFailure::Protocol)?;
    Ok(Verified { subject, claims })
}
