//! A tenant's own Microsoft 365 connection: the customer's directory (Entra tenant),
//! the app registration it consented to, where its Graph and login endpoints are (the
//! global cloud or a national one), and the app's credential, a client secret or a
//! certificate (many directories forbid secrets). Kept in the store sealed under the
//! master key, like BYOK keys; `Debug` and every listing show no secret.

pub mod assertion;

use serde::Serialize;

pub use assertion::ClientCertificate;

use crate::keys::{KeyName, MasterKey, SealedKey};
use crate::secret::Secret;
use crate::{Error, Result};

/// How the app proves itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// A client secret.
    Secret(Secret),
    /// A certificate: its PEM with the private key, for signed client assertions.
    Certificate(Secret),
}

impl Credential {
    pub fn kind(&self) -> &'static str {
        match self {
            Credential::Secret(_) => "secret",
            Credential::Certificate(_) => "certificate",
        }
    }

    fn secret(&self) -> &Secret {
        match self {
            Credential::Secret(s) | Credential::Certificate(s) => s,
        }
    }
}

/// Where a cloud's Graph is, and the login host and token scope that go with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    pub graph_url: String,
    pub login_url: String,
}

/// Microsoft's clouds: Graph host → login host. The token scope follows the Graph
/// host (`https://<graph host>/.default`).
const CLOUDS: &[(&str, &str)] = &[
    ("graph.microsoft.com", "https://login.microsoftonline.com"),
    ("graph.microsoft.us", "https://login.microsoftonline.us"),
    ("dod-graph.microsoft.us", "https://login.microsoftonline.us"),
    ("microsoftgraph.chinacloudapi.cn", "https://login.chinacloudapi.cn"),
];

impl Endpoints {
    /// The endpoints for a Graph URL: the login host of its cloud, unless one is
    /// given (a private endpoint, a simulator).
    pub fn for_graph(graph_url: &str, login_url: Option<&str>) -> Result<Endpoints> {
        let u = url::Url::parse(graph_url).map_err(|e| Error::Invalid(format!("Graph URL {graph_url:?}: {e}")))?;
        let host = u.host_str().unwrap_or_default().to_ascii_lowercase();
        let login = match login_url {
            Some(l) => l.to_string(),
            None => CLOUDS.iter().find(|(g, _)| *g == host).map(|(_, l)| l.to_string()).ok_or_else(|| {
                Error::Invalid(format!(
                    "Graph URL {graph_url}: not a Microsoft cloud this version knows ({}); give its login URL too (--login-url)",
                    CLOUDS.iter().map(|(g, _)| *g).collect::<Vec<_>>().join(", ")
                ))
            })?,
        };
        Ok(Endpoints { graph_url: graph_url.trim_end_matches('/').to_string(), login_url: login })
    }

    /// The app-only token scope for this Graph: `https://<its host>/.default`.
    pub fn scope(&self) -> String {
        scope_of(&self.graph_url)
    }
}

/// The global cloud's app-only token scope.
pub const GLOBAL_SCOPE: &str = "https://graph.microsoft.com/.default";

/// `https://<graph host>/.default`; a Graph that is not Microsoft's (a simulator,
/// a proxy) asks for the global cloud's scope.
pub fn scope_of(graph_url: &str) -> String {
    let host = url::Url::parse(graph_url).ok().and_then(|u| u.host_str().map(str::to_ascii_lowercase));
    match host {
        Some(h) if CLOUDS.iter().any(|(g, _)| *g == h) => format!("https://{h}/.default"),
        _ => GLOBAL_SCOPE.to_string(),
    }
}

/// A tenant's connection, open.
#[derive(Debug, Clone)]
pub struct Connection {
    pub tenant: String,
    /// The customer's directory (Entra tenant) id.
    pub directory_id: String,
    /// The app registration's (client) id.
    pub client_id: String,
    pub endpoints: Endpoints,
    pub credential: Credential,
    /// A certificate's thumbprint (`x5t`), for listings; not a secret.
    pub thumbprint: Option<String>,
}

/// A connection as `connect --list` shows it: never the credential.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ConnectionInfo {
    #[sqlx(rename = "tenant_id")]
    pub tenant: String,
    pub directory_id: String,
    pub client_id: String,
    pub auth: String,
    pub graph_url: String,
    pub login_url: String,
    pub thumbprint: Option<String>,
    pub hint: String,
    #[serde(serialize_with = "crate::time::serde::rfc3339")]
    pub created_at: i64,
    #[serde(serialize_with = "crate::time::serde::rfc3339")]
    pub updated_at: i64,
}

/// A connection as the store keeps it: its listing, and the sealed credential.
#[derive(Debug, Clone)]
pub struct StoredConnection {
    pub info: ConnectionInfo,
    pub sealed: SealedKey,
}

