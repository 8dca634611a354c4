//! The component macros (`templates/macros/*.html`) render the same HTML as GOV.UK
//! Frontend's Nunjucks macros: each is rendered with the options of the fixtures that
//! govuk-frontend ships (`dist/govuk/components/<name>/fixtures.json`, installed by
//! `scripts/assets.sh`) and compared with the fixture's HTML, element by element,
//! attribute by attribute (in any order) and text by text (whitespace collapsed).
//!
//! Each component lists the fixtures it is held to. A fixture left out uses an option
//! the macro does not support (named beside the list); a listed fixture that is missing
//! or renders differently fails the test. MoJ Frontend ships no fixtures, so its
//! macros are compared with HTML written out from MoJ's templates, below.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use serde_json::Value;
use std::path::PathBuf;

/// (component folder, macro, fixtures it must match).
const GOVUK: &[(&str, &str, &[&str])] = &[
    (
        "back-link",
        "govukBackLink",
        &[
            "default",
            "inverse",
            "classes",
            "html as text",
            "html",
            "with custom text and link",
            "attributes",
        ],
    ),
    (
        "breadcrumbs",
        "govukBreadcrumbs",
        &[
            "default",
            "with one level",
            "without the home section",
            "with last breadcrumb as current page",
            "with collapse on mobile",
            "inverse",
            "classes",
            "attributes",
            "item attributes",
            "html as text",
            "html",
            "custom label",
        ],
    ),
    (
        "button",
        "govukButton",
        &[
            "default",
            "disabled",
            "link",
            "start",
            "input",
            "secondary",
            "warning",
            "inverse",
            "attributes",
            "link attributes",
            "input attributes",
            "classes",
            "link classes",
            "input classes",
            "name",
            "type",
            "input type",
            "explicit link",
            "no href",
            "value",
            "html",
            "no type",
            "no data-prevent-double-click",
            "don't prevent double click",
            "id",
            "start link",
            "input disabled",
            "prevent double click",
        ],
    ),
    (
        "error-message",
        "govukErrorMessage",
        &[
            "default",
            "translated",
            "id",
            "classes",
            "html as text",
            "html",
            "attributes",
            "with visually hidden text",
            "visually hidden text removed",
        ],
    ),
    (
        "error-summary",
        "govukErrorSummary",
        &[
            "default",
            "without links",
            "mixed with and without links",
            "with description only",
            "with everything",
            "html as titleText",
            "title html",
            "description",
            "html as descriptionText",
            "description html",
            "classes",
            "attributes",
            "error list with attributes",
            "error list with html as text",
            "error list with html",
            "error list with html link",
            "error list with html as text link",
            "autofocus disabled",
            "autofocus explicitly enabled",
        ],
    ),
    // Left out (8): navigation columns and the rebrand's crown are not supported;
    // "with empty meta" passes `meta: {}`, which Nunjucks counts as given and minijinja
    // as empty.
    (
        "footer",
        "govukFooter",
        &[
            "default",
            "with custom HTML content licence and copyright notice",
            "with custom text content licence and copyright notice",
            "with no content licence",
            "with custom meta",
            "with only custom meta",
            "with meta links and meta content",
            "with only meta links",
            "attributes",
            "classes",
            "with container classes",
            "with HTML passed as text content",
            "with empty meta items",
            "with meta",
            "meta html as text",
            "with meta html",
            "with meta item attributes",
            "with empty navigation",
        ],
    ),
    // Every fixture, with GOV.UK's logo taken out of the expected HTML first (see
    // `expected_for`).
    (
        "header",
        "govukHeader",
        &[
            "default",
            "with service name",
            "with service name but no service url",
            "with navigation",
            "with custom menu button text",
            "with service name and navigation",
            "with large navigation",
            "with product name",
            "full width",
            "full width with navigation",
            "with full width border",
            "navigation item with html",
            "navigation item with text without link",
            "with St. Edward's Crown",
            "attributes",
            "classes",
            "custom homepage url",
            "with custom navigation label",
            "navigation item with attributes",
            "navigation item with html as text",
            "navigation item with html without link",
            "with custom menu button label",
            "with custom navigation label and custom menu button text",
            "empty navigation array",
            "rebrand",
            "with service name and navigation and rebrand",
            "with product name and rebrand",
        ],
    ),
    (
        "hint",
        "govukHint",
        &[
            "default",
            "with html",
            "classes",
            "id",
            "html as text",
            "attributes",
        ],
    ),
    // Left out (14): prefixes, suffixes and the input wrapper are not supported.
    (
        "input",
        "govukInput",
        &[
            "default",
            "with hint text",
            "with error message",
            "with error and hint",
            "with width-2 class",
            "with width-3 class",
            "with width-4 class",
            "with width-5 class",
            "with width-10 class",
            "with width-20 class",
            "with width-30 class",
            "with label as page heading",
            "with extra letter spacing",
            "classes",
            "id",
            "custom type",
            "value",
            "zero value",
            "with describedBy",
            "attributes",
            "hint with describedBy",
            "error with describedBy",
            "with error, hint and describedBy",
            "inputmode",
            "with optional form-group classes",
            "with autocomplete attribute",
            "with pattern attribute",
            "with spellcheck enabled",
            "with spellcheck disabled",
            "with autocapitalize turned off",
            "disabled",
        ],
    ),
    (
        "label",
        "govukLabel",
        &[
            "default",
            "with bold text",
            "styled as xl text",
            "styled as large text",
            "styled as medium text",
            "styled as small text",
            "as page heading xl",
            "as page heading l",
            "as page heading m",
            "as page heading s",
            "as page heading without class",
            "empty",
            "classes",
            "html as text",
            "html",
            "for",
            "attributes",
        ],
    ),
    (
        "notification-banner",
        "govukNotificationBanner",
        &[
            "default",
            "with text as html",
            "with type as success",
            "with long heading",
            "with lots of content",
            "custom title",
            "title as html",
            "title html as text",
            "custom title heading level",
            "custom title id",
            "custom title id with type as success",
            "custom text",
            "html as text",
            "custom role",
            "classes",
            "attributes",
            "with invalid type",
            "auto-focus disabled, with type as success",
            "auto-focus explicitly enabled, with type as success",
            "role=alert overridden to role=region, with type as success",
            "custom tabindex",
        ],
    ),
    (
        "select",
        "govukSelect",
        &[
            "default",
            "with hint text and error message",
            "with label as page heading",
            "with full width override",
            "with describedBy",
            "attributes",
            "attributes on items",
            "with falsy items",
            "hint",
            "hint and describedBy",
            "error",
            "error and describedBy",
            "without values",
            "without values with selected value",
            "with falsy values",
            "item selected overrides value",
            "id",
            "with selected value",
            "with optional form-group classes",
        ],
    ),
    (
        "service-navigation",
        "govukServiceNavigation",
        &[
            "default",
            "with navigation with a current item",
            "with large navigation",
            "with HTML navigation items",
            "with non-link navigation items",
            "with service name",
            "with service link",
            "with long service name",
            "with service name and navigation",
            "inverse",
            "with collapseNavigationOnMobile set to false",
            "with a single navigation item",
            "with a single navigation item and collapseNavigationOnMobile set to true",
            "with no options set",
            "attributes",
            "classes",
            "with custom aria-label",
            "with custom navigation toggle text",
            "with custom navigation toggle label",
            "with identical navigation toggle text and label",
            "with custom navigation label",
            "with custom navigation toggle text and navigation label",
            "with custom navigation classes",
            "with custom navigation ID",
            "with navigation having empty values",
            "with navigation having only empty values",
            "with navigation being an empty array",
            "with navigation with an active item",
            "with slotted content",
            "rebrand",
        ],
    ),
    (
        "skip-link",
        "govukSkipLink",
        &[
            "default",
            "with focus",
            "no href",
            "custom href",
            "custom text",
            "html as text",
            "html",
            "classes",
            "attributes",
        ],
    ),
    // Left out (20): row actions and summary cards are not supported.
    (
        "summary-list",
        "govukSummaryList",
        &[
            "default",
            "no-border",
            "no-border on last row",
            "attributes",
            "with falsy values",
            "key with html",
            "key with classes",
            "value with html",
            "empty items array",
            "rows with classes",
        ],
    ),
    (
        "table",
        "govukTable",
        &[
            "default",
            "with head",
            "with head and caption",
            "classes",
            "attributes",
            "html as text",
            "html",
            "head with classes",
            "head with rowspan and colspan",
            "head with attributes",
            "with firstCellIsHeader true",
            "firstCellIsHeader with classes",
            "firstCellIsHeader with html",
            "firstCellIsHeader with html as text",
            "firstCellIsHeader with rowspan and colspan",
            "firstCellIsHeader with attributes",
            "with falsy items",
            "rows with classes",
            "rows with rowspan and colspan",
            "rows with attributes",
            "with small text modifier for tables with a lot of data",
        ],
    ),
    (
        "tag",
        "govukTag",
        &[
            "default",
            "grey",
            "light blue",
            "turquoise",
            "green",
            "purple",
            "pink",
            "red",
            "orange",
            "yellow",
            "attributes",
            "html as text",
            "html",
        ],
    ),
];

