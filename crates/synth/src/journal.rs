//! Drafts of events, and turning them into finished events: the business-date order the
//! domain folds in, ids, who recorded each one and when.
//!
//! Casework writes drafts as it decides things, not strictly in date order (a child's
//! whole period in care is written before the sibling's next contact). A stable sort by
//! date puts them in order; within a day the order they were written in is kept, and
//! the casework modules take care to write same-day events in an order the domain
//! accepts (a plan is started before it is reviewed, a placement ended before the next
//! one starts).

use crate::SynthError;
use crate::calendar::Day;
use crate::org::Workforce;
use crate::random::Rand;
use hearth_domain::event::{Event, EventData, OccurredAt};
use hearth_domain::ids::{Actor, EventId, Subject};
use jiff::Timestamp;

/// Who records an event, resolved once the child's allocations are known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Who {
    /// A front-door screener on duty that day.
    Screener,
    /// The child's allocated worker that day (a screener before the first allocation).
    CaseHolder,
    /// The child's independent reviewing officer.
    Iro,
    /// The child's personal adviser.
    Adviser,
    /// A particular worker.
    Worker(usize),
}

#[derive(Debug, Clone)]
pub(crate) struct Draft {
    pub(crate) day: Day,
    /// Minutes after midnight, for events whose time of day matters (contacts, checks).
    pub(crate) minute: Option<u16>,
    pub(crate) who: Who,
    pub(crate) data: EventData,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Journal {
    pub(crate) drafts: Vec<Draft>,
}

impl Journal {
    pub(crate) fn push(&mut self, day: Day, who: Who, data: EventData) {
        self.drafts.push(Draft {
            day,
            minute: None,
            who,
            data,
        });
    }

    pub(crate) fn push_at(&mut self, day: Day, minute: u16, who: Who, data: EventData) {
        self.drafts.push(Draft {
            day,
            minute: Some(minute.min(23 * 60 + 59)),
            who,
            data,
        });
    }

    pub(crate) fn last_day(&self) -> Option<Day> {
        self.drafts.iter().map(|d| d.day).max()
    }
}

/// What is needed to say who recorded a child's events.
pub(crate) struct Resolver<'a> {
    pub(crate) wf: &'a Workforce,
    /// From each day, the allocated worker (None while unallocated), in date order.
    pub(crate) timeline: &'a [(Day, Option<usize>)],
    pub(crate) iro_post: Option<usize>,
    /// Personal advisers from each day, in date order.
    pub(crate) advisers: &'a [(Day, usize)],
}

impl Resolver<'_> {
    fn case_holder(&self, day: Day) -> Option<usize> {
        let i = self.timeline.partition_point(|(d, _)| *d <= day);
        self.timeline.get(i.checked_sub(1)?).and_then(|(_, w)| *w)
    }

    fn adviser(&self, day: Day) -> Option<usize> {
        let i = self.advisers.partition_point(|(d, _)| *d <= day);
        self.advisers.get(i.checked_sub(1)?).map(|(_, w)| *w)
    }

    fn actor(&self, who: Who, day: Day, rng: &mut Rand) -> Option<Actor> {
        let worker = match who {
            Who::Screener => None,
            Who::CaseHolder => self.case_holder(day),
            Who::Iro => self
                .iro_post
                .and_then(|p| self.wf.holder_or_colleague(p, day, rng)),
            Who::Adviser => self.adviser(day).or_else(|| self.case_holder(day)),
            Who::Worker(w) => Some(w),
        };
        let worker = worker.or_else(|| self.wf.screener(day, rng))?;
        self.wf.actor(worker).cloned()
    }
}

/// Finished events for one subject: in business-date order, none after `end`, each
/// with a fresh id and a recording time a little after it happened.
pub(crate) fn finish(
    journal: Journal,
    subject: &Subject,
    end: Day,
    resolver: &Resolver<'_>,
    rng: &mut Rand,
) -> Result<Vec<Event>, SynthError> {
    let mut drafts = journal.drafts;
    drafts.sort_by_key(|d| d.day);
    let last_second = (i64::from(end.0) + 1) * 86_400 - 1;
    let fallback = Actor::parse("synth")?;
    // Event ids name the subject and the event's place on its journey ("C0000042-00007"):
    // unique, readable in an export, and increasing as the county is written, so the
    // journal's id index grows at its end rather than everywhere at once.
    let owner = match subject {
        Subject::Child(id) => id.as_str(),
        Subject::Family(id) => id.as_str(),
        Subject::Contact(id) => id.as_str(),
    };
    let mut out = Vec::with_capacity(drafts.len());
    for draft in drafts {
        if draft.day > end {
            break;
        }
        let day_start = i64::from(draft.day.0) * 86_400;
        let (occurred_at, recorded) = match draft.minute {
            Some(m) => {
                let at = day_start + i64::from(m) * 60;
                let lag = if rng.chance(0.9) {
                    i64::from(rng.int(5, 240)) * 60
                } else {
                    i64::from(rng.int(1, 2)) * 86_400 + i64::from(rng.int(0, 7200))
                };
                let date = draft.day.to_date();
                let (h, mi) = ((m / 60) as i8, (m % 60) as i8);
                (OccurredAt::at(date, h, mi), at + lag)
            }
            None => {
                let time = i64::from(rng.int(9 * 60, 17 * 60 + 30)) * 60;
                let lag_days = match rng.f64() {
                    x if x < 0.55 => 0,
                    x if x < 0.85 => rng.int(1, 3),
                    x if x < 0.97 => rng.int(4, 10),
                    _ => rng.int(11, 30),
                };
                let lag = i64::from(lag_days) * 86_400 + i64::from(rng.int(0, 90)) * 60;
                (OccurredAt::on(draft.day.to_date()), day_start + time + lag)
            }
        };
        let recorded_at = Timestamp::from_second(recorded.min(last_second))
            .map_err(|e| SynthError::Internal(e.to_string()))?;
        let recorded_by = resolver
            .actor(draft.who, draft.day, rng)
            .unwrap_or_else(|| fallback.clone());
        let mut data = draft.data;
        // Who carries out an assessment is known only here, once allocations are laid out.
        if let EventData::AssessmentStarted(a) = &mut data {
            a.worker = resolver
                .case_holder(draft.day)
                .and_then(|w| resolver.wf.worker_id(w));
        }
        out.push(Event {
            id: EventId::parse(&format!("{owner}-{:05}", out.len() + 1))?,
            subject: subject.clone(),
            occurred_at,
            recorded_at,
            recorded_by,
            data,
        });
    }
    Ok(out)
}
