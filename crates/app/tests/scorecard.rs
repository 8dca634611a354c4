//! The scorecard as a use case, on both backends: every child's journey read once,
//! figures by breakdown naming nobody, one access-log row per view; refused to a role
//! without `ViewFigures`, and for a month or breakdown it cannot draw.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/front_door.rs"]
mod front_door;

use front_door::*;
use hearth_analytics::scorecard::{Breakdown, Month, Scorecard};
use hearth_app::AppError;
use hearth_app::scorecard::{ScorecardBody, ScorecardError};
use hearth_domain::access::{Permission, Role};
use hearth_domain::codes::*;
use hearth_domain::event::*;
use hearth_domain::ids::*;
use hearth_domain::people::Address;

on_both_backends!(
    the_scorecard_counts_every_child_where_they_lived_and_logs_the_view,
    the_scorecard_is_refused_to_a_role_without_figures_and_for_a_month_it_cannot_draw,
);

fn analyst() -> hearth_app::Caller {
    user("al.analyst", Role::Analyst)
}

fn month(text: &str) -> Month {
    Month::parse(text).unwrap()
}

/// Ruby (C2) of Ashford, referred on 1 May 2024, assessed from 2 May to 20 May, found
/// to need services.
async fn ruby(f: &FrontDoor) {
    let subject = Subject::Child(ChildId::parse("C2").unwrap());
    let e = |id: &str, on: &str, data| Event {
        id: EventId::parse(id).unwrap(),
        subject: subject.clone(),
        occurred_at: OccurredAt::parse(on).unwrap(),
        recorded_at: "2024-05-20T09:00:00Z".parse().unwrap(),
        recorded_by: Actor::parse("test").unwrap(),
        data,
    };
    let mut ruby = hearth_testkit::details("Ruby", "Stone", jiff::civil::date(2018, 2, 2));
    ruby.address = Some(Address {
        lines: vec![String::from("9 Hythe Road")],
        town: String::from("Ashford"),
        postcode: "TN23 1XY".parse().unwrap(),
    });
    let journey = vec![
        e("ruby-01", "2024-01-15", hearth_testkit::registered(ruby)),
        e(
            "ruby-02",
            "2024-05-01",
            EventData::ReferralAccepted(ReferralAccepted {
                referral: ReferralId::parse("R9").unwrap(),
                contact: None,
                source: ReferralSource::Schools,
                primary_need: PrimaryNeed::AbuseOrNeglect,
            }),
        ),
        e(
            "ruby-03",
            "2024-05-02",
            EventData::AssessmentStarted(Default::default()),
        ),
        e(
            "ruby-04",
            "2024-05-20",
            EventData::AssessmentCompleted(AssessmentCompleted {
                factors: vec![],
                services_needed: true,
                child_seen: Some(true),
            }),
        ),
    ];
    f.store.append(0, journey).await.unwrap();
}

fn figure(card: &Scorecard, kpi: &str, breakdown: &str) -> (Option<u64>, Option<f64>) {
    let row = card
        .rows
        .iter()
        .find(|r| r.indicator.id == kpi && r.breakdown == breakdown)
        .unwrap();
    (row.figure.numerator, row.figure.value)
}

/// Lily (referred 11 January 2024) and Ruby (1 May) both live in Ashford, whose 10,000
/// children make two referrals 2 per 10,000 in the year to May 2024. Ruby's assessment
/// took 12 working days (2 May to 20 May, less the 6 May bank holiday).
async fn the_scorecard_counts_every_child_where_they_lived_and_logs_the_view(backend: Backend) {
    let f = FrontDoor::new(backend).await;
    ruby(&f).await;
    let rows_before = f.log_rows().await;
    let lily_log = f.log_of(&child_subject()).await;

    let card = f
        .app
        .scorecard(&analyst(), now(), month("2024-05"), Breakdown::Locality)
        .await
        .unwrap();
    assert_eq!(
        figure(&card, "referrals_per_10k", "authority"),
        (Some(2), Some(2.0))
    );
    assert_eq!(
        figure(&card, "referrals_per_10k", "Ashford"),
        (Some(2), Some(2.0))
    );
    assert_eq!(
        figure(&card, "referrals_per_10k", "Testshire services"),
        (Some(0), None)
    );
    assert_eq!(
        figure(&card, "assessment_median_days", "authority"),
        (None, Some(12.0))
    );
    assert_eq!(
        figure(&card, "assessments_in_45wd_pct", "Ashford"),
        (Some(1), Some(100.0))
    );
    // The JSON names the indicator by id and the trend's last value is the month's.
    let body = ScorecardBody::from(&card);
    let json = serde_json::to_value(&body).unwrap();
    assert_eq!(json["month"], "2024-05");
    assert_eq!(json["by"], "locality");
    assert_eq!(json["rows"][0]["kpi"], "referrals_per_10k");
    assert_eq!(json["rows"][0]["trend"][12], 2.0);

    // This month, not yet over, may be drawn too.
    let june = f
        .app
        .scorecard(&analyst(), now(), month("2024-06"), Breakdown::Team)
        .await
        .unwrap();
    assert_eq!(
        figure(&june, "referrals_per_10k", "No team"),
        (Some(2), None)
    );

    // One row for each view, naming no child.
    assert_eq!(f.log_rows().await, rows_before + 2);
    assert_eq!(f.log_of(&child_subject()).await, lily_log);
}

async fn the_scorecard_is_refused_to_a_role_without_figures_and_for_a_month_it_cannot_draw(
    backend: Backend,
) {
    let f = FrontDoor::new(backend).await;
    let rows_before = f.log_rows().await;
    let refused = f
        .app
        .scorecard(&partner(), now(), month("2024-05"), Breakdown::Authority)
        .await;
    assert!(
        matches!(
            refused,
            Err(ScorecardError::App(AppError::Refused(
                Permission::ViewFigures
            )))
        ),
        "{refused:?}"
    );
    // The refusal is logged.
    assert_eq!(f.log_rows().await, rows_before + 1);

    let refusal = |m: &'static str| {
        let f = &f;
        async move {
            match f
                .app
                .scorecard(&analyst(), now(), month(m), Breakdown::Area)
                .await
            {
                Err(e) => e.to_string(),
                Ok(_) => panic!("{m} was drawn"),
            }
        }
    };
    assert_eq!(
        refusal("2024-07").await,
        "2024-07 has not started yet: choose this month or an earlier one"
    );
    // Lily's journey, the first, starts in January 2024.
    assert_eq!(
        refusal("2023-12").await,
        "the journal starts in 2024: choose a month from 2024-01 on"
    );

    // An organisation with no teams cannot be broken down by team.
    let mut org = hearth_testkit::front_door_organisation();
    for area in &mut org.areas {
        for locality in &mut area.localities {
            locality.teams.clear();
        }
    }
    org.workers.clear();
    org.front_door = None;
    f.store.put_organisation(&org).await.unwrap();
    let app = hearth_app::App::new(f.store.clone());
    let by_team = app
        .scorecard(&analyst(), now(), month("2024-05"), Breakdown::Team)
        .await
        .unwrap_err();
    assert_eq!(
        by_team.to_string(),
        "the organisation has no teams to break the scorecard down by"
    );
}
