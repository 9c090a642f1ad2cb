//! A property-based fuzzer for the road from raw mail to the store, run for a fixed
//! time budget (not in CI): real corpus messages, mutated the ways hostile mail is
//! (bytes flipped, NUL and control bytes, headers repeated and blown up, bodies cut,
//! messages spliced, MIME nested, dates mangled, invalid UTF-8), then
//!
//! 1. parsed (`parse_rfc822` must return, never panic),
//! 2. checked (every text that reaches SQL is one line without control characters,
//!    every key fits an index row, every date is one RFC 3339 can write),
//! 3. committed through the real store, chunk by chunk, to SQLite and, when
//!    `ATOM_SYNC_TEST_DATABASE_URL` names a server, to a fresh Postgres database:
//!    the store must refuse nothing.
//!
//! cargo run --release --example fuzz_messages -- [SECONDS] [CORPUS_DIR]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use atom_sync::email::{DATE_RANGE_MS, Email, parse_rfc822};
use atom_sync::extract::{GraphWrite, rules};
use atom_sync::job::NewJob;
use atom_sync::store::{ChunkCommit, LedgerRow, Store};
use atom_sync::text::KEY_MAX;

/// xorshift: deterministic for a seed, printed so a finding can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
}

fn corpus(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else { return };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            corpus(&p, out);
        } else if p.extension().is_some_and(|x| x == "eml") {
            out.push(p);
        }
    }
}

const NASTY: &[&[u8]] = &[
    b"\0",
    b"\x01\x02\x1b[31m",
    b"\x7f",
    b"\xff\xfe",
    b"\xc0\xaf",
    b"\xed\xa0\x80",
    "\u{202e}".as_bytes(),
    "\u{200b}".as_bytes(),
    "\u{feff}".as_bytes(),
    "📧".as_bytes(),
    b"=?utf-8?q?a=00b?=",
    b"=?x-unknown?b?AAAA?=",
    b"\r",
    b"\n\n",
    b"<>",
    b"\"",
    b"'; DROP TABLE jobs; --",
];

const HEADERS: &[&str] = &["Message-ID", "From", "To", "Cc", "Subject", "Date", "References", "In-Reply-To"];

fn mutate(rng: &mut Rng, raw: &mut Vec<u8>, other: &[u8]) {
    match rng.below(11) {
        // a nasty byte sequence anywhere
        0 => {
            let at = rng.below(raw.len() + 1);
            let n = rng.pick(NASTY).to_vec();
            raw.splice(at..at, n);
        }
        // flip bytes
        1 => {
            for _ in 0..1 + rng.below(16) {
                if !raw.is_empty() {
                    let i = rng.below(raw.len());
                    raw[i] ^= 1 << rng.below(8);
                }
            }
        }
        // a header repeated, or blown up to kilobytes
        2 | 3 => {
            let name = rng.pick(HEADERS);
            let size = [10, 600, 3000, 10_000][rng.below(4)];
            let filler: Vec<u8> = (0..size).map(|i| b"ax@.<> \0"[(i + rng.below(8)) % 8]).collect();
            let mut h = format!("{name}: ").into_bytes();
            h.extend_from_slice(&filler);
            h.push(b'\n');
            for _ in 0..1 + rng.below(3) {
                raw.splice(0..0, h.clone());
            }
        }
        // many recipients
        4 => {
            let n = 1 + rng.below(3000);
            let to: Vec<String> = (0..n).map(|i| format!("u{i}@r{}.example", i % 7)).collect();
            let h = format!("To: {}\n", to.join(", "));
            raw.splice(0..0, h.into_bytes());
        }
        // cut short
        5 => {
            let at = rng.below(raw.len() + 1);
            raw.truncate(at);
        }
        // two messages spliced
        6 => {
            let at = rng.below(raw.len() + 1);
            let from = rng.below(other.len() + 1);
            raw.splice(at..at, other[from..].iter().copied());
        }
        // MIME nesting, some of it unclosed
        7 => {
            let depth = 1 + rng.below(2000);
            let mut m = String::from("MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"q0\"\n\n");
            for i in 0..depth {
                m.push_str(&format!("--q{i}\nContent-Type: multipart/alternative; boundary=\"q{}\"\n\n", i + 1));
            }
            m.push_str("--x\nContent-Type: text/plain\n\ninner\n");
            raw.splice(0..0, m.into_bytes());
        }
        // a mangled date
        8 => {
            let dates = [
                "Fri, 31 Dec 9999 23:59:59 +0000",
                "Mon, 1 Jan 0001 00:00:00 +0000",
                "Thu, 30 Feb 2001 25:61:61 +9999",
                "Mon, 14 May 99999999999 16:39:00 +0000",
                "-1",
                "\0",
            ];
            let h = format!("Date: {}\n", rng.pick(&dates));
            raw.splice(0..0, h.into_bytes());
        }
        // encoded words and charsets
        9 => {
            let h = [
                "Subject: =?utf-16?b?//4A?=\n",
                "Content-Type: text/plain; charset=x-klingon\n",
                "Subject: =?utf-8?q?=FF=FE=00?=\n",
            ];
            raw.splice(0..0, rng.pick(&h).as_bytes().to_vec());
        }
        // a long line with no break
        _ => {
            let at = rng.below(raw.len() + 1);
            raw.splice(at..at, std::iter::repeat_n(b'z', 1 + rng.below(200_000)));
        }
    }
}

