//! The projections folded from the journal (kept in the same transaction as each
//! write), the same on both backends: reading a child, searching, rebuilding. The SQL
//! uses `$N` placeholders, which SQLite (through sqlx) and PostgreSQL both read; what the
//! two dialects spell differently comes from the backend's `Dialect`, and
//! [`impl_projections!`] writes the methods once for both.

use crate::write::SUMMARY_COLUMNS;
use crate::{AllocatedWork, ChildRecord, ChildSummary, HeldBy, RebuildReport, StoreError};
use hearth_domain::ids::{ChildId, TeamId, WorkerId};

/// Each child's and each family's folded state, with its searchable columns.
#[async_trait::async_trait]
pub trait Projections: Send + Sync {
    async fn child(&self, id: &ChildId) -> Result<Option<ChildRecord>, StoreError>;

    /// Children whose name, NHS number, id or date of birth (YYYY-MM-DD) matches `query`.
    async fn search_children(
        &self,
        query: &str,
        limit: u32,
    ) -> Result<Vec<ChildSummary>, StoreError>;

    async fn count_children(&self) -> Result<u64, StoreError>;

    /// The children allocated to one team or one worker (every child for
    /// [`HeldBy::Anyone`]), by id: a caseload.
    async fn held_children(&self, held_by: &HeldBy) -> Result<Vec<ChildRecord>, StoreError>;

    /// The children allocated in `team`, each as its worker and open work alone: for
    /// weighing a team's caseloads from one index (sqlite 0020, postgres 0018), without
    /// reading any child's row.
    async fn allocated_work(&self, team: &TeamId) -> Result<Vec<AllocatedWork>, StoreError>;

    /// The children waiting for a worker (`hearth_domain::caseload::queued`) who were
    /// routed to `team`, or else last held by one of `workers`, by id: a team's
    /// allocation queue, given the team's workers.
    async fn queued_children(
        &self,
        team: &TeamId,
        workers: &[WorkerId],
    ) -> Result<Vec<ChildRecord>, StoreError>;

    /// Recreate every projection from the journal.
    async fn rebuild(&self) -> Result<RebuildReport, StoreError>;

    /// Every projection row, as text, in a fixed order: for proving that rebuilding gives
    /// the same projections as incremental updates.
    async fn projection_dump(&self) -> Result<Vec<String>, StoreError>;
}

pub(crate) const SELECT_CHILD: &str = "SELECT state, version FROM child_state WHERE child_id = $1";
pub(crate) const COUNT_CHILDREN: &str = "SELECT COUNT(*) FROM child_state";
/// Answered from the index on (team, worker, open_work) alone.
pub(crate) const ALLOCATED_WORK: &str =
    "SELECT worker, open_work FROM child_state WHERE team = $1 AND worker IS NOT NULL";

/// An [`ALLOCATED_WORK`] row.
pub(crate) fn allocated_work(
    (worker, open_work): (String, String),
) -> Result<AllocatedWork, StoreError> {
    Ok(AllocatedWork {
        worker: WorkerId::parse(&worker).map_err(crate::write::corrupt)?,
        open_work: serde_json::from_str(&open_work).map_err(crate::write::corrupt)?,
    })
}

/// The children waiting with `team` or one of `workers` (each column's partial index
/// holds just the waiting rows).
pub(crate) fn queued_query<DB>(team: &TeamId, workers: &[WorkerId]) -> sqlx::QueryBuilder<DB>
where
    DB: sqlx::Database,
    DB::Arguments: Default,
    String: for<'t> sqlx::Encode<'t, DB> + sqlx::Type<DB>,
{
    let mut q =
        sqlx::QueryBuilder::<DB>::new("SELECT state, version FROM child_state WHERE queue_team = ");
    q.push_bind(team.to_string());
    if !workers.is_empty() {
        q.push(" OR queue_worker IN (");
        let mut list = q.separated(", ");
        for w in workers {
            list.push_bind(w.to_string());
        }
        q.push(")");
    }
    q.push(" ORDER BY child_id");
    q
}

