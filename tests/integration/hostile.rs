//! Hostile mail: every kind of message a real export or a real Graph mailbox has
//! thrown at us (and at the system before us), each as its own `.eml`. Run through the
//! binary on both engines, none may fail a chunk, panic, or leave the two engines
//! disagreeing; each is processed or skipped with a reason, and `verify` is clean.

use std::path::{Path, PathBuf};

use crate::common::*;

/// A plain message with these headers (`{id}` stands for a unique Message-ID) and body.
fn mail(headers: &[&str], body: &str) -> Vec<u8> {
    let mut out = headers.join("\n").into_bytes();
    out.extend_from_slice(b"\n\n");
    out.extend_from_slice(body.as_bytes());
    out.push(b'\n');
    out
}

fn std_headers(id: &str) -> Vec<String> {
    vec![
        format!("Message-ID: <{id}@hostile.test>"),
        "From: Ann Example <ann@acme.com>".into(),
        "To: Bob <bob@beta.org>".into(),
        "Subject: an ordinary subject".into(),
        "Date: Mon, 14 May 2001 16:39:00 -0700".into(),
    ]
}

/// `std_headers` with one header replaced (by name) or added.
fn with(id: &str, name: &str, value: &[u8], body: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let mut replaced = false;
    for h in std_headers(id) {
        if h.to_ascii_lowercase().starts_with(&format!("{}:", name.to_ascii_lowercase())) {
            out.extend_from_slice(format!("{name}: ").as_bytes());
            out.extend_from_slice(value);
            replaced = true;
        } else {
            out.extend_from_slice(h.as_bytes());
        }
        out.push(b'\n');
    }
    if !replaced {
        out.extend_from_slice(format!("{name}: ").as_bytes());
        out.extend_from_slice(value);
        out.push(b'\n');
    }
    out.push(b'\n');
    out.extend_from_slice(body.as_bytes());
    out.push(b'\n');
    out
}

fn nested_multipart(depth: usize) -> Vec<u8> {
    let mut out = String::new();
    out.push_str(&std_headers("nested").join("\n"));
    out.push_str("\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b0\"\n\n");
    for i in 0..depth {
        out.push_str(&format!("--b{i}\nContent-Type: multipart/mixed; boundary=\"b{}\"\n\n", i + 1));
    }
    out.push_str(&format!("--b{depth}\nContent-Type: text/plain\n\nthe innermost text\n"));
    for i in (0..=depth).rev() {
        out.push_str(&format!("--b{i}--\n"));
    }
    out.into_bytes()
}

fn attached_rfc822(depth: usize) -> Vec<u8> {
    let mut inner = mail(&["From: deep@acme.com", "Subject: the innermost"], "deep text");
    for i in 0..depth {
        let mut m = format!(
            "Message-ID: <rfc822-{i}@hostile.test>\nFrom: a@acme.com\nSubject: wrapper {i}\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"w{i}\"\n\n--w{i}\nContent-Type: text/plain\n\nwrapper text {i}\n--w{i}\nContent-Type: message/rfc822\n\n"
        )
        .into_bytes();
        m.extend_from_slice(&inner);
        m.extend_from_slice(format!("\n--w{i}--\n").as_bytes());
        inner = m;
    }
    inner
}

