//! Properties of the fold from a child's journey to their state, over random journeys
//! that a small independent model of the rules says are valid (`hearth_testkit::random`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use hearth_domain::event::{
    Empty, Event, EventAmended, EventData, EventRetracted, OccurredAt, PersonsMerged,
};
use hearth_domain::ids::ChildId;
use hearth_domain::journey::{ChildState, JourneyError, Problem, fold_child};
use hearth_testkit::random::{Journey, Model, journey, seed};
use jiff::ToSpan;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use std::collections::HashSet;

/// The state agrees with what the model says the journey has reached.
fn agrees_with_model(state: &ChildState, m: &Model) -> Result<(), TestCaseError> {
    prop_assert_eq!(
        state.cin.is_some(),
        m.cin.is_some(),
        "child in need episode"
    );
    if let (Some(cin), Some(mc)) = (&state.cin, &m.cin) {
        prop_assert_eq!(cin.assessment_started.is_some(), mc.assessment);
        prop_assert_eq!(cin.plan_started.is_some(), mc.plan);
        prop_assert_eq!(cin.strategy_discussion.is_some(), mc.strategy);
        prop_assert_eq!(cin.s47_started.is_some(), mc.s47);
        prop_assert_eq!(cin.s47s, mc.s47s);
        prop_assert_eq!(cin.icpc_plan_decided.is_some(), mc.icpc_plan);
    }
    prop_assert_eq!(state.cp_plan.is_some(), m.cp, "child protection plan");
    prop_assert_eq!(state.looked_after.is_some(), m.la.is_some(), "looked after");
    if let (Some(la), Some(ml)) = (&state.looked_after, &m.la) {
        prop_assert_eq!(la.placement.is_some(), ml.placement);
        prop_assert_eq!(la.missing_since.is_some(), ml.missing);
        prop_assert_eq!(la.adoption_decision.is_some(), ml.adoption_decision);
    }
    prop_assert_eq!(state.early_help.is_some(), m.early_help);
    prop_assert_eq!(state.care_leaver.is_some(), m.care_leaver);
    prop_assert_eq!(state.allocation.is_some(), m.allocated);
    let open: Vec<_> = state.open_contacts.iter().cloned().collect();
    let mut model_open = m.open_contacts.clone();
    model_open.sort();
    prop_assert_eq!(open, model_open);
    prop_assert_eq!(state.history.cp_plans, m.cp_plans);
    prop_assert_eq!(state.history.placements, m.placements);
    prop_assert_eq!(state.history.referrals, m.referrals);
    prop_assert_eq!(state.history.contacts, m.contacts);
    Ok(())
}

/// Read straight off an accepted journey (in the order the fold applies it): protection
/// plans never overlap, and placements start and end only inside a period of care.
fn journey_invariants(events: &[Event]) -> Result<(), TestCaseError> {
    let (mut plan_open, mut in_care, mut placed) = (false, false, false);
    for e in events {
        match &e.data {
            EventData::CpPlanStarted(_) => {
                prop_assert!(!plan_open, "{} starts a plan while one is open", e.id);
                plan_open = true;
            }
            EventData::CpPlanEnded(_) => {
                prop_assert!(plan_open, "{} ends a plan that is not open", e.id);
                plan_open = false;
            }
            EventData::LookedAfterStarted(_) => in_care = true,
            EventData::LookedAfterEnded(_) => {
                in_care = false;
                placed = false;
            }
            EventData::PlacementStarted(_) => {
                prop_assert!(in_care, "{} places a child not looked after", e.id);
                prop_assert!(!placed, "{} overlaps another placement", e.id);
                placed = true;
            }
            EventData::PlacementEnded(_) => {
                prop_assert!(in_care && placed, "{} ends no placement", e.id);
                placed = false;
            }
            _ => {}
        }
    }
    Ok(())
}

