//! Contacts at the front door (issue 13), the same on both backends: a contact's folded
//! state as kept with each write (`contact_state`), the queue screeners work from, the
//! contacts a partner sent in, and the people a contact may be about (`person_index`). The SQL uses `$N` placeholders, which SQLite and
//! PostgreSQL both read, and [`impl_contacts!`] writes the methods once for both.

use crate::dialect::Dialect;
use crate::projection::ContactFold;
use crate::write::{PersonRow, corrupt};
use crate::{StoreError, Version};
use hearth_domain::access::UserName;
use hearth_domain::codes::{Sex, Urgency};
use hearth_domain::contact::{ContactState, ContactStatus};
use hearth_domain::event::Event;
use hearth_domain::ids::{Actor, ChildId, ContactId, FamilyId, PersonRef};
use hearth_domain::people::Name;
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

/// A person a contact may be about, as the person index holds them: a child, or an
/// adult named in a family.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexedPerson {
    pub person: PersonRef,
    pub family: Option<FamilyId>,
    pub name: Name,
    pub date_of_birth: Option<Date>,
    pub expected_date_of_birth: Option<Date>,
    pub nhs_number: Option<String>,
    pub postcode: Option<String>,
    pub sex: Option<Sex>,
    /// The child this one was merged into, while the merge stands.
    pub merged_into: Option<ChildId>,
    /// The journal place of the write that last wrote the row.
    pub seq: u64,
}

impl PersonRow {
    pub(crate) fn parse(self) -> Result<IndexedPerson, StoreError> {
        let date = |v: Option<String>| -> Result<Option<Date>, StoreError> {
            v.map(|s| s.parse().map_err(corrupt)).transpose()
        };
        Ok(IndexedPerson {
            person: PersonRef::parse(&self.person).map_err(corrupt)?,
            family: self
                .family_id
                .map(|f| FamilyId::parse(&f).map_err(corrupt))
                .transpose()?,
            name: Name {
                given: self.given_name,
                family: self.family_name,
            },
            date_of_birth: date(self.date_of_birth)?,
            expected_date_of_birth: date(self.expected_date_of_birth)?,
            nhs_number: self.nhs_number,
            postcode: self.postcode,
            sex: self
                .sex
                .map(|s| Sex::from_code(&s).map_err(corrupt))
                .transpose()?,
            merged_into: self
                .merged_into
                .map(|c| ChildId::parse(&c).map_err(corrupt))
                .transpose()?,
            seq: self.seq.max(0) as u64,
        })
    }
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

    /// The people whose index rows were written after journal place `seq`, in the order
    /// written (0: everyone), so that a copy kept in memory can catch up.
    async fn people_since(&self, seq: u64) -> Result<Vec<IndexedPerson>, StoreError>;

    /// The children the person index places in `family` (registered into it), by id,
    /// leaving out duplicates merged into another record: with those the family's own
    /// journey names, the children a family page shows.
    async fn family_children(&self, family: &FamilyId) -> Result<Vec<ChildId>, StoreError>;

    /// The journeys, contacts' and children's, holding a contact received on a day from
    /// `from` to `to` (both included), as the journal dates them (a receipt amended into
    /// the period from outside it is not found). Each is whole and in journal order,
    /// handed to `each` one at a time, read from one snapshot a batch at a time, so
    /// memory stays flat. Returns how many journeys were read.
    async fn contact_journeys(
        &self,
        from: Date,
        to: Date,
        each: &mut JourneyEach<'_>,
    ) -> Result<u64, StoreError>;
}

/// A family's children in the person index (`person_index_family` serves it).
pub(crate) const FAMILY_CHILDREN: &str = "SELECT person FROM person_index \
     WHERE family_id = $1 AND merged_into IS NULL ORDER BY person";

/// The children among the person index's rows of a family.
pub(crate) fn children_of(people: Vec<String>) -> Result<Vec<ChildId>, StoreError> {
    let mut children = Vec::new();
    for person in people {
        if let PersonRef::Child(child) = PersonRef::parse(&person).map_err(corrupt)? {
            children.push(child);
        }
    }
    Ok(children)
}

