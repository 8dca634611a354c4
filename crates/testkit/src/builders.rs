//! Builders of the values most tests write by hand: ids, people and events, and the
//! contacts the front door receives.

use hearth_domain::codes::{
    Agency, Channel, Consent, ContactOutcome, Ethnicity, GivenRole, Rag, ReferralSource, Sex,
    Urgency,
};
use hearth_domain::contact::{GivenPerson, Intake, Referrer};
use hearth_domain::event::{
    ContactDecided, ContactReceived, Event, EventData, EventRetracted, OccurredAt, PartnerCheck,
    PersonLinked, PersonRegistered,
};
use hearth_domain::ids::{Actor, ChildId, ContactId, EventId, PersonRef, Subject};
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

// The front door.

pub fn contact(id: &str) -> ContactId {
    ContactId::parse(id).unwrap()
}

/// Event `id` on contact `contact`'s own journey, on `on`, recorded as [`ev`] records.
pub fn contact_ev(contact_id: &str, id: &str, on: &str, data: EventData) -> Event {
    Event {
        subject: Subject::Contact(contact(contact_id)),
        ..ev("C1", id, on, data)
    }
}

/// A child as a referrer names them, born on `born`.
pub fn given_child(given: &str, family: &str, born: Date) -> GivenPerson {
    GivenPerson {
        date_of_birth: Some(born),
        ..given_person(GivenRole::Child, given, family)
    }
}

/// An adult as a referrer names them, with nothing else known.
pub fn given_adult(given: &str, family: &str) -> GivenPerson {
    given_person(GivenRole::Adult, given, family)
}

fn given_person(role: GivenRole, given: &str, family: &str) -> GivenPerson {
    GivenPerson {
        role,
        given_name: given.to_owned(),
        family_name: family.to_owned(),
        other_names: vec![],
        date_of_birth: None,
        expected_date_of_birth: None,
        sex: None,
        nhs_number: None,
        address: None,
        relationship: None,
    }
}

/// What a school says about `people`, through the form, with consent, routine.
pub fn intake(people: Vec<GivenPerson>) -> Intake {
    Intake {
        via: Channel::Form,
        referrer: Referrer {
            organisation: Some(String::from("Riverside Primary")),
            name: String::from("A Teacher"),
            role: None,
            phone: None,
            email: None,
        },
        people,
        narrative: String::from("Concern raised at school."),
        consent: Consent::Given,
        urgency: Urgency::Routine,
        partner_ref: None,
    }
}

/// Contact `id` received from a school, saying `intake`.
pub fn received(id: &str, intake: Intake) -> EventData {
    EventData::ContactReceived(ContactReceived {
        intake: Some(Box::new(intake)),
        ..ContactReceived::new(contact(id), ReferralSource::Schools)
    })
}

/// The person given at `given` is `person` (`child:C1`, `adult:A1`), found by a search.
pub fn linked(given: u8, person: &str) -> EventData {
    EventData::PersonLinked(PersonLinked {
        given,
        person: PersonRef::parse(person).unwrap(),
        created: false,
        weight: None,
        model: None,
    })
}

pub fn check_requested(id: &str, agency: Agency, rag: Rag) -> EventData {
    EventData::PartnerCheckRequested(PartnerCheck::new(contact(id), agency, rag))
}

pub fn check_returned(id: &str, agency: Agency, rag: Rag) -> EventData {
    EventData::PartnerCheckReturned(PartnerCheck::new(contact(id), agency, rag))
}

/// A decision on contact `id` for `child` (or the whole contact), with its reasons.
pub fn decision(id: &str, child_id: Option<&str>, outcome: ContactOutcome) -> ContactDecided {
    ContactDecided {
        child: child_id.map(child),
        reasons: Some(String::from("Reasons as recorded")),
        ..ContactDecided::new(contact(id), outcome, None)
    }
}

pub fn decided(id: &str, child_id: Option<&str>, outcome: ContactOutcome) -> EventData {
    EventData::ContactDecided(decision(id, child_id, outcome))
}

pub fn proposed(id: &str, child_id: Option<&str>, outcome: ContactOutcome) -> EventData {
    EventData::ContactDecisionProposed(decision(id, child_id, outcome))
}

/// The person a random contact names at place `i`, in `role`, as of `received`.
pub fn contact_person(role: GivenRole, i: usize, received: Date) -> GivenPerson {
    let given = format!("Person{i}");
    match role {
        GivenRole::Child => given_child(&given, "Proptest", date_before(received, 3000)),
        GivenRole::Unborn => GivenPerson {
            expected_date_of_birth: Some(date_before(received, -90)),
            ..given_person(GivenRole::Unborn, &given, "Proptest")
        },
        GivenRole::Adult => given_adult(&given, "Proptest"),
    }
}

fn date_before(day: Date, days: i64) -> Date {
    day.checked_sub(jiff::Span::new().days(days)).unwrap()
}
