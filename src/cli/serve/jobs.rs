//! Population jobs: a CSV or JSON Lines upload, streamed from the request
//! into a temporary file (bounded by `--max-upload`), run through
//! `population::run` (budgets allocated: `run_with_budgets`) in a blocking
//! task that reports its progress, row by row; the result rows (as `decree batch --out x.csv` writes them) go to
//! another temporary file, streamed back on download, and the fiscal
//! summary is kept, for the last [`KEPT`] jobs only (a forgotten job's
//! files are deleted). Memory does not grow with the population. At most
//! `--max-jobs` run at once (more: 429).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use decree::population::read::ReadOptions;
use decree::population::{self, Settings, Summary};
use decree::report::rows::{RowFormat, RowWriter};
use http_body_util::BodyExt;
use serde::{Deserialize, Serialize};
use std::io::{BufReader, Seek, Write};
use tempfile::NamedTempFile;
use tokio::sync::Semaphore;
use utoipa::{IntoParams, ToSchema};

use super::errors::{ApiError, ErrorBody};
use super::state::Shared;

/// How many jobs are kept (running or finished); the oldest finished
/// ones are forgotten first.
pub(crate) const KEPT: usize = 16;

/// One job's state.
#[derive(Debug, Clone, Copy, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub(crate) enum JobState {
    /// Being evaluated.
    Running,
    /// Finished: the result and summary are there.
    Done,
    /// Stopped by an error.
    Failed,
}

/// What a job has come to.
#[derive(Serialize, ToSchema, Clone)]
pub(crate) struct JobStatus {
    job: String,
    state: JobState,
    /// Rows evaluated so far.
    rows: u64,
    /// Rows that could not be read (skipped).
    rejected: u64,
    bytes_read: u64,
    bytes_total: u64,
    /// The fiscal summary (docs/JSON.md), when done.
    #[schema(value_type = Option<Object>)]
    summary: Option<serde_json::Value>,
    /// Why it failed.
    error: Option<String>,
    #[serde(skip)]
    result: Option<Arc<NamedTempFile>>,
}

/// The jobs, newest last, and the bound on those running.
pub(crate) struct Jobs {
    table: Mutex<(u64, VecDeque<Arc<Mutex<JobStatus>>>)>,
    running: Arc<Semaphore>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Jobs {
    /// No jobs, at most `running` at once.
    pub(crate) fn new(running: usize) -> Jobs {
        Jobs {
            table: Mutex::new((0, VecDeque::new())),
            running: Arc::new(Semaphore::new(running)),
        }
    }

    fn find(&self, id: &str) -> Result<Arc<Mutex<JobStatus>>, ApiError> {
        let table = lock(&self.table);
        let found = table.1.iter().find(|j| lock(j).job == id).cloned();
        found.ok_or_else(|| {
            let known: Vec<String> = table.1.iter().map(|j| lock(j).job.clone()).collect();
            let known: Vec<&str> = known.iter().map(String::as_str).collect();
            ApiError::not_found("job", id, &known)
        })
    }

    /// A new running job, the oldest finished ones forgotten past
    /// [`KEPT`].
    fn add(&self, bytes_total: u64) -> Arc<Mutex<JobStatus>> {
        let mut table = lock(&self.table);
        table.0 += 1;
        let job = Arc::new(Mutex::new(JobStatus {
            job: format!("job-{}", table.0),
            state: JobState::Running,
            rows: 0,
            rejected: 0,
            bytes_read: 0,
            bytes_total,
            summary: None,
            error: None,
            result: None,
        }));
        table.1.push_back(job.clone());
        while table.1.len() > KEPT {
            let Some(at) = table
                .1
                .iter()
                .position(|j| lock(j).state != JobState::Running)
            else {
                break;
            };
            table.1.remove(at);
        }
        job
    }
}

/// The upload's query.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct Upload {
    /// The policy's id.
    policy: String,
    /// `csv` (a header of fact names) or `jsonl` (one JSON object a line).
    format: Format,
    /// The evaluation date (`2025-06-30`); as `decree batch`, none when
    /// absent.
    #[serde(default)]
    at: Option<String>,
}

/// The format of an upload.
#[derive(Deserialize, ToSchema, Clone, Copy)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Format {
    /// Comma-separated values.
    Csv,
    /// JSON Lines.
    Jsonl,
}

