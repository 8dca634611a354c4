//! Case notes as a child's record holds them (issue 14, item 2): the notes of a journey
//! as it stands, and a search within them by words. The search reads one child's
//! notes, which the page has already read with the journey (one indexed read by
//! subject): a journey is at most a few thousand events, so matching words in memory
//! costs less than a second query would.

use crate::event::{CaseNote, Event, EventData};

/// What a search within a child's notes asks for: words, each of which a note must
/// contain somewhere in its text, ignoring case.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NoteSearch {
    words: Vec<String>,
}

impl NoteSearch {
    pub fn new(query: &str) -> NoteSearch {
        NoteSearch {
            words: query.split_whitespace().map(str::to_lowercase).collect(),
        }
    }

    /// Whether no words were given: every note matches.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// Whether each word is somewhere in the note's text.
    pub fn matches(&self, note: &CaseNote) -> bool {
        if self.words.is_empty() {
            return true;
        }
        let text: Vec<String> = note.texts().map(str::to_lowercase).collect();
        self.words
            .iter()
            .all(|w| text.iter().any(|t| t.contains(w.as_str())))
    }
}

/// The case notes among `events` (a journey as it stands, corrections applied) that
/// `search` matches, newest first.
pub fn notes<'a>(events: &'a [Event], search: &NoteSearch) -> Vec<(&'a Event, &'a CaseNote)> {
    let mut found: Vec<(&Event, &CaseNote)> = events
        .iter()
        .filter_map(|e| match &e.data {
            EventData::CaseNoteRecorded(n) => Some((e, n)),
            _ => None,
        })
        .filter(|(_, n)| search.matches(n))
        .collect();
    // Newest first; notes of the same time in the order they were recorded, latest first.
    found.reverse();
    found.sort_by_key(|(e, _)| std::cmp::Reverse(e.occurred_at));
    found
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::codes::NoteContact;
    use crate::event::{LongText, OccurredAt};
    use crate::ids::{Actor, EventId, Subject};

    fn note(id: &str, at: &str, narrative: &str, worries: Option<&str>) -> Event {
        Event {
            id: EventId::parse(id).unwrap(),
            subject: Subject::parse("child:C1").unwrap(),
            occurred_at: OccurredAt::parse(at).unwrap(),
            recorded_at: "2026-12-07T10:31:00Z".parse().unwrap(),
            recorded_by: Actor::parse("sam.patel").unwrap(),
            data: EventData::CaseNoteRecorded(CaseNote {
                contact_type: NoteContact::Visit,
                narrative: LongText(narrative.to_owned()),
                present: Some(String::from("Mother")),
                seen: true,
                seen_alone: false,
                child_words: None,
                strengths: None,
                worries: worries.map(|w| LongText(w.to_owned())),
                analysis: None,
            }),
        }
    }

    #[test]
    fn every_word_must_be_found_somewhere_in_the_note_ignoring_case() {
        let events = vec![
            note(
                "n1",
                "2026-12-01",
                "Kitchen clean. Spoke about SCHOOL.",
                None,
            ),
            note(
                "n2",
                "2026-12-03T09:30",
                "Dog in the garden.",
                Some("School attendance low"),
            ),
            note("n3", "2026-12-03T08:00", "Nothing of note", None),
        ];
        let ids = |q: &str| -> Vec<&str> {
            notes(&events, &NoteSearch::new(q))
                .into_iter()
                .map(|(e, _)| e.id.as_str())
                .collect()
        };
        assert_eq!(ids(""), vec!["n2", "n3", "n1"]);
        assert_eq!(ids("school"), vec!["n2", "n1"]);
        assert_eq!(ids("  School   garden "), vec!["n2"]);
        assert_eq!(ids("mother"), vec!["n2", "n3", "n1"]);
        assert!(ids("school piano").is_empty());
        assert!(NoteSearch::new(" \t").is_empty());
    }
}
