//! Statutory and local timescales as dated rules: which duty, which event starts its
//! clock, how long is allowed, where the rule comes from, and when it was in force.
//!
//! The national rules are a data file the project keeps (`data/timescales.toml`); an
//! authority's local policy (visits to children on plans, unallocated cases, MASH
//! checks) comes from its preset. A deadline is computed with the rule in force on the
//! day its clock started, so historic scorecards keep the rules of their time.

use crate::calendar::{CalendarError, WorkingCalendar};
use crate::event::OccurredAt;
use jiff::ToSpan;
use jiff::civil::{Date, DateTime, Time};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

const NATIONAL: &str = include_str!("../data/timescales.toml");

/// A duty with a deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Duty {
    ContactDecision,
    InitialAssessment,
    CoreAssessment,
    Assessment,
    InitialChildProtectionConference,
    FirstCoreGroup,
    FirstReviewConference,
    LaterReviewConference,
    ChildProtectionVisit,
    CarePlan,
    FirstLookedAfterReview,
    SecondLookedAfterReview,
    LaterLookedAfterReview,
    FirstPlacementVisit,
    PlacementVisit,
    LongTermPlacementVisit,
    InitialHealthAssessment,
    ReviewHealthAssessmentUnderFive,
    ReviewHealthAssessment,
    PersonalEducationPlan,
    NeedsAssessmentAtSixteen,
    PathwayPlanReview,
    ReturnInterview,
    UnallocatedCase,
    PartnerCheckRed,
    PartnerCheckAmber,
    PartnerCheckGreen,
}

/// What starts a duty's clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Clock {
    ContactReceived,
    ReferralAccepted,
    AssessmentStarted,
    /// A strategy discussion that decided to start a section 47 enquiry.
    S47StrategyDiscussion,
    InitialChildProtectionConference,
    ReviewConference,
    /// A child protection plan starting, or the last visit while on one.
    ChildProtectionVisit,
    /// The child becoming looked after (with their first placement).
    LookedAfter,
    FirstLookedAfterReview,
    LookedAfterReview,
    PlacementStarted,
    PlacementVisit,
    HealthAssessment,
    SixteenthBirthday,
    PathwayPlanReview,
    ReturnedFromMissing,
    Unallocated,
    PartnerCheckRequested,
}

/// Where a rule comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    Statute,
    Guidance,
    LocalPolicy,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub kind: SourceKind,
    /// The instrument, guidance or policy, as a reader would look it up.
    pub title: String,
}

/// How long a duty allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Period {
    WorkingDays(u32),
    Days(u32),
    Weeks(u32),
    Months(u32),
    Hours(u32),
}

#[cfg(feature = "openapi")]
text_schema!(
    Period,
    "^[0-9]+ (working day|day|week|month|hour)s?$",
    "How long a duty allows: a number and a unit, as in \"45 working days\" or \"1 month\"."
);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimescaleError {
    #[error(
        "'{0}' is not a period: write a number and a unit (working days, days, weeks, months or hours)"
    )]
    BadPeriod(String),
    #[error("the timescale rules cannot be read: {0}")]
    BadRules(String),
    #[error("{duty:?}: {problem}")]
    Conflict { duty: Duty, problem: String },
    #[error(transparent)]
    Calendar(#[from] CalendarError),
    #[error("a deadline {0} after {1} is beyond the dates Hearth can count")]
    OutOfRange(Period, Date),
}

impl FromStr for Period {
    type Err = TimescaleError;

    fn from_str(text: &str) -> Result<Period, TimescaleError> {
        let bad = || TimescaleError::BadPeriod(text.to_owned());
        let (n, unit) = text.trim().split_once(' ').ok_or_else(bad)?;
        let n: u32 = n.parse().map_err(|_| bad())?;
        let unit = unit.trim();
        let one = n == 1;
        Ok(match unit {
            "working day" if one => Period::WorkingDays(n),
            "working days" if !one => Period::WorkingDays(n),
            "day" if one => Period::Days(n),
            "days" if !one => Period::Days(n),
            "week" if one => Period::Weeks(n),
            "weeks" if !one => Period::Weeks(n),
            "month" if one => Period::Months(n),
            "months" if !one => Period::Months(n),
            "hour" if one => Period::Hours(n),
            "hours" if !one => Period::Hours(n),
            _ => return Err(bad()),
        })
    }
}

