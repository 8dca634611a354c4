//! Case notes in full (issue 14, item 2), a child's and a family's: each note as the
//! record holds it now (amendments applied, retracted notes gone), newest first, with a
//! search by words (`hearth_domain::notes`). The chronology shows each note's sentence;
//! these pages show what was written. Both need `ReadRecord`; a child's read is logged
//! like the chronology's, a family's like the family page's (the family and each child
//! shown, restricted children left out), and the words searched for are not logged.

use crate::AppState;
use crate::chronology::when;
use crate::error::{Failure, NO_CHILD, PageError};
use crate::family::family_id;
use crate::pages::child_id;
use crate::session::{Account, Caller};
use crate::templates;
use axum::Extension;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::response::Html;
use hearth_domain::event::{CaseNote, Event, LongText};
use hearth_domain::ids::Subject;
use hearth_domain::journey::effective_events;
use hearth_domain::notes::{NoteSearch, notes};
use serde::{Deserialize, Serialize};

#[derive(Debug, Default, Deserialize)]
pub(crate) struct NotesParams {
    #[serde(default)]
    q: String,
}

/// A section of a note: its heading and its paragraphs, each a list of lines.
#[derive(Debug, Serialize)]
struct Section {
    heading: &'static str,
    paragraphs: Vec<Vec<String>>,
}

#[derive(Debug, Serialize)]
struct NoteView {
    id: String,
    /// On the family's notes, the child whose record the note is on, by name.
    child: Option<String>,
    /// Where the note is corrected, for those who may record.
    correct: Option<String>,
    when: String,
    datetime: String,
    contact: &'static str,
    by: String,
    seen: &'static str,
    present: Option<String>,
    sections: Vec<Section>,
}

/// The page, the child's or the family's: `whose` says which in words ("this child's",
/// "the family's") and `href` is the record's own page.
#[derive(Debug, Serialize)]
struct NotesPage {
    href: String,
    caption: String,
    whose: &'static str,
    /// The back link's words.
    back: &'static str,
    /// What the page says when there are no notes at all.
    empty: &'static str,
    /// Where a new note is written (a child's notes, for those who may record).
    write: Option<String>,
    q: String,
    searched: bool,
    notes: Vec<NoteView>,
}

