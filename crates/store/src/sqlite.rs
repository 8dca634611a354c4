//! The embedded SQLite backend: WAL, `synchronous=FULL`, foreign keys on, one writer at a
//! time (a mutex in this process; SQLite's lock across processes).

use crate::projection::State;
use crate::{ChildRecord, ChildSummary, RebuildReport, Store, StoreError, Version};
use async_trait::async_trait;
use futures_util::TryStreamExt;
use hearth_domain::event::Event;
use hearth_domain::ids::{ChildId, Subject};
use hearth_domain::journey::ChildState;
use hearth_domain::org::Organisation;
use jiff::Timestamp;
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

pub struct SqliteStore {
    pool: SqlitePool,
    writer: tokio::sync::Mutex<()>,
}

/// A subject touched by a write: where its journey stood, and the state it reaches.
struct Pending {
    subject: Subject,
    base_version: Version,
    new_events: Vec<Event>,
    state: Option<State>,
    needs_refold: bool,
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
        Ok(SqliteStore {
            pool,
            writer: tokio::sync::Mutex::new(()),
        })
    }

    /// The heart of every write: validate `events` against their journeys, append them,
    /// and update the projections, all in one transaction.
    async fn write(
        &self,
        events: Vec<Event>,
        expected: Option<Version>,
    ) -> Result<u64, StoreError> {
        let _writer = self.writer.lock().await;
        let mut tx = self.pool.begin().await?;
        let mut pending = group_by_subject(events)?;
        load_versions(&mut tx, &mut pending).await?;
        if let (Some(expected), Some(p)) = (expected, pending.first())
            && p.base_version != expected
        {
            return Err(StoreError::Conflict {
                subject: p.subject.clone(),
                expected,
                actual: p.base_version,
            });
        }
        let mut written = 0u64;
        for p in &mut pending {
            fold_pending(&mut tx, p).await?;
            written += p.new_events.len() as u64;
        }
        insert_journal(&mut tx, &pending).await?;
        upsert_projections(&mut tx, &pending).await?;
        tx.commit().await?;
        Ok(written)
    }
}

fn group_by_subject(events: Vec<Event>) -> Result<Vec<Pending>, StoreError> {
    let mut index: HashMap<Subject, usize> = HashMap::new();
    let mut ids = HashSet::new();
    let mut pending: Vec<Pending> = Vec::new();
    for event in events {
        if !ids.insert(event.id.clone()) {
            return Err(StoreError::DuplicateEvent(event.id.to_string()));
        }
        let i = *index.entry(event.subject.clone()).or_insert_with(|| {
            pending.push(Pending {
                subject: event.subject.clone(),
                base_version: 0,
                new_events: Vec::new(),
                state: None,
                needs_refold: false,
            });
            pending.len() - 1
        });
        if let Some(p) = pending.get_mut(i) {
            p.new_events.push(event);
        }
    }
    Ok(pending)
}

async fn load_versions(
    tx: &mut Transaction<'_, Sqlite>,
    pending: &mut [Pending],
) -> Result<(), StoreError> {
    let mut versions: HashMap<String, i64> = HashMap::new();
    for chunk in pending.chunks(ROWS_PER_INSERT) {
        let mut q = QueryBuilder::<Sqlite>::new(
            "SELECT subject, MAX(version) FROM journal WHERE subject IN (",
        );
        let mut sep = q.separated(", ");
        for p in chunk {
            sep.push_bind(p.subject.to_string());
        }
        q.push(") GROUP BY subject");
        for row in q.build().fetch_all(&mut **tx).await? {
            versions.insert(row.try_get(0)?, row.try_get(1)?);
        }
    }
    for p in pending {
        p.base_version = versions
            .get(&p.subject.to_string())
            .map_or(0, |v| *v as Version);
    }
    Ok(())
}

/// Bring the subject's state up to date with its new events: incrementally where the
/// events go on the end of the journey, else by refolding the whole journey.
async fn fold_pending(tx: &mut Transaction<'_, Sqlite>, p: &mut Pending) -> Result<(), StoreError> {
    let mut state = if p.base_version == 0 {
        Some(State::empty(&p.subject))
    } else {
        load_state(tx, &p.subject).await?
    };
    if let Some(s) = state.as_mut() {
        for event in &p.new_events {
            if !s.try_apply(event)? {
                p.needs_refold = true;
                break;
            }
        }
    } else {
        p.needs_refold = true;
    }
    if p.needs_refold {
        let mut journey = read_journey(&mut **tx, &p.subject).await?;
        journey.extend(p.new_events.iter().cloned());
        state = Some(State::refold(&p.subject, &journey)?);
    }
    p.state = state;
    Ok(())
}

