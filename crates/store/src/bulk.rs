//! Loading new journeys in bulk into SQLite (`hearth generate`). Each batch is folded,
//! serialised and chained on a thread of its own while the batch before it is written,
//! so that preparing rows and SQLite's work overlap rather than take turns; the rows go
//! in through the same inserts as an ordinary write.
//!
//! Every subject's events come in one batch and no subject has events yet, so nothing
//! is read back: each journey is folded from the start. The journal's unique
//! (subject, version) and id indexes refuse a subject or an event already there, and
//! each batch checks that the chain's head is still the one its rows were chained on.
//!
//! Given a `DueClocksFor`, the load also fills the due cache from the journeys it has
//! just folded, so that the first due list reads no journey back.

use crate::chain::{Chain, Head};
use crate::projection::State;
use crate::sqlite::{ROWS_PER_INSERT, SqliteTx};
use crate::write::{self, JournalRow, Pending, ProjectionRows, WriteTx};
use crate::{DueClocksFor, DueClocksRow, StoreError, Version};
use hearth_domain::event::Event;
use hearth_domain::ids::Subject;
use sqlx::{Connection, Sqlite, SqliteConnection, SqlitePool};
use std::borrow::Cow;
use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};
use tokio::sync::mpsc;

/// A batch ready to write: its journal rows, chained on from `from` to `to`, and the
/// projections its subjects reach.
struct Prepared {
    rows: Vec<JournalRow<'static>>,
    projections: ProjectionRows,
    due: Vec<DueClocksRow>,
    from: Head,
    to: Head,
}

/// Load `batches` into the database `pool` opens, one transaction a batch; `loaded`
/// hears the size of each batch once it has committed, and `due`, if given, works out
/// the due cache rows written with it. Returns the events written.
///
/// The load's connection commits with `synchronous=NORMAL` and checkpoints less often:
/// in WAL mode that keeps the database consistent through a crash but may lose the last
/// batches, which a load being repeated from the start does not mind, and it spares two
/// fsyncs a batch, which on a busy disk cost more than the rest of the load. The next
/// ordinary (`FULL`) commit, such as the organisation `hearth generate` stores last,
/// makes it all durable.
pub(crate) async fn load(
    pool: &SqlitePool,
    batches: mpsc::Receiver<Vec<Event>>,
    loaded: &(dyn Fn(u64) + Send + Sync),
    due: Option<DueClocksFor>,
) -> Result<u64, StoreError> {
    let mut conn = pool.acquire().await?;
    sqlx::raw_sql("PRAGMA synchronous = NORMAL; PRAGMA wal_autocheckpoint = 32768")
        .execute(&mut *conn)
        .await?;
    let result = load_on(&mut conn, batches, loaded, due).await;
    let restored = sqlx::raw_sql("PRAGMA synchronous = FULL; PRAGMA wal_autocheckpoint = 1000")
        .execute(&mut *conn)
        .await;
    if restored.is_err() {
        // Never hand the pool a connection that commits less durably than the rest.
        drop(conn.detach());
    }
    let events = result?;
    restored?;
    Ok(events)
}

async fn load_on(
    conn: &mut SqliteConnection,
    batches: mpsc::Receiver<Vec<Event>>,
    loaded: &(dyn Fn(u64) + Send + Sync),
    due: Option<DueClocksFor>,
) -> Result<u64, StoreError> {
    let start = {
        let mut tx = SqliteTx(conn.begin().await?);
        let head = tx.lock_head(Chain::Journal).await?;
        tx.0.rollback().await?;
        head
    };
    // One batch prepared ahead of the one being written: enough to overlap, and memory
    // stays at a few batches.
    let (ready, mut prepared) = mpsc::channel(1);
    let preparing =
        tokio::task::spawn_blocking(move || prepare_all(batches, start, due.as_ref(), &ready));
    let mut events = 0u64;
    while let Some(batch) = prepared.recv().await {
        let batch: Prepared = batch?;
        let n = batch.rows.len() as u64;
        let mut tx = SqliteTx(conn.begin().await?);
        write_batch(&mut tx, batch).await?;
        tx.0.commit().await?;
        events += n;
        loaded(n);
    }
    preparing
        .await
        .map_err(|e| StoreError::NotCommitted(e.to_string()))?;
    Ok(events)
}

/// Prepare each batch in turn, chaining on from `head`, until the batches end, one
/// fails, or the writer stops listening.
fn prepare_all(
    mut batches: mpsc::Receiver<Vec<Event>>,
    mut head: Head,
    due: Option<&DueClocksFor>,
    ready: &mpsc::Sender<Result<Prepared, StoreError>>,
) {
    while let Some(events) = batches.blocking_recv() {
        let prepared = prepare(events, head, due);
        if let Ok(p) = &prepared {
            head = p.to;
        }
        let failed = prepared.is_err();
        if ready.blocking_send(prepared).is_err() || failed {
            return;
        }
    }
}

/// The journey of one subject so far in a batch.
struct Journey<'e> {
    subject: &'e Subject,
    events: Version,
    /// The place of its last event so far in the batch.
    last: usize,
    state: State,
    /// An event did not go on the end, so the state is folded from the whole journey.
    refold: bool,
}

