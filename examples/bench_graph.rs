//! Graph backfill throughput against Microsoft's ceiling, printed as figures.
//!
//! Serves a mailbox of N real messages (the shared corpus, replicated with fresh ids)
//! through the test suite's Graph simulator with a latency per request and Exchange
//! Online's limit of four requests in flight per mailbox (a fifth gets a 429), its
//! mail spread over three decades in bursts with years of nothing between, plus a
//! few undated messages the server dates today. Then runs the real binary's backfill
//! (a process of its own, so its peak memory is its own) with 4 requests in flight
//! and with 1, and prints messages/s, requests made against pages of mail, the
//! ceiling `in_flight × page / latency` and how close the run came to it, and how many
//! cores the backfill and the simulator kept busy (on a 2-core machine, a backfill near
//! 2.0 is bound by CPU, not by Graph).
//!
//! cargo run --release --example bench_graph -- [N] [LATENCY_MS] [CORPUS_DIR] [IN_FLIGHT,...]
//! (`BENCH_LOG=FILE` keeps the last backfill's JSON log, with each chunk's steps;
//! `BENCH_BIN=PATH` runs another build of the binary, e.g. one with symbols to profile.)

#[path = "../tests/integration/graph_sim.rs"]
mod graph_sim;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use atom_sync::email::parse_rfc822;
use graph_sim::{GraphSim, message};

const USER: &str = "bench@sim.test";
const PAGE: usize = 100;
const DAY_MS: i64 = 86_400_000;

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

/// When message `i` of `n` was received: bursts of a few months in 1996, 2001,
/// 2003-04, 2011 and 2019, nothing in between, and the last three "today".
fn received(i: usize, n: usize) -> i64 {
    const BURSTS: [(i64, i64); 5] = [
        (820_454_400_000, 60),    // 1996-01-01, two months
        (978_307_200_000, 120),   // 2001-01-01, four months
        (1_041_379_200_000, 365), // 2003-01-01, a year
        (1_293_840_000_000, 30),  // 2011-01-01, a month
        (1_546_300_800_000, 90),  // 2019-01-01, three months
    ];
    if i + 3 >= n {
        let now = atom_sync::time::now_ms();
        return now - now.rem_euclid(1000) - (n - i) as i64 * 60_000;
    }
    let (start, days) = BURSTS[i * BURSTS.len() / n];
    let within = (i * BURSTS.len()) % n;
    let t = start + (within as i64 * days * DAY_MS) / n as i64;
    t - t.rem_euclid(1000)
}

fn peak_rss_mib(pid: u32) -> Option<f64> {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()?
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse::<f64>()
        .ok()
        .map(|kib| kib / 1024.0)
}

struct Run {
    in_flight: usize,
    wall: Duration,
    processed: i64,
    requests: usize,
    throttled: usize,
    rss: f64,
    /// CPU seconds (user + system) of the backfill, and of this process (the
    /// simulator) meanwhile: on a small machine both draw on the same cores.
    cpu: f64,
    sim_cpu: f64,
    timeline: Timeline,
}

/// Where a run's wall time went, from the simulator's log of the mailbox's requests:
/// before the first request (start-up), the listing's span and how full its slots
/// were, and after the last answer (the last pages through the pipeline, exit).
#[derive(Default)]
struct Timeline {
    first_request: Duration,
    last_answer: Duration,
    /// Mean requests in flight between the first request and the last answer.
    mean_in_flight: f64,
    /// Share of that span with every slot busy.
    full: f64,
    /// Slot time left idle, in seconds of the whole mailbox's time (idle slot-seconds
    /// over the slots): before every slot was first busy (the count and the probes),
    /// between then and the last time every slot was busy, and after (the last pages).
    idle: [f64; 3],
    /// In the middle, from a request's answer to the next request that took its slot:
    /// median and 90th percentile, in milliseconds.
    refill_ms: (f64, f64),
}

