//! One writer per store, committing in groups. Every append, batch and access-log row
//! goes to one task, which takes the requests that have arrived together and writes them
//! in one transaction, each inside a savepoint: a refused write (a stale version, an
//! event the domain refuses, a duplicate id) is rolled back to its savepoint and refused
//! alone, and the rest commit. Each caller hears back only once the transaction holding
//! its rows has committed, so a group costs one fsync where each write used to cost one.
//!
//! Rows are chained in the order they are written inside the group, and a rolled-back
//! write also rolls back its move of the chain's head, so the chains have no gaps.

use crate::write::{self, WriteTx};
use crate::{AccessRows, StoreError, Version};
use async_trait::async_trait;
use hearth_domain::event::Event;
use hearth_domain::ids::Subject;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use tokio::sync::{Mutex, MutexGuard, mpsc, oneshot};

/// At most this many requests share a transaction, so that no caller waits behind an
/// unbounded queue.
const MAX_GROUP_WRITES: usize = 256;
/// A group takes no further request once it holds this many rows (events and access-log
/// rows): a large import goes in a group of its own rather than holding others back.
const MAX_GROUP_ROWS: usize = 5_000;

/// Which versions a write was based on, checked inside its transaction.
pub(crate) enum Expected {
    /// A batch (an import, the synthetic county): no version is checked.
    Batch,
    /// One subject's events, based on this version of its journey.
    One(Version),
    /// Events for several subjects, each based on the version named for it; every
    /// subject named is checked, and an event for a subject not named is refused.
    Each(BTreeMap<Subject, Version>),
}

/// What a caller asks the writer to do.
pub(crate) enum Job {
    /// Events for the journal, based on `expected`, and the access-log rows that record
    /// them, if any: written together or refused together, so that an acknowledged
    /// write has its rows and a refused one has none.
    Write {
        events: Vec<Event>,
        expected: Expected,
        log: Option<AccessRows>,
    },
    /// Chained access-log rows on their own.
    Access(AccessRows),
}

impl Job {
    fn rows(&self) -> usize {
        match self {
            Job::Write { events, log, .. } => {
                events.len() + log.as_ref().map_or(0, |log| log.targets.len())
            }
            Job::Access(log) => log.targets.len(),
        }
    }
}

struct Request {
    job: Job,
    reply: oneshot::Sender<Result<u64, StoreError>>,
}

/// How the writer opens a write transaction on its backend.
#[async_trait]
pub(crate) trait Begin: Send + Sync + 'static {
    async fn begin(&self) -> Result<Box<dyn WriteTx>, StoreError>;
}

/// What the writer task and its handle share.
#[derive(Default)]
struct Shared {
    /// Transactions committed.
    transactions: AtomicU64,
    /// Requests sent and not yet taken into a group.
    waiting: AtomicUsize,
    /// Taken by the writer before it gathers a group; `Writer::hold` takes it to keep
    /// requests waiting (for tests that need to know what is grouped).
    gate: Mutex<()>,
}

/// The handle to a store's writer task. Dropping it (with the store) lets the task finish
/// the requests already sent and end.
pub struct Writer {
    queue: mpsc::UnboundedSender<Request>,
    shared: Arc<Shared>,
}

/// While held, the writer starts no new group; see `Writer::hold`.
pub struct WriterHold<'a> {
    _gate: MutexGuard<'a, ()>,
}

impl Writer {
    /// The rows (events and access-log rows) past which a group takes no more requests.
    pub const MAX_GROUP_ROWS: usize = MAX_GROUP_ROWS;

    /// Start the writer task on the current tokio runtime.
    pub(crate) fn spawn(begin: impl Begin) -> Writer {
        let (queue, requests) = mpsc::unbounded_channel();
        let shared = Arc::new(Shared::default());
        tokio::spawn(run(begin, requests, Arc::clone(&shared)));
        Writer { queue, shared }
    }

    /// Hand `job` to the writer and wait until it has committed (or been refused).
    /// Returns the number of rows written.
    pub(crate) async fn submit(&self, job: Job) -> Result<u64, StoreError> {
        let (reply, answer) = oneshot::channel();
        self.shared.waiting.fetch_add(1, Ordering::SeqCst);
        if self.queue.send(Request { job, reply }).is_err() {
            self.shared.waiting.fetch_sub(1, Ordering::SeqCst);
            return Err(stopped());
        }
        answer.await.map_err(|_| stopped())?
    }

    /// How many transactions the writer has committed since the store was opened.
    pub fn transactions(&self) -> u64 {
        self.shared.transactions.load(Ordering::SeqCst)
    }

    /// How many requests are waiting to be taken into a group.
    pub fn waiting(&self) -> usize {
        self.shared.waiting.load(Ordering::SeqCst)
    }

