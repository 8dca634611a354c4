//! Builders of the values most tests write by hand: ids, people and events.

use hearth_domain::codes::{Ethnicity, Sex};
use hearth_domain::event::{Event, EventData, EventRetracted, OccurredAt, PersonRegistered};
use hearth_domain::ids::{Actor, ChildId, EventId, Subject};
use hearth_domain::people::{Name, PersonDetails};
use jiff::civil::Date;

/// When every built event was recorded: after every date the samples use, so that no
/// event is dated after the day it was recorded.
pub const RECORDED_AT: &str = "2024-06-01T09:00:00Z";

/// Who recorded every built event.
pub const RECORDED_BY: &str = "test";

pub fn child(id: &str) -> ChildId {
    ChildId::parse(id).unwrap()
}

/// `child:ID`.
pub fn subject(id: &str) -> Subject {
    Subject::Child(child(id))
}

/// Event `id` about child `child`, on `on` (a date, or a date and time), recorded at
/// [`RECORDED_AT`] by [`RECORDED_BY`].
pub fn ev(child: &str, id: &str, on: &str, data: EventData) -> Event {
    Event {
        id: EventId::parse(id).unwrap(),
        subject: subject(child),
        occurred_at: OccurredAt::parse(on).unwrap(),
        recorded_at: RECORDED_AT.parse().unwrap(),
        recorded_by: Actor::parse(RECORDED_BY).unwrap(),
        data,
    }
}

/// A girl born on `born`, with nothing else known.
pub fn details(given: &str, family: &str, born: Date) -> PersonDetails {
    PersonDetails {
        date_of_birth: Some(born),
        ..person(given, family)
    }
}

/// A girl not yet born, due on `due`.
pub fn unborn(given: &str, family: &str, due: Date) -> PersonDetails {
    PersonDetails {
        expected_date_of_birth: Some(due),
        ..person(given, family)
    }
}

fn person(given: &str, family: &str) -> PersonDetails {
    PersonDetails {
        name: Name {
            given: given.to_owned(),
            family: family.to_owned(),
        },
        date_of_birth: None,
        expected_date_of_birth: None,
        sex: Sex::Female,
        ethnicity: Ethnicity::Wbri,
        disabilities: vec![],
        nhs_number: None,
        upn: None,
        address: None,
    }
}

/// A child registered with `details`, in no family.
pub fn registered(details: PersonDetails) -> EventData {
    EventData::PersonRegistered(PersonRegistered {
        adult: None,
        family: None,
        details,
    })
}

/// The retraction of event `event`.
pub fn retract(event: &str, reason: &str) -> EventData {
    EventData::EventRetracted(EventRetracted {
        event: EventId::parse(event).unwrap(),
        reason: reason.to_owned(),
    })
}
