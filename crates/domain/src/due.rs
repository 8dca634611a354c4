//! The due list: which obligations are overdue, which fall due in the next ten working
//! days, and which were met late in the last month, as at a day, and who holds them.
//! Pure, like the obligations it reads (`crate::obligations`).
//!
//! - Overdue: not met, and past its due date. Listed longest overdue first, so that drift
//!   is the first thing seen.
//! - Due soon: not met, not yet past its due date, and due within
//!   [`DUE_SOON_WORKING_DAYS`] working days of the day asked about.
//! - Met late: met after its due date, on a day in the month up to and including the day
//!   asked about.
//! - Who holds it: the worker and team the caller names for the child. Hearth passes the
//!   child's current allocation (the projection's), so a list as at a past day still
//!   names who must answer for the duty now; an unallocated child's duties are listed
//!   under no team.
//! - The front door: a duty that runs for a contact (its decision, a partner check)
//!   names the contact (`Obligation::contact`). A contact with a journey of its own has
//!   its duties listed from that journey, naming no child, and the copies of them on
//!   linked children's journeys are left out, so each counts once (`hearth-app`'s due
//!   list does both).
//!
//! [`settled_since`] says which children a list can skip without reading their journey.

use crate::calendar::{CalendarError, WorkingCalendar};
use crate::ids::{TeamId, WorkerId};
use crate::journey::ChildState;
use crate::obligations::{Obligation, Status, birthday};
use crate::timescales::Duty;
use jiff::ToSpan;
use jiff::civil::Date;
use serde::Serialize;
use std::cmp::{Ordering, Reverse};
use std::collections::BTreeMap;

/// How far ahead, in working days, a duty counts as due soon.
pub const DUE_SOON_WORKING_DAYS: u32 = 10;

/// The days a due list looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Window {
    pub as_at: Date,
    /// The last day a duty still open counts as due soon.
    pub due_by: Date,
    /// Duties met late after this day (and by `as_at`) count as met late in the month.
    pub met_late_after: Date,
}

impl Window {
    pub fn new(as_at: Date, calendar: &WorkingCalendar) -> Result<Window, CalendarError> {
        let due_by = calendar.add_working_days(as_at, DUE_SOON_WORKING_DAYS)?;
        let met_late_after = as_at
            .checked_sub(1.month())
            .map_err(|_| CalendarError::OutOfRange(as_at))?;
        Ok(Window {
            as_at,
            due_by,
            met_late_after,
        })
    }

    /// Where an obligation worked out as at `self.as_at` stands on the list, if it is
    /// on it at all.
    pub fn standing(&self, o: &Obligation) -> Option<Standing> {
        match &o.status {
            Status::Overdue { .. } => Some(Standing::Overdue),
            Status::Open if o.due.date() <= self.due_by => Some(Standing::DueSoon),
            Status::MetLate { on, .. } if self.met_late_after < on.date => Some(Standing::MetLate),
            _ => None,
        }
    }
}

/// Why a duty is on the list, in the order the list shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    Overdue,
    DueSoon,
    MetLate,
}

/// One line of the due list: an obligation, why it is listed, and who holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DueItem<'r> {
    pub standing: Standing,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub team: Option<TeamId>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub worker: Option<WorkerId>,
    #[serde(flatten)]
    pub obligation: Obligation<'r>,
}

/// The obligations of one child (worked out as at `window.as_at`) that the list shows,
/// held by `team` and `worker`.
pub fn due_items<'r>(
    obligations: Vec<Obligation<'r>>,
    window: &Window,
    team: Option<&TeamId>,
    worker: Option<&WorkerId>,
) -> Vec<DueItem<'r>> {
    obligations
        .into_iter()
        .filter_map(|obligation| {
            Some(DueItem {
                standing: window.standing(&obligation)?,
                team: team.cloned(),
                worker: worker.cloned(),
                obligation,
            })
        })
        .collect()
}