/// Every hostile kind: (name, raw message). 40+ kinds, from real-world quirks.
pub fn kinds() -> Vec<(&'static str, Vec<u8>)> {
    let long = |n: usize| "x".repeat(n);
    let recipients: Vec<String> = (0..5000).map(|i| format!("user{i}@many.example")).collect();
    let references: String = (0..20_000).map(|i| format!("<ref{i}@thread.example>")).collect::<Vec<_>>().join(" ");
    vec![
        ("nul-subject", with("nul-subject", "Subject", b"before\0after", "body")),
        ("nul-display-name", with("nul-name", "From", b"\"Ann\0Evil\" <ann@acme.com>", "body")),
        ("nul-message-id", with("x", "Message-ID", b"<nul\0id@hostile.test>", "body")),
        ("nul-references", with("nul-refs", "References", b"<root\0x@thread> <a@b>", "body")),
        ("nul-in-reply-to", with("nul-irt", "In-Reply-To", b"<\0\0\0>", "body")),
        ("control-subject", with("ctl-subject", "Subject", b"bell\x07 esc\x1b[31m red \x7f del", "body")),
        ("id-3kb", with("x", "Message-ID", format!("<{}@hostile.test>", long(3000)).as_bytes(), "body")),
        ("id-10kb", with("x", "Message-ID", format!("<{}@hostile.test>", long(10_000)).as_bytes(), "body")),
        ("subject-5kb", with("subject-5kb", "Subject", long(5000).as_bytes(), "body")),
        ("display-name-3kb", with("name-3kb", "From", format!("\"{}\" <ann@acme.com>", long(3000)).as_bytes(), "b")),
        ("address-3kb", with("addr-3kb", "To", format!("<{}@beta.org>", long(3000)).as_bytes(), "body")),
        ("domain-3kb", with("dom-3kb", "From", format!("<ann@{}.com>", long(3000)).as_bytes(), "body")),
        ("references-300kb", with("refs-300kb", "References", references.as_bytes(), "body")),
        ("thread-key-long", with("tk-long", "In-Reply-To", format!("<{}@t>", long(4000)).as_bytes(), "body")),
        ("5000-recipients", with("many-rcpt", "To", recipients.join(", ").as_bytes(), "to everyone")),
        ("duplicate-recipients", with("dup-rcpt", "To", b"Bob <BOB@beta.org>, bob@beta.org, Bob@Beta.Org", "b")),
        ("date-year-9999", with("y9999", "Date", b"Fri, 31 Dec 9999 23:59:59 +0000", "far future")),
        ("date-year-0001", with("y0001", "Date", b"Mon, 1 Jan 0001 00:00:00 +0000", "far past")),
        ("date-1900", with("y1900", "Date", b"Mon, 1 Jan 1900 00:00:00 +0000", "before the epoch")),
        ("date-feb-30", with("feb30", "Date", b"Thu, 30 Feb 2001 10:00:00 +0000", "no such day")),
        ("date-garbage", with("dgarbage", "Date", b"yesterday-ish, around noon", "unreadable date")),
        ("date-absurd-offset", with("doffset", "Date", b"Mon, 14 May 2001 16:39:00 +9999", "odd offset")),
        ("date-huge-year", with("dhuge", "Date", b"Mon, 14 May 99999999999 16:39:00 +0000", "huge year")),
        ("empty", Vec::new()),
        ("whitespace-only", b" \n\t\n\r\n".to_vec()),
        ("headers-only", mail(&["Message-ID: <headers-only@hostile.test>", "From: a@acme.com"], "")),
        ("body-only", b"just some words without any header at all\nand another line\n".to_vec()),
        ("invalid-utf8-header", with("bad-utf8-h", "Subject", b"caf\xe9 \xff\xfe broken", "body")),
        ("invalid-utf8-body", mail(&["Message-ID: <bad-utf8-b@hostile.test>", "Subject: s"], "ok \u{0} \u{1}")),
        ("overlong-utf8", with("overlong", "Subject", b"\xc0\xaf\xe0\x80\xaf overlong", "body")),
        ("encoded-word-nul", with("ew-nul", "Subject", b"=?utf-8?q?a=00b=1Bc?=", "body")),
        ("encoded-word-unknown-charset", with("ew-charset", "Subject", b"=?x-klingon?q?qapla=27?=", "body")),
        (
            "bad-base64-body",
            mail(
                &["Message-ID: <b64@hostile.test>", "Subject: b64", "Content-Transfer-Encoding: base64"],
                "!!!not*base64***\n====",
            ),
        ),
        (
            "broken-quoted-printable",
            mail(
                &["Message-ID: <qp@hostile.test>", "Subject: qp", "Content-Transfer-Encoding: quoted-printable"],
                "soft=\nbreak =ZZ bad =0 end=",
            ),
        ),
        ("nested-multipart-5000", nested_multipart(5000)),
        (
            "multipart-unclosed",
            mail(
                &[
                    "Message-ID: <unclosed@hostile.test>",
                    "Subject: unclosed",
                    "Content-Type: multipart/mixed; boundary=\"zz\"",
                ],
                "--zz\nContent-Type: text/plain\n\nnever closed",
            ),
        ),
        (
            "multipart-no-boundary",
            mail(
                &["Message-ID: <nobound@hostile.test>", "Subject: no boundary", "Content-Type: multipart/mixed"],
                "text with no parts",
            ),
        ),
        ("body-30mb", mail(&["Message-ID: <body-30mb@hostile.test>", "Subject: big"], &"word ".repeat(6_000_000))),
        ("over-the-limit-51mb", mail(&["Message-ID: <huge@hostile.test>", "Subject: huge"], &long(51 << 20))),
        ("one-line-2mb", mail(&["Message-ID: <line-2mb@hostile.test>", "Subject: line"], &long(2 << 20))),
        (
            "html-with-scripts",
            mail(
                &["Message-ID: <html@hostile.test>", "Subject: html", "Content-Type: text/html"],
                "<html><script>alert(1)</script><style>p{}</style><p>visible &amp; text&#0;</p></html>",
            ),
        ),
        ("id-empty-brackets", with("x", "Message-ID", b"<>", "empty id body")),
        ("id-controls-only", with("x", "Message-ID", b"<\x01\x02\x03>", "control id body")),
        ("id-bidi-and-spaces", with("x", "Message-ID", "<a b \u{202e}evil\u{200b}@x>".as_bytes(), "bidi")),
        (
            "emoji-and-zero-width",
            with("emoji", "Subject", "📧 re\u{200b}port \u{202e}txt.exe \u{fe0f}".as_bytes(), "bidi body"),
        ),
        (
            "crlf-mixed",
            b"Message-ID: <crlf@hostile.test>\r\nFrom: a@acme.com\r\nSubject: crlf\n\r\nline one\r\nline two\n"
                .to_vec(),
        ),
        (
            "folded-header-long",
            with("folded", "Subject", format!("start\n {}\n\tend", long(8000)).as_bytes(), "folded"),
        ),
        (
            "attachment-only",
            mail(
                &[
                    "Message-ID: <attach@hostile.test>",
                    "Content-Type: application/octet-stream",
                    "Content-Transfer-Encoding: base64",
                ],
                "AAECAwQFBgcICQ==",
            ),
        ),
        ("rfc822-nested-10", attached_rfc822(10)),
        ("group-syntax", with("group", "To", b"undisclosed-recipients:;", "to nobody")),
        ("from-without-address", with("noaddr", "From", b"Just A Name", "nameless")),
        ("address-nul-domain", with("nul-dom", "To", b"<bob@be\0ta.org>", "body")),
        (
            "utf16-body",
            mail(
                &["Message-ID: <utf16@hostile.test>", "Subject: utf16", "Content-Type: text/plain; charset=utf-16"],
                "\u{feff}h\0i\0",
            ),
        ),
        ("same-id-other-content", with("repeat", "Subject", b"first version", "first body")),
        ("same-id-other-content-2", with("repeat", "Subject", b"second version", "second body")),
        ("subject-only-controls", with("ctl-only", "Subject", b"\x01\x02\x03", "")),
    ]
}