/// What must hold for every message that reaches the store; the broken rules.
fn violations(e: &Email, g: &GraphWrite) -> Vec<String> {
    let mut out = Vec::new();
    let mut line = |what: &str, s: &str| {
        if s.chars().any(char::is_control) {
            out.push(format!("{what} has a control character"));
        }
    };
    line("message id", &e.message_id);
    line("subject", &e.subject);
    line("thread key", &e.thread_key);
    line("source ref", &e.source_ref);
    for m in e.from.iter().chain(&e.to).chain(&e.cc) {
        line("address", &m.address);
        if let Some(n) = &m.name {
            line("display name", n);
        }
    }
    if e.body.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\t' | '\r')) {
        out.push("body has a control character".into());
    }
    if e.message_id.is_empty() || e.message_id.len() > KEY_MAX || e.thread_key.len() > KEY_MAX {
        out.push(format!("key length: id {} thread {}", e.message_id.len(), e.thread_key.len()));
    }
    if e.date_ms.is_some_and(|d| !DATE_RANGE_MS.contains(&d)) {
        out.push(format!("date out of range: {:?}", e.date_ms));
    }
    let keys = g
        .nodes
        .keys()
        .chain(g.entities.keys())
        .chain(g.aliases.iter().flat_map(|(a, b)| [a, b]))
        .chain(g.edges.keys().flat_map(|k| [&k.src, &k.rel, &k.dst]));
    for k in keys {
        if k.len() > KEY_MAX || k.chars().any(char::is_control) {
            out.push(format!("graph key of {} bytes or with a control character", k.len()));
        }
    }
    out
}

fn ledger_row(e: &Email) -> LedgerRow {
    LedgerRow {
        mailbox: "fuzz".into(),
        message_id: e.message_id.clone(),
        source_id: None,
        content_hash: e.content_hash().to_string(),
        status: "processed".into(),
        reason: None,
        vector_status: "written".into(),
        graph_status: "written".into(),
        subject: Some(e.subject.clone()),
        sender: e.from.as_ref().map(|m| m.address.clone()),
        sent_at: e.date_ms,
        source_ref: Some(e.source_ref.clone()),
        llm_status: None,
    }
}

/// A store to commit into, with a running job's lease.
async fn store_and_lease(
    url: Option<&str>,
    dir: &Path,
) -> anyhow::Result<(std::sync::Arc<dyn Store>, atom_sync::job::Lease)> {
    let store = atom_sync::store::connect(url, dir).await?;
    let job = store
        .create_job(&NewJob {
            tenant: "fuzz".into(),
            source: "mbox:/fuzz".into(),
            mailbox: "fuzz".into(),
            chunk_size: 100,
            max_body_bytes: 10_240,
            estimated_total: None,
            cursor: None,
            llm_token_cap: None,
        })
        .await?;
    let lease = store.claim(&job.id, &atom_sync::job::owner_name()).await?;
    Ok((store, lease))
}

