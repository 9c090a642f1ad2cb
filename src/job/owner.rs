//! Who holds a lease: a name that says which host, pid namespace and process, so
//! `resume` can tell a dead owner on this host from a live one elsewhere.

/// A lease owner name: host, pid and a random part, so two processes never share one
/// and `resume` can tell whether the owner of a `running` job is still alive.
pub fn owner_name() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .map(|h| h.trim().to_string())
        .ok()
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "localhost".into());
    // containers may share a hostname but not their pids: the pid namespace is part
    // of "where", so a pid is only ever judged within its own namespace
    let ns = std::fs::read_link("/proc/self/ns/pid")
        .ok()
        .map(|l| l.to_string_lossy().chars().filter(char::is_ascii_digit).collect::<String>())
        .filter(|n| !n.is_empty())
        .map(|n| format!("/{n}"))
        .unwrap_or_default();
    let rand = uuid::Uuid::new_v4().simple().to_string();
    format!("{host}{ns}:{}:{}", std::process::id(), &rand[..8])
}

/// Whether the lease owner is a process on this host (and pid namespace) that no
/// longer exists. `None` when we cannot tell (another host or namespace, or no /proc):
/// then only the heartbeat's age speaks.
pub fn owner_is_dead(owner: &str) -> Option<bool> {
    let mut parts = owner.rsplitn(3, ':');
    let _rand = parts.next()?;
    let pid: u32 = parts.next()?.parse().ok()?;
    let host = parts.next()?;
    let me = owner_name();
    let my_host = me.rsplitn(3, ':').nth(2)?;
    if host != my_host || !std::path::Path::new("/proc/self").exists() {
        return None;
    }
    Some(!std::path::Path::new(&format!("/proc/{pid}")).exists())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dead_owner_on_this_host_is_detected() {
        let me = owner_name();
        assert_eq!(owner_is_dead(&me), Some(false));
        let host = me.rsplitn(3, ':').nth(2).unwrap();
        assert_eq!(owner_is_dead(&format!("{host}:4000000000:abcd")), Some(true));
        assert_eq!(owner_is_dead("elsewhere:1:abcd"), None);
        let hostname = host.split('/').next().unwrap();
        assert_eq!(owner_is_dead(&format!("{hostname}/1:1:abcd")), None, "same hostname, another pid namespace");
    }
}
