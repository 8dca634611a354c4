//! Who may get in and what they may see: signed-in sessions, sign-in lockouts and
//! restricted records, the same on both backends. The SQL uses `$N` placeholders,
//! which SQLite (through sqlx) and PostgreSQL both read, and [`impl_access_control!`]
//! writes the methods once for both.
//!
//! How long a session lives, when a user is locked out and who sees a restricted
//! record are decided by the web crate; the store only keeps the rows.

use crate::write::corrupt;
use crate::{ApiToken, StoreError, User};
use hearth_domain::access::UserName;
use hearth_domain::ids::ChildId;
use jiff::Timestamp;
use std::collections::{BTreeMap, BTreeSet};

/// A session as stored: known by the SHA-256 of the id in its cookie, with the token
/// its forms must carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub id_hash: String,
    pub user: UserName,
    pub csrf_token: String,
    pub started_at: Timestamp,
    pub last_seen_at: Timestamp,
    pub ended_at: Option<Timestamp>,
}

/// Failed sign-ins in a row for a user, and until when they are locked out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Lockout {
    pub failures: u32,
    pub locked_until: Option<Timestamp>,
}

pub(crate) const INSERT_SESSION: &str = "INSERT INTO sessions \
     (id_hash, user_name, csrf_token, started_at, last_seen_at, ended_at) \
     VALUES ($1, $2, $3, $4, $5, NULL)";
pub(crate) const SELECT_SESSION: &str = "SELECT s.id_hash, s.user_name, s.csrf_token, \
     s.started_at, s.last_seen_at, s.ended_at, u.role, u.password_hash, u.created_at, u.worker \
     FROM sessions s JOIN users u ON u.name = s.user_name WHERE s.id_hash = $1";
pub(crate) const TOUCH_SESSION: &str =
    "UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2 AND ended_at IS NULL";
pub(crate) const END_SESSION: &str =
    "UPDATE sessions SET ended_at = $1 WHERE id_hash = $2 AND ended_at IS NULL";
pub(crate) const SELECT_LOCKOUT: &str =
    "SELECT failures, locked_until FROM sign_in_lockouts WHERE user_name = $1";
pub(crate) const ADD_FAILURE: &str = "INSERT INTO sign_in_lockouts \
     (user_name, failures, locked_until) VALUES ($1, 1, NULL) \
     ON CONFLICT (user_name) DO UPDATE SET failures = sign_in_lockouts.failures + 1 \
     RETURNING failures, locked_until";
pub(crate) const UPSERT_LOCKOUT: &str = "INSERT INTO sign_in_lockouts \
     (user_name, failures, locked_until) VALUES ($1, $2, $3) \
     ON CONFLICT (user_name) DO UPDATE SET failures = EXCLUDED.failures, \
     locked_until = EXCLUDED.locked_until";

/// A row of [`SELECT_SESSION`].
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct SessionRow {
    id_hash: String,
    user_name: String,
    csrf_token: String,
    started_at: String,
    last_seen_at: String,
    ended_at: Option<String>,
    role: String,
    password_hash: String,
    created_at: String,
    worker: Option<String>,
}

impl SessionRow {
    pub(crate) fn into_session(self) -> Result<(Session, User), StoreError> {
        let user = UserName::parse(&self.user_name).map_err(corrupt)?;
        let time = |t: &str| t.parse::<Timestamp>().map_err(corrupt);
        let session = Session {
            id_hash: self.id_hash,
            user: user.clone(),
            csrf_token: self.csrf_token,
            started_at: time(&self.started_at)?,
            last_seen_at: time(&self.last_seen_at)?,
            ended_at: self.ended_at.as_deref().map(time).transpose()?,
        };
        let user = User {
            name: user,
            role: self.role.parse().map_err(corrupt)?,
            password_hash: self.password_hash,
            created_at: time(&self.created_at)?,
            worker: self
                .worker
                .map(|w| hearth_domain::ids::WorkerId::parse(&w).map_err(corrupt))
                .transpose()?,
        };
        Ok((session, user))
    }
}

/// A row of [`SELECT_LOCKOUT`].
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct LockoutRow {
    failures: i64,
    locked_until: Option<String>,
}

