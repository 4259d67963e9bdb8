//! `decree serve [POLICY|DIR]… [--facts DIR|FILE]… [--population FILE]
//! [--bind 127.0.0.1:8080]`: the library over HTTP (axum), for the studio
//! and other clients — the routes of docs/API.md, each a thin layer over
//! the same library calls as the CLI's commands.
//!
//! Files by concern: [`state`] (what was loaded at start: the only files
//! the server reads), [`policies`] (policies, examples, evaluations),
//! [`text`] (policy text in a request, through the language service),
//! [`diff`], [`jobs`] (population uploads), [`errors`] (the one JSON
//! error), [`work`] (CPU work under bounds), [`openapi`], [`studio`].

mod diff;
mod errors;
mod jobs;
mod openapi;
mod policies;
mod schema;
mod state;
mod studio;
mod text;
mod work;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::routing::{get, post};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};

use crate::terminal::{Failed, fail, out};
use state::{Bounds, Shared, State};

/// Serve policies over HTTP (the API of docs/API.md and the studio).
#[derive(clap::Args)]
pub(crate) struct Args {
    /// Policy files, or folders of them (files of tests are left out).
    #[arg(required = true)]
    policies: Vec<String>,
    /// Example enterprises: facts files, or folders of them; repeatable.
    #[arg(long)]
    facts: Vec<String>,
    /// A population (facts folder, .csv, .jsonl) for diffs' fiscal impact.
    #[arg(long)]
    population: Option<String>,
    /// Address to listen on (port 0: any free port; the address is printed).
    #[arg(long, default_value = "127.0.0.1:8080")]
    bind: SocketAddr,
    /// Largest JSON request body, in bytes.
    #[arg(long, default_value_t = 2 * 1024 * 1024)]
    max_body: usize,
    /// Largest population upload, in bytes (streamed to a temporary file,
    /// not held in memory).
    #[arg(long, default_value_t = 1024 * 1024 * 1024)]
    max_upload: usize,
    /// Most evaluations (checks, diffs…) at once; more wait their turn.
    #[arg(long, default_value_t = 8)]
    max_evaluations: usize,
    /// Most requests waiting for an evaluation; more are answered 429.
    #[arg(long, default_value_t = 256)]
    max_queued: usize,
    /// Most population jobs running at once; more are answered 429.
    #[arg(long, default_value_t = 2)]
    max_jobs: usize,
    /// Longest one evaluation may take, in milliseconds (then 503).
    #[arg(long, default_value_t = 10_000)]
    eval_timeout_ms: u64,
}

/// How long a whole request may take (an upload included), then 408.
const REQUEST_TIME: Duration = Duration::from_secs(300);

/// The largest policy text a request may send (the JSON body limit
/// bounds it too).
const MAX_TEXT: usize = 1024 * 1024;

/// Runs `decree serve`.
pub(crate) fn run(a: Args) -> Result<(), Failed> {
    init_logs();
    let policies = state::load_policies(&a.policies)?;
    let examples = state::load_examples(&a.facts)?;
    if let Some(p) = &a.population {
        if !std::path::Path::new(p).exists() {
            return Err(fail(
                decree::Diagnostic::error(decree::Code::Io, format!("no population `{p}`")).into(),
            ));
        }
    }
    let state = Arc::new(State {
        policies,
        examples,
        population: a.population.clone(),
        work: Arc::new(tokio::sync::Semaphore::new(a.max_evaluations.max(1))),
        waiting: std::sync::atomic::AtomicUsize::new(0),
        jobs: jobs::Jobs::new(a.max_jobs.max(1)),
        bounds: Bounds {
            max_json: a.max_body,
            max_upload: a.max_upload,
            eval_time: Duration::from_millis(a.eval_timeout_ms),
            max_queued: a.max_queued,
            limits: decree::Limits::default().with_max_source_bytes(MAX_TEXT),
        },
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| io_failed("cannot start the server's runtime", &e))?;
    runtime.block_on(serve(state, a.bind))
}

fn io_failed(what: &str, e: &std::io::Error) -> Failed {
    fail(decree::Diagnostic::error(decree::Code::Io, format!("{what}: {e}")).into())
}

/// Request logs to standard error, filtered by `RUST_LOG` (default: one
/// line a request).
fn init_logs() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .compact()
        .try_init();
}

/// Every route (docs/API.md).
/// `decree::matching` (docs/API.md): one handler in [`policies`], one
/// line here and one in [`openapi`].
fn router(state: Shared) -> Router {
    let bounds = state.bounds.clone();
    // The upload counts its own bytes as it streams them to a file.
    let upload = post(jobs::start).layer(DefaultBodyLimit::disable());
    Router::new()
        .route("/api/policies", get(policies::list))
        .route("/api/policies/{id}", get(policies::get))
        .route("/api/policies/{id}/source", get(policies::source))
        .route("/api/policies/{id}/evaluate", post(policies::evaluate))
        .route("/api/policies/{id}/match", post(policies::profile_match))
        .route("/api/examples", get(policies::examples))
        .route("/api/examples/{id}", get(policies::example))
        .route("/api/evaluate", post(text::evaluate))
        .route("/api/check", post(text::check))
        .route("/api/format", post(text::format))
        .route("/api/hover", post(text::hover))
        .route("/api/complete", post(text::complete))
        .route("/api/diff", post(diff::diff))
        .route("/api/population", upload)
        .route("/api/population/{job}", get(jobs::status))
        .route("/api/population/{job}/result", get(jobs::result))
        .route("/openapi.json", get(openapi::document))
        .route("/", get(studio::index))
        .route("/assets/{*path}", get(studio::asset))
        .with_state(state)
        .layer(DefaultBodyLimit::max(bounds.max_json))
        .layer(axum::middleware::from_fn(move |req, next| {
            refuse_oversize(bounds.max_json, req, next)
        }))
        // Innermost first: each layer wraps those before it.
        .layer(RequestBodyLimitLayer::new(
            bounds.max_upload.max(bounds.max_json),
        ))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIME,
        ))
        .layer(CatchPanicLayer::custom(errors::panicked))
        .layer(axum::middleware::map_response(errors::ensure_json))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(DefaultMakeSpan::new().level(tracing::Level::INFO))
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
}

async fn serve(state: Shared, bind: SocketAddr) -> Result<(), Failed> {
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .map_err(|e| io_failed(&format!("cannot listen on {bind}"), &e))?;
    let addr = listener
        .local_addr()
        .map_err(|e| io_failed("cannot tell the bound address", &e))?;
    out(&format!("listening on http://{addr}"), true);
    tracing::info!(%addr, policies = state.policies.len(), examples = state.examples.len(), "serving");
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown())
        .await
        .map_err(|e| io_failed("the server stopped", &e))?;
    tracing::info!("stopped");
    Ok(())
}

/// Resolves on SIGINT or SIGTERM: the server stops taking connections and
/// finishes the requests it has.
async fn shutdown() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}

/// A JSON body whose stated length is over the bound is refused with 413,
/// but only once it has been read (and dropped; the outer
/// `RequestBodyLimitLayer` bounds how much): a client still sending reads
/// the answer instead of a broken connection. Uploads count their own
/// bytes (`jobs::start`).
async fn refuse_oversize(
    max_json: usize,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let stated = req
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    let upload = req.uri().path() == "/api/population";
    match stated {
        Some(n) if n > max_json && !upload => {
            let _ = axum::body::to_bytes(req.into_body(), usize::MAX).await;
            StatusCode::PAYLOAD_TOO_LARGE.into_response()
        }
        _ => next.run(req).await,
    }
}
