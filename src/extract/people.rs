//! Who may be the same person. A person node is pinned by its address (normalised by
//! `email::normalise_address`: case, brackets, quotes, `mailto:`, a trailing dot), so
//! the safe merges happen by construction. Everything else is a guess: the same
//! display name at two addresses, or addresses that look like variants of one
//! (`k..allen@` and `k.allen@`, `.williams@` cut from `jason.williams@`,
//! `jason.williams@` and `jwilliams@`). Those are reported as candidates, with why,
//! and never merged.

use serde::Serialize;

/// Another person node that may be the same person, and why it looks so.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Candidate {
    pub key: String,
    pub name: String,
    pub why: String,
}

/// A display name as people write it, for comparison: quotes, case, `Last, First`
/// order and spacing set aside. Empty when it is no name (an address, a bare word).
pub fn name_key(name: &str) -> String {
    let n = name.trim().trim_matches(|c| c == '"' || c == '\'').trim();
    if n.contains('@') {
        return String::new();
    }
    let n = match n.split_once(',') {
        Some((last, first)) if !first.trim().is_empty() => format!("{} {}", first.trim(), last.trim()),
        _ => n.to_string(),
    };
    let words: Vec<String> =
        n.split(|c: char| c.is_whitespace() || c == '.').filter(|w| !w.is_empty()).map(|w| w.to_lowercase()).collect();
    // one word ("Sally", "admin") says too little to pair two addresses
    if words.len() < 2 { String::new() } else { words.join(" ") }
}

/// Why the local parts `a` and `b` of two addresses at one domain look like one
/// person's, if they do.
pub fn address_variant(a: &str, b: &str) -> Option<&'static str> {
    if a == b {
        return None;
    }
    let squash = |s: &str| s.chars().filter(|c| !matches!(c, '.' | '_' | '-')).collect::<String>();
    if squash(a) == squash(b) && squash(a).len() >= 3 {
        return Some("the same letters, punctuated differently");
    }
    let cut = |short: &str, long: &str| {
        short.starts_with('.') && short.len() >= 4 && long.len() > short.len() && long.ends_with(short)
    };
    if cut(a, b) || cut(b, a) {
        return Some("one looks cut from the other");
    }
    let initial = |dotted: &str, flat: &str| {
        let parts: Vec<&str> = dotted.split(['.', '_']).filter(|p| !p.is_empty()).collect();
        match parts.as_slice() {
            [first, .., last] if last.len() >= 3 => {
                let f = first.chars().next().map(|c| c.to_string()).unwrap_or_default();
                flat == format!("{f}{last}") || flat == format!("{last}{f}")
            }
            _ => false,
        }
    };
    if (a.contains(['.', '_']) && initial(a, b)) || (b.contains(['.', '_']) && initial(b, a)) {
        return Some("a first name and its initial");
    }
    None
}

/// The local part and domain of a person node's key (`person:local@domain`).
pub fn split_person_key(key: &str) -> Option<(&str, &str)> {
    key.strip_prefix("person:")?.rsplit_once('@')
}

/// Which of `others` (key, display name) may be the person `key` named `name`.
pub fn candidates(key: &str, name: &str, others: &[(String, String)]) -> Vec<Candidate> {
    let Some((local, domain)) = split_person_key(key) else { return Vec::new() };
    let mine = name_key(name);
    let mut out = Vec::new();
    for (other, other_name) in others {
        if other == key {
            continue;
        }
        let Some((o_local, o_domain)) = split_person_key(other) else { continue };
        let why = if o_domain == domain { address_variant(local, o_local).map(str::to_string) } else { None };
        let why = why
            .or_else(|| (!mine.is_empty() && name_key(other_name) == mine).then(|| format!("the same name, {name:?}")));
        if let Some(why) = why {
            out.push(Candidate { key: other.clone(), name: other_name.clone(), why });
        }
    }
    out.sort_by(|a, b| a.key.cmp(&b.key));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_compare_as_people_write_them() {
        assert_eq!(name_key("Allen, Phillip K."), "phillip k allen");
        assert_eq!(name_key("\"Phillip K Allen\""), "phillip k allen");
        assert_eq!(name_key("sally"), "", "one word is too little");
        assert_eq!(name_key("k.allen@enron.com"), "");
    }

    #[test]
    fn address_variants_are_named_and_strangers_are_not() {
        assert!(address_variant("k..allen", "k.allen").is_some());
        assert!(address_variant("phillip.allen", "phillipallen").is_some());
        assert!(address_variant(".williams", "jason.williams").is_some());
        assert!(address_variant("jason.williams", "jwilliams").is_some());
        assert!(address_variant("jwilliams", "jason.williams").is_some());
        assert_eq!(address_variant("jason.williams", "jason.williams"), None);
        assert_eq!(address_variant("jason.williams", "kwilliams"), None);
        assert_eq!(address_variant(".al", "hal"), None, "too short to tell");
        assert_eq!(address_variant("ann", "bob"), None);
    }

    #[test]
    fn candidates_say_why_and_never_include_the_person() {
        let others = vec![
            ("person:k.allen@enron.com".to_string(), "Phillip K Allen".to_string()),
            ("person:k..allen@enron.com".to_string(), "k..allen@enron.com".to_string()),
            ("person:pallen@aol.com".to_string(), "Allen, Phillip K".to_string()),
            ("person:sally.beck@enron.com".to_string(), "Sally Beck".to_string()),
        ];
        let c = candidates("person:k.allen@enron.com", "Phillip K Allen", &others);
        let keys: Vec<&str> = c.iter().map(|c| c.key.as_str()).collect();
        assert_eq!(keys, ["person:k..allen@enron.com", "person:pallen@aol.com"]);
        assert!(c[0].why.contains("punctuated") && c[1].why.contains("same name"), "{c:?}");
    }
}
