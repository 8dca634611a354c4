//! `hearth scorecard`: each indicator for a month, for the authority and each row of a
//! breakdown, with target, RAG and the thirteen months' trend: a table for a person,
//! JSON (the API's document) or CSV for a spreadsheet.

use anyhow::{Context, anyhow};
use hearth_analytics::scorecard::catalogue::Unit;
use hearth_analytics::scorecard::{Breakdown, Month, Row, Scorecard};
use hearth_app::scorecard::ScorecardBody;
use hearth_app::{App, Caller};
use jiff::Timestamp;
use std::fmt::Write as _;
use std::io::Write;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
    Csv,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum By {
    Authority,
    Area,
    Locality,
    Team,
}

impl From<By> for Breakdown {
    fn from(by: By) -> Breakdown {
        match by {
            By::Authority => Breakdown::Authority,
            By::Area => Breakdown::Area,
            By::Locality => Breakdown::Locality,
            By::Team => Breakdown::Team,
        }
    }
}

/// What `hearth scorecard` was asked, as typed.
pub struct Request {
    pub month: String,
    pub by: By,
    pub format: Format,
}

/// Draw the scorecard and write it to `out`.
pub async fn scorecard(
    app: &App,
    request: &Request,
    now: Timestamp,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let month = Month::parse(&request.month).map_err(|e| anyhow!("--month {e}"))?;
    let caller = Caller::command_line("hearth scorecard");
    let card = app
        .scorecard(&caller, now, month, request.by.into())
        .await?;
    match request.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, &ScorecardBody::from(&card))?;
            writeln!(out)?;
        }
        Format::Csv => out.write_all(csv(&card).as_bytes())?,
        Format::Table => out.write_all(table(&card).as_bytes())?,
    }
    out.flush().context("could not write the scorecard")
}

/// A value as a scorecard shows it: one decimal place, or a dash where there is none.
fn shown(value: Option<f64>) -> String {
    value.map_or_else(|| String::from("-"), |v| format!("{v:.1}"))
}

/// The counts behind a figure: "n / d", "d" alone for a median, "n" for a rate
/// with no population.
fn behind(row: &Row) -> String {
    match (row.figure.numerator, row.figure.denominator) {
        (Some(n), Some(d)) if row.indicator.unit != Unit::Per10k || d > 0 => {
            format!("{n} / {d}")
        }
        (Some(n), _) => n.to_string(),
        (None, Some(d)) => format!("of {d}"),
        (None, None) => String::new(),
    }
}

fn table(card: &Scorecard) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Scorecard for {}, by {}\n", card.month, card.by.name());
    let _ = writeln!(
        out,
        "{:<52} {:<28} {:>8} {:>16} {:>7} {:<6} trend (13 months, oldest first)",
        "indicator", "breakdown", "value", "counts", "target", "RAG"
    );
    for row in &card.rows {
        let trend: Vec<String> = row.trend.iter().map(|v| shown(*v)).collect();
        let _ = writeln!(
            out,
            "{:<52} {:<28} {:>8} {:>16} {:>7} {:<6} {}",
            row.indicator.label,
            row.breakdown,
            shown(row.figure.value),
            behind(row),
            shown(row.target.as_ref().map(|t| t.target)),
            row.rag.map_or("-", |r| r.label()),
            trend.join(" "),
        );
    }
    out
}

/// One line per row: the JSON's fields, then one column per month of the trend.
fn csv(card: &Scorecard) -> String {
    let mut out = String::from("kpi,breakdown,value,numerator,denominator,target,rag");
    for month in card.month.trend() {
        let _ = write!(out, ",{month}");
    }
    out.push('\n');
    let number = |v: Option<f64>| v.map_or_else(String::new, |v| v.to_string());
    let count = |v: Option<u64>| v.map_or_else(String::new, |v| v.to_string());
    for row in &card.rows {
        let _ = write!(
            out,
            "{},{},{},{},{},{},{}",
            row.indicator.id,
            quoted(&row.breakdown),
            number(row.figure.value),
            count(row.figure.numerator),
            count(row.figure.denominator),
            number(row.target.as_ref().map(|t| t.target)),
            row.rag.map_or("", |r| r.label()),
        );
        for v in row.trend {
            let _ = write!(out, ",{}", number(v));
        }
        out.push('\n');
    }
    out
}

/// A CSV field: quoted when it holds a comma, a quote or a line break.
fn quoted(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_owned()
    }
}
