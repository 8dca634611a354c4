//! What an event recorded now must be, beyond fitting its journey: dated no later than
//! today, naming only workers in post and teams of the organisation as it stood on
//! the event's day, and, for a decision on a contact's journey, giving its reasons and
//! (where the authority asks for sign-off) who proposed it. Events recorded before these
//! rules (decisions on children's journeys without reasons) still fold: the rules are
//! for what is written now, not for what the journal already holds.

use crate::codes::ContactOutcome;
use crate::event::{Allocated, ContactDecided, Event, EventData, OccurredAt};
use crate::ids::{Subject, TeamId, WorkerId};
use crate::journey::{ChildState, JourneyError, Problem};
use crate::org::{History, Organisation};
use jiff::civil::Date;
use std::collections::{HashMap, HashSet};

/// The checks an event recorded now must pass beyond its journey: it happened no later
/// than today, and the workers and teams it names are those of the organisation's
/// version in force on its day, each worker in post that day. On a day no version
/// covers (or with no organisation document at all: a journal imported on its own)
/// workers and teams are not checked, as there is nothing to check them against.
///
/// Built once per set of stored versions and kept (a check costs the same however many
/// workers the authority has).
#[derive(Debug, Clone, Default)]
pub struct Recording {
    /// Each version's first day and what it knows, in date order.
    versions: Vec<(Date, Known)>,
}

/// The workers (with the days they are in post) and the teams of one version.
#[derive(Debug, Clone)]
struct Known {
    workers: HashMap<WorkerId, (Date, Option<Date>)>,
    teams: HashSet<TeamId>,
    /// The outcomes a manager signs off (`front_door.sign_off`).
    sign_off: Vec<ContactOutcome>,
}

impl Known {
    fn new(org: &Organisation) -> Known {
        let mut workers = HashMap::new();
        // The first of a repeated id wins, as `Organisation::worker` finds.
        for w in &org.workers {
            workers
                .entry(w.id.clone())
                .or_insert((w.start_date, w.end_date));
        }
        Known {
            workers,
            teams: org.teams().map(|(_, _, t)| t.id.clone()).collect(),
            sign_off: org
                .front_door
                .as_ref()
                .map(|f| f.sign_off.clone())
                .unwrap_or_default(),
        }
    }
}

impl Recording {
    pub fn new(history: &History) -> Recording {
        Recording {
            versions: history
                .versions()
                .iter()
                .map(|(from, org)| (*from, Known::new(org)))
                .collect(),
        }
    }

    /// Check `event`, recorded when it is `today` in England (the domain has no clock).
    pub fn check(&self, today: Date, event: &Event) -> Result<(), JourneyError> {
        self.check_data(today, &event.subject, event.occurred_at, &event.data)
            .map_err(|problem| JourneyError {
                event: event.id.clone(),
                kind: event.kind(),
                date: event.date(),
                problem,
            })
    }

    /// What the organisation knew on `day`, if a version was in force.
    fn on(&self, day: Date) -> Option<&Known> {
        self.versions
            .iter()
            .rev()
            .find(|(from, _)| *from <= day)
            .map(|(_, known)| known)
    }

    fn check_data(
        &self,
        today: Date,
        subject: &Subject,
        at: OccurredAt,
        data: &EventData,
    ) -> Result<(), Problem> {
        use EventData as E;
        if at.date > today {
            return Err(Problem::AfterToday(today));
        }
        let known = self.on(at.date);
        match data {
            E::Allocated(a) => {
                worker(known, &a.worker, at.date)?;
                team(known, &a.team)
            }
            E::Visit(v) => worker(known, &v.worker, at.date),
            E::AssessmentStarted(a) => a
                .worker
                .as_ref()
                .map_or(Ok(()), |w| worker(known, w, at.date)),
            E::PersonalAdviserAllocated(p) => worker(known, &p.adviser, at.date),
            // The contact's journey holds the decision as made; a child's mirror copies it.
            E::ContactDecisionProposed(d) if matches!(subject, Subject::Contact(_)) => reasons(d),
            E::ContactDecided(d) if matches!(subject, Subject::Contact(_)) => {
                reasons(d)?;
                let needs_sign_off = known.is_some_and(|k| k.sign_off.contains(&d.outcome));
                if needs_sign_off && d.proposed_by.is_none() {
                    return Err(Problem::NotSignedOff);
                }
                Ok(())
            }
            // An amendment may move an event's date, or change whom it names.
            E::EventAmended(a) => {
                let on = a.occurred_at.unwrap_or(at);
                match &a.amended {
                    Some(amended) => self.check_data(today, subject, on, amended),
                    None if on.date > today => Err(Problem::AfterToday(today)),
                    None => Ok(()),
                }
            }
            _ => Ok(()),
        }
    }
}

