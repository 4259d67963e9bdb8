//! `decree serve` end to end: the built binary started on a free port of
//! loopback, every route of docs/API.md spoken to over HTTP, good requests
//! and bad ones (malformed JSON, wrong types, unknown names, bodies too
//! large, policy text past the limits, Chinese magnitudes), every JSON
//! answer checked against its schema in the server's own `/openapi.json`,
//! the routes served against the routes documented, a few answers
//! snapshotted, the bounds on concurrent evaluations and jobs (429) and on
//! an evaluation's time (503), and a graceful stop on SIGTERM. Nothing is written into
//! the working tree: the server only reads the files it is named.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::serve::{Answer, Server};
use serde_json::{Value, json};

/// Every route the server serves, as the OpenAPI document names it.
const ROUTES: &[(&str, &str)] = &[
    ("get", "/api/policies"),
    ("get", "/api/policies/{id}"),
    ("get", "/api/policies/{id}/source"),
    ("post", "/api/policies/{id}/evaluate"),
    ("post", "/api/policies/{id}/match"),
    ("get", "/api/examples"),
    ("get", "/api/examples/{id}"),
    ("post", "/api/evaluate"),
    ("post", "/api/check"),
    ("post", "/api/format"),
    ("post", "/api/hover"),
    ("post", "/api/complete"),
    ("post", "/api/diff"),
    ("post", "/api/population"),
    ("get", "/api/population/{job}"),
    ("get", "/api/population/{job}/result"),
    ("get", "/openapi.json"),
    ("get", "/"),
    ("get", "/assets/{path}"),
];

/// A small validator of JSON against the OpenAPI document's schemas:
/// `$ref`s into components, `type` (one or several), `required`,
/// `properties`, `items`, `oneOf`/`anyOf`/`allOf`, `enum`.
struct Schemas<'a>(&'a Value);

impl Schemas<'_> {
    fn resolve<'s>(&'s self, s: &'s Value) -> &'s Value {
        match s.get("$ref").and_then(Value::as_str) {
            Some(r) => {
                let name = r
                    .strip_prefix("#/components/schemas/")
                    .expect("a local $ref");
                let target = &self.0["components"]["schemas"][name];
                assert!(!target.is_null(), "no schema {name}");
                self.resolve(target)
            }
            None => s,
        }
    }

    fn check(&self, schema: &Value, v: &Value, at: &str, errors: &mut Vec<String>) {
        let s = self.resolve(schema);
        if let Some(all) = s.get("allOf").and_then(Value::as_array) {
            for sub in all {
                self.check(sub, v, at, errors);
            }
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(any) = s.get(key).and_then(Value::as_array) {
                let fits = any.iter().any(|sub| {
                    let mut e = Vec::new();
                    self.check(sub, v, at, &mut e);
                    e.is_empty()
                });
                if !fits {
                    errors.push(format!("{at}: fits no {key} of {s}"));
                }
            }
        }
        if let Some(values) = s.get("enum").and_then(Value::as_array) {
            if !values.contains(v) {
                errors.push(format!("{at}: {v} is not one of {values:?}"));
            }
        }
        if let Some(t) = s.get("type") {
            let types: Vec<&str> = match t {
                Value::String(one) => vec![one.as_str()],
                Value::Array(many) => many.iter().filter_map(Value::as_str).collect(),
                _ => vec![],
            };
            let fits = types.iter().any(|t| match *t {
                "object" => v.is_object(),
                "array" => v.is_array(),
                "string" => v.is_string(),
                "integer" => v.is_i64() || v.is_u64(),
                "number" => v.is_number(),
                "boolean" => v.is_boolean(),
                "null" => v.is_null(),
                _ => true,
            });
            let nullable = s.get("nullable") == Some(&Value::Bool(true)) && v.is_null();
            if !fits && !nullable {
                errors.push(format!("{at}: {v} is not {types:?}"));
                return;
            }
        }
        if let (Some(obj), true) = (
            v.as_object(),
            s.get("type").is_some() || s.get("properties").is_some(),
        ) {
            for r in s
                .get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let r = r.as_str().unwrap();
                if !obj.contains_key(r) {
                    errors.push(format!("{at}: no field `{r}`"));
                }
            }
            if let Some(props) = s.get("properties").and_then(Value::as_object) {
                for (k, sub) in props {
                    if let Some(x) = obj.get(k) {
                        self.check(sub, x, &format!("{at}.{k}"), errors);
                    }
                }
            }
        }
        if let (Some(items), Some(arr)) = (s.get("items"), v.as_array()) {
            for (i, x) in arr.iter().enumerate() {
                self.check(items, x, &format!("{at}[{i}]"), errors);
            }
        }
    }
}