fn node_modules() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../frontend/node_modules");
    assert!(
        dir.join("govuk-frontend").is_dir(),
        "The front-end packages are not installed in frontend/node_modules: run scripts/assets.sh first."
    );
    dir
}

fn fixtures(component: &str) -> Vec<Value> {
    let path = node_modules()
        .join("govuk-frontend/dist/govuk/components")
        .join(component)
        .join("fixtures.json");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let doc: Value = serde_json::from_str(&text).unwrap();
    doc["fixtures"].as_array().unwrap().clone()
}

#[derive(Debug, Clone, PartialEq)]
enum Node {
    Open(String, Vec<(String, String)>),
    Close(String),
    Text(String),
}

fn decode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let Some(end) = rest.find(';').filter(|&e| e <= 10) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let entity = &rest[1..end];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some('\u{a0}'),
            _ => entity
                .strip_prefix("#x")
                .or_else(|| entity.strip_prefix("#X"))
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The HTML as a list of tags and texts: comments dropped, attributes sorted, entities
/// decoded, whitespace collapsed and whitespace-only text dropped.
fn normalise(html: &str) -> Vec<Node> {
    let mut nodes = Vec::new();
    let b = html.as_bytes();
    let mut i = 0;
    let mut text = String::new();
    let flush = |text: &mut String, nodes: &mut Vec<Node>| {
        let t = collapse(&decode(text));
        if !t.is_empty() {
            nodes.push(Node::Text(t));
        }
        text.clear();
    };
    while i < b.len() {
        if html[i..].starts_with("<!--") {
            flush(&mut text, &mut nodes);
            i = html[i..].find("-->").map_or(b.len(), |e| i + e + 3);
        } else if html[i..].starts_with("</") {
            flush(&mut text, &mut nodes);
            let end = html[i..].find('>').map_or(b.len(), |e| i + e);
            nodes.push(Node::Close(html[i + 2..end].trim().to_ascii_lowercase()));
            i = end + 1;
        } else if b[i] == b'<' && b.get(i + 1).is_some_and(u8::is_ascii_alphabetic) {
            flush(&mut text, &mut nodes);
            i += 1;
            let start = i;
            while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'>' && b[i] != b'/' {
                i += 1;
            }
            let name = html[start..i].to_ascii_lowercase();
            let mut attrs = Vec::new();
            let mut self_closing = false;
            loop {
                while i < b.len() && b[i].is_ascii_whitespace() {
                    i += 1;
                }
                if i >= b.len() {
                    break;
                }
                if b[i] == b'>' {
                    i += 1;
                    break;
                }
                if html[i..].starts_with("/>") {
                    self_closing = true;
                    i += 2;
                    break;
                }
                let start = i;
                while i < b.len()
                    && !b[i].is_ascii_whitespace()
                    && b[i] != b'='
                    && b[i] != b'>'
                    && !html[i..].starts_with("/>")
                {
                    i += 1;
                }
                let attr = html[start..i].to_ascii_lowercase();
                while i < b.len() && b[i].is_ascii_whitespace() {
                    i += 1;
                }
                let mut value = String::new();
                if i < b.len() && b[i] == b'=' {
                    i += 1;
                    while i < b.len() && b[i].is_ascii_whitespace() {
                        i += 1;
                    }
                    if i < b.len() && (b[i] == b'"' || b[i] == b'\'') {
                        let quote = b[i] as char;
                        let end = html[i + 1..].find(quote).map_or(b.len(), |e| i + 1 + e);
                        value = html[i + 1..end].to_owned();
                        i = end + 1;
                    } else {
                        let start = i;
                        while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'>' {
                            i += 1;
                        }
                        value = html[start..i].to_owned();
                    }
                }
                attrs.push((attr, collapse(&decode(&value))));
            }
            attrs.sort();
            nodes.push(Node::Open(name.clone(), attrs));
            if self_closing {
                nodes.push(Node::Close(name));
            }
        } else {
            // A '<' that opens no tag is text; step over it (it is one byte).
            let skip = usize::from(b[i] == b'<');
            let next = html[i + skip..].find('<').map_or(b.len(), |e| i + skip + e);
            text.push_str(&html[i..next]);
            i = next;
        }
    }
    flush(&mut text, &mut nodes);
    nodes
}