/// Hands each journey over as it is read; see [`Contacts::contact_journeys`].
pub type JourneyEach<'a> = dyn FnMut(Vec<Event>) + Send + 'a;

/// The subjects with a contact received from `$1` up to, not including, `$2` (dates as
/// text, which sort in time order byte by byte), by the partial index on those events
/// (`journal_contact_received`), with the backend's byte-by-byte collation in `{}`.
pub(crate) fn contact_subjects(bytewise: &str) -> String {
    format!(
        "SELECT DISTINCT subject FROM journal WHERE kind = 'contact_received' \
         AND occurred_at{bytewise} >= $1 AND occurred_at{bytewise} < $2"
    )
}

/// Whether the person index must be filled: a database from before it existed has
/// children or families and nobody in the index (1 if so).
pub(crate) const PEOPLE_MISSING: &str = "SELECT CASE WHEN EXISTS (SELECT 1 FROM person_index) THEN 0 \
     WHEN EXISTS (SELECT 1 FROM child_state) OR EXISTS (SELECT 1 FROM family_state) THEN 1 \
     ELSE 0 END";

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
        // A range rather than `substr(decided_at, 1, 10) = day`, so the index on
        // `decided_at` serves it: every time on the day (`YYYY-MM-DD` or
        // `YYYY-MM-DDTHH:MM`) sorts at or after the day and before the next one.
        let bytewise = dialect.bytewise;
        q.push(format_args!(" AND decided_at{bytewise} >= "))
            .push_bind(day.to_string());
        // The last day jiff can hold has no next day: everything from it is on it.
        if let Ok(next) = day.tomorrow() {
            q.push(format_args!(" AND decided_at{bytewise} < "))
                .push_bind(next.to_string());
        }
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

            async fn people_since(
                &self,
                seq: u64,
            ) -> Result<Vec<$crate::IndexedPerson>, $crate::StoreError> {
                let bytewise = Self::DIALECT.bytewise;
                // Safe: the columns and the collation are constants, not input.
                let rows: Vec<$crate::write::PersonRow> =
                    sqlx::query_as(sqlx::AssertSqlSafe(format!(
                        "SELECT {} FROM person_index WHERE seq > $1 ORDER BY seq, person{bytewise}",
                        $crate::write::PERSON_COLUMNS
                    )))
                    .bind(i64::try_from(seq).unwrap_or(i64::MAX))
                    .fetch_all(&self.pool)
                    .await?;
                rows.into_iter()
                    .map($crate::write::PersonRow::parse)
                    .collect()
            }

            async fn family_children(
                &self,
                family: &hearth_domain::ids::FamilyId,
            ) -> Result<Vec<hearth_domain::ids::ChildId>, $crate::StoreError> {
                let people: Vec<String> = sqlx::query_scalar($crate::contacts::FAMILY_CHILDREN)
                    .bind(family.as_str())
                    .fetch_all(&self.pool)
                    .await?;
                $crate::contacts::children_of(people)
            }

            async fn contact_journeys(
                &self,
                from: jiff::civil::Date,
                to: jiff::civil::Date,
                each: &mut $crate::JourneyEach<'_>,
            ) -> Result<u64, $crate::StoreError> {
                let dialect = &Self::DIALECT;
                // The day after `to`, so a receipt at 23:50 on `to` is inside.
                let until = to
                    .tomorrow()
                    .map_or_else(|_| String::from("9"), |d| d.to_string());
                // One read transaction on one snapshot, so the journeys agree.
                let mut tx = self.pool.begin().await?;
                if let Some(snapshot) = dialect.snapshot {
                    sqlx::query(snapshot).execute(&mut *tx).await?;
                }
                // Safe: the collation is a constant, not input.
                let subjects: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(
                    $crate::contacts::contact_subjects(dialect.bytewise),
                ))
                .bind(from.to_string())
                .bind(until)
                .fetch_all(&mut *tx)
                .await?;
                for chunk in subjects.chunks(dialect.children_per_read) {
                    let mut journeys = Self::read_journeys(&mut tx, chunk.to_vec()).await?;
                    for subject in chunk {
                        each(journeys.take(subject));
                    }
                }
                tx.rollback().await?;
                Ok(subjects.len() as u64)
            }
        }
    };
}
pub(crate) use impl_contacts;
