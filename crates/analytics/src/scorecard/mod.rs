//! The scorecard: each indicator of the [`catalogue`] for a month and the twelve before
//! it (its trend), for the whole authority and by area, locality or team, with the
//! organisation's target and red, amber or green against it.
//!
//! [`ScorecardCounter`] reads children's journeys one at a time, so a county streams
//! past: each journey becomes a handful of dated items (a referral, an assessment
//! completed, ...) placed where the child lived and with the team that held them then,
//! and each item is tallied into every month whose window holds it. What an item counts
//! towards is decided once, on the child's journey; the months only sort items.

pub mod catalogue;

use catalogue::{CATALOGUE, Indicator, Kpi, Span, Unit};
use hearth_domain::calendar::{CalendarError, WorkingCalendar};
use hearth_domain::event::{Event, EventData};
use hearth_domain::ids::{ContactId, Subject, TeamId};
use hearth_domain::journey::{JourneyError, effective_events};
use hearth_domain::org::{Organisation, Polarity, Target};
use jiff::ToSpan;
use jiff::civil::Date;
use serde::Serialize;
use std::collections::HashMap;
use std::fmt;

/// How many months a trend shows: the month and the twelve before it.
pub const TREND_MONTHS: usize = 13;

/// A calendar month, written `YYYY-MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    first: Date,
}

/// Why a `YYYY-MM` was not read as a month.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a month: write it as YYYY-MM, for example 2025-03")]
pub struct MonthError(String);

impl Month {
    /// The month `day` falls in.
    pub fn of(day: Date) -> Month {
        Month {
            first: day.first_of_month(),
        }
    }

    pub fn parse(text: &str) -> Result<Month, MonthError> {
        let bad = || MonthError(text.to_owned());
        let (year, month) = text.split_once('-').ok_or_else(bad)?;
        if year.len() != 4 || month.len() != 2 {
            return Err(bad());
        }
        let year: i16 = year.parse().map_err(|_| bad())?;
        let month: i8 = month.parse().map_err(|_| bad())?;
        Date::new(year, month, 1)
            .map(|first| Month { first })
            .map_err(|_| bad())
    }

    pub fn first(self) -> Date {
        self.first
    }

    pub fn last(self) -> Date {
        self.first.last_of_month()
    }

    /// The month `n` months before this one (saturating at the earliest date).
    pub fn back(self, n: i64) -> Month {
        Month::of(self.first.checked_sub(n.months()).unwrap_or(Date::MIN))
    }

    /// The thirteen months ending with this one, oldest first.
    pub fn trend(self) -> [Month; TREND_MONTHS] {
        std::array::from_fn(|i| self.back((TREND_MONTHS - 1 - i) as i64))
    }

    /// The days, both included, that `span` looks at for this month.
    pub fn window(self, span: Span) -> (Date, Date) {
        match span {
            Span::Month => (self.first, self.last()),
            // Counted in months, not a year back from the last day, so February's
            // window in a leap year starts on 1 March, not on 29 February.
            Span::Rolling12Months => (self.back(11).first, self.last()),
            Span::MonthEnd => (self.last(), self.last()),
        }
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.first.year(), self.first.month())
    }
}

impl Serialize for Month {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Why a journey could not be counted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CountError {
    #[error(transparent)]
    Journey(#[from] JourneyError),
    /// A date outside the years whose working days Hearth can count.
    #[error(transparent)]
    Calendar(#[from] CalendarError),
}

/// How a scorecard's rows are cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Breakdown {
    Authority,
    Area,
    Locality,
    Team,
}

impl Breakdown {
    pub fn parse(text: &str) -> Option<Breakdown> {
        match text {
            "authority" => Some(Breakdown::Authority),
            "area" => Some(Breakdown::Area),
            "locality" => Some(Breakdown::Locality),
            "team" => Some(Breakdown::Team),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Breakdown::Authority => "authority",
            Breakdown::Area => "area",
            Breakdown::Locality => "locality",
            Breakdown::Team => "team",
        }
    }
}

/// Red, amber or green against a target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rag {
    Red,
    Amber,
    Green,
}

impl Rag {
    /// Green on or better than the target; red worse than the floor, or worse than the
    /// target when there is no floor (no amber band then); amber between.
    pub fn of(value: f64, target: &Target) -> Rag {
        let better_or_equal = |a: f64, b: f64| match target.polarity {
            Polarity::Higher => a >= b,
            Polarity::Lower => a <= b,
        };
        if better_or_equal(value, target.target) {
            Rag::Green
        } else if target
            .floor
            .is_some_and(|floor| better_or_equal(value, floor))
        {
            Rag::Amber
        } else {
            Rag::Red
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Rag::Red => "Red",
            Rag::Amber => "Amber",
            Rag::Green => "Green",
        }
    }
}

/// One figure: its value and the counts behind it, so small numbers show. A rate per
/// 10,000 has the population as its denominator; a median has no numerator and the
/// number of durations as its denominator. No value where the denominator is empty.
/// Values are rounded to one decimal place, as a scorecard shows them, before red,
/// amber or green is judged, so the colour agrees with the figure shown.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Figure {
    pub value: Option<f64>,
    pub numerator: Option<u64>,
    pub denominator: Option<u64>,
}

