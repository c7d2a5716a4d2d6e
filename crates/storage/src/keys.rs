//! The installation key: 32 random bytes kept outside the database and outside backups — in the
//! data dir as `zeren.key` (mode 0600, made on first use) or given by `ZEREN_KEY` (64 hex
//! digits). Each use has its own key derived from it (HMAC-SHA256 over a purpose label):
//! sealing secrets at rest (TOTP secrets, ChaCha20-Poly1305) and signing backups (HMAC-SHA256).
//!
//! Whoever holds the database or a backup without this key can neither read the sealed secrets
//! nor forge an archive this installation will restore.

use crate::error::{Result, StorageError};
use crate::secrets::random_bytes;
use ring::aead::{Aad, CHACHA20_POLY1305, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::hmac;
use std::path::Path;

/// File name of the key in the data dir.
pub const KEY_FILE: &str = "zeren.key";
/// Environment variable that gives the key instead of the file (64 hex digits).
pub const KEY_ENV: &str = "ZEREN_KEY";
/// Prefix of a sealed value (version 1: ChaCha20-Poly1305, random nonce, base64).
const SEALED_V1: &str = "sealed:v1:";

/// What a derived key is for; each purpose gets a key of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Sealing secrets kept in the database.
    Seal,
    /// Signing backup archives.
    Backup,
}

impl Purpose {
    fn label(self) -> &'static [u8] {
        match self {
            Purpose::Seal => b"zeren seal v1",
            Purpose::Backup => b"zeren backup signature v1",
        }
    }
}

/// The installation key (see the module documentation).
#[derive(Clone)]
pub struct InstallationKey([u8; 32]);

impl std::fmt::Debug for InstallationKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The key itself never reaches a log: only a short fingerprint.
        write!(f, "InstallationKey({})", self.fingerprint())
    }
}

impl InstallationKey {
    /// A new random key.
    pub fn generate() -> Result<InstallationKey> {
        let bytes = random_bytes(32)?;
        let mut key = [0u8; 32];
        key.copy_from_slice(&bytes);
        Ok(InstallationKey(key))
    }

    /// A key written as 64 hex digits (surrounding whitespace ignored).
    pub fn from_hex(text: &str) -> Result<InstallationKey> {
        let bytes = hex::decode(text.trim()).map_err(|_| {
            StorageError::Invalid("the installation key must be 64 hex digits".into())
        })?;
        let key: [u8; 32] = bytes.try_into().map_err(|_| {
            StorageError::Invalid("the installation key must be 64 hex digits".into())
        })?;
        Ok(InstallationKey(key))
    }

    /// The key as 64 hex digits (to keep it somewhere safe, or to restore elsewhere).
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// A short public name of the key: which key signed an archive, without revealing it.
    pub fn fingerprint(&self) -> String {
        hex::encode(&self.derive(b"zeren key fingerprint v1")[..8])
    }

