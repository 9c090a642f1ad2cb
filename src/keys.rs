//! BYOK: tenants' provider keys, encrypted at rest.
//!
//! The master key comes from `ATOM_SYNC_MASTER_KEY` (64 hex characters; set the same
//! value on every machine of a fleet) or, for the embedded default, from a key file
//! in the data dir created on first use with owner-only permissions. Each secret is
//! sealed with ChaCha20-Poly1305; the tenant, provider and key name are its
//! associated data, so a ciphertext moved to another tenant or key does not open (keys
//! sealed before names were bound still open, by the format recorded with them). Lookups are case-insensitive on the
//! provider and the key's name, and there is no fallback to a fake key: a missing key
//! is an error naming the tenant. An operator-wide key from the environment is used
//! only when the operator asks for it with `--llm-operator-key`.

use std::path::Path;

use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use serde::Serialize;

use crate::secret::Secret;
use crate::{Error, Result};

pub const MASTER_KEY_ENV: &str = "ATOM_SYNC_MASTER_KEY";
pub const MASTER_KEY_FILE: &str = "master.key";

pub struct MasterKey(Key);

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MasterKey(***)")
    }
}

fn parse_hex32(s: &str) -> Option<[u8; 32]> {
    let s = s.trim();
    // byte slicing below needs ASCII: "é" is two bytes of one character
    if s.len() != 64 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, b) in out.iter_mut().enumerate() {
        *b = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}

impl MasterKey {
    /// The environment's key if set, else the data dir's key file (created when
    /// `create` and missing).
    pub fn load(env_value: Option<&str>, data_dir: &Path, create: bool) -> Result<Self> {
        if let Some(v) = env_value.filter(|v| !v.trim().is_empty()) {
            return parse_hex32(v).map(|k| MasterKey(Key::from(k))).ok_or_else(|| {
                Error::Invalid(format!(
                    "{MASTER_KEY_ENV}: expected 64 hex characters (e.g. from `openssl rand -hex 32`)"
                ))
            });
        }
        let path = data_dir.join(MASTER_KEY_FILE);
        match std::fs::read_to_string(&path) {
            Ok(text) => parse_hex32(&text).map(|k| MasterKey(Key::from(k))).ok_or_else(|| {
                Error::Invalid(format!("master key file {}: expected 64 hex characters", path.display()))
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && create => Self::create_file(&path),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(Error::Invalid(format!(
                "no master key: set {MASTER_KEY_ENV} or store a key first (`atom-sync keys set`), which creates {}",
                path.display()
            ))),
            Err(e) => Err(Error::Io { context: format!("master key file {}", path.display()), source: e }),
        }
    }

    fn create_file(path: &Path) -> Result<Self> {
        use std::io::Write;
        let key = ChaCha20Poly1305::generate_key(&mut OsRng);
        let hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
        if let Some(dir) = path.parent() {
            crate::private::create_dir(dir).map_err(Error::io(format!("data dir {}", dir.display())))?;
        }
        // write a private temp file (owner only from the first byte, never through a
        // planted link), then link it into place: the key file appears whole or not
        // at all, and of two processes racing, the first link wins
        let tmp = path.with_extension(format!("tmp.{}.{}", std::process::id(), uuid::Uuid::new_v4().simple()));
        let fail = |e: std::io::Error| Error::Io {
            context: format!("master key file {}: cannot create it", path.display()),
            source: e,
        };
        let mut f = crate::private::create_new(&tmp).map_err(fail)?;
        f.write_all(hex.as_bytes()).and_then(|()| f.sync_all()).map_err(fail)?;
        let linked = std::fs::hard_link(&tmp, path);
        let _ = std::fs::remove_file(&tmp);
        match linked {
            Ok(()) => Ok(MasterKey(key)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                Self::load(None, path.parent().unwrap_or(path), false)
            }
            Err(e) => Err(fail(e)),
        }
    }

    /// A fingerprint of the key, safe to store and show: a fleet records its key's,
    /// so a machine holding another key (or none) can tell before it seals or opens.
    pub fn fingerprint(&self) -> String {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        h.update(b"atom-sync master key fingerprint v1\0");
        h.update(self.0.as_slice());
        crate::text::hex(&h.finalize()[..12])
    }

    /// What binds a ciphertext to its row: the tenant, the provider and (since
    /// version 2) the key's name, so a sealed key moved to another tenant or another
    /// of the tenant's keys does not open.
    fn aad(tenant: &str, key: &KeyName, version: i64) -> Result<Vec<u8>> {
        match version {
            1 => Ok(format!("atom-sync:v1:{tenant}:{}", key.provider).into_bytes()),
            2 => Ok(format!("atom-sync:v2:{tenant}:{}:{}", key.provider, key.name).into_bytes()),
            v => Err(Error::Invalid(format!(
                "tenant {tenant}: the stored {key} is sealed in format {v}, which this version of atom-sync does not know; upgrade it"
            ))),
        }
    }

    /// Seal a tenant's key (in the current format).
    pub fn seal(&self, tenant: &str, key: &KeyName, secret: &Secret) -> Result<SealedKey> {
        let cipher = ChaCha20Poly1305::new(&self.0);
        let nonce = ChaCha20Poly1305::generate_nonce(&mut OsRng);
        let aad = Self::aad(tenant, key, SEALED_VERSION)?;
        let ct = cipher
            .encrypt(&nonce, Payload { msg: secret.expose().as_bytes(), aad: &aad })
            .map_err(|_| Error::Invalid(format!("tenant {tenant}: cannot encrypt the {key}")))?;
        Ok(SealedKey { nonce: nonce.to_vec(), ciphertext: ct, sealed_version: SEALED_VERSION })
    }

    pub fn open(&self, tenant: &str, key: &KeyName, sealed: &SealedKey) -> Result<Secret> {
        let cipher = ChaCha20Poly1305::new(&self.0);
        if sealed.nonce.len() != 12 {
            return Err(Error::Invalid(format!("tenant {tenant}: the stored {key} is damaged (nonce)")));
        }
        let aad = Self::aad(tenant, key, sealed.sealed_version)?;
        let plain = cipher
            .decrypt(Nonce::from_slice(&sealed.nonce), Payload { msg: &sealed.ciphertext, aad: &aad })
            .map_err(|_| {
                Error::Invalid(format!(
                    "tenant {tenant}: the stored {key} does not open with this master key ({MASTER_KEY_ENV} or the data dir's {MASTER_KEY_FILE} differs from the one it was stored with)"
                ))
            })?;
        String::from_utf8(plain)
            .map(Secret::new)
            .map_err(|_| Error::Invalid(format!("tenant {tenant}: the stored {key} is damaged")))
    }
}

/// Providers are names: compared without regard to case or surrounding space.
pub fn normalise_provider(p: &str) -> Result<String> {
    let p = p.trim().to_ascii_lowercase();
    if p.is_empty() || !p.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')) {
        return Err(Error::Invalid(format!("provider {p:?}: use letters, digits, - _ . (e.g. openai)")));
    }
    Ok(p)
}

/// Which of a tenant's keys: a provider and the key's name, both compared without
/// regard to case (`OPENAI_API_KEY` and `openai_api_key` are one key). The name
/// defaults to `<provider>_api_key`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyName {
    pub provider: String,
    pub name: String,
}