async fn load_state(
    tx: &mut Transaction<'_, Sqlite>,
    subject: &Subject,
) -> Result<Option<State>, StoreError> {
    let row: Option<(String,)> = match subject {
        Subject::Child(id) => {
            sqlx::query_as("SELECT state FROM child_state WHERE child_id = ?")
                .bind(id.as_str())
                .fetch_optional(&mut **tx)
                .await?
        }
        Subject::Family(id) => {
            sqlx::query_as("SELECT state FROM family_state WHERE family_id = ?")
                .bind(id.as_str())
                .fetch_optional(&mut **tx)
                .await?
        }
    };
    let Some((json,)) = row else { return Ok(None) };
    let corrupt = |e: serde_json::Error| StoreError::Corrupt(e.to_string());
    Ok(Some(match subject {
        Subject::Child(_) => State::Child(serde_json::from_str(&json).map_err(corrupt)?),
        Subject::Family(_) => State::Family(serde_json::from_str(&json).map_err(corrupt)?),
    }))
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

fn parse_body(body: &str) -> Result<Event, StoreError> {
    serde_json::from_str(body).map_err(|e| StoreError::Corrupt(e.to_string()))
}

async fn insert_journal(
    tx: &mut Transaction<'_, Sqlite>,
    pending: &[Pending],
) -> Result<(), StoreError> {
    let mut rows = Vec::new();
    for p in pending {
        for (i, event) in p.new_events.iter().enumerate() {
            let body =
                serde_json::to_string(event).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            rows.push((p.base_version + 1 + i as u64, event, body));
        }
    }
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        let mut q = QueryBuilder::<Sqlite>::new(
            "INSERT INTO journal (id, subject, version, kind, occurred_at, recorded_at, recorded_by, body) ",
        );
        q.push_values(chunk, |mut b, (version, event, body)| {
            b.push_bind(event.id.as_str())
                .push_bind(event.subject.to_string())
                .push_bind(*version as i64)
                .push_bind(event.kind())
                .push_bind(event.occurred_at.to_string())
                .push_bind(event.recorded_at.to_string())
                .push_bind(event.recorded_by.as_str())
                .push_bind(body.as_str());
        });
        if let Err(e) = q.build().execute(&mut **tx).await {
            if is_unique_violation(&e)
                && let Some(id) = first_existing_id(tx, chunk).await?
            {
                return Err(StoreError::DuplicateEvent(id));
            }
            return Err(StoreError::Database(e));
        }
    }
    Ok(())
}

fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
}

/// The batch's events were checked for duplicates among themselves, so a unique
/// violation means an event id already in the journal: find the first such in `chunk`.
/// (A failed statement leaves SQLite's transaction usable.)
async fn first_existing_id(
    tx: &mut Transaction<'_, Sqlite>,
    chunk: &[(u64, &Event, String)],
) -> Result<Option<String>, StoreError> {
    let mut q = QueryBuilder::<Sqlite>::new("SELECT id FROM journal WHERE id IN (");
    let mut ids = q.separated(", ");
    for (_, event, _) in chunk {
        ids.push_bind(event.id.as_str());
    }
    q.push(")");
    let existing: HashSet<String> = q
        .build_query_scalar::<String>()
        .fetch_all(&mut **tx)
        .await?
        .into_iter()
        .collect();
    Ok(chunk
        .iter()
        .map(|(_, e, _)| e.id.to_string())
        .find(|id| existing.contains(id)))
}

struct ChildRow {
    id: String,
    version: i64,
    given: String,
    family: String,
    dob: Option<String>,
    expected: Option<String>,
    nhs: Option<String>,
    postcode: Option<String>,
    open_work: String,
    worker: Option<String>,
    team: Option<String>,
    state: String,
}

