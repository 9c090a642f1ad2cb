//! What every subcommand shares: where state lives (store, vector memory, data dir),
//! how to log, and the Microsoft Graph and provider settings, each with its
//! `ATOM_SYNC_*` variable, flattened into every command (as sqlx-cli does).

use std::path::PathBuf;
use std::sync::Arc;

use atom_sync::clients::Clients;
use atom_sync::keys::MasterKey;
use atom_sync::memory::Memories;
use atom_sync::provider::Provider;
use atom_sync::store::Store;
use clap::{Args, ValueEnum};

/// What running jobs takes beyond the store (see [`Global::services`]).
#[derive(Clone)]
pub struct Services {
    /// Opens tenants' sealed keys and connections, or why this process cannot.
    pub master: Result<Arc<MasterKey>, String>,
    pub provider: Arc<Provider>,
    pub memories: Arc<Memories>,
    pub clients: Arc<Clients>,
}

impl Services {
    /// Which jobs this process can serve.
    pub fn capabilities(&self) -> atom_sync::fleet::Capabilities {
        atom_sync::fleet::Capabilities {
            tenant_secrets: self.master.is_ok(),
            default_graph: self.clients.has_default(),
        }
    }

    /// Refuse, before a job of `tenant` exists, what this process could not run: a
    /// tenant with sealed keys or a connection needs the fleet's master key.
    pub async fn check_tenant(&self, store: &dyn Store, tenant: &str) -> anyhow::Result<()> {
        let Err(why) = &self.master else { return Ok(()) };
        let sealed = !store.list_keys(Some(tenant)).await?.is_empty() || store.connection(tenant).await?.is_some();
        if sealed {
            anyhow::bail!(atom_sync::Error::Invalid(format!(
                "tenant {tenant} has sealed keys or a Microsoft 365 connection, but {why}"
            )));
        }
        Ok(())
    }
}

/// Where state lives, and how to log: the same on every subcommand.
#[derive(Args)]
pub struct Global {
    /// Data dir of the embedded default (SQLite file + LanceDB dir) [default: $XDG_DATA_HOME/atom-sync]
    #[arg(long, env = "ATOM_SYNC_DATA_DIR", global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    /// Use Postgres instead of the embedded SQLite (postgres://user@host/db)
    #[arg(long, env = "DATABASE_URL", global = true, value_name = "URL", hide_env_values = true)]
    pub database_url: Option<String>,

    /// LanceDB location: a directory, or s3://BUCKET/PATH shared by a fleet [default: lance/ inside the data dir]
    #[arg(long, env = "ATOM_SYNC_LANCE_URI", global = true, value_name = "URI")]
    pub lance_uri: Option<String>,

    /// An S3-compatible endpoint for an s3:// LanceDB location (MinIO, Ceph, R2, …); credentials and region from the standard AWS environment
    #[arg(long, hide_short_help = true, env = "ATOM_SYNC_LANCE_S3_ENDPOINT", global = true, value_name = "URL")]
    pub lance_s3_endpoint: Option<String>,

    /// A LanceDB storage option for the LanceDB location, KEY=VALUE (repeatable; e.g. aws_region=eu-west-1)
    #[arg(
        long = "lance-storage-option",
        hide_short_help = true,
        env = "ATOM_SYNC_LANCE_STORAGE_OPTIONS",
        global = true,
        value_name = "KEY=VALUE",
        value_delimiter = ',',
        hide_env_values = true
    )]
    pub lance_storage_options: Vec<String>,

    /// More log output (-v debug, -vv trace)
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,

    /// Only errors
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,

    /// Log line format on stderr
    #[arg(long, value_enum, default_value = "text", global = true, env = "ATOM_SYNC_LOG_FORMAT")]
    pub log_format: LogFormat,

    #[command(flatten)]
    pub db: DbOpts,

    #[command(flatten)]
    pub graph: GraphOpts,

    #[command(flatten)]
    pub llm: LlmOpts,
}

/// Postgres's own limits, set on every connection: a statement, a lock wait or an
/// abandoned transaction is cancelled by the server instead of hanging the fleet.
#[derive(Args)]
#[command(next_help_heading = "Database")]
pub struct DbOpts {
    /// Postgres: longest a statement may run before the server cancels it
    #[arg(long, hide_short_help = true, env = "ATOM_SYNC_DB_STATEMENT_TIMEOUT", global = true, value_name = "DURATION", default_value = "5m", value_parser = atom_sync::time::parse_interval)]
    pub db_statement_timeout: std::time::Duration,

