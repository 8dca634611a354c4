//! The case page's deadlines and its chronology as a timeline: what the child owes, the
//! chronology's filters, and corrections shown against what they correct. The sample
//! county on a fresh SQLite store, read by a signed-in social worker (`support`).

// Clippy's allow-unwrap-in-tests covers #[test] functions, not the helpers beside them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use hearth_domain::event::*;
use hearth_testkit::builders::ev;
use support::*;

/// The section of the page between two markers, so an assertion reads one panel.
fn between<'p>(page: &'p str, from: &str, to: &str) -> &'p str {
    let start = page
        .find(from)
        .unwrap_or_else(|| panic!("{from:?} missing in:\n{page}"));
    let end = page[start..].find(to).map_or(page.len(), |at| start + at);
    &page[start..end]
}

fn due_panel(page: &str) -> &str {
    between(page, r#"id="due""#, "<h2")
}

/// Ava (C1) as at 1 June 2024 owes three duties, all overdue: the panel names each with
/// its rule's time and source, its due date and how late it is, in words.
#[tokio::test]
async fn the_case_page_shows_what_is_overdue_with_its_rule_and_source() {
    let app = TestApp::spawn().await;
    let (status, page) = app.page("/children/C1").await;
    assert_eq!(status, 200);
    let panel = due_panel(&page);
    assert!(panel.contains("Due and overdue"), "{panel}");
    assert_in_order(
        panel,
        &[
            "First core group",
            "Within 10 working days. Guidance: Working Together to Safeguard Children 2006 onwards",
            "2024-02-19",
            "Overdue by 70 working days",
            "Assessment",
            "Within 45 working days. Guidance: Working Together to Safeguard Children 2013 onwards, chapter 1",
            "2024-03-14",
            "Overdue by 52 working days",
            "First review child protection conference",
            "Within 3 months.",
            "2024-05-05",
            "Overdue by 18 working days",
        ],
    );
    assert_eq!(panel.matches("govuk-tag--red").count(), 3, "{panel}");
    assert!(!panel.contains("Nothing is due"), "{panel}");
    // The page was read once, and logged once.
    let log = app.access_log("C1").await;
    assert_eq!(log.len(), 1, "{log:?}");
}

/// A duty not yet due is listed after the overdue, with its date and no overdue tag,
/// however far off it is.
#[tokio::test]
async fn a_duty_not_yet_due_shows_when_it_falls_due() {
    let app = TestApp::spawn().await;
    // The first review conference, held late on 30 May, sets the next one running:
    // due six months on.
    let review = ev(
        "C1",
        "c1-15",
        "2024-05-30",
        EventData::CpReviewHeld(CpReviewHeld {
            continue_plan: true,
        }),
    );
    app.store.append_batch(vec![review]).await.unwrap();
    let (status, page) = app.page("/children/C1").await;
    assert_eq!(status, 200);
    let panel = due_panel(&page);
    assert_in_order(
        panel,
        &[
            "Overdue by 52 working days",
            "Review child protection conference",
            "Within 6 months.",
            "2024-11-30",
            "Due 2024-11-30",
        ],
    );
    // Met, even late, it is no longer owed.
    assert!(!panel.contains("First review"), "{panel}");
    let last_row = between(panel, "Review child protection conference", "</tr>");
    assert!(!last_row.contains("govuk-tag"), "{last_row}");
}

/// Ben (C2), not yet born, owes nothing: the panel says so.
#[tokio::test]
async fn a_child_with_nothing_due_is_told_so() {
    let app = TestApp::spawn().await;
    let (status, page) = app.page("/children/C2").await;
    assert_eq!(status, 200);
    let panel = due_panel(&page);
    assert!(
        panel.contains("Nothing is due or overdue for this child."),
        "{panel}"
    );
    assert!(!panel.contains("<table"), "{panel}");
}

fn chronology(page: &str) -> &str {
    between(page, r#"id="chronology""#, "</main>")
}

/// Narrowed to child protection, then to February: only those entries, and a line
/// saying how many of how many and what was chosen.
#[tokio::test]
async fn the_chronology_filters_by_kind_and_period_without_javascript() {
    let app = TestApp::spawn().await;
    let (status, page) = app.page("/children/C1?area=protection").await;
    assert_eq!(status, 200);
    let list = chronology(&page);
    assert!(
        list.contains("Showing 5 of 13 entries: child protection."),
        "{list}"
    );
    assert!(list.contains("Child protection plan started"), "{list}");
    assert!(!list.contains("Contact received from Police"), "{list}");
    assert!(!list.contains("Visit by Sam Patel"), "{list}");
    assert!(
        list.contains(r#"<option value="protection" selected>"#),
        "{list}"
    );

    let (status, page) = app.page("/children/C1?from=2024-02-01&to=2024-02-29").await;
    assert_eq!(status, 200);
    let list = chronology(&page);
    assert!(list.contains("from 2024-02-01, to 2024-02-29."), "{list}");
    assert!(
        list.contains("Visit by Sam Patel: child seen alone"),
        "{list}"
    );
    assert!(
        !list.contains("Visit by Sam Patel: child not seen"),
        "{list}"
    );
    assert!(!list.contains("Section 47 enquiry started"), "{list}");
    // One read of the child for each page, however filtered.
    assert_eq!(app.access_log("C1").await.len(), 2);
}

/// A date that is not one is refused in one sentence, at the top and by the box.
#[tokio::test]
async fn a_bad_date_is_refused_at_the_top_and_by_the_box() {
    let app = TestApp::spawn().await;
    let (status, page) = app.page("/children/C1?from=2024-02-30").await;
    assert_eq!(status, 400);
    assert!(page.contains("<title>Error: Ava Testington"), "{page}");
    assert_eq!(
        page.matches("Enter the &#x27;from&#x27; date as a real date, like 2024-03-01")
            .count(),
        2,
        "{page}"
    );
    assert!(page.contains(r##"href="#from""##), "{page}");
    assert!(page.contains(r#"value="2024-02-30""#), "{page}");
}

/// A retraction and an amendment are shown under the entry they correct, saying who
/// made them, when and why.
#[tokio::test]
async fn corrections_are_shown_against_what_they_correct() {
    let app = TestApp::spawn().await;
    let amend = ev(
        "C1",
        "c1-15",
        "2024-03-05",
        EventData::EventAmended(EventAmended {
            event: hearth_domain::ids::EventId::parse("c1-12").unwrap(),
            reason: String::from("the wrong date was typed"),
            occurred_at: Some(OccurredAt::parse("2024-02-09").unwrap()),
            amended: None,
        }),
    );
    app.store.append_batch(vec![amend]).await.unwrap();
    let (status, page) = app.page("/children/C1").await;
    assert_eq!(status, 200);
    let list = chronology(&page);
    assert_in_order(
        list,
        &[
            "Visit by Sam Patel: child not seen",
            "Retracted",
            "Retracted on 2024-03-04 by test: entered on the wrong child",
            "Visit by Sam Patel: child seen alone",
            "Amended",
            "Amended on 2024-03-05 by test: the wrong date was typed. Now dated 2024-02-09",
        ],
    );
    assert!(!list.contains("Amended the event of"), "{list}");
}
