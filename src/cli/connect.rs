//! `atom-sync connect`: a tenant's own Microsoft 365 connection (its directory, the
//! app it consented to, a client secret or a certificate), sealed in the store like
//! BYOK keys. Its jobs use it; the process-wide `ATOM_SYNC_GRAPH_*` settings stay the
//! default for tenants without one. Secrets come from a prompt or stdin, never from an
//! argument, and are never printed.

use std::io::{IsTerminal, Read};

use atom_sync::connection::ClientCertificate;
use atom_sync::connection::{Connection, Credential, Endpoints};
use atom_sync::secret::Secret;
use atom_sync::source::graph::client::DEFAULT_LOGIN_URL;
use atom_sync::tenant::TenantId;
use atom_sync::time::rfc3339;
use clap::Args;
use tabled::settings::Style;
use tabled::{Table, Tabled};

use super::keys::{read_secret, sealing_master};
use super::{Global, exit};

#[derive(Debug, Args)]
pub struct ConnectArgs {
    /// The tenant to connect (with --list: only its connection)
    #[arg(long, required_unless_present = "list")]
    pub tenant: Option<TenantId>,

    /// The customer's directory: its Entra tenant id (or primary domain)
    #[arg(long, value_name = "ID", required_unless_present_any = ["list", "remove"])]
    pub directory: Option<String>,

    /// The application (client) id of the app registration the customer consented to
    #[arg(long, value_name = "ID", required_unless_present_any = ["list", "remove"])]
    pub client_id: Option<String>,

    /// Sign in with a certificate instead of a client secret: pipe a PEM holding the RSA private key and the certificate on stdin
    #[arg(long)]
    pub certificate: bool,

    /// The customer's Graph, for a national cloud (https://graph.microsoft.us/v1.0, …); the login host and token scope follow it [default: --graph-url]
    #[arg(long = "connection-graph-url", value_name = "URL")]
    pub graph_url: Option<String>,

    /// List connections (never their secrets)
    #[arg(long, conflicts_with_all = ["remove", "directory", "client_id", "certificate"])]
    pub list: bool,

    /// Remove the tenant's connection (its jobs then use the default credentials, if any)
    #[arg(long, conflicts_with_all = ["directory", "client_id", "certificate"])]
    pub remove: bool,

    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Tabled)]
struct Row {
    #[tabled(rename = "TENANT")]
    tenant: String,
    #[tabled(rename = "DIRECTORY")]
    directory: String,
    #[tabled(rename = "CLIENT ID")]
    client: String,
    #[tabled(rename = "AUTH")]
    auth: String,
    #[tabled(rename = "GRAPH")]
    graph: String,
    #[tabled(rename = "UPDATED")]
    updated: String,
}

pub async fn run(g: &Global, args: ConnectArgs) -> anyhow::Result<u8> {
    let store = g.store().await?;
    if args.list {
        let all = store.list_connections(args.tenant.as_deref()).await?;
        if args.json {
            println!("{}", serde_json::to_string_pretty(&serde_json::json!({ "connections": all }))?);
        } else if all.is_empty() {
            super::log::note("no connections stored");
        } else {
            let rows: Vec<Row> = all
                .into_iter()
                .map(|c| Row {
                    tenant: c.tenant,
                    directory: c.directory_id,
                    client: c.client_id,
                    auth: c.hint,
                    graph: c.graph_url,
                    updated: rfc3339(c.updated_at),
                })
                .collect();
            println!("{}", Table::new(rows).with(Style::sharp()));
        }
        return Ok(exit::OK);
    }
    let tenant = args.tenant.expect("clap requires --tenant").to_string();
    if args.remove {
        if !store.remove_connection(&tenant).await? {
            anyhow::bail!(atom_sync::Error::Invalid(format!("tenant {tenant} has no Microsoft 365 connection")));
        }
        super::log::note(format!("removed the Microsoft 365 connection of tenant {tenant}"));
        return Ok(exit::OK);
    }
    let graph_url = args.graph_url.clone().unwrap_or_else(|| g.graph.graph_url.clone());
    // a login host given explicitly wins; otherwise the cloud of the Graph URL decides
    let login = (g.graph.login_url != DEFAULT_LOGIN_URL).then_some(g.graph.login_url.as_str());
    let endpoints = Endpoints::for_graph(&graph_url, login)?;
    let (credential, thumbprint) = if args.certificate {
        if std::io::stdin().is_terminal() {
            anyhow::bail!(atom_sync::Error::Invalid(
                "--certificate: pipe the PEM (private key and certificate) on stdin".into()
            ));
        }
        let mut pem = String::new();
        std::io::stdin().read_to_string(&mut pem)?;
        let cert = ClientCertificate::from_pem(&pem)
            .map_err(|e| atom_sync::Error::Invalid(format!("tenant {tenant}: the certificate: {e}")))?;
        let thumbprint = cert.thumbprint().to_string();
        (Credential::Certificate(Secret::new(pem)), Some(thumbprint))
    } else {
        (Credential::Secret(read_secret(&format!("tenant {tenant}: the app's client secret"))?), None)
    };
    let connection = Connection {
        tenant: tenant.clone(),
        directory_id: args.directory.unwrap_or_default().trim().to_string(),
        client_id: args.client_id.unwrap_or_default().trim().to_string(),
        endpoints,
        credential,
        thumbprint,
    };
    connection.validate()?;
    let master = sealing_master(g, store.as_ref()).await?;
    let stored = connection.seal(&master)?;
    store.put_connection(&stored).await?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&stored.info)?);
    } else {
        super::log::note(format!(
            "tenant {tenant} connected to directory {} (app {}, {}) at {}",
            stored.info.directory_id, stored.info.client_id, stored.info.hint, stored.info.graph_url
        ));
    }
    Ok(exit::OK)
}
