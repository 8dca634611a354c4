//! The PostgreSQL backend, for councils that outgrow one machine and for several web
//! nodes on one database. Each process has one writer task, committing in groups; the
//! writers of any number of processes run concurrently, and the journal's UNIQUE
//! (subject, version) is what turns two writers based on the same version into one
//! success and one conflict.

use crate::chain::{self, Chain, ChainReport, ChainStatus, Hash, Head, Verifier};
use crate::organisation::{self, OrganisationVersion};
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
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPool, PgPoolOptions};
use sqlx::{Connection, Postgres, QueryBuilder, Row, Transaction};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Write;
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
        Ok(PgStore {
            writer: Writer::spawn(PgBegin(pool.clone())),
            pool,
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
        set_head(&mut self.0, chain, head).await
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
            let mut columns: [Vec<String>; 7] = Default::default();
            let mut versions = Vec::with_capacity(chunk.len());
            let seqs: Vec<i64> = chunk.iter().map(|r| r.seq).collect();
            let hashes: Vec<&[u8]> = chunk.iter().map(|r| &r.hash[..]).collect();
            for row in chunk {
                let e = row.event;
                let [id, subject, kind, occurred, recorded, by, body] = &mut columns;
                id.push(e.id.to_string());
                subject.push(e.subject.to_string());
                kind.push(e.kind().to_owned());
                occurred.push(e.occurred_at.to_string());
                recorded.push(e.recorded_at.to_string());
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

    async fn upsert_children(&mut self, rows: &[ChildRow]) -> Result<(), StoreError> {
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
                 SELECT * FROM UNNEST($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[]) \
                 ON CONFLICT (child_id) DO UPDATE SET version = EXCLUDED.version, \
                 given_name = EXCLUDED.given_name, family_name = EXCLUDED.family_name, \
                 date_of_birth = EXCLUDED.date_of_birth, expected_date_of_birth = EXCLUDED.expected_date_of_birth, \
                 nhs_number = EXCLUDED.nhs_number, postcode = EXCLUDED.postcode, open_work = EXCLUDED.open_work, \
                 worker = EXCLUDED.worker, team = EXCLUDED.team, state = EXCLUDED.state, \
                 settled_since = EXCLUDED.settled_since"
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
            .execute(&mut *self.0)
            .await?;
        }
        Ok(())
    }

    async fn upsert_families(&mut self, rows: &[FamilyRow]) -> Result<(), StoreError> {
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

    async fn insert_access_log(
        &mut self,
        at: &str,
        actor: &str,
        action: &str,
        rows: &[(i64, String, Hash)],
    ) -> Result<(), StoreError> {
        for chunk in rows.chunks(ROWS_PER_INSERT) {
            let seqs: Vec<i64> = chunk.iter().map(|(seq, _, _)| *seq).collect();
            let subjects: Vec<&str> = chunk.iter().map(|(_, s, _)| s.as_str()).collect();
            let hashes: Vec<&[u8]> = chunk.iter().map(|(_, _, h)| &h[..]).collect();
            sqlx::query(
                "INSERT INTO access_log (seq, at, actor, subject, action, hash) \
                 SELECT seq, $2, $3, subject, $5, hash \
                 FROM UNNEST($1::bigint[], $4::text[], $6::bytea[]) AS r (seq, subject, hash)",
            )
            .bind(&seqs)
            .bind(at)
            .bind(actor)
            .bind(subjects)
            .bind(action)
            .bind(&hashes)
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
                        .entry(row.event.subject.to_string())
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

async fn read_journey<'e, E>(executor: E, subject: &Subject) -> Result<Vec<Event>, StoreError>
where
    E: sqlx::Executor<'e, Database = Postgres>,
{
    let rows: Vec<(String,)> =
        sqlx::query_as("SELECT body FROM journal WHERE subject = $1 ORDER BY version")
            .bind(subject.to_string())
            .fetch_all(executor)
            .await?;
    rows.iter().map(|(body,)| parse_body(body)).collect()
}

crate::access_control::impl_access_control!(PgStore);

#[async_trait]
impl Store for PgStore {
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

    async fn journey(&self, subject: &Subject) -> Result<(Vec<Event>, Version), StoreError> {
        let events = read_journey(&self.pool, subject).await?;
        let version = events.len() as Version;
        Ok((events, version))
    }

    async fn child(&self, id: &ChildId) -> Result<Option<ChildRecord>, StoreError> {
        let row: Option<(String, i64)> =
            sqlx::query_as("SELECT state, version FROM child_state WHERE child_id = $1")
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
        // an empty query lists every child. The same rules as the SQLite backend.
        let mut q = QueryBuilder::<Postgres>::new(format!(
            "SELECT {SUMMARY_COLUMNS} FROM child_state WHERE 1 = 1"
        ));
        for word in query.split_whitespace() {
            let like = format!("{}%", word.replace(['%', '_', '\\'], "").to_lowercase());
            q.push(" AND ((lower(given_name) COLLATE \"C\") LIKE ")
                .push_bind(like.clone())
                .push(" OR (lower(family_name) COLLATE \"C\") LIKE ")
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
            " ORDER BY (lower(family_name) COLLATE \"C\"), (lower(given_name) COLLATE \"C\"), (child_id COLLATE \"C\") LIMIT ",
        )
        .push_bind(i64::from(limit));
        let rows = q
            .build_query_as::<SummaryRow>()
            .fetch_all(&self.pool)
            .await?;
        rows.into_iter().map(write::summary).collect()
    }

    async fn count_events(&self) -> Result<u64, StoreError> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM journal")
            .fetch_one(&self.pool)
            .await?;
        Ok(n as u64)
    }

    async fn count_children(&self) -> Result<u64, StoreError> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM child_state")
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
            Some(id) => sqlx::query("SELECT body FROM journal WHERE subject = $1 ORDER BY seq")
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
        let mut tx = self.pool.begin().await?;
        // No append may interleave with a rebuild, from this process or another.
        sqlx::query("LOCK TABLE journal IN SHARE ROW EXCLUSIVE MODE")
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM child_state")
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM family_state")
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM due_clocks")
            .execute(&mut *tx)
            .await?;
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT subject, body FROM journal ORDER BY subject COLLATE \"C\", version",
        )
        .fetch_all(&mut *tx)
        .await?;
        let mut tx = PgTx(tx);
        let report = write::rebuild_from(&mut tx, rows).await?;
        tx.0.commit().await?;
        Ok(report)
    }

    async fn projection_dump(&self) -> Result<Vec<String>, StoreError> {
        let rows: Vec<ChildRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {CHILD_COLUMNS} FROM child_state ORDER BY child_id COLLATE \"C\""
        )))
        .fetch_all(&self.pool)
        .await?;
        let mut out: Vec<String> = rows.iter().map(write::dump_line).collect();
        let families: Vec<(String, i64, String)> = sqlx::query_as(
            "SELECT family_id, version, state FROM family_state ORDER BY family_id COLLATE \"C\"",
        )
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
        // One snapshot for every statement, so the children, their cached clocks and
        // their journeys agree.
        let mut tx = self.pool.begin().await?;
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            .execute(&mut *tx)
            .await?;
        // Byte order, as SQLite sorts, so both backends list children alike.
        let order = "child_id COLLATE \"C\"";
        let children =
            write::unsettled::<Postgres>(&mut tx, settled_by, held_by, cache, order).await?;
        for chunk in children.chunks(CHILDREN_PER_READ) {
            let mut journeys = Journeys::default();
            let wanted = Journeys::wanted(chunk);
            if !wanted.is_empty() {
                let mut rows = sqlx::query(
                    "SELECT subject, string_agg(body, chr(10) ORDER BY version) \
                     FROM journal WHERE subject = ANY($1) GROUP BY subject",
                )
                .bind(wanted)
                .fetch(&mut *tx);
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
        // Five values a row, well under PostgreSQL's limit on bound parameters.
        write::put_due_clocks(&self.pool, rows, ROWS_PER_INSERT).await
    }

    async fn access_log(
        &self,
        subject: &Subject,
    ) -> Result<Vec<(String, String, String)>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT at, actor, action FROM access_log WHERE subject = $1 ORDER BY seq",
        )
        .bind(subject.to_string())
        .fetch_all(&self.pool)
        .await?)
    }
}

