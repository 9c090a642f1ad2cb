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
    /// Every user with a mailbox (`--all-mailboxes`).
    All,
}

impl Mailboxes {
    /// The mailboxes, one spelling each: `Ann@Contoso.com` and `ann@contoso.com` are
    /// one ledger and one set of delta links. Checks the credentials first.
    pub async fn resolve(&self, client: &GraphClient) -> Result<Vec<String>> {
        client.check_credentials()?;
        let named = match self {
            Mailboxes::All => {
                let all = list_mailboxes(client).await?;
                if all.is_empty() {
                    return Err(Error::Invalid("--all-mailboxes: Graph lists no user with a mailbox".into()));
                }
                all
            }
            Mailboxes::Named(m) if m.is_empty() => {
                return Err(Error::Invalid(
                    "--source graph needs --mailbox USER (repeatable) or --all-mailboxes".into(),
                ));
            }
            Mailboxes::Named(m) => m.clone(),
        };
        let mut mailboxes: Vec<String> = named.iter().map(|m| m.trim().to_lowercase()).collect();
        mailboxes.sort();
        mailboxes.dedup();
        Ok(mailboxes)
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

/// Every user with a mailbox (`mail` set), by principal name, for `--all-mailboxes`.
pub async fn list_mailboxes(client: &GraphClient) -> Result<Vec<String>> {
    let base = client.config().graph_url.trim_end_matches('/');
    let mut u =
        url::Url::parse(&format!("{base}/users")).map_err(|e| Error::Invalid(format!("Graph URL {base:?}: {e}")))?;
    u.query_pairs_mut().append_pair("$select", "id,userPrincipalName,mail").append_pair("$top", "100");
    let mut out = Vec::new();
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
            if user["mail"].as_str().is_some_and(|m| !m.is_empty())
                && let Some(upn) = user["userPrincipalName"].as_str().or(user["id"].as_str())
            {
                out.push(upn.to_string());
            }
        }
        next = v["@odata.nextLink"].as_str().map(String::from);
    }
    out.sort();
    out.dedup();
    Ok(out)
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
