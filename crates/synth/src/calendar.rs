//! Dates as plain day numbers, and working days counted on them. The simulation does
//! millions of date sums, so it counts days since 1970-01-01 in an `i32` and turns them
//! into `jiff` dates only when it writes an event.
//!
//! Working days are the domain's (`hearth_domain::calendar::WorkingCalendar`: weekdays
//! less England and Wales bank holidays and the authority's closure days), read once
//! into an index so that adding working days costs a lookup. Deadlines are the domain's
//! rules counted on that index, so a synthetic duty falls due on the day the domain's
//! obligations say it does.

use crate::SynthError;
use hearth_domain::calendar::{FIRST_YEAR, LAST_YEAR, WorkingCalendar};
use hearth_domain::timescales::{Period, Rule};
use jiff::civil::Date;

/// A civil date as a count of days since 1970-01-01 (a Thursday).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Day(pub i32);

impl Day {
    pub(crate) fn from_date(date: Date) -> Day {
        Day(days_from_civil(
            i32::from(date.year()),
            i32::from(date.month()),
            i32::from(date.day()),
        ))
    }

    pub(crate) fn from_ymd(y: i32, m: i32, d: i32) -> Day {
        Day(days_from_civil(y, m, d))
    }

    /// The jiff date. Every day the simulation produces lies well inside jiff's range
    /// (years -9999 to 9999, checked when the generator is built), so the fallback is
    /// never taken.
    pub(crate) fn to_date(self) -> Date {
        let (y, m, d) = self.ymd();
        let (Ok(y), Ok(m), Ok(d)) = (i16::try_from(y), i8::try_from(m), i8::try_from(d)) else {
            return Date::MIN;
        };
        Date::new(y, m, d).unwrap_or(Date::MIN)
    }

    pub(crate) fn ymd(self) -> (i32, i32, i32) {
        civil_from_days(self.0)
    }

    pub(crate) fn year(self) -> i32 {
        self.ymd().0
    }

    pub(crate) fn plus(self, days: i32) -> Day {
        Day(self.0.saturating_add(days))
    }

    pub(crate) fn minus(self, days: i32) -> Day {
        Day(self.0.saturating_sub(days))
    }

    /// Days from `earlier` to `self`.
    pub(crate) fn since(self, earlier: Day) -> i32 {
        self.0 - earlier.0
    }

    /// The same day of the month `months` later, clamped to the month's end.
    pub(crate) fn plus_months(self, months: i32) -> Day {
        let (y, m, d) = self.ymd();
        let total = y * 12 + (m - 1) + months;
        let (ny, nm) = (total.div_euclid(12), total.rem_euclid(12) + 1);
        Day::from_ymd(ny, nm, d.min(days_in_month(ny, nm)))
    }

    /// The `years`-th birthday of someone born on `self`: the first day on which
    /// [`age_on`] reaches `years` (so 1 March for a 29 February birthday in a common
    /// year, matching the domain's `age_in_years`).
    pub(crate) fn plus_years(self, years: i32) -> Day {
        let (y, m, d) = self.ymd();
        let ny = y + years;
        if d > days_in_month(ny, m) {
            Day::from_ymd(ny, m + 1, 1)
        } else {
            Day::from_ymd(ny, m, d)
        }
    }
}

/// The working days of the years the domain's calendar knows, as an index over day
/// numbers.
///
/// Outside those years (before 2000, after 2035) every day counts. The generator refuses
/// a history that starts before 2000 or ends after 2035, so such days are never written:
/// they are the planned ends of plans and periods that run past the last simulated day,
/// and only need to move forward.
#[derive(Debug, Clone)]
pub(crate) struct WorkingDays {
    first: Day,
    /// For each day from `first`, how many working days fall on or before it.
    upto: Vec<u32>,
    /// The working days, in order.
    days: Vec<Day>,
}

impl WorkingDays {
    pub(crate) fn new(calendar: &WorkingCalendar) -> Result<WorkingDays, SynthError> {
        let first = Day::from_ymd(i32::from(FIRST_YEAR), 1, 1);
        let last = Day::from_ymd(i32::from(LAST_YEAR), 12, 31);
        let mut upto = Vec::with_capacity(last.since(first) as usize + 1);
        let mut days = Vec::new();
        let mut day = first;
        while day <= last {
            let working = calendar
                .is_working_day(day.to_date())
                .map_err(|e| SynthError::Internal(e.to_string()))?;
            if working {
                days.push(day);
            }
            upto.push(days.len() as u32);
            day = day.plus(1);
        }
        Ok(WorkingDays { first, upto, days })
    }

    /// Working days on or before `day`, if the calendar knows its year.
    fn count_upto(&self, day: Day) -> Option<u32> {
        let i = usize::try_from(day.since(self.first)).ok()?;
        self.upto.get(i).copied()
    }

    fn is_working(&self, day: Day) -> bool {
        match self.count_upto(day) {
            Some(n) => n > 0 && self.days.get(n as usize - 1) == Some(&day),
            None => true,
        }
    }

    /// The day `n` working days after `day` (which itself does not count), as the
    /// domain's `add_working_days`: the due date of "within n working days". Zero gives
    /// `day`.
    pub(crate) fn after(&self, day: Day, n: u32) -> Day {
        if n == 0 {
            return day;
        }
        let Some(before) = self.count_upto(day) else {
            return day.plus(n as i32);
        };
        let k = before as usize + n as usize;
        match self.days.get(k - 1) {
            Some(&d) => d,
            // Past the calendar's last working day, every day counts.
            None => {
                let last = self.days.last().copied().unwrap_or(day);
                last.plus((k - self.days.len()) as i32)
            }
        }
    }

