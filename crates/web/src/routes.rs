//! Every route Hearth serves, in one table: its method and path, who may call it, whether
//! it is a page or an operation of the JSON API, and the handler.
//!
//! The router ([`crate::router`]) is built by walking [`table`], the OpenAPI document's
//! operations come from its API rows ([`crate::openapi::document`]), and the tests walk
//! it to try every route as every role. A route cannot be added without saying who may
//! call it: [`Access`] has no default, and `tests/access.rs` checks that the router
//! serves exactly the table's paths.

use crate::{
    AppState, api, assets, caseload, family, front_door, funnel, merge, notes, openapi, pages,
    record, sign_in,
};
use axum::handler::Handler;
use axum::routing::{MethodRouter, get, post};
use hearth_domain::access::Permission;
use serde_json::Value;

/// Where the JSON API lives: every [`Serves::Api`] route's path starts with it, and the
/// OpenAPI document names paths below it.
pub const API_PREFIX: &str = "/api/v1";

/// The HTTP methods Hearth's routes use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
        }
    }
}

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not: signing in, the stylesheet and scripts, the OpenAPI
    /// document. Such a route shows nobody's data.
    Public,
    /// Anyone signed in, whatever their role.
    SignedIn,
    /// A signed-in caller whose role gives this permission.
    Needs(Permission),
}

impl Access {
    /// The permission a route needs, if any: none for one open to anyone signed in (or
    /// to anyone at all, which has no guard).
    pub fn permission(self) -> Option<Permission> {
        match self {
            Access::Needs(permission) => Some(permission),
            Access::Public | Access::SignedIn => None,
        }
    }
}

/// What a route serves.
#[derive(Clone, Copy)]
pub enum Serves {
    /// HTML for a browser: a page, a form's target, or an asset the pages load.
    Page,
    /// An operation of the JSON API, described in the OpenAPI document by its summary
    /// and by `operation` (its id, parameters, body and responses).
    Api {
        summary: &'static str,
        operation: fn() -> Value,
    },
}

/// One row of the table.
pub struct Route {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
    pub serves: Serves,
    pub(crate) handler: MethodRouter<AppState>,
}

fn route<H, T>(
    method: Method,
    path: &'static str,
    access: Access,
    serves: Serves,
    handler: H,
) -> Route
where
    H: Handler<T, AppState>,
    T: 'static,
{
    let handler = match method {
        Method::Get => get(handler),
        Method::Post => post(handler),
    };
    Route {
        method,
        path,
        access,
        serves,
        handler,
    }
}

