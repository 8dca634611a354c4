//! Hearth's store: the append-only journal of every journey, the projections folded from
//! it (kept in the same transaction), the organisation document and the access log.
//!
//! The `Store` trait is what the web and the CLI use; `SqliteStore` is the embedded
//! default. A backend must never accept an event the domain validator refuses, never
//! change or delete a journal row, and never acknowledge a write before it commits.
//! Each store has one writer task (`writer`) that commits the writes arriving together
//! in one transaction.

mod access_control;
pub mod backup;
mod bulk;
mod chain;
mod organisation;
mod postgres;
mod projection;
mod sqlite;
mod write;
mod writer;

pub use access_control::{AccessControl, Lockout, Restrictions, Session};
pub use chain::{ChainReport, ChainStatus};
pub use organisation::OrganisationVersion;
pub use postgres::PgStore;
pub use sqlite::SqliteStore;
pub use writer::{Writer, WriterHold};

use async_trait::async_trait;
use hearth_domain::access::{Role, UserName};
use hearth_domain::event::Event;
use hearth_domain::ids::{ChildId, Subject, TeamId, WorkerId};
use hearth_domain::journey::{ChildState, JourneyError};
use hearth_domain::org::{FROM_THE_START, History, Organisation};
use hearth_domain::people::Name;
use jiff::Timestamp;
use jiff::civil::Date;
use std::io::Write;
use std::sync::Arc;

/// How many events a subject's journey holds; a write names the version it was based on.
pub type Version = u64;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "the record of {subject} changed while you were working on it (you had version {expected}, it is now {actual}); reload and try again"
    )]
    Conflict {
        subject: Subject,
        expected: Version,
        actual: Version,
    },
    #[error("{0}")]
    Invalid(#[from] JourneyError),
    #[error("event {0} is already in the journal")]
    DuplicateEvent(String),
    #[error("the events of one append must all be for the same subject")]
    MixedSubjects,
    #[error(
        "'{0}' is not a database: give a path to a SQLite file (or sqlite://PATH), or a postgres:// URL"
    )]
    BadUrl(String),
    #[error(
        "the database holds a stored record that cannot be read ({0}); run `hearth rebuild` or restore from backup"
    )]
    Corrupt(String),
    #[error("there is already a user called {0}")]
    UserExists(String),
    #[error("there is no user called {0}")]
    NoSuchUser(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// The transaction a write shared with others failed, so none of them committed.
    #[error("the write was not committed ({0})")]
    NotCommitted(String),
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("could not write the export: {0}")]
    Io(#[from] std::io::Error),
}

/// A child as listed in search results and caseloads.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ChildSummary {
    pub id: ChildId,
    pub name: Name,
    pub date_of_birth: Option<Date>,
    pub expected_date_of_birth: Option<Date>,
    pub postcode: Option<String>,
    pub open_work: Vec<String>,
    pub worker: Option<WorkerId>,
    pub team: Option<TeamId>,
}

/// Whose children a due list covers: everyone's, or those allocated to one team or one
/// worker (the child's current allocation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeldBy {
    Anyone,
    Team(TeamId),
    Worker(WorkerId),
}

/// Hands each child's journey over as it is read; see `Store::unsettled_journeys`.
pub type JourneySink<'a> = dyn FnMut(&ChildSummary, Vec<Event>) + Send + 'a;

/// Which cached due clocks a due list can use: those worked out under the rules and
/// calendar `fingerprint` names, from journeys whose last event is on or before `as_at`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DueCacheKey<'a> {
    pub fingerprint: &'a str,
    pub as_at: Date,
}

/// What a due list gets for one child: the child's cached due clocks (JSON, as
/// `hearth_domain::obligations::DueClocks` writes them) when they are fresh and usable,
/// otherwise the journey and the version it was read at, and whether the cache holds
/// fresh clocks all the same (usable only from a later day), which need no writing.
#[derive(Debug, Clone, PartialEq)]
pub enum DueSource {
    Cached(String),
    Journey {
        events: Vec<Event>,
        version: Version,
        cached: bool,
    },
}

/// Hands each child over as it is read; see `Store::unsettled_due`.
pub type DueSink<'a> = dyn FnMut(&ChildSummary, DueSource) + Send + 'a;

/// One row of the due cache: a child's due clocks as their journey stood at `version`,
/// worked out under the rules and calendar `fingerprint` names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueClocksRow {
    pub child: ChildId,
    pub version: Version,
    pub fingerprint: String,
    /// The date of the journey's last event.
    pub last_date: Date,
    pub clocks: String,
}

