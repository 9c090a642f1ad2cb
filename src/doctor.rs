//! `doctor`: what a machine needs to serve the fleet, checked one thing at a time:
//! the database (reachable, TLS as asked, the schema this binary needs), the vector
//! memory (a probe table written, read back and removed), the master key (the
//! fleet's), each Graph connection (a token, and a page of one mailbox), each
//! tenant's LLM key (the provider answers). No check prints or returns a secret.

use std::sync::Arc;
use std::time::Instant;

use serde::Serialize;

use crate::clients::Clients;
use crate::fleet::MASTER_KEY_FINGERPRINT;
use crate::keys::{MasterKey, TenantKey};
use crate::provider::Provider;
use crate::sink::Location;
use crate::store::{JobFilter, Store};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Ok,
    /// Works, but not as a fleet should run (no TLS, no fleet key yet).
    Warn,
    Fail,
    /// Not checked: nothing to check, or an earlier check failed.
    Skip,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Warn => "warn",
            Status::Fail => "FAIL",
            Status::Skip => "skip",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub check: &'static str,
    /// What was checked: a URL without its password, a tenant.
    pub target: String,
    pub status: Status,
    pub detail: String,
}

fn check(check: &'static str, target: impl Into<String>, status: Status, detail: impl Into<String>) -> Check {
    Check { check, target: target.into(), status, detail: detail.into() }
}

/// What the checks look at.
pub struct Subject<'a> {
    /// The store, or why it could not be opened.
    pub store: std::result::Result<Arc<dyn Store>, String>,
    /// The store's location as shown (the URL without its password, or the file).
    pub store_label: String,
    /// Whether the database URL asks for TLS (`sslmode` require / verify-ca / verify-full).
    pub tls_asked: bool,
    pub vectors: &'a Location,
    /// This process's master key, or why it has none (before any fleet check).
    pub master: &'a std::result::Result<Arc<MasterKey>, String>,
    pub clients: &'a Clients,
    pub provider: &'a Provider,
    /// The schema version this binary needs.
    pub schema_needed: i64,
}

/// Run every check, in order; later ones are skipped when what they need failed.
pub async fn run(s: &Subject<'_>) -> Vec<Check> {
    let mut out = Vec::new();
    let store = match &s.store {
        Ok(store) => store.clone(),
        Err(why) => {
            out.push(check("database", &s.store_label, Status::Fail, why.clone()));
            let (status, detail) = vectors_status(s.vectors).await;
            out.push(check("vectors", s.vectors.to_string(), status, detail));
            return out;
        }
    };
    let t = Instant::now();
    match store.now().await {
        Ok(_) => out.push(check(
            "database",
            &s.store_label,
            Status::Ok,
            format!("{} answers in {} ms", store.backend(), t.elapsed().as_millis()),
        )),
        Err(e) => {
            out.push(check("database", &s.store_label, Status::Fail, e.to_string()));
            return out;
        }
    }
    out.push(match store.transport().await {
        Ok(None) => check("tls", &s.store_label, Status::Skip, "a local file: nothing on the wire"),
        Ok(Some((true, version))) => check("tls", &s.store_label, Status::Ok, format!("encrypted ({version})")),
        Ok(Some((false, _))) if s.tls_asked => {
            check("tls", &s.store_label, Status::Fail, "not encrypted, although the URL asks for TLS")
        }
        Ok(Some((false, _))) => check(
            "tls",
            &s.store_label,
            Status::Warn,
            "not encrypted: add sslmode=verify-full (and sslrootcert for a private CA) to the URL",
        ),
        Err(e) => check("tls", &s.store_label, Status::Fail, e.to_string()),
    });
    out.push(match store.schema_version().await {
        Ok(v) if v == s.schema_needed => check("schema", &s.store_label, Status::Ok, format!("version {v}")),
        Ok(v) if v < s.schema_needed => check(
            "schema",
            &s.store_label,
            Status::Fail,
            format!("version {v}; this atom-sync needs {}: run `atom-sync migrate`", s.schema_needed),
        ),
        Ok(v) => check(
            "schema",
            &s.store_label,
            Status::Warn,
            format!("version {v}, newer than this atom-sync ({}): upgrade it", s.schema_needed),
        ),
        Err(e) => check("schema", &s.store_label, Status::Fail, e.to_string()),
    });
    let (status, detail) = vectors_status(s.vectors).await;
    out.push(check("vectors", s.vectors.to_string(), status, detail));
    out.push(master_key(store.as_ref(), s.master).await);
    out.extend(graph(store.as_ref(), s.clients).await);
    out.extend(llm(store.as_ref(), s.provider).await);
    out
}

