//! The C allocator's settings for a long run. glibc's malloc gives threads that
//! contend arenas of their own (up to eight per core) and raises its mmap threshold
//! each time a large block is freed, so arrow's and lance's big, short-lived buffers
//! settle in arenas that are never given back: a long backfill's resident memory
//! creeps up. Two arenas and a fixed 1 MiB mmap threshold (large buffers mapped and
//! unmapped) keep it flat, at no cost in speed (measured in `examples/bench_scale`).

/// Apply the settings; call before any thread starts. An operator's own
/// `MALLOC_ARENA_MAX`, `MALLOC_MMAP_THRESHOLD_` or `GLIBC_TUNABLES` wins.
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
