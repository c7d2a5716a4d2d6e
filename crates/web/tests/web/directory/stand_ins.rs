//! Loopback servers that speak the protocols Zeren signs in with, written for the tests (not
//! mocks of Zeren's own functions): a CAS server (2.0 and 3.0 validation, single-use tickets,
//! the exact-service rule, every failure code) and an OpenID Connect provider (discovery, JWKS,
//! the code flow with PKCE checked, RS256 ID tokens made with `openidconnect`'s own signer).

use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use data_encoding::BASE64URL_NOPAD;
use openidconnect::core::{
    CoreIdToken, CoreIdTokenClaims, CoreJsonWebKeySet, CoreJwsSigningAlgorithm,
    CoreProviderMetadata, CoreResponseType, CoreRsaPrivateSigningKey, CoreSubjectIdentifierType,
};
use openidconnect::{
    Audience, AuthUrl, EmptyAdditionalClaims, EmptyAdditionalProviderMetadata, EndUserName,
    EndUserUsername, IssuerUrl, JsonWebKeyId, JsonWebKeySetUrl, LocalizedClaim, Nonce,
    PrivateSigningKey, ResponseTypes, StandardClaims, SubjectIdentifier, TokenUrl,
};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

async fn serve(router: axum::Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    addr
}

// ------------------------------------------------------------------------------------------
// CAS
// ------------------------------------------------------------------------------------------

/// A user of the portal: login name and attributes.
#[derive(Clone)]
pub struct CasUser {
    pub user: String,
    pub employee_number: Option<String>,
    pub name: String,
}

#[derive(Clone, Default)]
pub struct Cas {
    /// Tickets issued and not yet validated: ticket → (service, user).
    tickets: Arc<Mutex<HashMap<String, (String, CasUser)>>>,
    /// Validations asked: (path, service, ticket).
    pub asked: Arc<Mutex<Vec<(String, String, String)>>>,
    next: Arc<Mutex<u32>>,
    pub base: String,
}

impl Cas {
    pub async fn start() -> Cas {
        let mut cas = Cas::default();
        let router = axum::Router::new()
            .route("/cas/serviceValidate", get(validate))
            .route("/cas/p3/serviceValidate", get(validate))
            .with_state(cas.clone());
        let addr = serve(router).await;
        cas.base = format!("http://{addr}/cas");
        cas
    }

    /// What the portal does when `user` signs in for `service`: a new ticket.
    pub fn issue(&self, service: &str, user: &CasUser) -> String {
        let mut n = self.next.lock().unwrap();
        *n += 1;
        let ticket = format!("ST-{}-{:08x}", *n, rand_u32());
        self.tickets
            .lock()
            .unwrap()
            .insert(ticket.clone(), (service.to_string(), user.clone()));
        ticket
    }
}

fn rand_u32() -> u32 {
    let mut b = [0u8; 4];
    getrandom(&mut b);
    u32::from_le_bytes(b)
}

fn getrandom(buf: &mut [u8]) {
    let token = zeren_storage::secrets::random_bytes(buf.len()).unwrap();
    buf.copy_from_slice(&token);
}

#[derive(Deserialize)]
struct ValidateQuery {
    service: Option<String>,
    ticket: Option<String>,
}

fn failure(code: &str, text: &str) -> Response {
    (
        StatusCode::OK,
        [("content-type", "application/xml;charset=UTF-8")],
        format!(
            "<cas:serviceResponse xmlns:cas=\"http://www.yale.edu/tp/cas\">\n  <cas:authenticationFailure code=\"{code}\">{text}</cas:authenticationFailure>\n</cas:serviceResponse>"
        ),
    )
        .into_response()
}

