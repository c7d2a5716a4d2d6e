//! Matrix entries of the roster area: the page, the template and export, the preview upload,
//! the confirmation and the API import. Only accounts that manage orgs reach them; the writes are
//! tried with a file that is not a workbook (or a preview that does not exist), so nothing is
//! stored.

use crate::common::matrix::{Caller, Expect, Scope, is_admin};

/// Accounts that manage orgs (ManageOrg): the college secretary, the branch secretary and the
/// college's org administrator (keeper of its roster).
fn manages(c: Caller) -> bool {
    matches!(c, Caller::Role("secretary" | "branch" | "keeper"))
}

/// A page: managers `ok`, other accounts 403, visitors to the sign-in page.
fn page<const OK: u16>(c: Caller, _: Scope) -> u16 {
    match c {
        Caller::Anonymous => 303,
        c if manages(c) => OK,
        _ => 403,
    }
}

/// A form's submission: managers `ok`, other accounts 403, visitors refused by the CSRF guard.
fn post<const OK: u16>(c: Caller, _: Scope) -> u16 {
    match c {
        Caller::Anonymous => 403,
        c if manages(c) => OK,
        _ => 403,
    }
}

/// The API import with a file that is not a roster: 422 for managers.
fn api(c: Caller, _: Scope) -> u16 {
    match c {
        Caller::Anonymous => 401,
        c if is_admin(c) => 403,
        c if manages(c) => 422,
        _ => 403,
    }
}

pub fn expectations() -> Vec<Expect> {
    vec![
        Expect::plain("GET", "/roster", page::<200>),
        Expect::plain("GET", "/roster/template.xlsx", page::<200>),
        Expect::plain("GET", "/roster/export.xlsx", page::<200>),
        Expect::plain("POST", "/roster/preview", post::<422>).upload("not a workbook"),
        Expect::plain("POST", "/roster/import", post::<422>).body("sha256=0000"),
        Expect::plain("POST", "/api/v1/roster", api).upload("not a workbook"),
    ]
}
