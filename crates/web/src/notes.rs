//! A child's case notes in full (issue 14, item 2): each note as the record holds it now
//! (amendments applied, retracted notes gone), newest first, with a search within this
//! child's notes (`hearth_domain::notes`). The chronology shows each note's sentence;
//! this page shows what was written. Needs `ReadRecord`; the read is logged like the
//! chronology's, and the words searched for are not logged.
//!
//! A search across a family's record waits for the family page.

use crate::AppState;
use crate::chronology::when;
use crate::error::{Failure, NO_CHILD, PageError};
use crate::pages::child_id;
use crate::session::{Account, Caller};
use crate::templates;
use axum::Extension;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::response::Html;
use hearth_domain::event::LongText;
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
    when: String,
    datetime: String,
    contact: &'static str,
    by: String,
    seen: &'static str,
    present: Option<String>,
    sections: Vec<Section>,
}

#[derive(Debug, Serialize)]
struct NotesPage {
    id: String,
    name: String,
    q: String,
    searched: bool,
    may_record: bool,
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
    let views = notes(&effective, &search)
        .into_iter()
        .map(|(event, note)| {
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
        })
        .collect();
    let page = NotesPage {
        id: id.to_string(),
        name: record
            .state
            .details
            .as_ref()
            .map_or_else(|| String::from("Name not recorded"), |d| d.name.to_string()),
        searched: !search.is_empty(),
        q: params.q,
        may_record: record.state.merged_into.is_none()
            && caller
                .role
                .may(hearth_domain::access::Permission::RecordEvents),
        notes: views,
    };
    Ok(Html(templates::render_for(
        "notes.html",
        &Account::of(&caller),
        &page,
    )?))
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