impl KeyName {
    pub fn new(provider: &str, name: Option<&str>) -> Result<Self> {
        let provider = normalise_provider(provider)?;
        let name = match name {
            Some(n) => {
                let n = n.trim().to_lowercase();
                if n.is_empty() || !n.chars().all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.')) {
                    return Err(Error::Invalid(format!(
                        "key name {n:?}: use letters, digits, - _ . (e.g. OPENAI_API_KEY)"
                    )));
                }
                n
            }
            None => format!("{provider}_api_key"),
        };
        Ok(KeyName { provider, name })
    }
}

impl std::fmt::Display for KeyName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} key {}", self.provider, self.name)
    }
}

/// A stored key as `keys list` shows it: never the secret.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct KeyInfo {
    pub tenant_id: String,
    pub provider: String,
    pub name: String,
    pub hint: String,
    pub created_at: i64,
    pub updated_at: i64,
}

/// The format [`MasterKey::seal`] writes: 2 binds the key's name too; 1 (keys sealed
/// before names existed) binds tenant and provider, and still opens.
pub const SEALED_VERSION: i64 = 2;

/// A stored key, still sealed.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SealedKey {
    pub nonce: Vec<u8>,
    pub ciphertext: Vec<u8>,
    pub sealed_version: i64,
}

/// Where sealed keys are kept (the store): all the lookup needs of it.
#[async_trait::async_trait]
pub trait KeyVault: Send + Sync {
    async fn get_key(&self, tenant: &str, key: &KeyName) -> Result<Option<SealedKey>>;
}

/// The key a tenant's calls carry, or why there is none.
#[derive(Debug, Clone)]
pub enum TenantKey {
    Own(Secret),
    Operator(Secret),
    /// The tenant stored none, and no operator key was allowed.
    NotStored {
        tenant: String,
        key: KeyName,
    },
    /// The tenant has a key, but this process has no master key to open it.
    Missing(String),
    /// A stored key that does not open (another master key, damaged).
    Unusable(String),
}

