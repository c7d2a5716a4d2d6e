//! Time-based one-time passwords (RFC 6238, HMAC-SHA1, 6 digits, 30 s), the optional second factor.

use hmac::{Hmac, KeyInit, Mac};

/// Six-digit code for `secret` at Unix time `unix_secs`.
pub fn code_at(secret: &[u8], unix_secs: i64) -> u32 {
    let counter = (unix_secs.max(0) / 30) as u64;
    let Ok(mut mac) = Hmac::<sha1::Sha1>::new_from_slice(secret) else {
        return 0;
    };
    mac.update(&counter.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = (digest[digest.len() - 1] & 0x0f) as usize;
    let bin = u32::from_be_bytes([
        digest[offset] & 0x7f,
        digest[offset + 1],
        digest[offset + 2],
        digest[offset + 3],
    ]);
    bin % 1_000_000
}

/// Checks a code, accepting one step of clock drift either way. Returns the step it matched, so
/// the caller can refuse the same code twice.
pub fn verify(secret: &[u8], code: &str, unix_secs: i64) -> Option<i64> {
    let code = code.trim();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let want: u32 = code.parse().ok()?;
    (-1..=1)
        .map(|d| unix_secs + d * 30)
        .find(|t| code_at(secret, *t) == want)
        .map(|t| t / 30)
}

/// RFC 4648 base32 without padding, as authenticator apps expect.
pub fn base32(bytes: &[u8]) -> String {
    data_encoding::BASE32_NOPAD.encode(bytes)
}

/// Reads base32 (spaces and case ignored).
pub fn from_base32(s: &str) -> Option<Vec<u8>> {
    let clean: String = s
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase();
    data_encoding::BASE32_NOPAD
        .decode(clean.trim_end_matches('=').as_bytes())
        .ok()
}

/// The `otpauth://` URI an authenticator app reads.
pub fn otpauth_uri(issuer: &str, account: &str, secret: &[u8]) -> String {
    // Everything but letters and digits escaped, as authenticator apps expect in a label.
    let enc = |s: &str| {
        percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
    };
    format!(
        "otpauth://totp/{}:{}?secret={}&issuer={}&algorithm=SHA1&digits=6&period=30",
        enc(issuer),
        enc(account),
        base32(secret),
        enc(issuer)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc6238_vectors() {
        // RFC 6238 appendix B, SHA-1, truncated to 6 digits.
        let secret = b"12345678901234567890";
        assert_eq!(code_at(secret, 59), 287_082);
        assert_eq!(code_at(secret, 1_111_111_109), 81_804);
        assert_eq!(code_at(secret, 1_234_567_890), 5_924);
        assert_eq!(code_at(secret, 2_000_000_000), 279_037);
    }

    #[test]
    fn verify_allows_one_step_of_drift() {
        let secret = b"12345678901234567890";
        assert!(verify(secret, "287082", 59).is_some());
        assert!(verify(secret, "287082", 59 + 30).is_some());
        assert!(verify(secret, "287082", 59 + 90).is_none());
        assert!(verify(secret, "28708", 59).is_none());
        assert_eq!(from_base32(&base32(secret)).unwrap(), secret);
    }
}