    /// Postgres: longest a statement waits for a lock
    #[arg(long, hide_short_help = true, env = "ATOM_SYNC_DB_LOCK_TIMEOUT", global = true, value_name = "DURATION", default_value = "30s", value_parser = atom_sync::time::parse_interval)]
    pub db_lock_timeout: std::time::Duration,

    /// Postgres: longest a transaction may sit idle before the server ends its session
    #[arg(long, hide_short_help = true, env = "ATOM_SYNC_DB_IDLE_IN_TRANSACTION_TIMEOUT", global = true, value_name = "DURATION", default_value = "2m", value_parser = atom_sync::time::parse_interval)]
    pub db_idle_in_transaction_timeout: std::time::Duration,
}

impl DbOpts {
    pub fn options(&self) -> atom_sync::store::StoreOptions {
        atom_sync::store::StoreOptions {
            statement_timeout: self.db_statement_timeout,
            lock_timeout: self.db_lock_timeout,
            idle_in_transaction_timeout: self.db_idle_in_transaction_timeout,
            // Postgres is migrated by `atom-sync migrate` alone (SQLite by itself)
            migrate: false,
            check_schema: true,
        }
    }
}

/// Where the LLM of tenants with their own key is (OpenAI-compatible).
#[derive(Args)]
#[command(next_help_heading = "OpenAI-compatible provider (tenants with their own key)")]
pub struct LlmOpts {
    /// OpenAI-compatible API base URL
    #[arg(long, hide_short_help = true, env = "ATOM_SYNC_LLM_BASE_URL", global = true, value_name = "URL", default_value = atom_sync::provider::DEFAULT_BASE_URL)]
    pub llm_base_url: String,

    /// Chat model for extraction
    #[arg(long, hide_short_help = true, env = "ATOM_SYNC_LLM_MODEL", global = true, value_name = "MODEL", default_value = atom_sync::provider::DEFAULT_MODEL)]
    pub llm_model: String,

    /// LLM requests in flight per job
    #[arg(long, hide_short_help = true, env = "ATOM_SYNC_LLM_CONCURRENCY", global = true, value_name = "N", default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub llm_concurrency: u16,

    /// Timeout of one LLM or embedding request
    #[arg(long, hide_short_help = true, env = "ATOM_SYNC_LLM_TIMEOUT", global = true, value_name = "DURATION", default_value = "60s", value_parser = atom_sync::time::parse_interval)]
    pub llm_timeout: std::time::Duration,

    /// Which of a tenant's keys to use (case does not matter)
    #[arg(
        long,
        hide_short_help = true,
        env = "ATOM_SYNC_LLM_KEY_NAME",
        global = true,
        value_name = "NAME",
        default_value = "openai_api_key"
    )]
    pub llm_key_name: String,

    /// Use the operator's key in ATOM_SYNC_LLM_API_KEY for tenants without a key of their own
    #[arg(long, hide_short_help = true, global = true, env = "ATOM_SYNC_LLM_OPERATOR_KEY")]
    pub llm_operator_key: bool,

    /// Chat requests per minute this process sends per key (default: no limit)
    #[arg(long, hide_short_help = true, env = "ATOM_SYNC_LLM_REQUESTS_PER_MINUTE", global = true, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub llm_requests_per_minute: Option<u32>,

    /// Chat tokens per minute this process spends per key (default: no limit)
    #[arg(long, hide_short_help = true, env = "ATOM_SYNC_LLM_TOKENS_PER_MINUTE", global = true, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub llm_tokens_per_minute: Option<u32>,

    /// Retries of a failed LLM or embedding call (429, 5xx, timeouts) before it fails for good
    #[arg(
        long,
        hide_short_help = true,
        env = "ATOM_SYNC_LLM_MAX_RETRIES",
        global = true,
        value_name = "N",
        default_value_t = 8
    )]
    pub llm_max_retries: u32,

    /// First backoff between LLM or embedding retries (doubles each time, with jitter)
    #[arg(long, hide_short_help = true, env = "ATOM_SYNC_LLM_RETRY_BASE", global = true, value_name = "DURATION", default_value = "500ms", value_parser = atom_sync::time::parse_span)]
    pub llm_retry_base: std::time::Duration,

    /// Inputs per embedding request, for tenants with an OpenAI-compatible embedder
    #[arg(long, hide_short_help = true, env = "ATOM_SYNC_EMBED_BATCH_SIZE", global = true, value_name = "N", default_value_t = 2048, value_parser = clap::value_parser!(u16).range(1..=2048))]
    pub embed_batch_size: u16,
}

