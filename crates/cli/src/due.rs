//! `hearth due`: what is overdue, what falls due in the next ten working days and what
//! was met late in the last month, per team and worker, as a table for a person or as
//! JSON (the same document as `GET /api/v1/due`) for a program.

use anyhow::{Context, anyhow};
use hearth_app::HeldBy;
use hearth_app::due::{
    Authority, BadRequest, DueBody, DueList, Listing, parse_request, standing_text,
};
use hearth_app::{App, Caller};
use hearth_domain::due::{Standing, duty_label};
use jiff::Timestamp;
use jiff::civil::Date;
use std::fmt::Write as _;
use std::io::Write;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
}

/// What `hearth due` was asked, as typed.
pub struct Request {
    pub as_at: Option<String>,
    pub team: Option<String>,
    pub worker: Option<String>,
    pub format: Format,
}

/// Draw up the list and write it to `out`. Every child it names is written to the
/// access log first, as the command line's reading.
pub async fn due(
    app: &App,
    request: &Request,
    now: Timestamp,
    today: Date,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let (as_at, held_by) = parse_request(
        request.as_at.as_deref(),
        request.team.as_deref(),
        request.worker.as_deref(),
        today,
    )
    .map_err(|e| match e {
        BadRequest::Date(_) => anyhow!("--as-at {e}"),
        BadRequest::Team(_) => anyhow!("--team {e}"),
        BadRequest::Worker(_) => anyhow!("--worker {e}"),
        BadRequest::Both => anyhow!("give --team or --worker, not both"),
    })?;
    let authority = app.authority(as_at).await?;
    let caller = Caller::command_line("hearth due");
    let list = app
        .due_list(&caller, now, &authority, as_at, &held_by, Listing::Children)
        .await?;
    match request.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, &DueBody::new(&list, &held_by))?;
            writeln!(out)?;
        }
        Format::Table => out.write_all(table(&list, &authority, &held_by).as_bytes())?,
    }
    out.flush().context("could not write the list")
}

/// The list for a person: the counts per team (and, narrowed to a team or a worker, per
/// worker), then each duty overdue or due soon, longest overdue first.
fn table(list: &DueList, authority: &Authority, held_by: &HeldBy) -> String {
    let w = &list.window;
    let mut out = String::new();
    let _ = write!(out, "Due and overdue as at {}", w.as_at);
    match &authority.organisation {
        Some(org) => {
            let _ = writeln!(out, ", {}", org.authority);
        }
        None => {
            let _ = writeln!(out);
        }
    }
    let _ = writeln!(
        out,
        "{} overdue, {} due in the next 10 working days (by {}), {} met late since {}\n",
        list.total.overdue, list.total.due_soon, w.due_by, list.total.met_late, w.met_late_after
    );
    let _ = writeln!(
        out,
        "{:<48} {:>8} {:>9} {:>9}",
        "team / worker", "overdue", "due soon", "met late"
    );
    for team in &list.teams {
        let name = team.team.as_ref().map_or_else(
            || String::from("Unallocated"),
            |t| named(authority.team_name(t), t.as_str()),
        );
        let t = &team.tally;
        let _ = writeln!(
            out,
            "{name:<48} {:>8} {:>9} {:>9}",
            t.overdue, t.due_soon, t.met_late
        );
        if *held_by != HeldBy::Anyone {
            for worker in &team.workers {
                let w = &worker.worker;
                let name = format!("  {}", named(authority.worker_name(w), w.as_str()));
                let t = &worker.tally;
                let _ = writeln!(
                    out,
                    "{name:<48} {:>8} {:>9} {:>9}",
                    t.overdue, t.due_soon, t.met_late
                );
            }
        }
    }
    let _ = writeln!(
        out,
        "\n{:<20} {:<44} {:<11} {:<11} {:<32} worker",
        "child or contact", "duty", "started", "due", "where it stands"
    );
    for item in list
        .items
        .iter()
        .filter(|i| i.standing != Standing::MetLate)
    {
        let o = &item.obligation;
        // A front-door duty is listed once, under its contact when it has a journey.
        let whose = match (&o.child, &o.contact) {
            (Some(child), _) => child.to_string(),
            (None, Some(contact)) => format!("contact {contact}"),
            (None, None) => String::from("-"),
        };
        let _ = writeln!(
            out,
            "{:<20} {:<44} {:<11} {:<11} {:<32} {}",
            whose,
            duty_label(o.duty),
            o.clock_started.date.to_string(),
            o.due.date().to_string(),
            standing_text(item),
            item.worker.as_ref().map_or("-", |w| w.as_str()),
        );
    }
    out
}