/// One row of a scorecard: an indicator for one place, its month and trend.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    pub indicator: &'static Indicator,
    /// "authority", or the area's, locality's or team's name.
    pub breakdown: String,
    /// The month's figure.
    pub figure: Figure,
    pub target: Option<Target>,
    pub rag: Option<Rag>,
    /// The thirteen months' values, oldest first, ending with the month's.
    pub trend: [Option<f64>; TREND_MONTHS],
}

/// A scorecard for one month.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scorecard {
    pub month: Month,
    pub by: Breakdown,
    /// The authority's rows first, then each row of the breakdown, indicator by
    /// indicator in the catalogue's order.
    pub rows: Vec<Row>,
}

/// One thing a figure counts, decided from a child's journey.
#[derive(Debug, Clone, Copy)]
struct Item {
    kpi: Kpi,
    day: Date,
    place: u16,
    team: u16,
    /// Whether it met the indicator's test (a referral that was a re-referral, a contact
    /// that led to a referral), however late what decided it was recorded.
    hit: bool,
    /// A duration, for a median.
    value: Option<i64>,
}

/// What one indicator, place, team and month has counted.
#[derive(Debug, Clone, Default)]
struct Tally {
    numerator: u64,
    denominator: u64,
    values: Vec<i64>,
}

impl Tally {
    fn add(&mut self, other: &Tally) {
        self.numerator += other.numerator;
        self.denominator += other.denominator;
        self.values.extend_from_slice(&other.values);
    }
}

/// Reads children's journeys one at a time and draws the scorecard at the end.
#[derive(Debug)]
pub struct ScorecardCounter<'a> {
    org: &'a Organisation,
    calendar: &'a WorkingCalendar,
    months: [Month; TREND_MONTHS],
    /// Each place a child is counted in: the localities in the organisation's order,
    /// then out of area, then unknown.
    places: Vec<String>,
    teams: HashMap<&'a TeamId, u16>,
    tallies: HashMap<(Kpi, usize, u16, u16), Tally>,
}

/// The place index of "out of area" and "unknown", after the localities.
const OUT_OF_AREA: &str = "Out of area";
const UNKNOWN: &str = "Unknown";

