//! The 统一身份认证 portal's protocol, CAS 2.0 and 3.0 (apereo.github.io/cas, "CAS Protocol
//! Specification"): the login address, ticket validation at `/serviceValidate` or
//! `/p3/serviceValidate`, and the portal's single-logout request.
//!
//! Written here rather than taken from a crate: no maintained Rust CAS client exists (the ones
//! on crates.io are unmaintained and tied to other web frameworks), and the protocol is three
//! URLs and two small XML documents, read with quick-xml.

use crate::http;
use quick_xml::Reader;
use quick_xml::events::Event;
use std::collections::BTreeMap;
use std::time::Duration;
use url::Url;
use zeren_core::directory::{CasSettings, CasVersion, SignInFailure};
use zeren_core::reminders::robots::OutboundPolicy;

/// The longest ticket taken (the protocol asks portals to accept 256 characters).
pub const TICKET_MAX: usize = 256;

/// What a portal vouched for.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CasSuccess {
    /// The CAS user (the portal's login name).
    pub user: String,
    /// Attributes released to this service, each with its values in order.
    pub attributes: BTreeMap<String, Vec<String>>,
}

impl CasSuccess {
    /// The first value of `name` (the user itself when `name` is empty).
    pub fn value(&self, name: &str) -> Option<&str> {
        if name.is_empty() {
            return Some(&self.user);
        }
        self.attributes
            .get(name)
            .and_then(|v| v.first())
            .map(String::as_str)
    }
}

