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
    let facts = root().join("examples/enterprises/anxin-precision.json");
    s.request(
        "initialize",
        json!({"capabilities": {}, "rootUri": format!("file://{}", root().display()),
               "initializationOptions": {"exampleFacts": facts.display().to_string()}}),
    );
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
    let chinese_path = "examples/revisions/0-reformatted-chinese.decree";
    let (chinese_uri, chinese) = (uri_of(chinese_path), read(chinese_path));
    s.open(&chinese_uri, &chinese);
    ask(
        &mut s,
        "hover a keyword in a Chinese file",
        "textDocument/hover",
        at(&chinese_uri, pos(&chinese, "有效期 5 years", 0, 1)),
    );
    ask(
        &mut s,
        "hover a built-in function",
        "textDocument/hover",
        at(
            &draft_uri,
            pos(&draft, "min(20% * tech_upgrade_investment", 0, 1),
        ),
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
    let def = ask(
        &mut s,
        "definition of an enumeration value",
        "textDocument/definition",
        at(
            &draft_uri,
            pos(&draft, "national_champion_product in", 0, 3),
        ),
    );
    assert_eq!(
        def["range"]["start"],
        pos(&draft, "national_champion_product ", 0, 0)
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
    // From the policy, its names are found in every file that includes
    // it: the open file of tests, and files of tests not open (read from
    // the workspace's folder).
    let mut refs = at(
        &draft_uri,
        pos(&draft, "fact in_national_cluster_competition", 0, 8),
    );
    refs["context"] = json!({"includeDeclaration": false});
    let r = s.request("textDocument/references", refs);
    let files: std::collections::BTreeSet<String> = r["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["uri"].as_str().unwrap().to_string())
        .collect();
    for file in [DRAFT, DRAFT_TESTS, "tests/lsp/failing.test.decree"] {
        assert!(files.contains(&uri_of(file)), "{file} in {files:?}");
    }
    let hover_item = &transcript[2]["reply"]["contents"]["value"];
    assert!(
        hover_item
            .as_str()
            .unwrap()
            .contains("**anxin-precision.json**"),
        "{hover_item}"
    );
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
    assert!(
        edits.len() > 1,
        "line-wise edits, not one of the whole text"
    );
    let fmt = common::decree(&["fmt", "--stdout", path]);
    assert!(fmt.status.success());
    let fmt = String::from_utf8(fmt.stdout).unwrap();
    assert_eq!(common::lsp::applied(&text, edits), fmt);
    // A range: only the changes that touch its lines, each as `decree fmt`
    // makes it.
    let rule_line = pos(&text, "subsidy tech_upgrade", 0, 0);
    let r = s.request(
        "textDocument/rangeFormatting",
        json!({"textDocument": {"uri": uri}, "range": {"start": rule_line, "end": rule_line},
               "options": {"tabSize": 2, "insertSpaces": true}}),
    );
    let ranged = common::lsp::applied(&text, r["result"].as_array().unwrap());
    assert!(ranged.starts_with("fact   investment"), "{ranged}");
    let rule = fmt.lines().find(|l| l.contains("subsidy")).unwrap();
    assert!(ranged.lines().any(|l| l == rule), "{ranged}");
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
        #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

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

        /// The same for a file of tests that includes the draft, whose
        /// tests an edit runs again only where it touched them: the outcome
        /// is a fresh run's, failing `expect`s moved with their lines.
        #[test]
        fn random_edits_of_a_file_of_tests_end_as_a_fresh_run(edits in proptest::collection::vec(edit(), 1..6)) {
            let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/policies/");
            let draft = std::fs::read_to_string(format!("{dir}shenzhen-manufacturing-2020.decree")).unwrap();
            let tests = std::fs::read_to_string(format!("{dir}shenzhen-manufacturing-2020.test.decree")).unwrap();
            let include = |_: &str| -> Included { Ok(decree::SourceFile::new("draft.decree", draft.as_str())) };
            let mut doc = Document::new("draft.test.decree", &tests, &include);
            for (l1, c1, l2, c2, piece) in edits {
                let range = Range { start: Position::new(l1, c1), end: Position::new(l2, c2) };
                doc.edit(range, PIECES[piece], &include);
            }
            let fresh = Document::new("draft.test.decree", doc.text(), &include);
            prop_assert_eq!(doc.problems(), fresh.problems());
            prop_assert_eq!(doc.tests(), fresh.tests());
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
fn completion_in_chinese_rename_across_files_and_workspace_symbols() {
    let mut s = Server::start();
    s.request(
        "initialize",
        json!({"capabilities": {}, "workspaceFolders": [{"uri": format!("file://{}", root().display()), "name": "decree"}]}),
    );
    let path = "examples/revisions/0-reformatted-chinese.decree";
    let (uri, text) = (uri_of(path), read(path));
    s.open(&uri, &text);
    let labels = |r: &Value| -> Vec<String> {
        r["result"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["label"].as_str().unwrap().to_string())
            .collect()
    };
    // In a Chinese file: its names with their Chinese labels, and the
    // keywords of the Chinese surface only.
    let inside = pos(&text, "取小(20% * fixed_asset_actual_investment", 0, 3);
    let r = s.request("textDocument/completion", at(&uri, inside));
    let items = r["result"].as_array().unwrap();
    let fact = items
        .iter()
        .find(|i| i["label"] == "national_innovation_centre_funds")
        .unwrap();
    assert_eq!(fact["detail"], "已拨付的国家制造业创新中心资助资金");
    let words = labels(&r);
    assert!(words.contains(&"资助".to_string()) && words.contains(&"取小".to_string()));
    assert!(
        !words.contains(&"subsidy".to_string()),
        "Chinese keywords only"
    );
    // After a number: its units and magnitudes, as Chinese readers write them.
    let after = pos(&text, "5000万)", 0, 4);
    let r = s.request("textDocument/completion", at(&uri, after));
    let units = labels(&r);
    assert!(
        units.contains(&"万".to_string()) && units.contains(&"亿元".to_string()),
        "{units:?}"
    );
    assert!(
        r["result"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["kind"] == 11),
        "units"
    );
    // Workspace symbols: by name or label, Chinese too, from open files
    // and from the workspace's files on disk.
    let r = s.request("workspace/symbol", json!({"query": "技术改造资助"}));
    let found = r["result"].as_array().unwrap();
    let files: std::collections::BTreeSet<&str> = found
        .iter()
        .map(|f| f["location"]["uri"].as_str().unwrap())
        .collect();
    assert!(files.contains(uri.as_str()), "the open file: {files:?}");
    assert!(
        files.contains(uri_of(DRAFT).as_str()),
        "the draft on disk: {files:?}"
    );
    let in_draft = found
        .iter()
        .find(|f| f["location"]["uri"] == uri_of(DRAFT).as_str())
        .unwrap();
    assert_eq!(in_draft["name"], "tech_upgrade");
    assert_eq!(
        in_draft["containerName"],
        "measure 8 以技术改造引领智能化转型"
    );
    let r = s.request(
        "workspace/symbol",
        json!({"query": "TECH_UPGRADE_INTEREST"}),
    );
    assert!(!r["result"].as_array().unwrap().is_empty(), "ignoring case");
    // Rename a fact of the draft: the draft, its open file of tests, and
    // the files of tests on disk that include it.
    let (draft_uri, draft) = (uri_of(DRAFT), read(DRAFT));
    s.open(&draft_uri, &draft);
    s.open(&uri_of(DRAFT_TESTS), &read(DRAFT_TESTS));
    let mut params = at(
        &draft_uri,
        pos(&draft, "fact in_national_cluster_competition", 0, 8),
    );
    params["newName"] = json!("competing_in_cluster_contest");
    let r = s.request("textDocument/rename", params);
    let changes = r["result"]["changes"].as_object().unwrap();
    for file in [DRAFT, DRAFT_TESTS, "tests/lsp/failing.test.decree"] {
        assert!(
            changes.contains_key(&uri_of(file)),
            "{file} in {:?}",
            changes.keys()
        );
    }
    let failing = &changes[&uri_of("tests/lsp/failing.test.decree")];
    assert_eq!(failing.as_array().unwrap().len(), 2, "{failing}");
    s.shutdown();
}

#[test]
fn lenses_run_tests_and_evaluate_measures_on_the_example() {
    let mut s = Server::start();
    let can_refresh = json!({"workspace": {"inlayHint": {"refreshSupport": true},
                                            "codeLens": {"refreshSupport": true}}});
    s.request("initialize", json!({"capabilities": can_refresh}));
    let path = "tests/lsp/failing.test.decree";
    let (uri, text) = (uri_of(path), read(path));
    s.open(&uri, &text);
    let r = s.request(
        "textDocument/codeLens",
        json!({"textDocument": {"uri": uri}}),
    );
    let lenses = r["result"].as_array().unwrap();
    let titles: Vec<&str> = lenses
        .iter()
        .map(|l| l["command"]["title"].as_str().unwrap())
        .collect();
    // The file's lens at its top, then one a test, at its name.
    assert_eq!(
        titles,
        ["▶ run 2 tests (1 failing)", "✓ passed", "✗ failed"]
    );
    assert_eq!(
        lenses[0]["range"]["start"],
        json!({"line": 0, "character": 0})
    );
    assert_eq!(
        lenses[2]["range"]["start"],
        pos(&text, "\"m1 a wrong", 0, 0)
    );
    let run = |s: &mut Server, lens: &Value| {
        s.request(
            "workspace/executeCommand",
            json!({"command": lens["command"]["command"], "arguments": lens["command"]["arguments"]}),
        )
    };
    assert_eq!(
        run(&mut s, &lenses[0])["result"],
        json!({"tests": 2, "passed": 1, "failed": 1})
    );
    assert_eq!(
        run(&mut s, &lenses[2])["result"],
        json!({"test": "m1 a wrong expectation", "passed": false})
    );
    let r = s.request(
        "workspace/executeCommand",
        json!({"command": "decree.nothing"}),
    );
    assert!(r.get("error").is_some());
    // A policy: a lens a measure; with no example chosen, it chooses one.
    let (draft_uri, draft) = (uri_of(DRAFT), read(DRAFT));
    s.open(&draft_uri, &draft);
    let ask = json!({"textDocument": {"uri": draft_uri}});
    let r = s.request("textDocument/codeLens", ask.clone());
    let lenses = r["result"].as_array().unwrap();
    assert_eq!(lenses.len(), 28, "one lens a measure");
    assert_eq!(
        lenses[0]["command"]["title"],
        "choose an example enterprise"
    );
    assert_eq!(lenses[0]["command"]["command"], "decree.selectFacts");
    assert_eq!(lenses[0]["range"]["start"], pos(&draft, "measure 1 ", 0, 0));
    let r = run(&mut s, &lenses[0]);
    assert!(
        r["error"]["message"].as_str().unwrap().contains("path"),
        "{r}"
    );
    let facts = root().join("examples/enterprises/anxin-precision.json");
    let r = s.request(
        "workspace/executeCommand",
        json!({"command": "decree.selectFacts", "arguments": [facts.display().to_string()]}),
    );
    assert_eq!(r["result"], true);
    // The views that show the example are asked to refresh.
    for method in ["workspace/inlayHint/refresh", "workspace/codeLens/refresh"] {
        let asked = s.sent_by_server(method);
        s.respond(&asked, Value::Null);
    }
    let r = s.request("textDocument/codeLens", ask);
    let m8 = r["result"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["range"]["start"] == pos(&draft, "measure 8 ", 0, 0))
        .cloned()
        .unwrap();
    assert_eq!(m8["command"]["title"], "▶ evaluate on anxin-precision.json");
    let r = run(&mut s, &m8);
    let items = r["result"].as_array().unwrap();
    let tech = items.iter().find(|i| i["name"] == "tech_upgrade").unwrap();
    // The value `decree eval` gives for that item.
    let eval = common::decree(&[
        "eval",
        DRAFT,
        "--facts",
        "examples/enterprises/anxin-precision.json",
        "--format",
        "json",
    ]);
    let json: Value = serde_json::from_slice(&eval.stdout).unwrap();
    let want = common::item_named(&json, "tech_upgrade");
    assert_eq!(tech["status"], want["status"]);
    assert_eq!(tech["value"], want["value"], "{tech} vs {want}");
    let message = s.message_starting("measure 8 ");
    assert!(
        message.starts_with("measure 8 on anxin-precision.json: "),
        "{message}"
    );
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
    // Each hint at its item's line, as a reviewer reads them.
    let lines: Vec<&str> = text.lines().collect();
    let shown: Vec<String> = hints
        .iter()
        .map(|h| {
            let line = h["position"]["line"].as_u64().unwrap() as usize;
            let code = lines[line].trim();
            let code: String = code.chars().take(60).collect();
            format!(
                "{:>4} {code:<60} {}",
                line + 1,
                h["label"].as_str().unwrap()
            )
        })
        .collect();
    insta::assert_snapshot!("inlay_hints_anxin", shown.join("\n"));
    let item_end = pos(
        &text,
        "subsidy tech_upgrade ",
        0,
        "subsidy tech_upgrade".len(),
    );
    assert!(
        hints.iter().any(|h| h["position"] == item_end),
        "a hint at the item's name"
    );
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

const DISTRICT: &str = "policies/district-rules-illustration.decree";

/// The rules across items (issue 16) as an editor meets them in the
/// district illustration: the outline holds the record type with its
/// fields, the stacking group, the cap and the budget; a hover says what
/// each is; completion after `p.` offers the record's fields; the inlay
/// hints of an enterprise with two upgrade projects say which subsidy is
/// superseded by which, and each capped amount before and after the cap.
#[test]
fn the_district_rules_in_outline_hover_completion_and_hints() {
    let mut s = Server::start();
    let facts = root().join("examples/district/hengtong-machinery.json");
    s.request(
        "initialize",
        json!({"capabilities": {}, "initializationOptions": {
            "exampleFacts": facts.display().to_string(), "evaluationDate": "2024-03-01"}}),
    );
    let (uri, text) = (uri_of(DISTRICT), read(DISTRICT));
    s.open(&uri, &text);

    let outline = s.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": uri}}),
    )["result"]
        .clone();
    let entries: Vec<(String, u64, usize)> = outline
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let children = e["children"].as_array().map_or(0, Vec::len);
            (
                e["name"].as_str().unwrap().to_string(),
                e["kind"].as_u64().unwrap(),
                children,
            )
        })
        .collect();
    // Struct 23 (three fields), Interface 11, Operator 25, Object 19.
    for wanted in [
        ("project", 23, 3),
        ("tech_upgrade_once", 11, 0),
        ("annual_cap", 25, 0),
        ("district_fund", 19, 0),
    ] {
        assert!(
            entries.contains(&(wanted.0.to_string(), wanted.1, wanted.2)),
            "{wanted:?} in {entries:?}"
        );
    }

    let hover = |s: &mut Server, needle: &str, into: usize| {
        let r = s.request("textDocument/hover", at(&uri, pos(&text, needle, 0, into)));
        r["result"]["contents"]["value"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    let group = hover(&mut s, "exclusive tech_upgrade_once", 12);
    assert!(
        group.starts_with("exclusive `tech_upgrade_once`"),
        "{group}"
    );
    assert!(
        group.contains("`district_tech_upgrade` (区级技术改造资助)"),
        "{group}"
    );
    let cap = hover(&mut s, "cap annual_cap", 6);
    assert!(cap.contains("3000万 over the sum of its items"), "{cap}");
    let budget = hover(&mut s, "budget district_fund", 9);
    assert!(
        budget.contains("a fund of 1亿 shared by the population"),
        "{budget}"
    );
    let dated = hover(&mut s, "param project_cap", 8);
    assert!(
        dated.contains("- 3000万: in force from 2023-07-01"),
        "{dated}"
    );

    let fields = s.request(
        "textDocument/completion",
        at(&uri, pos(&text, "p.kind == upgrade", 0, 2)),
    )["result"]
        .clone();
    let labels: Vec<&str> = fields
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["investment", "kind", "name"]);

    let whole =
        json!({"start": {"line": 0, "character": 0}, "end": {"line": 9999, "character": 0}});
    let r = s.request(
        "textDocument/inlayHint",
        json!({"textDocument": {"uri": uri}, "range": whole}),
    );
    let lines: Vec<&str> = text.lines().collect();
    let shown: Vec<String> = r["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            let line = h["position"]["line"].as_u64().unwrap() as usize;
            let code: String = lines[line].trim().chars().take(40).collect();
            format!(
                "{:>4} {code:<40} {}",
                line + 1,
                h["label"].as_str().unwrap()
            )
        })
        .collect();
    insta::assert_snapshot!("inlay_hints_district_hengtong", shown.join("\n"));
    s.shutdown();
}