/// Whether `allocated`, recorded on a child whose journey folds to `state`, moves them
/// from the worker who has them to someone else. One family, one worker: stepping up or
/// down keeps the worker, so such a move is a manager's decision (the application asks
/// for `AllocateCases`), and it says why ([`check_change_of_worker`]). A first
/// allocation, or one after an unallocated spell, moves nobody.
pub fn changes_worker(state: &ChildState, allocated: &Allocated) -> bool {
    state
        .allocation
        .as_ref()
        .is_some_and(|held| held.worker != allocated.worker)
}

/// A change of worker recorded now gives its reason.
pub fn check_change_of_worker(state: &ChildState, allocated: &Allocated) -> Result<(), Problem> {
    let reason = allocated.reason.as_deref().map(str::trim);
    if changes_worker(state, allocated) && reason.is_none_or(str::is_empty) {
        return Err(Problem::ChangeOfWorkerNeedsReason);
    }
    Ok(())
}

/// A decision says why.
fn reasons(d: &ContactDecided) -> Result<(), Problem> {
    match &d.reasons {
        Some(reasons) if !reasons.trim().is_empty() => Ok(()),
        _ => Err(Problem::NoDecisionReasons),
    }
}

/// A worker of the organisation, in post on `day` (from their first day to their last,
/// both included).
fn worker(known: Option<&Known>, id: &WorkerId, day: Date) -> Result<(), Problem> {
    let Some(known) = known else { return Ok(()) };
    match known.workers.get(id) {
        None => Err(Problem::UnknownWorker(id.clone())),
        Some((start, end)) if day < *start || end.is_some_and(|end| end < day) => {
            Err(Problem::NotInPost(id.clone()))
        }
        Some(_) => Ok(()),
    }
}