/// Kinds whose payload was `{}` until 2026-12: journals written before then hold them so.
const ONCE_EMPTY: &[&str] = &[
    "early_help_assessment_completed",
    "family_plan_reviewed",
    "assessment_started",
    "cin_plan_started",
    "cin_plan_reviewed",
    "cin_plan_ended",
    "s47_started",
    "core_group_held",
    "iro_contact",
    "health_assessment",
    "dental_check",
    "pep_reviewed",
    "adoption_matched",
    "pathway_plan_reviewed",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(192))]

    #[test]
    fn journeys_written_before_those_payloads_had_fields_fold_the_same(s in seed(60)) {
        let j = journey("C1", &s);
        let old: Vec<Event> = j
            .events
            .iter()
            .map(|e| {
                let mut line = serde_json::to_value(e).unwrap();
                if ONCE_EMPTY.contains(&e.kind()) {
                    line["data"] = serde_json::json!({});
                }
                serde_json::from_value(line).unwrap()
            })
            .collect();
        let now = fold_child(&j.child, &j.events);
        let then = fold_child(&j.child, &old);
        prop_assert!(then.is_ok(), "an old journey no longer folds: {:?}", then);
        prop_assert_eq!(then.unwrap(), now.unwrap());
    }

    /// `allocated` gained an optional reason in 2026-12: journals written before hold
    /// none, and fold as the same journeys with reasons given.
    #[test]
    fn allocations_written_before_they_gave_a_reason_fold_the_same(s in seed(60)) {
        let j = journey("C1", &s);
        let with_reasons: Vec<Event> = j
            .events
            .iter()
            .cloned()
            .map(|mut e| {
                if let EventData::Allocated(a) = &mut e.data {
                    a.reason = Some(String::from("Stepped up: the family keeps its worker"));
                }
                e
            })
            .collect();
        for e in &j.events {
            if matches!(e.data, EventData::Allocated(_)) {
                // As an old journal holds it: no reason key at all.
                let line = serde_json::to_value(e).unwrap();
                prop_assert!(line["data"].get("reason").is_none());
            }
        }
        let then = fold_child(&j.child, &j.events);
        prop_assert!(then.is_ok(), "the fold refused a valid journey: {:?}", then);
        prop_assert_eq!(fold_child(&j.child, &with_reasons).unwrap(), then.unwrap());
    }

    #[test]
    fn valid_journeys_fold_and_incremental_equals_whole(s in seed(60)) {
        let j = journey("C1", &s);
        let whole = fold_child(&j.child, &j.events);
        prop_assert!(whole.is_ok(), "the fold refused a valid journey: {:?}", whole);
        let whole = whole.unwrap();

        let mut state = ChildState::new(j.child.clone());
        for (k, event) in j.events.iter().enumerate() {
            prop_assert!(state.can_apply_incrementally(event));
            let before = state.clone();
            state.apply(event).unwrap();
            if matches!(event.data, EventData::CpPlanStarted(_)) {
                prop_assert!(before.cp_plan.is_none());
                prop_assert!(state.cp_plan.is_some());
            }
            if matches!(event.data, EventData::PlacementStarted(_)) {
                let la = before.looked_after.as_ref();
                prop_assert!(la.is_some_and(|la| la.placement.is_none()));
            }
            // Every prefix folded whole gives the state reached event by event.
            prop_assert_eq!(&state, &fold_child(&j.child, &j.events[..=k]).unwrap());
        }
        prop_assert_eq!(&state, &whole);
        prop_assert_eq!(whole.last_date, Some(j.date));
        agrees_with_model(&whole, &j.model)?;
        journey_invariants(&j.events)?;
    }

    /// A merge on either side changes nothing else the state holds; while the child is
    /// merged into another record nothing more is added to theirs; undoing the merge
    /// gives back what stood before, with the merge kept in the record's history.
    #[test]
    fn merges_and_their_undoing_leave_the_rest_of_the_state(s in seed(40)) {
        let j = journey("C1", &s);
        let before = fold_child(&j.child, &j.events).unwrap();
        let other = ChildId::parse("C2").unwrap();
        for survivor in [None, Some(other.clone())] {
            let duplicate = if survivor.is_some() { j.child.clone() } else { other.clone() };
            let payload = PersonsMerged { duplicate, survivor: survivor.clone(), reason: None };
            let mut k = j.clone();
            let merge = k.event(k.date, EventData::PersonsMerged(payload.clone()));
            k.events.push(merge);
            let merged = fold_child(&k.child, &k.events).unwrap();
            prop_assert_eq!(merged.merged_into.is_some(), survivor.is_some());
            prop_assert_eq!(merged.merged.len(), usize::from(survivor.is_none()));
            prop_assert_eq!(&merged.history, &before.history);
            prop_assert_eq!(&merged.cin, &before.cin);
            if survivor.is_some() {
                let mut more = k.clone();
                let visit = more.event(k.date, EventData::Unallocated(Empty {}));
                more.events.push(visit);
                prop_assert_eq!(
                    fold_child(&more.child, &more.events).unwrap_err().problem,
                    Problem::MergedInto(other.clone())
                );
            }
            let unmerge = k.event(k.date, EventData::PersonsUnmerged(payload));
            k.events.push(unmerge);
            let undone = fold_child(&k.child, &k.events).unwrap();
            prop_assert_eq!(undone.merges.len(), 1);
            prop_assert!(undone.merges[0].undone);
            let restored = ChildState { merges: vec![], ..undone };
            prop_assert_eq!(&restored, &before);
        }
    }

    #[test]
    fn an_impossible_next_event_is_refused(s in seed(60), pick in any::<u16>(), param in any::<u8>()) {
        let j = journey("C1", &s);
        let (extra, problem) = j.invalid(pick, param);
        let (bad, scene) = extra.split_last().unwrap();
        let mut events = j.events.clone();
        events.extend(scene.iter().cloned());
        let before = fold_child(&j.child, &events).unwrap();
        events.push(bad.clone());
        let expected = JourneyError {
            event: bad.id.clone(),
            kind: bad.kind(),
            date: bad.date(),
            problem,
        };
        prop_assert_eq!(fold_child(&j.child, &events), Err(expected.clone()));
        // Corrections, reused ids and other subjects are journey-level checks; the rest
        // are rules of the state.
        let state_rule = !bad.data.is_correction()
            && !matches!(
                expected.problem,
                Problem::WrongSubject | Problem::DuplicateEventId(_)
            );
        if state_rule {
            // Applied onto the state directly: the same refusal, and nothing changed.
            let mut state = before.clone();
            prop_assert_eq!(state.apply(bad), Err(expected));
            prop_assert_eq!(state, before);
        }
    }

    #[test]
    fn a_retracted_event_is_as_if_never_recorded(s in seed(40), which in any::<u16>()) {
        let j = journey("C1", &s);
        let i = usize::from(which) % j.events.len();
        let target = &j.events[i];
        let mut with_retraction = j.events.clone();
        let mut scratch = j.clone();
        with_retraction.push(scratch.event(
            j.date,
            EventData::EventRetracted(EventRetracted {
                event: target.id.clone(),
                reason: String::from("recorded in error"),
            }),
        ));
        let mut without = j.events.clone();
        without.remove(i);
        prop_assert_eq!(
            fold_child(&j.child, &with_retraction),
            fold_child(&j.child, &without)
        );
    }

    #[test]
    fn an_amended_date_is_as_if_recorded_on_that_date(
        s in seed(40),
        which in any::<u16>(),
        shift in -60i64..60,
    ) {
        let j = journey("C1", &s);
        let i = usize::from(which) % j.events.len();
        let target = &j.events[i];
        let new_date = OccurredAt::on(target.date().checked_add(shift.days()).unwrap());
        let mut amended = j.events.clone();
        let mut scratch = j.clone();
        amended.push(scratch.event(
            j.date,
            EventData::EventAmended(EventAmended {
                event: target.id.clone(),
                reason: String::from("wrong date"),
                occurred_at: Some(new_date),
                amended: None,
            }),
        ));
        let mut redated = j.events.clone();
        redated[i].occurred_at = new_date;
        prop_assert_eq!(
            fold_child(&j.child, &amended),
            fold_child(&j.child, &redated)
        );
    }
}

