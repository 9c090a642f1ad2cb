//! Backfill throughput and memory on real mail, printed as figures.
//!
//! Builds an mbox of N messages from the shared corpus (replicated with fresh
//! Message-IDs past its 3,296 messages), then runs one backfill job through the real
//! pipeline into SQLite and LanceDB in a temp dir.
//!
//! cargo run --release --example bench_backfill -- [N] [CHUNK] [CORPUS_DIR]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use atom_sync::clients::Clients;
use atom_sync::embed::LocalEmbedder;
use atom_sync::event::{Emitter, Event};
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

fn build_mbox(corpus: &Path, n: usize, out: &Path) -> usize {
    let mut files = Vec::new();
    corpus_files(corpus, &mut files);
    files.sort();
    assert!(!files.is_empty(), "no .eml files under {}", corpus.display());
    let mut w = std::io::BufWriter::new(std::fs::File::create(out).unwrap());
    let mut bytes = 0;
    for i in 0..n {
        let raw = std::fs::read(&files[i % files.len()]).unwrap();
        let mut text = String::from_utf8_lossy(&raw).replace("\r\n", "\n");
        if text.starts_with("From ") {
            text = text.split_once('\n').map(|(_, r)| r.to_string()).unwrap_or_default();
        }
        // a fresh id per copy, so every copy is its own message
        let body = text
            .lines()
            .filter(|l| !l.to_ascii_lowercase().starts_with("message-id:"))
            .map(|l| if l.trim_start_matches('>').starts_with("From ") { format!(">{l}") } else { l.to_string() })
            .collect::<Vec<_>>()
            .join("\n");
        let msg = format!("From bench Thu Jan  1 00:00:00 2004\nMessage-ID: <bench-{i}@atom-sync>\n{body}\n\n");
        bytes += msg.len();
        w.write_all(msg.as_bytes()).unwrap();
    }
    bytes
}

fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).map(|l| l.to_string()))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|k| k.parse::<f64>().ok()))
        .map(|kib| kib / 1024.0)
        .unwrap_or(f64::NAN)
}

fn main() -> anyhow::Result<()> {
    // as the binary does, before any thread starts
    atom_sync::alloc::tune();
    tokio::runtime::Builder::new_multi_thread().enable_all().build()?.block_on(run())
}

async fn run() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(5000);
    let chunk: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(100);
    let corpus = args.get(3).map(PathBuf::from).unwrap_or_else(|| PathBuf::from("../shared/corpus"));

    let dir = tempfile::tempdir()?;
    let mbox = dir.path().join("bench.mbox");
    let bytes = build_mbox(&corpus, n, &mbox);
    println!("mailbox      {n} messages, {:.1} MiB, chunk {chunk}", bytes as f64 / 1048576.0);

    let t_load = Instant::now();
    let embedder = LocalEmbedder::load()?;
    println!("model load   {:.2?}", t_load.elapsed());

    let store = atom_sync::store::connect(None, dir.path()).await?;
    let memories = Arc::new(Memories::new(&dir.path().join("lance").display().to_string(), None, 1));
    let spec = SourceSpec::Mbox(mbox.clone());
    let job = store
        .create_job(&NewJob {
            tenant: "bench".into(),
            source: spec.to_string(),
            mailbox: "bench.mbox".into(),
            chunk_size: chunk as i64,
            max_body_bytes: atom_sync::email::DEFAULT_MAX_BODY_BYTES as i64,
            estimated_total: spec.estimate()?.map(|t| t as i64),
            cursor: None,
            llm_token_cap: None,
        })
        .await?;

    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let chunk_times = tokio::spawn(async move {
        let mut last = Instant::now();
        let mut times: Vec<Duration> = Vec::new();
        while let Some(ev) = rx.recv().await {
            if let Event::ChunkCommitted { .. } = ev {
                times.push(last.elapsed());
                last = Instant::now();
            }
        }
        times
    });
    let (_stop_tx, stop) = tokio::sync::watch::channel(false);
    let pipeline = Pipeline {
        // an export: no Graph client is asked for
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
    let elapsed = t.elapsed();
    drop(pipeline);
    let mut times = chunk_times.await?;
    let Outcome::Completed(done) = outcome else { anyhow::bail!("job did not complete") };

    // the embedding stage alone, for comparison with the end-to-end rate
    let texts: Vec<String> = (0..1000).map(|i| format!("Quarterly budget review {i} moved to Thursday; please confirm the agenda and the attendees list before noon.")).collect();
    let te = Instant::now();
    embedder.embed_blocking(&texts);
    let embed_rate = 1000.0 / te.elapsed().as_secs_f64();

    times.sort();
    let pct = |p: f64| times.get(((times.len() as f64 - 1.0) * p) as usize).copied().unwrap_or_default();
    println!(
        "backfill     {} processed, {} skipped, {} vectors in {:.2?}",
        done.processed, done.skipped, done.vectors, elapsed
    );
    println!(
        "throughput   {:.0} messages/s end to end",
        (done.processed + done.skipped) as f64 / elapsed.as_secs_f64()
    );
    println!(
        "chunk time   p50 {:.0?}  p95 {:.0?}  max {:.0?}  ({} chunks)",
        pct(0.5),
        pct(0.95),
        pct(1.0),
        times.len()
    );
    println!("embed only   {embed_rate:.0} short texts/s");
    println!("peak RSS     {:.0} MiB", peak_rss_mib());
    Ok(())
}