/// The children `held_by` names, as `columns`, by id.
pub(crate) fn held_query<DB>(columns: &str, held_by: &HeldBy) -> sqlx::QueryBuilder<DB>
where
    DB: sqlx::Database,
    DB::Arguments: Default,
    String: for<'t> sqlx::Encode<'t, DB> + sqlx::Type<DB>,
{
    let mut q = sqlx::QueryBuilder::<DB>::new(format!("SELECT {columns} FROM child_state"));
    match held_by {
        HeldBy::Anyone => {}
        HeldBy::Team(team) => {
            q.push(" WHERE team = ").push_bind(team.to_string());
        }
        HeldBy::Worker(worker) => {
            q.push(" WHERE worker = ").push_bind(worker.to_string());
        }
    }
    q.push(" ORDER BY child_id");
    q
}
/// What a rebuild empties before it folds the journal again.
pub(crate) const CLEAR: [&str; 5] = [
    "DELETE FROM child_state",
    "DELETE FROM family_state",
    "DELETE FROM contact_state",
    "DELETE FROM person_index",
    "DELETE FROM due_clocks",
];

/// Fill the person index once, on the first opening after its migration, by rebuilding
/// the projections from the journal (which writes every row with the journal place of
/// its subject's last event). A database that has it, or is empty, is left as it is.
pub(crate) async fn fill_person_index<DB>(
    store: &dyn Projections,
    pool: &sqlx::Pool<DB>,
) -> Result<(), StoreError>
where
    DB: sqlx::Database,
    for<'c> &'c sqlx::Pool<DB>: sqlx::Executor<'c, Database = DB>,
    DB::Arguments: sqlx::IntoArguments<DB>,
    i32: for<'r> sqlx::Decode<'r, DB> + sqlx::Type<DB>,
    usize: sqlx::ColumnIndex<DB::Row>,
{
    let missing: i32 = sqlx::query_scalar(crate::contacts::PEOPLE_MISSING)
        .fetch_one(pool)
        .await?;
    if missing == 1 {
        store.rebuild().await?;
    }
    Ok(())
}

/// The search for `query` (each word must match a name, the id, the NHS number or the
/// date of birth; an empty query lists every child).
pub(crate) fn search_query<DB>(
    dialect: &crate::dialect::Dialect,
    query: &str,
    limit: u32,
) -> sqlx::QueryBuilder<DB>
where
    DB: sqlx::Database,
    DB::Arguments: Default,
    String: for<'t> sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    i64: for<'t> sqlx::Encode<'t, DB> + sqlx::Type<DB>,
{
    let mut q = sqlx::QueryBuilder::<DB>::new(format!(
        "SELECT {SUMMARY_COLUMNS} FROM child_state WHERE 1 = 1"
    ));
    for word in query.split_whitespace() {
        let like = (dialect.like)(word);
        q.push(format_args!(" AND ({} LIKE ", dialect.given_name))
            .push_bind(like.clone())
            .push(format_args!(" OR {} LIKE ", dialect.family_name))
            .push_bind(like)
            .push(" OR child_id = ")
            .push_bind(word.to_owned())
            .push(" OR nhs_number = ")
            .push_bind(word.replace('-', ""))
            .push(" OR date_of_birth = ")
            .push_bind(word.to_owned())
            .push(")");
    }
    q.push(format_args!(" ORDER BY {} LIMIT ", dialect.by_name))
        .push_bind(i64::from(limit));
    q
}