fn timeline(start: Instant, log: &[&graph_sim::Logged], slots: usize) -> Timeline {
    let mut events: Vec<(Instant, i32)> = Vec::new();
    for l in log {
        events.push((l.started, 1));
        events.push((l.finished.unwrap_or(l.started), -1));
    }
    // at one instant an answer frees its slot before a request takes one
    events.sort();
    let (Some(first), Some(last)) = (events.first().map(|e| e.0), events.last().map(|e| e.0)) else {
        return Timeline::default();
    };
    let slots_i = slots as i32;
    // the first and the last moment every slot was busy
    let (mut level, mut full_from, mut full_to) = (0i32, None, None);
    for &(t, d) in &events {
        if level >= slots_i && d < 0 {
            full_to = Some(t);
        }
        level += d;
        if level >= slots_i && full_from.is_none() {
            full_from = Some(t);
        }
    }
    let (full_from, full_to) = (full_from.unwrap_or(last), full_to.unwrap_or(last));
    let (mut level, mut at, mut area, mut full) = (0i32, first, 0f64, 0f64);
    let mut idle = [0f64; 3];
    // answers whose slot no request has taken yet, and how long each waited
    let mut freed: std::collections::VecDeque<Instant> = Default::default();
    let mut refill: Vec<f64> = Vec::new();
    for (t, d) in events {
        let span = t.duration_since(at).as_secs_f64();
        area += span * f64::from(level);
        if level as usize >= slots {
            full += span;
        }
        let phase = usize::from(at >= full_from) + usize::from(at >= full_to);
        idle[phase] += span * f64::from((slots_i - level).max(0)) / slots as f64;
        if d < 0 && t >= full_from && t < full_to {
            freed.push_back(t);
        } else if d > 0
            && let Some(f) = freed.pop_front()
        {
            refill.push(t.duration_since(f).as_secs_f64() * 1e3);
        }
        (level, at) = (level + d, t);
    }
    refill.sort_by(f64::total_cmp);
    let pct = |q: f64| refill.get(((refill.len() as f64 - 1.0) * q).round() as usize).copied().unwrap_or(0.0);
    let listed = last.duration_since(first).as_secs_f64().max(1e-9);
    Timeline {
        first_request: first.duration_since(start),
        last_answer: last.duration_since(start),
        mean_in_flight: area / listed,
        full: full / listed,
        idle,
        refill_ms: (pct(0.5), pct(0.9)),
    }
}

fn cpu_secs(r: &libc::rusage) -> f64 {
    let t = |v: libc::timeval| v.tv_sec as f64 + v.tv_usec as f64 / 1e6;
    t(r.ru_utime) + t(r.ru_stime)
}

fn own_cpu() -> f64 {
    // SAFETY: getrusage writes the struct it is given and nothing else
    let mut r: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut r) };
    cpu_secs(&r)
}

