//! `decree lsp` under abuse, end to end: random incremental edits (ranges
//! past the end, reversed, inside surrogate pairs) checked against a text
//! model of the protocol's rules, a 50 MB document, every truncation of the
//! draft, bytes that are not UTF-8, a message cut short and params of the
//! wrong shape. The server must answer every request, publish diagnostics
//! for every change, and exit with success when told to.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::io::{BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use common::lsp::{Server, read_message};
use common::root;
use proptest::prelude::*;
use serde_json::{Value, json};

const DRAFT: &str = "policies/shenzhen-manufacturing-2020.decree";
const DRAFT_TESTS: &str = "policies/shenzhen-manufacturing-2020.test.decree";

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap()
}

fn uri_of(path: &str) -> String {
    format!("file://{}/{path}", root().display())
}

// ---------------------------------------------------------------- a model of the text

/// One change of a `didChange`, as the protocol has it.
#[derive(Debug, Clone)]
enum Change {
    /// `{range, text}`: positions are (line, UTF-16 column).
    Range {
        start: (u32, u32),
        end: (u32, u32),
        text: String,
    },
    /// `{text}`: the whole document.
    Whole(String),
}

impl Change {
    fn to_json(&self) -> Value {
        match self {
            Change::Range { start, end, text } => json!({
                "range": {
                    "start": {"line": start.0, "character": start.1},
                    "end": {"line": end.0, "character": end.1},
                },
                "text": text,
            }),
            Change::Whole(text) => json!({"text": text}),
        }
    }
}

/// The byte offset of an LSP position in `text`, written independently of
/// the server's `LineIndex` but to the same rules: lines end at `\n`,
/// `\r\n` or a lone `\r`; a column past the line's end is the line's end
/// (before its break); a line past the last is the text's end; a column
/// between the two units of a surrogate pair is the character's start.
fn offset(text: &str, (line, character): (u32, u32)) -> usize {
    let (line, character) = (line as usize, character as usize);
    let mut at_line = 0usize;
    let mut col = 0usize;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let breaks = c == '\n' || c == '\r';
        if at_line == line {
            if breaks || col + c.len_utf16() > character {
                return i;
            }
            col += c.len_utf16();
        } else if breaks {
            let crlf = c == '\r' && chars.peek().map(|&(_, n)| n) == Some('\n');
            if !crlf {
                at_line += 1;
                col = 0;
            }
        }
    }
    text.len()
}

/// The LSP position of a byte offset (a character boundary) of `text`.
fn position(text: &str, at: usize) -> (u32, u32) {
    let before = &text[..at];
    let mut line = 0u32;
    let mut start = 0usize;
    let bytes = before.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        let ends = b == b'\n' || (b == b'\r' && text.as_bytes().get(i + 1) != Some(&b'\n'));
        if ends {
            line += 1;
            start = i + 1;
        }
    }
    let col = before[start..].encode_utf16().count();
    (line, u32::try_from(col).unwrap())
}

/// `text` after `change`: a range's ends clamped, its end never before its
/// start.
fn apply(text: &str, change: &Change) -> String {
    match change {
        Change::Whole(t) => t.clone(),
        Change::Range {
            start,
            end,
            text: new,
        } => {
            let a = offset(text, *start);
            let b = offset(text, *end).max(a);
            format!("{}{new}{}", &text[..a], &text[b..])
        }
    }
}