    /// The installation's key: `ZEREN_KEY` when set, else `dir/zeren.key`, made (0600) when
    /// missing.
    pub fn load_or_create(dir: &Path) -> Result<InstallationKey> {
        if let Ok(text) = std::env::var(KEY_ENV) {
            return InstallationKey::from_hex(&text)
                .map_err(|_| StorageError::Invalid(format!("{KEY_ENV} must be 64 hex digits")));
        }
        let path = dir.join(KEY_FILE);
        let io = |e: std::io::Error| StorageError::Io {
            path: path.display().to_string(),
            source: e,
        };
        match std::fs::read_to_string(&path) {
            Ok(text) => InstallationKey::from_hex(&text).map_err(|_| {
                StorageError::Invalid(format!("{}: not an installation key", path.display()))
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                std::fs::create_dir_all(dir).map_err(io)?;
                let key = InstallationKey::generate()?;
                write_private(&path, &key.to_hex()).map_err(io)?;
                Ok(key)
            }
            Err(e) => Err(io(e)),
        }
    }

    fn derive(&self, label: &[u8]) -> [u8; 32] {
        let k = hmac::Key::new(hmac::HMAC_SHA256, &self.0);
        let tag = hmac::sign(&k, label);
        let mut out = [0u8; 32];
        out.copy_from_slice(tag.as_ref());
        out
    }

    /// An HMAC-SHA256 key for `purpose` (feed it with `ring::hmac::Context` to sign a stream).
    pub fn signing_key(&self, purpose: Purpose) -> hmac::Key {
        hmac::Key::new(hmac::HMAC_SHA256, &self.derive(purpose.label()))
    }

    /// `plain` sealed for storage: authenticated encryption under this installation's key.
    pub fn seal(&self, plain: &[u8]) -> Result<String> {
        let key = self.aead();
        let nonce_bytes = random_bytes(NONCE_LEN)?;
        let mut nonce = [0u8; NONCE_LEN];
        nonce.copy_from_slice(&nonce_bytes);
        let mut buf = plain.to_vec();
        key.seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::empty(), &mut buf)
            .map_err(|_| StorageError::Invalid("cannot seal a secret".into()))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&buf);
        Ok(format!("{SEALED_V1}{}", data_encoding::BASE64.encode(&out)))
    }

    /// The value [`InstallationKey::seal`] sealed; an error when it was sealed under another
    /// key or altered.
    pub fn open(&self, sealed: &str) -> Result<Vec<u8>> {
        let refused = || {
            StorageError::Corrupt(
                "a sealed secret does not open with this installation's key".into(),
            )
        };
        let body = sealed.strip_prefix(SEALED_V1).ok_or_else(refused)?;
        let bytes = data_encoding::BASE64
            .decode(body.as_bytes())
            .map_err(|_| refused())?;
        if bytes.len() < NONCE_LEN {
            return Err(refused());
        }
        let (nonce, rest) = bytes.split_at(NONCE_LEN);
        let mut nonce_arr = [0u8; NONCE_LEN];
        nonce_arr.copy_from_slice(nonce);
        let mut buf = rest.to_vec();
        let plain = self
            .aead()
            .open_in_place(
                Nonce::assume_unique_for_key(nonce_arr),
                Aad::empty(),
                &mut buf,
            )
            .map_err(|_| refused())?;
        Ok(plain.to_vec())
    }

    fn aead(&self) -> LessSafeKey {
        // A 32-byte key always fits ChaCha20-Poly1305.
        LessSafeKey::new(
            UnboundKey::new(&CHACHA20_POLY1305, &self.derive(Purpose::Seal.label()))
                .unwrap_or_else(|_| unreachable!("32-byte key")),
        )
    }
}

/// Whether a stored value is sealed (rather than a value kept in clear by an older version).
pub fn is_sealed(stored: &str) -> bool {
    stored.starts_with(SEALED_V1)
}

#[cfg(unix)]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(text.as_bytes())?;
    f.write_all(b"\n")?;
    f.sync_all()
}

#[cfg(not(unix))]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    std::fs::write(path, format!("{text}\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_only_with_their_key_and_unaltered() {
        let a = InstallationKey::generate().unwrap();
        let b = InstallationKey::generate().unwrap();
        let sealed = a.seal(b"JBSWY3DPEHPK3PXP").unwrap();
        assert!(is_sealed(&sealed));
        assert!(!sealed.contains("JBSWY3DPEHPK3PXP"));
        assert_eq!(a.open(&sealed).unwrap(), b"JBSWY3DPEHPK3PXP");
        assert!(b.open(&sealed).is_err());
        // Two seals of the same value differ (random nonce).
        assert_ne!(sealed, a.seal(b"JBSWY3DPEHPK3PXP").unwrap());
        let mut altered = sealed.clone().into_bytes();
        let last = altered.len() - 3;
        altered[last] = if altered[last] == b'A' { b'B' } else { b'A' };
        assert!(a.open(std::str::from_utf8(&altered).unwrap()).is_err());
        assert!(a.open("JBSWY3DPEHPK3PXP").is_err());
    }

    #[test]
    fn the_key_file_is_made_once_private_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        // SAFETY of the test: the variable is not set in this process's test run.
        if std::env::var(KEY_ENV).is_ok() {
            return;
        }
        let first = InstallationKey::load_or_create(dir.path()).unwrap();
        let again = InstallationKey::load_or_create(dir.path()).unwrap();
        assert_eq!(first.to_hex(), again.to_hex());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(KEY_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::write(dir.path().join(KEY_FILE), "not a key").unwrap();
        assert!(InstallationKey::load_or_create(dir.path()).is_err());
        assert!(!format!("{first:?}").contains(&first.to_hex()));
    }

    #[test]
    fn purposes_sign_differently() {
        let k = InstallationKey::generate().unwrap();
        let a = hmac::sign(&k.signing_key(Purpose::Backup), b"x");
        let b = hmac::sign(&k.signing_key(Purpose::Seal), b"x");
        assert_ne!(a.as_ref(), b.as_ref());
        assert!(hmac::verify(&k.signing_key(Purpose::Backup), b"x", a.as_ref()).is_ok());
    }
}
