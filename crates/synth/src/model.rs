//! The model's calibration: how families behave and how the service responds, as
//! probabilities and durations. These are not authority policy (that is the preset) but
//! the shape of demand, chosen so that a county comes out near England's 2024-25 flows
//! and standing figures (DOMAIN.md, "Flows for realistic synthetic data"):
//! referrals ≈ 519 per 10,000 a year, re-referrals within 12 months ≈ 22.6%, children in
//! need at 31 March ≈ 330, child protection plans ≈ 41 and children looked after ≈ 67 per
//! 10,000. `tests/rates.rs` checks the result; change a number here, run it again
//! (`cargo test -p hearth-synth --release --test rates -- --ignored --nocapture` prints
//! the averages over several seeds and years).
//!
//! Volume: Kent at full size over ten years comes to about 8.5 million events (6.9
//! million inside the window, the rest the earlier history of families still known).
//! Most of it is what the flows require — contacts at 4–5 per referral, visits at the
//! preset's frequencies, registrations of everyone who reaches the front door.

use hearth_domain::codes::{ContactOutcome, ReferralSource};

/// How much help a family tends to need. Drawn once per family; it drives how serious
/// its contacts are and how often it comes back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tier {
    Universal,
    Additional,
    Complex,
    Acute,
}

/// How serious one contact is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Severity {
    Low,
    Moderate,
    High,
    Acute,
}

/// New families reaching the front door for each referral the preset asks for.
pub(crate) const FAMILIES_PER_REFERRAL: f64 = 0.44;

pub(crate) const TIERS: [(Tier, f64); 4] = [
    (Tier::Universal, 0.44),
    (Tier::Additional, 0.30),
    (Tier::Complex, 0.19),
    (Tier::Acute, 0.07),
];

pub(crate) fn severities(tier: Tier) -> [(Severity, f64); 4] {
    use Severity as S;
    match tier {
        Tier::Universal => [
            (S::Low, 0.80),
            (S::Moderate, 0.17),
            (S::High, 0.03),
            (S::Acute, 0.0),
        ],
        Tier::Additional => [
            (S::Low, 0.45),
            (S::Moderate, 0.40),
            (S::High, 0.13),
            (S::Acute, 0.02),
        ],
        Tier::Complex => [
            (S::Low, 0.25),
            (S::Moderate, 0.35),
            (S::High, 0.30),
            (S::Acute, 0.10),
        ],
        Tier::Acute => [
            (S::Low, 0.10),
            (S::Moderate, 0.25),
            (S::High, 0.35),
            (S::Acute, 0.30),
        ],
    }
}

/// Chance that a family comes back to the front door after an involvement ends.
pub(crate) fn recurrence(tier: Tier) -> f64 {
    match tier {
        Tier::Universal => 0.88,
        Tier::Additional => 0.86,
        Tier::Complex => 0.86,
        Tier::Acute => 0.86,
    }
}

/// Of returning families, the share that come back soon, and the mean gaps.
pub(crate) const SOON_SHARE: f64 = 0.40;
pub(crate) const SOON_MEAN_DAYS: f64 = 110.0;
pub(crate) const LATER_MEAN_DAYS: f64 = 700.0;
pub(crate) const SOON_MIN_DAYS: i32 = 10;

/// Chance that a family whose referral has closed comes straight back with another
/// within `RE_REFERRAL_WITHIN` days of it (national: 22.6% of referrals are re-referrals
/// within 12 months).
pub(crate) fn re_referral(tier: Tier) -> f64 {
    match tier {
        Tier::Universal => 0.18,
        Tier::Additional => 0.26,
        Tier::Complex => 0.32,
        Tier::Acute => 0.36,
    }
}
pub(crate) const RE_REFERRAL_WITHIN: i32 = 355;
pub(crate) const RE_REFERRAL_SEVERITY: [(Severity, f64); 3] = [
    (Severity::Moderate, 0.45),
    (Severity::High, 0.45),
    (Severity::Acute, 0.10),
];