impl TryFrom<String> for Period {
    type Error = TimescaleError;
    fn try_from(text: String) -> Result<Period, TimescaleError> {
        text.parse()
    }
}

impl From<Period> for String {
    fn from(p: Period) -> String {
        p.to_string()
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (n, unit) = match *self {
            Period::WorkingDays(n) => (n, "working day"),
            Period::Days(n) => (n, "day"),
            Period::Weeks(n) => (n, "week"),
            Period::Months(n) => (n, "month"),
            Period::Hours(n) => (n, "hour"),
        };
        write!(f, "{n} {unit}{}", if n == 1 { "" } else { "s" })
    }
}

/// One duty's timescale, as in force between two dates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub duty: Duty,
    pub clock: Clock,
    pub within: Period,
    pub source: Source,
    /// The first day a clock starting under this rule.
    pub effective_from: Date,
    /// The last day, if the rule has been superseded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective_to: Option<Date>,
}

/// When a duty falls due: a day, or (for rules in hours) a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(untagged)]
pub enum Due {
    On(Date),
    At(DateTime),
}

#[cfg(feature = "openapi")]
text_schema!(
    Due,
    "^[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?)?$",
    "When a duty falls due: a date (YYYY-MM-DD), or for a duty in hours a date and a local time (YYYY-MM-DDTHH:MM:SS)."
);

impl Due {
    /// The day the duty falls due.
    pub fn date(self) -> Date {
        match self {
            Due::On(day) => day,
            Due::At(moment) => moment.date(),
        }
    }

    /// Whether something done at `at` is past the deadline. An event without a time of
    /// day counts from the start of its day, as a clock does in [`Rule::due`].
    pub fn missed_by(self, at: OccurredAt) -> bool {
        match self {
            Due::On(day) => at.date > day,
            Due::At(moment) => at.date.to_datetime(at.time.unwrap_or(Time::midnight())) > moment,
        }
    }
}

impl Rule {
    /// Whether a clock started on `day` runs under this rule.
    pub fn in_force_on(&self, day: Date) -> bool {
        self.effective_from <= day && self.effective_to.is_none_or(|to| day <= to)
    }

    /// When the duty falls due for a clock started at `start`. A duty in hours whose
    /// clock has no time of day is taken to have started at midnight: the strict
    /// reading, so no lateness is hidden.
    pub fn due(
        &self,
        start: OccurredAt,
        calendar: &WorkingCalendar,
    ) -> Result<Due, TimescaleError> {
        let day = start.date;
        let overflow = |_| TimescaleError::OutOfRange(self.within, day);
        Ok(match self.within {
            Period::WorkingDays(n) => Due::On(calendar.add_working_days(day, n)?),
            Period::Days(n) => Due::On(day.checked_add(i64::from(n).days()).map_err(overflow)?),
            Period::Weeks(n) => Due::On(day.checked_add(i64::from(n).weeks()).map_err(overflow)?),
            Period::Months(n) => Due::On(day.checked_add(i64::from(n).months()).map_err(overflow)?),
            Period::Hours(n) => {
                let at = day.to_datetime(start.time.unwrap_or(Time::midnight()));
                Due::At(at.checked_add(i64::from(n).hours()).map_err(overflow)?)
            }
        })
    }
}

/// The rules an authority works to: the national ones and its local policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleSet {
    rules: Vec<Rule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    rule: Vec<Rule>,
}

