//! Hearth's synthetic county: a deterministic generator of families, children's
//! journeys and the workforce that serves them, from an authority preset and a seed.
//! It exists so that demos, tests and benchmarks have realistic data with no real
//! person in it: the same preset, options and seed give the same events, byte for byte.
//!
//! What it must not do: no I/O except reading its own presets, embedded at build time;
//! no clock — the last simulated day is a parameter (`Options::end`); no storage — it
//! yields events and leaves writing them to the caller. Every journey it yields must
//! fold with `hearth_domain::journey`.
//!
//! Layout: `preset` (authority data), `org` (teams and workers), `family` (who is in a
//! family and how often it reaches the front door), `front_door` (each contact's own
//! journey, and its mirrors on the children's), `casework` (early
//! help, child in need, protection), `care` (looked after, adoption, leaving care),
//! `work` (allocation, visits), `journal` (finished events), `model` (calibration);
//! `as_given` (a person as a referrer gives them, mistakes included: what each contact
//! says, and the matching bench's held-out contacts).

mod as_given;
mod calendar;
mod care;
mod casework;
mod details;
mod family;
mod front_door;
mod generator;
mod journal;
mod model;
mod names;
mod org;
mod people;
mod preset;
mod random;
mod work;

pub use as_given::{Rates, garble};
pub use generator::{Generator, Options};
pub use preset::{
    AreaSpec, Demand, Level, LocalitySpec, PRESETS, Polarity, Policy, Preset, PresetError, Routing,
    Staffing, Target, TeamSpec, Threshold, parse_preset, preset,
};
pub use random::Rand;

/// Why a county could not be generated.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SynthError {
    #[error(transparent)]
    Preset(#[from] PresetError),
    #[error("the generator options are not usable: {0}")]
    Options(String),
    #[error("internal error: an identifier was not valid: {0}")]
    Id(#[from] hearth_domain::ids::IdError),
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<hearth_domain::identifiers::PostcodeError> for SynthError {
    fn from(e: hearth_domain::identifiers::PostcodeError) -> Self {
        SynthError::Internal(e.to_string())
    }
}

impl From<hearth_domain::identifiers::UpnError> for SynthError {
    fn from(e: hearth_domain::identifiers::UpnError) -> Self {
        SynthError::Internal(e.to_string())
    }
}
