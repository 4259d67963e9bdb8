//! `decree lsp` end to end: the built binary is started as an editor starts
//! it and spoken to in JSON-RPC over its standard input and output
//! (Content-Length framing). Transcripts are snapshotted with file URIs
//! made relative to the repository (`file://ROOT/…`). Nothing is written
//! into the working tree: documents are opened with their text, as editors
//! do. Below, the language service itself: random edit sequences never
//! panic and end with the problems of the final text analysed afresh.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::lsp::Server;
use common::root;
use serde_json::{Value, json};

fn uri_of(path: &str) -> String {
    format!("file://{}/{path}", root().display())
}

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap()
}

/// The position (line, UTF-16 column) of the `nth` occurrence of `needle`,
/// plus `into` characters.
fn pos(text: &str, needle: &str, nth: usize, into: usize) -> Value {
    let at = text.match_indices(needle).nth(nth).expect("the needle").0;
    let before = &text[..at];
    let line = before.matches('\n').count();
    let col = before.rsplit('\n').next().unwrap().encode_utf16().count() + into;
    json!({"line": line, "character": col})
}

fn at(uri: &str, position: Value) -> Value {
    json!({"textDocument": {"uri": uri}, "position": position})
}

/// A reply with the repository's URI made `file://ROOT`.
fn normalised(v: &Value) -> String {
    let text = serde_json::to_string_pretty(v).unwrap();
    text.replace(&format!("file://{}", root().display()), "file://ROOT")
}

const DRAFT: &str = "policies/shenzhen-manufacturing-2020.decree";
const DRAFT_TESTS: &str = "policies/shenzhen-manufacturing-2020.test.decree";

#[test]
fn initialize_announces_what_the_server_does() {
    let mut s = Server::start();
    let r = s.request("initialize", json!({"capabilities": {}}));
    insta::assert_snapshot!("initialize", normalised(&r["result"]));
    s.notify("initialized", json!({}));
    s.shutdown();
}

#[test]
fn diagnostics_of_the_draft_a_broken_file_and_failing_tests() {
    let mut s = Server::start();
    s.request("initialize", json!({"capabilities": {}}));
    let mut transcript = Vec::new();
    for path in [
        DRAFT,
        DRAFT_TESTS,
        "tests/lsp/broken.decree",
        "tests/lsp/unchecked.decree",
        "tests/lsp/failing.test.decree",
    ] {
        let uri = uri_of(path);
        s.open(&uri, &read(path));
        transcript.push(s.diagnostics_for(&uri));
    }
    let [draft, tests, ..] = &transcript[..] else {
        unreachable!()
    };
    assert_eq!(draft["diagnostics"], json!([]), "the draft checks");
    assert_eq!(tests["diagnostics"], json!([]), "the draft's tests pass");
    insta::assert_snapshot!("diagnostics", normalised(&Value::from(transcript)));
    s.shutdown();
}

#[test]
fn a_fix_clears_stale_diagnostics_and_closing_clears_them_all() {
    let mut s = Server::start();
    s.request("initialize", json!({"capabilities": {}}));
    let uri = uri_of("tests/lsp/unchecked.decree");
    let text = read("tests/lsp/unchecked.decree");
    s.open(&uri, &text);
    assert_eq!(
        s.diagnostics_for(&uri)["diagnostics"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // An incremental change: `investmnet` → `investment`.
    let start = pos(&text, "investmnet", 0, 0);
    let end = pos(&text, "investmnet", 0, "investmnet".len());
    s.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2},
               "contentChanges": [{"range": {"start": start, "end": end}, "text": "investment"}]}),
    );
    let fixed = s.diagnostics_for(&uri);
    assert_eq!(fixed["diagnostics"], json!([]));
    assert_eq!(fixed["version"], 2);
    // A whole-text change that breaks it again, then close.
    s.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 3}, "contentChanges": [{"text": "measure {"}]}),
    );
    assert_eq!(
        s.diagnostics_for(&uri)["diagnostics"][0]["code"],
        "decree::syntax"
    );
    s.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": uri}}),
    );
    assert_eq!(s.diagnostics_for(&uri)["diagnostics"], json!([]));
    s.shutdown();
}

