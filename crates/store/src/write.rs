//! The one write algorithm every backend runs: group the events by subject, check the
//! version each write was based on, fold each subject's state (incrementally where the
//! events go on the end, else from the whole journey), then append the journal rows and
//! upsert the projections. Backends supply only the SQL, through `WriteTx`, inside a
//! transaction they begin and commit.

use crate::chain::{self, Chain, Hash, Head};
use crate::projection::{ContactFold, State};
use crate::writer::Expected;
use crate::{
    AccessRows, ChildRecord, DueCacheKey, DueClocksRow, DueSource, HeldBy, StoreError, Version,
};
use async_trait::async_trait;
use hearth_domain::caseload::{QueuedWith, queued};
use hearth_domain::due::settled_since;
use hearth_domain::event::Event;
use hearth_domain::ids::{ChildId, Subject};
use hearth_domain::journey::ChildState;
use jiff::civil::Date;
use sqlx::QueryBuilder;
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};

/// A subject touched by a write: where its journey stood, and the state it reaches.
pub(crate) struct Pending {
    pub subject: Subject,
    pub base_version: Version,
    pub new_events: Vec<Event>,
    /// Where each of `new_events` stood in the batch, so that the journal keeps the
    /// order the events came in across subjects (an import then exports unchanged).
    pub positions: Vec<usize>,
    pub state: Option<State>,
    /// The journal place of the subject's last event once written (0 before).
    pub seq: i64,
}

/// One journal row as both backends store it. `body` is the event's JSON exactly as
/// exported, so the same journal exports byte for byte from either backend.
/// `seq` and `hash` are its place in the journal's hash chain. The event is borrowed by
/// an ordinary write and owned by a bulk load, which hands rows to another thread.
pub(crate) struct JournalRow<'a> {
    pub seq: i64,
    pub version: Version,
    pub event: Cow<'a, Event>,
    /// The event's subject and times as stored: formatted once, for the hash and the
    /// insert alike.
    pub subject: String,
    pub occurred_at: String,
    pub recorded_at: String,
    pub body: String,
    pub hash: Hash,
}

impl<'a> JournalRow<'a> {
    /// `event` as the row at `version` of its journey, chained onto `head`. The hash
    /// covers the columns in the order `chain::rows_sql` reads them back for `verify`.
    pub(crate) fn chained(
        head: Head,
        event: Cow<'a, Event>,
        version: Version,
    ) -> Result<JournalRow<'a>, StoreError> {
        let body = to_json(&*event)?;
        let subject = event.subject.to_string();
        let occurred_at = event.occurred_at.to_string();
        let recorded_at = event.recorded_at.to_string();
        let Head { seq, hash } = chain::next(
            head,
            &[
                event.id.as_str(),
                &subject,
                &version.to_string(),
                event.kind(),
                &occurred_at,
                &recorded_at,
                event.recorded_by.as_str(),
                &body,
            ],
        );
        Ok(JournalRow {
            seq,
            version,
            event,
            subject,
            occurred_at,
            recorded_at,
            body,
            hash,
        })
    }

    /// The chain's head once this row is on it.
    pub(crate) fn head(&self) -> Head {
        Head {
            seq: self.seq,
            hash: self.hash,
        }
    }
}

/// A child's projection row: the searchable columns beside the whole folded state.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct ChildRow {
    pub child_id: String,
    pub version: i64,
    pub given_name: String,
    pub family_name: String,
    pub date_of_birth: Option<String>,
    pub expected_date_of_birth: Option<String>,
    pub nhs_number: Option<String>,
    pub postcode: Option<String>,
    pub open_work: String,
    pub worker: Option<String>,
    pub team: Option<String>,
    pub state: String,
    /// `hearth_domain::due::settled_since`: none while the child may owe something.
    pub settled_since: Option<String>,
    /// Whom a child waiting for a worker waits with (`hearth_domain::caseload::queued`):
    /// the team they were routed to, or else their last worker; none for the rest.
    pub queue_team: Option<String>,
    pub queue_worker: Option<String>,
}

pub(crate) struct FamilyRow {
    pub family_id: String,
    pub version: i64,
    pub state: String,
}

/// A contact's projection row: the columns its queues are read by, beside the fold (as
/// `ContactFold` JSON).
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct ContactRow {
    pub contact_id: String,
    pub version: i64,
    pub status: String,
    pub received_at: Option<String>,
    pub urgency: Option<String>,
    pub source: Option<String>,
    pub submitted_by: Option<String>,
    /// Where it was last routed, if it has been.
    pub locality: Option<String>,
    pub routed_team: Option<String>,
    pub decided_at: Option<String>,
    /// The outcome of its latest decision, once it is decided.
    pub outcome: Option<String>,
    pub state: String,
}

/// The columns of `ContactRow`, in the order the backends select them.
pub(crate) const CONTACT_COLUMNS: &str = "contact_id, version, status, received_at, urgency, source, submitted_by, locality, routed_team, decided_at, outcome, state";

