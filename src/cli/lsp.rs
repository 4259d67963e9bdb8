//! `decree lsp`: a language server on standard input and output.
//!
//! A thin layer: it keeps the open documents as [`decree::service::Document`]s,
//! turns the protocol's requests into the service's questions and its
//! answers back into protocol types, and reads the policies that files of
//! tests include (the library opens no file). Documents are named by their
//! URIs, so every location the service answers is already a URI.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use decree::SourceFile;
use decree::service::{self, Document, Included};
use tower_lsp_server::gen_lsp_types as lsp;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::{Client, LanguageServer, LspService, Server};

use crate::terminal::Failed;

/// Run the language server (Language Server Protocol on stdin/stdout).
#[derive(clap::Args)]
pub(crate) struct Args {
    /// Accepted for editors that pass it; stdio is the only transport.
    #[arg(long)]
    stdio: bool,
}

/// Runs `decree lsp` until the client says `exit`.
pub(crate) fn run(_args: Args) -> std::result::Result<(), Failed> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .map_err(|e| {
            eprintln!("decree lsp: cannot start: {e}");
            Failed
        })?;
    runtime.block_on(async {
        let (service, socket) = LspService::new(|client| Backend {
            client,
            docs: Mutex::default(),
            facts: Mutex::default(),
            roots: Mutex::default(),
            outlines: Mutex::default(),
            refreshes: Mutex::default(),
            date: Mutex::new(Some(jiff::Zoned::now().date())),
        });
        // The protocol library stops reading at the first message it cannot
        // decode, so messages pass through `sanitise` first.
        let (input, feed) = tokio::io::duplex(1 << 16);
        tokio::spawn(sanitise(tokio::io::stdin(), feed));
        Server::new(input, tokio::io::stdout(), socket)
            .serve(service)
            .await;
    });
    // Reading stdin blocks a thread the runtime would wait for on drop; the
    // client has said `exit`, so nothing is left to wait for.
    runtime.shutdown_background();
    Ok(())
}

/// The largest message read; a longer one is skipped (a policy that long is
/// far past the parser's size limit anyway).
const MAX_MESSAGE: usize = 128 << 20;

/// Copies framed messages from `input` to `out`, so that no message can stop
/// the server: a body that is not UTF-8 is read with U+FFFD in place of its
/// bad bytes, and one that is no JSON-RPC message at all (or is too long) is
/// replaced by a notification the server ignores. Headers other than
/// `Content-Length` are dropped.
async fn sanitise(input: impl tokio::io::AsyncRead + Unpin, mut out: tokio::io::DuplexStream) {
    use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};
    let mut r = tokio::io::BufReader::new(input);
    loop {
        let mut length: Option<usize> = None;
        loop {
            let mut line = Vec::new();
            if r.read_until(b'\n', &mut line).await.unwrap_or(0) == 0 {
                return; // the client closed its end
            }
            let line = String::from_utf8_lossy(&line);
            let line = line.trim();
            if line.is_empty() {
                break;
            }
            if let Some((key, value)) = line.split_once(':') {
                if key.trim().eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse().ok();
                }
            }
        }
        let Some(n) = length else { continue };
        let body = if n > MAX_MESSAGE {
            let skipped =
                tokio::io::copy(&mut (&mut r).take(n as u64), &mut tokio::io::sink()).await;
            if skipped.is_err() {
                return;
            }
            IGNORED.to_string()
        } else {
            let mut body = vec![0; n];
            if r.read_exact(&mut body).await.is_err() {
                return;
            }
            readable(&body)
        };
        let framed = format!("Content-Length: {}\r\n\r\n{body}", body.len());
        if out.write_all(framed.as_bytes()).await.is_err() {
            return;
        }
    }
}

/// A notification the server ignores (`$/` methods are optional).
const IGNORED: &str = r#"{"jsonrpc":"2.0","method":"$/decree/unreadableMessage"}"#;

/// A message body the protocol library can decode: as it came, with bad
/// UTF-8 replaced, or [`IGNORED`] if it is no JSON-RPC message.
fn readable(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body).into_owned();
    let Ok(serde_json::Value::Object(m)) = serde_json::from_str::<serde_json::Value>(&text) else {
        return IGNORED.to_string();
    };
    let id_ok = m
        .get("id")
        .is_none_or(|id| id.is_null() || id.is_i64() || id.is_u64() || id.is_string());
    let params_ok = m
        .get("params")
        .is_none_or(|p| p.is_object() || p.is_array() || p.is_null());
    let request = m.get("method").is_some_and(serde_json::Value::is_string);
    let response = m.contains_key("id") && (m.contains_key("result") || m.contains_key("error"));
    let version = m.get("jsonrpc").is_some_and(|v| v == "2.0");
    if version && id_ok && params_ok && (request || response) {
        text
    } else {
        IGNORED.to_string()
    }
}

