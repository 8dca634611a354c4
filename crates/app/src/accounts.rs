//! Users and API tokens: adding a user with a hashed password, creating and revoking a
//! partner system's token. Only the command line manages accounts (an administrator
//! with the database); any other caller is refused, and the refusal logged.

use crate::auth::{AuthError, hash_password, new_token};
use crate::{App, AppError, Caller, Who};
use hearth_domain::access::{Role, UserName};
use hearth_store::User;
use jiff::Timestamp;

/// A user ready to add: the name, the role and the argon2id hash of the password,
/// never the password itself.
pub struct NewUser {
    name: UserName,
    role: Role,
    password_hash: String,
}

impl NewUser {
    /// Refuses a password too short to keep. Hashing is slow on purpose (argon2id):
    /// call it off the async threads where that matters.
    pub fn new(name: UserName, role: Role, password: &str) -> Result<NewUser, AuthError> {
        Ok(NewUser {
            password_hash: hash_password(password)?,
            name,
            role,
        })
    }
}

/// A token just made: shown once to whoever will give it to the partner system, and
/// kept only as its hash.
pub struct CreatedToken {
    pub token: String,
    pub label: String,
}

impl App {
    /// Add `user`, created at `now`. The command line only.
    pub async fn add_user(
        &self,
        caller: &Caller,
        now: Timestamp,
        user: NewUser,
    ) -> Result<(), AppError> {
        self.check_command_line(caller, now).await?;
        self.store()
            .add_user(&User {
                name: user.name,
                role: user.role,
                password_hash: user.password_hash,
                created_at: now,
            })
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
        self.check_command_line(caller, now).await?;
        let new = new_token(user, now);
        self.store().add_token(&new.stored).await?;
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
        self.check_command_line(caller, now).await?;
        Ok(self.store().revoke_token(label, now).await?)
    }

    /// Go on if the caller is the command line; otherwise log the refusal and refuse.
    async fn check_command_line(&self, caller: &Caller, now: Timestamp) -> Result<(), AppError> {
        if caller.who == Who::CommandLine {
            return Ok(());
        }
        self.store()
            .log_access_to(
                now,
                caller.actor(),
                "accounts",
                &format!("refused (command line only): {}", caller.purpose),
            )
            .await?;
        Err(AppError::CommandLineOnly)
    }
}
