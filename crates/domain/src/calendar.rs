//! Working days in England and Wales: weekdays that are neither bank holidays nor days
//! the authority has closed. Statutory timescales in working days ("within 45 working
//! days", "15 working days from the strategy discussion") are counted with it.
//!
//! The bank holidays are a data file the project keeps
//! (`data/bank-holidays-england-and-wales.txt`), covering 2000 to 2035. A date outside
//! those years cannot be counted reliably, so arithmetic that reaches one is refused
//! rather than guessed.

use jiff::civil::{Date, Weekday};
use std::collections::BTreeSet;
use std::sync::OnceLock;

const BANK_HOLIDAYS: &str = include_str!("../data/bank-holidays-england-and-wales.txt");

/// The first and last years the bank-holiday file covers.
pub const FIRST_YEAR: i16 = 2000;
pub const LAST_YEAR: i16 = 2035;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error(
        "working days can only be counted between {FIRST_YEAR} and {LAST_YEAR}, the years whose bank holidays Hearth knows; {0} is outside them"
    )]
    OutOfRange(Date),
    #[error("the bank-holiday list, line {line}: {problem}")]
    BadHolidayFile { line: usize, problem: String },
    #[error("closure day {0} is not a weekday inside the calendar's years")]
    BadClosure(Date),
}

/// A calendar of non-working days: weekends, bank holidays and closures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkingCalendar {
    closed: BTreeSet<Date>,
}

impl WorkingCalendar {
    /// England and Wales: weekends and bank holidays.
    pub fn england_and_wales() -> Result<&'static WorkingCalendar, CalendarError> {
        static CALENDAR: OnceLock<Result<WorkingCalendar, CalendarError>> = OnceLock::new();
        CALENDAR
            .get_or_init(|| {
                Ok(WorkingCalendar {
                    closed: bank_holidays()?.into_iter().map(|(d, _)| d).collect(),
                })
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    /// This calendar with an authority's own closure days added (from its preset).
    pub fn with_closures(
        &self,
        days: impl IntoIterator<Item = Date>,
    ) -> Result<WorkingCalendar, CalendarError> {
        let mut closed = self.closed.clone();
        for day in days {
            if !in_range(day) || is_weekend(day) {
                return Err(CalendarError::BadClosure(day));
            }
            closed.insert(day);
        }
        Ok(WorkingCalendar { closed })
    }

    /// The days closed besides weekends (bank holidays and closures), in order.
    pub fn closed_days(&self) -> impl Iterator<Item = Date> + '_ {
        self.closed.iter().copied()
    }

    /// Whether work counts on `day`.
    pub fn is_working_day(&self, day: Date) -> Result<bool, CalendarError> {
        check(day)?;
        Ok(!is_weekend(day) && !self.closed.contains(&day))
    }

    /// The day `n` working days after `start` (which itself does not count): the due date
    /// of "within n working days of start". Zero gives `start`.
    pub fn add_working_days(&self, start: Date, n: u32) -> Result<Date, CalendarError> {
        check(start)?;
        let mut day = start;
        let mut left = n;
        while left > 0 {
            day = next_day(day)?;
            if self.is_working_day(day)? {
                left -= 1;
            }
        }
        Ok(day)
    }

    /// Working days after `from` up to and including `to`: how many working days `to`
    /// is after `from`. Negative when `to` is before `from`; zero on the same day.
    pub fn working_days_between(&self, from: Date, to: Date) -> Result<i64, CalendarError> {
        check(from)?;
        check(to)?;
        let (low, high, sign) = if from <= to {
            (from, to, 1)
        } else {
            (to, from, -1)
        };
        // Whole weeks hold five weekdays each; only the remainder is walked.
        let days = i64::from((high - low).get_days());
        let whole_weeks = days / 7;
        let mut count = whole_weeks * 5;
        let mut day = low
            .checked_add(jiff::Span::new().days(whole_weeks * 7))
            .map_err(|_| CalendarError::OutOfRange(high))?;
        while day < high {
            day = next_day(day)?;
            if !is_weekend(day) {
                count += 1;
            }
        }
        // Closed weekdays strictly after `low`, up to and including `high`.
        let closed = self
            .closed
            .range((
                std::ops::Bound::Excluded(low),
                std::ops::Bound::Included(high),
            ))
            .count() as i64;
        Ok(sign * (count - closed))
    }
}

/// Every bank holiday in the file, with its name, in date order.
pub fn bank_holidays() -> Result<Vec<(Date, &'static str)>, CalendarError> {
    let mut days: Vec<(Date, &'static str)> = Vec::new();
    for (i, line) in BANK_HOLIDAYS.lines().enumerate() {
        let bad = |problem: &str| CalendarError::BadHolidayFile {
            line: i + 1,
            problem: problem.to_owned(),
        };
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (date, name) = line
            .split_once(char::is_whitespace)
            .ok_or_else(|| bad("a date and a name are needed"))?;
        let date: Date = date
            .parse()
            .map_err(|_| bad("the date is not YYYY-MM-DD"))?;
        if !in_range(date) || is_weekend(date) {
            return Err(bad("a bank holiday is a weekday inside the file's years"));
        }
        if days.last().is_some_and(|(last, _)| *last >= date) {
            return Err(bad("the dates must be in order, each once"));
        }
        days.push((date, name.trim()));
    }
    Ok(days)
}

fn is_weekend(day: Date) -> bool {
    matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday)
}

fn in_range(day: Date) -> bool {
    (FIRST_YEAR..=LAST_YEAR).contains(&day.year())
}

fn check(day: Date) -> Result<(), CalendarError> {
    if in_range(day) {
        Ok(())
    } else {
        Err(CalendarError::OutOfRange(day))
    }
}

fn next_day(day: Date) -> Result<Date, CalendarError> {
    let next = day.tomorrow().map_err(|_| CalendarError::OutOfRange(day))?;
    check(next)?;
    Ok(next)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use proptest::prelude::*;

    fn cal() -> &'static WorkingCalendar {
        WorkingCalendar::england_and_wales().unwrap()
    }

