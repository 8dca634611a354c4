//! Recording an event on a child's journey: the permission, the restriction, the
//! checks an event recorded now must pass (`hearth_domain::recording`), the append at
//! the version the caller read, and the access log once it is written.

use crate::reader::Reader;
use crate::{App, AppError, Caller};
use hearth_domain::access::Permission;
use hearth_domain::event::{Allocated, Event, EventData, OccurredAt};
use hearth_domain::ids::{Actor, ChildId, EventId, Subject};
use hearth_domain::journey::JourneyError;
use hearth_domain::recording::{changes_worker, check_change_of_worker};
use hearth_store::{AccessRows, Version};
use jiff::Timestamp;

/// One event to record, as the caller gives it: the rest (subject, when and by whom it
/// was recorded) is the use case's to fill in.
#[derive(Debug, Clone)]
pub struct NewEvent {
    /// The journey's version the caller read: the event is written only if it still is.
    pub version: Version,
    pub id: EventId,
    pub occurred_at: OccurredAt,
    pub data: EventData,
}

impl App {
    /// Append `new` to child `id`'s journey, recorded by the caller at `now`, and log
    /// the write. Needs `RecordEvents`, and to correct an event someone else recorded
    /// `CorrectOthersEvents` too. A child the caller may not see is refused as if
    /// there were none (writing to it would tell them it exists); an event dated after
    /// today, or naming a worker not in post on its day or a team the authority did not
    /// have then, is refused whatever the journey says; a stale version, a taken event id or an event the journey refuses
    /// come back as the store's error. The journal is unchanged by any refusal.
    pub async fn record_event(
        &self,
        caller: &Caller,
        now: Timestamp,
        id: &ChildId,
        new: NewEvent,
    ) -> Result<Version, AppError> {
        self.check_child(caller, now, Permission::RecordEvents, id)
            .await?;
        let reader = Reader::new(self.store(), caller, now);
        if !reader.allowed(id).await? {
            return Err(AppError::NoChild);
        }
        if let Some(target) = corrected(&new.data) {
            self.check_correction(caller, now, id, target).await?;
        }
        if let EventData::Allocated(allocated) = &new.data {
            self.check_change_of_worker(caller, now, id, &new, allocated)
                .await?;
        }
        let event = Event {
            id: new.id,
            subject: Subject::Child(id.clone()),
            occurred_at: new.occurred_at,
            recorded_at: now,
            recorded_by: actor(caller),
            data: new.data,
        };
        // Checked under the organisation's version in force on the event's day, each
        // worker it names in post that day.
        let authority = self.authority.get(self.store()).await?;
        authority
            .recording
            .check(crate::today(now), &event)
            .map_err(AppError::NotRecordable)?;
        let kind = event.kind();
        // The write and its access-log row commit together: one commit to wait for, not
        // two, and no acknowledged write without its row.
        let subject = Subject::Child(id.clone());
        let log = AccessRows::of(
            now,
            caller.actor(),
            std::slice::from_ref(&subject),
            &caller.purpose,
        );
        self.store()
            .append_many_logged(vec![(subject, new.version)], vec![event], log)
            .await?;
        // One event on one journey: it is one longer.
        let version = new.version + 1;
        // The note is on the record now: the draft it was written from goes.
        if crate::drafts::DRAFTED.contains(&kind) {
            self.drop_draft(caller, id, kind).await?;
        }
        Ok(version)
    }
}

impl App {
    /// A practitioner corrects their own events; an event someone else recorded needs
    /// `CorrectOthersEvents` (a team manager's). A target not on the journey is left
    /// to the fold to refuse by name.
    async fn check_correction(
        &self,
        caller: &Caller,
        now: Timestamp,
        id: &ChildId,
        target: &EventId,
    ) -> Result<(), AppError> {
        let (journey, _) = self.store().journey(&Subject::Child(id.clone())).await?;
        let theirs = journey
            .iter()
            .find(|e| &e.id == target)
            .is_some_and(|e| e.recorded_by != actor(caller));
        if theirs {
            self.check_child(caller, now, Permission::CorrectOthersEvents, id)
                .await?;
        }
        Ok(())
    }
}

impl App {
    /// Step up and step down keep the worker: moving a child from the worker who has
    /// them to another is a manager's decision (`AllocateCases`) and says why
    /// (`hearth_domain::recording::check_change_of_worker`).
    async fn check_change_of_worker(
        &self,
        caller: &Caller,
        now: Timestamp,
        id: &ChildId,
        new: &NewEvent,
        allocated: &Allocated,
    ) -> Result<(), AppError> {
        let Some(record) = self.store().child(id).await? else {
            return Ok(());
        };
        if !changes_worker(&record.state, allocated) {
            return Ok(());
        }
        self.check_child(caller, now, Permission::AllocateCases, id)
            .await?;
        check_change_of_worker(&record.state, allocated).map_err(|problem| {
            AppError::NotRecordable(JourneyError {
                event: new.id.clone(),
                kind: new.data.kind(),
                date: new.occurred_at.date,
                problem,
            })
        })
    }
}

/// The event a correction corrects.
fn corrected(data: &EventData) -> Option<&EventId> {
    match data {
        EventData::EventAmended(a) => Some(&a.event),
        EventData::EventRetracted(r) => Some(&r.event),
        _ => None,
    }
}

/// Who the journal names as recording a write: the caller.
pub(crate) fn actor(caller: &Caller) -> Actor {
    // A user name is letters, digits, '.', '-', '_' and '@', all of which an actor
    // name allows, and so is the command line's name (tests pin both), so parsing
    // cannot fail.
    Actor::parse(caller.actor())
        .unwrap_or_else(|_| unreachable!("a caller's name is an actor name"))
}