impl LockoutRow {
    pub(crate) fn into_lockout(self) -> Result<Lockout, StoreError> {
        Ok(Lockout {
            failures: u32::try_from(self.failures).map_err(corrupt)?,
            locked_until: self
                .locked_until
                .as_deref()
                .map(|t| t.parse::<Timestamp>().map_err(corrupt))
                .transpose()?,
        })
    }
}

/// Who sees each restricted record: the child, and the only users who may see it.
pub type Restrictions = BTreeMap<ChildId, BTreeSet<UserName>>;

pub(crate) const DELETE_RESTRICTION: &str = "DELETE FROM restricted_records WHERE child_id = $1";
pub(crate) const INSERT_RESTRICTION: &str =
    "INSERT INTO restricted_records (child_id, user_name) VALUES ($1, $2)";
pub(crate) const SELECT_RESTRICTIONS: &str =
    "SELECT child_id, user_name FROM restricted_records ORDER BY child_id, user_name";

/// Users and their tokens, sessions, sign-in lockouts and restricted records: part of
/// every [`crate::Store`].
#[async_trait::async_trait]
pub trait AccessControl: Send + Sync {
    /// Add a user; refused if the name is taken.
    async fn add_user(&self, user: &User) -> Result<(), StoreError>;

    /// The user called `name`, compared exactly as typed.
    async fn user(&self, name: &UserName) -> Result<Option<User>, StoreError>;

    /// Store a token for an existing user.
    async fn add_token(&self, token: &ApiToken) -> Result<(), StoreError>;

    /// The user a token (given by its hash) belongs to, unless it was revoked.
    async fn token_user(&self, token_hash: &str) -> Result<Option<User>, StoreError>;

    /// Revoke the token with this label; false if there is no such live token.
    async fn revoke_token(&self, label: &str, at: Timestamp) -> Result<bool, StoreError>;

    /// Record a new signed-in session; refused if its user does not exist.
    async fn start_session(&self, session: &Session) -> Result<(), StoreError>;

    /// The session known by `id_hash`, ended or not, with its user.
    async fn session(&self, id_hash: &str) -> Result<Option<(Session, User)>, StoreError>;

    /// Note that a live session was used at `at` (for the idle timeout).
    async fn touch_session(&self, id_hash: &str, at: Timestamp) -> Result<(), StoreError>;

    /// End a session (sign-out or timeout); ending one already ended changes nothing.
    async fn end_session(&self, id_hash: &str, at: Timestamp) -> Result<(), StoreError>;

    /// The user's failed sign-ins in a row and any lockout (none recorded: zero).
    async fn lockout(&self, user: &UserName) -> Result<Lockout, StoreError>;

    /// Replace the user's failed sign-in count and lockout.
    async fn set_lockout(&self, user: &UserName, lockout: Lockout) -> Result<(), StoreError>;

    /// Count one more failed sign-in for the user, in one statement (so that attempts
    /// made at once each count), and give the count and lockout that follow.
    async fn add_sign_in_failure(&self, user: &UserName) -> Result<Lockout, StoreError>;

    /// Make `child`'s record visible only to `users`, replacing any earlier list; with
    /// no users, lift the restriction. Refused whole if a user does not exist.
    async fn restrict(&self, child: &ChildId, users: &[UserName]) -> Result<(), StoreError>;

    /// Every restricted record, with who may see it.
    async fn restrictions(&self) -> Result<Restrictions, StoreError>;

    /// The restrictions on `children` alone (those of them restricted, with who may see
    /// each): what one record or one page of results needs, read by index, however many
    /// restricted records the authority has.
    async fn restrictions_of(&self, children: &[ChildId]) -> Result<Restrictions, StoreError>;
}

/// Children whose restrictions one query reads: well under either database's limit on
/// bound parameters.
pub(crate) const CHILDREN_PER_QUERY: usize = 400;

/// The query for the restrictions of `n` children, with `$1`..`$n` for their ids.
pub(crate) fn select_restrictions_of(n: usize) -> String {
    let placeholders: Vec<String> = (1..=n).map(|i| format!("${i}")).collect();
    format!(
        "SELECT child_id, user_name FROM restricted_records WHERE child_id IN ({})",
        placeholders.join(", ")
    )
}

