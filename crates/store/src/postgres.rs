//! The PostgreSQL backend, for councils that outgrow one machine and for several web
//! nodes on one database. Each process has one writer task, committing in groups; the
//! writers of any number of processes run concurrently, and the journal's UNIQUE
//! (subject, version) is what turns two writers based on the same version into one
//! success and one conflict.

use crate::chain::{self, Chain, Hash, Head};
use crate::dialect::Dialect;
use crate::journal::read_journey;
use crate::write::{
    self, CHILD_COLUMNS, ChildRow, ContactRow, FamilyRow, JournalRow, Journeys, PersonRow, WriteTx,
};
use crate::writer::{Begin, Writer};
use crate::{StoreError, Version};
use async_trait::async_trait;
use futures_util::TryStreamExt;
use hearth_domain::event::Event;
use hearth_domain::ids::Subject;
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPool, PgPoolOptions};
use sqlx::{Connection, Postgres, Row, Transaction};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::Duration;

/// Rows per UNNEST insert: one statement and one round trip for thousands of rows,
/// while each statement's arrays stay a few megabytes.
const ROWS_PER_INSERT: usize = 5_000;
/// Children whose journeys one query reads.
const CHILDREN_PER_READ: usize = 1_000;

pub struct PgStore {
    pool: PgPool,
    /// This process's appends and access-log rows, committed in groups.
    writer: Writer,
}

impl PgStore {
    /// Connect to the database `url` names (`postgres://…`) and apply migrations. Several
    /// processes may open one database at once: migrations take a lock, and a database
    /// already migrated is left as it is.
    pub async fn open(url: &str) -> Result<PgStore, StoreError> {
        let options: PgConnectOptions = url.parse()?;
        // One connection first: the pool retries a refused connection until its acquire
        // timeout, where someone starting Hearth wants to hear at once that the server
        // is not there.
        PgConnection::connect_with(&options).await?.close().await?;
        let pool = PgPoolOptions::new()
            .max_connections(10)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations/postgres").run(&pool).await?;
        let store = PgStore {
            writer: Writer::spawn(PgBegin(pool.clone())),
            pool,
        };
        crate::projections::fill_person_index(&store, &store.pool).await?;
        Ok(store)
    }
}

/// How the writer begins a transaction on PostgreSQL.
struct PgBegin(PgPool);

#[async_trait]
impl Begin for PgBegin {
    async fn begin(&self) -> Result<Box<dyn WriteTx>, StoreError> {
        Ok(Box::new(PgTx(self.0.begin().await?)))
    }
}