impl TenantKey {
    /// The key to send, if there is one.
    pub fn secret(&self) -> Option<&Secret> {
        match self {
            TenantKey::Own(k) | TenantKey::Operator(k) => Some(k),
            TenantKey::NotStored { .. } | TenantKey::Missing(_) | TenantKey::Unusable(_) => None,
        }
    }

    /// Why there is no key to send, with what to do about it; `None` when there is one.
    pub fn reason(&self) -> Option<String> {
        match self {
            TenantKey::Own(_) | TenantKey::Operator(_) => None,
            TenantKey::NotStored { tenant, key } => Some(format!(
                "tenant {tenant} has no {key} (atom-sync keys set --tenant {tenant} --provider {} --name {})",
                key.provider, key.name
            )),
            TenantKey::Missing(why) | TenantKey::Unusable(why) => Some(why.clone()),
        }
    }

    /// The key, or an error that says why there is none, naming the tenant.
    pub fn require(self) -> Result<Secret> {
        let why = self.reason();
        match self {
            TenantKey::Own(k) | TenantKey::Operator(k) => Ok(k),
            _ => Err(Error::Invalid(why.unwrap_or_default())),
        }
    }
}

/// The one key lookup: the tenant's own key (case-insensitive on provider and name),
/// else the operator's key when the operator allowed it (`operator`), never a made-up
/// one. `master` opens stored keys, or says why this process cannot.
pub async fn lookup<V: KeyVault + ?Sized>(
    vault: &V,
    master: std::result::Result<&MasterKey, &str>,
    tenant: &str,
    key: &KeyName,
    operator: Option<&Secret>,
) -> Result<TenantKey> {
    let Some(sealed) = vault.get_key(tenant, key).await? else {
        if let Some(k) = operator {
            return Ok(TenantKey::Operator(k.clone()));
        }
        return Ok(TenantKey::NotStored { tenant: tenant.to_string(), key: key.clone() });
    };
    let master = match master {
        Ok(m) => m,
        // never the operator's key instead: a tenant with its own key pays for itself
        Err(why) => return Ok(TenantKey::Missing(format!("tenant {tenant} has a key, but {why}"))),
    };
    match master.open(tenant, key, &sealed) {
        Ok(k) => Ok(TenantKey::Own(k)),
        Err(e) => Ok(TenantKey::Unusable(e.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_keys_open_only_for_their_row_and_master() {
        let dir = tempfile::tempdir().unwrap();
        let m = MasterKey::load(None, dir.path(), true).unwrap();
        let secret = Secret::new("sk-test-1234567890abcdef");
        let key = KeyName::new("openai", None).unwrap();
        let sealed = m.seal("acme", &key, &secret).unwrap();
        assert_eq!(sealed.sealed_version, 2);
        assert!(!sealed.ciphertext.windows(8).any(|w| w == b"sk-test-"), "ciphertext holds the plain key");
        assert_eq!(m.open("acme", &key, &sealed).unwrap(), secret);
        assert!(m.open("globex", &key, &sealed).is_err(), "moved to another tenant");
        let project = KeyName::new("openai", Some("project_key")).unwrap();
        assert!(m.open("acme", &project, &sealed).is_err(), "moved to another of the tenant's keys");
        let other = MasterKey::load(Some(&"ab".repeat(32)), dir.path(), false).unwrap();
        let e = other.open("acme", &key, &sealed).unwrap_err().to_string();
        assert!(e.contains("tenant acme") && e.contains("does not open"), "{e}");
        assert_eq!(m.fingerprint().len(), 24);
        assert_ne!(m.fingerprint(), other.fingerprint());
        let future = SealedKey { sealed_version: 9, ..sealed.clone() };
        assert!(m.open("acme", &key, &future).unwrap_err().to_string().contains("format 9"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(MASTER_KEY_FILE)).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // the same file next time
        let again = MasterKey::load(None, dir.path(), false).unwrap();
        assert_eq!(again.open("acme", &key, &sealed).unwrap(), secret);
        assert!(MasterKey::load(Some("nothex"), dir.path(), false).is_err());
        // 64 bytes, not 64 characters: refused, not a panic on a character boundary
        assert!(MasterKey::load(Some(&format!("{}é", "a".repeat(62))), dir.path(), false).is_err());
        assert_eq!(normalise_provider(" OpenAI ").unwrap(), "openai");
        assert_eq!(KeyName::new("OpenAI", Some("OPENAI_API_KEY")).unwrap(), KeyName::new("openai", None).unwrap());
        assert!(KeyName::new("openai", Some("a key")).is_err());
    }
}
