//! The route table: every route is registered together with its description, so the OpenAPI
//! document and the route × role matrix test are generated from the same code that serves.

use crate::AppState;
use axum::Router;
use axum::handler::Handler;
use axum::routing::{MethodRouter, delete, get, patch, post, put};
use serde_json::{Map, Value, json};

/// Whether a route serves the JSON API or HTML pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `/api/v1/…`, JSON.
    Api,
    /// HTML pages and forms.
    Page,
}

/// One registered route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteDoc {
    /// HTTP method.
    pub method: &'static str,
    /// Full path with `{param}` segments.
    pub path: String,
    /// API or page.
    pub kind: Kind,
    /// One line: what it does.
    pub summary: &'static str,
    /// OpenAPI tag.
    pub tag: &'static str,
    /// Needs a signed-in user (or token).
    pub auth: bool,
    /// Query parameters: (name, description).
    pub query: &'static [(&'static str, &'static str)],
    /// Takes a JSON (API) or form (page) body.
    pub body: bool,
    /// The body is `multipart/form-data` (file uploads), not JSON.
    pub multipart: bool,
}

/// A router that records what it serves.
pub struct Routes {
    router: Router<AppState>,
    docs: Vec<RouteDoc>,
    prefix: &'static str,
    kind: Kind,
}

/// Describes one route being added.
pub struct Describe {
    /// One line: what it does.
    pub summary: &'static str,
    /// OpenAPI tag.
    pub tag: &'static str,
    /// Needs a signed-in user.
    pub auth: bool,
    /// Query parameters.
    pub query: &'static [(&'static str, &'static str)],
    /// Takes `multipart/form-data` (file uploads).
    pub multipart: bool,
}

impl Describe {
    /// A route for signed-in users.
    pub const fn auth(tag: &'static str, summary: &'static str) -> Describe {
        Describe {
            summary,
            tag,
            auth: true,
            query: &[],
            multipart: false,
        }
    }

    /// A public route.
    pub const fn public(tag: &'static str, summary: &'static str) -> Describe {
        Describe {
            summary,
            tag,
            auth: false,
            query: &[],
            multipart: false,
        }
    }

    /// With query parameters.
    pub const fn query(mut self, query: &'static [(&'static str, &'static str)]) -> Describe {
        self.query = query;
        self
    }

    /// Taking files as `multipart/form-data` (field `file`, repeatable).
    pub const fn multipart(mut self) -> Describe {
        self.multipart = true;
        self
    }
}

impl Routes {
    /// API routes under `prefix` (e.g. `/api/v1`).
    pub fn api(prefix: &'static str) -> Routes {
        Routes {
            router: Router::new(),
            docs: Vec::new(),
            prefix,
            kind: Kind::Api,
        }
    }

    /// Page routes.
    pub fn pages() -> Routes {
        Routes {
            router: Router::new(),
            docs: Vec::new(),
            prefix: "",
            kind: Kind::Page,
        }
    }

    fn add(
        mut self,
        method: &'static str,
        path: &'static str,
        d: Describe,
        route: MethodRouter<AppState>,
    ) -> Routes {
        self.router = self.router.route(path, route);
        self.docs.push(RouteDoc {
            method,
            path: format!("{}{}", self.prefix, path),
            kind: self.kind,
            summary: d.summary,
            tag: d.tag,
            auth: d.auth,
            query: d.query,
            body: matches!(method, "POST" | "PUT" | "PATCH"),
            multipart: d.multipart,
        });
        self
    }

