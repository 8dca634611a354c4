//! The headline rates per 10,000 children that DOMAIN.md defines, for one year to
//! 31 March: referrals and re-referrals in the year, and children in need, on a child
//! protection plan and looked after on 31 March.
//!
//! Each child's journey is read as it stands after corrections
//! ([`effective_events`]), so an amended or retracted event counts as amended.

use hearth_domain::event::{Event, EventData};
use hearth_domain::journey::{JourneyError, effective_events};
use jiff::ToSpan;
use jiff::civil::{Date, date};
use serde::Serialize;

/// The year to 31 March that a rate is measured over, named by its last day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ReportingYear {
    /// The 1 April the year starts.
    pub start: Date,
    /// The 31 March the year ends (the "at 31 March" day of the standing figures).
    pub end: Date,
}

impl ReportingYear {
    /// The year ending on 31 March of `year` (2025 → 1 April 2024 to 31 March 2025).
    pub fn ending_in(year: i16) -> ReportingYear {
        ReportingYear {
            start: date(year - 1, 4, 1),
            end: date(year, 3, 31),
        }
    }

    /// The last complete year to 31 March on or before `day`.
    pub fn last_complete(day: Date) -> ReportingYear {
        if (day.month(), day.day()) >= (3, 31) {
            ReportingYear::ending_in(day.year())
        } else {
            ReportingYear::ending_in(day.year() - 1)
        }
    }

    fn contains(&self, day: Date) -> bool {
        self.start <= day && day <= self.end
    }
}

/// Counts over the children added so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub referrals: u64,
    pub re_referrals: u64,
    pub children_in_need: u64,
    pub child_protection_plans: u64,
    pub looked_after: u64,
}

/// Accumulates [`Counts`] one child's journey at a time, so a whole county can be
/// measured while it streams past.
#[derive(Debug, Clone)]
pub struct RateCounter {
    year: ReportingYear,
    counts: Counts,
}

impl RateCounter {
    pub fn new(year: ReportingYear) -> RateCounter {
        RateCounter {
            year,
            counts: Counts::default(),
        }
    }

    /// Add one child's whole journey, in journal order.
    pub fn add_child(&mut self, journey: &[Event]) -> Result<(), JourneyError> {
        let year = self.year;
        let mut previous_referral: Option<Date> = None;
        let (mut cin, mut cp, mut cla) = (false, false, false);
        for event in effective_events(journey)? {
            let day = event.date();
            if day > year.end {
                break;
            }
            match &event.data {
                EventData::ReferralAccepted(_) => {
                    if year.contains(day) {
                        self.counts.referrals += 1;
                        if previous_referral.is_some_and(|p| is_within_12_months(p, day)) {
                            self.counts.re_referrals += 1;
                        }
                    }
                    previous_referral = Some(day);
                    cin = true;
                }
                EventData::CinClosed(_) => cin = false,
                EventData::CpPlanStarted(_) => cp = true,
                EventData::CpPlanEnded(_) => cp = false,
                EventData::LookedAfterStarted(_) => cla = true,
                EventData::LookedAfterEnded(_) => cla = false,
                _ => {}
            }
        }
        // A child in need at 31 March includes every child on a plan or looked after.
        self.counts.children_in_need += u64::from(cin || cp || cla);
        self.counts.child_protection_plans += u64::from(cp);
        self.counts.looked_after += u64::from(cla);
        Ok(())
    }

    pub fn counts(&self) -> Counts {
        self.counts
    }

    /// The rates for a population of `children` aged 0–17.
    pub fn rates(&self, children: u32) -> Rates {
        let per_10k = |n: u64| {
            if children == 0 {
                0.0
            } else {
                n as f64 * 10_000.0 / f64::from(children)
            }
        };
        let c = self.counts;
        Rates {
            year: self.year,
            referrals_per_10k: per_10k(c.referrals),
            re_referral_percent: if c.referrals == 0 {
                0.0
            } else {
                100.0 * c.re_referrals as f64 / c.referrals as f64
            },
            cin_per_10k: per_10k(c.children_in_need),
            cp_per_10k: per_10k(c.child_protection_plans),
            cla_per_10k: per_10k(c.looked_after),
        }
    }
}

/// "Within 12 months of a previous referral": on or after the same day a year before,
/// as a calendar year (29 February goes back to 28 February).
pub(crate) fn is_within_12_months(previous: Date, day: Date) -> bool {
    previous < day && day.checked_sub(1.year()).is_ok_and(|from| previous >= from)
}

