//! What Hearth's tests share, so that no test copies it or includes it by file path: the
//! test organisation, builders of people and events, the sample journeys, the random
//! journey generator (proptest strategies) and a PostgreSQL database of a test's own.
//!
//! A dev-dependency only: no crate's library code may use it, and it is never published.

// A test's set-up that cannot be done should stop the test at once, where it failed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod builders;
pub mod organisation;
pub mod postgres;
pub mod random;
pub mod sample;

pub use builders::*;
pub use organisation::{front_door_organisation, organisation};
pub use postgres::new_postgres_database;