    /// Adds a GET route.
    pub fn get<H: Handler<T, AppState>, T: 'static>(
        self,
        path: &'static str,
        d: Describe,
        h: H,
    ) -> Routes {
        self.add("GET", path, d, get(h))
    }

    /// Adds a POST route.
    pub fn post<H: Handler<T, AppState>, T: 'static>(
        self,
        path: &'static str,
        d: Describe,
        h: H,
    ) -> Routes {
        self.add("POST", path, d, post(h))
    }

    /// Adds a PUT route.
    pub fn put<H: Handler<T, AppState>, T: 'static>(
        self,
        path: &'static str,
        d: Describe,
        h: H,
    ) -> Routes {
        self.add("PUT", path, d, put(h))
    }

    /// Adds a PATCH route.
    pub fn patch<H: Handler<T, AppState>, T: 'static>(
        self,
        path: &'static str,
        d: Describe,
        h: H,
    ) -> Routes {
        self.add("PATCH", path, d, patch(h))
    }

    /// Adds a DELETE route.
    pub fn delete<H: Handler<T, AppState>, T: 'static>(
        self,
        path: &'static str,
        d: Describe,
        h: H,
    ) -> Routes {
        self.add("DELETE", path, d, delete(h))
    }

    /// Adds the routes of another table (same prefix).
    pub fn merge(mut self, other: Routes) -> Routes {
        self.router = self.router.merge(other.router);
        self.docs.extend(other.docs);
        self
    }

    /// The router and the descriptions.
    pub fn into_parts(self) -> (Router<AppState>, Vec<RouteDoc>) {
        (self.router, self.docs)
    }
}

/// The OpenAPI 3 document of the API routes.
pub fn openapi(docs: &[RouteDoc]) -> Value {
    let mut paths = Map::new();
    for d in docs.iter().filter(|d| d.kind == Kind::Api) {
        let mut params: Vec<Value> = d
            .path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(|name| json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}))
            .collect();
        params.extend(d.query.iter().map(|(name, desc)| json!({"name": name, "in": "query", "required": false, "description": desc, "schema": {"type": "string"}})));
        let mut responses = Map::new();
        responses.insert("200".into(), json!({"description": "OK", "content": {"application/json": {"schema": {"type": "object"}}}}));
        if d.auth {
            responses.insert(
                "401".into(),
                json!({"$ref": "#/components/responses/Error"}),
            );
            responses.insert(
                "403".into(),
                json!({"$ref": "#/components/responses/Error"}),
            );
        }
        if d.path.contains('{') {
            responses.insert(
                "404".into(),
                json!({"$ref": "#/components/responses/Error"}),
            );
        }
        if d.body {
            responses.insert(
                "409".into(),
                json!({"$ref": "#/components/responses/Error"}),
            );
            responses.insert(
                "413".into(),
                json!({"$ref": "#/components/responses/Error"}),
            );
            responses.insert(
                "422".into(),
                json!({"$ref": "#/components/responses/Error"}),
            );
        }
        let mut op = json!({
            "summary": d.summary,
            "tags": [d.tag],
            "operationId": format!("{}{}", d.method.to_lowercase(), d.path.replace(['/', '{', '}', '-'], "_")),
            "parameters": params,
            "responses": responses,
        });
        if d.auth {
            op["security"] = json!([{"bearer": []}, {"session": []}]);
        } else {
            op["security"] = json!([]);
        }
        if d.multipart {
            op["requestBody"] = json!({"required": true, "content": {"multipart/form-data": {"schema": {
                "type": "object",
                "properties": {"file": {"type": "array", "items": {"type": "string", "format": "binary"}}},
                "required": ["file"],
            }}}});
        } else if d.body {
            op["requestBody"] = json!({"required": true, "content": {"application/json": {"schema": {"type": "object"}}}});
        }
        let entry = paths.entry(d.path.clone()).or_insert_with(|| json!({}));
        entry[d.method.to_lowercase()] = op;
    }
    json!({
        "openapi": "3.0.3",
        "info": {"title": "Zeren API", "version": env!("CARGO_PKG_VERSION"), "description": "The ledger of a responsibility system (责任制). Errors are {\"error\":{\"code\",\"message\"}}."},
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "description": "zeren user token create USERNAME"},
                "session": {"type": "apiKey", "in": "cookie", "name": "zeren_session", "description": "Browser session; state-changing requests also need the X-CSRF-Token header."}
            },
            "responses": {
                "Error": {"description": "Error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
            },
            "schemas": {
                "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "object", "required": ["code", "message"], "properties": {"code": {"type": "string"}, "message": {"type": "string"}}}}}
            }
        }
    })
}
