//! Who is asking, and whether they may: sessions for people at a browser, bearer tokens
//! for partner systems, and the guard every protected route goes through.
//!
//! - The session cookie is built in one place ([`session_cookie`]): a 256-bit random id,
//!   `HttpOnly`, `Secure`, `SameSite=Lax`, for the whole site. The store keeps only the
//!   id's SHA-256, so a copy of the database cannot be used to take a session over.
//! - A session ends on sign-out, after [`IDLE_TIMEOUT`] without a request, or
//!   [`MAX_SESSION`] after sign-in, whichever comes first.
//! - Every route that shows or changes a record is wrapped by [`guard`] with the one
//!   [`Permission`] it needs (see `crate::routes::table`). A request nobody signed in to is
//!   sent to the sign-in page (a page) or refused with 401 (the API); a signed-in user
//!   whose role lacks the permission gets 403. Every refusal is written to the access
//!   log first.
//! - Requests that change something are checked here against cross-site forgery, for
//!   every route at once: the `Origin` (when the browser sends it) must be this site,
//!   and a request made with the session must carry the session's CSRF token (the
//!   `csrf` field of a page's form, or the `X-CSRF-Token` header). Bearer-token calls
//!   carry no cookie, so they need no token.
//! - A bearer token opens the API (under `/api/v1`) and nothing else: a page asked for
//!   with one is refused (403, logged).

use crate::AppState;
use crate::error::{error_page_for, problem};
use axum::body::Body;
use axum::extract::{FromRequestParts, MatchedPath, OriginalUri, RawPathParams, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use hearth_app::auth::token_hash;
use hearth_domain::access::{Permission, Role, UserName};
use hearth_domain::ids::{ChildId, Subject, WorkerId};
use hearth_store::{Session, Store};
use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

/// The cookie that carries the session id.
pub const SESSION_COOKIE: &str = "hearth_session";
/// A session with no request for this long is ended.
pub const IDLE_TIMEOUT: SignedDuration = SignedDuration::from_mins(30);
/// How often a session's last-seen time is brought up to date.
const TOUCH_EVERY: SignedDuration = SignedDuration::from_secs(60);
/// No session lasts longer than a working day.
pub const MAX_SESSION: SignedDuration = SignedDuration::from_hours(12);
/// The header an API call made with the session carries its CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// The form field a page's form carries it in.
pub const CSRF_FIELD: &str = "csrf";

/// Who is making a request, once [`guard`] (or sign-in) has found out.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user: UserName,
    pub role: Role,
    /// The worker the user is linked to (a practitioner's caseload is theirs).
    pub worker: Option<WorkerId>,
    /// The session, for a person at a browser; none for a bearer token.
    pub session: Option<LiveSession>,
    /// The route asked for, as the access log names it: "GET /children/{id}".
    pub route: String,
}

/// The parts of a live session a page needs: its id's hash (to end it) and the token
/// its forms carry.
#[derive(Debug, Clone)]
pub struct LiveSession {
    pub id_hash: String,
    pub csrf_token: String,
}

impl Caller {
    /// The name the access log and the journal record for this caller.
    pub fn actor(&self) -> &str {
        self.user.as_str()
    }

    /// The caller as the use cases know them, doing `action` through this route: the
    /// access log says e.g. "view chronology: GET /children/{id}".
    pub fn doing(&self, action: &str) -> hearth_app::Caller {
        hearth_app::Caller::user(
            self.user.clone(),
            self.role,
            format!("{action}: {}", self.route),
        )
        .as_worker(self.worker.clone())
    }
}

/// Whether `session` may still be used at `now`.
pub fn is_live(session: &Session, now: Timestamp) -> bool {
    session.ended_at.is_none()
        && now.duration_since(session.last_seen_at) < IDLE_TIMEOUT
        && now.duration_since(session.started_at) < MAX_SESSION
}

/// A new session for a user: made by the sign-in use case, and by tests that start one.
pub use hearth_app::new_session;

