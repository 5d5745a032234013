//! Opening input files safely: scenario files and traces are read only if
//! they are regular files. A FIFO, a directory or a device (`/dev/zero`,
//! a terminal) is refused at once with a message, instead of blocking on an
//! open or a read that never ends, or reading without end.
//!
//! On Unix the file is opened with `O_NONBLOCK` and then checked with
//! `fstat`, so opening a FIFO without a writer cannot block and there is no
//! window between the check and the open. `O_NONBLOCK` has no effect on
//! reads of a regular file.

use std::fs::File;
use std::path::Path;

/// Why an input file was not opened.
#[derive(Debug)]
pub enum InputProblem {
    /// The path names something other than a regular file.
    NotRegular {
        /// What it is: `a directory`, `a FIFO (named pipe)`, …
        kind: &'static str,
    },
    /// The file cannot be opened or inspected.
    Io(std::io::Error),
}

impl std::fmt::Display for InputProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            InputProblem::NotRegular { kind } => write!(f, "it is {kind}, not a regular file"),
            InputProblem::Io(e) => write!(f, "{e}"),
        }
    }
}

/// Opens `path` for reading if it is a regular file (symbolic links are
/// followed); returns it with its size [B].
///
/// # Errors
/// [`InputProblem::NotRegular`] for a directory, FIFO, socket or device;
/// [`InputProblem::Io`] if it cannot be opened.
pub fn open_regular(path: &Path) -> Result<(File, u64), InputProblem> {
    let file = open_nonblocking(path).map_err(|e| {
        if path.is_dir() {
            InputProblem::NotRegular {
                kind: "a directory",
            }
        } else {
            InputProblem::Io(e)
        }
    })?;
    let meta = file.metadata().map_err(InputProblem::Io)?;
    if !meta.is_file() {
        return Err(InputProblem::NotRegular {
            kind: kind_of(&meta),
        });
    }
    Ok((file, meta.len()))
}

#[cfg(unix)]
fn open_nonblocking(path: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
}

#[cfg(not(unix))]
fn open_nonblocking(path: &Path) -> std::io::Result<File> {
    // Elsewhere, refuse what is not a regular file before opening it.
    match std::fs::metadata(path) {
        Ok(m) if !m.is_file() => Err(std::io::Error::other(format!(
            "{}, not a regular file",
            kind_of(&m)
        ))),
        _ => File::open(path),
    }
}

#[cfg(unix)]
fn kind_of(meta: &std::fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    if t.is_dir() {
        "a directory"
    } else if t.is_fifo() {
        "a FIFO (named pipe)"
    } else if t.is_socket() {
        "a socket"
    } else if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else {
        "not a regular file"
    }
}

#[cfg(not(unix))]
fn kind_of(meta: &std::fs::Metadata) -> &'static str {
    if meta.is_dir() {
        "a directory"
    } else {
        "a special file"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regular_files_open_and_everything_else_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("a.txt");
        std::fs::write(&f, "abc").unwrap();
        assert_eq!(open_regular(&f).unwrap().1, 3);
        let e = open_regular(dir.path()).unwrap_err();
        assert_eq!(e.to_string(), "it is a directory, not a regular file");
        #[cfg(unix)]
        {
            let e = open_regular(Path::new("/dev/zero")).unwrap_err();
            assert_eq!(
                e.to_string(),
                "it is a character device, not a regular file"
            );
        }
        assert!(matches!(
            open_regular(&dir.path().join("missing")),
            Err(InputProblem::Io(_))
        ));
    }
}
