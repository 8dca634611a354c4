//! Backing up and restoring a SQLite database. A backup is a consistent copy taken from
//! one read transaction (`VACUUM INTO`), so it may be taken while the database is being
//! served; a restore checks a copy (a SQLite file, Hearth's tables, every hash chain
//! intact) before it becomes anyone's database. Neither ever overwrites a file, and
//! neither leaves a half-written one: each writes under a temporary name and links the
//! finished file into place only when it is whole.
//!
//! PostgreSQL is backed up with its own tools (`pg_dump`, continuous archiving).

use crate::StoreError;
use crate::chain::{Chain, ChainStatus};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePool, SqlitePoolOptions};
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("there is no database at {0}")]
    NoDatabase(String),
    #[error("there is no backup at {0}")]
    NoBackup(String),
    #[error("{0} already exists; give a new file name (a backup never overwrites a file)")]
    OutExists(String),
    #[error(
        "there is already a database at {0}; restore into a new path (a restore never overwrites a database)"
    )]
    DbExists(String),
    #[error("{0} is not a Hearth database")]
    NotHearth(String),
    #[error("{path} is damaged ({reason}), so it was not restored")]
    Damaged { path: String, reason: String },
    #[error(
        "{path} was changed after Hearth wrote it (its {chain} chain is broken: {reason}), so it was not restored"
    )]
    Tampered {
        path: String,
        chain: &'static str,
        reason: String,
    },
    #[error("{0} is not a path Hearth can hand to SQLite (it is not UTF-8)")]
    BadPath(String),
    #[error("could not write {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What a backup or restore copied: the rows of the journal and of the access log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Copied {
    pub events: u64,
    pub access_log: u64,
}

/// Copy the SQLite database at `db` to a new file `out`, consistently, while it may be
/// in use.
pub async fn backup_sqlite(db: &Path, out: &Path) -> Result<Copied, BackupError> {
    if !db.is_file() {
        return Err(BackupError::NoDatabase(db.display().to_string()));
    }
    refuse_existing(out, BackupError::OutExists)?;
    let partial = Partial::beside(out, "partial")?;
    let source = connect(db).await?;
    if !is_hearth(&source).await? {
        return Err(BackupError::NotHearth(db.display().to_string()));
    }
    let into = partial
        .path
        .to_str()
        .ok_or_else(|| BackupError::BadPath(out.display().to_string()))?;
    // One statement, one read transaction: writers go on meanwhile (WAL), and the copy
    // is the database as it stood when the statement began.
    sqlx::query("VACUUM INTO ?")
        .bind(into)
        .execute(&source)
        .await?;
    source.close().await;
    let copy = connect(&partial.path).await?;
    let copied = heads(&copy).await?;
    copy.close().await;
    partial.finish(out, BackupError::OutExists)?;
    Ok(copied)
}

/// Restore the backup `file` as a new SQLite database at `db`, after checking that it is
/// a whole Hearth database whose hash chains are intact.
pub async fn restore_sqlite(file: &Path, db: &Path) -> Result<Copied, BackupError> {
    if !file.is_file() {
        return Err(BackupError::NoBackup(file.display().to_string()));
    }
    refuse_existing(db, BackupError::DbExists)?;
    // A write-ahead log left beside the path would be read into the restored database.
    for suffix in ["-wal", "-shm", "-journal"] {
        refuse_existing(&with_suffix(db, suffix), BackupError::DbExists)?;
    }
    let partial = Partial::beside(db, "restoring")?;
    std::fs::copy(file, &partial.path).map_err(|source| BackupError::Io {
        path: partial.path.display().to_string(),
        source,
    })?;
    let name = file.display().to_string();
    let copy = match connect(&partial.path).await {
        Ok(copy) => copy,
        Err(BackupError::Database(e)) => return Err(unreadable(e, &name)),
        Err(e) => return Err(e),
    };
    let checked = check(&copy, &name).await;
    copy.close().await;
    let copied = checked?;
    partial.finish(db, BackupError::DbExists)?;
    Ok(copied)
}

/// Whether the copy is a SQLite file, not damaged, Hearth's, with both chains intact.
async fn check(copy: &SqlitePool, name: &str) -> Result<Copied, BackupError> {
    let verdict: Vec<String> = sqlx::query_scalar("PRAGMA quick_check")
        .fetch_all(copy)
        .await
        .map_err(|e| unreadable(e, name))?;
    if verdict.first().map(String::as_str) != Some("ok") {
        return Err(BackupError::Damaged {
            path: name.to_owned(),
            reason: verdict.join("; "),
        });
    }
    if !is_hearth(copy).await? {
        return Err(BackupError::NotHearth(name.to_owned()));
    }
    for chain in [Chain::Journal, Chain::AccessLog] {
        if let ChainStatus::Broken { reason, .. } = crate::chain::verify_chain(copy, chain).await? {
            return Err(BackupError::Tampered {
                path: name.to_owned(),
                chain: match chain {
                    Chain::Journal => "journal",
                    Chain::AccessLog => "access log",
                },
                reason,
            });
        }
    }
    heads(copy).await
}

