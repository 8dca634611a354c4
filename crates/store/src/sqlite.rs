//! The embedded SQLite backend: WAL, `synchronous=FULL`, foreign keys on, one writer at a
//! time (the store's writer task in this process, committing in groups; SQLite's lock
//! across processes).

use crate::StoreError;
use crate::chain::{self, Chain, Hash, Head};
use crate::dialect::Dialect;
use crate::journal::read_journey;
use crate::write::is_unique_violation;
use crate::write::{
    self, CHILD_COLUMNS, ChildRow, ContactRow, FamilyRow, JournalRow, Journeys, PersonRow, WriteTx,
};
use crate::writer::{Begin, Writer};
use async_trait::async_trait;
use futures_util::TryStreamExt;
use hearth_domain::event::Event;
use hearth_domain::ids::Subject;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{QueryBuilder, Row, Sqlite, Transaction};
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::time::Duration;

/// Rows per multi-row INSERT: keeps well under SQLite's bound-parameter limit while
/// avoiding a round trip to the database thread for every event.
pub(crate) const ROWS_PER_INSERT: usize = 400;
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
            // An embedded database cannot lose a connection; the ping sqlx sends before
            // lending one out is a needless round trip to the connection's thread.
            .test_before_acquire(false)
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
        chain_unhashed_rows(&pool).await?;
        let store = SqliteStore {
            writer: Writer::spawn(SqliteBegin(pool.clone())),
            pool,
            bulk: tokio::sync::Mutex::new(()),
        };
        crate::projections::fill_person_index(&store, &store.pool).await?;
        Ok(store)
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

/// A write transaction on SQLite: the writer's, or a bulk load's on its own connection.
pub(crate) struct SqliteTx<'c>(pub(crate) Transaction<'c, Sqlite>);

