//! The route × role × scope matrix: every registered route is tried as every demo account,
//! inside and outside its org subtree, and as an anonymous visitor.

/// Who is calling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Caller {
    /// Nobody signed in.
    Anonymous,
    /// A demo account by user name.
    Role(&'static str),
}

/// Where the record lies relative to the caller's subtree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The route names no org record.
    None,
    /// A record inside the caller's subtree.
    Inside,
    /// A record outside it.
    Outside,
}

/// Every demo account.
pub const ROLES: [&str; 10] = [
    "secretary",
    "leader",
    "staff",
    "branch",
    "supervisor",
    "discipline",
    "keeper",
    "sysadmin",
    "secadmin",
    "auditor",
];

/// The administrators.
pub const ADMINS: [&str; 3] = ["sysadmin", "secadmin", "auditor"];

/// The org (code) inside and outside each account's subtree; `None` outside for roles that
/// span the whole university.
pub fn orgs_of(role: &str) -> (&'static str, Option<&'static str>) {
    match role {
        "branch" => ("cqu-mse-b1", Some("cqu-mse")),
        "supervisor" | "discipline" => ("cqu-cs", None),
        _ => ("cqu-mse", Some("cqu-cs")),
    }
}

/// What one route is expected to answer.
pub struct Expect {
    /// HTTP method, as in the route table.
    pub method: &'static str,
    /// Path as in the route table (with `{param}`s).
    pub route: &'static str,
    /// The path to request, with placeholders the harness fills for the org in question:
    /// `{org}` (code), `{org_id}`, `{post}` (the org's first-responsible post id), `{person}` (a
    /// person of the org), `{platform}` (a platform code of the org, or of its college),
    /// `{policy}` (the built-in policy id), `{user}` (the caller's own user id), `{other_user}`
    /// (another account's id), `{missing}` (an id that does not exist). The fixture also makes,
    /// in each org, an evidence record with one attachment and a directive with one supervised
    /// task, dated before the harness's today: `{record}` (the record's id: an education
    /// activity, version 1), `{sha}` (the SHA-256 of its attachment, its own to the org),
    /// `{directive}` (the directive's id), `{task}` (its task's id), `{obligation}` (the
    /// directive's implementation obligation's id).
    pub path: &'static str,
    /// Body for POST/PUT/PATCH: urlencoded for pages (the CSRF token is added), JSON for the API;
    /// with [`Expect::upload`], the content of one file. Placeholders as in `path`.
    pub body: Option<&'static str>,
    /// The body is one file (field `file`), sent as `multipart/form-data`; for pages the CSRF
    /// token is the form's first part.
    pub multipart: bool,
    /// Whether the path names an org record (then inside and outside are both tried).
    pub scoped: bool,
    /// The request ends or changes the session: use a fresh sign-in for it.
    pub fresh_session: bool,
    /// The expected status.
    pub status: fn(Caller, Scope) -> u16,
}

impl Expect {
    /// A route without org records.
    pub const fn plain(
        method: &'static str,
        route: &'static str,
        status: fn(Caller, Scope) -> u16,
    ) -> Expect {
        Expect {
            method,
            route,
            path: route,
            body: None,
            multipart: false,
            scoped: false,
            fresh_session: false,
            status,
        }
    }

    /// A route naming an org record, requested at `path`.
    pub const fn scoped(
        method: &'static str,
        route: &'static str,
        path: &'static str,
        status: fn(Caller, Scope) -> u16,
    ) -> Expect {
        Expect {
            method,
            route,
            path,
            body: None,
            multipart: false,
            scoped: true,
            fresh_session: false,
            status,
        }
    }

    /// With a concrete path (placeholders filled by the harness) but no org scope.
    pub const fn at(mut self, path: &'static str) -> Expect {
        self.path = path;
        self
    }

    /// With a body.
    pub const fn body(mut self, body: &'static str) -> Expect {
        self.body = Some(body);
        self
    }

    /// With the content of one file as the body, sent as an upload (`multipart/form-data`).
    pub const fn upload(mut self, content: &'static str) -> Expect {
        self.body = Some(content);
        self.multipart = true;
        self
    }

    /// On a fresh session.
    pub const fn fresh(mut self) -> Expect {
        self.fresh_session = true;
        self
    }
}

/// Whether a caller is one of the administrators.
pub fn is_admin(c: Caller) -> bool {
    matches!(c, Caller::Role(r) if ADMINS.contains(&r))
}

/// A business read inside scope: 200 for business roles inside, 404 outside, 403 for
/// administrators, 401/303 for visitors.
pub fn business_read(api: bool) -> fn(Caller, Scope) -> u16 {
    if api {
        |c, s| match c {
            Caller::Anonymous => 401,
            c if is_admin(c) => 403,
            _ if s == Scope::Outside => 404,
            _ => 200,
        }
    } else {
        |c, s| match c {
            Caller::Anonymous => 303,
            c if is_admin(c) => 403,
            _ if s == Scope::Outside => 404,
            _ => 200,
        }
    }
}

/// A `multipart/form-data` body of one file named `matrix.bin` in the field `file`, after the
/// CSRF token when one is given: (content type, body).
pub fn multipart_body(csrf: Option<&str>, content: &str) -> (String, Vec<u8>) {
    let fields: Vec<(&str, &str)> = csrf.map(|t| ("csrf", t)).into_iter().collect();
    super::multipart_form(&fields, &[("matrix.bin", content.as_bytes())])
}
