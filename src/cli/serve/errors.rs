//! The one JSON error of `decree serve`: `{"error": {"code", "message",
//! "help", "diagnostics"}}` with its status code, built from the library's
//! [`Diagnostic`]s, from axum's own rejections (malformed JSON, a wrong
//! content type, a body too large) and, by [`ensure_json`], from any error
//! a layer answers without a JSON body (a timeout, a caught panic).

use axum::extract::rejection::{BytesRejection, JsonRejection, QueryRejection};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use decree::diagnostic::DiagnosticData;
use decree::{Diagnostic, Diagnostics};
use serde::Serialize;

/// An error answer: a status and the JSON body of the contract.
#[derive(Debug)]
pub(crate) struct ApiError {
    /// The HTTP status (4xx or 5xx).
    pub status: StatusCode,
    /// A stable code: a diagnostic's `decree::…`, or the server's own.
    pub code: String,
    /// What went wrong, in a sentence.
    pub message: String,
    /// How to fix it, when known.
    pub help: Option<String>,
    /// The diagnostics behind it (docs/JSON.md objects).
    pub diagnostics: Vec<DiagnosticData>,
}

/// The body's shape (also the OpenAPI schema of every error).
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// What an error body says.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct ErrorDetail {
    /// `decree::…` (a diagnostic's code) or `decree::serve::…`.
    pub code: String,
    /// What went wrong.
    pub message: String,
    /// How to fix it.
    pub help: Option<String>,
    /// Diagnostics as docs/JSON.md has them.
    #[schema(value_type = Vec<Object>)]
    pub diagnostics: Vec<DiagnosticData>,
}

impl ApiError {
    /// An error of the server's own (no diagnostic behind it).
    pub(crate) fn new(status: StatusCode, code: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code: format!("decree::serve::{code}"),
            message: message.into(),
            help: None,
            diagnostics: Vec::new(),
        }
    }

    /// With a help text.
    pub(crate) fn help(mut self, help: impl Into<String>) -> ApiError {
        self.help = Some(help.into());
        self
    }

    /// 404: no such policy, example or job.
    pub(crate) fn not_found(what: &str, id: &str, known: &[&str]) -> ApiError {
        let e = ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("no {what} `{id}`"),
        );
        match decree::check::suggest(id, known.iter().copied()) {
            Some(s) => e.help(format!("did you mean `{s}`?")),
            None if known.is_empty() => e,
            None => e.help(format!("known: {}", known.join(", "))),
        }
    }

    /// 422 (or `status`) from the library's diagnostics: the first error
    /// gives the code, message and help; all of them are listed.
    pub(crate) fn diagnostics(status: StatusCode, ds: &Diagnostics) -> ApiError {
        let first =
            ds.0.iter()
                .find(|d| d.severity == decree::diagnostic::Severity::Error)
                .or(ds.0.first());
        ApiError {
            status,
            code: first.map_or_else(|| "decree::invalid".into(), |d| d.code.as_str().into()),
            message: first.map_or_else(|| "invalid input".into(), |d| d.message.clone()),
            help: first.and_then(|d| d.help.clone()),
            diagnostics: ds.0.iter().map(Diagnostic::to_data).collect(),
        }
    }

    /// 422 from the library's diagnostics.
    pub(crate) fn unprocessable(ds: &Diagnostics) -> ApiError {
        ApiError::diagnostics(StatusCode::UNPROCESSABLE_ENTITY, ds)
    }

    /// 400: the request's own shape is wrong.
    pub(crate) fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    /// 500: something in the server went wrong.
    pub(crate) fn internal(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", message)
    }
}

impl From<Diagnostics> for ApiError {
    fn from(ds: Diagnostics) -> ApiError {
        ApiError::unprocessable(&ds)
    }
}

impl From<Diagnostic> for ApiError {
    fn from(d: Diagnostic) -> ApiError {
        ApiError::unprocessable(&Diagnostics::from(d))
    }
}

/// The code of a rejection by its status.
fn rejection(status: StatusCode, text: String) -> ApiError {
    let code = match status {
        StatusCode::PAYLOAD_TOO_LARGE => "too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "content_type",
        StatusCode::UNPROCESSABLE_ENTITY | StatusCode::BAD_REQUEST => "bad_request",
        _ => "rejected",
    };
    // axum answers 422 for JSON of the wrong shape; the contract says 400
    // for malformed JSON and wrong types, and keeps 422 for decree's own.
    let status = if status == StatusCode::UNPROCESSABLE_ENTITY {
        StatusCode::BAD_REQUEST
    } else {
        status
    };
    let e = ApiError::new(status, code, text);
    match status {
        StatusCode::UNSUPPORTED_MEDIA_TYPE => e.help("send `Content-Type: application/json`"),
        StatusCode::PAYLOAD_TOO_LARGE => e.help("the limits are in docs/API.md"),
        _ => e,
    }
}

impl From<JsonRejection> for ApiError {
    fn from(r: JsonRejection) -> ApiError {
        rejection(r.status(), r.body_text())
    }
}

impl From<BytesRejection> for ApiError {
    fn from(r: BytesRejection) -> ApiError {
        rejection(r.status(), r.body_text())
    }
}

impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> ApiError {
        rejection(StatusCode::BAD_REQUEST, r.body_text())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code,
                message: self.message,
                help: self.help,
                diagnostics: self.diagnostics,
            },
        };
        (self.status, axum::Json(body)).into_response()
    }
}

/// Every error answered without a JSON body (axum's 404 and 405, a
/// timeout's 408/504, a caught panic's 500, a body limit's 413) gets the
/// JSON error of its status.
pub(crate) async fn ensure_json(response: Response) -> Response {
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let (code, message) = match status {
        StatusCode::NOT_FOUND => ("not_found", "no such route".to_string()),
        StatusCode::METHOD_NOT_ALLOWED => (
            "method_not_allowed",
            "this route does not take that method".to_string(),
        ),
        StatusCode::PAYLOAD_TOO_LARGE => ("too_large", "the request body is too large".into()),
        StatusCode::REQUEST_TIMEOUT | StatusCode::GATEWAY_TIMEOUT => (
            "timeout",
            "the request took longer than the server's time bound".into(),
        ),
        StatusCode::INTERNAL_SERVER_ERROR => (
            "internal",
            "the server met an internal error (it keeps running)".into(),
        ),
        s => ("error", s.canonical_reason().unwrap_or("error").to_string()),
    };
    let mut answer = ApiError::new(status, code, message).into_response();
    for (name, value) in response.headers() {
        if name == header::ALLOW || name == header::RETRY_AFTER {
            answer.headers_mut().insert(name.clone(), value.clone());
        }
    }
    answer
}

/// What a caught panic answers (before [`ensure_json`] sees it).
pub(crate) fn panicked(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let mut r =
        ApiError::internal("the server met an internal error (it keeps running)").into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r
}