/// The `Set-Cookie` value that gives the browser session `id`, or (with `None`) that
/// removes it. Every session cookie Hearth sends is made here.
pub fn session_cookie(id: Option<&str>) -> HeaderValue {
    let attributes = "Path=/; HttpOnly; Secure; SameSite=Lax";
    let text = match id {
        Some(id) => format!("{SESSION_COOKIE}={id}; {attributes}"),
        None => format!("{SESSION_COOKIE}=; {attributes}; Max-Age=0"),
    };
    // Hex digits and fixed ASCII only, so the value is always a valid header.
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// The session id the browser sent, if any.
fn cookie_session_id(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value)
        .filter(|v| !v.is_empty())
}

/// The bearer token sent, if any.
fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
}

/// Why a request has no caller.
pub(crate) enum Unknown {
    /// Nothing that identifies anyone, or a session id Hearth never gave.
    NotSignedIn,
    /// A session that has ended (signed out, idle or too old): whose it was, for the
    /// access log.
    Ended(UserName),
    /// A bearer token that is not (or no longer) valid.
    BadToken,
}

/// Who sent `headers`: a bearer token is tried first, then the session cookie. A
/// session found idle or too old is ended on the way.
pub(crate) async fn identify(
    store: &dyn Store,
    headers: &HeaderMap,
    now: Timestamp,
) -> Result<Result<Caller, Unknown>, hearth_store::StoreError> {
    if let Some(token) = bearer_token(headers) {
        return Ok(match store.token_user(&token_hash(token)).await? {
            Some(user) => Ok(Caller {
                user: user.name,
                role: user.role,
                worker: user.worker,
                session: None,
                route: String::new(),
            }),
            None => Err(Unknown::BadToken),
        });
    }
    let Some(id) = cookie_session_id(headers) else {
        return Ok(Err(Unknown::NotSignedIn));
    };
    let id_hash = token_hash(id);
    let Some((session, user)) = store.session(&id_hash).await? else {
        return Ok(Err(Unknown::NotSignedIn));
    };
    if !is_live(&session, now) {
        if session.ended_at.is_none() {
            store.end_session(&id_hash, now).await?;
        }
        return Ok(Err(Unknown::Ended(user.name)));
    }
    // Noting the time on every request would make every page view a write; once a
    // minute is close enough for a 30-minute timeout.
    if now.duration_since(session.last_seen_at) >= TOUCH_EVERY {
        store.touch_session(&id_hash, now).await?;
    }
    Ok(Ok(Caller {
        user: user.name,
        role: user.role,
        worker: user.worker,
        session: Some(LiveSession {
            id_hash,
            csrf_token: session.csrf_token,
        }),
        route: String::new(),
    }))
}

/// The route as the access log names it: "GET /children/{id}".
fn route(parts: &Parts) -> String {
    let path = parts.extensions.get::<MatchedPath>().map_or_else(
        || original_uri(parts).path().to_owned(),
        |m| m.as_str().to_owned(),
    );
    format!("{} {path}", parts.method)
}

/// What a refused request was for: the child its path names, or else the route.
async fn target(parts: &mut Parts, route: &str) -> String {
    let child = match RawPathParams::from_request_parts(parts, &()).await {
        Ok(params) => params
            .iter()
            .find(|(name, _)| *name == "id")
            .and_then(|(_, value)| ChildId::parse(value).ok()),
        Err(_) => None,
    };
    match child {
        Some(id) => Subject::Child(id).to_string(),
        None => route.to_owned(),
    }
}

/// The URI as the client sent it: inside the nested API router, `parts.uri` has lost
/// its `/api/v1` prefix.
fn original_uri(parts: &Parts) -> &axum::http::Uri {
    parts
        .extensions
        .get::<OriginalUri>()
        .map_or(&parts.uri, |OriginalUri(uri)| uri)
}

fn is_api(parts: &Parts) -> bool {
    original_uri(parts).path().starts_with("/api/")
}

