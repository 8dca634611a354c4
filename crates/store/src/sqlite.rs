//! The embedded SQLite backend: WAL, `synchronous=FULL`, foreign keys on, one writer at a
//! time (the store's writer task in this process, committing in groups; SQLite's lock
//! across processes).

use crate::chain::{self, Chain, ChainReport, ChainStatus, Hash, Head, Verifier};
use crate::organisation::{self, OrganisationVersion};
use crate::write::is_unique_violation;
use crate::write::{
    self, CHILD_COLUMNS, ChildRow, FamilyRow, JournalRow, Journeys, SUMMARY_COLUMNS, SummaryRow,
    WriteTx, parse_body,
};
use crate::writer::{Begin, Job, Writer};
use crate::{
    ChildRecord, ChildSummary, DueCacheKey, DueClocksRow, DueSink, HeldBy, RebuildReport, Store,
    StoreError, Version,
};
use async_trait::async_trait;
use futures_util::TryStreamExt;
use hearth_domain::event::Event;
use hearth_domain::ids::{ChildId, Subject};
use hearth_domain::org::Organisation;
use jiff::Timestamp;
use jiff::civil::Date;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{QueryBuilder, Row, Sqlite, Transaction};
use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::Path;
use std::time::Duration;

/// Rows per multi-row INSERT: keeps well under SQLite's bound-parameter limit while
/// avoiding a round trip to the database thread for every event.
const ROWS_PER_INSERT: usize = 400;
/// Children whose journeys one query reads, for the same reasons.
const CHILDREN_PER_READ: usize = 400;

pub struct SqliteStore {
    pool: SqlitePool,
    /// Appends and access-log rows, committed in groups.
    writer: Writer,
    /// Rebuilds and due-cache writes, one at a time; SQLite's own lock keeps them and the
    /// writer apart.
    bulk: tokio::sync::Mutex<()>,
}

impl SqliteStore {
    pub async fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(30))
            // A large page cache keeps the journal's indexes in memory during bulk writes,
            // and statement journals (kept for each multi-row insert) stay off the disk.
            .pragma("cache_size", "-262144")
            .pragma("temp_store", "memory");
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
        chain_unhashed_rows(&pool).await?;
        Ok(SqliteStore {
            writer: Writer::spawn(SqliteBegin(pool.clone())),
            pool,
            bulk: tokio::sync::Mutex::new(()),
        })
    }

    async fn write(
        &self,
        events: Vec<Event>,
        expected: Option<Version>,
    ) -> Result<u64, StoreError> {
        self.writer.submit(Job::Write { events, expected }).await
    }
}

/// How the writer begins a transaction on SQLite.
struct SqliteBegin(SqlitePool);

#[async_trait]
impl Begin for SqliteBegin {
    async fn begin(&self) -> Result<Box<dyn WriteTx>, StoreError> {
        Ok(Box::new(SqliteTx(self.0.begin().await?)))
    }
}

