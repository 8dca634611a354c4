//! The merge pages end to end: a screener merges a second record of a child into the
//! first through a check page, and undoes it; a merge the journeys refuse is named on
//! the form. Which roles reach the pages is tried for every route in `access.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use hearth_domain::access::Role;
use hearth_domain::event::Event;
use hearth_domain::ids::{ChildId, EventId, Subject};
use support::*;

async fn merged_into(app: &TestApp, child: &str) -> Option<ChildId> {
    let id = ChildId::parse(child).unwrap();
    app.store
        .child(&id)
        .await
        .unwrap()
        .unwrap()
        .state
        .merged_into
}

/// The merge page of C1, as `user` sees it.
async fn screener_page(app: &TestApp, user: &SignedIn) -> (u16, String) {
    let response = user
        .client
        .get(app.url("/children/C1/merge"))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

/// The value of the hidden field `name` on `page`.
fn hidden(page: &str, name: &str) -> String {
    let start = format!("name=\"{name}\" value=\"");
    let rest = &page[page.find(&start).unwrap() + start.len()..];
    rest[..rest.find('"').unwrap()].to_owned()
}

#[tokio::test]
async fn a_screener_checks_then_merges_a_duplicate_and_undoes_it() {
    let app = TestApp::spawn().await;
    let screener = sign_in(
        &app.store,
        "sky.screener",
        Role::Screener,
        NOW.parse().unwrap(),
    )
    .await;
    let response = screener
        .client
        .get(app.url("/children/C1/merge"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let form = response.text().await.unwrap();
    assert!(form.contains("Merge a duplicate record"), "{form}");

    // Neither id nor reason: the form says what is missing.
    let (status, _, page) = post_form(&app, &screener, "/children/C1/merge", &[]).await;
    assert_eq!(status, 400);
    assert!(
        page.contains("Enter the ID of the duplicate record."),
        "{page}"
    );

    let reason = [
        ("duplicate", "C2"),
        ("reason", "Same child: one record made in error"),
    ];
    let (status, _, check) = post_form(&app, &screener, "/children/C1/merge", &reason).await;
    assert_eq!(status, 200, "{check}");
    assert!(
        check.contains("Check the records before merging them"),
        "{check}"
    );
    assert!(check.contains("Merged into it: C2"), "{check}");
    // Nothing is written until it is confirmed.
    assert_eq!(merged_into(&app, "C2").await, None);

    let versions = hidden(&check, "versions");
    let mut confirm = reason.to_vec();
    confirm.extend([("versions", versions.as_str()), ("action", "merge")]);
    let (status, location, _) = post_form(&app, &screener, "/children/C1/merge", &confirm).await;
    assert_eq!((status, location.as_deref()), (303, Some("/children/C1")));
    assert_eq!(merged_into(&app, "C2").await, ChildId::parse("C1").ok());
    // Each record's page says so, and where the other one is.
    let (_, page) = app.page("/children/C2").await;
    assert!(page.contains("This record was merged into"), "{page}");
    assert!(page.contains("href=\"/children/C1\""), "{page}");
    let (_, page) = app.page("/children/C1").await;
    assert!(page.contains("Records merged into this one"), "{page}");
    // The survivor's chronology shows the duplicate's among its own while it stands.
    assert!(page.contains("From record C2"), "{page}");

    // Confirming the same check page again is refused by name.
    let (status, _, page) = post_form(&app, &screener, "/children/C1/merge", &confirm).await;
    assert_eq!(status, 409, "{page}");
    assert!(page.contains("has changed since you checked it"), "{page}");

    let (_, page) = screener_page(&app, &screener).await;
    assert!(page.contains("Merged into this record: C2"), "{page}");
    // A third record merged in meanwhile is listed as recorded here since C2's merge.
    let c2 = app
        .store
        .journey(&Subject::Child(ChildId::parse("C2").unwrap()))
        .await
        .unwrap()
        .0;
    let c3 = Event {
        id: EventId::parse("c3-01").unwrap(),
        subject: Subject::Child(ChildId::parse("C3").unwrap()),
        ..c2[0].clone()
    };
    app.store.append(0, vec![c3]).await.unwrap();
    let third = [("duplicate", "C3"), ("reason", "Same child again")];
    let (_, _, check) = post_form(&app, &screener, "/children/C1/merge", &third).await;
    let versions = hidden(&check, "versions");
    let mut confirm = third.to_vec();
    confirm.extend([("versions", versions.as_str()), ("action", "merge")]);
    let (status, _, _) = post_form(&app, &screener, "/children/C1/merge", &confirm).await;
    assert_eq!(status, 303);
    let (_, page) = screener_page(&app, &screener).await;
    assert_in_order(
        &page,
        &[
            "Merged into this record: C2",
            "Recorded here since the merge",
            "persons merged",
            "Merged into this record: C3",
        ],
    );
    let undo = [("duplicate", "C2"), ("reason", "Twins: two children")];
    let (status, location, _) = post_form(&app, &screener, "/children/C1/unmerge", &undo).await;
    assert_eq!((status, location.as_deref()), (303, Some("/children/C1")));
    assert_eq!(merged_into(&app, "C2").await, None);
    let (_, page) = app.page("/children/C1").await;
    assert!(!page.contains("From record C2"), "{page}");

    // Undoing it twice is refused, and said so.
    let (status, _, page) = post_form(&app, &screener, "/children/C1/unmerge", &undo).await;
    assert_eq!(status, 422, "{page}");
    assert!(page.contains("These records are not merged."), "{page}");
}

#[tokio::test]
async fn a_child_merged_into_itself_is_refused_on_the_form() {
    let app = TestApp::spawn().await;
    let screener = sign_in(
        &app.store,
        "sky.screener",
        Role::Screener,
        NOW.parse().unwrap(),
    )
    .await;
    let fields = [
        ("duplicate", "C1"),
        ("reason", "same"),
        ("versions", "1-1"),
        ("action", "merge"),
    ];
    let (status, _, page) = post_form(&app, &screener, "/children/C1/merge", &fields).await;
    assert_eq!(status, 422, "{page}");
    assert!(
        page.contains("A record cannot be merged with itself."),
        "{page}"
    );
}