/// The projection rows a write (or a rebuild, or a bulk load) upserts.
#[derive(Default)]
pub(crate) struct ProjectionRows {
    pub children: Vec<ChildRow>,
    pub families: Vec<FamilyRow>,
    pub contacts: Vec<ContactRow>,
    pub people: Vec<PersonRow>,
    /// The families whose adults' rows are replaced by those in `people`.
    pub families_of_people: Vec<String>,
    /// Children who are nobody to match (their registration was retracted).
    pub nobody: Vec<String>,
}

/// A person's row in `person_index`: a child, or an adult named in a family.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct PersonRow {
    pub person: String,
    pub family_id: Option<String>,
    pub given_name: String,
    pub family_name: String,
    pub date_of_birth: Option<String>,
    pub expected_date_of_birth: Option<String>,
    pub nhs_number: Option<String>,
    pub postcode: Option<String>,
    pub sex: Option<String>,
    pub merged_into: Option<String>,
    pub seq: i64,
}

/// The columns of `PersonRow`, in the order the backends select them.
pub(crate) const PERSON_COLUMNS: &str = "person, family_id, given_name, family_name, date_of_birth, expected_date_of_birth, nhs_number, postcode, sex, merged_into, seq";

fn person_row(
    person: String,
    family: Option<String>,
    details: &hearth_domain::people::PersonDetails,
    merged_into: Option<String>,
    seq: i64,
) -> PersonRow {
    PersonRow {
        person,
        family_id: family,
        given_name: details.name.given.clone(),
        family_name: details.name.family.clone(),
        date_of_birth: details.date_of_birth.map(|d| d.to_string()),
        expected_date_of_birth: details.expected_date_of_birth.map(|d| d.to_string()),
        nhs_number: details.nhs_number.as_ref().map(|n| n.as_str().to_owned()),
        postcode: details.address.as_ref().map(|a| a.postcode.to_string()),
        sex: Some(details.sex.code().to_owned()),
        merged_into,
        seq,
    }
}

/// The statements a write needs, inside one open transaction of a backend.
#[async_trait]
pub(crate) trait WriteTx: Send {
    /// The head of a hash chain, locked until the transaction ends: writers to one
    /// chain take turns, so rows are numbered and chained in the order they commit.
    async fn lock_head(&mut self, chain: Chain) -> Result<Head, StoreError>;

    async fn set_head(&mut self, chain: Chain, head: Head) -> Result<(), StoreError>;

    /// The current version of each of `subjects` that has any events.
    async fn versions(&mut self, subjects: &[String]) -> Result<HashMap<String, i64>, StoreError>;

    /// A subject's stored projection, as JSON.
    async fn stored_state(&mut self, subject: &Subject) -> Result<Option<String>, StoreError>;

    /// A subject's journey in journal order.
    async fn journey(&mut self, subject: &Subject) -> Result<Vec<Event>, StoreError>;