/// Put a due list in the order it is read: overdue first, longest overdue first (then
/// the earliest due); then what falls due soonest; then what was met late, latest first.
/// Ties go by child (a contact's own rows, naming none, first), contact, duty and clock start, so
/// the order is fixed.
pub fn sort(items: &mut [DueItem]) {
    items.sort_by(drift_order);
}

fn drift_order(a: &DueItem, b: &DueItem) -> Ordering {
    let key = |i: &DueItem| {
        let o = &i.obligation;
        let (overdue, met) = match &o.status {
            Status::Overdue { working_days } => (*working_days, None),
            Status::MetLate { on, .. } => (0, Some(*on)),
            _ => (0, None),
        };
        (i.standing, Reverse(overdue), Reverse(met), o.due)
    };
    let tie = |i: &DueItem| {
        let o = &i.obligation;
        (o.child.clone(), o.contact.clone(), o.duty, o.clock_started)
    };
    key(a).cmp(&key(b)).then_with(|| tie(a).cmp(&tie(b)))
}

/// How many duties stand where, for a worker, a team or the whole list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Tally {
    pub overdue: u64,
    pub due_soon: u64,
    pub met_late: u64,
}

impl Tally {
    fn add(&mut self, standing: Standing) {
        match standing {
            Standing::Overdue => self.overdue += 1,
            Standing::DueSoon => self.due_soon += 1,
            Standing::MetLate => self.met_late += 1,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WorkerTally {
    pub worker: WorkerId,
    #[serde(flatten)]
    pub tally: Tally,
}

/// A team's tally and its workers'; `team` is none for children nobody holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TeamTally {
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub team: Option<TeamId>,
    #[serde(flatten)]
    pub tally: Tally,
    pub workers: Vec<WorkerTally>,
}

/// The list counted: in all, and per team and worker (teams and workers in id order,
/// the unallocated last).
pub fn summarise(items: &[DueItem]) -> (Tally, Vec<TeamTally>) {
    /// A team's tally and its workers'.
    type Counts<'a> = (Tally, BTreeMap<&'a WorkerId, Tally>);
    let mut total = Tally::default();
    // Keyed so that the unallocated (no team) sort after every team.
    let mut teams: BTreeMap<(bool, Option<&TeamId>), Counts> = BTreeMap::new();
    for item in items {
        total.add(item.standing);
        let (team, workers) = teams
            .entry((item.team.is_none(), item.team.as_ref()))
            .or_default();
        team.add(item.standing);
        if let Some(worker) = &item.worker {
            workers.entry(worker).or_default().add(item.standing);
        }
    }
    let teams = teams
        .into_iter()
        .map(|((_, team), (tally, workers))| TeamTally {
            team: team.cloned(),
            tally,
            workers: workers
                .into_iter()
                .map(|(worker, tally)| WorkerTally {
                    worker: worker.clone(),
                    tally,
                })
                .collect(),
        })
        .collect();
    (total, teams)
}

/// The day from which a child owes nothing until something new is recorded on their
/// journey, or none while something may still be owed.
///
/// It is the date of the child's latest event, provided nothing is open then: no open
/// work (early help, child in need, protection, care, leaving care) and no contact
/// awaiting a decision. Each duty's clock is stopped by the event that closes its work
/// (see `crate::obligations`), except a pathway plan's, which runs on after care ends
/// until the young person is 21; so for a child who has been looked after it is the
/// 21st birthday if that is later (and none if their date of birth is not known).
///
/// So as at any day a month or more after it, the child has nothing outstanding and
/// nothing met late in the month: a due list need not read their journey. A property
/// test (`tests/due_props.rs`) checks this against the obligations themselves.
pub fn settled_since(state: &ChildState) -> Option<Date> {
    let last = state.last_date?;
    if !state.open_work().is_empty() || !state.open_contacts.is_empty() {
        return None;
    }
    if state.history.looked_after_periods == 0 {
        return Some(last);
    }
    Some(last.max(birthday(state, 21)?))
}

/// A duty in words, for lists and pages.
pub fn duty_label(duty: Duty) -> &'static str {
    use Duty as D;
    match duty {
        D::ContactDecision => "Decision on a contact",
        D::InitialAssessment => "Initial assessment",
        D::CoreAssessment => "Core assessment",
        D::Assessment => "Assessment",
        D::InitialChildProtectionConference => "Initial child protection conference",
        D::FirstCoreGroup => "First core group",
        D::FirstReviewConference => "First review child protection conference",
        D::LaterReviewConference => "Review child protection conference",
        D::ChildProtectionVisit => "Visit to a child on a protection plan",
        D::CarePlan => "Care plan",
        D::FirstLookedAfterReview => "First looked-after review",
        D::SecondLookedAfterReview => "Second looked-after review",
        D::LaterLookedAfterReview => "Looked-after review",
        D::FirstPlacementVisit => "First visit in a placement",
        D::PlacementVisit => "Visit to a child in care",
        D::LongTermPlacementVisit => "Visit in a long-term placement",
        D::InitialHealthAssessment => "Initial health assessment",
        D::ReviewHealthAssessmentUnderFive => "Review health assessment (under 5)",
        D::ReviewHealthAssessment => "Review health assessment",
        D::PersonalEducationPlan => "Personal education plan",
        D::NeedsAssessmentAtSixteen => "Needs assessment at 16",
        D::PathwayPlanReview => "Pathway plan review",
        D::ReturnInterview => "Return interview",
        D::UnallocatedCase => "Allocation of an unallocated case",
        D::PartnerCheckRed => "Partner check (red)",
        D::PartnerCheckAmber => "Partner check (amber)",
        D::PartnerCheckGreen => "Partner check (green)",
    }
}

