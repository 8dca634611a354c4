//! The scorecard for a month (issue 15): each indicator for the authority and each row of
//! a breakdown, with target, red, amber or green, and the thirteen months' trend. What
//! counts is `hearth_analytics::scorecard`'s; this reads every child's journey once,
//! a batch at a time, and names nobody.

use crate::{App, AppError, Caller};
use hearth_analytics::scorecard::{Breakdown, CountError, Month, Rag, Scorecard, ScorecardCounter};
use hearth_domain::access::Permission;
use hearth_domain::ids::ChildId;
use hearth_domain::org::Organisation;
use hearth_store::HeldBy;
use jiff::Timestamp;
use jiff::civil::{Date, date};
use serde::Serialize;

/// What the access log names for a scorecard: figures, about nobody.
const SCORECARD: &str = "scorecard";

/// Why a scorecard was not drawn.
#[derive(Debug, thiserror::Error)]
pub enum ScorecardError {
    #[error(transparent)]
    App(#[from] AppError),
    #[error("{0} has not started yet: choose this month or an earlier one")]
    InFuture(Month),
    #[error("the journal starts in {first_year}: choose a month from {first_year}-01 on")]
    BeforeJournal { month: Month, first_year: i16 },
    #[error("the journal holds no events yet, so there is no month to draw a scorecard for")]
    EmptyJournal,
    #[error("the organisation has no {0} to break the scorecard down by")]
    NoBreakdown(&'static str),
    /// A stored journey the figures cannot be drawn from; the message names ids only.
    #[error("the journey of {child} cannot be counted: {source}")]
    Journey { child: ChildId, source: CountError },
}

impl From<hearth_store::StoreError> for ScorecardError {
    fn from(e: hearth_store::StoreError) -> Self {
        ScorecardError::App(AppError::Store(e))
    }
}

impl App {
    /// The scorecard for `month` by `by`: figures only, naming nobody. Needs
    /// `ViewFigures`; the access log says which scorecard was viewed. The month must
    /// have started by today and not be before the journal's first year, and the
    /// organisation (the version in force at the month's end, or today) must have what
    /// `by` names.
    pub async fn scorecard(
        &self,
        caller: &Caller,
        now: Timestamp,
        month: Month,
        by: Breakdown,
    ) -> Result<Scorecard, ScorecardError> {
        self.check(caller, now, Permission::ViewFigures, SCORECARD)
            .await?;
        let today = crate::today(now);
        if month.first() > today {
            return Err(ScorecardError::InFuture(month));
        }
        let authority = self.authority(month.last().min(today)).await?;
        let none = Organisation::default();
        let org = authority.organisation.as_ref().unwrap_or(&none);
        let missing = match by {
            Breakdown::Authority => None,
            Breakdown::Area => org.areas.is_empty().then_some("areas"),
            Breakdown::Locality => org
                .areas
                .iter()
                .all(|a| a.localities.is_empty())
                .then_some("localities"),
            Breakdown::Team => org.teams().next().is_none().then_some("teams"),
        };
        if let Some(what) = missing {
            return Err(ScorecardError::NoBreakdown(what));
        }
        let mut counter = ScorecardCounter::new(month, org, &authority.calendar);
        let mut first: Option<Date> = None;
        let mut unreadable = None;
        // Every child: none was settled before the first day a date can name.
        self.store()
            .unsettled_journeys(date(1, 1, 1), &HeldBy::Anyone, &mut |child, journey| {
                if unreadable.is_some() {
                    return;
                }
                if let Some(day) = journey.iter().map(|e| e.date()).min() {
                    first = Some(first.map_or(day, |f| f.min(day)));
                }
                if let Err(source) = counter.add_journey(&journey) {
                    unreadable = Some(ScorecardError::Journey {
                        child: child.id.clone(),
                        source,
                    });
                }
            })
            .await?;
        let first_year = first.ok_or(ScorecardError::EmptyJournal)?.year();
        if month.last() < date(first_year, 1, 1) {
            return Err(ScorecardError::BeforeJournal { month, first_year });
        }
        if let Some(e) = unreadable {
            return Err(e);
        }
        let action = format!("viewed scorecard {month} by {}", by.name());
        self.store()
            .log_access_to(now, caller.actor(), SCORECARD, &action)
            .await
            .map_err(AppError::Store)?;
        Ok(counter.scorecard(by))
    }
}

/// The scorecard as the command line's JSON (and the API's) gives it: each row's
/// indicator id, breakdown, value, the counts behind it, target, RAG and trend.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScorecardBody {
    pub month: Month,
    pub by: Breakdown,
    pub rows: Vec<ScorecardRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScorecardRow {
    pub kpi: &'static str,
    pub breakdown: String,
    pub value: Option<f64>,
    pub numerator: Option<u64>,
    pub denominator: Option<u64>,
    pub target: Option<f64>,
    pub rag: Option<Rag>,
    pub trend: Vec<Option<f64>>,
}

impl From<&Scorecard> for ScorecardBody {
    fn from(card: &Scorecard) -> Self {
        ScorecardBody {
            month: card.month,
            by: card.by,
            rows: card
                .rows
                .iter()
                .map(|r| ScorecardRow {
                    kpi: r.indicator.id,
                    breakdown: r.breakdown.clone(),
                    value: r.figure.value,
                    numerator: r.figure.numerator,
                    denominator: r.figure.denominator,
                    target: r.target.as_ref().map(|t| t.target),
                    rag: r.rag,
                    trend: r.trend.to_vec(),
                })
                .collect(),
        }
    }
}
