//! Defaults and validation shared by every entry point.

use std::path::PathBuf;
use std::time::Duration;

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
