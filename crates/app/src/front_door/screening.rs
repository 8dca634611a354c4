//! Screening a contact: linking each person it names to a record (a child's journey
//! then carries mirrors of the contact's steps), unlinking a wrong link, and asking
//! partner agencies for checks and recording their answers.
//!
//! Every write here is one `append_many` over the contact and each child it touches,
//! each at the version read, so the contact and the children cannot disagree.

use crate::reader::Reader;
use crate::{App, AppError, Caller, ContactError};
use hearth_domain::access::Permission;
use hearth_domain::event::{ContactReceived, Event, EventData, OccurredAt, PersonLinked};
use hearth_domain::ids::{Actor, ChildId, ContactId, EventId, PersonRef, Subject};
use hearth_domain::journey::effective_events;
use hearth_store::{StoreError, Version};
use jiff::Timestamp;
use jiff::tz::TimeZone;

/// When something done at `now` happened, to the minute, in England's time.
pub(crate) fn occurred(now: Timestamp) -> OccurredAt {
    let tz = TimeZone::get("Europe/London").unwrap_or(TimeZone::UTC);
    let local = now.to_zoned(tz);
    OccurredAt::at(local.date(), local.hour(), local.minute())
}

/// Who the journal names as recording a write: the caller.
fn actor(caller: &Caller) -> Actor {
    Actor::parse(caller.actor())
        .unwrap_or_else(|_| unreachable!("a caller's name is an actor name"))
}

/// An event id made of parts that are each an id already (a contact id, a number, a
/// child id), so it parses.
fn event_id(id: String) -> EventId {
    EventId::parse(&id).unwrap_or_else(|_| unreachable!("ids and numbers make an event id"))
}

/// A contact's journey as read for a write: its events and version.
struct ContactJourney {
    id: ContactId,
    subject: Subject,
    events: Vec<Event>,
    version: Version,
}

impl ContactJourney {
    /// The id of the `i`th event of the write that makes this journey's next version:
    /// unique, as a contact's version only grows and its id is unique.
    fn next_id(&self, i: usize, on: Option<&ChildId>) -> EventId {
        let (k, n) = (&self.id, self.version + 1);
        match on {
            None if i == 0 => event_id(format!("{k}-{n}")),
            None => event_id(format!("{k}-{n}-{i}")),
            Some(child) => event_id(format!("{k}-{n}-{child}-{i}")),
        }
    }

    /// The events as they stand once corrections are applied.
    fn effective(&self) -> Result<Vec<Event>, ContactError> {
        effective_events(&self.events).map_err(ContactError::NotAllowed)
    }
}

/// A store refusal as the front door names it: a stale version is "changed", a step
/// a journey refuses is "not allowed".
fn refusal(e: StoreError) -> ContactError {
    match e {
        StoreError::Conflict { .. } => ContactError::Changed,
        StoreError::Invalid(e) => ContactError::NotAllowed(e),
        other => other.into(),
    }
}

impl App {
    /// Go on if the caller may screen contacts (a refusal is logged against the
    /// contact), and read the contact's journey: refused as no contact if it has none,
    /// and as changed if it is no longer at `version` (when given).
    async fn screening_start(
        &self,
        caller: &Caller,
        now: Timestamp,
        contact: &ContactId,
        version: Option<Version>,
    ) -> Result<ContactJourney, ContactError> {
        let subject = Subject::Contact(contact.clone());
        self.check(
            caller,
            now,
            Permission::ScreenContacts,
            &subject.to_string(),
        )
        .await?;
        let (events, current) = self.store().journey(&subject).await?;
        if events.is_empty() {
            return Err(ContactError::NoContact);
        }
        if version.is_some_and(|v| v != current) {
            return Err(ContactError::Changed);
        }
        Ok(ContactJourney {
            id: contact.clone(),
            subject,
            events,
            version: current,
        })
    }

    /// A child's journey's version, for a write that adds to it: refused as no child if
    /// there is none or the caller may not see them (that refusal is logged).
    async fn child_version(
        &self,
        caller: &Caller,
        now: Timestamp,
        child: &ChildId,
    ) -> Result<Version, ContactError> {
        let reader = Reader::new(self.store(), caller, now);
        if !reader.allowed(child).await? {
            return Err(AppError::NoChild.into());
        }
        match self.store().child(child).await? {
            Some(record) => Ok(record.version),
            None => Err(AppError::NoChild.into()),
        }
    }

    /// Link the person the contact gives at `given` (its place among the people) to
    /// `person`, a child's record or an adult's, as of the contact's `version`. For a
    /// child, the same write puts on their journey a `contact_received` at the
    /// contact's date and a copy of each partner check the contact has had, so what
    /// folds the child's journey sees the contact. Needs `ScreenContacts`. Returns the
    /// contact's new version. The contact and the child are access-logged.
    pub async fn link_person(
        &self,
        caller: &Caller,
        now: Timestamp,
        contact: &ContactId,
        given: u8,
        person: PersonRef,
        version: Version,
    ) -> Result<Version, ContactError> {
        let journey = self
            .screening_start(caller, now, contact, Some(version))
            .await?;
        let mut expected = vec![(journey.subject.clone(), journey.version)];
        let by = actor(caller);
        let mut events = vec![Event {
            id: journey.next_id(0, None),
            subject: journey.subject.clone(),
            occurred_at: occurred(now),
            recorded_at: now,
            recorded_by: by.clone(),
            data: EventData::PersonLinked(PersonLinked {
                given,
                person: person.clone(),
                created: false,
                weight: None,
                model: None,
            }),
        }];
        if let PersonRef::Child(child) = &person {
            expected.push((
                Subject::Child(child.clone()),
                self.child_version(caller, now, child).await?,
            ));
            events.extend(mirrors(&journey, child, now, &by)?);
        }
        let written = self
            .store()
            .append_many(expected, events)
            .await
            .map_err(refusal)?;
        self.store()
            .log_access(
                now,
                caller.actor(),
                &journey.subject,
                &format!("linked {person}"),
            )
            .await?;
        if let PersonRef::Child(child) = &person {
            self.store()
                .log_access(
                    now,
                    caller.actor(),
                    &Subject::Child(child.clone()),
                    &format!("linked to {}", journey.subject),
                )
                .await?;
        }
        Ok(contact_version(&written, &journey.subject))
    }
}

/// The contact's new version among those a write returns.
fn contact_version(written: &[(Subject, Version)], contact: &Subject) -> Version {
    written
        .iter()
        .find(|(s, _)| s == contact)
        .map(|(_, v)| *v)
        .unwrap_or_else(|| unreachable!("a write returns each subject it names"))
}

/// What a child's journey carries of a contact once linked: its receipt, at the date
/// it was received, and each partner check asked for or returned so far.
fn mirrors(
    journey: &ContactJourney,
    child: &ChildId,
    now: Timestamp,
    by: &Actor,
) -> Result<Vec<Event>, ContactError> {
    let mut out = Vec::new();
    let subject = Subject::Child(child.clone());
    for event in journey.effective()? {
        let data = match &event.data {
            EventData::ContactReceived(c) => {
                EventData::ContactReceived(ContactReceived::new(c.contact.clone(), c.source))
            }
            EventData::PartnerCheckRequested(_) | EventData::PartnerCheckReturned(_) => {
                event.data.clone()
            }
            _ => continue,
        };
        out.push(Event {
            id: journey.next_id(out.len(), Some(child)),
            subject: subject.clone(),
            occurred_at: event.occurred_at,
            recorded_at: now,
            recorded_by: by.clone(),
            data,
        });
    }
    Ok(out)
}
