//! Restricting a child's record to the users named (an adoption, a staff member's
//! relative), or lifting the restriction. The command line only; every change is
//! written to the child's access log.

use crate::{App, AppError, Caller};
use hearth_domain::access::UserName;
use hearth_domain::ids::{ChildId, Subject};
use jiff::Timestamp;

impl App {
    /// Make `child`'s record visible only to `users`, or, when `users` is empty, to
    /// every role that may read records again. Refused, changing nothing, when there is
    /// no such child. Returns the action as the access log records it ("restricted to
    /// …" or "restriction lifted").
    pub async fn restrict(
        &self,
        caller: &Caller,
        now: Timestamp,
        child: &ChildId,
        users: &[UserName],
    ) -> Result<String, AppError> {
        let subject = Subject::Child(child.clone()).to_string();
        self.check_command_line(caller, now, &subject).await?;
        if self.store().child(child).await?.is_none() {
            return Err(AppError::NoChild);
        }
        self.store().restrict(child, users).await?;
        let action = if users.is_empty() {
            String::from("restriction lifted")
        } else {
            let names: Vec<&str> = users.iter().map(UserName::as_str).collect();
            format!("restricted to {}", names.join(", "))
        };
        self.store()
            .log_access_to(now, caller.actor(), &subject, &action)
            .await?;
        Ok(action)
    }
}