async fn validate(
    State(cas): State<Cas>,
    uri: axum::http::Uri,
    Query(q): Query<ValidateQuery>,
) -> Response {
    let (Some(service), Some(ticket)) = (q.service, q.ticket) else {
        return failure("INVALID_REQUEST", "service and ticket are required");
    };
    cas.asked
        .lock()
        .unwrap()
        .push((uri.path().to_string(), service.clone(), ticket.clone()));
    // A ticket is validated once, whatever the answer (the protocol's rule).
    let Some((issued_for, user)) = cas.tickets.lock().unwrap().remove(&ticket) else {
        return failure("INVALID_TICKET", &format!("Ticket {ticket} not recognized"));
    };
    if issued_for != service {
        return failure(
            "INVALID_SERVICE",
            &format!("Ticket {ticket} does not match supplied service"),
        );
    }
    let attributes = if uri.path().contains("/p3/") {
        let mut a = String::new();
        if let Some(n) = &user.employee_number {
            a.push_str(&format!("<cas:employeeNumber>{n}</cas:employeeNumber>"));
        }
        a.push_str(&format!("<cas:cn>{}</cas:cn>", user.name));
        format!("<cas:attributes>{a}</cas:attributes>")
    } else {
        String::new()
    };
    (
        StatusCode::OK,
        [("content-type", "application/xml;charset=UTF-8")],
        format!(
            "<cas:serviceResponse xmlns:cas=\"http://www.yale.edu/tp/cas\"><cas:authenticationSuccess><cas:user>{}</cas:user>{attributes}</cas:authenticationSuccess></cas:serviceResponse>",
            user.user
        ),
    )
        .into_response()
}

/// The single-logout request a portal posts to the service.
pub fn logout_request(ticket: &str) -> String {
    format!(
        "<samlp:LogoutRequest xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" ID=\"LR-1\" Version=\"2.0\" IssueInstant=\"2026-11-28T04:00:00Z\"><saml:NameID>@NOT_USED@</saml:NameID><samlp:SessionIndex>{ticket}</samlp:SessionIndex></samlp:LogoutRequest>"
    )
}

// ------------------------------------------------------------------------------------------
// OpenID Connect
// ------------------------------------------------------------------------------------------

pub const CLIENT_ID: &str = "zeren";
pub const CLIENT_SECRET: &str = "oidc-client-secret";
const KID: &str = "test-key-1";

/// How the provider makes its next ID token.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Issue {
    /// As it should.
    Good,
    /// Expired an hour before the time given.
    Expired,
    /// Signed with a key not in the JWKS (same key id).
    Forged,
    /// For another client.
    OtherAudience,
}

struct Pending {
    redirect_uri: String,
    challenge: String,
    nonce: String,
    username: String,
}

#[derive(Clone)]
pub struct Provider {
    pub issuer: String,
    codes: Arc<Mutex<HashMap<String, Pending>>>,
    /// The time tokens are issued at (the app's clock).
    pub now: Arc<Mutex<DateTime<Utc>>>,
    pub issue: Arc<Mutex<Issue>>,
    /// Token requests answered: (grant checked, PKCE checked).
    pub token_calls: Arc<Mutex<u32>>,
}

fn signing_key(pem: &str) -> CoreRsaPrivateSigningKey {
    CoreRsaPrivateSigningKey::from_pem(pem, Some(JsonWebKeyId::new(KID.into()))).unwrap()
}

const PROVIDER_KEY: &str = include_str!("provider-key.pem");
const FORGER_KEY: &str = include_str!("forger-key.pem");

