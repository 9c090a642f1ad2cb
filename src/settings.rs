//! Defaults and validation shared by every entry point.

use std::path::PathBuf;
use std::time::Duration;

use crate::{Error, Result};

pub const DEFAULT_CHUNK_SIZE: usize = 100;
pub const DEFAULT_HEARTBEAT: Duration = Duration::from_secs(5);

/// The embedded default's home: `$XDG_DATA_HOME/atom-sync`, else
/// `~/.local/share/atom-sync`, else `./atom-sync-data`.
pub fn default_data_dir() -> PathBuf {
    if let Some(x) = std::env::var_os("XDG_DATA_HOME").filter(|v| !v.is_empty()) {
        return PathBuf::from(x).join("atom-sync");
    }
    if let Some(h) = std::env::var_os("HOME").filter(|v| !v.is_empty()) {
        return PathBuf::from(h).join(".local/share/atom-sync");
    }
    PathBuf::from("atom-sync-data")
}

/// LanceDB location: the operator's URI, else `lance/` inside the data dir.
pub fn lance_uri(explicit: Option<&str>, data_dir: &std::path::Path) -> String {
    match explicit {
        Some(u) => u.to_string(),
        None => data_dir.join("lance").display().to_string(),
    }
}

/// Tenant ids end up in keys, paths and vector filters: keep them to a safe alphabet.
pub fn validate_tenant(t: &str) -> Result<()> {
    let ok = !t.is_empty()
        && t.len() <= 128
        && t.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
        && t.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'));
    if ok {
        Ok(())
    } else {
        Err(Error::Invalid(format!(
            "tenant {t:?}: use 1-128 characters from A-Z a-z 0-9 . _ - @, starting with a letter or digit"
        )))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn tenants_are_validated() {
        assert!(super::validate_tenant("acme-corp.eu").is_ok());
        for bad in ["", "-x", "a b", "x'; drop", &"a".repeat(129)] {
            let e = super::validate_tenant(bad).unwrap_err().to_string();
            assert!(e.starts_with("tenant "), "{e}");
        }
    }
}
