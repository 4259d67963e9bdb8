//! What the server loaded at start and shares between requests: the
//! policies and example facts files named on the command line (the only
//! files it ever reads), the configured population, the bounds on
//! concurrent work, and the population jobs.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use decree::ast::Program;
use decree::{Diagnostic, Policy, SourceFile};
use tokio::sync::Semaphore;

use super::errors::ApiError;
use super::jobs::Jobs;
use crate::terminal::{Failed, fail, read, read_source, report};

/// A policy served: its id (the file stem), its file, the checked policy
/// and the file as parsed (for the tests a diff compares).
pub(crate) struct Loaded {
    /// The file stem, e.g. `shenzhen-manufacturing-2020`.
    pub id: String,
    /// The path as named at start.
    pub file: String,
    /// The checked policy.
    pub policy: Arc<Policy>,
    /// The parsed file.
    pub program: Arc<Program>,
}

/// An example enterprise: a facts file named at start.
pub(crate) struct Example {
    /// The file stem.
    pub id: String,
    /// The path as named at start.
    pub file: String,
    /// Its text, under its path (whose extension says its format).
    pub source: SourceFile,
}

/// The bounds the server keeps.
#[derive(Debug, Clone)]
pub(crate) struct Bounds {
    /// Largest JSON request body, in bytes.
    pub max_json: usize,
    /// Largest population upload, in bytes.
    pub max_upload: usize,
    /// Longest one evaluation (or check, diff…) may take.
    pub eval_time: Duration,
    /// Limits on policy text sent in a request.
    pub limits: decree::Limits,
}

/// The state every handler sees.
pub(crate) struct State {
    /// Policies, by id, in the order named.
    pub policies: Vec<Loaded>,
    /// Example enterprises, by id.
    pub examples: Vec<Example>,
    /// The population `--population` named, for diffs' impact.
    pub population: Option<String>,
    /// Concurrent CPU work (evaluations, checks, diffs).
    pub work: Arc<Semaphore>,
    /// Population jobs.
    pub jobs: Jobs,
    /// Bounds.
    pub bounds: Bounds,
}

/// The shared state, as handlers take it.
pub(crate) type Shared = Arc<State>;

impl State {
    /// The policy `id`, or 404 with a "did you mean".
    pub(crate) fn policy(&self, id: &str) -> Result<&Loaded, ApiError> {
        self.policies.iter().find(|p| p.id == id).ok_or_else(|| {
            let known: Vec<&str> = self.policies.iter().map(|p| p.id.as_str()).collect();
            ApiError::not_found("policy", id, &known)
        })
    }

    /// The example `id`, or 404 with a "did you mean".
    pub(crate) fn example(&self, id: &str) -> Result<&Example, ApiError> {
        self.examples.iter().find(|e| e.id == id).ok_or_else(|| {
            let known: Vec<&str> = self.examples.iter().map(|e| e.id.as_str()).collect();
            ApiError::not_found("example", id, &known)
        })
    }
}

/// A file's stem: its id.
fn stem(path: &str) -> String {
    Path::new(path)
        .file_stem()
        .map_or_else(|| path.to_string(), |s| s.to_string_lossy().into_owned())
}

/// The policy files among `paths` (files and folders; files of tests,
/// `*.test.decree`, are not policies), loaded. Any that does not check is
/// reported and the server does not start.
pub(crate) fn load_policies(paths: &[String]) -> Result<Vec<Loaded>, Failed> {
    let files = crate::paths::decree_files(paths)?;
    let mut loaded: Vec<Loaded> = Vec::new();
    let mut failed = false;
    for file in files.into_iter().filter(|f| !f.ends_with(".test.decree")) {
        let src = read(&file)?;
        let parsed = decree::syntax::parse(&src, &decree::Limits::default())
            .and_then(|program| Ok((decree::check_program(&src, &program)?, program)));
        match parsed {
            Ok((policy, program)) => {
                report(&policy.warnings);
                let id = stem(&file);
                if loaded.iter().any(|l| l.id == id) {
                    report(&[Diagnostic::error(
                        decree::Code::Duplicate,
                        format!("two policies have the id `{id}`: `{file}` is left out"),
                    )]);
                    continue;
                }
                loaded.push(Loaded {
                    id,
                    file,
                    policy: Arc::new(policy),
                    program: Arc::new(program),
                });
            }
            Err(ds) => {
                fail(ds);
                failed = true;
            }
        }
    }
    if failed { Err(Failed) } else { Ok(loaded) }
}

/// The facts files named by `paths` (files, or folders of them).
pub(crate) fn load_examples(paths: &[String]) -> Result<Vec<Example>, Failed> {
    let mut examples: Vec<Example> = Vec::new();
    for p in paths {
        let files = if Path::new(p).is_dir() {
            crate::terminal::facts_files(p).map_err(|d| fail(d.into()))?
        } else {
            vec![p.clone()]
        };
        for file in files {
            let source = read_source(&file).map_err(|d| fail(d.into()))?;
            decree::facts::format_of(&source).map_err(|d| fail(d.into()))?;
            let id = stem(&file);
            if examples.iter().any(|e| e.id == id) {
                continue;
            }
            examples.push(Example { id, file, source });
        }
    }
    Ok(examples)
}