/// Each line's content (without its break), by the protocol's rules.
fn lines(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => {
                out.push(&text[start..i]);
                start = i + 1;
            }
            b'\r' => {
                out.push(&text[start..i]);
                if bytes.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    out.push(&text[start..]);
    out
}

/// Every range of `diagnostics` lies inside `text`.
fn assert_in_bounds(text: &str, diagnostics: &Value) {
    let lines = lines(text);
    for d in diagnostics.as_array().unwrap() {
        for end in ["start", "end"] {
            let p = &d["range"][end];
            let line = p["line"].as_u64().unwrap() as usize;
            let character = p["character"].as_u64().unwrap() as usize;
            assert!(line < lines.len(), "{d} is past the last line");
            let width = lines[line].encode_utf16().count();
            assert!(character <= width, "{d} is past its line's end ({width})");
        }
    }
}

/// The model against the library: `Document::edit` then `text()` is what
/// the model computes, for the edits where the rules are easiest to get
/// wrong (inside a surrogate pair, at a `\r\n`, past the end, reversed).
#[test]
fn the_text_model_is_the_librarys() {
    use decree::service::{Document, Included, Position, Range};
    fn none(_: &str) -> Included {
        Err("none".to_string())
    }
    type Pos = (u32, u32);
    let cases: &[(&str, Pos, Pos, &str)] = &[
        ("𠀀a\nb", (0, 1), (0, 1), "x"),      // inside the pair: before it
        ("𠀀a\nb", (0, 1), (0, 3), "x"),      // from inside the pair to after a
        ("a𠀀b", (0, 2), (0, 2), "y"),        // inside, after a
        ("a\r\nb", (0, 5), (1, 0), ""),       // past the line's end is before \r\n
        ("a\r\nb", (0, 1), (0, 2), "z"),      // column 2 is still the line's end
        ("a\rb\rc", (2, 0), (2, 1), "Q"),     // lone \r ends lines
        ("深圳\n市", (1, 9), (0, 1), "!"),    // reversed: empty at the start
        ("深圳\n市", (9, 0), (99, 9), "end"), // past the last line: the end
        ("深圳\n市", (0, 1), (1, 0), "_"),    // across a line break
        ("", (3, 3), (0, 0), "new"),
        ("x\n", (1, 0), (1, 5), "y"), // the empty last line
        ("x\n\n", (1, 4), (2, 0), "-"),
    ];
    for &(text, start, end, new) in cases {
        let mut doc = Document::new("m.decree", text, &none);
        let range = Range {
            start: Position::new(start.0, start.1),
            end: Position::new(end.0, end.1),
        };
        doc.edit(range, new, &none);
        let change = Change::Range {
            start,
            end,
            text: new.to_string(),
        };
        assert_eq!(
            doc.text(),
            apply(text, &change),
            "{text:?} {start:?}..{end:?} ← {new:?}"
        );
    }
    // And the position the model uses to aim inside a pair.
    assert_eq!(position("a\r\n𠀀深b", 3), (1, 0));
    assert_eq!(position("a\r\n𠀀深b", 7), (1, 2));
    assert_eq!(position("a\rb", 2), (1, 0));
}

fn model_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("a"),
        Just("深"),
        Just("𠀀"),
        Just("\n"),
        Just("\r\n"),
        Just("\r"),
        Just(" "),
    ];
    proptest::collection::vec(piece, 0..30).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// The model against the library on random small texts and random
    /// positions (inside pairs and `\r\n`s included).
    #[test]
    fn the_text_model_is_the_librarys_at_random(
        text in model_text(),
        a in (0u32..8, 0u32..12),
        b in (0u32..8, 0u32..12),
        new in prop_oneof![Just(""), Just("x"), Just("𠀀"), Just("\r\n")],
    ) {
        use decree::service::{Document, Included, Position, Range};
        fn none(_: &str) -> Included {
            Err("none".to_string())
        }
        let mut doc = Document::new("m.decree", &text, &none);
        let range = Range { start: Position::new(a.0, a.1), end: Position::new(b.0, b.1) };
        doc.edit(range, new, &none);
        let change = Change::Range { start: a, end: b, text: new.to_string() };
        prop_assert_eq!(doc.text(), apply(&text, &change));
    }
}

// ---------------------------------------------------------------- random edits through the server

const PIECES: &[&str] = &[
    "",
    " ",
    "\n",
    "\r\n",
    "\r",
    "{",
    "}",
    "(",
    "\"",
    "“",
    "#",
    "深圳",
    "𠀀",
    "a𠀀b",
    "min(",
    "5000万",
    "20%",
    "investment",
    "subsidy x = ",
    "measure 99 \"t\" {",
    "fact f: money",
    "不超过",
    "tbd",
    ",",
    "=",
];

