//! `hearth org show` and `hearth org apply`: the organisation document as TOML, a
//! council's own file checked (one sentence naming the line and key of anything wrong)
//! and stored as a new dated version.

use anyhow::{Context, bail};
use hearth_app::{App, Caller};
use hearth_domain::org::{KeyPath, OrgError, Organisation, Step};
use jiff::Timestamp;
use jiff::civil::Date;
use std::ops::Range;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// The version in force on `today` (or, when none is yet, the first to come), as TOML,
/// headed by a comment saying from when.
pub async fn show(app: &App, now: Timestamp, today: Date) -> anyhow::Result<String> {
    let caller = Caller::command_line("hearth org show");
    let Some(version) = app.organisation_in_force(&caller, now, today).await? else {
        bail!(
            "the database holds no organisation; store one with `hearth org apply FILE.toml` (or generate a county)"
        );
    };
    let body = toml::to_string(&version.organisation)
        .context("the organisation could not be written as TOML")?;
    Ok(format!(
        "# {}: the version in force from {} (revision {}).\n{body}",
        version.organisation.authority, version.from, version.revision
    ))
}

/// Read and check a council's file: a TOML organisation document the domain accepts.
/// Every refusal is one sentence naming the file, the line and the key.
pub fn parse(name: &str, text: &str) -> anyhow::Result<Organisation> {
    let tree = match DeTable::parse(text) {
        Ok(tree) => tree,
        Err(e) => bail!(
            "{name}{}: {}",
            at_line(text, e.span(), None),
            sentence(e.message())
        ),
    };
    let deserializer = toml::Deserializer::from(tree.clone());
    let org: Organisation = match serde_path_to_error::deserialize(deserializer) {
        Ok(org) => org,
        Err(e) => {
            let key = e.path().to_string();
            let span = e.inner().span().or_else(|| span_of_path(&tree, &key));
            let key = (key != ".").then_some(key);
            bail!(
                "{name}{}: {}",
                at_line(text, span, key.as_deref()),
                sentence(e.inner().message())
            );
        }
    };
    if let Err(OrgError { key, problem }) = org.validate() {
        let span = span_of(&tree, &key);
        bail!(
            "{name}{}: {problem}",
            at_line(text, span, Some(&key.to_string()))
        );
    }
    Ok(org)
}

/// Store `org` as a new version in force from `from`; earlier versions are kept.
pub async fn apply(
    app: &App,
    now: Timestamp,
    org: &Organisation,
    from: Date,
) -> anyhow::Result<u64> {
    let caller = Caller::command_line("hearth org apply");
    Ok(app.apply_organisation(&caller, now, org, from).await?)
}

/// ", line N, key K" for a place in the file, as much of it as is known.
fn at_line(text: &str, span: Option<Range<usize>>, key: Option<&str>) -> String {
    let line = span.map(|s| {
        let start = s.start.min(text.len());
        text.get(..start).map_or(1, |t| t.matches('\n').count() + 1)
    });
    match (line, key) {
        (Some(l), Some(k)) => format!(", line {l}, {k}"),
        (Some(l), None) => format!(", line {l}"),
        (None, Some(k)) => format!(", {k}"),
        (None, None) => String::new(),
    }
}

/// The parser's message as the end of one sentence: its first line, without a full stop.
fn sentence(message: &str) -> String {
    message
        .lines()
        .next()
        .unwrap_or("not valid TOML")
        .trim()
        .trim_end_matches('.')
        .to_owned()
}

/// One step into the file: a key or a list position.
enum Seg<'a> {
    Key(&'a str),
    Index(usize),
}

/// Where the value at `path` is in the file, or the nearest place above it that is.
fn span_at<'a>(
    tree: &Spanned<DeTable<'_>>,
    path: impl IntoIterator<Item = Seg<'a>>,
) -> Option<Range<usize>> {
    let root = Spanned::new(tree.span(), DeValue::Table(tree.get_ref().clone()));
    let mut here = &root;
    let mut best = None;
    for step in path {
        let next = match step {
            Seg::Key(k) => here.get_ref().get(k),
            Seg::Index(i) => here.get_ref().get(i),
        };
        match next {
            Some(next) => {
                here = next;
                best = Some(here.span());
            }
            None => break,
        }
    }
    best
}

fn span_of(tree: &Spanned<DeTable<'_>>, path: &KeyPath) -> Option<Range<usize>> {
    span_at(
        tree,
        path.0.iter().map(|step| match step {
            Step::Key(k) => Seg::Key(k),
            Step::Index(i) => Seg::Index(*i),
        }),
    )
}

/// [`span_of`] for a path as serde_path_to_error writes it (`areas[0].name`).
fn span_of_path(tree: &Spanned<DeTable<'_>>, path: &str) -> Option<Range<usize>> {
    let mut steps = Vec::new();
    for part in path.split('.') {
        let mut pieces = part.split('[');
        if let Some(key) = pieces.next().filter(|k| !k.is_empty()) {
            steps.push(Seg::Key(key));
        }
        for index in pieces {
            if let Ok(i) = index.trim_end_matches(']').parse() {
                steps.push(Seg::Index(i));
            }
        }
    }
    span_at(tree, steps)
}