/// Whether a request that changes something came from this site. Browsers say where a
/// request came from in `Sec-Fetch-Site` and `Origin`; a client that sends neither (a
/// partner system, curl) is let through, since forgery needs a browser.
/// - `Sec-Fetch-Site`, when sent, must be `same-origin` (or `none`: typed by the user).
/// - `Origin`, when sent, must be one of Hearth's public origins (configured, never the
///   request's own `Host`). Under the pages' `Referrer-Policy: no-referrer`, browsers
///   send `Origin: null` for their own forms, which is accepted only when
///   `Sec-Fetch-Site` vouches for it.
pub(crate) fn same_origin(headers: &HeaderMap, origins: &crate::PublicOrigins) -> bool {
    let text = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    let site = text("sec-fetch-site");
    if site.is_some_and(|s| s != "same-origin" && s != "none") {
        return false;
    }
    match text("origin") {
        None => true,
        Some("null") => site == Some("same-origin"),
        Some(origin) => origins.allows(origin),
    }
}

/// Whether a request with `method` changes something, and so must prove it is not
/// forged.
fn changes_something(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// The answer to a request nobody is signed in to.
fn not_signed_in(parts: &Parts, unknown: Unknown) -> Response {
    if is_api(parts) {
        let detail = match unknown {
            Unknown::NotSignedIn | Unknown::Ended(_) => {
                "Sign in, or send a bearer token in the Authorization header."
            }
            Unknown::BadToken => "The bearer token is not valid; it may have been revoked.",
        };
        let mut response = problem(StatusCode::UNAUTHORIZED, detail);
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        return response;
    }
    let next = original_uri(parts)
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_owned();
    let query = serde_urlencoded::to_string([("next", next)]).unwrap_or_default();
    Redirect::to(&format!("/sign-in?{query}")).into_response()
}

/// The answer to a signed-in user who may not do what they asked.
fn forbidden(parts: &Parts, caller: &Caller, detail: &str) -> Response {
    if is_api(parts) {
        problem(StatusCode::FORBIDDEN, detail)
    } else {
        error_page_for(StatusCode::FORBIDDEN, detail, Some(&Account::of(caller)))
    }
}

/// The answer when the store fails inside the guard: a page, or a problem for the API,
/// as the handlers' own failures are.
fn failed(parts: &Parts, e: hearth_store::StoreError) -> Response {
    let failure = crate::error::Failure::Internal(e.into());
    if is_api(parts) {
        crate::error::ApiError(failure).into_response()
    } else {
        crate::error::PageError(failure).into_response()
    }
}

/// The access-log action for a refusal of `route`.
fn refused(route: &str, why: &str) -> String {
    format!("refused ({why}): {route}")
}

/// Middleware for a route that needs `need` (none: any signed-in user): finds the caller, checks the permission
/// and the request's origin and CSRF token, logs any refusal, and hands the [`Caller`]
/// to the handler as a request extension.
pub(crate) async fn guard(
    State((app, need)): State<(AppState, Option<Permission>)>,
    request: Request,
    next: Next,
) -> Response {
    let (mut parts, body) = request.into_parts();
    let now = (app.clock)();
    let route = route(&parts);
    let target = target(&mut parts, &route).await;
    let caller = match identify(app.cases.store(), &parts.headers, now).await {
        Ok(Ok(caller)) => Caller {
            route: route.clone(),
            ..caller
        },
        Ok(Err(unknown)) => {
            // An ended session still says whose it was.
            let (actor, why) = match &unknown {
                Unknown::Ended(user) => (user.as_str(), "session ended"),
                _ => (crate::ANONYMOUS, "not signed in"),
            };
            let log = app
                .cases
                .store()
                .log_access_to(now, actor, &target, &refused(&route, why))
                .await;
            if let Err(e) = log {
                return failed(&parts, e);
            }
            return not_signed_in(&parts, unknown);
        }
        Err(e) => return failed(&parts, e),
    };
    let mut body = body;
    // Bearer tokens are for partner systems calling the API; a page opened with one
    // would carry a record to wherever the token was copied.
    let refusal = if caller.session.is_none() && !is_api(&parts) {
        Some((
            "bearer token outside the API",
            String::from(
                "A bearer token opens only the API (under /api/v1); sign in to use the pages.",
            ),
        ))
    } else if need.is_some_and(|p| !caller.role.may(p)) {
        Some((
            "role",
            format!(
                "Your role ({}) does not give access to this.",
                caller.role.name()
            ),
        ))
    } else if changes_something(&parts.method) && !same_origin(&parts.headers, &app.origins) {
        Some((
            "origin",
            String::from("This request did not come from Hearth's own pages."),
        ))
    } else if let (true, Some(session)) = (changes_something(&parts.method), &caller.session) {
        // A change made with the session must prove it came from one of our pages: the
        // session's token in the header (scripts, the API) or in the form (pages).
        let (proved, read) = carries_csrf(&parts.headers, body, &session.csrf_token).await;
        body = read;
        (!proved).then(|| {
            (
                "csrf",
                if is_api(&parts) {
                    format!(
                        "A request made with your session must carry its {CSRF_HEADER} header."
                    )
                } else {
                    String::from(
                        "The form was out of date or incomplete; go back, reload the page and try again.",
                    )
                },
            )
        })
    } else {
        None
    };
    if let Some((why, detail)) = refusal {
        if let Err(e) = app
            .cases
            .store()
            .log_access_to(now, caller.actor(), &target, &refused(&route, why))
            .await
        {
            return failed(&parts, e);
        }
        return forbidden(&parts, &caller, &detail);
    }
    parts.extensions.insert(caller);
    next.run(Request::from_parts(parts, body)).await
}

/// The most of a form body read to find its CSRF token; Hearth's forms are far smaller.
const MAX_FORM_BYTES: usize = 64 * 1024;

/// Whether a request carries the session's CSRF token, in the `X-CSRF-Token` header or
/// as the `csrf` field of a form; and the body, put back for the handler to read.
async fn carries_csrf(headers: &HeaderMap, body: Body, expected: &str) -> (bool, Body) {
    if csrf_matches(headers, expected) {
        return (true, body);
    }
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return (false, body);
    }
    let Ok(bytes) = axum::body::to_bytes(body, MAX_FORM_BYTES).await else {
        return (false, Body::empty());
    };
    let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes).unwrap_or_default();
    let proved = fields
        .iter()
        .any(|(name, value)| name == CSRF_FIELD && tokens_equal(value, expected));
    (proved, Body::from(bytes))
}

