//! Static assets, compiled into the binary: Zeren runs offline, with no CDN.

use axum::http::HeaderValue;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::IntoResponse;

/// The stylesheet.
pub const APP_CSS: &str = include_str!("../../assets/app.css");

/// A token that changes whenever the stylesheet does; pages link `/assets/app.css?v=TOKEN`,
/// so the long cache lifetime never serves a stale stylesheet after an upgrade.
pub const CSS_VERSION: &str = match std::str::from_utf8(&CSS_HEX) {
    Ok(s) => s,
    Err(_) => "0",
};

const CSS_HEX: [u8; 16] = hex(fnv1a(APP_CSS.as_bytes()));

const fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut i = 0;
    while i < bytes.len() {
        h ^= bytes[i] as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
        i += 1;
    }
    h
}

const fn hex(mut v: u64) -> [u8; 16] {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = [b'0'; 16];
    let mut i = 16;
    while i > 0 {
        i -= 1;
        out[i] = DIGITS[(v & 0xf) as usize];
        v >>= 4;
    }
    out
}

/// `GET /assets/app.css`
pub async fn app_css() -> impl IntoResponse {
    (
        [
            (
                CONTENT_TYPE,
                HeaderValue::from_static("text/css; charset=utf-8"),
            ),
            (
                CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            ),
        ],
        APP_CSS,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_token_is_hex() {
        assert_eq!(CSS_VERSION.len(), 16);
        assert!(CSS_VERSION.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_eq!(&hex(0xab), b"00000000000000ab");
    }
}
