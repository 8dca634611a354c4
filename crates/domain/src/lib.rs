//! Hearth's domain: people, families, organisation, the event vocabulary of a child's
//! journey, the fold from a journey to the child's current state, the validator that
//! refuses impossible journeys, and the statutory clock: working days, dated timescale
//! rules, the obligations a journey sets and the due list
//! drawn from them.
//!
//! Pure: no I/O, no SQL, no HTTP, no files, and no clock — "today" is always a parameter.
//!
//! With the `openapi` feature (hearth-web's), the types the JSON API sends and reads
//! also describe themselves as OpenAPI schemas (`utoipa::ToSchema`).

/// The OpenAPI schema of a type that serde writes as one string through a hand-written
/// `Serialize` (or `try_from`/`into`), which the derive cannot see through: a string
/// with the pattern its parser accepts.
#[cfg(feature = "openapi")]
macro_rules! text_schema {
    ($name:ty, $pattern:expr, $description:expr) => {
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::Type::String)
                    .pattern(Some($pattern))
                    .description(Some($description))
                    .into()
            }
        }
        impl utoipa::ToSchema for $name {}
    };
}

pub mod access;
pub mod amounts;
pub mod area;
pub mod calendar;
pub mod caseload;
pub mod codes;
pub mod contact;
pub mod due;
pub mod event;
pub mod family;
pub mod forms;
pub mod handoffs;
pub mod identifiers;
pub mod ids;
pub mod journey;
pub mod limits;
pub mod matching;
pub mod notes;
pub mod obligations;
pub mod org;
pub mod people;
pub mod recording;
pub mod scope;
pub mod timescales;