    /// Keep the writer from starting a new group until the hold is dropped (a group
    /// already being written finishes first). Requests sent meanwhile wait, and go
    /// together into the next group: what a test uses to see grouping happen without
    /// relying on timing.
    pub async fn hold(&self) -> WriterHold<'_> {
        WriterHold {
            _gate: self.shared.gate.lock().await,
        }
    }
}

fn stopped() -> StoreError {
    StoreError::NotCommitted("the store's writer has stopped".into())
}

async fn run(
    begin: impl Begin,
    mut requests: mpsc::UnboundedReceiver<Request>,
    shared: Arc<Shared>,
) {
    // A request that did not fit in the last group starts the next.
    let mut carried: Option<Request> = None;
    loop {
        let first = match carried.take() {
            Some(request) => request,
            None => match requests.recv().await {
                Some(request) => request,
                // Every handle is gone and every request sent has been answered.
                None => break,
            },
        };
        let gate = shared.gate.lock().await;
        let mut rows = first.job.rows();
        let mut group = vec![first];
        while group.len() < MAX_GROUP_WRITES && rows < MAX_GROUP_ROWS {
            let Ok(next) = requests.try_recv() else {
                break;
            };
            if rows + next.job.rows() > MAX_GROUP_ROWS {
                carried = Some(next);
                break;
            }
            rows += next.job.rows();
            group.push(next);
        }
        // A carried request stays counted as waiting until a group takes it.
        shared.waiting.fetch_sub(group.len(), Ordering::SeqCst);
        drop(gate);
        commit_group(&begin, group, &shared.transactions).await;
    }
}

/// Write `group` in one transaction and answer each request. A commit is counted in
/// `committed` before anyone hears of it, so that a caller who has heard sees it counted.
async fn commit_group(begin: &impl Begin, group: Vec<Request>, committed: &AtomicU64) {
    let mut tx = match begin.begin().await {
        Ok(tx) => tx,
        Err(e) => {
            fail_all(group.into_iter().map(|r| r.reply), &e);
            return;
        }
    };
    let mut written = Vec::with_capacity(group.len());
    let mut requests = group.into_iter();
    while let Some(Request { job, reply }) = requests.next() {
        match write_one(tx.as_mut(), job).await {
            Ok(n) => written.push((reply, n)),
            Err(Refusal::Alone(e)) => {
                let _ = reply.send(Err(e));
            }
            Err(Refusal::All(e)) => {
                // The transaction is lost: nothing in it commits.
                fail_all(
                    written
                        .into_iter()
                        .map(|(r, _)| r)
                        .chain(std::iter::once(reply))
                        .chain(requests.map(|r| r.reply)),
                    &e,
                );
                return;
            }
        }
    }
    if written.is_empty() {
        // Everything was refused: nothing to make durable.
        return;
    }
    match tx.commit().await {
        Ok(()) => {
            committed.fetch_add(1, Ordering::SeqCst);
            for (reply, n) in written {
                // A caller that gave up waiting is not there to hear; its rows stand.
                let _ = reply.send(Ok(n));
            }
        }
        Err(e) => fail_all(written.into_iter().map(|(r, _)| r), &e),
    }
}

enum Refusal {
    /// This request is refused; the transaction goes on without it.
    Alone(StoreError),
    /// The transaction itself failed.
    All(StoreError),
}

/// One request inside its own savepoint, rolled back to it if refused.
async fn write_one(tx: &mut dyn WriteTx, job: Job) -> Result<u64, Refusal> {
    tx.execute("SAVEPOINT hearth_write")
        .await
        .map_err(Refusal::All)?;
    let result = match job {
        Job::Write {
            events,
            expected,
            log,
        } => match write::write(tx, events, expected).await {
            Ok(n) => match &log {
                Some(log) => write::log_access(tx, log).await.map(|_| n),
                None => Ok(n),
            },
            refused => refused,
        },
        Job::Access(log) => write::log_access(tx, &log).await,
    };
    match result {
        Ok(n) => {
            tx.execute("RELEASE SAVEPOINT hearth_write")
                .await
                .map_err(Refusal::All)?;
            Ok(n)
        }
        Err(refused) => {
            // If the savepoint cannot be rolled back to, the database gave up on the
            // whole transaction (SQLite does on a full disk, for one).
            match tx.execute("ROLLBACK TO SAVEPOINT hearth_write").await {
                Ok(()) => {}
                Err(_) => return Err(Refusal::All(refused)),
            }
            tx.execute("RELEASE SAVEPOINT hearth_write")
                .await
                .map_err(Refusal::All)?;
            Err(Refusal::Alone(refused))
        }
    }
}

/// Tell every one of `replies` that its write did not commit, and why.
fn fail_all(
    replies: impl Iterator<Item = oneshot::Sender<Result<u64, StoreError>>>,
    cause: &StoreError,
) {
    for reply in replies {
        let _ = reply.send(Err(StoreError::NotCommitted(cause.to_string())));
    }
}