fn child_row(state: &ChildState, version: Version) -> Result<ChildRow, StoreError> {
    let json = |v: &dyn erased::Json| v.to_json();
    let details = state.details.as_ref();
    Ok(ChildRow {
        id: state.id.to_string(),
        version: version as i64,
        given: details.map_or_else(String::new, |d| d.name.given.clone()),
        family: details.map_or_else(String::new, |d| d.name.family.clone()),
        dob: details.and_then(|d| d.date_of_birth).map(|d| d.to_string()),
        expected: details
            .and_then(|d| d.expected_date_of_birth)
            .map(|d| d.to_string()),
        nhs: details
            .and_then(|d| d.nhs_number.as_ref())
            .map(|n| n.as_str().to_owned()),
        postcode: details
            .and_then(|d| d.address.as_ref())
            .map(|a| a.postcode.to_string()),
        open_work: json(&state.open_work())?,
        worker: state.allocation.as_ref().map(|a| a.worker.to_string()),
        team: state.allocation.as_ref().map(|a| a.team.to_string()),
        state: json(state)?,
    })
}

/// Serialise anything for a projection column.
mod erased {
    use crate::StoreError;
    pub(crate) trait Json {
        fn to_json(&self) -> Result<String, StoreError>;
    }
    impl<T: serde::Serialize> Json for T {
        fn to_json(&self) -> Result<String, StoreError> {
            serde_json::to_string(self).map_err(|e| StoreError::Corrupt(e.to_string()))
        }
    }
}

async fn upsert_projections(
    tx: &mut Transaction<'_, Sqlite>,
    pending: &[Pending],
) -> Result<(), StoreError> {
    use erased::Json;
    let mut children = Vec::new();
    let mut families = Vec::new();
    for p in pending {
        let version = p.base_version + p.new_events.len() as u64;
        match (&p.subject, &p.state) {
            (Subject::Child(_), Some(State::Child(s))) => children.push(child_row(s, version)?),
            (Subject::Family(id), Some(State::Family(s))) => {
                families.push((id.to_string(), version as i64, s.to_json()?))
            }
            _ => return Err(StoreError::Corrupt("projection of the wrong kind".into())),
        }
    }
    for chunk in children.chunks(ROWS_PER_INSERT / 2) {
        let mut q = QueryBuilder::<Sqlite>::new(
            "INSERT OR REPLACE INTO child_state (child_id, version, given_name, family_name, date_of_birth, expected_date_of_birth, nhs_number, postcode, open_work, worker, team, state) ",
        );
        q.push_values(chunk, |mut b, r| {
            b.push_bind(&r.id)
                .push_bind(r.version)
                .push_bind(&r.given)
                .push_bind(&r.family)
                .push_bind(&r.dob)
                .push_bind(&r.expected)
                .push_bind(&r.nhs)
                .push_bind(&r.postcode)
                .push_bind(&r.open_work)
                .push_bind(&r.worker)
                .push_bind(&r.team)
                .push_bind(&r.state);
        });
        q.build().execute(&mut **tx).await?;
    }
    for chunk in families.chunks(ROWS_PER_INSERT) {
        let mut q = QueryBuilder::<Sqlite>::new(
            "INSERT OR REPLACE INTO family_state (family_id, version, state) ",
        );
        q.push_values(chunk, |mut b, (id, version, state)| {
            b.push_bind(id).push_bind(version).push_bind(state);
        });
        q.build().execute(&mut **tx).await?;
    }
    Ok(())
}

fn summary_from_row(row: &sqlx::sqlite::SqliteRow) -> Result<ChildSummary, StoreError> {
    let corrupt = |e: &dyn std::fmt::Display| StoreError::Corrupt(e.to_string());
    let id: String = row.try_get("child_id")?;
    let date = |col: &str| -> Result<Option<jiff::civil::Date>, StoreError> {
        let v: Option<String> = row.try_get(col)?;
        v.map(|s| s.parse().map_err(|e| corrupt(&e))).transpose()
    };
    let open_work: String = row.try_get("open_work")?;
    let worker: Option<String> = row.try_get("worker")?;
    let team: Option<String> = row.try_get("team")?;
    Ok(ChildSummary {
        id: ChildId::parse(&id).map_err(|e| corrupt(&e))?,
        name: hearth_domain::people::Name {
            given: row.try_get("given_name")?,
            family: row.try_get("family_name")?,
        },
        date_of_birth: date("date_of_birth")?,
        expected_date_of_birth: date("expected_date_of_birth")?,
        postcode: row.try_get("postcode")?,
        open_work: serde_json::from_str(&open_work).map_err(|e| corrupt(&e))?,
        worker: worker
            .map(|w| hearth_domain::ids::WorkerId::parse(&w).map_err(|e| corrupt(&e)))
            .transpose()?,
        team: team
            .map(|t| hearth_domain::ids::TeamId::parse(&t).map_err(|e| corrupt(&e)))
            .transpose()?,
    })
}