/// Every route, pages first, then the API.
pub fn table() -> Vec<Route> {
    use Access::*;
    use Method::*;
    use Permission::*;
    use Serves::*;
    vec![
        route(Get, "/", Needs(SearchChildren), Page, pages::children),
        route(Get, "/children/{id}", Needs(ReadRecord), Page, pages::child),
        route(
            Get,
            "/children/{id}/access-log",
            Needs(ReadAccessLog),
            Page,
            pages::access_log,
        ),
        route(
            Get,
            "/children/{id}/merge",
            Needs(MergePersons),
            Page,
            merge::show,
        ),
        route(
            Post,
            "/children/{id}/merge",
            Needs(MergePersons),
            Page,
            merge::merge,
        ),
        route(
            Post,
            "/children/{id}/unmerge",
            Needs(MergePersons),
            Page,
            merge::unmerge,
        ),
        route(
            Get,
            "/children/{id}/notes",
            Needs(ReadRecord),
            Page,
            notes::notes_page,
        ),
        route(
            Get,
            "/children/{id}/record",
            Needs(RecordEvents),
            Page,
            record::choose,
        ),
        route(
            Get,
            "/children/{id}/record/{kind}",
            Needs(RecordEvents),
            Page,
            record::show,
        ),
        route(
            Post,
            "/children/{id}/record/{kind}",
            Needs(RecordEvents),
            Page,
            record::save,
        ),
        route(
            Post,
            "/children/{id}/record/{kind}/draft",
            Needs(RecordEvents),
            Page,
            record::save_draft,
        ),
        route(
            Get,
            "/children/{id}/events/{event}/correct",
            Needs(RecordEvents),
            Page,
            record::correct,
        ),
        route(
            Post,
            "/children/{id}/events/{event}/correct",
            Needs(RecordEvents),
            Page,
            record::save_correction,
        ),
        route(Get, "/families/{id}", Needs(ReadRecord), Page, family::page),
        route(
            Get,
            "/families/{id}/allocate",
            Needs(AllocateCases),
            Page,
            family::allocate_form,
        ),
        route(
            Post,
            "/families/{id}/allocate",
            Needs(AllocateCases),
            Page,
            family::allocate,
        ),
        route(
            Get,
            "/families/{id}/notes",
            Needs(ReadRecord),
            Page,
            notes::family_notes_page,
        ),
        route(Get, "/my-work", Needs(ViewDueList), Page, caseload::my_work),
        route(
            Get,
            "/my-team",
            Needs(ViewTeamCaseloads),
            Page,
            caseload::my_team,
        ),
        route(
            Get,
            "/teams/{id}",
            Needs(ViewTeamCaseloads),
            Page,
            caseload::team,
        ),
        route(Get, "/due", Needs(ViewDueList), Page, pages::due),
        route(
            Get,
            "/due/counts",
            Needs(ViewFigures),
            Page,
            pages::due_counts,
        ),
        route(
            Get,
            "/front-door",
            Needs(ScreenContacts),
            Page,
            front_door::queue,
        ),
        route(
            Get,
            "/front-door/funnel",
            Needs(ViewFigures),
            Page,
            funnel::funnel,
        ),
        route(
            Get,
            "/contacts/new",
            Needs(SubmitContact),
            Page,
            front_door::raise,
        ),
        route(
            Post,
            "/contacts/new",
            Needs(SubmitContact),
            Page,
            front_door::raise_check,
        ),
        route(
            Post,
            "/contacts/new/check",
            Needs(SubmitContact),
            Page,
            front_door::raise_send,
        ),
        route(
            Get,
            "/contacts/sent/{id}",
            Needs(SubmitContact),
            Page,
            front_door::raise_sent,
        ),
        route(
            Get,
            "/contacts/{id}",
            Needs(ScreenContacts),
            Page,
            front_door::contact,
        ),
        route(
            Get,
            "/contacts/{id}/decision",
            Needs(DecideContacts),
            Page,
            front_door::decision,
        ),
        route(
            Post,
            "/contacts/{id}/decision",
            Needs(DecideContacts),
            Page,
            front_door::decide,
        ),
        route(
            Post,
            "/contacts/{id}/sign-off",
            Needs(SignOffDecisions),
            Page,
            front_door::sign_off,
        ),
        route(
            Post,
            "/contacts/{id}/links",
            Needs(ScreenContacts),
            Page,
            front_door::link,
        ),
        route(
            Post,
            "/contacts/{id}/links/{given}/unlink",
            Needs(ScreenContacts),
            Page,
            front_door::unlink,
        ),
        route(
            Post,
            "/contacts/{id}/people",
            Needs(ScreenContacts),
            Page,
            front_door::create,
        ),
        route(
            Post,
            "/contacts/{id}/checks",
            Needs(ScreenContacts),
            Page,
            front_door::request_check,
        ),
        route(
            Post,
            "/contacts/{id}/checks/{agency}",
            Needs(ScreenContacts),
            Page,
            front_door::record_check,
        ),
        route(
            Get,
            "/partner/contacts",
            Needs(ViewOwnContacts),
            Page,
            front_door::partner_contacts,
        ),
        route(
            Get,
            "/partner/contacts/{id}",
            Needs(ViewOwnContacts),
            Page,
            front_door::partner_contact,
        ),
        route(Get, "/account", SignedIn, Page, sign_in::account),
        route(Get, "/sign-in", Public, Page, sign_in::show),
        route(Post, "/sign-in", Public, Page, sign_in::submit),
        route(Post, "/sign-out", SignedIn, Page, sign_in::sign_out),
        route(Get, "/assets/{name}", Public, Page, assets::asset),
        route(
            Get,
            "/api/v1/children",
            Needs(SearchChildren),
            Api {
                summary: "Find children by name, date of birth (YYYY-MM-DD), NHS number or id.",
                operation: openapi::search_children,
            },
            api::search,
        ),
        route(
            Get,
            "/api/v1/children/{id}",
            Needs(ReadRecord),
            Api {
                summary: "A child's current state, folded from their journey, with its version.",
                operation: openapi::get_child,
            },
            api::child,
        ),
        route(
            Get,
            "/api/v1/children/{id}/journey",
            Needs(ReadRecord),
            Api {
                summary: "The events of a child's journey, in journal order, as `hearth journal export` writes them.",
                operation: openapi::get_journey,
            },
            api::journey,
        ),
        route(
            Get,
            "/api/v1/families/{id}",
            Needs(ReadRecord),
            Api {
                summary: "A family: its children (open work, worker, plan), adults, relationships and households, the professionals working with it against the organisation's limit, its early help plan, and its journey with its children's, newest first.",
                operation: openapi::get_family,
            },
            family::api,
        ),
        route(
            Post,
            "/api/v1/children/{id}/events",
            Needs(RecordEvents),
            Api {
                summary: "Add one event to a child's journey, at the version it was based on.",
                operation: openapi::append_event,
            },
            api::append,
        ),
        route(
            Get,
            "/api/v1/due",
            Needs(ViewDueList),
            Api {
                summary: "Duties overdue, due in the next ten working days, and met late in the last month, as at a day.",
                operation: openapi::get_due,
            },
            api::due,
        ),
        route(
            Get,
            "/api/v1/caseload",
            Needs(ViewDueList),
            Api {
                summary: "A worker's caseload (their children, what is overdue and due next for each, the weighted load against the limits), or a team's caseloads and allocation queue; with neither asked for, the caller's own.",
                operation: openapi::get_caseload,
            },
            caseload::api,
        ),
        route(
            Get,
            "/api/v1/due/counts",
            Needs(ViewFigures),
            Api {
                summary: "The due list's counts alone, naming no child: for performance analysts.",
                operation: openapi::get_due_counts,
            },
            api::due_counts,
        ),
        route(
            Post,
            "/api/v1/contacts",
            Needs(SubmitContact),
            Api {
                summary: "Make a contact with the front door: a concern about one or more children.",
                operation: openapi::submit_contact,
            },
            api::submit_contact,
        ),
        route(
            Get,
            "/api/v1/contacts",
            Needs(ViewOwnContacts),
            Api {
                summary: "The contacts the caller sent in, newest first, and what became of each.",
                operation: openapi::my_contacts,
            },
            api::my_contacts,
        ),
        route(
            Get,
            "/api/v1/contacts/{id}/outcome",
            Needs(ViewOwnContacts),
            Api {
                summary: "What became of a contact the caller sent in: received, or decided with its outcome and the kind of service.",
                operation: openapi::contact_outcome,
            },
            api::contact_outcome,
        ),
        route(
            Get,
            "/api/v1/contacts/{id}",
            Needs(ScreenContacts),
            Api {
                summary: "A contact as a screener reads it: what it says, its links, checks and decisions, and for each person it gives the records that may be them, with why.",
                operation: openapi::get_contact,
            },
            api::contact,
        ),
        route(
            Post,
            "/api/v1/contacts/{id}/links",
            Needs(ScreenContacts),
            Api {
                summary: "Link a person a contact gives to a child's or an adult's record.",
                operation: openapi::link_person,
            },
            api::link,
        ),
        route(
            Post,
            "/api/v1/contacts/{id}/checks",
            Needs(ScreenContacts),
            Api {
                summary: "Ask a partner agency for a check on a contact, rated red, amber or green.",
                operation: openapi::request_check,
            },
            api::request_check,
        ),
        route(
            Post,
            "/api/v1/contacts/{id}/checks/{agency}",
            Needs(ScreenContacts),
            Api {
                summary: "Record a partner agency's answer to a check.",
                operation: openapi::record_check,
            },
            api::record_check,
        ),
        route(
            Post,
            "/api/v1/contacts/{id}/decision",
            Needs(DecideContacts),
            Api {
                summary: "Decide a contact: for each linked child (or the whole contact) the outcome, level, reasons and primary need; routed once decided, or proposed for a manager's sign-off where the authority asks for one.",
                operation: openapi::decide_contact,
            },
            api::decide,
        ),
        route(
            Get,
            "/api/v1/openapi.json",
            Public,
            Api {
                summary: "This document.",
                operation: openapi::get_openapi,
            },
            api::openapi,
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn api_routes_and_only_they_are_under_the_api_prefix() {
        for route in table() {
            let under_api = route.path.starts_with(&format!("{API_PREFIX}/"));
            let is_api = matches!(route.serves, Serves::Api { .. });
            assert_eq!(
                under_api,
                is_api,
                "{} {}",
                route.method.as_str(),
                route.path
            );
        }
    }

    #[test]
    fn no_route_is_listed_twice() {
        let mut seen = BTreeSet::new();
        for route in table() {
            assert!(
                seen.insert((route.method.as_str(), route.path)),
                "{} {} is listed twice",
                route.method.as_str(),
                route.path
            );
        }
    }
}