async fn fresh_postgres(admin: &str) -> anyhow::Result<String> {
    use sqlx::Connection;
    let name = format!("atom_fuzz_{}", uuid::Uuid::new_v4().simple());
    let mut c = sqlx::PgConnection::connect(admin).await?;
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut c).await?;
    let (base, _) = admin.rsplit_once('/').unwrap_or((admin, ""));
    Ok(format!("{base}/{name}"))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let budget = Duration::from_secs(args.get(1).and_then(|a| a.parse().ok()).unwrap_or(60));
    let dir = args.get(2).map(PathBuf::from).unwrap_or_else(|| PathBuf::from("../shared/corpus"));
    let seed = std::env::var("FUZZ_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64 | 1
    });
    let mut rng = Rng(seed);
    let mut files = Vec::new();
    corpus(&dir, &mut files);
    files.sort();
    anyhow::ensure!(!files.is_empty(), "no .eml files under {}", dir.display());
    let raws: Vec<Vec<u8>> = files.iter().map(std::fs::read).collect::<Result<_, _>>()?;
    println!("fuzz         {} corpus messages, budget {budget:?}, seed {seed} (FUZZ_SEED to replay)", raws.len());

    let tmp = tempfile::tempdir()?;
    let mut stores = vec![("sqlite", store_and_lease(None, tmp.path()).await?)];
    let admin = std::env::var("ATOM_SYNC_TEST_DATABASE_URL").ok().filter(|u| !u.is_empty());
    let pg_url = match &admin {
        Some(a) => Some(fresh_postgres(a).await?),
        None => None,
    };
    if let Some(url) = &pg_url {
        stores.push(("postgres", store_and_lease(Some(url), tmp.path()).await?));
    }

    let (mut tried, mut parsed, mut panics) = (0u64, 0u64, 0u64);
    let mut rejected: BTreeMap<String, u64> = BTreeMap::new();
    let mut broken: BTreeMap<String, u64> = BTreeMap::new();
    let mut refused: BTreeMap<&str, u64> = BTreeMap::new();
    let mut failed: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let mut chunk: Vec<Email> = Vec::new();
    let start = Instant::now();
    let mut n_chunks = 0u64;
    while start.elapsed() < budget {
        let mut raw = rng.pick(&raws).clone();
        let other = rng.pick(&raws).clone();
        for _ in 0..1 + rng.below(4) {
            mutate(&mut rng, &mut raw, &other);
        }
        tried += 1;
        let source_ref = format!("fuzz@{tried}");
        match std::panic::catch_unwind(|| parse_rfc822(&raw, &source_ref, 10_240)) {
            Err(_) => {
                panics += 1;
                let path = tmp.path().join(format!("panic-{tried}.eml"));
                std::fs::write(&path, &raw)?;
                eprintln!("panic on a message kept at {}", path.display());
            }
            Ok(Err(r)) => {
                let class: String = r.reason.split([':', '(']).next().unwrap_or_default().trim().to_string();
                *rejected.entry(class).or_default() += 1;
            }
            Ok(Ok(e)) => {
                parsed += 1;
                chunk.push(e);
            }
        }
        if chunk.len() == 100 {
            commit(&stores, &mut chunk, &mut broken, &mut refused, &mut failed, n_chunks).await;
            n_chunks += 1;
        }
    }
    commit(&stores, &mut chunk, &mut broken, &mut refused, &mut failed, n_chunks).await;
    let secs = start.elapsed().as_secs_f64();
    println!("tried        {tried} mutated messages in {secs:.0} s ({:.0}/s)", tried as f64 / secs);
    println!("parsed       {parsed}");
    println!("panics       {panics}");
    println!("rejected     {} ({rejected:?})", rejected.values().sum::<u64>());
    println!("invariants   {} broken ({broken:?})", broken.values().sum::<u64>());
    for (engine, _) in &stores {
        let r = refused.get(engine).copied().unwrap_or(0);
        let f = failed.get(engine).map(Vec::len).unwrap_or(0);
        println!("{engine:<12} {n_chunks} chunks committed, {r} messages refused, {f} chunks failed");
        for e in failed.get(engine).into_iter().flatten().take(5) {
            println!("             {e}");
        }
    }
    if let (Some(admin), Some(url)) = (admin, pg_url) {
        drop(stores);
        use sqlx::Connection;
        let name = url.rsplit('/').next().unwrap_or_default().to_string();
        let mut c = sqlx::PgConnection::connect(&admin).await?;
        sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")))
            .execute(&mut c)
            .await?;
    }
    let bad = panics + broken.values().sum::<u64>() + refused.values().sum::<u64>();
    anyhow::ensure!(bad == 0 && failed.values().all(Vec::is_empty), "findings above");
    Ok(())
}

type Stores = Vec<(&'static str, (std::sync::Arc<dyn Store>, atom_sync::job::Lease))>;

async fn commit(
    stores: &Stores,
    chunk: &mut Vec<Email>,
    broken: &mut BTreeMap<String, u64>,
    refused: &mut BTreeMap<&'static str, u64>,
    failed: &mut BTreeMap<&'static str, Vec<String>>,
    n: u64,
) {
    if chunk.is_empty() {
        return;
    }
    // one message per id, as the pipeline's partition keeps it
    let mut seen = std::collections::HashSet::new();
    chunk.retain(|e| seen.insert(e.message_id.clone()));
    let mut graph = GraphWrite::default();
    rules::extract(chunk, &mut graph);
    for e in chunk.iter() {
        let mut own = GraphWrite::default();
        rules::extract(std::slice::from_ref(e), &mut own);
        for v in violations(e, &own) {
            *broken.entry(v).or_default() += 1;
        }
    }
    let commit = ChunkCommit {
        cursor: format!("{{\"chunk\":{n}}}"),
        has_more: true,
        ledger: chunk.iter().map(ledger_row).collect(),
        graph,
        ..Default::default()
    };
    for (engine, (store, lease)) in stores {
        match store.commit_chunk(lease, &commit).await {
            Ok(c) => *refused.entry(engine).or_default() += c.refused.len() as u64,
            Err(e) => failed.entry(engine).or_default().push(e.to_string()),
        }
    }
    chunk.clear();
}