/// The route template a request path matches.
fn template(path: &str) -> &'static str {
    let path = path.split('?').next().unwrap();
    let parts: Vec<&str> = path.split('/').collect();
    ROUTES
        .iter()
        .map(|(_, t)| *t)
        .find(|t| {
            let tp: Vec<&str> = t.split('/').collect();
            tp.len() == parts.len()
                && tp
                    .iter()
                    .zip(&parts)
                    .all(|(a, b)| a.starts_with('{') || a == b)
        })
        .unwrap_or_else(|| panic!("no route for {path}"))
}

/// Checks a JSON answer against the schema the document gives its route
/// and status.
fn validate(doc: &Value, a: &Answer) {
    if !a.ct.starts_with("application/json") {
        return;
    }
    let t = template(&a.path);
    let op = &doc["paths"][t][a.method.to_lowercase()];
    assert!(
        op.is_object(),
        "{} {t} is not in the OpenAPI document",
        a.method
    );
    let response = &op["responses"][a.status.to_string()];
    assert!(
        response.is_object(),
        "{} {t}: status {} is not in the OpenAPI document",
        a.method,
        a.status
    );
    let Some(schema) = response["content"]["application/json"].get("schema") else {
        return;
    };
    let mut errors = Vec::new();
    Schemas(doc).check(schema, &a.json(), "$", &mut errors);
    assert!(
        errors.is_empty(),
        "{} {}: the answer does not fit its schema:\n{}\n{}",
        a.method,
        a.path,
        errors.join("\n"),
        a.text
    );
}

/// A JSON value as the snapshots keep it (exact numbers shown as numbers).
fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap()
}

const DRAFT: &str = "fact investment: money \"技术改造项目投资额\"\n\nmeasure 8 \"以技术改造引领智能化转型\" {\n  subsidy tech_upgrade = min(20% * investment, 5000万)\n}\n";

