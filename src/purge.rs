//! `purge`: a tenant, or one of its mailboxes, out of both memories, for offboarding
//! and privacy requests. The vectors go first (from every embedder's table at the
//! location), then the store's rows in one transaction; both steps are idempotent,
//! so a purge cut short is finished by running it again.

use crate::Result;
use crate::sink::{LanceSink, Location};
use crate::store::{PurgeCounts, PurgeScope, Store};

/// Remove (or, `dry_run`, count) what the store and the vector tables at `at` hold
/// for `tenant`, or for one of its mailboxes. Refused while a job of that scope is
/// pending or running.
pub async fn purge(
    store: &dyn Store,
    at: &Location,
    tenant: &str,
    mailbox: Option<&str>,
    dry_run: bool,
) -> Result<PurgeCounts> {
    // the plan first: it also refuses while a job of the scope is active
    let (planned, scope) = store.purge(tenant, mailbox, true).await?;
    let mut vectors = 0;
    for sink in LanceSink::open_all(at).await? {
        vectors += match (&scope, dry_run) {
            (PurgeScope::Tenant, true) => sink.count(tenant).await?,
            (PurgeScope::Tenant, false) => sink.delete_tenant(tenant).await?,
            (PurgeScope::Messages(ids), true) => sink.count_of(tenant, ids).await?,
            (PurgeScope::Messages(ids), false) => {
                let n = sink.count_of(tenant, ids).await?;
                sink.delete(tenant, ids).await?;
                n
            }
        } as u64;
    }
    if dry_run {
        return Ok(PurgeCounts { vectors, ..planned });
    }
    let (done, _) = store.purge(tenant, mailbox, false).await?;
    Ok(PurgeCounts { vectors, ..done })
}
