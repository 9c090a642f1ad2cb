//! How many people of the mail corpus look like more than one person node: names
//! shared by several addresses, and addresses that look like variants of one person
//! at one domain (`extract::people`), with examples. Prints figures; changes nothing.
//!
//! cargo run --example people_report -- [CORPUS_DIR]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use atom_sync::email::parse_rfc822;
use atom_sync::extract::people::{address_variant, name_key};

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_some_and(|x| x == "eml") {
            out.push(p);
        }
    }
}

fn main() {
    let corpus = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "../shared/corpus".into()));
    let mut paths = Vec::new();
    files(&corpus, &mut paths);
    paths.sort();
    // address -> the display names it was seen with
    let mut people: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut parsed = 0;
    for p in &paths {
        let Ok(raw) = std::fs::read(p) else { continue };
        let Ok(e) = parse_rfc822(&raw, &p.display().to_string(), 10_240) else { continue };
        parsed += 1;
        for m in e.from.iter().chain(e.recipients()) {
            let names = people.entry(m.address.clone()).or_default();
            if let Some(n) = &m.name {
                names.insert(n.clone());
            }
        }
    }
    println!("messages parsed: {parsed} of {}", paths.len());
    println!("person nodes (one per normalised address): {}", people.len());

    // one name, several addresses
    let mut by_name: BTreeMap<String, BTreeSet<&str>> = BTreeMap::new();
    for (addr, names) in &people {
        for n in names {
            let k = name_key(n);
            if !k.is_empty() {
                by_name.entry(k).or_default().insert(addr);
            }
        }
    }
    let shared: Vec<(&String, &BTreeSet<&str>)> = by_name.iter().filter(|(_, a)| a.len() > 1).collect();
    let in_shared: BTreeSet<&str> = shared.iter().flat_map(|(_, a)| a.iter().copied()).collect();
    println!("names shared by several addresses: {} names, {} person nodes", shared.len(), in_shared.len());
    for (n, a) in shared.iter().take(5) {
        println!("  {n:?}: {}", a.iter().copied().collect::<Vec<_>>().join(", "));
    }

    // addresses that look like one person's, by rule, within a domain
    let mut by_domain: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for addr in people.keys() {
        if let Some((local, domain)) = addr.rsplit_once('@') {
            by_domain.entry(domain).or_default().push(local);
        }
    }
    let mut pairs: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for (domain, locals) in &by_domain {
        for (i, a) in locals.iter().enumerate() {
            for b in &locals[i + 1..] {
                if let Some(why) = address_variant(a, b) {
                    pairs.entry(why).or_default().push(format!("{a}@{domain} ~ {b}@{domain}"));
                }
            }
        }
    }
    let odd = people.keys().filter(|a| a.contains("..") || a.starts_with('.')).count();
    println!("addresses with a doubled or leading dot (kept as written): {odd}");
    for (why, list) in &pairs {
        println!("address pairs, {why}: {}", list.len());
        for p in list.iter().take(4) {
            println!("  {p}");
        }
    }
    println!("(reported by `graph --entity` as candidates; none is merged)");
}
