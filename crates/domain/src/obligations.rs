//! Obligations: the duties a child's journey has set running, when each falls due, and
//! whether it was met (by which event, and how many working days late), is open or
//! overdue as at a given day, or ended before it was met. A pure function of the
//! journey, the rules, the working calendar and "today": no clock inside.
//!
//! How the journey is read:
//! - Corrections are resolved first, as in the fold. Events dated after `today` are then
//!   left out, so the answer as at a day depends only on what had happened by then.
//! - A clock starts at an event, and its deadline comes from the rule in force on the
//!   day it started. A duty with no rule in force that day (before the rule existed, or
//!   local policy the authority does not have) sets no obligation.
//! - A duty runs once at a time for a child (once per contact, and per contact and
//!   partner agency, at the front door). A second start while one runs leaves the
//!   earlier clock, the stricter reading.
//! - Chains (review conferences, looked-after reviews, health assessments, visits,
//!   pathway plans): the event that meets one duty starts the next one's clock on its
//!   own date, whether it was on time or late.
//! - Restarts: a new period of care starts afresh — first review in 20 working days,
//!   initial health assessment, PEP — and counts its reviews from one; a new placement
//!   starts again with the visit within a week; a new child protection plan runs from
//!   its own conference.
//! - Ends: a duty that stops applying before it is met is ended by the event that
//!   stopped it: the contact decided (partner checks), the episode closed, the plan or
//!   placement or period of care ended, the child's death recorded, the case closed
//!   (unallocated), or no longer needed (a section 47 enquiry that needs no conference).
//!   Pathway plan reviews lapse at 21 without an event.
//!
//! Not derived yet:
//! - the care plan within 10 working days of the first placement (reg 4): no event
//!   records a care plan;
//! - the needs assessment within 3 months of the 16th birthday (regs 40–44): no event
//!   records it;
//! - the return interview within 72 hours: `missing_ended` says whether one was offered,
//!   not when;
//! - the permanence plan by the second review, and PEPs reviewed each term: no rule in
//!   the rule data (only the first PEP, within 10 working days, is derived).

use crate::calendar::WorkingCalendar;
use crate::codes::{Agency, Rag};
use crate::contact::{ContactState, ContactStatus};
use crate::event::{Event, EventData, OccurredAt, PartnerCheck};
use crate::ids::{ChildId, ContactId, EventId};
use crate::journey::{
    ChildState, JourneyError, Placement, check_subject_is_child, effective_events,
};
use crate::timescales::{Due, Duty, Rule, RuleSet, TimescaleError};
use jiff::ToSpan;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ObligationError {
    #[error(transparent)]
    Journey(#[from] JourneyError),
    #[error("the deadline started by event {event} cannot be counted: {source}")]
    Deadline {
        event: EventId,
        source: TimescaleError,
    },
    #[error("the due clocks hold from {last_date}, so they cannot say what stood on {as_at}")]
    ClocksTooLate { as_at: Date, last_date: Date },
    #[error(
        "the due clocks name a rule for {duty:?} in force from {effective_from}, which the rules do not have"
    )]
    UnknownRule { duty: Duty, effective_from: Date },
}

/// One duty the journey set running, as it stands on the day asked about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Obligation<'r> {
    /// The child whose journey set it; absent for a duty a contact's own journey set
    /// (a front-door row of the due list).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub child: Option<ChildId>,
    /// The contact a front-door duty (a decision, a partner check) runs for, on a
    /// contact's journey or mirrored on a child's; absent for every other duty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<ContactId>,
    pub duty: Duty,
    /// The rule in force on the day the clock started.
    pub rule: &'r Rule,
    pub clock_started: OccurredAt,
    pub clock_event: EventId,
    pub due: Due,
    #[serde(flatten)]
    pub status: Status,
}

/// Where a duty stands. Working days are counted after the due date, up to and including
/// the day in question, so they can be zero when only a weekend or holiday has passed
/// (or, for a duty in hours, when it was late on its last day).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Status {
    /// Not met, and not yet past its due date.
    Open,
    /// Not met, and past its due date.
    Overdue {
        working_days: i64,
    },
    Met {
        by: EventId,
        on: OccurredAt,
    },
    MetLate {
        by: EventId,
        on: OccurredAt,
        working_days_late: i64,
    },
    /// The duty stopped applying before it was met; `overdue_working_days` says whether
    /// (and by how much) it was already overdue then. `by` is the event that ended it,
    /// or none when it lapsed with age.
    Ended {
        #[cfg_attr(feature = "openapi", schema(required = true))]
        by: Option<EventId>,
        on: OccurredAt,
        #[cfg_attr(feature = "openapi", schema(required = true))]
        overdue_working_days: Option<i64>,
    },
}

impl Status {
    /// Still owed: open or overdue.
    pub fn is_outstanding(&self) -> bool {
        matches!(self, Status::Open | Status::Overdue { .. })
    }
}

/// Every obligation `journey` sets for `child`, as at `today`, in order of clock start.
pub fn obligations<'r>(
    child: &ChildId,
    journey: &[Event],
    rules: &'r RuleSet,
    calendar: &WorkingCalendar,
    today: Date,
) -> Result<Vec<Obligation<'r>>, ObligationError> {
    let (mut clocks, _) = fold(child, journey, rules, calendar, today)?;
    clocks.lapse(today)?;
    Ok(of_child(child, clocks.finish(today)?))
}

fn of_child<'r>(child: &ChildId, stopped: Vec<Stopped<'r>>) -> Vec<Obligation<'r>> {
    stopped
        .into_iter()
        .map(|s| Obligation {
            child: Some(child.clone()),
            contact: s.run.contact().cloned(),
            duty: s.duty,
            rule: s.rule,
            clock_started: s.started,
            clock_event: s.event,
            due: s.due,
            status: s.status,
        })
        .collect()
}

/// One duty a contact's journey set running (the decision, and each partner check), as
/// it stands on the day asked about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContactObligation<'r> {
    pub contact: ContactId,
    pub duty: Duty,
    /// The rule in force on the day the clock started.
    pub rule: &'r Rule,
    pub clock_started: OccurredAt,
    pub clock_event: EventId,
    pub due: Due,
    #[serde(flatten)]
    pub status: Status,
}

impl<'r> From<ContactObligation<'r>> for Obligation<'r> {
    /// A contact's duty as a due list holds it: no child's, the contact's.
    fn from(o: ContactObligation<'r>) -> Self {
        Obligation {
            child: None,
            contact: Some(o.contact),
            duty: o.duty,
            rule: o.rule,
            clock_started: o.clock_started,
            clock_event: o.clock_event,
            due: o.due,
            status: o.status,
        }
    }
}

/// Every obligation a contact's own journey sets, as at `today`, in order of clock
/// start: the decision (from `contact_received`, met when the contact is decided) and
/// each partner check (met by its return, ended by the decision), read as on a child's
/// journey.
pub fn contact_obligations<'r>(
    contact: &ContactId,
    journey: &[Event],
    rules: &'r RuleSet,
    calendar: &WorkingCalendar,
    today: Date,
) -> Result<Vec<ContactObligation<'r>>, ObligationError> {
    let mut state = ContactState::new(contact.clone());
    let mut clocks = Clocks::new(rules, calendar);
    let events = effective_events(journey)?;
    for event in events.iter().take_while(|e| e.date() <= today) {
        state.apply(event)?;
        clocks.follow_contact(event, &state)?;
    }
    let stopped = clocks.finish(today)?;
    Ok(stopped
        .into_iter()
        .map(|s| ContactObligation {
            contact: contact.clone(),
            duty: s.duty,
            rule: s.rule,
            clock_started: s.started,
            clock_event: s.event,
            due: s.due,
            status: s.status,
        })
        .collect())
}

/// The clocks the events up to `until` leave, and the date of the last of them.
fn fold<'a, 'r>(
    child: &ChildId,
    journey: &[Event],
    rules: &'r RuleSet,
    calendar: &'a WorkingCalendar,
    until: Date,
) -> Result<(Clocks<'a, 'r>, Option<Date>), ObligationError> {
    let mut state = ChildState::new(child.clone());
    let mut clocks = Clocks::new(rules, calendar);
    let mut last = None;
    let events = effective_events(journey)?;
    // Sorted by business date, so the events up to `until` are a prefix.
    for event in events.iter().take_while(|e| e.date() <= until) {
        check_subject_is_child(child, event)?;
        // Folding each event checks the journey is possible, and gives the state (open
        // plan, placement, date of birth) that decides which clocks an event touches.
        state.apply(event)?;
        clocks.lapse(event.date())?;
        clocks.follow(event, &state)?;
        last = Some(event.date());
    }
    Ok((clocks, last))
}

/// The form of [`DueClocks`] and the reading of the journey that makes them: a cache
/// keyed by it is not used by a Hearth that reads journeys differently. Change it with
/// any change to how obligations are derived.
pub const DUE_CLOCKS_FORMAT: &str = "due-clocks-2";

/// What a child's whole journey leaves for the due list, so that a list can be drawn up
/// without reading the journey again (a derived cache, rebuilt from the journal at
/// will): the clocks still running after the last event, and the duties met late
/// recently enough to be "met late in the last month" on some later day. Met and ended
/// duties, and those met late earlier, never show on a list and are left out.
///
/// [`DueClocks::finish`] as at any day on or after `last_date` gives the obligations a
/// list shows exactly as [`obligations`] does (`tests/obligations_props.rs`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DueClocks {
    /// The date of the last effective event.
    pub last_date: Date,
    /// In the order the fold stopped them, which the order of the list's ties keeps.
    met_late: Vec<CachedClock>,
    running: Vec<CachedClock>,
}

/// A clock as cached: its rule by key, since a rule is only borrowed from its set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct CachedClock {
    duty: Duty,
    /// The day the rule took effect: a rule set has one rule per duty in force on any
    /// day (`RuleSet::new`), so with the duty this names it.
    rule_from: Date,
    run: Run,
    started: OccurredAt,
    event: EventId,
    due: CachedDue,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    lapses: Option<Date>,
    /// How a duty met late was met: by which event, when, and how many working days
    /// late.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    met_late: Option<(EventId, OccurredAt, i64)>,
}

