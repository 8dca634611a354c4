//! The journal as JSON lines, one event a line, in the form DESIGN.md fixes: exporting
//! it (every subject exported is written to the access log) and importing a file of
//! events (parsed line by line, then checked and appended all or nothing). The command
//! line only.

use crate::{AdminError, App, AppError, Caller};
use hearth_domain::event::{Event, EventData};
use hearth_domain::ids::{ChildId, EventId, Subject};
use hearth_domain::recording::Recording;
use hearth_store::{Store, StoreError};
use jiff::Timestamp;
use jiff::civil::Date;
use std::collections::{HashMap, HashSet};
use std::io::{BufRead, Write};

/// Why an import was refused. Nothing is written when any line is bad. The cause is
/// part of each message, and deliberately not a `source`: the binary prints an error's
/// sources after it, which would say the cause twice.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("could not read {file}: {cause}")]
    Read { file: String, cause: std::io::Error },
    #[error("{file}, line {line}, column {column}: {field}{message}")]
    Malformed {
        file: String,
        line: usize,
        column: usize,
        /// `field `data.category`: ` or empty when the line is not JSON at all.
        field: String,
        message: String,
    },
    #[error("{file}, line {line}: {cause}")]
    Refused {
        file: String,
        line: usize,
        cause: StoreError,
    },
    #[error("{file}, line {line}: {cause}")]
    Rejected {
        file: String,
        line: usize,
        cause: hearth_domain::journey::JourneyError,
    },
    #[error("{file}, line {line}: event id {id} is used already, on line {first}")]
    RepeatedId {
        file: String,
        line: usize,
        id: EventId,
        first: usize,
    },
    #[error("{file}, line {line}: the line is not UTF-8 text")]
    NotUtf8 { file: String, line: usize },
    #[error("{file}: {cause}")]
    Store { file: String, cause: StoreError },
    #[error("{file} holds no events")]
    Empty { file: String },
}

/// Parse every line of a journal export. Blank lines are skipped; the first line that is
/// not an event (or repeats an earlier line's id) stops the parse with its line number
/// and the field at fault.
pub fn parse(file: &str, mut reader: impl BufRead) -> Result<Vec<(usize, Event)>, ImportError> {
    let mut events = Vec::new();
    let mut first_line: HashMap<EventId, usize> = HashMap::new();
    let mut bytes = Vec::new();
    for line_no in 1.. {
        bytes.clear();
        let read = reader
            .read_until(b'\n', &mut bytes)
            .map_err(|cause| ImportError::Read {
                file: file.to_owned(),
                cause,
            })?;
        if read == 0 {
            break;
        }
        // Read as bytes so that text that is not UTF-8 is named by its line.
        let Ok(text) = std::str::from_utf8(&bytes) else {
            return Err(ImportError::NotUtf8 {
                file: file.to_owned(),
                line: line_no,
            });
        };
        if text.trim().is_empty() {
            continue;
        }
        let event: Event = serde_json::from_str(text).map_err(|e| ImportError::Malformed {
            file: file.to_owned(),
            line: line_no,
            column: e.column(),
            field: field_at_fault(text).map_or_else(String::new, |f| format!("field `{f}`: ")),
            message: without_position(&e.to_string()),
        })?;
        // The second use of an id is the mistake, so it is the line named.
        if let Some(&first) = first_line.get(&event.id) {
            return Err(ImportError::RepeatedId {
                file: file.to_owned(),
                line: line_no,
                id: event.id,
                first,
            });
        }
        first_line.insert(event.id.clone(), line_no);
        events.push((line_no, event));
    }
    Ok(events)
}

/// The path of the payload field a bad line trips on (`data.reason`), if it is in the
/// payload. An event's payload is flattened into it, and serde cannot say where a
/// flattened value failed, so the kind and payload are parsed again on their own,
/// kind first, where it can.
fn field_at_fault(text: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    let object = value.as_object()?;
    let probe = format!(
        r#"{{"kind":{},"data":{}}}"#,
        object.get("kind")?,
        object.get("data")?
    );
    let mut json = serde_json::Deserializer::from_str(&probe);
    let error = serde_path_to_error::deserialize::<_, EventData>(&mut json).err()?;
    let path = error.path().to_string();
    (!path.is_empty() && path != ".").then_some(path)
}

/// serde_json ends its messages with " at line L column C"; the import names the file's
/// own line instead.
fn without_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(at) => message[..at].to_owned(),
        None => message.to_owned(),
    }
}

