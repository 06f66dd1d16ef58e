//! Creating files and directories that hold personal data.

use std::fs;
use std::path::Path;

use anyhow::Context;

/// Creates `dir` and its parents, readable by the owner only on Unix.
pub fn create_private_dir(dir: &Path) -> anyhow::Result<()> {
    if dir.as_os_str().is_empty() || dir.is_dir() {
        return Ok(());
    }
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder
        .create(dir)
        .with_context(|| format!("failed to create the directory {}", dir.display()))
}

/// Creates `path` if it does not exist, with mode 0600 on Unix, so that
/// SQLite opens a file nobody else can read. An existing file is left as it is.
pub fn touch_private_file(path: &Path) -> anyhow::Result<()> {
    let mut options = fs::OpenOptions::new();
    options.append(true).create(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options
        .open(path)
        .with_context(|| format!("failed to create {}", path.display()))?;
    Ok(())
}

/// Creates (or truncates) `path` for writing, with mode 0600 on Unix. An
/// existing file is set to 0600 too, since the mode given at open applies
/// only to new files and the contents will be personal data.
pub fn create_private_file(path: &Path) -> anyhow::Result<fs::File> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let file = options
        .open(path)
        .with_context(|| format!("failed to create {}", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(fs::Permissions::from_mode(0o600))
            .with_context(|| format!("failed to restrict the permissions of {}", path.display()))?;
    }
    Ok(file)
}
