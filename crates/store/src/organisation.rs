//! The organisation document in dated versions, the same on both backends: each
//! version is stored with the first day it is in force, and storing one never changes
//! or removes another. The SQL uses `$N` placeholders, which SQLite (through sqlx) and
//! PostgreSQL both read; dates are kept as `YYYY-MM-DD` text, which sorts as dates do.

use crate::StoreError;
use crate::write::corrupt;
use hearth_domain::org::Organisation;
use jiff::civil::Date;

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
