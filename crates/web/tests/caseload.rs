//! "My work" and the team pages, and the caseload API: a practitioner linked to a worker
//! sees their own children, a manager a team against the limits; who may ask for what.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use hearth_domain::access::Role;
use support::{NOW, TestApp, sign_in_as_worker};

async fn text(app: &TestApp, client: &reqwest::Client, path: &str) -> (u16, String) {
    let response = client.get(app.url(path)).send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

#[tokio::test]
async fn a_social_worker_lands_on_their_own_children() {
    let app = TestApp::spawn().await;
    let sam = sign_in_as_worker(
        &app.store,
        "sam.linked",
        Role::SocialWorker,
        Some("W1"),
        NOW.parse().unwrap(),
    )
    .await;
    let (status, page) = text(&app, &sam.client, "/my-work").await;
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains("<h1 class=\"govuk-heading-l\">My work</h1>"),
        "{page}"
    );
    assert!(
        page.contains("Sam Patel, Ashford CIN team: 1 child"),
        "{page}"
    );
    assert!(
        page.contains("href=\"/children/C1\">Ava Testington</a>"),
        "{page}"
    );
    // Without the account linked, the page says so rather than listing anyone.
    let (status, page) = text(&app, &app.client, "/my-work").await;
    assert_eq!(status, 200);
    assert!(
        page.contains("Your account is not linked to a worker"),
        "{page}"
    );
    assert!(!page.contains("Ava Testington"), "{page}");
    // Another worker's work is a manager's to see.
    let (status, _) = text(&app, &sam.client, "/my-work?worker=W1").await;
    assert_eq!(status, 200);
    let (status, _) = text(&app, &app.client, "/my-work?worker=W1").await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn a_manager_sees_the_team_and_the_api_answers_by_worker_or_team() {
    let app = TestApp::spawn().await;
    let now = NOW.parse().unwrap();
    let kim = sign_in_as_worker(&app.store, "kim.manager", Role::TeamManager, None, now).await;
    let (status, page) = text(&app, &kim.client, "/teams/T1").await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Ashford CIN team"), "{page}");
    assert!(
        page.contains("href=\"/my-work?worker=W1\">Sam Patel</a>"),
        "{page}"
    );
    assert!(page.contains("Nobody is waiting for a worker."), "{page}");
    let (status, page) = text(&app, &kim.client, "/teams/T77").await;
    assert_eq!(status, 404, "{page}");

    let (status, body) = text(&app, &kim.client, "/api/v1/caseload?team=T1").await;
    assert_eq!(status, 200, "{body}");
    let body: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["team"]["name"], "Ashford CIN team");
    assert_eq!(body["team"]["workers"][0]["cases"], 1);
    assert!(body["caseload"].is_null());

    let sam = sign_in_as_worker(
        &app.store,
        "sam.linked",
        Role::SocialWorker,
        Some("W1"),
        now,
    )
    .await;
    let (status, body) = text(&app, &sam.client, "/api/v1/caseload").await;
    assert_eq!(status, 200, "{body}");
    let body: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["caseload"]["worker"], "W1");
    assert_eq!(body["caseload"]["children"][0]["child"], "C1");
    let (status, _) = text(&app, &sam.client, "/api/v1/caseload?team=T1").await;
    assert_eq!(status, 403);
    let (status, body) = text(&app, &kim.client, "/api/v1/caseload?team=T1&worker=W1").await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body.contains("Give a worker or a team, not both."),
        "{body}"
    );
    let (status, body) = text(&app, &kim.client, "/api/v1/caseload?worker=W77").await;
    assert_eq!(status, 404, "{body}");
    assert!(
        body.contains("There is no worker 'W77' in the organisation document."),
        "{body}"
    );
}

#[tokio::test]
async fn a_child_a_contact_routed_to_the_team_waits_in_its_queue_on_the_page() {
    use hearth_domain::codes::RouteReason;
    use hearth_domain::event::{ContactRouted, EarlyHelpStarted, EventData};
    use hearth_domain::ids::TeamId;
    use hearth_testkit::{details, ev, registered};
    let app = TestApp::spawn().await;
    // C9 has early help and no worker; a contact's decision routed them to T1 on 20 May.
    app.store
        .append(
            0,
            vec![
                ev(
                    "C9",
                    "c9-1",
                    "2024-05-13",
                    registered(details("Ruby", "Marsh", jiff::civil::date(2019, 2, 2))),
                ),
                ev(
                    "C9",
                    "c9-2",
                    "2024-05-13",
                    EventData::EarlyHelpStarted(EarlyHelpStarted {
                        family: None,
                        step_down: false,
                    }),
                ),
                ev(
                    "C9",
                    "c9-3",
                    "2024-05-20",
                    EventData::ContactRouted(ContactRouted {
                        child: None,
                        team: TeamId::parse("T1").unwrap(),
                        worker: None,
                        locality: None,
                        reason: RouteReason::Locality,
                    }),
                ),
            ],
        )
        .await
        .unwrap();
    let kim = sign_in_as_worker(
        &app.store,
        "kim.manager",
        Role::TeamManager,
        None,
        NOW.parse().unwrap(),
    )
    .await;
    let (status, page) = text(&app, &kim.client, "/teams/T1").await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("1 waiting for a worker"), "{page}");
    assert!(
        page.contains("href=\"/children/C9\">Ruby Marsh</a>"),
        "{page}"
    );
    assert!(page.contains("2024-05-20"), "{page}");
}
