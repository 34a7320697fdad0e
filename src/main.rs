//! The `folio` binary: all the work is in the library.

fn main() -> std::process::ExitCode {
    limit_malloc_arenas();
    folio::cli::main()
}

/// glibc's malloc gives each thread that meets contention an arena of its own (up to
/// eight per core: the workers, the blocking pool, the writer and the webhook threads)
/// and keeps in each what it freed. Two arenas hold the server's peak resident memory
/// some 25 MB lower under load (bench, 2,000 articles: searches 95 -> 71 MB, creates
/// 116 -> 91 MB) at no throughput measurable here. An operator's `MALLOC_ARENA_MAX`,
/// which glibc reads itself, is left to decide.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[expect(unsafe_code, reason = "mallopt, called once before any other thread exists")]
fn limit_malloc_arenas() {
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        // SAFETY: mallopt changes a malloc parameter and touches no memory of ours; no
        // other thread is running yet.
        unsafe { libc::mallopt(libc::M_ARENA_MAX, 2) };
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn limit_malloc_arenas() {}