    /// `day` if it is a working day, else the next one.
    pub(crate) fn on_or_after(&self, day: Day) -> Day {
        if self.is_working(day) {
            day
        } else {
            self.after(day, 1)
        }
    }

    /// `day` if it is a working day, else the one before. Something due on a Saturday is
    /// done by the Friday.
    pub(crate) fn on_or_before(&self, day: Day) -> Day {
        let mut d = day;
        while !self.is_working(d) {
            d = d.minus(1);
        }
        d
    }

    /// When a duty falls due under `rule` for a clock started on `clock`: the rule's
    /// period counted as the domain's `Rule::due` counts it (months clamped to the end of
    /// a shorter month; a period in hours ends on the day its last hour falls, counting
    /// from the start of the clock's day).
    pub(crate) fn due(&self, rule: &Rule, clock: Day) -> Day {
        match rule.within {
            Period::WorkingDays(n) => self.after(clock, n),
            Period::Days(n) => clock.plus(n as i32),
            Period::Weeks(n) => clock.plus(7 * n as i32),
            Period::Months(n) => clock.plus_months(n as i32),
            Period::Hours(n) => clock.plus((n / 24) as i32),
        }
    }
}

/// Whole years from `dob` to `on` (negative before birth).
pub(crate) fn age_on(dob: Day, on: Day) -> i32 {
    let (by, bm, bd) = dob.ymd();
    let (y, m, d) = on.ymd();
    let mut age = y - by;
    if (m, d) < (bm, bd) {
        age -= 1;
    }
    age
}

fn is_leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i32, m: i32) -> i32 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

// Howard Hinnant's civil calendar algorithms ("chrono-Compatible Low-Level Date
// Algorithms"), proleptic Gregorian.
fn days_from_civil(y: i32, m: i32, d: i32) -> i32 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i32) -> (i32, i32, i32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use hearth_domain::event::OccurredAt;
    use hearth_domain::timescales::{Due, RuleSet};
    use jiff::civil::date;

    fn index() -> WorkingDays {
        WorkingDays::new(WorkingCalendar::england_and_wales().unwrap()).unwrap()
    }

    #[test]
    fn round_trips_through_jiff() {
        for d in [
            date(1970, 1, 1),
            date(2000, 2, 29),
            date(2025, 3, 31),
            date(1999, 12, 31),
            date(2100, 3, 1),
        ] {
            assert_eq!(Day::from_date(d).to_date(), d);
        }
        assert_eq!(Day::from_date(date(1970, 1, 2)), Day(1));
    }

    #[test]
    fn working_days_skip_weekends_and_bank_holidays() {
        let wd = index();
        let day = |y, m, d| Day::from_date(date(y, m, d));
        // Thursday 2 April 2026; Good Friday 3 April and Easter Monday 6 April.
        assert_eq!(wd.after(day(2026, 4, 2), 1), day(2026, 4, 7));
        assert_eq!(wd.after(day(2026, 4, 2), 0), day(2026, 4, 2));
        assert_eq!(wd.on_or_after(day(2026, 4, 3)), day(2026, 4, 7));
        assert_eq!(wd.on_or_before(day(2026, 4, 6)), day(2026, 4, 2));
        assert_eq!(wd.on_or_after(day(2026, 4, 7)), day(2026, 4, 7));
        // From a Saturday, the Monday is the first working day after it.
        assert_eq!(wd.after(day(2025, 3, 29), 1), day(2025, 3, 31));
        // Past the calendar's years every day counts.
        assert_eq!(wd.after(day(2035, 12, 31), 3), day(2036, 1, 3));
        assert_eq!(wd.on_or_after(day(2036, 1, 5)), day(2036, 1, 5));
    }

    /// Every national rule, counted on the index, falls due on the day the domain says.
    #[test]
    fn deadlines_match_the_domains_rules() {
        let wd = index();
        let calendar = WorkingCalendar::england_and_wales().unwrap();
        let mut day = Day::from_date(date(2000, 1, 1));
        let mut checked = 0;
        while day < Day::from_date(date(2035, 1, 1)) {
            for rule in RuleSet::national().unwrap().rules() {
                let due = match rule.due(OccurredAt::on(day.to_date()), calendar).unwrap() {
                    Due::On(d) => d,
                    Due::At(at) => at.date(),
                };
                assert_eq!(
                    wd.due(rule, day).to_date(),
                    due,
                    "{:?} from {day:?}",
                    rule.duty
                );
                checked += 1;
            }
            day = day.plus(3);
        }
        assert!(checked > 80_000);
    }

    #[test]
    fn months_and_ages() {
        let d = Day::from_date(date(2024, 1, 31));
        assert_eq!(d.plus_months(1).to_date(), date(2024, 2, 29));
        assert_eq!(d.plus_months(-2).to_date(), date(2023, 11, 30));
        let dob = Day::from_date(date(2008, 2, 29));
        assert_eq!(age_on(dob, Day::from_date(date(2025, 2, 28))), 16);
        assert_eq!(age_on(dob, Day::from_date(date(2025, 3, 1))), 17);
        assert_eq!(dob.plus_years(18).to_date(), date(2026, 3, 1));
        assert_eq!(age_on(dob, dob.plus_years(18)), 18);
    }
}