/// What the front door decides, by severity.
pub(crate) fn outcomes(severity: Severity) -> [(ContactOutcome, f64); 4] {
    use ContactOutcome as O;
    match severity {
        Severity::Low => [
            (O::NoFurtherAction, 0.58),
            (O::InformationAndAdvice, 0.37),
            (O::EarlyHelp, 0.05),
            (O::Referral, 0.0),
        ],
        Severity::Moderate => [
            (O::NoFurtherAction, 0.20),
            (O::InformationAndAdvice, 0.33),
            (O::EarlyHelp, 0.22),
            (O::Referral, 0.25),
        ],
        Severity::High => [
            (O::NoFurtherAction, 0.0),
            (O::InformationAndAdvice, 0.05),
            (O::EarlyHelp, 0.15),
            (O::Referral, 0.80),
        ],
        Severity::Acute => [
            (O::NoFurtherAction, 0.0),
            (O::InformationAndAdvice, 0.0),
            (O::EarlyHelp, 0.0),
            (O::Referral, 1.0),
        ],
    }
}

/// Who contacts the front door (DOMAIN.md: police 28%, schools 21%, health ≈ 15%,
/// LA services ≈ 10%, individuals ≈ 8%).
pub(crate) const SOURCES: [(ReferralSource, f64); 19] = [
    (ReferralSource::Police, 0.28),
    (ReferralSource::Schools, 0.19),
    (ReferralSource::EducationServices, 0.02),
    (ReferralSource::HealthGp, 0.02),
    (ReferralSource::HealthVisitor, 0.03),
    (ReferralSource::SchoolNurse, 0.01),
    (ReferralSource::OtherPrimaryHealth, 0.02),
    (ReferralSource::AccidentAndEmergency, 0.03),
    (ReferralSource::HealthOther, 0.04),
    (ReferralSource::Housing, 0.02),
    (ReferralSource::LaSocialCare, 0.04),
    (ReferralSource::LaOtherInternal, 0.02),
    (ReferralSource::LaExternal, 0.02),
    (ReferralSource::LaEarlyHelp, 0.02),
    (ReferralSource::IndividualFamily, 0.04),
    (ReferralSource::IndividualSelf, 0.01),
    (ReferralSource::IndividualOther, 0.03),
    (ReferralSource::OtherLegalAgency, 0.04),
    (ReferralSource::Other, 0.07),
];

/// Share of contacts screened with MASH partner checks, by severity.
pub(crate) fn mash_share(severity: Severity) -> f64 {
    match severity {
        Severity::Low => 0.0,
        Severity::Moderate => 0.15,
        Severity::High => 0.75,
        Severity::Acute => 0.95,
    }
}

// --- Referral and assessment -------------------------------------------------------

/// Referrals closed without an assessment (national: 6.5% of referrals end in NFA).
pub(crate) const NO_ASSESSMENT: f64 = 0.12;
/// High-severity referrals that go straight to a strategy discussion (acute ones always do).
pub(crate) const URGENT_IF_HIGH: f64 = 0.30;

/// Chance an assessment finds the child in need of services (national: 30.8% not).
pub(crate) fn services_needed(severity: Severity) -> f64 {
    match severity {
        Severity::Low | Severity::Moderate => 0.48,
        Severity::High => 0.72,
        Severity::Acute => 0.85,
    }
}
/// Of children assessed as not in need, the share stepped down to early help (RC9).
pub(crate) const STEP_DOWN_AFTER_ASSESSMENT: f64 = 0.45;

// --- Protection ----------------------------------------------------------------------

