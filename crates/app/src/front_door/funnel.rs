//! The front door's funnel for a period (issue 13 item 8): how many contacts came in,
//! and how many became referrals, assessments and no further action after assessment,
//! by source and by locality. What counts is `hearth_analytics::funnel`'s; this reads
//! the journeys it needs: only those holding a contact received in the period (an index
//! finds them), not every journey in the journal.

use crate::{App, AppError, Caller};
use hearth_analytics::funnel::{Funnel, FunnelCounter, Period, PeriodError};
use hearth_domain::access::Permission;
use hearth_domain::ids::Subject;
use hearth_domain::journey::JourneyError;
use hearth_domain::org::Organisation;
use jiff::Timestamp;
use jiff::civil::Date;

/// What the access log names for the funnel: figures, about nobody.
const FUNNEL: &str = "front-door funnel";

/// Why a funnel was not drawn.
#[derive(Debug, thiserror::Error)]
pub enum FunnelError {
    #[error(transparent)]
    App(#[from] AppError),
    /// The period asked for cannot be drawn; the message says which date to change.
    #[error("{0}")]
    Period(PeriodError),
    /// A stored journey the domain cannot read; the message names ids and kinds only.
    #[error("the journey of {subject} cannot be read: {source}")]
    Journey {
        subject: Subject,
        source: JourneyError,
    },
}

impl From<hearth_store::StoreError> for FunnelError {
    fn from(e: hearth_store::StoreError) -> Self {
        FunnelError::App(AppError::Store(e))
    }
}

impl App {
    /// The funnel for the days `from` to `to` (both included): figures only, naming
    /// nobody. Needs `ViewFigures`; the access log says the funnel was viewed. The period
    /// must not end before it starts, end after today, or be longer than two years.
    /// Localities are the organisation's on the period's last day.
    pub async fn funnel(
        &self,
        caller: &Caller,
        now: Timestamp,
        from: Date,
        to: Date,
    ) -> Result<Funnel, FunnelError> {
        self.check(caller, now, Permission::ViewFigures, FUNNEL)
            .await?;
        let period = Period::new(from, to, crate::today(now)).map_err(FunnelError::Period)?;
        let authority = self.authority(period.to).await?;
        let none = Organisation::default();
        let org = authority.organisation.as_ref().unwrap_or(&none);
        let mut counter = FunnelCounter::new(period, org);
        let mut unreadable = None;
        self.store()
            .contact_journeys(period.from, period.to, &mut |journey| {
                if unreadable.is_some() {
                    return;
                }
                if let Err(source) = counter.add_journey(&journey) {
                    let subject = journey.first().map(|e| e.subject.clone());
                    unreadable = subject.map(|subject| FunnelError::Journey { subject, source });
                }
            })
            .await?;
        if let Some(e) = unreadable {
            return Err(e);
        }
        self.store()
            .log_access_to(now, caller.actor(), FUNNEL, "viewed funnel")
            .await
            .map_err(AppError::Store)?;
        Ok(counter.funnel())
    }
}
