//! Embeds every file under `static/` (the browser client) into the binary:
//! writes `$OUT_DIR/static_files.rs`, a table of (URL path, bytes, MIME type).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::{env, fs};

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("static");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut files = Vec::new();
    collect(&root, &mut files);
    files.sort();

    let mut table = String::from("&[\n");
    for path in &files {
        let Ok(relative) = path.strip_prefix(&root) else {
            continue;
        };
        let url: Vec<String> = relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        let url = format!("/{}", url.join("/"));
        let mime = mime_of(path);
        writeln!(
            table,
            "    ({url:?}, include_bytes!({:?}), {mime:?}),",
            path.display().to_string()
        )
        .expect("writing to a String cannot fail");
    }
    table.push(']');

    let out =
        PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("static_files.rs");
    fs::write(out, table).expect("OUT_DIR is writable");
}

/// Every regular file below `dir`, skipping hidden ones (editor swap files).
fn collect(dir: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        if path.is_dir() {
            collect(&path, files);
        } else if path.is_file() {
            files.push(path);
        }
    }
}

fn mime_of(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" | "webmanifest" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "wasm" => "application/wasm",
        "txt" | "md" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}