impl<'a> ScorecardCounter<'a> {
    /// A counter for `month` and the twelve before it, placing children by `org`'s
    /// postcode sectors and timing by `calendar`.
    pub fn new(
        month: Month,
        org: &'a Organisation,
        calendar: &'a WorkingCalendar,
    ) -> ScorecardCounter<'a> {
        let places = org
            .areas
            .iter()
            .flat_map(|a| &a.localities)
            .map(|l| l.name.clone())
            .chain([OUT_OF_AREA.to_owned(), UNKNOWN.to_owned()])
            .collect();
        let teams = org
            .teams()
            .enumerate()
            .map(|(i, (_, _, t))| (&t.id, i as u16))
            .collect();
        ScorecardCounter {
            org,
            calendar,
            months: month.trend(),
            places,
            teams,
            tallies: HashMap::new(),
        }
    }

    fn out_of_area(&self) -> u16 {
        (self.places.len() - 2) as u16
    }

    fn unknown(&self) -> u16 {
        (self.places.len() - 1) as u16
    }

    /// The team index for "no team": after the organisation's teams.
    fn no_team(&self) -> u16 {
        self.teams.len() as u16
    }

    fn place_of(&self, postcode: &hearth_domain::identifiers::Postcode) -> u16 {
        match self.org.locality_of(&postcode.sector()) {
            Some((_, locality)) => self
                .places
                .iter()
                .position(|p| *p == locality.name)
                .map_or(self.out_of_area(), |i| i as u16),
            None => self.out_of_area(),
        }
    }

    /// Add one journey, whole and in journal order; journeys other than a child's are
    /// passed over.
    pub fn add_journey(&mut self, journey: &[Event]) -> Result<(), CountError> {
        if !matches!(journey.first().map(|e| &e.subject), Some(Subject::Child(_))) {
            return Ok(());
        }
        let mut items = Vec::new();
        let mut place = self.unknown();
        let mut team = self.no_team();
        let mut previous_referral: Option<Date> = None;
        let mut episode: Option<Episode> = None;
        let mut contacts: HashMap<ContactId, usize> = HashMap::new();
        let mut standing = Standing::default();
        // The next month whose last day has not been passed.
        let mut next_end = 0;
        for event in effective_events(journey)? {
            let day = event.date();
            // A month's end is passed once an event comes after it, so that what happened
            // on the last day itself (a closure) counts at its end.
            while let Some(month) = self.months.get(next_end)
                && month.last() < day
            {
                standing.at(month.last(), place, team, &mut items);
                next_end += 1;
            }
            let mut item = |kpi, hit: bool, value| {
                items.push(Item {
                    kpi,
                    day,
                    place,
                    team,
                    hit,
                    value,
                });
                items.len() - 1
            };
            match &event.data {
                EventData::PersonRegistered(r) if r.adult.is_none() => {
                    if let Some(address) = &r.details.address {
                        place = self.place_of(&address.postcode);
                    }
                }
                EventData::AddressChanged(a) if a.adult.is_none() => {
                    place = self.place_of(&a.address.postcode);
                }
                EventData::Allocated(a) => {
                    team = self.teams.get(&a.team).copied().unwrap_or(self.no_team());
                }
                EventData::Unallocated(_) => team = self.no_team(),
                EventData::ContactReceived(c) => {
                    let i = item(Kpi::ContactsToReferralPct, false, None);
                    contacts.insert(c.contact.clone(), i);
                }
                EventData::ReferralAccepted(r) => {
                    let again = previous_referral
                        .is_some_and(|p| crate::rates::is_within_12_months(p, day));
                    previous_referral = Some(day);
                    standing.cin = true;
                    item(Kpi::ReferralsPer10k, true, None);
                    item(Kpi::RereferralsPct, again, None);
                    let nfa = item(Kpi::ReferralsNfaPct, false, None);
                    if let Some(contact) = r.contact.as_ref().and_then(|k| contacts.get(k))
                        && let Some(led) = items.get_mut(*contact)
                    {
                        led.hit = true;
                    }
                    episode = Some(Episode {
                        referred: day,
                        assessed: false,
                        nfa,
                    });
                }
                EventData::AssessmentStarted(_) => {
                    if let Some(e) = episode.as_mut() {
                        e.assessed = true;
                    }
                }
                EventData::AssessmentCompleted(a) => {
                    if let Some(e) = episode.as_mut() {
                        e.assessed = true;
                        let took = self.calendar.working_days_between(e.referred, day)?;
                        item(Kpi::AssessmentsIn45WdPct, took <= 45, None);
                        item(Kpi::AssessmentMedianDays, true, Some(took));
                        item(Kpi::AssessedNotInNeedPct, !a.services_needed, None);
                    }
                }
                EventData::CinClosed(_) => {
                    standing.cin = false;
                    if let Some(e) = episode.take() {
                        let days = i64::from((day - e.referred).get_days());
                        item(Kpi::CinDurationMedianDays, true, Some(days));
                        if !e.assessed
                            && let Some(nfa) = items.get_mut(e.nfa)
                        {
                            nfa.hit = true;
                        }
                    }
                }
                EventData::StrategyDiscussion(s) if s.s47 => {
                    item(Kpi::S47Per10k, true, None);
                    standing.s47 = Some(day);
                }
                EventData::IcpcHeld(_) => {
                    if let Some(discussed) = standing.s47.take() {
                        let took = self.calendar.working_days_between(discussed, day)?;
                        item(Kpi::IcpcIn15WdPct, took <= 15, None);
                    }
                }
                EventData::CpPlanStarted(_) => {
                    item(Kpi::CpSecondPlanPct, standing.plans > 0, None);
                    standing.plans += 1;
                    standing.cp = Some(day);
                }
                EventData::CpPlanEnded(_) => {
                    if let Some(started) = standing.cp.take() {
                        let two_years = started.checked_add(2.years()).unwrap_or(Date::MAX);
                        item(Kpi::Cp2YrPlusPct, day >= two_years, None);
                    }
                }
                EventData::LookedAfterStarted(_) => standing.cla = true,
                EventData::LookedAfterEnded(_) => standing.cla = false,
                _ => {}
            }
        }
        // The months ending after the journey's last event stand as it left them.
        for month in self.months.get(next_end..).unwrap_or_default() {
            standing.at(month.last(), place, team, &mut items);
        }
        for item in &items {
            self.tally(item);
        }
        Ok(())
    }

    fn tally(&mut self, item: &Item) {
        let span = span(item.kpi);
        for (m, month) in self.months.iter().enumerate() {
            let (from, to) = month.window(span);
            if item.day < from || item.day > to {
                continue;
            }
            let tally = self
                .tallies
                .entry((item.kpi, m, item.place, item.team))
                .or_default();
            tally.denominator += 1;
            if item.hit {
                tally.numerator += 1;
            }
            if let Some(v) = item.value {
                tally.values.push(v);
            }
        }
    }

    /// The scorecard of the journeys added, for the authority and each row of `by`.
    pub fn scorecard(&self, by: Breakdown) -> Scorecard {
        // Each row: its name, its population (none: no rate per 10,000), and which
        // places and teams it gathers.
        let mut rows: Vec<(String, Option<u32>)> =
            vec![(String::from("authority"), Some(self.org.child_population))];
        let mut place_row: Vec<Option<usize>> = vec![None; self.places.len()];
        let mut team_row: Vec<Option<usize>> = vec![None; self.teams.len() + 1];
        match by {
            Breakdown::Authority => {}
            Breakdown::Area => {
                let mut i = 0;
                for area in &self.org.areas {
                    rows.push((
                        area.name.clone(),
                        Some(area.localities.iter().map(|l| l.child_population).sum()),
                    ));
                    for _ in &area.localities {
                        if let Some(slot) = place_row.get_mut(i) {
                            *slot = Some(rows.len() - 1);
                        }
                        i += 1;
                    }
                }
                self.extra_places(&mut rows, &mut place_row);
            }
            Breakdown::Locality => {
                for (i, locality) in self
                    .org
                    .areas
                    .iter()
                    .flat_map(|a| &a.localities)
                    .enumerate()
                {
                    rows.push((locality.name.clone(), Some(locality.child_population)));
                    if let Some(slot) = place_row.get_mut(i) {
                        *slot = Some(rows.len() - 1);
                    }
                }
                self.extra_places(&mut rows, &mut place_row);
            }
            Breakdown::Team => {
                for (i, (_, _, team)) in self.org.teams().enumerate() {
                    rows.push((team.name.clone(), None));
                    if let Some(slot) = team_row.get_mut(i) {
                        *slot = Some(rows.len() - 1);
                    }
                }
                rows.push((String::from("No team"), None));
                if let Some(slot) = team_row.last_mut() {
                    *slot = Some(rows.len() - 1);
                }
            }
        }
        // Sum the tallies into each row: [row][kpi][month].
        let mut sums: Vec<HashMap<(Kpi, usize), Tally>> = vec![HashMap::new(); rows.len()];
        for (&(kpi, m, place, team), tally) in &self.tallies {
            let row = match by {
                Breakdown::Authority => None,
                Breakdown::Team => team_row.get(usize::from(team)).copied().flatten(),
                Breakdown::Area | Breakdown::Locality => {
                    place_row.get(usize::from(place)).copied().flatten()
                }
            };
            for r in std::iter::once(0).chain(row) {
                if let Some(sum) = sums.get_mut(r) {
                    sum.entry((kpi, m)).or_default().add(tally);
                }
            }
        }
        let empty = Tally::default();
        let mut out = Vec::with_capacity(rows.len() * CATALOGUE.len());
        for ((name, population), sum) in rows.iter().zip(&sums) {
            for indicator in CATALOGUE {
                let figures: [Figure; TREND_MONTHS] = std::array::from_fn(|m| {
                    let tally = sum.get(&(indicator.kpi, m)).unwrap_or(&empty);
                    figure(indicator.unit, tally, *population)
                });
                let figure = figures[TREND_MONTHS - 1];
                let target = self
                    .org
                    .scorecard
                    .iter()
                    .find(|t| indicator.is_named(&t.kpi))
                    .cloned();
                let rag = match (&target, figure.value) {
                    (Some(t), Some(v)) => Some(Rag::of(v, t)),
                    _ => None,
                };
                out.push(Row {
                    indicator,
                    breakdown: name.clone(),
                    figure,
                    target,
                    rag,
                    trend: figures.map(|f| f.value),
                });
            }
        }
        Scorecard {
            month: self.months[TREND_MONTHS - 1],
            by,
            rows: out,
        }
    }

    /// Out of area and unknown as rows of their own, so the rows add up to the whole.
    fn extra_places(&self, rows: &mut Vec<(String, Option<u32>)>, place_row: &mut [Option<usize>]) {
        for i in [self.out_of_area(), self.unknown()] {
            if let (Some(name), Some(slot)) = (
                self.places.get(usize::from(i)),
                place_row.get_mut(usize::from(i)),
            ) {
                rows.push((name.clone(), None));
                *slot = Some(rows.len() - 1);
            }
        }
    }
}