/// `Due` tagged, so a day and a moment cannot be read one for the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
enum CachedDue {
    On(Date),
    At(jiff::civil::DateTime),
}

/// The clocks `journey`'s events leave for the due list (see [`DueClocks`]), or none if
/// no event is in effect.
pub fn due_clocks(
    child: &ChildId,
    journey: &[Event],
    rules: &RuleSet,
    calendar: &WorkingCalendar,
) -> Result<Option<DueClocks>, ObligationError> {
    let (clocks, last) = fold(child, journey, rules, calendar, Date::MAX)?;
    let Some(last_date) = last else {
        return Ok(None);
    };
    // A list as at `last_date` or later counts what was met late after a month before
    // its day (`due::Window`), so nothing met on or before this can show.
    let too_old = last_date.checked_sub(1.month()).ok();
    let cached =
        |duty: Duty, rule: &Rule, run: Run, started: OccurredAt, event: EventId, due: Due| {
            CachedClock {
                duty,
                rule_from: rule.effective_from,
                run,
                started,
                event,
                due: match due {
                    Due::On(day) => CachedDue::On(day),
                    Due::At(moment) => CachedDue::At(moment),
                },
                lapses: None,
                met_late: None,
            }
        };
    let met_late = clocks
        .stopped
        .into_iter()
        .filter_map(|o| match o.status {
            Status::MetLate {
                by,
                on,
                working_days_late,
            } if too_old.is_none_or(|old| old < on.date) => Some(CachedClock {
                met_late: Some((by, on, working_days_late)),
                // Stopped clocks are not run again; the run says whose duty it was.
                ..cached(o.duty, o.rule, o.run, o.started, o.event, o.due)
            }),
            _ => None,
        })
        .collect();
    let running = clocks
        .running
        .into_iter()
        .map(|r| CachedClock {
            lapses: r.lapses,
            ..cached(r.duty, r.rule, r.run, r.started, r.event, r.due)
        })
        .collect();
    Ok(Some(DueClocks {
        last_date,
        met_late,
        running,
    }))
}

impl DueClocks {
    /// The obligations a due list as at `today` can show (and perhaps others), as
    /// [`obligations`] works them out; `today` must be on or after `last_date`.
    pub fn finish<'r>(
        &self,
        child: &ChildId,
        rules: &'r RuleSet,
        calendar: &WorkingCalendar,
        today: Date,
    ) -> Result<Vec<Obligation<'r>>, ObligationError> {
        if today < self.last_date {
            return Err(ObligationError::ClocksTooLate {
                as_at: today,
                last_date: self.last_date,
            });
        }
        let rule = |c: &CachedClock| {
            rules
                .rules()
                .iter()
                .find(|r| r.duty == c.duty && r.effective_from == c.rule_from)
                .ok_or(ObligationError::UnknownRule {
                    duty: c.duty,
                    effective_from: c.rule_from,
                })
        };
        let running = |c: &CachedClock| -> Result<Running<'r>, ObligationError> {
            Ok(Running {
                duty: c.duty,
                run: c.run.clone(),
                rule: rule(c)?,
                started: c.started,
                event: c.event.clone(),
                due: match c.due {
                    CachedDue::On(day) => Due::On(day),
                    CachedDue::At(moment) => Due::At(moment),
                },
                lapses: c.lapses,
            })
        };
        let mut clocks = Clocks {
            running: self.running.iter().map(running).collect::<Result<_, _>>()?,
            stopped: Vec::with_capacity(self.met_late.len() + self.running.len()),
            ..Clocks::new(rules, calendar)
        };
        for c in &self.met_late {
            let Some((by, on, working_days_late)) = c.met_late.clone() else {
                continue;
            };
            let status = Status::MetLate {
                by,
                on,
                working_days_late,
            };
            let stopped = clocks.obligation(running(c)?, status);
            clocks.stopped.push(stopped);
        }
        clocks.lapse(today)?;
        Ok(of_child(child, clocks.finish(today)?))
    }
}

const ASSESSMENTS: [Duty; 3] = [
    Duty::InitialAssessment,
    Duty::CoreAssessment,
    Duty::Assessment,
];
/// Duties that last only while a child protection plan is planned or open.
const PROTECTION: [Duty; 4] = [
    Duty::FirstCoreGroup,
    Duty::FirstReviewConference,
    Duty::LaterReviewConference,
    Duty::ChildProtectionVisit,
];
const LOOKED_AFTER_REVIEWS: [Duty; 3] = [
    Duty::FirstLookedAfterReview,
    Duty::SecondLookedAfterReview,
    Duty::LaterLookedAfterReview,
];
const HEALTH_ASSESSMENTS: [Duty; 3] = [
    Duty::InitialHealthAssessment,
    Duty::ReviewHealthAssessmentUnderFive,
    Duty::ReviewHealthAssessment,
];
const PLACEMENT_VISITS: [Duty; 3] = [
    Duty::FirstPlacementVisit,
    Duty::PlacementVisit,
    Duty::LongTermPlacementVisit,
];
const PARTNER_CHECKS: [Duty; 3] = [
    Duty::PartnerCheckRed,
    Duty::PartnerCheckAmber,
    Duty::PartnerCheckGreen,
];

/// Which run of a duty a clock belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
enum Run {
    Child,
    Contact(ContactId),
    PartnerCheck(ContactId, Agency),
}

impl Run {
    /// The contact a front-door clock runs for.
    fn contact(&self) -> Option<&ContactId> {
        match self {
            Run::Child => None,
            Run::Contact(c) | Run::PartnerCheck(c, _) => Some(c),
        }
    }
}

/// A clock that has started and not stopped.
struct Running<'r> {
    duty: Duty,
    run: Run,
    rule: &'r Rule,
    started: OccurredAt,
    event: EventId,
    due: Due,
    /// The day the duty stops applying without any event.
    lapses: Option<Date>,
}

/// How a running clock stops.
#[derive(Clone, Copy)]
enum Stop<'e> {
    Met(&'e Event),
    Ended(&'e Event),
}

/// A clock that has stopped (or, once the clocks finish, stands open or overdue): an
/// obligation before it is said whose it is, a child's or a contact's.
struct Stopped<'r> {
    duty: Duty,
    run: Run,
    rule: &'r Rule,
    started: OccurredAt,
    event: EventId,
    due: Due,
    status: Status,
}

struct Clocks<'a, 'r> {
    rules: &'r RuleSet,
    calendar: &'a WorkingCalendar,
    running: Vec<Running<'r>>,
    stopped: Vec<Stopped<'r>>,
    /// Looked-after reviews held in the current period of care.
    reviews: u32,
}

impl<'a, 'r> Clocks<'a, 'r> {
    fn new(rules: &'r RuleSet, calendar: &'a WorkingCalendar) -> Self {
        Clocks {
            rules,
            calendar,
            running: Vec::new(),
            stopped: Vec::new(),
            reviews: 0,
        }
    }

    /// Start and stop clocks as an event on a contact's own journey says; `state` is the
    /// contact with the event applied. The decision is met once the contact is decided
    /// (every linked child, or the whole contact), which also ends the checks still
    /// awaited.
    fn follow_contact(
        &mut self,
        event: &Event,
        state: &ContactState,
    ) -> Result<(), ObligationError> {
        use EventData as E;
        match &event.data {
            E::ContactReceived(c) => self.received(&c.contact, event),
            E::PartnerCheckRequested(c) => self.check_requested(c, event),
            E::PartnerCheckReturned(c) => self.check_returned(c, event),
            E::ContactDecided(c) if state.status() == ContactStatus::Decided => {
                self.decided(&c.contact, event)
            }
            _ => Ok(()),
        }
    }

    fn received(&mut self, contact: &ContactId, event: &Event) -> Result<(), ObligationError> {
        self.start(Duty::ContactDecision, Run::Contact(contact.clone()), event)
    }

    fn check_requested(&mut self, c: &PartnerCheck, event: &Event) -> Result<(), ObligationError> {
        let duty = match c.rag {
            Rag::Red => Duty::PartnerCheckRed,
            Rag::Amber => Duty::PartnerCheckAmber,
            Rag::Green => Duty::PartnerCheckGreen,
        };
        self.start(duty, Run::PartnerCheck(c.contact.clone(), c.agency), event)
    }

    fn check_returned(&mut self, c: &PartnerCheck, event: &Event) -> Result<(), ObligationError> {
        let run = Run::PartnerCheck(c.contact.clone(), c.agency);
        self.meet(&PARTNER_CHECKS, &run, event)
    }

    fn decided(&mut self, contact: &ContactId, event: &Event) -> Result<(), ObligationError> {
        self.meet(
            &[Duty::ContactDecision],
            &Run::Contact(contact.clone()),
            event,
        )?;
        // Checks still awaited no longer inform a decision.
        self.stop(
            |r| matches!(&r.run, Run::PartnerCheck(c, _) if c == contact),
            Stop::Ended(event),
        )
    }