/// The server: the client to notify, and the open documents by URI.
struct Backend {
    client: Client,
    docs: Mutex<HashMap<String, Document>>,
    /// The facts file whose values the inlay hints show, once selected
    /// (`initializationOptions.exampleFacts` or `decree.selectFacts PATH`).
    facts: Mutex<Option<SourceFile>>,
    /// The workspace's folders, whose `.decree` files workspace symbols
    /// search as well as the open documents.
    roots: Mutex<Vec<std::path::PathBuf>>,
    /// The outlines of the workspace's files that are not open, by path,
    /// with the modification time they were read at.
    outlines: Mutex<HashMap<String, (std::time::SystemTime, Vec<service::Symbol>)>>,
    /// What the client can be asked to refresh when the example changes.
    refreshes: Mutex<Refreshes>,
    /// The date the example is evaluated at: today, as `decree eval`
    /// takes it, or `initializationOptions.evaluationDate`.
    date: Mutex<Option<jiff::civil::Date>>,
}

/// The client's `refreshSupport`s the server uses.
#[derive(Debug, Clone, Copy, Default)]
struct Refreshes {
    /// `workspace.inlayHint.refreshSupport`.
    inlay_hints: bool,
    /// `workspace.codeLens.refreshSupport`.
    code_lenses: bool,
}