fn base(settings: &CasSettings) -> Result<Url, SignInFailure> {
    let mut url = Url::parse(settings.base_url.trim()).map_err(|_| SignInFailure::NotConfigured)?;
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

fn endpoint(settings: &CasSettings, path: &str) -> Result<Url, SignInFailure> {
    base(settings)?
        .join(path)
        .map_err(|_| SignInFailure::NotConfigured)
}

/// Where the browser goes to sign in: `{base}/login?service=…`.
pub fn login_url(settings: &CasSettings, service: &str) -> Result<Url, SignInFailure> {
    let mut url = endpoint(settings, "login")?;
    url.query_pairs_mut().append_pair("service", service);
    Ok(url)
}

/// Where the browser goes to end the portal's session, coming back to `back`.
pub fn logout_url(settings: &CasSettings, back: &str) -> Result<Url, SignInFailure> {
    let mut url = endpoint(settings, "logout")?;
    url.query_pairs_mut().append_pair("service", back);
    Ok(url)
}

/// Whether `ticket` can be a ticket at all: printable ASCII without spaces, at most
/// [`TICKET_MAX`] characters. Anything else is refused without asking the portal.
pub fn plausible_ticket(ticket: &str) -> bool {
    !ticket.is_empty() && ticket.len() <= TICKET_MAX && ticket.bytes().all(|b| b.is_ascii_graphic())
}

/// Asks the portal whether `ticket` was issued for exactly `service` (the protocol's rule: the
/// portal compares the service address as sent at login, character for character).
pub async fn validate(
    settings: &CasSettings,
    service: &str,
    ticket: &str,
    limit: Duration,
    policy: &OutboundPolicy,
) -> Result<CasSuccess, SignInFailure> {
    if !plausible_ticket(ticket) {
        return Err(SignInFailure::Refused {
            code: "INVALID_TICKET".into(),
        });
    }
    let path = match settings.version {
        CasVersion::V2 => "serviceValidate",
        CasVersion::V3 => "p3/serviceValidate",
    };
    let mut url = endpoint(settings, path)?;
    url.query_pairs_mut()
        .append_pair("service", service)
        .append_pair("ticket", ticket);
    let answer = http::get(&url, limit, policy).await?;
    if !answer.ok() {
        tracing::warn!(
            status = answer.status,
            "CAS validation answered with an error status"
        );
        return Err(SignInFailure::Protocol);
    }
    let text = std::str::from_utf8(&answer.body).map_err(|_| SignInFailure::Protocol)?;
    parse_validation(text)
}

/// Reads a `serviceResponse`: the user and attributes, or the failure's code.
pub fn parse_validation(xml: &str) -> Result<CasSuccess, SignInFailure> {
    let mut reader = Reader::from_str(xml);
    reader.config_mut().trim_text(true);
    // Where we are: the local names of the open elements.
    let mut path: Vec<String> = Vec::new();
    let mut success: Option<CasSuccess> = None;
    let mut failure: Option<String> = None;
    let mut text = String::new();
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                let name = local(e.name().as_ref());
                if name == "authenticationSuccess" && path.len() == 1 {
                    success = Some(CasSuccess::default());
                }
                if name == "authenticationFailure" && path.len() == 1 {
                    let code = e
                        .attributes()
                        .flatten()
                        .find(|a| local(a.key.as_ref()) == "code")
                        .and_then(|a| {
                            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                                .ok()
                                .map(|v| v.trim().to_string())
                        })
                        .filter(|c| !c.is_empty() && c.len() <= 64)
                        .unwrap_or_else(|| "UNKNOWN".into());
                    failure = Some(code);
                }
                path.push(name);
                text.clear();
            }
            Ok(Event::Text(t)) => {
                let piece = t.decode().map_err(|_| SignInFailure::Protocol)?;
                text.push_str(&piece);
            }
            Ok(Event::GeneralRef(r)) => {
                // An entity inside text (&amp; …): the character it stands for.
                let name = r.decode().map_err(|_| SignInFailure::Protocol)?;
                let ch = match name.as_ref() {
                    "amp" => "&",
                    "lt" => "<",
                    "gt" => ">",
                    "quot" => "\"",
                    "apos" => "'",
                    _ => return Err(SignInFailure::Protocol),
                };
                text.push_str(ch);
            }
            Ok(Event::CData(c)) => {
                text.push_str(&String::from_utf8_lossy(&c));
            }
            Ok(Event::End(_)) => {
                let name = path.pop().unwrap_or_default();
                if let Some(s) = success.as_mut() {
                    let inside: Vec<&str> = path.iter().map(String::as_str).collect();
                    match inside.as_slice() {
                        [_, "authenticationSuccess"] if name == "user" => {
                            s.user = text.trim().to_string();
                        }
                        [_, "authenticationSuccess", "attributes"] => {
                            s.attributes
                                .entry(name)
                                .or_default()
                                .push(text.trim().to_string());
                        }
                        _ => {}
                    }
                }
                text.clear();
            }
            Ok(Event::Eof) => break,
            Ok(Event::DocType(_)) => return Err(SignInFailure::Protocol),
            Ok(_) => {}
            Err(_) => return Err(SignInFailure::Protocol),
        }
    }
    match (success, failure) {
        (_, Some(code)) => Err(SignInFailure::Refused { code }),
        (Some(s), None) if !s.user.is_empty() => Ok(s),
        _ => Err(SignInFailure::Protocol),
    }
}

/// The ticket a portal's single-logout request (`logoutRequest`, a SAML `LogoutRequest`)
/// names in its `SessionIndex`.
pub fn logout_request_ticket(xml: &str) -> Option<String> {
    let mut reader = Reader::from_str(xml);
    reader.config_mut().trim_text(true);
    let mut inside = false;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => inside = local(e.name().as_ref()) == "SessionIndex",
            Ok(Event::Text(t)) if inside => {
                let ticket = t.decode().ok()?.trim().to_string();
                return plausible_ticket(&ticket).then_some(ticket);
            }
            Ok(Event::End(_)) => inside = false,
            Ok(Event::Eof) | Ok(Event::DocType(_)) | Err(_) => return None,
            Ok(_) => {}
        }
    }
}