#[test]
fn hover_definition_and_references() {
    let mut s = Server::start();
    s.request("initialize", json!({"capabilities": {}}));
    let draft = read(DRAFT);
    let tests = read(DRAFT_TESTS);
    let (draft_uri, tests_uri) = (uri_of(DRAFT), uri_of(DRAFT_TESTS));
    s.open(&draft_uri, &draft);
    s.open(&tests_uri, &tests);
    let mut transcript = Vec::new();
    let mut ask = |s: &mut Server, what: &str, method: &str, params: Value| {
        let r = s.request(method, params);
        transcript.push(json!({"ask": what, "reply": r["result"]}));
        r["result"].clone()
    };
    // A fact, where it is used in an item; a param (tbd); an item; a keyword
    // in each surface; a place between words.
    let fact_use = pos(&draft, "20% * tech_upgrade_investment", 0, 8);
    ask(
        &mut s,
        "hover a fact",
        "textDocument/hover",
        at(&draft_uri, fact_use.clone()),
    );
    let param = pos(&draft, "param several_clusters", 0, 8);
    ask(
        &mut s,
        "hover a tbd param",
        "textDocument/hover",
        at(&draft_uri, param),
    );
    let item = pos(&draft, "subsidy tech_upgrade ", 0, 10);
    ask(
        &mut s,
        "hover an item",
        "textDocument/hover",
        at(&draft_uri, item.clone()),
    );
    let keyword = pos(&draft, "subsidy tech_upgrade ", 0, 2);
    ask(
        &mut s,
        "hover a keyword",
        "textDocument/hover",
        at(&draft_uri, keyword),
    );
    ask(
        &mut s,
        "hover a comment",
        "textDocument/hover",
        at(&draft_uri, json!({"line": 0, "character": 3})),
    );
    let def = ask(
        &mut s,
        "definition of a fact",
        "textDocument/definition",
        at(&draft_uri, fact_use.clone()),
    );
    assert_eq!(
        def["range"]["start"],
        pos(&draft, "fact tech_upgrade_investment", 0, 5)
    );
    // From a file of tests into the policy it includes.
    let in_test = pos(&tests, "in_national_cluster_competition", 0, 3);
    let def = ask(
        &mut s,
        "definition from a test",
        "textDocument/definition",
        at(&tests_uri, in_test),
    );
    assert_eq!(def["uri"], draft_uri.as_str());
    let mut refs = at(&draft_uri, item);
    refs["context"] = json!({"includeDeclaration": true});
    let found = ask(
        &mut s,
        "references of an item",
        "textDocument/references",
        refs,
    );
    assert!(!found.as_array().unwrap().is_empty());
    insta::assert_snapshot!("navigation", normalised(&Value::from(transcript)));
    s.shutdown();
}

