//! The organisation document in dated versions, the same on both backends: each
//! version is stored with the first day it is in force, and storing one never changes
//! or removes another. The SQL uses `$N` placeholders, which SQLite (through sqlx) and
//! PostgreSQL both read; dates are kept as `YYYY-MM-DD` text, which sorts as dates do.
//! [`impl_organisations!`] writes the methods once for both.

use crate::StoreError;
use crate::write::corrupt;
use hearth_domain::org::{FROM_THE_START, History, Organisation};
use jiff::civil::Date;

/// The organisation document: areas, teams, workers and the council's policy.
#[async_trait::async_trait]
pub trait Organisations: Send + Sync {
    /// The organisation as its latest version has it (the version with the latest first
    /// day): for naming teams and workers. Due dates use
    /// [`Organisations::organisation_history`].
    async fn organisation(&self) -> Result<Option<Organisation>, StoreError>;

    /// Every stored version of the organisation, in the order they were stored.
    async fn organisation_versions(&self) -> Result<Vec<OrganisationVersion>, StoreError>;

    /// Store `org` as a new version in force from `from`, keeping every earlier one.
    /// Returns its revision.
    async fn add_organisation_version(
        &self,
        org: &Organisation,
        from: Date,
    ) -> Result<u64, StoreError>;

    /// A number that changes whenever a version of the organisation is stored (0 before
    /// any is), so that a copy kept in memory knows when to read it again.
    async fn organisation_revision(&self) -> Result<u64, StoreError>;

    /// Store `org` as a version in force from the start (`hearth generate` does).
    async fn put_organisation(&self, org: &Organisation) -> Result<(), StoreError> {
        self.add_organisation_version(org, FROM_THE_START)
            .await
            .map(|_| ())
    }

    /// Every version with its first day: which is in force on each day.
    async fn organisation_history(&self) -> Result<History, StoreError> {
        let versions = self.organisation_versions().await?;
        Ok(History::new(
            versions.into_iter().map(|v| (v.from, v.organisation)),
        ))
    }
}

/// One stored version of the organisation.
#[derive(Debug, Clone, PartialEq)]
pub struct OrganisationVersion {
    /// Numbers the versions in the order they were stored.
    pub revision: u64,
    /// The first day the version is in force.
    pub from: Date,
    pub organisation: Organisation,
}

pub(crate) const INSERT_VERSION: &str = "INSERT INTO organisation_versions \
     (effective_from, body) VALUES ($1, $2) RETURNING revision";
pub(crate) const SELECT_VERSIONS: &str =
    "SELECT revision, effective_from, body FROM organisation_versions ORDER BY revision";
/// The version with the latest first day (the later stored, of two for one day).
pub(crate) const SELECT_LATEST: &str = "SELECT body FROM organisation_versions \
     ORDER BY effective_from DESC, revision DESC LIMIT 1";
pub(crate) const SELECT_REVISION: &str =
    "SELECT COALESCE(MAX(revision), 0) FROM organisation_versions";

pub(crate) fn parse_body(body: &str) -> Result<Organisation, StoreError> {
    serde_json::from_str(body).map_err(corrupt)
}

pub(crate) fn version(
    (revision, from, body): (i64, String, String),
) -> Result<OrganisationVersion, StoreError> {
    Ok(OrganisationVersion {
        revision: u64::try_from(revision).map_err(corrupt)?,
        from: from.parse().map_err(corrupt)?,
        organisation: parse_body(&body)?,
    })
}

pub(crate) fn revision(n: i64) -> Result<u64, StoreError> {
    u64::try_from(n).map_err(corrupt)
}

/// Implements [`Organisations`] for a backend `$store` with a `pool` field.
macro_rules! impl_organisations {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl $crate::Organisations for $store {
            async fn organisation(
                &self,
            ) -> Result<Option<hearth_domain::org::Organisation>, $crate::StoreError> {
                let body: Option<String> = sqlx::query_scalar($crate::organisation::SELECT_LATEST)
                    .fetch_optional(&self.pool)
                    .await?;
                body.as_deref()
                    .map($crate::organisation::parse_body)
                    .transpose()
            }

            async fn organisation_versions(
                &self,
            ) -> Result<Vec<$crate::OrganisationVersion>, $crate::StoreError> {
                let rows: Vec<(i64, String, String)> =
                    sqlx::query_as($crate::organisation::SELECT_VERSIONS)
                        .fetch_all(&self.pool)
                        .await?;
                rows.into_iter()
                    .map($crate::organisation::version)
                    .collect()
            }

            async fn add_organisation_version(
                &self,
                org: &hearth_domain::org::Organisation,
                from: jiff::civil::Date,
            ) -> Result<u64, $crate::StoreError> {
                let revision: i64 = sqlx::query_scalar($crate::organisation::INSERT_VERSION)
                    .bind(from.to_string())
                    .bind($crate::write::to_json(org)?)
                    .fetch_one(&self.pool)
                    .await?;
                $crate::organisation::revision(revision)
            }

            async fn organisation_revision(&self) -> Result<u64, $crate::StoreError> {
                let revision: i64 = sqlx::query_scalar($crate::organisation::SELECT_REVISION)
                    .fetch_one(&self.pool)
                    .await?;
                $crate::organisation::revision(revision)
            }
        }
    };
}
pub(crate) use impl_organisations;