#[test]
fn every_route_answers_as_documented() {
    let s = Server::start(&[]);
    let doc = s.get("/openapi.json").expect(200);
    let mut answers = Vec::new();

    // The documented routes are exactly those served.
    let mut documented: Vec<(String, String)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(p, ops)| {
            ops.as_object()
                .unwrap()
                .keys()
                .filter(|m| ["get", "post", "put", "delete", "patch"].contains(&m.as_str()))
                .map(move |m| (m.clone(), p.clone()))
        })
        .collect();
    documented.sort();
    let mut kept: Vec<(String, String)> = ROUTES
        .iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    kept.sort();
    assert_eq!(documented, kept);
    // Each documented path is served (no "no such route"), and one that is
    // not documented is not.
    for (m, p) in &kept {
        let path = p
            .replace("{id}", "x")
            .replace("{job}", "x")
            .replace("{path}", "x");
        let a = s.call(&m.to_uppercase(), &path, Some("application/json"), b"{}");
        assert!(
            !a.text.contains("no such route"),
            "{m} {p} is documented but not served"
        );
    }
    s.get("/api/nothing-here")
        .error(404, "decree::serve::not_found");
    s.call("DELETE", "/api/policies", None, b"")
        .error(405, "decree::serve::method_not_allowed");

    // Policies.
    let list = s.get("/api/policies");
    let v = list.expect(200);
    let ids: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "district-rules-illustration",
            "measures-2-8-13",
            "rd-tax-relief-illustration",
            "shenzhen-manufacturing-2020"
        ]
    );
    insta::assert_snapshot!("policies", pretty(&v));
    answers.push(list);

    let one = s.get("/api/policies/measures-2-8-13");
    let v = one.expect(200);
    assert_eq!(v["measures"].as_array().unwrap().len(), 3);
    assert!(
        v["facts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["name"] == "tech_upgrade_investment"
                && f["type"] == "money"
                && f["unit"] == "元")
    );
    assert!(
        v["params"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["tbd"].is_boolean())
    );
    insta::assert_snapshot!("policy-measures-2-8-13", pretty(&v));
    answers.push(one);
    // The rules implementing rules add, over HTTP: a project list, 就高不重复
    // and an annual cap cut pro rata to the fen.
    let facts: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(common::root().join("examples/district/hengtong-machinery.json"))
            .unwrap(),
    )
    .unwrap();
    let district = s.post(
        "/api/policies/district-rules-illustration/evaluate",
        &json!({"facts": facts, "at": "2023-08-01"}),
    );
    let v = district.expect(200);
    let city = common::item_named(&v, "city_tech_upgrade");
    assert_eq!(city["status"], "superseded", "{city}");
    assert_eq!(city["superseded_by"], "district_tech_upgrade", "{city}");
    let d = common::item_named(&v, "district_tech_upgrade");
    assert_eq!(d["amount"], "23913043.48", "{d}");
    assert_eq!(d["capped"]["before"], "27500000", "{d}");
    assert_eq!(d["records"].as_array().unwrap().len(), 3, "{d}");
    // The annual cap's 3000万, and besides it 36万 for 12000平方米 rented
    // and 150万 for 30亩 of land (measures 7 and 8).
    assert_eq!(v["total"]["min"], "31860000", "{v}");
    let nope = s.get("/api/policies/measures-2-8-31");
    let v = nope.error(404, "decree::serve::not_found");
    assert_eq!(v["error"]["help"], "did you mean `measures-2-8-13`?");
    answers.push(nope);

    let src = s.get("/api/policies/shenzhen-manufacturing-2020/source");
    let v = src.expect(200);
    let on_disk =
        std::fs::read_to_string(common::root().join("policies/shenzhen-manufacturing-2020.decree"))
            .unwrap();
    assert_eq!(v["text"], on_disk.as_str());
    answers.push(src);
    answers.push(s.get("/api/policies/nope/source"));

    // Examples.
    let ex = s.get("/api/examples");
    let v = ex.expect(200);
    assert!(v.as_array().unwrap().len() >= 20);
    answers.push(ex);
    let e = s.get("/api/examples/huaxin-electronics");
    let v = e.expect(200);
    assert_eq!(v["facts"]["tech_upgrade_investment"], "1.2亿");
    answers.push(e);
    let e = s.get("/api/examples/../../etc/passwd");
    assert_eq!(e.status, 404);
    let e = s.get("/api/examples/nobody");
    e.error(404, "decree::serve::not_found");
    answers.push(e);

    // Evaluating a served policy: a Chinese magnitude, params, a date.
    let ev = s.post(
        "/api/policies/measures-2-8-13/evaluate",
        &json!({"facts": {"tech_upgrade_investment": "1.2亿"}, "at": "2025-06-30"}),
    );
    let v = ev.expect(200);
    let tech = common::item_named(&v, "tech_upgrade");
    assert_eq!(tech["amount"], "24000000", "{tech}");
    assert_eq!(v["window"]["at"], "2025-06-30");
    answers.push(ev);
    // The same through the CLI's own document: the server answers exactly it.
    let ev = s.post(
        "/api/policies/measures-2-8-13/evaluate",
        &json!({"facts": {"tech_upgrade_investment": 120000000}, "params": {"issued": "2024-01-01"}, "at": "2025-06-30"}),
    );
    let v = ev.expect(200);
    assert_eq!(v["window"]["issued"], "2024-01-01", "{v}");
    answers.push(ev);
    let bad = s.post(
        "/api/policies/measures-2-8-13/evaluate",
        &json!({"facts": {"tech_upgrade_investment": "很多"}}),
    );
    let v = bad.error(422, "decree::facts");
    assert!(!v["error"]["diagnostics"].as_array().unwrap().is_empty());
    answers.push(bad);
    let bad = s.post(
        "/api/policies/measures-2-8-13/evaluate",
        &json!({"facts": {}, "at": "someday"}),
    );
    bad.error(422, "decree::set");
    answers.push(bad);
    let bad = s.post(
        "/api/policies/measures-2-8-13/evaluate",
        &json!({"facts": {}, "params": {"no_such_param": "1"}}),
    );
    assert_eq!(bad.status, 422, "{}", bad.text);
    answers.push(bad);
    let bad = s.post(
        "/api/policies/measures-2-8-13/evaluate",
        &json!({"facts": [1, 2]}),
    );
    bad.error(400, "decree::serve::bad_request");
    answers.push(bad);
    let bad = s.call(
        "POST",
        "/api/policies/measures-2-8-13/evaluate",
        Some("application/json"),
        b"{\"facts\": {",
    );
    bad.error(400, "decree::serve::bad_request");
    answers.push(bad);
    let bad = s.call(
        "POST",
        "/api/check",
        Some("text/plain"),
        b"{\"text\": \"x\"}",
    );
    bad.error(415, "decree::serve::content_type");
    answers.push(bad);
    let bad = s.post("/api/check", &json!({"text": 5}));
    bad.error(400, "decree::serve::bad_request");
    answers.push(bad);
    let bad = s.post("/api/check", &json!({}));
    let v = bad.error(400, "decree::serve::bad_request");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("missing field `text`")
    );
    answers.push(bad);
    answers.push(s.post("/api/policies/nope/evaluate", &json!({"facts": {}})));

    // Matching a partial profile: what is granted, and what would decide
    // the rest, ranked by the most it could be worth.
    let m = s.post(
        "/api/policies/shenzhen-manufacturing-2020/match",
        &json!({"facts": {"annual_output": "620亿"}, "at": "2025-06-30"}),
    );
    let v = m.expect(200);
    let tech = common::item_named(&v, "tech_upgrade");
    assert_eq!(tech["status"], "undetermined", "{tech}");
    assert_eq!(tech["up_to_text"], "5,000万元", "{tech}");
    assert!(
        tech["deciding_facts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["name"] == "tech_upgrade_investment" && f["type"] == "money"),
        "{tech}"
    );
    let ranked = v["ranked"].as_array().unwrap();
    let ceilings: Vec<f64> = ranked
        .iter()
        .map_while(|r| r["up_to"].as_str().map(|u| u.parse::<f64>().unwrap()))
        .collect();
    assert!(
        ceilings.len() > 5 && ceilings.windows(2).all(|w| w[0] >= w[1]),
        "{ceilings:?}"
    );
    answers.push(m);
    let bad = s.post(
        "/api/policies/shenzhen-manufacturing-2020/match",
        &json!({"facts": {"annual_output": "很多"}}),
    );
    bad.error(422, "decree::facts");
    answers.push(bad);
    answers.push(s.post("/api/policies/nope/match", &json!({"facts": {}})));

    // Policy text in the request.
    let ev = s.post(
        "/api/evaluate",
        &json!({"text": DRAFT, "facts": {"investment": "3亿"}, "at": "2025-01-01"}),
    );
    let v = ev.expect(200);
    assert_eq!(v["total"]["min"], "50000000", "{v}");
    answers.push(ev);
    let ev = s.post(
        "/api/evaluate",
        &json!({"text": "measure 8 {", "facts": {}}),
    );
    ev.error(422, "decree::syntax");
    answers.push(ev);
    let deep = format!(
        "fact x: money\nmeasure 1 \"m\" {{\n  subsidy s = {}x{}\n}}\n",
        "(".repeat(500),
        ")".repeat(500)
    );
    let ev = s.post("/api/evaluate", &json!({"text": deep, "facts": {}}));
    ev.error(422, "decree::limit");
    answers.push(ev);

    let ck = s.post("/api/check", &json!({"text": DRAFT}));
    let v = ck.expect(200);
    assert_eq!(v["diagnostics"], json!([]));
    assert_eq!(v["formatted"], DRAFT);
    answers.push(ck);
    let ck = s.post(
        "/api/check",
        &json!({"text": "fact x: money\nmeasure 1 \"m\" { subsidy s = min(20% * y, 5000万) }\n", "name": "mine.decree"}),
    );
    let v = ck.expect(200);
    assert_eq!(v["diagnostics"][0]["code"], "decree::unknown_name");
    insta::assert_snapshot!("check-unknown-name", pretty(&v));
    answers.push(ck);
    let ck = s.post("/api/check", &json!({"text": "include \"/etc/passwd\"\n"}));
    let v = ck.expect(200);
    assert!(
        v["diagnostics"].to_string().contains("opens no file"),
        "{v}"
    );
    answers.push(ck);

    let f = s.post(
        "/api/format",
        &json!({"text": "fact investment: money \"技术改造项目投资额\"\nmeasure 8 \"以技术改造引领智能化转型\" { subsidy tech_upgrade = min(20% * investment,5000万) }"}),
    );
    assert_eq!(f.expect(200)["text"], DRAFT);
    answers.push(f);
    let f = s.post("/api/format", &json!({"text": "measure {"}));
    f.error(422, "decree::syntax");
    answers.push(f);

    let h = s.post(
        "/api/hover",
        &json!({"text": DRAFT, "position": {"line": 3, "character": 37}}),
    );
    let v = h.expect(200);
    assert!(
        v["markdown"]
            .as_str()
            .unwrap()
            .contains("技术改造项目投资额"),
        "{v}"
    );
    answers.push(h);
    let h = s.post(
        "/api/hover",
        &json!({"text": DRAFT, "position": {"line": 3, "character": 12}, "example": "huaxin-electronics"}),
    );
    assert!(h.expect(200)["markdown"].is_string(), "{}", h.text);
    answers.push(h);
    let h = s.post(
        "/api/hover",
        &json!({"text": DRAFT, "position": {"line": 40, "character": 0}}),
    );
    assert_eq!(h.expect(200), Value::Null);
    answers.push(h);
    let h = s.post(
        "/api/hover",
        &json!({"text": DRAFT, "position": {"line": 0, "character": 0}, "example": "nobody"}),
    );
    h.error(404, "decree::serve::not_found");
    answers.push(h);
    let h = s.post(
        "/api/hover",
        &json!({"text": DRAFT, "position": {"line": -1, "character": 0}}),
    );
    h.error(400, "decree::serve::bad_request");
    answers.push(h);

    let c = s.post(
        "/api/complete",
        &json!({"text": DRAFT, "position": {"line": 3, "character": 35}}),
    );
    let v = c.expect(200);
    assert!(
        v.as_array()
            .unwrap()
            .iter()
            .any(|c| c["label"] == "investment" && c["kind"] == "fact"),
        "{v}"
    );
    answers.push(c);

    // Diffs: served policies, text, and the impact over the population.
    let d = s.post(
        "/api/diff",
        &json!({"old": {"policy": "measures-2-8-13"}, "new": {"policy": "measures-2-8-13"}}),
    );
    let v = d.expect(200);
    assert_eq!(v["same"], true);
    answers.push(d);
    // The example enterprises' fact, so the impact has amounts to compare.
    let named = DRAFT.replace("investment", "tech_upgrade_investment");
    let d = s.post(
        "/api/diff",
        &json!({"old": {"text": named}, "new": {"text": named.replace("5000万", "6000万")}, "population": "configured", "at": "2025-01-01"}),
    );
    let v = d.expect(200);
    assert_eq!(v["same"], false);
    assert!(v["impact"]["enterprises"].as_u64().unwrap() >= 20, "{v}");
    assert_ne!(v["impact"]["total_before"]["max"], "0", "{v}");
    insta::assert_snapshot!("diff-text", pretty(&v));
    answers.push(d);
    // A population sent along: CSV and JSON Lines, the same rows, the same
    // impact; a bad cell is the facts reader's diagnostic.
    let rows = json!({"old": {"text": DRAFT}, "new": {"text": DRAFT.replace("5000万", "6000万")}, "at": "2025-01-01"});
    let mut csv = rows.clone();
    csv["population"] = json!({"csv": "investment\n3亿\n1000万\n"});
    let d = s.post("/api/diff", &csv);
    let by_csv = d.expect(200);
    assert_eq!(by_csv["impact"]["enterprises"], 2, "{by_csv}");
    answers.push(d);
    let mut jsonl = rows.clone();
    jsonl["population"] =
        json!({"jsonl": "{\"investment\": \"3亿\"}\n{\"investment\": \"1000万\"}\n"});
    let d = s.post("/api/diff", &jsonl);
    let by_jsonl = d.expect(200);
    assert_eq!(by_csv["impact"]["delta"]["max"], "10000000", "{by_csv}");
    assert_eq!(
        by_jsonl["impact"]["delta"], by_csv["impact"]["delta"],
        "{by_jsonl}"
    );
    answers.push(d);
    let mut bad = rows.clone();
    bad["population"] = json!({"tsv": "x"});
    s.post("/api/diff", &bad)
        .error(400, "decree::serve::bad_request");
    let d = s.post(
        "/api/diff",
        &json!({"old": {"policy": "nope"}, "new": {"text": DRAFT}}),
    );
    d.error(404, "decree::serve::not_found");
    answers.push(d);
    let d = s.post(
        "/api/diff",
        &json!({"old": {"file": "/etc/passwd"}, "new": {"text": DRAFT}}),
    );
    d.error(400, "decree::serve::bad_request");
    answers.push(d);

    // Oversize bodies: 413, as JSON.
    let big = json!({"text": "x".repeat(3 * 1024 * 1024)});
    let a = s.post("/api/check", &big);
    a.error(413, "decree::serve::too_large");
    answers.push(a);

    // The studio.
    let i = s.get("/");
    assert_eq!(i.status, 200);
    assert!(i.ct.starts_with("text/html"), "{}", i.ct);
    // The studio's page (web/dist, built from web/src; docs/STUDIO.md).
    assert!(i.text.contains("/assets/app.js"), "{}", i.text);
    let css = s.get("/assets/app.css");
    assert_eq!(css.status, 200);
    assert!(css.ct.starts_with("text/css"));
    let a = s.get("/assets/nothing.js");
    a.error(404, "decree::serve::not_found");
    answers.push(a);

    for a in &answers {
        validate(&doc, a);
    }
    let (status, log) = s.stop();
    assert!(status.success(), "{status}: {log}");
    assert!(log.contains("shutting down"), "{log}");
    assert!(
        log.contains("uri=/api/policies"),
        "a request log line: {log}"
    );
}

