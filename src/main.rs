//! The `folio` binary: all the work is in the library.

fn main() -> std::process::ExitCode {
    tune_malloc();
    folio::cli::main()
}

/// Large blocks go straight back to the system when freed.
const MMAP_THRESHOLD: libc::c_int = 1 << 20;

/// Two settings of glibc's malloc, made before any other thread exists; an operator's
/// `MALLOC_ARENA_MAX` or `MALLOC_MMAP_THRESHOLD_`, which glibc reads itself, is left
/// to decide.
///
/// Two arenas: glibc gives each thread that meets contention an arena of its own (up
/// to eight per core: the workers, the blocking pool, the writer and the webhook
/// threads) and keeps in each what it freed. Two arenas hold the server's peak
/// resident memory some 25 MB lower under load (bench, 2,000 articles: searches
/// 95 -> 71 MB, creates 116 -> 91 MB) at no throughput measurable here.
///
/// Blocks of 1 MiB and more always mapped on their own: by default glibc raises that
/// threshold to the size of each large block freed, up to 32 MiB, so that the next
/// block of that size comes from an arena, and an arena gives nothing back but its
/// top. A password hash's 19 MiB then stayed resident after the login that needed it
/// (20 MB of the server's peak in the bench's writes).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[expect(unsafe_code, reason = "mallopt, called before any other thread exists")]
fn tune_malloc() {
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        // SAFETY: mallopt changes a malloc parameter and touches no memory of ours; no
        // other thread is running yet.
        unsafe { libc::mallopt(libc::M_ARENA_MAX, 2) };
    }
    if std::env::var_os("MALLOC_MMAP_THRESHOLD_").is_none() {
        // SAFETY: as above.
        unsafe { libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD) };
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn tune_malloc() {}