impl RuleSet {
    /// England's national rules.
    pub fn national() -> Result<&'static RuleSet, TimescaleError> {
        static RULES: OnceLock<Result<RuleSet, TimescaleError>> = OnceLock::new();
        RULES
            .get_or_init(|| {
                let file: RuleFile = toml::from_str(NATIONAL)
                    .map_err(|e| TimescaleError::BadRules(e.to_string()))?;
                RuleSet::new(file.rule)
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    /// A rule set, refusing two rules for one duty in force on the same day.
    pub fn new(rules: Vec<Rule>) -> Result<RuleSet, TimescaleError> {
        for (i, a) in rules.iter().enumerate() {
            if a.effective_to.is_some_and(|to| to < a.effective_from) {
                return Err(TimescaleError::Conflict {
                    duty: a.duty,
                    problem: "the rule ends before it starts".into(),
                });
            }
            for b in &rules[i + 1..] {
                let overlap = a.duty == b.duty
                    && a.in_force_on(b.effective_from.max(a.effective_from))
                    && b.in_force_on(b.effective_from.max(a.effective_from));
                if overlap {
                    return Err(TimescaleError::Conflict {
                        duty: a.duty,
                        problem: "two rules for this duty are in force on the same day".into(),
                    });
                }
            }
        }
        Ok(RuleSet { rules })
    }

    /// The national rules with an authority's local policy added. Local rules must say
    /// they are local policy, and may not replace a national duty.
    pub fn with_local(&self, local: &[Rule]) -> Result<RuleSet, TimescaleError> {
        if let Some(r) = local
            .iter()
            .find(|r| r.source.kind != SourceKind::LocalPolicy)
        {
            return Err(TimescaleError::Conflict {
                duty: r.duty,
                problem: "a rule in a preset must be local policy".into(),
            });
        }
        let mut rules = self.rules.clone();
        rules.extend(local.iter().cloned());
        RuleSet::new(rules)
    }

    /// The rule for `duty` whose clock started on `day`, if the duty existed then.
    pub fn in_force(&self, duty: Duty, day: Date) -> Option<&Rule> {
        self.rules
            .iter()
            .find(|r| r.duty == duty && r.in_force_on(day))
    }

    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn rules() -> &'static RuleSet {
        RuleSet::national().unwrap()
    }

    fn cal() -> &'static WorkingCalendar {
        WorkingCalendar::england_and_wales().unwrap()
    }

    /// The due date of `duty` for a clock started on `start`.
    fn due(duty: Duty, start: &str) -> Due {
        let start = OccurredAt::parse(start).unwrap();
        let rule = rules()
            .in_force(duty, start.date)
            .unwrap_or_else(|| panic!("no {duty:?} rule on {start:?}"));
        rule.due(start, cal()).unwrap()
    }

    fn on(y: i16, m: i8, d: i8) -> Due {
        Due::On(date(y, m, d))
    }

    #[test]
    fn every_national_rule_names_its_source_and_start() {
        let national = rules().rules();
        assert_eq!(national.len(), 22);
        for rule in national {
            assert!(rule.source.title.len() > 10, "{:?}", rule.duty);
            assert_ne!(rule.source.kind, SourceKind::LocalPolicy, "{:?}", rule.duty);
            assert!(rule.effective_from >= date(2000, 1, 1));
        }
    }

    #[test]
    fn contact_decision_is_the_next_working_day() {
        // Friday 19 December 2025 → Monday 22nd; Wednesday 24th → Monday 29th.
        assert_eq!(
            due(Duty::ContactDecision, "2025-12-19T16:30"),
            on(2025, 12, 22)
        );
        assert_eq!(due(Duty::ContactDecision, "2025-12-24"), on(2025, 12, 29));
    }