fn team(known: Option<&Known>, id: &TeamId) -> Result<(), Problem> {
    match known {
        Some(known) if !known.teams.contains(id) => Err(Problem::UnknownTeam(id.clone())),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::event::Visit;
    use crate::ids::{Actor, EventId, Subject};
    use crate::org::{
        Area, Employment, FROM_THE_START, Locality, Service, Team, Worker, WorkerRole,
    };
    use jiff::civil::date;

    fn event(on: &str, data: EventData) -> Event {
        Event {
            id: EventId::parse("e1").unwrap(),
            subject: Subject::parse("child:C1").unwrap(),
            occurred_at: OccurredAt::parse(on).unwrap(),
            recorded_at: "2024-06-01T09:00:00Z".parse().unwrap(),
            recorded_by: Actor::parse("test").unwrap(),
            data,
        }
    }

    fn visit(worker: &str) -> EventData {
        EventData::Visit(Visit {
            worker: WorkerId::parse(worker).unwrap(),
            seen: true,
            seen_alone: true,
        })
    }

    fn worker(id: &str, team: &str, start: Date, end: Option<Date>) -> Worker {
        Worker {
            id: WorkerId::parse(id).unwrap(),
            name: String::from("A worker"),
            role: WorkerRole::SocialWorker,
            team: TeamId::parse(team).unwrap(),
            fte: 1.0,
            employment: Employment::Employed,
            start_date: start,
            end_date: end,
            qualified: None,
        }
    }

    /// One area, one locality, one team `team`, and `workers`.
    fn org(team: &str, workers: Vec<Worker>) -> Organisation {
        Organisation {
            authority: String::from("Testshire"),
            la_code: String::from("999"),
            areas: vec![Area {
                name: String::from("East"),
                localities: vec![Locality {
                    name: String::from("Ashford"),
                    child_population: 0,
                    postcode_sectors: vec![],
                    postcode_districts: vec![],
                    teams: vec![Team {
                        id: TeamId::parse(team).unwrap(),
                        name: String::from("A team"),
                        service: Service::ChildInNeed,
                    }],
                }],
            }],
            workers,
            ..Organisation::default()
        }
    }

    fn allocated(worker: &str, team: &str) -> EventData {
        EventData::Allocated(Allocated {
            worker: WorkerId::parse(worker).unwrap(),
            team: TeamId::parse(team).unwrap(),
            reason: None,
        })
    }

    #[test]
    fn an_event_may_be_dated_today_and_not_tomorrow() {
        let recording = Recording::default();
        let today = date(2024, 6, 1);
        assert!(
            recording
                .check(today, &event("2024-06-01T23:59", visit("W1")))
                .is_ok()
        );
        let err = recording
            .check(today, &event("2024-06-02", visit("W1")))
            .unwrap_err();
        assert_eq!(err.problem, Problem::AfterToday(date(2024, 6, 1)));
        assert!(
            err.to_string()
                .ends_with("it is dated after today (2024-06-01)"),
            "{err}"
        );
    }

    #[test]
    fn workers_and_teams_are_checked_against_the_organisation_when_there_is_one() {
        let history = History::new([(FROM_THE_START, org("T1", vec![]))]);
        let today = date(2024, 6, 1);
        let err = Recording::new(&history)
            .check(today, &event("2024-05-01", visit("W9")))
            .unwrap_err();
        assert_eq!(
            err.problem,
            Problem::UnknownWorker(WorkerId::parse("W9").unwrap())
        );
        assert!(
            Recording::default()
                .check(today, &event("2024-05-01", visit("W9")))
                .is_ok()
        );
    }

    #[test]
    fn a_worker_must_be_in_post_on_the_day_of_the_event() {
        let left = worker("W1", "T1", date(2020, 1, 6), Some(date(2023, 12, 31)));
        let starts = worker("W2", "T1", date(2024, 5, 1), None);
        let recording = Recording::new(&History::new([(
            FROM_THE_START,
            org("T1", vec![left, starts]),
        )]));
        let today = date(2024, 6, 1);
        // Their first and last days are days in post.
        for (on, who) in [
            ("2020-01-06", "W1"),
            ("2023-12-31", "W1"),
            ("2024-05-01", "W2"),
        ] {
            assert!(
                recording.check(today, &event(on, visit(who))).is_ok(),
                "{on} {who}"
            );
        }
        for (on, who) in [
            ("2024-01-01", "W1"),
            ("2020-01-05", "W1"),
            ("2024-04-30", "W2"),
        ] {
            let err = recording.check(today, &event(on, visit(who))).unwrap_err();
            assert_eq!(
                err.problem,
                Problem::NotInPost(WorkerId::parse(who).unwrap()),
                "{on} {who}"
            );
            assert_eq!(
                err.to_string(),
                format!("event e1 (visit on {on}): worker {who} was not in post on that day")
            );
        }
        let err = recording
            .check(today, &event("2024-02-01", allocated("W1", "T1")))
            .unwrap_err();
        assert_eq!(
            err.problem,
            Problem::NotInPost(WorkerId::parse("W1").unwrap())
        );
    }

    #[test]
    fn an_event_is_checked_against_the_version_in_force_on_its_day() {
        // From 2024-06-01 team T1 is replaced by T2, and W2 joins the workforce.
        let first = org("T1", vec![worker("W1", "T1", date(2020, 1, 6), None)]);
        let second = org(
            "T2",
            vec![
                worker("W1", "T2", date(2020, 1, 6), None),
                worker("W2", "T2", date(2024, 6, 1), None),
            ],
        );
        let recording = Recording::new(&History::new([
            (FROM_THE_START, first),
            (date(2024, 6, 1), second),
        ]));
        let today = date(2024, 7, 1);
        let check = |on: &str, data| {
            recording
                .check(today, &event(on, data))
                .map_err(|e| e.problem)
        };
        assert_eq!(check("2024-05-31", allocated("W1", "T1")), Ok(()));
        assert_eq!(
            check("2024-05-31", allocated("W1", "T2")),
            Err(Problem::UnknownTeam(TeamId::parse("T2").unwrap()))
        );
        assert_eq!(check("2024-06-01", allocated("W2", "T2")), Ok(()));
        assert_eq!(
            check("2024-06-01", allocated("W1", "T1")),
            Err(Problem::UnknownTeam(TeamId::parse("T1").unwrap()))
        );
        assert_eq!(
            check("2024-05-31", visit("W2")),
            Err(Problem::UnknownWorker(WorkerId::parse("W2").unwrap()))
        );
    }

    #[test]
    fn a_decision_on_a_contact_gives_reasons_and_is_signed_off_where_asked() {
        use crate::codes::ContactOutcome;
        use crate::event::ContactDecided;
        use crate::ids::{Actor, ContactId};
        use crate::org::FrontDoorPolicy;
        let mut with_sign_off = org("T1", vec![]);
        with_sign_off.front_door = Some(FrontDoorPolicy {
            team: TeamId::parse("T1").unwrap(),
            sign_off: vec![ContactOutcome::NoFurtherAction],
            suggest_at: 0.5,
            likely_at: 0.95,
        });
        let recording = Recording::new(&History::new([(FROM_THE_START, with_sign_off)]));
        let today = date(2024, 6, 1);
        let decision = |outcome, reasons: Option<&str>, proposed_by: Option<&str>| ContactDecided {
            reasons: reasons.map(String::from),
            proposed_by: proposed_by.map(|a| Actor::parse(a).unwrap()),
            ..ContactDecided::new(ContactId::parse("K1").unwrap(), outcome, None)
        };
        let on_contact = |data: EventData| Event {
            subject: Subject::parse("contact:K1").unwrap(),
            ..event("2024-05-31", data)
        };
        let check = |e: Event| recording.check(today, &e).map_err(|e| e.problem);
        let referral = ContactOutcome::Referral;
        let nfa = ContactOutcome::NoFurtherAction;
        assert_eq!(
            check(on_contact(EventData::ContactDecided(decision(
                referral,
                Some("Met"),
                None
            )))),
            Ok(())
        );
        for reasons in [None, Some("  ")] {
            assert_eq!(
                check(on_contact(EventData::ContactDecided(decision(
                    referral, reasons, None
                )))),
                Err(Problem::NoDecisionReasons)
            );
            assert_eq!(
                check(on_contact(EventData::ContactDecisionProposed(decision(
                    nfa, reasons, None
                )))),
                Err(Problem::NoDecisionReasons)
            );
        }
        assert_eq!(
            check(on_contact(EventData::ContactDecided(decision(
                nfa,
                Some("None needed"),
                None
            )))),
            Err(Problem::NotSignedOff)
        );
        assert_eq!(
            check(on_contact(EventData::ContactDecided(decision(
                nfa,
                Some("None needed"),
                Some("jo.screener")
            )))),
            Ok(())
        );
        // A decision as recorded before (on a child's journey, without reasons) passes.
        assert_eq!(
            check(event(
                "2024-05-31",
                EventData::ContactDecided(decision(nfa, None, None))
            )),
            Ok(())
        );
        // Where no organisation asks for sign-off, none is needed.
        assert_eq!(
            Recording::default()
                .check(
                    today,
                    &on_contact(EventData::ContactDecided(decision(nfa, Some("x"), None)))
                )
                .map_err(|e| e.problem),
            Ok(())
        );
    }

    #[test]
    fn moving_a_child_to_another_worker_says_why() {
        use crate::journey::Allocation;
        let to = |worker: &str, reason: Option<&str>| Allocated {
            worker: WorkerId::parse(worker).unwrap(),
            team: TeamId::parse("T1").unwrap(),
            reason: reason.map(str::to_owned),
        };
        let mut state = ChildState::new(crate::ids::ChildId::parse("C1").unwrap());
        // Nobody has the child: a first allocation moves nobody.
        assert!(!changes_worker(&state, &to("W2", None)));
        assert_eq!(check_change_of_worker(&state, &to("W2", None)), Ok(()));
        state.allocation = Some(Allocation {
            worker: WorkerId::parse("W1").unwrap(),
            team: TeamId::parse("T1").unwrap(),
            since: date(2024, 1, 5),
        });
        // The same worker again (a change of team, say) moves nobody either.
        assert_eq!(check_change_of_worker(&state, &to("W1", None)), Ok(()));
        // Another worker: only with a reason, and blank is none.
        assert!(changes_worker(&state, &to("W2", None)));
        for blank in [None, Some(""), Some("  ")] {
            assert_eq!(
                check_change_of_worker(&state, &to("W2", blank)),
                Err(Problem::ChangeOfWorkerNeedsReason)
            );
        }
        assert_eq!(
            check_change_of_worker(&state, &to("W2", Some("W1 is leaving"))),
            Ok(())
        );
    }
}
