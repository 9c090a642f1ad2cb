//! Pages are read on their own task, one page ahead of the chunk being processed.

use tokio::sync::mpsc;
use tracing::Instrument;

use crate::Result;
use crate::source::{Page, SourceSpec, Sources};

pub(super) type PageRx = mpsc::Receiver<Result<Page>>;

/// Open the source at `cursor` and read pages of `chunk` messages into a channel that
/// holds one page ahead.
pub(super) fn prefetch(
    spec: &SourceSpec,
    cursor: Option<&str>,
    max_body: usize,
    chunk: usize,
    sources: &Sources,
) -> Result<PageRx> {
    let mut source = spec.open(cursor, max_body, sources)?;
    let (tx, rx) = mpsc::channel(1);
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
