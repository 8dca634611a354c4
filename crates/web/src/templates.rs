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
    ("notes.html", include_str!("../templates/notes.html")),
    ("due.html", include_str!("../templates/due.html")),
    ("my_work.html", include_str!("../templates/my_work.html")),
    ("team.html", include_str!("../templates/team.html")),
    ("family.html", include_str!("../templates/family.html")),
    (
        "family_allocate.html",
        include_str!("../templates/family_allocate.html"),
    ),
    ("error.html", include_str!("../templates/error.html")),
    ("sign_in.html", include_str!("../templates/sign_in.html")),
    ("account.html", include_str!("../templates/account.html")),
    (
        "access_log.html",
        include_str!("../templates/access_log.html"),
    ),
    (
        "front_door/contact.html",
        include_str!("../templates/front_door/contact.html"),
    ),
    (
        "front_door/decision.html",
        include_str!("../templates/front_door/decision.html"),
    ),
    (
        "front_door/funnel.html",
        include_str!("../templates/front_door/funnel.html"),
    ),
    (
        "front_door/queue.html",
        include_str!("../templates/front_door/queue.html"),
    ),
    (
        "front_door/raise.html",
        include_str!("../templates/front_door/raise.html"),
    ),
    (
        "front_door/raise_check.html",
        include_str!("../templates/front_door/raise_check.html"),
    ),
    ("merge.html", include_str!("../templates/merge.html")),
    (
        "record/choose.html",
        include_str!("../templates/record/choose.html"),
    ),
    (
        "record/form.html",
        include_str!("../templates/record/form.html"),
    ),
    (
        "front_door/raise_sent.html",
        include_str!("../templates/front_door/raise_sent.html"),
    ),
    (
        "front_door/forms.html",
        include_str!("../templates/front_door/forms.html"),
    ),
    (
        "front_door/partner_list.html",
        include_str!("../templates/front_door/partner_list.html"),
    ),
    (
        "front_door/partner_contact.html",
        include_str!("../templates/front_door/partner_contact.html"),
    ),
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
    fn a_signed_in_page_names_the_user_offers_sign_out_and_only_what_the_role_opens() {
        let account = Account {
            name: String::from("sam.patel"),
            role: "auditor",
            csrf: String::from("tok123"),
            may_search: true,
            may_read: false,
            may_view_due: false,
            may_view_team: false,
            may_view_figures: false,
            may_audit: true,
            may_screen: false,
            may_view_own_contacts: false,
        };
        let page = render_for(
            "error.html",
            &account,
            &serde_json::json!({ "message": "Gone", "status": 404 }),
        )
        .unwrap();
        let header = &page[page.find("<header").unwrap()..page.find("</header>").unwrap()];
        assert!(header.contains("hearth-header__account"), "{header}");
        assert!(header.contains(">sam.patel</a>"), "{header}");
        assert!(
            header.contains(r#"<input type="hidden" name="csrf" value="tok123">"#),
            "{header}"
        );
        assert!(page.contains(r#"href="&#x2f;""#), "{page}");
        assert!(!page.contains("Due and overdue"), "{page}");
        // Without a user, no account area and no navigation.
        let plain = render(
            "error.html",
            &serde_json::json!({ "message": "Gone", "status": 404 }),
        )
        .unwrap();
        assert!(!plain.contains("hearth-header__account"), "{plain}");
        assert!(!plain.contains("govuk-service-navigation"), "{plain}");
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
