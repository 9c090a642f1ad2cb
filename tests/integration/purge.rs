//! `purge`: a mailbox, then a whole tenant, out of both memories, through the binary
//! on both engines; what another mailbox or tenant holds stays, and `verify` is clean.

use crate::common::*;

/// The first `n` messages of the sample mailbox, as an mbox of their own.
fn first_messages(n: usize, to: &std::path::Path) {
    let raw = std::fs::read(sample_mbox()).unwrap();
    let mut out = Vec::new();
    let mut seen = 0;
    for line in raw.split_inclusive(|b| *b == b'\n') {
        if line.starts_with(b"From ") {
            seen += 1;
            if seen > n {
                break;
            }
        }
        out.extend_from_slice(line);
    }
    std::fs::write(to, out).unwrap();
}

fn counts(o: &std::process::Output) -> serde_json::Value {
    let doc: serde_json::Value = serde_json::from_str(&stdout(ok(o))).unwrap();
    doc["counts"].clone()
}

#[tokio::test(flavor = "multi_thread")]
async fn purge_removes_a_mailbox_then_a_tenant_and_nothing_else() {
    for backend in backends() {
        let env = Env::new(backend).await;
        let (a, b) = (env.data_dir().join("a.mbox"), env.data_dir().join("b.mbox"));
        std::fs::copy(sample_mbox(), &a).unwrap();
        first_messages(100, &b);
        for (tenant, path) in [("acme", &a), ("acme", &b), ("other", &b)] {
            ok(&env.run(&["backfill", "--tenant", tenant, "--source", &format!("mbox:{}", path.display())]));
        }
        let other = env.digest("other").await;
        let acme = env.digest("acme").await;
        assert_eq!(env.sink().await.count("acme").await.unwrap(), 300);

        // never without consent: no terminal here, so --yes is required
        let o = env.run(&["purge", "--tenant", "acme", "--mailbox", "a.mbox"]);
        assert_eq!(o.status.code(), Some(2), "{backend:?}: {}", stderr(&o));
        assert!(stderr(&o).contains("--yes"), "{}", stderr(&o));
        // the dry run counts and changes nothing: a's 200 messages of its own go, the
        // 100 that b also holds stay
        let dry = counts(&env.run(&["purge", "--tenant", "acme", "--mailbox", "a.mbox", "--dry-run", "--json"]));
        assert_eq!((dry["messages"].as_i64(), dry["vectors"].as_i64()), (Some(200), Some(200)), "{dry}");
        assert_eq!((dry["ledger"].as_i64(), dry["secrets"].as_i64()), (Some(300), Some(0)), "{dry}");
        assert!(dry["job_rows"].as_i64().unwrap() >= 2 && dry["graph_rows"].as_i64().unwrap() > 0, "{dry}");
        assert_eq!(env.digest("acme").await, acme, "{backend:?}: a dry run changed the store");

        // refused while a job of the mailbox waits to run
        let o = env.run(&["backfill", "--tenant", "acme", "--source", &format!("mbox:{}", a.display()), "--detach"]);
        let pending = stdout(ok(&o)).trim().to_string();
        let o = env.run(&["purge", "--tenant", "acme", "--mailbox", "a.mbox", "--yes"]);
        assert_eq!(o.status.code(), Some(2), "{backend:?}: {}", stderr(&o));
        assert!(stderr(&o).contains("pending") && stderr(&o).contains("cancel"), "{}", stderr(&o));
        assert!(stderr(&o).contains(pending.split_whitespace().last().unwrap_or("?")), "{pending} / {}", stderr(&o));
        ok(&env.run(&["cancel", pending.split_whitespace().last().unwrap()]));

        let done = counts(&env.run(&["purge", "--tenant", "acme", "--mailbox", "a.mbox", "--yes", "--json"]));
        assert_eq!((done["messages"].as_i64(), done["vectors"].as_i64()), (Some(200), Some(200)), "{done}");
        let sink = env.sink().await;
        assert_eq!(sink.count("acme").await.unwrap(), 100, "{backend:?}: b's messages keep their vectors");
        let left = env.digest("acme").await;
        assert_eq!(left.ledger, 100);
        assert!(left.nodes > 0 && left.nodes < acme.nodes, "{left:?}");
        let doc = status_json(&env, &["--tenant", "acme"]);
        assert!(doc["jobs"].as_array().unwrap().iter().all(|j| j["mailbox"] == "b.mbox"), "{doc}");
        let o = env.run(&["verify", "--tenant", "acme"]);
        assert_eq!(o.status.code(), Some(0), "{backend:?}: {}{}", stdout(&o), stderr(&o));
        // again: nothing left to remove, and it says so
        let again = counts(&env.run(&["purge", "--tenant", "acme", "--mailbox", "a.mbox", "--yes", "--json"]));
        assert_eq!((again["messages"].as_i64(), again["ledger"].as_i64()), (Some(0), Some(0)), "{again}");

        // the whole tenant: its settings too; the other tenant keeps everything
        ok(&env.run(&["embedder", "set", "--tenant", "acme", "local"]));
        let o = env.run(&["purge", "--tenant", "acme", "--yes"]);
        assert!(stdout(ok(&o)).contains("purged tenant acme: 100 messages (100 vectors)"), "{}", stdout(&o));
        let gone = env.digest("acme").await;
        assert_eq!((gone.ledger, gone.entities, gone.nodes, gone.edges, gone.edge_support), (0, 0, 0, 0, 0));
        assert_eq!(env.sink().await.count("acme").await.unwrap(), 0);
        assert!(status_json(&env, &["--tenant", "acme"])["jobs"].as_array().unwrap().is_empty());
        assert!(!stdout(ok(&env.run(&["embedder", "show"]))).contains("acme"), "{backend:?}");
        assert_eq!(env.digest("other").await, other, "{backend:?}: another tenant changed");
        assert_eq!(env.sink().await.count("other").await.unwrap(), 100);
        let o = env.run(&["verify", "--tenant", "other"]);
        assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    }
}
