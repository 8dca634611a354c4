//! What a due list reads, the same on both backends: the children not yet settled, each
//! with their cached due clocks or else their journey, and the cache's rows written
//! back. [`impl_due_cache!`] writes the methods once for both; the one query whose
//! SQL differs (a batch of journeys joined into one row each) is the backend's own.

use crate::{DueCacheKey, DueClocksRow, DueSink, DueSource, HeldBy, JourneySink, StoreError};
use jiff::civil::Date;

/// The children a due list must read, and the due clocks cached for them.
#[async_trait::async_trait]
pub trait DueCache: Send + Sync {
    /// The children `unsettled_journeys` reads, each with their cached due clocks when a
    /// row is fresh (the child's version, `cache`'s fingerprint) and usable (last event
    /// on or before `cache.as_at`), otherwise with their journey; with no `cache`, always
    /// the journey.
    async fn unsettled_due(
        &self,
        settled_by: Date,
        held_by: &HeldBy,
        cache: Option<&DueCacheKey<'_>>,
        each: &mut DueSink<'_>,
    ) -> Result<u64, StoreError>;

    /// Write rows of the due cache, each replacing any row the child had, in one
    /// transaction.
    async fn put_due_clocks(&self, rows: &[DueClocksRow]) -> Result<(), StoreError>;

    /// The children a due list must read, each with their journey in journal order:
    /// those held as `held_by` says and not settled on or before `settled_by`
    /// (`hearth_domain::due::settled_since`; a child with no settled day is always
    /// read). Children come in id order, one at a time to `each`, read from one snapshot
    /// of the database a batch at a time, so memory stays flat. Returns how many children
    /// were read.
    async fn unsettled_journeys(
        &self,
        settled_by: Date,
        held_by: &HeldBy,
        each: &mut JourneySink<'_>,
    ) -> Result<u64, StoreError> {
        // With no cache key no cached clocks are handed over, only journeys.
        self.unsettled_due(settled_by, held_by, None, &mut |child, source| {
            if let DueSource::Journey { events, .. } = source {
                each(child, events);
            }
        })
        .await
    }
}

/// Implements [`DueCache`] for a backend `$store` on the database `$db`, with a `pool`
/// field, a `DIALECT`, a `bulk` method that keeps cache writes apart from this process's
/// other bulk writes, and a `read_journeys` function for a batch of children.
macro_rules! impl_due_cache {
    ($store:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::DueCache for $store {
            async fn unsettled_due(
                &self,
                settled_by: jiff::civil::Date,
                held_by: &$crate::HeldBy,
                cache: Option<&$crate::DueCacheKey<'_>>,
                each: &mut $crate::DueSink<'_>,
            ) -> Result<u64, $crate::StoreError> {
                let dialect = &Self::DIALECT;
                // One read transaction on one snapshot, so the children, their cached
                // clocks and their journeys agree.
                let mut tx = self.pool.begin().await?;
                if let Some(snapshot) = dialect.snapshot {
                    sqlx::query(snapshot).execute(&mut *tx).await?;
                }
                let children = $crate::write::unsettled::<$db>(
                    &mut tx,
                    settled_by,
                    held_by,
                    cache,
                    dialect.due_order,
                )
                .await?;
                for chunk in children.chunks(dialect.children_per_read) {
                    let wanted = $crate::write::Journeys::wanted(chunk);
                    let journeys = Self::read_journeys(&mut tx, wanted).await?;
                    journeys.hand_over(chunk, each);
                }
                tx.rollback().await?;
                Ok(children.len() as u64)
            }

            async fn put_due_clocks(
                &self,
                rows: &[$crate::DueClocksRow],
            ) -> Result<(), $crate::StoreError> {
                let _bulk = self.bulk().await;
                let per_statement = Self::DIALECT.due_rows_per_statement;
                $crate::write::put_due_clocks(&self.pool, rows, per_statement).await
            }
        }
    };
}
pub(crate) use impl_due_cache;