async fn vectors_status(at: &Location) -> (Status, String) {
    match crate::sink::lance::probe(at).await {
        Ok(d) => (Status::Ok, d),
        Err(e) => (Status::Fail, e.to_string()),
    }
}

async fn master_key(store: &dyn Store, master: &std::result::Result<Arc<MasterKey>, String>) -> Check {
    let fleet = match store.fleet_setting(MASTER_KEY_FINGERPRINT).await {
        Ok(f) => f,
        Err(e) => return check("master key", "-", Status::Fail, e.to_string()),
    };
    match (master, fleet) {
        (Ok(k), Some(fp)) if k.fingerprint() == fp => {
            check("master key", format!("fingerprint {fp}"), Status::Ok, "the fleet's key")
        }
        (Ok(k), Some(fp)) => check(
            "master key",
            format!("fingerprint {}", k.fingerprint()),
            Status::Fail,
            format!("not the fleet's key (fingerprint {fp}): sealed keys and connections will not open here"),
        ),
        (Err(why), Some(fp)) => check(
            "master key",
            format!("fleet fingerprint {fp}"),
            Status::Fail,
            format!("{why}: sealed keys and connections will not open here"),
        ),
        (Ok(k), None) => check(
            "master key",
            format!("fingerprint {}", k.fingerprint()),
            Status::Ok,
            "no secret sealed yet: the first one makes this key the fleet's",
        ),
        (Err(why), None) => check("master key", "-", Status::Warn, format!("{why}; nothing sealed needs one yet")),
    }
}

/// The mailbox of a tenant's latest Graph job: one page of it is the read check.
async fn a_mailbox(store: &dyn Store, tenant: &str) -> Option<String> {
    let jobs = store.jobs(&JobFilter { tenant: Some(tenant.to_string()), ..Default::default() }).await.ok()?;
    jobs.into_iter().find(|j| j.source.starts_with("graph")).map(|j| j.mailbox)
}

async fn graph(store: &dyn Store, clients: &Clients) -> Vec<Check> {
    let mut out = Vec::new();
    let connections = match store.list_connections(None).await {
        Ok(c) => c,
        Err(e) => return vec![check("graph", "-", Status::Fail, e.to_string())],
    };
    if clients.has_default() {
        let client = clients.default_sources().graph.expect("a default client");
        out.push(match client.probe(None).await {
            Ok(d) => check("graph", "default credentials", Status::Ok, d),
            Err(e) => check("graph", "default credentials", Status::Fail, e.to_string()),
        });
    } else if connections.is_empty() {
        out.push(check("graph", "-", Status::Skip, "no default credentials and no tenant connection"));
    }
    for c in connections {
        let target = format!("tenant {} (directory {})", c.tenant, c.directory_id);
        let probe = async {
            let client = clients.for_tenant(store, &c.tenant).await?;
            client.probe(a_mailbox(store, &c.tenant).await.as_deref()).await
        };
        out.push(match probe.await {
            Ok(d) => check("graph", target, Status::Ok, d),
            Err(e) => check("graph", target, Status::Fail, e.to_string()),
        });
    }
    out
}

async fn llm(store: &dyn Store, provider: &Provider) -> Vec<Check> {
    let keys = match store.list_keys(None).await {
        Ok(k) => k,
        Err(e) => return vec![check("llm key", "-", Status::Fail, e.to_string())],
    };
    let mut tenants: Vec<String> = keys
        .into_iter()
        .filter(|k| k.provider == provider.key_name.provider && k.name == provider.key_name.name)
        .map(|k| k.tenant_id)
        .collect();
    tenants.dedup();
    let mut out = Vec::new();
    for tenant in tenants {
        let target = format!("tenant {tenant}");
        out.push(match provider.key_for(store, &tenant).await {
            Ok(TenantKey::Own(key)) => match crate::provider::answers(&provider.settings, &key).await {
                Ok(d) => check("llm key", target, Status::Ok, d),
                Err(e) => check("llm key", target, Status::Fail, e),
            },
            Ok(other) => check("llm key", target, Status::Fail, other.reason().unwrap_or_default()),
            Err(e) => check("llm key", target, Status::Fail, e.to_string()),
        });
    }
    out
}