/// The kinds as an eml export (`NN-name.eml`).
pub fn eml_export(dir: &Path) -> (PathBuf, usize) {
    let root = dir.join("hostile");
    std::fs::create_dir_all(&root).unwrap();
    let kinds = kinds();
    for (i, (name, raw)) in kinds.iter().enumerate() {
        std::fs::write(root.join(format!("{i:02}-{name}.eml")), raw).unwrap();
    }
    (root, kinds.len())
}

#[tokio::test(flavor = "multi_thread")]
async fn no_hostile_message_fails_a_chunk_and_both_engines_agree() {
    let dir = tempfile::tempdir().unwrap();
    let (root, n) = eml_export(dir.path());
    assert!(n >= 40, "{n} kinds");
    let source = format!("eml:{}", root.display());
    let mut digests = Vec::new();
    for backend in backends() {
        let env = Env::new(backend).await;
        // small chunks: hostile messages share chunks with ordinary ones
        let o = env.run(&["backfill", "--tenant", "acme", "--source", &source, "--chunk-size", "7"]);
        ok(&o);
        let doc = status_json(&env, &[]);
        let job = &doc["jobs"][0];
        assert_eq!(job["state"], "completed", "{backend:?}: {}", stderr(&o));
        let id = job["id"].as_str().unwrap();
        let one = status_json(&env, &[id]);
        let skipped = one["skipped_messages"].as_array().unwrap();
        for s in skipped {
            let reason = s["reason"].as_str().unwrap_or_default();
            assert!(!reason.is_empty(), "{backend:?}: a skipped message without a reason: {s}");
            assert!(!reason.contains("database refused"), "{backend:?}: the store refused a row: {s}");
        }
        // every file has its line: the two copies of one Message-ID are one message
        let (processed, skipped_n) = (job["processed"].as_i64().unwrap(), job["skipped"].as_i64().unwrap());
        assert_eq!(processed + skipped_n, n as i64 - 1, "{backend:?}: {}", one["skipped_messages"]);
        assert!(processed >= 35, "{backend:?}: most hostile mail is still mail: {processed}");
        // nothing the reader chokes on later: search, status and the graph
        ok(&env.run(&["search", "--tenant", "acme", "far future", "--json"]));
        ok(&env.run(&["search", "--tenant", "acme", "far past", "--mode", "hybrid", "--json"]));
        ok(&env.run(&["graph", "--tenant", "acme", "--entity", "ann@acme.com", "--json"]));
        ok(&env.run(&["status"]));
        let v = env.run(&["verify", "--tenant", "acme", "--against-source"]);
        assert_eq!(v.status.code(), Some(0), "{backend:?}: {}{}", stdout(&v), stderr(&v));
        // a re-run changes nothing
        let before = env.digest("acme").await;
        ok(&env.run(&["backfill", "--tenant", "acme", "--source", &source, "--chunk-size", "7"]));
        assert_eq!(env.digest("acme").await, before, "{backend:?}: a re-run changed the memory");
        digests.push((backend, before));
    }
    if let [(_, a), (_, b)] = digests.as_slice() {
        assert_eq!(a, b, "SQLite and Postgres stored the hostile mail differently");
    }
}