fn backfill(sim: &GraphSim, bin: &Path, in_flight: usize) -> anyhow::Result<Run> {
    let dir = tempfile::tempdir()?;
    sim.clear_log();
    let mut c = std::process::Command::new(bin);
    // the operator's settings stay out, except the log filter and the upkeep policy
    // (for experiments: ATOM_SYNC_LOG=info,sqlx::query=debug times each statement)
    let kept = ["ATOM_SYNC_LOG", "ATOM_SYNC_LANCE_UPKEEP"];
    for (k, _) in std::env::vars().filter(|(k, _)| k.starts_with("ATOM_SYNC_") && !kept.contains(&k.as_str())) {
        c.env_remove(k);
    }
    for (k, v) in sim.env() {
        c.env(k, v);
    }
    c.env("ATOM_SYNC_DATA_DIR", dir.path()).env("ATOM_SYNC_LOG_FORMAT", "json").env_remove("DATABASE_URL");
    c.args(["backfill", "--tenant", "bench", "--source", "graph", "--mailbox", USER]);
    c.args(["--chunk-size", &PAGE.to_string(), "--graph-max-in-flight", &in_flight.to_string()]);
    // BENCH_LOG=FILE keeps the backfill's log (JSON lines: each chunk's steps)
    let log = match std::env::var_os("BENCH_LOG") {
        Some(path) => std::process::Stdio::from(std::fs::File::create(path)?),
        None => std::process::Stdio::null(),
    };
    c.stdout(std::process::Stdio::null()).stderr(log);
    let (t, sim_cpu) = (Instant::now(), own_cpu());
    let child = c.spawn()?;
    let pid = child.id();
    let mut rss: f64 = 0.0;
    // reaped with wait4, not by `child`, for the CPU time the backfill used
    let (status, cpu) = loop {
        if let Some(r) = peak_rss_mib(pid) {
            rss = rss.max(r);
        }
        let (mut status, mut usage): (i32, libc::rusage) = (0, unsafe { std::mem::zeroed() });
        // SAFETY: wait4 writes the status and usage it is given
        let reaped = unsafe { libc::wait4(pid as i32, &mut status, libc::WNOHANG, &mut usage) };
        anyhow::ensure!(reaped >= 0, "waiting for the backfill: {}", std::io::Error::last_os_error());
        if reaped == pid as i32 {
            break (status, cpu_secs(&usage));
        }
        std::thread::sleep(Duration::from_millis(25));
    };
    let (wall, sim_cpu) = (t.elapsed(), own_cpu() - sim_cpu);
    anyhow::ensure!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "the backfill failed (wait status {status})"
    );
    let log = sim.log();
    let mailbox: Vec<&graph_sim::Logged> = log.iter().filter(|l| l.mailbox.as_deref() == Some(USER)).collect();
    let (requests, throttled) = mailbox.iter().fold((0, 0), |(r, t), l| (r + 1, t + usize::from(l.status == 429)));
    let timeline = timeline(t, &mailbox, in_flight);
    let out = std::process::Command::new(bin)
        .env("ATOM_SYNC_DATA_DIR", dir.path())
        .env_remove("DATABASE_URL")
        .args(["status", "--json"])
        .output()?;
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout)?;
    let processed = doc["jobs"][0]["processed"].as_i64().unwrap_or(0);
    Ok(Run { in_flight, wall, processed, requests, throttled, rss, cpu, sim_cpu, timeline })
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(20_000);
    let latency = Duration::from_millis(args.get(2).and_then(|a| a.parse().ok()).unwrap_or(300));
    let corpus = args.get(3).map(PathBuf::from).unwrap_or_else(|| PathBuf::from("../shared/corpus"));
    let in_flights: Vec<usize> =
        args.get(4).map(|s| s.split(',').filter_map(|x| x.parse().ok()).collect()).unwrap_or_else(|| vec![4, 1]);
    let bin = match std::env::var_os("BENCH_BIN") {
        Some(b) => Some(PathBuf::from(b)),
        None => std::env::current_exe()?.parent().and_then(Path::parent).map(|d| d.join("atom-sync")),
    };
    let bin =
        bin.filter(|b| b.exists()).ok_or_else(|| anyhow::anyhow!("build the binary first (cargo build --release)"))?;

    let mut files = Vec::new();
    corpus_files(&corpus, &mut files);
    files.sort();
    anyhow::ensure!(!files.is_empty(), "no .eml files under {}", corpus.display());
    let sim = GraphSim::start(0);
    sim.add_mailbox(USER, &["Inbox", "Sent Items", "Archive"]);
    let mut bytes = 0usize;
    for i in 0..n {
        let raw = std::fs::read(&files[i % files.len()])?;
        let Ok(e) = parse_rfc822(&raw, "bench", 1 << 20) else { continue };
        let from = e.from.as_ref().map(|m| (m.name.clone().unwrap_or_default(), m.address.clone())).unwrap_or_default();
        let to: Vec<(String, String)> =
            e.to.iter().map(|m| (m.name.clone().unwrap_or_default(), m.address.clone())).collect();
        let to: Vec<(&str, &str)> = to.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        let at = atom_sync::time::rfc3339(received(i, n));
        let id = format!("AAMkADbench{i:07}=");
        let m =
            message(&id, &at, &e.subject, (&from.0, &from.1), &to, &e.body, &format!("{i}.{}", e.message_id), "conv");
        bytes += e.body.len();
        sim.put(USER, ["Inbox", "Sent Items", "Archive"][i % 3], m);
    }
    sim.with(|s| {
        s.latency = latency;
        s.max_concurrent = Some(4);
        s.retry_after = 1;
    });
    let pages = n.div_ceil(PAGE);
    println!(
        "mailbox      {n} messages ({:.1} MiB of text) from 1996 to today in five bursts and three undated, latency {} ms, Graph allows 4 in flight",
        bytes as f64 / 1_048_576.0,
        latency.as_millis()
    );
    println!(
        "{:>9} {:>9} {:>8} {:>9} {:>9} {:>7} {:>10} {:>8} {:>6} {:>9} {:>8} {:>8}",
        "in flight",
        "messages",
        "wall s",
        "msg/s",
        "requests",
        "ratio",
        "ceiling/s",
        "of ceil",
        "429s",
        "peak RSS",
        "cpu",
        "sim cpu"
    );
    for k in in_flights {
        let r = backfill(&sim, &bin, k)?;
        let rate = r.processed as f64 / r.wall.as_secs_f64();
        let ceiling = (r.in_flight * PAGE) as f64 / latency.as_secs_f64();
        println!(
            "{:>9} {:>9} {:>8.1} {:>9.0} {:>9} {:>7.2} {:>10.0} {:>7.0}% {:>6} {:>6.0} MiB {:>8.2} {:>8.2}",
            r.in_flight,
            r.processed,
            r.wall.as_secs_f64(),
            rate,
            r.requests,
            r.requests as f64 / pages as f64,
            ceiling,
            100.0 * rate / ceiling,
            r.throttled,
            r.rss,
            r.cpu / r.wall.as_secs_f64(),
            r.sim_cpu / r.wall.as_secs_f64()
        );
        let tl = &r.timeline;
        println!(
            "{:>9} first request at {:.2} s, last answer at {:.2} s ({:.2} s before the end); {:.2} in flight on average, all {} for {:.0} % of that span",
            "",
            tl.first_request.as_secs_f64(),
            tl.last_answer.as_secs_f64(),
            (r.wall.saturating_sub(tl.last_answer)).as_secs_f64(),
            tl.mean_in_flight,
            r.in_flight,
            100.0 * tl.full
        );
        println!(
            "{:>9} slots idle for {:.2} s before all were busy, {:.2} s in the middle, {:.2} s after; a freed slot refilled in {:.1} ms (median), {:.1} ms (p90)",
            "", tl.idle[0], tl.idle[1], tl.idle[2], tl.refill_ms.0, tl.refill_ms.1
        );
    }
    Ok(())
}