/// Append every event in `file` to the store in one transaction: all of them, or, if any
/// is refused, none, with the refused event's line named. No event may be dated after
/// `today`, or name a worker or team the database's organisation does not have.
async fn import(
    store: &dyn Store,
    file: &str,
    events: Vec<(usize, Event)>,
    today: Date,
) -> Result<u64, ImportError> {
    if events.is_empty() {
        return Err(ImportError::Empty {
            file: file.to_owned(),
        });
    }
    let history = store
        .organisation_history()
        .await
        .map_err(|cause| ImportError::Store {
            file: file.to_owned(),
            cause,
        })?;
    let recording = Recording::new(&history);
    for (line, event) in &events {
        recording
            .check(today, event)
            .map_err(|cause| ImportError::Rejected {
                file: file.to_owned(),
                line: *line,
                cause,
            })?;
    }
    let mut lines: HashMap<EventId, usize> = HashMap::with_capacity(events.len());
    let mut batch = Vec::with_capacity(events.len());
    for (line, event) in events {
        // `parse` refused any id used twice in the file; one already in the journal is
        // refused by the store below.
        lines.insert(event.id.clone(), line);
        batch.push(event);
    }
    store.append_batch(batch).await.map_err(|cause| {
        let line = match &cause {
            StoreError::Invalid(e) => lines.get(&e.event).copied(),
            StoreError::DuplicateEvent(id) => EventId::parse(id)
                .ok()
                .and_then(|id| lines.get(&id).copied()),
            _ => None,
        };
        match line {
            Some(line) => ImportError::Refused {
                file: file.to_owned(),
                line,
                cause,
            },
            None => ImportError::Store {
                file: file.to_owned(),
                cause,
            },
        }
    })
}

impl App {
    /// Write the journal (or `child`'s journey only) to `out`, one event a line, and
    /// write one access-log row for each child and family whose events went out.
    /// The export streams, so the rows are written when it ends, whether it ended
    /// whole or not (a reader that went away, a full disk): they name exactly the
    /// subjects that were written. Returns the number of events written.
    pub async fn export_journal(
        &self,
        caller: &Caller,
        now: Timestamp,
        child: Option<&ChildId>,
        out: &mut (dyn Write + Send),
    ) -> Result<u64, AppError> {
        let target = child.map_or_else(
            || String::from("journal"),
            |c| Subject::Child(c.clone()).to_string(),
        );
        self.check_command_line(caller, now, &target).await?;
        let mut watched = Subjects::new(out);
        let exported = self.store().export_journal(child, &mut watched).await;
        let shown = watched.finish();
        self.store()
            .log_access_many(now, caller.actor(), &shown, &caller.purpose)
            .await?;
        Ok(exported?)
    }

    /// Append the events parsed from `file` (see [`parse`]) as at `now`: all of them in
    /// one transaction, or none, naming the line of the first refused. Refused when
    /// there are none, when one is dated after today or names a worker or team the
    /// organisation does not have, and when one is in the journal already.
    pub async fn import_journal(
        &self,
        caller: &Caller,
        now: Timestamp,
        file: &str,
        events: Vec<(usize, Event)>,
    ) -> Result<u64, AdminError> {
        self.check_command_line(caller, now, "journal").await?;
        Ok(import(self.store(), file, events, crate::today(now)).await?)
    }
}

/// A writer that passes an export through and notes the subject of each line, in the
/// order first seen. Lines are whole events as the store wrote them, each starting
/// `{"id":…,"subject":"child:C1",…`, so only the head of each line is kept to read it;
/// bytes may come in any pieces.
struct Subjects<'a> {
    out: &'a mut (dyn Write + Send),
    /// The head of the line being written.
    head: Vec<u8>,
    /// Finds `"subject":"` (made once: making one costs more than a search).
    key: memchr::memmem::Finder<'static>,
    known: HashSet<Subject>,
    seen: Vec<Subject>,
}

/// Enough of a line to hold the envelope's id (at most 64 characters) and subject.
const HEAD: usize = 256;

impl<'a> Subjects<'a> {
    fn new(out: &'a mut (dyn Write + Send)) -> Self {
        Subjects {
            out,
            head: Vec::with_capacity(HEAD),
            key: memchr::memmem::Finder::new(SUBJECT_KEY),
            known: HashSet::new(),
            seen: Vec::new(),
        }
    }

    /// Keep what `piece` adds to the head of the line.
    fn take(&mut self, piece: &[u8]) {
        let room = HEAD.saturating_sub(self.head.len());
        self.head.extend_from_slice(&piece[..piece.len().min(room)]);
    }

    /// The subject the line just ended names: the envelope's `subject`, which comes
    /// before any field of the payload.
    fn subject_of_line(&self) -> Option<Subject> {
        let at = self.key.find(&self.head)?;
        let rest = &self.head[at + SUBJECT_KEY.len()..];
        let end = memchr::memchr(b'"', rest)?;
        Subject::parse(std::str::from_utf8(&rest[..end]).ok()?).ok()
    }

    /// The subjects seen, counting a line cut off part-way once its subject went out.
    fn finish(mut self) -> Vec<Subject> {
        self.end_line();
        self.seen
    }

