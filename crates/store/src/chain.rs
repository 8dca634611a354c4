//! The hash chains over the journal and the access log. Each row carries the SHA-256 of
//! the row before it and its own contents, and `chain_head` holds the last row's number
//! and hash, so that editing, deleting or reordering any row (the last one included)
//! behind Hearth's back breaks a link that `verify` finds. The triggers already refuse
//! such changes; the chain is what detects someone who went around them.
//!
//! The chain is not keyed: someone who can rewrite the database and recompute every
//! later hash and the head could hide an edit. It catches a changed row, not a forger.
//!
//! Hashing here, not in SQL, so both backends compute the identical chain.

use serde::Serialize;
use sha2::{Digest, Sha256};

/// A SHA-256 digest.
pub type Hash = [u8; 32];

/// What the first row of a chain follows.
pub const GENESIS: Hash = [0; 32];

/// The two chains, as `chain_head` names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Chain {
    Journal,
    AccessLog,
}

impl Chain {
    pub fn name(self) -> &'static str {
        match self {
            Chain::Journal => "journal",
            Chain::AccessLog => "access_log",
        }
    }
}

/// The last row written to a chain: its number and hash (0 and GENESIS when empty).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Head {
    pub seq: i64,
    pub hash: Hash,
}

impl Head {
    pub const EMPTY: Head = Head {
        seq: 0,
        hash: GENESIS,
    };
}

/// The hash of row `seq` with these fields, following `previous`. Each field is written
/// with its length, so no two different rows hash the same bytes.
pub fn link(previous: &Hash, seq: i64, fields: &[&str]) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update(previous);
    hasher.update(seq.to_be_bytes());
    for field in fields {
        hasher.update((field.len() as u64).to_be_bytes());
        hasher.update(field.as_bytes());
    }
    hasher.finalize().into()
}

/// The head after chaining one more row with these fields onto `head`.
pub fn next(head: Head, fields: &[&str]) -> Head {
    let seq = head.seq + 1;
    Head {
        seq,
        hash: link(&head.hash, seq, fields),
    }
}

/// Access-log rows for `subjects`, numbered and chained on from `head`, and the new head.
/// Each row is (seq, subject, hash); `at`, `actor`, `action` and `reason` are the same
/// for all. A reason is chained as a fifth field, and a row without one as the four
/// fields rows had before reasons were kept, so those rows still verify.
pub(crate) fn access_rows(
    head: Head,
    at: &str,
    actor: &str,
    subjects: &[String],
    action: &str,
    reason: Option<&str>,
) -> (Vec<(i64, String, Hash)>, Head) {
    let mut head = head;
    let rows = subjects
        .iter()
        .map(|subject| {
            let mut fields = vec![at, actor, subject.as_str(), action];
            fields.extend(reason);
            head = next(head, &fields);
            (head.seq, subject.clone(), head.hash)
        })
        .collect();
    (rows, head)
}

/// Turn stored bytes back into a hash; anything not 32 bytes long is no hash.
pub fn from_bytes(bytes: Option<&[u8]>) -> Option<Hash> {
    bytes.and_then(|b| b.try_into().ok())
}

/// What `verify` found on one chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ChainStatus {
    Intact { rows: u64 },
    Broken { seq: i64, reason: String },
}

/// Walks a chain's rows in order and stops at the first that does not follow.
pub struct Verifier {
    expected: Head,
    rows: u64,
    broken: Option<(i64, String)>,
}

impl Default for Verifier {
    fn default() -> Self {
        Verifier {
            expected: Head::EMPTY,
            rows: 0,
            broken: None,
        }
    }
}

impl Verifier {
    /// Check the next row; returns false once the chain is broken (stop reading).
    pub fn row(&mut self, seq: i64, stored: Option<&[u8]>, fields: &[&str]) -> bool {
        if self.broken.is_some() {
            return false;
        }
        let reason = if seq != self.expected.seq + 1 {
            Some(format!(
                "row {seq} follows row {} (rows were removed or reordered)",
                self.expected.seq
            ))
        } else {
            let hash = link(&self.expected.hash, seq, fields);
            match from_bytes(stored) {
                None => Some(format!("row {seq} has no hash")),
                Some(stored) if stored != hash => Some(format!(
                    "row {seq} does not match its hash (it, or a row before it, was changed)"
                )),
                Some(_) => {
                    self.expected = Head { seq, hash };
                    self.rows += 1;
                    None
                }
            }
        };
        match reason {
            Some(reason) => {
                self.broken = Some((seq, reason));
                false
            }
            None => true,
        }
    }