    /// Insert the rows, moving their text into the statements rather than copying it.
    async fn insert_journal(&mut self, rows: Vec<JournalRow<'_>>) -> Result<(), StoreError>;

    async fn upsert_children(&mut self, rows: Vec<ChildRow>) -> Result<(), StoreError>;

    async fn upsert_families(&mut self, rows: Vec<FamilyRow>) -> Result<(), StoreError>;

    async fn upsert_contacts(&mut self, rows: Vec<ContactRow>) -> Result<(), StoreError>;

    /// Replace the adults' rows of `families`, delete the rows of `nobody`, and upsert
    /// `rows` (children and adults).
    async fn replace_people(
        &mut self,
        families: Vec<String>,
        nobody: Vec<String>,
        rows: Vec<PersonRow>,
    ) -> Result<(), StoreError>;

    /// Access-log rows (seq, target, hash) that share `at`, `actor`, `action` and
    /// `reason`.
    async fn insert_access_log(
        &mut self,
        at: &str,
        actor: &str,
        action: &str,
        reason: Option<&str>,
        rows: &[(i64, String, Hash)],
    ) -> Result<(), StoreError>;

    /// A statement with no parameters and no rows (savepoints).
    async fn execute(&mut self, sql: &'static str) -> Result<(), StoreError>;

    async fn commit(self: Box<Self>) -> Result<(), StoreError>;
}

/// Validate `events` against their journeys, append them and update the projections.
/// `expected` names the versions the write was based on. Returns the number of events
/// written; the caller commits.
pub(crate) async fn write(
    tx: &mut dyn WriteTx,
    events: Vec<Event>,
    expected: Expected,
) -> Result<u64, StoreError> {
    let mut pending = group_by_subject(events)?;
    if let Expected::Each(named) = &expected
        && let Some(p) = pending.iter().find(|p| !named.contains_key(&p.subject))
    {
        return Err(StoreError::UnexpectedSubject(p.subject.clone()));
    }
    // First, so that the versions read next are those of the last committed write.
    let head = tx.lock_head(Chain::Journal).await?;
    let mut subjects: Vec<String> = pending.iter().map(|p| p.subject.to_string()).collect();
    if let Expected::Each(named) = &expected {
        // A subject named but not written to is checked all the same: the write was
        // based on what its journey said.
        let written: HashSet<&Subject> = pending.iter().map(|p| &p.subject).collect();
        subjects.extend(
            named
                .keys()
                .filter(|s| !written.contains(s))
                .map(Subject::to_string),
        );
    }
    let versions = tx.versions(&subjects).await?;
    let version_of = |subject: &Subject| {
        versions
            .get(&subject.to_string())
            .map_or(0, |v| *v as Version)
    };
    for p in &mut pending {
        p.base_version = version_of(&p.subject);
    }
    let conflict = |subject: &Subject, expected: Version| {
        let actual = version_of(subject);
        (actual != expected).then(|| StoreError::Conflict {
            subject: subject.clone(),
            expected,
            actual,
        })
    };
    let stale = match &expected {
        Expected::Batch => None,
        Expected::One(version) => pending.first().and_then(|p| conflict(&p.subject, *version)),
        Expected::Each(named) => named.iter().find_map(|(s, v)| conflict(s, *v)),
    };
    if let Some(e) = stale {
        return Err(e);
    }
    let mut written = 0u64;
    for p in &mut pending {
        fold_pending(tx, p).await?;
        written += p.new_events.len() as u64;
    }
    let (rows, head) = journal_rows(&pending, head)?;
    let mut last: HashMap<&Subject, i64> = HashMap::new();
    for row in &rows {
        last.insert(&row.event.subject, row.seq);
    }
    let seqs: Vec<i64> = pending
        .iter()
        .map(|p| last.get(&p.subject).copied().unwrap_or_default())
        .collect();
    drop(last);
    tx.insert_journal(rows).await?;
    for (p, seq) in pending.iter_mut().zip(seqs) {
        p.seq = seq;
    }
    tx.set_head(Chain::Journal, head).await?;
    upsert_projections(tx, &pending).await?;
    Ok(written)
}

/// The versions named for an `append_many`, refusing a subject named twice.
pub(crate) fn named_versions(
    expected: &[(Subject, Version)],
) -> Result<BTreeMap<Subject, Version>, StoreError> {
    let mut named = BTreeMap::new();
    for (subject, version) in expected {
        if named.insert(subject.clone(), *version).is_some() {
            return Err(StoreError::SubjectNamedTwice(subject.clone()));
        }
    }
    Ok(named)
}

/// Each of the subjects an `append_many` named, with the version its journey reaches
/// once `events` are on it.
pub(crate) fn versions_after(
    expected: Vec<(Subject, Version)>,
    events: &[Event],
) -> Vec<(Subject, Version)> {
    let mut added: HashMap<&Subject, Version> = HashMap::new();
    for event in events {
        *added.entry(&event.subject).or_default() += 1;
    }
    expected
        .into_iter()
        .map(|(subject, version)| {
            let n = added.get(&subject).copied().unwrap_or_default();
            (subject, version + n)
        })
        .collect()
}

/// Append one chained access-log row for each of `log`'s targets. Returns the rows
/// written.
pub(crate) async fn log_access(tx: &mut dyn WriteTx, log: &AccessRows) -> Result<u64, StoreError> {
    if log.targets.is_empty() {
        return Ok(0);
    }
    let at = log.at.to_string();
    let head = tx.lock_head(Chain::AccessLog).await?;
    let reason = log.reason.as_deref();
    let (rows, head) = chain::access_rows(head, &at, &log.actor, &log.targets, &log.action, reason);
    tx.insert_access_log(&at, &log.actor, &log.action, reason, &rows)
        .await?;
    tx.set_head(Chain::AccessLog, head).await?;
    Ok(rows.len() as u64)
}

pub(crate) fn group_by_subject(events: Vec<Event>) -> Result<Vec<Pending>, StoreError> {
    let mut index: HashMap<Subject, usize> = HashMap::new();
    let mut ids = HashSet::new();
    let mut pending: Vec<Pending> = Vec::new();
    for (position, event) in events.into_iter().enumerate() {
        if !ids.insert(event.id.clone()) {
            return Err(StoreError::DuplicateEvent(event.id.to_string()));
        }
        let i = *index.entry(event.subject.clone()).or_insert_with(|| {
            pending.push(Pending {
                subject: event.subject.clone(),
                base_version: 0,
                new_events: Vec::new(),
                positions: Vec::new(),
                state: None,
                seq: 0,
            });
            pending.len() - 1
        });
        if let Some(p) = pending.get_mut(i) {
            p.new_events.push(event);
            p.positions.push(position);
        }
    }
    Ok(pending)
}

/// Bring the subject's state up to date with its new events: incrementally where the
/// events go on the end of the journey, else by refolding the whole journey.
async fn fold_pending(tx: &mut dyn WriteTx, p: &mut Pending) -> Result<(), StoreError> {
    let mut state = if p.base_version == 0 {
        Some(State::empty(&p.subject))
    } else {
        tx.stored_state(&p.subject)
            .await?
            .map(|json| parse_state(&p.subject, &json))
            .transpose()?
    };
    let mut needs_refold = state.is_none();
    if let Some(s) = state.as_mut() {
        for event in &p.new_events {
            if !s.try_apply(event)? {
                needs_refold = true;
                break;
            }
        }
    }
    if needs_refold {
        let mut journey = tx.journey(&p.subject).await?;
        journey.extend(p.new_events.iter().cloned());
        state = Some(State::refold(&p.subject, &journey)?);
    }
    p.state = state;
    Ok(())
}

fn parse_state(subject: &Subject, json: &str) -> Result<State, StoreError> {
    Ok(match subject {
        Subject::Child(_) => State::Child(serde_json::from_str(json).map_err(corrupt)?),
        Subject::Family(_) => State::Family(serde_json::from_str(json).map_err(corrupt)?),
        Subject::Contact(_) => State::Contact(serde_json::from_str(json).map_err(corrupt)?),
    })
}

/// The journal rows of `pending`, in the order the events came, numbered and chained
/// on from `head`; and the new head.
fn journal_rows(
    pending: &[Pending],
    head: Head,
) -> Result<(Vec<JournalRow<'_>>, Head), StoreError> {
    let mut ordered: Vec<(usize, Version, &Event)> = Vec::new();
    for p in pending {
        for (i, (event, position)) in p.new_events.iter().zip(&p.positions).enumerate() {
            ordered.push((*position, p.base_version + 1 + i as u64, event));
        }
    }
    ordered.sort_by_key(|(position, ..)| *position);
    let mut head = head;
    let mut rows = Vec::with_capacity(ordered.len());
    for (_, version, event) in ordered {
        let row = JournalRow::chained(head, Cow::Borrowed(event), version)?;
        head = row.head();
        rows.push(row);
    }
    Ok((rows, head))
}

/// Write the projections of `pending` subjects, each at the version its events reach.
pub(crate) async fn upsert_projections(
    tx: &mut dyn WriteTx,
    pending: &[Pending],
) -> Result<(), StoreError> {
    let rows = projection_rows(pending)?;
    tx.upsert_children(rows.children).await?;
    tx.upsert_families(rows.families).await?;
    tx.upsert_contacts(rows.contacts).await?;
    tx.replace_people(rows.families_of_people, rows.nobody, rows.people)
        .await?;
    Ok(())
}

/// The projection rows of `pending` subjects, each at the version its events reach.
pub(crate) fn projection_rows(pending: &[Pending]) -> Result<ProjectionRows, StoreError> {
    let mut rows = ProjectionRows::default();
    for p in pending {
        let version = p.base_version + p.new_events.len() as u64;
        match (&p.subject, &p.state) {
            (Subject::Child(_), Some(State::Child(s))) => {
                rows.children.push(child_row(s, version)?);
                let person = format!("child:{}", s.id);
                match &s.details {
                    Some(details) => rows.people.push(person_row(
                        person,
                        s.family.as_ref().map(ToString::to_string),
                        details,
                        s.merged_into.as_ref().map(ToString::to_string),
                        p.seq,
                    )),
                    // Their registration was retracted.
                    None => rows.nobody.push(person),
                }
            }
            (Subject::Family(id), Some(State::Family(s))) => {
                rows.families.push(FamilyRow {
                    family_id: id.to_string(),
                    version: version as i64,
                    state: to_json(s)?,
                });
                rows.families_of_people.push(id.to_string());
                for (adult, details) in &s.adults {
                    rows.people.push(person_row(
                        format!("adult:{adult}"),
                        Some(id.to_string()),
                        details,
                        None,
                        p.seq,
                    ));
                }
            }
            (Subject::Contact(_), Some(State::Contact(s))) => {
                rows.contacts.push(contact_row(s, version)?);
            }
            _ => return Err(StoreError::Corrupt("projection of the wrong kind".into())),
        }
    }
    Ok(rows)
}

/// Refold every subject of a journal read in (subject, version) order, handing the
/// states to `sink` a few thousand at a time so memory stays flat.
pub(crate) async fn rebuild_from(
    tx: &mut dyn WriteTx,
    rows: Vec<(String, String, i64)>,
) -> Result<crate::RebuildReport, StoreError> {
    let mut report = crate::RebuildReport {
        events: 0,
        children: 0,
        families: 0,
        contacts: 0,
    };
    let mut batch: Vec<Pending> = Vec::new();
    let mut rows = rows.into_iter().peekable();
    while let Some((subject_text, body, first_seq)) = rows.next() {
        let mut journey = vec![parse_body(&body)?];
        let mut seq = first_seq;
        while let Some((_, body, next_seq)) = rows.next_if(|(s, ..)| *s == subject_text) {
            journey.push(parse_body(&body)?);
            seq = seq.max(next_seq);
        }
        let subject = Subject::parse(&subject_text).map_err(corrupt)?;
        let state = State::refold(&subject, &journey)?;
        match subject {
            Subject::Child(_) => report.children += 1,
            Subject::Family(_) => report.families += 1,
            Subject::Contact(_) => report.contacts += 1,
        }
        report.events += journey.len() as u64;
        batch.push(Pending {
            subject,
            base_version: journey.len() as Version,
            new_events: Vec::new(),
            positions: Vec::new(),
            state: Some(state),
            seq,
        });
        if batch.len() >= 2_000 {
            upsert_projections(tx, &batch).await?;
            batch.clear();
        }
    }
    upsert_projections(tx, &batch).await?;
    Ok(report)
}

fn child_row(state: &ChildState, version: Version) -> Result<ChildRow, StoreError> {
    let details = state.details.as_ref();
    let queue = queued(state).map(|(with, _)| with);
    Ok(ChildRow {
        child_id: state.id.to_string(),
        version: version as i64,
        given_name: details.map_or_else(String::new, |d| d.name.given.clone()),
        family_name: details.map_or_else(String::new, |d| d.name.family.clone()),
        date_of_birth: details.and_then(|d| d.date_of_birth).map(|d| d.to_string()),
        expected_date_of_birth: details
            .and_then(|d| d.expected_date_of_birth)
            .map(|d| d.to_string()),
        nhs_number: details
            .and_then(|d| d.nhs_number.as_ref())
            .map(|n| n.as_str().to_owned()),
        postcode: details
            .and_then(|d| d.address.as_ref())
            .map(|a| a.postcode.to_string()),
        open_work: to_json(&state.open_work())?,
        worker: state.allocation.as_ref().map(|a| a.worker.to_string()),
        team: state.allocation.as_ref().map(|a| a.team.to_string()),
        state: to_json(state)?,
        settled_since: settled_since(state).map(|d| d.to_string()),
        queue_team: match &queue {
            Some(QueuedWith::Team(team)) => Some(team.to_string()),
            _ => None,
        },
        queue_worker: match &queue {
            Some(QueuedWith::LastWorker(worker)) => Some(worker.to_string()),
            _ => None,
        },
    })
}

fn contact_row(fold: &ContactFold, version: Version) -> Result<ContactRow, StoreError> {
    let state = &fold.contact;
    let route = state.routes.last();
    let decided_at = state.decided_on();
    Ok(ContactRow {
        contact_id: state.id.to_string(),
        version: version as i64,
        status: state.status().code().to_owned(),
        received_at: state.received.map(|r| r.to_string()),
        urgency: state.intake.as_ref().map(|i| i.urgency.code().to_owned()),
        source: state.source.map(|s| s.code().to_owned()),
        submitted_by: fold.submitted_by.as_ref().map(|a| a.as_str().to_owned()),
        locality: route.and_then(|r| r.locality.clone()),
        routed_team: route.map(|r| r.team.to_string()),
        decided_at: decided_at.map(|d| d.to_string()),
        outcome: decided_at
            .and_then(|_| state.decisions.iter().max_by_key(|d| d.on))
            .map(|d| d.outcome.code().to_owned()),
        state: to_json(fold)?,
    })
}

/// A multi-row upsert of contact rows, the same on both backends: contacts are few
/// beside children, so one shape of statement serves.
pub(crate) async fn upsert_contacts<DB>(
    conn: &mut DB::Connection,
    rows: Vec<ContactRow>,
    per_statement: usize,
) -> Result<(), StoreError>
where
    DB: sqlx::Database,
    DB::Arguments: Default + sqlx::IntoArguments<DB>,
    String: for<'t> sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    Option<String>: for<'t> sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    i64: for<'t> sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
{
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let mut q =
            QueryBuilder::<DB>::new(format!("INSERT INTO contact_state ({CONTACT_COLUMNS}) "));
        q.push_values(rows.by_ref().take(per_statement), |mut b, r| {
            b.push_bind(r.contact_id)
                .push_bind(r.version)
                .push_bind(r.status)
                .push_bind(r.received_at)
                .push_bind(r.urgency)
                .push_bind(r.source)
                .push_bind(r.submitted_by)
                .push_bind(r.locality)
                .push_bind(r.routed_team)
                .push_bind(r.decided_at)
                .push_bind(r.outcome)
                .push_bind(r.state);
        });
        q.push(
            " ON CONFLICT (contact_id) DO UPDATE SET version = excluded.version, \
             status = excluded.status, received_at = excluded.received_at, \
             urgency = excluded.urgency, source = excluded.source, \
             submitted_by = excluded.submitted_by, locality = excluded.locality, \
             routed_team = excluded.routed_team, decided_at = excluded.decided_at, \
             outcome = excluded.outcome, state = excluded.state",
        );
        q.build().execute(&mut *conn).await?;
    }
    Ok(())
}

/// Delete the adults' rows of `families` and the rows of `nobody`, and upsert `rows`,
/// the same on both backends.
pub(crate) async fn replace_people<DB>(
    conn: &mut DB::Connection,
    families: Vec<String>,
    nobody: Vec<String>,
    rows: Vec<PersonRow>,
    per_statement: usize,
) -> Result<(), StoreError>
where
    DB: sqlx::Database,
    DB::Arguments: Default + sqlx::IntoArguments<DB>,
    String: for<'t> sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    Option<String>: for<'t> sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    i64: for<'t> sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
{
    // An adult a corrected family journey no longer names leaves the index.
    for chunk in families.chunks(per_statement) {
        let mut q = QueryBuilder::<DB>::new(
            "DELETE FROM person_index WHERE person LIKE 'adult:%' AND family_id IN (",
        );
        let mut ids = q.separated(", ");
        for id in chunk {
            ids.push_bind(id.clone());
        }
        q.push(")");
        q.build().execute(&mut *conn).await?;
    }
    for chunk in nobody.chunks(per_statement) {
        let mut q = QueryBuilder::<DB>::new("DELETE FROM person_index WHERE person IN (");
        let mut ids = q.separated(", ");
        for id in chunk {
            ids.push_bind(id.clone());
        }
        q.push(")");
        q.build().execute(&mut *conn).await?;
    }
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let mut q =
            QueryBuilder::<DB>::new(format!("INSERT INTO person_index ({PERSON_COLUMNS}) "));
        q.push_values(rows.by_ref().take(per_statement), |mut b, r| {
            b.push_bind(r.person)
                .push_bind(r.family_id)
                .push_bind(r.given_name)
                .push_bind(r.family_name)
                .push_bind(r.date_of_birth)
                .push_bind(r.expected_date_of_birth)
                .push_bind(r.nhs_number)
                .push_bind(r.postcode)
                .push_bind(r.sex)
                .push_bind(r.merged_into)
                .push_bind(r.seq);
        });
        q.push(
            " ON CONFLICT (person) DO UPDATE SET family_id = excluded.family_id, \
             given_name = excluded.given_name, family_name = excluded.family_name, \
             date_of_birth = excluded.date_of_birth, \
             expected_date_of_birth = excluded.expected_date_of_birth, \
             nhs_number = excluded.nhs_number, postcode = excluded.postcode, \
             sex = excluded.sex, merged_into = excluded.merged_into, seq = excluded.seq",
        );
        q.build().execute(&mut *conn).await?;
    }
    Ok(())
}

