//! Passwords (argon2id, hashed off the async threads) and random tokens (hashed at rest).

use crate::error::{Result, StorageError};
use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use sha2::{Digest, Sha256};

/// Hashes a password with argon2id and a random salt.
pub async fn hash_password(password: String) -> Result<String> {
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| StorageError::Invalid(format!("cannot hash password: {e}")))
    })
    .await
    .map_err(|e| StorageError::Invalid(format!("password hashing task failed: {e}")))?
}

/// Checks a password against a stored hash (constant-time inside argon2).
pub async fn verify_password(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || match PasswordHash::new(&hash) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    })
    .await
    .unwrap_or(false)
}

/// `n` random bytes from the operating system.
pub fn random_bytes(n: usize) -> Result<Vec<u8>> {
    let mut buf = vec![0u8; n];
    getrandom::fill(&mut buf)
        .map_err(|e| StorageError::Invalid(format!("no randomness available: {e}")))?;
    Ok(buf)
}

/// A random token for cookies, CSRF and API access: 32 bytes, hex.
pub fn random_token() -> Result<String> {
    Ok(hex::encode(random_bytes(32)?))
}

/// How a token is kept at rest.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}
