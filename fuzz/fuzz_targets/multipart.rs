//! Multipart uploads as the records area reads them: axum's parser (multer) over any body,
//! each field read as `read_fields` does (small fields kept, files staged to a file within a
//! limit), every file's type sniffed from its content (`zeren_storage`'s `sniff`) and its name
//! cleaned (`clean_filename`); failures asked for their status and text as the handler does.
//! The CSRF reader (`CsrfMultipart`) takes the first field the same way, behind a session
//! lookup that needs a database, so it is reached here through the same parser calls.
#![no_main]

use arbitrary::Arbitrary;
use axum::body::Body;
use axum::extract::{FromRequest, Multipart};
use axum::http::Request;
use libfuzzer_sys::fuzz_target;
use std::io::Write;
use std::sync::LazyLock;
use zeren_storage::repo::attachments::{ACCEPTED_TYPES, clean_filename, sniff};

const BOUNDARY: &str = "zeren-fuzz";
/// The router's body limit (text fields together) and a small upload limit.
const TEXT_MAX: usize = 1024 * 1024;
const FILE_MAX: usize = 256 * 1024;
/// The longest CSRF token the multipart reader takes.
const TOKEN_MAX: usize = 256;

#[derive(Arbitrary, Debug)]
struct Input<'a> {
    /// `None`: `multipart/form-data; boundary=zeren-fuzz`.
    content_type: Option<&'a str>,
    body: &'a [u8],
}

static RT: LazyLock<tokio::runtime::Runtime> = LazyLock::new(|| {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime")
});

static STAGED: LazyLock<std::path::PathBuf> = LazyLock::new(|| {
    std::env::temp_dir().join(format!("zeren-fuzz-multipart-{}", std::process::id()))
});

/// What `clean_filename` promises: a name to show and offer, not a path.
fn check_clean_name(name: &str) {
    let clean = clean_filename(name);
    assert!(!clean.is_empty());
    assert!(clean.chars().count() <= 200, "{clean:?}");
    assert!(!clean.contains(['/', '\\', '"']), "{clean:?}");
    assert!(!clean.chars().any(char::is_control), "{clean:?}");
    assert!(
        clean != "." && clean != "..",
        "{name:?} cleaned to {clean:?}"
    );
    assert_eq!(clean, clean.trim(), "{name:?}");
}

fn sniffed(bytes: &[u8], name: &str) {
    let mut f = std::fs::File::create(&*STAGED).expect("staging file");
    f.write_all(bytes).expect("staged");
    drop(f);
    let mime = sniff(&STAGED, name).expect("sniffing a readable file");
    if let Some(mime) = mime {
        assert!(ACCEPTED_TYPES.iter().any(|(m, _)| *m == mime), "{mime}");
        assert!(!bytes.is_empty());
    }
}

fuzz_target!(|input: Input<'_>| {
    let content_type = input
        .content_type
        .map(str::to_string)
        .unwrap_or_else(|| format!("multipart/form-data; boundary={BOUNDARY}"));
    let Ok(req) = Request::builder()
        .method("POST")
        .uri("/records/new")
        .header("content-type", content_type)
        .body(Body::from(input.body.to_vec()))
    else {
        return;
    };
    RT.block_on(async {
        let mut mp = match Multipart::from_request(req, &()).await {
            Ok(mp) => mp,
            Err(e) => {
                let _ = (e.status(), e.body_text());
                return;
            }
        };
        let mut text = 0usize;
        let mut first = true;
        loop {
            let mut field = match mp.next_field().await {
                Ok(Some(f)) => f,
                Ok(None) => break,
                Err(e) => {
                    let _ = (e.status(), e.body_text());
                    break;
                }
            };
            let _ = (field.content_type(), field.headers().len());
            let csrf = first && field.name() == Some("csrf");
            first = false;
            let file = field.file_name().map(str::to_string);
            let cap = match (&file, csrf) {
                (_, true) => TOKEN_MAX,
                (Some(_), _) => FILE_MAX,
                (None, _) => TEXT_MAX,
            };
            let mut value = Vec::new();
            let mut failed = false;
            loop {
                match field.chunk().await {
                    Ok(Some(chunk)) => {
                        value.extend_from_slice(&chunk);
                        if value.len() > cap {
                            break;
                        }
                    }
                    Ok(None) => break,
                    Err(e) => {
                        let _ = (e.status(), e.body_text());
                        failed = true;
                        break;
                    }
                }
            }
            if failed {
                break;
            }
            if csrf {
                let _ = String::from_utf8_lossy(&value).trim().len();
                continue;
            }
            match file {
                Some(name) if !name.is_empty() && value.len() <= cap => {
                    check_clean_name(&name);
                    sniffed(&value, &name);
                }
                Some(_) => {}
                None => {
                    text += value.len();
                    if text > TEXT_MAX {
                        break;
                    }
                    let _ = String::from_utf8_lossy(&value);
                }
            }
        }
    });
});
