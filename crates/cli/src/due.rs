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
        "\n{:<12} {:<44} {:<11} {:<11} {:<32} worker",
        "child", "duty", "started", "due", "where it stands"
    );
    for item in list
        .items
        .iter()
        .filter(|i| i.standing != Standing::MetLate)
    {
        let o = &item.obligation;
        let _ = writeln!(
            out,
            "{:<12} {:<44} {:<11} {:<11} {:<32} {}",
            o.child.as_str(),
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
