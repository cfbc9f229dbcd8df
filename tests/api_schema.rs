//! The HTTP API against its own OpenAPI description (`GET /v1/openapi.json`), on both server
//! backends: schemathesis (PyPI), which `scripts/setup.sh` installs into its own virtual
//! environment (`TEEKA_SCHEMATHESIS_VENV`, default `~/.cache/teeka-schemathesis-venv`), makes
//! requests from the description for a bounded time (`TEEKA_SCHEMATHESIS_SECONDS`, default 30),
//! with an enrolled supervisor's token, to a server holding a village's register and a round. It
//! must find no 5xx, no answer that breaks the description (its status, content type, headers or
//! body), and the server must still serve afterwards. Skipped, saying so, only on a machine
//! without Python.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::world::{Env, Server};
use common::Kind;
use serde_json::Value;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

const AREAS: &str = "state,district,block,subcentre,village\nUP,Sitapur,Mahmudabad,Bhatpur,Rampur\n";
const BLOCK: &str = "UP/Sitapur/Mahmudabad";
const TODAY: &str = "2026-11-20";
const REGISTER: &str = "register_id,household_id,village,house_no,kind,name,sex,dob,lmp,BCG,PENTA1\n\
    R-1,H-1,Rampur,1,child,Pinki,F,2026-06-01,,2026-06-01,2026-07-13\n\
    R-2,H-1,Rampur,1,pregnant_woman,Sunita,F,,2026-05-01,,\n\
    R-3,H-2,Rampur,2,child,Aarav,M,2025-10-12,,2025-10-12,\n";

/// schemathesis's command, or `None` when this machine has no Python at all.
fn schemathesis() -> Option<PathBuf> {
    let venv = std::env::var_os("TEEKA_SCHEMATHESIS_VENV").map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(std::env::var_os("HOME").expect("HOME")).join(".cache/teeka-schemathesis-venv")
    });
    let st = venv.join("bin/st");
    if st.exists() {
        return Some(st);
    }
    let any = Command::new("python3").arg("--version").output().is_ok_and(|o| o.status.success());
    assert!(!any, "Python is here but {} is not: run scripts/setup.sh to install schemathesis", st.display());
    None
}

/// One HTTP/1.1 request; the status and the body (gunzipped when the answer says gzip).
fn http(server: &Server, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> (u16, Vec<u8>) {
    let mut stream = TcpStream::connect_timeout(&server.addr, Duration::from_secs(10)).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nhost: {}\r\nconnection: close\r\ncontent-length: {}\r\n",
        server.addr,
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body).unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).unwrap();
    let split = answer.windows(4).position(|w| w == b"\r\n\r\n").expect("an HTTP answer");
    let head = String::from_utf8_lossy(&answer[..split]).to_ascii_lowercase();
    let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    let mut body = answer[split + 4..].to_vec();
    if head.contains("content-encoding: gzip") {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(body.as_slice()).read_to_end(&mut out).unwrap();
        body = out;
    }
    (status, body)
}

fn story(kind: Kind) {
    let Some(st) = schemathesis() else {
        eprintln!("SKIPPED: no Python on this machine, so schemathesis cannot test the HTTP API");
        return;
    };
    let Some(env) = Env::new(kind) else { return };
    env.admin(&["import", "areas", &env.write("areas.csv", AREAS)]);
    let server = env.serve();
    // A supervisor's device with the block's register and round 1, synced: the server's pulls
    // and report then answer with real events and figures, which the description must describe.
    let device = env.device("supervisor-meera", TODAY);
    device.enroll(&server, &env.code("Mahmudabad", "supervisor"));
    device.ok(TODAY, &["import", "register", &env.write("register.csv", REGISTER)]);
    device.ok(TODAY, &["plan", "round", "add", "--number", "1", "--start", "2026-11-09", "--ri-days", "wed,sat"]);
    device.sync(TODAY);

    // The token schemathesis uses: a second supervisor enrolled by a plain JSON body (as an
    // integrator's client may send it; devices send gzip).
    let code = env.code("Mahmudabad", "supervisor");
    let enroll = format!(r#"{{"code":"{code}","device_id":"01a201a0-0000-7000-8000-0000000000aa"}}"#);
    let (status, body) = http(&server, "POST", "/v1/enroll", &[("x-teeka-protocol", "3")], enroll.as_bytes());
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let enrolled: Value = serde_json::from_slice(&body).unwrap();
    let token = enrolled["token"].as_str().unwrap().to_string();
    assert_eq!(enrolled["area"]["path"], BLOCK);
    let auth = format!("Bearer {token}");
    // The report the description's example asks for is there (so its answer is checked).
    let path = format!("/v1/report?round=1&area={BLOCK}");
    let (status, body) = http(&server, "GET", &path, &[("x-teeka-protocol", "3"), ("authorization", &auth)], b"");
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));

    // The description itself: OpenAPI 3.1, every endpoint, the wire types' schemas.
    let (status, body) = http(&server, "GET", "/v1/openapi.json", &[], b"");
    assert_eq!(status, 200);
    let doc: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    let paths: Vec<&String> = doc["paths"].as_object().unwrap().keys().collect();
    for p in ["/health", "/v1/openapi.json", "/v1/enroll", "/v1/push", "/v1/pull", "/v1/devices", "/v1/report"] {
        assert!(paths.iter().any(|k| k.as_str() == p), "{p} is not described: {paths:?}");
    }
    for s in ["Event", "EventBody", "PushRequest", "PullResponse", "Report", "ApiError", "ErrorCode"] {
        assert!(doc["components"]["schemas"][s].is_object(), "no schema {s}");
    }

    let seconds = std::env::var("TEEKA_SCHEMATHESIS_SECONDS").unwrap_or_else(|_| "30".into());
    let out = Command::new(&st)
        .args(["run", &format!("{}/v1/openapi.json", server.url())])
        .args(["--header", &format!("Authorization: {auth}")])
        // One worker: with two, CPython 3.11's compiler, run from two threads by hypothesis, once
        // failed inside schemathesis itself ("AST constructor recursion depth mismatch").
        .args(["--max-time", &seconds, "--workers", "1", "--seed", "20261204", "--request-timeout", "30"])
        .args([
            "--checks",
            "not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,\
             response_schema_conformance",
        ])
        .args(["--output-truncate", "true", "--warnings", "off"])
        .env("NO_COLOR", "1")
        .current_dir(env.dir())
        .output()
        .unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "schemathesis found problems:\n{text}");
    // Still serving, the report too.
    let (status, _) = http(&server, "GET", "/health", &[], b"");
    assert_eq!(status, 200);
    let (status, body) = http(&server, "GET", &path, &[("x-teeka-protocol", "3"), ("authorization", &auth)], b"");
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
}

#[test]
fn the_api_keeps_to_its_openapi_description_sqlite() {
    story(Kind::Sqlite);
}

#[test]
fn the_api_keeps_to_its_openapi_description_postgres() {
    story(Kind::Postgres);
}