fn csrf_matches(headers: &HeaderMap, expected: &str) -> bool {
    headers
        .get(CSRF_HEADER)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|given| tokens_equal(given, expected))
}

/// Compare two tokens in time that does not depend on where they first differ.
pub(crate) fn tokens_equal(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |diff, (x, y)| diff | (x ^ y))
            == 0
}

/// What every page's header needs to know of the signed-in user: their name and role,
/// the CSRF token for the sign-out form, and which parts of Hearth to offer them.
#[derive(Debug, Serialize)]
pub struct Account {
    pub name: String,
    pub role: &'static str,
    pub csrf: String,
    pub may_search: bool,
    pub may_read: bool,
    pub may_view_due: bool,
    pub may_view_team: bool,
    pub may_view_figures: bool,
    pub may_audit: bool,
    pub may_screen: bool,
    pub may_view_own_contacts: bool,
}

impl Account {
    pub fn of(caller: &Caller) -> Account {
        Account {
            name: caller.user.to_string(),
            role: caller.role.name(),
            csrf: caller
                .session
                .as_ref()
                .map(|s| s.csrf_token.clone())
                .unwrap_or_default(),
            may_search: caller.role.may(Permission::SearchChildren),
            may_read: caller.role.may(Permission::ReadRecord),
            may_view_due: caller.role.may(Permission::ViewDueList),
            may_view_team: caller.role.may(Permission::ViewTeamCaseloads),
            may_view_figures: caller.role.may(Permission::ViewFigures),
            may_audit: caller.role.may(Permission::ReadAccessLog),
            may_screen: caller.role.may(Permission::ScreenContacts),
            may_view_own_contacts: caller.role.may(Permission::ViewOwnContacts),
        }
    }
}

