//! Hand-offs of a child's case between teams (issue 14 item 5; DOMAIN.md: "hand-offs
//! between teams per episode"): a change of worker counts as a hand-off when the new
//! worker is in another team from the one that held the case. Changes of worker are
//! counted by the fold (`History::worker_changes`); which team a worker is in is the
//! organisation's, as the version in force on the day says, so the application hands
//! that look-up in and this stays pure.

use crate::event::{Event, EventData};
use crate::ids::{TeamId, WorkerId};
use jiff::civil::Date;

/// Times the case passed to a worker in another team. `journey` is the journey as it
/// stands (corrections applied), in date order; `team_on(day, worker)` is the worker's
/// team in the organisation version in force that day, if it knows them. An allocation
/// the organisation cannot place is taken at the team it names. The team that held the
/// case is the previous worker's when they were allocated; a return to the same worker
/// is no change (as the fold counts changes of worker), nor is a change of worker
/// within one team.
pub fn team_changes(journey: &[Event], team_on: impl Fn(Date, &WorkerId) -> Option<TeamId>) -> u32 {
    let mut changes = 0;
    let mut held: Option<(&WorkerId, TeamId)> = None;
    for event in journey {
        let EventData::Allocated(a) = &event.data else {
            continue;
        };
        let team = team_on(event.date(), &a.worker).unwrap_or_else(|| a.team.clone());
        if let Some((worker, before)) = &held
            && *worker != &a.worker
            && *before != team
        {
            changes += 1;
        }
        held = Some((&a.worker, team));
    }
    changes
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::event::{Allocated, Empty, OccurredAt};
    use crate::ids::{Actor, EventId, Subject};
    use jiff::civil::date;

    fn allocated(n: usize, on: &str, worker: &str, team: &str) -> Event {
        event(
            n,
            on,
            EventData::Allocated(Allocated {
                worker: WorkerId::parse(worker).unwrap(),
                team: TeamId::parse(team).unwrap(),
                reason: None,
            }),
        )
    }

    fn event(n: usize, on: &str, data: EventData) -> Event {
        Event {
            id: EventId::parse(&format!("e{n}")).unwrap(),
            subject: Subject::parse("child:C1").unwrap(),
            occurred_at: OccurredAt::parse(on).unwrap(),
            recorded_at: "2026-01-01T09:00:00Z".parse().unwrap(),
            recorded_by: Actor::parse("test").unwrap(),
            data,
        }
    }

    /// A worked example. The organisation puts W1 and W2 in the Ashford team (T1) and
    /// W3 in Canterbury (T2); from 1 June 2026 a new version moves W2 to Canterbury.
    ///
    /// | day        | allocated to | team that day | held before | hand-off? |
    /// |------------|--------------|---------------|-------------|-----------|
    /// | 2026-01-05 | W1           | T1            | nobody      | no        |
    /// | 2026-02-02 | W2           | T1            | T1 (W1)     | no: same team |
    /// | 2026-03-02 | unallocated  |               |             |           |
    /// | 2026-03-09 | W2           | T1            | T1 (W2)     | no: same worker |
    /// | 2026-04-06 | W3           | T2            | T1 (W2)     | yes (1)   |
    /// | 2026-05-04 | W1           | T1            | T2 (W3)     | yes (2)   |
    /// | 2026-06-08 | W2           | T2 (moved)    | T1 (W1)     | yes (3)   |
    /// | 2026-07-06 | W9 (gone)    | T2, as named  | T2 (W2)     | no        |
    ///
    /// Five changes of worker, three of them hand-offs between teams.
    #[test]
    fn a_change_of_worker_into_another_team_is_a_hand_off() {
        let journey = vec![
            allocated(1, "2026-01-05", "W1", "T1"),
            allocated(2, "2026-02-02", "W2", "T1"),
            event(3, "2026-03-02", EventData::Unallocated(Empty {})),
            allocated(4, "2026-03-09", "W2", "T1"),
            allocated(5, "2026-04-06", "W3", "T2"),
            allocated(6, "2026-05-04", "W1", "T1"),
            // The event names W2's old team: the organisation in force decides.
            allocated(7, "2026-06-08", "W2", "T1"),
            allocated(8, "2026-07-06", "W9", "T2"),
        ];
        let team_on = |day: Date, worker: &WorkerId| {
            let team = match worker.as_str() {
                "W1" => "T1",
                "W2" if day < date(2026, 6, 1) => "T1",
                "W2" | "W3" => "T2",
                _ => return None,
            };
            Some(TeamId::parse(team).unwrap())
        };
        assert_eq!(team_changes(&journey, team_on), 3);
        // Each prefix counts what happened so far.
        assert_eq!(team_changes(&journey[..4], team_on), 0);
        assert_eq!(team_changes(&journey[..5], team_on), 1);
        // With no organisation the teams the events name decide: W2 is taken to be
        // in T1 still, so the third hand-off is the last, to W9.
        assert_eq!(team_changes(&journey, |_, _| None), 3);
        assert_eq!(team_changes(&journey[..7], |_, _| None), 2);
        assert_eq!(team_changes(&[], team_on), 0);
    }
}