/// `/api/population`'s answer.
#[derive(Serialize, ToSchema)]
pub(crate) struct JobStarted {
    job: String,
}

/// Runs one job to its end, in the blocking task: the upload read from
/// its file, the result rows written to another.
fn run_job(
    policy: &decree::Policy,
    upload: std::fs::File,
    format: Format,
    options: decree::Options,
    job: &Mutex<JobStatus>,
) -> Result<(NamedTempFile, String), String> {
    let read = ReadOptions {
        name: "upload".into(),
        ..ReadOptions::default()
    };
    // Budgets read the upload once per pass: each pass reads it again
    // from its start (a clone shares the file's offset, and a pass's
    // reader is done with before the next is opened).
    let open = || -> Result<Box<dyn population::Source<'_> + '_>, decree::Diagnostics> {
        let mut file = upload.try_clone().map_err(reopen)?;
        file.rewind().map_err(reopen)?;
        let input = BufReader::new(file);
        Ok(match format {
            Format::Csv => Box::new(population::read::Csv::new(policy, input, &read)?.0),
            Format::Jsonl => Box::new(population::read::JsonLines::new(
                policy,
                input,
                read.clone(),
            )),
        })
    };
    let out = NamedTempFile::new().map_err(|e| format!("cannot keep the result: {e}"))?;
    let mut file = std::io::BufWriter::new(out);
    let writer = RowWriter::new(policy, &mut file, RowFormat::Csv, "result.csv", &[]);
    let mut sink = (writer, Summary::new(policy));
    let settings = Settings::lean(options);
    let ran = population::budget::run_with_budgets(open, &mut sink, &settings, |p| {
        let mut j = lock(job);
        j.rows = p.rows;
        j.rejected = p.rejected;
        j.bytes_read = p.bytes;
    });
    let (tally, budgets) = ran.map_err(|ds| message(&ds.0))?;
    sink.1.set_budgets(budgets);
    {
        let mut j = lock(job);
        j.rows = tally.rows;
        j.rejected = tally.rejected;
    }
    let summary = decree::report::json::summary(&sink.1);
    drop(sink);
    file.flush()
        .map_err(|e| format!("cannot keep the result: {e}"))?;
    let out = file
        .into_inner()
        .map_err(|e| format!("cannot keep the result: {e}"))?;
    Ok((out, summary))
}

/// Streams the request's body into an anonymous temporary file, refusing
/// it (413) past `max` bytes; the file, rewound, and its length.
async fn spool(body: axum::body::Body, max: usize) -> Result<(std::fs::File, u64), ApiError> {
    let cannot = |e: std::io::Error| ApiError::internal(format!("cannot keep the upload: {e}"));
    let file = tempfile::tempfile().map_err(cannot)?;
    let mut out = tokio::fs::File::from_std(file);
    let mut body = body;
    let mut total: u64 = 0;
    while let Some(frame) = body.frame().await {
        let frame =
            frame.map_err(|e| ApiError::bad_request(format!("the upload broke off: {e}")))?;
        let Ok(data) = frame.into_data() else {
            continue;
        };
        total += data.len() as u64;
        if total > max as u64 {
            drain(body, LINGER).await;
            return Err(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_large",
                format!("the upload is larger than {max} bytes"),
            )
            .help("the bound is --max-upload"));
        }
        tokio::io::AsyncWriteExt::write_all(&mut out, &data)
            .await
            .map_err(cannot)?;
    }
    tokio::io::AsyncWriteExt::flush(&mut out)
        .await
        .map_err(cannot)?;
    let mut file = out.into_std().await;
    file.rewind().map_err(cannot)?;
    Ok((file, total))
}

/// How much of a refused upload is read and dropped before the refusal is
/// sent. A client still sending when the server answers and closes meets a
/// broken pipe instead of the 413 that says why; reading on (up to this
/// much, then closing anyway) lets an ordinary client read the answer.
const LINGER: u64 = 16 << 20;

/// Reads and drops what is left of `body`, up to `limit` bytes.
async fn drain(mut body: axum::body::Body, limit: u64) {
    let mut seen: u64 = 0;
    while seen <= limit {
        match body.frame().await {
            Some(Ok(frame)) => {
                seen += frame.data_ref().map_or(0, |d| d.len() as u64);
            }
            _ => break,
        }
    }
}

