//! "Tell us once": finding the people Hearth already holds who may be a person named
//! in a contact, scored the way Splink scores record pairs (issue 13; the design is
//! docs/plans/front-door.md §1.6). Pure: the index is built from records the caller
//! reads, and nothing here reads a clock or a file.
//!
//! - [`normalise`], [`phonetic`], [`nicknames`], [`compare`]: names folded to ASCII
//!   bytes once, their sound codes, short forms, and string similarity.
//! - [`model`]: comparison levels with m and u; [`train`] learns them.
//! - [`index`]: records in memory with blocking keys; [`score`]: candidates and reasons.

pub mod compare;
pub mod index;
pub mod model;
pub mod nicknames;
pub mod normalise;
pub mod phonetic;
pub mod score;
pub mod train;

pub use index::{Blocked, Index, PersonRecord};
pub use model::{Field, Level, MatchModel, ModelError};
pub use score::{Candidate, Comparison, Matcher, Reason};

#[cfg(test)]
mod tests;
