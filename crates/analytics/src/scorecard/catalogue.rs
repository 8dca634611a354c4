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
    /// A median, in calendar days.
    Days,
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
    CinPer10k,
    CinDurationMedianDays,
    S47Per10k,
    IcpcIn15WdPct,
    CpPer10k,
    CpSecondPlanPct,
    Cp2YrPlusPct,
    ClaPer10k,
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
    // DOMAIN.md: "children in need at 31 March: open CIN episodes (includes CP, CLA) per
    // 10k", taken at each month's last day: a child referred and not closed, or on a
    // plan, or looked after. An episode closed on the last day is not open at its end.
    Indicator {
        kpi: Kpi::CinPer10k,
        id: "cin_per_10k",
        label: "Children in need per 10,000 children (month end)",
        theme: Theme::Assessment,
        polarity: Polarity::Lower,
        unit: Unit::Per10k,
        span: Span::MonthEnd,
        formerly: &[],
    },
    // DOMAIN.md asks for the duration of CIN cases (Kent's pilots) without defining it.
    // Ours: calendar days from the referral to the episode's closure, median over the
    // episodes closed in the month.
    Indicator {
        kpi: Kpi::CinDurationMedianDays,
        id: "cin_duration_median_days",
        label: "Median duration of closed child in need episodes (days)",
        theme: Theme::Assessment,
        polarity: Polarity::Lower,
        unit: Unit::Days,
        span: Span::Month,
        formerly: &[],
    },
    // DOMAIN.md: "s47 enquiries per 10k: s47s started in the year": strategy discussions
    // that decided to start a section 47 enquiry, in the twelve months to the month's end.
    Indicator {
        kpi: Kpi::S47Per10k,
        id: "s47_per_10k",
        label: "Section 47 enquiries per 10,000 children (12 months)",
        theme: Theme::Protection,
        polarity: Polarity::Lower,
        unit: Unit::Per10k,
        span: Span::Rolling12Months,
        formerly: &[],
    },
    // DOMAIN.md: "% of ICPCs held within 15 WD of the strategy discussion", over the
    // ICPCs held in the month; an ICPC with no section 47 strategy discussion before it
    // has no clock and is not counted.
    Indicator {
        kpi: Kpi::IcpcIn15WdPct,
        id: "icpc_in_15wd_pct",
        label: "Initial conferences within 15 working days (%)",
        theme: Theme::Protection,
        polarity: Polarity::Higher,
        unit: Unit::Percent,
        span: Span::Month,
        formerly: &["icpc_15wd"],
    },
    // DOMAIN.md: "CP plans at 31 March per 10k", taken at each month's last day.
    Indicator {
        kpi: Kpi::CpPer10k,
        id: "cp_per_10k",
        label: "Children on a protection plan per 10,000 children (month end)",
        theme: Theme::Protection,
        polarity: Polarity::Lower,
        unit: Unit::Per10k,
        span: Span::MonthEnd,
        formerly: &[],
    },
    // DOMAIN.md: "% of plans started in the year for a child who had an earlier plan
    // (ever)": earlier in the child's journey, however long before.
    Indicator {
        kpi: Kpi::CpSecondPlanPct,
        id: "cp_second_plan_pct",
        label: "Protection plans that are a second or later plan (%, 12 months)",
        theme: Theme::Protection,
        polarity: Polarity::Lower,
        unit: Unit::Percent,
        span: Span::Rolling12Months,
        formerly: &[],
    },
    // DOMAIN.md: "% of plans ended in the year that lasted ≥ 2 years": ended on or after
    // the same day two calendar years on (a plan from 29 February ends on or after 28
    // February two years later).
    Indicator {
        kpi: Kpi::Cp2YrPlusPct,
        id: "cp_2yr_plus_pct",
        label: "Protection plans ended that lasted 2 years or more (%, 12 months)",
        theme: Theme::Protection,
        polarity: Polarity::Lower,
        unit: Unit::Percent,
        span: Span::Rolling12Months,
        formerly: &[],
    },
    // DOMAIN.md: "CLA at 31 March per 10k", taken at each month's last day.
    Indicator {
        kpi: Kpi::ClaPer10k,
        id: "cla_per_10k",
        label: "Children looked after per 10,000 children (month end)",
        theme: Theme::InCare,
        polarity: Polarity::Lower,
        unit: Unit::Per10k,
        span: Span::MonthEnd,
        formerly: &[],
    },
];

/// The indicator with id `id`, or one an older document named so.
pub fn find(id: &str) -> Option<&'static Indicator> {
    CATALOGUE.iter().find(|i| i.is_named(id))
}
