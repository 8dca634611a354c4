//! The one place Hearth reads the clock. Everything below the binary takes the time as
//! a parameter, so tests can pin it; clippy refuses clock reads anywhere else.

use jiff::Timestamp;
use jiff::civil::Date;

/// The instant now.
#[allow(clippy::disallowed_methods)]
pub fn now() -> Timestamp {
    Timestamp::now()
}

/// Today's date in England, where every council Hearth serves keeps its calendar.
pub fn today() -> Date {
    hearth_app::today(now())
}