const SUMMARY_COLUMNS: &str = "child_id, given_name, family_name, date_of_birth, expected_date_of_birth, postcode, open_work, worker, team";

#[async_trait]
impl Store for SqliteStore {
    async fn append(&self, expected: Version, events: Vec<Event>) -> Result<Version, StoreError> {
        let Some(first) = events.first() else {
            return Ok(expected);
        };
        if events.iter().any(|e| e.subject != first.subject) {
            return Err(StoreError::MixedSubjects);
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
            sqlx::query_as("SELECT state, version FROM child_state WHERE child_id = ?")
                .bind(id.as_str())
                .fetch_optional(&self.pool)
                .await?;
        row.map(|(state, version)| {
            Ok(ChildRecord {
                state: serde_json::from_str(&state)
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                version: version as Version,
            })
        })
        .transpose()
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
            q.build().fetch_all(&self.pool).await?
        };
        rows.iter().map(summary_from_row).collect()
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
        let _writer = self.writer.lock().await;
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM child_state")
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM family_state")
            .execute(&mut *tx)
            .await?;
        let mut report = RebuildReport {
            events: 0,
            children: 0,
            families: 0,
        };
        // Read the journal subject by subject; fold each; write projections in batches.
        let rows: Vec<(String, String)> =
            sqlx::query_as("SELECT subject, body FROM journal ORDER BY subject, version")
                .fetch_all(&mut *tx)
                .await?;
        let mut batch: Vec<Pending> = Vec::new();
        let mut i = 0;
        while i < rows.len() {
            let subject_text = &rows[i].0;
            let mut j = i;
            let mut journey = Vec::new();
            while j < rows.len() && &rows[j].0 == subject_text {
                journey.push(parse_body(&rows[j].1)?);
                j += 1;
            }
            let subject =
                Subject::parse(subject_text).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            let state = State::refold(&subject, &journey)?;
            match subject {
                Subject::Child(_) => report.children += 1,
                Subject::Family(_) => report.families += 1,
            }
            report.events += journey.len() as u64;
            batch.push(Pending {
                subject,
                base_version: journey.len() as Version,
                new_events: Vec::new(),
                state: Some(state),
                needs_refold: false,
            });
            if batch.len() >= 2_000 {
                upsert_projections(&mut tx, &batch).await?;
                batch.clear();
            }
            i = j;
        }
        upsert_projections(&mut tx, &batch).await?;
        tx.commit().await?;
        Ok(report)
    }

    async fn projection_dump(&self) -> Result<Vec<String>, StoreError> {
        let mut out = Vec::new();
        let rows = sqlx::query(
            "SELECT child_id, version, given_name, family_name, date_of_birth, expected_date_of_birth, nhs_number, postcode, open_work, worker, team, state FROM child_state ORDER BY child_id",
        )
        .fetch_all(&self.pool)
        .await?;
        for row in rows {
            let mut cols = Vec::new();
            for i in 0..12 {
                let v: Option<String> = if i == 1 {
                    row.try_get::<i64, _>(i).map(|v| Some(v.to_string()))?
                } else {
                    row.try_get(i)?
                };
                cols.push(v.unwrap_or_else(|| "NULL".into()));
            }
            out.push(cols.join("|"));
        }
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
        let row: Option<(String,)> = sqlx::query_as("SELECT body FROM organisation WHERE id = 1")
            .fetch_optional(&self.pool)
            .await?;
        row.map(|(body,)| {
            serde_json::from_str(&body).map_err(|e| StoreError::Corrupt(e.to_string()))
        })
        .transpose()
    }

    async fn put_organisation(&self, org: &Organisation) -> Result<(), StoreError> {
        use erased::Json;
        let body = org.to_json()?;
        sqlx::query("INSERT OR REPLACE INTO organisation (id, body) VALUES (1, ?)")
            .bind(body)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn log_access(
        &self,
        at: Timestamp,
        actor: &str,
        subject: &Subject,
        action: &str,
    ) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO access_log (at, actor, subject, action) VALUES (?, ?, ?, ?)")
            .bind(at.to_string())
            .bind(actor)
            .bind(subject.to_string())
            .bind(action)
            .execute(&self.pool)
            .await?;
        Ok(())
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
