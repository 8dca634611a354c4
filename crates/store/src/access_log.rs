//! The access log, the same on both backends: every row reaches it through the store's
//! writer (chained, committed in groups), and reading it back is one SQL with a `$1`
//! placeholder, which SQLite (through sqlx) and PostgreSQL both read.
//! [`impl_access_log!`] writes the methods once for both.

use crate::StoreError;
use hearth_domain::ids::Subject;
use jiff::Timestamp;

/// Access-log rows that share a time, an actor and an action: one for each of
/// `targets` (a subject's id, a route, or "session").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessRows {
    pub at: Timestamp,
    pub actor: String,
    pub targets: Vec<String>,
    pub action: String,
}

impl AccessRows {
    /// One row for each of `subjects`, as `actor` did `action` on them at `at`.
    pub fn of(at: Timestamp, actor: &str, subjects: &[Subject], action: &str) -> AccessRows {
        AccessRows {
            at,
            actor: actor.to_owned(),
            targets: subjects.iter().map(Subject::to_string).collect(),
            action: action.to_owned(),
        }
    }
}

/// Who looked at what, and when: one chained row for each record shown.
#[async_trait::async_trait]
pub trait AccessLog: Send + Sync {
    /// Append one chained access-log row for each of `targets` (a subject's id, a
    /// route, or "session"), all in one transaction: the one way rows reach the log.
    async fn log_access_rows(
        &self,
        at: Timestamp,
        actor: &str,
        targets: &[String],
        action: &str,
    ) -> Result<(), StoreError>;

    /// Who looked at `subject`'s record: (at, actor, action), oldest first.
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
        let targets: Vec<String> = subjects.iter().map(Subject::to_string).collect();
        self.log_access_rows(at, actor, &targets, action).await
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
        self.log_access_rows(at, actor, &[target.to_owned()], action)
            .await
    }
}

pub(crate) const SELECT_ACCESS_LOG: &str =
    "SELECT at, actor, action FROM access_log WHERE subject = $1 ORDER BY seq";

/// Implements [`AccessLog`] for a backend `$store` with `pool` and `writer` fields.
macro_rules! impl_access_log {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl $crate::AccessLog for $store {
            async fn log_access_rows(
                &self,
                at: jiff::Timestamp,
                actor: &str,
                targets: &[String],
                action: &str,
            ) -> Result<(), $crate::StoreError> {
                if targets.is_empty() {
                    return Ok(());
                }
                let job = $crate::writer::Job::Access($crate::AccessRows {
                    at,
                    actor: actor.to_owned(),
                    targets: targets.to_vec(),
                    action: action.to_owned(),
                });
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
