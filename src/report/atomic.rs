//! Publishes a results folder as a whole: readers, and a run killed at any
//! moment, see either the complete old set of files or the complete new one,
//! never a mixture and never a half-written file.
//!
//! How ([`publish`] and [`write_files`]):
//! 1. Stale staging folders beside the target, left by killed runs
//!    (`.NAME.staging-PID`, `.NAME.old-PID` whose process is gone), are
//!    removed. If the target is absent but a complete old folder is found
//!    (a run killed between steps 4b and 4c), it is put back first.
//! 2. The target must be absent, empty, or carry the marker file
//!    [`MARKER`]; anything else is refused ([`OutputError::NotResults`]), so
//!    `--out /` or `--out ~` never replaces a folder of other files.
//! 3. Every file is written and flushed into a new staging folder
//!    `.NAME.staging-PID` beside the target, the marker last.
//! 4. The staging folder takes the target's place:
//!    a. on Linux, with one `renameat2(RENAME_EXCHANGE)`, which swaps the
//!    two names atomically (the target never disappears); the old files,
//!    now under the staging name, are removed;
//!    b. elsewhere, or where the file system refuses the exchange: the
//!    target is renamed away to `.NAME.old-PID`,
//!    c. the staging folder is renamed onto the target,
//!    d. the old folder is removed.
//!
//! [`publish`] replaces the folder's contents with exactly the given files
//! (so a file the run no longer produces, such as the report after
//! `--no-report`, does not survive). [`write_files`] keeps the folder's
//! other regular files (copied into the staging folder first): `snapsim
//! report DIR` adds the report to a results folder, and a sweep adds its
//! final files next to its journal.
//!
//! Test hook: when the environment variable `SNAPSIM_PUBLISH_PAUSE_MS` is
//! set to a number of milliseconds, each step prints `publish: STEP` on
//! stderr and then sleeps that long, so a test can kill the process at every
//! step; `SNAPSIM_PUBLISH_NO_EXCHANGE=1` forces the path of steps 4b–4d.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use thiserror::Error;

/// Name of the marker file that identifies a snapsim results folder.
pub const MARKER: &str = ".snapsim-results";

/// Contents of [`MARKER`]: fixed, so regenerated results are byte-identical.
pub const MARKER_TEXT: &str = "This folder holds snapsim results. snapsim replaces it as a whole \
(every file in it) when it publishes new results here.\n";

/// Why a results folder could not be published.
#[derive(Debug, Error)]
pub enum OutputError {
    /// A file-system operation failed.
    #[error("cannot {action} {} ({cause})", path.display())]
    Io {
        /// What was being done (`create directory`, `write`, `rename`).
        action: &'static str,
        /// The path concerned.
        path: PathBuf,
        /// The underlying error (in the message, so not chained again).
        cause: std::io::Error,
    },
    /// The target exists and is not a results folder (bad input).
    #[error("refusing to publish results into {}: {why}, so it does not look like a snapsim results folder, and publishing replaces the whole folder; choose a new or empty folder with --out, or, if it really holds only snapsim results from an older version, mark it with `touch {}`", path.display(), path.join(MARKER).display())]
    NotResults {
        /// The target folder.
        path: PathBuf,
        /// What is found there instead (`it is not empty and has no
        /// .snapsim-results marker file (it holds a, b, …)`).
        why: String,
    },
}

impl OutputError {
    /// Whether the user asked for something refused (exit code 2) rather
    /// than the file system failing (exit code 1).
    pub fn is_bad_input(&self) -> bool {
        matches!(self, OutputError::NotResults { .. })
    }
}

fn io<T>(r: std::io::Result<T>, action: &'static str, path: &Path) -> Result<T, OutputError> {
    r.map_err(|cause| OutputError::Io {
        action,
        path: path.to_path_buf(),
        cause,
    })
}

/// Replaces the folder `dir` with one holding exactly `files` (name,
/// contents) plus [`MARKER`], as a whole (see the module doc).
///
/// # Errors
/// [`OutputError::NotResults`] if `dir` is a non-empty folder without the
/// marker or not a folder; [`OutputError::Io`] naming the path that failed.
/// Either way `dir` then holds its previous files.
pub fn publish(dir: &Path, files: &[(String, Vec<u8>)]) -> Result<(), OutputError> {
    publish_with(dir, files, false)
}

/// As [`publish`], but regular files already in `dir` that `files` does not
/// name are kept.
///
/// # Errors
/// As [`publish`].
pub fn write_files(dir: &Path, files: &[(String, Vec<u8>)]) -> Result<(), OutputError> {
    publish_with(dir, files, true)
}