    /// Start and stop clocks as `event` says; `state` is the child's state with the event
    /// applied.
    fn follow(&mut self, event: &Event, state: &ChildState) -> Result<(), ObligationError> {
        use Duty as D;
        use EventData as E;
        match &event.data {
            E::ContactReceived(c) => self.received(&c.contact, event)?,
            E::PartnerCheckRequested(c) => self.check_requested(c, event)?,
            E::PartnerCheckReturned(c) => self.check_returned(c, event)?,
            E::ContactDecided(c) => self.decided(&c.contact, event)?,
            E::ReferralAccepted(_) => {
                // Only one of the two is in force on any day (the single assessment
                // replaced the initial assessment on 15 April 2013).
                self.start(D::InitialAssessment, Run::Child, event)?;
                self.start(D::Assessment, Run::Child, event)?;
            }
            // The journey does not say which kind of assessment this is: under the
            // pre-2013 rules the first in an episode is the initial assessment (its clock
            // started at the referral) and a later one a core assessment.
            E::AssessmentStarted(_)
                if state
                    .cin
                    .as_ref()
                    .is_some_and(|cin| cin.last_assessment_completed.is_some()) =>
            {
                self.start(D::CoreAssessment, Run::Child, event)?;
            }
            E::AssessmentCompleted(_) => self.meet(&ASSESSMENTS, &Run::Child, event)?,
            E::CinClosed(_) => self.stop(
                |r| {
                    ASSESSMENTS.contains(&r.duty)
                        || r.duty == D::InitialChildProtectionConference
                        || PROTECTION.contains(&r.duty)
                },
                Stop::Ended(event),
            )?,
            // A child already on a plan cannot have an initial conference (the journey
            // refuses one), so no clock starts for it.
            E::StrategyDiscussion(s) if s.s47 && state.cp_plan.is_none() => {
                self.start(D::InitialChildProtectionConference, Run::Child, event)?;
            }
            E::S47Completed(s) if !s.icpc_required => self.stop(
                |r| r.duty == D::InitialChildProtectionConference,
                Stop::Ended(event),
            )?,
            E::IcpcHeld(i) => {
                self.meet(&[D::InitialChildProtectionConference], &Run::Child, event)?;
                if i.plan {
                    self.start(D::FirstCoreGroup, Run::Child, event)?;
                    self.start(D::FirstReviewConference, Run::Child, event)?;
                }
            }
            E::CpPlanStarted(_) => self.start(D::ChildProtectionVisit, Run::Child, event)?,
            E::CoreGroupHeld(_) => self.meet(&[D::FirstCoreGroup], &Run::Child, event)?,
            E::CpReviewHeld(r) => {
                let reviews = [D::FirstReviewConference, D::LaterReviewConference];
                self.meet(&reviews, &Run::Child, event)?;
                if r.continue_plan {
                    self.start(D::LaterReviewConference, Run::Child, event)?;
                }
            }
            E::CpPlanEnded(_) => {
                self.stop(|r| PROTECTION.contains(&r.duty), Stop::Ended(event))?;
            }
            // A visit counts only if the child was seen.
            E::Visit(v) if v.seen => {
                if state.cp_plan.is_some() {
                    self.meet(&[D::ChildProtectionVisit], &Run::Child, event)?;
                    self.start(D::ChildProtectionVisit, Run::Child, event)?;
                }
                let placement = state
                    .looked_after
                    .as_ref()
                    .and_then(|la| la.placement.as_ref());
                if let Some(placement) = placement {
                    self.meet(&PLACEMENT_VISITS, &Run::Child, event)?;
                    let next = next_placement_visit(placement, event.date());
                    self.start(next, Run::Child, event)?;
                }
            }
            E::LookedAfterStarted(_) => {
                self.reviews = 0;
                self.start(D::FirstLookedAfterReview, Run::Child, event)?;
                self.start(D::InitialHealthAssessment, Run::Child, event)?;
                // The rule data carries no age range. PEPs are kept for children in
                // early education or school, so the duty is taken to apply from the
                // third birthday (as the synthetic data records them).
                if birthday(state, 3).is_some_and(|third| event.date() >= third) {
                    self.start(D::PersonalEducationPlan, Run::Child, event)?;
                }
            }
            E::PlacementStarted(_) => self.start(D::FirstPlacementVisit, Run::Child, event)?,
            E::PlacementEnded(_) => {
                self.stop(|r| PLACEMENT_VISITS.contains(&r.duty), Stop::Ended(event))?;
            }
            E::ClaReviewHeld(_) => {
                self.meet(&LOOKED_AFTER_REVIEWS, &Run::Child, event)?;
                self.reviews += 1;
                let next = if self.reviews == 1 {
                    D::SecondLookedAfterReview
                } else {
                    D::LaterLookedAfterReview
                };
                self.start(next, Run::Child, event)?;
            }
            E::HealthAssessment(_) => {
                self.meet(&HEALTH_ASSESSMENTS, &Run::Child, event)?;
                let next = if birthday(state, 5).is_some_and(|fifth| event.date() < fifth) {
                    D::ReviewHealthAssessmentUnderFive
                } else {
                    D::ReviewHealthAssessment
                };
                self.start(next, Run::Child, event)?;
            }
            E::PepReviewed(_) => self.meet(&[D::PersonalEducationPlan], &Run::Child, event)?,
            E::LookedAfterEnded(_) => self.stop(
                |r| {
                    LOOKED_AFTER_REVIEWS.contains(&r.duty)
                        || HEALTH_ASSESSMENTS.contains(&r.duty)
                        || PLACEMENT_VISITS.contains(&r.duty)
                        || r.duty == D::PersonalEducationPlan
                },
                Stop::Ended(event),
            )?,
            E::PathwayPlanReviewed(_) => {
                self.meet(&[D::PathwayPlanReview], &Run::Child, event)?;
                // Pathway plans are kept until 21; beyond that only for a young person
                // in education or training, or on request (Children Act 1989 s23C,
                // s23CA), which the journey does not record.
                let twenty_first = birthday(state, 21);
                if twenty_first.is_none_or(|day| event.date() < day) {
                    self.start_lapsing(D::PathwayPlanReview, Run::Child, event, twenty_first)?;
                }
            }
            E::Unallocated(_) if social_work_open(state) => {
                self.start(D::UnallocatedCase, Run::Child, event)?;
            }
            E::Allocated(_) => self.meet(&[D::UnallocatedCase], &Run::Child, event)?,
            E::PersonAmended(a) if a.changes.date_of_death.is_some() => {
                self.stop(|_| true, Stop::Ended(event))?;
            }
            _ => {}
        }
        // A closed case needs no social worker.
        if !social_work_open(state) {
            self.stop(|r| r.duty == D::UnallocatedCase, Stop::Ended(event))?;
        }
        Ok(())
    }

    fn start(&mut self, duty: Duty, run: Run, event: &Event) -> Result<(), ObligationError> {
        self.start_lapsing(duty, run, event, None)
    }

    fn start_lapsing(
        &mut self,
        duty: Duty,
        run: Run,
        event: &Event,
        lapses: Option<Date>,
    ) -> Result<(), ObligationError> {
        let Some(rule) = self.rules.in_force(duty, event.date()) else {
            return Ok(());
        };
        if self.running.iter().any(|r| r.duty == duty && r.run == run) {
            return Ok(());
        }
        let due = rule
            .due(event.occurred_at, self.calendar)
            .map_err(|source| ObligationError::Deadline {
                event: event.id.clone(),
                source,
            })?;
        self.running.push(Running {
            duty,
            run,
            rule,
            started: event.occurred_at,
            event: event.id.clone(),
            due,
            lapses,
        });
        Ok(())
    }

    fn meet(&mut self, duties: &[Duty], run: &Run, event: &Event) -> Result<(), ObligationError> {
        self.stop(
            |r| duties.contains(&r.duty) && r.run == *run,
            Stop::Met(event),
        )
    }

    /// Stop the running clocks that `which` picks.
    fn stop(
        &mut self,
        which: impl Fn(&Running<'r>) -> bool,
        how: Stop<'_>,
    ) -> Result<(), ObligationError> {
        let (stopping, running) = std::mem::take(&mut self.running)
            .into_iter()
            .partition(|r| which(r));
        self.running = running;
        for r in stopping {
            let status = match how {
                Stop::Met(e) => match self.late(&r, e.occurred_at)? {
                    None => Status::Met {
                        by: e.id.clone(),
                        on: e.occurred_at,
                    },
                    Some(working_days_late) => Status::MetLate {
                        by: e.id.clone(),
                        on: e.occurred_at,
                        working_days_late,
                    },
                },
                Stop::Ended(e) => Status::Ended {
                    by: Some(e.id.clone()),
                    on: e.occurred_at,
                    overdue_working_days: self.late(&r, e.occurred_at)?,
                },
            };
            self.stopped.push(self.obligation(r, status));
        }
        Ok(())
    }

    /// End the duties that lapse on or before `day`.
    fn lapse(&mut self, day: Date) -> Result<(), ObligationError> {
        let mut running = Vec::with_capacity(self.running.len());
        for r in std::mem::take(&mut self.running) {
            match r.lapses.filter(|&end| end <= day) {
                Some(end) => {
                    let on = OccurredAt::on(end);
                    let status = Status::Ended {
                        by: None,
                        on,
                        overdue_working_days: self.late(&r, on)?,
                    };
                    self.stopped.push(self.obligation(r, status));
                }
                None => running.push(r),
            }
        }
        self.running = running;
        Ok(())
    }

    /// Every obligation, the clocks still running given their standing as at `today`.
    fn finish(mut self, today: Date) -> Result<Vec<Stopped<'r>>, ObligationError> {
        for r in std::mem::take(&mut self.running) {
            let status = match self.late(&r, OccurredAt::on(today))? {
                None => Status::Open,
                Some(working_days) => Status::Overdue { working_days },
            };
            self.stopped.push(self.obligation(r, status));
        }
        let mut all = self.stopped;
        all.sort_by_key(|o| (o.started, o.duty));
        Ok(all)
    }

    /// Working days past the due date at `at`, if it is past.
    fn late(&self, r: &Running<'r>, at: OccurredAt) -> Result<Option<i64>, ObligationError> {
        if !r.due.missed_by(at) {
            return Ok(None);
        }
        self.calendar
            .working_days_between(r.due.date(), at.date)
            .map(Some)
            .map_err(|e| ObligationError::Deadline {
                event: r.event.clone(),
                source: e.into(),
            })
    }

