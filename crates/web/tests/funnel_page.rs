//! The front door's funnel page: the sample county's January contact followed to its
//! referral and assessment, by source and locality, as an analyst sees it; the last
//! full month by default; dates that are not dates, or a period the funnel cannot
//! draw, answered 400 with the form and the message beside the date to change. Which
//! roles reach it is tried with every route in `access.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use hearth_domain::access::Role;
use support::*;

async fn analyst(app: &TestApp) -> SignedIn {
    sign_in(
        &app.store,
        "al.analyst",
        Role::Analyst,
        NOW.parse().unwrap(),
    )
    .await
}

async fn page(app: &TestApp, user: &SignedIn, query: &str) -> (u16, String) {
    let response = user
        .client
        .get(app.url(&format!("/front-door/funnel{query}")))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

const JANUARY: &str = "?from-day=1&from-month=1&from-year=2024&to-day=31&to-month=1&to-year=2024";

#[tokio::test]
async fn the_funnel_follows_the_periods_contacts_by_source_and_locality() {
    let app = TestApp::spawn().await;
    let analyst = analyst(&app).await;
    let (status, body) = page(&app, &analyst, JANUARY).await;
    assert_eq!(status, 200, "{body}");
    // Ava's police contact of 10 January, referred the next day and assessed.
    assert_in_order(
        &body,
        &[
            "href=\"&#x2f;front-door&#x2f;funnel\"",
            "Contacts received from 1 January 2024 to 31 January 2024",
            "role=\"img\"",
            "Contacts",
            "Referrals",
            "The chart&#x27;s figures",
            "By referral source",
            "Police (6)",
            "100.0%",
            "All contacts",
            "By locality",
            "Ashford",
            "Out of area",
            "Unknown",
        ],
    );
    // Figures only.
    assert!(!body.contains("Testington"), "{body}");
    assert!(!body.contains("/children/"), "{body}");
    // The dates asked for are kept in the form.
    assert!(
        body.contains("name=\"to-day\" type=\"text\" inputmode=\"numeric\" value=\"31\""),
        "{body}"
    );

    // February has no contacts: every row is still there, with no percentages.
    let (status, body) = page(
        &app,
        &analyst,
        "?from-day=1&from-month=2&from-year=2024&to-day=29&to-month=2&to-year=2024",
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_in_order(&body, &["By locality", "Ashford", "n&#x2f;a", "Unknown"]);
    assert!(!body.contains("Police (6)"), "{body}");
}

#[tokio::test]
async fn the_last_full_month_is_shown_when_no_period_is_asked() {
    let app = TestApp::spawn().await;
    let analyst = analyst(&app).await;
    let (status, body) = page(&app, &analyst, "").await;
    assert_eq!(status, 200, "{body}");
    assert!(
        body.contains("Contacts received from 1 May 2024 to 31 May 2024"),
        "{body}"
    );
    // A social worker sees the due list in the navigation, not the funnel, but may
    // open the page.
    let (status, body) = app.page("/front-door/funnel").await;
    assert_eq!(status, 200, "{body}");
    assert!(!body.contains("Front door funnel<"), "{body}");
}

#[tokio::test]
async fn a_date_that_is_not_one_or_a_period_that_cannot_be_drawn_is_named() {
    let app = TestApp::spawn().await;
    let analyst = analyst(&app).await;
    let cases = [
        (
            "?from-day=31&from-month=2&from-year=2024&to-day=1&to-month=3&to-year=2024",
            "The start date must be a real date",
            "#from-day",
        ),
        (
            "?from-day=1&from-month=3&from-year=2024&to-day=&to-month=3&to-year=2024",
            "Enter the end date as a day, month and year",
            "#to-day",
        ),
        (
            "?from-day=2&from-month=3&from-year=2024&to-day=1&to-month=3&to-year=2024",
            "The start of the period must be on or before its end",
            "#from-day",
        ),
        (
            "?from-day=1&from-month=5&from-year=2024&to-day=2&to-month=6&to-year=2024",
            "The end of the period must be today or in the past",
            "#to-day",
        ),
        (
            "?from-day=1&from-month=1&from-year=2022&to-day=1&to-month=1&to-year=2024",
            "The period must be at most 2 years long: end it before 2024-01-01",
            "#to-day",
        ),
    ];
    for (query, message, href) in cases {
        let (status, body) = page(&app, &analyst, query).await;
        assert_eq!(status, 400, "{query}: {body}");
        assert_in_order(
            &body,
            &[
                "There is a problem",
                &format!("href=\"{href}\""),
                message,
                "govuk-error-message",
                message,
            ],
        );
        assert!(!body.contains("By locality"), "{body}");
    }
}
