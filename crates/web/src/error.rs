//! Errors with two faces: what the person asking is told (one plain sentence, never a
//! cause, a stack trace or personal data), and what is logged for us (the kind of
//! failure and, where its message is known to carry no personal data, that message).

use crate::templates;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use hearth_store::StoreError;
use std::net::SocketAddr;

/// What the user is told when something failed on our side.
pub const INTERNAL_MESSAGE: &str = "Something went wrong; the error has been logged.";

/// What the user is told when there is no child with the ID they asked for.
pub const NO_CHILD: &str = "No child with that ID";
/// A worker or team the organisation document does not have.
pub const NO_WORKFORCE: &str = "No worker or team with that ID";

/// What the user is told when there is no contact with the ID they asked for, or one
/// they may not see (another partner's reads the same).
pub const NO_CONTACT: &str = "No contact with that ID";

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("the store failed: {0}")]
    Store(#[from] StoreError),
    #[error("a page could not be rendered: {0}")]
    Template(#[from] TemplateFailure),
    #[error("a response could not be written as JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// A due list that could not be drawn up for a reason of ours (its messages name ids
    /// and dates, never a person).
    #[error("the due list failed: {0}")]
    Due(hearth_app::due::DueError),
    /// A front-door step refused where no form can say so (its messages name fields,
    /// ids and kinds, never what a field held).
    #[error("a contact step was refused: {0}")]
    Contact(String),
    /// The front door's funnel met a journey it cannot read (its message names ids and
    /// kinds, never a person).
    #[error("the funnel failed: {0}")]
    Funnel(String),
    #[error("could not listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("the web server stopped: {0}")]
    Serve(std::io::Error),
}

/// A template failure reduced to where it happened: minijinja's own messages can quote
/// values from the page being rendered, which are personal data.
#[derive(Debug, thiserror::Error)]
#[error("{kind} in {name} at line {line}")]
pub struct TemplateFailure {
    pub kind: minijinja::ErrorKind,
    pub name: String,
    pub line: usize,
}

impl From<minijinja::Error> for TemplateFailure {
    fn from(e: minijinja::Error) -> Self {
        TemplateFailure {
            kind: e.kind(),
            name: e.name().unwrap_or("an unnamed template").to_owned(),
            line: e.line().unwrap_or(0),
        }
    }
}

impl From<hearth_app::due::DueError> for WebError {
    fn from(e: hearth_app::due::DueError) -> Self {
        match e {
            // A store failure is logged as one, by kind.
            hearth_app::due::DueError::Store(e) => WebError::Store(e),
            other => WebError::Due(other),
        }
    }
}

impl From<minijinja::Error> for WebError {
    fn from(e: minijinja::Error) -> Self {
        WebError::Template(e.into())
    }
}

impl WebError {
    /// A short name for the kind of failure, safe to log.
    pub fn kind(&self) -> &'static str {
        match self {
            WebError::Store(e) => match e {
                StoreError::Conflict { .. } => "store.conflict",
                StoreError::Invalid(_) => "store.invalid",
                StoreError::DuplicateEvent(_) => "store.duplicate_event",
                StoreError::MixedSubjects => "store.mixed_subjects",
                StoreError::UnexpectedSubject(_) => "store.unexpected_subject",
                StoreError::SubjectNamedTwice(_) => "store.subject_named_twice",
                StoreError::UserExists(_) => "store.user_exists",
                StoreError::NoSuchUser(_) => "store.no_such_user",
                StoreError::BadUrl(_) => "store.bad_url",
                StoreError::Corrupt(_) => "store.corrupt",
                StoreError::Database(_) => "store.database",
                StoreError::NotCommitted(_) => "store.not_committed",
                StoreError::Migrate(_) => "store.migrate",
                StoreError::Io(_) => "store.io",
            },
            WebError::Template(_) => "template",
            WebError::Json(_) => "json",
            WebError::Due(_) => "due",
            WebError::Contact(_) => "contact",
            WebError::Funnel(_) => "funnel",
            WebError::Bind { .. } => "bind",
            WebError::Serve(_) => "serve",
        }
    }

    /// The cause's message, where it is known to name no person. A corrupt record's
    /// message quotes the unreadable data and JSON errors can quote values, so those are
    /// logged by kind alone.
    fn loggable_detail(&self) -> Option<String> {
        match self {
            WebError::Store(
                StoreError::Corrupt(_)
                | StoreError::UserExists(_)
                | StoreError::NoSuchUser(_)
                | StoreError::NotCommitted(_),
            )
            | WebError::Json(_) => None,
            other => Some(other.to_string()),
        }
    }

    /// Log the cause; the caller then shows the plain message.
    pub(crate) fn log(&self) {
        match self.loggable_detail() {
            Some(detail) => tracing::error!(kind = self.kind(), %detail, "request failed"),
            None => tracing::error!(kind = self.kind(), "request failed"),
        }
    }
}

