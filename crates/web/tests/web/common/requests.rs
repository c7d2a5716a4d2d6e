//! Requests as the stories make them, and the checks they make of the answers. Calls with an
//! API token or from a visitor use a fresh client each time, so nothing (a language cookie,
//! say) carries over from one call to the next.

use super::{Session, TestApp};
use serde_json::Value;

/// A GET on a signed-in session: the status and the body.
pub async fn page(s: &Session, app: &TestApp, path: &str) -> (u16, String) {
    browse(&s.client, app, path).await
}

/// A GET with a browser-like client (see [`TestApp::client`]), its cookies and all: the status
/// and the body.
pub async fn browse(client: &reqwest::Client, app: &TestApp, path: &str) -> (u16, String) {
    let resp = client.get(app.url(path)).send().await.unwrap();
    let status = resp.status().as_u16();
    (status, resp.text().await.unwrap())
}

/// Posts a form on a signed-in session, the session's CSRF token first, as the page's form
/// would.
pub async fn submit(
    s: &Session,
    app: &TestApp,
    path: &str,
    form: &[(&str, &str)],
) -> reqwest::Response {
    let mut fields: Vec<(&str, &str)> = vec![("csrf", s.csrf.as_str())];
    fields.extend_from_slice(form);
    s.client
        .post(app.url(path))
        .form(&fields)
        .send()
        .await
        .unwrap()
}

/// Posts a `multipart/form-data` body, as [`multipart_form`](super::multipart_form) makes it
/// (content type, bytes), on a signed-in session.
pub async fn submit_multipart(
    s: &Session,
    app: &TestApp,
    path: &str,
    (content_type, body): (String, Vec<u8>),
) -> reqwest::Response {
    s.client
        .post(app.url(path))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap()
}

/// A JSON API call on a signed-in session (its CSRF token in the header): the status and the
/// body (see [`api`]).
pub async fn session_api(
    s: &Session,
    app: &TestApp,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = s
        .client
        .request(method.parse().unwrap(), app.url(path))
        .header("x-csrf-token", &s.csrf);
    if let Some(b) = body {
        req = req.json(&b);
    }
    status_and_body(req.send().await.unwrap()).await
}

/// A JSON API call with an API token: the status and the body, parsed as JSON, or as a string
/// when it is not JSON.
pub async fn api(
    app: &TestApp,
    token: &str,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    status_and_body(send_as(app, token, method, path, body.as_ref()).await).await
}

/// A request with an API token, with a JSON body when one is given: the answer.
pub async fn send_as(
    app: &TestApp,
    token: &str,
    method: &str,
    path: &str,
    body: Option<&Value>,
) -> reqwest::Response {
    let mut req = app
        .client()
        .request(method.parse().unwrap(), app.url(path))
        .bearer_auth(token);
    if let Some(b) = body {
        req = req.json(b);
    }
    req.send().await.unwrap()
}

/// A GET of the JSON API with an API token, which must answer 200: the body.
pub async fn api_ok(app: &TestApp, token: &str, path: &str) -> Value {
    let (status, v) = api(app, token, "GET", path, None).await;
    assert_eq!(status, 200, "{path}: {v}");
    v
}

async fn status_and_body(resp: reqwest::Response) -> (u16, Value) {
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// A GET with an API token.
pub async fn get_as(app: &TestApp, token: &str, path: &str) -> reqwest::Response {
    get_with(app, Some(token), path, &[]).await
}

/// A GET from a visitor who is not signed in.
pub async fn get_anonymous(app: &TestApp, path: &str) -> reqwest::Response {
    get_with(app, None, path, &[]).await
}

/// A GET with an API token or from a visitor, with more headers.
pub async fn get_with(
    app: &TestApp,
    token: Option<&str>,
    path: &str,
    headers: &[(&str, &str)],
) -> reqwest::Response {
    let mut req = app.client().get(app.url(path));
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    req.send().await.unwrap()
}

/// The body of a JSON answer, which must say it is JSON.
pub async fn json(resp: reqwest::Response) -> Value {
    let ct = resp.headers()["content-type"].to_str().unwrap().to_string();
    assert!(ct.starts_with("application/json"), "content-type {ct}");
    resp.json().await.unwrap()
}

/// An API error body: `{"error": {"code", "message"}}` with this code, a message, nothing else.
pub fn assert_error(body: &Value, code: &str) {
    assert_eq!(body["error"]["code"], code, "{body}");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(!message.is_empty(), "{body}");
    assert_eq!(body.as_object().unwrap().len(), 1, "{body}");
}

/// The headers every answer carries.
pub fn assert_security_headers(resp: &reqwest::Response) {
    let h = resp.headers();
    assert_eq!(
        h["content-security-policy"],
        "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    );
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["referrer-policy"], "same-origin");
    assert_eq!(h["x-frame-options"], "DENY");
}

/// Where a redirect points (empty when it does not).
pub fn location(resp: &reqwest::Response) -> String {
    resp.headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default()
}

/// The value of a hidden input in a form.
pub fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    html.split(&marker)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_default()
        .to_string()
}

/// The text of the element with `id`, up to the next tag.
pub fn by_id(html: &str, id: &str) -> String {
    let marker = format!("id=\"{id}\"");
    html.split(&marker)
        .nth(1)
        .and_then(|rest| rest.split_once('>'))
        .and_then(|(_, rest)| rest.split('<').next())
        .unwrap_or_default()
        .to_string()
}

/// A workbook downloaded on a signed-in session (the download must succeed).
pub async fn workbook(
    s: &Session,
    app: &TestApp,
    path: &str,
) -> calamine::Xlsx<std::io::Cursor<Vec<u8>>> {
    let r = s.client.get(app.url(path)).send().await.unwrap();
    assert_eq!(r.status(), 200, "{path}");
    let bytes = r.bytes().await.unwrap();
    calamine::Reader::new(std::io::Cursor::new(bytes.to_vec())).unwrap()
}

/// The cells of one sheet of `wb`, as text, row by row.
pub fn sheet_rows(
    wb: &mut calamine::Xlsx<std::io::Cursor<Vec<u8>>>,
    sheet: &str,
) -> Vec<Vec<String>> {
    use calamine::Reader;
    wb.worksheet_range(sheet)
        .unwrap()
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect()
}
