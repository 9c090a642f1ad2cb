//! Pages are read on their own task, ahead of the chunk being processed: one page, or
//! as many as the source says are worth it (Graph: four per request in flight).

use tokio::sync::mpsc;
use tracing::Instrument;

use crate::Result;
use crate::source::{Page, SourceSpec, Sources};

pub(super) type PageRx = mpsc::Receiver<Result<Page>>;

/// Open the source at `cursor` and read pages of `chunk` messages into a channel that
/// holds the source's read-ahead. Each page carries the cursor as of itself, and pages
/// are committed in the order read, so reading ahead never skips a page on a crash.
pub(super) fn prefetch(
    spec: &SourceSpec,
    cursor: Option<&str>,
    max_body: usize,
    chunk: usize,
    sources: &Sources,
) -> Result<PageRx> {
    let mut source = spec.open(cursor, max_body, sources)?;
    let (tx, rx) = mpsc::channel(source.read_ahead().max(1));
    tokio::spawn(
        async move {
            loop {
                let page = source.next_page(chunk).await;
                let last = page.as_ref().map(|p| !p.has_more).unwrap_or(true);
                if tx.send(page).await.is_err() || last {
                    break;
                }
            }
        }
        .in_current_span(),
    );
    Ok(rx)
}