/// Why a request could not be answered.
#[derive(Debug)]
pub(crate) enum Failure {
    /// Nothing there. The message is shown as it is.
    NotFound(&'static str),
    /// The caller's role does not allow it (the use case has logged the refusal).
    /// The guard refuses such requests before any handler runs, so this is the use
    /// case's own check standing behind it.
    Forbidden,
    /// Our fault; logged, and the user is told only that it was logged.
    Internal(WebError),
}

/// What the user is told when their role does not allow what they asked.
const FORBIDDEN_MESSAGE: &str = "Your role does not give access to this.";

impl From<hearth_app::AppError> for Failure {
    fn from(e: hearth_app::AppError) -> Self {
        match e {
            hearth_app::AppError::Refused(_) | hearth_app::AppError::CommandLineOnly => {
                Failure::Forbidden
            }
            hearth_app::AppError::NoChild => Failure::NotFound(NO_CHILD),
            // Handlers that record answer this themselves (422); anywhere else it is a
            // refused write like any other the store refuses.
            hearth_app::AppError::NotRecordable(e) => {
                Failure::Internal(StoreError::Invalid(e).into())
            }
            hearth_app::AppError::Due(e) => Failure::Internal(e.into()),
            hearth_app::AppError::Workforce(_) => Failure::NotFound(NO_WORKFORCE),
            hearth_app::AppError::Store(e) => Failure::Internal(e.into()),
        }
    }
}

impl From<hearth_app::ContactError> for Failure {
    fn from(e: hearth_app::ContactError) -> Self {
        match e {
            hearth_app::ContactError::App(e) => e.into(),
            hearth_app::ContactError::NoContact => Failure::NotFound(NO_CONTACT),
            hearth_app::ContactError::NotAllowed(e) => {
                Failure::Internal(StoreError::Invalid(e).into())
            }
            other => Failure::Internal(WebError::Contact(other.to_string())),
        }
    }
}

impl<E: Into<WebError>> From<E> for Failure {
    fn from(e: E) -> Self {
        Failure::Internal(e.into())
    }
}

/// A failure answered with an HTML page.
#[derive(Debug)]
pub(crate) struct PageError(pub Failure);

impl<E: Into<Failure>> From<E> for PageError {
    fn from(e: E) -> Self {
        PageError(e.into())
    }
}

/// A failure answered with `application/problem+json` (RFC 9457).
#[derive(Debug)]
pub(crate) struct ApiError(pub Failure);

impl<E: Into<Failure>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        PageError(Failure::Internal(self)).into_response()
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let (status, message) = match self.0 {
            Failure::NotFound(message) => (StatusCode::NOT_FOUND, message),
            Failure::Forbidden => (StatusCode::FORBIDDEN, FORBIDDEN_MESSAGE),
            Failure::Internal(e) => {
                e.log();
                (StatusCode::INTERNAL_SERVER_ERROR, INTERNAL_MESSAGE)
            }
        };
        error_page(status, message)
    }
}

/// The error page for `status`, saying `message`.
pub(crate) fn error_page(status: StatusCode, message: &str) -> Response {
    error_page_for(status, message, None)
}

/// The error page for `status`, saying `message`, with the signed-in user's header
/// when there is one (so they can go elsewhere, or sign out).
pub(crate) fn error_page_for(
    status: StatusCode,
    message: &str,
    account: Option<&crate::session::Account>,
) -> Response {
    let message = printable(message);
    let context = serde_json::json!({ "message": message, "status": status.as_u16() });
    let rendered = match account {
        Some(account) => templates::render_for("error.html", account, &context),
        None => templates::render("error.html", &context),
    };
    let body = rendered.unwrap_or_else(|e| {
        // The error page itself failed: log why, and fall back to a page with no
        // template at all so the user still gets a plain answer.
        WebError::from(e).log();
        format!(
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
             <title>Hearth</title></head><body><h1>{message}</h1></body></html>"
        )
    });
    (status, Html(body)).into_response()
}

/// `text` with each control character (a terminal escape, a bell, a NUL) shown as U+FFFD:
/// an answer may quote what was sent, and must never carry them back.
pub(crate) fn printable(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { '\u{FFFD}' } else { c })
        .collect()
}

/// An API error's body (RFC 9457).
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub(crate) struct Problem {
    /// Always `about:blank`: the status says what kind of problem it is.
    #[serde(rename = "type")]
    kind: &'static str,
    /// The status's reason phrase.
    title: &'static str,
    /// The HTTP status code.
    status: u16,
    /// What went wrong, in one plain sentence.
    detail: String,
}

/// The problem document for `status`, with `detail` in one plain sentence.
pub(crate) fn problem(status: StatusCode, detail: &str) -> Response {
    let body = Problem {
        kind: "about:blank",
        title: status.canonical_reason().unwrap_or("Error"),
        status: status.as_u16(),
        detail: printable(detail),
    };
    // Cannot fail (strings and a number), but if it did the status alone would still
    // answer.
    let Ok(body) = serde_json::to_string(&body) else {
        return status.into_response();
    };
    let mut response = (status, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    response
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self.0 {
            Failure::NotFound(message) => problem(StatusCode::NOT_FOUND, &format!("{message}.")),
            Failure::Forbidden => problem(StatusCode::FORBIDDEN, FORBIDDEN_MESSAGE),
            Failure::Internal(e) => {
                e.log();
                problem(StatusCode::INTERNAL_SERVER_ERROR, INTERNAL_MESSAGE)
            }
        }
    }
}