/// Takes over a lock a panic elsewhere poisoned, rather than spread it.
fn locked<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Backend {
    /// The open documents; a poisoned lock (a panic elsewhere) is taken
    /// over rather than spread.
    fn docs(&self) -> MutexGuard<'_, HashMap<String, Document>> {
        locked(&self.docs)
    }

    /// Selects the facts file of the inlay hints: a path or a `file:` URI.
    /// A file that cannot be read is said to the user and selects nothing.
    async fn select_facts(&self, path: &str) -> bool {
        let path = file_path(path).unwrap_or_else(|| path.into());
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                let name = path.to_string_lossy().into_owned();
                *locked(&self.facts) = Some(SourceFile::new(name, text));
                self.refresh_example_views();
                true
            }
            Err(e) => {
                let message = format!("cannot read the facts file `{}`: {e}", path.display());
                self.client
                    .show_message(lsp::MessageType::Error, message)
                    .await;
                false
            }
        }
    }

    /// Asks the client to show the inlay hints and lenses again, which
    /// depend on the example, where it says it can. Not awaited: the
    /// command that changed the example answers at once.
    fn refresh_example_views(&self) {
        let can = *locked(&self.refreshes);
        if can.inlay_hints {
            let client = self.client.clone();
            tokio::spawn(async move { client.inlay_hint_refresh().await });
        }
        if can.code_lenses {
            let client = self.client.clone();
            tokio::spawn(async move { client.code_lens_refresh().await });
        }
    }

    /// The selected example enterprise's facts file, if any.
    fn example(&self) -> Option<SourceFile> {
        locked(&self.facts).clone()
    }

    /// The outlines of the workspace's `.decree` files that are not open,
    /// each under its URI; a file is read again only when it has changed.
    fn workspace_outlines(&self, open: &[String]) -> Vec<(String, Vec<service::Symbol>)> {
        let roots = locked(&self.roots).clone();
        let mut cache = locked(&self.outlines);
        let mut out = Vec::new();
        for root in roots {
            for path in crate::paths::decree_files_under(&root).unwrap_or_default() {
                let uri = file_uri(std::path::Path::new(&path));
                if open.contains(&uri) {
                    continue;
                }
                let Ok(modified) = std::fs::metadata(&path).and_then(|m| m.modified()) else {
                    continue;
                };
                let fresh = cache.get(&path).is_some_and(|(at, _)| *at == modified);
                if !fresh {
                    let text = std::fs::read(&path).unwrap_or_default();
                    let outline = service::outline_of(&String::from_utf8_lossy(&text));
                    cache.insert(path.clone(), (modified, outline));
                }
                if let Some((_, outline)) = cache.get(&path) {
                    out.push((uri, outline.clone()));
                }
            }
        }
        out
    }

    /// Answers `f` about the open document `uri` (`None` if it is not open).
    fn with_doc<T>(&self, uri: &lsp::Uri, f: impl FnOnce(&Document) -> Option<T>) -> Option<T> {
        self.docs().get(&uri.0).and_then(f)
    }

    /// `found` (the places of the name at `at` in document `uri` and its
    /// policy) with its places in the other files that include the same
    /// policy, each place once.
    fn with_elsewhere(
        &self,
        uri: &lsp::Uri,
        at: service::Position,
        mut found: Vec<service::Location>,
    ) -> Vec<service::Location> {
        let asked = self.with_doc(uri, |d| {
            Some((d.name_at(at)?.to_string(), d.policy_file()?.to_string()))
        });
        if let Some((name, policy_file)) = asked {
            for l in self.uses_elsewhere(&uri.0, &policy_file, &name) {
                if !found.contains(&l) {
                    found.push(l);
                }
            }
        }
        found
    }

    /// The places `name` of policy `policy_file` is written in the other
    /// files that include that policy: the open documents, and the
    /// workspace's files that are not open (read from disk). Not in
    /// `except` (the document asked about), nor in the policy itself.
    fn uses_elsewhere(
        &self,
        except: &str,
        policy_file: &str,
        name: &str,
    ) -> Vec<service::Location> {
        let docs = self.docs();
        let mut out = Vec::new();
        let related = |d: &Document| {
            d.name() != except && d.name() != policy_file && d.policy_file() == Some(policy_file)
        };
        for d in docs.values().filter(|d| related(d)) {
            out.extend(d.uses_of(name));
        }
        let open: std::collections::HashSet<String> = docs.keys().cloned().collect();
        drop(docs);
        // Only a file that names the policy's file can include it.
        let file_name = policy_file.rsplit('/').next().unwrap_or(policy_file);
        for root in locked(&self.roots).clone() {
            for path in crate::paths::decree_files_under(&root).unwrap_or_default() {
                let uri = file_uri(std::path::Path::new(&path));
                if open.contains(&uri) || uri == except || uri == policy_file {
                    continue;
                }
                let Ok(text) = std::fs::read_to_string(&path) else {
                    continue;
                };
                if !text.contains(file_name) {
                    continue;
                }
                // Parsed only, its tests not run: whether it includes the
                // policy, and where it writes the name.
                let Some(included) = service::included_by(&text) else {
                    continue;
                };
                if included_uri(&uri, &included).as_deref() == Some(policy_file) {
                    out.extend(service::uses_in(&uri, &text, name));
                }
            }
        }
        out
    }

    /// `decree.runTests URI [TEST]`: how the file's tests (or the one test
    /// named) went, said to the user and answered.
    async fn run_tests(&self, args: &[serde_json::Value]) -> Result<Option<lsp::LspAny>> {
        let uri = args
            .first()
            .and_then(|a| a.as_str())
            .map(|u| lsp::Uri(u.to_string()));
        let test = args.get(1).and_then(|a| a.as_str());
        let Some(summary) = uri
            .as_ref()
            .and_then(|u| self.with_doc(u, |d| d.tests().cloned()))
        else {
            return Ok(None);
        };
        let (message, answer, failed) = match test {
            Some(name) => {
                let Some(t) = summary.each.iter().find(|t| t.name == name) else {
                    return Err(invalid(format!("no test `{name}` in this file")));
                };
                let word = if t.passed { "passed" } else { "failed" };
                let answer = serde_json::json!({"test": name, "passed": t.passed});
                (format!("{name}: {word}"), answer, !t.passed)
            }
            None => {
                let passed = summary.tests - summary.failed;
                let answer = serde_json::json!(
                    {"tests": summary.tests, "passed": passed, "failed": summary.failed}
                );
                let message = format!("{passed} passed, {} failed", summary.failed);
                (message, answer, summary.failed > 0)
            }
        };
        let kind = if failed {
            lsp::MessageType::Warning
        } else {
            lsp::MessageType::Info
        };
        self.client.show_message(kind, &message).await;
        Ok(Some(answer))
    }

    /// `decree.evaluate URI MEASURE`: the measure's items for the example
    /// enterprise, said to the user in a line and answered as a list.
    async fn evaluate(&self, args: &[serde_json::Value]) -> Result<Option<lsp::LspAny>> {
        let uri = args
            .first()
            .and_then(|a| a.as_str())
            .map(|u| lsp::Uri(u.to_string()));
        let number = args.get(1).and_then(serde_json::Value::as_u64);
        let (Some(uri), Some(number)) = (uri, number.and_then(|n| u32::try_from(n).ok())) else {
            return Err(invalid(
                "give the document and the measure: decree.evaluate URI NUMBER",
            ));
        };
        let Some(facts) = self.example() else {
            return Err(invalid(
                "choose an example enterprise first (decree.selectFacts PATH)",
            ));
        };
        let items = match self.with_doc(&uri, |d| Some(d.measure_on(number, &facts))) {
            None | Some(Ok(None)) => return Ok(None),
            Some(Err(why)) => return Err(invalid(why)),
            Some(Ok(Some(items))) => items,
        };
        let said: Vec<String> = items
            .iter()
            .map(|i| {
                let name = i.label.as_deref().unwrap_or(&i.name);
                match (i.value.is_empty(), i.why.is_empty()) {
                    (false, _) => format!("{name} {}", i.value),
                    (true, false) => format!("{name}: {} ({})", i.status.as_str(), i.why),
                    (true, true) => format!("{name}: {}", i.status.as_str()),
                }
            })
            .collect();
        let example = service::example_name(&facts);
        let message = format!("measure {number} on {example}: {}", said.join("; "));
        self.client
            .show_message(lsp::MessageType::Info, &message)
            .await;
        let answer: Vec<serde_json::Value> = items
            .iter()
            .map(|i| {
                serde_json::json!({
                    "name": i.name, "label": i.label, "status": i.status.as_str(),
                    "value": i.value, "why": i.why,
                })
            })
            .collect();
        Ok(Some(answer.into()))
    }

    /// Opens, replaces or edits a document, then publishes its problems.
    async fn analysed(
        &self,
        uri: lsp::Uri,
        version: i32,
        change: impl FnOnce(&mut Option<Document>, &dyn Fn(&str) -> Included),
    ) {
        let diagnostics = {
            let mut docs = self.docs();
            let open: HashMap<String, SourceFile> = docs
                .iter()
                .map(|(u, d)| (u.clone(), d.source().clone()))
                .collect();
            let include = |path: &str| read_included(&uri.0, path, &open);
            let mut doc = docs.remove(&uri.0);
            change(&mut doc, &include);
            let diagnostics = doc.as_ref().map(|d| diagnostics(&uri, d));
            if let Some(d) = doc {
                docs.insert(uri.0.clone(), d);
            }
            diagnostics
        };
        if let Some(diagnostics) = diagnostics {
            self.client
                .publish_diagnostics(uri, diagnostics, Some(version))
                .await;
        }
    }
}

