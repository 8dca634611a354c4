//! The OpenAPI 3.1 document for `/api/v1`, served at `/api/v1/openapi.json`.
//!
//! Its operations are the API rows of [`crate::routes::table`], the list the router is
//! built from: each row gives the path, method, summary and who may call it, and names
//! a function here for the rest of the operation (its id, parameters, body and
//! responses). The schemas are written out here rather than derived: the event and
//! state shapes are the domain's serde types, which a derive would have to reach into
//! crate by crate. `crates/web/tests/openapi.rs` keeps it honest: the document is a
//! reviewed snapshot.

use crate::routes::{API_PREFIX, Access, Serves, table};
use serde_json::{Map, Value, json};

fn problem(description: &str) -> Value {
    json!({
        "description": description,
        "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    })
}

fn ok(description: &str, schema: Value) -> Value {
    json!({"description": description, "content": {"application/json": {"schema": schema}}})
}

fn child_id() -> Value {
    json!({
        "name": "id", "in": "path", "required": true,
        "description": "The child's id.",
        "schema": {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,20}$"}
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
            "200": ok("The children found: each a ChildSummary, or, for a role that may not read records (an auditor), a ChildIdentity.", json!({"type": "array", "items": {"oneOf": [{"$ref": "#/components/schemas/ChildSummary"}, {"$ref": "#/components/schemas/ChildIdentity"}]}})),
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
            "200": ok("The child's state.", json!({"$ref": "#/components/schemas/ChildState"})),
            "404": problem("No child with that id.")
        }
    })
}

pub(crate) fn get_journey() -> Value {
    json!({
        "operationId": "getJourney",
        "description": "Needs the permission to read records. Logged.",
        "parameters": [child_id()],
        "responses": {
            "200": ok("The events.", json!({"type": "array", "items": {"$ref": "#/components/schemas/Event"}})),
            "404": problem("No child with that id.")
        }
    })
}

pub(crate) fn append_event() -> Value {
    json!({
        "operationId": "appendEvent",
        "description": "Needs the permission to record events. The server sets the subject, when it was recorded and by whom. A call made with a browser session must send the session's CSRF token in X-CSRF-Token.",
        "parameters": [child_id()],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NewEvent"}}}},
        "responses": {
            "201": ok("Written: the journey's new version.", json!({
                "type": "object", "required": ["version"],
                "properties": {"version": {"type": "integer", "minimum": 1}}
            })),
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
            "200": ok("The due list.", json!({"$ref": "#/components/schemas/DueList"})),
            "400": bad_due_request()
        }
    })
}

pub(crate) fn get_due_counts() -> Value {
    json!({
        "operationId": "getDueCounts",
        "description": "Needs the permission to see figures. `obligations` is always empty. Not logged, since no child is named.",
        "parameters": due_parameters(),
        "responses": {
            "200": ok("The counts.", json!({"$ref": "#/components/schemas/DueList"})),
            "400": bad_due_request()
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
pub fn document() -> Value {
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Hearth",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Children's services records: search, each child's journey as events, and the duties due. Every call that shows a child's record is written to the access log. Errors are application/problem+json with a plain `detail`.",
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
            "schemas": {
                "Problem": {
                    "type": "object", "required": ["type", "title", "status", "detail"],
                    "properties": {
                        "type": {"type": "string"}, "title": {"type": "string"},
                        "status": {"type": "integer"}, "detail": {"type": "string"}
                    }
                },
                "Name": {
                    "type": "object", "required": ["given", "family"],
                    "properties": {"given": {"type": "string"}, "family": {"type": "string"}}
                },
                "ChildSummary": {
                    "type": "object",
                    "required": ["id", "name", "date_of_birth", "expected_date_of_birth", "postcode", "open_work", "worker", "team"],
                    "properties": {
                        "id": {"type": "string"},
                        "name": {"$ref": "#/components/schemas/Name"},
                        "date_of_birth": {"type": ["string", "null"], "format": "date"},
                        "expected_date_of_birth": {"type": ["string", "null"], "format": "date"},
                        "postcode": {"type": ["string", "null"]},
                        "open_work": {"type": "array", "items": {"type": "string"}},
                        "worker": {"type": ["string", "null"]},
                        "team": {"type": ["string", "null"]}
                    }
                },
                "ChildIdentity": {
                    "type": "object",
                    "required": ["id", "name", "access_log"],
                    "description": "Who a child is, and the page of who opened their record: all a search shows a role that may not read records.",
                    "properties": {
                        "id": {"type": "string"},
                        "name": {"$ref": "#/components/schemas/Name"},
                        "date_of_birth": {"type": "string", "format": "date"},
                        "expected_date_of_birth": {"type": "string", "format": "date"},
                        "access_log": {"type": "string", "description": "/children/ID/access-log"}
                    }
                },
                "ChildState": {
                    "type": "object", "required": ["version", "id"],
                    "description": "The child's journey folded: details, open work, allocation, plans, placements and history, as the domain's ChildState serialises it.",
                    "properties": {"version": {"type": "integer"}, "id": {"type": "string"}},
                    "additionalProperties": true
                },
                "Event": {
                    "type": "object",
                    "required": ["id", "subject", "occurred_at", "recorded_at", "recorded_by", "kind", "data"],
                    "description": "One event of a journey; `kind` names it and `data` carries its fields (DESIGN.md lists the kinds).",
                    "properties": {
                        "id": {"type": "string"},
                        "subject": {"type": "string", "description": "child:ID or family:ID"},
                        "occurred_at": {"type": "string", "description": "YYYY-MM-DD or YYYY-MM-DDTHH:MM"},
                        "recorded_at": {"type": "string", "format": "date-time"},
                        "recorded_by": {"type": "string"},
                        "kind": {"type": "string"},
                        "data": {"type": "object"}
                    }
                },
                "NewEvent": {
                    "type": "object",
                    "required": ["version", "id", "occurred_at", "kind", "data"],
                    "properties": {
                        "version": {"type": "integer", "minimum": 0, "description": "How many events the journey had when the event was written."},
                        "id": {"type": "string"},
                        "occurred_at": {"type": "string", "description": "YYYY-MM-DD or YYYY-MM-DDTHH:MM"},
                        "kind": {"type": "string"},
                        "data": {"type": "object"}
                    }
                },
                "DueList": {
                    "type": "object",
                    "required": ["as_at", "due_by", "met_late_after", "team", "worker", "total", "teams", "obligations"],
                    "properties": {
                        "as_at": {"type": "string", "format": "date"},
                        "due_by": {"type": "string", "format": "date"},
                        "met_late_after": {"type": "string", "format": "date"},
                        "team": {"type": ["string", "null"]},
                        "worker": {"type": ["string", "null"]},
                        "total": {"$ref": "#/components/schemas/Tally"},
                        "teams": {"type": "array", "items": {"type": "object"}},
                        "obligations": {"type": "array", "items": {"type": "object", "description": "child, duty, rule (with its source), clock start, due date, status, standing, team and worker"}},
                        "count": {"type": "integer", "description": "How many obligations the whole list has (not given by the counts)."},
                        "offset": {"type": "integer", "description": "The place of the first obligation given in the whole list."},
                        "limit": {"type": ["integer", "null"], "description": "The most obligations a page holds; null when the list is given whole."}
                    }
                },
                "Tally": {
                    "type": "object", "required": ["overdue", "due_soon", "met_late"],
                    "properties": {
                        "overdue": {"type": "integer"}, "due_soon": {"type": "integer"}, "met_late": {"type": "integer"}
                    }
                }
            }
        }
    })
}
