//! Hearth's application layer: the use cases the pages, the JSON API and the command
//! line share (search, read a record, the due list, sign-in, users and tokens,
//! recording events), and those only the command line has (journal export and import,
//! the organisation's versions, restrictions, rebuilding, generating, backups), over
//! the `Store` trait and the rules of `hearth-domain`.
//!
//! Every use case is a method of [`App`] that takes the [`Caller`] and does two things
//! no caller can skip: it checks the caller's permission
//! (`hearth_domain::access::Role::may`), and it writes the access log (every record
//! read or shown, every refusal, every sign-in) before it hands anything back.
//!
//! What it must not do:
//! - speak HTTP or know about pages: no status codes, cookies, headers, forms or
//!   templates (that is `hearth-web`), and no arguments or printing (`hearth-cli`);
//! - read the clock: "now" comes in as a parameter, so tests pin it;
//! - decide what a journey means: what is open, due or valid comes from `hearth-domain`;
//! - put personal data in logs or error messages: they name ids, dates and kinds only.

mod accounts;
pub mod auth;
mod authority_cache;
mod caller;
mod caseload;
pub mod drafts;
pub mod due;
mod family;
mod front_door;
pub mod intake;
pub mod journal_io;
pub mod maintenance;
mod names;
mod organisation;
mod person_index;
mod reader;
mod recording;
mod records;
mod restrictions;
pub mod scorecard;
mod sign_in;

pub use accounts::{CreatedToken, NewUser};
pub use caller::{COMMAND_LINE, Caller, Who};
pub use caseload::{
    CaseRow, Caseload, DueNote, QueuedChild, TeamCaseloads, TeamMember, WorkforceError,
};
pub use family::{
    AllocateError, Family, FamilyAdult, FamilyAllocation, FamilyChild, FamilyHousehold, FamilyPlan,
    FamilyProfessional, FamilyRead, FamilyTie,
};
pub use front_door::{
    CandidateView, ChildDecision, ContactView, Decided, FunnelError, GivenView, Involvement,
    KnownAdult, MY_CONTACTS, PartnerStatus, PartnerView, QueueRow,
};
pub use hearth_analytics::funnel::{Funnel, Period, PeriodError, Place, Stages};
pub use hearth_store::{
    ChainReport, ChainStatus, Draft, HeldBy, OrganisationVersion, RebuildReport,
};
pub use journal_io::ImportError;
pub use maintenance::{DatabaseState, NewCounty};
pub use names::Names;
pub use recording::NewEvent;
pub use sign_in::{
    CONCURRENT_CHECKS, LOCK_AFTER, LOCKED_FOR, SignIn, is_locked, lock_after_failure, new_session,
};

use authority_cache::AuthorityCache;
use due::{Authority, DueError};
use hearth_domain::access::Permission;
use hearth_store::{Store, StoreError};
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use std::sync::Arc;