/// How to reach Microsoft Graph: the app's credentials, the endpoints (tests point
/// them at a simulator) and the limits every call obeys.
#[derive(Args)]
#[command(next_help_heading = "Microsoft Graph")]
pub struct GraphOpts {
    /// Directory (tenant) id of the Entra app registration
    #[arg(long, hide_short_help = true, env = "ATOM_SYNC_GRAPH_TENANT_ID", global = true, value_name = "ID")]
    pub graph_tenant_id: Option<String>,

    /// Application (client) id of the app registration
    #[arg(long, hide_short_help = true, env = "ATOM_SYNC_GRAPH_CLIENT_ID", global = true, value_name = "ID")]
    pub graph_client_id: Option<String>,

    /// Client secret of the app (prefer the environment: flags show in `ps`)
    #[arg(
        long,
        hide_short_help = true,
        env = "ATOM_SYNC_GRAPH_CLIENT_SECRET",
        global = true,
        value_name = "SECRET",
        hide_env_values = true
    )]
    pub graph_client_secret: Option<String>,

    /// Graph API base URL
    #[arg(long, hide_short_help = true, env = "ATOM_SYNC_GRAPH_URL", global = true, value_name = "URL", default_value = atom_sync::source::graph::client::DEFAULT_GRAPH_URL)]
    pub graph_url: String,

    /// Microsoft identity platform base URL (tokens)
    #[arg(long, hide_short_help = true, env = "ATOM_SYNC_LOGIN_URL", global = true, value_name = "URL", default_value = atom_sync::source::graph::client::DEFAULT_LOGIN_URL)]
    pub login_url: String,

    /// Connect and total timeout of every Graph call
    #[arg(long, hide_short_help = true, env = "ATOM_SYNC_GRAPH_TIMEOUT", global = true, value_name = "DURATION", default_value = "30s", value_parser = atom_sync::time::parse_interval)]
    pub graph_timeout: std::time::Duration,

    /// Graph requests in flight per mailbox, across this process
    #[arg(long, hide_short_help = true, env = "ATOM_SYNC_GRAPH_MAX_IN_FLIGHT", global = true, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub graph_max_in_flight: u16,

    /// Requests per mailbox per 10 minutes, across this process (Microsoft allows 10,000)
    #[arg(long, hide_short_help = true, env = "ATOM_SYNC_GRAPH_REQUEST_BUDGET", global = true, value_name = "N", default_value_t = atom_sync::source::graph::gate::BUDGET_REQUESTS, value_parser = clap::value_parser!(u32).range(1..))]
    pub graph_request_budget: u32,

    /// Retries of a failed Graph call (429, 5xx, timeouts) before the job fails
    #[arg(
        long,
        hide_short_help = true,
        env = "ATOM_SYNC_GRAPH_MAX_RETRIES",
        global = true,
        value_name = "N",
        default_value_t = 8
    )]
    pub graph_max_retries: u32,

    /// First backoff between retries (doubles each time, with jitter) when Graph sends no Retry-After
    #[arg(long, hide_short_help = true, env = "ATOM_SYNC_GRAPH_RETRY_BASE", global = true, value_name = "DURATION", default_value = "500ms", value_parser = atom_sync::time::parse_span)]
    pub graph_retry_base: std::time::Duration,
}

