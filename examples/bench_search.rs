//! Search quality, measured: does `search` find the message a query was taken from?
//!
//! Indexes the shared corpus minus the messages the tests use (those in
//! examples/sample.mbox), each with a fresh Message-ID, through the real pipeline
//! into a throwaway store and vector table. Targets are split in two by a hash of their
//! file name: a training half (for tuning) and a held-out half (for reporting). Four
//! kinds of query per target:
//!
//! - `exact`: one sentence of its body, verbatim;
//! - `words`: its six most salient words (tf-idf over the corpus), in another order;
//! - `subject`: its subject alone;
//! - `sender`: its sender's name or address and three salient words.
//!
//! A hit is the target or a copy of it (the corpus holds the same message in several
//! folders). Prints hits@1, hits@5 and MRR@10 per split, kind and mode, and tunes the
//! hybrid fusion's weights on the training split (reported on the held-out one).
//!
//! cargo run --release --example bench_search -- [CORPUS_DIR] [QUERIES_PER_KIND]

use std::collections::{BTreeSet, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use atom_sync::clients::Clients;
use atom_sync::email::Email;
use atom_sync::embed::{Embedder, LocalEmbedder};
use atom_sync::event::Emitter;
use atom_sync::job::{NewJob, owner_name};
use atom_sync::memory::Memories;
use atom_sync::pipeline::{Outcome, Pipeline};
use atom_sync::sink::{Fusion, Hit, SearchFilter, SearchMode};
use atom_sync::source::SourceSpec;

const KINDS: [&str; 4] = ["exact", "words", "subject", "sender"];

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

/// A small deterministic hash (FNV-1a): splits and choices repeat run to run.
fn fnv(s: &str) -> u64 {
    s.bytes().fold(0xcbf29ce484222325u64, |h, b| (h ^ b as u64).wrapping_mul(0x100000001b3))
}

fn message_id_header(text: &str) -> Option<String> {
    text.lines()
        .take_while(|l| !l.is_empty())
        .find(|l| l.to_ascii_lowercase().starts_with("message-id:"))
        .map(|l| l[11..].trim().to_string())
}

fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() >= 4 && w.chars().all(|c| c.is_alphabetic()))
        .map(str::to_lowercase)
        .collect()
}

/// A sentence of 8-30 words from the body, chosen by `seed`.
fn sentence(body: &str, seed: u64) -> Option<String> {
    let found: Vec<String> = body
        .split(['.', '!', '?', '\n'])
        .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|s| {
            let n = s.split(' ').count();
            (8..=30).contains(&n) && !s.starts_with('>') && s.chars().filter(|c| c.is_alphabetic()).count() > 30
        })
        .collect();
    (!found.is_empty()).then(|| found[(seed % found.len() as u64) as usize].clone())
}

