//! Dates as plain day numbers. The simulation does millions of date sums, so it counts
//! days since 1970-01-01 in an `i32` and turns them into `jiff` dates only when it
//! writes an event.
//!
//! Working days here are weekdays: the bank-holiday calendar belongs to the domain's
//! clock engine, which does not exist yet. A synthetic deadline that is a day out
//! around a bank holiday does no harm to the figures this crate is asked to produce.

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

    /// 0 = Monday ... 6 = Sunday.
    pub(crate) fn weekday(self) -> i32 {
        (self.0 + 3).rem_euclid(7)
    }

    pub(crate) fn is_working_day(self) -> bool {
        self.weekday() < 5
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

    /// The same day or the next Monday.
    pub(crate) fn working_day_on_or_after(self) -> Day {
        match self.weekday() {
            5 => self.plus(2),
            6 => self.plus(1),
            _ => self,
        }
    }

    /// `n` working days later (`n` = 0 gives the same day, moved off a weekend).
    pub(crate) fn plus_working_days(self, n: i32) -> Day {
        let start = self.working_day_on_or_after();
        let n = n.max(0);
        let weeks = n / 5;
        let mut day = start.plus(weeks * 7);
        let mut left = n % 5;
        while left > 0 {
            day = day.plus(1);
            if day.is_working_day() {
                left -= 1;
            }
        }
        day
    }

    /// Working days after `earlier` up to and including `self` (0 if not later).
    #[cfg(test)]
    pub(crate) fn working_days_since(self, earlier: Day) -> i32 {
        if self <= earlier {
            return 0;
        }
        let total = self.since(earlier);
        let weeks = total / 7;
        let mut count = weeks * 5;
        let mut day = earlier.plus(weeks * 7);
        while day < self {
            day = day.plus(1);
            if day.is_working_day() {
                count += 1;
            }
        }
        count
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
    use jiff::civil::date;

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
        assert_eq!(Day::from_date(date(2025, 3, 31)).weekday(), 0); // a Monday
    }

    #[test]
    fn working_days_skip_weekends() {
        let fri = Day::from_date(date(2025, 3, 28));
        assert_eq!(fri.plus_working_days(1).to_date(), date(2025, 3, 31));
        assert_eq!(fri.plus_working_days(5).to_date(), date(2025, 4, 4));
        assert_eq!(fri.plus_working_days(5).working_days_since(fri), 5);
        let sat = Day::from_date(date(2025, 3, 29));
        assert_eq!(sat.plus_working_days(0).to_date(), date(2025, 3, 31));
        assert_eq!(Day::from_date(date(2025, 4, 7)).working_days_since(sat), 6);
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
