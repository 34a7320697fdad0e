//! The files of an export directory: `folio export` creates each one anew, and
//! `folio import` reads regular files only (never through a symbolic link, never a
//! FIFO or a device), of bounded size. What is checked is the file opened, not its
//! name, so nothing can be swapped in between.

use std::fs::OpenOptions;
use std::io::{Read, Write};
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::Path;

use anyhow::{anyhow, bail, Context};

/// The largest JSON file (`users.json`, `sections.json`, `tags.json`) an import reads.
pub const MAX_JSON_BYTES: u64 = 64 * 1024 * 1024;
/// Room for an article file's front matter beside its body.
const FRONT_MATTER_BYTES: u64 = 64 * 1024;

/// The largest article file an import reads: the largest body this folio's API accepts
/// (`FOLIO_MAX_BODY_BYTES`) and its front matter.
pub fn max_article_bytes(max_body_bytes: usize) -> u64 {
    u64::try_from(max_body_bytes).unwrap_or(u64::MAX).saturating_add(FRONT_MATTER_BYTES)
}

/// `bytes` as the operator would write it.
fn size(bytes: u64) -> String {
    const KIB: u64 = 1024;
    match bytes {
        b if b % (KIB * KIB) == 0 => format!("{} MiB", b / (KIB * KIB)),
        b if b % KIB == 0 => format!("{} KiB", b / KIB),
        b => format!("{b} bytes"),
    }
}

/// The text of the regular file at `path`, refused (naming it) when it is a symbolic
/// link or anything but a regular file, is larger than `limit` bytes, or is not UTF-8.
/// Opened without following a link and without blocking (a FIFO would wait for a
/// writer), then checked by its handle; read through a `take`, so a file that grows,
/// or one whose size the kernel does not report, is never read past the limit.
pub fn read_regular(path: &Path, limit: u64, what: &str) -> anyhow::Result<String> {
    let shown = path.display();
    let file =
        OpenOptions::new().read(true).custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK).open(path).map_err(|err| {
            match err.raw_os_error() {
                Some(libc::ELOOP) => anyhow!("{shown}: is a symbolic link; import reads regular files only"),
                _ => anyhow!("{shown}: cannot read: {err}"),
            }
        })?;
    let meta = file.metadata().with_context(|| format!("{shown}: cannot read"))?;
    if !meta.is_file() {
        bail!("{shown}: is not a regular file ({}); import reads regular files only", kind(&meta.file_type()));
    }
    let too_large = || anyhow!("{shown}: is larger than {}, the most import reads from {what}", size(limit));
    if meta.len() > limit {
        return Err(too_large());
    }
    let mut text = String::new();
    file.take(limit.saturating_add(1)).read_to_string(&mut text).with_context(|| format!("{shown}: cannot read"))?;
    if u64::try_from(text.len()).unwrap_or(u64::MAX) > limit {
        return Err(too_large());
    }
    Ok(text)
}

/// Writes `text` to a file made at `path` now. Any path that exists is refused, a
/// symbolic link too (dangling or not, it is never followed), so a link planted in the
/// directory after export found it empty is never written through.
pub fn create_new(path: &Path, text: &str) -> anyhow::Result<()> {
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    file.write_all(text.as_bytes()).with_context(|| format!("cannot write {}", path.display()))
}

fn kind(file_type: &std::fs::FileType) -> &'static str {
    if file_type.is_dir() {
        "a directory"
    } else if file_type.is_fifo() {
        "a FIFO"
    } else if file_type.is_char_device() || file_type.is_block_device() {
        "a device"
    } else if file_type.is_socket() {
        "a socket"
    } else {
        "not a plain file"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal(path: &Path, limit: u64) -> String {
        read_regular(path, limit, "a test file").err().map(|e| e.to_string()).unwrap_or_default()
    }

    #[test]
    fn only_regular_files_within_the_limit_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.json");
        std::fs::write(&file, "[1, 2]").unwrap();
        assert_eq!(read_regular(&file, 6, "a test file").unwrap(), "[1, 2]");
        assert!(refusal(&file, 5).contains("is larger than 5 bytes, the most import reads from a test file"));
        std::os::unix::fs::symlink(&file, dir.path().join("link.json")).unwrap();
        assert!(refusal(&dir.path().join("link.json"), 6).contains("link.json: is a symbolic link"));
        assert!(refusal(dir.path(), 6).contains("is not a regular file (a directory)"));
        assert!(refusal(Path::new("/dev/null"), 6).contains("is not a regular file (a device)"));
        std::fs::write(&file, [0xff, 0xfe]).unwrap();
        assert!(refusal(&file, 6).contains("a.json: cannot read"));
    }

    #[test]
    fn a_file_whose_size_is_not_reported_is_still_read_no_further_than_the_limit() {
        // /proc files report a size of 0 and have text.
        let status = Path::new("/proc/self/status");
        assert_eq!(std::fs::metadata(status).unwrap().len(), 0);
        assert!(refusal(status, 16).contains("is larger than 16 bytes"));
        assert!(read_regular(status, 1 << 20, "a test file").unwrap().contains("VmRSS"));
    }

    #[test]
    fn a_file_is_created_anew_and_never_written_through_a_link() {
        let dir = tempfile::tempdir().unwrap();
        let made = dir.path().join("made.md");
        create_new(&made, "new").unwrap();
        assert_eq!(std::fs::read_to_string(&made).unwrap(), "new");
        let again = create_new(&made, "again").unwrap_err().to_string();
        assert!(again.contains("cannot create") && again.contains("made.md"), "{again}");
        assert_eq!(std::fs::read_to_string(&made).unwrap(), "new", "an existing file is kept");

        let elsewhere = tempfile::tempdir().unwrap();
        let target = elsewhere.path().join("victim");
        std::fs::write(&target, "mine").unwrap();
        std::os::unix::fs::symlink(&target, dir.path().join("users.json")).unwrap();
        assert!(create_new(&dir.path().join("users.json"), "[]").is_err());
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "mine", "the link's target is untouched");
        let nowhere = elsewhere.path().join("nowhere");
        std::os::unix::fs::symlink(&nowhere, dir.path().join("tags.json")).unwrap();
        assert!(create_new(&dir.path().join("tags.json"), "[]").is_err());
        assert!(!nowhere.exists(), "a dangling link's target is not made");
    }

    #[test]
    fn limits_read_as_an_operator_writes_them() {
        assert_eq!(size(MAX_JSON_BYTES), "64 MiB");
        assert_eq!(size(max_article_bytes(1024 * 1024)), "1088 KiB");
        assert_eq!(size(1000), "1000 bytes");
    }
}
