//! Following `@odata.nextLink`s safely. A link that comes round again, or an endless
//! run of empty pages that each point at yet another page, would page forever at
//! Microsoft's expense and ours: the trail of a paging sequence notices both.

use serde::{Deserialize, Serialize};

/// Empty pages in a row that still carry a next link, beyond which the sequence is
/// judged a loop. Graph may answer a few empty pages while it scans; not thousands.
const MAX_EMPTY_RUN: u32 = 200;

/// The links one paging sequence (a window, a folder's delta round, a listing) has
/// followed, as short hashes so a checkpoint stays small.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trail {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    seen: Vec<String>,
    #[serde(default, skip_serializing_if = "is_zero")]
    empty_run: u32,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

impl Trail {
    /// Record a page: the next link it gave (if any) and whether it held anything.
    /// `Err` says why the sequence must not go on.
    pub fn next(&mut self, link: Option<&str>, items: usize) -> Result<(), String> {
        let Some(link) = link else { return Ok(()) };
        let hash = crate::text::short_hash(&[link.as_bytes()]);
        if self.seen.contains(&hash) {
            return Err(format!(
                "Graph's next link repeats one already followed in this sequence (after {} pages): a paging loop",
                self.seen.len()
            ));
        }
        self.seen.push(hash);
        self.empty_run = if items == 0 { self.empty_run + 1 } else { 0 };
        if self.empty_run > MAX_EMPTY_RUN {
            return Err(format!("Graph answered {} empty pages in a row, each with another next link", self.empty_run));
        }
        Ok(())
    }

    /// Links followed so far.
    pub fn len(&self) -> usize {
        self.seen.len()
    }

    pub fn is_empty(&self) -> bool {
        self.seen.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_that_comes_round_again_is_a_loop() {
        let mut t = Trail::default();
        t.next(Some("https://g/a?$skiptoken=1"), 10).unwrap();
        t.next(Some("https://g/a?$skiptoken=2"), 10).unwrap();
        t.next(None, 3).unwrap();
        let e = t.next(Some("https://g/a?$skiptoken=1"), 10).unwrap_err();
        assert!(e.contains("paging loop"), "{e}");
    }

    #[test]
    fn an_endless_run_of_empty_pages_is_a_loop_but_a_few_are_not() {
        let mut t = Trail::default();
        for i in 0..50 {
            t.next(Some(&format!("l{i}")), 0).unwrap();
        }
        t.next(Some("full"), 5).unwrap();
        let mut t = Trail::default();
        let e = (0..=MAX_EMPTY_RUN).map(|i| t.next(Some(&format!("l{i}")), 0)).find(|r| r.is_err());
        assert!(e.is_some_and(|r| r.unwrap_err().contains("empty pages")));
    }
}
