//! `atom-sync resume`: continue a failed, paused, cancelled or interrupted job (or
//! every unfinished job of a tenant) from its last committed chunk.

use std::time::Duration;

use atom_sync::resume::{Options, Selection};
use atom_sync::tenant::TenantId;
use clap::Args;

use super::Global;
use super::run::{Planned, RunOpts, run_all};

#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("which").required(true).args(["job", "tenant"]))]
pub struct ResumeArgs {
    /// Job id, or its first characters as `status` shows them
    pub job: Option<String>,

    /// Every unfinished job of this tenant (failed, paused, cancelled, stale)
    #[arg(long)]
    pub tenant: Option<TenantId>,

    /// A `running` job counts as interrupted when its heartbeat is older than this
    /// (or at once when its owner was a process on this host that is gone)
    #[arg(long, default_value = "30s", value_parser = atom_sync::time::parse_span, env = "ATOM_SYNC_STALE_AFTER")]
    pub stale_after: Duration,

    /// Re-run a completed job's whole range (an incident re-run; idempotent)
    #[arg(long)]
    pub rerun: bool,

    /// Only re-queue, for `atom-sync worker`s to pick up
    #[arg(long)]
    pub detach: bool,

    /// One JSON document on stdout when done: the jobs as `status --json` shows them
    #[arg(long)]
    pub json: bool,

    #[command(flatten)]
    pub run: RunOpts,
}

pub async fn run(g: &Global, args: ResumeArgs) -> anyhow::Result<u8> {
    let store = g.store().await?;
    let selection = match (&args.job, &args.tenant) {
        (Some(id), _) => Selection::Job(id.clone()),
        (None, Some(tenant)) => Selection::Tenant(tenant.to_string()),
        (None, None) => unreachable!("clap requires a job or --tenant"),
    };
    let opts = Options { stale_after: args.stale_after, rerun: args.rerun };
    let plan = atom_sync::resume::plan(store.as_ref(), &selection, opts).await?;
    let mut jobs = atom_sync::resume::apply(store.as_ref(), plan).await?;
    // a pause or cancel asked while the owner was gone took effect instead
    jobs.retain(|j| {
        let pending = j.state == atom_sync::job::JobState::Pending;
        if !pending {
            super::log::note(format!("job {}: {} as was requested while its owner was gone; not run", j.id, j.state));
        }
        pending
    });
    if let (Selection::Tenant(t), true) = (&selection, jobs.is_empty()) {
        super::log::note(format!("tenant {t}: no unfinished jobs"));
    }
    let services = g.services(Some(store.as_ref())).await?;
    for t in jobs.iter().map(|j| j.tenant.as_str()).collect::<std::collections::BTreeSet<_>>() {
        services.check_tenant(store.as_ref(), t).await?;
    }
    let planned = Planned { jobs, store, services };
    let code = run_all(g, planned, args.detach, &args.run, false, args.json).await?;
    Ok(code)
}