/// Where a user of `role` starts: a team manager at their team, any other practitioner
/// at their own work, else the children if they may search them (an auditor), else the
/// due list's counts, else (a partner) the contacts they made, else their account page.
pub fn landing_page(role: Role) -> &'static str {
    if role.may(Permission::ViewTeamCaseloads) {
        "/my-team"
    } else if role.may(Permission::ViewDueList) {
        "/my-work"
    } else if role.may(Permission::SearchChildren) {
        "/"
    } else if role.may(Permission::ViewFigures) {
        "/due/counts"
    } else if role.may(Permission::ViewOwnContacts) {
        "/partner/contacts"
    } else {
        "/account"
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn at(t: &str) -> Timestamp {
        t.parse().unwrap()
    }

    fn session(started: &str, seen: &str) -> Session {
        Session {
            id_hash: String::new(),
            user: UserName::parse("sam").unwrap(),
            csrf_token: String::new(),
            started_at: at(started),
            last_seen_at: at(seen),
            ended_at: None,
        }
    }

    #[test]
    fn a_session_ends_after_30_idle_minutes_or_12_hours() {
        let s = session("2024-06-01T08:00:00Z", "2024-06-01T09:00:00Z");
        assert!(is_live(&s, at("2024-06-01T09:29:59Z")));
        assert!(!is_live(&s, at("2024-06-01T09:30:00Z")));
        let busy = session("2024-06-01T08:00:00Z", "2024-06-01T19:59:00Z");
        assert!(is_live(&busy, at("2024-06-01T19:59:59Z")));
        assert!(!is_live(&busy, at("2024-06-01T20:00:00Z")));
        let ended = Session {
            ended_at: Some(at("2024-06-01T09:00:01Z")),
            ..s
        };
        assert!(!is_live(&ended, at("2024-06-01T09:00:02Z")));
    }

    #[test]
    fn the_session_cookie_is_secure_http_only_and_same_site() {
        let set = session_cookie(Some("abc123"));
        assert_eq!(
            set.to_str().unwrap(),
            "hearth_session=abc123; Path=/; HttpOnly; Secure; SameSite=Lax"
        );
        let clear = session_cookie(None);
        assert_eq!(
            clear.to_str().unwrap(),
            "hearth_session=; Path=/; HttpOnly; Secure; SameSite=Lax; Max-Age=0"
        );
    }

    #[test]
    fn the_session_id_is_read_from_among_other_cookies() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("theme=dark; hearth_session=s3cr3t; other=1"),
        );
        assert_eq!(cookie_session_id(&h), Some("s3cr3t"));
        h.insert(header::COOKIE, HeaderValue::from_static("hearth_session="));
        assert_eq!(cookie_session_id(&h), None);
    }

    #[test]
    fn a_change_must_come_from_the_public_origin() {
        let headers = |pairs: &[(&'static str, &'static str)]| {
            let mut h = HeaderMap::new();
            for (k, v) in pairs {
                h.insert(*k, HeaderValue::from_static(v));
            }
            h
        };
        let public = crate::PublicOrigins::parse("https://Hearth.example:8443/").unwrap();
        let ok = |pairs| same_origin(&headers(pairs), &public);
        assert!(ok(&[("host", "hearth.example:8443")]));
        assert!(ok(&[("origin", "https://hearth.example:8443")]));
        // The Host header vouches for nothing.
        assert!(!ok(&[
            ("host", "evil.example"),
            ("origin", "https://evil.example")
        ]));
        assert!(!ok(&[("origin", "http://hearth.example:8443")]));
        assert!(!ok(&[("origin", "null")]));
        assert!(!ok(&[("sec-fetch-site", "cross-site")]));
        assert!(!ok(&[("sec-fetch-site", "same-site")]));
        // A browser's own form under no-referrer.
        assert!(ok(&[("origin", "null"), ("sec-fetch-site", "same-origin")]));
        let local = crate::PublicOrigins::local("0.0.0.0:8080".parse().unwrap());
        assert!(local.allows("http://localhost:8080"));
        assert!(local.allows("http://127.0.0.1:8080"));
        assert!(!local.allows("http://0.0.0.0:8080"));
        for bad in [
            "hearth.example",
            "ftp://x",
            "https://",
            "https://x/path",
            "https://a b",
        ] {
            assert!(crate::PublicOrigins::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn tokens_compare_equal_only_when_equal() {
        assert!(tokens_equal("abc", "abc"));
        assert!(!tokens_equal("abc", "abd"));
        assert!(!tokens_equal("abc", "abcd"));
        assert!(!tokens_equal("", "a"));
    }
}
