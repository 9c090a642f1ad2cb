//! Postgres over TLS, as every managed Postgres requires: a throwaway cluster on a
//! loopback port with a certificate from a private CA, and TLS connections only.
//! `verify-full` with the right CA connects; a wrong CA or a host name the
//! certificate does not name is refused with a clear error.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::*;

/// A Postgres cluster of its own, started with TLS on, stopped when dropped.
pub struct TlsPostgres {
    dir: tempfile::TempDir,
    bin: PathBuf,
    pub port: u16,
    /// The CA that signed the server's certificate, and one that did not.
    pub ca: PathBuf,
    pub wrong_ca: PathBuf,
}

fn is_root() -> bool {
    // SAFETY: getuid has no preconditions
    unsafe { libc::getuid() == 0 }
}

/// Run a Postgres tool as the `postgres` user when we are root (Postgres refuses root).
fn as_postgres(bin: &Path, tool: &str, args: &[&str]) -> std::process::Output {
    let exe = bin.join(tool);
    let mut c = if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(&exe);
        c
    } else {
        Command::new(&exe)
    };
    c.args(args).env("LC_ALL", "C").output().unwrap()
}

fn openssl(dir: &Path, args: &[&str]) {
    let o = Command::new("openssl").current_dir(dir).args(args).output().expect("openssl");
    assert!(o.status.success(), "openssl {args:?}: {}", stderr(&o));
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

impl TlsPostgres {
    /// `None` when this machine has no Postgres server binaries (the test says so).
    pub fn start() -> Option<TlsPostgres> {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .ok()?
            .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
            .filter(|b| b.join("initdb").exists() && b.join("pg_ctl").exists())
            .max()?;
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o755)).unwrap();
        // a CA, a server certificate it signs (for "localhost" only), and another CA
        let ca_ext =
            ["-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"];
        for name in ["ca", "wrong-ca"] {
            let key = format!("{name}.key");
            let pem = format!("{name}.pem");
            let subj = format!("/CN=atom-sync test {name}");
            let mut args = vec![
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", &key, "-out", &pem, "-days", "2", "-subj",
                &subj,
            ];
            args.extend(ca_ext);
            openssl(d, &args);
        }
        openssl(
            d,
            &[
                "req",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                "server.key",
                "-out",
                "server.csr",
                "-subj",
                "/CN=localhost",
            ],
        );
        std::fs::write(
            d.join("server.ext"),
            "subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n",
        )
        .unwrap();
        openssl(
            d,
            &[
                "x509",
                "-req",
                "-in",
                "server.csr",
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-out",
                "server.crt",
                "-days",
                "2",
                "-extfile",
                "server.ext",
            ],
        );
        let data = d.join("data");
        if is_root() {
            let chown = |p: &Path| Command::new("chown").args(["-R", "postgres:postgres"]).arg(p).status().unwrap();
            assert!(chown(d).success());
        }
        std::fs::set_permissions(d.join("server.key"), std::fs::Permissions::from_mode(0o600)).unwrap();
        let o =
            as_postgres(&bin, "initdb", &["-D", data.to_str().unwrap(), "-A", "trust", "-U", "postgres", "--no-sync"]);
        assert!(o.status.success(), "initdb: {}{}", stdout(&o), stderr(&o));
        let port = free_port();
        let conf = format!(
            "\nport = {port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{}'\nssl = on\nssl_cert_file = '{}'\nssl_key_file = '{}'\nfsync = off\n",
            d.display(),
            d.join("server.crt").display(),
            d.join("server.key").display()
        );
        let mut pg_conf = std::fs::OpenOptions::new().append(true).open(data.join("postgresql.conf")).unwrap();
        std::io::Write::write_all(&mut pg_conf, conf.as_bytes()).unwrap();
        // TLS or nothing, over TCP
        std::fs::write(
            data.join("pg_hba.conf"),
            "local all all trust\nhostssl all all 127.0.0.1/32 trust\nhost all all 127.0.0.1/32 reject\n",
        )
        .unwrap();
        let log = d.join("server.log");
        let o = as_postgres(
            &bin,
            "pg_ctl",
            &["-D", data.to_str().unwrap(), "-w", "-t", "60", "-l", log.to_str().unwrap(), "start"],
        );
        assert!(
            o.status.success(),
            "pg_ctl start: {}{}\n{}",
            stdout(&o),
            stderr(&o),
            std::fs::read_to_string(&log).unwrap_or_default()
        );
        Some(TlsPostgres { ca: d.join("ca.pem"), wrong_ca: d.join("wrong-ca.pem"), dir, bin, port })
    }

    pub fn url(&self, host: &str, query: &str) -> String {
        format!("postgres://postgres@{host}:{}/postgres?{query}", self.port)
    }
}

