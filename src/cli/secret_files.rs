//! Secrets from files (`NAME_FILE`), for systemd credentials and Kubernetes secrets:
//! a file's contents stand for the variable, read once at start before anything else
//! looks at the environment. Setting both forms is refused, as is an unreadable or
//! empty file; the error names the variable and the file, never the contents.

/// Every secret setting, each of which may come from `NAME_FILE` instead.
pub const SECRETS: &[&str] = &[
    "DATABASE_URL",
    "ATOM_SYNC_MASTER_KEY",
    "ATOM_SYNC_GRAPH_CLIENT_SECRET",
    "ATOM_SYNC_LLM_API_KEY",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
];

/// Read each `NAME_FILE` into `NAME`. Must run before any thread starts (the
/// environment is process-wide state).
pub fn load() -> Result<(), String> {
    for name in SECRETS {
        let file_var = format!("{name}_FILE");
        let Some(path) = std::env::var_os(&file_var).filter(|p| !p.is_empty()) else { continue };
        if std::env::var_os(name).is_some_and(|v| !v.is_empty()) {
            return Err(format!("{name} and {file_var} are both set; set one of them"));
        }
        let shown = std::path::Path::new(&path).display().to_string();
        let text = std::fs::read_to_string(&path).map_err(|e| format!("{file_var}: cannot read {shown}: {e}"))?;
        // a trailing newline is how editors and `echo` end a file, not part of a secret
        let value = text.strip_suffix('\n').map(|t| t.strip_suffix('\r').unwrap_or(t)).unwrap_or(&text);
        if value.trim().is_empty() {
            return Err(format!("{file_var}: {shown} is empty"));
        }
        // SAFETY: called from `main` before the runtime or any other thread exists
        unsafe { std::env::set_var(name, value) };
    }
    Ok(())
}