/// An element's or attribute's name without its namespace prefix.
fn local(name: &[u8]) -> String {
    let name = String::from_utf8_lossy(name);
    match name.rsplit_once(':') {
        Some((_, l)) => l.to_string(),
        None => name.into_owned(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn a_success_gives_the_user_and_every_attribute() {
        let xml = r#"<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas">
  <cas:authenticationSuccess>
    <cas:user>20011</cas:user>
    <cas:attributes>
      <cas:employeeNumber>T&amp;10001</cas:employeeNumber>
      <cas:memberOf>a</cas:memberOf>
      <cas:memberOf>b</cas:memberOf>
      <cas:cn><![CDATA[李明华]]></cas:cn>
    </cas:attributes>
  </cas:authenticationSuccess>
</cas:serviceResponse>"#;
        let s = parse_validation(xml).unwrap();
        assert_eq!(s.user, "20011");
        assert_eq!(s.value("employeeNumber"), Some("T&10001"));
        assert_eq!(s.attributes["memberOf"], ["a", "b"]);
        assert_eq!(s.value("cn"), Some("李明华"));
        assert_eq!(s.value(""), Some("20011"));
        assert_eq!(s.value("mail"), None);
    }

    #[test]
    fn a_failure_gives_its_code_and_anything_else_is_a_protocol_error() {
        let xml = r#"<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas">
 <cas:authenticationFailure code="INVALID_SERVICE">Ticket ST-1 does not match</cas:authenticationFailure>
</cas:serviceResponse>"#;
        assert_eq!(
            parse_validation(xml),
            Err(SignInFailure::Refused {
                code: "INVALID_SERVICE".into()
            })
        );
        for bad in [
            "",
            "<html>portal down</html>",
            "<cas:serviceResponse><cas:authenticationSuccess></cas:authenticationSuccess></cas:serviceResponse>",
            "<!DOCTYPE x [<!ENTITY e \"boom\">]><cas:serviceResponse/>",
            "<cas:serviceResponse><cas:authenticationSuccess><cas:user>&e;</cas:user></cas:authenticationSuccess></cas:serviceResponse>",
        ] {
            assert_eq!(parse_validation(bad), Err(SignInFailure::Protocol), "{bad}");
        }
        // A user element deeper down (inside attributes) is not the user.
        let nested = "<r><cas:authenticationSuccess><cas:attributes><cas:user>x</cas:user></cas:attributes></cas:authenticationSuccess></r>";
        assert_eq!(parse_validation(nested), Err(SignInFailure::Protocol));
    }

    #[test]
    fn addresses_follow_the_base_and_keep_the_service_exact() {
        let s = CasSettings {
            base_url: "https://authserver.example.edu.cn/authserver".into(),
            ..Default::default()
        };
        let service = "https://zeren.example.edu.cn/login/cas";
        assert_eq!(
            login_url(&s, service).unwrap().as_str(),
            "https://authserver.example.edu.cn/authserver/login?service=https%3A%2F%2Fzeren.example.edu.cn%2Flogin%2Fcas"
        );
        assert!(
            logout_url(&s, "https://zeren.example.edu.cn/login")
                .unwrap()
                .as_str()
                .starts_with("https://authserver.example.edu.cn/authserver/logout?service=")
        );
    }

    #[test]
    fn the_logout_request_names_the_ticket() {
        let xml = r#"<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="LR-1" Version="2.0" IssueInstant="2026-12-06T10:00:00Z">
<saml:NameID>@NOT_USED@</saml:NameID>
<samlp:SessionIndex>ST-1-abc</samlp:SessionIndex>
</samlp:LogoutRequest>"#;
        assert_eq!(logout_request_ticket(xml).as_deref(), Some("ST-1-abc"));
        assert_eq!(logout_request_ticket("<x/>"), None);
        assert_eq!(
            logout_request_ticket("<SessionIndex>a b</SessionIndex>"),
            None
        );
        assert!(!plausible_ticket(&"S".repeat(TICKET_MAX + 1)));
    }
}