/// A position: mostly inside the draft (784 lines, lines of tens of
/// columns), sometimes far past the end.
fn a_position() -> impl Strategy<Value = (u32, u32)> {
    prop_oneof![
        6 => (0u32..800, 0u32..70),
        1 => (0u32..800, 1000u32..u32::MAX),
        1 => (780u32..100_000, 0u32..100_000),
    ]
}

/// What one `didChange` does.
#[derive(Debug, Clone)]
enum Step {
    /// Incremental and whole changes, applied in order.
    Changes(Vec<Change>),
    /// Inserts `a𠀀b` at a position, then (in the same message) replaces a
    /// range that starts or ends between the two units of the pair.
    IntoPair {
        at: (u32, u32),
        width: u32,
        reversed: bool,
        text: String,
    },
}

fn a_change() -> impl Strategy<Value = Change> {
    let draft = read(DRAFT);
    prop_oneof![
        12 => (a_position(), a_position(), 0..PIECES.len()).prop_map(|(start, end, p)| Change::Range {
            start,
            end,
            text: PIECES[p].to_string(),
        }),
        1 => (0usize..draft.len()).prop_map(move |cut| {
            let mut cut = cut;
            while !draft.is_char_boundary(cut) {
                cut -= 1;
            }
            Change::Whole(draft[..cut].to_string())
        }),
        1 => (0..PIECES.len()).prop_map(|p| Change::Whole(PIECES[p].to_string())),
    ]
}

fn a_step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => proptest::collection::vec(a_change(), 1..3).prop_map(Step::Changes),
        1 => (a_position(), 0u32..3, any::<bool>(), 0..PIECES.len()).prop_map(|(at, width, reversed, p)| Step::IntoPair {
            at,
            width,
            reversed,
            text: PIECES[p].to_string(),
        }),
    ]
}

/// The changes a step sends, the model's text moving along with them.
fn changes_of(step: &Step, text: &mut String) -> Vec<Change> {
    let changes = match step {
        Step::Changes(cs) => cs.clone(),
        Step::IntoPair {
            at,
            width,
            reversed,
            text: new,
        } => {
            let insert = Change::Range {
                start: *at,
                end: *at,
                text: "a𠀀b".to_string(),
            };
            let landed = offset(text, *at);
            let after = apply(text, &insert);
            // The pair starts one byte after the inserted `a`.
            let (line, col) = position(&after, landed + 1);
            let inside = (line, col + 1);
            let other = (line, col + 1 + width);
            let (start, end) = if *reversed {
                (other, inside)
            } else {
                (inside, other)
            };
            vec![
                insert,
                Change::Range {
                    start,
                    end,
                    text: new.clone(),
                },
            ]
        }
    };
    for c in &changes {
        *text = apply(text, c);
    }
    changes
}

/// The requests asked between changes.
const METHODS: &[&str] = &[
    "textDocument/hover",
    "textDocument/definition",
    "textDocument/references",
    "textDocument/completion",
    "textDocument/documentSymbol",
    "textDocument/formatting",
    "textDocument/semanticTokens/full",
    "textDocument/inlayHint",
    "textDocument/foldingRange",
    "textDocument/codeLens",
];

fn params_of(method: &str, uri: &str, (line, character): (u32, u32)) -> Value {
    let doc = json!({"uri": uri});
    let position = json!({"line": line, "character": character});
    match method {
        "textDocument/references" => json!({"textDocument": doc, "position": position,
            "context": {"includeDeclaration": line % 2 == 0}}),
        "textDocument/hover" | "textDocument/definition" | "textDocument/completion" => {
            json!({"textDocument": doc, "position": position})
        }
        "textDocument/formatting" => {
            json!({"textDocument": doc, "options": {"tabSize": 2, "insertSpaces": true}})
        }
        "textDocument/inlayHint" => json!({"textDocument": doc,
            "range": {"start": {"line": 0, "character": 0}, "end": position}}),
        _ => json!({"textDocument": doc}),
    }
}

/// A server whose inlay hints have facts to show.
fn started() -> Server {
    let mut s = Server::start();
    let facts = root().join("examples/enterprises/anxin-precision.json");
    s.request(
        "initialize",
        json!({"capabilities": {}, "initializationOptions": {"exampleFacts": facts.display().to_string()}}),
    );
    s.notify("initialized", json!({}));
    s
}