pub(crate) const S47_AT_STRATEGY: f64 = 0.88;
/// Share of s47 enquiries leading to an initial conference.
pub(crate) fn icpc_after_s47(severity: Severity) -> f64 {
    match severity {
        Severity::Acute => 0.43,
        Severity::High => 0.23,
        Severity::Low | Severity::Moderate => 0.23,
    }
}
pub(crate) const PLAN_AT_ICPC: f64 = 0.90;

/// Chance, over a child in need plan, of a new concern leading to a strategy discussion.
pub(crate) fn escalation(tier_severity: Severity) -> f64 {
    match tier_severity {
        Severity::Low | Severity::Moderate => 0.12,
        Severity::High => 0.20,
        Severity::Acute => 0.28,
    }
}

pub(crate) const CIN_PLAN_MEDIAN_DAYS: f64 = 190.0;
pub(crate) const CIN_PLAN_SIGMA: f64 = 0.6;
pub(crate) const CIN_REVIEW_MONTHS: i32 = 3;
/// A plan stepped down from child protection is shorter.
pub(crate) const POST_CP_CIN_MEDIAN_DAYS: f64 = 110.0;
pub(crate) const POST_CP_CIN_SHARE: f64 = 0.65;
/// Children closed from a child in need plan who go on to early help.
pub(crate) const STEP_DOWN_AFTER_CIN: f64 = 0.20;

/// Chance a child protection plan continues at its 1st, 2nd, 3rd... review. Gives a mean
/// of about ten months and ≈ 4–5% of plans lasting two years or more.
pub(crate) const CP_CONTINUE: [f64; 6] = [0.86, 0.46, 0.40, 0.42, 0.25, 0.20];
pub(crate) const CP_CATEGORIES: [(hearth_domain::codes::CategoryOfAbuse, f64); 5] = [
    (hearth_domain::codes::CategoryOfAbuse::Neglect, 0.48),
    (hearth_domain::codes::CategoryOfAbuse::Emotional, 0.36),
    (hearth_domain::codes::CategoryOfAbuse::Physical, 0.07),
    (hearth_domain::codes::CategoryOfAbuse::Sexual, 0.04),
    (hearth_domain::codes::CategoryOfAbuse::Multiple, 0.05),
];

// --- Care ----------------------------------------------------------------------------

/// Child protection plans that end with the child coming into care.
pub(crate) const CARE_FROM_CP: f64 = 0.15;
/// Babies (under 1 or unborn) on a protection plan who come into care, on top of the
/// family-wide chance above.
pub(crate) const CARE_FROM_CP_BABY: f64 = 0.6;
/// Children aged 10+ on a child in need plan who become looked after (mostly s20).
pub(crate) const CARE_FROM_CIN_TEEN: f64 = 0.07;
/// Acute referrals where a child is taken into care at once (police protection, EPO).
pub(crate) const EMERGENCY_CARE: f64 = 0.08;
/// Mean days between placement moves (after any early bridging move).
pub(crate) const PLACEMENT_MOVE_MEAN_DAYS: f64 = 650.0;
pub(crate) const BRIDGING_MOVE: f64 = 0.30;
/// Of looked-after children aged 10 or more, the share who go missing repeatedly.
pub(crate) const MISSING_PRONE: f64 = 0.15;
pub(crate) const MISSING_PER_YEAR: f64 = 6.0;

// --- Timeliness ----------------------------------------------------------------------
//
// The share of each duty met late, against the rule in force on the day its clock
// started (`hearth_domain::timescales`); the domain's obligations measure it, and
// `tests/lateness.rs` checks the shares. Late work is late by a number of working days
// drawn with the mean given beside it; work on time is spread over the weeks before it
// falls due, as a team works to its deadlines.

/// How long a piece of work with a deadline takes, in working days from its clock:
/// the share finished late and by how much, and the lognormal course of the rest. Work
/// that would overrun but is finished on time is finished in the last third of the time
/// allowed, as a team works to its deadline.
pub(crate) struct Course {
    pub(crate) late: f64,
    pub(crate) late_mean: f64,
    pub(crate) median: f64,
    pub(crate) sigma: f64,
}

