//! The front door's funnel as a use case: read from the journeys of contacts received
//! in the period, on both backends; figures only, naming nobody; refused for a role
//! without `ViewFigures` and for a period it cannot draw.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/front_door.rs"]
mod front_door;

use front_door::*;
use hearth_app::{AppError, FunnelError, PeriodError, Place, Stages};
use hearth_domain::access::{Permission, Role};
use hearth_domain::codes::*;
use hearth_domain::event::*;
use hearth_domain::ids::*;
use hearth_domain::people::Address;
use jiff::civil::date;

on_both_backends!(
    the_funnel_counts_contacts_received_in_the_period_and_what_followed,
    the_funnel_is_refused_to_a_role_without_figures_and_for_a_period_it_cannot_draw,
);

fn stages(contacts: u64, referrals: u64, assessments: u64, nfa: u64) -> Stages {
    Stages {
        contacts,
        referrals,
        assessments,
        nfa_after_assessment: nfa,
    }
}

fn analyst() -> hearth_app::Caller {
    user("al.analyst", Role::Analyst)
}

/// Ruby (C2) of Ashford, the subject of a police contact (K9) on 31 May 2024 recorded
/// on her journey alone, as a county from before contact journeys holds it; referred
/// on 1 June and assessed from 2 June.
async fn ruby(f: &FrontDoor) {
    let subject = Subject::Child(ChildId::parse("C2").unwrap());
    let k9 = ContactId::parse("K9").unwrap();
    let e = |id: &str, on: &str, data| Event {
        id: EventId::parse(id).unwrap(),
        subject: subject.clone(),
        occurred_at: OccurredAt::parse(on).unwrap(),
        recorded_at: "2024-06-02T09:00:00Z".parse().unwrap(),
        recorded_by: Actor::parse("test").unwrap(),
        data,
    };
    let mut ruby = hearth_testkit::details("Ruby", "Stone", date(2018, 2, 2));
    ruby.address = Some(Address {
        lines: vec![String::from("9 Hythe Road")],
        town: String::from("Ashford"),
        postcode: "TN23 1XY".parse().unwrap(),
    });
    let journey = vec![
        e("ruby-01", "2020-01-01", hearth_testkit::registered(ruby)),
        e(
            "ruby-02",
            "2024-05-31T17:45",
            EventData::ContactReceived(ContactReceived::new(k9.clone(), ReferralSource::Police)),
        ),
        e(
            "ruby-03",
            "2024-06-01",
            EventData::ReferralAccepted(ReferralAccepted {
                referral: ReferralId::parse("R9").unwrap(),
                contact: Some(k9),
                source: ReferralSource::Police,
                primary_need: PrimaryNeed::AbuseOrNeglect,
            }),
        ),
        e(
            "ruby-04",
            "2024-06-02",
            EventData::AssessmentStarted(Default::default()),
        ),
    ];
    f.store.append(0, journey).await.unwrap();
}

/// A school's contact received through the app today (not yet linked to anyone) and a
/// police contact on Ruby's journey alone: two contacts in May and June, Ruby's
/// referred and assessed. Lily's referral names no contact and is not counted. A period
/// starting on 1 June leaves Ruby's contact (and so her referral) out.
async fn the_funnel_counts_contacts_received_in_the_period_and_what_followed(backend: Backend) {
    let f = FrontDoor::new(backend).await;
    let k = f.receive_about_child().await;
    ruby(&f).await;
    let rows_before = f.log_rows().await;
    let lily_log = f.log_of(&child_subject()).await;
    let contact_log = f.log_of(&Subject::Contact(k.clone())).await;

    let funnel = f
        .app
        .funnel(&analyst(), now(), date(2024, 5, 1), RECEIVED)
        .await
        .unwrap();
    assert_eq!(funnel.total, stages(2, 1, 1, 0));
    assert_eq!(
        funnel.by_source,
        vec![
            (ReferralSource::Schools, stages(1, 0, 0, 0)),
            (ReferralSource::Police, stages(1, 1, 1, 0)),
        ]
    );
    assert_eq!(
        funnel.by_place,
        vec![
            (Place::Locality(String::from("Ashford")), stages(1, 1, 1, 0)),
            (Place::OutOfArea, stages(0, 0, 0, 0)),
            (Place::Unknown, stages(1, 0, 0, 0)),
        ]
    );

    let june = f
        .app
        .funnel(&screener(), now(), date(2024, 6, 1), RECEIVED)
        .await
        .unwrap();
    assert_eq!(june.total, stages(1, 0, 0, 0));

    // One row for each view, naming no child and no contact.
    assert_eq!(f.log_rows().await, rows_before + 2);
    assert_eq!(f.log_of(&child_subject()).await, lily_log);
    assert_eq!(f.log_of(&Subject::Contact(k)).await, contact_log);
}

async fn the_funnel_is_refused_to_a_role_without_figures_and_for_a_period_it_cannot_draw(
    backend: Backend,
) {
    let f = FrontDoor::new(backend).await;
    let rows_before = f.log_rows().await;
    let refused = f
        .app
        .funnel(&partner(), now(), date(2024, 5, 1), RECEIVED)
        .await;
    assert!(
        matches!(
            refused,
            Err(FunnelError::App(AppError::Refused(Permission::ViewFigures)))
        ),
        "{refused:?}"
    );
    // The refusal is logged.
    assert_eq!(f.log_rows().await, rows_before + 1);

    let period = |from, to| {
        let f = &f;
        async move {
            match f.app.funnel(&analyst(), now(), from, to).await {
                Err(FunnelError::Period(e)) => e,
                other => panic!("{other:?}"),
            }
        }
    };
    assert_eq!(
        period(date(2024, 6, 2), date(2024, 6, 1)).await,
        PeriodError::StartsAfterEnd
    );
    assert_eq!(
        period(date(2024, 6, 1), date(2024, 6, 4)).await,
        PeriodError::InFuture
    );
    assert_eq!(
        period(date(2022, 1, 1), date(2024, 1, 1)).await,
        PeriodError::TooLong(date(2024, 1, 1))
    );
}
