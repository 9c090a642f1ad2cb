//! Which mailboxes and which received-time range a Graph command covers, decided
//! before any job exists: the mailboxes named (one spelling each) or every user's,
//! and `--since` / `--from` / `--to` as one checked range.

use std::time::Duration;

use super::{Call, GraphClient};
use crate::time::rfc3339;
use crate::{Error, Result};

/// The mailboxes a command names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mailboxes {
    Named(Vec<String>),
    /// Every user with an Exchange Online mailbox (`--all-mailboxes`).
    All,
}

/// The mailboxes to serve, and the directory's accounts left out with why.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Resolved {
    pub mailboxes: Vec<String>,
    /// (account, why): guests, accounts without mail or without a mailbox, `--exclude`.
    pub skipped: Vec<(String, String)>,
}

/// Accounts probed at once for a mailbox: each is its own Graph mailbox, so this is
/// well inside Microsoft's per-mailbox limits.
const PROBES_IN_FLIGHT: usize = 8;

impl Mailboxes {
    /// The mailboxes, one spelling each (`Ann@Contoso.com` and `ann@contoso.com` are
    /// one ledger and one set of delta links), less `exclude`. Checks the credentials
    /// first. With `All`, an account of the directory that has no Exchange Online
    /// mailbox (a guest, an unlicensed or a room account) is skipped, not failed.
    pub async fn resolve(&self, client: &GraphClient, exclude: &[String]) -> Result<Resolved> {
        client.check_credentials()?;
        let mut skipped = Vec::new();
        let named = match self {
            Mailboxes::All => {
                let (all, left_out) = list_mailboxes(client).await?;
                skipped = left_out;
                if all.is_empty() {
                    return Err(Error::Invalid("--all-mailboxes: Graph lists no user with a mailbox".into()));
                }
                all
            }
            Mailboxes::Named(m) if m.is_empty() => {
                return Err(Error::Invalid(
                    "--source graph needs --mailbox USER (repeatable), --mailboxes-from FILE or --all-mailboxes".into(),
                ));
            }
            Mailboxes::Named(m) => m.clone(),
        };
        let exclude: Vec<String> = exclude.iter().map(|m| m.trim().to_lowercase()).collect();
        let mut mailboxes: Vec<String> = named.iter().map(|m| m.trim().to_lowercase()).collect();
        mailboxes.sort();
        mailboxes.dedup();
        mailboxes.retain(|m| {
            let keep = !exclude.contains(m);
            if !keep {
                skipped.push((m.clone(), "--exclude".into()));
            }
            keep
        });
        if mailboxes.is_empty() {
            return Err(Error::Invalid("--exclude leaves no mailbox to serve".into()));
        }
        skipped.sort();
        Ok(Resolved { mailboxes, skipped })
    }
}

/// The received-time range of a backfill at `now`: `from` (or `since` before now) to
/// `to` (or now, fixed when the job is created so a resumed job reads the same range).
pub fn received_range(
    since: Option<Duration>,
    from: Option<i64>,
    to: Option<i64>,
    now: i64,
) -> Result<(Option<i64>, i64)> {
    let to = to.unwrap_or(now);
    let from = from.or(since.map(|s| now.saturating_sub(i64::try_from(s.as_millis()).unwrap_or(i64::MAX))));
    if let Some(f) = from.filter(|f| *f >= to) {
        return Err(Error::Invalid(format!("--from/--since: {} is not before --to {}", rfc3339(f), rfc3339(to))));
    }
    Ok((from, to))
}

