//! Names the commit in `--version` (`atom-sync 0.1.0 (1a2b3c4d 2026-12-03)`), from
//! git when the source is a checkout, or from `ATOM_SYNC_COMMIT` (packagers, builds
//! from a tarball); "unknown commit" otherwise.

use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    let s = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (out.status.success() && !s.is_empty()).then_some(s)
}

fn main() {
    println!("cargo:rerun-if-env-changed=ATOM_SYNC_COMMIT");
    let commit = std::env::var("ATOM_SYNC_COMMIT").ok().filter(|c| !c.trim().is_empty()).or_else(|| {
        // a new commit moves HEAD or the branch it points at: rebuild then, not on every edit
        if let Some(dir) = git(&["rev-parse", "--git-dir"]) {
            println!("cargo:rerun-if-changed={dir}/HEAD");
            if let Some(head) = git(&["symbolic-ref", "-q", "HEAD"]) {
                println!("cargo:rerun-if-changed={dir}/{head}");
            }
            println!("cargo:rerun-if-changed={dir}/packed-refs");
        }
        let hash = git(&["rev-parse", "--short=12", "HEAD"])?;
        let date = git(&["log", "-1", "--format=%cs", "HEAD"]).unwrap_or_default();
        Some(format!("{hash} {date}").trim().to_string())
    });
    println!("cargo:rustc-env=ATOM_SYNC_COMMIT={}", commit.unwrap_or_else(|| "unknown commit".into()));
}