/// A child's folded state with the journal version it reflects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChildRecord {
    pub state: ChildState,
    pub version: Version,
}

/// A user as stored: the password only as its argon2id hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub name: UserName,
    pub role: Role,
    pub password_hash: String,
    pub created_at: Timestamp,
}

/// A bearer token as stored: only the SHA-256 of the token, and a label by which it is
/// listed and revoked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    pub token_hash: String,
    pub label: String,
    pub user: UserName,
    pub created_at: Timestamp,
}

/// What `rebuild` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RebuildReport {
    pub events: u64,
    pub children: u64,
    pub families: u64,
}

#[async_trait]
pub trait Store: AccessControl + Send + Sync {
    /// Append events to one subject's journey, provided it still has `expected` events.
    /// Validated against the whole journey; the projection is updated in the same
    /// transaction. Returns the new version.
    async fn append(&self, expected: Version, events: Vec<Event>) -> Result<Version, StoreError>;

    /// Append a batch of events for any number of subjects, in order, all or nothing
    /// (journal import, the synthetic county). Returns the number of events written.
    async fn append_batch(&self, events: Vec<Event>) -> Result<u64, StoreError>;

    /// Load batches of new journeys as they arrive, each batch all or nothing
    /// (`hearth generate`): every subject's events come in one batch, and no subject may
    /// already have events. `loaded` hears the size of each batch once it has committed.
    /// Returns the number of events written. A backend may prepare one batch while it
    /// writes the one before.
    async fn load(
        &self,
        mut batches: tokio::sync::mpsc::Receiver<Vec<Event>>,
        loaded: &(dyn Fn(u64) + Send + Sync),
    ) -> Result<u64, StoreError> {
        let mut events = 0;
        while let Some(batch) = batches.recv().await {
            let n = self.append_batch(batch).await?;
            events += n;
            loaded(n);
        }
        Ok(events)
    }

    /// A subject's journey in journal order, and its version.
    async fn journey(&self, subject: &Subject) -> Result<(Vec<Event>, Version), StoreError>;

    async fn child(&self, id: &ChildId) -> Result<Option<ChildRecord>, StoreError>;

    /// Children whose name, NHS number, id or date of birth (YYYY-MM-DD) matches `query`.
    async fn search_children(
        &self,
        query: &str,
        limit: u32,
    ) -> Result<Vec<ChildSummary>, StoreError>;

    async fn count_events(&self) -> Result<u64, StoreError>;

    async fn count_children(&self) -> Result<u64, StoreError>;

    /// Write the journal, one event a line in journal order (one child's only, if given).
    async fn export_journal(
        &self,
        child: Option<&ChildId>,
        out: &mut (dyn Write + Send),
    ) -> Result<u64, StoreError>;

    /// Recreate every projection from the journal.
    async fn rebuild(&self) -> Result<RebuildReport, StoreError>;

    /// Every projection row, as text, in a fixed order: for proving that rebuilding gives
    /// the same projections as incremental updates.
    async fn projection_dump(&self) -> Result<Vec<String>, StoreError>;

    /// The organisation as its latest version has it (the version with the latest first
    /// day): for naming teams and workers. Due dates use [`Store::organisation_history`].
    async fn organisation(&self) -> Result<Option<Organisation>, StoreError>;

    /// Every stored version of the organisation, in the order they were stored.
    async fn organisation_versions(&self) -> Result<Vec<OrganisationVersion>, StoreError>;

    /// Store `org` as a new version in force from `from`, keeping every earlier one.
    /// Returns its revision.
    async fn add_organisation_version(
        &self,
        org: &Organisation,
        from: Date,
    ) -> Result<u64, StoreError>;

    /// A number that changes whenever a version of the organisation is stored (0 before
    /// any is), so that a copy kept in memory knows when to read it again.
    async fn organisation_revision(&self) -> Result<u64, StoreError>;

    /// Store `org` as a version in force from the start (`hearth generate` does).
    async fn put_organisation(&self, org: &Organisation) -> Result<(), StoreError> {
        self.add_organisation_version(org, FROM_THE_START)
            .await
            .map(|_| ())
    }

    /// Every version with its first day: which is in force on each day.
    async fn organisation_history(&self) -> Result<History, StoreError> {
        let versions = self.organisation_versions().await?;
        Ok(History::new(
            versions.into_iter().map(|v| (v.from, v.organisation)),
        ))
    }