/// The upload that cannot be read again for a budget's next pass.
fn reopen(e: std::io::Error) -> decree::Diagnostics {
    decree::Diagnostic::error(
        decree::Code::Io,
        format!("cannot read the upload again: {e}"),
    )
    .into()
}

fn message(ds: &[decree::Diagnostic]) -> String {
    ds.iter()
        .map(|d| d.message.as_str())
        .collect::<Vec<_>>()
        .join("; ")
}

/// `POST /api/population?policy={id}&format=csv|jsonl`
#[utoipa::path(post, path = "/api/population", tag = "population", params(Upload),
    request_body(content = String, description = "the population: CSV or JSON Lines", content_type = "text/csv"),
    responses((status = 202, body = JobStarted), (status = 400, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 413, body = ErrorBody),
              (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub(crate) async fn start(
    State(state): State<Shared>,
    query: Result<Query<Upload>, axum::extract::rejection::QueryRejection>,
    body: axum::body::Body,
) -> Result<Response, ApiError> {
    let Query(upload) = query?;
    let policy = state.policy(&upload.policy)?.policy.clone();
    let options = match &upload.at {
        Some(at) => crate::terminal::options_from(&policy, Some(at), &[])?.0,
        None => decree::Options::default(),
    };
    // The whole upload is read before the answer, a refusal included, so
    // that a client still sending its body reads the answer rather than a
    // broken connection; a refused upload's file goes at once.
    let (rows, bytes) = spool(body, state.bounds.max_upload).await?;
    let permit = state
        .jobs
        .running
        .clone()
        .try_acquire_owned()
        .map_err(|_| {
            ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "busy",
                "too many population jobs are running",
            )
            .help("wait for one to finish; the bound is --max-jobs")
        })?;
    let job = state.jobs.add(bytes);
    let id = lock(&job).job.clone();
    let format = upload.format;
    tokio::task::spawn_blocking(move || {
        let ran = run_job(&policy, rows, format, options, &job);
        let mut j = lock(&job);
        j.bytes_read = j.bytes_total;
        match ran {
            Ok((rows, summary)) => {
                j.state = JobState::Done;
                j.summary = serde_json::from_str(&summary).ok();
                j.result = Some(Arc::new(rows));
            }
            Err(e) => {
                j.state = JobState::Failed;
                j.error = Some(e);
            }
        }
        drop(permit);
    });
    Ok((StatusCode::ACCEPTED, axum::Json(JobStarted { job: id })).into_response())
}

/// `GET /api/population/{job}`
#[utoipa::path(get, path = "/api/population/{job}", tag = "population",
    params(("job" = String, Path, description = "the job's id")),
    responses((status = 200, body = JobStatus), (status = 404, body = ErrorBody)))]
pub(crate) async fn status(
    State(state): State<Shared>,
    Path(id): Path<String>,
) -> Result<axum::Json<JobStatus>, ApiError> {
    let job = state.jobs.find(&id)?;
    let status = lock(&job).clone();
    Ok(axum::Json(status))
}

/// `GET /api/population/{job}/result`
#[utoipa::path(get, path = "/api/population/{job}/result", tag = "population",
    params(("job" = String, Path, description = "the job's id")),
    responses((status = 200, description = "one CSV row per enterprise, as `decree batch --out x.csv`", content_type = "text/csv", body = String),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub(crate) async fn result(
    State(state): State<Shared>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let job = state.jobs.find(&id)?;
    let j = lock(&job);
    match (&j.result, j.state) {
        (Some(rows), _) => {
            // Each download reads the file afresh, from its start.
            let file = rows
                .reopen()
                .map_err(|e| ApiError::internal(format!("cannot read job `{id}`'s result: {e}")))?;
            let stream = tokio_util::io::ReaderStream::new(tokio::fs::File::from_std(file));
            Ok((
                [(header::CONTENT_TYPE, "text/csv; charset=utf-8")],
                axum::body::Body::from_stream(stream),
            )
                .into_response())
        }
        (None, JobState::Failed) => Err(ApiError::new(
            StatusCode::CONFLICT,
            "job_failed",
            format!(
                "job `{id}` failed: {}",
                j.error.as_deref().unwrap_or("no reason given")
            ),
        )),
        (None, _) => Err(ApiError::new(
            StatusCode::CONFLICT,
            "job_running",
            format!("job `{id}` is still running"),
        )
        .help("GET /api/population/{job} says when it is done")),
    }
}
