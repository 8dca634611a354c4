//! The page templates, compiled into the binary. Auto-escaping is on for every `.html`
//! template, so a name or search term can never become markup.

use crate::error::TemplateFailure;
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
    (
        "macros/govuk.html",
        include_str!("../templates/macros/govuk.html"),
    ),
    (
        "macros/moj.html",
        include_str!("../templates/macros/moj.html"),
    ),
];

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
    // The component macros take GOV.UK Frontend's options, most of them optional and
    // nested (`params.label.text` with no `label`), as Nunjucks allows: a missing one
    // must read as empty, not fail the page. The page tests check each page's values.
    env.set_undefined_behavior(UndefinedBehavior::Chainable);
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

/// Renders one component macro, `name` from the macro file `file` (`"govuk"` or
/// `"moj"`), with `params` as its options: what the macro tests compare with the
/// component's fixtures. Only plain identifiers are accepted as names. Unlike the
/// pages, this returns minijinja's whole error, for the tests to show.
#[doc(hidden)]
pub fn render_component(
    file: &str,
    name: &str,
    params: &serde_json::Value,
) -> Result<String, minijinja::Error> {
    let plain = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric());
    if !plain(file) || !plain(name) {
        return Err(minijinja::Error::new(
            minijinja::ErrorKind::UnknownFunction,
            "no such component",
        ));
    }
    let env = build()?;
    let source =
        format!("{{% from \"macros/{file}.html\" import {name} %}}{{{{ {name}(params) }}}}");
    let template = env.template_from_named_str("component.html", &source)?;
    template.render(minijinja::context! { params => Value::from(Serde(params)) })
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
    fn a_page_can_fill_the_account_area_of_the_header() {
        let env = build().unwrap();
        let page = env
            .template_from_named_str(
                "signed_in.html",
                "{% extends \"base.html\" %}{% block account %}Signed in as Sam{% endblock %}",
            )
            .unwrap()
            .render(minijinja::context! {})
            .unwrap();
        let header = &page[page.find("<header").unwrap()..page.find("</header>").unwrap()];
        assert!(
            header.contains(r#"<div class="hearth-header__account">Signed in as Sam</div>"#),
            "{header}"
        );
        // Without it, the area is left out.
        let plain = render(
            "error.html",
            &serde_json::json!({ "message": "Gone", "status": 404 }),
        )
        .unwrap();
        assert!(!plain.contains("hearth-header__account"), "{plain}");
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
