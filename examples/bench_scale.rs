//! Does a chunk cost the same at a tenant's first message and at its millionth?
//! Backfills N messages (the shared corpus replicated with fresh ids) into one tenant
//! through the real pipeline, on SQLite and (with `ATOM_SYNC_TEST_DATABASE_URL`) on a
//! throwaway Postgres database, and prints per tenth of the run: chunk time p50 / p95,
//! the running rate and peak RSS; then both memories' size on disk.
//!
//! Each (size, engine) runs in a child process of its own, so its peak RSS is its own.
//!
//! cargo run --release --example bench_scale -- [N,N,...] [CHUNK] [CORPUS_DIR] [sqlite,postgres]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use atom_sync::clients::Clients;
use atom_sync::event::{ChunkSteps, Emitter, Event};
use atom_sync::job::{NewJob, owner_name};
use atom_sync::memory::Memories;
use atom_sync::pipeline::{Outcome, Pipeline};
use atom_sync::source::SourceSpec;

fn corpus_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else { return };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            corpus_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "eml") {
            out.push(p);
        }
    }
}

/// An mbox of `n` corpus messages, each copy with a Message-ID of its own.
fn build_mbox(corpus: &Path, n: usize, out: &Path) -> anyhow::Result<usize> {
    let mut files = Vec::new();
    corpus_files(corpus, &mut files);
    files.sort();
    anyhow::ensure!(!files.is_empty(), "no .eml files under {}", corpus.display());
    let texts: Vec<String> = files
        .iter()
        .map(|f| {
            let raw = std::fs::read(f).unwrap_or_default();
            let mut text = String::from_utf8_lossy(&raw).replace("\r\n", "\n");
            if text.starts_with("From ") {
                text = text.split_once('\n').map(|(_, r)| r.to_string()).unwrap_or_default();
            }
            text.lines()
                .filter(|l| !l.to_ascii_lowercase().starts_with("message-id:"))
                .map(|l| if l.trim_start_matches('>').starts_with("From ") { format!(">{l}") } else { l.to_string() })
                .collect::<Vec<_>>()
                .join("\n")
        })
        .collect();
    let mut w = std::io::BufWriter::new(std::fs::File::create(out)?);
    let mut bytes = 0;
    for i in 0..n {
        let msg = format!(
            "From bench Thu Jan  1 00:00:00 2004\nMessage-ID: <scale-{i}@atom-sync>\n{}\n\n",
            texts[i % texts.len()]
        );
        bytes += msg.len();
        w.write_all(msg.as_bytes())?;
    }
    w.flush()?;
    Ok(bytes)
}

fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).map(|l| l.to_string()))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|k| k.parse::<f64>().ok()))
        .map(|kib| kib / 1024.0)
        .unwrap_or(f64::NAN)
}

/// Start measuring peak RSS afresh (Linux: writing 5 to clear_refs resets VmHWM).
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn dir_size(p: &Path) -> u64 {
    let Ok(rd) = std::fs::read_dir(p) else { return std::fs::metadata(p).map(|m| m.len()).unwrap_or(0) };
    rd.flatten()
        .map(|e| if e.path().is_dir() { dir_size(&e.path()) } else { e.metadata().map(|m| m.len()).unwrap_or(0) })
        .sum()
}

async fn fresh_postgres(admin: &str) -> anyhow::Result<String> {
    use sqlx::Connection;
    let name = format!("atom_test_scale_{}", uuid::Uuid::new_v4().simple());
    let mut c = sqlx::PgConnection::connect(admin).await?;
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut c).await?;
    let (base, _) = admin.rsplit_once('/').unwrap_or((admin, ""));
    Ok(format!("{base}/{name}"))
}

async fn drop_postgres(admin: &str, url: &str) -> anyhow::Result<()> {
    use sqlx::Connection;
    let name = url.rsplit('/').next().unwrap_or_default();
    let mut c = sqlx::PgConnection::connect(admin).await?;
    sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))).execute(&mut c).await?;
    Ok(())
}

