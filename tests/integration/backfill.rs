//! End to end through the binary: a real mailbox into both memories.

use std::collections::BTreeSet;

use crate::common::*;

#[tokio::test(flavor = "multi_thread")]
async fn sample_mailbox_backfill_completes_and_a_rerun_changes_nothing() {
    for backend in backends() {
        let env = Env::new(backend).await;
        let source = format!("mbox:{}", sample_mbox().display());
        let o = env.run(&["backfill", "--tenant", "acme", "--source", &source]);
        ok(&o);
        assert!(stdout(&o).contains("completed: 300 processed"), "{}", stdout(&o));

        let doc = status_json(&env, &[]);
        let jobs = doc["jobs"].as_array().unwrap();
        assert_eq!(jobs.len(), 1);
        let job = &jobs[0];
        assert_eq!(job["tenant"], "acme");
        assert_eq!(job["state"], "completed");
        assert_eq!(job["processed"], SAMPLE_MESSAGES);
        assert_eq!(job["skipped"], 0);
        assert_eq!(job["vectors"], SAMPLE_MESSAGES);
        assert_eq!(job["has_more"], false);
        assert!(job["entities"].as_i64().unwrap() > 50, "{job}");
        assert!(job["relationships"].as_i64().unwrap() > 100, "{job}");

        let sink = env.sink().await;
        assert_eq!(sink.count("acme").await.unwrap() as i64, SAMPLE_MESSAGES);
        let ids = sink.message_ids("acme").await.unwrap();
        let distinct: BTreeSet<_> = ids.iter().collect();
        assert_eq!(distinct.len(), ids.len(), "one vector per message");
        let first = env.digest("acme").await;
        assert_eq!(first.processed, SAMPLE_MESSAGES);
        assert_eq!(first.entities, job["entities"].as_i64().unwrap());
        assert_eq!(first.edges, job["relationships"].as_i64().unwrap());

        // the same backfill again: no count changes, no duplicates anywhere
        ok(&env.run(&["backfill", "--tenant", "acme", "--source", &source, "--chunk-size", "37"]));
        assert_eq!(env.digest("acme").await, first, "ledger, entities, nodes, edges unchanged");
        assert_eq!(env.sink().await.count("acme").await.unwrap() as i64, SAMPLE_MESSAGES);
        let doc = status_json(&env, &["--tenant", "acme", "--state", "completed"]);
        let jobs = doc["jobs"].as_array().unwrap();
        assert_eq!(jobs.len(), 2);
        assert_eq!(jobs[0]["processed"], jobs[1]["processed"]);
        assert_eq!(jobs[0]["entities"], jobs[1]["entities"]);

        // the table, and one job's story
        let table = stdout(ok(&env.run(&["status"])));
        for col in [
            "ID",
            "TENANT",
            "STATE",
            "PROCESSED",
            "SKIPPED",
            "ENTITIES",
            "RELATIONSHIPS",
            "VECTORS",
            "HEARTBEAT",
            "DURATION",
        ] {
            assert!(table.contains(col), "{col} missing from\n{table}");
        }
        assert!(table.contains("completed") && table.contains("mbox:sample.mbox"), "{table}");
        let id = jobs[0]["id"].as_str().unwrap();
        let story = stdout(ok(&env.run(&["status", &id[..8]])));
        assert!(story.contains("claimed") && story.contains("completed"), "{story}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn broken_messages_are_skipped_with_reasons_and_the_job_completes() {
    let dir = tempfile::tempdir().unwrap();
    let eml = dir.path().join("export");
    std::fs::create_dir(&eml).unwrap();
    // three good messages, taken from the real corpus
    let corpus = repo().join("../shared/corpus/spamassassin-dev/easy-ham-1");
    let mut good: Vec<_> =
        std::fs::read_dir(&corpus).map(|d| d.map(|e| e.unwrap().path()).collect()).unwrap_or_default();
    good.sort();
    if good.len() >= 3 {
        for (i, p) in good.iter().take(3).enumerate() {
            std::fs::copy(p, eml.join(format!("good-{i}.eml"))).unwrap();
        }
    } else {
        for i in 0..3 {
            std::fs::write(
                eml.join(format!("good-{i}.eml")),
                format!("Message-ID: <g{i}@x>\nFrom: a@x.com\nTo: b@y.org\nSubject: hello {i}\n\nbody {i}\n"),
            )
            .unwrap();
        }
    }
    std::fs::write(eml.join("empty.eml"), "").unwrap();
    std::fs::write(eml.join("garbage.eml"), [0u8, 159, 146, 150, 0, 1, 2, 3, 255, 254]).unwrap();
    std::fs::write(eml.join("no-content.eml"), "Message-ID: <nc@x>\nFrom: a@x.com\n\n").unwrap();
    // a bad charset and broken MIME still yield a usable message
    std::fs::write(
        eml.join("odd-charset.eml"),
        "Message-ID: <odd@x>\nFrom: a@x.com\nSubject: odd\nContent-Type: text/plain; charset=x-no-such-charset\n\nstill readable\n",
    )
    .unwrap();
    std::fs::write(
        eml.join("broken-mime.eml"),
        "Message-ID: <bm@x>\nFrom: a@x.com\nSubject: broken mime\nContent-Type: multipart/mixed; boundary=\"never-closed\"\n\n--never-closed\nContent-Type: text/plain\n\npart one\n",
    )
    .unwrap();

    for backend in backends() {
        let env = Env::new(backend).await;
        let o = env.run(&["backfill", "--tenant", "t1", "--source", &format!("eml:{}", eml.display())]);
        ok(&o);
        let log = stderr(&o);
        assert!(log.contains("skipped empty.eml") && log.contains("empty message"), "{log}");

        let doc = status_json(&env, &[]);
        let job = &doc["jobs"][0];
        assert_eq!(job["state"], "completed");
        assert_eq!(job["processed"], 5, "{job}");
        assert_eq!(job["skipped"], 3, "{job}");
        assert_eq!(job["vectors"], 5);

        let one = status_json(&env, &[job["id"].as_str().unwrap()]);
        let skipped = one["skipped_messages"].as_array().unwrap();
        let listed: Vec<(&str, &str)> =
            skipped.iter().map(|s| (s["source_ref"].as_str().unwrap(), s["reason"].as_str().unwrap())).collect();
        assert_eq!(listed.len(), 3, "{listed:?}");
        assert_eq!(listed[0], ("empty.eml", "empty message"));
        assert_eq!(listed[1].0, "garbage.eml");
        assert!(listed[1].1.contains("headers") || listed[1].1.contains("MIME"), "{listed:?}");
        assert_eq!(listed[2], ("no-content.eml", "no text content: no subject and no text or HTML body"));
        assert_eq!(env.sink().await.count("t1").await.unwrap(), 5);
    }
}