impl LanguageServer for Backend {
    async fn initialize(&self, p: lsp::InitializeParams) -> Result<lsp::InitializeResult> {
        let workspace = p.capabilities.workspace.as_ref();
        *locked(&self.refreshes) = Refreshes {
            inlay_hints: workspace
                .and_then(|w| w.inlay_hint.as_ref())
                .and_then(|h| h.refresh_support)
                .unwrap_or(false),
            code_lenses: workspace
                .and_then(|w| w.code_lens.as_ref())
                .and_then(|c| c.refresh_support)
                .unwrap_or(false),
        };
        let facts = p
            .initialization_options
            .as_ref()
            .and_then(|o| o.get("exampleFacts"))
            .and_then(|f| f.as_str());
        if let Some(path) = facts {
            self.select_facts(path).await;
        }
        let date = p
            .initialization_options
            .as_ref()
            .and_then(|o| o.get("evaluationDate"))
            .and_then(|d| d.as_str())
            .and_then(|d| d.parse::<jiff::civil::Date>().ok());
        if let Some(date) = date {
            *locked(&self.date) = Some(date);
        }
        *locked(&self.roots) = workspace_roots(&p);
        Ok(lsp::InitializeResult {
            capabilities: capabilities(),
            server_info: Some(lsp::ServerInfo {
                name: "decree".to_string(),
                version: Some(env!("CARGO_PKG_VERSION").to_string()),
            }),
        })
    }

    async fn shutdown(&self) -> Result<()> {
        Ok(())
    }

    async fn did_open(&self, p: lsp::DidOpenTextDocumentParams) {
        let item = p.text_document;
        let uri = item.uri.clone();
        self.analysed(item.uri, item.version, |doc, include| {
            let mut opened = Document::new(&uri.0, &item.text, include);
            opened.set_example_date(*locked(&self.date));
            *doc = Some(opened);
        })
        .await;
    }

    async fn did_change(&self, p: lsp::DidChangeTextDocumentParams) {
        let version = p.text_document.version;
        let uri = p.text_document.text_document_identifier.uri;
        self.analysed(uri, version, |doc, include| {
            let Some(doc) = doc else { return };
            for change in p.content_changes {
                match change {
                    lsp::TextDocumentContentChangeEvent::TextDocumentContentChangePartial(c) => {
                        doc.edit(range_from(c.range), &c.text, include);
                    }
                    lsp::TextDocumentContentChangeEvent::TextDocumentContentChangeWholeDocument(
                        c,
                    ) => {
                        doc.update(&c.text, include);
                    }
                }
            }
        })
        .await;
    }

    async fn did_close(&self, p: lsp::DidCloseTextDocumentParams) {
        let uri = p.text_document.uri;
        self.docs().remove(&uri.0);
        // Its problems go with it.
        self.client.publish_diagnostics(uri, Vec::new(), None).await;
    }

    async fn hover(&self, p: lsp::HoverParams) -> Result<Option<lsp::Hover>> {
        let at = p.text_document_position_params;
        let example = self.example();
        Ok(self.with_doc(&at.text_document.uri, |d| {
            let h = d.hover(position_from(at.position), example.as_ref())?;
            Some(lsp::Hover {
                contents: lsp::MarkupContent {
                    kind: lsp::MarkupKind::Markdown,
                    value: h.markdown,
                }
                .into(),
                range: Some(range_to(h.range)),
            })
        }))
    }

    async fn goto_definition(
        &self,
        p: lsp::DefinitionParams,
    ) -> Result<Option<lsp::DefinitionResponse>> {
        let at = p.text_document_position_params;
        Ok(self.with_doc(&at.text_document.uri, |d| {
            let l = d.definition(position_from(at.position))?;
            Some(lsp::Definition::from(location_to(l)).into())
        }))
    }

    /// Every use of a name: in this document, the policy it includes, and
    /// the other files that include the same policy.
    async fn references(&self, p: lsp::ReferenceParams) -> Result<Option<Vec<lsp::Location>>> {
        let at = p.text_document_position_params;
        let with_declaration = p.context.include_declaration;
        let uri = at.text_document.uri;
        let position = position_from(at.position);
        let Some((found, _)) = self.with_doc(&uri, |d| {
            Some((d.references(position, with_declaration), ()))
        }) else {
            return Ok(None);
        };
        let found = self.with_elsewhere(&uri, position, found);
        Ok(Some(found.into_iter().map(location_to).collect()))
    }

