//! What an operator installs: one static file that runs with nothing around it, and
//! the systemd units in `deploy/`, as systemd itself reads them. These check the
//! binary the test build makes (CI builds no second copy of the lance stack); the
//! release binary's size is measured by `examples/release_size.sh`.

use std::path::Path;
use std::process::Command;

use crate::common::*;

fn tool(name: &str) -> bool {
    Command::new(name).arg("--version").output().is_ok_and(|o| o.status.success())
}

/// A directory holding nothing but the binary (and what a test puts there), and the
/// binary run inside it as its root, with an empty environment.
struct Root {
    dir: tempfile::TempDir,
}

impl Root {
    /// `None` (and a note) where this process may not chroot.
    fn new() -> Option<Root> {
        let dir = tempfile::tempdir().unwrap();
        let bin = dir.path().join("atom-sync");
        if std::fs::hard_link(BIN, &bin).is_err() {
            std::fs::copy(BIN, &bin).unwrap();
        }
        let root = Root { dir };
        match root.command(&["--version"], &[]).output() {
            Ok(o) if o.status.success() => {
                assert!(stdout(&o).starts_with("atom-sync "), "{}", stdout(&o));
                Some(root)
            }
            Ok(o) if stderr(&o).contains("ermission") || stderr(&o).contains("not permitted") => {
                eprintln!("note: cannot chroot here ({}); the empty-root run is skipped", stderr(&o).trim());
                None
            }
            Ok(o) => panic!("the binary does not start in an empty root: {}", stderr(&o)),
            Err(e) => {
                eprintln!("note: no chroot here ({e}); the empty-root run is skipped");
                None
            }
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// root may chroot; anyone else tries a user namespace in which they are root
    fn command(&self, args: &[&str], env: &[(&str, String)]) -> Command {
        let mut c = if unsafe { libc::geteuid() } == 0 {
            // sbin is not on every PATH
            let found =
                ["/usr/sbin/chroot", "/sbin/chroot", "/usr/bin/chroot"].into_iter().find(|p| Path::new(p).exists());
            Command::new(found.unwrap_or("chroot"))
        } else {
            let mut c = Command::new("unshare");
            c.args(["--user", "--map-root-user", "chroot"]);
            c
        };
        c.arg(self.path()).arg("/atom-sync").args(args).env_clear().env("NO_COLOR", "1");
        c.envs(env.iter().map(|(k, v)| (k, v)));
        c
    }

    fn run(&self, args: &[&str], env: &[(&str, String)]) -> std::process::Output {
        self.command(args, env).output().unwrap()
    }
}

/// `ldd` finds no shared library, and the binary backfills the sample mailbox inside
/// a root that holds only itself and the mailbox: no libc, no NSS, no CA files, no
/// /dev, no /tmp, no /proc, no HOME.
#[test]
fn the_binary_is_static_and_backfills_in_an_empty_root() {
    if tool("ldd") {
        let o = Command::new("ldd").arg(BIN).output().unwrap();
        let text = format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
        assert!(!text.contains("=>"), "the binary loads shared libraries:\n{text}");
        assert!(text.contains("statically linked") || text.contains("not a dynamic executable"), "{text}");
    } else {
        eprintln!("note: no ldd here; the linkage check is skipped");
    }
    let Some(root) = Root::new() else { return };
    std::fs::copy(sample_mbox(), root.path().join("sample.mbox")).unwrap();
    let data = ["--data-dir", "/data"];
    let args = ["backfill", "--tenant", "demo", "--source", "mbox:/sample.mbox", "--json", "--max-attempts", "1"];
    let o = root.run(&[&data[..], &args].concat(), &[]);
    assert!(o.status.success(), "backfill in an empty root failed: {}", stderr(&o));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap_or_else(|e| panic!("{e}: {}", stdout(&o)));
    let job = &doc["jobs"][0];
    assert_eq!(job["state"], "completed", "{doc}");
    assert_eq!(job["processed"].as_i64().unwrap() + job["skipped"].as_i64().unwrap(), SAMPLE_MESSAGES, "{doc}");
    let o = root.run(&[&data[..], &["verify", "--tenant", "demo"]].concat(), &[]);
    assert!(o.status.success(), "verify in an empty root: {}{}", stdout(&o), stderr(&o));
    let o = root.run(&[&data[..], &["search", "--tenant", "demo", "gas pipeline", "--json"]].concat(), &[]);
    assert!(o.status.success(), "search in an empty root: {}", stderr(&o));
    let hits: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert!(hits["hits"].as_array().is_some_and(|h| !h.is_empty()), "{hits}");
    assert!(root.path().join("data/atom-sync.db").exists(), "the store is where --data-dir says");
}

/// Host names resolve without the C library (whose NSS modules a static binary cannot
/// load): a root holding the binary, /etc/hosts and /etc/resolv.conf, nothing else,
/// reaches Graph and (when the tests have one) Postgres by name.
#[tokio::test(flavor = "multi_thread")]
async fn names_resolve_in_an_empty_root() {
    use crate::graph_sim::{GraphSim, message};
    let Some(root) = Root::new() else { return };
    std::fs::create_dir_all(root.path().join("etc")).unwrap();
    std::fs::write(root.path().join("etc/hosts"), "127.0.0.1 graph.sim.test db.sim.test\n").unwrap();
    // a name server that is not there: the hosts file answers first
    std::fs::write(root.path().join("etc/resolv.conf"), "nameserver 127.0.0.1\noptions timeout:1 attempts:1\n")
        .unwrap();
    let sim = GraphSim::start(0);
    sim.add_mailbox("alice@sim.test", &["Inbox"]);
    let at = atom_sync::time::rfc3339(atom_sync::time::now_ms() - 86_400_000);
    let m = message(
        "AAMkADdns1=",
        &at,
        "dns",
        ("Bob", "bob@x.test"),
        &[("Alice", "alice@sim.test")],
        "by name",
        "<dns-1@x.test>",
        "c1",
    );
    sim.put("alice@sim.test", "Inbox", m);
    let port = sim.addr.port();
    for backend in backends() {
        let env = Env::new(backend).await;
        let mut vars: Vec<(&str, String)> = sim.env();
        vars.retain(|(k, _)| !k.ends_with("_URL"));
        vars.push(("ATOM_SYNC_GRAPH_URL", format!("http://graph.sim.test:{port}/v1.0")));
        vars.push(("ATOM_SYNC_LOGIN_URL", format!("http://graph.sim.test:{port}")));
        if let Some(url) = &env.database_url {
            let by_name = url.replace("127.0.0.1", "db.sim.test").replace("localhost", "db.sim.test");
            assert!(by_name.contains("db.sim.test"), "{url}");
            vars.push(("DATABASE_URL", by_name));
        }
        let data = format!("/data-{backend:?}");
        let args = [
            "--data-dir",
            &data,
            "backfill",
            "--tenant",
            "acme",
            "--source",
            "graph",
            "--mailbox",
            "alice@sim.test",
            "--since",
            "7d",
            "--json",
            "--max-attempts",
            "1",
        ];
        let o = root.run(&args, &vars);
        assert!(o.status.success(), "{backend:?}: a Graph backfill by name in an empty root: {}", stderr(&o));
        let doc: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
        assert_eq!(
            (doc["jobs"][0]["state"].as_str(), doc["jobs"][0]["processed"].as_i64()),
            (Some("completed"), Some(1)),
            "{doc}"
        );
    }
}

/// Every unit in `deploy/systemd` passes `systemd-analyze verify` (syntax, known keys,
/// an executable ExecStart), names only variables the README documents, and lets the
/// worker finish its chunk on stop.
#[test]
fn systemd_units_pass_systemd_analyze_verify() {
    let units = repo().join("deploy/systemd");
    let mut texts = Vec::new();
    for e in std::fs::read_dir(&units).unwrap() {
        let path = e.unwrap().path();
        texts.push((path.file_name().unwrap().to_string_lossy().to_string(), std::fs::read_to_string(&path).unwrap()));
    }
    assert!(texts.len() >= 7, "{texts:?}");

    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    for (name, text) in &texts {
        for var in
            text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).filter(|w| w.starts_with("ATOM_SYNC_"))
        {
            assert!(readme.contains(var), "{name} sets {var}, which the README does not document");
        }
    }
    let worker = &texts.iter().find(|(n, _)| n == "atom-sync-worker.service").unwrap().1;
    let stop = worker.lines().find_map(|l| l.strip_prefix("TimeoutStopSec=")).expect("the worker's stop timeout");
    let stop = humantime::parse_duration(stop).unwrap();
    assert!(stop >= std::time::Duration::from_secs(600), "the worker gets {stop:?} to finish a chunk; give it minutes");
    assert!(worker.contains("KillSignal=SIGTERM") && worker.contains("_FILE=%d/"), "credentials come as files");

    if !tool("systemd-analyze") {
        eprintln!("note: no systemd-analyze here; the unit files are not verified");
        return;
    }
    // the units as installed, pointing at this build's binary; templates as an instance
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for (name, text) in &texts {
        if !(name.ends_with(".service") || name.ends_with(".timer")) {
            continue;
        }
        let name = name.replace("@.", "@acme.");
        let path = dir.path().join(&name);
        std::fs::write(&path, text.replace("/usr/local/bin/atom-sync", BIN)).unwrap();
        files.push(path);
    }
    let o = Command::new("systemd-analyze")
        .args(["verify", "--man=no"])
        .args(&files)
        .current_dir(dir.path())
        .output()
        .unwrap();
    let said = format!("{}{}", stdout(&o), stderr(&o));
    assert!(o.status.success() && said.trim().is_empty(), "systemd-analyze verify:\n{said}");
}