    #[test]
    fn assessments_before_and_after_15_april_2013() {
        // Referral Friday 12 April 2013: initial assessment 7 WD, core 35 WD.
        assert_eq!(due(Duty::InitialAssessment, "2013-04-12"), on(2013, 4, 23));
        // (35 WD skips the May bank holidays of 6 and 27 May: Tuesday 4 June.)
        assert_eq!(due(Duty::CoreAssessment, "2013-04-12"), on(2013, 6, 4));
        assert!(
            rules()
                .in_force(Duty::Assessment, date(2013, 4, 12))
                .is_none()
        );
        // Referral Monday 15 April 2013: the single assessment, 45 WD, across the May
        // bank holidays (6 and 27 May).
        assert!(
            rules()
                .in_force(Duty::InitialAssessment, date(2013, 4, 15))
                .is_none()
        );
        assert_eq!(due(Duty::Assessment, "2013-04-15"), on(2013, 6, 19));
    }

    #[test]
    fn assessment_across_christmas_and_the_year_end() {
        // Referral Monday 1 December 2025: 45 WD, missing 25, 26 December and 1 January,
        // is Thursday 5 February 2026 (20 in December, 21 in January, 4 in February).
        assert_eq!(due(Duty::Assessment, "2025-12-01"), on(2026, 2, 5));
    }

    #[test]
    fn child_protection_conferences_and_core_groups() {
        // Strategy discussion Monday 24 March 2025 → ICPC by Monday 14 April.
        assert_eq!(
            due(Duty::InitialChildProtectionConference, "2025-03-24"),
            on(2025, 4, 14)
        );
        // ICPC Thursday 17 April 2025 (Good Friday 18th, Easter Monday 21st, early May
        // bank holiday 5 May) → first core group by Tuesday 6 May; first review by
        // 17 July; the next six months on.
        assert_eq!(due(Duty::FirstCoreGroup, "2025-04-17"), on(2025, 5, 6));
        assert_eq!(
            due(Duty::FirstReviewConference, "2025-04-17"),
            on(2025, 7, 17)
        );
        assert_eq!(
            due(Duty::LaterReviewConference, "2025-07-17"),
            on(2026, 1, 17)
        );
    }

    #[test]
    fn months_end_on_the_last_day_of_a_shorter_month() {
        // An ICPC on 30 November 2023: the first review falls on 29 February 2024 (a
        // leap year); on 30 November 2022, on 28 February 2023.
        assert_eq!(
            due(Duty::FirstReviewConference, "2023-11-30"),
            on(2024, 2, 29)
        );
        assert_eq!(
            due(Duty::FirstReviewConference, "2022-11-30"),
            on(2023, 2, 28)
        );
    }

    #[test]
    fn looked_after_reviews_care_plan_health_and_education() {
        // Looked after from Monday 3 March 2025.
        assert_eq!(due(Duty::CarePlan, "2025-03-03"), on(2025, 3, 17));
        assert_eq!(
            due(Duty::PersonalEducationPlan, "2025-03-03"),
            on(2025, 3, 17)
        );
        assert_eq!(
            due(Duty::FirstLookedAfterReview, "2025-03-03"),
            on(2025, 3, 31)
        );
        assert_eq!(
            due(Duty::InitialHealthAssessment, "2025-03-03"),
            on(2025, 3, 31)
        );
        // First review held 28 March 2025 → second by 28 June, later ones 6-monthly.
        assert_eq!(
            due(Duty::SecondLookedAfterReview, "2025-03-28"),
            on(2025, 6, 28)
        );
        assert_eq!(
            due(Duty::LaterLookedAfterReview, "2025-06-20"),
            on(2025, 12, 20)
        );
        // Health reviews: 6-monthly under five, yearly from five; 29 February to 28th.
        assert_eq!(
            due(Duty::ReviewHealthAssessmentUnderFive, "2024-02-29"),
            on(2024, 8, 29)
        );
        assert_eq!(
            due(Duty::ReviewHealthAssessment, "2024-02-29"),
            on(2025, 2, 28)
        );
    }

    #[test]
    fn placement_visits() {
        assert_eq!(
            due(Duty::FirstPlacementVisit, "2025-12-22"),
            on(2025, 12, 29)
        );
        assert_eq!(due(Duty::PlacementVisit, "2025-12-29"), on(2026, 2, 9));
        assert_eq!(
            due(Duty::LongTermPlacementVisit, "2025-12-29"),
            on(2026, 3, 29)
        );
    }

