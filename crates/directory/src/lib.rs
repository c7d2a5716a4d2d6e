//! Zeren's conversations with other servers: the university's directories — the 统一身份认证
//! portal (CAS 2.0/3.0), LDAP, an OpenID Connect provider — the 企业微信 and 钉钉 apps (tokens,
//! OAuth2 sign-in, messages to a person), and the checked HTTP client they and the robot
//! webhooks share. What is configured and how an identity links to a person are the core's
//! (`zeren_core::directory`); this crate only speaks the protocols.

pub mod cas;
pub mod dingtalk;
pub mod http;
pub mod ldap;
pub mod oidc;
mod tls;
pub mod wecom;

use zeren_core::directory::SignInFailure;

impl From<http::Failure> for SignInFailure {
    fn from(f: http::Failure) -> SignInFailure {
        match f {
            http::Failure::Protocol => SignInFailure::Protocol,
            _ => SignInFailure::Unreachable,
        }
    }
}