/// The sealed credential is bound to its tenant and to this purpose.
fn key_name() -> KeyName {
    KeyName { provider: "graph".into(), name: "connection".into() }
}

fn is_id(s: &str) -> bool {
    !s.is_empty() && s.len() <= 128 && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'))
}

impl Connection {
    /// Check what an operator gave: ids that are ids, a credential that is usable.
    pub fn validate(&self) -> Result<()> {
        if !is_id(&self.directory_id) {
            return Err(Error::Invalid(format!(
                "tenant {}: directory id {:?}: expected the Entra tenant's id (a GUID) or its domain",
                self.tenant, self.directory_id
            )));
        }
        if !is_id(&self.client_id) {
            return Err(Error::Invalid(format!(
                "tenant {}: client id {:?}: expected the app registration's application (client) id",
                self.tenant, self.client_id
            )));
        }
        if let Credential::Certificate(pem) = &self.credential {
            ClientCertificate::from_pem(pem.expose())
                .map_err(|e| Error::Invalid(format!("tenant {}: the certificate: {e}", self.tenant)))?;
        }
        Ok(())
    }

    pub fn seal(&self, master: &MasterKey) -> Result<StoredConnection> {
        let sealed = master.seal(&self.tenant, &key_name(), self.credential.secret())?;
        let now = crate::time::now_ms();
        Ok(StoredConnection {
            info: ConnectionInfo {
                tenant: self.tenant.clone(),
                directory_id: self.directory_id.clone(),
                client_id: self.client_id.clone(),
                auth: self.credential.kind().into(),
                graph_url: self.endpoints.graph_url.clone(),
                login_url: self.endpoints.login_url.clone(),
                thumbprint: self.thumbprint.clone(),
                hint: match &self.credential {
                    Credential::Secret(s) => s.hint(),
                    Credential::Certificate(_) => {
                        format!("certificate {}", self.thumbprint.as_deref().unwrap_or_default())
                    }
                },
                created_at: now,
                updated_at: now,
            },
            sealed,
        })
    }

    pub fn open(stored: &StoredConnection, master: &MasterKey) -> Result<Connection> {
        let i = &stored.info;
        let secret = master.open(&i.tenant, &key_name(), &stored.sealed).map_err(|e| {
            Error::Invalid(format!("tenant {}: its Microsoft 365 connection does not open: {e}", i.tenant))
        })?;
        let credential = match i.auth.as_str() {
            "certificate" => Credential::Certificate(secret),
            _ => Credential::Secret(secret),
        };
        Ok(Connection {
            tenant: i.tenant.clone(),
            directory_id: i.directory_id.clone(),
            client_id: i.client_id.clone(),
            endpoints: Endpoints { graph_url: i.graph_url.clone(), login_url: i.login_url.clone() },
            credential,
            thumbprint: i.thumbprint.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn national_clouds_bring_their_login_host_and_scope() {
        let e = Endpoints::for_graph("https://graph.microsoft.us/v1.0", None).unwrap();
        assert_eq!(e.login_url, "https://login.microsoftonline.us");
        assert_eq!(e.scope(), "https://graph.microsoft.us/.default");
        let e = Endpoints::for_graph("https://microsoftgraph.chinacloudapi.cn/v1.0/", None).unwrap();
        assert_eq!(
            (e.login_url.as_str(), e.graph_url.as_str()),
            ("https://login.chinacloudapi.cn", "https://microsoftgraph.chinacloudapi.cn/v1.0")
        );
        assert_eq!(scope_of("http://127.0.0.1:9/v1.0"), "https://graph.microsoft.com/.default");
        assert!(Endpoints::for_graph("https://graph.example.org/v1.0", None).is_err());
        assert!(Endpoints::for_graph("https://graph.example.org/v1.0", Some("https://login.example.org")).is_ok());
    }

    #[test]
    fn a_sealed_connection_opens_only_for_its_tenant() {
        let master = MasterKey::load(Some(&"cd".repeat(32)), std::path::Path::new("/nonexistent"), false).unwrap();
        let c = Connection {
            tenant: "acme".into(),
            directory_id: "11111111-2222-3333-4444-555555555555".into(),
            client_id: "66666666-7777-8888-9999-000000000000".into(),
            endpoints: Endpoints::for_graph("https://graph.microsoft.com/v1.0", None).unwrap(),
            credential: Credential::Secret(Secret::new("test~secret~value-0000")),
            thumbprint: None,
        };
        c.validate().unwrap();
        let stored = c.seal(&master).unwrap();
        assert!(!format!("{stored:?}").contains("test~secret"));
        let open = Connection::open(&stored, &master).unwrap();
        assert_eq!(open.credential, c.credential);
        let mut moved = stored.clone();
        moved.info.tenant = "globex".into();
        assert!(Connection::open(&moved, &master).is_err());
        let bad = Connection { directory_id: "a b".into(), ..c };
        assert!(bad.validate().is_err());
    }
}