    fn holidays_in(year: i16) -> Vec<String> {
        bank_holidays()
            .unwrap()
            .into_iter()
            .filter(|(d, _)| d.year() == year)
            .map(|(d, _)| d.strftime("%m-%d").to_string())
            .collect()
    }

    /// The years as GOV.UK lists them, including every one-off and substitute day.
    #[test]
    fn the_file_matches_the_published_years() {
        let published: &[(i16, &str)] = &[
            (
                2002,
                "01-01 03-29 04-01 05-06 06-03 06-04 08-26 12-25 12-26",
            ),
            (
                2011,
                "01-03 04-22 04-25 04-29 05-02 05-30 08-29 12-26 12-27",
            ),
            (
                2012,
                "01-02 04-06 04-09 05-07 06-04 06-05 08-27 12-25 12-26",
            ),
            (2020, "01-01 04-10 04-13 05-08 05-25 08-31 12-25 12-28"),
            (2021, "01-01 04-02 04-05 05-03 05-31 08-30 12-27 12-28"),
            (
                2022,
                "01-03 04-15 04-18 05-02 06-02 06-03 08-29 09-19 12-26 12-27",
            ),
            (
                2023,
                "01-02 04-07 04-10 05-01 05-08 05-29 08-28 12-25 12-26",
            ),
            (2024, "01-01 03-29 04-01 05-06 05-27 08-26 12-25 12-26"),
            (2025, "01-01 04-18 04-21 05-05 05-26 08-25 12-25 12-26"),
            (2026, "01-01 04-03 04-06 05-04 05-25 08-31 12-25 12-28"),
            (2027, "01-01 03-26 03-29 05-03 05-31 08-30 12-27 12-28"),
        ];
        for (year, days) in published {
            assert_eq!(holidays_in(*year).join(" "), *days, "{year}");
        }
    }

    /// Easter by the Gregorian computus (Meeus/Jones/Butcher), written independently of
    /// the file so the two check each other.
    fn easter_sunday(year: i16) -> Date {
        let y = i32::from(year);
        let (a, b, c) = (y % 19, y / 100, y % 100);
        let (d, e) = (b / 4, b % 4);
        let f = (b + 8) / 25;
        let g = (b - f + 1) / 3;
        let h = (19 * a + b - d - g + 15) % 30;
        let (i, k) = (c / 4, c % 4);
        let l = (32 + 2 * e + 2 * i - h - k) % 7;
        let m = (a + 11 * h + 22 * l) / 451;
        let month = (h + l - 7 * m + 114) / 31;
        let day = (h + l - 7 * m + 114) % 31 + 1;
        date(year, month as i8, day as i8)
    }

    #[test]
    fn every_year_has_easter_and_eight_or_more_days() {
        for year in FIRST_YEAR..=LAST_YEAR {
            let days = holidays_in(year);
            assert!(days.len() >= 8, "{year}: {days:?}");
            let easter = easter_sunday(year);
            let friday = easter.yesterday().unwrap().yesterday().unwrap();
            let monday = easter.tomorrow().unwrap();
            for d in [friday, monday] {
                assert!(!cal().is_working_day(d).unwrap(), "{d}");
            }
            // Christmas and Boxing Day, or their substitutes, are two days off in the
            // last week of December.
            let off = (25..=28)
                .filter(|&d| !cal().is_working_day(date(year, 12, d)).unwrap())
                .filter(|&d| !is_weekend(date(year, 12, d)))
                .count();
            assert_eq!(off, 2, "{year}");
        }
    }

    #[test]
    fn adding_working_days_skips_christmas_and_new_year() {
        // Friday 18 December 2026: Christmas Friday, Boxing Day substitute Monday 28th,
        // New Year's Day Friday 1 January.
        assert_eq!(
            cal().add_working_days(date(2026, 12, 18), 1).unwrap(),
            date(2026, 12, 21)
        );
        assert_eq!(
            cal().add_working_days(date(2026, 12, 18), 4).unwrap(),
            date(2026, 12, 24)
        );
        assert_eq!(
            cal().add_working_days(date(2026, 12, 18), 5).unwrap(),
            date(2026, 12, 29)
        );
        assert_eq!(
            cal().add_working_days(date(2026, 12, 18), 8).unwrap(),
            date(2027, 1, 4)
        );
    }