/// Fold each subject's journey, in place (events arrive grouped by family and are not
/// moved about to be grouped by subject), then number, serialise and chain the rows in
/// the order the events came.
fn prepare(
    events: Vec<Event>,
    from: Head,
    due: Option<&DueClocksFor>,
) -> Result<Prepared, StoreError> {
    let mut ids = HashSet::with_capacity(events.len());
    let mut index: HashMap<&Subject, usize> = HashMap::new();
    let mut journeys: Vec<Journey> = Vec::new();
    let mut versions: Vec<Version> = Vec::with_capacity(events.len());
    for (at, event) in events.iter().enumerate() {
        if !ids.insert(event.id.as_str()) {
            return Err(StoreError::DuplicateEvent(event.id.to_string()));
        }
        let i = match index.entry(&event.subject) {
            Entry::Occupied(known) => *known.get(),
            Entry::Vacant(new) => {
                journeys.push(Journey {
                    subject: &event.subject,
                    events: 0,
                    last: 0,
                    state: State::empty(&event.subject),
                    refold: false,
                });
                *new.insert(journeys.len() - 1)
            }
        };
        let Some(journey) = journeys.get_mut(i) else {
            return Err(StoreError::Corrupt("a bulk load lost its place".into()));
        };
        journey.events += 1;
        journey.last = at;
        versions.push(journey.events);
        if !journey.refold && !journey.state.try_apply(event)? {
            journey.refold = true;
        }
    }
    refold(&mut journeys, &events)?;
    let due = due.map_or_else(Vec::new, |due| due_rows(due, &journeys, &events));
    // The projections as the ordinary write path writes them.
    let pending: Vec<Pending> = journeys
        .into_iter()
        .map(|j| Pending {
            subject: j.subject.clone(),
            base_version: j.events,
            new_events: Vec::new(),
            positions: Vec::new(),
            state: Some(j.state),
            // Rows are numbered on from `from`, one an event, in the order they came.
            seq: from.seq + 1 + j.last as i64,
        })
        .collect();
    let projections = write::projection_rows(&pending)?;
    drop(pending);
    drop(index);
    drop(ids);
    let mut head = from;
    let mut rows = Vec::with_capacity(events.len());
    for (event, version) in events.into_iter().zip(versions) {
        let row = JournalRow::chained(head, Cow::Owned(event), version)?;
        head = row.head();
        rows.push(row);
    }
    Ok(Prepared {
        rows,
        projections,
        due,
        from,
        to: head,
    })
}

/// The due cache rows of the children whose every event comes in one run (a family's
/// events come subject by subject, so that is nearly every child); a child whose events
/// are spread out is left to the first due list, rather than copying their journey here.
fn due_rows(due: &DueClocksFor, journeys: &[Journey], events: &[Event]) -> Vec<DueClocksRow> {
    let whole: HashMap<&Subject, &State> = journeys.iter().map(|j| (j.subject, &j.state)).collect();
    let lengths: HashMap<&Subject, Version> =
        journeys.iter().map(|j| (j.subject, j.events)).collect();
    events
        .chunk_by(|a, b| a.subject == b.subject)
        .filter(|run| lengths.get(&run[0].subject) == Some(&(run.len() as Version)))
        .filter_map(|run| match whole.get(&run[0].subject) {
            Some(State::Child(state)) => due(state, run),
            _ => None,
        })
        .collect()
}

/// Fold from the start the journeys whose events did not all go on the end.
fn refold(journeys: &mut [Journey], events: &[Event]) -> Result<(), StoreError> {
    let mut whole: HashMap<&Subject, Vec<Event>> = journeys
        .iter()
        .filter(|j| j.refold)
        .map(|j| (j.subject, Vec::new()))
        .collect();
    if whole.is_empty() {
        return Ok(());
    }
    for event in events {
        if let Some(journey) = whole.get_mut(&event.subject) {
            journey.push(event.clone());
        }
    }
    for j in journeys.iter_mut().filter(|j| j.refold) {
        if let Some(journey) = whole.get(j.subject) {
            j.state = State::refold(j.subject, journey)?;
        }
    }
    Ok(())
}

/// Write one prepared batch in the transaction `tx`, with the same inserts as an
/// ordinary write. The journal goes first, so its unique indexes refuse a subject or an
/// event already stored before any projection could be replaced.
async fn write_batch(tx: &mut SqliteTx<'_>, batch: Prepared) -> Result<(), StoreError> {
    let head = tx.lock_head(Chain::Journal).await?;
    if head != batch.from {
        return Err(StoreError::NotCommitted(
            "the journal was written to during a bulk load".into(),
        ));
    }
    tx.insert_journal(batch.rows).await?;
    tx.upsert_children(batch.projections.children).await?;
    tx.upsert_families(batch.projections.families).await?;
    tx.upsert_contacts(batch.projections.contacts).await?;
    tx.replace_people(
        batch.projections.families_of_people,
        batch.projections.nobody,
        batch.projections.people,
    )
    .await?;
    for chunk in batch.due.chunks(ROWS_PER_INSERT) {
        write::due_clocks_upsert::<Sqlite>(chunk)
            .build()
            .execute(&mut *tx.0)
            .await?;
    }
    tx.set_head(Chain::Journal, batch.to).await
}