/// A person's row as one line of `projection_dump`.
pub(crate) fn person_dump_line(row: &PersonRow) -> String {
    let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "NULL".into());
    [
        String::from("person"),
        row.person.clone(),
        opt(&row.family_id),
        row.given_name.clone(),
        row.family_name.clone(),
        opt(&row.date_of_birth),
        opt(&row.expected_date_of_birth),
        opt(&row.nhs_number),
        opt(&row.postcode),
        opt(&row.sex),
        opt(&row.merged_into),
        row.seq.to_string(),
    ]
    .join("|")
}

/// The columns of a projection row that a search result or caseload shows.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct SummaryRow {
    pub child_id: String,
    pub given_name: String,
    pub family_name: String,
    pub date_of_birth: Option<String>,
    pub expected_date_of_birth: Option<String>,
    pub postcode: Option<String>,
    pub open_work: String,
    pub worker: Option<String>,
    pub team: Option<String>,
}

pub(crate) const SUMMARY_COLUMNS: &str = "child_id, given_name, family_name, date_of_birth, expected_date_of_birth, postcode, open_work, worker, team";

/// A projection row as a child summary for search results and caseloads.
pub(crate) fn summary(row: SummaryRow) -> Result<crate::ChildSummary, StoreError> {
    use hearth_domain::ids::{TeamId, WorkerId};
    let date = |v: Option<String>| -> Result<Option<jiff::civil::Date>, StoreError> {
        v.map(|s| s.parse().map_err(corrupt)).transpose()
    };
    Ok(crate::ChildSummary {
        id: ChildId::parse(&row.child_id).map_err(corrupt)?,
        name: hearth_domain::people::Name {
            given: row.given_name,
            family: row.family_name,
        },
        date_of_birth: date(row.date_of_birth)?,
        expected_date_of_birth: date(row.expected_date_of_birth)?,
        postcode: row.postcode,
        open_work: serde_json::from_str(&row.open_work).map_err(corrupt)?,
        worker: row
            .worker
            .map(|w| WorkerId::parse(&w).map_err(corrupt))
            .transpose()?,
        team: row
            .team
            .map(|t| TeamId::parse(&t).map_err(corrupt))
            .transpose()?,
    })
}

