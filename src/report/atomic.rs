//! Writes a set of files into a directory so that readers see either the old
//! files or the complete new ones, never a half-written file.
//!
//! All files are first written into a staging directory beside the target.
//! If the target does not exist yet, the staging directory is renamed onto it
//! (one atomic step). Otherwise each file is renamed into the target (each
//! rename atomic); the staging directory is then removed.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use thiserror::Error;

/// A file-system failure, with the path it concerns.
#[derive(Debug, Error)]
#[error("cannot {action} {path} ({cause})")]
pub struct OutputError {
    /// What was being done (`create directory`, `write`, `rename`).
    pub action: &'static str,
    /// The path concerned.
    pub path: PathBuf,
    /// The underlying error (in the message, so not chained again).
    pub cause: std::io::Error,
}

fn io<T>(r: std::io::Result<T>, action: &'static str, path: &Path) -> Result<T, OutputError> {
    r.map_err(|cause| OutputError {
        action,
        path: path.to_path_buf(),
        cause,
    })
}

/// Writes `files` (name, contents) into `dir`, atomically per the module doc.
///
/// # Errors
/// [`OutputError`] naming the path that failed; the target then holds either
/// its previous files or none.
pub fn write_files(dir: &Path, files: &[(String, Vec<u8>)]) -> Result<(), OutputError> {
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    io(fs::create_dir_all(&parent), "create directory", &parent)?;
    let base = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".to_string());
    let staging = parent.join(format!(".{base}.staging-{}", std::process::id()));
    if staging.exists() {
        io(
            fs::remove_dir_all(&staging),
            "remove stale staging directory",
            &staging,
        )?;
    }
    io(fs::create_dir(&staging), "create directory", &staging)?;
    let result = stage_and_publish(dir, &staging, files);
    if staging.exists() {
        let _ = fs::remove_dir_all(&staging);
    }
    result
}

fn stage_and_publish(
    dir: &Path,
    staging: &Path,
    files: &[(String, Vec<u8>)],
) -> Result<(), OutputError> {
    for (name, contents) in files {
        let path = staging.join(name);
        let mut f = io(fs::File::create(&path), "create", &path)?;
        io(f.write_all(contents), "write", &path)?;
        io(f.sync_all(), "flush", &path)?;
    }
    if !dir.exists() {
        return io(fs::rename(staging, dir), "rename into place", dir);
    }
    for (name, _) in files {
        let target = dir.join(name);
        io(
            fs::rename(staging.join(name), &target),
            "rename into place",
            &target,
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_a_new_directory_and_replaces_files_in_an_existing_one() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("a/b/run");
        write_files(&out, &[("x.txt".into(), b"one".to_vec())]).unwrap();
        assert_eq!(fs::read(out.join("x.txt")).unwrap(), b"one");
        fs::write(out.join("keep.txt"), "mine").unwrap();
        write_files(&out, &[("x.txt".into(), b"two".to_vec())]).unwrap();
        assert_eq!(fs::read(out.join("x.txt")).unwrap(), b"two");
        assert_eq!(fs::read(out.join("keep.txt")).unwrap(), b"mine");
        let leftovers: Vec<_> = fs::read_dir(out.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(
            leftovers.len(),
            1,
            "no staging directory left: {leftovers:?}"
        );
    }

    #[test]
    fn a_failing_write_leaves_no_target() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("run");
        // A file name with a separator into a missing folder cannot be created.
        let err = write_files(&out, &[("missing/x".into(), vec![])]).unwrap_err();
        assert!(err.to_string().contains("missing"), "{err}");
        assert!(!out.exists());
    }
}