/// Asks and checks the server answered, without an error.
fn ask(s: &mut Server, method: &str, params: Value) -> Value {
    let r = s.request(method, params);
    assert!(r.get("error").is_none(), "{method}: {r}");
    assert!(r.get("result").is_some(), "{method}: {r}");
    r["result"].clone()
}

/// A document's semantic tokens in absolute positions, those the text
/// alone decides (comments, texts, keywords, numbers: names are classed by
/// the last policy that checked, which an edited document may keep).
fn text_tokens(tokens: &Value) -> Vec<[u64; 4]> {
    let data = tokens["data"].as_array().unwrap();
    let (mut line, mut start) = (0, 0);
    let mut out = Vec::new();
    for t in data.chunks(5) {
        let n: Vec<u64> = t.iter().map(|v| v.as_u64().unwrap()).collect();
        if n[0] > 0 {
            line += n[0];
            start = n[1];
        } else {
            start += n[1];
        }
        if n[3] <= 3 {
            out.push([line, start, n[2], n[3]]);
        }
    }
    out
}

fn the_diagnostics_of(p: &Value, uri: &str) -> String {
    p["diagnostics"].to_string().replace(uri, "URI")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, max_shrink_iters: 64, ..ProptestConfig::default() })]

    /// Random incremental edits of the draft (ranges anywhere, past the end,
    /// reversed, between the halves of a surrogate pair; whole-document
    /// changes now and then), with random requests at random positions in
    /// between: every change is answered by diagnostics of its version,
    /// every request by a result, and at the end the edited document has
    /// exactly the diagnostics, folds and text tokens of a document opened
    /// fresh with the text the model computes — so the server applied the
    /// edits as the protocol says.
    #[test]
    fn random_edits_through_the_server_match_the_model(
        steps in proptest::collection::vec(
            (a_step(), proptest::collection::vec((0..METHODS.len(), a_position()), 0..3)),
            1..=6,
        )
    ) {
        let mut s = started();
        let edited = "file:///robust/edited.decree";
        let fresh = "file:///robust/fresh.decree";
        let mut text = read(DRAFT);
        s.open(edited, &text);
        s.diagnostics_for(edited);
        let mut last = Value::Null;
        for (n, (step, asks)) in steps.iter().enumerate() {
            let version = n + 2;
            let changes = changes_of(step, &mut text);
            let changes: Vec<Value> = changes.iter().map(Change::to_json).collect();
            s.notify(
                "textDocument/didChange",
                json!({"textDocument": {"uri": edited, "version": version}, "contentChanges": changes}),
            );
            last = s.diagnostics_for(edited);
            prop_assert_eq!(&last["version"], &json!(version));
            assert_in_bounds(&text, &last["diagnostics"]);
            for &(m, at) in asks {
                ask(&mut s, METHODS[m], params_of(METHODS[m], edited, at));
            }
        }
        s.open(fresh, &text);
        let new = s.diagnostics_for(fresh);
        prop_assert_eq!(the_diagnostics_of(&last, edited), the_diagnostics_of(&new, fresh));
        for (method, compare) in [
            ("textDocument/foldingRange", false),
            ("textDocument/semanticTokens/full", true),
        ] {
            let a = ask(&mut s, method, json!({"textDocument": {"uri": edited}}));
            let b = ask(&mut s, method, json!({"textDocument": {"uri": fresh}}));
            if compare {
                prop_assert_eq!(text_tokens(&a), text_tokens(&b));
            } else {
                prop_assert_eq!(a, b);
            }
        }
        s.shutdown();
    }
}

// ---------------------------------------------------------------- a 50 MB document