impl Provider {
    pub async fn start(now: DateTime<Utc>) -> Provider {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let p = Provider {
            issuer: format!("http://{addr}"),
            codes: Arc::default(),
            now: Arc::new(Mutex::new(now)),
            issue: Arc::new(Mutex::new(Issue::Good)),
            token_calls: Arc::default(),
        };
        let router = axum::Router::new()
            .route("/.well-known/openid-configuration", get(discovery))
            .route("/jwks", get(jwks))
            .route("/token", post(token))
            .with_state(p.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        p
    }

    /// What the provider does when `username` signs in at the authorization address `url`:
    /// the address it sends the browser back to.
    pub fn authorize(&self, url: &str, username: &str) -> String {
        let url = url::Url::parse(url).unwrap();
        let q: HashMap<String, String> = url.query_pairs().into_owned().collect();
        assert_eq!(q["response_type"], "code");
        assert_eq!(q["client_id"], CLIENT_ID);
        assert_eq!(q["code_challenge_method"], "S256", "PKCE is required");
        assert!(q["scope"].split(' ').any(|s| s == "openid"));
        let code = format!("code-{:08x}", rand_u32());
        self.codes.lock().unwrap().insert(
            code.clone(),
            Pending {
                redirect_uri: q["redirect_uri"].clone(),
                challenge: q["code_challenge"].clone(),
                nonce: q["nonce"].clone(),
                username: username.to_string(),
            },
        );
        format!(
            "{}?code={code}&state={}",
            q["redirect_uri"],
            zeren_web::shared::urls::encode(&q["state"])
        )
    }
}

async fn discovery(State(p): State<Provider>) -> Response {
    let meta = CoreProviderMetadata::new(
        IssuerUrl::new(p.issuer.clone()).unwrap(),
        AuthUrl::new(format!("{}/authorize", p.issuer)).unwrap(),
        JsonWebKeySetUrl::new(format!("{}/jwks", p.issuer)).unwrap(),
        vec![ResponseTypes::new(vec![CoreResponseType::Code])],
        vec![CoreSubjectIdentifierType::Public],
        vec![CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256],
        EmptyAdditionalProviderMetadata {},
    )
    .set_token_endpoint(Some(TokenUrl::new(format!("{}/token", p.issuer)).unwrap()));
    axum::Json(meta).into_response()
}

async fn jwks() -> Response {
    let set = CoreJsonWebKeySet::new(vec![signing_key(PROVIDER_KEY).as_verification_key()]);
    axum::Json(set).into_response()
}

#[derive(Deserialize)]
struct TokenForm {
    grant_type: String,
    code: String,
    redirect_uri: String,
    code_verifier: Option<String>,
}

async fn token(
    State(p): State<Provider>,
    headers: HeaderMap,
    Form(f): Form<TokenForm>,
) -> Response {
    *p.token_calls.lock().unwrap() += 1;
    let err = |code: &str| {
        (
            StatusCode::BAD_REQUEST,
            axum::Json(serde_json::json!({"error": code})),
        )
            .into_response()
    };
    // client_secret_basic.
    let basic = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| data_encoding::BASE64.decode(b.as_bytes()).ok())
        .and_then(|b| String::from_utf8(b).ok());
    if basic.as_deref() != Some(&format!("{CLIENT_ID}:{CLIENT_SECRET}")) {
        return err("invalid_client");
    }
    if f.grant_type != "authorization_code" {
        return err("unsupported_grant_type");
    }
    let Some(pending) = p.codes.lock().unwrap().remove(&f.code) else {
        return err("invalid_grant");
    };
    if pending.redirect_uri != f.redirect_uri {
        return err("invalid_grant");
    }
    let verifier = f.code_verifier.unwrap_or_default();
    let challenge = BASE64URL_NOPAD.encode(&Sha256::digest(verifier.as_bytes()));
    if challenge != pending.challenge {
        return err("invalid_grant");
    }
    let now = *p.now.lock().unwrap();
    let issue = *p.issue.lock().unwrap();
    let (iat, exp) = match issue {
        Issue::Expired => (
            now - chrono::Duration::hours(2),
            now - chrono::Duration::hours(1),
        ),
        _ => (now, now + chrono::Duration::minutes(5)),
    };
    let audience = if issue == Issue::OtherAudience {
        "someone-else"
    } else {
        CLIENT_ID
    };
    let mut name = LocalizedClaim::new();
    name.insert(
        None,
        EndUserName::new(format!("{} 的姓名", pending.username)),
    );
    let claims = CoreIdTokenClaims::new(
        IssuerUrl::new(p.issuer.clone()).unwrap(),
        vec![Audience::new(audience.into())],
        exp,
        iat,
        StandardClaims::new(SubjectIdentifier::new(format!("sub-{}", pending.username)))
            .set_preferred_username(Some(EndUserUsername::new(pending.username.clone())))
            .set_name(Some(name)),
        EmptyAdditionalClaims {},
    )
    .set_nonce(Some(Nonce::new(pending.nonce.clone())));
    let key = if issue == Issue::Forged {
        signing_key(FORGER_KEY)
    } else {
        signing_key(PROVIDER_KEY)
    };
    let id_token = CoreIdToken::new(
        claims,
        &key,
        CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
        None,
        None,
    )
    .unwrap();
    axum::Json(serde_json::json!({
        "access_token": "at-1",
        "token_type": "Bearer",
        "expires_in": 300,
        "id_token": id_token.to_string(),
    }))
    .into_response()
}
