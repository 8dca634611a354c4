//! Loading new journeys in bulk into SQLite (`hearth generate`). Each batch is grouped,
//! folded, serialised and chained on a thread of its own while the batch before it is
//! written, so that preparing rows and SQLite's work overlap rather than take turns.
//!
//! Every subject's events come in one batch and no subject has events yet, so nothing
//! is read back: each journey is folded from the start. The journal's unique
//! (subject, version) and id indexes refuse a subject or an event already there, and
//! each batch checks that the chain's head is still the one its rows were chained on.

use crate::StoreError;
use crate::chain::{Chain, Head};
use crate::projection::State;
use crate::sqlite::lock_head;
use crate::write::{self, CHILD_COLUMNS, ChildRow, FamilyRow, Pending};
use crate::{Version, chain};
use hearth_domain::event::Event;
use sqlx::{Connection, QueryBuilder, Sqlite, SqliteConnection, SqlitePool, Transaction};
use tokio::sync::mpsc;

/// Rows per multi-row INSERT: the journal's ten columns stay well under SQLite's
/// bound-parameter limit.
const ROWS_PER_INSERT: usize = 400;

/// A journal row: the event and what the preparing thread worked out for it.
struct Row {
    event: Event,
    seq: i64,
    version: Version,
    body: String,
    hash: chain::Hash,
}

/// A batch ready to write: its journal rows, chained on from `from` to `to`, and the
/// projections its subjects reach.
struct Prepared {
    rows: Vec<Row>,
    children: Vec<ChildRow>,
    families: Vec<FamilyRow>,
    from: Head,
    to: Head,
}

/// Load `batches` into the database `pool` opens, one transaction a batch; `loaded`
/// hears the size of each batch once it has committed. Returns the events written.
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
) -> Result<u64, StoreError> {
    let mut conn = pool.acquire().await?;
    sqlx::raw_sql("PRAGMA synchronous = NORMAL; PRAGMA wal_autocheckpoint = 32768")
        .execute(&mut *conn)
        .await?;
    let result = load_on(&mut conn, batches, loaded).await;
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
) -> Result<u64, StoreError> {
    let start = {
        let mut tx = conn.begin().await?;
        let head = lock_head(&mut tx, Chain::Journal).await?;
        tx.rollback().await?;
        head
    };
    // One batch prepared ahead of the one being written: enough to overlap, and memory
    // stays at a few batches.
    let (ready, mut prepared) = mpsc::channel(1);
    let preparing = tokio::task::spawn_blocking(move || prepare_all(batches, start, &ready));
    let mut events = 0u64;
    while let Some(batch) = prepared.recv().await {
        let batch: Prepared = batch?;
        let n = batch.rows.len() as u64;
        let mut tx = conn.begin().await?;
        write_batch(&mut tx, batch).await?;
        tx.commit().await?;
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
    ready: &mpsc::Sender<Result<Prepared, StoreError>>,
) {
    while let Some(events) = batches.blocking_recv() {
        let prepared = prepare(events, head);
        if let Ok(p) = &prepared {
            head = p.to;
        }
        let failed = prepared.is_err();
        if ready.blocking_send(prepared).is_err() || failed {
            return;
        }
    }
}

fn prepare(events: Vec<Event>, from: Head) -> Result<Prepared, StoreError> {
    let mut pending = write::group_by_subject(events)?;
    for p in &mut pending {
        p.state = Some(fold_new(p)?);
    }
    // Journal order is the order the events came in, across subjects.
    let mut order: Vec<(usize, usize, usize)> = Vec::new();
    for (s, p) in pending.iter().enumerate() {
        for (e, position) in p.positions.iter().enumerate() {
            order.push((*position, s, e));
        }
    }
    order.sort_unstable_by_key(|(position, ..)| *position);
    let (children, families) = write::projection_rows(&pending)?;
    // Each subject's events are in the order they came, so journal order takes them
    // from the front of their subject's list.
    let mut journeys: Vec<_> = pending
        .into_iter()
        .map(|p| p.new_events.into_iter())
        .collect();
    let mut head = from;
    let mut rows = Vec::with_capacity(order.len());
    for (_, s, e) in order {
        let Some(event) = journeys.get_mut(s).and_then(Iterator::next) else {
            return Err(StoreError::Corrupt("a bulk load lost its place".into()));
        };
        let version = e as Version + 1;
        let body = write::to_json(&event)?;
        head = write::chain_onto(head, &event, version, &body);
        rows.push(Row {
            event,
            seq: head.seq,
            version,
            body,
            hash: head.hash,
        });
    }
    Ok(Prepared {
        rows,
        children,
        families,
        from,
        to: head,
    })
}

/// The state a new subject's events reach: applied one by one where they go on the end,
/// else folded as a whole (as the ordinary write path does).
fn fold_new(p: &Pending) -> Result<State, StoreError> {
    let mut state = State::empty(&p.subject);
    for event in &p.new_events {
        if !state.try_apply(event)? {
            return Ok(State::refold(&p.subject, &p.new_events)?);
        }
    }
    Ok(state)
}

async fn write_batch(tx: &mut Transaction<'_, Sqlite>, batch: Prepared) -> Result<(), StoreError> {
    let head = lock_head(tx, Chain::Journal).await?;
    if head != batch.from {
        return Err(StoreError::NotCommitted(
            "the journal was written to during a bulk load".into(),
        ));
    }
    let Prepared {
        rows,
        children,
        families,
        to,
        ..
    } = batch;
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let mut q = QueryBuilder::<Sqlite>::new(
            "INSERT INTO journal (seq, id, subject, version, kind, occurred_at, recorded_at, recorded_by, body, hash) ",
        );
        q.push_values(rows.by_ref().take(ROWS_PER_INSERT), |mut b, row| {
            let event = &row.event;
            b.push_bind(row.seq)
                .push_bind(event.id.as_str())
                .push_bind(event.subject.to_string())
                .push_bind(row.version as i64)
                .push_bind(event.kind())
                .push_bind(event.occurred_at.to_string())
                .push_bind(event.recorded_at.to_string())
                .push_bind(event.recorded_by.as_str())
                .push_bind(row.body)
                .push_bind(row.hash.to_vec());
        });
        q.build().execute(&mut **tx).await?;
    }
    let mut children = children.into_iter().peekable();
    while children.peek().is_some() {
        let mut q =
            QueryBuilder::<Sqlite>::new(format!("INSERT INTO child_state ({CHILD_COLUMNS}) "));
        q.push_values(children.by_ref().take(ROWS_PER_INSERT / 2), |mut b, r| {
            b.push_bind(r.child_id)
                .push_bind(r.version)
                .push_bind(r.given_name)
                .push_bind(r.family_name)
                .push_bind(r.date_of_birth)
                .push_bind(r.expected_date_of_birth)
                .push_bind(r.nhs_number)
                .push_bind(r.postcode)
                .push_bind(r.open_work)
                .push_bind(r.worker)
                .push_bind(r.team)
                .push_bind(r.state)
                .push_bind(r.settled_since);
        });
        q.build().execute(&mut **tx).await?;
    }
    let mut families = families.into_iter().peekable();
    while families.peek().is_some() {
        let mut q =
            QueryBuilder::<Sqlite>::new("INSERT INTO family_state (family_id, version, state) ");
        q.push_values(families.by_ref().take(ROWS_PER_INSERT), |mut b, r| {
            b.push_bind(r.family_id)
                .push_bind(r.version)
                .push_bind(r.state);
        });
        q.build().execute(&mut **tx).await?;
    }
    crate::chain::set_head::<Sqlite>(tx, Chain::Journal, to).await
}