#[test]
fn formatting_is_decree_fmt_and_symbols_outline_the_document() {
    let mut s = Server::start();
    s.request("initialize", json!({"capabilities": {}}));
    let path = "tests/lsp/messy.decree";
    let uri = uri_of(path);
    let text = read(path);
    s.open(&uri, &text);
    let r = s.request(
        "textDocument/formatting",
        json!({"textDocument": {"uri": uri}, "options": {"tabSize": 2, "insertSpaces": true}}),
    );
    let edits = r["result"].as_array().unwrap();
    assert_eq!(edits.len(), 1, "one edit of the whole text");
    let fmt = common::decree(&["fmt", "--stdout", path]);
    assert!(fmt.status.success());
    assert_eq!(edits[0]["newText"], String::from_utf8(fmt.stdout).unwrap());
    assert_eq!(
        edits[0]["range"]["start"],
        json!({"line": 0, "character": 0})
    );
    let symbols = s.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": uri}}),
    );
    insta::assert_snapshot!("symbols", normalised(&symbols["result"]));
    // The draft, already canonical, has nothing to change; its outline has
    // its six chapters and 28 measures.
    let draft_uri = uri_of(DRAFT);
    s.open(&draft_uri, &read(DRAFT));
    let r = s.request("textDocument/formatting", json!({"textDocument": {"uri": draft_uri}, "options": {"tabSize": 2, "insertSpaces": true}}));
    assert_eq!(r["result"], json!([]));
    let symbols = s.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": draft_uri}}),
    );
    let chapters: Vec<&Value> = symbols["result"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["kind"] == 3)
        .collect();
    assert_eq!(chapters.len(), 6);
    let measures: usize = chapters
        .iter()
        .map(|c| c["children"].as_array().unwrap().len())
        .sum();
    assert_eq!(measures, 28);
    // A broken file cannot be formatted: no edit, as `decree fmt` refuses.
    let broken = uri_of("tests/lsp/broken.decree");
    s.open(&broken, &read("tests/lsp/broken.decree"));
    let r = s.request(
        "textDocument/formatting",
        json!({"textDocument": {"uri": broken}, "options": {"tabSize": 2, "insertSpaces": true}}),
    );
    assert_eq!(r["result"], Value::Null);
    s.shutdown();
}