/// A child a due list reads, as the projection (and the due cache) list them.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct UnsettledRow {
    #[sqlx(flatten)]
    pub summary: SummaryRow,
    pub version: i64,
    /// The child's cached due clocks, when fresh and usable.
    pub clocks: Option<String>,
    /// Whether the child's cached clocks are fresh, usable or not.
    pub fresh: bool,
}

/// A child a due list reads: who, at which version, their cached clocks if usable, and
/// whether the cache holds fresh ones.
pub(crate) struct Unsettled {
    pub child: crate::ChildSummary,
    pub version: Version,
    pub clocks: Option<String>,
    pub fresh: bool,
}

impl UnsettledRow {
    pub(crate) fn parse(self) -> Result<Unsettled, StoreError> {
        Ok(Unsettled {
            child: summary(self.summary)?,
            version: self.version as Version,
            clocks: self.clocks,
            fresh: self.fresh,
        })
    }
}

/// The query for the children a due list reads (`DueCache::unsettled_due`), each with
/// their due cache row if it is fresh and usable under `cache`; `order` sorts them by
/// id as the backend best does.
fn unsettled_query<DB>(
    settled_by: Date,
    held_by: &HeldBy,
    cache: Option<&DueCacheKey<'_>>,
    order: &str,
) -> QueryBuilder<DB>
where
    DB: sqlx::Database,
    DB::Arguments: Default,
    String: for<'t> sqlx::Encode<'t, DB> + sqlx::Type<DB>,
{
    let mut q = QueryBuilder::<DB>::new(format!("SELECT {SUMMARY_COLUMNS}, version, "));
    match cache {
        Some(key) => {
            let fresh = "FROM due_clocks d WHERE d.child_id = child_state.child_id \
                         AND d.version = child_state.version AND d.fingerprint = ";
            q.push(format!("(SELECT d.clocks {fresh}"))
                .push_bind(key.fingerprint.to_owned())
                .push(" AND d.last_date <= ")
                .push_bind(key.as_at.to_string())
                .push(") AS clocks, EXISTS (SELECT 1 ")
                .push(fresh)
                .push_bind(key.fingerprint.to_owned())
                .push(") AS fresh");
        }
        None => {
            q.push("CAST(NULL AS TEXT) AS clocks, FALSE AS fresh");
        }
    }
    q.push(" FROM child_state WHERE (settled_since IS NULL OR settled_since > ")
        .push_bind(settled_by.to_string())
        .push(")");
    match held_by {
        HeldBy::Anyone => {}
        HeldBy::Team(team) => {
            q.push(" AND team = ").push_bind(team.to_string());
        }
        HeldBy::Worker(worker) => {
            q.push(" AND worker = ").push_bind(worker.to_string());
        }
    }
    q.push(" ORDER BY ").push(order);
    q
}