    async fn document_symbol(
        &self,
        p: lsp::DocumentSymbolParams,
    ) -> Result<Option<lsp::DocumentSymbolResponse>> {
        Ok(self.with_doc(&p.text_document.uri, |d| {
            let symbols: Vec<lsp::DocumentSymbol> =
                d.symbols().into_iter().map(symbol_to).collect();
            Some(symbols.into())
        }))
    }

    async fn completion(
        &self,
        p: lsp::CompletionParams,
    ) -> Result<Option<lsp::CompletionResponse>> {
        let at = p.text_document_position_params;
        Ok(self.with_doc(&at.text_document.uri, |d| {
            let items: Vec<lsp::CompletionItem> = d
                .completions(position_from(at.position))
                .into_iter()
                .map(completion_to)
                .collect();
            Some(items.into())
        }))
    }

    async fn folding_range(
        &self,
        p: lsp::FoldingRangeParams,
    ) -> Result<Option<Vec<lsp::FoldingRange>>> {
        Ok(self.with_doc(&p.text_document.uri, |d| {
            let folds = d.folds().into_iter().map(|f| lsp::FoldingRange {
                start_line: f.start_line,
                end_line: f.end_line,
                ..Default::default()
            });
            Some(folds.collect())
        }))
    }

    async fn rename(&self, p: lsp::RenameParams) -> Result<Option<lsp::WorkspaceEdit>> {
        let at = p.text_document_position_params;
        let places = self.with_doc(&at.text_document.uri, |d| {
            Some(d.rename(position_from(at.position), &p.new_name))
        });
        let places = match places {
            None => return Ok(None),
            Some(Err(why)) => return Err(tower_lsp_server::jsonrpc::Error::invalid_params(why)),
            Some(Ok(places)) => places,
        };
        let places = self.with_elsewhere(&at.text_document.uri, position_from(at.position), places);
        let mut changes: HashMap<lsp::Uri, Vec<lsp::TextEdit>> = HashMap::new();
        for l in places {
            changes
                .entry(lsp::Uri(l.file.to_string()))
                .or_default()
                .push(lsp::TextEdit {
                    range: range_to(l.range),
                    new_text: p.new_name.clone(),
                });
        }
        Ok(Some(lsp::WorkspaceEdit {
            changes: Some(changes),
            ..Default::default()
        }))
    }

    /// Lenses: "▶ run N tests" at the top of a file of tests and one above
    /// each test (how it went); "▶ evaluate on EXAMPLE" above each measure
    /// of a policy, or "choose an example enterprise" while none is chosen.
    async fn code_lens(&self, p: lsp::CodeLensParams) -> Result<Option<Vec<lsp::CodeLens>>> {
        let uri = p.text_document.uri;
        let example = self.example();
        Ok(self.with_doc(&uri, |d| {
            let mut lenses = Vec::new();
            let arg = |v: serde_json::Value| vec![serde_json::Value::String(uri.0.clone()), v];
            if let Some(t) = d.tests() {
                let top = lsp::Range::default();
                lenses.push(lens(
                    top,
                    tests_title(t),
                    RUN_TESTS,
                    vec![uri.0.clone().into()],
                ));
                for each in &t.each {
                    let title = if each.passed {
                        "✓ passed"
                    } else {
                        "✗ failed"
                    };
                    let args = arg(each.name.clone().into());
                    lenses.push(lens(range_to(each.range), title.into(), RUN_TESTS, args));
                }
            }
            for m in d.measures() {
                let range = range_to(m.range);
                lenses.push(match &example {
                    Some(facts) => {
                        let title = format!("▶ evaluate on {}", service::example_name(facts));
                        lens(range, title, EVALUATE, arg(m.number.into()))
                    }
                    None => lens(
                        range,
                        "choose an example enterprise".into(),
                        SELECT_FACTS,
                        vec![],
                    ),
                });
            }
            Some(lenses)
        }))
    }

    /// `decree.runTests URI [TEST]`: the file's tests are run on every
    /// change already, so running them is saying how they went;
    /// `decree.evaluate URI MEASURE`: the measure's items for the example
    /// enterprise; `decree.selectFacts PATH`: choose the example.
    async fn execute_command(&self, p: lsp::ExecuteCommandParams) -> Result<Option<lsp::LspAny>> {
        let args = p.arguments.unwrap_or_default();
        match p.command.as_str() {
            SELECT_FACTS => {
                let Some(path) = args.first().and_then(|a| a.as_str()) else {
                    return Err(invalid(
                        "give the facts file's path: decree.selectFacts PATH",
                    ));
                };
                let selected = self.select_facts(path).await;
                Ok(Some(serde_json::Value::Bool(selected)))
            }
            RUN_TESTS => self.run_tests(&args).await,
            EVALUATE => self.evaluate(&args).await,
            other => Err(invalid(format!("no command `{other}`"))),
        }
    }

