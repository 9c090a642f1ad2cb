//! Passages: a long message cut into pieces of about one thought each, on paragraph
//! and sentence boundaries, so a query that matches one paragraph of a long mail is
//! not averaged away by the rest of it. A message's vectors are its message vector
//! (subject and new text, `quoted::vector_text`) followed by one per passage
//! (`Email::embedding_texts`); search scores a message by the best of them.

/// A passage's length aim, in characters. potion-base-8M is a static model (a mean of
/// token vectors): the longer the text, the flatter the mean. On the search
/// benchmark's training split (examples/bench_search.rs), meaning-only mean MRR and
/// vectors per message: 200 chars 0.566 / 8.6, 300: 0.543 / 6.8, 500: 0.526 / 4.9,
/// 900: 0.507. 300 keeps most of the gain at 80 % of 200's storage.
pub const TARGET_CHARS: usize = 300;
/// At most this many passages per message (a 10 KB body makes about 20 of 500).
pub const MAX_PASSAGES: usize = 32;
/// A piece with fewer letters and digits than this joins its neighbour.
const MIN_ALNUM: usize = 20;

/// The texts of a message's passages (`s` is its body split at its history): what
/// its sender wrote, or the whole body for a bare forward (it has nothing else).
/// Quoted history is left to the messages it came from, and to the words index.
pub fn of(body: &str, s: &crate::quoted::Split) -> Vec<String> {
    let own = if alnum(&s.new) < MIN_ALNUM { body } else { s.new.as_str() };
    split(own, TARGET_CHARS)
}

/// Cut `text` into passages of about `target` characters: paragraphs packed together
/// while they fit, a long paragraph cut at sentence ends, a sentence longer than
/// twice the aim cut at a space. Short scraps join the passage before them.
pub fn split(text: &str, target: usize) -> Vec<String> {
    let mut units: Vec<&str> = Vec::new();
    for para in paragraphs(text) {
        if para.len() <= target {
            units.push(para);
            continue;
        }
        for sentence in sentences(para) {
            let mut rest = sentence;
            while rest.len() > 2 * target {
                let cut = space_before(rest, target);
                units.push(rest[..cut].trim());
                rest = rest[cut..].trim_start();
            }
            units.push(rest);
        }
    }
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    for u in units.into_iter().map(str::trim).filter(|u| !u.is_empty()) {
        if !cur.is_empty() && cur.len() + 1 + u.len() > target && alnum(&cur) >= MIN_ALNUM {
            out.push(std::mem::take(&mut cur));
        }
        if !cur.is_empty() {
            cur.push('\n');
        }
        cur.push_str(u);
    }
    if !cur.is_empty() {
        match out.last_mut() {
            Some(last) if alnum(&cur) < MIN_ALNUM => {
                last.push('\n');
                last.push_str(&cur);
            }
            _ => out.push(cur),
        }
    }
    out.truncate(MAX_PASSAGES);
    out
}

fn alnum(s: &str) -> usize {
    s.chars().filter(|c| c.is_alphanumeric()).count()
}

/// Blocks separated by blank lines, each trimmed.
fn paragraphs(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut end = 0;
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        if line.trim().is_empty() {
            if let Some(s) = start.take() {
                out.push(text[s..end].trim());
            }
        } else {
            start.get_or_insert(at);
            end = at + line.len();
        }
        at += line.len();
    }
    if let Some(s) = start {
        out.push(text[s..end].trim());
    }
    out
}

/// A paragraph's sentences: cut after `.`, `!` or `?` followed by whitespace, and at
/// line ends (mail wraps lines, but lists and signatures are a line each).
fn sentences(para: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut chars = para.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let next_space = chars.peek().is_some_and(|(_, n)| n.is_whitespace());
        if (matches!(c, '.' | '!' | '?') && next_space) || c == '\n' {
            let end = i + c.len_utf8();
            out.push(&para[start..end]);
            start = end;
        }
    }
    if start < para.len() {
        out.push(&para[start..]);
    }
    out
}

/// Where to cut `s` near `at` bytes: the last space before it, else a char boundary.
fn space_before(s: &str, at: usize) -> usize {
    let mut cut = at.min(s.len());
    while !s.is_char_boundary(cut) {
        cut -= 1;
    }
    s[..cut].rfind(char::is_whitespace).filter(|&i| i > 0).unwrap_or(cut)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_message_is_one_passage_and_a_long_one_is_cut_on_boundaries() {
        assert_eq!(split("Lunch at noon? Bring the forecast.", 500), vec!["Lunch at noon? Bring the forecast."]);
        assert!(split("  \n\n ", 500).is_empty());

        let para = |n: usize| format!("Paragraph {n} talks about the gas forecast for the western region. ").repeat(4);
        let text = (0..10).map(para).collect::<Vec<_>>().join("\n\n");
        let p = split(&text, 500);
        assert!(p.len() >= 5, "{}", p.len());
        for passage in &p {
            assert!(passage.len() <= 500 + 300, "{}", passage.len());
            assert!(passage.ends_with('.'), "ends on a sentence: {passage:?}");
        }
        // nothing lost, nothing repeated
        let words = |s: &str| s.split_whitespace().map(str::to_string).collect::<Vec<_>>();
        assert_eq!(words(&p.join(" ")), words(&text));
    }

    #[test]
    fn one_endless_sentence_is_cut_at_spaces_and_scraps_join_their_neighbour() {
        let text = "word ".repeat(1000);
        let p = split(&text, 500);
        assert!(
            p.len() >= 5 && p.iter().all(|s| s.len() <= 1000),
            "{:?}",
            p.iter().map(|s| s.len()).collect::<Vec<_>>()
        );
        let p = split(&format!("{}\n\nok", "A sentence of some length. ".repeat(30)), 500);
        assert!(p.last().unwrap().ends_with("ok") && p.last().unwrap().len() > 2, "{p:?}");
        // no char is split
        let p = split(&"é".repeat(3000), 500);
        assert!(p.iter().all(|s| !s.is_empty()));
    }

    #[test]
    fn passages_are_the_new_text_or_a_bare_forwards_history() {
        let reply = format!(
            "{}\n\n-----Original Message-----\nFrom: Ann\nSent: Monday\nTo: Bob\nSubject: x\n\n{}",
            "We agree to the price of the Kern River capacity.",
            "old thread text. ".repeat(200)
        );
        let of = |body: &str| of(body, &crate::quoted::split(body));
        let p = of(&reply);
        assert_eq!(p, vec!["We agree to the price of the Kern River capacity."]);
        let fwd = "FYI\n---------- Forwarded message ---------\nThe pipeline outage starts Monday at 6am.";
        assert!(of(fwd).iter().any(|p| p.contains("pipeline outage")), "{:?}", of(fwd));
        let many = "Sentence number one is here. ".repeat(2000);
        assert_eq!(of(&many).len(), MAX_PASSAGES);
    }
}
