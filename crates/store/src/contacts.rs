//! Contacts at the front door (issue 13), the same on both backends: a contact's folded
//! state as kept with each write (`contact_state`), the queue screeners work from, and
//! the contacts a partner sent in. The SQL uses `$N` placeholders, which SQLite and
//! PostgreSQL both read, and [`impl_contacts!`] writes the methods once for both.

use crate::dialect::Dialect;
use crate::projection::ContactFold;
use crate::write::corrupt;
use crate::{StoreError, Version};
use hearth_domain::access::UserName;
use hearth_domain::codes::Urgency;
use hearth_domain::contact::{ContactState, ContactStatus};
use hearth_domain::ids::{Actor, ContactId};
use jiff::civil::Date;

/// A contact's folded state with the journal version it reflects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactRecord {
    pub state: ContactState,
    pub version: Version,
    /// Who recorded the contact's receipt: the user who sent it in.
    pub submitted_by: Option<Actor>,
}

/// Which contacts a front-door queue lists, oldest received first. A contact whose
/// receipt was retracted is in no queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueFilter {
    /// Contacts in any of these statuses; every status when empty.
    pub statuses: Vec<ContactStatus>,
    /// Only contacts decided on this day.
    pub decided_on: Option<Date>,
    /// Only contacts routed to this locality.
    pub locality: Option<String>,
    pub urgency: Option<Urgency>,
    pub limit: u32,
}

/// Each contact's folded state, and the lists the front door reads.
#[async_trait::async_trait]
pub trait Contacts: Send + Sync {
    async fn contact(&self, id: &ContactId) -> Result<Option<ContactRecord>, StoreError>;

    /// The contacts `filter` picks, oldest received first.
    async fn contact_queue(&self, filter: &QueueFilter) -> Result<Vec<ContactRecord>, StoreError>;

    /// The contacts `user` sent in, newest first.
    async fn contacts_submitted_by(
        &self,
        user: &UserName,
        limit: u32,
    ) -> Result<Vec<ContactRecord>, StoreError>;
}

pub(crate) const SELECT_CONTACT: &str =
    "SELECT state, version FROM contact_state WHERE contact_id = $1";

/// A stored contact row, (state JSON, version), as a record.
pub(crate) fn contact_record((state, version): (String, i64)) -> Result<ContactRecord, StoreError> {
    let fold: ContactFold = serde_json::from_str(&state).map_err(corrupt)?;
    Ok(ContactRecord {
        state: fold.contact,
        version: version as Version,
        submitted_by: fold.submitted_by,
    })
}

/// The query for a front-door queue.
pub(crate) fn queue_query<DB>(dialect: &Dialect, filter: &QueueFilter) -> sqlx::QueryBuilder<DB>
where
    DB: sqlx::Database,
    DB::Arguments: Default,
    String: for<'t> sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    i64: for<'t> sqlx::Encode<'t, DB> + sqlx::Type<DB>,
{
    let mut q = sqlx::QueryBuilder::<DB>::new(
        "SELECT state, version FROM contact_state WHERE received_at IS NOT NULL",
    );
    if !filter.statuses.is_empty() {
        q.push(" AND status IN (");
        let mut statuses = q.separated(", ");
        for status in &filter.statuses {
            statuses.push_bind(status.code().to_owned());
        }
        q.push(")");
    }
    if let Some(day) = filter.decided_on {
        q.push(" AND substr(decided_at, 1, 10) = ")
            .push_bind(day.to_string());
    }
    if let Some(locality) = &filter.locality {
        q.push(" AND locality = ").push_bind(locality.clone());
    }
    if let Some(urgency) = filter.urgency {
        q.push(" AND urgency = ")
            .push_bind(urgency.code().to_owned());
    }
    let bytewise = dialect.bytewise;
    q.push(format_args!(
        " ORDER BY received_at{bytewise}, contact_id{bytewise} LIMIT "
    ))
    .push_bind(i64::from(filter.limit));
    q
}

/// The query for the contacts one user sent in, newest first.
pub(crate) fn submitted_by_query<DB>(
    dialect: &Dialect,
    user: &UserName,
    limit: u32,
) -> sqlx::QueryBuilder<DB>
where
    DB: sqlx::Database,
    DB::Arguments: Default,
    String: for<'t> sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    i64: for<'t> sqlx::Encode<'t, DB> + sqlx::Type<DB>,
{
    let mut q = sqlx::QueryBuilder::<DB>::new(
        "SELECT state, version FROM contact_state WHERE submitted_by = ",
    );
    let bytewise = dialect.bytewise;
    q.push_bind(user.as_str().to_owned())
        .push(format_args!(
            " ORDER BY received_at{bytewise} DESC, contact_id{bytewise} DESC LIMIT "
        ))
        .push_bind(i64::from(limit));
    q
}

/// Implements [`Contacts`] for a backend `$store` with a `pool` field and a `DIALECT`.
macro_rules! impl_contacts {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl $crate::Contacts for $store {
            async fn contact(
                &self,
                id: &hearth_domain::ids::ContactId,
            ) -> Result<Option<$crate::ContactRecord>, $crate::StoreError> {
                let row: Option<(String, i64)> = sqlx::query_as($crate::contacts::SELECT_CONTACT)
                    .bind(id.as_str())
                    .fetch_optional(&self.pool)
                    .await?;
                row.map($crate::contacts::contact_record).transpose()
            }

            async fn contact_queue(
                &self,
                filter: &$crate::QueueFilter,
            ) -> Result<Vec<$crate::ContactRecord>, $crate::StoreError> {
                let rows: Vec<(String, i64)> =
                    $crate::contacts::queue_query(&Self::DIALECT, filter)
                        .build_query_as()
                        .fetch_all(&self.pool)
                        .await?;
                rows.into_iter()
                    .map($crate::contacts::contact_record)
                    .collect()
            }

            async fn contacts_submitted_by(
                &self,
                user: &hearth_domain::access::UserName,
                limit: u32,
            ) -> Result<Vec<$crate::ContactRecord>, $crate::StoreError> {
                let rows: Vec<(String, i64)> =
                    $crate::contacts::submitted_by_query(&Self::DIALECT, user, limit)
                        .build_query_as()
                        .fetch_all(&self.pool)
                        .await?;
                rows.into_iter()
                    .map($crate::contacts::contact_record)
                    .collect()
            }
        }
    };
}
pub(crate) use impl_contacts;