    async fn inlay_hint(&self, p: lsp::InlayHintParams) -> Result<Option<Vec<lsp::InlayHint>>> {
        let Some(facts) = self.example() else {
            return Ok(None);
        };
        let hints = self.with_doc(&p.text_document.uri, |d| Some(d.amounts(&facts)));
        match hints {
            None => Ok(None),
            Some(Err(why)) => {
                self.client
                    .show_message(lsp::MessageType::Warning, why)
                    .await;
                Ok(None)
            }
            Some(Ok(hints)) => Ok(Some(
                hints
                    .into_iter()
                    .map(|h| lsp::InlayHint {
                        position: lsp::Position {
                            line: h.position.line,
                            character: h.position.character,
                        },
                        label: lsp::Label::String(h.label),
                        kind: None,
                        text_edits: None,
                        tooltip: None,
                        padding_left: Some(true),
                        padding_right: None,
                        data: None,
                    })
                    .collect(),
            )),
        }
    }

    async fn semantic_tokens_full(
        &self,
        p: lsp::SemanticTokensParams,
    ) -> Result<Option<lsp::SemanticTokens>> {
        Ok(self.with_doc(&p.text_document.uri, |d| {
            let tokens = semantic_tokens(d);
            Some(lsp::SemanticTokens {
                result_id: None,
                data: tokens,
            })
        }))
    }

    async fn formatting(
        &self,
        p: lsp::DocumentFormattingParams,
    ) -> Result<Option<Vec<lsp::TextEdit>>> {
        Ok(self.with_doc(&p.text_document.uri, |d| edits_to(d.format_edits(None))))
    }

    async fn range_formatting(
        &self,
        p: lsp::DocumentRangeFormattingParams,
    ) -> Result<Option<Vec<lsp::TextEdit>>> {
        let within = range_from(p.range);
        Ok(self.with_doc(&p.text_document.uri, |d| {
            edits_to(d.format_edits(Some(within)))
        }))
    }

    /// The symbols of the open documents and of the workspace's other
    /// `.decree` files whose name or label holds the query.
    async fn symbol(
        &self,
        p: lsp::WorkspaceSymbolParams,
    ) -> Result<Option<lsp::WorkspaceSymbolResponse>> {
        let mut outlines: Vec<(String, Vec<service::Symbol>)> = self
            .docs()
            .iter()
            .map(|(uri, d)| (uri.clone(), d.symbols()))
            .collect();
        outlines.sort_by(|a, b| a.0.cmp(&b.0));
        let open: Vec<String> = outlines.iter().map(|(u, _)| u.clone()).collect();
        outlines.extend(self.workspace_outlines(&open));
        let mut found = Vec::new();
        for (uri, outline) in &outlines {
            for (s, within) in service::matching(outline, &p.query) {
                if found.len() == MAX_SYMBOLS {
                    break;
                }
                found.push(lsp::WorkspaceSymbol {
                    location: lsp::Location {
                        uri: lsp::Uri(uri.clone()),
                        range: range_to(s.selection),
                    }
                    .into(),
                    data: None,
                    base_symbol_information: lsp::BaseSymbolInformation {
                        name: s.name.clone(),
                        kind: symbol_kind(s.kind),
                        tags: None,
                        container_name: within.map(str::to_string),
                    },
                });
            }
        }
        Ok(Some(found.into()))
    }
}

/// The most workspace symbols one answer holds (a client asks again as
/// the user types more of the query).
const MAX_SYMBOLS: usize = 1000;

/// The formatter's edits as the protocol's (`None`: the text does not parse).
fn edits_to(edits: Option<Vec<service::Edit>>) -> Option<Vec<lsp::TextEdit>> {
    let edits = edits?.into_iter().map(|e| lsp::TextEdit {
        range: range_to(e.range),
        new_text: e.text,
    });
    Some(edits.collect())
}

/// The folders of the workspace the client names (its folders, or else
/// its root), as paths.
fn workspace_roots(p: &lsp::InitializeParams) -> Vec<std::path::PathBuf> {
    let folders = match &p.workspace_folders_initialize_params.workspace_folders {
        Some(lsp::WorkspaceFolders::WorkspaceFolderList(list)) => {
            list.iter().filter_map(|f| file_path(&f.uri.0)).collect()
        }
        _ => Vec::new(),
    };
    if !folders.is_empty() {
        return folders;
    }
    #[allow(deprecated)] // the root is what older clients send
    let root = p.root_uri.as_ref().and_then(|u| file_path(&u.0));
    root.into_iter().collect()
}

/// The command of the tests' lens.
const RUN_TESTS: &str = "decree.runTests";

/// The command that selects the facts file of the inlay hints.
const SELECT_FACTS: &str = "decree.selectFacts";

/// The command of a measure's lens: its items for the example enterprise.
const EVALUATE: &str = "decree.evaluate";

