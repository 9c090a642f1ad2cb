//! Prometheus text-format metrics of the job table, for cron-driven alerting
//! (`status --metrics`, `reap --metrics-file`).

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::health::{Health, Thresholds};
use crate::job::{Job, JobState};

/// Gauges for `jobs` as the health rule judges them, then `extra` gauges (name, help,
/// value).
/// `now` is the database's clock, which heartbeats carry.
pub fn render(jobs: &[Job], rule: &Thresholds, now: i64, extra: &[(&str, &str, u64)]) -> String {
    let mut by_state: BTreeMap<&str, u64> = JobState::ALL.iter().map(|s| (s.as_str(), 0)).collect();
    let (mut stale, mut wedged) = (0u64, 0u64);
    let mut per_tenant: BTreeMap<&str, [i64; 3]> = BTreeMap::new();
    for j in jobs {
        *by_state.entry(j.state.as_str()).or_default() += 1;
        match rule.judge(j, now) {
            Some(Health::Stale { .. }) => stale += 1,
            Some(Health::Wedged { .. }) => wedged += 1,
            Some(Health::Alive) | None => {}
        }
        let t = per_tenant.entry(j.tenant.as_str()).or_default();
        t[0] += j.processed;
        t[1] += j.skipped;
        t[2] += j.vectors;
    }
    let mut out = String::new();
    let mut family = |name: &str, help: &str, samples: Vec<(String, String)>| {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge");
        for (labels, value) in samples {
            let _ = writeln!(out, "{name}{labels} {value}");
        }
    };
    family(
        "atom_sync_jobs",
        "Jobs by state.",
        by_state.iter().map(|(s, n)| (format!("{{state=\"{s}\"}}"), n.to_string())).collect(),
    );
    family(
        "atom_sync_jobs_stale",
        "Running jobs whose heartbeat is older than the stale threshold (owner gone).",
        vec![(String::new(), stale.to_string())],
    );
    family(
        "atom_sync_jobs_wedged",
        "Running jobs that beat but committed no chunk within the wedged threshold.",
        vec![(String::new(), wedged.to_string())],
    );
    for (i, (name, help)) in [
        ("atom_sync_messages_processed", "Messages written to both memories, summed over the tenant's jobs."),
        ("atom_sync_messages_skipped", "Messages recorded as unusable, summed over the tenant's jobs."),
        ("atom_sync_vectors_written", "Vectors written, summed over the tenant's jobs."),
    ]
    .into_iter()
    .enumerate()
    {
        family(
            name,
            help,
            per_tenant.iter().map(|(t, v)| (format!("{{tenant=\"{}\"}}", escape(t)), v[i].to_string())).collect(),
        );
    }
    for (name, help, v) in extra {
        family(name, help, vec![(String::new(), v.to_string())]);
    }
    out
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}
