//! Serve a mailbox export as Microsoft Graph, so the Graph path can be tried locally
//! with no tenant and no network: the same simulator the integration tests use.
//!
//! ```text
//! cargo run --example graph_simulator -- examples/sample.mbox alice@example.com 8625
//! ```
//!
//! then, in another shell, the `export` lines it prints and
//! `atom-sync backfill --tenant demo --source graph --mailbox alice@example.com`.
//! Each message keeps its own `Date:` as `receivedDateTime` (so `--since` over an old
//! export finds nothing: use `--from 1999-01-01` or no range at all).

#[path = "../tests/integration/graph_sim.rs"]
mod graph_sim;

use atom_sync::source::{Item, SourceSpec, Sources};
use graph_sim::{GraphSim, message};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(path), Some(user)) = (args.first(), args.get(1)) else {
        anyhow::bail!("usage: graph_simulator MBOX USER [PORT]   e.g. examples/sample.mbox alice@example.com 8625");
    };
    let port: u16 = args.get(2).map(|p| p.parse()).transpose()?.unwrap_or(8625);
    let spec = SourceSpec::parse(&format!("mbox:{path}"))?;
    let mut source = spec.open(None, 1 << 20, &Sources::default())?;
    let sim = GraphSim::start(port);
    sim.add_mailbox(user, &["Inbox"]);
    let mut n = 0usize;
    loop {
        let page = source.next_page(500).await?;
        for item in page.items {
            let Item::Message(e) = item else { continue };
            let at = e.date_ms.filter(|d| *d > 0).unwrap_or(946_684_800_000);
            let at = atom_sync::time::rfc3339(at);
            let from =
                e.from.as_ref().map(|m| (m.name.clone().unwrap_or_default(), m.address.clone())).unwrap_or_default();
            let to: Vec<(String, String)> =
                e.to.iter().map(|m| (m.name.clone().unwrap_or_default(), m.address.clone())).collect();
            let to: Vec<(&str, &str)> = to.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
            let conversation = format!("AAQkAD{}", &e.content_hash()[..16]);
            let id = format!("AAMkAD{n:06}=");
            let m = message(&id, &at, &e.subject, (&from.0, &from.1), &to, &e.body, &e.message_id, &conversation);
            sim.put(user, "Inbox", m);
            n += 1;
        }
        if !page.has_more {
            break;
        }
    }
    println!("serving {n} messages of {path} as mailbox {user} on http://{}", sim.addr);
    println!("export ATOM_SYNC_GRAPH_URL={}", sim.graph_url());
    println!("export ATOM_SYNC_LOGIN_URL={}", sim.login_url());
    println!("export ATOM_SYNC_GRAPH_TENANT_ID={}", graph_sim::TENANT_ID);
    println!("export ATOM_SYNC_GRAPH_CLIENT_ID={}", graph_sim::CLIENT_ID);
    println!("export ATOM_SYNC_GRAPH_CLIENT_SECRET='{}'", graph_sim::CLIENT_SECRET);
    println!("atom-sync backfill --tenant demo --source graph --mailbox {user}");
    tokio::signal::ctrl_c().await?;
    Ok(())
}