/// Implements [`Projections`] for a backend `$store` with a `pool` field, a `DIALECT`,
/// and a `bulk` method that keeps a rebuild apart from this process's other bulk writes;
/// `$tx` is its `WriteTx`.
macro_rules! impl_projections {
    ($store:ty, $tx:ident) => {
        #[async_trait::async_trait]
        impl $crate::Projections for $store {
            async fn child(
                &self,
                id: &hearth_domain::ids::ChildId,
            ) -> Result<Option<$crate::ChildRecord>, $crate::StoreError> {
                let row: Option<(String, i64)> = sqlx::query_as($crate::projections::SELECT_CHILD)
                    .bind(id.as_str())
                    .fetch_optional(&self.pool)
                    .await?;
                row.map($crate::write::child_record).transpose()
            }

            async fn search_children(
                &self,
                query: &str,
                limit: u32,
            ) -> Result<Vec<$crate::ChildSummary>, $crate::StoreError> {
                let rows = $crate::projections::search_query(&Self::DIALECT, query, limit)
                    .build_query_as::<$crate::write::SummaryRow>()
                    .fetch_all(&self.pool)
                    .await?;
                rows.into_iter().map($crate::write::summary).collect()
            }

            async fn count_children(&self) -> Result<u64, $crate::StoreError> {
                let n: i64 = sqlx::query_scalar($crate::projections::COUNT_CHILDREN)
                    .fetch_one(&self.pool)
                    .await?;
                Ok(n as u64)
            }

            async fn held_children(
                &self,
                held_by: &$crate::HeldBy,
            ) -> Result<Vec<$crate::ChildRecord>, $crate::StoreError> {
                let rows = $crate::projections::held_query("state, version", held_by)
                    .build_query_as::<(String, i64)>()
                    .fetch_all(&self.pool)
                    .await?;
                rows.into_iter().map($crate::write::child_record).collect()
            }

            async fn allocated_work(
                &self,
                team: &hearth_domain::ids::TeamId,
            ) -> Result<Vec<$crate::AllocatedWork>, $crate::StoreError> {
                let rows: Vec<(String, String)> =
                    sqlx::query_as($crate::projections::ALLOCATED_WORK)
                        .bind(team.as_str())
                        .fetch_all(&self.pool)
                        .await?;
                rows.into_iter()
                    .map($crate::projections::allocated_work)
                    .collect()
            }

            async fn queued_children(
                &self,
                team: &hearth_domain::ids::TeamId,
                workers: &[hearth_domain::ids::WorkerId],
            ) -> Result<Vec<$crate::ChildRecord>, $crate::StoreError> {
                let rows = $crate::projections::queued_query(team, workers)
                    .build_query_as::<(String, i64)>()
                    .fetch_all(&self.pool)
                    .await?;
                rows.into_iter().map($crate::write::child_record).collect()
            }

            async fn rebuild(&self) -> Result<$crate::RebuildReport, $crate::StoreError> {
                let _bulk = self.bulk().await;
                let mut tx = self.pool.begin().await?;
                if let Some(lock) = Self::DIALECT.rebuild_lock {
                    sqlx::query(lock).execute(&mut *tx).await?;
                }
                for sql in $crate::projections::CLEAR {
                    sqlx::query(sql).execute(&mut *tx).await?;
                }
                // Read the journal subject by subject, and fold each.
                let rows: Vec<(String, String, i64)> =
                    sqlx::query_as(sqlx::AssertSqlSafe(format!(
                        "SELECT subject, body, seq FROM journal ORDER BY subject{}, version",
                        Self::DIALECT.bytewise
                    )))
                    .fetch_all(&mut *tx)
                    .await?;
                let mut tx = $tx(tx);
                let report = $crate::write::rebuild_from(&mut tx, rows).await?;
                tx.0.commit().await?;
                Ok(report)
            }

            async fn projection_dump(&self) -> Result<Vec<String>, $crate::StoreError> {
                let bytewise = Self::DIALECT.bytewise;
                // Safe: the columns and the collation are constants, not input.
                let rows: Vec<$crate::write::ChildRow> =
                    sqlx::query_as(sqlx::AssertSqlSafe(format!(
                        "SELECT {} FROM child_state ORDER BY child_id{bytewise}",
                        $crate::write::CHILD_COLUMNS
                    )))
                    .fetch_all(&self.pool)
                    .await?;
                let mut out: Vec<String> = rows.iter().map($crate::write::dump_line).collect();
                let families: Vec<(String, i64, String)> =
                    sqlx::query_as(sqlx::AssertSqlSafe(format!(
                        "SELECT family_id, version, state FROM family_state \
                         ORDER BY family_id{bytewise}"
                    )))
                    .fetch_all(&self.pool)
                    .await?;
                out.extend(
                    families
                        .into_iter()
                        .map(|(id, v, s)| format!("family|{id}|{v}|{s}")),
                );
                let contacts: Vec<$crate::write::ContactRow> =
                    sqlx::query_as(sqlx::AssertSqlSafe(format!(
                        "SELECT {} FROM contact_state ORDER BY contact_id{bytewise}",
                        $crate::write::CONTACT_COLUMNS
                    )))
                    .fetch_all(&self.pool)
                    .await?;
                out.extend(contacts.iter().map($crate::write::contact_dump_line));
                let people: Vec<$crate::write::PersonRow> =
                    sqlx::query_as(sqlx::AssertSqlSafe(format!(
                        "SELECT {} FROM person_index ORDER BY person{bytewise}",
                        $crate::write::PERSON_COLUMNS
                    )))
                    .fetch_all(&self.pool)
                    .await?;
                out.extend(people.iter().map($crate::write::person_dump_line));
                Ok(out)
            }
        }
    };
}
pub(crate) use impl_projections;
