//! What the two backends do differently inside the queries they share: each backend
//! file has one `DIALECT`, and the shared code reads it.

/// What the two backends spell differently in the queries they share, so that both
/// search and sort alike (names ignoring ASCII case, ids byte by byte).
pub(crate) struct Dialect {
    /// A subject's journey as one row: its event bodies in journal order, one a line
    /// (an event's JSON never holds a raw line break). One row rather than one a
    /// event: on SQLite every row fetched is a hand-off between the connection's
    /// thread and the caller's, and those hand-offs were most of a chronology page's
    /// cost.
    pub select_journey: &'static str,
    /// The given and family name as a search word's pattern is compared with them.
    pub given_name: &'static str,
    pub family_name: &'static str,
    /// The pattern a search word becomes, matching names that start with it.
    pub like: fn(&str) -> String,
    /// The order of search results: by family name, given name, then id.
    pub by_name: &'static str,
    /// Appended to a text column to sort it byte by byte.
    pub bytewise: &'static str,
    /// The order of the children a due list reads, by id.
    pub due_order: &'static str,
    /// What a rebuild runs first so that no append from another process interleaves
    /// with it (SQLite's one writer already keeps them apart).
    pub rebuild_lock: Option<&'static str>,
    /// What a due list runs first so that all its reads see one snapshot (SQLite's
    /// transactions already do).
    pub snapshot: Option<&'static str>,
    /// Children whose journeys a due list reads in one query.
    pub children_per_read: usize,
    /// Due cache rows written in one statement, well under the limit on bound
    /// parameters.
    pub due_rows_per_statement: usize,
}