/// The children a due list reads, in id order (`unsettled_query`).
pub(crate) async fn unsettled<DB>(
    conn: &mut DB::Connection,
    settled_by: Date,
    held_by: &HeldBy,
    cache: Option<&DueCacheKey<'_>>,
    order: &str,
) -> Result<Vec<Unsettled>, StoreError>
where
    DB: sqlx::Database,
    DB::Arguments: Default + sqlx::IntoArguments<DB>,
    String: for<'t> sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
    UnsettledRow: for<'r> sqlx::FromRow<'r, DB::Row>,
{
    unsettled_query::<DB>(settled_by, held_by, cache, order)
        .build_query_as::<UnsettledRow>()
        .fetch_all(conn)
        .await?
        .into_iter()
        .map(UnsettledRow::parse)
        .collect()
}

/// A multi-row upsert of due cache rows.
pub(crate) fn due_clocks_upsert<DB>(rows: &[DueClocksRow]) -> QueryBuilder<DB>
where
    DB: sqlx::Database,
    DB::Arguments: Default,
    String: for<'t> sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    i64: for<'t> sqlx::Encode<'t, DB> + sqlx::Type<DB>,
{
    let mut q = QueryBuilder::<DB>::new(
        "INSERT INTO due_clocks (child_id, version, fingerprint, last_date, clocks) ",
    );
    q.push_values(rows, |mut b, r| {
        b.push_bind(r.child.to_string())
            .push_bind(r.version as i64)
            .push_bind(r.fingerprint.clone())
            .push_bind(r.last_date.to_string())
            .push_bind(r.clocks.clone());
    });
    q.push(
        " ON CONFLICT (child_id) DO UPDATE SET version = excluded.version, \
         fingerprint = excluded.fingerprint, last_date = excluded.last_date, \
         clocks = excluded.clocks",
    );
    q
}

