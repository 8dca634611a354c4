//! The journal, the same on both backends: appending (through the store's writer),
//! reading a journey, counting, exporting and verifying the hash chains. The SQL uses
//! `$N` placeholders, which SQLite (through sqlx) and PostgreSQL both read, and
//! [`impl_journal!`] writes the methods once for both.

use crate::chain::ChainReport;
use crate::write::{self, parse_body};
use crate::writer::{Expected, Job, Writer};
use crate::{AccessRows, StoreError, Version};
use hearth_domain::event::Event;
use hearth_domain::ids::{ChildId, Subject};
use std::io::Write;

/// The append-only journal of every journey, and the hash chains that guard it and the
/// access log.
#[async_trait::async_trait]
pub trait Journal: Send + Sync {
    /// Append events to one subject's journey, provided it still has `expected` events.
    /// Validated against the whole journey; the projection is updated in the same
    /// transaction. Returns the new version.
    async fn append(&self, expected: Version, events: Vec<Event>) -> Result<Version, StoreError>;

    /// Append events to several subjects' journeys in one transaction (a contact and
    /// the children it is linked to), provided each subject named in `expected` still
    /// has the events named for it; a subject may be named to be checked without being
    /// written to. An event for a subject not named is refused. Returns each subject
    /// named, in the order given, with its new version.
    async fn append_many(
        &self,
        expected: Vec<(Subject, Version)>,
        events: Vec<Event>,
    ) -> Result<Vec<(Subject, Version)>, StoreError>;

    /// [`Journal::append_many`], and in the same transaction the access-log rows that
    /// record the write (`log`): the events and the rows are written together or not
    /// at all, so a write acknowledged has its rows and a refused one has none, and the
    /// caller waits for one commit, not two.
    async fn append_many_logged(
        &self,
        expected: Vec<(Subject, Version)>,
        events: Vec<Event>,
        log: AccessRows,
    ) -> Result<Vec<(Subject, Version)>, StoreError>;

    /// Append a batch of events for any number of subjects, in order, all or nothing
    /// (journal import, the synthetic county). Returns the number of events written.
    async fn append_batch(&self, events: Vec<Event>) -> Result<u64, StoreError>;

    /// Load batches of new journeys as they arrive, each batch all or nothing
    /// (`hearth generate`): every subject's events come in one batch, and no subject may
    /// already have events. `loaded` hears the size of each batch once it has committed.
    /// Returns the number of events written. A backend may prepare one batch while it
    /// writes the one before (SQLite does, in `bulk.rs`), and may fill the due cache
    /// with the rows `due` works out as it goes (SQLite does; the others leave the cache
    /// to the first due list).
    async fn load(
        &self,
        mut batches: tokio::sync::mpsc::Receiver<Vec<Event>>,
        loaded: &(dyn Fn(u64) + Send + Sync),
        _due: Option<crate::DueClocksFor>,
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

    async fn count_events(&self) -> Result<u64, StoreError>;

    /// Where the journal has got to: the place of its last event (0 before any). It
    /// grows with every append, from this process or another, and costs one small row
    /// to read, so a figure kept in memory knows when it must be worked out again.
    async fn journal_position(&self) -> Result<u64, StoreError>;

    /// Write the journal, one event a line in journal order (one child's only, if given).
    async fn export_journal(
        &self,
        child: Option<&ChildId>,
        out: &mut (dyn Write + Send),
    ) -> Result<u64, StoreError>;

    /// Walk the hash chains of the journal and the access log and report, for each, that
    /// it is intact or the first row where it breaks.
    async fn verify_chains(&self) -> Result<ChainReport, StoreError>;

    /// The writer that commits this store's appends and access-log rows in groups, for
    /// tests that watch the grouping; a test double has none.
    fn writer(&self) -> Option<&Writer> {
        None
    }
}

pub(crate) const COUNT_EVENTS: &str = "SELECT COUNT(*) FROM journal";
/// The journal's chain head moves with every append, in the append's transaction.
pub(crate) const POSITION: &str = "SELECT seq FROM chain_head WHERE chain = 'journal'";
pub(crate) const EXPORT_ALL: &str = "SELECT body FROM journal ORDER BY seq";
pub(crate) const EXPORT_SUBJECT: &str = "SELECT body FROM journal WHERE subject = $1 ORDER BY seq";

/// `append_many` through `writer`, with the access-log rows `log` in the same
/// transaction if given.
pub(crate) async fn append_many(
    writer: &Writer,
    expected: Vec<(Subject, Version)>,
    events: Vec<Event>,
    log: Option<AccessRows>,
) -> Result<Vec<(Subject, Version)>, StoreError> {
    let named = write::named_versions(&expected)?;
    let after = write::versions_after(expected, &events);
    let job = Job::Write {
        events,
        expected: Expected::Each(named),
        log,
    };
    writer.submit(job).await?;
    Ok(after)
}

/// A subject's journey in journal order, read with `executor` (a pool, or a write
/// transaction's connection) by the backend's `select_journey`.
pub(crate) async fn read_journey<'e, DB, E>(
    executor: E,
    select_journey: &'static str,
    subject: &Subject,
) -> Result<Vec<Event>, StoreError>
where
    DB: sqlx::Database,
    E: sqlx::Executor<'e, Database = DB>,
    DB::Arguments: sqlx::IntoArguments<DB>,
    String: for<'q> sqlx::Encode<'q, DB> + for<'r> sqlx::Decode<'r, DB> + sqlx::Type<DB>,
    Option<String>: for<'r> sqlx::Decode<'r, DB> + sqlx::Type<DB>,
    usize: sqlx::ColumnIndex<DB::Row>,
{
    let bodies: Option<String> = sqlx::query_scalar(select_journey)
        .bind(subject.to_string())
        .fetch_one(executor)
        .await?;
    bodies
        .as_deref()
        .unwrap_or_default()
        .lines()
        .map(parse_body)
        .collect()
}

