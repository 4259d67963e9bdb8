//! A bounded load test of `decree serve` on 127.0.0.1: the release binary
//! is started on the draft and the example enterprises, then a fixed number
//! of concurrent clients (64) each send a fixed number of requests over one
//! keep-alive connection, and the run stops by itself. For each phase it
//! prints requests per second, p50 / p99 / max latency, errors (any answer
//! but 200) and the server's resident memory after the phase, which stays
//! flat when the server keeps nothing per request. Two rounds of each phase
//! show it. Run with `cargo bench --bench load`; figures are recorded in
//! docs/PERFORMANCE.md. A benchmark, not a test: it asserts nothing but
//! that the server started.
#![allow(clippy::expect_used, clippy::indexing_slicing, clippy::unwrap_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Concurrent clients.
const CLIENTS: usize = 64;
/// Requests each client sends in a phase.
const REQUESTS: usize = 40;

fn main() {
    let root = env!("CARGO_MANIFEST_DIR");
    let (mut server, address) = start(root);
    let examples = example_facts(&address);
    let evaluate: Vec<Vec<u8>> = examples
        .iter()
        .map(|f| serde_json::json!({ "facts": f }).to_string().into_bytes())
        .collect();
    // A partial profile: every other fact of each example left out.
    let partial: Vec<Vec<u8>> = examples
        .iter()
        .map(|f| {
            let kept: serde_json::Map<String, serde_json::Value> = f
                .as_object()
                .map(|m| {
                    m.iter()
                        .step_by(2)
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect()
                })
                .unwrap_or_default();
            serde_json::json!({ "facts": kept })
                .to_string()
                .into_bytes()
        })
        .collect();
    let policy = "shenzhen-manufacturing-2020";
    println!(
        "decree serve on {address}: {CLIENTS} clients × {REQUESTS} requests a phase, {} example enterprises",
        examples.len()
    );
    println!(
        "{:<34} {:>9} {:>9} {:>9} {:>9} {:>7} {:>10}",
        "phase", "req/s", "p50", "p99", "max", "errors", "RSS after"
    );
    for round in 1..=2 {
        let path = format!("/api/policies/{policy}/evaluate");
        phase(
            &format!("evaluate the draft, round {round}"),
            &address,
            &path,
            &evaluate,
            &server,
        );
        let path = format!("/api/policies/{policy}/match");
        phase(
            &format!("match a partial profile, round {round}"),
            &address,
            &path,
            &partial,
            &server,
        );
    }
    let _ = server.kill();
    let _ = server.wait();
}

/// Starts the server on a free port and reads the address it prints.
fn start(root: &str) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_decree"))
        .args([
            "serve",
            "policies/shenzhen-manufacturing-2020.decree",
            "--facts",
            "examples/enterprises",
            "--bind",
            "127.0.0.1:0",
        ])
        .current_dir(root)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("decree serve starts");
    let (to, from) = std::sync::mpsc::channel();
    for pipe in [
        Box::new(child.stdout.take().expect("stdout")) as Box<dyn Read + Send>,
        Box::new(child.stderr.take().expect("stderr")),
    ] {
        let to = to.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                if let Some(at) = line.find("http://") {
                    let address: String = line[at + 7..]
                        .chars()
                        .take_while(|c| !c.is_whitespace() && *c != '/')
                        .collect();
                    let _ = to.send(address);
                }
            }
        });
    }
    let address = from
        .recv_timeout(Duration::from_secs(60))
        .expect("the server says where it listens");
    (child, address)
}

/// The example enterprises' facts, as the server gives them.
fn example_facts(address: &str) -> Vec<serde_json::Value> {
    let mut c = Client::connect(address);
    let (status, list) = c.send("GET", "/api/examples", b"");
    assert_eq!(
        status,
        200,
        "GET /api/examples: {}",
        String::from_utf8_lossy(&list)
    );
    let list: serde_json::Value = serde_json::from_slice(&list).expect("JSON");
    list.as_array()
        .expect("a list")
        .iter()
        .filter_map(|e| {
            let (status, body) =
                c.send("GET", &format!("/api/examples/{}", e["id"].as_str()?), b"");
            let v: serde_json::Value = serde_json::from_slice(&body).ok()?;
            (status == 200).then(|| v["facts"].clone())
        })
        .collect()
}

/// One phase: every client sends its requests; the figures are printed.
fn phase(name: &str, address: &str, path: &str, bodies: &[Vec<u8>], server: &Child) {
    let started = Instant::now();
    let workers: Vec<_> = (0..CLIENTS)
        .map(|k| {
            let (address, path) = (address.to_string(), path.to_string());
            let bodies = bodies.to_vec();
            std::thread::spawn(move || {
                let mut c = Client::connect(&address);
                let mut out = Vec::with_capacity(REQUESTS);
                for i in 0..REQUESTS {
                    let body = &bodies[(k + i) % bodies.len()];
                    let t = Instant::now();
                    let (status, _) = c.send("POST", &path, body);
                    out.push((t.elapsed(), status));
                }
                out
            })
        })
        .collect();
    let mut results: Vec<(Duration, u16)> = workers
        .into_iter()
        .flat_map(|w| w.join().expect("a client"))
        .collect();
    let wall = started.elapsed();
    let errors = results.iter().filter(|(_, s)| *s != 200).count();
    results.sort_by_key(|(d, _)| *d);
    let at = |q: f64| results[((results.len() - 1) as f64 * q) as usize].0;
    let rps = results.len() as f64 / wall.as_secs_f64();
    println!(
        "{name:<34} {rps:>9.0} {:>9} {:>9} {:>9} {errors:>7} {:>10}",
        ms(at(0.50)),
        ms(at(0.99)),
        ms(at(1.0)),
        rss(server.id())
    );
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// The server's resident memory, from /proc (Linux).
fn rss(pid: u32) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .map(|l| l.trim_start_matches("VmRSS:").trim().to_string())
        })
        .unwrap_or_else(|| "?".to_string())
}

/// A keep-alive HTTP/1.1 client over one connection: enough for a load
/// test of our own server (Content-Length bodies, no chunked answers).
struct Client {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
    host: String,
}

impl Client {
    fn connect(address: &str) -> Self {
        let stream = TcpStream::connect(address).expect("connects");
        stream.set_nodelay(true).expect("nodelay");
        Client {
            reader: BufReader::new(stream.try_clone().expect("clone")),
            writer: stream,
            host: address.to_string(),
        }
    }

    fn send(&mut self, method: &str, path: &str, body: &[u8]) -> (u16, Vec<u8>) {
        let head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            self.host,
            body.len()
        );
        self.writer.write_all(head.as_bytes()).expect("writes");
        self.writer.write_all(body).expect("writes");
        let mut status_line = String::new();
        self.reader
            .read_line(&mut status_line)
            .expect("a status line");
        let status: u16 = status_line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let mut length = 0;
        loop {
            let mut line = String::new();
            self.reader.read_line(&mut line).expect("a header");
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((k, v)) = line.split_once(':') {
                if k.eq_ignore_ascii_case("content-length") {
                    length = v.trim().parse().unwrap_or(0);
                }
            }
        }
        let mut body = vec![0; length];
        self.reader.read_exact(&mut body).expect("the body");
        (status, body)
    }
}