    /// Walk the hash chains of the journal and the access log and report, for each, that
    /// it is intact or the first row where it breaks.
    async fn verify_chains(&self) -> Result<ChainReport, StoreError>;

    /// Append one chained access-log row for each of `targets` (a subject's id, a
    /// route, or "session"), all in one transaction: the one way rows reach the log.
    async fn log_access_rows(
        &self,
        at: Timestamp,
        actor: &str,
        targets: &[String],
        action: &str,
    ) -> Result<(), StoreError>;

    /// Record that `actor` did `action` on `subject`'s record at `at`.
    async fn log_access(
        &self,
        at: Timestamp,
        actor: &str,
        subject: &Subject,
        action: &str,
    ) -> Result<(), StoreError> {
        self.log_access_many(at, actor, std::slice::from_ref(subject), action)
            .await
    }

    /// Record that `actor` did `action` on each of `subjects`' records at `at`, all in
    /// one transaction (a list that shows many children logs each of them).
    async fn log_access_many(
        &self,
        at: Timestamp,
        actor: &str,
        subjects: &[Subject],
        action: &str,
    ) -> Result<(), StoreError> {
        let targets: Vec<String> = subjects.iter().map(Subject::to_string).collect();
        self.log_access_rows(at, actor, &targets, action).await
    }

    /// Log an access-log row about something other than one subject's record: `target`
    /// is the child or family a refused request was for, the route when it named none,
    /// or "session" for signing in and out. Chained like every other row.
    async fn log_access_to(
        &self,
        at: Timestamp,
        actor: &str,
        target: &str,
        action: &str,
    ) -> Result<(), StoreError> {
        self.log_access_rows(at, actor, &[target.to_owned()], action)
            .await
    }

    /// The children a due list must read, each with their journey in journal order:
    /// those held as `held_by` says and not settled on or before `settled_by`
    /// (`hearth_domain::due::settled_since`; a child with no settled day is always
    /// read). Children come in id order, one at a time to `each`, read from one snapshot
    /// of the database a batch at a time, so memory stays flat. Returns how many children
    /// were read.
    async fn unsettled_journeys(
        &self,
        settled_by: Date,
        held_by: &HeldBy,
        each: &mut JourneySink<'_>,
    ) -> Result<u64, StoreError> {
        // With no cache key no cached clocks are handed over, only journeys.
        self.unsettled_due(settled_by, held_by, None, &mut |child, source| {
            if let DueSource::Journey { events, .. } = source {
                each(child, events);
            }
        })
        .await
    }

    /// The children `unsettled_journeys` reads, each with their cached due clocks when a
    /// row is fresh (the child's version, `cache`'s fingerprint) and usable (last event
    /// on or before `cache.as_at`), otherwise with their journey; with no `cache`, always
    /// the journey.
    async fn unsettled_due(
        &self,
        settled_by: Date,
        held_by: &HeldBy,
        cache: Option<&DueCacheKey<'_>>,
        each: &mut DueSink<'_>,
    ) -> Result<u64, StoreError>;

    /// Write rows of the due cache, each replacing any row the child had, in one
    /// transaction.
    async fn put_due_clocks(&self, rows: &[DueClocksRow]) -> Result<(), StoreError>;

    /// The writer that commits this store's appends and access-log rows in groups, for
    /// tests that watch the grouping; a test double has none.
    fn writer(&self) -> Option<&Writer> {
        None
    }

    /// Who looked at `subject`'s record: (at, actor, action), oldest first.
    async fn access_log(
        &self,
        subject: &Subject,
    ) -> Result<Vec<(String, String, String)>, StoreError>;
}

/// Open the database that `url` names, and apply migrations: `postgres://…` (or
/// `postgresql://…`) is PostgreSQL; a path or `sqlite://PATH` is a SQLite file, created
/// if missing; any other scheme is refused, never taken for a file name.
pub async fn open(url: &str) -> Result<Arc<dyn Store>, StoreError> {
    if is_postgres_url(url) {
        return Ok(Arc::new(PgStore::open(url).await?));
    }
    Ok(Arc::new(open_sqlite(url).await?))
}

pub fn is_postgres_url(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

pub async fn open_sqlite(url: &str) -> Result<SqliteStore, StoreError> {
    let path = match url.split_once("://") {
        None => url,
        Some(("sqlite", path)) => path,
        Some(_) => return Err(StoreError::BadUrl(url.to_owned())),
    };
    if path.is_empty() {
        return Err(StoreError::BadUrl(url.to_owned()));
    }
    SqliteStore::open(std::path::Path::new(path)).await
}
