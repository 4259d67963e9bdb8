//! The studio: the files of `web/dist/`, embedded at compile time (so
//! `cargo build` alone gives a server with the studio), served at `/`
//! (`index.html`) and `/assets/*` with their content types.

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use include_dir::{Dir, include_dir};

use super::errors::ApiError;

/// `web/dist/`, as it was when the binary was built.
static DIST: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/web/dist");

/// The content type of a file, by its extension.
fn content_type(path: &str) -> &'static str {
    let ext = std::path::Path::new(path)
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "ico" => "image/x-icon",
        "webp" => "image/webp",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "ttf" => "font/ttf",
        "wasm" => "application/wasm",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

fn file(path: &str) -> Result<Response, ApiError> {
    let f = DIST.get_file(path).ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("no studio file `{path}`"),
        )
    })?;
    Ok(([(header::CONTENT_TYPE, content_type(path))], f.contents()).into_response())
}

/// `GET /`
#[utoipa::path(get, path = "/", tag = "studio",
    responses((status = 200, description = "the studio's index.html", content_type = "text/html", body = String)))]
pub(crate) async fn index() -> Result<Response, ApiError> {
    file("index.html")
}

/// `GET /assets/{path}`
#[utoipa::path(get, path = "/assets/{path}", tag = "studio",
    params(("path" = String, Path, description = "a file under web/dist/assets/")),
    responses((status = 200, description = "the file, with its content type", body = String),
              (status = 404, body = super::errors::ErrorBody)))]
pub(crate) async fn asset(Path(path): Path<String>) -> Result<Response, ApiError> {
    file(&format!("assets/{path}"))
}
