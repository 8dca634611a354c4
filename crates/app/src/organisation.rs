//! The organisation document's dated versions: which is in force on a day, and storing
//! a council's own as a new version. The command line only.

use crate::{AdminError, App, AppError, Caller};
use hearth_domain::org::Organisation;
use hearth_store::OrganisationVersion;
use jiff::Timestamp;
use jiff::civil::Date;

/// What a refused read or change of the organisation is logged against, and what its
/// changes are.
const ORGANISATION: &str = "organisation";

impl App {
    /// The version in force on `today`: the latest first day on or before it, the later
    /// stored of two for one day. When none is in force yet, the first to come; `None`
    /// when the database holds no organisation at all.
    pub async fn organisation_in_force(
        &self,
        caller: &Caller,
        now: Timestamp,
        today: Date,
    ) -> Result<Option<OrganisationVersion>, AppError> {
        self.check_command_line(caller, now, ORGANISATION).await?;
        let mut versions = self.store().organisation_versions().await?;
        versions.sort_by_key(|v| (v.from, v.revision));
        let in_force = versions.iter().rposition(|v| v.from <= today);
        let chosen = match in_force {
            Some(i) => Some(versions.swap_remove(i)),
            None if versions.is_empty() => None,
            None => Some(versions.swap_remove(0)),
        };
        Ok(chosen)
    }

    /// Store `organisation` as a new version in force from `from`, once the domain
    /// accepts it; earlier versions are kept, and the days before `from` keep theirs.
    /// The change is written to the access log. Returns the new revision.
    pub async fn apply_organisation(
        &self,
        caller: &Caller,
        now: Timestamp,
        organisation: &Organisation,
        from: Date,
    ) -> Result<u64, AdminError> {
        self.check_command_line(caller, now, ORGANISATION).await?;
        organisation.validate()?;
        let revision = self
            .store()
            .add_organisation_version(organisation, from)
            .await?;
        let action = format!(
            "revision {revision} stored, in force from {from}: {}",
            caller.purpose
        );
        self.store()
            .log_access_to(now, caller.actor(), ORGANISATION, &action)
            .await?;
        Ok(revision)
    }
}