    /// Note the subject of the line just ended, and start the next.
    fn end_line(&mut self) {
        if let Some(subject) = self.subject_of_line()
            && self.known.insert(subject.clone())
        {
            self.seen.push(subject);
        }
        self.head.clear();
    }
}

/// What precedes the subject's value in an exported line.
const SUBJECT_KEY: &[u8] = br#""subject":""#;

impl Write for Subjects<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.out.write(buf)?;
        let written = &buf[..n];
        let mut start = 0;
        for end in memchr::memchr_iter(b'\n', written) {
            self.take(&written[start..end]);
            self.end_line();
            start = end + 1;
        }
        self.take(&written[start..]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"{"id":"e1","subject":"child:C1","occurred_at":"2024-01-10","recorded_at":"2024-01-10T09:00:00Z","recorded_by":"test","kind":"cin_closed","data":{"reason":"RC8"}}"#;

    fn parse_text(text: &str) -> Result<Vec<(usize, Event)>, ImportError> {
        parse("j.jsonl", text.as_bytes())
    }

    #[test]
    fn an_export_s_subjects_are_noted_however_its_bytes_arrive() {
        let c2 = GOOD
            .replace("\"e1\"", "\"e2\"")
            .replace("child:C1", "child:C2");
        let f1 = GOOD
            .replace("\"e1\"", "\"e3\"")
            .replace("child:C1", "family:F1");
        // A contact's journey is just another subject to the export.
        let k1 = GOOD
            .replace("\"e1\"", "\"e4\"")
            .replace("child:C1", "contact:K1");
        let text = format!("{GOOD}\n{c2}\n{GOOD}\n{f1}\n{k1}\n");
        for piece in [1, 7, text.len()] {
            let mut out = Vec::new();
            let mut watched = Subjects::new(&mut out);
            for chunk in text.as_bytes().chunks(piece) {
                watched.write_all(chunk).unwrap();
            }
            let seen: Vec<String> = watched.seen.iter().map(Subject::to_string).collect();
            assert_eq!(
                seen,
                ["child:C1", "child:C2", "family:F1", "contact:K1"],
                "{piece}"
            );
            assert_eq!(out, text.as_bytes());
        }
    }

    #[test]
    fn lines_are_numbered_from_one_and_blank_lines_skipped() {
        let text = format!("{GOOD}\n\n{}\n", GOOD.replace("\"e1\"", "\"e2\""));
        let events = parse_text(&text).unwrap();
        let lines: Vec<usize> = events.iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, vec![1, 3]);
        assert_eq!(events[1].1.id.to_string(), "e2");
    }

    #[test]
    fn a_bad_code_names_the_line_and_the_field() {
        let bad = GOOD.replace("RC8", "RC99");
        let text = format!("{GOOD}\n{bad}\n");
        let message = parse_text(&text).unwrap_err().to_string();
        assert!(message.starts_with("j.jsonl, line 2, column "), "{message}");
        assert!(message.contains("field `data.reason`"), "{message}");
        assert!(message.contains("RC99"), "{message}");
        assert!(!message.contains(" at line "), "{message}");
    }

    #[test]
    fn a_repeated_id_is_named_at_its_second_line_once() {
        let other = GOOD.replace("\"e1\"", "\"e2\"");
        let text = format!("{GOOD}\n{other}\n{GOOD}\n");
        let message = parse_text(&text).unwrap_err().to_string();
        assert_eq!(
            message,
            "j.jsonl, line 3: event id e1 is used already, on line 1"
        );
    }

    #[test]
    fn text_that_is_not_utf8_is_named_by_its_line() {
        let mut bytes = format!("{GOOD}\n\n").into_bytes();
        bytes.extend(b"{\"id\":\"e\xff\"}\n");
        let message = parse("j.jsonl", &bytes[..]).unwrap_err().to_string();
        assert_eq!(message, "j.jsonl, line 3: the line is not UTF-8 text");
    }

    #[test]
    fn a_line_that_is_not_json_is_named() {
        let message = parse_text("{not json\n").unwrap_err().to_string();
        assert!(message.starts_with("j.jsonl, line 1, column "), "{message}");
    }

    #[test]
    fn an_unknown_kind_is_refused() {
        let bad = GOOD.replace("cin_closed", "case_closed");
        let message = parse_text(&bad).unwrap_err().to_string();
        assert!(message.contains("case_closed"), "{message}");
    }

    #[test]
    fn a_bad_envelope_field_is_refused_with_the_value_named() {
        let bad = GOOD.replace("2024-01-10\"", "2024-02-30\"");
        let message = parse_text(&bad).unwrap_err().to_string();
        assert!(message.starts_with("j.jsonl, line 1, column "), "{message}");
        assert!(message.contains("2024-02-30"), "{message}");
    }
}