    fn obligation(&self, r: Running<'r>, status: Status) -> Stopped<'r> {
        Stopped {
            duty: r.duty,
            run: r.run,
            rule: r.rule,
            started: r.started,
            event: r.event,
            due: r.due,
            status,
        }
    }
}

/// After the first year of a placement meant to last until 18, visits may be
/// three-monthly; otherwise six-weekly (Care Planning Regulations 2010, reg 28).
fn next_placement_visit(placement: &Placement, day: Date) -> Duty {
    let settled = placement.placement_type.is_long_term()
        && placement
            .started
            .checked_add(1.year())
            .is_ok_and(|a_year_on| day >= a_year_on);
    if settled {
        Duty::LongTermPlacementVisit
    } else {
        Duty::PlacementVisit
    }
}

/// The day the child turns `years`, if their date of birth is known. Born on 29
/// February: 1 March in a common year, as `people::age_in_years` counts.
pub(crate) fn birthday(state: &ChildState, years: i16) -> Option<Date> {
    let born = state.details.as_ref()?.date_of_birth?;
    let year = born.year().checked_add(years)?;
    Date::new(year, born.month(), born.day())
        .or_else(|_| Date::new(year, 3, 1))
        .ok()
}

/// Whether the child has a social work case open: the cases the unallocated-case rule
/// is about (Kent's "no child in need case unallocated", which takes in protection
/// plans and children in care). Early help has its lead practitioner and a care leaver
/// a personal adviser, so neither counts as a case without a social worker.
fn social_work_open(state: &ChildState) -> bool {
    state.cin.is_some() || state.cp_plan.is_some() || state.looked_after.is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::bank_holidays;
    use crate::codes::*;
    use crate::event::*;
    use crate::ids::{Actor, ReferralId, Subject, TeamId, WorkerId};
    use crate::journey::Problem;
    use crate::people::{Name, PersonChanges, PersonDetails};
    use crate::timescales::{Clock, Source, SourceKind};
    use Duty as D;
    use jiff::Timestamp;
    use proptest::prelude::*;
    use std::sync::OnceLock;

    fn local(duty: Duty, clock: Clock, within: &str) -> Rule {
        Rule {
            duty,
            clock,
            within: within.parse().unwrap(),
            source: Source {
                kind: SourceKind::LocalPolicy,
                title: String::from("Testshire practice standards"),
            },
            effective_from: day("2012-01-01"),
            effective_to: None,
        }
    }

    /// The national rules and a preset's local policy.
    fn rules() -> &'static RuleSet {
        static RULES: OnceLock<RuleSet> = OnceLock::new();
        RULES.get_or_init(|| {
            let local = [
                local(
                    D::ChildProtectionVisit,
                    Clock::ChildProtectionVisit,
                    "10 working days",
                ),
                local(D::UnallocatedCase, Clock::Unallocated, "28 days"),
                local(D::PartnerCheckRed, Clock::PartnerCheckRequested, "4 hours"),
                local(
                    D::PartnerCheckAmber,
                    Clock::PartnerCheckRequested,
                    "24 hours",
                ),
                local(
                    D::PartnerCheckGreen,
                    Clock::PartnerCheckRequested,
                    "72 hours",
                ),
            ];
            RuleSet::national().unwrap().with_local(&local).unwrap()
        })
    }