#[test]
fn population_jobs_run_to_a_csv_and_a_summary() {
    let s = Server::start(&["--max-upload", "100000"]);
    let doc = s.get("/openapi.json").expect(200);
    let mut answers = Vec::new();
    let csv = "tech_upgrade_investment,annual_output\n1.2亿,620亿\n3000万,5亿\n很多,1\n";
    let started = s.call(
        "POST",
        "/api/population?policy=measures-2-8-13&format=csv&at=2025-06-30",
        Some("text/csv"),
        csv.as_bytes(),
    );
    let job = started.expect(202)["job"].as_str().unwrap().to_string();
    answers.push(started);
    let t = Instant::now();
    let status = loop {
        let a = s.get(&format!("/api/population/{job}"));
        let v = a.expect(200);
        if v["state"] != "running" {
            answers.push(a);
            break v;
        }
        assert!(
            t.elapsed() < Duration::from_secs(30),
            "the job does not end"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(status["state"], "done", "{status}");
    assert_eq!(status["rows"], 2);
    assert_eq!(status["rejected"], 1);
    assert_eq!(status["bytes_total"], csv.len());
    assert_eq!(status["summary"]["enterprises"], 2, "{status}");
    let r = s.get(&format!("/api/population/{job}/result"));
    assert_eq!(r.status, 200);
    assert!(r.ct.starts_with("text/csv"));
    let lines: Vec<&str> = r.text.lines().collect();
    assert!(lines[0].starts_with("line,"), "{}", r.text);
    assert!(lines[0].contains("tech_upgrade.status"));
    assert_eq!(lines.len(), 3, "{}", r.text);

    let jl = "{\"tech_upgrade_investment\": \"1.2亿\"}\n";
    let started = s.call(
        "POST",
        "/api/population?policy=measures-2-8-13&format=jsonl",
        Some("application/x-ndjson"),
        jl.as_bytes(),
    );
    let job2 = started.expect(202)["job"].as_str().unwrap().to_string();
    assert_ne!(job, job2);

    let a = s.call(
        "POST",
        "/api/population?policy=nope&format=csv",
        None,
        b"x\n",
    );
    a.error(404, "decree::serve::not_found");
    answers.push(a);
    let a = s.call(
        "POST",
        "/api/population?policy=measures-2-8-13&format=xls",
        None,
        b"x\n",
    );
    a.error(400, "decree::serve::bad_request");
    answers.push(a);
    let a = s.call(
        "POST",
        "/api/population?policy=measures-2-8-13&format=csv&at=someday",
        None,
        b"x\n",
    );
    a.error(422, "decree::set");
    answers.push(a);
    let a = s.call("POST", "/api/population?format=csv", None, b"x\n");
    a.error(400, "decree::serve::bad_request");
    answers.push(a);
    let big = "tech_upgrade_investment\n".to_string() + &"1000万\n".repeat(30_000);
    let a = s.call(
        "POST",
        "/api/population?policy=measures-2-8-13&format=csv",
        Some("text/csv"),
        big.as_bytes(),
    );
    a.error(413, "decree::serve::too_large");
    answers.push(a);
    let a = s.get("/api/population/job-999");
    a.error(404, "decree::serve::not_found");
    answers.push(a);
    let a = s.get("/api/population/job-999/result");
    a.error(404, "decree::serve::not_found");
    answers.push(a);
    // A CSV whose header is no fact: the job fails, and says why.
    let started = s.call(
        "POST",
        "/api/population?policy=measures-2-8-13&format=csv",
        Some("text/csv"),
        b"\"unclosed\n",
    );
    let job3 = started.expect(202)["job"].as_str().unwrap().to_string();
    let t = Instant::now();
    loop {
        let a = s.get(&format!("/api/population/{job3}"));
        let v = a.expect(200);
        if v["state"] != "running" {
            answers.push(a);
            break;
        }
        assert!(t.elapsed() < Duration::from_secs(30));
        std::thread::sleep(Duration::from_millis(50));
    }
    for a in &answers {
        validate(&doc, a);
    }
}

#[test]
fn evaluations_past_the_bound_are_refused() {
    // One evaluation at a time and a bound of 0 ms: an evaluation is
    // refused with 503, as JSON, and the server goes on answering.
    let s = Server::start(&["--eval-timeout-ms", "0"]);
    let a = s.post(
        "/api/policies/shenzhen-manufacturing-2020/evaluate",
        &json!({"facts": {}}),
    );
    a.error(503, "decree::serve::timeout");
    assert_eq!(s.get("/api/policies").status, 200);
}

#[test]
fn jobs_past_the_bound_are_refused() {
    // One job at a time: a second upload while the first runs is a 429,
    // as JSON. The first is made large enough to be still running.
    let s = Server::start(&["--max-jobs", "1", "--max-upload", "64000000"]);
    let doc = s.get("/openapi.json").expect(200);
    let url = "/api/population?policy=shenzhen-manufacturing-2020&format=csv";
    let mut rows = 2_000;
    loop {
        let big =
            "tech_upgrade_investment,annual_output\n".to_string() + &"1.2亿,620亿\n".repeat(rows);
        let first = s.call("POST", url, Some("text/csv"), big.as_bytes());
        let job = first.expect(202)["job"].as_str().unwrap().to_string();
        let second = s.call(
            "POST",
            url,
            Some("text/csv"),
            b"tech_upgrade_investment\n1\n",
        );
        let running = s.get(&format!("/api/population/{job}")).expect(200)["state"] == "running";
        // Wait for the first to end before the next try.
        let t = Instant::now();
        while s.get(&format!("/api/population/{job}")).expect(200)["state"] == "running" {
            assert!(
                t.elapsed() < Duration::from_secs(120),
                "the job does not end"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        if second.status == 429 {
            second.error(429, "decree::serve::busy");
            validate(&doc, &second);
            return;
        }
        assert!(
            !running,
            "a second job was taken while the first ran: {}",
            second.text
        );
        rows *= 4;
        assert!(rows < 2_000_000, "no upload was ever still running");
    }
}

#[test]
fn evaluations_past_the_slots_wait_their_turn() {
    // One evaluation at a time, with a queue: 24 requests sent together
    // are all answered, the same answer each.
    let s = Arc::new(Server::start(&["--max-evaluations", "1"]));
    let threads: Vec<_> = (0..24)
        .map(|_| {
            let s = s.clone();
            std::thread::spawn(move || {
                s.post(
                    "/api/policies/shenzhen-manufacturing-2020/evaluate",
                    &json!({"facts": {"tech_upgrade_investment": "1.2亿"}, "at": "2025-06-30"}),
                )
            })
        })
        .collect();
    let answers: Vec<Value> = threads
        .into_iter()
        .map(|t| t.join().unwrap().expect(200))
        .collect();
    assert!(answers.windows(2).all(|w| w[0] == w[1]));
}

#[test]
fn evaluations_past_the_slots_are_refused() {
    // One evaluation at a time and no queue: requests sent together find
    // the slot taken (429, as JSON) or are answered; none is dropped.
    let s = Arc::new(Server::start(&[
        "--max-evaluations",
        "1",
        "--max-queued",
        "0",
    ]));
    let doc = s.get("/openapi.json").expect(200);
    for _round in 0..10 {
        let threads: Vec<_> = (0..6)
            .map(|_| {
                let s = s.clone();
                std::thread::spawn(move || {
                    (0..10)
                        .map(|_| {
                            s.post(
                                "/api/policies/shenzhen-manufacturing-2020/evaluate",
                                &json!({"facts": {"tech_upgrade_investment": "1.2亿"}}),
                            )
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let answers: Vec<Answer> = threads
            .into_iter()
            .flat_map(|t| t.join().unwrap())
            .collect();
        assert!(answers.iter().all(|a| a.status == 200 || a.status == 429));
        if let Some(busy) = answers.iter().find(|a| a.status == 429) {
            busy.error(429, "decree::serve::busy");
            validate(&doc, busy);
            return;
        }
    }
    panic!("60 requests at once never found the one slot taken");
}

/// Every field of `v` is declared by `schema` (properties of it and of its
/// `allOf`, `oneOf` and `anyOf` parts), at every depth: an answer's field
/// missing from `/openapi.json` is reported at its path.
fn undeclared(doc: &Value, schema: &Value, v: &Value, at: &str, errors: &mut Vec<String>) {
    let schemas = Schemas(doc);
    let s = schemas.resolve(schema);
    let mut parts = vec![s];
    for key in ["allOf", "oneOf", "anyOf"] {
        for sub in s.get(key).and_then(Value::as_array).into_iter().flatten() {
            parts.push(schemas.resolve(sub));
        }
    }
    match v {
        Value::Object(obj) => {
            let open = parts
                .iter()
                .any(|p| p.get("properties").is_none() && p.get("type") == Some(&json!("object")));
            for (k, x) in obj {
                let declared = parts
                    .iter()
                    .find_map(|p| p.get("properties").and_then(|ps| ps.get(k)));
                match declared {
                    Some(sub) => undeclared(doc, sub, x, &format!("{at}.{k}"), errors),
                    None if open => {}
                    None => errors.push(format!("{at}.{k} is not in the schema")),
                }
            }
        }
        Value::Array(xs) => {
            if let Some(items) = parts.iter().find_map(|p| p.get("items")) {
                for (i, x) in xs.iter().enumerate() {
                    undeclared(doc, items, x, &format!("{at}[{i}]"), errors);
                }
            }
        }
        _ => {}
    }
}

/// The rules across items (issue 16) in the evaluation's schema: the
/// `superseded` status and its `superseded_by`, a cumulative cap's
/// `capped` (before and limit), the per-record `records`, the `tax_relief`
/// kind and the total split into `outlays` and `revenue_forgone`. The
/// district illustration's and the tax relief illustration's real answers
/// fit the schema and use no field it does not declare.
#[test]
fn the_evaluation_schema_names_the_rules_across_items() {
    let s = Server::start(&["--facts", "examples/district/", "--facts", "examples/tax/"]);
    let doc = s.get("/openapi.json").expect(200);
    let schemas = &doc["components"]["schemas"];
    let props = |name: &str| -> Vec<String> {
        let mut keys: Vec<String> = schemas[name]["properties"]
            .as_object()
            .unwrap_or_else(|| panic!("no schema {name}"))
            .keys()
            .cloned()
            .collect();
        keys.sort();
        keys
    };
    for field in ["superseded_by", "capped", "records", "kind", "status"] {
        assert!(props("ItemResult").contains(&field.to_string()), "{field}");
    }
    assert_eq!(props("Capped"), ["before", "cap", "label", "limit", "per"]);
    for field in [
        "index",
        "key",
        "status",
        "amount",
        "range",
        "undetermined_by",
        "reason",
    ] {
        assert!(
            props("RecordResult").contains(&field.to_string()),
            "{field}"
        );
    }
    for field in ["outlays", "revenue_forgone"] {
        assert!(props("Total").contains(&field.to_string()), "{field}");
    }
    let enum_of = |name: &str| schemas[name]["enum"].as_array().unwrap().clone();
    assert!(enum_of("Status").contains(&json!("superseded")));
    assert!(enum_of("ItemKind").contains(&json!("tax_relief")));
    for path in ["/api/policies/{id}/evaluate", "/api/evaluate"] {
        assert_eq!(
            doc["paths"][path]["post"]["responses"]["200"]["content"]["application/json"]["schema"]
                ["$ref"],
            "#/components/schemas/EvaluationDocument"
        );
    }

    let example = |id: &str| s.get(&format!("/api/examples/{id}")).expect(200)["facts"].clone();
    let district = s.post(
        "/api/policies/district-rules-illustration/evaluate",
        &json!({"facts": example("hengtong-machinery"), "at": "2023-08-01"}),
    );
    let tax = s.post(
        "/api/policies/rd-tax-relief-illustration/evaluate",
        &json!({"facts": example("hnte-rd-1000wan"), "at": "2024-06-30"}),
    );
    let schema = json!({"$ref": "#/components/schemas/EvaluationDocument"});
    for answer in [&district, &tax] {
        validate(&doc, answer);
        let mut errors = Vec::new();
        undeclared(&doc, &schema, &answer.json(), "$", &mut errors);
        assert!(errors.is_empty(), "{}: {errors:?}", answer.path);
    }
    // The new fields are there to be checked.
    let v = district.expect(200);
    let city = common::item_named(&v, "city_tech_upgrade");
    assert_eq!(city["superseded_by"], "district_tech_upgrade");
    let d = common::item_named(&v, "district_tech_upgrade");
    assert_eq!(d["capped"]["limit"], "30000000");
    assert_eq!(d["records"][0]["key"], "智能产线改造");
    let v = tax.expect(200);
    assert!(
        v["total"]["revenue_forgone"]["min"].is_string(),
        "{}",
        v["total"]
    );
    assert!(v["total"]["outlays"]["min"].is_string(), "{}", v["total"]);
    // A field the schema does not declare is found.
    let mut errors = Vec::new();
    undeclared(
        &doc,
        &schema,
        &json!({"total": {"min": "1", "novel": 1}}),
        "$",
        &mut errors,
    );
    assert_eq!(errors, ["$.total.novel is not in the schema"]);
}

/// A population job over a policy with a budget (the district rules): the
/// summary gives the budget's fund, demand,
/// allocation and factor, and the total once it is allocated; the result
/// rows carry each enterprise's allocation, summing to the fund.
#[test]
fn a_population_job_allocates_the_policys_budgets() {
    let s = Server::start(&["--max-upload", "1000000"]);
    // Six enterprises each entitled to the district's 2000万 (25% of an
    // 8000万 upgrade, capped), founded long ago (no rent subsidy): a demand
    // of 1.2亿 on the fund of 1亿.
    let line = r#"{"projects": [{"name": "改造", "investment": "8000万", "kind": "upgrade"}], "founded": "2001-01-01", "annual_rent": "0元", "revenue_this_year": "1亿", "revenue_last_year": "1亿", "new_land_investment": "0元", "new_jobs": 0}"#;
    let jsonl = format!("{line}\n").repeat(6);
    let started = s.call(
        "POST",
        "/api/population?policy=district-rules-illustration&format=jsonl&at=2023-08-01",
        Some("application/x-ndjson"),
        jsonl.as_bytes(),
    );
    let job = started.expect(202)["job"].as_str().unwrap().to_string();
    let t = Instant::now();
    let status = loop {
        let v = s.get(&format!("/api/population/{job}")).expect(200);
        if v["state"] != "running" {
            break v;
        }
        assert!(
            t.elapsed() < Duration::from_secs(30),
            "the job does not end"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(status["state"], "done", "{status}");
    let budget = &status["summary"]["budgets"][0];
    assert_eq!(budget["name"], "district_fund", "{status}");
    assert_eq!(budget["budget"], "100000000");
    assert_eq!(budget["allocated"], "100000000");
    assert_eq!(budget["demand"], "120000000");
    assert_eq!(budget["factor"], "0.833333", "{budget}");
    let demand: rust_decimal::Decimal = budget["demand"].as_str().unwrap().parse().unwrap();
    let total: rust_decimal::Decimal = status["summary"]["total"]["min"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let allocated: rust_decimal::Decimal = status["summary"]["allocated_total"]["min"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(
        allocated,
        total - (demand - rust_decimal::Decimal::from(100_000_000))
    );
    let r = s.get(&format!("/api/population/{job}/result"));
    let mut lines = r.text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(header.last(), Some(&"district_fund.allocation"));
    let sum: rust_decimal::Decimal = lines
        .map(|l| {
            l.rsplit(',')
                .next()
                .unwrap()
                .parse::<rust_decimal::Decimal>()
                .unwrap()
        })
        .sum();
    assert_eq!(sum, rust_decimal::Decimal::from(100_000_000));
}