impl PgStore {
    async fn verify_chain(&self, chain: Chain) -> Result<ChainStatus, StoreError> {
        let mut verifier = Verifier::default();
        let mut rows = sqlx::query(chain::rows_sql(chain)).fetch(&self.pool);
        while let Some(row) = rows.try_next().await? {
            if !chain::check_row(&mut verifier, &row)? {
                break;
            }
        }
        drop(rows);
        let head = sqlx::query_as("SELECT seq, hash FROM chain_head WHERE chain = $1")
            .bind(chain.name())
            .fetch_optional(&self.pool)
            .await?;
        Ok(verifier.finish(chain::stored_head(head)))
    }
}

/// The head of `chain`, locked until the transaction ends: writers take turns here.
async fn lock_head(
    tx: &mut Transaction<'static, Postgres>,
    chain: Chain,
) -> Result<Head, StoreError> {
    let (seq, hash): (i64, Vec<u8>) =
        sqlx::query_as("SELECT seq, hash FROM chain_head WHERE chain = $1 FOR UPDATE")
            .bind(chain.name())
            .fetch_one(&mut **tx)
            .await?;
    let hash = chain::from_bytes(Some(&hash))
        .ok_or_else(|| StoreError::Corrupt(format!("the head of the {} chain", chain.name())))?;
    Ok(Head { seq, hash })
}

async fn set_head(
    tx: &mut Transaction<'static, Postgres>,
    chain: Chain,
    head: Head,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE chain_head SET seq = $1, hash = $2 WHERE chain = $3")
        .bind(head.seq)
        .bind(&head.hash[..])
        .bind(chain.name())
        .execute(&mut **tx)
        .await?;
    Ok(())
}
