//! Keeping a database: rebuilding the projections, checking the hash chains, loading a
//! generated county, backing up and restoring. The command line only.

use crate::{AdminError, App, AppError, Caller};
use hearth_domain::access::UserName;
use hearth_domain::event::Event;
use hearth_domain::org::Organisation;
use hearth_store::{ChainReport, RebuildReport, StoreError};
use jiff::Timestamp;
use jiff::civil::Date;
use std::path::{Path, PathBuf};

pub use hearth_store::backup::Copied;

/// What a refused maintenance task is logged against.
const DATABASE: &str = "database";

/// How far a database has got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatabaseState {
    /// No events and no organisation: new.
    Empty,
    /// Events but no organisation: a generation stopped part-way (it stores the
    /// organisation last).
    Unfinished,
    /// An organisation is stored.
    Complete,
}

/// A county being generated into an empty database (see [`App::new_county`]).
pub struct NewCounty<'a> {
    app: &'a App,
}

impl NewCounty<'_> {
    /// Append the generated events as their batches arrive, each batch all or nothing
    /// (every subject's events in one batch). `loaded` hears the size of each batch once
    /// it has committed. The store may fill the due cache as it goes, for a first list as
    /// at `as_at` under `organisation` (the one `finish` will store). Returns the number
    /// of events written.
    pub async fn load(
        &self,
        batches: tokio::sync::mpsc::Receiver<Vec<Event>>,
        loaded: &(dyn Fn(u64) + Send + Sync),
        organisation: &Organisation,
        as_at: Date,
    ) -> Result<u64, AppError> {
        let due = crate::due::clocks_for(organisation, as_at)?;
        Ok(self.app.store().load(batches, loaded, Some(due)).await?)
    }

    /// Store the county's organisation, once every event is in: a database without one
    /// is known to be unfinished ([`DatabaseState::Unfinished`]).
    pub async fn finish(self, organisation: &Organisation) -> Result<(), AppError> {
        Ok(self.app.store().put_organisation(organisation).await?)
    }
}

impl App {
    /// Recreate every projection from the journal.
    pub async fn rebuild(
        &self,
        caller: &Caller,
        now: Timestamp,
    ) -> Result<RebuildReport, AppError> {
        self.check_command_line(caller, now, DATABASE).await?;
        Ok(self.store().rebuild().await?)
    }

    /// Walk the hash chains of the journal and the access log.
    pub async fn verify_chains(
        &self,
        caller: &Caller,
        now: Timestamp,
    ) -> Result<ChainReport, AppError> {
        self.check_command_line(caller, now, DATABASE).await?;
        Ok(self.store().verify_chains().await?)
    }

    /// Whether the database is new, left unfinished by a generation, or complete.
    pub async fn database_state(
        &self,
        caller: &Caller,
        now: Timestamp,
    ) -> Result<DatabaseState, AppError> {
        self.check_command_line(caller, now, DATABASE).await?;
        if self.store().organisation().await?.is_some() {
            return Ok(DatabaseState::Complete);
        }
        Ok(match self.store().count_events().await? {
            0 => DatabaseState::Empty,
            _ => DatabaseState::Unfinished,
        })
    }

    /// Begin generating a county into this database; refused unless it holds no
    /// events, so that a county is never mixed into real records or another county.
    pub async fn new_county(
        &self,
        caller: &Caller,
        now: Timestamp,
    ) -> Result<NewCounty<'_>, AdminError> {
        self.check_command_line(caller, now, DATABASE).await?;
        let existing = self.store().count_events().await?;
        if existing > 0 {
            return Err(AdminError::NotEmpty(existing));
        }
        Ok(NewCounty { app: self })
    }

    /// Whether there is a user called `name`.
    pub async fn user_exists(
        &self,
        caller: &Caller,
        now: Timestamp,
        name: &UserName,
    ) -> Result<bool, AppError> {
        self.check_command_line(caller, now, "accounts").await?;
        Ok(self.store().user(name).await?.is_some())
    }
}

/// Copy the SQLite database `db` names to the new file `out`, consistently, while it
/// may be in use. PostgreSQL is refused with one sentence naming its own tools.
pub async fn backup(db: &str, out: &Path) -> Result<Copied, AdminError> {
    let path = sqlite_path(
        db,
        "hearth backup copies SQLite databases only: back up PostgreSQL with its own tools, pg_dump for a copy or continuous archiving (pg_basebackup and WAL archiving) for recovery to any moment",
    )?;
    Ok(hearth_store::backup::backup_sqlite(path, out).await?)
}

/// Restore the backup `file` as the new SQLite database `db` names, once its hash chains
/// are checked; never over an existing database. PostgreSQL is refused with one
/// sentence naming its own tools. Returns what was copied and the database's path.
pub async fn restore(file: &Path, db: &str) -> Result<(Copied, PathBuf), AdminError> {
    let path = sqlite_path(
        db,
        "hearth restore writes SQLite databases only: restore PostgreSQL with its own tools (pg_restore or psql for a pg_dump copy)",
    )?;
    let copied = hearth_store::backup::restore_sqlite(file, path).await?;
    Ok((copied, path.to_owned()))
}

/// The SQLite path `db` names, or the refusal `postgres` for a PostgreSQL URL.
fn sqlite_path<'a>(db: &'a str, postgres: &'static str) -> Result<&'a Path, AdminError> {
    if hearth_store::is_postgres_url(db) {
        return Err(AdminError::UseEngineTools(postgres));
    }
    match db.split_once("://") {
        None => Ok(Path::new(db)),
        Some(("sqlite", path)) if !path.is_empty() => Ok(Path::new(path)),
        Some(_) => Err(StoreError::BadUrl(db.to_owned()).into()),
    }
}