/// A lens at `range` that runs `command` with `arguments`.
fn lens(
    range: lsp::Range,
    title: String,
    command: &str,
    arguments: Vec<serde_json::Value>,
) -> lsp::CodeLens {
    lsp::CodeLens {
        range,
        command: Some(lsp::Command {
            title,
            command: command.to_string(),
            arguments: Some(arguments),
            ..Default::default()
        }),
        data: None,
    }
}

/// A request's parameters the server cannot take, and why.
fn invalid(why: impl Into<String>) -> tower_lsp_server::jsonrpc::Error {
    tower_lsp_server::jsonrpc::Error::invalid_params(why.into())
}

/// The lens's title: "run 3 tests", with the failures when there are some.
fn tests_title(t: &service::TestSummary) -> String {
    let tests = if t.tests == 1 {
        "1 test".to_string()
    } else {
        format!("{} tests", t.tests)
    };
    match t.failed {
        0 => format!("▶ run {tests}"),
        n => format!("▶ run {tests} ({n} failing)"),
    }
}

/// The semantic token types, in the order of [`token_type`]'s numbers.
const TOKEN_TYPES: &[&str] = &[
    "comment",
    "string",
    "keyword",
    "number",
    "variable",
    "parameter",
    "function",
    "enum",
    "enumMember",
];

/// A highlight class's index in [`TOKEN_TYPES`].
fn token_type(c: service::Class) -> u32 {
    use service::Class as C;
    match c {
        C::Comment => 0,
        C::Text => 1,
        C::Keyword => 2,
        C::Number => 3,
        C::Fact => 4,
        C::Param => 5,
        C::Item => 6,
        C::Enum => 7,
        C::EnumValue => 8,
    }
}

/// A document's highlights, encoded as the protocol wants: each token's
/// line and start relative to the previous token's.
fn semantic_tokens(d: &Document) -> Vec<lsp::SemanticToken> {
    let mut previous = service::Position::default();
    let mut out = Vec::new();
    for h in d.highlights() {
        let start = h.range.start;
        let delta_line = start.line.saturating_sub(previous.line);
        let delta_start = if delta_line == 0 {
            start.character.saturating_sub(previous.character)
        } else {
            start.character
        };
        out.push(lsp::SemanticToken {
            delta_line,
            delta_start,
            length: h.range.end.character.saturating_sub(start.character),
            token_type: token_type(h.class),
            token_modifiers_bitset: 0,
        });
        previous = start;
    }
    out
}

