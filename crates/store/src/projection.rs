//! Folding events into projections during a write. Pure bookkeeping over the domain's
//! fold: which state each subject has reached, and whether it can be updated
//! incrementally or must be refolded from its whole journey.

use hearth_domain::event::Event;
use hearth_domain::ids::Subject;
use hearth_domain::journey::{ChildState, FamilyState, JourneyError, fold_child, fold_family};

use crate::StoreError;

// Most subjects are children, so boxing the larger variant would only add an allocation.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub(crate) enum State {
    Child(ChildState),
    Family(FamilyState),
}

impl State {
    pub(crate) fn empty(subject: &Subject) -> Result<State, StoreError> {
        match subject {
            Subject::Child(id) => Ok(State::Child(ChildState::new(id.clone()))),
            Subject::Family(_) => Ok(State::Family(FamilyState::default())),
            Subject::Contact(_) => Err(StoreError::ContactNotStored(subject.clone())),
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
        }
    }

    pub(crate) fn refold(subject: &Subject, journey: &[Event]) -> Result<State, StoreError> {
        Ok(match subject {
            Subject::Child(id) => State::Child(fold_child(id, journey)?),
            Subject::Family(id) => State::Family(fold_family(id, journey)?),
            Subject::Contact(_) => return Err(StoreError::ContactNotStored(subject.clone())),
        })
    }
}
