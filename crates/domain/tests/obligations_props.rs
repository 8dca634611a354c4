//! Properties of the obligations derived from random valid journeys
//! (`hearth_testkit::random`): each status agrees with its due date and the day asked
//! about, each deadline comes from the rule in force when its clock started, nothing
//! after that day changes the answer, and what was settled stays settled; a child the
//! due list skips as settled has nothing on it; and the due clocks a journey leaves list
//! what the journey lists, on any day from its last event on.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use hearth_domain::calendar::WorkingCalendar;
use hearth_domain::due::{Window, due_items, settled_since};
use hearth_domain::event::{Event, OccurredAt};
use hearth_domain::journey::fold_child;
use hearth_domain::obligations::{
    DueClocks, Obligation, ObligationError, Status, due_clocks, obligations,
};
use hearth_domain::timescales::{Clock, Duty, Rule, RuleSet, Source, SourceKind};
use hearth_testkit::random::{journey, seed};
use jiff::ToSpan;
use jiff::civil::{Date, date};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use std::sync::OnceLock;

/// The national rules and every kind of local policy a preset may add.
fn rules() -> &'static RuleSet {
    static RULES: OnceLock<RuleSet> = OnceLock::new();
    RULES.get_or_init(|| {
        let local = |duty, clock, within: &str| Rule {
            duty,
            clock,
            within: within.parse().unwrap(),
            source: Source {
                kind: SourceKind::LocalPolicy,
                title: String::from("Proptest practice standards"),
            },
            effective_from: date(2012, 1, 1),
            effective_to: None,
        };
        let local = [
            local(
                Duty::ChildProtectionVisit,
                Clock::ChildProtectionVisit,
                "10 working days",
            ),
            local(Duty::UnallocatedCase, Clock::Unallocated, "28 days"),
            local(
                Duty::PartnerCheckRed,
                Clock::PartnerCheckRequested,
                "4 hours",
            ),
            local(
                Duty::PartnerCheckAmber,
                Clock::PartnerCheckRequested,
                "24 hours",
            ),
            local(
                Duty::PartnerCheckGreen,
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

/// The obligation's deadline is the rule's, and its status agrees with it and `today`.
fn consistent(o: &Obligation, today: Date) -> Result<(), TestCaseError> {
    prop_assert_eq!(Some(o.rule), rules().in_force(o.duty, o.clock_started.date));
    prop_assert_eq!(o.due, o.rule.due(o.clock_started, cal()).unwrap());
    prop_assert!(o.clock_started.date <= today);
    let past = |at: OccurredAt| cal().working_days_between(o.due.date(), at.date).unwrap();
    let stopped_on = |on: &OccurredAt| o.clock_started.date <= on.date && on.date <= today;
    let now = OccurredAt::on(today);
    match &o.status {
        Status::Open => prop_assert!(!o.due.missed_by(now)),
        Status::Overdue { working_days } => {
            prop_assert!(o.due.missed_by(now));
            prop_assert_eq!(*working_days, past(now));
        }
        Status::Met { on, .. } => {
            prop_assert!(stopped_on(on));
            prop_assert!(!o.due.missed_by(*on));
        }
        Status::MetLate {
            on,
            working_days_late,
            ..
        } => {
            prop_assert!(stopped_on(on));
            prop_assert!(o.due.missed_by(*on));
            prop_assert_eq!(*working_days_late, past(*on));
        }
        Status::Ended {
            on,
            overdue_working_days,
            ..
        } => {
            prop_assert!(stopped_on(on));
            prop_assert_eq!(
                *overdue_working_days,
                o.due.missed_by(*on).then(|| past(*on))
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn obligations_agree_with_their_rules_and_only_the_past(
        s in seed(60),
        pick in any::<prop::sample::Index>(),
        later in 1i64..400,
    ) {
        let j = journey("P1", &s);
        // A day from registration to a while after the last event.
        let span = (j.date - j.registered).get_days() + 60;
        let offset = pick.index(usize::try_from(span).unwrap() + 1);
        let today = j.registered.checked_add((offset as i64).days()).unwrap();
        let obs = obligations(&j.child, &j.events, rules(), cal(), today).unwrap();
        for o in &obs {
            prop_assert_eq!(o.child.as_ref(), Some(&j.child));
            consistent(o, today)?;
        }

        let known: Vec<Event> = j.events.iter().filter(|e| e.date() <= today).cloned().collect();
        prop_assert_eq!(
            &obligations(&j.child, &known, rules(), cal(), today).unwrap(),
            &obs,
            "events after today changed the answer"
        );

        let after = today.checked_add(later.days()).unwrap();
        let then = obligations(&j.child, &j.events, rules(), cal(), after).unwrap();
        for o in obs.iter().filter(|o| !o.status.is_outstanding()) {
            prop_assert!(then.contains(o), "settled by {} but not by {}: {:?}", today, after, o);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// The due list reads only the children not settled a month before the day it is
    /// drawn up for; this is what makes skipping the others give the same list. Every
    /// prefix of a journey is a journey as it stood once, so each is checked.
    #[test]
    fn a_child_settled_a_month_before_the_day_has_nothing_on_the_due_list(
        s in seed(60),
        later in 0i64..800,
    ) {
        let j = journey("P1", &s);
        for n in 1..=j.events.len() {
            let events = &j.events[..n];
            let state = fold_child(&j.child, events).unwrap();
            let Some(since) = settled_since(&state) else {
                continue;
            };
            let as_at = since.checked_add(later.days()).unwrap();
            // A 21st birthday can fall past the last year the calendar counts.
            let Ok(window) = Window::new(as_at, cal()) else {
                continue;
            };
            let obs = obligations(&j.child, events, rules(), cal(), as_at).unwrap();
            prop_assert!(
                obs.iter().all(|o| !o.status.is_outstanding()),
                "settled on {} yet owing on {}: {:?}", since, as_at, obs
            );
            if since <= window.met_late_after {
                let listed = due_items(obs, &window, None, None);
                prop_assert!(listed.is_empty(), "{:?}", listed);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// The due cache holds a journey's clocks as its last event leaves them; finished as
    /// at that day or any later one (a month's window either side of the met-late edge
    /// most often), they list exactly what the journey lists, for every journey as it
    /// stood after each of its events. Before the last event they are refused.
    #[test]
    fn due_clocks_list_what_the_journey_lists_from_its_last_event_on(
        s in seed(60),
        later in prop_oneof![0i64..45, 0i64..800],
    ) {
        let j = journey("P1", &s);
        for n in 1..=j.events.len() {
            let events = &j.events[..n];
            let Some(clocks) = due_clocks(&j.child, events, rules(), cal()).unwrap() else {
                continue;
            };
            // As the cache stores them.
            let text = serde_json::to_string(&clocks).unwrap();
            let clocks: DueClocks = serde_json::from_str(&text).unwrap();
            prop_assert!(events.iter().any(|e| e.date() == clocks.last_date));
            let as_at = clocks.last_date.checked_add(later.days()).unwrap();
            let Ok(window) = Window::new(as_at, cal()) else {
                continue;
            };
            let journey = obligations(&j.child, events, rules(), cal(), as_at).unwrap();
            let cached = clocks.finish(&j.child, rules(), cal(), as_at).unwrap();
            prop_assert_eq!(
                due_items(cached, &window, None, None),
                due_items(journey, &window, None, None),
                "as at {} after {} events", as_at, n
            );
            let before = clocks.last_date.yesterday().unwrap();
            let refused = matches!(
                clocks.finish(&j.child, rules(), cal(), before),
                Err(ObligationError::ClocksTooLate { .. })
            );
            prop_assert!(refused);
        }
    }
}

/// Enough journeys (as they stood after each event) are settled, some of them after a
/// period in care, for the property above to say something.
#[test]
fn generated_journeys_are_often_settled() {
    let mut runner = TestRunner::deterministic();
    let strategy = seed(60);
    let (mut settled, mut after_care) = (0, 0);
    for _ in 0..300 {
        let j = journey("P1", &strategy.new_tree(&mut runner).unwrap().current());
        for n in 1..=j.events.len() {
            let state = fold_child(&j.child, &j.events[..n]).unwrap();
            if settled_since(&state).is_some() {
                settled += 1;
                if state.history.looked_after_periods > 0 {
                    after_care += 1;
                }
            }
        }
    }
    let summary = format!("{settled} settled, {after_care} of them after care");
    assert!(settled >= 300, "{summary}");
    assert!(after_care >= 20, "{summary}");
}