/// Implements [`Journal`] for a backend `$store` with `pool` and `writer` fields.
/// Methods a backend does its own way (SQLite's `load`) follow the type.
macro_rules! impl_journal {
    ($store:ty $(, $own:item)*) => {
        #[async_trait::async_trait]
        impl $crate::Journal for $store {
            $($own)*

            async fn append(
                &self,
                expected: $crate::Version,
                events: Vec<hearth_domain::event::Event>,
            ) -> Result<$crate::Version, $crate::StoreError> {
                if !$crate::write::one_subject(&events)? {
                    return Ok(expected);
                }
                let job = $crate::writer::Job::Write {
                    events,
                    expected: $crate::writer::Expected::One(expected),
                    log: None,
                };
                let n = self.writer.submit(job).await?;
                Ok(expected + n)
            }

            async fn append_many(
                &self,
                expected: Vec<(hearth_domain::ids::Subject, $crate::Version)>,
                events: Vec<hearth_domain::event::Event>,
            ) -> Result<Vec<(hearth_domain::ids::Subject, $crate::Version)>, $crate::StoreError>
            {
                $crate::journal::append_many(&self.writer, expected, events, None).await
            }

            async fn append_many_logged(
                &self,
                expected: Vec<(hearth_domain::ids::Subject, $crate::Version)>,
                events: Vec<hearth_domain::event::Event>,
                log: $crate::AccessRows,
            ) -> Result<Vec<(hearth_domain::ids::Subject, $crate::Version)>, $crate::StoreError>
            {
                $crate::journal::append_many(&self.writer, expected, events, Some(log)).await
            }

            async fn append_batch(
                &self,
                events: Vec<hearth_domain::event::Event>,
            ) -> Result<u64, $crate::StoreError> {
                let job = $crate::writer::Job::Write {
                    events,
                    expected: $crate::writer::Expected::Batch,
                    log: None,
                };
                self.writer.submit(job).await
            }

            async fn journey(
                &self,
                subject: &hearth_domain::ids::Subject,
            ) -> Result<(Vec<hearth_domain::event::Event>, $crate::Version), $crate::StoreError>
            {
                let events = $crate::journal::read_journey(
                    &self.pool,
                    Self::DIALECT.select_journey,
                    subject,
                )
                .await?;
                let version = events.len() as $crate::Version;
                Ok((events, version))
            }

            async fn count_events(&self) -> Result<u64, $crate::StoreError> {
                let n: i64 = sqlx::query_scalar($crate::journal::COUNT_EVENTS)
                    .fetch_one(&self.pool)
                    .await?;
                Ok(n as u64)
            }

            async fn journal_position(&self) -> Result<u64, $crate::StoreError> {
                let seq: Option<i64> = sqlx::query_scalar($crate::journal::POSITION)
                    .fetch_optional(&self.pool)
                    .await?;
                Ok(seq.map_or(0, |s| s.max(0) as u64))
            }

            async fn export_journal(
                &self,
                child: Option<&hearth_domain::ids::ChildId>,
                out: &mut (dyn std::io::Write + Send),
            ) -> Result<u64, $crate::StoreError> {
                use futures_util::TryStreamExt;
                use sqlx::Row;
                let query = match child {
                    Some(id) => sqlx::query($crate::journal::EXPORT_SUBJECT)
                        .bind(hearth_domain::ids::Subject::Child(id.clone()).to_string()),
                    None => sqlx::query($crate::journal::EXPORT_ALL),
                };
                let mut n = 0;
                let mut rows = query.fetch(&self.pool);
                while let Some(row) = rows.try_next().await? {
                    let body: &str = row.try_get(0)?;
                    out.write_all(body.as_bytes())?;
                    out.write_all(b"\n")?;
                    n += 1;
                }
                out.flush()?;
                Ok(n)
            }

            async fn verify_chains(&self) -> Result<$crate::ChainReport, $crate::StoreError> {
                use $crate::chain::{Chain, verify_chain};
                Ok($crate::ChainReport {
                    journal: verify_chain(&self.pool, Chain::Journal).await?,
                    access_log: verify_chain(&self.pool, Chain::AccessLog).await?,
                })
            }

            fn writer(&self) -> Option<&$crate::Writer> {
                Some(&self.writer)
            }
        }
    };
}
pub(crate) use impl_journal;
