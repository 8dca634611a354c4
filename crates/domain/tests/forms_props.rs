//! The forms a practitioner records events through (`hearth_domain::forms`), against
//! the payloads they fill and the journeys they add to: every practitioner kind has a
//! form, every form field is a payload field, any payload written to its form's fields
//! reads back the same, and the kinds offered next include whatever a valid journey
//! did record next.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use hearth_domain::event::EventData;
use hearth_domain::forms::{self, Submitted};
use hearth_domain::journey::ChildState;
use hearth_testkit::random::{journey, seed};
use proptest::prelude::*;

/// Whether a practitioner records this kind through its form. Exhaustive on purpose: a
/// new kind does not compile until it is placed on one side or the other.
fn practitioner(data: &EventData) -> bool {
    use EventData as E;
    match data {
        // People, the front door, merges and corrections have pages of their own.
        E::PersonRegistered(_)
        | E::PersonAmended(_)
        | E::RelationshipAdded(_)
        | E::RelationshipEnded(_)
        | E::AddressChanged(_)
        | E::PersonsMerged(_)
        | E::PersonsUnmerged(_)
        | E::ContactReceived(_)
        | E::PersonLinked(_)
        | E::PersonUnlinked(_)
        | E::PartnerCheckRequested(_)
        | E::PartnerCheckReturned(_)
        | E::ContactDecisionProposed(_)
        | E::ContactDecided(_)
        | E::ContactRouted(_)
        | E::ReferralAccepted(_)
        | E::EventAmended(_)
        | E::EventRetracted(_) => false,
        E::EarlyHelpStarted(_)
        | E::EarlyHelpAssessmentCompleted(_)
        | E::FamilyPlanReviewed(_)
        | E::EarlyHelpEnded(_)
        | E::Allocated(_)
        | E::Unallocated(_)
        | E::MeetingHeld(_)
        | E::Visit(_)
        | E::CaseNoteRecorded(_)
        | E::AssessmentStarted(_)
        | E::AssessmentCompleted(_)
        | E::CinPlanStarted(_)
        | E::CinPlanReviewed(_)
        | E::CinPlanEnded(_)
        | E::CinClosed(_)
        | E::StrategyDiscussion(_)
        | E::S47Started(_)
        | E::S47Completed(_)
        | E::IcpcHeld(_)
        | E::CpPlanStarted(_)
        | E::CoreGroupHeld(_)
        | E::CpReviewHeld(_)
        | E::CpCategoryChanged(_)
        | E::CpPlanEnded(_)
        | E::LookedAfterStarted(_)
        | E::LegalStatusChanged(_)
        | E::PlacementStarted(_)
        | E::PlacementEnded(_)
        | E::ClaReviewHeld(_)
        | E::IroContact(_)
        | E::HealthAssessment(_)
        | E::DentalCheck(_)
        | E::PepReviewed(_)
        | E::MissingStarted(_)
        | E::MissingEnded(_)
        | E::LookedAfterEnded(_)
        | E::PermanencePlanSet(_)
        | E::AdmDecision(_)
        | E::PlacementOrder(_)
        | E::AdoptionMatched(_)
        | E::PlacedForAdoption(_)
        | E::AdoptionOrder(_)
        | E::AdoptionDecisionReversed(_)
        | E::PersonalAdviserAllocated(_)
        | E::PathwayPlanReviewed(_)
        | E::CareLeaverContact(_) => true,
    }
}

#[test]
fn every_practitioner_kind_has_a_form_and_no_other_kind_does() {
    for form in forms::all() {
        let data = forms::sample(form.kind).unwrap();
        assert!(
            practitioner(&data),
            "{} has a form but is not a practitioner's",
            form.kind
        );
    }
    // As many forms as `practitioner` lists kinds (a random journey below finds any
    // practitioner kind with no form).
    let declared = forms::all().len();
    assert_eq!(
        declared, 46,
        "the count of practitioner kinds in `practitioner`"
    );
}

#[test]
fn every_form_field_is_a_field_of_its_payload() {
    for form in forms::all() {
        let sample = forms::sample(form.kind).unwrap();
        let json = serde_json::to_value(&sample).unwrap();
        let mut data = json["data"].as_object().cloned().unwrap_or_default();
        let names: Vec<&str> = form.fields.iter().map(|f| f.name).collect();
        // What the payload writes, the form asks for.
        for key in data.keys() {
            assert!(
                names.contains(&key.as_str()),
                "{}: {key} has no form field",
                form.kind
            );
        }
        // What the form asks for, the payload reads: its fields deny unknown names.
        for f in &form.fields {
            data.entry(f.name).or_insert(serde_json::Value::Null);
        }
        let back = serde_json::json!({"kind": form.kind, "data": data});
        let read = serde_json::from_value::<EventData>(back);
        assert!(
            read.is_ok(),
            "{}: a form field is not a payload field: {read:?}",
            form.kind
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Any payload a valid journey holds, written to its form's fields, reads back as
    /// itself; and the kind recorded next was among those offered.
    #[test]
    fn payloads_survive_their_forms_and_what_came_next_was_offered(s in seed(60)) {
        let j = journey("C1", &s);
        let mut state = ChildState::new(j.child.clone());
        for event in &j.events {
            if practitioner(&event.data) {
                let written: Vec<(String, String)> = forms::write(&event.data)
                    .unwrap()
                    .into_iter()
                    .map(|(k, v)| (k.to_owned(), v))
                    .collect();
                let read = forms::parse(event.kind(), &Submitted::new(&written)).unwrap();
                prop_assert_eq!(read.as_ref(), Ok(&event.data));
                prop_assert!(
                    forms::fits(&state, event.kind(), event.date()),
                    "{} on {} was recorded but not offered", event.kind(), event.date()
                );
            } else {
                prop_assert!(forms::write(&event.data).is_none());
            }
            state.apply(event).unwrap();
        }
        for offered in forms::fitting(&state, j.date) {
            let mut next = state.clone();
            prop_assert!(next.try_apply(j.date, &forms::sample(offered.kind).unwrap()).is_ok());
        }
    }
}