    /// The verdict, given the head the database records.
    pub fn finish(self, head: Option<Head>) -> ChainStatus {
        if let Some((seq, reason)) = self.broken {
            return ChainStatus::Broken { seq, reason };
        }
        match head {
            Some(head) if head == self.expected => ChainStatus::Intact { rows: self.rows },
            Some(head) if head.seq > self.expected.seq => ChainStatus::Broken {
                seq: self.expected.seq + 1,
                reason: format!(
                    "the chain ends at row {} but was written up to row {} (rows were removed from the end)",
                    self.expected.seq, head.seq
                ),
            },
            Some(head) if head.seq < self.expected.seq => ChainStatus::Broken {
                seq: head.seq + 1,
                reason: format!(
                    "row {} and any after it lie beyond the recorded end of the chain (added behind Hearth's back, or the record of the end was changed)",
                    head.seq + 1
                ),
            },
            _ => ChainStatus::Broken {
                seq: self.expected.seq,
                reason: format!(
                    "the recorded end of the chain does not match row {}",
                    self.expected.seq
                ),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(rows: &[&[&str]]) -> Vec<(i64, Hash)> {
        let mut previous = GENESIS;
        rows.iter()
            .enumerate()
            .map(|(i, fields)| {
                let seq = i as i64 + 1;
                previous = link(&previous, seq, fields);
                (seq, previous)
            })
            .collect()
    }

    fn verify(rows: &[(i64, Option<Hash>, &[&str])], head: Option<Head>) -> ChainStatus {
        let mut v = Verifier::default();
        for (seq, hash, fields) in rows {
            if !v.row(*seq, hash.as_ref().map(|h| &h[..]), fields) {
                break;
            }
        }
        v.finish(head)
    }

    const A: &[&str] = &["a", "1"];
    const B: &[&str] = &["b", "2"];
    const C: &[&str] = &["c", "3"];

    #[test]
    fn an_untouched_chain_is_intact_and_an_empty_one_too() {
        let c = chain(&[A, B, C]);
        let rows = [
            (1, Some(c[0].1), A),
            (2, Some(c[1].1), B),
            (3, Some(c[2].1), C),
        ];
        let head = Head {
            seq: 3,
            hash: c[2].1,
        };
        assert_eq!(verify(&rows, Some(head)), ChainStatus::Intact { rows: 3 });
        assert_eq!(
            verify(&[], Some(Head::EMPTY)),
            ChainStatus::Intact { rows: 0 }
        );
    }

    #[test]
    fn field_boundaries_count() {
        assert_ne!(
            link(&GENESIS, 1, &["ab", "c"]),
            link(&GENESIS, 1, &["a", "bc"])
        );
        assert_ne!(link(&GENESIS, 1, A), link(&GENESIS, 2, A));
    }

    #[test]
    fn each_kind_of_tampering_names_the_first_broken_row() {
        let c = chain(&[A, B, C]);
        let head = Some(Head {
            seq: 3,
            hash: c[2].1,
        });
        let broken_at = |status: ChainStatus| match status {
            ChainStatus::Broken { seq, .. } => seq,
            ChainStatus::Intact { .. } => 0,
        };
        // Row 2's contents edited.
        let edited = [
            (1, Some(c[0].1), A),
            (2, Some(c[1].1), C),
            (3, Some(c[2].1), C),
        ];
        assert_eq!(broken_at(verify(&edited, head)), 2);
        // Row 2 deleted.
        let deleted = [(1, Some(c[0].1), A), (3, Some(c[2].1), C)];
        assert_eq!(broken_at(verify(&deleted, head)), 3);
        // The last row deleted: only the head tells.
        let truncated = [(1, Some(c[0].1), A), (2, Some(c[1].1), B)];
        assert_eq!(broken_at(verify(&truncated, head)), 3);
        // Rows 2 and 3 swapped, numbers and all.
        let swapped = [
            (1, Some(c[0].1), A),
            (2, Some(c[2].1), C),
            (3, Some(c[1].1), B),
        ];
        assert_eq!(broken_at(verify(&swapped, head)), 2);
        // A hash removed.
        let unhashed = [(1, Some(c[0].1), A), (2, None, B), (3, Some(c[2].1), C)];
        assert_eq!(broken_at(verify(&unhashed, head)), 2);
        // The head itself changed.
        let rows = [
            (1, Some(c[0].1), A),
            (2, Some(c[1].1), B),
            (3, Some(c[2].1), C),
        ];
        let forged = Some(Head {
            seq: 3,
            hash: GENESIS,
        });
        assert_eq!(broken_at(verify(&rows, forged)), 3);
        assert_eq!(broken_at(verify(&rows, None)), 3);
        // A row added at the end behind Hearth's back, hash and all.
        let short = Some(Head {
            seq: 2,
            hash: c[1].1,
        });
        assert_eq!(broken_at(verify(&rows, short)), 3);
    }
}

/// What `hearth audit verify` reports: the state of each chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainReport {
    pub journal: ChainStatus,
    pub access_log: ChainStatus,
}

impl ChainReport {
    pub fn intact(&self) -> bool {
        matches!(self.journal, ChainStatus::Intact { .. })
            && matches!(self.access_log, ChainStatus::Intact { .. })
    }
}

/// Every row of `chain` in order: its number, its hash, then the columns the chain
/// covers, as text. The same SQL on both backends.
pub(crate) fn rows_sql(chain: Chain) -> &'static str {
    match chain {
        Chain::Journal => {
            "SELECT seq, hash, id, subject, CAST(version AS TEXT), kind, occurred_at, \
             recorded_at, recorded_by, body FROM journal ORDER BY seq"
        }
        Chain::AccessLog => {
            "SELECT seq, hash, at, actor, subject, action, reason FROM access_log ORDER BY seq"
        }
    }
}

/// Feed one row read with `rows_sql` to `verifier`; false once the chain is broken. A
/// NULL column (only the access log's reason may be one) is no field, as it was
/// chained.
pub(crate) fn check_row<R>(verifier: &mut Verifier, row: &R) -> Result<bool, sqlx::Error>
where
    R: sqlx::Row,
    usize: sqlx::ColumnIndex<R>,
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Vec<u8>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Option<String>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    let seq: i64 = row.try_get(0)?;
    let hash: Option<Vec<u8>> = row.try_get(1)?;
    let fields: Vec<Option<String>> = (2..row.len())
        .map(|i| row.try_get(i))
        .collect::<Result<_, _>>()?;
    let fields: Vec<&str> = fields.iter().flatten().map(String::as_str).collect();
    Ok(verifier.row(seq, hash.as_deref(), &fields))
}

