//! `atom-sync pause JOB` and `atom-sync cancel JOB`: cooperative. A pending job stops
//! at once; a running one stops at its owner's next heartbeat, abandoning the chunk in
//! flight (nothing of it is committed). `resume` continues either.

use atom_sync::job::JobState;
use clap::Args;

use super::{Global, exit};

#[derive(Debug, Args)]
pub struct StopArgs {
    /// Job id, or its first characters as `status` shows them
    pub job: String,

    /// One JSON document on stdout: the job as `status --json` shows it
    #[arg(long)]
    pub json: bool,
}

pub async fn run(g: &Global, args: StopArgs, to: JobState) -> anyhow::Result<u8> {
    let store = g.store().await?;
    let job = store.job(&args.job).await?;
    let after = store.request_stop(&job, to).await?;
    if args.json {
        let doc = super::status::jobs_doc(std::slice::from_ref(&after), store.now().await?);
        println!("{}", serde_json::to_string_pretty(&doc)?);
    } else if after.state == to {
        println!("job {} {to}", after.id);
    } else {
        println!("job {}: {to} requested; its owner stops within one heartbeat interval", after.id);
    }
    Ok(exit::OK)
}