/// A write transaction on SQLite.
struct SqliteTx(Transaction<'static, Sqlite>);

#[async_trait]
impl WriteTx for SqliteTx {
    async fn lock_head(&mut self, chain: Chain) -> Result<Head, StoreError> {
        lock_head(&mut self.0, chain).await
    }

    async fn set_head(&mut self, chain: Chain, head: Head) -> Result<(), StoreError> {
        set_head(&mut self.0, chain, head).await
    }

    async fn versions(&mut self, subjects: &[String]) -> Result<HashMap<String, i64>, StoreError> {
        let mut versions = HashMap::new();
        for chunk in subjects.chunks(ROWS_PER_INSERT) {
            let mut q = QueryBuilder::<Sqlite>::new(
                "SELECT subject, MAX(version) FROM journal WHERE subject IN (",
            );
            let mut sep = q.separated(", ");
            for s in chunk {
                sep.push_bind(s);
            }
            q.push(") GROUP BY subject");
            for row in q.build().fetch_all(&mut *self.0).await? {
                versions.insert(row.try_get(0)?, row.try_get(1)?);
            }
        }
        Ok(versions)
    }

    async fn stored_state(&mut self, subject: &Subject) -> Result<Option<String>, StoreError> {
        let sql = match subject {
            Subject::Child(_) => "SELECT state FROM child_state WHERE child_id = ?",
            Subject::Family(_) => "SELECT state FROM family_state WHERE family_id = ?",
        };
        Ok(sqlx::query_scalar(sql)
            .bind(write::subject_id(subject))
            .fetch_optional(&mut *self.0)
            .await?)
    }

    async fn journey(&mut self, subject: &Subject) -> Result<Vec<Event>, StoreError> {
        read_journey(&mut *self.0, subject).await
    }

    async fn insert_journal(&mut self, rows: &[JournalRow<'_>]) -> Result<(), StoreError> {
        for chunk in rows.chunks(ROWS_PER_INSERT) {
            let mut q = QueryBuilder::<Sqlite>::new(
                "INSERT INTO journal (seq, id, subject, version, kind, occurred_at, recorded_at, recorded_by, body, hash) ",
            );
            q.push_values(chunk, |mut b, row| {
                let event = row.event;
                b.push_bind(row.seq)
                    .push_bind(event.id.as_str())
                    .push_bind(event.subject.to_string())
                    .push_bind(row.version as i64)
                    .push_bind(event.kind())
                    .push_bind(event.occurred_at.to_string())
                    .push_bind(event.recorded_at.to_string())
                    .push_bind(event.recorded_by.as_str())
                    .push_bind(row.body.as_str())
                    .push_bind(&row.hash[..]);
            });
            if let Err(e) = q.build().execute(&mut *self.0).await {
                if is_unique_violation(&e)
                    && let Some(id) = self.first_existing_id(chunk).await?
                {
                    return Err(StoreError::DuplicateEvent(id));
                }
                return Err(StoreError::Database(e));
            }
        }
        Ok(())
    }

    async fn upsert_children(&mut self, rows: &[ChildRow]) -> Result<(), StoreError> {
        for chunk in rows.chunks(ROWS_PER_INSERT / 2) {
            let mut q = QueryBuilder::<Sqlite>::new(format!(
                "INSERT OR REPLACE INTO child_state ({CHILD_COLUMNS}) "
            ));
            q.push_values(chunk, |mut b, r| {
                b.push_bind(&r.child_id)
                    .push_bind(r.version)
                    .push_bind(&r.given_name)
                    .push_bind(&r.family_name)
                    .push_bind(&r.date_of_birth)
                    .push_bind(&r.expected_date_of_birth)
                    .push_bind(&r.nhs_number)
                    .push_bind(&r.postcode)
                    .push_bind(&r.open_work)
                    .push_bind(&r.worker)
                    .push_bind(&r.team)
                    .push_bind(&r.state)
                    .push_bind(&r.settled_since);
            });
            q.build().execute(&mut *self.0).await?;
        }
        Ok(())
    }

    async fn upsert_families(&mut self, rows: &[FamilyRow]) -> Result<(), StoreError> {
        for chunk in rows.chunks(ROWS_PER_INSERT) {
            let mut q = QueryBuilder::<Sqlite>::new(
                "INSERT OR REPLACE INTO family_state (family_id, version, state) ",
            );
            q.push_values(chunk, |mut b, r| {
                b.push_bind(&r.family_id)
                    .push_bind(r.version)
                    .push_bind(&r.state);
            });
            q.build().execute(&mut *self.0).await?;
        }
        Ok(())
    }

    async fn insert_access_log(
        &mut self,
        at: &str,
        actor: &str,
        action: &str,
        rows: &[(i64, String, Hash)],
    ) -> Result<(), StoreError> {
        for chunk in rows.chunks(ROWS_PER_INSERT) {
            let mut q = QueryBuilder::<Sqlite>::new(
                "INSERT INTO access_log (seq, at, actor, subject, action, hash) ",
            );
            q.push_values(chunk, |mut b, (seq, subject, hash)| {
                b.push_bind(*seq)
                    .push_bind(at)
                    .push_bind(actor)
                    .push_bind(subject.as_str())
                    .push_bind(action)
                    .push_bind(&hash[..]);
            });
            q.build().execute(&mut *self.0).await?;
        }
        Ok(())
    }

    async fn execute(&mut self, sql: &'static str) -> Result<(), StoreError> {
        sqlx::query(sql).execute(&mut *self.0).await?;
        Ok(())
    }

    async fn commit(self: Box<Self>) -> Result<(), StoreError> {
        self.0.commit().await?;
        Ok(())
    }
}

impl SqliteTx {
    /// The batch's events were checked for duplicates among themselves, so a unique
    /// violation means an event id already in the journal: find the first such in
    /// `chunk`. (A failed statement leaves SQLite's transaction usable.)
    async fn first_existing_id(
        &mut self,
        chunk: &[JournalRow<'_>],
    ) -> Result<Option<String>, StoreError> {
        let mut q = QueryBuilder::<Sqlite>::new("SELECT id FROM journal WHERE id IN (");
        let mut ids = q.separated(", ");
        for row in chunk {
            ids.push_bind(row.event.id.as_str());
        }
        q.push(")");
        let existing: HashSet<String> = q
            .build_query_scalar::<String>()
            .fetch_all(&mut *self.0)
            .await?
            .into_iter()
            .collect();
        Ok(chunk
            .iter()
            .map(|r| r.event.id.to_string())
            .find(|id| existing.contains(id)))
    }
}

async fn read_journey<'e, E>(executor: E, subject: &Subject) -> Result<Vec<Event>, StoreError>
where
    E: sqlx::Executor<'e, Database = Sqlite>,
{
    let rows: Vec<(String,)> =
        sqlx::query_as("SELECT body FROM journal WHERE subject = ? ORDER BY version")
            .bind(subject.to_string())
            .fetch_all(executor)
            .await?;
    rows.iter().map(|(body,)| parse_body(body)).collect()
}

crate::access_control::impl_access_control!(SqliteStore);

#[async_trait]
impl Store for SqliteStore {
    async fn append(&self, expected: Version, events: Vec<Event>) -> Result<Version, StoreError> {
        if !write::one_subject(&events)? {
            return Ok(expected);
        }
        let n = self.write(events, Some(expected)).await?;
        Ok(expected + n)
    }

    async fn append_batch(&self, events: Vec<Event>) -> Result<u64, StoreError> {
        self.write(events, None).await
    }

    async fn load(
        &self,
        batches: tokio::sync::mpsc::Receiver<Vec<Event>>,
        loaded: &(dyn Fn(u64) + Send + Sync),
    ) -> Result<u64, StoreError> {
        let _bulk = self.bulk.lock().await;
        crate::bulk::load(&self.pool, batches, loaded).await
    }

    async fn journey(&self, subject: &Subject) -> Result<(Vec<Event>, Version), StoreError> {
        let events = read_journey(&self.pool, subject).await?;
        let version = events.len() as Version;
        Ok((events, version))
    }

    async fn child(&self, id: &ChildId) -> Result<Option<ChildRecord>, StoreError> {
        let row: Option<(String, i64)> =
            sqlx::query_as("SELECT state, version FROM child_state WHERE child_id = ?")
                .bind(id.as_str())
                .fetch_optional(&self.pool)
                .await?;
        row.map(write::child_record).transpose()
    }

    async fn search_children(
        &self,
        query: &str,
        limit: u32,
    ) -> Result<Vec<ChildSummary>, StoreError> {
        let query = query.trim();
        // Each word must match a name, the id, the NHS number or the date of birth;
        // an empty query lists every child.
        let rows = {
            let mut q = QueryBuilder::<Sqlite>::new(format!(
                "SELECT {SUMMARY_COLUMNS} FROM child_state WHERE 1 = 1"
            ));
            for word in query.split_whitespace() {
                let like = format!("{}%", word.replace(['%', '_'], ""));
                q.push(" AND (given_name LIKE ")
                    .push_bind(like.clone())
                    .push(" OR family_name LIKE ")
                    .push_bind(like)
                    .push(" OR child_id = ")
                    .push_bind(word.to_owned())
                    .push(" OR nhs_number = ")
                    .push_bind(word.replace('-', ""))
                    .push(" OR date_of_birth = ")
                    .push_bind(word.to_owned())
                    .push(")");
            }
            q.push(
                " ORDER BY family_name COLLATE NOCASE, given_name COLLATE NOCASE, child_id LIMIT ",
            )
            .push_bind(limit);
            q.build_query_as::<SummaryRow>()
                .fetch_all(&self.pool)
                .await?
        };
        rows.into_iter().map(write::summary).collect()
    }

    async fn count_events(&self) -> Result<u64, StoreError> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM journal")
            .fetch_one(&self.pool)
            .await?;
        Ok(n as u64)
    }

    async fn count_children(&self) -> Result<u64, StoreError> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM child_state")
            .fetch_one(&self.pool)
            .await?;
        Ok(n as u64)
    }

    async fn export_journal(
        &self,
        child: Option<&ChildId>,
        out: &mut (dyn Write + Send),
    ) -> Result<u64, StoreError> {
        let mut n = 0;
        let query = match child {
            Some(id) => sqlx::query("SELECT body FROM journal WHERE subject = ? ORDER BY seq")
                .bind(Subject::Child(id.clone()).to_string()),
            None => sqlx::query("SELECT body FROM journal ORDER BY seq"),
        };
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

    async fn rebuild(&self) -> Result<RebuildReport, StoreError> {
        let _bulk = self.bulk.lock().await;
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM child_state")
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM family_state")
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM due_clocks")
            .execute(&mut *tx)
            .await?;
        // Read the journal subject by subject, and fold each.
        let rows: Vec<(String, String)> =
            sqlx::query_as("SELECT subject, body FROM journal ORDER BY subject, version")
                .fetch_all(&mut *tx)
                .await?;
        let mut tx = SqliteTx(tx);
        let report = write::rebuild_from(&mut tx, rows).await?;
        tx.0.commit().await?;
        Ok(report)
    }

    async fn projection_dump(&self) -> Result<Vec<String>, StoreError> {
        let rows: Vec<ChildRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {CHILD_COLUMNS} FROM child_state ORDER BY child_id"
        )))
        .fetch_all(&self.pool)
        .await?;
        let mut out: Vec<String> = rows.iter().map(write::dump_line).collect();
        let families: Vec<(String, i64, String)> =
            sqlx::query_as("SELECT family_id, version, state FROM family_state ORDER BY family_id")
                .fetch_all(&self.pool)
                .await?;
        out.extend(
            families
                .into_iter()
                .map(|(id, v, s)| format!("family|{id}|{v}|{s}")),
        );
        Ok(out)
    }

    async fn organisation(&self) -> Result<Option<Organisation>, StoreError> {
        let body: Option<String> = sqlx::query_scalar(organisation::SELECT_LATEST)
            .fetch_optional(&self.pool)
            .await?;
        body.as_deref().map(organisation::parse_body).transpose()
    }

    async fn organisation_versions(&self) -> Result<Vec<OrganisationVersion>, StoreError> {
        let rows: Vec<(i64, String, String)> = sqlx::query_as(organisation::SELECT_VERSIONS)
            .fetch_all(&self.pool)
            .await?;
        rows.into_iter().map(organisation::version).collect()
    }

    async fn add_organisation_version(
        &self,
        org: &Organisation,
        from: Date,
    ) -> Result<u64, StoreError> {
        let revision: i64 = sqlx::query_scalar(organisation::INSERT_VERSION)
            .bind(from.to_string())
            .bind(write::to_json(org)?)
            .fetch_one(&self.pool)
            .await?;
        organisation::revision(revision)
    }

    async fn organisation_revision(&self) -> Result<u64, StoreError> {
        let revision: i64 = sqlx::query_scalar(organisation::SELECT_REVISION)
            .fetch_one(&self.pool)
            .await?;
        organisation::revision(revision)
    }

    async fn log_access_rows(
        &self,
        at: Timestamp,
        actor: &str,
        targets: &[String],
        action: &str,
    ) -> Result<(), StoreError> {
        if targets.is_empty() {
            return Ok(());
        }
        let job = Job::Access {
            at: at.to_string(),
            actor: actor.to_owned(),
            targets: targets.to_vec(),
            action: action.to_owned(),
        };
        self.writer.submit(job).await.map(|_| ())
    }

    fn writer(&self) -> Option<&Writer> {
        Some(&self.writer)
    }

    async fn verify_chains(&self) -> Result<ChainReport, StoreError> {
        Ok(ChainReport {
            journal: self.verify_chain(Chain::Journal).await?,
            access_log: self.verify_chain(Chain::AccessLog).await?,
        })
    }

    async fn unsettled_due(
        &self,
        settled_by: Date,
        held_by: &HeldBy,
        cache: Option<&DueCacheKey<'_>>,
        each: &mut DueSink<'_>,
    ) -> Result<u64, StoreError> {
        // One read transaction, so the children, their cached clocks and their journeys
        // agree.
        let mut tx = self.pool.begin().await?;
        // `+child_id`: sort the few rows found rather than walk every child in id order,
        // so that the index on settled_since does the finding.
        let children =
            write::unsettled::<Sqlite>(&mut tx, settled_by, held_by, cache, "+child_id").await?;
        for chunk in children.chunks(CHILDREN_PER_READ) {
            let mut journeys = Journeys::default();
            let wanted = Journeys::wanted(chunk);
            if !wanted.is_empty() {
                let mut q = QueryBuilder::<Sqlite>::new(
                    "SELECT subject, group_concat(body, char(10) ORDER BY version) \
                     FROM journal WHERE subject IN (",
                );
                let mut subjects = q.separated(", ");
                for subject in wanted {
                    subjects.push_bind(subject);
                }
                q.push(") GROUP BY subject");
                let mut rows = q.build().fetch(&mut *tx);
                while let Some(row) = rows.try_next().await? {
                    journeys.add(row.try_get(0)?, row.try_get(1)?)?;
                }
            }
            journeys.hand_over(chunk, each);
        }
        tx.rollback().await?;
        Ok(children.len() as u64)
    }

    async fn put_due_clocks(&self, rows: &[DueClocksRow]) -> Result<(), StoreError> {
        let _bulk = self.bulk.lock().await;
        write::put_due_clocks(&self.pool, rows, ROWS_PER_INSERT).await
    }

    async fn access_log(
        &self,
        subject: &Subject,
    ) -> Result<Vec<(String, String, String)>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT at, actor, action FROM access_log WHERE subject = ? ORDER BY seq",
        )
        .bind(subject.to_string())
        .fetch_all(&self.pool)
        .await?)
    }
}

