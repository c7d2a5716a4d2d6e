//! A small HTTP/1.1 client for everything Zeren asks of other servers — the robot webhooks,
//! the 统一身份认证 portal, the OpenID Connect provider, the 企业微信 and 钉钉 APIs: one request
//! per connection, over TLS (rustls with the ring provider, roots from the system's store, so
//! an intranet CA installed on the host is trusted). It resolves the host itself, checks every
//! address against the [`OutboundPolicy`] and connects to a checked address — there is no
//! second lookup a resolver could answer differently. No redirects, no proxy, one time limit
//! for all of it, and the answer read up to 256 KiB; TLS as [`crate::tls`] configures it.
//!
//! Plain HTTP is spoken only where the policy says so (a loopback stand-in in tests) or where
//! the address itself is `http://` to this machine, which the settings' checks allow for a
//! portal on the same host and nothing else.

use bytes::Bytes;
use http::header::{ACCEPT, CONTENT_TYPE, HOST, USER_AGENT};
use http::{HeaderMap, Method, Request};
use http_body_util::{BodyExt, Full, Limited};
use hyper_util::rt::TokioIo;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::TcpStream;
use url::{Host, Position, Url};
use zeren_core::reminders::robots::{ForbiddenRange, OutboundPolicy};

/// The largest answer read.
const MAX_ANSWER: usize = 256 * 1024;

/// Why a request got no answer. None of them carries what the other side said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// Every address of the host lies in a range no request may reach.
    Forbidden(ForbiddenRange),
    /// The host name did not resolve.
    Resolve,
    /// No connection.
    Connect,
    /// The TLS handshake failed.
    Tls,
    /// Not HTTP, or the answer could not be read.
    Protocol,
    /// Over the time limit.
    Timeout,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Failure::Forbidden(_) => "the address lies in a range no request may reach",
            Failure::Resolve => "the host name did not resolve",
            Failure::Connect => "no connection",
            Failure::Tls => "the TLS handshake failed",
            Failure::Protocol => "not an HTTP answer",
            Failure::Timeout => "no answer in time",
        })
    }
}

impl std::error::Error for Failure {}

/// An answer: status, headers and body (read up to the limit whatever the status).
#[derive(Debug, Clone)]
pub struct Answer {
    /// The status code.
    pub status: u16,
    /// The headers.
    pub headers: HeaderMap,
    /// The body.
    pub body: Bytes,
}

impl Answer {
    /// Whether the status is 2xx.
    pub fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The body read as JSON.
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, Failure> {
        serde_json::from_slice(&self.body).map_err(|_| Failure::Protocol)
    }
}

/// POSTs `body` as JSON to `url` within `limit`: the status and, for a 2xx, the answer (for the
/// caller to read the provider's `errcode`, never to show).
pub async fn post_json(
    url: &Url,
    body: &serde_json::Value,
    limit: Duration,
    policy: &OutboundPolicy,
) -> Result<(u16, Bytes), Failure> {
    let answer = send(
        Method::POST,
        url,
        &[],
        Some(("application/json; charset=utf-8", body.to_string().into())),
        limit,
        policy,
    )
    .await?;
    let body = if answer.ok() {
        answer.body
    } else {
        Bytes::new()
    };
    Ok((answer.status, body))
}

/// GETs `url` within `limit`.
pub async fn get(url: &Url, limit: Duration, policy: &OutboundPolicy) -> Result<Answer, Failure> {
    send(Method::GET, url, &[], None, limit, policy).await
}