/// A document of ~50 MB, as one enormous line and as the draft repeated
/// (many lines): the server publishes the size-limit diagnostic and
/// answers hover, symbols, folding and semantic tokens in reasonable
/// time, then exits cleanly.
#[test]
fn a_50_mb_document_is_refused_quickly_and_the_server_goes_on() {
    let draft = read(DRAFT);
    let texts = [
        ("file:///robust/one-line.decree", "a".repeat(50 << 20)),
        (
            "file:///robust/repeated.decree",
            draft.repeat((50 << 20) / draft.len() + 1),
        ),
    ];
    let mut s = started();
    for (uri, text) in &texts {
        let t = Instant::now();
        s.open(uri, text);
        let d = s.diagnostics_for(uri);
        let published = t.elapsed();
        let ds = d["diagnostics"].as_array().unwrap();
        assert_eq!(ds.len(), 1, "{d}");
        assert_eq!(ds[0]["code"], "decree::limit", "{d}");
        assert_in_bounds(text, &d["diagnostics"]);
        let last = position(text, text.len());
        let mut took = vec![("diagnostics", published)];
        for (method, at) in [
            ("textDocument/hover", (0, 0)),
            ("textDocument/hover", last),
            ("textDocument/documentSymbol", (0, 0)),
            ("textDocument/foldingRange", (0, 0)),
            ("textDocument/semanticTokens/full", (0, 0)),
        ] {
            let t = Instant::now();
            ask(&mut s, method, params_of(method, uri, at));
            took.push((method, t.elapsed()));
        }
        eprintln!("{uri}: {took:?}");
        for (what, t) in took {
            assert!(t < Duration::from_secs(20), "{uri}: {what} took {t:?}");
        }
        s.notify(
            "textDocument/didClose",
            json!({"textDocument": {"uri": uri}}),
        );
        s.diagnostics_for(uri);
    }
    let r = ask(
        &mut s,
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": "file:///robust/one-line.decree"}}),
    );
    assert_eq!(r, Value::Null, "closed");
    s.shutdown();
}

// ---------------------------------------------------------------- truncations and bad bytes

/// A server spoken to byte by byte, for messages no well-behaved client
/// sends (a wrong Content-Length, bytes that are not UTF-8).
struct Raw {
    child: Child,
    stdin: ChildStdin,
    from: Receiver<Value>,
    seen: Vec<Value>,
}