/// The head of `chain`, with the database's write lock taken first (by a no-op update)
/// so that another process cannot chain a row on the same head meanwhile.
pub(crate) async fn lock_head(
    tx: &mut Transaction<'_, Sqlite>,
    chain: Chain,
) -> Result<Head, StoreError> {
    sqlx::query("UPDATE chain_head SET seq = seq WHERE chain = ?")
        .bind(chain.name())
        .execute(&mut **tx)
        .await?;
    let (seq, hash): (i64, Vec<u8>) =
        sqlx::query_as("SELECT seq, hash FROM chain_head WHERE chain = ?")
            .bind(chain.name())
            .fetch_one(&mut **tx)
            .await?;
    let hash = chain::from_bytes(Some(&hash))
        .ok_or_else(|| StoreError::Corrupt(format!("the head of the {} chain", chain.name())))?;
    Ok(Head { seq, hash })
}

pub(crate) async fn set_head(
    tx: &mut Transaction<'_, Sqlite>,
    chain: Chain,
    head: Head,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE chain_head SET seq = ?, hash = ? WHERE chain = ?")
        .bind(head.seq)
        .bind(&head.hash[..])
        .bind(chain.name())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Chain the rows written before the hash chain existed (a database made by an earlier
/// Hearth), once, in one transaction. The triggers allow only this: a missing hash set.
async fn chain_unhashed_rows(pool: &SqlitePool) -> Result<(), StoreError> {
    for chain in [Chain::Journal, Chain::AccessLog] {
        let (sql, fields) = match chain {
            Chain::Journal => (
                "SELECT seq, id, subject, CAST(version AS TEXT), kind, occurred_at, recorded_at, recorded_by, body \
                 FROM journal WHERE hash IS NULL AND seq > ? ORDER BY seq LIMIT 5000",
                9,
            ),
            Chain::AccessLog => (
                "SELECT seq, at, actor, subject, action FROM access_log \
                 WHERE hash IS NULL AND seq > ? ORDER BY seq LIMIT 5000",
                5,
            ),
        };
        let update = match chain {
            Chain::Journal => "UPDATE journal SET hash = ? WHERE seq = ?",
            Chain::AccessLog => "UPDATE access_log SET hash = ? WHERE seq = ?",
        };
        let mut tx = pool.begin().await?;
        let mut head = lock_head(&mut tx, chain).await?;
        let started = head;
        loop {
            let rows = sqlx::query(sql).bind(head.seq).fetch_all(&mut *tx).await?;
            if rows.is_empty() {
                break;
            }
            for row in rows {
                let seq: i64 = row.try_get(0)?;
                let values: Vec<String> = (1..fields)
                    .map(|i| row.try_get(i))
                    .collect::<Result<_, _>>()?;
                // Numbered as stored: a gap left by an earlier Hearth shows in `verify`.
                let hash = chain::link(
                    &head.hash,
                    seq,
                    &values.iter().map(String::as_str).collect::<Vec<_>>(),
                );
                sqlx::query(update)
                    .bind(&hash[..])
                    .bind(seq)
                    .execute(&mut *tx)
                    .await?;
                head = Head { seq, hash };
            }
        }
        if head != started {
            set_head(&mut tx, chain, head).await?;
        }
        tx.commit().await?;
    }
    Ok(())
}

impl SqliteStore {
    async fn verify_chain(&self, chain: Chain) -> Result<ChainStatus, StoreError> {
        verify_chain(&self.pool, chain).await
    }
}

/// Walk `chain` in the database `pool` opens (a restore checks a copy with it before
/// the copy is anyone's database).
pub(crate) async fn verify_chain(
    pool: &SqlitePool,
    chain: Chain,
) -> Result<ChainStatus, StoreError> {
    let mut verifier = Verifier::default();
    let mut rows = sqlx::query(chain::rows_sql(chain)).fetch(pool);
    while let Some(row) = rows.try_next().await? {
        if !chain::check_row(&mut verifier, &row)? {
            break;
        }
    }
    drop(rows);
    let head = sqlx::query_as("SELECT seq, hash FROM chain_head WHERE chain = ?")
        .bind(chain.name())
        .fetch_optional(pool)
        .await?;
    Ok(verifier.finish(chain::stored_head(head)))
}