impl GraphOpts {
    pub fn config(&self) -> atom_sync::source::graph::GraphConfig {
        use atom_sync::retry::Policy;
        use atom_sync::source::graph::GraphConfig;
        let set = |v: &Option<String>| v.clone().filter(|s| !s.trim().is_empty());
        GraphConfig {
            tenant_id: set(&self.graph_tenant_id),
            client_id: set(&self.graph_client_id),
            credential: set(&self.graph_client_secret)
                .map(|s| atom_sync::connection::Credential::Secret(atom_sync::secret::Secret::new(s))),
            graph_url: self.graph_url.clone(),
            login_url: self.login_url.clone(),
            timeout: self.graph_timeout,
            max_in_flight: self.graph_max_in_flight as usize,
            budget: (self.graph_request_budget, atom_sync::source::graph::gate::BUDGET_PERIOD),
            retry: Policy {
                max_retries: self.graph_max_retries,
                base_delay: self.graph_retry_base,
                ..Policy::default()
            },
        }
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

impl Global {
    pub fn data_dir(&self) -> PathBuf {
        self.data_dir.clone().unwrap_or_else(atom_sync::settings::default_data_dir)
    }

    pub async fn store(&self) -> anyhow::Result<Arc<dyn Store>> {
        Ok(atom_sync::store::connect_with(self.database_url.as_deref(), &self.data_dir(), &self.db.options()).await?)
    }

    /// This process's master key, from `ATOM_SYNC_MASTER_KEY` (or its `_FILE`) or the
    /// data dir's key file; never created here.
    pub fn load_master(&self) -> Result<MasterKey, String> {
        let env = std::env::var(atom_sync::keys::MASTER_KEY_ENV).ok();
        MasterKey::load(env.as_deref(), &self.data_dir(), false).map_err(|e| format!("no master key ({e})"))
    }

    /// What running jobs takes beyond the store, set up once: the master key (checked
    /// against the fleet's fingerprint when there is a store), the provider, the
    /// memories and the Graph clients.
    pub async fn services(&self, store: Option<&dyn Store>) -> anyhow::Result<Services> {
        let master = match store {
            Some(store) => atom_sync::fleet::check_master(store, self.load_master()).await?,
            None => self.load_master().map(Arc::new),
        };
        let provider = self.provider(master.clone())?;
        let memories = self.memories(provider.clone())?;
        let clients = Arc::new(Clients::new(self.graph.config(), master.clone())?);
        Ok(Services { master, provider, memories, clients })
    }

    /// The provider tenants' keys open: its settings, the master key that opens
    /// tenants' keys (or why this process has none: then tenants with a key get no
    /// extraction, and say so), and the operator's key when explicitly allowed.
    fn provider(&self, master: Result<Arc<MasterKey>, String>) -> anyhow::Result<Arc<atom_sync::provider::Provider>> {
        use atom_sync::provider::{OPERATOR_KEY_ENV, RateLimits};
        let key_name = atom_sync::keys::KeyName::new(atom_sync::provider::PROVIDER, Some(&self.llm.llm_key_name))?;
        // never read unless asked for: a key in the environment is not a licence to use it
        let operator_key = match self.llm.llm_operator_key {
            false => None,
            true => match std::env::var(OPERATOR_KEY_ENV).ok().filter(|k| !k.trim().is_empty()) {
                Some(k) => Some(atom_sync::secret::Secret::new(k.trim())),
                None => anyhow::bail!(atom_sync::Error::Invalid(format!(
                    "--llm-operator-key: {OPERATOR_KEY_ENV} is not set; put the operator's key there"
                ))),
            },
        };
        let settings = atom_sync::provider::Settings {
            base_url: self.llm.llm_base_url.clone(),
            model: self.llm.llm_model.clone(),
            concurrency: self.llm.llm_concurrency as usize,
            timeout: self.llm.llm_timeout,
            retry: atom_sync::retry::Policy {
                max_retries: self.llm.llm_max_retries,
                base_delay: self.llm.llm_retry_base,
                ..Default::default()
            },
        };
        let limits = RateLimits {
            requests_per_minute: self.llm.llm_requests_per_minute,
            tokens_per_minute: self.llm.llm_tokens_per_minute,
        };
        Ok(Arc::new(Provider::new(settings, master, key_name, operator_key, limits)))
    }

    /// Each tenant's embedder and vector table, opened as jobs need them.
    fn memories(&self, provider: Arc<atom_sync::provider::Provider>) -> anyhow::Result<Arc<Memories>> {
        Ok(Arc::new(Memories::new(self.lance_location()?, Some(provider), self.llm.embed_batch_size as usize)))
    }

    pub fn lance_uri(&self) -> String {
        atom_sync::settings::lance_uri(self.lance_uri.as_deref(), &self.data_dir())
    }

    /// The vector memory's location with its storage options: the S3 endpoint (plain
    /// HTTP allowed for an `http://` one) and every `--lance-storage-option`.
    pub fn lance_location(&self) -> anyhow::Result<atom_sync::sink::Location> {
        let mut options = Vec::new();
        if let Some(e) = self.lance_s3_endpoint.as_deref().filter(|e| !e.trim().is_empty()) {
            options.push(("aws_endpoint".to_string(), e.trim().to_string()));
            if e.trim().starts_with("http://") {
                options.push(("allow_http".to_string(), "true".to_string()));
            }
        }
        for kv in &self.lance_storage_options {
            let Some((k, v)) = kv.split_once('=').filter(|(k, _)| !k.trim().is_empty()) else {
                anyhow::bail!(atom_sync::Error::Invalid(format!(
                    "--lance-storage-option {:?}: expected KEY=VALUE",
                    kv.split('=').next().unwrap_or_default()
                )));
            };
            options.push((k.trim().to_string(), v.to_string()));
        }
        Ok(atom_sync::sink::Location { uri: self.lance_uri(), options })
    }
}