/// Sends one request to `url` (`https`, or `http` to this machine) within `limit`: `headers`
/// besides Host, User-Agent and Accept, and `body` with its content type.
pub async fn send(
    method: Method,
    url: &Url,
    headers: &[(&str, &str)],
    body: Option<(&str, Bytes)>,
    limit: Duration,
    policy: &OutboundPolicy,
) -> Result<Answer, Failure> {
    let plain_url = match url.scheme() {
        "https" => false,
        "http" if zeren_core::directory::is_loopback_host(url.host_str().unwrap_or_default()) => {
            true
        }
        _ => return Err(Failure::Protocol),
    };
    let host = url.host().ok_or(Failure::Resolve)?.to_owned();
    let port = url.port_or_known_default().unwrap_or(443);
    let authority = match url.port() {
        Some(p) => format!("{}:{p}", url.host_str().unwrap_or_default()),
        None => url.host_str().unwrap_or_default().to_string(),
    };
    let path = match &url[Position::BeforePath..Position::AfterQuery] {
        "" => "/",
        p => p,
    };
    let mut builder = Request::builder()
        .method(method)
        .uri(path)
        .header(HOST, authority)
        .header(USER_AGENT, concat!("zeren/", env!("CARGO_PKG_VERSION")))
        .header(ACCEPT, "application/json, application/xml, text/xml, */*");
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    let payload = match body {
        Some((content_type, bytes)) => {
            builder = builder.header(CONTENT_TYPE, content_type);
            bytes
        }
        None => Bytes::new(),
    };
    let req = builder
        .body(Full::new(payload))
        .map_err(|_| Failure::Protocol)?;
    let work = async move {
        let addrs = resolve(&host, port, policy).await?;
        let (tcp, addr) = connect(&addrs).await?;
        if plain_url || policy.plain_http_to(addr.ip()) {
            return exchange(TokioIo::new(tcp), req).await;
        }
        let name = match &host {
            Host::Domain(d) => rustls::pki_types::ServerName::try_from(d.clone()),
            Host::Ipv4(ip) => Ok(rustls::pki_types::ServerName::from(std::net::IpAddr::V4(
                *ip,
            ))),
            Host::Ipv6(ip) => Ok(rustls::pki_types::ServerName::from(std::net::IpAddr::V6(
                *ip,
            ))),
        }
        .map_err(|_| Failure::Tls)?;
        let stream = tokio_rustls::TlsConnector::from(crate::tls::https().ok_or(Failure::Tls)?)
            .connect(name, tcp)
            .await
            .map_err(|_| Failure::Tls)?;
        exchange(TokioIo::new(stream), req).await
    };
    tokio::time::timeout(limit, work)
        .await
        .map_err(|_| Failure::Timeout)?
}

/// The addresses of `host` that `policy` permits: a literal as it is, a name through the
/// policy's route or the system resolver. When every address is forbidden, the range of the
/// first.
async fn resolve(
    host: &Host<String>,
    port: u16,
    policy: &OutboundPolicy,
) -> Result<Vec<SocketAddr>, Failure> {
    let found: Vec<SocketAddr> = match host {
        Host::Ipv4(ip) => vec![SocketAddr::new((*ip).into(), port)],
        Host::Ipv6(ip) => vec![SocketAddr::new((*ip).into(), port)],
        Host::Domain(name) => match policy.route(name) {
            Some(addr) => vec![addr],
            None => tokio::net::lookup_host((name.as_str(), port))
                .await
                .map_err(|_| Failure::Resolve)?
                .collect(),
        },
    };
    match permitted(found, policy) {
        Ok(p) if !p.is_empty() => Ok(p),
        Ok(_) => Err(Failure::Resolve),
        Err(range) => Err(Failure::Forbidden(range)),
    }
}

/// The addresses `policy` permits of those a name resolved to; when there were some and every
/// one is forbidden, the range of the first.
pub(crate) fn permitted(
    found: Vec<SocketAddr>,
    policy: &OutboundPolicy,
) -> Result<Vec<SocketAddr>, ForbiddenRange> {
    let mut forbidden = None;
    let permitted: Vec<SocketAddr> = found
        .into_iter()
        .filter(|a| match policy.permits(a.ip()) {
            Ok(()) => true,
            Err(range) => {
                forbidden.get_or_insert(range);
                false
            }
        })
        .collect();
    match (permitted.is_empty(), forbidden) {
        (true, Some(range)) => Err(range),
        _ => Ok(permitted),
    }
}

/// A connection to the first of `addrs` that answers; only checked addresses come here.
async fn connect(addrs: &[SocketAddr]) -> Result<(TcpStream, SocketAddr), Failure> {
    for addr in addrs {
        if let Ok(tcp) = TcpStream::connect(addr).await {
            return Ok((tcp, *addr));
        }
    }
    Err(Failure::Connect)
}

async fn exchange<T>(io: T, req: Request<Full<Bytes>>) -> Result<Answer, Failure>
where
    T: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let (mut sender, conn) = hyper::client::conn::http1::handshake(io)
        .await
        .map_err(|_| Failure::Protocol)?;
    let driver = tokio::spawn(async move {
        let _ = conn.await;
    });
    let result = async {
        let resp = sender
            .send_request(req)
            .await
            .map_err(|_| Failure::Protocol)?;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let body = Limited::new(resp.into_body(), MAX_ANSWER)
            .collect()
            .await
            .map_err(|_| Failure::Protocol)?
            .to_bytes();
        Ok(Answer {
            status,
            headers,
            body,
        })
    }
    .await;
    driver.abort();
    result
}