/// Makes `dir` a results folder to be filled in place (a sweep's journal):
/// creates it with the marker when absent or empty, accepts it when marked.
///
/// # Errors
/// As [`publish`].
pub fn prepare(dir: &Path) -> Result<(), OutputError> {
    let target = Target::of(dir)?;
    target.recover()?;
    if target.check()? {
        return Ok(());
    }
    io(fs::create_dir_all(dir), "create directory", dir)?;
    let marker = dir.join(MARKER);
    io(fs::write(&marker, MARKER_TEXT), "write", &marker)
}

/// Checks that `dir` may be published into (absent, empty or marked),
/// without writing anything.
///
/// # Errors
/// As [`publish`].
pub fn check(dir: &Path) -> Result<(), OutputError> {
    Target::of(dir)?.check().map(|_| ())
}

/// The target folder, split into its parent and its name.
struct Target {
    /// The folder, resolved (absolute, symbolic links followed).
    dir: PathBuf,
    /// The folder as the user named it, for messages.
    shown: PathBuf,
    parent: PathBuf,
    base: String,
}

impl Target {
    fn of(dir: &Path) -> Result<Target, OutputError> {
        // `.`, `..` and `/` have no usable name: resolve them first.
        let resolved = match fs::canonicalize(dir) {
            Ok(p) => p,
            Err(_) => std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf()),
        };
        let (Some(parent), Some(name)) = (resolved.parent(), resolved.file_name()) else {
            return Err(OutputError::NotResults {
                path: dir.to_path_buf(),
                why: "it is the root of the file system".into(),
            });
        };
        Ok(Target {
            dir: resolved.clone(),
            shown: dir.to_path_buf(),
            parent: parent.to_path_buf(),
            base: name.to_string_lossy().into_owned(),
        })
    }

    fn staging(&self) -> PathBuf {
        self.parent
            .join(format!(".{}.staging-{}", self.base, std::process::id()))
    }

    fn old(&self) -> PathBuf {
        self.parent
            .join(format!(".{}.old-{}", self.base, std::process::id()))
    }

    /// `Ok(true)` if `dir` is a marked results folder, `Ok(false)` if it is
    /// absent or empty; [`OutputError::NotResults`] otherwise.
    fn check(&self) -> Result<bool, OutputError> {
        let meta = match fs::symlink_metadata(&self.dir) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
            other => io(other, "inspect", &self.dir)?,
        };
        if !meta.is_dir() {
            return Err(OutputError::NotResults {
                path: self.shown.clone(),
                why: "it exists and is not a folder".into(),
            });
        }
        let mut names: Vec<String> = io(fs::read_dir(&self.dir), "list", &self.dir)?
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        if names.iter().any(|n| n == MARKER) {
            return Ok(true);
        }
        if names.is_empty() {
            return Ok(false);
        }
        names.sort();
        let shown = names.len().min(3);
        let more = if names.len() > shown { ", …" } else { "" };
        Err(OutputError::NotResults {
            path: self.shown.clone(),
            why: format!(
                "it is not empty ({} entries: {}{more}) and has no {MARKER} marker file",
                names.len(),
                names[..shown].join(", ")
            ),
        })
    }

    /// Step 1: removes staging and old folders of processes that are gone;
    /// puts a complete old folder back if the target is missing.
    fn recover(&self) -> Result<(), OutputError> {
        let Ok(entries) = fs::read_dir(&self.parent) else {
            return Ok(());
        };
        let staging_prefix = format!(".{}.staging-", self.base);
        let old_prefix = format!(".{}.old-", self.base);
        let mut olds = Vec::new();
        for e in entries.filter_map(Result::ok) {
            let name = e.file_name().to_string_lossy().into_owned();
            let (is_old, pid) = if let Some(p) = name.strip_prefix(&staging_prefix) {
                (false, p)
            } else if let Some(p) = name.strip_prefix(&old_prefix) {
                (true, p)
            } else {
                continue;
            };
            let Ok(pid) = pid.parse::<u32>() else {
                continue;
            };
            if pid != std::process::id() && process_alive(pid) {
                continue; // another run is publishing right now
            }
            if is_old {
                olds.push(e.path());
            } else {
                io(
                    fs::remove_dir_all(e.path()),
                    "remove the stale staging folder",
                    &e.path(),
                )?;
            }
        }
        for old in olds {
            let target_missing = fs::symlink_metadata(&self.dir).is_err();
            if target_missing && old.join(MARKER).is_file() {
                io(
                    fs::rename(&old, &self.dir),
                    "put back the previous results folder",
                    &old,
                )?;
            } else {
                io(
                    fs::remove_dir_all(&old),
                    "remove the stale old results folder",
                    &old,
                )?;
            }
        }
        Ok(())
    }
}

