//! The OpenAPI 3.1 document for `/api/v1`, served at `/api/v1/openapi.json`.
//!
//! Its operations are the API rows of [`crate::routes::table`], the list the router is
//! built from: each row gives the path, method, summary and who may call it, and names
//! a function here for the rest of the operation (its id, parameters, body and
//! responses). Its schemas are derived from the Rust types the API serialises and reads
//! (`utoipa::ToSchema`, behind the `openapi` feature of the domain, store and app
//! crates), so a field renamed in Rust is renamed here; a type serde writes as a string
//! by hand (ids, codes, dates) gives its pattern beside its parser.
//! `crates/web/tests/openapi.rs` keeps it honest: the document is a reviewed snapshot,
//! and what the API really sends validates against its schemas.

use crate::api::{
    CheckAnswer, CheckRequest, ChildBody, ChildIdentity, ContactBody, ContactCreated,
    DecisionRequest, DecisionWritten, LinkRequest, NewEvent, Written,
};
use crate::caseload::CaseloadBody;
use crate::error::Problem;
use crate::family::FamilyBody;
use crate::routes::{API_PREFIX, Access, Serves, table};
use hearth_app::PartnerView;
use hearth_app::due::DueBody;
use hearth_app::intake::ContactSubmission;
use hearth_domain::codes::Agency;
use hearth_domain::event::Event;
use hearth_domain::ids::{ChildId, ContactId, FamilyId};
use hearth_store::ChildSummary;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use utoipa::ToSchema;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::Schema;

/// A reference to `T`'s schema in the document's components.
fn schema_ref<T: ToSchema>() -> Value {
    json!({"$ref": format!("#/components/schemas/{}", T::name())})
}

/// The named schemas of the bodies the API sends and reads, and of every type they
/// name, as the types give them: a type named by several comes once for each.
pub fn named_schemas() -> Vec<(String, RefOr<Schema>)> {
    fn add<T: ToSchema>(all: &mut Vec<(String, RefOr<Schema>)>) {
        all.push((T::name().into_owned(), T::schema()));
        T::schemas(all);
    }
    let mut all = Vec::new();
    add::<Problem>(&mut all);
    add::<ChildSummary>(&mut all);
    add::<ChildIdentity>(&mut all);
    add::<ChildBody>(&mut all);
    add::<Event>(&mut all);
    add::<NewEvent>(&mut all);
    add::<Written>(&mut all);
    add::<DueBody>(&mut all);
    add::<CaseloadBody>(&mut all);
    add::<FamilyBody>(&mut all);
    add::<ContactSubmission>(&mut all);
    add::<ContactCreated>(&mut all);
    add::<PartnerView>(&mut all);
    add::<ContactBody>(&mut all);
    add::<LinkRequest>(&mut all);
    add::<CheckRequest>(&mut all);
    add::<CheckAnswer>(&mut all);
    add::<DecisionRequest>(&mut all);
    add::<DecisionWritten>(&mut all);
    all
}

fn problem(description: &str) -> Value {
    json!({
        "description": description,
        "content": {"application/problem+json": {"schema": schema_ref::<Problem>()}}
    })
}

fn ok(description: &str, schema: Value) -> Value {
    json!({"description": description, "content": {"application/json": {"schema": schema}}})
}

fn child_id() -> Value {
    json!({
        "name": "id", "in": "path", "required": true,
        "description": "The child's id.",
        "schema": schema_ref::<ChildId>()
    })
}

/// What a due list is asked for: the day, and a team or a worker.
fn due_parameters() -> Value {
    json!([
        {"name": "as_at", "in": "query", "schema": {"type": "string", "format": "date"}, "description": "Default: today in England."},
        {"name": "team", "in": "query", "schema": {"type": "string"}},
        {"name": "worker", "in": "query", "schema": {"type": "string"}, "description": "Give a team or a worker, not both."}
    ])
}