/// Write rows of the due cache in one transaction, `per_statement` rows a statement.
pub(crate) async fn put_due_clocks<DB>(
    pool: &sqlx::Pool<DB>,
    rows: &[DueClocksRow],
    per_statement: usize,
) -> Result<(), StoreError>
where
    DB: sqlx::Database,
    DB::Arguments: Default + sqlx::IntoArguments<DB>,
    String: for<'t> sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    i64: for<'t> sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
{
    let mut tx = pool.begin().await?;
    for chunk in rows.chunks(per_statement) {
        due_clocks_upsert::<DB>(chunk)
            .build()
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The journeys of a batch of children, parsed as the journal is read, so that parsing
/// overlaps the database's reading.
#[derive(Default)]
pub(crate) struct Journeys {
    by_subject: HashMap<String, Vec<Event>>,
}

impl Journeys {
    /// The subjects of `children` whose journeys must be read: those without clocks.
    pub(crate) fn wanted(children: &[Unsettled]) -> Vec<String> {
        children
            .iter()
            .filter(|u| u.clocks.is_none())
            .map(|u| Subject::Child(u.child.id.clone()).to_string())
            .collect()
    }

    /// Add a subject's whole journey: its event bodies in journal order, one a line (the
    /// database joins them, so a journey is one row to fetch rather than hundreds; an
    /// event's JSON never holds a raw line break).
    pub(crate) fn add(&mut self, subject: &str, bodies: &str) -> Result<(), StoreError> {
        let journey = bodies.lines().map(parse_body).collect::<Result<_, _>>()?;
        self.by_subject.insert(subject.to_owned(), journey);
        Ok(())
    }

    /// The journey read for `subject`, taken out (none if it has no events).
    pub(crate) fn take(&mut self, subject: &str) -> Vec<Event> {
        self.by_subject.remove(subject).unwrap_or_default()
    }

    /// Hand each of `children` to `each` with its clocks, or else its journey.
    pub(crate) fn hand_over(mut self, children: &[Unsettled], each: &mut crate::DueSink<'_>) {
        for u in children {
            let source = match &u.clocks {
                Some(clocks) => DueSource::Cached(clocks.clone()),
                None => {
                    let subject = Subject::Child(u.child.id.clone()).to_string();
                    DueSource::Journey {
                        events: self.by_subject.remove(&subject).unwrap_or_default(),
                        version: u.version,
                        cached: u.fresh,
                    }
                }
            };
            each(&u.child, source);
        }
    }
}

/// A projection row as one line of `projection_dump`.
pub(crate) fn dump_line(row: &ChildRow) -> String {
    let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "NULL".into());
    [
        row.child_id.clone(),
        row.version.to_string(),
        row.given_name.clone(),
        row.family_name.clone(),
        opt(&row.date_of_birth),
        opt(&row.expected_date_of_birth),
        opt(&row.nhs_number),
        opt(&row.postcode),
        row.open_work.clone(),
        opt(&row.worker),
        opt(&row.team),
        row.state.clone(),
        opt(&row.settled_since),
        opt(&row.queue_team),
        opt(&row.queue_worker),
    ]
    .join("|")
}

/// A contact's projection row as one line of `projection_dump`.
pub(crate) fn contact_dump_line(row: &ContactRow) -> String {
    let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "NULL".into());
    [
        String::from("contact"),
        row.contact_id.clone(),
        row.version.to_string(),
        row.status.clone(),
        opt(&row.received_at),
        opt(&row.urgency),
        opt(&row.source),
        opt(&row.submitted_by),
        opt(&row.locality),
        opt(&row.routed_team),
        opt(&row.decided_at),
        opt(&row.outcome),
        row.state.clone(),
    ]
    .join("|")
}