#[test]
fn garbage_does_not_crash_the_server() {
    let mut s = Server::start();
    s.request("initialize", json!({"capabilities": {}}));
    let uri = uri_of(DRAFT);
    s.open(&uri, &read(DRAFT));
    // Positions far outside the text, and inside a Chinese character's
    // line at an absurd column.
    for p in [
        json!({"line": 99999, "character": 99999}),
        json!({"line": 2, "character": 4_000_000_000u32}),
    ] {
        let r = s.request("textDocument/hover", at(&uri, p.clone()));
        assert!(r.get("error").is_none(), "{r}");
        s.request("textDocument/definition", at(&uri, p.clone()));
        let mut refs = at(&uri, p);
        refs["context"] = json!({"includeDeclaration": false});
        s.request("textDocument/references", refs);
    }
    // A document never opened, an edit of a document never opened, an
    // edit past the end.
    let r = s.request(
        "textDocument/hover",
        at("file:///nowhere.decree", json!({"line": 0, "character": 0})),
    );
    assert_eq!(r["result"], Value::Null);
    s.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": "file:///nowhere.decree", "version": 2}, "contentChanges": [{"text": "x"}]}),
    );
    s.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2},
               "contentChanges": [{"range": {"start": {"line": 9999, "character": 3}, "end": {"line": 1, "character": 0}}, "text": "𠀀"}]}),
    );
    s.diagnostics_for(&uri);
    // A body that is not UTF-8, one that is not JSON, a request of a
    // method that does not exist.
    s.send_raw(b"{\"jsonrpc\":\"2.0\",\"id\":99,\"method\":\"textDocument/hover\",\"params\":\"\xff\xfe\"}");
    s.send_raw(b"not json at all");
    let r = s.request("decree/noSuchThing", json!({}));
    assert!(r.get("error").is_some());
    // A document whose text is invalid once decoded (lone NUL, a huge line).
    let odd = uri_of("odd.decree");
    s.open(&odd, &format!("fact a: money\0\n{}", "x".repeat(200_000)));
    assert!(
        !s.diagnostics_for(&odd)["diagnostics"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    // Still answering.
    let r = s.request(
        "textDocument/hover",
        at(&uri, json!({"line": 0, "character": 0})),
    );
    assert!(r.get("error").is_none());
    s.shutdown();
}

// ---------------------------------------------------------------- the service, edited at random

mod service {
    use decree::service::{Document, Included, Position, Range};
    use proptest::prelude::*;

    fn no_include(_: &str) -> Included {
        Err("no file in this test".to_string())
    }

    const PIECES: &[&str] = &[
        "",
        " ",
        "\n",
        "\r\n",
        "{",
        "}",
        "(",
        ")",
        "\"",
        "“",
        "#",
        "深圳",
        "𠀀",
        "min(",
        "5000万",
        "20%",
        "investment",
        "subsidy x = ",
        "measure 9 \"t\" {",
        "fact f: money",
        "when ",
        "不超过",
        "test \"t\" { facts { } expect x = granted }",
        "tbd",
        "1:1",
        ",",
        "=",
        "*",
        "\0",
    ];

    fn edit() -> impl Strategy<Value = (u32, u32, u32, u32, usize)> {
        (0u32..200, 0u32..120, 0u32..200, 0u32..120, 0..PIECES.len())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

        /// Any sequence of edits (ranges anywhere, backwards or past the end)
        /// ends in the problems of its final text analysed from scratch,
        /// and every question in between is answered without a panic.
        #[test]
        fn random_edits_end_as_a_fresh_analysis(edits in proptest::collection::vec(edit(), 1..8)) {
            let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/shenzhen-manufacturing-2020.decree")).unwrap();
            let mut doc = Document::new("draft.decree", &text, &no_include);
            for (l1, c1, l2, c2, piece) in edits {
                let range = Range { start: Position::new(l1, c1), end: Position::new(l2, c2) };
                doc.edit(range, PIECES[piece], &no_include);
                let p = Position::new(l1, c1);
                let _ = (doc.hover(p, None), doc.definition(p), doc.references(p, true), doc.symbols(), doc.formatted());
            }
            let fresh = Document::new("draft.decree", doc.text(), &no_include);
            prop_assert_eq!(doc.problems(), fresh.problems());
        }
    }
}

#[test]
fn completion_folding_and_rename() {
    let mut s = Server::start();
    s.request("initialize", json!({"capabilities": {}}));
    let path = "tests/lsp/messy.decree";
    let (uri, text) = (uri_of(path), read(path));
    s.open(&uri, &text);
    let r = s.request(
        "textDocument/completion",
        at(&uri, pos(&text, "investment,", 0, 3)),
    );
    let items = r["result"].as_array().unwrap();
    let find = |label: &str| items.iter().find(|i| i["label"] == label).cloned();
    assert_eq!(find("investment").unwrap()["detail"], "技术改造项目投资额");
    assert_eq!(find("cap").unwrap()["kind"], 21, "a param is a constant");
    assert_eq!(find("subsidy").unwrap()["kind"], 14, "a keyword");
    assert!(
        find("资助").is_none(),
        "keywords of the file's surface only"
    );
    let r = s.request(
        "textDocument/foldingRange",
        json!({"textDocument": {"uri": uri}}),
    );
    assert_eq!(r["result"], json!([{"startLine": 2, "endLine": 4}]));
    // Rename: every place, in one edit per file; a clash is refused.
    let mut params = at(&uri, pos(&text, "investment,", 0, 3));
    params["newName"] = json!("capex");
    let r = s.request("textDocument/rename", params.clone());
    let edits = r["result"]["changes"][uri.as_str()].as_array().unwrap();
    assert_eq!(edits.len(), 2, "{r}");
    assert!(edits.iter().all(|e| e["newText"] == "capex"));
    params["newName"] = json!("cap");
    let r = s.request("textDocument/rename", params);
    assert!(
        r["error"]["message"]
            .as_str()
            .unwrap()
            .contains("already names"),
        "{r}"
    );
    s.shutdown();
}

#[test]
fn a_lens_runs_the_tests_of_a_file() {
    let mut s = Server::start();
    s.request("initialize", json!({"capabilities": {}}));
    let path = "tests/lsp/failing.test.decree";
    let (uri, text) = (uri_of(path), read(path));
    s.open(&uri, &text);
    let r = s.request(
        "textDocument/codeLens",
        json!({"textDocument": {"uri": uri}}),
    );
    let lens = &r["result"][0];
    assert_eq!(lens["command"]["title"], "▶ run 2 tests (1 failing)");
    assert_eq!(lens["range"]["start"], pos(&text, "\"m1 ineligible", 0, 0));
    let command = lens["command"]["command"].as_str().unwrap();
    let args = lens["command"]["arguments"].clone();
    let r = s.request(
        "workspace/executeCommand",
        json!({"command": command, "arguments": args}),
    );
    assert_eq!(r["result"], json!({"tests": 2, "passed": 1, "failed": 1}));
    let r = s.request(
        "workspace/executeCommand",
        json!({"command": "decree.nothing"}),
    );
    assert!(r.get("error").is_some());
    // A policy without tests has no lens.
    let draft = uri_of(DRAFT);
    s.open(&draft, &read(DRAFT));
    let r = s.request(
        "textDocument/codeLens",
        json!({"textDocument": {"uri": draft}}),
    );
    assert_eq!(r["result"], Value::Null);
    s.shutdown();
}

#[test]
fn inlay_hints_show_each_items_value_for_the_selected_facts() {
    let mut s = Server::start();
    let facts = root().join("examples/enterprises/anxin-precision.json");
    s.request(
        "initialize",
        json!({"capabilities": {}, "initializationOptions": {"exampleFacts": facts.display().to_string()}}),
    );
    let (uri, text) = (uri_of(DRAFT), read(DRAFT));
    s.open(&uri, &text);
    let whole =
        json!({"start": {"line": 0, "character": 0}, "end": {"line": 9999, "character": 0}});
    let ask = json!({"textDocument": {"uri": uri}, "range": whole});
    let r = s.request("textDocument/inlayHint", ask.clone());
    let hints = r["result"].as_array().unwrap();
    assert!(hints.len() > 50, "one hint an item: {}", hints.len());
    let item_end = pos(
        &text,
        "subsidy tech_upgrade ",
        0,
        "subsidy tech_upgrade".len(),
    );
    let hint = hints
        .iter()
        .find(|h| h["position"] == item_end)
        .expect("a hint at the item");
    // The same value `decree eval` gives.
    let eval = common::decree(&[
        "eval",
        DRAFT,
        "--facts",
        "examples/enterprises/anxin-precision.json",
        "--format",
        "json",
    ]);
    let json: Value = serde_json::from_slice(&eval.stdout).unwrap();
    let item = json["measures"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|m| m["items"].as_array().unwrap())
        .find(|i| i["name"] == "tech_upgrade")
        .unwrap()
        .clone();
    let want = match item["value"].as_str() {
        Some(v) if item["status"] == "granted" => format!("= {v}"),
        _ => format!("= {}", item["status"].as_str().unwrap()),
    };
    assert_eq!(hint["label"], want);
    // Another file selected by the command; one that does not exist.
    let other = root().join("examples/enterprises/bochuang-almost-leader.json");
    let r = s.request(
        "workspace/executeCommand",
        json!({"command": "decree.selectFacts", "arguments": [other.display().to_string()]}),
    );
    assert_eq!(r["result"], true);
    let r = s.request(
        "workspace/executeCommand",
        json!({"command": "decree.selectFacts", "arguments": ["/no/such/file.json"]}),
    );
    assert_eq!(r["result"], false);
    assert!(
        s.request("textDocument/inlayHint", ask)["result"]
            .as_array()
            .is_some()
    );
    s.shutdown();
}

#[test]
fn semantic_tokens_of_a_small_policy() {
    let mut s = Server::start();
    s.request("initialize", json!({"capabilities": {}}));
    let path = "tests/lsp/messy.decree";
    let uri = uri_of(path);
    s.open(&uri, &read(path));
    let r = s.request(
        "textDocument/semanticTokens/full",
        json!({"textDocument": {"uri": uri}}),
    );
    let data = r["result"]["data"].as_array().unwrap();
    assert_eq!(data.len() % 5, 0);
    // `fact` (keyword, 4 units) then `investment` (a fact, three units on).
    assert_eq!(
        data[..10],
        [
            json!(0),
            json!(0),
            json!(4),
            json!(2),
            json!(0),
            json!(0),
            json!(7),
            json!(10),
            json!(4),
            json!(0)
        ]
    );
    s.shutdown();
}