/// What a due list is asked for, and which page of its obligations.
fn due_page_parameters() -> Value {
    let mut parameters = due_parameters();
    if let Some(list) = parameters.as_array_mut() {
        list.extend([
            json!({"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0}, "description": "The first obligation to give (from 0). Default: 0."}),
            json!({"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 0, "maximum": 500}, "description": "The most obligations to give, at most 500. Default: 500 for the whole authority's list, all of a team's or a worker's."}),
        ]);
    }
    parameters
}

fn bad_due_request() -> Value {
    problem("A date, team or worker that cannot be read, or one the authority does not have.")
}

/// The responses every protected operation can give besides its own.
fn guarded(responses: &mut Map<String, Value>) {
    responses.insert(
        String::from("401"),
        problem("Nobody signed in, or the bearer token is not valid."),
    );
    responses.insert(
        String::from("403"),
        problem("The caller's role does not allow this, or a change came from another site or without the session's CSRF token."),
    );
}

/// One operation: what its row of the route table says (summary; for a public route,
/// no security; otherwise the guard's 401 and 403), with the rest from `rest`.
fn operation(summary: &str, access: Access, rest: fn() -> Value) -> Value {
    let mut operation = rest();
    if let Some(fields) = operation.as_object_mut() {
        fields.insert(String::from("summary"), json!(summary));
        match access {
            Access::Public => {
                fields.insert(String::from("security"), json!([]));
            }
            Access::SignedIn | Access::Needs(_) => {
                if let Some(responses) = fields.get_mut("responses").and_then(Value::as_object_mut)
                {
                    guarded(responses);
                }
            }
        }
    }
    operation
}

/// The document's `paths`: one item per API path of the route table, holding an
/// operation for each method.
fn paths() -> Map<String, Value> {
    let mut paths = Map::new();
    for route in table() {
        let Serves::Api {
            summary,
            operation: rest,
        } = route.serves
        else {
            continue;
        };
        let path = route.path.strip_prefix(API_PREFIX).unwrap_or(route.path);
        let item = paths
            .entry(path)
            .or_insert_with(|| Value::Object(Map::new()));
        if let Some(item) = item.as_object_mut() {
            item.insert(
                route.method.as_str().to_ascii_lowercase(),
                operation(summary, route.access, rest),
            );
        }
    }
    paths
}

// The rest of each operation, named by its row of the route table.

pub(crate) fn search_children() -> Value {
    json!({
        "operationId": "searchChildren",
        "description": "Needs the permission to search children. Each child returned is logged.",
        "parameters": [
            {"name": "q", "in": "query", "schema": {"type": "string"}, "description": "Empty: the first children by name."},
            {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 500, "default": 50}}
        ],
        "responses": {
            "200": ok("The children found: each a ChildSummary, or, for a role that may not read records (an auditor), a ChildIdentity.", json!({"type": "array", "items": {"oneOf": [schema_ref::<ChildSummary>(), schema_ref::<ChildIdentity>()]}})),
            "400": problem("The query string could not be read, or limit is out of range.")
        }
    })
}

pub(crate) fn get_child() -> Value {
    json!({
        "operationId": "getChild",
        "description": "Needs the permission to read records. Logged.",
        "parameters": [child_id()],
        "responses": {
            "200": ok("The child's state and the version of the journey it folds.", schema_ref::<ChildBody>()),
            "404": problem("No child with that id.")
        }
    })
}

pub(crate) fn get_family() -> Value {
    json!({
        "operationId": "getFamily",
        "description": "Needs the permission to read records. A restricted child the caller may not see is left out, with every relationship and household place naming them. The family and each child shown are logged.",
        "parameters": [{
            "name": "id", "in": "path", "required": true,
            "description": "The family's id.",
            "schema": schema_ref::<FamilyId>()
        }],
        "responses": {
            "200": ok("The family.", schema_ref::<FamilyBody>()),
            "404": problem("No family with that id.")
        }
    })
}

pub(crate) fn get_journey() -> Value {
    json!({
        "operationId": "getJourney",
        "description": "Needs the permission to read records. Logged.",
        "parameters": [child_id()],
        "responses": {
            "200": ok("The events.", json!({"type": "array", "items": schema_ref::<Event>()})),
            "404": problem("No child with that id.")
        }
    })
}

pub(crate) fn append_event() -> Value {
    json!({
        "operationId": "appendEvent",
        "description": "Needs the permission to record events. The server sets the subject, when it was recorded and by whom. A call made with a browser session must send the session's CSRF token in X-CSRF-Token.",
        "parameters": [child_id()],
        "requestBody": {"required": true, "content": {"application/json": {"schema": schema_ref::<NewEvent>()}}},
        "responses": {
            "201": ok("Written: the journey's new version.", schema_ref::<Written>()),
            "400": problem("The body could not be read as an event; the detail names the field."),
            "409": problem("The journey has moved on from the version given, or the event id is taken; nothing was written."),
            "413": problem("The body is over 64 KiB; nothing was written."),
            "415": problem("The body is not sent as application/json."),
            "422": problem("The event is not possible in this journey, is dated after today, names a worker or team the organisation does not have, or has free text over its limit (the detail names the field); nothing was written.")
        }
    })
}

pub(crate) fn get_due() -> Value {
    json!({
        "operationId": "getDue",
        "description": "Needs the permission to see the due list. Each child named is logged. The whole authority's list comes a page at a time.",
        "parameters": due_page_parameters(),
        "responses": {
            "200": ok("The due list.", schema_ref::<DueBody>()),
            "400": bad_due_request()
        }
    })
}

pub(crate) fn get_caseload() -> Value {
    json!({
        "operationId": "getCaseload",
        "description": "Needs the permission to see the due list for the caller's own caseload (the worker their account is linked to; `caseload` is null for an account linked to none), and a team manager's permission for another worker's or a team's. Each child named is logged.",
        "parameters": [
            {"name": "worker", "in": "query", "schema": {"type": "string"}},
            {"name": "team", "in": "query", "schema": {"type": "string"}, "description": "Give a worker or a team, not both."}
        ],
        "responses": {
            "200": ok("The caseload, or the team's.", schema_ref::<CaseloadBody>()),
            "400": problem("A worker or team id that cannot be read, or both given."),
            "404": problem("The organisation has no such worker or team.")
        }
    })
}

pub(crate) fn get_due_counts() -> Value {
    json!({
        "operationId": "getDueCounts",
        "description": "Needs the permission to see figures. `obligations` is always empty. Not logged, since no child is named.",
        "parameters": due_parameters(),
        "responses": {
            "200": ok("The counts.", schema_ref::<DueBody>()),
            "400": bad_due_request()
        }
    })
}

fn contact_id() -> Value {
    json!({
        "name": "id", "in": "path", "required": true,
        "description": "The contact's id, as its receipt gave it.",
        "schema": schema_ref::<ContactId>()
    })
}

pub(crate) fn submit_contact() -> Value {
    json!({
        "operationId": "submitContact",
        "description": "Needs the permission to make contacts (a partner agency, or a practitioner). Codes, dates and identifiers are strings, so a wrong one is refused by its field's name. The contact is written as received, under a new id, by the caller. A call made with a browser session must send the session's CSRF token in X-CSRF-Token.",
        "requestBody": {"required": true, "content": {"application/json": {"schema": schema_ref::<ContactSubmission>()}}},
        "responses": {
            "201": {
                "description": "Received: the contact's new id, and where to ask for its outcome.",
                "headers": {"Location": {"description": "/api/v1/contacts/ID", "schema": {"type": "string"}}},
                "content": {"application/json": {"schema": schema_ref::<ContactCreated>()}}
            },
            "400": problem("The body is not JSON; nothing was written."),
            "413": problem("The body is over 64 KiB; nothing was written."),
            "415": problem("The body is not sent as application/json."),
            "422": problem("The contact was refused: the detail names the field (`people[1].date_of_birth: is not a date (YYYY-MM-DD)`) and never repeats what it held; nothing was written.")
        }
    })
}

pub(crate) fn my_contacts() -> Value {
    json!({
        "operationId": "listMyContacts",
        "description": "Needs the permission to see one's own contacts (a partner). Only the contacts the caller sent, newest first, at most 500. Each contact listed is logged.",
        "responses": {
            "200": ok("The caller's contacts.", json!({"type": "array", "items": schema_ref::<PartnerView>()}))
        }
    })
}

pub(crate) fn contact_outcome() -> Value {
    json!({
        "operationId": "getContactOutcome",
        "description": "Needs the permission to see one's own contacts (a partner). Never the child's record, who the contact was about, the level of need or the worker. Logged.",
        "parameters": [contact_id()],
        "responses": {
            "200": ok("Where the contact stands.", schema_ref::<PartnerView>()),
            "404": problem("No contact with that id that the caller sent.")
        }
    })
}

/// What every screener's step on a contact can answer besides its own.
fn screening_responses(created: &str) -> Value {
    json!({
        "201": ok(created, schema_ref::<Written>()),
        "400": problem("The body could not be read; the detail names the field."),
        "404": problem("No contact with that id (or, for a check's answer, no agency with that code)."),
        "409": problem("The contact has changed since the version given; read it again. Nothing was written."),
        "413": problem("The body is over 64 KiB; nothing was written."),
        "415": problem("The body is not sent as application/json."),
        "422": problem("The contact's journey refuses the step (the detail names ids and kinds); nothing was written.")
    })
}

const SCREENING: &str = "Needs the permission to screen contacts. The contact, and each child the step writes to, are logged. A call made with a browser session must send the session's CSRF token in X-CSRF-Token.";

pub(crate) fn get_contact() -> Value {
    json!({
        "operationId": "getContact",
        "description": "Needs the permission to screen contacts. The contact is logged, and each child shown as a candidate. A restricted child is no candidate for anyone not named on it.",
        "parameters": [contact_id()],
        "responses": {
            "200": ok("The contact and its candidates.", schema_ref::<ContactBody>()),
            "404": problem("No contact with that id.")
        }
    })
}

pub(crate) fn link_person() -> Value {
    json!({
        "operationId": "linkPerson",
        "description": format!("{SCREENING} Linking a child puts the contact's receipt and its checks on the child's journey in the same write."),
        "parameters": [contact_id()],
        "requestBody": {"required": true, "content": {"application/json": {"schema": schema_ref::<LinkRequest>()}}},
        "responses": screening_responses("Linked: the contact's new version.")
    })
}

pub(crate) fn request_check() -> Value {
    json!({
        "operationId": "requestCheck",
        "description": format!("{SCREENING} Written on the contact and each child linked to it; refused while a check of that agency is unanswered."),
        "parameters": [contact_id()],
        "requestBody": {"required": true, "content": {"application/json": {"schema": schema_ref::<CheckRequest>()}}},
        "responses": screening_responses("Asked: the contact's new version.")
    })
}

pub(crate) fn record_check() -> Value {
    json!({
        "operationId": "recordCheck",
        "description": format!("{SCREENING} Written on the contact and each child linked to it; refused when no check of that agency awaits an answer."),
        "parameters": [
            contact_id(),
            {"name": "agency", "in": "path", "required": true, "description": "The agency that answered.", "schema": schema_ref::<Agency>()}
        ],
        "requestBody": {"required": true, "content": {"application/json": {"schema": schema_ref::<CheckAnswer>()}}},
        "responses": screening_responses("Recorded: the contact's new version.")
    })
}

pub(crate) fn decide_contact() -> Value {
    json!({
        "operationId": "decideContact",
        "description": "Needs the permission to decide contacts. One write, all or nothing: `contact_decided` on the contact and each child's journey, `referral_accepted` for a referral, and the route (to the family's worker, the locality's team, or the front door for an address outside the authority or none). An outcome the organisation has a manager sign off is written as a proposal instead. The contact and each child written to are logged; every refusal is logged against the contact. A call made with a browser session must send the session's CSRF token in X-CSRF-Token.",
        "parameters": [contact_id()],
        "requestBody": {"required": true, "content": {"application/json": {"schema": schema_ref::<DecisionRequest>()}}},
        "responses": {
            "201": ok("Decided (or proposed): the contact's new version and where each child went.", schema_ref::<DecisionWritten>()),
            "400": problem("The body could not be read; the detail names the field."),
            "404": problem("No contact with that id."),
            "409": problem("The contact has changed since the version given; read it again. Nothing was written."),
            "413": problem("The body is over 64 KiB; nothing was written."),
            "415": problem("The body is not sent as application/json."),
            "422": problem("The decision was refused: a field missing (reasons, a referral's primary need; the detail names it), a level the threshold does not have, a child not linked, or a step the journeys refuse. Nothing was written.")
        }
    })
}

pub(crate) fn get_openapi() -> Value {
    json!({
        "operationId": "getOpenApi",
        "responses": {"200": ok("The OpenAPI document.", json!({"type": "object"}))}
    })
}

/// The document.
pub fn document() -> Result<Value, serde_json::Error> {
    Ok(json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Hearth",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Children's services records: search, each child's journey as events, the duties due, and contacts with the front door. Every call that shows a child's record is written to the access log. Errors are application/problem+json with a plain `detail`.",
            "license": {"name": "AGPL-3.0-or-later", "identifier": "AGPL-3.0-or-later"}
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}, {"session": []}],
        "paths": paths(),
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "description": "A token from `hearth token create`, for partner systems."},
                "session": {"type": "apiKey", "in": "cookie", "name": "hearth_session", "description": "A browser's session after signing in at /sign-in."}
            },
            "schemas": serde_json::to_value(named_schemas().into_iter().collect::<BTreeMap<_, _>>())?
        }
    }))
}
