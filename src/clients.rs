//! Which Microsoft Graph client serves a tenant: its own connection's
//! (`atom-sync connect`), else this process's default (`ATOM_SYNC_GRAPH_*`), else none,
//! and the error names the tenant. Clients are made on first use and kept while the
//! connection is unchanged; all of them share one set of per-mailbox gates, so
//! Microsoft's limits hold whichever job calls.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::connection::Connection;
use crate::keys::MasterKey;
use crate::source::Sources;
use crate::source::graph::{Gates, GraphClient, GraphConfig};
use crate::store::Store;
use crate::{Error, Result};

pub struct Clients {
    /// Settings every client takes (timeouts, retries, in-flight) and the default
    /// credentials, if any.
    defaults: GraphConfig,
    default: Arc<GraphClient>,
    /// Opens tenants' connections, or why this process cannot.
    master: std::result::Result<Arc<MasterKey>, String>,
    gates: Arc<Gates>,
    /// tenant → (the connection's `updated_at`, its client)
    tenants: Mutex<HashMap<String, (i64, Arc<GraphClient>)>>,
}

impl std::fmt::Debug for Clients {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Clients").field("defaults", &self.defaults).finish_non_exhaustive()
    }
}

impl Clients {
    pub fn new(defaults: GraphConfig, master: std::result::Result<Arc<MasterKey>, String>) -> Result<Clients> {
        let gates = Arc::new(Gates::default());
        let default = Arc::new(GraphClient::with_gates(defaults.clone(), gates.clone())?);
        Ok(Clients { defaults, default, master, gates, tenants: Mutex::new(HashMap::new()) })
    }

    /// Whether this process has default Graph credentials (for tenants without a
    /// connection of their own).
    pub fn has_default(&self) -> bool {
        self.defaults.has_credentials()
    }

    /// The default client alone, for commands that read no tenant's store
    /// (a dry run without a store).
    pub fn default_sources(&self) -> Sources {
        Sources { graph: Some(self.default.clone()) }
    }

    /// The client that serves `tenant`.
    pub async fn for_tenant(&self, store: &dyn Store, tenant: &str) -> Result<Arc<GraphClient>> {
        let Some(stored) = store.connection(tenant).await? else {
            if self.has_default() {
                return Ok(self.default.clone());
            }
            return Err(Error::Invalid(format!(
                "tenant {tenant} has no Microsoft 365 connection (atom-sync connect --tenant {tenant} …) and this process has no default Graph credentials (ATOM_SYNC_GRAPH_TENANT_ID, ATOM_SYNC_GRAPH_CLIENT_ID, ATOM_SYNC_GRAPH_CLIENT_SECRET)"
            )));
        };
        let version = stored.info.updated_at;
        if let Some((v, client)) = self.tenants.lock().unwrap_or_else(|p| p.into_inner()).get(tenant)
            && *v == version
        {
            return Ok(client.clone());
        }
        let master = self
            .master
            .as_ref()
            .map_err(|why| Error::Invalid(format!("tenant {tenant} has a Microsoft 365 connection, but {why}")))?;
        let c = Connection::open(&stored, master)?;
        let cfg = GraphConfig {
            tenant_id: Some(c.directory_id),
            client_id: Some(c.client_id),
            credential: Some(c.credential),
            graph_url: c.endpoints.graph_url,
            login_url: c.endpoints.login_url,
            ..self.defaults.clone()
        };
        let client = Arc::new(GraphClient::with_gates(cfg, self.gates.clone())?);
        self.tenants.lock().unwrap_or_else(|p| p.into_inner()).insert(tenant.to_string(), (version, client.clone()));
        Ok(client)
    }

    /// What a job of `tenant` opens its source with.
    pub async fn sources_for(&self, store: &dyn Store, tenant: &str) -> Result<Sources> {
        Ok(Sources { graph: Some(self.for_tenant(store, tenant).await?) })
    }
}