#[async_trait]
impl WriteTx for SqliteTx<'_> {
    async fn lock_head(&mut self, chain: Chain) -> Result<Head, StoreError> {
        lock_head(&mut self.0, chain).await
    }

    async fn set_head(&mut self, chain: Chain, head: Head) -> Result<(), StoreError> {
        chain::set_head::<Sqlite>(&mut self.0, chain, head).await
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
            Subject::Contact(_) => "SELECT state FROM contact_state WHERE contact_id = ?",
        };
        Ok(sqlx::query_scalar(sql)
            .bind(write::subject_id(subject))
            .fetch_optional(&mut *self.0)
            .await?)
    }

    async fn journey(&mut self, subject: &Subject) -> Result<Vec<Event>, StoreError> {
        read_journey(&mut *self.0, SqliteStore::DIALECT.select_journey, subject).await
    }

    async fn insert_journal(&mut self, mut rows: Vec<JournalRow<'_>>) -> Result<(), StoreError> {
        for chunk in rows.chunks_mut(ROWS_PER_INSERT) {
            let mut q = QueryBuilder::<Sqlite>::new(
                "INSERT INTO journal (seq, id, subject, version, kind, occurred_at, recorded_at, recorded_by, body, hash) ",
            );
            // The formatted columns move into the statement rather than being copied;
            // the event stays, to name a duplicate.
            q.push_values(chunk.iter_mut(), |mut b, row| {
                b.push_bind(row.seq)
                    .push_bind(row.event.id.as_str())
                    .push_bind(std::mem::take(&mut row.subject))
                    .push_bind(row.version as i64)
                    .push_bind(row.event.kind())
                    .push_bind(std::mem::take(&mut row.occurred_at))
                    .push_bind(std::mem::take(&mut row.recorded_at))
                    .push_bind(row.event.recorded_by.as_str())
                    .push_bind(std::mem::take(&mut row.body))
                    .push_bind(row.hash.to_vec());
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

    async fn upsert_children(&mut self, rows: Vec<ChildRow>) -> Result<(), StoreError> {
        let mut rows = rows.into_iter().peekable();
        while rows.peek().is_some() {
            let mut q = QueryBuilder::<Sqlite>::new(format!(
                "INSERT OR REPLACE INTO child_state ({CHILD_COLUMNS}) "
            ));
            q.push_values(rows.by_ref().take(ROWS_PER_INSERT / 2), |mut b, r| {
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
                    .push_bind(r.settled_since)
                    .push_bind(r.queue_team)
                    .push_bind(r.queue_worker);
            });
            q.build().execute(&mut *self.0).await?;
        }
        Ok(())
    }

    async fn upsert_families(&mut self, rows: Vec<FamilyRow>) -> Result<(), StoreError> {
        let mut rows = rows.into_iter().peekable();
        while rows.peek().is_some() {
            let mut q = QueryBuilder::<Sqlite>::new(
                "INSERT OR REPLACE INTO family_state (family_id, version, state) ",
            );
            q.push_values(rows.by_ref().take(ROWS_PER_INSERT), |mut b, r| {
                b.push_bind(r.family_id)
                    .push_bind(r.version)
                    .push_bind(r.state);
            });
            q.build().execute(&mut *self.0).await?;
        }
        Ok(())
    }

    async fn upsert_contacts(&mut self, rows: Vec<ContactRow>) -> Result<(), StoreError> {
        // Twelve values a row.
        write::upsert_contacts::<Sqlite>(&mut self.0, rows, ROWS_PER_INSERT / 12).await
    }

    async fn replace_people(
        &mut self,
        families: Vec<String>,
        nobody: Vec<String>,
        rows: Vec<PersonRow>,
    ) -> Result<(), StoreError> {
        // Eleven values a row.
        write::replace_people::<Sqlite>(&mut self.0, families, nobody, rows, ROWS_PER_INSERT / 11)
            .await
    }

    async fn insert_access_log(
        &mut self,
        at: &str,
        actor: &str,
        action: &str,
        reason: Option<&str>,
        rows: &[(i64, String, Hash)],
    ) -> Result<(), StoreError> {
        for chunk in rows.chunks(ROWS_PER_INSERT) {
            let mut q = QueryBuilder::<Sqlite>::new(
                "INSERT INTO access_log (seq, at, actor, subject, action, reason, hash) ",
            );
            q.push_values(chunk, |mut b, (seq, subject, hash)| {
                b.push_bind(*seq)
                    .push_bind(at)
                    .push_bind(actor)
                    .push_bind(subject.as_str())
                    .push_bind(action)
                    .push_bind(reason)
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

impl SqliteTx<'_> {
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

crate::access_control::impl_access_control!(SqliteStore);
crate::access_log::impl_access_log!(SqliteStore);
crate::contacts::impl_contacts!(SqliteStore);
crate::drafts::impl_drafts!(SqliteStore);
crate::due_cache::impl_due_cache!(SqliteStore, Sqlite);
crate::journal::impl_journal!(
    SqliteStore,
    async fn load(
        &self,
        batches: tokio::sync::mpsc::Receiver<Vec<Event>>,
        loaded: &(dyn Fn(u64) + Send + Sync),
        due: Option<crate::DueClocksFor>,
    ) -> Result<u64, StoreError> {
        let _bulk = self.bulk.lock().await;
        crate::bulk::load(&self.pool, batches, loaded, due).await
    }
);
crate::organisation::impl_organisations!(SqliteStore);
crate::projections::impl_projections!(SqliteStore, SqliteTx);

impl SqliteStore {
    /// How SQLite spells what the shared queries need.
    const DIALECT: Dialect = Dialect {
        select_journey: "SELECT group_concat(body, char(10) ORDER BY version) FROM journal WHERE subject = $1",
        // LIKE ignores ASCII case, and the NOCASE indexes serve it.
        given_name: "given_name",
        family_name: "family_name",
        like: |word| format!("{}%", word.replace(['%', '_'], "")),
        by_name: "family_name COLLATE NOCASE, given_name COLLATE NOCASE, child_id",
        bytewise: "",
        // `+child_id`: sort the few rows found rather than walk every child in id
        // order, so that the index on settled_since does the finding.
        due_order: "+child_id",
        rebuild_lock: None,
        snapshot: None,
        children_per_read: CHILDREN_PER_READ,
        due_rows_per_statement: ROWS_PER_INSERT,
    };

    /// Rebuilds and due-cache writes take turns; SQLite's own lock keeps them and the
    /// writer apart.
    async fn bulk(&self) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        Some(self.bulk.lock().await)
    }

    /// The journeys of `subjects`, each joined into one row.
    async fn read_journeys(
        tx: &mut Transaction<'static, Sqlite>,
        subjects: Vec<String>,
    ) -> Result<Journeys, StoreError> {
        let mut journeys = Journeys::default();
        if subjects.is_empty() {
            return Ok(journeys);
        }
        let mut q = QueryBuilder::<Sqlite>::new(
            "SELECT subject, group_concat(body, char(10) ORDER BY version) \
             FROM journal WHERE subject IN (",
        );
        let mut separated = q.separated(", ");
        for subject in subjects {
            separated.push_bind(subject);
        }
        q.push(") GROUP BY subject");
        let mut rows = q.build().fetch(&mut **tx);
        while let Some(row) = rows.try_next().await? {
            journeys.add(row.try_get(0)?, row.try_get(1)?)?;
        }
        Ok(journeys)
    }
}

/// The head of `chain`, with the database's write lock taken first (by a no-op update)
/// so that another process cannot chain a row on the same head meanwhile.
async fn lock_head(tx: &mut Transaction<'_, Sqlite>, chain: Chain) -> Result<Head, StoreError> {
    sqlx::query("UPDATE chain_head SET seq = seq WHERE chain = $1")
        .bind(chain.name())
        .execute(&mut **tx)
        .await?;
    let row = sqlx::query_as(chain::SELECT_HEAD)
        .bind(chain.name())
        .fetch_one(&mut **tx)
        .await?;
    chain::read_head(chain, row)
}

/// Chain the rows written before the hash chain existed (a database made by an earlier
/// Hearth), once, in one transaction. The triggers allow only this: a missing hash set.
async fn chain_unhashed_rows(pool: &SqlitePool) -> Result<(), StoreError> {
    for chain in [Chain::Journal, Chain::AccessLog] {
        let (sql, fields) = match chain {
            Chain::Journal => (
                "SELECT seq, id, subject, CAST(version AS TEXT), kind, occurred_at, recorded_at, recorded_by, body \
                 FROM journal WHERE hash IS NULL AND seq > $1 ORDER BY seq LIMIT 5000",
                9,
            ),
            Chain::AccessLog => (
                "SELECT seq, at, actor, subject, action FROM access_log \
                 WHERE hash IS NULL AND seq > $1 ORDER BY seq LIMIT 5000",
                5,
            ),
        };
        let update = match chain {
            Chain::Journal => "UPDATE journal SET hash = $1 WHERE seq = $2",
            Chain::AccessLog => "UPDATE access_log SET hash = $1 WHERE seq = $2",
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
            chain::set_head::<Sqlite>(&mut tx, chain, head).await?;
        }
        tx.commit().await?;
    }
    Ok(())
}