/// The body's `n` most salient words by tf-idf, most salient first.
fn salient(body: &str, df: &HashMap<String, usize>, docs: usize, n: usize) -> Vec<String> {
    let mut tf: HashMap<String, usize> = HashMap::new();
    for w in words(body) {
        *tf.entry(w).or_default() += 1;
    }
    let mut scored: Vec<(f64, String)> = tf
        .into_iter()
        .map(|(w, f)| {
            let idf = ((docs as f64 + 1.0) / (*df.get(&w).unwrap_or(&0) as f64 + 1.0)).ln();
            (f as f64 * idf, w)
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    scored.into_iter().take(n).map(|(_, w)| w).collect()
}

struct Target {
    id: String,
    train: bool,
    queries: Vec<(&'static str, String)>,
}

#[derive(Default, Clone, Copy)]
struct Score {
    n: usize,
    at1: usize,
    at5: usize,
    rr: f64,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let corpus = PathBuf::from(args.get(1).cloned().unwrap_or_else(|| "../shared/corpus".into()));
    let per_kind: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(200);
    let sample = std::fs::read("examples/sample.mbox")?;
    let used_by_tests: BTreeSet<String> = String::from_utf8_lossy(&sample)
        .lines()
        .filter(|l| l.to_ascii_lowercase().starts_with("message-id:"))
        .map(|l| l[11..].trim().to_string())
        .collect();
    let mut files = Vec::new();
    corpus_files(&corpus, &mut files);
    files.sort();
    anyhow::ensure!(!files.is_empty(), "no .eml files under {}", corpus.display());

    // the held-out corpus, each message with an id of its own, as one mbox
    let dir = tempfile::tempdir()?;
    let mbox = dir.path().join("search.mbox");
    let mut w = std::io::BufWriter::new(std::fs::File::create(&mbox)?);
    let mut parsed: Vec<(String, bool, Email)> = Vec::new();
    for f in &files {
        let raw = std::fs::read(f)?;
        let mut text = String::from_utf8_lossy(&raw).replace("\r\n", "\n");
        if text.starts_with("From ") {
            text = text.split_once('\n').map(|(_, r)| r.to_string()).unwrap_or_default();
        }
        if message_id_header(&text).is_some_and(|id| used_by_tests.contains(&id)) {
            continue;
        }
        let id = format!("<search-{}@atom-sync>", parsed.len());
        let body: String = text
            .lines()
            .filter(|l| !l.to_ascii_lowercase().starts_with("message-id:"))
            .map(|l| if l.trim_start_matches('>').starts_with("From ") { format!(">{l}") } else { l.to_string() })
            .collect::<Vec<_>>()
            .join("\n");
        let msg = format!("Message-ID: {id}\n{body}\n");
        let Ok(email) =
            atom_sync::email::parse_rfc822(msg.as_bytes(), "bench", atom_sync::email::DEFAULT_MAX_BODY_BYTES)
        else {
            continue;
        };
        write!(w, "From bench Thu Jan  1 00:00:00 2004\n{msg}\n")?;
        let name = f.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
        parsed.push((id, fnv(&name) % 2 == 0, email));
    }
    w.flush()?;
    drop(w);

    // copies of one message (several folders) all count as the target
    let mut copies: HashMap<String, Vec<String>> = HashMap::new();
    for (_, _, e) in &parsed {
        let key = e.body.split_whitespace().collect::<Vec<_>>().join(" ");
        copies.entry(key).or_default().push(e.message_id.clone());
    }
    let mut df: HashMap<String, usize> = HashMap::new();
    for (_, _, e) in &parsed {
        for w in words(&e.body).into_iter().collect::<BTreeSet<_>>() {
            *df.entry(w).or_default() += 1;
        }
    }
    let docs = parsed.len();
    let mut targets: Vec<Target> = Vec::new();
    for (id, train, e) in &parsed {
        let seed = fnv(id);
        let top = salient(&e.body, &df, docs, 6);
        let mut queries = Vec::new();
        if let Some(s) = sentence(&e.body, seed) {
            queries.push(("exact", s));
        }
        if top.len() == 6 {
            // another order: the salient words from least to most
            queries.push(("words", top.iter().rev().cloned().collect::<Vec<_>>().join(" ")));
        }
        let subject = e.subject.trim();
        if subject.split_whitespace().count() >= 2 {
            queries.push(("subject", subject.to_string()));
        }
        if let Some(from) = &e.from
            && top.len() >= 3
        {
            let who = from.name.clone().unwrap_or_else(|| from.address.clone());
            queries.push(("sender", format!("{who} {}", top[..3].join(" "))));
        }
        targets.push(Target { id: e.message_id.clone(), train: *train, queries });
    }

    // the memory, through the real pipeline
    let store = atom_sync::store::connect(None, dir.path()).await?;
    let lance = dir.path().join("lance");
    let memories = Arc::new(Memories::new(&lance.display().to_string(), None, 1));
    let sink = memories.local().await?.sink;
    let job = store
        .create_job(&NewJob {
            tenant: "bench".into(),
            source: SourceSpec::Mbox(mbox.clone()).to_string(),
            mailbox: "search.mbox".into(),
            chunk_size: 200,
            max_body_bytes: atom_sync::email::DEFAULT_MAX_BODY_BYTES as i64,
            estimated_total: Some(parsed.len() as i64),
            cursor: None,
            llm_token_cap: None,
        })
        .await?;
    let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
    let (_stop_tx, stop) = tokio::sync::watch::channel(false);
    let pipeline = Pipeline {
        clients: Arc::new(Clients::new(Default::default(), Err("no master key in a benchmark".into()))?),
        llm: None,
        store: store.clone(),
        memories,
        events: Emitter::new(tx),
        heartbeat_every: Duration::from_secs(30),
        stop,
        retry: Default::default(),
    };
    let Outcome::Completed(done) = pipeline.run(&job.id, &owner_name()).await? else {
        anyhow::bail!("the backfill did not complete")
    };
    println!(
        "indexed {} messages ({} skipped) of {} corpus files; {} held back for the tests",
        done.processed,
        done.skipped,
        files.len(),
        used_by_tests.len()
    );
    let rows = sink.rows("bench").await?;
    let per_row: Vec<i32> = rows.iter().map(|r| r.vectors.unwrap_or(1)).collect();
    println!(
        "vectors per message (its own and its passages'): mean {:.2}, max {}; passages aim at {} characters",
        per_row.iter().sum::<i32>() as f64 / per_row.len().max(1) as f64,
        per_row.iter().max().unwrap_or(&0),
        atom_sync::passage::TARGET_CHARS
    );
    let embedder = LocalEmbedder::load()?;
    let filter = SearchFilter::default();

    // every query's two rankings, read once; each mode and fusion is scored from them
    struct Asked {
        train: bool,
        kind: &'static str,
        relevant: BTreeSet<String>,
        by_words: Vec<Hit>,
        by_meaning: Vec<Hit>,
        /// Other messages whose body holds an exact query's sentence verbatim too.
        also: BTreeSet<String>,
    }
    let mut asked: Vec<Asked> = Vec::new();
    let by_id: HashMap<&str, &Email> = parsed.iter().map(|(_, _, e)| (e.message_id.as_str(), e)).collect();
    let norm = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let normalised: Vec<(&str, String)> =
        parsed.iter().map(|(_, _, e)| (e.message_id.as_str(), norm(&e.body))).collect();
    for train in [true, false] {
        for kind in KINDS {
            let picked: Vec<(&Target, &String)> = targets
                .iter()
                .filter(|t| t.train == train)
                .filter_map(|t| t.queries.iter().find(|(k, _)| *k == kind).map(|(_, q)| (t, q)))
                .take(per_kind)
                .collect();
            for (t, q) in picked {
                let relevant: BTreeSet<String> = by_id
                    .get(t.id.as_str())
                    .and_then(|e| copies.get(&e.body.split_whitespace().collect::<Vec<_>>().join(" ")))
                    .map(|v| v.iter().cloned().collect())
                    .unwrap_or_default();
                let vector = embedder.embed(vec![q.clone()]).await?.remove(0);
                let depth = Fusion::DEPTH;
                let by_words = sink.search("bench", SearchMode::Text, q, &vector, depth, &filter).await?;
                let by_meaning = sink.search("bench", SearchMode::Vector, q, &vector, depth, &filter).await?;
                let also: BTreeSet<String> = if kind == "exact" {
                    let q = norm(q);
                    normalised
                        .iter()
                        .filter(|(id, body)| !relevant.contains(*id) && body.contains(&q))
                        .map(|(id, _)| id.to_string())
                        .collect()
                } else {
                    BTreeSet::new()
                };
                asked.push(Asked { train, kind, relevant, by_words, by_meaning, also });
            }
        }
    }
    let score = |a: &Asked, hits: &[Hit]| -> Score {
        let rank = hits.iter().take(10).position(|h| a.relevant.contains(&h.message_id));
        Score {
            n: 1,
            at1: usize::from(rank == Some(0)),
            at5: usize::from(rank.is_some_and(|r| r < 5)),
            rr: rank.map(|r| 1.0 / (r as f64 + 1.0)).unwrap_or(0.0),
        }
    };
    let add = |t: &mut Score, s: Score| {
        t.n += s.n;
        t.at1 += s.at1;
        t.at5 += s.at5;
        t.rr += s.rr;
    };
    let mode_hits = |a: &Asked, mode: &str, fusion: Fusion| -> Vec<Hit> {
        match mode {
            "vector" => a.by_meaning.clone(),
            "text" => a.by_words.clone(),
            _ => fusion.fuse(a.by_words.clone(), a.by_meaning.clone(), 10),
        }
    };

    // the fusion, tuned on the training split: the best mean MRR over the query kinds
    let mut best = (f64::MIN, Fusion::TUNED);
    for k in [1.0f32, 5.0, 10.0, 20.0, 60.0] {
        for text_weight in [0.5f32, 0.6, 0.7, 0.8, 0.9] {
            let fusion = Fusion { k, text_weight };
            let mut per_kind: HashMap<&str, Score> = HashMap::new();
            for a in asked.iter().filter(|a| a.train) {
                add(per_kind.entry(a.kind).or_default(), score(a, &mode_hits(a, "hybrid", fusion)));
            }
            let mrr = per_kind.values().map(|s| s.rr / s.n.max(1) as f64).sum::<f64>() / per_kind.len().max(1) as f64;
            if mrr > best.0 + 1e-9 {
                best = (mrr, fusion);
            }
        }
    }
    println!(
        "fusion tuned on the training split: k = {}, text weight = {} (mean MRR {:.3}); the library's: {:?}",
        best.1.k,
        best.1.text_weight,
        best.0,
        Fusion::TUNED
    );

    for train in [true, false] {
        println!("\n{} split", if train { "training" } else { "held-out" });
        println!("| query | mode | n | hits@1 | hits@5 | MRR@10 |");
        println!("|---|---|---|---|---|---|");
        for kind in KINDS {
            for (mode, fusion) in
                [("vector", Fusion::TUNED), ("text", Fusion::TUNED), ("hybrid", Fusion::TUNED), ("hybrid*", best.1)]
            {
                let mut s = Score::default();
                for a in asked.iter().filter(|a| a.train == train && a.kind == kind) {
                    add(&mut s, score(a, &mode_hits(a, mode, fusion)));
                }
                let pct = |x: usize| 100.0 * x as f64 / s.n.max(1) as f64;
                println!(
                    "| {kind} | {mode} | {} | {:.1} % | {:.1} % | {:.3} |",
                    s.n,
                    pct(s.at1),
                    pct(s.at5),
                    s.rr / s.n.max(1) as f64
                );
            }
        }
    }
    for train in [true, false] {
        let exact: Vec<&Asked> = asked.iter().filter(|a| a.train == train && a.kind == "exact").collect();
        let shared = exact.iter().filter(|a| !a.also.is_empty()).count();
        let mut s = Score::default();
        for a in &exact {
            let widened = Asked {
                train: a.train,
                kind: a.kind,
                relevant: a.relevant.union(&a.also).cloned().collect(),
                by_words: a.by_words.clone(),
                by_meaning: a.by_meaning.clone(),
                also: BTreeSet::new(),
            };
            add(&mut s, score(&widened, &mode_hits(&widened, "hybrid", Fusion::TUNED)));
        }
        println!(
            "\n{} split, exact: {shared} of {} sentences are verbatim in other messages too (near-duplicates, replies quoting them), where only a guess puts the target first; counting any message that holds the sentence, hybrid hits@1 {:.1} %, hits@5 {:.1} %",
            if train { "training" } else { "held-out" },
            exact.len(),
            100.0 * s.at1 as f64 / s.n.max(1) as f64,
            100.0 * s.at5 as f64 / s.n.max(1) as f64,
        );
    }
    println!("\nhybrid = the library's fusion (Fusion::TUNED); hybrid* = the best on the training split");
    Ok(())
}