/// What a case page shows as due: the duties still owed (open or overdue), overdue first
/// and longest overdue first, then soonest due. Unlike the due list this looks past the
/// next ten working days, since a case's next duty (a review three months off) is worth
/// seeing on the case itself.
pub fn outstanding<'r>(obligations: Vec<Obligation<'r>>) -> Vec<Obligation<'r>> {
    let mut owed: Vec<Obligation<'r>> = obligations
        .into_iter()
        .filter(|o| o.status.is_outstanding())
        .collect();
    owed.sort_by_key(|o| {
        let overdue = match o.status {
            Status::Overdue { working_days } => Some(Reverse(working_days)),
            _ => None,
        };
        // `false` sorts before `true`: the overdue first.
        (overdue.is_none(), overdue, o.due, o.duty, o.clock_started)
    });
    owed
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::OccurredAt;
    use crate::ids::{ChildId, EventId};
    use crate::timescales::{Due, RuleSet};
    use jiff::civil::date;

    fn cal() -> &'static WorkingCalendar {
        WorkingCalendar::england_and_wales().unwrap()
    }

    fn obligation(child: &str, duty: Duty, due: Date, status: Status) -> Obligation<'static> {
        let rules = RuleSet::national().unwrap();
        let rule = rules
            .rules()
            .iter()
            .find(|r| r.duty == duty)
            .unwrap_or(&rules.rules()[0]);
        Obligation {
            child: Some(ChildId::parse(child).unwrap()),
            contact: None,
            duty,
            rule,
            clock_started: OccurredAt::on(date(2026, 1, 5)),
            clock_event: EventId::parse("e1").unwrap(),
            due: Due::On(due),
            status,
        }
    }

    fn met_late(on: Date) -> Status {
        Status::MetLate {
            by: EventId::parse("e2").unwrap(),
            on: OccurredAt::on(on),
            working_days_late: 1,
        }
    }

    fn item(o: Obligation<'static>, team: Option<&str>, worker: Option<&str>) -> DueItem<'static> {
        let window = Window::new(date(2026, 3, 31), cal()).unwrap();
        let team = team.map(|t| TeamId::parse(t).unwrap());
        let worker = worker.map(|w| WorkerId::parse(w).unwrap());
        due_items(vec![o], &window, team.as_ref(), worker.as_ref())
            .pop()
            .unwrap()
    }

    #[test]
    fn a_case_shows_what_it_owes_overdue_first_then_soonest_due() {
        let d = |m, day| date(2026, m, day);
        let overdue = |n| Status::Overdue { working_days: n };
        let owed = outstanding(vec![
            obligation("C1", Duty::PlacementVisit, d(6, 1), Status::Open),
            obligation("C1", Duty::Assessment, d(3, 2), overdue(20)),
            obligation("C1", Duty::FirstCoreGroup, d(3, 1), met_late(d(3, 20))),
            obligation("C1", Duty::CarePlan, d(4, 20), Status::Open),
            obligation("C1", Duty::FirstReviewConference, d(3, 25), overdue(4)),
            obligation(
                "C1",
                Duty::ChildProtectionVisit,
                d(3, 1),
                Status::Met {
                    by: EventId::parse("e3").unwrap(),
                    on: OccurredAt::on(d(2, 27)),
                },
            ),
        ]);
        let duties: Vec<Duty> = owed.iter().map(|o| o.duty).collect();
        assert_eq!(
            duties,
            [
                Duty::Assessment,
                Duty::FirstReviewConference,
                Duty::CarePlan,
                Duty::PlacementVisit
            ]
        );
        assert!(outstanding(Vec::new()).is_empty());
    }

    #[test]
    fn the_window_runs_ten_working_days_ahead_and_a_month_back() {
        // Tuesday 31 March 2026: Good Friday (3 April) and Easter Monday (6 April) do
        // not count, so ten working days on is Thursday 16 April.
        let w = Window::new(date(2026, 3, 31), cal()).unwrap();
        assert_eq!(w.due_by, date(2026, 4, 16));
        // A month back from 31 March is the last day of February.
        assert_eq!(w.met_late_after, date(2026, 2, 28));
        let leap = Window::new(date(2024, 3, 31), cal()).unwrap();
        assert_eq!(leap.met_late_after, date(2024, 2, 29));
        assert!(Window::new(date(2035, 12, 28), cal()).is_err());
    }

    #[test]
    fn each_status_takes_its_place_on_the_list_or_none() {
        let w = Window::new(date(2026, 3, 31), cal()).unwrap();
        let d = Duty::Assessment;
        let on = |due, status| w.standing(&obligation("C1", d, due, status));
        assert_eq!(
            on(date(2026, 3, 2), Status::Overdue { working_days: 21 }),
            Some(Standing::Overdue)
        );
        assert_eq!(on(date(2026, 3, 31), Status::Open), Some(Standing::DueSoon));
        assert_eq!(on(date(2026, 4, 16), Status::Open), Some(Standing::DueSoon));
        assert_eq!(on(date(2026, 4, 17), Status::Open), None);
        assert_eq!(
            on(date(2026, 3, 2), met_late(date(2026, 3, 1))),
            Some(Standing::MetLate)
        );
        assert_eq!(on(date(2026, 2, 2), met_late(date(2026, 2, 28))), None);
        let met = Status::Met {
            by: EventId::parse("e2").unwrap(),
            on: OccurredAt::on(date(2026, 3, 30)),
        };
        assert_eq!(on(date(2026, 3, 31), met), None);
        let ended = Status::Ended {
            by: None,
            on: OccurredAt::on(date(2026, 3, 30)),
            overdue_working_days: Some(3),
        };
        assert_eq!(on(date(2026, 3, 25), ended), None);
    }

    #[test]
    fn the_longest_overdue_come_first_then_the_soonest_due_then_the_latest_met() {
        let overdue = |child, days, due| {
            item(
                obligation(
                    child,
                    Duty::Assessment,
                    due,
                    Status::Overdue { working_days: days },
                ),
                None,
                None,
            )
        };
        let soon = |child, due| {
            item(
                obligation(child, Duty::Assessment, due, Status::Open),
                None,
                None,
            )
        };
        let late = |child, on| {
            item(
                obligation(child, Duty::Assessment, date(2026, 3, 2), met_late(on)),
                None,
                None,
            )
        };
        let mut items = vec![
            late("C1", date(2026, 3, 10)),
            soon("C2", date(2026, 4, 10)),
            overdue("C3", 2, date(2026, 3, 27)),
            late("C4", date(2026, 3, 20)),
            soon("C5", date(2026, 4, 1)),
            overdue("C6", 40, date(2026, 2, 2)),
            overdue("C7", 2, date(2026, 3, 27)),
        ];
        sort(&mut items);
        let order: Vec<&str> = items
            .iter()
            .map(|i| i.obligation.child.as_ref().unwrap().as_str())
            .collect();
        assert_eq!(order, ["C6", "C3", "C7", "C5", "C2", "C4", "C1"]);
    }

    #[test]
    fn the_list_is_counted_per_team_and_worker_with_the_unallocated_last() {
        let o = |child| {
            obligation(
                child,
                Duty::Assessment,
                date(2026, 3, 2),
                Status::Overdue { working_days: 21 },
            )
        };
        let soon = |child| obligation(child, Duty::Assessment, date(2026, 4, 2), Status::Open);
        let items = vec![
            item(o("C1"), Some("T2"), Some("W9")),
            item(soon("C1"), Some("T2"), Some("W9")),
            item(o("C2"), None, None),
            item(o("C3"), Some("T1"), Some("W2")),
            item(soon("C4"), Some("T1"), Some("W1")),
            item(
                obligation(
                    "C5",
                    Duty::Assessment,
                    date(2026, 3, 2),
                    met_late(date(2026, 3, 9)),
                ),
                Some("T1"),
                Some("W1"),
            ),
        ];
        let (total, teams) = summarise(&items);
        let tally = |overdue, due_soon, met_late| Tally {
            overdue,
            due_soon,
            met_late,
        };
        assert_eq!(total, tally(3, 2, 1));
        type Shape<'a> = (Option<&'a str>, Tally, Vec<(&'a str, Tally)>);
        let shape: Vec<Shape> = teams
            .iter()
            .map(|t| {
                (
                    t.team.as_ref().map(TeamId::as_str),
                    t.tally,
                    t.workers
                        .iter()
                        .map(|w| (w.worker.as_str(), w.tally))
                        .collect(),
                )
            })
            .collect();
        assert_eq!(
            shape,
            vec![
                (
                    Some("T1"),
                    tally(1, 1, 1),
                    vec![("W1", tally(0, 1, 1)), ("W2", tally(1, 0, 0))]
                ),
                (Some("T2"), tally(1, 1, 0), vec![("W9", tally(1, 1, 0))]),
                (None, tally(1, 0, 0), vec![]),
            ]
        );
    }

    #[test]
    fn an_item_serialises_flat_with_its_standing_and_holder() {
        let i = item(
            obligation(
                "C1",
                Duty::Assessment,
                date(2026, 3, 2),
                Status::Overdue { working_days: 21 },
            ),
            Some("T1"),
            Some("W1"),
        );
        let json = serde_json::to_value(&i).unwrap();
        assert_eq!(json["standing"], "overdue");
        assert_eq!(json["team"], "T1");
        assert_eq!(json["worker"], "W1");
        assert_eq!(json["child"], "C1");
        assert_eq!(json["duty"], "assessment");
        assert_eq!(json["rule"]["source"]["kind"], "guidance");
        assert_eq!(json["status"], "overdue");
        assert_eq!(json["working_days"], 21);
    }

    #[test]
    fn every_duty_has_words() {
        for rule in RuleSet::national().unwrap().rules() {
            assert!(!duty_label(rule.duty).is_empty());
        }
    }
}
