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
mod log;
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
    version = concat!(env!("CARGO_PKG_VERSION"), " (", env!("ATOM_SYNC_COMMIT"), ")"),
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
    atom_sync::alloc::tune();
    if let Err(e) = secret_files::load() {
        eprintln!("error: {e}");
        return ExitCode::from(exit::USER);
    }
    let cli = match command().try_get_matches().and_then(|m| <Cli as clap::FromArgMatches>::from_arg_matches(&m)) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    log::init(&cli.global);
    temp_dir_fallback(&cli.global);
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
            log::fatal(&e);
            ExitCode::from(exit_code(&e))
        }
    }
}

/// LanceDB spills merges to the system temp dir. An empty root (a `scratch`
/// container, a chroot) has no /tmp: then a `tmp` dir inside the data dir serves.
fn temp_dir_fallback(g: &Global) {
    if std::env::temp_dir().is_dir() {
        return;
    }
    let ours = g.data_dir().join("tmp");
    if std::fs::create_dir_all(&ours).is_ok() {
        // SAFETY: no other thread exists yet (the runtime starts after this), so
        // nothing reads the environment while it changes
        unsafe { std::env::set_var("TMPDIR", &ours) };
    }
}

/// The long lists of database, Graph and provider options are in `--help` only.
const SHORT_HELP_HINT: &str = "Database, Microsoft Graph, provider and LanceDB storage options: see --help. Every option can be set from its ATOM_SYNC_* variable.";

/// The command line, with the short help's pointer to the long one on every command.
pub fn command() -> clap::Command {
    use clap::CommandFactory;
    fn hint(c: clap::Command) -> clap::Command {
        c.after_help(SHORT_HELP_HINT).after_long_help("").mut_subcommands(hint)
    }
    hint(Cli::command())
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

#[cfg(test)]
mod tests {
    /// Flags that say what one run acts on or how it answers (a tenant, a job, a
    /// query, `--json`, a confirmation): they belong on the command line, not in a
    /// unit file's environment. Every other flag, everything that tunes how work runs,
    /// has an `ATOM_SYNC_*` variable.
    const PER_RUN: &[&str] = &[
        "help",
        "version",
        "tenant",
        "mailbox",
        "mailboxes_from",
        "exclude",
        "all_mailboxes",
        "folder",
        "job",
        "source",
        "query",
        "json",
        "dry_run",
        "yes",
        "repair",
        "detach",
        "since",
        "from",
        "to",
        "state",
        "limit",
        "metrics",
        "watch",
        "verbose",
        "quiet",
        "once",
        "against_source",
        "entity",
        "mode",
        "shell",
        "provider",
        "name",
        "embedder",
        "dimensions",
        "directory",
        "client_id",
        "certificate",
        "remove",
        "window",
        "rerun",
        "list",
        "connection_graph_url",
    ];

    fn walk(c: &clap::Command, path: &str, missing: &mut Vec<String>, used: &mut Vec<String>) {
        for a in c.get_arguments() {
            let id = a.get_id().as_str();
            let name = a.get_long().unwrap_or(id).replace('-', "_");
            if PER_RUN.contains(&name.as_str()) {
                used.push(name);
                continue;
            }
            if a.is_positional() {
                continue;
            }
            match a.get_env().and_then(|e| e.to_str()) {
                Some(e) if e.starts_with("ATOM_SYNC_") || e == "DATABASE_URL" => {}
                _ => missing.push(format!("{path} --{}", a.get_long().unwrap_or(id))),
            }
        }
        for sub in c.get_subcommands() {
            walk(sub, &format!("{path} {}", sub.get_name()), missing, used);
        }
    }

    #[test]
    fn every_operational_flag_has_an_env() {
        let (mut missing, mut used) = (Vec::new(), Vec::new());
        let mut c = super::command();
        c.build();
        walk(&c, "atom-sync", &mut missing, &mut used);
        assert!(missing.is_empty(), "flags without an ATOM_SYNC_* variable:\n{}", missing.join("\n"));
        let stale: Vec<&&str> = PER_RUN.iter().filter(|p| !used.iter().any(|u| u == *p)).collect();
        assert!(stale.is_empty(), "no flag is called {stale:?} any more");
    }

    #[test]
    fn short_help_shows_the_commands_own_flags_and_long_help_all() {
        let mut c = super::command();
        c.build();
        let backfill = c.find_subcommand_mut("backfill").unwrap();
        let short = backfill.render_help().to_string();
        let long = backfill.render_long_help().to_string();
        for own in ["--tenant", "--source", "--chunk-size", "--data-dir", "--database-url"] {
            assert!(short.contains(own) && long.contains(own), "{own}");
        }
        for long_only in ["--graph-client-secret", "--llm-model", "--db-lock-timeout", "--lance-storage-option"] {
            assert!(!short.contains(long_only), "{long_only} in -h");
            assert!(long.contains(long_only), "{long_only} missing from --help");
        }
        assert!(short.contains("see --help") && !long.contains("see --help"));
        assert!(long.contains("Microsoft Graph:") && long.contains("[env: ATOM_SYNC_GRAPH_CLIENT_SECRET"));
    }

    #[test]
    fn version_names_the_commit() {
        let v = super::command().render_version();
        assert!(v.starts_with(&format!("atom-sync {} (", env!("CARGO_PKG_VERSION"))), "{v}");
        assert!(v.trim_end().ends_with(')') && !v.contains("()"), "{v}");
    }
}