/// One backfill of `n` messages on `engine`, in this process; prints its figures.
async fn one(n: usize, chunk: usize, corpus: &Path, engine: &str) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let mbox = dir.path().join("scale.mbox");
    let bytes = build_mbox(corpus, n, &mbox)?;
    let admin = std::env::var("ATOM_SYNC_TEST_DATABASE_URL").ok();
    let url = match engine {
        "postgres" => Some(fresh_postgres(admin.as_deref().ok_or_else(|| anyhow::anyhow!("no Postgres"))?).await?),
        _ => None,
    };
    let store = atom_sync::store::connect(url.as_deref(), dir.path()).await?;
    let lance = dir.path().join("lance");
    let memories = Arc::new(Memories::new(&lance.display().to_string(), None, 1));
    let sink = memories.local().await?.sink;
    let spec = SourceSpec::Mbox(mbox.clone());
    let job = store
        .create_job(&NewJob {
            tenant: "scale".into(),
            source: spec.to_string(),
            mailbox: "scale.mbox".into(),
            chunk_size: chunk as i64,
            max_body_bytes: atom_sync::email::DEFAULT_MAX_BODY_BYTES as i64,
            estimated_total: Some(n as i64),
            cursor: None,
            llm_token_cap: None,
        })
        .await?;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let chunks = tokio::spawn(async move {
        let (start, mut last) = (Instant::now(), Instant::now());
        // (chunk time, messages done, time since start, peak RSS so far, step times)
        let mut out: Vec<(Duration, i64, Duration, f64, ChunkSteps)> = Vec::new();
        while let Some(ev) = rx.recv().await {
            if let Event::ChunkCommitted { processed, skipped, steps, .. } = ev {
                out.push((last.elapsed(), processed + skipped, start.elapsed(), peak_rss_mib(), steps));
                last = Instant::now();
            }
        }
        out
    });
    let (_stop_tx, stop) = tokio::sync::watch::channel(false);
    let pipeline = Pipeline {
        clients: Arc::new(Clients::new(Default::default(), Err("no master key in a benchmark".into()))?),
        llm: None,
        store: store.clone(),
        memories,
        events: Emitter::new(tx),
        heartbeat_every: Duration::from_secs(5),
        stop,
        retry: Default::default(),
    };
    let t = Instant::now();
    let outcome = pipeline.run(&job.id, &owner_name()).await?;
    let wall = t.elapsed();
    drop(pipeline);
    let rows = chunks.await?;
    let Outcome::Completed(done) = outcome else { anyhow::bail!("job did not complete") };
    println!(
        "{engine} {n}: {} messages ({:.0} MiB) in {:.1} s = {:.0} msg/s, chunk {chunk}, peak RSS {:.0} MiB",
        done.processed + done.skipped,
        bytes as f64 / 1_048_576.0,
        wall.as_secs_f64(),
        (done.processed + done.skipped) as f64 / wall.as_secs_f64(),
        peak_rss_mib()
    );
    println!("  tenth   chunk p50   chunk p95   running msg/s   peak RSS   p50 ms: wait  stages  vectors  commit");
    let tenth = rows.len().div_ceil(10).max(1);
    for (i, part) in rows.chunks(tenth).enumerate() {
        let mut times: Vec<Duration> = part.iter().map(|r| r.0).collect();
        times.sort();
        let pct = |p: f64| times[((times.len() as f64 - 1.0) * p) as usize];
        let last = part.last().expect("a row");
        let step = |f: fn(&ChunkSteps) -> u64| {
            let mut v: Vec<u64> = part.iter().map(|r| f(&r.4)).collect();
            v.sort();
            v[(v.len() - 1) / 2]
        };
        println!(
            "  {:>5}   {:>9.1?}   {:>9.1?}   {:>13.0}   {:>5.0} MiB   {:>11} {:>7} {:>8} {:>7}",
            i + 1,
            pct(0.5),
            pct(0.95),
            last.1 as f64 / last.2.as_secs_f64(),
            last.3,
            step(|s| s.wait_ms),
            step(|s| s.stages_ms),
            step(|s| s.vectors_ms),
            step(|s| s.commit_ms),
        );
    }
    // the vector table as upkeep left it, once its last pass is done
    for _ in 0..600 {
        if !sink.upkeep().busy() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let shape = sink.shape().await?;
    println!(
        "  vectors: {} rows in {} fragments, {} of 2 key indexes, {} rows not yet in them, {} upkeep passes",
        shape.rows,
        shape.fragments,
        shape.key_indexes,
        shape.unindexed_rows,
        sink.upkeep().passes()
    );
    // verify and the metrics read the whole tenant: page by page, in bounded memory
    reset_peak_rss();
    let t = Instant::now();
    let scope =
        atom_sync::verify::Scope { tenant: "scale".into(), mailbox: None, job: None, sources: Default::default() };
    let report = atom_sync::verify::verify(store.as_ref(), &sink, &scope, false).await?;
    println!(
        "  verify: {} ({} ledger rows, {} vectors) in {:.1} s, peak RSS {:.0} MiB",
        if report.clean { "clean" } else { "NOT CLEAN" },
        report.checked.ledger,
        report.checked.vectors,
        t.elapsed().as_secs_f64(),
        peak_rss_mib()
    );
    let store_size = match &url {
        Some(url) => {
            use sqlx::Connection;
            let mut c = sqlx::PgConnection::connect(url).await?;
            let (size,): (i64,) =
                sqlx::query_as("SELECT pg_database_size(current_database())").fetch_one(&mut c).await?;
            size as u64
        }
        None => {
            dir_size(&dir.path().join(atom_sync::store::SQLITE_FILE)) + dir_size(&dir.path().join("atom-sync.db-wal"))
        }
    };
    println!(
        "  disk: store {:.0} MiB, vectors {:.0} MiB",
        store_size as f64 / 1_048_576.0,
        dir_size(&lance) as f64 / 1_048_576.0
    );
    drop(store);
    if let (Some(url), Some(admin)) = (url, admin) {
        drop_postgres(&admin, &url).await?;
    }
    Ok(())
}

