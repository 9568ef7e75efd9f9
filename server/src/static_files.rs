//! The browser client, embedded at build time from `server/static/`
//! (see `build.rs`): `/` serves `index.html`, every other file its own path.

use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};

/// (URL path, contents, MIME type) of every file under `static/`.
pub static FILES: &[(&str, &[u8], &str)] = include!(concat!(env!("OUT_DIR"), "/static_files.rs"));

/// The embedded file served at `path`, with its MIME type.
pub fn lookup(path: &str) -> Option<(&'static [u8], &'static str)> {
    let path = if path == "/" { "/index.html" } else { path };
    FILES
        .iter()
        .find(|(url, _, _)| *url == path)
        .map(|(_, body, mime)| (*body, *mime))
}

/// Serves an embedded file, or 404.
pub async fn serve(uri: Uri) -> Response {
    match lookup(uri.path()) {
        Some((body, mime)) => (
            [
                (header::CONTENT_TYPE, mime),
                // The client changes with the relay; never serve a stale one.
                (header::CACHE_CONTROL, "no-cache"),
            ],
            body,
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_serves_index_html_and_assets_their_own_files() {
        let (index, mime) = lookup("/").expect("index.html is embedded");
        assert_eq!(mime, "text/html; charset=utf-8");
        assert_eq!(index, include_bytes!("../static/index.html"));
        assert_eq!(
            lookup("/app.js").map(|(_, m)| m),
            Some("text/javascript; charset=utf-8")
        );
        assert_eq!(
            lookup("/style.css").map(|(_, m)| m),
            Some("text/css; charset=utf-8")
        );
        assert!(lookup("/../Cargo.toml").is_none());
    }
}
