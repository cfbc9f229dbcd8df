//! The HTTP client against the real router served on a socket: enrollment, then
//! `Client::devices` (a supervisor's view), its refusals, and its retries of a server that is
//! briefly unavailable.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::Utc;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use teeka_protocol::{encode, DeviceInfo, DevicesResponse, ErrorCode, Role, DEVICES_PATH, PROTOCOL_VERSION};
use teeka_server::{Database, Service, SqliteDb};
use teeka_store::Store;
use teeka_sync::{Client, SyncError};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const AREAS: &str = "state,district,block,subcentre,village
UP,Sitapur,Mahmudabad,Rampur SC,Rampur
UP,Sitapur,Mahmudabad,Rampur SC,Salempur
UP,Sitapur,Biswan,Sadarpur,Lalpur
";

async fn serve(svc: Arc<Service<SqliteDb>>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = teeka_server::http::router(svc);
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}/")
}

/// Enrolls a new device store through the client, as `teeka enroll` does; returns its token.
async fn enrolled(svc: &Service<SqliteDb>, url: &str, area: &str, role: Role) -> (Store, String) {
    let (code, ..) = svc.create_code(area, role, chrono::Duration::hours(1), Utc::now()).await.unwrap();
    let mut store = Store::open_in_memory().unwrap();
    let resp = teeka_sync::enroll(&mut store, url, &code, None).await.unwrap();
    (store, resp.token)
}

fn refusal(r: Result<DevicesResponse, SyncError>) -> ErrorCode {
    match r {
        Err(SyncError::Refused(e)) => e.code,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn a_supervisor_lists_the_devices_of_its_block() {
    let dir = tempfile::tempdir().unwrap();
    let svc = Arc::new(Service::new(SqliteDb::open(&dir.path().join("server.db")).unwrap()));
    svc.import_areas(AREAS.as_bytes(), Utc::now()).await.unwrap();
    let url = serve(svc.clone()).await;
    let (supervisor, supervisor_token) = enrolled(&svc, &url, "Mahmudabad", Role::Supervisor).await;
    let (rampur, rampur_token) = enrolled(&svc, &url, "Rampur", Role::Asha).await;
    let (salempur, _) = enrolled(&svc, &url, "Salempur", Role::Anm).await;
    let (lalpur, _) = enrolled(&svc, &url, "Lalpur", Role::Anm).await;

    // The block's supervisor: itself and both villages; not the other block.
    let client = Client::new(&url, Some(supervisor_token.clone())).unwrap();
    let resp = client.devices().await.unwrap();
    let seen: Vec<(&str, uuid::Uuid, Role)> =
        resp.devices.iter().map(|d| (d.area.as_str(), d.device_id, d.role)).collect();
    assert_eq!(
        seen,
        vec![
            ("UP/Sitapur/Mahmudabad", supervisor.device_id(), Role::Supervisor),
            ("UP/Sitapur/Mahmudabad/Rampur SC/Rampur", rampur.device_id(), Role::Asha),
            ("UP/Sitapur/Mahmudabad/Rampur SC/Salempur", salempur.device_id(), Role::Anm),
        ]
    );
    assert!(!seen.iter().any(|d| d.1 == lalpur.device_id()));
    assert!(resp.devices.iter().all(|d: &DeviceInfo| !d.revoked && d.last_sync_at.is_none()));
    assert_eq!(client.devices().await.unwrap(), resp, "safe to repeat");

    // A village device: its village.
    let village = Client::new(&url, Some(rampur_token)).unwrap().devices().await.unwrap();
    assert_eq!(village.devices.iter().map(|d| d.device_id).collect::<Vec<_>>(), vec![rampur.device_id()]);

    // Refusals come back at once, not retried.
    let started = Instant::now();
    assert_eq!(refusal(Client::new(&url, None).unwrap().devices().await), ErrorCode::Unauthorized);
    let stranger = Client::new(&url, Some("0123abcd".into())).unwrap();
    assert_eq!(refusal(stranger.devices().await), ErrorCode::Unauthorized);
    assert!(svc.db().revoke(supervisor.device_id(), Utc::now()).await.unwrap());
    let err = client.devices().await.unwrap_err();
    assert_eq!(err.code(), "REVOKED");
    assert!(started.elapsed() < Duration::from_millis(900), "no back-off for a refusal");
}

/// A fake server: answers the first request with `UNAVAILABLE`, the next with a list; keeps the
/// heads of the requests it read.
async fn flaky(answer: DevicesResponse) -> (SocketAddr, tokio::task::JoinHandle<Vec<String>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let task = tokio::spawn(async move {
        let mut heads = Vec::new();
        for attempt in 0..2 {
            let (mut stream, _) = listener.accept().await.unwrap();
            let mut raw = Vec::new();
            let mut buf = [0u8; 1024];
            while !raw.windows(4).any(|w| w == b"\r\n\r\n") {
                let n = stream.read(&mut buf).await.unwrap();
                assert!(n > 0, "the request ended early");
                raw.extend_from_slice(&buf[..n]);
            }
            heads.push(String::from_utf8(raw).unwrap().to_ascii_lowercase());
            let (status, kind, body) = if attempt == 0 {
                let e = br#"{"code":"UNAVAILABLE","message":"busy"}"#.to_vec();
                ("503 Service Unavailable", "content-type: application/json\r\n", e)
            } else {
                ("200 OK", "content-type: application/json\r\ncontent-encoding: gzip\r\n", encode(&answer).unwrap())
            };
            let head =
                format!("HTTP/1.1 {status}\r\n{kind}content-length: {}\r\nconnection: close\r\n\r\n", body.len());
            stream.write_all(head.as_bytes()).await.unwrap();
            stream.write_all(&body).await.unwrap();
            stream.shutdown().await.unwrap();
        }
        heads
    });
    (addr, task)
}

#[tokio::test]
async fn an_unavailable_server_is_tried_again() {
    let answer = DevicesResponse {
        devices: vec![DeviceInfo {
            device_id: uuid::Uuid::now_v7(),
            area: "UP/Sitapur/Mahmudabad".into(),
            role: Role::Supervisor,
            worker: Some("Meena".into()),
            enrolled_at: Utc::now(),
            last_sync_at: None,
            pending: Some(3),
            clock_skew_ms: Some(-120),
            revoked: false,
        }],
    };
    let (addr, server) = flaky(answer.clone()).await;
    let client = Client::new(&format!("http://{addr}"), Some("T0KEN".into())).unwrap();
    let started = Instant::now();
    assert_eq!(client.devices().await.unwrap(), answer);
    assert!(started.elapsed() >= Duration::from_millis(900), "waited before trying again");
    let heads = server.await.unwrap();
    assert_eq!(heads.len(), 2);
    for head in heads {
        assert!(head.starts_with(&format!("get {DEVICES_PATH} http/1.1\r\n")), "{head}");
        assert!(head.contains(&format!("\r\nx-teeka-protocol: {PROTOCOL_VERSION}\r\n")), "{head}");
        assert!(head.contains("\r\nauthorization: bearer t0ken\r\n"), "{head}");
    }
}
