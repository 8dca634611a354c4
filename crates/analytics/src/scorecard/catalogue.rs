//! The indicators Hearth measures, each with its stable id, its definition, which way is
//! better, its unit and the period it is measured over. The definitions quote DOMAIN.md
//! ("Performance indicators") and say what we chose where it is silent.
//!
//! Rules every indicator follows, where DOMAIN.md does not say:
//! - A month's figure counts the things dated in its window (a referral, an assessment
//!   completed), and what became of them however late that was recorded (a contact
//!   whose referral came the next month still led to a referral), as the front door's
//!   funnel does: so a recent month's figure may still move.
//! - A child counts in the locality of their address on the day of the event counted
//!   (for a figure at a date, on that date), and in the team holding their case then.
//!   A child with no address known counts as "unknown", one at an address no locality
//!   serves as "out of area"; both count in the authority's figure.
//! - Working days are England and Wales's, less the authority's closure days
//!   ([`hearth_domain::calendar::WorkingCalendar`]).

use hearth_domain::org::Polarity;
use serde::Serialize;

/// The scorecard's themes, in the order a scorecard shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Theme {
    FrontDoor,
    Assessment,
    Protection,
    InCare,
    LeavingCare,
    Workforce,
}

impl Theme {
    pub fn label(self) -> &'static str {
        match self {
            Theme::FrontDoor => "Front door",
            Theme::Assessment => "Assessment",
            Theme::Protection => "Protection",
            Theme::InCare => "In care",
            Theme::LeavingCare => "Leaving care",
            Theme::Workforce => "Workforce",
        }
    }
}

/// What a figure counts in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// Children (or events) per 10,000 children aged 0–17 living in the place.
    Per10k,
    /// A percentage of the denominator.
    Percent,
    /// A median, in working days.
    WorkingDays,
}

/// The days a month's figure looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Span {
    /// The calendar month.
    Month,
    /// The twelve calendar months to the end of the month (March: 1 April to 31 March).
    Rolling12Months,
    /// The month's last day.
    MonthEnd,
}

/// Each indicator Hearth measures. The order is the scorecard's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kpi {
    ReferralsPer10k,
    RereferralsPct,
    ReferralsNfaPct,
    ContactsToReferralPct,
    AssessmentsIn45WdPct,
    AssessmentMedianDays,
    AssessedNotInNeedPct,
}

/// One indicator: what a scorecard says about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Indicator {
    #[serde(skip)]
    pub kpi: Kpi,
    /// The stable id: what an organisation document's `scorecard` target names.
    pub id: &'static str,
    pub label: &'static str,
    pub theme: Theme,
    pub polarity: Polarity,
    pub unit: Unit,
    pub span: Span,
    /// Ids organisation documents written before the catalogue used for the same
    /// indicator, so their targets still apply.
    #[serde(skip)]
    pub formerly: &'static [&'static str],
}

impl Indicator {
    /// Whether an organisation document's target naming `kpi` is this indicator's.
    pub fn is_named(&self, kpi: &str) -> bool {
        self.id == kpi || self.formerly.contains(&kpi)
    }
}

/// Every indicator, in the scorecard's order.
pub const CATALOGUE: &[Indicator] = &[
    // DOMAIN.md: "referrals in the year / child population × 10,000". The year is the
    // twelve months to the month's end; a referral is a `referral_accepted`.
    Indicator {
        kpi: Kpi::ReferralsPer10k,
        id: "referrals_per_10k",
        label: "Referrals per 10,000 children (12 months)",
        theme: Theme::FrontDoor,
        polarity: Polarity::Lower,
        unit: Unit::Per10k,
        span: Span::Rolling12Months,
        formerly: &[],
    },
    // DOMAIN.md: "% of referrals in the year made within 12 months of a previous referral
    // of the same child". Within 12 months: on or after the same day a year before (a
    // referral on 29 February looks back to 28 February).
    Indicator {
        kpi: Kpi::RereferralsPct,
        id: "rereferrals_12m_pct",
        label: "Re-referrals within 12 months (%)",
        theme: Theme::FrontDoor,
        polarity: Polarity::Lower,
        unit: Unit::Percent,
        span: Span::Rolling12Months,
        formerly: &["re_referrals_12m"],
    },
    // DOMAIN.md: "% of referrals ending with no further action". Silent on when a
    // referral ends so: we take the CIN census's reading, a referral whose episode closed
    // before any assessment started (an NFA after assessment is not this). Referrals
    // still open count in the denominator only.
    Indicator {
        kpi: Kpi::ReferralsNfaPct,
        id: "referrals_nfa_pct",
        label: "Referrals with no further action (%, 12 months)",
        theme: Theme::FrontDoor,
        polarity: Polarity::Lower,
        unit: Unit::Percent,
        span: Span::Rolling12Months,
        formerly: &[],
    },
    // DOMAIN.md names "conversion at the front door (contacts → referrals)" but does not
    // define it. Ours: of the contacts about a child received in the month (a contact
    // about two children counts twice), those that led to a referral of that child naming
    // the contact. Contacts about nobody yet linked are not counted.
    Indicator {
        kpi: Kpi::ContactsToReferralPct,
        id: "contacts_to_referral_pct",
        label: "Contacts leading to a referral (%)",
        theme: Theme::FrontDoor,
        polarity: Polarity::Higher,
        unit: Unit::Percent,
        span: Span::Month,
        formerly: &[],
    },
    // DOMAIN.md: "% of assessments completed in the year with duration ≤ 45 working days",
    // timed from the referral (Working Together 2013 on). We take the assessments
    // completed in the month; an assessment completed with no referral open has no clock
    // and is not counted.
    Indicator {
        kpi: Kpi::AssessmentsIn45WdPct,
        id: "assessments_in_45wd_pct",
        label: "Assessments completed within 45 working days (%)",
        theme: Theme::Assessment,
        polarity: Polarity::Higher,
        unit: Unit::Percent,
        span: Span::Month,
        formerly: &["assessments_45wd"],
    },
    // DOMAIN.md: "median 33 days", without the unit. We count working days from the
    // referral to the completion, as the 45-day measure does, over assessments completed
    // in the month; the median of an even count is the mean of the middle two.
    Indicator {
        kpi: Kpi::AssessmentMedianDays,
        id: "assessment_median_days",
        label: "Median assessment duration (working days)",
        theme: Theme::Assessment,
        polarity: Polarity::Lower,
        unit: Unit::WorkingDays,
        span: Span::Month,
        formerly: &[],
    },
    // DOMAIN.md: "% of completed assessments concluding no CSC services needed": of the
    // assessments completed in the month, those that found no services needed.
    Indicator {
        kpi: Kpi::AssessedNotInNeedPct,
        id: "assessed_not_in_need_pct",
        label: "Assessments finding no services needed (%)",
        theme: Theme::Assessment,
        polarity: Polarity::Lower,
        unit: Unit::Percent,
        span: Span::Month,
        formerly: &[],
    },
];

/// The indicator with id `id`, or one an older document named so.
pub fn find(id: &str) -> Option<&'static Indicator> {
    CATALOGUE.iter().find(|i| i.is_named(id))
}