    #[test]
    fn care_leavers() {
        assert_eq!(
            due(Duty::NeedsAssessmentAtSixteen, "2025-11-30"),
            on(2026, 2, 28)
        );
        assert_eq!(due(Duty::PathwayPlanReview, "2025-08-31"), on(2026, 2, 28));
    }

    #[test]
    fn return_interviews_count_hours_from_the_return() {
        let at = |s: &str| Due::At(s.parse().unwrap());
        assert_eq!(
            due(Duty::ReturnInterview, "2025-03-30T22:15"),
            at("2025-04-02T22:15")
        );
        // A return recorded without a time counts from the start of its day.
        assert_eq!(
            due(Duty::ReturnInterview, "2025-03-30"),
            at("2025-04-02T00:00")
        );
        assert!(
            rules()
                .in_force(Duty::ReturnInterview, date(2013, 12, 31))
                .is_none()
        );
    }

    #[test]
    fn a_deadline_is_missed_only_after_its_day_or_moment() {
        let day = on(2025, 4, 17);
        assert_eq!(day.date(), date(2025, 4, 17));
        assert!(!day.missed_by(OccurredAt::at(date(2025, 4, 17), 23, 59)));
        assert!(day.missed_by(OccurredAt::on(date(2025, 4, 18))));
        let moment = Due::At("2025-04-17T19:00".parse().unwrap());
        assert_eq!(moment.date(), date(2025, 4, 17));
        assert!(!moment.missed_by(OccurredAt::at(date(2025, 4, 17), 19, 0)));
        assert!(moment.missed_by(OccurredAt::at(date(2025, 4, 17), 19, 1)));
        // Without a time, the start of the day: on time on the day itself.
        assert!(!moment.missed_by(OccurredAt::on(date(2025, 4, 17))));
        assert!(moment.missed_by(OccurredAt::on(date(2025, 4, 18))));
    }

    #[test]
    fn periods_read_and_write_as_words() {
        for text in [
            "1 working day",
            "45 working days",
            "3 months",
            "72 hours",
            "1 week",
        ] {
            assert_eq!(text.parse::<Period>().unwrap().to_string(), text);
        }
        for bad in [
            "45",
            "45 workdays",
            "1 working days",
            "three months",
            "-1 days",
        ] {
            assert!(bad.parse::<Period>().is_err(), "{bad}");
        }
    }

    fn local(duty: Duty, clock: Clock, within: &str, kind: SourceKind) -> Rule {
        Rule {
            duty,
            clock,
            within: within.parse().unwrap(),
            source: Source {
                kind,
                title: String::from("Testshire practice standards"),
            },
            effective_from: date(2012, 1, 1),
            effective_to: None,
        }
    }

    #[test]
    fn local_policy_adds_to_the_national_rules_but_cannot_replace_them() {
        let cp = local(
            Duty::ChildProtectionVisit,
            Clock::ChildProtectionVisit,
            "10 working days",
            SourceKind::LocalPolicy,
        );
        let set = rules().with_local(std::slice::from_ref(&cp)).unwrap();
        let rule = set
            .in_force(Duty::ChildProtectionVisit, date(2025, 1, 6))
            .unwrap();
        assert_eq!(
            rule.due(OccurredAt::on(date(2025, 1, 6)), cal()).unwrap(),
            on(2025, 1, 20)
        );
        let clash = local(
            Duty::Assessment,
            Clock::ReferralAccepted,
            "30 working days",
            SourceKind::LocalPolicy,
        );
        assert!(rules().with_local(&[clash]).is_err());
        let not_local = local(
            Duty::UnallocatedCase,
            Clock::Unallocated,
            "28 days",
            SourceKind::Statute,
        );
        assert!(rules().with_local(&[not_local]).is_err());
    }
}
