//! Users and API tokens: adding a user with a hashed password, creating and revoking a
//! partner system's token. Only the command line manages accounts (an administrator
//! with the database); any other caller is refused, and the refusal logged.
//!
//! Every change is written to the access log, so that an auditor can see who was given
//! access, and by whom: the actor is who made the change, the target the account
//! (`user:NAME`, or `token:LABEL` for a revoked token, whose label the row that created
//! it names), the action what was done. Never a password, its hash, or a token.

use crate::auth::{AuthError, hash_password, new_token};
use crate::{App, AppError, Caller, WorkforceError};
use hearth_domain::access::{Role, UserName};
use hearth_domain::caseload::role_fits;
use hearth_domain::ids::WorkerId;
use hearth_domain::org::WorkerRole;
use hearth_store::User;
use jiff::Timestamp;

/// A user ready to add: the name, the role and the argon2id hash of the password,
/// never the password itself.
pub struct NewUser {
    name: UserName,
    role: Role,
    password_hash: String,
    worker: Option<WorkerId>,
}

impl NewUser {
    /// Refuses a password too short to keep. Hashing is slow on purpose (argon2id):
    /// call it off the async threads where that matters.
    pub fn new(name: UserName, role: Role, password: &str) -> Result<NewUser, AuthError> {
        Ok(NewUser {
            password_hash: hash_password(password)?,
            name,
            role,
            worker: None,
        })
    }

    /// The user, linked to `worker` in the organisation document (a practitioner).
    pub fn with_worker(self, worker: WorkerId) -> NewUser {
        NewUser {
            worker: Some(worker),
            ..self
        }
    }
}

/// A token just made: shown once to whoever will give it to the partner system, and
/// kept only as its hash.
pub struct CreatedToken {
    pub token: String,
    pub label: String,
}

impl App {
    /// Add `user`, created at `now`. The command line only. A user linked to a worker
    /// is refused unless the organisation document in force today has the worker, in a
    /// role the user's fits (`hearth_domain::caseload::role_fits`).
    pub async fn add_user(
        &self,
        caller: &Caller,
        now: Timestamp,
        user: NewUser,
    ) -> Result<(), AppError> {
        self.check_command_line(caller, now, ACCOUNTS).await?;
        if let Some(id) = &user.worker {
            let authority = self.authority(crate::today(now)).await?;
            let worker = authority
                .organisation
                .as_ref()
                .and_then(|o| o.worker(id))
                .ok_or_else(|| AppError::Workforce(WorkforceError::NoWorker(id.clone())))?;
            if !role_fits(user.role, worker.role) {
                return Err(AppError::Workforce(WorkforceError::RoleMismatch {
                    worker: id.clone(),
                    worker_role: worker_role_name(worker.role),
                    role: user.role.to_string(),
                }));
            }
        }
        let target = account(&user.name);
        let linked = user
            .worker
            .as_ref()
            .map(|w| format!(", worker {w}"))
            .unwrap_or_default();
        let action = format!("user added as {}{linked}: {}", user.role, caller.purpose);
        self.store()
            .add_user(&User {
                name: user.name,
                role: user.role,
                password_hash: user.password_hash,
                created_at: now,
                worker: user.worker,
            })
            .await?;
        self.store()
            .log_access_to(now, caller.actor(), &target, &action)
            .await?;
        Ok(())
    }

    /// A new API token for `user`, who must exist. The command line only.
    pub async fn create_token(
        &self,
        caller: &Caller,
        now: Timestamp,
        user: &UserName,
    ) -> Result<CreatedToken, AppError> {
        self.check_command_line(caller, now, ACCOUNTS).await?;
        let new = new_token(user, now);
        self.store().add_token(&new.stored).await?;
        let action = format!("token {} created: {}", new.stored.label, caller.purpose);
        self.store()
            .log_access_to(now, caller.actor(), &account(user), &action)
            .await?;
        Ok(CreatedToken {
            token: new.token,
            label: new.stored.label,
        })
    }

    /// Revoke the live token labelled `label`; false if there is none. The command
    /// line only.
    pub async fn revoke_token(
        &self,
        caller: &Caller,
        now: Timestamp,
        label: &str,
    ) -> Result<bool, AppError> {
        self.check_command_line(caller, now, ACCOUNTS).await?;
        let revoked = self.store().revoke_token(label, now).await?;
        if revoked {
            let action = format!("token revoked: {}", caller.purpose);
            self.store()
                .log_access_to(now, caller.actor(), &format!("token:{label}"), &action)
                .await?;
        }
        Ok(revoked)
    }
}

/// What a refused account change is logged against.
const ACCOUNTS: &str = "accounts";

/// The access log's target for `user`'s account.
fn account(user: &UserName) -> String {
    format!("user:{user}")
}

/// A worker's role as the organisation document writes it ("social_worker").
fn worker_role_name(role: WorkerRole) -> String {
    serde_json::to_value(role)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}