/// `nodes` without the elements (and their contents) that `drop` picks.
fn without(nodes: Vec<Node>, drop: impl Fn(&Node) -> bool) -> Vec<Node> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    for node in nodes {
        if depth > 0 {
            match &node {
                Node::Open(..) => depth += 1,
                Node::Close(_) => depth -= 1,
                Node::Text(_) => {}
            }
            continue;
        }
        if drop(&node) {
            depth = 1;
            continue;
        }
        out.push(node);
    }
    out
}

fn render(file: &str, name: &str, options: &Value) -> String {
    hearth_web::render_component(file, name, options)
        .unwrap_or_else(|e| panic!("{name} failed to render {options}: {e:#}"))
}

/// Renders `name` with `options` and compares it with `expected`; the difference, or
/// None when they match.
fn compare(file: &str, name: &str, options: &Value, expected: Vec<Node>) -> Option<String> {
    let html = render(file, name, options);
    let got = normalise(&html);
    if got == expected {
        return None;
    }
    let at = got
        .iter()
        .zip(&expected)
        .position(|(a, b)| a != b)
        .unwrap_or(got.len().min(expected.len()));
    Some(format!(
        "first difference at node {at}: got {:?}, expected {:?}\n--- rendered:\n{html}",
        got.get(at),
        expected.get(at)
    ))
}

