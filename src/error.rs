//! The library's error type. Each variant names the failing thing and its key, and
//! knows whose fault it is, so the CLI can pick an exit code.

use std::fmt;

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Whose fault an error is; the CLI maps this to an exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Bad input or a request that cannot be satisfied as asked: fix the command.
    User,
    /// Something outside us failed (database, disk, network); retrying may help.
    Transient,
    /// A bug or an inconsistency we did not expect.
    Internal,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Invalid(String),

    #[error("job {0} not found")]
    JobNotFound(String),

    #[error("job id prefix {0} matches more than one job; give more characters")]
    AmbiguousJob(String),

    #[error("job {job}: {why}")]
    JobState { job: String, why: String },

    /// One job per mailbox is pending or running at a time.
    #[error(
        "tenant {tenant}, mailbox {mailbox}: job {job} is already {state} for it, and one job per mailbox runs at a time (see `atom-sync status {job}`)"
    )]
    ActiveJob { tenant: String, mailbox: String, job: String, state: crate::job::JobState },

    /// A job ended by a panic: a bug, recorded on the job.
    #[error("job {job}: the run panicked: {message}")]
    Panic { job: String, message: String },

    #[error(
        "job {job}: lease {token} is no longer ours (another process took the job over, or it was re-queued); stopped without writing"
    )]
    LeaseLost { job: String, token: i64 },

    /// A statement the database refused or could not run: what we were doing, and the
    /// driver's own words (with the table, column and constraint it names).
    #[error("store: {context}: {}", describe(error))]
    Store { context: String, error: sqlx::Error },

    /// The disk or a file failed us (full, unreadable, gone): not the user's fault.
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },

    #[error("store: applying migrations: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),

    /// The store's schema is not the one this binary was built for.
    #[error("{0}")]
    Schema(String),

    #[error("vector store {uri}: {message}")]
    Vectors { uri: String, message: String },

    /// The vector table was made by another embedder or dimension.
    #[error("vector store {uri}: {message}")]
    VectorMismatch { uri: String, message: String },

    #[error("embedder {name}: {message}")]
    Embed { name: String, message: String },

    /// A call to a tenant's OpenAI-compatible provider that failed for good: retries
    /// exhausted (`transient`), or an answer retrying cannot change (a refused key).
    #[error("tenant {tenant}, {what}: {message}")]
    Provider { tenant: String, what: String, message: String, transient: bool },

    #[error("source {source_spec}: {message}")]
    Source { source_spec: String, message: String },

    /// A Microsoft Graph call that failed for good: retries exhausted (`transient`),
    /// or an answer retrying cannot change (403, 404, refused credentials).
    #[error("Microsoft Graph, mailbox {mailbox}, {context}: {message}")]
    Graph { mailbox: String, context: String, message: String, transient: bool },
}

impl Error {
    pub fn fault(&self) -> Fault {
        match self {
            Error::Invalid(_) | Error::JobNotFound(_) | Error::AmbiguousJob(_) => Fault::User,
            Error::JobState { .. } | Error::ActiveJob { .. } => Fault::User,
            Error::Panic { .. } => Fault::Internal,
            Error::LeaseLost { .. } => Fault::Transient,
            Error::Store { error, .. } => store_fault(error),
            Error::Migrate(_) => Fault::Internal,
            Error::Schema(_) => Fault::User,
            Error::Io { .. } => Fault::Transient,
            Error::Vectors { .. } => Fault::Transient,
            Error::VectorMismatch { .. } => Fault::User,
            Error::Embed { .. } => Fault::Internal,
            Error::Source { .. } => Fault::User,
            Error::Provider { transient: true, .. } => Fault::Transient,
            Error::Provider { transient: false, .. } => Fault::User,
            Error::Graph { transient: true, .. } => Fault::Transient,
            Error::Graph { transient: false, .. } => Fault::User,
        }
    }

    pub(crate) fn store(context: impl fmt::Display) -> impl FnOnce(sqlx::Error) -> Error {
        let context = context.to_string();
        move |error| Error::Store { context, error }
    }

    pub(crate) fn io(context: impl fmt::Display) -> impl FnOnce(std::io::Error) -> Error {
        let context = context.to_string();
        move |source| Error::Io { context, source }
    }

    /// A row the database refused for what it holds (a value or key it cannot store),
    /// as opposed to the database being unreachable or busy: the chunk can go on
    /// without the message that carries it.
    pub fn is_refused_row(&self) -> bool {
        matches!(self, Error::Store { error: sqlx::Error::Database(_), .. }) && self.fault() == Fault::Internal
    }
}

/// The driver's message, and what it names: SQLSTATE, table, column, constraint.
pub fn describe(e: &sqlx::Error) -> String {
    let sqlx::Error::Database(db) = e else { return e.to_string() };
    let mut out = db.message().to_string();
    let mut named = Vec::new();
    if let Some(code) = db.code() {
        named.push(format!("code {code}"));
    }
    if let Some(pg) = db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>() {
        if let Some(t) = pg.table() {
            named.push(format!("table {t}"));
        }
        if let Some(c) = pg.column() {
            named.push(format!("column {c}"));
        }
        if let Some(c) = pg.constraint() {
            named.push(format!("constraint {c}"));
        }
    } else if let Some(t) = db.table() {
        named.push(format!("table {t}"));
    }
    if !named.is_empty() {
        out.push_str(&format!(" ({})", named.join(", ")));
    }
    out
}

/// Connection trouble, lock contention and serialisation failures are worth a retry;
/// a statement the database rejects for any other reason is our bug.
fn store_fault(e: &sqlx::Error) -> Fault {
    match e {
        sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Tls(_) => {
            Fault::Transient
        }
        sqlx::Error::Configuration(_) => Fault::User,
        sqlx::Error::Database(db) => {
            let code = db.code().unwrap_or_default();
            // SQLite: 5 busy, 6 locked; Postgres: 08 connection, 40 rollback (deadlock,
            // serialisation), 53 resources, 57 operator intervention (shutdown, a
            // cancelled statement), 55P03 a lock not granted in time, 25P03 a
            // transaction ended for idling
            let transient = matches!(code.as_ref(), "5" | "6" | "517" | "262" | "55P03" | "25P03")
                || ["08", "40", "53", "57"].iter().any(|class| code.starts_with(class));
            if transient { Fault::Transient } else { Fault::Internal }
        }
        _ => Fault::Internal,
    }
}