/// Whether process `pid` still runs (Linux: `/proc/PID` exists). Where
/// `/proc` is absent every other process counts as gone.
fn process_alive(pid: u32) -> bool {
    Path::new("/proc/self").exists() && Path::new("/proc").join(pid.to_string()).exists()
}

/// The test hook of the module doc.
fn step(name: &str) {
    if let Some(ms) = std::env::var_os("SNAPSIM_PUBLISH_PAUSE_MS")
        .and_then(|v| v.to_str().and_then(|s| s.parse::<u64>().ok()))
    {
        eprintln!("publish: {name}");
        std::thread::sleep(std::time::Duration::from_millis(ms));
    }
}

fn publish_with(
    dir: &Path,
    files: &[(String, Vec<u8>)],
    keep_others: bool,
) -> Result<(), OutputError> {
    let target = Target::of(dir)?;
    target.recover()?;
    let exists = target.check()?;
    io(
        fs::create_dir_all(&target.parent),
        "create directory",
        &target.parent,
    )?;
    let staging = target.staging();
    if fs::symlink_metadata(&staging).is_ok() {
        io(
            fs::remove_dir_all(&staging),
            "remove stale staging folder",
            &staging,
        )?;
    }
    io(fs::create_dir(&staging), "create directory", &staging)?;
    let result = stage(dir, &staging, files, keep_others && exists)
        .and_then(|()| swap(&target, &staging, exists));
    if fs::symlink_metadata(&staging).is_ok() {
        let _ = fs::remove_dir_all(&staging);
    }
    result
}

/// Step 3: writes `files` (and, if `keep_from_dir`, the other regular files
/// of `dir`) and then the marker into `staging`.
fn stage(
    dir: &Path,
    staging: &Path,
    files: &[(String, Vec<u8>)],
    keep_from_dir: bool,
) -> Result<(), OutputError> {
    if keep_from_dir {
        for e in io(fs::read_dir(dir), "list", dir)?.filter_map(Result::ok) {
            let name = e.file_name();
            let keep = e.file_type().is_ok_and(|t| t.is_file())
                && name != MARKER
                && !files.iter().any(|(n, _)| name == n.as_str());
            if keep {
                let to = staging.join(&name);
                io(fs::copy(e.path(), &to), "copy", &e.path())?;
            }
        }
    }
    for (name, contents) in files {
        write_synced(&staging.join(name), contents.as_slice())?;
        step(&format!("staged {name}"));
    }
    write_synced(&staging.join(MARKER), MARKER_TEXT.as_bytes())?;
    sync_dir(staging);
    step("staged marker");
    Ok(())
}

fn write_synced(path: &Path, contents: &[u8]) -> Result<(), OutputError> {
    let mut f = io(fs::File::create(path), "create", path)?;
    io(f.write_all(contents), "write", path)?;
    io(f.sync_all(), "flush", path)
}

/// Flushes a folder's entries to disk where the platform allows it; a
/// failure only weakens durability after a power loss, not atomicity.
fn sync_dir(dir: &Path) {
    if let Ok(f) = fs::File::open(dir) {
        let _ = f.sync_all();
    }
}

/// Step 4: the staging folder takes the target's place.
fn swap(target: &Target, staging: &Path, exists: bool) -> Result<(), OutputError> {
    let dir = &target.dir;
    if !exists {
        // Absent or empty: an empty folder is removed so the rename can land.
        if fs::symlink_metadata(dir).is_ok() {
            io(fs::remove_dir(dir), "replace the empty folder", dir)?;
        }
        io(fs::rename(staging, dir), "rename into place", dir)?;
        sync_dir(&target.parent);
        step("renamed new in");
        return Ok(());
    }
    if exchange(staging, dir) {
        sync_dir(&target.parent);
        step("exchanged");
        // `staging` now holds the old files.
        io(
            fs::remove_dir_all(staging),
            "remove the old results",
            staging,
        )?;
        step("removed old");
        return Ok(());
    }
    let old = target.old();
    io(fs::rename(dir, &old), "rename the old results away", dir)?;
    step("renamed old away");
    io(fs::rename(staging, dir), "rename into place", dir)?;
    sync_dir(&target.parent);
    step("renamed new in");
    io(fs::remove_dir_all(&old), "remove the old results", &old)?;
    step("removed old");
    Ok(())
}

