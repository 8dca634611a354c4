//! Hearth's web server: the HTML pages a worker uses and the JSON API partner systems
//! call, over the `Store` trait.
//!
//! What it must not do:
//! - hold a rule of the application: what is due, who may sign in, what may be recorded
//!   and who may read what are the use cases of `hearth-app`, which check the caller's
//!   permission and write the access log themselves; this crate speaks HTTP (routes,
//!   forms, templates, problem+json, OpenAPI, cookies and sessions) around them;
//! - read the clock: the time comes in as a [`Clock`], so tests pin it;
//! - put personal data in logs or error pages: failures are logged by kind, and users
//!   are told one plain sentence, never a cause or a stack trace;
//! - show any part of a child's record except through a use case of `hearth-app`, which
//!   logs it and hides restricted records from everyone not named on them;
//! - let anyone reach a record without signing in, or with a role that does not allow
//!   it: each route names who may call it in [`routes::table`], and `session::guard`
//!   checks it (and logs refusals) before the handler runs.

mod api;
mod assets;
mod caseload;
pub mod chronology;
mod error;
mod family;
mod front_door;
mod funnel;
mod merge;
mod network;
mod notes;
pub mod openapi;
mod pages;
mod record;
pub mod routes;
mod security;
pub mod session;
pub mod sign_in;
mod templates;

#[doc(hidden)]
pub use templates::render_component;

use axum::Router;
pub use error::{TemplateFailure, WebError};
use hearth_store::Store;
use routes::Access;
use std::net::SocketAddr;
use std::sync::Arc;

/// Where "now" comes from. The binary passes the real clock; tests pass a fixed one.
pub type Clock = Arc<dyn Fn() -> jiff::Timestamp + Send + Sync>;

/// The largest request body Hearth reads. An event, with the longest free text the
/// domain allows (`hearth_domain::limits`), is a few KiB; a sign-in form far less.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Who the access log names for a request nobody signed in to.
const ANONYMOUS: &str = "anonymous";

#[derive(Clone)]
pub(crate) struct AppState {
    /// The use cases; sessions are the store's, through `App::store`.
    pub cases: Arc<hearth_app::App>,
    pub clock: Clock,
    pub origins: PublicOrigins,
}

/// Where browsers find Hearth (`https://hearth.example.gov.uk`): a request that changes
/// something must come from one of these origins. They are configured, never taken
/// from the request, whose `Host` is whatever its sender wrote.
#[derive(Debug, Clone)]
pub struct PublicOrigins(Arc<[String]>);

#[derive(Debug, thiserror::Error)]
#[error(
    "the public origin must be http:// or https:// and a host, with an optional port and nothing after it (for example https://hearth.example.gov.uk)"
)]
pub struct BadOrigin;

impl PublicOrigins {
    /// The one origin Hearth is published at: a scheme and host, and a port if not the
    /// scheme's own.
    pub fn parse(url: &str) -> Result<PublicOrigins, BadOrigin> {
        let url = url.trim().trim_end_matches('/');
        let host = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"))
            .ok_or(BadOrigin)?;
        let plain = host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
        if host.is_empty() || !plain {
            return Err(BadOrigin);
        }
        Ok(PublicOrigins(Arc::new([url.to_ascii_lowercase()])))
    }

    /// The origins of a server on `addr` with no public origin set: the port on
    /// `localhost` and `127.0.0.1` (for a loopback or every-address `addr`), or on the
    /// address itself.
    pub fn local(addr: SocketAddr) -> PublicOrigins {
        let port = addr.port();
        let mut origins = vec![
            format!("http://localhost:{port}"),
            format!("http://127.0.0.1:{port}"),
        ];
        if !addr.ip().is_loopback() && !addr.ip().is_unspecified() {
            origins.push(format!("http://{addr}"));
        }
        PublicOrigins(origins.into())
    }

    /// Whether a request's `Origin` header names one of these.
    pub fn allows(&self, origin: &str) -> bool {
        self.0.iter().any(|o| o.eq_ignore_ascii_case(origin))
    }
}

/// The routes of [`routes::table`], each behind the guard its [`routes::Access`] calls
/// for, "not found" for anything else, and the security headers on every response.
pub fn router(store: Arc<dyn Store>, clock: Clock, origins: PublicOrigins) -> Router {
    let state = AppState {
        cases: Arc::new(hearth_app::App::new(store)),
        clock,
        origins,
    };
    let mut router = Router::new();
    for route in routes::table() {
        let handler = match route.access {
            Access::Public => route.handler,
            Access::SignedIn | Access::Needs(_) => {
                route
                    .handler
                    .route_layer(axum::middleware::from_fn_with_state(
                        (state.clone(), route.access.permission()),
                        session::guard,
                    ))
            }
        };
        router = router.route(route.path, handler);
    }
    router
        .fallback(pages::not_found)
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn(security::headers))
        .with_state(state)
}

/// Listen on `addr` and serve until ctrl-c, then finish the requests in flight. Without
/// `origins`, the address served is the public origin ([`PublicOrigins::local`]).
pub async fn serve(
    store: Arc<dyn Store>,
    addr: SocketAddr,
    clock: Clock,
    origins: Option<PublicOrigins>,
) -> Result<(), WebError> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| WebError::Bind { addr, source })?;
    let bound = listener
        .local_addr()
        .map_err(|source| WebError::Bind { addr, source })?;
    tracing::info!("listening on http://{bound}");
    let origins = origins.unwrap_or_else(|| PublicOrigins::local(bound));
    axum::serve(listener, router(store, clock, origins))
        .with_graceful_shutdown(ctrl_c())
        .await
        .map_err(WebError::Serve)
}

async fn ctrl_c() {
    if tokio::signal::ctrl_c().await.is_err() {
        // Without a signal handler the server can still be stopped by its process
        // manager; keep serving rather than stop at once.
        tracing::warn!("could not listen for ctrl-c; stop the server another way");
        std::future::pending::<()>().await;
    }
    tracing::info!("shutting down");
}