    fn cal() -> &'static WorkingCalendar {
        WorkingCalendar::england_and_wales().unwrap()
    }

    fn day(text: &str) -> Date {
        text.parse().unwrap()
    }

    fn at(text: &str) -> OccurredAt {
        OccurredAt::parse(text).unwrap()
    }

    /// A child's journey, written in journal order.
    #[derive(Clone)]
    struct Journey {
        child: ChildId,
        events: Vec<Event>,
    }

    impl Journey {
        fn born(on: &str) -> Journey {
            let mut j = Journey {
                child: ChildId::parse("C1").unwrap(),
                events: Vec::new(),
            };
            let details = PersonDetails {
                name: Name {
                    given: String::from("Test"),
                    family: String::from("Child"),
                },
                date_of_birth: Some(day(on)),
                expected_date_of_birth: None,
                sex: Sex::Female,
                ethnicity: Ethnicity::Wbri,
                disabilities: vec![],
                nhs_number: None,
                upn: None,
                address: None,
            };
            j.add(
                on,
                EventData::PersonRegistered(PersonRegistered {
                    adult: None,
                    family: None,
                    details,
                }),
            );
            j
        }

        fn add(&mut self, when: &str, data: EventData) -> EventId {
            let id = EventId::parse(&format!("e{}", self.events.len() + 1)).unwrap();
            self.events.push(Event {
                id: id.clone(),
                subject: Subject::Child(self.child.clone()),
                occurred_at: at(when),
                recorded_at: Timestamp::UNIX_EPOCH,
                recorded_by: Actor::parse("test").unwrap(),
                data,
            });
            id
        }

        fn as_at(&self, today: &str) -> Vec<Obligation<'static>> {
            obligations(&self.child, &self.events, rules(), cal(), day(today)).unwrap()
        }

        /// The due clocks of the whole journey, as the cache stores them.
        fn clocks(&self) -> DueClocks {
            let clocks = due_clocks(&self.child, &self.events, rules(), cal()).unwrap();
            serde_json::from_str(&serde_json::to_string(&clocks.unwrap()).unwrap()).unwrap()
        }
    }

    type Row = (Duty, OccurredAt, Due, Status);

    /// The obligations for `duties`, in order of clock start.
    fn of(obligations: &[Obligation], duties: &[Duty]) -> Vec<Row> {
        obligations
            .iter()
            .filter(|o| duties.contains(&o.duty))
            .map(|o| (o.duty, o.clock_started, o.due, o.status.clone()))
            .collect()
    }

    /// A row due on a day.
    fn row(duty: Duty, started: &str, due: &str, status: Status) -> Row {
        (duty, at(started), Due::On(day(due)), status)
    }

    fn met(by: &EventId, on: &str) -> Status {
        Status::Met {
            by: by.clone(),
            on: at(on),
        }
    }

    fn late(by: &EventId, on: &str, working_days_late: i64) -> Status {
        Status::MetLate {
            by: by.clone(),
            on: at(on),
            working_days_late,
        }
    }

    fn ended(by: &EventId, on: &str, overdue_working_days: Option<i64>) -> Status {
        Status::Ended {
            by: Some(by.clone()),
            on: at(on),
            overdue_working_days,
        }
    }

    fn overdue(working_days: i64) -> Status {
        Status::Overdue { working_days }
    }

    // Event payloads.

    fn contact(id: &str) -> EventData {
        EventData::ContactReceived(ContactReceived::new(
            ContactId::parse(id).unwrap(),
            ReferralSource::Police,
        ))
    }

    fn decided(id: &str) -> EventData {
        EventData::ContactDecided(ContactDecided::new(
            ContactId::parse(id).unwrap(),
            ContactOutcome::Referral,
            None,
        ))
    }

    fn check(id: &str, agency: Agency, rag: Rag) -> PartnerCheck {
        PartnerCheck::new(ContactId::parse(id).unwrap(), agency, rag)
    }

    fn referral(id: &str) -> EventData {
        EventData::ReferralAccepted(ReferralAccepted {
            referral: ReferralId::parse(id).unwrap(),
            contact: None,
            source: ReferralSource::Police,
            primary_need: PrimaryNeed::AbuseOrNeglect,
        })
    }

    fn assessment_started() -> EventData {
        EventData::AssessmentStarted(Default::default())
    }

    fn assessment_completed() -> EventData {
        EventData::AssessmentCompleted(AssessmentCompleted {
            factors: vec![],
            services_needed: true,
            child_seen: None,
        })
    }

    fn cin_closed() -> EventData {
        EventData::CinClosed(CinClosed {
            reason: ReasonForClosure::ServicesCeased,
        })
    }

    fn strategy() -> EventData {
        EventData::StrategyDiscussion(StrategyDiscussion { s47: true })
    }

    fn s47_completed(icpc_required: bool) -> EventData {
        EventData::S47Completed(S47Completed { icpc_required })
    }

    fn icpc(plan: bool) -> EventData {
        EventData::IcpcHeld(IcpcHeld { plan })
    }

    fn cp_plan() -> EventData {
        EventData::CpPlanStarted(CpCategory {
            category: CategoryOfAbuse::Neglect,
        })
    }

    fn cp_review(continue_plan: bool) -> EventData {
        EventData::CpReviewHeld(CpReviewHeld { continue_plan })
    }

    fn visit(seen: bool) -> EventData {
        EventData::Visit(Visit {
            worker: WorkerId::parse("W1").unwrap(),
            seen,
            seen_alone: false,
        })
    }

    fn looked_after() -> EventData {
        EventData::LookedAfterStarted(LookedAfterStarted {
            legal_status: LegalStatus::Section20,
            category_of_need: PrimaryNeed::AbuseOrNeglect,
            uasc: false,
            previous_permanence: None,
        })
    }

    fn placement(placement_type: PlacementType) -> EventData {
        EventData::PlacementStarted(PlacementStarted {
            placement_type,
            provider: PlacementProvider::OwnLa,
            postcode: None,
            urn: None,
            weekly_cost: None,
            same_carers: None,
        })
    }

    fn la_review() -> EventData {
        EventData::ClaReviewHeld(ClaReviewHeld {
            participation: ReviewParticipation::SpeaksForSelf,
        })
    }

    fn looked_after_ended() -> EventData {
        EventData::LookedAfterEnded(LookedAfterEnded {
            reason: ReasonCeased::ReturnedHomePlanned,
        })
    }

    fn allocated() -> EventData {
        EventData::Allocated(Allocated {
            worker: WorkerId::parse("W1").unwrap(),
            team: TeamId::parse("T1").unwrap(),
            reason: None,
        })
    }

    #[test]
    fn contact_decisions_across_christmas_and_easter() {
        let mut j = Journey::born("2010-06-01");
        // Before Working Together 2013 there was no rule, so no obligation.
        j.add("2012-06-01", contact("K0"));
        let k1 = j.add("2025-04-17T14:00", contact("K1"));
        let k1_decided = j.add("2025-04-22T10:00", decided("K1"));
        j.add("2025-12-19T16:30", contact("K2"));
        let k2_decided = j.add("2025-12-22", decided("K2"));
        j.add("2025-12-24", contact("K3"));
        let k3_decided = j.add("2025-12-30", decided("K3"));
        j.add("2026-12-24", contact("K4"));
        let obs = j.as_at("2027-01-04");
        assert_eq!(
            of(&obs, &[D::ContactDecision]),
            vec![
                // Maundy Thursday: Good Friday and Easter Monday do not count.
                row(
                    D::ContactDecision,
                    "2025-04-17T14:00",
                    "2025-04-22",
                    met(&k1_decided, "2025-04-22T10:00")
                ),
                row(
                    D::ContactDecision,
                    "2025-12-19T16:30",
                    "2025-12-22",
                    met(&k2_decided, "2025-12-22")
                ),
                // Christmas Eve: due Monday 29th, decided a working day late.
                row(
                    D::ContactDecision,
                    "2025-12-24",
                    "2025-12-29",
                    late(&k3_decided, "2025-12-30", 1)
                ),
                // 2026: Boxing Day's substitute is Monday 28th; overdue on 30th, 31st
                // December and 4 January (New Year's Day does not count).
                row(D::ContactDecision, "2026-12-24", "2026-12-29", overdue(3)),
            ]
        );
        assert_eq!(obs[0].clock_event, k1);
        assert!(obs.iter().all(|o| o.child.as_ref() == Some(&j.child)));
    }

    /// A contact's own journey, written in journal order.
    struct ContactJourney {
        contact: ContactId,
        events: Vec<Event>,
    }

    impl ContactJourney {
        fn received(id: &str, on: &str) -> ContactJourney {
            let mut j = ContactJourney {
                contact: ContactId::parse(id).unwrap(),
                events: Vec::new(),
            };
            let intake = crate::contact::tests::intake();
            j.add(
                on,
                EventData::ContactReceived(ContactReceived {
                    intake: Some(Box::new(intake)),
                    ..ContactReceived::new(ContactId::parse(id).unwrap(), ReferralSource::Police)
                }),
            );
            j
        }

        fn add(&mut self, when: &str, data: EventData) -> EventId {
            let id = EventId::parse(&format!("k{}", self.events.len() + 1)).unwrap();
            self.events.push(Event {
                id: id.clone(),
                subject: Subject::Contact(self.contact.clone()),
                occurred_at: at(when),
                recorded_at: Timestamp::UNIX_EPOCH,
                recorded_by: Actor::parse("test").unwrap(),
                data,
            });
            id
        }

        fn link(&mut self, when: &str) {
            self.add(
                when,
                EventData::PersonLinked(PersonLinked {
                    given: 0,
                    person: crate::ids::PersonRef::parse("child:C1").unwrap(),
                    created: false,
                    weight: None,
                    model: None,
                }),
            );
        }

        fn as_at(&self, today: &str) -> Vec<Row> {
            contact_obligations(&self.contact, &self.events, rules(), cal(), day(today))
                .unwrap()
                .into_iter()
                .inspect(|o| assert_eq!(o.contact, self.contact))
                .map(|o| (o.duty, o.clock_started, o.due, o.status))
                .collect()
        }
    }

    fn decided_for(id: &str, child: Option<&str>) -> EventData {
        EventData::ContactDecided(ContactDecided {
            child: child.map(|c| ChildId::parse(c).unwrap()),
            ..ContactDecided::new(
                ContactId::parse(id).unwrap(),
                ContactOutcome::Referral,
                None,
            )
        })
    }

    #[test]
    fn a_contacts_decision_across_easter_and_christmas() {
        // Received on Maundy Thursday 2025, decided the Tuesday after Easter: on time.
        let mut easter = ContactJourney::received("K1", "2025-04-17T14:00");
        easter.link("2025-04-17T15:00");
        let decision = easter.add("2025-04-22T10:00", decided_for("K1", Some("C1")));
        assert_eq!(
            easter.as_at("2025-04-30"),
            vec![row(
                D::ContactDecision,
                "2025-04-17T14:00",
                "2025-04-22",
                met(&decision, "2025-04-22T10:00")
            )]
        );
        // Received on Christmas Eve 2026: due Tuesday 29 December (Boxing Day's
        // substitute is Monday 28th); still open then, overdue on 4 January by three
        // working days (30th, 31st and 4th: New Year's Day does not count).
        let christmas = ContactJourney::received("K2", "2026-12-24T16:00");
        let open = row(
            D::ContactDecision,
            "2026-12-24T16:00",
            "2026-12-29",
            Status::Open,
        );
        assert_eq!(christmas.as_at("2026-12-29"), vec![open]);
        assert_eq!(
            christmas.as_at("2027-01-04"),
            vec![row(
                D::ContactDecision,
                "2026-12-24T16:00",
                "2026-12-29",
                overdue(3)
            )]
        );
    }

    #[test]
    fn a_contact_is_decided_when_every_linked_child_is() {
        let mut j = ContactJourney::received("K1", "2025-12-22T09:00");
        j.link("2025-12-22T09:30");
        j.add(
            "2025-12-22T09:40",
            EventData::PersonLinked(PersonLinked {
                given: 1,
                person: crate::ids::PersonRef::parse("child:C2").unwrap(),
                created: false,
                weight: None,
                model: None,
            }),
        );
        j.add("2025-12-22T10:00", decided_for("K1", Some("C1")));
        let open = row(
            D::ContactDecision,
            "2025-12-22T09:00",
            "2025-12-23",
            Status::Open,
        );
        assert_eq!(j.as_at("2025-12-22"), vec![open]);
        // The second child is decided after Christmas: the decision was late.
        let second = j.add("2025-12-29T11:00", decided_for("K1", Some("C2")));
        assert_eq!(
            j.as_at("2025-12-31"),
            vec![row(
                D::ContactDecision,
                "2025-12-22T09:00",
                "2025-12-23",
                late(&second, "2025-12-29T11:00", 2)
            )]
        );
    }

    #[test]
    fn a_contacts_partner_checks_in_hours_through_easter() {
        let mut j = ContactJourney::received("K1", "2025-04-17T14:00");
        j.link("2025-04-17T14:30");
        for (agency, rag) in [
            (Agency::Police, Rag::Red),
            (Agency::Health, Rag::Amber),
            (Agency::Education, Rag::Green),
        ] {
            j.add(
                "2025-04-17T15:00",
                EventData::PartnerCheckRequested(check("K1", agency, rag)),
            );
        }
        let police = j.add(
            "2025-04-17T18:30",
            EventData::PartnerCheckReturned(check("K1", Agency::Police, Rag::Red)),
        );
        let health = j.add(
            "2025-04-22T09:00",
            EventData::PartnerCheckReturned(check("K1", Agency::Health, Rag::Amber)),
        );
        let decision = j.add("2025-04-22T10:00", decided_for("K1", Some("C1")));
        let moment = |t: &str| Due::At(t.parse().unwrap());
        let checks: Vec<Row> = j
            .as_at("2025-04-30")
            .into_iter()
            .filter(|(duty, ..)| PARTNER_CHECKS.contains(duty))
            .collect();
        assert_eq!(
            checks,
            vec![
                (
                    D::PartnerCheckRed,
                    at("2025-04-17T15:00"),
                    moment("2025-04-17T19:00"),
                    met(&police, "2025-04-17T18:30"),
                ),
                (
                    D::PartnerCheckAmber,
                    at("2025-04-17T15:00"),
                    moment("2025-04-18T15:00"),
                    late(&health, "2025-04-22T09:00", 1),
                ),
                (
                    D::PartnerCheckGreen,
                    at("2025-04-17T15:00"),
                    moment("2025-04-20T15:00"),
                    ended(&decision, "2025-04-22T10:00", Some(1)),
                ),
            ]
        );
        // A green check asked at Christmas is due in 72 clock hours, on Boxing Day,
        // and is overdue by the first working day after it.
        let mut xmas = ContactJourney::received("K2", "2025-12-24T10:00");
        xmas.add(
            "2025-12-24T11:00",
            EventData::PartnerCheckRequested(check("K2", Agency::Police, Rag::Green)),
        );
        let rows: Vec<Row> = xmas
            .as_at("2025-12-29")
            .into_iter()
            .filter(|(duty, ..)| PARTNER_CHECKS.contains(duty))
            .collect();
        assert_eq!(
            rows,
            vec![(
                D::PartnerCheckGreen,
                at("2025-12-24T11:00"),
                moment("2025-12-27T11:00"),
                overdue(1),
            )]
        );
    }

    #[test]
    fn a_front_door_duty_names_its_contact_on_the_list_and_in_the_cache() {
        let mut j = Journey::born("2010-06-01");
        j.add("2025-04-17T14:00", contact("K1"));
        j.add(
            "2025-04-17T15:00",
            EventData::PartnerCheckRequested(check("K1", Agency::Police, Rag::Red)),
        );
        // Back late, so the cache keeps it (met late in the month).
        j.add(
            "2025-04-22T09:00",
            EventData::PartnerCheckReturned(check("K1", Agency::Police, Rag::Red)),
        );
        j.add("2025-04-23", referral("R1"));
        let k1 = ContactId::parse("K1").unwrap();
        let whose = |obs: &[Obligation]| -> Vec<(Duty, Option<ContactId>)> {
            obs.iter().map(|o| (o.duty, o.contact.clone())).collect()
        };
        let expected = vec![
            (Duty::ContactDecision, Some(k1.clone())),
            (Duty::PartnerCheckRed, Some(k1.clone())),
            (Duty::Assessment, None),
        ];
        let obs = j.as_at("2025-04-30");
        assert_eq!(whose(&obs), expected);
        assert!(obs.iter().all(|o| o.child.as_ref() == Some(&j.child)));
        let clocks = due_clocks(&j.child, &j.events, rules(), cal())
            .unwrap()
            .unwrap();
        let cached = clocks
            .finish(&j.child, rules(), cal(), day("2025-04-30"))
            .unwrap();
        assert_eq!(whose(&cached), expected);
        // A contact's own duty, listed, names the contact and no child.
        let own = ContactJourney::received("K2", "2025-04-17T14:00");
        let listed: Vec<Obligation> =
            contact_obligations(&own.contact, &own.events, rules(), cal(), day("2025-04-30"))
                .unwrap()
                .into_iter()
                .map(Obligation::from)
                .collect();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].child, None);
        assert_eq!(listed[0].contact, Some(own.contact.clone()));
    }

    #[test]
    fn partner_checks_count_clock_hours_through_easter() {
        let mut j = Journey::born("2010-06-01");
        j.add("2025-04-17T14:00", contact("K1"));
        let asks = [
            (Agency::Police, Rag::Red),
            (Agency::Health, Rag::Amber),
            (Agency::Education, Rag::Green),
        ];
        for (agency, rag) in asks {
            j.add(
                "2025-04-17T15:00",
                EventData::PartnerCheckRequested(check("K1", agency, rag)),
            );
        }
        let police = j.add(
            "2025-04-17T18:30",
            EventData::PartnerCheckReturned(check("K1", Agency::Police, Rag::Red)),
        );
        let health = j.add(
            "2025-04-22T09:00",
            EventData::PartnerCheckReturned(check("K1", Agency::Health, Rag::Amber)),
        );
        let decision = j.add("2025-04-22T10:00", decided("K1"));
        let moment = |t: &str| Due::At(t.parse().unwrap());
        let obs = j.as_at("2025-04-30");
        assert_eq!(
            of(&obs, &PARTNER_CHECKS),
            vec![
                (
                    D::PartnerCheckRed,
                    at("2025-04-17T15:00"),
                    moment("2025-04-17T19:00"),
                    met(&police, "2025-04-17T18:30"),
                ),
                // Due on Good Friday; back on the Tuesday, the first working day after.
                (
                    D::PartnerCheckAmber,
                    at("2025-04-17T15:00"),
                    moment("2025-04-18T15:00"),
                    late(&health, "2025-04-22T09:00", 1),
                ),
                // Still awaited when the contact was decided.
                (
                    D::PartnerCheckGreen,
                    at("2025-04-17T15:00"),
                    moment("2025-04-20T15:00"),
                    ended(&decision, "2025-04-22T10:00", Some(1)),
                ),
            ]
        );
    }

    #[test]
    fn the_single_assessment_across_a_leap_day_easter_and_the_year_end() {
        let mut j = Journey::born("2012-05-05");
        j.add("2024-02-01", referral("R1"));
        j.add("2024-02-01", assessment_started());
        // 45 working days from Thursday 1 February 2024: past 29 February, 31 March,
        // Good Friday (29 March) and Easter Monday (1 April), to Monday 8 April.
        let open = row(D::Assessment, "2024-02-01", "2024-04-08", Status::Open);
        assert_eq!(of(&j.as_at("2024-04-08"), &ASSESSMENTS), vec![open]);
        assert_eq!(
            of(&j.as_at("2024-04-12"), &ASSESSMENTS),
            vec![row(D::Assessment, "2024-02-01", "2024-04-08", overdue(4))]
        );
        let done = j.add("2024-04-09", assessment_completed());
        assert_eq!(
            of(&j.as_at("2024-04-12"), &ASSESSMENTS),
            vec![row(
                D::Assessment,
                "2024-02-01",
                "2024-04-08",
                late(&done, "2024-04-09", 1)
            )]
        );
    }

    #[test]
    fn assessments_met_late_met_on_the_day_and_ended() {
        let mut j = Journey::born("2012-05-05");
        // Due Monday 7 April 2025; done after Easter, nine working days late.
        j.add("2025-02-03", referral("R1"));
        j.add("2025-02-03", assessment_started());
        let first = j.add("2025-04-22", assessment_completed());
        j.add("2025-05-01", cin_closed());
        // Closed without an assessment two working days after it fell due.
        j.add("2025-06-02", referral("R2"));
        let closed = j.add("2025-08-06", cin_closed());
        // Across Christmas and New Year, done on the last day.
        j.add("2025-12-01", referral("R3"));
        j.add("2026-01-05", assessment_started());
        let third = j.add("2026-02-05", assessment_completed());
        assert_eq!(
            of(&j.as_at("2026-03-01"), &ASSESSMENTS),
            vec![
                row(
                    D::Assessment,
                    "2025-02-03",
                    "2025-04-07",
                    late(&first, "2025-04-22", 9)
                ),
                row(
                    D::Assessment,
                    "2025-06-02",
                    "2025-08-04",
                    ended(&closed, "2025-08-06", Some(2))
                ),
                row(
                    D::Assessment,
                    "2025-12-01",
                    "2026-02-05",
                    met(&third, "2026-02-05")
                ),
            ]
        );
    }

    #[test]
    fn a_referral_keeps_the_rules_of_its_day() {
        let mut j = Journey::born("2005-05-05");
        // Referral Thursday 20 December 2012: the initial assessment (7 working days)
        // skips Christmas, Boxing Day and New Year's Day to Thursday 3 January 2013.
        j.add("2012-12-20", referral("R1"));
        j.add("2012-12-20", assessment_started());
        let initial = j.add("2013-01-08", assessment_completed());
        // A second assessment in the episode is the core assessment: 35 working days.
        j.add("2013-01-08", assessment_started());
        let core = j.add("2013-02-26", assessment_completed());
        j.add("2013-03-01", cin_closed());
        // A year later the single assessment applies instead.
        j.add("2014-03-03", referral("R2"));
        j.add("2014-03-03", assessment_started());
        let single = j.add("2014-04-01", assessment_completed());
        assert_eq!(
            of(&j.as_at("2014-06-01"), &ASSESSMENTS),
            vec![
                row(
                    D::InitialAssessment,
                    "2012-12-20",
                    "2013-01-03",
                    late(&initial, "2013-01-08", 3)
                ),
                row(
                    D::CoreAssessment,
                    "2013-01-08",
                    "2013-02-26",
                    met(&core, "2013-02-26")
                ),
                // 45 working days from 3 March 2014 cross Easter (18 and 21 April) and
                // the early May bank holiday (5 May).
                row(
                    D::Assessment,
                    "2014-03-03",
                    "2014-05-08",
                    met(&single, "2014-04-01")
                ),
            ]
        );
    }

    #[test]
    fn child_protection_conferences_core_groups_and_visits() {
        let mut j = Journey::born("2016-03-03");
        j.add("2025-12-10", referral("R1"));
        // Strategy discussion Wednesday 17 December 2025: 15 working days, skipping
        // Christmas, Boxing Day and New Year's Day, is Monday 12 January 2026.
        let strategy_day = j.add("2025-12-17", strategy());
        j.add("2025-12-17", EventData::S47Started(Default::default()));
        j.add("2026-01-09", s47_completed(true));
        let conference = j.add("2026-01-14", icpc(true));
        j.add("2026-01-14", cp_plan());
        let first_visit = j.add("2026-01-23", visit(true));
        let core_group = j.add("2026-01-27", EventData::CoreGroupHeld(Default::default()));
        // Not seen: does not count as a visit.
        j.add("2026-02-05", visit(false));
        let second_visit = j.add("2026-02-09", visit(true));
        // Concerns while on the plan: no initial conference is owed.
        j.add("2026-03-02", strategy());
        let review = j.add("2026-04-14", cp_review(true));
        let obs = j.as_at("2026-10-20");
        assert_eq!(
            of(&obs, &[D::InitialChildProtectionConference]),
            vec![row(
                D::InitialChildProtectionConference,
                "2025-12-17",
                "2026-01-12",
                late(&conference, "2026-01-14", 2)
            )]
        );
        let conference_clock = obs
            .iter()
            .find(|o| o.duty == D::InitialChildProtectionConference)
            .map(|o| &o.clock_event);
        assert_eq!(conference_clock, Some(&strategy_day));
        assert_eq!(
            of(&obs, &[D::FirstCoreGroup]),
            vec![row(
                D::FirstCoreGroup,
                "2026-01-14",
                "2026-01-28",
                met(&core_group, "2026-01-27")
            )]
        );
        assert_eq!(
            of(&obs, &[D::FirstReviewConference, D::LaterReviewConference]),
            vec![
                row(
                    D::FirstReviewConference,
                    "2026-01-14",
                    "2026-04-14",
                    met(&review, "2026-04-14")
                ),
                row(
                    D::LaterReviewConference,
                    "2026-04-14",
                    "2026-10-14",
                    overdue(4)
                ),
            ]
        );
        // Every 10 working days (local policy), each from the last visit. The last is
        // overdue from 23 February to 20 October 2026: 171 weekdays less Good Friday,
        // Easter Monday and the May and August bank holidays.
        assert_eq!(
            of(&obs, &[D::ChildProtectionVisit]),
            vec![
                row(
                    D::ChildProtectionVisit,
                    "2026-01-14",
                    "2026-01-28",
                    met(&first_visit, "2026-01-23")
                ),
                row(
                    D::ChildProtectionVisit,
                    "2026-01-23",
                    "2026-02-06",
                    late(&second_visit, "2026-02-09", 1)
                ),
                row(
                    D::ChildProtectionVisit,
                    "2026-02-09",
                    "2026-02-23",
                    overdue(166)
                ),
            ]
        );
    }

    #[test]
    fn protection_duties_end_with_the_enquiry_or_the_plan() {
        let mut j = Journey::born("2016-03-03");
        j.add("2025-03-03", referral("R1"));
        j.add("2025-03-24", strategy());
        j.add("2025-03-24", EventData::S47Started(Default::default()));
        let no_conference = j.add("2025-04-01", s47_completed(false));
        j.add("2025-06-02", strategy());
        j.add("2025-06-02", EventData::S47Started(Default::default()));
        j.add("2025-06-16", s47_completed(true));
        let conference = j.add("2025-06-20", icpc(true));
        j.add("2025-06-20", cp_plan());
        let plan_ended = j.add("2025-07-01", EventData::CpPlanEnded(Empty {}));
        let obs = j.as_at("2025-12-31");
        assert_eq!(
            of(&obs, &[D::InitialChildProtectionConference]),
            vec![
                row(
                    D::InitialChildProtectionConference,
                    "2025-03-24",
                    "2025-04-14",
                    ended(&no_conference, "2025-04-01", None)
                ),
                row(
                    D::InitialChildProtectionConference,
                    "2025-06-02",
                    "2025-06-23",
                    met(&conference, "2025-06-20")
                ),
            ]
        );
        // The plan ended before anything it set was due.
        let ended_with_plan = ended(&plan_ended, "2025-07-01", None);
        assert_eq!(
            of(&obs, &PROTECTION),
            vec![
                row(
                    D::FirstCoreGroup,
                    "2025-06-20",
                    "2025-07-04",
                    ended_with_plan.clone()
                ),
                row(
                    D::FirstReviewConference,
                    "2025-06-20",
                    "2025-09-20",
                    ended_with_plan.clone()
                ),
                row(
                    D::ChildProtectionVisit,
                    "2025-06-20",
                    "2025-07-04",
                    ended_with_plan
                ),
            ]
        );
    }

    #[test]
    fn looked_after_reviews_health_education_and_visits_and_a_second_period_of_care() {
        // Five on 1 December 2025.
        let mut j = Journey::born("2020-12-01");
        // Looked after from Monday 16 December 2024: the first review and the initial
        // health assessment within 20 working days (Thursday 16 January 2025, past
        // Christmas and New Year), the PEP within 10 (Thursday 2 January).
        j.add("2024-12-16", looked_after());
        j.add("2024-12-16", placement(PlacementType::FosterOther));
        let pep = j.add("2024-12-20", EventData::PepReviewed(Default::default()));
        let v1 = j.add("2024-12-23", visit(true));
        let r1 = j.add("2025-01-15", la_review());
        let h1 = j.add(
            "2025-01-20",
            EventData::HealthAssessment(Default::default()),
        );
        let v2 = j.add("2025-02-04", visit(true));
        let moved = j.add(
            "2025-03-14",
            EventData::PlacementEnded(PlacementEnded {
                reason: ReasonPlaceChange::CarePlan,
            }),
        );
        // Due Tuesday 15 April; Good Friday and Easter Monday fall before the review.
        let r2 = j.add("2025-04-22", la_review());
        let h2 = j.add(
            "2025-07-18",
            EventData::HealthAssessment(Default::default()),
        );
        let r3 = j.add("2025-10-01", la_review());
        // Due on a Sunday; done on the Monday, now aged five.
        let h3 = j.add(
            "2026-01-19",
            EventData::HealthAssessment(Default::default()),
        );
        let left = j.add("2026-03-31", looked_after_ended());
        // Back in care: the clocks start again, reviews counted from the first.
        j.add("2026-06-01", looked_after());
        let r4 = j.add("2026-06-26", la_review());
        let obs = j.as_at("2026-07-01");
        assert_eq!(
            of(&obs, &LOOKED_AFTER_REVIEWS),
            vec![
                row(
                    D::FirstLookedAfterReview,
                    "2024-12-16",
                    "2025-01-16",
                    met(&r1, "2025-01-15")
                ),
                row(
                    D::SecondLookedAfterReview,
                    "2025-01-15",
                    "2025-04-15",
                    late(&r2, "2025-04-22", 3)
                ),
                row(
                    D::LaterLookedAfterReview,
                    "2025-04-22",
                    "2025-10-22",
                    met(&r3, "2025-10-01")
                ),
                row(
                    D::LaterLookedAfterReview,
                    "2025-10-01",
                    "2026-04-01",
                    ended(&left, "2026-03-31", None)
                ),
                row(
                    D::FirstLookedAfterReview,
                    "2026-06-01",
                    "2026-06-29",
                    met(&r4, "2026-06-26")
                ),
                row(
                    D::SecondLookedAfterReview,
                    "2026-06-26",
                    "2026-09-26",
                    Status::Open
                ),
            ]
        );
        assert_eq!(
            of(&obs, &HEALTH_ASSESSMENTS),
            vec![
                row(
                    D::InitialHealthAssessment,
                    "2024-12-16",
                    "2025-01-16",
                    late(&h1, "2025-01-20", 2)
                ),
                row(
                    D::ReviewHealthAssessmentUnderFive,
                    "2025-01-20",
                    "2025-07-20",
                    met(&h2, "2025-07-18")
                ),
                row(
                    D::ReviewHealthAssessmentUnderFive,
                    "2025-07-18",
                    "2026-01-18",
                    late(&h3, "2026-01-19", 1)
                ),
                row(
                    D::ReviewHealthAssessment,
                    "2026-01-19",
                    "2027-01-19",
                    ended(&left, "2026-03-31", None)
                ),
                row(
                    D::InitialHealthAssessment,
                    "2026-06-01",
                    "2026-06-29",
                    overdue(2)
                ),
            ]
        );
        assert_eq!(
            of(&obs, &[D::PersonalEducationPlan]),
            vec![
                row(
                    D::PersonalEducationPlan,
                    "2024-12-16",
                    "2025-01-02",
                    met(&pep, "2024-12-20")
                ),
                row(
                    D::PersonalEducationPlan,
                    "2026-06-01",
                    "2026-06-15",
                    overdue(12)
                ),
            ]
        );
        assert_eq!(
            of(&obs, &PLACEMENT_VISITS),
            vec![
                row(
                    D::FirstPlacementVisit,
                    "2024-12-16",
                    "2024-12-23",
                    met(&v1, "2024-12-23")
                ),
                row(
                    D::PlacementVisit,
                    "2024-12-23",
                    "2025-02-03",
                    late(&v2, "2025-02-04", 1)
                ),
                row(
                    D::PlacementVisit,
                    "2025-02-04",
                    "2025-03-18",
                    ended(&moved, "2025-03-14", None)
                ),
            ]
        );
    }

    #[test]
    fn visits_to_a_long_term_placement_become_three_monthly_after_a_year() {
        let mut j = Journey::born("2022-05-01");
        j.add("2023-03-01", looked_after());
        j.add("2023-03-01", placement(PlacementType::FosterLongTerm));
        // Six-weekly, each on the day it falls due; the ninth is past the first year
        // (2024 is a leap year: 8 March 2023 + 378 days is 20 March 2024).
        let mut visit_day = day("2023-03-08");
        for _ in 0..10 {
            j.add(&visit_day.to_string(), visit(true));
            visit_day = visit_day.checked_add(42.days()).unwrap();
        }
        let last = j.add("2024-06-20", visit(true));
        let obs = j.as_at("2024-12-31");
        let visits = of(&obs, &PLACEMENT_VISITS);
        assert_eq!(visits.len(), 12);
        assert_eq!(visits[0].0, D::FirstPlacementVisit);
        assert!(visits[1..10].iter().all(|v| v.0 == D::PlacementVisit));
        assert!(
            visits[..11]
                .iter()
                .all(|v| matches!(v.3, Status::Met { .. }))
        );
        assert_eq!(
            visits[10..],
            [
                row(
                    D::LongTermPlacementVisit,
                    "2024-03-20",
                    "2024-06-20",
                    met(&last, "2024-06-20")
                ),
                // Overdue from Friday 20 September to 31 December 2024: 72 weekdays
                // less Christmas Day and Boxing Day.
                row(
                    D::LongTermPlacementVisit,
                    "2024-06-20",
                    "2024-09-20",
                    overdue(70)
                ),
            ]
        );
        // A placement not meant to last stays six-weekly.
        let short = Placement {
            placement_type: PlacementType::FosterOther,
            provider: PlacementProvider::OwnLa,
            started: day("2023-03-01"),
        };
        assert_eq!(
            next_placement_visit(&short, day("2024-03-20")),
            D::PlacementVisit
        );
        // Looked after before the age of three: no PEP.
        assert!(of(&obs, &[D::PersonalEducationPlan]).is_empty());
    }

    #[test]
    fn pathway_plan_reviews_six_monthly_until_21() {
        let mut j = Journey::born("2005-03-01");
        j.add("2021-03-01", looked_after());
        j.add("2023-03-01", looked_after_ended());
        j.add(
            "2023-03-01",
            EventData::PersonalAdviserAllocated(PersonalAdviserAllocated {
                adviser: WorkerId::parse("PA1").unwrap(),
            }),
        );
        let reviewed = |j: &mut Journey, on: &str| {
            j.add(on, EventData::PathwayPlanReviewed(Default::default()))
        };
        reviewed(&mut j, "2023-08-31");
        let leap = reviewed(&mut j, "2024-02-29");
        let after_bank_holiday = reviewed(&mut j, "2024-09-02");
        let early = reviewed(&mut j, "2025-02-28");
        let rows = |last: Status| {
            vec![
                // Six months from 31 August is the leap day.
                row(
                    D::PathwayPlanReview,
                    "2023-08-31",
                    "2024-02-29",
                    met(&leap, "2024-02-29"),
                ),
                row(
                    D::PathwayPlanReview,
                    "2024-02-29",
                    "2024-08-29",
                    late(&after_bank_holiday, "2024-09-02", 2),
                ),
                row(
                    D::PathwayPlanReview,
                    "2024-09-02",
                    "2025-03-02",
                    met(&early, "2025-02-28"),
                ),
                row(D::PathwayPlanReview, "2025-02-28", "2025-08-28", last),
            ]
        };
        // Overdue from Thursday 28 August 2025: 131 weekdays to the end of February,
        // less Christmas, Boxing Day and New Year's Day.
        assert_eq!(
            of(&j.as_at("2026-02-28"), &[D::PathwayPlanReview]),
            rows(overdue(128))
        );
        // The duty lapses on the 21st birthday; a review after it starts no clock.
        reviewed(&mut j, "2026-04-01");
        let lapsed = Status::Ended {
            by: None,
            on: at("2026-03-01"),
            overdue_working_days: Some(128),
        };
        assert_eq!(
            of(&j.as_at("2026-06-01"), &[D::PathwayPlanReview]),
            rows(lapsed)
        );
    }

    /// A child referred and allocated on 3 March 2025, unallocated on 10 March and
    /// allocated again (one working day late) by the event returned.
    fn unallocated_for_a_month() -> (Journey, EventId) {
        let mut j = Journey::born("2015-01-01");
        j.add("2025-03-03", referral("R1"));
        j.add("2025-03-03", allocated());
        j.add("2025-03-10", EventData::Unallocated(Empty {}));
        let again = j.add("2025-04-08", allocated());
        (j, again)
    }

    #[test]
    fn unallocated_cases_are_flagged_until_allocated_or_closed() {
        let (mut j, again) = unallocated_for_a_month();
        j.add("2025-12-19", EventData::Unallocated(Empty {}));
        let closed = j.add("2026-01-02", cin_closed());
        // With no open work, being without a worker is no case unallocated.
        j.add("2026-02-02", allocated());
        j.add("2026-02-03", EventData::Unallocated(Empty {}));
        assert_eq!(
            of(&j.as_at("2026-03-31"), &[D::UnallocatedCase]),
            vec![
                row(
                    D::UnallocatedCase,
                    "2025-03-10",
                    "2025-04-07",
                    late(&again, "2025-04-08", 1)
                ),
                row(
                    D::UnallocatedCase,
                    "2025-12-19",
                    "2026-01-16",
                    ended(&closed, "2026-01-02", None)
                ),
            ]
        );
    }

    #[test]
    fn due_clocks_keep_what_a_list_can_show_and_name_their_rules() {
        let (mut j, again) = unallocated_for_a_month();
        j.add("2025-04-28", EventData::Unallocated(Empty {}));
        let clocks = j.clocks();
        assert_eq!(clocks.last_date, day("2025-04-28"));
        // The assessment still running, the case unallocated again, and the first spell
        // unallocated met late within the month before the last event.
        let finished = clocks
            .finish(&j.child, rules(), cal(), day("2025-05-06"))
            .unwrap();
        assert_eq!(finished, j.as_at("2025-05-06"));
        let unallocated = of(&finished, &[D::UnallocatedCase]);
        assert_eq!(unallocated[0].3, late(&again, "2025-04-08", 1));
        // Kept while a list as at the last event's day counts it: met late on 8 April,
        // it is in the month up to 7 May, not in the month up to 8 May.
        for (last, kept) in [("2025-05-07", 2), ("2025-05-08", 1)] {
            let mut edge = j.clone();
            edge.add(last, visit(false));
            let finished = edge
                .clocks()
                .finish(&edge.child, rules(), cal(), day(last))
                .unwrap();
            assert_eq!(of(&finished, &[D::UnallocatedCase]).len(), kept, "{last}");
        }
        // A month on, the met-late duty is no longer kept.
        j.add("2025-06-02", allocated());
        let clocks = j.clocks();
        let finished = clocks
            .finish(&j.child, rules(), cal(), day("2025-06-02"))
            .unwrap();
        assert_eq!(of(&finished, &[D::UnallocatedCase]).len(), 1);
        assert_eq!(of(&j.as_at("2025-06-02"), &[D::UnallocatedCase]).len(), 2);

        assert_eq!(
            clocks.finish(&j.child, rules(), cal(), day("2025-06-01")),
            Err(ObligationError::ClocksTooLate {
                as_at: day("2025-06-01"),
                last_date: day("2025-06-02"),
            })
        );
        // The unallocated-case rule is local policy, which the national rules lack.
        assert_eq!(
            clocks.finish(
                &j.child,
                RuleSet::national().unwrap(),
                cal(),
                day("2025-06-02")
            ),
            Err(ObligationError::UnknownRule {
                duty: D::UnallocatedCase,
                effective_from: day("2012-01-01"),
            })
        );
        let none: Vec<Event> = Vec::new();
        assert_eq!(due_clocks(&j.child, &none, rules(), cal()), Ok(None));
    }

    #[test]
    fn care_leavers_and_early_help_are_not_unallocated_social_work_cases() {
        let mut j = Journey::born("2005-03-01");
        j.add("2021-03-01", looked_after());
        j.add("2021-03-01", allocated());
        j.add("2023-01-02", EventData::Unallocated(Empty {}));
        let left = j.add("2023-03-01", looked_after_ended());
        j.add(
            "2023-03-01",
            EventData::PersonalAdviserAllocated(PersonalAdviserAllocated {
                adviser: WorkerId::parse("PA1").unwrap(),
            }),
        );
        j.add("2023-06-01", allocated());
        j.add("2023-06-05", EventData::Unallocated(Empty {}));
        // Overdue from 30 January: 31 January, the 20 weekdays of February 2023 and
        // 1 March are 22 working days when care ended.
        assert_eq!(
            of(&j.as_at("2023-12-31"), &[D::UnallocatedCase]),
            vec![row(
                D::UnallocatedCase,
                "2023-01-02",
                "2023-01-30",
                ended(&left, "2023-03-01", Some(22))
            )]
        );
    }

    #[test]
    fn a_childs_death_ends_every_duty() {
        let mut j = Journey::born("2024-01-10");
        j.add("2025-01-06", looked_after());
        j.add("2025-01-06", placement(PlacementType::FosterOther));
        let died = j.add(
            "2025-01-21",
            EventData::PersonAmended(PersonAmended {
                adult: None,
                changes: PersonChanges {
                    date_of_death: Some(day("2025-01-20")),
                    ..PersonChanges::default()
                },
            }),
        );
        let obs = j.as_at("2025-03-31");
        let statuses: Vec<(Duty, Status)> = obs.into_iter().map(|o| (o.duty, o.status)).collect();
        assert_eq!(
            statuses,
            vec![
                (D::FirstLookedAfterReview, ended(&died, "2025-01-21", None)),
                // Due Monday 13 January.
                (D::FirstPlacementVisit, ended(&died, "2025-01-21", Some(6))),
                (D::InitialHealthAssessment, ended(&died, "2025-01-21", None)),
            ]
        );
    }

    #[test]
    fn events_after_today_are_not_seen_and_other_childrens_events_are_refused() {
        let mut j = Journey::born("2012-05-05");
        j.add("2025-12-01", referral("R1"));
        j.add("2025-12-01", assessment_started());
        j.add("2026-02-05", assessment_completed());
        let open = row(D::Assessment, "2025-12-01", "2026-02-05", Status::Open);
        assert_eq!(of(&j.as_at("2026-01-15"), &ASSESSMENTS), vec![open]);
        let stray = j.add("2026-01-10", visit(true));
        if let Some(e) = j.events.last_mut() {
            e.subject = Subject::parse("child:C2").unwrap();
        }
        let err = obligations(&j.child, &j.events, rules(), cal(), day("2026-01-15")).unwrap_err();
        match err {
            ObligationError::Journey(e) => {
                assert_eq!((e.event, e.problem), (stray, Problem::WrongSubject));
            }
            other => panic!("{other}"),
        }
    }

    #[test]
    fn an_obligation_serialises_flat_with_its_rule_and_status() {
        let mut j = Journey::born("2012-05-05");
        let referred = j.add("2025-02-03", referral("R1"));
        j.add("2025-02-03", assessment_started());
        let done = j.add("2025-04-22", assessment_completed());
        let obs = j.as_at("2025-05-01");
        let json = serde_json::to_value(&obs[0]).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "child": "C1",
                "duty": "assessment",
                "rule": {
                    "duty": "assessment",
                    "clock": "referral_accepted",
                    "within": "45 working days",
                    "source": {
                        "kind": "guidance",
                        "title": "Working Together to Safeguard Children 2013 onwards, chapter 1",
                    },
                    "effective_from": "2013-04-15",
                },
                "clock_started": "2025-02-03",
                "clock_event": referred.as_str(),
                "due": "2025-04-07",
                "status": "met_late",
                "by": done.as_str(),
                "on": "2025-04-22",
                "working_days_late": 9,
            })
        );
        let lapsed = Status::Ended {
            by: None,
            on: at("2026-03-01"),
            overdue_working_days: None,
        };
        assert_eq!(
            serde_json::to_value(&lapsed).unwrap(),
            serde_json::json!({"status": "ended", "by": null, "on": "2026-03-01", "overdue_working_days": null})
        );
        assert!(Status::Open.is_outstanding() && overdue(1).is_outstanding());
        assert!(!lapsed.is_outstanding() && !met(&done, "2025-04-22").is_outstanding());
    }

    proptest! {
        /// A referral near a bank holiday, and an assessment done `took` working days
        /// later: on time up to 45, then late by the difference; and without it, open
        /// then overdue by the same count.
        #[test]
        fn assessment_lateness_is_the_working_days_past_45(
            pick in any::<prop::sample::Index>(),
            offset in -10i64..=10,
            took in 0u32..=90,
        ) {
            let holidays: Vec<Date> = bank_holidays()
                .unwrap()
                .into_iter()
                .map(|(d, _)| d)
                .filter(|d| (2014..=2033).contains(&d.year()))
                .collect();
            let referred = pick.get(&holidays).checked_add(offset.days()).unwrap();
            let finished = cal().add_working_days(referred, took).unwrap();
            let mut j = Journey::born("2008-01-01");
            j.add(&referred.to_string(), referral("R1"));
            j.add(&referred.to_string(), assessment_started());
            let waiting = j.as_at(&finished.to_string());
            let done = j.add(&finished.to_string(), assessment_completed());
            let finished_at = OccurredAt::on(finished);
            let (expect_waiting, expect_done) = if took <= 45 {
                (Status::Open, Status::Met { by: done, on: finished_at })
            } else {
                let n = i64::from(took - 45);
                (overdue(n), Status::MetLate { by: done, on: finished_at, working_days_late: n })
            };
            prop_assert_eq!(&waiting[0].status, &expect_waiting);
            prop_assert_eq!(&j.as_at(&finished.to_string())[0].status, &expect_done);
        }
    }
}