impl Drop for TlsPostgres {
    fn drop(&mut self) {
        let data = self.dir.path().join("data");
        let _ = as_postgres(&self.bin, "pg_ctl", &["-D", data.to_str().unwrap(), "-m", "immediate", "stop"]);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn postgres_over_tls_connects_when_verified_and_refuses_a_wrong_ca_or_host() {
    let Some(pg) = TlsPostgres::start() else {
        eprintln!("note: no Postgres server binaries under /usr/lib/postgresql; TLS test skipped");
        return;
    };
    let env = Env::new(Backend::Sqlite).await;
    let run = |url: &str, args: &[&str]| {
        let mut c = env.cmd();
        c.env("DATABASE_URL", url).args(args);
        c.output().unwrap()
    };
    let ca = pg.ca.display().to_string();
    let good = pg.url("localhost", &format!("sslmode=verify-full&sslrootcert={ca}"));
    ok(&run(&good, &["migrate"]));
    let sample = format!("mbox:{}", sample_mbox().display());
    ok(&run(&good, &["backfill", "--tenant", "acme", "--source", &sample, "--chunk-size", "100"]));
    let o = run(&good, &["status", "--json"]);
    let doc: serde_json::Value = serde_json::from_str(&stdout(ok(&o))).unwrap();
    assert_eq!(doc["jobs"][0]["processed"], SAMPLE_MESSAGES);
    let o = run(&good, &["doctor", "--json"]);
    let doc: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let tls = doc["checks"].as_array().unwrap().iter().find(|c| c["check"] == "tls").unwrap().clone();
    assert_eq!(tls["status"], "ok", "{doc}");
    assert!(tls["detail"].as_str().unwrap().contains("encrypted (TLS"), "{tls}");
    // the fleet's private CA through SSL_CERT_FILE, added to the built-in roots
    let by_env = pg.url("localhost", "sslmode=verify-full");
    let o = run(&by_env, &["status"]);
    assert_eq!(o.status.code(), Some(2), "the built-in roots alone do not know a private CA: {}", stderr(&o));
    let o = env.cmd().env("DATABASE_URL", &by_env).env("SSL_CERT_FILE", &pg.ca).args(["status"]).output().unwrap();
    ok(&o);
    // without verification it still encrypts (the server takes nothing else)
    ok(&run(&pg.url("127.0.0.1", "sslmode=require"), &["status"]));

    // a CA that did not sign the server's certificate
    let wrong = pg.url("localhost", &format!("sslmode=verify-full&sslrootcert={}", pg.wrong_ca.display()));
    let o = run(&wrong, &["status"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("certificate") && stderr(&o).contains("sslrootcert"), "{}", stderr(&o));
    // the right CA, but a host name the certificate does not name
    let o = run(&pg.url("127.0.0.1", &format!("sslmode=verify-full&sslrootcert={ca}")), &["status"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("certificate"), "{}", stderr(&o));
    // and no TLS at all is turned away by the server
    let o = run(&pg.url("127.0.0.1", "sslmode=disable"), &["status"]);
    assert!(!o.status.success(), "{}", stderr(&o));
}