/// The recorded head as read from `chain_head`, if it is there and well formed.
pub(crate) fn stored_head(row: Option<(i64, Vec<u8>)>) -> Option<Head> {
    let (seq, hash) = row?;
    Some(Head {
        seq,
        hash: from_bytes(Some(&hash))?,
    })
}

/// The recorded head of a chain, the same SQL on both backends.
pub(crate) const SELECT_HEAD: &str = "SELECT seq, hash FROM chain_head WHERE chain = $1";
pub(crate) const SET_HEAD: &str = "UPDATE chain_head SET seq = $1, hash = $2 WHERE chain = $3";

/// Walk `chain` in the database `pool` opens, on either backend (a restore checks a
/// copy with it before the copy is anyone's database).
pub(crate) async fn verify_chain<DB>(
    pool: &sqlx::Pool<DB>,
    chain: Chain,
) -> Result<ChainStatus, crate::StoreError>
where
    DB: sqlx::Database,
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
    DB::Arguments: sqlx::IntoArguments<DB>,
    usize: sqlx::ColumnIndex<DB::Row>,
    i64: for<'r> sqlx::Decode<'r, DB> + sqlx::Type<DB>,
    Vec<u8>: for<'r> sqlx::Decode<'r, DB> + sqlx::Type<DB>,
    String: for<'q> sqlx::Encode<'q, DB> + for<'r> sqlx::Decode<'r, DB> + sqlx::Type<DB>,
{
    use futures_util::TryStreamExt;
    let mut verifier = Verifier::default();
    let mut rows = sqlx::query(rows_sql(chain)).fetch(pool);
    while let Some(row) = rows.try_next().await? {
        if !check_row(&mut verifier, &row)? {
            break;
        }
    }
    drop(rows);
    let head = sqlx::query_as(SELECT_HEAD)
        .bind(chain.name().to_owned())
        .fetch_optional(pool)
        .await?;
    Ok(verifier.finish(stored_head(head)))
}

/// Record `head` as the last row of `chain`, inside the transaction that wrote it.
pub(crate) async fn set_head<DB>(
    conn: &mut DB::Connection,
    chain: Chain,
    head: Head,
) -> Result<(), crate::StoreError>
where
    DB: sqlx::Database,
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
    DB::Arguments: sqlx::IntoArguments<DB>,
    i64: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    Vec<u8>: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    String: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    sqlx::query(SET_HEAD)
        .bind(head.seq)
        .bind(head.hash.to_vec())
        .bind(chain.name().to_owned())
        .execute(conn)
        .await?;
    Ok(())
}

/// The head of `chain` as read from `chain_head` by a writer, refusing a malformed one.
pub(crate) fn read_head(
    chain: Chain,
    (seq, hash): (i64, Vec<u8>),
) -> Result<Head, crate::StoreError> {
    let hash = from_bytes(Some(&hash)).ok_or_else(|| {
        crate::StoreError::Corrupt(format!("the head of the {} chain", chain.name()))
    })?;
    Ok(Head { seq, hash })
}
