//! Signing in: the password check, the lockout after wrong tries, the session started
//! and the access log.
//!
//! A wrong password and an unknown user name get the same answer in the same time (the
//! password is checked against a dummy hash when the name is unknown), and so does a
//! locked account, so no answer tells anyone which user names exist. Hashing runs on
//! the blocking pool, never on the async threads.

use crate::App;
use crate::AppError;
use crate::auth::{dummy_hash, random_hex, token_hash, verify_password};
use hearth_domain::access::{Role, UserName};
use hearth_store::{Lockout, Session};
use jiff::{SignedDuration, Timestamp};

/// Wrong passwords in a row before a user is locked out...
pub const LOCK_AFTER: u32 = 5;
/// ...and for how long.
pub const LOCKED_FOR: SignedDuration = SignedDuration::from_mins(15);

/// At most this many passwords are checked at once. Each check takes tens of
/// milliseconds and about 19 MiB (argon2id), so without a bound a flood of sign-ins
/// (no account needed: unknown names are checked against a dummy hash) would take the
/// machine; past it, a sign-in is asked to try again.
pub const CONCURRENT_CHECKS: usize = 4;
static CHECKING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(CONCURRENT_CHECKS);

/// How a sign-in went.
#[derive(Debug)]
pub enum SignIn {
    /// The name and password are right and the user is not locked out: a session has
    /// been started. `session_id` is given to the user's browser, once; the store keeps
    /// only its hash.
    SignedIn {
        user: UserName,
        role: Role,
        session_id: String,
    },
    /// Wrong name or password, or locked out: the same answer for each.
    Refused,
    /// Too many passwords are being checked at once; try again in a moment.
    Busy,
}

/// Whether a user with `lockout` is locked out at `now`.
pub fn is_locked(lockout: &Lockout, now: Timestamp) -> bool {
    lockout.locked_until.is_some_and(|until| now < until)
}

/// What follows a wrong password, given the count and lockout the store gives after
/// counting it: the [`LOCK_AFTER`]th in a row locks the user out for [`LOCKED_FOR`] from
/// `now` and starts the count again; before that, nothing changes.
pub fn lock_after_failure(counted: Lockout, now: Timestamp) -> Option<Lockout> {
    (counted.failures >= LOCK_AFTER).then(|| Lockout {
        failures: 0,
        locked_until: now.checked_add(LOCKED_FOR).ok(),
    })
}

/// A new session for `user` at `now`: the id to give the browser, and the row to store.
pub fn new_session(user: &UserName, now: Timestamp) -> (String, Session) {
    let id = random_hex::<32>();
    let session = Session {
        id_hash: token_hash(&id),
        user: user.clone(),
        csrf_token: random_hex::<32>(),
        started_at: now,
        last_seen_at: now,
        ended_at: None,
    };
    (id, session)
}

impl App {
    /// Sign in as `name` with `password` at `now`. Success clears the count of wrong
    /// tries, starts a session and logs "signed in"; a wrong password counts towards a
    /// lockout (tries while locked do not extend it) and is logged as refused. Nothing
    /// is logged for a name that does not exist, since there is no one to log it
    /// against.
    pub async fn sign_in(
        &self,
        now: Timestamp,
        name: &str,
        password: String,
    ) -> Result<SignIn, AppError> {
        let store = self.store();
        let user = match UserName::parse(name) {
            Ok(name) => store.user(&name).await?,
            Err(_) => None,
        };
        let lockout = match &user {
            Some(u) => store.lockout(&u.name).await?,
            None => Lockout::default(),
        };
        let hash = user
            .as_ref()
            .map_or_else(|| dummy_hash().to_owned(), |u| u.password_hash.clone());
        let Ok(_permit) = CHECKING.try_acquire() else {
            return Ok(SignIn::Busy);
        };
        let matches = tokio::task::spawn_blocking(move || verify_password(&password, &hash))
            .await
            .unwrap_or(false);
        let Some(user) = user else {
            return Ok(SignIn::Refused);
        };
        if matches && !is_locked(&lockout, now) {
            store.set_lockout(&user.name, Lockout::default()).await?;
            let (session_id, session) = new_session(&user.name, now);
            store.start_session(&session).await?;
            store
                .log_access_to(now, user.name.as_str(), "session", "signed in")
                .await?;
            return Ok(SignIn::SignedIn {
                user: user.name,
                role: user.role,
                session_id,
            });
        }
        if !is_locked(&lockout, now) {
            let counted = store.add_sign_in_failure(&user.name).await?;
            if let Some(locked) = lock_after_failure(counted, now) {
                store.set_lockout(&user.name, locked).await?;
            }
        }
        store
            .log_access_to(now, user.name.as_str(), "session", "refused (sign-in)")
            .await?;
        Ok(SignIn::Refused)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn at(t: &str) -> Timestamp {
        t.parse().unwrap()
    }

    #[test]
    fn the_fifth_wrong_password_in_a_row_locks_for_15_minutes() {
        let now = at("2024-06-01T09:00:00Z");
        let counted = |failures| Lockout {
            failures,
            locked_until: None,
        };
        for n in 1..LOCK_AFTER {
            assert_eq!(lock_after_failure(counted(n), now), None);
        }
        let l = lock_after_failure(counted(LOCK_AFTER), now).unwrap();
        assert_eq!(l.failures, 0);
        assert_eq!(l.locked_until, Some(at("2024-06-01T09:15:00Z")));
        assert!(is_locked(&l, at("2024-06-01T09:14:59Z")));
        assert!(!is_locked(&l, at("2024-06-01T09:15:00Z")));
        // Tries made at once may count past the limit; each of them locks.
        assert!(lock_after_failure(counted(LOCK_AFTER + 3), now).is_some());
    }
}