/// "Name (id)", or the id alone when the organisation does not name it.
fn named(name: String, id: &str) -> String {
    if name == id {
        name
    } else {
        format!("{name} ({id})")
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use hearth_domain::codes::{Agency, Rag};
    use hearth_domain::event::{ContactReceived, EventData};
    use hearth_domain::ids::Subject;
    use hearth_testkit::{
        check_requested, contact, contact_ev, details, ev, given_child, intake, linked, received,
        registered, subject,
    };
    use jiff::civil::date;

    /// A contact about child C1, linked to her, with a red check asked on Monday 3 June
    /// 2024 and mirrored on her journey: the check's duty is on both journeys, and
    /// `hearth due` lists it once, under the contact, as it lists the decision.
    #[tokio::test]
    async fn an_overdue_red_check_is_listed_once() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("hearth.db").display());
        let store = hearth_store::open(&url).await.unwrap();
        let mut org = hearth_testkit::front_door_organisation();
        org.timescales = vec![
            serde_json::from_value(serde_json::json!({
                "duty": "partner_check_red",
                "clock": "partner_check_requested",
                "within": "4 hours",
                "source": { "kind": "local_policy", "title": "Testshire front door practice" },
                "effective_from": "2012-04-01",
            }))
            .unwrap(),
        ];
        store.put_organisation(&org).await.unwrap();
        let born = date(2016, 4, 12);
        store
            .append(
                0,
                vec![ev(
                    "C1",
                    "c1-1",
                    "2020-01-06",
                    registered(details("Lily", "Hartwell", born)),
                )],
            )
            .await
            .unwrap();
        let about = intake(vec![given_child("Lily", "Hartwel", born)]);
        let events = vec![
            contact_ev("CT1", "k-1", "2024-06-03T09:15", received("CT1", about)),
            contact_ev("CT1", "k-2", "2024-06-03T10:00", linked(0, "child:C1")),
            ev(
                "C1",
                "k-2-c1",
                "2024-06-03T09:15",
                EventData::ContactReceived(ContactReceived::new(
                    contact("CT1"),
                    hearth_domain::codes::ReferralSource::Schools,
                )),
            ),
            contact_ev(
                "CT1",
                "k-3",
                "2024-06-03T11:00",
                check_requested("CT1", Agency::Police, Rag::Red),
            ),
            ev(
                "C1",
                "k-3-c1",
                "2024-06-03T11:00",
                check_requested("CT1", Agency::Police, Rag::Red),
            ),
        ];
        store
            .append_many(
                vec![(Subject::Contact(contact("CT1")), 0), (subject("C1"), 1)],
                events,
            )
            .await
            .unwrap();
        let app = App::new(store);
        let request = Request {
            as_at: Some(String::from("2024-06-05")),
            team: None,
            worker: None,
            format: Format::Table,
        };
        let now: Timestamp = "2024-06-05T09:00:00Z".parse().unwrap();
        let mut out = Vec::new();
        due(&app, &request, now, date(2024, 6, 5), &mut out)
            .await
            .unwrap();
        let table = String::from_utf8(out).unwrap();
        let rows =
            |duty: &str| -> Vec<&str> { table.lines().filter(|l| l.contains(duty)).collect() };
        let checks = rows("Partner check (red)");
        assert_eq!(checks.len(), 1, "{table}");
        assert!(checks[0].starts_with("contact CT1"), "{table}");
        assert!(checks[0].contains("Overdue by 2 working days"), "{table}");
        let decisions = rows("Decision on a contact");
        assert_eq!(decisions.len(), 1, "{table}");
        assert!(decisions[0].starts_with("contact CT1"), "{table}");
        // Both under the front door's team.
        assert!(table.contains("2 overdue, 0 due"), "{table}");
        assert!(table.contains("Testshire front door (T0)"), "{table}");
    }
}