/// Swaps the names `a` and `b` atomically; false where unsupported.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> bool {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    if std::env::var_os("SNAPSIM_PUBLISH_NO_EXCHANGE").is_some() {
        return false;
    }
    let (Ok(a), Ok(b)) = (
        CString::new(a.as_os_str().as_bytes()),
        CString::new(b.as_os_str().as_bytes()),
    ) else {
        return false;
    };
    // SAFETY: both paths are valid NUL-terminated strings that outlive the
    // call; renameat2 reads them and touches no other memory.
    let rc = unsafe {
        libc::syscall(
            libc::SYS_renameat2,
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    rc == 0
}

#[cfg(not(target_os = "linux"))]
fn exchange(_a: &Path, _b: &Path) -> bool {
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn publish_replaces_the_whole_folder_and_write_files_keeps_the_rest() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("a/b/run");
        publish(&out, &[("x.txt".into(), b"one".to_vec())]).unwrap();
        assert_eq!(fs::read(out.join("x.txt")).unwrap(), b"one");
        assert_eq!(fs::read_to_string(out.join(MARKER)).unwrap(), MARKER_TEXT);
        write_files(&out, &[("y.txt".into(), b"two".to_vec())]).unwrap();
        assert_eq!(names(&out), [MARKER, "x.txt", "y.txt"]);
        publish(&out, &[("y.txt".into(), b"three".to_vec())]).unwrap();
        assert_eq!(names(&out), [MARKER, "y.txt"], "x.txt must not survive");
        assert_eq!(fs::read(out.join("y.txt")).unwrap(), b"three");
        assert_eq!(names(out.parent().unwrap()), ["run"], "no staging left");
    }

    #[test]
    fn stale_staging_of_a_dead_process_is_removed_and_an_old_set_restored() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("run");
        // pid 0 is never a user process: counts as gone.
        fs::create_dir(tmp.path().join(".run.staging-0")).unwrap();
        let old = tmp.path().join(".run.old-0");
        fs::create_dir(&old).unwrap();
        fs::write(old.join(MARKER), MARKER_TEXT).unwrap();
        fs::write(old.join("x.txt"), "old").unwrap();
        check(&out).unwrap();
        Target::of(&out).unwrap().recover().unwrap();
        assert_eq!(names(tmp.path()), ["run"]);
        assert_eq!(fs::read(out.join("x.txt")).unwrap(), b"old");
    }

    #[test]
    fn an_unmarked_non_empty_folder_or_a_file_is_refused_and_left_alone() {
        let tmp = tempfile::tempdir().unwrap();
        fs::write(tmp.path().join("precious.txt"), "mine").unwrap();
        let err = publish(tmp.path(), &[("x.txt".into(), vec![])]).unwrap_err();
        assert!(err.is_bad_input());
        let msg = err.to_string();
        assert!(
            msg.contains("precious.txt") && msg.contains(MARKER),
            "{msg}"
        );
        assert_eq!(names(tmp.path()), ["precious.txt"]);
        let err = publish(&tmp.path().join("precious.txt"), &[]).unwrap_err();
        assert!(err.to_string().contains("not a folder"), "{err}");
        let err = publish(Path::new("/"), &[]).unwrap_err();
        assert!(err.is_bad_input(), "{err}");
        // An empty folder is fine.
        let empty = tmp.path().join("empty");
        fs::create_dir(&empty).unwrap();
        publish(&empty, &[("x.txt".into(), b"1".to_vec())]).unwrap();
        assert_eq!(names(&empty), [MARKER, "x.txt"]);
    }

    #[test]
    fn a_failing_write_leaves_no_target() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("run");
        // A file name with a separator into a missing folder cannot be created.
        let err = publish(&out, &[("missing/x".into(), vec![])]).unwrap_err();
        assert!(err.to_string().contains("missing"), "{err}");
        assert!(!out.exists());
        assert!(names(tmp.path()).is_empty(), "no staging left");
    }

    #[test]
    fn prepare_marks_a_new_folder_and_refuses_a_foreign_one() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("sweep");
        prepare(&out).unwrap();
        assert_eq!(names(&out), [MARKER]);
        prepare(&out).unwrap();
        fs::write(tmp.path().join("f"), "x").unwrap();
        assert!(prepare(tmp.path()).unwrap_err().is_bad_input());
    }
}