/// The headline rates for one year.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Rates {
    pub year: ReportingYear,
    pub referrals_per_10k: f64,
    pub re_referral_percent: f64,
    pub cin_per_10k: f64,
    pub cp_per_10k: f64,
    pub cla_per_10k: f64,
}

/// England, year to 31 March 2025 (DOMAIN.md, "Performance indicators").
pub const ENGLAND_2025: Rates = Rates {
    year: ReportingYear {
        start: date(2024, 4, 1),
        end: date(2025, 3, 31),
    },
    referrals_per_10k: 519.0,
    re_referral_percent: 22.6,
    cin_per_10k: 330.0,
    cp_per_10k: 41.0,
    cla_per_10k: 67.0,
};

/// One line of a comparison with England.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    pub indicator: &'static str,
    pub value: f64,
    pub england: f64,
    /// The difference from England as a share of England's figure (0.1 = 10% above).
    pub difference: f64,
}

impl Rates {
    /// Each rate beside England's, in the order DOMAIN.md lists them.
    pub fn compare(&self, england: &Rates) -> Vec<Comparison> {
        let line = |indicator, value: f64, england: f64| Comparison {
            indicator,
            value,
            england,
            difference: if england == 0.0 {
                0.0
            } else {
                (value - england) / england
            },
        };
        vec![
            line(
                "referrals per 10k",
                self.referrals_per_10k,
                england.referrals_per_10k,
            ),
            line(
                "re-referrals within 12 months (%)",
                self.re_referral_percent,
                england.re_referral_percent,
            ),
            line(
                "children in need at 31 March per 10k",
                self.cin_per_10k,
                england.cin_per_10k,
            ),
            line(
                "CP plans at 31 March per 10k",
                self.cp_per_10k,
                england.cp_per_10k,
            ),
            line(
                "looked after at 31 March per 10k",
                self.cla_per_10k,
                england.cla_per_10k,
            ),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hearth_domain::codes::*;
    use hearth_domain::event::*;
    use hearth_domain::ids::*;

    fn ev(n: usize, on: &str, data: EventData) -> Event {
        hearth_testkit::ev("C1", &format!("e{n}"), on, data)
    }

    fn referral(n: usize) -> EventData {
        EventData::ReferralAccepted(ReferralAccepted {
            referral: ReferralId::parse(&format!("R{n}")).unwrap(),
            contact: None,
            source: ReferralSource::IndividualFamily,
            primary_need: PrimaryNeed::AbuseOrNeglect,
        })
    }

    fn closed() -> EventData {
        EventData::CinClosed(CinClosed {
            reason: ReasonForClosure::NfaAfterAssessment,
        })
    }

    /// Numbers each event in order, as a journey's ids would be.
    fn journey(steps: &[(&str, EventData)]) -> Vec<Event> {
        steps
            .iter()
            .enumerate()
            .map(|(i, (on, data))| ev(i, on, data.clone()))
            .collect()
    }

    fn counts(year: ReportingYear, journeys: &[Vec<Event>]) -> Counts {
        let mut counter = RateCounter::new(year);
        for j in journeys {
            counter.add_child(j).unwrap();
        }
        counter.counts()
    }

    #[test]
    fn the_reporting_year_runs_1_april_to_31_march() {
        let y = ReportingYear::ending_in(2025);
        assert_eq!((y.start, y.end), (date(2024, 4, 1), date(2025, 3, 31)));
        assert_eq!(ReportingYear::last_complete(date(2025, 3, 31)), y);
        assert_eq!(
            ReportingYear::last_complete(date(2025, 3, 30)).end,
            date(2024, 3, 31)
        );
        assert_eq!(
            ReportingYear::last_complete(date(2026, 12, 1)).end,
            date(2026, 3, 31)
        );
    }

    #[test]
    fn referrals_count_on_both_boundary_days_and_not_outside() {
        let y = ReportingYear::ending_in(2025);
        let j = journey(&[
            ("2024-03-31", referral(1)),
            ("2024-04-01", referral(2)),
            ("2025-03-31", referral(3)),
            ("2025-04-01", referral(4)),
        ]);
        let c = counts(y, &[j]);
        assert_eq!(c.referrals, 2);
        // 1 April 2024 follows 31 March 2024 within a year; 31 March 2025 follows
        // 1 April 2024 within a year too.
        assert_eq!(c.re_referrals, 2);
    }

    #[test]
    fn a_re_referral_is_within_twelve_calendar_months() {
        let y = ReportingYear::ending_in(2025);
        let exactly_a_year = journey(&[("2023-06-10", referral(1)), ("2024-06-10", referral(2))]);
        let a_year_and_a_day = journey(&[("2023-06-09", referral(1)), ("2024-06-10", referral(2))]);
        assert_eq!(counts(y, &[exactly_a_year]).re_referrals, 1);
        assert_eq!(counts(y, &[a_year_and_a_day]).re_referrals, 0);
    }

    #[test]
    fn twelve_months_before_a_leap_day_is_28_february() {
        let y = ReportingYear::ending_in(2024);
        let on_28th = journey(&[("2023-02-28", referral(1)), ("2024-02-29", referral(2))]);
        let on_27th = journey(&[("2023-02-27", referral(1)), ("2024-02-29", referral(2))]);
        assert_eq!(counts(y, &[on_28th]).re_referrals, 1);
        assert_eq!(counts(y, &[on_27th]).re_referrals, 0);
    }

    #[test]
    fn standing_figures_are_taken_on_31_march() {
        let y = ReportingYear::ending_in(2025);
        let open = journey(&[("2024-05-01", referral(1))]);
        let closed_on_the_day = journey(&[("2024-05-01", referral(1)), ("2025-03-31", closed())]);
        let closed_after = journey(&[("2024-05-01", referral(1)), ("2025-04-01", closed())]);
        let c = counts(y, &[open, closed_on_the_day, closed_after]);
        assert_eq!(c.children_in_need, 2);
    }

    #[test]
    fn children_on_plans_and_looked_after_are_children_in_need() {
        let y = ReportingYear::ending_in(2025);
        let cp = journey(&[
            ("2024-05-01", referral(1)),
            (
                "2024-06-01",
                EventData::CpPlanStarted(CpCategory {
                    category: CategoryOfAbuse::Neglect,
                }),
            ),
        ]);
        let cla = journey(&[(
            "2024-07-01",
            EventData::LookedAfterStarted(LookedAfterStarted {
                legal_status: LegalStatus::FullCareOrder,
                category_of_need: PrimaryNeed::AbuseOrNeglect,
                uasc: false,
                previous_permanence: None,
            }),
        )]);
        let left_care = {
            let mut j = cla.clone();
            j.push(ev(
                9,
                "2025-01-01",
                EventData::LookedAfterEnded(LookedAfterEnded {
                    reason: ReasonCeased::AdoptedUnopposed,
                }),
            ));
            j
        };
        let c = counts(y, &[cp, cla, left_care]);
        assert_eq!(
            (c.children_in_need, c.child_protection_plans, c.looked_after),
            (2, 1, 1)
        );
    }

    #[test]
    fn a_retracted_referral_does_not_count() {
        let y = ReportingYear::ending_in(2025);
        let mut j = journey(&[("2024-05-01", referral(1)), ("2024-06-01", referral(2))]);
        j.push(ev(
            7,
            "2024-06-02",
            EventData::EventRetracted(EventRetracted {
                event: EventId::parse("e1").unwrap(),
                reason: String::from("recorded on the wrong child"),
            }),
        ));
        let c = counts(y, &[j]);
        assert_eq!((c.referrals, c.re_referrals), (1, 0));
    }

    #[test]
    fn rates_are_per_10000_children() {
        let y = ReportingYear::ending_in(2025);
        let mut counter = RateCounter::new(y);
        for _ in 0..5 {
            counter
                .add_child(&journey(&[
                    ("2024-05-01", referral(1)),
                    ("2024-05-02", closed()),
                    ("2024-09-01", referral(2)),
                ]))
                .unwrap();
        }
        let r = counter.rates(1_000);
        assert_eq!(r.referrals_per_10k, 100.0);
        assert_eq!(r.re_referral_percent, 50.0);
        assert_eq!(r.cin_per_10k, 50.0);
        let lines = r.compare(&ENGLAND_2025);
        assert_eq!(lines[0].indicator, "referrals per 10k");
        assert!((lines[0].difference - (100.0 - 519.0) / 519.0).abs() < 1e-12);
        assert_eq!(RateCounter::new(y).rates(0).referrals_per_10k, 0.0);
    }
}