/// Rows of (child, user) as [`Restrictions`], refusing any that cannot be read.
pub(crate) fn collect_restrictions(
    rows: Vec<(String, String)>,
    into: &mut Restrictions,
) -> Result<(), StoreError> {
    for (child, user) in rows {
        let child = ChildId::parse(&child).map_err(corrupt)?;
        let user = UserName::parse(&user).map_err(corrupt)?;
        into.entry(child).or_default().insert(user);
    }
    Ok(())
}

/// Implements [`AccessControl`] for a backend `$store` with a `pool` field. The statements are
/// the same text on both backends; only the pool's type differs.
macro_rules! impl_access_control {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl $crate::AccessControl for $store {
        async fn add_user(&self, user: &$crate::User) -> Result<(), $crate::StoreError> {
            let added = sqlx::query(
                "INSERT INTO users (name, role, password_hash, created_at, worker) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(user.name.as_str())
            .bind(user.role.name())
            .bind(&user.password_hash)
            .bind(user.created_at.to_string())
            .bind(user.worker.as_ref().map(|w| w.as_str().to_owned()))
            .execute(&self.pool)
            .await;
            match added {
                Err(e) if $crate::write::is_unique_violation(&e) => Err($crate::StoreError::UserExists(user.name.to_string())),
                other => other.map(|_| ()).map_err($crate::StoreError::from),
            }
        }

        async fn user(&self, name: &hearth_domain::access::UserName) -> Result<Option<$crate::User>, $crate::StoreError> {
            let row: Option<$crate::write::UserRow> = sqlx::query_as(
                "SELECT name, role, password_hash, created_at, worker FROM users WHERE name = $1",
            )
            .bind(name.as_str())
            .fetch_optional(&self.pool)
            .await?;
            row.map($crate::write::UserRow::into_user).transpose()
        }

        async fn add_token(&self, token: &$crate::ApiToken) -> Result<(), $crate::StoreError> {
            if $crate::AccessControl::user(self, &token.user).await?.is_none() {
                return Err($crate::StoreError::NoSuchUser(token.user.to_string()));
            }
            sqlx::query(
                "INSERT INTO api_tokens (token_hash, label, user_name, created_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(&token.token_hash)
            .bind(&token.label)
            .bind(token.user.as_str())
            .bind(token.created_at.to_string())
            .execute(&self.pool)
            .await?;
            Ok(())
        }

        async fn token_user(&self, token_hash: &str) -> Result<Option<$crate::User>, $crate::StoreError> {
            let row: Option<$crate::write::UserRow> = sqlx::query_as(
                "SELECT u.name, u.role, u.password_hash, u.created_at, u.worker FROM api_tokens t \
                 JOIN users u ON u.name = t.user_name WHERE t.token_hash = $1 AND t.revoked_at IS NULL",
            )
            .bind(token_hash)
            .fetch_optional(&self.pool)
            .await?;
            row.map($crate::write::UserRow::into_user).transpose()
        }

        async fn revoke_token(&self, label: &str, at: jiff::Timestamp) -> Result<bool, $crate::StoreError> {
            let done = sqlx::query(
                "UPDATE api_tokens SET revoked_at = $1 WHERE label = $2 AND revoked_at IS NULL",
            )
            .bind(at.to_string())
            .bind(label)
            .execute(&self.pool)
            .await?;
            Ok(done.rows_affected() == 1)
        }

            async fn start_session(
                &self,
                session: &$crate::Session,
            ) -> Result<(), $crate::StoreError> {
                if $crate::AccessControl::user(self, &session.user).await?.is_none() {
                    return Err($crate::StoreError::NoSuchUser(session.user.to_string()));
                }
                sqlx::query($crate::access_control::INSERT_SESSION)
                    .bind(&session.id_hash)
                    .bind(session.user.as_str())
                    .bind(&session.csrf_token)
                    .bind(session.started_at.to_string())
                    .bind(session.last_seen_at.to_string())
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn session(
                &self,
                id_hash: &str,
            ) -> Result<Option<($crate::Session, $crate::User)>, $crate::StoreError> {
                let row: Option<$crate::access_control::SessionRow> =
                    sqlx::query_as($crate::access_control::SELECT_SESSION)
                        .bind(id_hash)
                        .fetch_optional(&self.pool)
                        .await?;
                row.map($crate::access_control::SessionRow::into_session)
                    .transpose()
            }

            async fn touch_session(
                &self,
                id_hash: &str,
                at: jiff::Timestamp,
            ) -> Result<(), $crate::StoreError> {
                sqlx::query($crate::access_control::TOUCH_SESSION)
                    .bind(at.to_string())
                    .bind(id_hash)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn end_session(
                &self,
                id_hash: &str,
                at: jiff::Timestamp,
            ) -> Result<(), $crate::StoreError> {
                sqlx::query($crate::access_control::END_SESSION)
                    .bind(at.to_string())
                    .bind(id_hash)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn lockout(
                &self,
                user: &hearth_domain::access::UserName,
            ) -> Result<$crate::Lockout, $crate::StoreError> {
                let row: Option<$crate::access_control::LockoutRow> =
                    sqlx::query_as($crate::access_control::SELECT_LOCKOUT)
                        .bind(user.as_str())
                        .fetch_optional(&self.pool)
                        .await?;
                Ok(row
                    .map($crate::access_control::LockoutRow::into_lockout)
                    .transpose()?
                    .unwrap_or_default())
            }

            async fn set_lockout(
                &self,
                user: &hearth_domain::access::UserName,
                lockout: $crate::Lockout,
            ) -> Result<(), $crate::StoreError> {
                sqlx::query($crate::access_control::UPSERT_LOCKOUT)
                    .bind(user.as_str())
                    .bind(i64::from(lockout.failures))
                    .bind(lockout.locked_until.map(|t| t.to_string()))
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn add_sign_in_failure(
                &self,
                user: &hearth_domain::access::UserName,
            ) -> Result<$crate::Lockout, $crate::StoreError> {
                let row: $crate::access_control::LockoutRow =
                    sqlx::query_as($crate::access_control::ADD_FAILURE)
                        .bind(user.as_str())
                        .fetch_one(&self.pool)
                        .await?;
                row.into_lockout()
            }

            async fn restrict(
                &self,
                child: &hearth_domain::ids::ChildId,
                users: &[hearth_domain::access::UserName],
            ) -> Result<(), $crate::StoreError> {
                // Each user once, whatever the caller passed.
                let users: std::collections::BTreeSet<_> = users.iter().collect();
                for user in &users {
                    if $crate::AccessControl::user(self, user).await?.is_none() {
                        return Err($crate::StoreError::NoSuchUser(user.to_string()));
                    }
                }
                let mut tx = self.pool.begin().await?;
                sqlx::query($crate::access_control::DELETE_RESTRICTION)
                    .bind(child.as_str())
                    .execute(&mut *tx)
                    .await?;
                for user in users {
                    sqlx::query($crate::access_control::INSERT_RESTRICTION)
                        .bind(child.as_str())
                        .bind(user.as_str())
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn restrictions(&self) -> Result<$crate::Restrictions, $crate::StoreError> {
                let rows: Vec<(String, String)> =
                    sqlx::query_as($crate::access_control::SELECT_RESTRICTIONS)
                        .fetch_all(&self.pool)
                        .await?;
                let mut restrictions = $crate::Restrictions::new();
                $crate::access_control::collect_restrictions(rows, &mut restrictions)?;
                Ok(restrictions)
            }

            async fn restrictions_of(
                &self,
                children: &[hearth_domain::ids::ChildId],
            ) -> Result<$crate::Restrictions, $crate::StoreError> {
                let mut restrictions = $crate::Restrictions::new();
                for chunk in children.chunks($crate::access_control::CHILDREN_PER_QUERY) {
                    let sql = $crate::access_control::select_restrictions_of(chunk.len());
                    let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql));
                    for child in chunk {
                        query = query.bind(child.as_str());
                    }
                    let rows: Vec<(String, String)> = query.fetch_all(&self.pool).await?;
                    $crate::access_control::collect_restrictions(rows, &mut restrictions)?;
                }
                Ok(restrictions)
            }
        }
    };
}
pub(crate) use impl_access_control;
