//! The access log, the same on both backends: every row reaches it through the store's
//! writer (chained, committed in groups), and reading it back is one SQL with a `$1`
//! placeholder, which SQLite (through sqlx) and PostgreSQL both read.
//! [`impl_access_log!`] writes the methods once for both.

use crate::StoreError;
use hearth_domain::ids::Subject;
use jiff::Timestamp;

/// Access-log rows that share a time, an actor, an action and a reason: one for each
/// of `targets` (a subject's id, a route, or "session").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessRows {
    pub at: Timestamp,
    pub actor: String,
    pub targets: Vec<String>,
    pub action: String,
    /// Why the actor says they looked, when they were asked: a record outside their
    /// team and locality ("why-if-asked" in DESIGN.md). Chained with the row.
    pub reason: Option<String>,
}

impl AccessRows {
    /// One row for each of `subjects`, as `actor` did `action` on them at `at`.
    pub fn of(at: Timestamp, actor: &str, subjects: &[Subject], action: &str) -> AccessRows {
        AccessRows {
            at,
            actor: actor.to_owned(),
            targets: subjects.iter().map(Subject::to_string).collect(),
            action: action.to_owned(),
            reason: None,
        }
    }

    /// The same rows, with the reason the actor gave.
    pub fn because(self, reason: Option<&str>) -> AccessRows {
        AccessRows {
            reason: reason.map(str::to_owned),
            ..self
        }
    }
}

/// Who looked at what, and when: one chained row for each record shown.
#[async_trait::async_trait]
pub trait AccessLog: Send + Sync {
    /// Append one chained access-log row for each of `rows.targets` (a subject's id, a
    /// route, or "session"), all in one transaction: the one way rows reach the log.
    async fn log_access_rows(&self, rows: AccessRows) -> Result<(), StoreError>;

    /// Who looked at `subject`'s record: (at, actor, action), oldest first. A row
    /// with a reason reads "action (reason: ...)".
    async fn access_log(
        &self,
        subject: &Subject,
    ) -> Result<Vec<(String, String, String)>, StoreError>;

    /// Record that `actor` did `action` on `subject`'s record at `at`.
    async fn log_access(
        &self,
        at: Timestamp,
        actor: &str,
        subject: &Subject,
        action: &str,
    ) -> Result<(), StoreError> {
        self.log_access_many(at, actor, std::slice::from_ref(subject), action)
            .await
    }

    /// Record that `actor` did `action` on each of `subjects`' records at `at`, all in
    /// one transaction (a list that shows many children logs each of them).
    async fn log_access_many(
        &self,
        at: Timestamp,
        actor: &str,
        subjects: &[Subject],
        action: &str,
    ) -> Result<(), StoreError> {
        self.log_access_rows(AccessRows::of(at, actor, subjects, action))
            .await
    }

    /// [`AccessLog::log_access_many`], with the reason the actor gave for looking (none
    /// when they were not asked for one).
    async fn log_access_because(
        &self,
        at: Timestamp,
        actor: &str,
        subjects: &[Subject],
        action: &str,
        reason: Option<&str>,
    ) -> Result<(), StoreError> {
        self.log_access_rows(AccessRows::of(at, actor, subjects, action).because(reason))
            .await
    }

    /// Log an access-log row about something other than one subject's record: `target`
    /// is the child or family a refused request was for, the route when it named none,
    /// or "session" for signing in and out. Chained like every other row.
    async fn log_access_to(
        &self,
        at: Timestamp,
        actor: &str,
        target: &str,
        action: &str,
    ) -> Result<(), StoreError> {
        self.log_access_rows(AccessRows {
            at,
            actor: actor.to_owned(),
            targets: vec![target.to_owned()],
            action: action.to_owned(),
            reason: None,
        })
        .await
    }
}

/// The reason is shown with the action, so every reader of the log sees it; it is
/// stored, and chained, in a column of its own.
pub(crate) const SELECT_ACCESS_LOG: &str = "SELECT at, actor, \
     CASE WHEN reason IS NULL THEN action ELSE action || ' (reason: ' || reason || ')' END \
     FROM access_log WHERE subject = $1 ORDER BY seq";

/// Implements [`AccessLog`] for a backend `$store` with `pool` and `writer` fields.
macro_rules! impl_access_log {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl $crate::AccessLog for $store {
            async fn log_access_rows(
                &self,
                rows: $crate::AccessRows,
            ) -> Result<(), $crate::StoreError> {
                if rows.targets.is_empty() {
                    return Ok(());
                }
                let job = $crate::writer::Job::Access(rows);
                self.writer.submit(job).await.map(|_| ())
            }

            async fn access_log(
                &self,
                subject: &hearth_domain::ids::Subject,
            ) -> Result<Vec<(String, String, String)>, $crate::StoreError> {
                Ok(sqlx::query_as($crate::access_log::SELECT_ACCESS_LOG)
                    .bind(subject.to_string())
                    .fetch_all(&self.pool)
                    .await?)
            }
        }
    };
}
pub(crate) use impl_access_log;
