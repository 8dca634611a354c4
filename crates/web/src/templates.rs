//! The page templates, compiled into the binary. Auto-escaping is on for every `.html`
//! template, so a name or search term can never become markup.

use crate::error::TemplateFailure;
use crate::session::Account;
use minijinja::syntax::SyntaxConfig;
use minijinja::value::{Serde, Value};
use minijinja::{AutoEscape, Environment, UndefinedBehavior};
use serde::Serialize;
use std::sync::OnceLock;

const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../templates/base.html")),
    ("children.html", include_str!("../templates/children.html")),
    ("child.html", include_str!("../templates/child.html")),
    ("due.html", include_str!("../templates/due.html")),
    ("error.html", include_str!("../templates/error.html")),
    ("sign_in.html", include_str!("../templates/sign_in.html")),
    ("account.html", include_str!("../templates/account.html")),
    (
        "access_log.html",
        include_str!("../templates/access_log.html"),
    ),
];

/// The stylesheet served at `/static/app.css`.
pub const APP_CSS: &str = include_str!("../static/app.css");

fn build() -> Result<Environment<'static>, minijinja::Error> {
    let mut env = Environment::new();
    env.set_auto_escape_callback(|name| {
        if name.ends_with(".html") {
            AutoEscape::Html
        } else {
            AutoEscape::None
        }
    });
    // Block tags sit on their own lines in the templates without leaving blank lines.
    env.set_syntax(
        SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .build()?,
    );
    // A misspelt variable is an error in tests, not a silently blank field on a page.
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    // Debug info would put the page's values (personal data) into error messages.
    env.set_debug(false);
    for (name, source) in TEMPLATES {
        env.add_template(name, source)?;
    }
    Ok(env)
}

fn environment() -> Result<&'static Environment<'static>, TemplateFailure> {
    static ENV: OnceLock<Result<Environment<'static>, TemplateFailure>> = OnceLock::new();
    match ENV.get_or_init(|| build().map_err(TemplateFailure::from)) {
        Ok(env) => Ok(env),
        Err(e) => Err(TemplateFailure {
            kind: e.kind,
            name: e.name.clone(),
            line: e.line,
        }),
    }
}

/// Render template `name` with `context`.
pub fn render<T: Serialize>(name: &str, context: &T) -> Result<String, TemplateFailure> {
    let env = environment()?;
    let template = env.get_template(name)?;
    Ok(template.render(Value::from(Serde(context)))?)
}

/// Render page `name` for a signed-in user: `context`, plus `account` for the header
/// (their name, the sign-out form's token, which parts of Hearth to offer).
pub fn render_for<T: Serialize>(
    name: &str,
    account: &Account,
    context: &T,
) -> Result<String, TemplateFailure> {
    let env = environment()?;
    let template = env.get_template(name)?;
    let context = minijinja::context! {
        account => Value::from(Serde(account)),
        ..Value::from(Serde(context))
    };
    Ok(template.render(context)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_compiles() {
        let env = build().unwrap();
        for (name, _) in TEMPLATES {
            env.get_template(name).unwrap();
        }
    }

    #[test]
    fn html_is_escaped() {
        let page = render(
            "error.html",
            &serde_json::json!({ "message": "<script>alert(1)</script>", "status": 404 }),
        )
        .unwrap();
        assert!(!page.contains("<script>"), "{page}");
        assert!(page.contains("&lt;script&gt;"), "{page}");
    }
}
