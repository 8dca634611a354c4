//! What an event recorded now must be, beyond fitting its journey: dated no later than
//! today, and naming only the organisation's own workers and teams.

use crate::event::{Event, EventData, OccurredAt};
use crate::ids::{TeamId, WorkerId};
use crate::journey::{JourneyError, Problem};
use crate::org::Organisation;
use jiff::civil::Date;
use std::collections::HashSet;

/// The checks an event recorded now must pass beyond its journey: it happened no later
/// than today, and the workers and teams it names are the organisation's. Without an
/// organisation document (a journal imported on its own) workers and teams are not
/// checked, as there is nothing to check them against.
pub struct Recording {
    today: Date,
    workers: Option<HashSet<WorkerId>>,
    teams: Option<HashSet<TeamId>>,
}

impl Recording {
    /// `today` is the date in England when the event is recorded (the domain has no
    /// clock).
    pub fn new(today: Date, org: Option<&Organisation>) -> Recording {
        Recording {
            today,
            workers: org.map(|o| o.workers.iter().map(|w| w.id.clone()).collect()),
            teams: org.map(|o| o.teams().map(|(_, _, t)| t.id.clone()).collect()),
        }
    }

    pub fn check(&self, event: &Event) -> Result<(), JourneyError> {
        self.check_data(event.occurred_at, &event.data)
            .map_err(|problem| JourneyError {
                event: event.id.clone(),
                kind: event.kind(),
                date: event.date(),
                problem,
            })
    }

    fn check_data(&self, at: OccurredAt, data: &EventData) -> Result<(), Problem> {
        use EventData as E;
        if at.date > self.today {
            return Err(Problem::AfterToday(self.today));
        }
        match data {
            E::Allocated(a) => {
                self.worker(&a.worker)?;
                self.team(&a.team)
            }
            E::Visit(v) => self.worker(&v.worker),
            E::PersonalAdviserAllocated(p) => self.worker(&p.adviser),
            // An amendment may move an event's date, or change whom it names.
            E::EventAmended(a) => {
                let on = a.occurred_at.unwrap_or(at);
                match &a.amended {
                    Some(amended) => self.check_data(on, amended),
                    None if on.date > self.today => Err(Problem::AfterToday(self.today)),
                    None => Ok(()),
                }
            }
            _ => Ok(()),
        }
    }

    fn worker(&self, id: &WorkerId) -> Result<(), Problem> {
        match &self.workers {
            Some(known) if !known.contains(id) => Err(Problem::UnknownWorker(id.clone())),
            _ => Ok(()),
        }
    }

    fn team(&self, id: &TeamId) -> Result<(), Problem> {
        match &self.teams {
            Some(known) if !known.contains(id) => Err(Problem::UnknownTeam(id.clone())),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::event::Visit;
    use crate::ids::{Actor, EventId, Subject};
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

    #[test]
    fn an_event_may_be_dated_today_and_not_tomorrow() {
        let recording = Recording::new(date(2024, 6, 1), None);
        assert!(
            recording
                .check(&event("2024-06-01T23:59", visit("W1")))
                .is_ok()
        );
        let err = recording
            .check(&event("2024-06-02", visit("W1")))
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
        let org = Organisation {
            authority: String::from("Testshire"),
            la_code: String::from("999"),
            child_population: 0,
            areas: vec![],
            workers: vec![],
            timescales: vec![],
            closure_days: vec![],
            ..Organisation::default()
        };
        let today = date(2024, 6, 1);
        let err = Recording::new(today, Some(&org))
            .check(&event("2024-05-01", visit("W9")))
            .unwrap_err();
        assert_eq!(
            err.problem,
            Problem::UnknownWorker(WorkerId::parse("W9").unwrap())
        );
        assert!(
            Recording::new(today, None)
                .check(&event("2024-05-01", visit("W9")))
                .is_ok()
        );
    }
}
