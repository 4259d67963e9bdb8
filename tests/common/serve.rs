//! A client of `decree serve` for the tests that speak to it: the built
//! binary started on a free port of loopback (it prints `listening on
//! http://ADDR` first), spoken to with ureq, stopped when dropped.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

/// A server started for one test, stopped when dropped.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    stderr: Arc<Mutex<String>>,
}

impl Server {
    /// Starts `decree serve` on the bundled policies, example enterprises
    /// and population, on a free port of loopback, with `extra` arguments.
    pub fn start(extra: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_decree"))
            .args([
                "serve",
                "policies/",
                "--facts",
                "examples/enterprises/",
                "--population",
                "examples/enterprises/",
                "--bind",
                "127.0.0.1:0",
            ])
            .args(extra)
            .current_dir(super::root())
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the binary starts");
        let stderr = Arc::new(Mutex::new(String::new()));
        let mut err = child.stderr.take().unwrap();
        let sink = stderr.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = err.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let base = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("no address in {line:?}: {}", stderr.lock().unwrap()))
            .to_string();
        Server {
            child,
            base,
            stderr,
        }
    }

    /// `(status, content type, body)` of a request.
    pub fn call(&self, method: &str, path: &str, ct: Option<&str>, body: &[u8]) -> Answer {
        let url = format!("{}{path}", self.base);
        let mut req = ureq::request(method, &url).timeout(Duration::from_secs(60));
        if let Some(ct) = ct {
            req = req.set("Content-Type", ct);
        }
        let res = if method == "GET" || method == "DELETE" {
            req.call()
        } else {
            req.send_bytes(body)
        };
        let res = match res {
            Ok(r) => r,
            Err(ureq::Error::Status(_, r)) => r,
            Err(e) => panic!("{method} {path}: {e}"),
        };
        let status = res.status();
        let ct = res.header("content-type").unwrap_or("").to_string();
        let mut text = String::new();
        res.into_reader().read_to_string(&mut text).unwrap();
        Answer {
            method: method.into(),
            path: path.into(),
            status,
            ct,
            text,
        }
    }

    /// A GET.
    pub fn get(&self, path: &str) -> Answer {
        self.call("GET", path, None, b"")
    }

    /// A POST of JSON.
    pub fn post(&self, path: &str, body: &Value) -> Answer {
        self.call(
            "POST",
            path,
            Some("application/json"),
            body.to_string().as_bytes(),
        )
    }

    /// Sends SIGTERM and waits for the exit.
    pub fn stop(mut self) -> (std::process::ExitStatus, String) {
        let pid = self.child.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                std::thread::sleep(Duration::from_millis(100));
                let err = self.stderr.lock().unwrap().clone();
                return (status, err);
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "no exit after SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An answer: its request, status, content type and body.
pub struct Answer {
    pub method: String,
    pub path: String,
    pub status: u16,
    pub ct: String,
    pub text: String,
}

impl Answer {
    /// Its body, which must be JSON.
    pub fn json(&self) -> Value {
        assert!(
            self.ct.starts_with("application/json"),
            "{} {}: content type {:?}: {}",
            self.method,
            self.path,
            self.ct,
            self.text
        );
        serde_json::from_str(&self.text).unwrap_or_else(|e| {
            panic!(
                "{} {}: not JSON ({e}): {}",
                self.method, self.path, self.text
            )
        })
    }

    /// The answer's status is `status`; its JSON.
    pub fn expect(&self, status: u16) -> Value {
        assert_eq!(
            self.status, status,
            "{} {}: {}",
            self.method, self.path, self.text
        );
        self.json()
    }

    /// An error of `status` with `code`: the contract's error body.
    pub fn error(&self, status: u16, code: &str) -> Value {
        let v = self.expect(status);
        let e = &v["error"];
        assert_eq!(e["code"], code, "{} {}: {v}", self.method, self.path);
        assert!(e["message"].is_string() && e["diagnostics"].is_array());
        v
    }
}