impl Raw {
    fn start() -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_decree"))
            .arg("lsp")
            .current_dir(root())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the binary starts");
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (to, from) = channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            while let Some(m) = read_message(&mut r) {
                if to.send(m).is_err() {
                    break;
                }
            }
        });
        Raw {
            child,
            stdin,
            from,
            seen: Vec::new(),
        }
    }

    fn bytes(&mut self, b: &[u8]) {
        self.stdin.write_all(b).unwrap();
        self.stdin.flush().unwrap();
    }

    fn frame(&mut self, body: &[u8]) {
        self.bytes(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
        self.bytes(body);
    }

    fn send(&mut self, m: &Value) {
        self.frame(m.to_string().as_bytes());
    }

    fn request(&mut self, id: i64, method: &str, params: Value) -> Value {
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        self.response(id)
    }

    fn next(&mut self) -> Value {
        self.from
            .recv_timeout(Duration::from_secs(20))
            .expect("the server answers within 20 s")
    }

    /// The response to `id`; what comes first is kept in `seen`.
    fn response(&mut self, id: i64) -> Value {
        loop {
            let m = self.next();
            if m.get("id") == Some(&json!(id)) && m.get("method").is_none() {
                return m;
            }
            self.seen.push(m);
        }
    }

    fn diagnostics_for(&mut self, uri: &str) -> Value {
        if let Some(i) = self
            .seen
            .iter()
            .position(|m| common::lsp::is_diagnostics_for(m, uri))
        {
            return self.seen.remove(i)["params"].clone();
        }
        loop {
            let m = self.next();
            if common::lsp::is_diagnostics_for(&m, uri) {
                return m["params"].clone();
            }
            self.seen.push(m);
        }
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    fn shutdown(mut self) {
        let r = self.request(i64::MAX, "shutdown", Value::Null);
        assert_eq!(r["result"], Value::Null, "{r}");
        self.notify("exit", Value::Null);
        let status = self.child.wait().unwrap();
        assert!(status.success(), "exit status {status}");
    }
}

/// The largest character boundary at or before `at`.
fn floor(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// The draft and its tests cut at every 997th byte (moved back to a
/// character boundary): the draft changed to each prefix in turn (so the
/// last policy that checked stays, and hover at the cut asks it), the
/// tests opened as documents of their own beside the draft (so each runs
/// what tests still parse). Every prefix gets diagnostics of its version,
/// inside the text, and every hover an answer.
#[test]
fn every_truncation_of_the_draft_and_its_tests_is_answered() {
    let mut s = Raw::start();
    s.request(1, "initialize", json!({"capabilities": {}}));
    let draft = read(DRAFT);
    let uri = uri_of(DRAFT);
    s.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "decree", "version": 1, "text": draft}}),
    );
    assert_eq!(s.diagnostics_for(&uri)["diagnostics"], json!([]));
    let mut id = 10;
    let mut broken = 0;
    for (n, cut) in (0..draft.len()).step_by(997).enumerate() {
        let prefix = &draft[..floor(&draft, cut)];
        let version = n + 2;
        s.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": prefix}]}),
        );
        let d = s.diagnostics_for(&uri);
        assert_eq!(d["version"], json!(version));
        assert_in_bounds(prefix, &d["diagnostics"]);
        broken += usize::from(d["diagnostics"] != json!([]));
        let (line, character) = position(prefix, prefix.len());
        for at in [(line, character), (line, character.saturating_sub(1))] {
            id += 1;
            let r = s.request(
                id,
                "textDocument/hover",
                json!({"textDocument": {"uri": uri}, "position": {"line": at.0, "character": at.1}}),
            );
            assert!(r.get("error").is_none(), "{r}");
        }
    }
    assert!(broken > 40, "most prefixes do not parse: {broken}");
    // The tests, beside the draft, each prefix a document of its own.
    let tests = read(DRAFT_TESTS);
    for (n, cut) in (0..tests.len()).step_by(997).enumerate() {
        let prefix = &tests[..floor(&tests, cut)];
        let uri = uri_of(&format!("policies/cut-{n}.test.decree"));
        s.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "decree", "version": 1, "text": prefix}}),
        );
        let d = s.diagnostics_for(&uri);
        assert_in_bounds(prefix, &d["diagnostics"]);
        id += 1;
        let r = s.request(
            id,
            "textDocument/codeLens",
            json!({"textDocument": {"uri": uri}}),
        );
        assert!(r.get("error").is_none(), "{r}");
    }
    s.shutdown();
}