/// The generator reaches the deep parts of a journey often enough for the properties
/// above to say something about them.
#[test]
fn generated_journeys_reach_protection_and_care() {
    let mut runner = TestRunner::deterministic();
    let strategy = seed(60);
    let journeys: Vec<Journey> = (0..300)
        .map(|_| journey("C1", &strategy.new_tree(&mut runner).unwrap().current()))
        .collect();
    let count = |f: &dyn Fn(&Model) -> bool| journeys.iter().filter(|j| f(&j.model)).count();
    let kind = |k: &str| {
        journeys
            .iter()
            .filter(|j| j.events.iter().any(|e| e.kind() == k))
            .count()
    };
    let plans = count(&|m| m.cp_plans >= 1);
    let two_plans = count(&|m| m.cp_plans >= 2);
    let placed = count(&|m| m.placements >= 1);
    let moved = count(&|m| m.placements >= 2);
    let leavers = count(&|m| m.care_leaver);
    let adopted = kind("adoption_order");
    let closed = kind("cin_closed");
    let summary = format!(
        "of 300: {plans} with a CP plan, {two_plans} with two, {placed} placed, {moved} moved, {leavers} care leavers, {adopted} adoption orders, {closed} closed"
    );
    assert!(plans >= 60, "{summary}");
    assert!(two_plans >= 10, "{summary}");
    assert!(placed >= 60, "{summary}");
    assert!(moved >= 20, "{summary}");
    assert!(leavers >= 10, "{summary}");
    assert!(adopted >= 10, "{summary}");
    assert!(closed >= 60, "{summary}");
}

/// Over many states, the impossible next events offered break every rule the generator
/// knows (37 of them), so the refusal property covers each.
#[test]
fn impossible_events_cover_every_rule() {
    let mut runner = TestRunner::deterministic();
    let strategy = (seed(60), any::<u16>(), any::<u8>());
    let mut seen = HashSet::new();
    for _ in 0..3000 {
        let (s, pick, param) = strategy.new_tree(&mut runner).unwrap().current();
        let (_, problem) = journey("C1", &s).invalid(pick, param);
        seen.insert(std::mem::discriminant(&problem));
    }
    assert_eq!(seen.len(), 39);
}