/// Where a child stands, for the figures taken at a month's end.
#[derive(Debug, Default)]
struct Standing {
    /// A referral's episode is open.
    cin: bool,
    /// The day the child's protection plan started, while it lasts.
    cp: Option<Date>,
    cla: bool,
    /// Protection plans started so far.
    plans: u32,
    /// The last strategy discussion that started a section 47 enquiry, until an ICPC.
    s47: Option<Date>,
}

impl Standing {
    /// The month-end items for `end`: a child in need (on a plan or looked after too),
    /// on a protection plan, looked after.
    fn at(&self, end: Date, place: u16, team: u16, items: &mut Vec<Item>) {
        let mut push = |kpi| {
            items.push(Item {
                kpi,
                day: end,
                place,
                team,
                hit: true,
                value: None,
            })
        };
        if self.cin || self.cp.is_some() || self.cla {
            push(Kpi::CinPer10k);
        }
        if self.cp.is_some() {
            push(Kpi::CpPer10k);
        }
        if self.cla {
            push(Kpi::ClaPer10k);
        }
    }
}

/// A referral's child in need episode, while it is open.
#[derive(Debug)]
struct Episode {
    referred: Date,
    assessed: bool,
    /// The referral's "ended with no further action" item.
    nfa: usize,
}

fn span(kpi: Kpi) -> Span {
    // Every Kpi has its line in the catalogue (a test says so).
    CATALOGUE
        .iter()
        .find(|i| i.kpi == kpi)
        .map_or(Span::Month, |i| i.span)
}

