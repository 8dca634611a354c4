//! Hearth's store: the append-only journal of every journey, the projections folded from
//! it (kept in the same transaction), the organisation document and the access log.
//!
//! The `Store` trait is what the web and the CLI use, made of one small trait per
//! concern (journal, projections, organisation, access log, due cache, access control, drafts);
//! `SqliteStore` is the embedded default. A backend must never accept an event the
//! domain validator refuses, never change or delete a journal row, and never acknowledge
//! a write before it commits. Each store has one writer task (`writer`) that commits the
//! writes arriving together in one transaction.
//!
//! Both backends run the same SQL wherever it is the same (`$N` placeholders, which
//! SQLite reads too): each concern's module writes its methods once for both, and the
//! backend files keep only what differs (connecting, locking, bulk inserts, and the
//! few statements each dialect spells its own way).

mod access_control;
mod access_log;
pub mod backup;
mod bulk;
mod chain;
mod contacts;
mod dialect;
mod drafts;
mod due_cache;
mod journal;
mod organisation;
mod parts;
mod postgres;
mod projection;
mod projections;
mod sqlite;
mod write;
mod writer;

pub use access_control::{AccessControl, Lockout, Restrictions, Session};
pub use access_log::{AccessLog, AccessRows};
pub use chain::{ChainReport, ChainStatus};
pub use contacts::{ContactRecord, Contacts, IndexedPerson, JourneyEach, QueueFilter};
pub use drafts::{Draft, Drafts};
pub use due_cache::DueCache;
pub use journal::Journal;
pub use organisation::{OrganisationVersion, Organisations};
pub use parts::Parts;
pub use postgres::PgStore;
pub use projections::Projections;
pub use sqlite::SqliteStore;
pub use writer::{Writer, WriterHold};

use hearth_domain::access::{Role, UserName};
use hearth_domain::event::Event;
use hearth_domain::ids::{ChildId, Subject, TeamId, WorkerId};
use hearth_domain::journey::{ChildState, JourneyError};
use hearth_domain::people::Name;
use jiff::Timestamp;
use jiff::civil::Date;
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
    /// `append_many` names each subject it writes to with the version it was based on.
    #[error("the write has events for {0}, which it did not name with the version it was based on")]
    UnexpectedSubject(Subject),
    #[error("the write names {0} twice among the records it was based on")]
    SubjectNamedTwice(Subject),
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChildSummary {
    pub id: ChildId,
    pub name: Name,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub date_of_birth: Option<Date>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub expected_date_of_birth: Option<Date>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub postcode: Option<String>,
    pub open_work: Vec<String>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub worker: Option<WorkerId>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub team: Option<TeamId>,
}

/// A child allocated to one of a team's workers, as the team's page weighs them: who holds
/// them and their open work (as `ChildState::open_work` words it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllocatedWork {
    pub worker: WorkerId,
    pub open_work: Vec<String>,
}

/// Whose children a due list covers: everyone's, or those allocated to one team or one
/// worker (the child's current allocation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeldBy {
    Anyone,
    Team(TeamId),
    Worker(WorkerId),
}

/// Hands each child's journey over as it is read; see `DueCache::unsettled_journeys`.
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

/// Hands each child over as it is read; see `DueCache::unsettled_due`.
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

/// Works out a child's due cache row from their whole journey, as a bulk load folds it,
/// so that the load fills the cache as it writes; none when no due list would read it.
/// The journey is the child's every event, so its length is the row's version.
pub type DueClocksFor = Arc<dyn Fn(&ChildState, &[Event]) -> Option<DueClocksRow> + Send + Sync>;

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
    /// The worker in the organisation document the user is, if a practitioner.
    pub worker: Option<WorkerId>,
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
    pub contacts: u64,
}

/// Everything the web and the command line use of a store. Each concern is a small
/// trait of its own, so that a test double replaces just the one it changes (see
/// [`Parts`]); every type that has them all is a `Store`.
pub trait Store:
    Journal + Projections + Contacts + Organisations + AccessLog + DueCache + AccessControl + Drafts
{
}

impl<T> Store for T where
    T: Journal
        + Projections
        + Contacts
        + Organisations
        + AccessLog
        + DueCache
        + AccessControl
        + Drafts
{
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
