//! Hearth's analytics: the national indicators computed from children's journeys, and
//! the front door's funnel from contacts' and children's journeys.
//! Pure functions over events; the caller decides where the journeys come from.

pub mod funnel;
pub mod rates;
pub mod scorecard;