/// Why a use case did not do what it was asked. Messages name permissions, ids and
/// kinds, never a person.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The caller's role does not allow it; the refusal has been access-logged.
    #[error("the caller's role does not allow this ({0:?})")]
    Refused(Permission),
    /// Only the command line may do this (accounts); the refusal has been logged.
    #[error("only the command line may do this")]
    CommandLineOnly,
    /// There is no such child, or the caller may not see them (a restricted record looks
    /// to them like no record); a refusal for a restriction has been logged.
    #[error("there is no such child")]
    NoChild,
    /// The event may not be recorded now (dated after today, naming someone the
    /// authority does not employ, or a merge either child's journey refuses); the
    /// message names ids, kinds and dates.
    #[error("{0}")]
    NotRecordable(hearth_domain::journey::JourneyError),
    #[error(transparent)]
    Due(DueError),
    /// A worker or team the organisation document does not have, or a user linked to
    /// a worker in another role.
    #[error(transparent)]
    Workforce(WorkforceError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Why a use case only the command line has (generating, importing, backing up) did
/// not do what it was asked: an [`AppError`], or a refusal of its own.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error(transparent)]
    App(#[from] AppError),
    /// A county is generated only into an empty database.
    #[error("the database already holds {0} events; generate into a new, empty database")]
    NotEmpty(u64),
    #[error(transparent)]
    Import(#[from] ImportError),
    /// An organisation document the domain refuses.
    #[error(transparent)]
    Organisation(#[from] hearth_domain::org::OrgError),
    #[error(transparent)]
    Backup(#[from] hearth_store::backup::BackupError),
    /// PostgreSQL is copied with its own tools; the message names them.
    #[error("{0}")]
    UseEngineTools(&'static str),
}

/// Why a contact was not received: an [`AppError`], or the one rule's refusal
/// (`NewContact::validate`), which names the field and says nothing it was given.
#[derive(Debug, thiserror::Error)]
pub enum ContactError {
    #[error(transparent)]
    App(#[from] AppError),
    #[error("{0}")]
    Intake(hearth_domain::contact::IntakeError),
    /// There is no such contact, or the caller may not see it (a partner asking for
    /// another's contact is told the same); a refusal has been logged.
    #[error("there is no such contact")]
    NoContact,
    /// The contact's journey (or a linked child's) refuses the step: already linked,
    /// already decided, a check not requested, ...; the message names ids and kinds.
    #[error("{0}")]
    NotAllowed(hearth_domain::journey::JourneyError),
    /// Someone else changed the contact since the caller read it (its version moved);
    /// read it again and repeat the step.
    #[error("the contact has changed since it was read; read it again")]
    Changed,
}

impl From<StoreError> for ContactError {
    fn from(e: StoreError) -> Self {
        ContactError::App(AppError::Store(e))
    }
}

impl From<StoreError> for AdminError {
    fn from(e: StoreError) -> Self {
        AdminError::App(AppError::Store(e))
    }
}

impl From<DueError> for AppError {
    fn from(e: DueError) -> Self {
        match e {
            // A store failure is one whichever use case met it.
            DueError::Store(e) => AppError::Store(e),
            other => AppError::Due(other),
        }
    }
}

/// The use cases over one database, and what is kept in memory for them.
pub struct App {
    store: Arc<dyn Store>,
    /// The organisation and what is worked out from it, read once per stored document.
    authority: AuthorityCache,
    /// How many children there are, counted once per journal position.
    children: records::ChildCount,
    /// Whole due lists, drawn up once per journal position.
    due_lists: due::DueLists,
    /// The person index and the matching model, for the candidates of a contact.
    people: person_index::PersonIndexCache,
}

impl App {
    pub fn new(store: Arc<dyn Store>) -> App {
        App {
            store,
            authority: AuthorityCache::default(),
            children: records::ChildCount::default(),
            due_lists: due::DueLists::default(),
            people: person_index::PersonIndexCache::default(),
        }
    }

    /// The store, for what is only mechanics of a channel (a web session's cookie and
    /// lifetime); records are read through the use cases.
    pub fn store(&self) -> &dyn Store {
        self.store.as_ref()
    }

    /// The authority (organisation, rules, calendar) on `day`, under the organisation's
    /// version in force that day (never one that starts later), as the store holds it
    /// now: read again only when a new version has been stored.
    pub async fn authority(&self, day: Date) -> Result<Arc<Authority>, AppError> {
        Ok(self.authority.get(self.store.as_ref()).await?.on(day))
    }

    /// Go on if the caller may do `what`; otherwise log the refusal against `target`
    /// (a subject, or what was asked for) and refuse.
    async fn check(
        &self,
        caller: &Caller,
        now: Timestamp,
        what: Permission,
        target: &str,
    ) -> Result<(), AppError> {
        if caller.may(what) {
            return Ok(());
        }
        self.refuse(caller, now, target, "role", AppError::Refused(what))
            .await
    }

    /// Go on if the caller is the command line; otherwise log the refusal against
    /// `target` and refuse. What only the command line may do (accounts, restrictions,
    /// the journal whole, the organisation, maintenance) is for whoever holds the
    /// database itself.
    async fn check_command_line(
        &self,
        caller: &Caller,
        now: Timestamp,
        target: &str,
    ) -> Result<(), AppError> {
        if caller.who == Who::CommandLine {
            return Ok(());
        }
        self.refuse(
            caller,
            now,
            target,
            "command line only",
            AppError::CommandLineOnly,
        )
        .await
    }

    /// Log that the caller was refused `target` (and `why`), then refuse with `error`.
    async fn refuse(
        &self,
        caller: &Caller,
        now: Timestamp,
        target: &str,
        why: &str,
        error: AppError,
    ) -> Result<(), AppError> {
        self.store
            .log_access_to(
                now,
                caller.actor(),
                target,
                &format!("refused ({why}): {}", caller.purpose),
            )
            .await?;
        Err(error)
    }
}

/// "Today" at `now`: the date in England, where every council Hearth serves keeps its
/// calendar. The time zone database is bundled (jiff `tzdb-bundle-always`), so UTC is
/// only a last resort.
pub fn today(now: Timestamp) -> Date {
    let tz = TimeZone::get("Europe/London").unwrap_or(TimeZone::UTC);
    now.to_zoned(tz).date()
}
