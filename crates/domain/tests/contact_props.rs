//! Properties of the fold of a contact's journey, over random journeys that a small
//! independent model of the front door's rules says are valid
//! (`hearth_testkit::random::contact_journey`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use hearth_domain::contact::{ContactState, fold_contact};
use hearth_domain::event::{Event, EventData, EventRetracted, OccurredAt};
use hearth_domain::journey::Problem;
use hearth_testkit::random::{ContactJourney, contact_journey, contact_seed};
use proptest::prelude::*;

fn fold(j: &ContactJourney, events: &[Event]) -> Result<ContactState, Problem> {
    fold_contact(&j.contact, events).map_err(|e| e.problem)
}

/// The same events applied one at a time, as a store keeps the state up to date.
fn applied(j: &ContactJourney) -> ContactState {
    let mut state = ContactState::new(j.contact.clone());
    for e in &j.events {
        if state.can_apply_incrementally(e) {
            state.apply(e).unwrap();
        } else {
            let upto = j.events.iter().position(|x| x.id == e.id).unwrap();
            state = fold_contact(&j.contact, &j.events[..=upto]).unwrap();
        }
    }
    state
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_valid_contact_journeys_fold(seed in contact_seed(30)) {
        let j = contact_journey("CT0000000001", &seed);
        let state = fold(&j, &j.events).map_err(|p| TestCaseError::fail(format!("{p}")))?;
        let m = &j.model;
        prop_assert_eq!(state.status().code(), m.status());
        prop_assert_eq!(state.links.len(), m.links.len());
        prop_assert_eq!(state.decisions.len(), m.decisions.len());
        prop_assert_eq!(state.proposals.len(), m.proposals.len());
        prop_assert_eq!(
            state.checks.values().filter(|c| c.returned.is_none()).count(),
            m.checks.iter().filter(|(_, back)| !back).count()
        );
        prop_assert_eq!(state.decided_on().is_some(), m.decided());
        // Through JSON, as a store keeps it.
        let back: ContactState = serde_json::from_str(&serde_json::to_string(&state).unwrap()).unwrap();
        prop_assert_eq!(&back, &state);
    }

    /// Status is worked out from the events alone: folding again, or applying them one
    /// at a time, gives the same state; and each prefix of a journey folds.
    #[test]
    fn status_is_a_function_of_the_events(seed in contact_seed(20)) {
        let j = contact_journey("CT0000000002", &seed);
        let whole = fold(&j, &j.events).unwrap();
        prop_assert_eq!(&fold(&j, &j.events).unwrap(), &whole);
        prop_assert_eq!(&applied(&j), &whole);
        for n in 1..j.events.len() {
            let prefix = &j.events[..n];
            // A retraction may name an event the prefix has; a prefix never lacks one.
            prop_assert!(fold(&j, prefix).is_ok(), "prefix of {} events", n);
        }
    }

    /// Every event that cannot happen next is refused, with the rule it breaks.
    #[test]
    fn every_refusal_is_named(seed in contact_seed(20)) {
        let mut j = contact_journey("CT0000000003", &seed);
        for (event, problem) in j.refusals() {
            let mut events = j.events.clone();
            let kind = event.kind();
            events.push(event);
            prop_assert_eq!(fold(&j, &events).err(), Some(problem), "{}", kind);
        }
    }

    /// Retracting a later event gives the state of the journey without it; amending a
    /// date moves the event where it is said to have happened.
    #[test]
    fn a_retracted_last_event_is_as_if_never_recorded(seed in contact_seed(20)) {
        let mut j = contact_journey("CT0000000004", &seed);
        prop_assume!(j.events.len() > 1);
        let last = j.events.last().unwrap().clone();
        // Retracting a retraction is a correction of a correction: not for this test.
        prop_assume!(!last.data.is_correction());
        let without = fold(&j, &j.events[..j.events.len() - 1]).unwrap();
        let on = j.date;
        let retraction = j.event(on, EventData::EventRetracted(EventRetracted {
            event: last.id.clone(),
            reason: String::from("Recorded in error"),
        }));
        let mut events = j.events.clone();
        events.push(retraction);
        let state = fold(&j, &events).unwrap();
        prop_assert_eq!(state.status(), without.status());
        prop_assert_eq!(&state.links, &without.links);
        prop_assert_eq!(&state.decisions, &without.decisions);
        prop_assert_eq!(&state.checks, &without.checks);
    }
}

#[test]
fn nothing_happens_to_a_contact_before_it_is_received() {
    let j = contact_journey(
        "CT0000000005",
        &hearth_testkit::random::ContactSeed {
            roles: vec![hearth_domain::codes::GivenRole::Child],
            steps: vec![],
        },
    );
    let mut early = j.events[0].clone();
    early.id = hearth_domain::ids::EventId::parse("early").unwrap();
    early.occurred_at = OccurredAt::parse("2025-01-05").unwrap();
    early.data = hearth_testkit::linked(0, "child:C0");
    let events = vec![j.events[0].clone(), early];
    assert_eq!(fold(&j, &events).err(), Some(Problem::ContactNotReceived));
}
