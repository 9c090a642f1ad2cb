//! The command line's contract: clear errors with exit codes, and fresh completions.

use crate::common::*;

#[tokio::test]
async fn bad_input_names_the_thing_and_exits_2() {
    let env = Env::new(Backend::Sqlite).await;
    let sample = format!("mbox:{}", sample_mbox().display());
    let cases: [(&[&str], &str); 5] = [
        (&["backfill", "--tenant", "a b", "--source", &sample], "tenant \"a b\""),
        (&["backfill", "--tenant", "acme", "--source", "pst:/x"], "unknown kind \"pst\""),
        (&["backfill", "--tenant", "acme", "--source", "mbox:/no/such/file.mbox"], "/no/such/file.mbox"),
        (&["status", "0123abcd"], "job 0123abcd not found"),
        (&["resume", "zz"], "job id \"zz\""),
    ];
    for (args, needle) in cases {
        let o = env.run(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(needle), "{args:?}: {}", stderr(&o));
    }
    // usage errors are clap's, also 2
    assert_eq!(env.run(&["backfill"]).status.code(), Some(2));
    assert_eq!(env.run(&["status", "--state", "done"]).status.code(), Some(2));
}

#[tokio::test]
async fn an_unreachable_postgres_is_a_transient_failure_without_the_password() {
    let env = Env::new(Backend::Sqlite).await;
    let o = env
        .cmd()
        .args(["status"])
        .env("DATABASE_URL", "postgres://op:s3cret-pw@127.0.0.1:1/nope")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(5), "{}", stderr(&o));
    assert!(stderr(&o).contains("op:***@127.0.0.1:1"), "{}", stderr(&o));
    assert!(!stderr(&o).contains("s3cret-pw"), "password leaked: {}", stderr(&o));
}

#[test]
fn committed_completions_are_fresh() {
    for (shell, file) in [("bash", "atom-sync.bash"), ("zsh", "_atom-sync"), ("fish", "atom-sync.fish"), ("powershell", "_atom-sync.ps1")] {
        let o = std::process::Command::new(BIN).args(["completions", shell]).output().unwrap();
        assert!(o.status.success());
        let path = repo().join("completions").join(file);
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == stdout(&o),
            "{} is stale; regenerate with: cargo run -q -- completions {shell} > completions/{file}",
            path.display()
        );
    }
}

#[tokio::test]
async fn processes_opening_a_new_data_dir_at_once_all_succeed() {
    // they race to apply the SQLite migrations; the lock file makes them take turns
    for _ in 0..3 {
        let env = Env::new(Backend::Sqlite).await;
        let children: Vec<_> = (0..6)
            .map(|_| env.cmd().args(["status", "--json"]).stdout(std::process::Stdio::null()).stderr(std::process::Stdio::piped()).spawn().unwrap())
            .collect();
        for c in children {
            let o = c.wait_with_output().unwrap();
            assert!(o.status.success(), "{}", stderr(&o));
        }
    }
}
