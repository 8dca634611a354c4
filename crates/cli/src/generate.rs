//! `hearth generate`: a synthetic county streamed into the store, then its headline
//! rates beside England's.
//!
//! Generation runs on a blocking thread and hands batches of whole families to the
//! store's bulk load through a short channel, so generating, preparing rows and writing
//! them overlap.

use anyhow::{Context, bail};
use hearth_analytics::rates::{ENGLAND_2025, RateCounter, Rates, ReportingYear};
use hearth_app::{App, Caller};
use hearth_domain::event::Event;
use hearth_domain::ids::Subject;
use hearth_synth::{Generator, Options};
use indicatif::{ProgressBar, ProgressStyle};
use jiff::civil::Date;
use std::fmt::Write as _;
use std::time::Instant;

/// Events per write transaction: large enough that commits are cheap, small enough that
/// memory stays flat.
const BATCH_EVENTS: usize = 50_000;

/// What to generate: `hearth generate`'s arguments.
#[derive(Debug, Clone)]
pub struct Request {
    pub preset: String,
    pub years: u32,
    pub seed: u64,
    pub scale: f64,
    /// The last day of the journal.
    pub until: Date,
}

/// What was generated.
#[derive(Debug, Clone)]
pub struct Generated {
    pub authority: String,
    pub events: u64,
    pub population: u32,
    pub rates: Rates,
    /// Whether the measured year lies wholly inside the generated window.
    pub full_year: bool,
    pub seconds: f64,
}

/// Generate the county `request` describes into the database, which must hold no
/// events (`App::new_county` refuses otherwise, before anything is generated).
pub async fn generate(
    app: &App,
    request: &Request,
    progress: ProgressBar,
) -> anyhow::Result<Generated> {
    let started = Instant::now();
    let caller = Caller::command_line("hearth generate");
    let county = app.new_county(&caller, crate::clock::now()).await?;
    let preset = hearth_synth::preset(&request.preset)?;
    let options = Options {
        years: request.years,
        seed: request.seed,
        scale: request.scale,
        end: request.until,
    };
    let generator = Generator::new(&preset, &options)?;
    let organisation = generator.organisation().clone();
    let population = generator.child_population();
    let year = ReportingYear::last_complete(request.until);
    let full_year = generator.window_start() <= year.start;

    let (batches, received) = tokio::sync::mpsc::channel::<Vec<Event>>(2);
    let producer = tokio::task::spawn_blocking(move || produce(generator, year, batches));

    let events = county
        .load(received, &|n| progress.inc(n), &organisation, request.until)
        .await
        .context("could not store the generated events")?;
    let counter = producer
        .await
        .context("the generator stopped unexpectedly")??;
    county.finish(&organisation).await?;
    // The load cached the clocks of nearly every child; this catches the few it could
    // not (on SQLite), or all of them (on a backend whose load does not).
    crate::warm_due_cache(app, request.until).await;
    progress.finish_and_clear();
    Ok(Generated {
        authority: organisation.authority,
        events,
        population,
        rates: counter.rates(population),
        full_year,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// Run the generator to the end, counting rates and sending batches of whole families.
fn produce(
    mut generator: Generator,
    year: ReportingYear,
    batches: tokio::sync::mpsc::Sender<Vec<Event>>,
) -> anyhow::Result<RateCounter> {
    let mut counter = RateCounter::new(year);
    let mut batch = Vec::with_capacity(BATCH_EVENTS + 1_000);
    for family in generator.by_ref() {
        for journey in family.chunk_by(|a, b| a.subject == b.subject) {
            if matches!(journey[0].subject, Subject::Child(_)) {
                counter
                    .add_child(journey)
                    .context("the generator made a journey the rates cannot read")?;
            }
        }
        batch.extend(family);
        if batch.len() >= BATCH_EVENTS {
            let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH_EVENTS + 1_000));
            if batches.blocking_send(full).is_err() {
                // The writer failed and has said why; stop generating.
                return Ok(counter);
            }
        }
    }
    if let Some(e) = generator.error() {
        bail!("the generator stopped early: {e}");
    }
    if !batch.is_empty() {
        // An error here means the writer failed, and it reports that itself.
        let _ = batches.blocking_send(batch);
    }
    Ok(counter)
}

/// A progress spinner on stderr when it is a terminal; nothing otherwise.
pub fn progress_bar() -> ProgressBar {
    use std::io::IsTerminal;
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new_spinner();
    if let Ok(style) = ProgressStyle::with_template(
        "{spinner} generating: {human_pos} events written ({per_sec}), {elapsed}",
    ) {
        bar.set_style(style);
    }
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    bar
}

/// The closing report: what was made, and its rates beside England's.
pub fn report(request: &Request, generated: &Generated) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}: {} events, {} years to {}, seed {}, scale {}, {} children aged 0-17, in {:.1} s ({:.0} events/s)",
        generated.authority,
        generated.events,
        request.years,
        request.until,
        request.seed,
        request.scale,
        generated.population,
        generated.seconds,
        generated.events as f64 / generated.seconds.max(1e-9),
    );
    let year = generated.rates.year;
    let _ = writeln!(
        out,
        "\nYear to {}{}",
        year.end,
        if generated.full_year {
            ""
        } else {
            " (only partly generated: use more --years for a full year)"
        }
    );
    let _ = writeln!(
        out,
        "{:<40} {:>10} {:>14} {:>11}",
        "indicator", "county", "England 24-25", "difference"
    );
    for line in generated.rates.compare(&ENGLAND_2025) {
        let _ = writeln!(
            out,
            "{:<40} {:>10.1} {:>14.1} {:>+10.1}%",
            line.indicator,
            line.value,
            line.england,
            100.0 * line.difference
        );
    }
    out
}
