//! The OpenAPI 3.1 document for `/api/v1`, served at `/api/v1/openapi.json`.
//!
//! Written out here rather than derived from the handlers: the event and state shapes
//! are the domain's serde types, which a derive would have to reach into crate by
//! crate. `crates/web/tests/openapi.rs` keeps it honest: the document is a reviewed
//! snapshot, and its operations must be exactly the API routes the router serves (the
//! route × role test walks the same list).

use serde_json::{Value, json};

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

fn bad_due_request() -> Value {
    problem("A date, team or worker that cannot be read, or one the authority does not have.")
}

/// The responses every protected operation can give besides its own.
fn guarded(mut responses: Value) -> Value {
    if let Some(map) = responses.as_object_mut() {
        map.insert(
            String::from("401"),
            problem("Nobody signed in, or the bearer token is not valid."),
        );
        map.insert(
            String::from("403"),
            problem("The caller's role does not allow this, or a change came from another site or without the session's CSRF token."),
        );
    }
    responses
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
        "paths": {
            "/children": {"get": {
                "operationId": "searchChildren",
                "summary": "Find children by name, date of birth (YYYY-MM-DD), NHS number or id.",
                "description": "Needs the permission to search children. Each child returned is logged.",
                "parameters": [
                    {"name": "q", "in": "query", "schema": {"type": "string"}, "description": "Empty: the first children by name."},
                    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 500, "default": 50}}
                ],
                "responses": guarded(json!({
                    "200": ok("The children found: each a ChildSummary, or, for a role that may not read records (an auditor), a ChildIdentity.", json!({"type": "array", "items": {"oneOf": [{"$ref": "#/components/schemas/ChildSummary"}, {"$ref": "#/components/schemas/ChildIdentity"}]}})),
                    "400": problem("The query string could not be read, or limit is out of range.")
                }))
            }},
            "/children/{id}": {"get": {
                "operationId": "getChild",
                "summary": "A child's current state, folded from their journey, with its version.",
                "description": "Needs the permission to read records. Logged.",
                "parameters": [child_id()],
                "responses": guarded(json!({
                    "200": ok("The child's state.", json!({"$ref": "#/components/schemas/ChildState"})),
                    "404": problem("No child with that id.")
                }))
            }},
            "/children/{id}/journey": {"get": {
                "operationId": "getJourney",
                "summary": "The events of a child's journey, in journal order, as `hearth journal export` writes them.",
                "description": "Needs the permission to read records. Logged.",
                "parameters": [child_id()],
                "responses": guarded(json!({
                    "200": ok("The events.", json!({"type": "array", "items": {"$ref": "#/components/schemas/Event"}})),
                    "404": problem("No child with that id.")
                }))
            }},
            "/children/{id}/events": {"post": {
                "operationId": "appendEvent",
                "summary": "Add one event to a child's journey, at the version it was based on.",
                "description": "Needs the permission to record events. The server sets the subject, when it was recorded and by whom. A call made with a browser session must send the session's CSRF token in X-CSRF-Token.",
                "parameters": [child_id()],
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NewEvent"}}}},
                "responses": guarded(json!({
                    "201": ok("Written: the journey's new version.", json!({
                        "type": "object", "required": ["version"],
                        "properties": {"version": {"type": "integer", "minimum": 1}}
                    })),
                    "400": problem("The body could not be read as an event; the detail names the field."),
                    "409": problem("The journey has moved on from the version given, or the event id is taken; nothing was written."),
                    "413": problem("The body is over 64 KiB; nothing was written."),
                    "415": problem("The body is not sent as application/json."),
                    "422": problem("The event is not possible in this journey, is dated after today, names a worker or team the organisation does not have, or has free text over its limit (the detail names the field); nothing was written.")
                }))
            }},
            "/due": {"get": {
                "operationId": "getDue",
                "summary": "Duties overdue, due in the next ten working days, and met late in the last month, as at a day.",
                "description": "Needs the permission to see the due list. Each child named is logged.",
                "parameters": due_parameters(),
                "responses": guarded(json!({
                    "200": ok("The due list.", json!({"$ref": "#/components/schemas/DueList"})),
                    "400": bad_due_request()
                }))
            }},
            "/due/counts": {"get": {
                "operationId": "getDueCounts",
                "summary": "The due list's counts alone, naming no child: for performance analysts.",
                "description": "Needs the permission to see figures. `obligations` is always empty. Not logged, since no child is named.",
                "parameters": due_parameters(),
                "responses": guarded(json!({
                    "200": ok("The counts.", json!({"$ref": "#/components/schemas/DueList"})),
                    "400": bad_due_request()
                }))
            }},
            "/openapi.json": {"get": {
                "operationId": "getOpenApi",
                "summary": "This document.",
                "security": [],
                "responses": {"200": ok("The OpenAPI document.", json!({"type": "object"}))}
            }}
        },
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
                        "obligations": {"type": "array", "items": {"type": "object", "description": "child, duty, rule (with its source), clock start, due date, status, standing, team and worker"}}
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