    #[test]
    fn adding_working_days_skips_easter() {
        // Thursday 2 April 2026; Good Friday 3 April and Easter Monday 6 April.
        assert_eq!(
            cal().add_working_days(date(2026, 4, 2), 1).unwrap(),
            date(2026, 4, 7)
        );
    }

    #[test]
    fn a_45_working_day_assessment_across_a_leap_day() {
        // Referral Thursday 1 February 2024: 45 working days, through 29 February and
        // Easter (Good Friday 29 March, Easter Monday 1 April), is Monday 8 April: 20
        // in February (29th included), 20 in March (not the 29th), 5 in April.
        assert_eq!(
            cal().add_working_days(date(2024, 2, 1), 45).unwrap(),
            date(2024, 4, 8)
        );
        assert_eq!(
            cal()
                .working_days_between(date(2024, 2, 1), date(2024, 4, 8))
                .unwrap(),
            45
        );
    }

    #[test]
    fn fifteen_working_days_across_the_31_march_year_end() {
        // Strategy discussion Monday 24 March 2025 (no Easter until 18 April): ICPC due
        // Monday 14 April 2025.
        assert_eq!(
            cal().add_working_days(date(2025, 3, 24), 15).unwrap(),
            date(2025, 4, 14)
        );
    }

    #[test]
    fn the_one_off_days_are_not_working_days() {
        for d in [
            date(2002, 6, 3),
            date(2011, 4, 29),
            date(2012, 6, 5),
            date(2020, 5, 8),
            date(2022, 6, 2),
            date(2022, 6, 3),
            date(2022, 9, 19),
            date(2023, 5, 8),
        ] {
            assert!(!cal().is_working_day(d).unwrap(), "{d}");
        }
        // The days the holidays were moved from are ordinary working days.
        for d in [
            date(2002, 5, 27),
            date(2012, 5, 28),
            date(2020, 5, 4),
            date(2022, 5, 30),
        ] {
            assert!(cal().is_working_day(d).unwrap(), "{d}");
        }
    }

    #[test]
    fn between_counts_after_the_first_day_up_to_the_last() {
        let friday = date(2025, 6, 6);
        let monday = date(2025, 6, 9);
        assert_eq!(cal().working_days_between(friday, monday).unwrap(), 1);
        assert_eq!(cal().working_days_between(monday, friday).unwrap(), -1);
        assert_eq!(cal().working_days_between(friday, friday).unwrap(), 0);
        let saturday = date(2025, 6, 7);
        assert_eq!(cal().working_days_between(friday, saturday).unwrap(), 0);
    }

    #[test]
    fn closure_days_stop_the_clock_too() {
        let council = cal()
            .with_closures([date(2026, 12, 29), date(2026, 12, 30), date(2026, 12, 31)])
            .unwrap();
        assert_eq!(
            council.add_working_days(date(2026, 12, 24), 1).unwrap(),
            date(2027, 1, 4)
        );
        assert_eq!(
            council.with_closures([date(2026, 12, 26)]).unwrap_err(),
            CalendarError::BadClosure(date(2026, 12, 26))
        );
    }

    #[test]
    fn dates_outside_the_known_years_are_refused() {
        let message = cal().add_working_days(date(2035, 12, 28), 10).unwrap_err();
        assert!(matches!(message, CalendarError::OutOfRange(_)));
        assert!(message.to_string().contains("between 2000 and 2035"));
        assert!(cal().is_working_day(date(1999, 12, 31)).is_err());
    }

    fn any_day() -> impl Strategy<Value = Date> {
        (0i32..(365 * 34)).prop_map(|n| {
            date(2000, 1, 1)
                .checked_add(jiff::Span::new().days(n))
                .unwrap()
        })
    }

    proptest! {
        #[test]
        fn adding_then_counting_back_gives_n(start in any_day(), n in 0u32..400) {
            let due = cal().add_working_days(start, n).unwrap();
            prop_assert_eq!(cal().working_days_between(start, due).unwrap(), i64::from(n));
            prop_assert_eq!(cal().working_days_between(due, start).unwrap(), -i64::from(n));
            if n > 0 {
                prop_assert!(cal().is_working_day(due).unwrap());
                // The day before is not yet n working days on.
                let before = due.yesterday().unwrap();
                prop_assert!(cal().working_days_between(start, before).unwrap() < i64::from(n));
            }
        }

        #[test]
        fn between_agrees_with_walking_day_by_day(a in any_day(), len in 0i64..60) {
            let b = a.checked_add(jiff::Span::new().days(len)).unwrap();
            let mut walked = 0;
            let mut d = a;
            while d < b {
                d = d.tomorrow().unwrap();
                if cal().is_working_day(d).unwrap() {
                    walked += 1;
                }
            }
            prop_assert_eq!(cal().working_days_between(a, b).unwrap(), walked);
        }
    }
}