/// Single assessments: beyond 45 working days of the referral ≈ 14% (England 2024-25),
/// median ≈ 33 working days (DOMAIN.md).
pub(crate) const ASSESSMENT: Course = Course {
    late: 0.14,
    late_mean: 15.0,
    median: 30.0,
    sigma: 0.45,
};
/// Before 15 April 2013, initial assessments: beyond 7 working days of the referral
/// 15.6% (Kent, May 2012: 84.4% within).
pub(crate) const INITIAL_ASSESSMENT: Course = Course {
    late: 0.156,
    late_mean: 4.0,
    median: 4.0,
    sigma: 0.45,
};
/// Core assessments: beyond 35 working days of their start 18.3% (Kent, 2012-13 to
/// May: 81.7% within; England 2009-10: 78%).
pub(crate) const CORE_ASSESSMENT: Course = Course {
    late: 0.183,
    late_mean: 10.0,
    median: 24.0,
    sigma: 0.4,
};
/// Initial conferences beyond 15 working days of the strategy discussion (England
/// 2024-25: ≈ 19%).
pub(crate) const ICPC_LATE: f64 = 0.19;
pub(crate) const ICPC_LATE_MEAN: f64 = 6.0;
/// First core groups beyond 10 working days of the conference (no national figure).
pub(crate) const CORE_GROUP_LATE: f64 = 0.10;
/// Review conferences late (England 2014-15: 94% of child protection cases reviewed
/// within timescales).
pub(crate) const CP_REVIEW_LATE: f64 = 0.06;
/// Looked-after reviews late (no national figure is published; the generator's choice).
pub(crate) const LA_REVIEW_LATE: f64 = 0.07;
/// Initial health assessments beyond 20 working days: a long-standing national
/// weakness (council papers report from 10% to 80% on time); review health assessments
/// late about one in ten (≈ 90% of children in care have theirs up to date).
pub(crate) const INITIAL_HEALTH_LATE: f64 = 0.40;
pub(crate) const INITIAL_HEALTH_LATE_MEAN: f64 = 12.0;
pub(crate) const REVIEW_HEALTH_LATE: f64 = 0.10;
/// Personal education plans beyond 10 working days of coming into care (no national
/// figure).
pub(crate) const PEP_LATE: f64 = 0.20;
/// Statutory visits late: to children in care (a council paper of 2018 reports 93% in
/// time) and, against the authority's own standard, to children on plans.
pub(crate) const PLACEMENT_VISIT_LATE: f64 = 0.08;
pub(crate) const CP_VISIT_LATE: f64 = 0.10;
pub(crate) const VISIT_LATE_MEAN: f64 = 3.0;
/// Visits at which the child was not seen, so that another visit is needed.
pub(crate) const NOT_SEEN: f64 = 0.06;
/// Pathway plan reviews late (no national figure).
pub(crate) const PATHWAY_REVIEW_LATE: f64 = 0.10;
/// Late work is this many working days late on average, where no other figure is given.
pub(crate) const LATE_MEAN: f64 = 5.0;

// --- Early help ----------------------------------------------------------------------

pub(crate) const EARLY_HELP_MEDIAN_DAYS: f64 = 150.0;
pub(crate) const EARLY_HELP_STEP_UP: f64 = 0.08;

// --- Contacts about children already open -------------------------------------------

/// Contacts a year about a child already open, by stage (police notifications, school
/// concerns passed to the allocated worker).
pub(crate) const OPEN_CONTACTS_PER_YEAR_EH: f64 = 0.4;
pub(crate) const OPEN_CONTACTS_PER_YEAR_CIN: f64 = 1.0;
pub(crate) const OPEN_CONTACTS_PER_YEAR_CP: f64 = 2.0;
pub(crate) const OPEN_CONTACTS_PER_YEAR_CLA: f64 = 0.8;