/// Why SQLite could not read a copy: not a database at all (SQLITE_NOTADB), or damaged.
fn unreadable(e: sqlx::Error, name: &str) -> BackupError {
    match &e {
        sqlx::Error::Database(d) if d.code().as_deref() == Some("26") => {
            BackupError::NotHearth(name.to_owned())
        }
        _ => BackupError::Damaged {
            path: name.to_owned(),
            reason: e.to_string(),
        },
    }
}

/// One connection, never creating a file, never changing the journal mode.
async fn connect(path: &Path) -> Result<SqlitePool, BackupError> {
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(false)
        .busy_timeout(Duration::from_secs(30));
    Ok(SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await?)
}

/// Whether the database holds Hearth's journal, chain heads and migrations.
async fn is_hearth(pool: &SqlitePool) -> Result<bool, BackupError> {
    let tables: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' \
         AND name IN ('journal', 'access_log', 'chain_head', '_sqlx_migrations')",
    )
    .fetch_one(pool)
    .await?;
    Ok(tables == 4)
}

/// How many rows each chain holds, as its head says.
async fn heads(pool: &SqlitePool) -> Result<Copied, BackupError> {
    let rows: Vec<(String, i64)> = sqlx::query_as("SELECT chain, seq FROM chain_head")
        .fetch_all(pool)
        .await?;
    let seq = |name: &str| {
        rows.iter()
            .find(|(c, _)| c == name)
            .map_or(0, |(_, s)| u64::try_from(*s).unwrap_or(0))
    };
    Ok(Copied {
        events: seq(Chain::Journal.name()),
        access_log: seq(Chain::AccessLog.name()),
    })
}

fn refuse_existing(path: &Path, error: fn(String) -> BackupError) -> Result<(), BackupError> {
    // symlink_metadata: a dangling link is still something not to overwrite.
    if std::fs::symlink_metadata(path).is_ok() {
        return Err(error(path.display().to_string()));
    }
    Ok(())
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// A file being written under a temporary name beside where it will go; removed unless
/// finished.
struct Partial {
    path: PathBuf,
    finished: bool,
}

impl Partial {
    fn beside(target: &Path, what: &str) -> Result<Partial, BackupError> {
        let name = target
            .file_name()
            .ok_or_else(|| BackupError::BadPath(target.display().to_string()))?;
        let dir = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        // Absolute, so that SQLite never reads the name as a URI.
        let dir = std::path::absolute(&dir).map_err(|source| BackupError::Io {
            path: dir.display().to_string(),
            source,
        })?;
        let mut file = std::ffi::OsString::from(".");
        file.push(name);
        file.push(format!(".{what}-{}", std::process::id()));
        let path = dir.join(file);
        // Left by an earlier run of this process id that was killed: never anyone's data.
        let _ = std::fs::remove_file(&path);
        Ok(Partial {
            path,
            finished: false,
        })
    }

    /// Make the finished file durable and link it in at `target`, which must not exist
    /// (a link, unlike a rename, never replaces a file that appeared meanwhile).
    fn finish(
        mut self,
        target: &Path,
        exists: fn(String) -> BackupError,
    ) -> Result<(), BackupError> {
        let io = |path: &Path| {
            let path = path.display().to_string();
            move |source| BackupError::Io { path, source }
        };
        std::fs::File::open(&self.path)
            .and_then(|f| f.sync_all())
            .map_err(io(&self.path))?;
        match std::fs::hard_link(&self.path, target) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                return Err(exists(target.display().to_string()));
            }
            Err(e) => return Err(io(target)(e)),
        }
        self.finished = true;
        std::fs::remove_file(&self.path).map_err(io(&self.path))?;
        if let Some(dir) = self.path.parent() {
            // The new name is durable once its directory is.
            std::fs::File::open(dir)
                .and_then(|d| d.sync_all())
                .map_err(io(dir))?;
        }
        Ok(())
    }
}

impl Drop for Partial {
    fn drop(&mut self) {
        if !self.finished {
            let _ = std::fs::remove_file(&self.path);
            for suffix in ["-journal", "-wal", "-shm"] {
                let _ = std::fs::remove_file(with_suffix(&self.path, suffix));
            }
        }
    }
}