fn figure(unit: Unit, tally: &Tally, population: Option<u32>) -> Figure {
    let mut figure = unrounded(unit, tally, population);
    figure.value = figure.value.map(|v| (v * 10.0).round() / 10.0);
    figure
}

fn unrounded(unit: Unit, tally: &Tally, population: Option<u32>) -> Figure {
    match unit {
        Unit::Per10k => Figure {
            value: population
                .filter(|p| *p > 0)
                .map(|p| tally.numerator as f64 * 10_000.0 / f64::from(p)),
            numerator: Some(tally.numerator),
            denominator: population.map(u64::from),
        },
        Unit::Percent => Figure {
            value: (tally.denominator > 0)
                .then(|| 100.0 * tally.numerator as f64 / tally.denominator as f64),
            numerator: Some(tally.numerator),
            denominator: Some(tally.denominator),
        },
        Unit::WorkingDays | Unit::Days => Figure {
            value: median(&tally.values),
            numerator: None,
            denominator: Some(tally.values.len() as u64),
        },
    }
}

fn median(values: &[i64]) -> Option<f64> {
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    let n = sorted.len();
    match (sorted.get(n.wrapping_sub(1) / 2), sorted.get(n / 2)) {
        (Some(&a), Some(&b)) => Some((a + b) as f64 / 2.0),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