fn expected_for(component: &str, fixture: &Value) -> Vec<Node> {
    let nodes = normalise(fixture["html"].as_str().unwrap());
    if component == "header" {
        // Our header never draws GOV.UK's logo (see macros/govuk.html).
        without(nodes, |n| {
            matches!(n, Node::Open(tag, attrs) if tag == "svg"
                && attrs.iter().any(|(k, v)| k == "class" && v.contains("govuk-header__logotype")))
        })
    } else {
        nodes
    }
}

#[test]
fn govuk_macros_match_the_govuk_frontend_fixtures() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for (component, name, wanted) in GOVUK {
        let all = fixtures(component);
        for fixture_name in *wanted {
            let Some(fixture) = all.iter().find(|f| f["name"] == *fixture_name) else {
                failures.push(format!("{component}: no fixture named {fixture_name:?}"));
                continue;
            };
            checked += 1;
            let expected = expected_for(component, fixture);
            if let Some(diff) = compare("govuk", name, &fixture["options"], expected) {
                failures.push(format!("{component} / {fixture_name}: {diff}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} fixtures differ:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

#[test]
fn the_normaliser_ignores_only_layout() {
    assert_eq!(
        normalise("<p class=\"a  b\"\n id=x>Hi&#39;\n  there</p>"),
        normalise("<p id=\"x\" class=\"a b\">Hi&#x27; there</p>")
    );
    assert_ne!(normalise("<p>Hi</p>"), normalise("<p>Ho</p>"));
    assert_ne!(
        normalise("<p class=\"a\">x</p>"),
        normalise("<p class=\"b\">x</p>")
    );
    assert_ne!(normalise("<p>x</p>"), normalise("<p hidden>x</p>"));
    assert_eq!(
        normalise("<td>£1 < £2</td>"),
        vec![
            Node::Open("td".into(), vec![]),
            Node::Text("£1 < £2".into()),
            Node::Close("td".into())
        ]
    );
}

/// MoJ Frontend ships no fixtures: these are what its Nunjucks templates
/// (`moj/components/<name>/template.njk`) render for the options beside them, written
/// out by hand, with the date in the timeline as MoJ's `mojDate` filter prints it.
fn moj_cases() -> Vec<(&'static str, &'static str, Value, &'static str)> {
    vec![
        (
            "identity-bar",
            "mojIdentityBar",
            serde_json::json!({"title": {"text": "Ava Testington"}}),
            r#"<div class="moj-identity-bar">
                 <div class="moj-identity-bar__container">
                   <div class="moj-identity-bar__details">
                     <span class="moj-identity-bar__title">Ava Testington</span>
                   </div>
                 </div>
               </div>"#,
        ),
        (
            "identity-bar",
            "mojIdentityBar",
            serde_json::json!({
                "classes": "app-identity",
                "attributes": {"data-child": "C1"},
                "title": {"html": "<strong>Ava &amp; Bo</strong> born 2015"}
            }),
            r#"<div class="moj-identity-bar app-identity" data-child="C1">
                 <div class="moj-identity-bar__container">
                   <div class="moj-identity-bar__details">
                     <span class="moj-identity-bar__title"><strong>Ava &amp; Bo</strong> born 2015</span>
                   </div>
                 </div>
               </div>"#,
        ),
        (
            "identity-bar",
            "mojIdentityBar",
            serde_json::json!({}),
            r#"<div class="moj-identity-bar">
                 <div class="moj-identity-bar__container">
                   <div class="moj-identity-bar__details"></div>
                 </div>
               </div>"#,
        ),
        (
            "timeline",
            "mojTimeline",
            serde_json::json!({
                "items": [{
                    "label": {"text": "Visit <home>"},
                    "byline": {"text": "Sam Patel"},
                    "datetime": {"timestamp": "2024-01-10T09:15", "text": "10 January 2024 at 9:15am"},
                    "text": "Seen alone"
                }]
            }),
            r#"<div class="moj-timeline">
                 <div class="moj-timeline__item">
                   <div class="moj-timeline__header">
                     <h2 class="moj-timeline__title">Visit &lt;home&gt;</h2>
                     <p class="moj-timeline__byline">by Sam Patel</p>
                   </div>
                   <p class="moj-timeline__date">
                     <time datetime="2024-01-10T09:15">10 January 2024 at 9:15am</time>
                   </p>
                   <div class="moj-timeline__description">Seen alone</div>
                 </div>
               </div>"#,
        ),
        (
            "timeline",
            "mojTimeline",
            serde_json::json!({
                "headingLevel": 3,
                "classes": "app-chronology",
                "attributes": {"data-child": "C1"},
                "items": [
                    {
                        "label": {"html": "<em>Retracted</em> visit"},
                        "datetime": {"timestamp": "2024-03-01", "text": "1 March 2024"},
                        "html": "<strong class=\"govuk-tag\">Retracted</strong>",
                        "classes": "app-retracted",
                        "attributes": {"data-event": "E2"}
                    },
                    {
                        "label": {"text": "Contact received"},
                        "byline": {"html": "<a href=\"/w/1\">Sam</a>"},
                        "datetime": {"timestamp": "2024-01-02", "text": "2 January 2024"}
                    }
                ]
            }),
            r#"<div class="moj-timeline app-chronology" data-child="C1">
                 <div class="moj-timeline__item app-retracted" data-event="E2">
                   <div class="moj-timeline__header">
                     <h3 class="moj-timeline__title"><em>Retracted</em> visit</h3>
                   </div>
                   <p class="moj-timeline__date"><time datetime="2024-03-01">1 March 2024</time></p>
                   <div class="moj-timeline__description"><strong class="govuk-tag">Retracted</strong></div>
                 </div>
                 <div class="moj-timeline__item">
                   <div class="moj-timeline__header">
                     <h3 class="moj-timeline__title">Contact received</h3>
                     <p class="moj-timeline__byline">by <a href="/w/1">Sam</a></p>
                   </div>
                   <p class="moj-timeline__date"><time datetime="2024-01-02">2 January 2024</time></p>
                   <div class="moj-timeline__description"></div>
                 </div>
               </div>"#,
        ),
    ]
}

#[test]
fn moj_macros_match_moj_frontends_templates() {
    let mut failures = Vec::new();
    for (component, name, options, html) in moj_cases() {
        // The markup written out above must still be MoJ's: every class it uses is in
        // the installed template.
        let template = node_modules()
            .join("@ministryofjustice/frontend/moj/components")
            .join(component)
            .join("template.njk");
        let source = std::fs::read_to_string(&template)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", template.display()));
        for node in normalise(html) {
            if let Node::Open(_, attrs) = node {
                for (k, v) in attrs {
                    for class in v
                        .split(' ')
                        .filter(|c| k == "class" && c.starts_with("moj-"))
                    {
                        assert!(
                            source.contains(class),
                            "{component}: MoJ's template no longer has {class}"
                        );
                    }
                }
            }
        }
        if let Some(diff) = compare("moj", name, &options, normalise(html)) {
            failures.push(format!("{component} {options}: {diff}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