fn main() -> anyhow::Result<()> {
    // as the binary does, before any thread starts
    atom_sync::alloc::tune();
    tokio::runtime::Builder::new_multi_thread().enable_all().build()?.block_on(run())
}

async fn run() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--one") {
        let n = args[2].parse()?;
        let chunk = args[3].parse()?;
        return one(n, chunk, Path::new(&args[4]), &args[5]).await;
    }
    let sizes: Vec<usize> = args
        .get(1)
        .map(|s| s.split(',').filter_map(|x| x.parse().ok()).collect())
        .unwrap_or_else(|| vec![10_000, 100_000, 500_000]);
    let chunk = args.get(2).cloned().unwrap_or_else(|| "100".into());
    let corpus = args.get(3).cloned().unwrap_or_else(|| "../shared/corpus".into());
    let engines: Vec<String> = args.get(4).map(|s| s.split(',').map(String::from).collect()).unwrap_or_else(|| {
        let mut e = vec!["sqlite".to_string()];
        if std::env::var("ATOM_SYNC_TEST_DATABASE_URL").is_ok_and(|u| !u.is_empty()) {
            e.push("postgres".into());
        }
        e
    });
    for n in sizes {
        for engine in &engines {
            // a process of its own: its peak RSS is this run's
            let status = std::process::Command::new(std::env::current_exe()?)
                .args(["--one", &n.to_string(), &chunk, &corpus, engine])
                .status()?;
            anyhow::ensure!(status.success(), "{engine} {n} failed");
        }
    }
    Ok(())
}