/// Text as paragraphs (split at blank lines), each as its lines.
fn paragraphs(text: &str) -> Vec<Vec<String>> {
    text.split("\n\n")
        .map(|p| {
            p.lines()
                .map(str::trim_end)
                .filter(|l| !l.is_empty())
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .filter(|p| !p.is_empty())
        .collect()
}

/// A note as its page shows it. `child` is the child whose record it is on, by id (for
/// its correction link, if the caller may correct) and by name (on the family's notes).
fn view(
    event: &Event,
    note: &CaseNote,
    child: &str,
    may_record: bool,
    name: Option<&str>,
) -> NoteView {
    let mut sections = vec![Section {
        heading: "What happened",
        paragraphs: paragraphs(note.narrative.as_str()),
    }];
    for (heading, text) in [
        ("The child's own words", &note.child_words),
        ("Strengths", &note.strengths),
        ("Worries", &note.worries),
        ("Analysis", &note.analysis),
    ] {
        if let Some(text) = text.as_ref().map(LongText::as_str) {
            sections.push(Section {
                heading,
                paragraphs: paragraphs(text),
            });
        }
    }
    NoteView {
        id: event.id.to_string(),
        child: name.map(str::to_owned),
        correct: may_record.then(|| format!("/children/{child}/events/{}/correct", event.id)),
        when: when(event.occurred_at),
        datetime: event.occurred_at.to_string(),
        contact: note.contact_type.label(),
        by: event.recorded_by.to_string(),
        seen: match (note.seen, note.seen_alone) {
            (true, true) => "Seen alone",
            (true, false) => "Seen, not alone",
            (false, _) => "Not seen",
        },
        present: note.present.clone(),
        sections,
    }
}

fn render(caller: &Caller, page: &NotesPage) -> Result<Html<String>, PageError> {
    Ok(Html(templates::render_for(
        "notes.html",
        &Account::of(caller),
        page,
    )?))
}

/// `GET /children/{id}/notes?q=`: the child's case notes, or those with every word of
/// `q` in them.
pub(crate) async fn notes_page(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
    path: Result<Path<String>, PathRejection>,
    params: Result<Query<NotesParams>, QueryRejection>,
) -> Result<Html<String>, PageError> {
    let id = child_id(path)?;
    let params = params.map(|Query(p)| p).unwrap_or_default();
    let now = (app.clock)();
    let who = caller.doing("view case notes");
    let Some((record, journey)) = app.cases.chronology(&who, now, &id).await? else {
        return Err(Failure::NotFound(NO_CHILD).into());
    };
    let effective = effective_events(&journey).unwrap_or_default();
    let search = NoteSearch::new(&params.q);
    let may_record = record.state.merged_into.is_none()
        && caller
            .role
            .may(hearth_domain::access::Permission::RecordEvents);
    let child = id.to_string();
    let views = notes(&effective, &search)
        .into_iter()
        .map(|(event, note)| view(event, note, &child, may_record, None))
        .collect();
    let name = record
        .state
        .details
        .as_ref()
        .map_or_else(|| String::from("Name not recorded"), |d| d.name.to_string());
    let page = NotesPage {
        href: format!("/children/{id}"),
        caption: format!("{name}, child {id}"),
        whose: "this child's",
        back: "Chronology",
        empty: "No case notes have been recorded for this child.",
        write: may_record.then(|| format!("/children/{id}/record/case_note_recorded")),
        searched: !search.is_empty(),
        q: params.q,
        notes: views,
    };
    render(&caller, &page)
}

/// `GET /families/{id}/notes?q=`: the case notes of every child of the family shown on
/// its page, newest first, each naming the child, or those with every word of `q`.
pub(crate) async fn family_notes_page(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
    path: Result<Path<String>, PathRejection>,
    params: Result<Query<NotesParams>, QueryRejection>,
) -> Result<Html<String>, PageError> {
    let id = family_id(path)?;
    let params = params.map(|Query(p)| p).unwrap_or_default();
    let now = (app.clock)();
    let who = caller.doing("view case notes");
    let Some(read) = app.cases.family(&who, now, &id).await? else {
        return Err(Failure::NotFound(crate::family::NO_FAMILY).into());
    };
    let search = NoteSearch::new(&params.q);
    let may_record = caller
        .role
        .may(hearth_domain::access::Permission::RecordEvents);
    let mut views: Vec<(hearth_domain::event::OccurredAt, NoteView)> = Vec::new();
    for (subject, journey) in &read.journeys {
        let Subject::Child(child) = subject else {
            continue;
        };
        let name = read
            .family
            .children
            .iter()
            .find(|c| &c.id == child)
            .map(|c| c.name.as_str());
        let effective = effective_events(journey).unwrap_or_default();
        let id = child.to_string();
        views.extend(
            notes(&effective, &search)
                .into_iter()
                .map(|(event, note)| (event.occurred_at, view(event, note, &id, may_record, name))),
        );
    }
    // Stable: each child's notes keep their own order within a moment.
    views.sort_by_key(|(at, _)| std::cmp::Reverse(*at));
    let page = NotesPage {
        href: format!("/families/{id}"),
        caption: format!("Family {id}"),
        whose: "the family's",
        back: "The family",
        empty: "No case notes have been recorded for the family's children.",
        write: None,
        searched: !search.is_empty(),
        q: params.q,
        notes: views.into_iter().map(|(_, v)| v).collect(),
    };
    render(&caller, &page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_shown_as_paragraphs_of_lines() {
        let p = paragraphs("First line\nsecond line\n\n\nNew paragraph  \n\n");
        assert_eq!(
            p,
            vec![
                vec![String::from("First line"), String::from("second line")],
                vec![String::from("New paragraph")],
            ]
        );
    }
}