/// Every account of the directory with an Exchange Online mailbox, by principal name,
/// for `--all-mailboxes`; and those left out, with why. A directory lists guests,
/// rooms and unlicensed or disabled users beside mailboxes: guests and accounts with
/// no mail address are left out at once; the rest are asked for their folders, and a
/// 404 saying there is no mailbox (`MailboxNotEnabledForRESTAPI`, …) leaves the account
/// out instead of failing a job for it. A disabled account keeps its mailbox (shared
/// mailboxes are disabled accounts; so are many leavers'), so it is served.
pub async fn list_mailboxes(client: &GraphClient) -> Result<(Vec<String>, Vec<(String, String)>)> {
    use futures::StreamExt;
    let base = client.config().graph_url.trim_end_matches('/').to_string();
    let mut u =
        url::Url::parse(&format!("{base}/users")).map_err(|e| Error::Invalid(format!("Graph URL {base:?}: {e}")))?;
    u.query_pairs_mut()
        .append_pair("$select", "id,userPrincipalName,mail,userType,accountEnabled")
        .append_pair("$top", "999");
    let mut candidates = Vec::new();
    let mut skipped = Vec::new();
    let mut next = Some(u.to_string());
    let mut trail = super::Trail::default();
    while let Some(url) = next.take() {
        let call = Call { mailbox: "(all users)", what: "listing users", url, prefer: None };
        let v = client.get_json(&call, None).await.map_err(|e| e.into_error(&call))?;
        trail.next(v["@odata.nextLink"].as_str(), v["value"].as_array().map_or(0, Vec::len)).map_err(|why| {
            Error::Graph {
                mailbox: "(all users)".into(),
                context: "listing users".into(),
                message: why,
                transient: false,
            }
        })?;
        for user in v["value"].as_array().into_iter().flatten() {
            let Some(upn) = user["userPrincipalName"].as_str().or(user["id"].as_str()) else { continue };
            let upn = upn.to_string();
            if user["userType"].as_str().is_some_and(|t| t.eq_ignore_ascii_case("guest")) {
                skipped.push((upn, "a guest: its mailbox is in another directory".into()));
            } else if !user["mail"].as_str().is_some_and(|m| !m.trim().is_empty()) {
                skipped.push((upn, "no mail address".into()));
            } else {
                candidates.push(upn);
            }
        }
        next = v["@odata.nextLink"].as_str().map(String::from);
    }
    candidates.sort();
    candidates.dedup();
    let probed: Vec<(String, Result<Option<String>>)> = futures::stream::iter(candidates)
        .map(|upn| {
            let base = base.as_str();
            async move {
                let r = probe(client, base, &upn).await;
                (upn, r)
            }
        })
        .buffer_unordered(PROBES_IN_FLIGHT)
        .collect()
        .await;
    let mut out = Vec::new();
    for (upn, r) in probed {
        match r? {
            None => out.push(upn),
            Some(why) => skipped.push((upn, why)),
        }
    }
    out.sort();
    Ok((out, skipped))
}

/// Graph's answers for an account that exists but has no mailbox to read here.
const NO_MAILBOX: &[&str] = &["MailboxNotEnabledForRESTAPI", "MailboxNotFound", "ResourceNotFound", "ErrorInvalidUser"];

/// `None` when `upn` has a mailbox Graph serves; `Some(why)` when Graph says it has
/// none. Any other failure (throttling past its retries, a 5xx, a refused token)
/// fails the command: guessing would drop a real mailbox.
async fn probe(client: &GraphClient, base: &str, upn: &str) -> Result<Option<String>> {
    let mut u = url::Url::parse(base).map_err(|e| Error::Invalid(format!("Graph URL {base:?}: {e}")))?;
    u.path_segments_mut()
        .map_err(|_| Error::Invalid(format!("Graph URL {base:?}: not a base URL")))?
        .push("users")
        .push(upn)
        .push("mailFolders");
    u.query_pairs_mut().append_pair("$select", "id").append_pair("$top", "1");
    let call = Call { mailbox: upn, what: "checking for a mailbox", url: u.to_string(), prefer: None };
    match client.get_json(&call, None).await {
        Ok(_) => Ok(None),
        Err(e) => match e.failure() {
            Some(crate::retry::Failure::Status { status: 404, code, .. }) if NO_MAILBOX.contains(&code.as_str()) => {
                Ok(Some(format!("no Exchange Online mailbox ({code})")))
            }
            _ => Err(e.into_error(&call)),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::received_range;
    use std::time::Duration;

    #[test]
    fn a_range_ends_now_unless_told_and_must_not_be_empty() {
        assert_eq!(received_range(None, None, None, 1000).unwrap(), (None, 1000));
        assert_eq!(received_range(Some(Duration::from_millis(400)), None, None, 1000).unwrap(), (Some(600), 1000));
        assert_eq!(received_range(None, Some(10), Some(20), 1000).unwrap(), (Some(10), 20));
        let e = received_range(None, Some(30), Some(20), 1000).unwrap_err().to_string();
        assert!(e.contains("is not before --to"), "{e}");
    }
}
