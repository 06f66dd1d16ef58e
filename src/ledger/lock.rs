//! The lock file beside the ledger that lets one sending run at a time
//! through.
//!
//! It is a separate file, never the database itself: SQLite's own locks
//! last one transaction, while this one lasts the whole run, so a second
//! run cannot mistake the first one's `sending` entries for a dead run's.
//! The operating system releases it when the process ends, even by
//! SIGKILL, so a stale lock cannot outlive its holder.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context;

/// The lock file's name in the data directory.
pub const LOCK_FILE: &str = "ledger.lock";

/// How often a waiting run tries the lock again.
const POLL_INTERVAL: Duration = Duration::from_millis(100);

/// Another run holds the lock; maps to exit code 5.
#[derive(Debug, thiserror::Error)]
#[error("another drippulse run (pid {holder}) is using the ledger in {dir}; wait for it to finish, or pass --lock-wait SECS to wait for it")]
pub struct LockHeld {
    /// The holder's process id and host as it wrote them, or "unknown".
    pub holder: String,
    pub dir: String,
}

/// A held lock, released when dropped.
#[derive(Debug)]
pub struct LedgerLock {
    file: File,
    path: PathBuf,
}

impl LedgerLock {
    /// Takes the lock in `data_dir`, waiting up to `wait` for another run
    /// to release it. Fails with [`LockHeld`] when the wait runs out.
    pub fn acquire(data_dir: &Path, wait: Duration) -> anyhow::Result<LedgerLock> {
        crate::fsutil::create_private_dir(data_dir)?;
        let path = data_dir.join(LOCK_FILE);
        crate::fsutil::touch_private_file(&path)?;
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .open(&path)
            .with_context(|| format!("failed to open the lock file {}", path.display()))?;

        let deadline = Instant::now() + wait;
        loop {
            match file.try_lock() {
                Ok(()) => break,
                Err(TryLockError::WouldBlock) if Instant::now() < deadline => {
                    std::thread::sleep(POLL_INTERVAL);
                }
                Err(TryLockError::WouldBlock) => {
                    // The holder writes its pid just after taking the lock;
                    // give it a moment if the file is still empty.
                    let mut holder = read_holder(&mut file);
                    if holder.is_empty() {
                        std::thread::sleep(POLL_INTERVAL);
                        holder = read_holder(&mut file);
                    }
                    let holder = holder.trim();
                    return Err(LockHeld {
                        holder: if holder.is_empty() {
                            "unknown".to_string()
                        } else {
                            holder.to_string()
                        },
                        dir: data_dir.display().to_string(),
                    }
                    .into());
                }
                Err(TryLockError::Error(error)) => {
                    return Err(error)
                        .with_context(|| format!("failed to lock {}", path.display()));
                }
            }
        }

        // Record the holder, for the message a waiting run prints.
        file.set_len(0)?;
        file.seek(SeekFrom::Start(0))?;
        write!(file, "{}", std::process::id())?;
        file.flush()?;
        Ok(LedgerLock { file, path })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

fn read_holder(file: &mut File) -> String {
    let mut holder = String::new();
    let _ = file.seek(SeekFrom::Start(0));
    let _ = file.read_to_string(&mut holder);
    holder
}

impl Drop for LedgerLock {
    fn drop(&mut self) {
        let _ = self.file.set_len(0);
        let _ = self.file.unlock();
    }
}
