//! A small HTTP/1.1 client for the robot webhooks: one POST of JSON per connection, over TLS
//! (rustls with the ring provider, roots from the system's store, so an intranet CA installed
//! on the host is trusted). It resolves the host itself, checks every address against the
//! [`OutboundPolicy`] and connects to a checked address — there is no second lookup a resolver
//! could answer differently. No redirects, no proxy, one time limit for all of it, and the
//! answer read up to 64 KiB. No process-wide TLS state is installed.

use axum::body::Bytes;
use axum::http::Request;
use axum::http::header::{CONTENT_TYPE, HOST, USER_AGENT};
use http_body_util::{BodyExt, Full, Limited};
use hyper_util::rt::TokioIo;
use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokio::net::TcpStream;
use url::{Host, Position, Url};
use zeren_core::reminders::robots::{ForbiddenRange, OutboundPolicy};

/// The largest answer read from a robot.
const MAX_ANSWER: usize = 64 * 1024;

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

/// The TLS client configuration, built once.
fn tls() -> Result<Arc<rustls::ClientConfig>, Failure> {
    static CONFIG: OnceLock<Option<Arc<rustls::ClientConfig>>> = OnceLock::new();
    CONFIG
        .get_or_init(|| {
            let mut roots = rustls::RootCertStore::empty();
            let found = rustls_native_certs::load_native_certs();
            let (added, _) = roots.add_parsable_certificates(found.certs);
            if added == 0 {
                tracing::warn!(
                    "no trusted root certificates found on this host: HTTPS robots will fail"
                );
            }
            let mut config = rustls::ClientConfig::builder_with_provider(Arc::new(
                rustls::crypto::ring::default_provider(),
            ))
            .with_safe_default_protocol_versions()
            .map_err(|e| tracing::error!(error = %e, "TLS client configuration"))
            .ok()?
            .with_root_certificates(roots)
            .with_no_client_auth();
            config.alpn_protocols = vec![b"http/1.1".to_vec()];
            Some(Arc::new(config))
        })
        .clone()
        .ok_or(Failure::Tls)
}

/// POSTs `body` as JSON to the `https` address `url`, within `limit`; the status and the
/// answer (for the caller to read the provider's `errcode`, never to show).
pub async fn post_json(
    url: &Url,
    body: &serde_json::Value,
    limit: Duration,
    policy: &OutboundPolicy,
) -> Result<(u16, Bytes), Failure> {
    if url.scheme() != "https" {
        return Err(Failure::Protocol);
    }
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
    let req = Request::post(path)
        .header(HOST, authority)
        .header(CONTENT_TYPE, "application/json; charset=utf-8")
        .header(USER_AGENT, concat!("zeren/", env!("CARGO_PKG_VERSION")))
        .body(Full::new(Bytes::from(body.to_string())))
        .map_err(|_| Failure::Protocol)?;
    let work = async move {
        let addrs = resolve(&host, port, policy).await?;
        let (tcp, addr) = connect(&addrs).await?;
        if policy.plain_http_to(addr.ip()) {
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
        let stream = tokio_rustls::TlsConnector::from(tls()?)
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
        (false, _) => Ok(permitted),
        (true, Some(range)) => Err(Failure::Forbidden(range)),
        (true, None) => Err(Failure::Resolve),
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

async fn exchange<T>(io: T, req: Request<Full<Bytes>>) -> Result<(u16, Bytes), Failure>
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
        if !(200..300).contains(&status) {
            return Ok((status, Bytes::new()));
        }
        let bytes = Limited::new(resp.into_body(), MAX_ANSWER)
            .collect()
            .await
            .map_err(|_| Failure::Protocol)?
            .to_bytes();
        Ok((status, bytes))
    }
    .await;
    driver.abort();
    result
}
