//! Security headers, set in one place for every response (pages, API, static files and
//! errors alike), after kanidm's `security_headers` middleware.

use axum::extract::Request;
use axum::http::{HeaderMap, HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

/// Scripts, styles and images only from this server, and never inside a frame.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; frame-ancestors 'none'";

/// Sent only over HTTPS: a year, subdomains included.
pub const STRICT_TRANSPORT_SECURITY: &str = "max-age=31536000; includeSubDomains";

/// Whether the request reached us over HTTPS. Hearth does not terminate TLS itself: a
/// proxy in front of it does, and says so in `X-Forwarded-Proto`. A client that sends
/// the header without TLS only asks its own browser to insist on HTTPS, so it need not
/// be trusted.
fn over_https(headers: &HeaderMap) -> bool {
    headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|proto| proto.trim().eq_ignore_ascii_case("https"))
}

/// Adds the headers to the response. Pages carry personal data, so nothing is cached
/// unless the handler said otherwise (only the embedded styles and scripts do).
pub async fn headers(request: Request, next: Next) -> Response {
    let https = over_https(request.headers());
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    let fixed: [(HeaderName, &'static str); 3] = [
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
    ];
    for (name, value) in fixed {
        h.insert(name, HeaderValue::from_static(value));
    }
    if https {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(STRICT_TRANSPORT_SECURITY),
        );
    }
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}
