//! Signing in and out, and the account page: the forms and the cookie. The check of the
//! name and password, the lockout and the access log are the sign-in use case's
//! (`hearth_app::App::sign_in`): a wrong password, an unknown user name and a locked
//! account all get the same page, so it never tells anyone which user names exist.

use crate::AppState;
use crate::error::{PageError, error_page};
use crate::pages::FieldError;
use crate::session::{Account, Caller, identify, landing_page, same_origin, session_cookie};
use crate::templates;
use axum::Extension;
use axum::Form;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use hearth_app::{LOCK_AFTER, LOCKED_FOR, SignIn};
use serde::{Deserialize, Serialize};

/// What the sign-in page says when a name and password do not let someone in.
pub fn sign_in_failed() -> String {
    format!(
        "The user name or password is not right. After {LOCK_AFTER} wrong tries in a row an account is locked for {} minutes.",
        LOCKED_FOR.as_mins()
    )
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct SignInQuery {
    #[serde(default)]
    next: String,
    #[serde(default)]
    signed_out: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct SignInForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

#[derive(Debug, Serialize)]
struct SignInPage {
    name: String,
    next: String,
    signed_out: bool,
    errors: Vec<FieldError>,
    name_error: Option<String>,
    password_error: Option<String>,
}

impl SignInPage {
    fn new(name: String, next: String, signed_out: bool, errors: Vec<FieldError>) -> Self {
        let error = |field| {
            errors
                .iter()
                .find(|e| e.field == field)
                .map(|e| e.message.clone())
        };
        SignInPage {
            name_error: error("name"),
            password_error: error("password"),
            name,
            next,
            signed_out,
            errors,
        }
    }
}

/// Only a path on this site is followed after sign-in: never another site, so the
/// sign-in page cannot be used to send someone elsewhere.
/// Browsers drop tabs and newlines from a URL, so "/\t/evil.example" would become
/// "//evil.example": any control character or space is refused too.
fn safe_next(next: &str) -> Option<&str> {
    let local = next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.chars().any(|c| c.is_control() || c.is_whitespace());
    local.then_some(next)
}

fn sign_in_page(status: StatusCode, page: &SignInPage) -> Result<Response, PageError> {
    Ok((status, Html(templates::render("sign_in.html", page)?)).into_response())
}

/// `GET /sign-in`. Someone already signed in is sent on.
pub(crate) async fn show(
    State(app): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<SignInQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    let query = query.map(|Query(q)| q).unwrap_or_default();
    if let Ok(caller) = identify(app.cases.store(), &headers, (app.clock)()).await? {
        let to = safe_next(&query.next).unwrap_or(landing_page(caller.role));
        return Ok(Redirect::to(to).into_response());
    }
    sign_in_page(
        StatusCode::OK,
        &SignInPage::new(
            String::new(),
            safe_next(&query.next).unwrap_or("").to_owned(),
            query.signed_out.is_some(),
            Vec::new(),
        ),
    )
}

/// `POST /sign-in`: check the name and password; on success start a session, set its
/// cookie and go on to the page asked for (or the user's landing page).
pub(crate) async fn submit(
    State(app): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<SignInForm>, FormRejection>,
) -> Result<Response, PageError> {
    if !same_origin(&headers, &app.origins) {
        // Logged like every other refusal; nobody is signed in yet, and the name typed
        // is not written down (it may be anyone's, or a mistyped password).
        app.cases
            .store()
            .log_access_to(
                (app.clock)(),
                crate::ANONYMOUS,
                "session",
                "refused (origin): POST /sign-in",
            )
            .await?;
        return Ok(error_page(
            StatusCode::FORBIDDEN,
            "This request did not come from Hearth's own pages.",
        ));
    }
    let form = form.map(|Form(f)| f).unwrap_or_default();
    let next = safe_next(&form.next).unwrap_or("").to_owned();
    let typed = form.name.trim().to_owned();
    let mut errors = Vec::new();
    if typed.is_empty() {
        errors.push(FieldError {
            field: "name",
            message: String::from("Enter your user name"),
        });
    }
    if form.password.is_empty() {
        errors.push(FieldError {
            field: "password",
            message: String::from("Enter your password"),
        });
    }
    if !errors.is_empty() {
        let page = SignInPage::new(typed, next, false, errors);
        return sign_in_page(StatusCode::BAD_REQUEST, &page);
    }

    let now = (app.clock)();
    match app.cases.sign_in(now, &typed, form.password).await? {
        SignIn::SignedIn {
            role, session_id, ..
        } => {
            // A browser that signs in again leaves its earlier session behind: end it.
            if let Ok(earlier) = identify(app.cases.store(), &headers, now).await?
                && let Some(earlier) = earlier.session
            {
                app.cases.store().end_session(&earlier.id_hash, now).await?;
            }
            let to = if next.is_empty() {
                landing_page(role).to_owned()
            } else {
                next
            };
            let mut response = Redirect::to(&to).into_response();
            response
                .headers_mut()
                .insert(header::SET_COOKIE, session_cookie(Some(&session_id)));
            return Ok(response);
        }
        SignIn::Busy => {
            return Ok(error_page(
                StatusCode::SERVICE_UNAVAILABLE,
                "Hearth is busy signing other people in; try again in a moment.",
            ));
        }
        SignIn::Refused => {}
    }
    let failed = vec![FieldError {
        field: "name",
        message: sign_in_failed(),
    }];
    let page = SignInPage::new(typed, next, false, failed);
    sign_in_page(StatusCode::UNAUTHORIZED, &page)
}

/// `POST /sign-out`: end the session and clear the cookie. The guard has checked the
/// form's CSRF token (`crate::session::guard`).
pub(crate) async fn sign_out(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> Result<Response, PageError> {
    let Some(session) = caller.session.as_ref() else {
        return Ok(error_page(
            StatusCode::BAD_REQUEST,
            "Only a signed-in browser can sign out; revoke a token with `hearth token revoke`.",
        ));
    };
    let now = (app.clock)();
    app.cases.store().end_session(&session.id_hash, now).await?;
    app.cases
        .store()
        .log_access_to(now, caller.actor(), "session", "signed out")
        .await?;
    let mut response = Redirect::to("/sign-in?signed_out=1").into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, session_cookie(None));
    Ok(response)
}

#[derive(Debug, Serialize)]
struct AccountPage {}

/// `GET /account`: who is signed in, and what their role opens to them.
pub(crate) async fn account(Extension(caller): Extension<Caller>) -> Result<Response, PageError> {
    Ok(Html(templates::render_for(
        "account.html",
        &Account::of(&caller),
        &AccountPage {},
    )?)
    .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_path_on_this_site_is_followed_after_sign_in() {
        assert_eq!(safe_next("/children/C1?x=1"), Some("/children/C1?x=1"));
        assert_eq!(safe_next("/"), Some("/"));
        for bad in [
            "",
            "https://evil.example/",
            "//evil.example/",
            "/\\evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/ /evil.example",
            "due",
        ] {
            assert_eq!(safe_next(bad), None, "{bad}");
        }
    }
}
