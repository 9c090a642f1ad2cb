//! Quoted history: what a reply or forward carries of older mail, told apart from
//! what its sender wrote. Replies quote with `>` lines, under "-----Original
//! Message-----", "On … wrote:", or a header block (Outlook's From: / Sent: / To: /
//! Subject:, Lotus Notes' To: / cc: / Subject: under a name and a date, as the Enron
//! mail has them); forwards under "---------- Forwarded message", "Forwarded by …",
//! "Begin forwarded message:". Everything from the first such marker on is history.

/// A body split at its quoted history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split<'a> {
    /// What the sender wrote, quoted lines left out.
    pub new: String,
    /// The history, from the first marker on.
    pub quoted: &'a str,
}

/// Split `body` into the sender's new text and the quoted history.
pub fn split(body: &str) -> Split<'_> {
    let lines: Vec<(usize, &str)> = line_starts(body);
    let mut cut = body.len();
    for (i, &(at, line)) in lines.iter().enumerate() {
        if is_marker(line) || header_block(&lines[i..]) {
            cut = at;
            break;
        }
    }
    let new: Vec<&str> = body[..cut].lines().filter(|l| !l.trim_start().starts_with('>')).collect();
    let new = new.join("\n").trim().to_string();
    Split { new, quoted: body[cut..].trim() }
}

/// The text a message's vector is made from: its subject, what its sender wrote
/// (twice: a mean of token vectors weighs what is said twice twice as much) and no
/// more history than that, so a short reply is not drowned by the thread under it. A
/// message with no new text of its own (a bare forward) is its history.
pub fn vector_text(subject: &str, s: &Split) -> String {
    let mut out = String::new();
    let mut push = |t: &str| {
        if !t.is_empty() {
            if !out.is_empty() {
                out.push_str("\n\n");
            }
            out.push_str(t);
        }
    };
    push(subject.trim());
    if s.new.chars().filter(|c| c.is_alphanumeric()).count() < 20 {
        push(&s.new);
        push(s.quoted);
        return out;
    }
    push(&s.new);
    if !s.quoted.is_empty() {
        push(&s.new);
        let room = s.new.len().max(300).min(s.quoted.len());
        let end = (0..=room).rev().find(|&i| s.quoted.is_char_boundary(i)).unwrap_or(0);
        push(&s.quoted[..end]);
    }
    out
}

fn line_starts(body: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut at = 0;
    for line in body.split_inclusive('\n') {
        out.push((at, line.trim_end_matches(['\n', '\r'])));
        at += line.len();
    }
    out
}

fn is_marker(line: &str) -> bool {
    let t = line.trim();
    let lower = t.to_lowercase();
    let dashed = |words: &str| lower.starts_with("---") && lower.contains(words);
    dashed("original message")
        || dashed("forwarded message")
        || dashed("forwarded by")
        || lower.starts_with("begin forwarded message")
        || (lower.starts_with("on ") && lower.ends_with("wrote:") && t.len() < 300)
        || (lower.ends_with(" wrote:") && t.len() < 120 && t.contains('@'))
}

/// A header block opening a quoted message: From: then Sent:/Date: and To:/Subject:
/// within the next lines (Outlook), or To: then cc: and Subject: (Lotus Notes).
fn header_block(lines: &[(usize, &str)]) -> bool {
    let field = |l: &str, names: &[&str]| {
        let l = l.trim_start().to_lowercase();
        names.iter().any(|n| l.starts_with(n))
    };
    let Some(&(_, first)) = lines.first() else { return false };
    let next: Vec<&str> = lines.iter().skip(1).take(4).map(|(_, l)| *l).collect();
    if field(first, &["from:"]) {
        return next.iter().any(|l| field(l, &["sent:", "date:"]))
            && next.iter().any(|l| field(l, &["to:", "subject:"]));
    }
    if field(first, &["to:"]) {
        return next.iter().any(|l| field(l, &["cc:"])) && next.iter().any(|l| field(l, &["subject:"]));
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_and_forwards_are_told_apart_from_new_text() {
        let outlook = "Sounds good, see you then.\n\n-----Original Message-----\nFrom: Ann\nSent: Monday\nTo: Bob\nSubject: lunch\n\nLunch at noon?";
        let s = split(outlook);
        assert_eq!(s.new, "Sounds good, see you then.");
        assert!(s.quoted.starts_with("-----Original Message-----") && s.quoted.ends_with("noon?"));

        let gmail = "Yes.\n\nOn Mon, May 14, 2001 at 4:39 PM, Ann <ann@x.org> wrote:\n> Lunch at noon?\n> Or later?";
        assert_eq!(split(gmail).new, "Yes.");
        let inline = "My answers inline.\n> first question\nfirst answer\n> second question\nsecond answer";
        assert_eq!(split(inline).new, "My answers inline.\nfirst answer\nsecond answer");
        assert_eq!(split(inline).quoted, "");

        let lotus = "Please review.\n\n\n\nPhillip K Allen\n05/14/2001 04:39 PM\nTo: Tim Belden/HOU/ECT@ECT\ncc: \nSubject: Re: Forecast\n\nHere is the forecast.";
        let s = split(lotus);
        assert!(s.new.starts_with("Please review.") && !s.new.contains("Subject:"), "{s:?}");
        assert!(s.quoted.starts_with("To: Tim Belden") && s.quoted.ends_with("forecast."), "{s:?}");
        let fwd = "FYI\n---------------------- Forwarded by Phillip K Allen/HOU/ECT on 05/14/2001 ---------------------------\nThe deal is done.";
        assert_eq!(split(fwd).new, "FYI");

        // a plain message is all new text; a "To:" in prose is not a header block
        let plain = "To: whom it may concern\nwe are moving offices.";
        assert_eq!(split(plain).new, plain);
        assert_eq!(split(plain).quoted, "");
    }

    #[test]
    fn the_vector_text_weighs_the_new_text_most_and_keeps_a_bare_forward() {
        let long_history = format!(
            "Agreed.  Let us sign on Friday.\n\n-----Original Message-----\n{}",
            "old thread text ".repeat(500)
        );
        let v = vector_text("Contract", &split(&long_history));
        assert!(v.starts_with("Contract\n\nAgreed.  Let us sign on Friday.\n\nAgreed."), "{v}");
        assert!(v.len() < 700, "history capped: {}", v.len());
        let fwd = "FYI\n---------- Forwarded message ---------\nThe pipeline outage starts Monday at 6am.";
        assert!(vector_text("Fwd: outage", &split(fwd)).contains("pipeline outage"), "a bare forward is its history");
        assert_eq!(vector_text("s", &split("just this")), "s\n\njust this");
    }
}
