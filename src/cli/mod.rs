//! The command line: parse, set up logging, dispatch to one file per subcommand, and
//! turn an error into a message with its cause chain and a documented exit code.

mod backfill;
mod compact;
mod completions;
mod connect;
mod doctor;
mod embedder;
mod global;
mod graph;
mod keys;
mod migrate;
mod purge;
mod reap;
mod render;
mod resume;
mod run;
mod search;
mod secret_files;
mod status;
mod stop;
mod sync;
mod verify;
mod worker;

use std::process::ExitCode;

use atom_sync::error::Fault;
use clap::{Parser, Subcommand};

pub use global::{Global, LogFormat, Services};

/// Exit codes, documented in the README.
pub mod exit {
    pub const OK: u8 = 0;
    pub const INTERNAL: u8 = 1;
    pub const USER: u8 = 2;
    pub const JOB_FAILED: u8 = 3;
    pub const VERIFY_FAILED: u8 = 4;
    pub const TRANSIENT: u8 = 5;
    pub const INTERRUPTED: u8 = 130;
}

// no Debug: it would print the database URL with its password
#[derive(Parser)]
#[command(
    name = "atom-sync",
    version,
    about = "Backfill a tenant's mail into ATOM's knowledge graph and vector memory, durably."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a backfill job for a tenant and run it to the end
    Backfill(backfill::BackfillArgs),
    /// Bring Graph mailboxes up to date: new, changed and deleted mail since the last sync
    Sync(sync::SyncArgs),
    /// Show jobs as a table, or one job's story
    Status(status::StatusArgs),
    /// Continue a failed, paused or interrupted job from its checkpoint
    Resume(resume::ResumeArgs),
    /// Claim and run pending jobs until stopped (SIGTERM / Ctrl-C) or, with --once, drained
    Worker(worker::WorkerArgs),
    /// Re-queue jobs whose owner went silent (for cron); fail them after --max-attempts
    Reap(reap::ReapArgs),
    /// Pause a job: at once if pending, within one heartbeat if running
    Pause(stop::StopArgs),
    /// Cancel a job: at once if pending, within one heartbeat if running
    Cancel(stop::StopArgs),
    /// Check that a tenant's memories are complete and consistent; --repair fixes them
    Verify(verify::VerifyArgs),
    /// Find the messages nearest to a query in a tenant's vector memory
    Search(search::SearchArgs),
    /// Show an entity of a tenant's graph: aliases, edges and the messages behind them
    Graph(graph::GraphArgs),
    /// Merge the vector table's small files and drop old versions (for cron)
    Compact(compact::CompactArgs),
    /// Remove a tenant, or one of its mailboxes, from both memories (offboarding, privacy requests)
    Purge(purge::PurgeArgs),
    /// A tenant's own Microsoft 365 connection (directory, app, secret or certificate), sealed
    Connect(connect::ConnectArgs),
    /// Tenants' own provider keys (BYOK), encrypted at rest
    Keys(keys::KeysArgs),
    /// Which model computes a tenant's vectors: the local one, or an OpenAI-compatible one
    Embedder(embedder::EmbedderArgs),
    /// Check this machine against the fleet: database, TLS, schema, vectors, master key, Graph, LLM keys
    Doctor(doctor::DoctorArgs),
    /// Bring the store's schema up to date (Postgres: once per upgrade, before restarting workers)
    Migrate(migrate::MigrateArgs),
    /// Print shell completions (the committed ones live in completions/)
    Completions(completions::CompletionsArgs),
}

pub fn main() -> ExitCode {
    if let Err(e) = secret_files::load() {
        eprintln!("error: {e}");
        return ExitCode::from(exit::USER);
    }
    let cli = Cli::parse();
    init_tracing(&cli.global);
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(exit::INTERNAL);
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Backfill(args) => backfill::run(&cli.global, args).await,
            Command::Sync(args) => sync::run(&cli.global, args).await,
            Command::Status(args) => status::run(&cli.global, args).await,
            Command::Resume(args) => resume::run(&cli.global, args).await,
            Command::Worker(args) => worker::run(&cli.global, args).await,
            Command::Reap(args) => reap::run(&cli.global, args).await,
            Command::Pause(args) => stop::run(&cli.global, args, atom_sync::job::JobState::Paused).await,
            Command::Cancel(args) => stop::run(&cli.global, args, atom_sync::job::JobState::Cancelled).await,
            Command::Verify(args) => verify::run(&cli.global, args).await,
            Command::Search(args) => search::run(&cli.global, args).await,
            Command::Graph(args) => graph::run(&cli.global, args).await,
            Command::Keys(args) => keys::run(&cli.global, args).await,
            Command::Connect(args) => connect::run(&cli.global, args).await,
            Command::Embedder(args) => embedder::run(&cli.global, args).await,
            Command::Compact(args) => compact::run(&cli.global, args).await,
            Command::Purge(args) => purge::run(&cli.global, args).await,
            Command::Migrate(args) => migrate::run(&cli.global, args).await,
            Command::Doctor(args) => doctor::run(&cli.global, args).await,
            Command::Completions(args) => completions::run(args),
        }
    });
    // a source blocked in a read (a hung mount, a pipe) must not keep the process alive
    runtime.shutdown_timeout(std::time::Duration::from_secs(2));
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("error: {e}");
            for cause in e.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::from(exit_code(&e))
        }
    }
}

/// The exit code of an error: the fault of the first library error in its chain.
fn exit_code(e: &anyhow::Error) -> u8 {
    for cause in e.chain() {
        if let Some(err) = cause.downcast_ref::<atom_sync::Error>() {
            return match err.fault() {
                Fault::User => exit::USER,
                Fault::Transient => exit::TRANSIENT,
                Fault::Internal => exit::INTERNAL,
            };
        }
    }
    exit::INTERNAL
}

fn init_tracing(g: &Global) {
    use tracing_subscriber::EnvFilter;
    // Lance's deprecation notice about implied score columns (hybrid search reads
    // both) is for library authors, not operators; async-openai logs whole response
    // bodies (mail content, provider error pages): our own lines say what failed
    let default = match (g.quiet, g.verbose) {
        (true, _) => "error",
        (false, 0) => "warn,atom_sync=info,lance::dataset::scanner=error,async_openai=off",
        (false, 1) => "info,atom_sync=debug,lance::dataset::scanner=error,async_openai=off",
        _ => "debug,atom_sync=trace",
    };
    let filter = EnvFilter::try_from_env("ATOM_SYNC_LOG").unwrap_or_else(|_| EnvFilter::new(default));
    // colour only for a person at a terminal: files, journald and pipes get plain text
    let colour = std::io::IsTerminal::is_terminal(&std::io::stderr()) && std::env::var_os("NO_COLOR").is_none();
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(colour);
    match g.log_format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder.init(),
    }
}
