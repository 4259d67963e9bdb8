//! `decree serve` under hostile requests: while slow clients hold
//! connections open a byte at a time, huge bodies are sent, policy text
//! nests past the limits and population uploads arrive many at once, an
//! ordinary client keeps evaluating the draft, and every one of its
//! requests is answered, correctly and in bounded time. The hostile ones
//! get their JSON errors (413, 422, 429) or are cut off; none stops the
//! server.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use common::serve::Server;
use serde_json::json;

/// How long the hostile load lasts.
const LOAD: Duration = Duration::from_secs(8);

/// The host and port of `http://HOST:PORT`.
fn address(s: &Server) -> String {
    s.base.trim_start_matches("http://").to_string()
}

/// A client that sends a request's headers one byte at a time, a byte every
/// 200 ms, until told to stop: a slow client holding a connection.
fn slow_client(addr: String, stop: Arc<AtomicBool>) {
    let Ok(mut c) = TcpStream::connect(&addr) else {
        return;
    };
    let head = b"POST /api/check HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n";
    for b in head.iter().cycle() {
        if stop.load(Ordering::Relaxed) || c.write_all(&[*b]).is_err() {
            return;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// A body far past the limit, sent as fast as the server takes it: the
/// answer is a 413 or the connection is cut; it never hangs.
fn huge_body(addr: &str) -> Option<u16> {
    let mut c = TcpStream::connect(addr).ok()?;
    c.set_read_timeout(Some(Duration::from_secs(30))).ok()?;
    let n = 200 << 20;
    let head = format!(
        "POST /api/check HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {n}\r\n\r\n"
    );
    c.write_all(head.as_bytes()).ok()?;
    let chunk = vec![b' '; 1 << 20];
    for _ in 0..200 {
        if c.write_all(&chunk).is_err() {
            break;
        }
    }
    let mut answer = String::new();
    let _ = c.read_to_string(&mut answer);
    answer
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
}

#[test]
fn the_server_keeps_answering_under_hostile_requests() {
    let s = Arc::new(Server::start(&[
        "--max-jobs",
        "2",
        "--max-evaluations",
        "4",
    ]));
    let addr = address(&s);
    let facts: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            common::root().join("examples/enterprises/huaxin-electronics.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let want = s
        .post(
            "/api/policies/shenzhen-manufacturing-2020/evaluate",
            &json!({ "facts": facts, "at": "2025-06-30" }),
        )
        .expect(200);
    let stop = Arc::new(AtomicBool::new(false));
    let mut hostile = Vec::new();
    // 40 slow clients.
    for _ in 0..40 {
        let (addr, stop) = (addr.clone(), stop.clone());
        hostile.push(std::thread::spawn(move || slow_client(addr, stop)));
    }
    // Huge bodies, one after another.
    {
        let (addr, stop) = (addr.clone(), stop.clone());
        hostile.push(std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                let status = huge_body(&addr);
                assert!(
                    matches!(status, None | Some(413)),
                    "a huge body: {status:?}"
                );
            }
        }));
    }
    // Policy text nested past the limits.
    {
        let (s, stop) = (s.clone(), stop.clone());
        hostile.push(std::thread::spawn(move || {
            let deep = format!(
                "fact x: money\nmeasure 1 \"t\" {{\n  subsidy a = {}x{}\n}}\n",
                "(".repeat(5000),
                ")".repeat(5000)
            );
            while !stop.load(Ordering::Relaxed) {
                let a = s.post(
                    "/api/evaluate",
                    &json!({"text": deep, "facts": {"x": "1万"}}),
                );
                a.error(422, "decree::limit");
            }
        }));
    }
    // Population uploads, eight at a time: two run, the rest are refused.
    for _ in 0..8 {
        let (s, stop) = (s.clone(), stop.clone());
        hostile.push(std::thread::spawn(move || {
            let rows = "tech_upgrade_investment,annual_output\n".to_string()
                + &"1.2亿,620亿\n".repeat(3000);
            while !stop.load(Ordering::Relaxed) {
                let a = s.call(
                    "POST",
                    "/api/population?policy=shenzhen-manufacturing-2020&format=csv",
                    Some("text/csv"),
                    rows.as_bytes(),
                );
                assert!(matches!(a.status, 202 | 429), "{} {}", a.status, a.text);
                std::thread::sleep(Duration::from_millis(100));
            }
        }));
    }
    // Meanwhile, the ordinary client.
    let started = Instant::now();
    let mut latencies = Vec::new();
    let mut answered = 0;
    while started.elapsed() < LOAD {
        let t = Instant::now();
        let a = s.post(
            "/api/policies/shenzhen-manufacturing-2020/evaluate",
            &json!({ "facts": facts, "at": "2025-06-30" }),
        );
        latencies.push(t.elapsed());
        if a.status == 429 {
            // Every evaluation slot is taken by the hostile texts: a
            // refusal is an answer, and the client tries again.
            a.error(429, "decree::serve::busy");
            continue;
        }
        assert_eq!(a.expect(200), want, "the same answer under load");
        answered += 1;
    }
    stop.store(true, Ordering::Relaxed);
    for h in hostile {
        h.join().expect("a hostile client");
    }
    latencies.sort();
    let worst = *latencies.last().unwrap();
    assert!(
        answered >= 5,
        "only {answered} evaluations of {} requests answered in {LOAD:?}",
        latencies.len()
    );
    assert!(
        worst < Duration::from_secs(10),
        "an ordinary request waited {worst:?} under the hostile load"
    );
    // And the server is still well.
    assert_eq!(s.get("/api/policies").status, 200);
}