/// What the server can do.
fn capabilities() -> lsp::ServerCapabilities {
    lsp::ServerCapabilities {
        position_encoding: Some(lsp::PositionEncodingKind::UTF16),
        text_document_sync: Some(
            lsp::TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(lsp::TextDocumentSyncKind::Incremental),
                ..Default::default()
            }
            .into(),
        ),
        hover_provider: Some(true.into()),
        definition_provider: Some(true.into()),
        references_provider: Some(true.into()),
        document_symbol_provider: Some(true.into()),
        document_formatting_provider: Some(true.into()),
        document_range_formatting_provider: Some(true.into()),
        workspace_symbol_provider: Some(true.into()),
        completion_provider: Some(lsp::CompletionOptions::default()),
        folding_range_provider: Some(true.into()),
        rename_provider: Some(true.into()),
        code_lens_provider: Some(lsp::CodeLensOptions::default()),
        inlay_hint_provider: Some(true.into()),
        semantic_tokens_provider: Some(
            lsp::SemanticTokensOptions {
                legend: lsp::SemanticTokensLegend {
                    token_types: TOKEN_TYPES.iter().map(|t| (*t).to_string()).collect(),
                    token_modifiers: Vec::new(),
                },
                full: Some(true.into()),
                ..Default::default()
            }
            .into(),
        ),
        execute_command_provider: Some(lsp::ExecuteCommandOptions {
            commands: [RUN_TESTS, EVALUATE, SELECT_FACTS]
                .map(String::from)
                .to_vec(),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// A document's problems as protocol diagnostics.
fn diagnostics(uri: &lsp::Uri, doc: &Document) -> Vec<lsp::Diagnostic> {
    doc.problems()
        .iter()
        .map(|p| {
            let message = match &p.help {
                Some(help) => format!("{}\nhelp: {help}", p.message),
                None => p.message.clone(),
            };
            let related = p
                .related
                .iter()
                .map(|r| lsp::DiagnosticRelatedInformation {
                    location: lsp::Location {
                        uri: uri.clone(),
                        range: range_to(r.range),
                    },
                    message: r.message.clone(),
                })
                .collect::<Vec<_>>();
            lsp::Diagnostic {
                range: range_to(p.range),
                severity: Some(match p.severity {
                    decree::diagnostic::Severity::Error => lsp::DiagnosticSeverity::Error,
                    decree::diagnostic::Severity::Warning => lsp::DiagnosticSeverity::Warning,
                }),
                code: Some(lsp::Code::String(p.code.as_str().to_string())),
                source: Some("decree".to_string()),
                message: message.into(),
                related_information: (!related.is_empty()).then_some(related),
                ..Default::default()
            }
        })
        .collect()
}

/// The policy `path` that the document `uri` includes: the open document
/// of that URI if there is one (its unsaved text), else the file beside it.
fn read_included(uri: &str, path: &str, open: &HashMap<String, SourceFile>) -> Included {
    let target_uri = included_uri(uri, path)
        .ok_or_else(|| "the including document is not a file".to_string())?;
    let target =
        file_path(&target_uri).ok_or_else(|| "the included policy is not a file".to_string())?;
    if let Some(src) = open.get(&target_uri) {
        return Ok(src.clone());
    }
    let text = std::fs::read_to_string(&target).map_err(|e| e.to_string())?;
    Ok(SourceFile::new(target_uri, text))
}

/// The URI of the policy that the document `uri` names as `path` in its
/// `include` (relative to the document's folder).
fn included_uri(uri: &str, path: &str) -> Option<String> {
    let dir = file_path(uri)?.parent()?.to_path_buf();
    Some(file_uri(&lexically_normal(&dir.join(path))))
}

/// `path` with its `.` and `..` steps taken (without asking the file
/// system), so that `tests/../policies/p.decree` and `policies/p.decree`
/// name one document, as an editor names it.
fn lexically_normal(path: &std::path::Path) -> std::path::PathBuf {
    use std::path::Component;
    let mut out = std::path::PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push(c);
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// The path of a `file:` URI (percent-decoded).
fn file_path(uri: &str) -> Option<std::path::PathBuf> {
    let rest = uri.strip_prefix("file://")?;
    let bytes = rest.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (b, hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(v)) => {
                out.push(v);
                i += 3;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    Some(std::path::PathBuf::from(String::from_utf8(out).ok()?))
}

/// The `file:` URI of a path (bytes other than unreserved ones and `/`
/// percent-encoded, as editors write them).
fn file_uri(path: &std::path::Path) -> String {
    let mut uri = String::from("file://");
    for &b in path.to_string_lossy().as_bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            uri.push(char::from(b));
        } else {
            uri.push_str(&format!("%{b:02X}"));
        }
    }
    uri
}

fn position_from(p: lsp::Position) -> service::Position {
    service::Position::new(p.line, p.character)
}

fn range_from(r: lsp::Range) -> service::Range {
    service::Range {
        start: position_from(r.start),
        end: position_from(r.end),
    }
}

fn range_to(r: service::Range) -> lsp::Range {
    let p = |p: service::Position| lsp::Position {
        line: p.line,
        character: p.character,
    };
    lsp::Range {
        start: p(r.start),
        end: p(r.end),
    }
}

fn location_to(l: service::Location) -> lsp::Location {
    lsp::Location {
        uri: lsp::Uri(l.file.to_string()),
        range: range_to(l.range),
    }
}

fn completion_to(c: service::Completion) -> lsp::CompletionItem {
    use service::CompletionKind as K;
    let kind = match c.kind {
        K::Fact => lsp::CompletionItemKind::Variable,
        K::Param => lsp::CompletionItemKind::Constant,
        K::Item => lsp::CompletionItemKind::Function,
        K::Enum => lsp::CompletionItemKind::Enum,
        K::EnumValue => lsp::CompletionItemKind::EnumMember,
        K::Keyword => lsp::CompletionItemKind::Keyword,
        K::Unit => lsp::CompletionItemKind::Unit,
    };
    lsp::CompletionItem {
        label: c.label,
        kind: Some(kind),
        detail: c.detail,
        ..Default::default()
    }
}

#[allow(deprecated)] // `DocumentSymbol::deprecated` must be given a value
fn symbol_to(s: service::Symbol) -> lsp::DocumentSymbol {
    let kind = symbol_kind(s.kind);
    let children: Vec<lsp::DocumentSymbol> = s.children.into_iter().map(symbol_to).collect();
    lsp::DocumentSymbol {
        name: s.name,
        detail: s.detail,
        kind,
        tags: None,
        deprecated: None,
        range: range_to(s.range),
        selection_range: range_to(s.selection),
        children: (!children.is_empty()).then_some(children),
    }
}

/// The protocol's kind of an outline entry.
fn symbol_kind(kind: service::SymbolKind) -> lsp::SymbolKind {
    match kind {
        service::SymbolKind::Chapter => lsp::SymbolKind::Namespace,
        service::SymbolKind::Measure => lsp::SymbolKind::Module,
        service::SymbolKind::Item => lsp::SymbolKind::Function,
        service::SymbolKind::Fact => lsp::SymbolKind::Variable,
        service::SymbolKind::Param => lsp::SymbolKind::Constant,
        service::SymbolKind::Enum => lsp::SymbolKind::Enum,
        service::SymbolKind::Test => lsp::SymbolKind::Event,
        service::SymbolKind::Record => lsp::SymbolKind::Struct,
        service::SymbolKind::Field => lsp::SymbolKind::Field,
        service::SymbolKind::Group => lsp::SymbolKind::Interface,
        service::SymbolKind::Cap => lsp::SymbolKind::Operator,
        service::SymbolKind::Budget => lsp::SymbolKind::Object,
    }
}
