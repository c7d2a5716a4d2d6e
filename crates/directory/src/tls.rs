//! The TLS client configurations every outbound conversation uses, each built once: rustls with
//! the ring provider, roots from the system's store (so an intranet CA installed on the host is
//! trusted). No process-wide TLS state is installed.

use std::sync::{Arc, OnceLock};

/// The configuration for HTTPS (ALPN `http/1.1`).
pub(crate) fn https() -> Option<Arc<rustls::ClientConfig>> {
    static CONFIG: OnceLock<Option<Arc<rustls::ClientConfig>>> = OnceLock::new();
    CONFIG.get_or_init(|| build(&[b"http/1.1"])).clone()
}

/// The configuration for ldaps and StartTLS (no ALPN).
pub(crate) fn ldap() -> Option<Arc<rustls::ClientConfig>> {
    static CONFIG: OnceLock<Option<Arc<rustls::ClientConfig>>> = OnceLock::new();
    CONFIG.get_or_init(|| build(&[])).clone()
}

fn build(alpn: &[&[u8]]) -> Option<Arc<rustls::ClientConfig>> {
    let mut roots = rustls::RootCertStore::empty();
    let (added, _) =
        roots.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
    if added == 0 {
        tracing::warn!(
            "no trusted root certificates found on this host: TLS connections will fail"
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
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    Some(Arc::new(config))
}
