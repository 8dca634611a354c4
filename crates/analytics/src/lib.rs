//! Hearth's analytics: the national indicators computed from children's journeys.
//! Pure functions over events; the caller decides where the journeys come from.

pub mod rates;