/// A write transaction on PostgreSQL.
struct PgTx(Transaction<'static, Postgres>);

#[async_trait]
impl WriteTx for PgTx {
    async fn lock_head(&mut self, chain: Chain) -> Result<Head, StoreError> {
        lock_head(&mut self.0, chain).await
    }

    async fn set_head(&mut self, chain: Chain, head: Head) -> Result<(), StoreError> {
        chain::set_head::<Postgres>(&mut self.0, chain, head).await
    }

    async fn versions(&mut self, subjects: &[String]) -> Result<HashMap<String, i64>, StoreError> {
        // One index probe per subject (the newest row of each): with thousands of
        // subjects in a batch, `subject = ANY(...) GROUP BY` was planned as a scan of
        // the whole journal.
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT s.subject, v.version FROM UNNEST($1::text[]) AS s (subject) \
             CROSS JOIN LATERAL (SELECT version FROM journal j WHERE j.subject = s.subject \
             ORDER BY version DESC LIMIT 1) AS v",
        )
        .bind(subjects)
        .fetch_all(&mut *self.0)
        .await?;
        Ok(rows.into_iter().collect())
    }

    async fn stored_state(&mut self, subject: &Subject) -> Result<Option<String>, StoreError> {
        let sql = match subject {
            Subject::Child(_) => "SELECT state FROM child_state WHERE child_id = $1",
            Subject::Family(_) => "SELECT state FROM family_state WHERE family_id = $1",
            Subject::Contact(_) => "SELECT state FROM contact_state WHERE contact_id = $1",
        };
        Ok(sqlx::query_scalar(sql)
            .bind(write::subject_id(subject))
            .fetch_optional(&mut *self.0)
            .await?)
    }

    async fn journey(&mut self, subject: &Subject) -> Result<Vec<Event>, StoreError> {
        read_journey(&mut *self.0, PgStore::DIALECT.select_journey, subject).await
    }

    async fn insert_journal(&mut self, rows: Vec<JournalRow<'_>>) -> Result<(), StoreError> {
        for chunk in rows.chunks(ROWS_PER_INSERT) {
            let mut columns: [Vec<String>; 7] = Default::default();
            let mut versions = Vec::with_capacity(chunk.len());
            let seqs: Vec<i64> = chunk.iter().map(|r| r.seq).collect();
            let hashes: Vec<&[u8]> = chunk.iter().map(|r| &r.hash[..]).collect();
            for row in chunk {
                let e = &row.event;
                let [id, subject, kind, occurred, recorded, by, body] = &mut columns;
                id.push(e.id.to_string());
                subject.push(row.subject.clone());
                kind.push(e.kind().to_owned());
                occurred.push(row.occurred_at.clone());
                recorded.push(row.recorded_at.clone());
                by.push(e.recorded_by.to_string());
                body.push(row.body.clone());
                versions.push(row.version as i64);
            }
            let [id, subject, kind, occurred, recorded, by, body] = columns;
            // A savepoint, so that after a unique violation the transaction can still
            // say which event or which subject it was.
            sqlx::query("SAVEPOINT hearth_insert")
                .execute(&mut *self.0)
                .await?;
            let inserted = sqlx::query(
                "INSERT INTO journal (seq, id, subject, version, kind, occurred_at, recorded_at, recorded_by, body, hash) \
                 SELECT * FROM UNNEST($1::bigint[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::bytea[])",
            )
            .bind(&seqs)
            .bind(&id)
            .bind(&subject)
            .bind(&versions)
            .bind(&kind)
            .bind(&occurred)
            .bind(&recorded)
            .bind(&by)
            .bind(&body)
            .bind(&hashes)
            .execute(&mut *self.0)
            .await;
            match inserted {
                Ok(_) => {
                    sqlx::query("RELEASE SAVEPOINT hearth_insert")
                        .execute(&mut *self.0)
                        .await?;
                }
                Err(e) => {
                    sqlx::query("ROLLBACK TO SAVEPOINT hearth_insert")
                        .execute(&mut *self.0)
                        .await?;
                    return Err(self.explain_insert_failure(e, chunk).await?);
                }
            }
        }
        Ok(())
    }

    async fn upsert_children(&mut self, rows: Vec<ChildRow>) -> Result<(), StoreError> {
        for chunk in rows.chunks(ROWS_PER_INSERT) {
            let text = |f: fn(&ChildRow) -> &String| -> Vec<&str> {
                chunk.iter().map(|r| f(r).as_str()).collect()
            };
            let opt = |f: fn(&ChildRow) -> &Option<String>| -> Vec<Option<&str>> {
                chunk.iter().map(|r| f(r).as_deref()).collect()
            };
            let versions: Vec<i64> = chunk.iter().map(|r| r.version).collect();
            // Safe: CHILD_COLUMNS is a constant list, not input.
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "INSERT INTO child_state ({CHILD_COLUMNS}) \
                 SELECT * FROM UNNEST($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[]) \
                 ON CONFLICT (child_id) DO UPDATE SET version = EXCLUDED.version, \
                 given_name = EXCLUDED.given_name, family_name = EXCLUDED.family_name, \
                 date_of_birth = EXCLUDED.date_of_birth, expected_date_of_birth = EXCLUDED.expected_date_of_birth, \
                 nhs_number = EXCLUDED.nhs_number, postcode = EXCLUDED.postcode, open_work = EXCLUDED.open_work, \
                 worker = EXCLUDED.worker, team = EXCLUDED.team, state = EXCLUDED.state, \
                 settled_since = EXCLUDED.settled_since, queue_team = EXCLUDED.queue_team, \
                 queue_worker = EXCLUDED.queue_worker"
            )))
            .bind(text(|r| &r.child_id))
            .bind(versions)
            .bind(text(|r| &r.given_name))
            .bind(text(|r| &r.family_name))
            .bind(opt(|r| &r.date_of_birth))
            .bind(opt(|r| &r.expected_date_of_birth))
            .bind(opt(|r| &r.nhs_number))
            .bind(opt(|r| &r.postcode))
            .bind(text(|r| &r.open_work))
            .bind(opt(|r| &r.worker))
            .bind(opt(|r| &r.team))
            .bind(text(|r| &r.state))
            .bind(opt(|r| &r.settled_since))
            .bind(opt(|r| &r.queue_team))
            .bind(opt(|r| &r.queue_worker))
            .execute(&mut *self.0)
            .await?;
        }
        Ok(())
    }

    async fn upsert_families(&mut self, rows: Vec<FamilyRow>) -> Result<(), StoreError> {
        for chunk in rows.chunks(ROWS_PER_INSERT) {
            let ids: Vec<&str> = chunk.iter().map(|r| r.family_id.as_str()).collect();
            let versions: Vec<i64> = chunk.iter().map(|r| r.version).collect();
            let states: Vec<&str> = chunk.iter().map(|r| r.state.as_str()).collect();
            sqlx::query(
                "INSERT INTO family_state (family_id, version, state) \
                 SELECT * FROM UNNEST($1::text[], $2::bigint[], $3::text[]) \
                 ON CONFLICT (family_id) DO UPDATE SET version = EXCLUDED.version, state = EXCLUDED.state",
            )
            .bind(ids)
            .bind(versions)
            .bind(states)
            .execute(&mut *self.0)
            .await?;
        }
        Ok(())
    }

    async fn upsert_contacts(&mut self, rows: Vec<ContactRow>) -> Result<(), StoreError> {
        // Twelve values a row, well under PostgreSQL's limit on bound parameters.
        write::upsert_contacts::<Postgres>(&mut self.0, rows, 1_000).await
    }

    async fn replace_people(
        &mut self,
        families: Vec<String>,
        nobody: Vec<String>,
        rows: Vec<PersonRow>,
    ) -> Result<(), StoreError> {
        write::replace_people::<Postgres>(&mut self.0, families, nobody, rows, 1_000).await
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
            let seqs: Vec<i64> = chunk.iter().map(|(seq, _, _)| *seq).collect();
            let subjects: Vec<&str> = chunk.iter().map(|(_, s, _)| s.as_str()).collect();
            let hashes: Vec<&[u8]> = chunk.iter().map(|(_, _, h)| &h[..]).collect();
            sqlx::query(
                "INSERT INTO access_log (seq, at, actor, subject, action, reason, hash) \
                 SELECT seq, $2, $3, subject, $5, $7, hash \
                 FROM UNNEST($1::bigint[], $4::text[], $6::bytea[]) AS r (seq, subject, hash)",
            )
            .bind(&seqs)
            .bind(at)
            .bind(actor)
            .bind(subjects)
            .bind(action)
            .bind(&hashes)
            .bind(reason)
            .execute(&mut *self.0)
            .await?;
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

impl PgTx {
    /// Turn a failed journal insert into what happened: an event id already in the
    /// journal, or another writer having appended to one of these subjects since this
    /// write read its version (a conflict, found by reading the versions again, which
    /// under READ COMMITTED now include the other writer's).
    async fn explain_insert_failure(
        &mut self,
        error: sqlx::Error,
        chunk: &[JournalRow<'_>],
    ) -> Result<StoreError, StoreError> {
        match unique_constraint(&error) {
            Some("journal_id_key") => {
                let ids: Vec<String> = chunk.iter().map(|r| r.event.id.to_string()).collect();
                let existing: HashSet<String> =
                    sqlx::query_scalar("SELECT id FROM journal WHERE id = ANY($1)")
                        .bind(&ids)
                        .fetch_all(&mut *self.0)
                        .await?
                        .into_iter()
                        .collect();
                Ok(match ids.into_iter().find(|id| existing.contains(id)) {
                    Some(id) => StoreError::DuplicateEvent(id),
                    None => StoreError::Database(error),
                })
            }
            Some("journal_subject_version_key") => {
                // Each subject's first new row says which version its write was based on.
                let mut based_on: BTreeMap<String, (Subject, Version)> = BTreeMap::new();
                for row in chunk {
                    based_on
                        .entry(row.subject.clone())
                        .or_insert_with(|| (row.event.subject.clone(), row.version - 1));
                }
                let keys: Vec<String> = based_on.keys().cloned().collect();
                let now = self.versions(&keys).await?;
                for (key, (subject, expected)) in based_on {
                    let actual = now.get(&key).map_or(0, |v| *v as Version);
                    if actual != expected {
                        return Ok(StoreError::Conflict {
                            subject,
                            expected,
                            actual,
                        });
                    }
                }
                Ok(StoreError::Database(error))
            }
            _ => Ok(StoreError::Database(error)),
        }
    }
}

fn unique_constraint(error: &sqlx::Error) -> Option<&str> {
    match error {
        sqlx::Error::Database(d) if d.is_unique_violation() => d.constraint(),
        _ => None,
    }
}

crate::access_control::impl_access_control!(PgStore);
crate::access_log::impl_access_log!(PgStore);
crate::contacts::impl_contacts!(PgStore);
crate::drafts::impl_drafts!(PgStore);
crate::due_cache::impl_due_cache!(PgStore, Postgres);
crate::journal::impl_journal!(PgStore);
crate::organisation::impl_organisations!(PgStore);
crate::projections::impl_projections!(PgStore, PgTx);

impl PgStore {
    /// How PostgreSQL spells what the shared queries need.
    const DIALECT: Dialect = Dialect {
        select_journey: "SELECT string_agg(body, chr(10) ORDER BY version) FROM journal WHERE subject = $1",
        // Names compared and sorted ignoring ASCII case, byte by byte, as SQLite's
        // NOCASE does, and as the expression indexes are built.
        given_name: "(lower(given_name) COLLATE \"C\")",
        family_name: "(lower(family_name) COLLATE \"C\")",
        like: |word| format!("{}%", word.replace(['%', '_', '\\'], "").to_lowercase()),
        by_name: "(lower(family_name) COLLATE \"C\"), (lower(given_name) COLLATE \"C\"), \
                  (child_id COLLATE \"C\")",
        // Byte order, as SQLite sorts, so both backends list alike.
        bytewise: " COLLATE \"C\"",
        due_order: "child_id COLLATE \"C\"",
        // No append may interleave with a rebuild, from this process or another.
        rebuild_lock: Some("LOCK TABLE journal IN SHARE ROW EXCLUSIVE MODE"),
        snapshot: Some("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"),
        children_per_read: CHILDREN_PER_READ,
        // Five values a row, well under PostgreSQL's limit on bound parameters.
        due_rows_per_statement: ROWS_PER_INSERT,
    };

    /// Nothing to take: PostgreSQL's own locks keep bulk writes and the writers apart.
    async fn bulk(&self) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        None
    }

    /// The journeys of `subjects`, each joined into one row.
    async fn read_journeys(
        tx: &mut Transaction<'static, Postgres>,
        subjects: Vec<String>,
    ) -> Result<Journeys, StoreError> {
        let mut journeys = Journeys::default();
        if subjects.is_empty() {
            return Ok(journeys);
        }
        let mut rows = sqlx::query(
            "SELECT subject, string_agg(body, chr(10) ORDER BY version) \
             FROM journal WHERE subject = ANY($1) GROUP BY subject",
        )
        .bind(subjects)
        .fetch(&mut **tx);
        while let Some(row) = rows.try_next().await? {
            journeys.add(row.try_get(0)?, row.try_get(1)?)?;
        }
        Ok(journeys)
    }
}

/// The head of `chain`, locked until the transaction ends: writers take turns here.
async fn lock_head(
    tx: &mut Transaction<'static, Postgres>,
    chain: Chain,
) -> Result<Head, StoreError> {
    let row = sqlx::query_as("SELECT seq, hash FROM chain_head WHERE chain = $1 FOR UPDATE")
        .bind(chain.name())
        .fetch_one(&mut **tx)
        .await?;
    chain::read_head(chain, row)
}
