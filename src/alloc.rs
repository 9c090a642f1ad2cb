//! The allocator. Arrow and Lance allocate and free large, short-lived buffers for
//! every chunk (a row carries its passages' vectors). glibc's malloc served them with
//! fresh mappings or trimmed and re-grown heaps: page faults, zeroed pages and arena
//! upkeep were a sixth of a Graph backfill's CPU. jemalloc keeps freed pages for reuse
//! and hands them back after a decay. bench_graph at 300 ms, 4 in flight: 889-984 ->
//! 1,092-1,140 msg/s at 20k messages, 837 -> 1,010-1,067 at 50k. Two arenas (the two
//! cores this is sized for, as glibc had) hold peak RSS at 20k to ~390 MiB, where
//! eight (jemalloc's default here) reached ~440 and glibc ~330.
//!
//! Set for everything that links this library (the binary, its tests and the
//! benchmarks, so that they measure what operators run). `_RJEM_MALLOC_CONF` overrides
//! the settings below (jemalloc's own syntax, e.g. `narenas:4,dirty_decay_ms:1000`).

#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// jemalloc reads its settings from this symbol (a C string) at start, then from the
/// environment.
#[allow(non_upper_case_globals)]
#[unsafe(export_name = "_rjem_malloc_conf")]
pub static malloc_conf: Option<&'static std::ffi::c_char> = Some(SETTINGS);
// SAFETY: a pointer to the literal's first byte, which lives as long as the program
const SETTINGS: &std::ffi::c_char = unsafe { &*c"narenas:2".as_ptr() };

/// The C allocator's settings, for what C code allocates (SQLite, compression): two arenas and a
/// fixed 1 MiB mmap threshold keep a long run's memory flat (glibc gives threads that
/// contend arenas of their own and raises its threshold each time a large block is
/// freed). Call before any thread starts. An operator's own `MALLOC_ARENA_MAX`,
/// `MALLOC_MMAP_THRESHOLD_` or `GLIBC_TUNABLES` wins.
pub fn tune() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        let set = |name: &str| std::env::var_os(name).is_some();
        if set("GLIBC_TUNABLES") {
            return;
        }
        // SAFETY: mallopt only sets allocator parameters; no thread runs yet
        unsafe {
            if !set("MALLOC_ARENA_MAX") {
                libc::mallopt(libc::M_ARENA_MAX, 2);
            }
            if !set("MALLOC_MMAP_THRESHOLD_") {
                libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    /// jemalloc's arena count as it runs (`opt.narenas`).
    fn arenas() -> Option<u32> {
        let mut n: u32 = 0;
        let mut len = std::mem::size_of::<u32>();
        // SAFETY: a valid name, and an out-parameter of the size jemalloc writes for it
        let rc = unsafe {
            tikv_jemalloc_sys::mallctl(
                c"opt.narenas".as_ptr(),
                (&raw mut n).cast(),
                &raw mut len,
                std::ptr::null_mut(),
                0,
            )
        };
        (rc == 0).then_some(n)
    }

    #[test]
    fn jemalloc_serves_rust_and_runs_with_our_settings() {
        // the settings symbol is read at all (a wrong name or type is silently ignored)
        if std::env::var_os("_RJEM_MALLOC_CONF").is_none() {
            assert_eq!(arenas(), Some(2));
        }
        // a block Rust allocated belongs to one of jemalloc's arenas
        let block = vec![1u8; 4 << 20];
        let mut ptr = block.as_ptr().cast::<std::ffi::c_void>();
        let (mut arena, mut len): (u32, usize) = (u32::MAX, std::mem::size_of::<u32>());
        // SAFETY: a valid name; in: a pointer's address, out: an unsigned of that size
        let rc = unsafe {
            tikv_jemalloc_sys::mallctl(
                c"arenas.lookup".as_ptr(),
                (&raw mut arena).cast(),
                &raw mut len,
                (&raw mut ptr).cast(),
                std::mem::size_of::<*const std::ffi::c_void>(),
            )
        };
        assert_eq!(rc, 0, "jemalloc does not know a block Rust allocated");
        // (blocks of 8 MiB and more would come from the arena jemalloc keeps for them)
        assert!(arena < 2, "arena {arena} of 2");
    }
}
