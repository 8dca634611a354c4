//! Folding events into projections during a write. Pure bookkeeping over the domain's
//! fold: which state each subject has reached, and whether it can be updated
//! incrementally or must be refolded from its whole journey.

use hearth_domain::contact::{ContactState, fold_contact};
use hearth_domain::event::{Event, EventData};
use hearth_domain::ids::{Actor, Subject};
use hearth_domain::journey::{
    ChildState, FamilyState, JourneyError, effective_events, fold_child, fold_family,
};

use crate::StoreError;

// Most subjects are children, so boxing the larger variant would only add an allocation.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub(crate) enum State {
    Child(ChildState),
    Family(FamilyState),
    Contact(ContactFold),
}

/// A contact's projection: its fold, and who recorded its receipt (the user who sent
/// it in), which the fold has no need of but a partner's own list of contacts does.
/// Stored as one JSON document in `contact_state.state`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct ContactFold {
    pub contact: ContactState,
    pub submitted_by: Option<Actor>,
}

impl ContactFold {
    fn apply(&mut self, event: &Event) -> Result<(), JourneyError> {
        self.contact.apply(event)?;
        if let EventData::ContactReceived(_) = &event.data {
            self.submitted_by = Some(event.recorded_by.clone());
        }
        Ok(())
    }
}

impl State {
    pub(crate) fn empty(subject: &Subject) -> State {
        match subject {
            Subject::Child(id) => State::Child(ChildState::new(id.clone())),
            Subject::Family(_) => State::Family(FamilyState::default()),
            Subject::Contact(id) => State::Contact(ContactFold {
                contact: ContactState::new(id.clone()),
                submitted_by: None,
            }),
        }
    }

    /// Apply `event` if it can go on the end of the journey; `Ok(false)` when the journey
    /// must be refolded instead (a correction, or an event dated before the latest).
    pub(crate) fn try_apply(&mut self, event: &Event) -> Result<bool, JourneyError> {
        match self {
            State::Child(s) => {
                if !s.can_apply_incrementally(event) {
                    return Ok(false);
                }
                if event.subject != Subject::Child(s.id.clone()) {
                    // Refolding reports the mismatch with the domain's own message.
                    return Ok(false);
                }
                s.apply(event)?;
                Ok(true)
            }
            State::Family(s) => {
                if !s.can_apply_incrementally(event) {
                    return Ok(false);
                }
                s.apply(event)?;
                Ok(true)
            }
            State::Contact(s) => {
                if !s.contact.can_apply_incrementally(event) {
                    return Ok(false);
                }
                s.apply(event)?;
                Ok(true)
            }
        }
    }

    pub(crate) fn refold(subject: &Subject, journey: &[Event]) -> Result<State, StoreError> {
        Ok(match subject {
            Subject::Child(id) => State::Child(fold_child(id, journey)?),
            Subject::Family(id) => State::Family(fold_family(id, journey)?),
            Subject::Contact(id) => {
                let contact = fold_contact(id, journey)?;
                // The receipt that stands once corrections are applied (the fold has
                // just accepted them, and takes one receipt at most).
                let submitted_by = effective_events(journey)?
                    .into_iter()
                    .find(|e| matches!(e.data, EventData::ContactReceived(_)))
                    .map(|e| e.recorded_by);
                State::Contact(ContactFold {
                    contact,
                    submitted_by,
                })
            }
        })
    }
}