/// Whatever a store still refuses after cleaning costs only the message that carries
/// it: the chunk is committed again message by message, the refused one is skipped
/// with the database's own words, and the job completes. A trigger stands in for a
/// refusal we cannot foresee.
#[tokio::test(flavor = "multi_thread")]
async fn a_row_the_database_refuses_skips_its_message_and_the_rest_commits() {
    for backend in backends() {
        let env = Env::new(backend).await;
        let store = env.store().await;
        drop(store);
        let trigger: &[&str] = match backend {
            Backend::Sqlite => &["CREATE TRIGGER refuse_evil BEFORE INSERT ON graph_nodes
                 WHEN NEW.name LIKE '%Evil Corp%' BEGIN SELECT RAISE(ABORT, 'evil names are refused here'); END"],
            Backend::Postgres => &[
                "CREATE FUNCTION refuse_evil() RETURNS trigger LANGUAGE plpgsql AS $$
                 BEGIN IF NEW.name LIKE '%Evil Corp%' THEN RAISE EXCEPTION 'evil names are refused here'; END IF;
                 RETURN NEW; END $$",
                "CREATE TRIGGER refuse_evil BEFORE INSERT ON graph_nodes FOR EACH ROW EXECUTE FUNCTION refuse_evil()",
            ],
        };
        for sql in trigger {
            exec_sql(&env, sql).await;
        }
        let root = env.data_dir().join("export");
        std::fs::create_dir_all(&root).unwrap();
        for i in 0..12 {
            let from = if i == 5 { "\"Evil Corp\" <evil@corp.example>" } else { "Ann <ann@acme.com>" };
            let m =
                format!("Message-ID: <m{i}@refuse.test>\nFrom: {from}\nTo: bob@beta.org\nSubject: s{i}\n\nbody {i}\n");
            std::fs::write(root.join(format!("{i:02}.eml")), m).unwrap();
        }
        let source = format!("eml:{}", root.display());
        let o = env.run(&["backfill", "--tenant", "acme", "--source", &source, "--chunk-size", "4"]);
        ok(&o);
        let doc = status_json(&env, &[]);
        let job = &doc["jobs"][0];
        assert_eq!(
            (job["state"].as_str(), job["processed"].as_i64(), job["skipped"].as_i64()),
            (Some("completed"), Some(11), Some(1))
        );
        let one = status_json(&env, &[job["id"].as_str().unwrap()]);
        let reason = one["skipped_messages"][0]["reason"].as_str().unwrap().to_string();
        assert!(reason.contains("evil names are refused here"), "{backend:?}: the driver's words: {reason}");
        assert!(reason.contains("graph_nodes") || reason.contains("nodes"), "{backend:?}: the table: {reason}");
        assert_eq!(one["skipped_messages"][0]["message_id"], "m5@refuse.test");
        // its vector went with it; the rest of its chunk stands
        let sink = env.sink().await;
        let ids = sink.message_id_set("acme").await.unwrap();
        assert_eq!(ids.len(), 11);
        assert!(!ids.contains("m5@refuse.test") && ids.contains("m4@refuse.test") && ids.contains("m6@refuse.test"));
        let v = env.run(&["verify", "--tenant", "acme"]);
        assert_eq!(v.status.code(), Some(0), "{backend:?}: {}", stdout(&v));
    }
}
