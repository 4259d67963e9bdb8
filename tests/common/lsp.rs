//! A client of `decree lsp` for the tests that speak to it: the built
//! binary started as an editor starts it, spoken to in JSON-RPC over its
//! standard input and output (Content-Length framing).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

use serde_json::{Value, json};

use super::root;

/// A running `decree lsp` and the messages it has sent.
pub struct Server {
    child: Child,
    stdin: ChildStdin,
    from: Receiver<Value>,
    next_id: i64,
    /// Notifications received while waiting for responses, in order.
    pub notes: Vec<Value>,
}

impl Server {
    pub fn start() -> Self {
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
        Server {
            child,
            stdin,
            from,
            next_id: 1,
            notes: Vec::new(),
        }
    }

    pub fn send_raw(&mut self, body: &[u8]) {
        write!(self.stdin, "Content-Length: {}\r\n\r\n", body.len()).unwrap();
        self.stdin.write_all(body).unwrap();
        self.stdin.flush().unwrap();
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        let m = json!({"jsonrpc": "2.0", "method": method, "params": params});
        self.send_raw(m.to_string().as_bytes());
    }

    /// Sends a request and waits for its response (notifications that come
    /// first are kept in `notes`).
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        let m = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
        self.send_raw(m.to_string().as_bytes());
        self.response(id)
    }

    pub fn response(&mut self, id: i64) -> Value {
        loop {
            let m = self.next();
            if m.get("id") == Some(&json!(id)) && m.get("method").is_none() {
                return m;
            }
            self.notes.push(m);
        }
    }

    pub fn next(&mut self) -> Value {
        self.from
            .recv_timeout(Duration::from_secs(60))
            .expect("the server answers within a minute")
    }

    /// The next diagnostics published for `uri`.
    pub fn diagnostics_for(&mut self, uri: &str) -> Value {
        if let Some(i) = self.notes.iter().position(|n| is_diagnostics_for(n, uri)) {
            return self.notes.remove(i)["params"].clone();
        }
        loop {
            let m = self.next();
            if is_diagnostics_for(&m, uri) {
                return m["params"].clone();
            }
            self.notes.push(m);
        }
    }

    /// Answers a request the server made of the client.
    pub fn respond(&mut self, request: &Value, result: Value) {
        let m = json!({"jsonrpc": "2.0", "id": request["id"], "result": result});
        self.send_raw(m.to_string().as_bytes());
    }

    /// The next message from the server whose method is `method` (a
    /// notification, or a request the server makes of the client).
    pub fn sent_by_server(&mut self, method: &str) -> Value {
        if let Some(i) = self.notes.iter().position(|m| m["method"] == method) {
            return self.notes.remove(i);
        }
        loop {
            let m = self.next();
            if m["method"] == method {
                return m;
            }
            self.notes.push(m);
        }
    }

    /// The next `window/showMessage` whose message starts with `start`
    /// (notifications may come before or after the response they go with).
    pub fn message_starting(&mut self, start: &str) -> String {
        let said = |m: &Value| {
            m["method"] == "window/showMessage"
                && m["params"]["message"]
                    .as_str()
                    .is_some_and(|t| t.starts_with(start))
        };
        if let Some(i) = self.notes.iter().position(said) {
            return self.notes.remove(i)["params"]["message"]
                .as_str()
                .unwrap()
                .to_string();
        }
        loop {
            let m = self.next();
            if said(&m) {
                return m["params"]["message"].as_str().unwrap().to_string();
            }
            self.notes.push(m);
        }
    }

    pub fn open(&mut self, uri: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "decree", "version": 1, "text": text}}),
        );
    }

    pub fn shutdown(mut self) {
        let r = self.request("shutdown", Value::Null);
        assert_eq!(r["result"], Value::Null);
        self.notify("exit", Value::Null);
        let status = self.child.wait().unwrap();
        assert!(status.success(), "exit status {status}");
    }
}

pub fn is_diagnostics_for(m: &Value, uri: &str) -> bool {
    m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri
}

pub fn read_message(r: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(n) = line.strip_prefix("Content-Length:") {
            length = n.trim().parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    r.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

/// The byte offset of an LSP position (line, UTF-16 column) in `text`: a
/// line past the end is the end, a column past a line's end is its end.
pub fn offset(text: &str, position: &Value) -> usize {
    let line = position["line"].as_u64().unwrap() as usize;
    let column = position["character"].as_u64().unwrap() as usize;
    let Some(start) = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .nth(line)
    else {
        return text.len();
    };
    let rest = &text[start..];
    let line_text = &rest[..rest.find('\n').unwrap_or(rest.len())];
    let mut units = 0;
    for (i, c) in line_text.char_indices() {
        if units >= column {
            return start + i;
        }
        units += c.len_utf16();
    }
    start + line_text.len()
}

/// `text` with the protocol's text edits applied (they do not overlap).
pub fn applied(text: &str, edits: &[Value]) -> String {
    let mut spans: Vec<(usize, usize, &str)> = edits
        .iter()
        .map(|e| {
            (
                offset(text, &e["range"]["start"]),
                offset(text, &e["range"]["end"]),
                e["newText"].as_str().unwrap(),
            )
        })
        .collect();
    spans.sort_by_key(|&(start, _, _)| std::cmp::Reverse(start));
    let mut out = text.to_string();
    for (start, end, new) in spans {
        out.replace_range(start..end, new);
    }
    out
}