/// What a careless or broken client sends: raw 0xFF 0xFE inside a
/// document's text (read as U+FFFD, and the document analysed), a message
/// whose body arrives in two writes (answered once whole), a
/// Content-Length that swallows the next message (that one is lost, the
/// one after is answered), and requests whose params have the wrong shape
/// (an error of invalid params, never an internal error). After all of it
/// the server answers and exits with success.
#[test]
fn bad_bytes_cut_messages_and_wrong_params_leave_the_server_answering() {
    let mut s = Raw::start();
    s.request(1, "initialize", json!({"capabilities": {}}));
    let uri = "file:///robust/raw.decree";

    // Bytes 0xFF 0xFE inside the text of a didOpen, and in a didChange.
    let mut body = format!(
        r#"{{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{{"textDocument":{{"uri":"{uri}","languageId":"decree","version":1,"text":"fact a: money \"甲"#
    )
    .into_bytes();
    body.extend_from_slice(b"\xff\xfe");
    body.extend_from_slice(br#"\"\nfact b: money\n"#);
    body.extend_from_slice(b"\xfe\"}}}");
    s.frame(&body);
    let d = s.diagnostics_for(uri);
    assert_eq!(d["version"], json!(1), "the document was opened: {d}");
    let text = "fact a: money \"甲\u{FFFD}\u{FFFD}\"\nfact b: money\n\u{FFFD}";
    assert_in_bounds(text, &d["diagnostics"]);
    assert!(
        d["diagnostics"] != json!([]),
        "a stray U+FFFD is no decree: {d}"
    );
    // Hover just after the two replacement characters: UTF-16 columns of
    // the decoded text.
    let r = s.request(
        2,
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": 0, "character": 17}}),
    );
    assert!(r.get("error").is_none(), "{r}");
    let mut change = format!(
        r#"{{"jsonrpc":"2.0","method":"textDocument/didChange","params":{{"textDocument":{{"uri":"{uri}","version":2}},"contentChanges":[{{"range":{{"start":{{"line":2,"character":0}},"end":{{"line":2,"character":1}}}},"text":""#
    )
    .into_bytes();
    change.extend_from_slice(b"\xff");
    change.extend_from_slice(br#""}]}}"#);
    s.frame(&change);
    let d = s.diagnostics_for(uri);
    assert_eq!(d["version"], json!(2), "{d}");

    // A body arriving in two writes: the server waits for all of it.
    let hover = json!({"jsonrpc": "2.0", "id": 3, "method": "textDocument/hover",
        "params": {"textDocument": {"uri": uri}, "position": {"line": 0, "character": 0}}})
    .to_string();
    let (first, rest) = hover.as_bytes().split_at(hover.len() / 2);
    s.bytes(format!("Content-Length: {}\r\n\r\n", hover.len()).as_bytes());
    s.bytes(first);
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        s.from.try_recv().is_err(),
        "nothing is answered before the body is whole"
    );
    s.bytes(rest);
    let r = s.response(3);
    assert!(r.get("error").is_none(), "{r}");

    // A Content-Length that counts the next message too: that message is
    // part of a body that is no JSON, so it is lost, and the server reads
    // on at the message after it.
    let short = json!({"jsonrpc": "2.0", "id": 4, "method": "textDocument/hover",
        "params": {"textDocument": {"uri": uri}, "position": {"line": 0, "character": 0}}})
    .to_string();
    let swallowed = json!({"jsonrpc": "2.0", "id": 5, "method": "textDocument/documentSymbol",
        "params": {"textDocument": {"uri": uri}}})
    .to_string();
    let swallowed = format!("Content-Length: {}\r\n\r\n{swallowed}", swallowed.len());
    s.bytes(format!("Content-Length: {}\r\n\r\n", short.len() + swallowed.len()).as_bytes());
    s.bytes(short.as_bytes());
    s.bytes(swallowed.as_bytes());
    let r = s.request(
        6,
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": 0, "character": 0}}),
    );
    assert!(r.get("error").is_none(), "{r}");

    // Params of the wrong shape: invalid params, not an internal error.
    let wrong = [
        (
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": "x"}),
        ),
        (
            "textDocument/definition",
            json!({"textDocument": 5, "position": {"line": 0, "character": 0}}),
        ),
        (
            "textDocument/completion",
            json!({"textDocument": {"uri": uri}, "position": {"line": -1, "character": 1.5}}),
        ),
        ("textDocument/documentSymbol", json!([1, 2, 3])),
        ("textDocument/formatting", json!({"textDocument": {}})),
        (
            "textDocument/references",
            json!({"textDocument": {"uri": uri}, "position": {"line": 0, "character": 0}}),
        ),
        ("textDocument/semanticTokens/full", Value::Null),
    ];
    for (n, (method, params)) in wrong.into_iter().enumerate() {
        let id = 10 + i64::try_from(n).unwrap();
        let r = s.request(id, method, params.clone());
        let code = &r["error"]["code"];
        assert_eq!(code, &json!(-32602), "{method} {params}: {r}");
    }
    // Notifications of the wrong shape are dropped without a word.
    s.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 3}, "contentChanges": "x"}),
    );
    s.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": "file:///robust/no-text.decree"}}),
    );

    // Still answering, and the two messages lost above were never answered.
    let r = s.request(
        30,
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": 1, "character": 1}}),
    );
    assert!(r.get("error").is_none(), "{r}");
    let answered: Vec<&Value> = s.seen.iter().filter_map(|m| m.get("id")).collect();
    assert!(
        !answered.contains(&&json!(4)) && !answered.contains(&&json!(5)),
        "{answered:?}"
    );
    assert!(
        !s.seen
            .iter()
            .any(|m| common::lsp::is_diagnostics_for(m, "file:///robust/no-text.decree")),
        "a didOpen without text opens nothing"
    );
    s.shutdown();
}
