//! Receiving contacts: one at a time (the form, the API) or a file's batch (the
//! command line's import), each through the one rule ([`NewContact::validate`]) and
//! written as `contact_received`, the first event of the contact's own journey.

use crate::{App, Caller, ContactError};
use argon2::password_hash::rand_core::{OsRng, RngCore};
use hearth_domain::access::Permission;
use hearth_domain::contact::NewContact;
use hearth_domain::event::{ContactReceived, Event, EventData};
use hearth_domain::ids::{Actor, ContactId, EventId, Subject};
use hearth_store::{AccessRows, StoreError};
use jiff::Timestamp;

/// Crockford's base 32: no I, L, O or U, so an id read over the phone is not misheard.
const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// New ids to try when one is taken. With 50 random bits a second try is already
/// unlikely; more would mean the random source is broken.
pub(super) const ID_TRIES: usize = 4;

/// A new id: `prefix` and 10 Crockford characters (50 random bits), short enough to
/// read over the phone. Contacts are `CT`, records created from a contact `CH`
/// (child), `AD` (adult) and `FA` (family).
pub(super) fn new_id(prefix: &str) -> String {
    let bits = OsRng.next_u64();
    let mut id = String::from(prefix);
    for i in (0..10).rev() {
        id.push(char::from(CROCKFORD[((bits >> (5 * i)) & 31) as usize]));
    }
    id
}

/// A new contact id: `CT` and 10 characters.
fn new_contact_id() -> ContactId {
    ContactId::parse(&new_id("CT"))
        .unwrap_or_else(|_| unreachable!("CT and 10 letters or digits is an id"))
}

/// The contact's first event, recorded by the caller at `now`.
fn received(caller: &Caller, now: Timestamp, id: &ContactId, contact: NewContact) -> Event {
    Event {
        id: EventId::parse(&format!("{id}-received"))
            .unwrap_or_else(|_| unreachable!("a contact id and a word is an event id")),
        subject: Subject::Contact(id.clone()),
        occurred_at: contact.received_at,
        recorded_at: now,
        recorded_by: Actor::parse(caller.actor())
            .unwrap_or_else(|_| unreachable!("a caller's name is an actor name")),
        data: EventData::ContactReceived(ContactReceived {
            intake: Some(Box::new(contact.intake)),
            ..ContactReceived::new(id.clone(), contact.source)
        }),
    }
}

/// Whether a write failed only because an id it chose was taken (or chosen twice in
/// one batch).
pub(super) fn taken(e: &StoreError) -> bool {
    matches!(
        e,
        StoreError::Conflict { .. }
            | StoreError::DuplicateEvent(_)
            | StoreError::SubjectNamedTwice(_)
    )
}

impl App {
    /// Receive one contact, sent in by the caller at `now`, and return its new id.
    /// Needs `SubmitContact`; refused with the field named if it breaks the one rule.
    /// The contact's journey is written at version 0, so an id already taken comes
    /// back as a conflict and another is tried.
    pub async fn receive_contact(
        &self,
        caller: &Caller,
        now: Timestamp,
        contact: NewContact,
    ) -> Result<ContactId, ContactError> {
        let mut ids = self.receive_batch(caller, now, vec![contact]).await?;
        Ok(ids
            .pop()
            .unwrap_or_else(|| unreachable!("one contact received has one id")))
    }

    /// Receive a batch of contacts (a file's), all or none, and return their new ids
    /// in order. Needs `SubmitContact`; a contact that breaks the one rule refuses the
    /// batch, naming it by its place (`contacts[3].people[0].date_of_birth`). One
    /// access log row for each contact written.
    pub async fn receive_batch(
        &self,
        caller: &Caller,
        now: Timestamp,
        contacts: Vec<NewContact>,
    ) -> Result<Vec<ContactId>, ContactError> {
        self.check(caller, now, Permission::SubmitContact, "contacts")
            .await?;
        if contacts.is_empty() {
            return Ok(Vec::new());
        }
        let today = crate::today(now);
        let single = contacts.len() == 1;
        for (i, contact) in contacts.iter().enumerate() {
            contact.validate(today).map_err(|mut e| {
                if !single {
                    e.field = format!("contacts[{i}].{}", e.field);
                }
                ContactError::Intake(e)
            })?;
        }
        let mut tries = 0;
        loop {
            tries += 1;
            let ids: Vec<ContactId> = contacts.iter().map(|_| new_contact_id()).collect();
            let subjects: Vec<Subject> = ids.iter().cloned().map(Subject::Contact).collect();
            let events = ids
                .iter()
                .zip(contacts.iter().cloned())
                .map(|(id, contact)| received(caller, now, id, contact))
                .collect();
            let expected = subjects.iter().map(|s| (s.clone(), 0)).collect();
            // The log rows go in the events' transaction: one commit to wait for, and
            // no contact acknowledged without its row.
            let log = AccessRows::of(now, caller.actor(), &subjects, "submitted");
            match self.store().append_many_logged(expected, events, log).await {
                Ok(_) => return Ok(ids),
                Err(e) if tries < ID_TRIES && taken(&e) => {}
                Err(e) => return Err(e.into()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_contact_id_is_ct_and_ten_crockford_characters() {
        for _ in 0..100 {
            let id = new_contact_id().to_string();
            assert_eq!(id.len(), 12);
            assert!(id.starts_with("CT"));
            assert!(id[2..].bytes().all(|b| CROCKFORD.contains(&b)), "{id}");
        }
    }
}