/// The columns of `ChildRow`, in the order the backends select them.
pub(crate) const CHILD_COLUMNS: &str = "child_id, version, given_name, family_name, date_of_birth, expected_date_of_birth, nhs_number, postcode, open_work, worker, team, state, settled_since, queue_team, queue_worker";

/// The id part of a subject (`C1` of `child:C1`), as the projection tables key it.
pub(crate) fn subject_id(subject: &Subject) -> &str {
    match subject {
        Subject::Child(id) => id.as_str(),
        Subject::Family(id) => id.as_str(),
        Subject::Contact(id) => id.as_str(),
    }
}

pub(crate) fn parse_body(body: &str) -> Result<Event, StoreError> {
    serde_json::from_str(body).map_err(corrupt)
}

pub(crate) fn to_json<T: serde::Serialize + ?Sized>(value: &T) -> Result<String, StoreError> {
    // Room for a typical event from the start, rather than growing through several
    // reallocations from empty.
    let mut json = Vec::with_capacity(512);
    serde_json::to_writer(&mut json, value).map_err(corrupt)?;
    String::from_utf8(json).map_err(corrupt)
}

pub(crate) fn corrupt(e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(e.to_string())
}

/// What `Journal::append` checks before writing: whether there is anything to write, and
/// that it is all for one subject.
pub(crate) fn one_subject(events: &[Event]) -> Result<bool, StoreError> {
    let Some(first) = events.first() else {
        return Ok(false);
    };
    if events.iter().any(|e| e.subject != first.subject) {
        return Err(StoreError::MixedSubjects);
    }
    Ok(true)
}

/// A child's stored projection row, (state JSON, version), as a record.
pub(crate) fn child_record((state, version): (String, i64)) -> Result<ChildRecord, StoreError> {
    Ok(ChildRecord {
        state: serde_json::from_str(&state).map_err(corrupt)?,
        version: version as Version,
    })
}

/// A `users` row as both backends store it.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct UserRow {
    name: String,
    role: String,
    password_hash: String,
    created_at: String,
    worker: Option<String>,
}

impl UserRow {
    pub(crate) fn into_user(self) -> Result<crate::User, StoreError> {
        Ok(crate::User {
            name: hearth_domain::access::UserName::parse(&self.name).map_err(corrupt)?,
            role: self.role.parse().map_err(corrupt)?,
            password_hash: self.password_hash,
            created_at: self.created_at.parse().map_err(corrupt)?,
            worker: self
                .worker
                .map(|w| hearth_domain::ids::WorkerId::parse(&w).map_err(corrupt))
                .transpose()?,
        })
    }
}

pub(crate) fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
}
