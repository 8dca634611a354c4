//! Hearth's domain: people, families, organisation, the event vocabulary of a child's
//! journey, the fold from a journey to the child's current state, the validator that
//! refuses impossible journeys, and the statutory clock: working days, dated timescale
//! rules, the obligations a journey sets and the due list
//! drawn from them.
//!
//! Pure: no I/O, no SQL, no HTTP, no files, and no clock — "today" is always a parameter.

pub mod access;
pub mod calendar;
pub mod codes;
pub mod due;
pub mod event;
pub mod identifiers;
pub mod ids;
pub mod journey;
pub mod limits;
pub mod obligations;
pub mod org;
pub mod people;
pub mod recording;
pub mod timescales;
