//! A TCP proxy on 127.0.0.1 in front of a server, for the end-to-end tests and the benchmarks:
//! it injects faults, emulates a link, and counts the bytes of every HTTP/1.1 exchange.
//!
//! - **Faults** ([`Faults`]): a connection cut after so many bytes of its request or of its
//!   answer, a captive portal answering `404` with an HTML page instead of the server, either by
//!   plan (per connection, in order of arrival) or at random from a seed (deterministic for the
//!   order in which connections arrive), with a budget.
//! - **A link** ([`Link`]): bandwidth each way and a one-way delay. Each direction sends segments
//!   of at most 1,460 bytes, one after the other at the bandwidth, each arriving one delay after it
//!   left; the client's first bytes leave only after one round trip (the TCP handshake).
//! - **Counting** ([`Traffic`]): bytes forwarded each way, and per request path the requests and
//!   the bytes of their heads and bodies (an answer counts under the path of the oldest request of
//!   its connection not yet answered). Bytes are counted as they are forwarded, before they reach
//!   the other side, so what a finished exchange sent is counted when the client has its answer.
//!
//! Plain threads (named [`THREAD_NAME`], so that a benchmark can tell the proxy's CPU time from
//! the rest), blocking sockets: it can be used from synchronous tests and from any runtime.
//! Dropping the [`Proxy`] stops it and cuts every connection still open.

use std::collections::{BTreeMap, VecDeque};
use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The name of every thread of the proxy.
pub const THREAD_NAME: &str = "teeka-proxy";
/// The largest segment a [`Link`] sends at once (TCP over Ethernet's MTU).
const SEGMENT: usize = 1460;
/// How long the proxy tries to reach the server for a new connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// An emulated link: bandwidth each way and the delay of each way.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Link {
    pub bytes_per_s: f64,
    pub one_way: Duration,
}

impl Link {
    /// `kbps` kbit/s each way, and a round trip of `rtt` (half of it each way).
    pub fn kbps(kbps: u32, rtt: Duration) -> Link {
        Link { bytes_per_s: f64::from(kbps) * 1000.0 / 8.0, one_way: rtt / 2 }
    }

    /// How long `bytes` take to send at this bandwidth (the delay not counted).
    pub fn send_time(&self, bytes: u64) -> Duration {
        Duration::from_secs_f64(bytes as f64 / self.bytes_per_s.max(f64::MIN_POSITIVE))
    }
}

/// What happens to a faulty connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Cut after this many bytes from the client (mid-request).
    Request(usize),
    /// Cut after this many bytes from the server (mid-response).
    Response(usize),
    /// Not forwarded: the request is read and answered `404` with an HTML page, as a captive
    /// portal or a broken middlebox would. Not the server's answer: a sync cannot retry it, and
    /// its run ends at once.
    Portal,
}

/// Which connections are faulty; every later connection goes through.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Faults {
    #[default]
    None,
    /// The fault of each connection, in order of arrival (`None`: it goes through).
    Plan(Vec<Option<Fault>>),
    /// At random (a seeded PRNG per connection and direction): each chunk forwarded, either way,
    /// is cut short with probability `chunk_per_mille` ‰ (the whole connection with it); each new
    /// connection meets the portal with probability `portal_percent` %. At most `max_faults` in
    /// all, then everything goes through.
    Random { seed: u64, chunk_per_mille: u64, portal_percent: u64, max_faults: usize },
}

impl Faults {
    /// The first `connections` connections meet `fault`.
    pub fn first(connections: usize, fault: Fault) -> Faults {
        Faults::Plan(vec![Some(fault); connections])
    }
}

/// How the proxy treats what goes through it.
#[derive(Debug, Clone, PartialEq)]
pub struct ProxyConfig {
    /// The emulated link; `None`: as fast as loopback.
    pub link: Option<Link>,
    /// The largest chunk read, and forwarded, at once: a random fault is drawn per chunk.
    pub chunk: usize,
    pub faults: Faults,
}

impl Default for ProxyConfig {
    /// A counting proxy: no link, no faults, 64 KiB chunks.
    fn default() -> Self {
        ProxyConfig { link: None, chunk: 64 * 1024, faults: Faults::None }
    }
}

impl ProxyConfig {
    /// These faults, on loopback, in chunks of 16 KiB.
    pub fn faults(faults: Faults) -> ProxyConfig {
        ProxyConfig { link: None, chunk: 16 * 1024, faults }
    }

    /// This link, no faults.
    pub fn link(link: Link) -> ProxyConfig {
        ProxyConfig { link: Some(link), ..ProxyConfig::default() }
    }

    pub fn with_link(self, link: Link) -> ProxyConfig {
        ProxyConfig { link: Some(link), ..self }
    }

    pub fn with_chunk(self, chunk: usize) -> ProxyConfig {
        ProxyConfig { chunk, ..self }
    }
}

/// The bytes of one request path, heads and bodies apart.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub requests: u64,
    pub request_head: u64,
    pub request_body: u64,
    pub response_head: u64,
    pub response_body: u64,
}

impl Tally {
    /// Bytes from the client.
    pub fn sent(&self) -> u64 {
        self.request_head + self.request_body
    }

    /// Bytes to the client.
    pub fn received(&self) -> u64 {
        self.response_head + self.response_body
    }

    pub fn total(&self) -> u64 {
        self.sent() + self.received()
    }
}

/// What went through the proxy.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Traffic {
    /// Connections accepted.
    pub connections: u64,
    /// Connections cut or answered by the portal.
    pub faults: u64,
    /// Bytes forwarded from the clients to the server.
    pub up: u64,
    /// Bytes forwarded from the server to the clients.
    pub down: u64,
    /// HTTP/1.1 bytes by request path.
    pub by_path: BTreeMap<String, Tally>,
    /// Messages without a `content-length` (their bodies could not be attributed to a path).
    pub unframed: u64,
}

impl Traffic {
    /// The tally of one path (zero if nothing went there).
    pub fn path(&self, path: &str) -> Tally {
        self.by_path.get(path).copied().unwrap_or_default()
    }

    /// Whether every byte forwarded was attributed to a request path.
    pub fn attributed(&self) -> bool {
        let up: u64 = self.by_path.values().map(Tally::sent).sum();
        let down: u64 = self.by_path.values().map(Tally::received).sum();
        self.unframed == 0 && up == self.up && down == self.down
    }
}

/// What the connections of a proxy share.
#[derive(Default)]
struct Shared {
    traffic: Mutex<Traffic>,
    /// Random faults still allowed.
    budget: AtomicUsize,
    /// The sockets of the open connections, by connection, to cut them all on drop.
    open: Mutex<BTreeMap<u64, [TcpStream; 2]>>,
    stopped: AtomicBool,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Shared {
    fn traffic(&self) -> MutexGuard<'_, Traffic> {
        lock(&self.traffic)
    }

    /// Takes one random fault from the budget, if any is left.
    fn take_fault(&self) -> bool {
        self.budget.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |b| b.checked_sub(1)).is_ok()
    }
}

/// A TCP proxy on 127.0.0.1 in front of a server; stops (and cuts every connection) when dropped.
pub struct Proxy {
    addr: SocketAddr,
    shared: Arc<Shared>,
    accept: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Proxy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Proxy").field("addr", &self.addr).finish()
    }
}

fn xorshift(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

fn spawn(f: impl FnOnce() + Send + 'static) -> std::io::Result<JoinHandle<()>> {
    std::thread::Builder::new().name(THREAD_NAME.into()).spawn(f)
}

/// What the accepting thread decided for one connection.
struct Plan {
    id: u64,
    accepted: Instant,
    fault: Option<Fault>,
    /// The seeds of the PRNGs of the two directions (random faults only).
    rngs: (Option<u64>, Option<u64>),
}

impl Proxy {
    /// A proxy to `upstream` that only counts.
    pub fn counting(upstream: SocketAddr) -> std::io::Result<Proxy> {
        Proxy::start(upstream, ProxyConfig::default())
    }

    /// Listens on a free port of 127.0.0.1 and forwards every connection to `upstream`.
    pub fn start(upstream: SocketAddr, config: ProxyConfig) -> std::io::Result<Proxy> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared::default());
        if let Faults::Random { max_faults, .. } = config.faults {
            shared.budget.store(max_faults, Ordering::SeqCst);
        }
        let config = Arc::new(config);
        let accept = {
            let shared = shared.clone();
            spawn(move || accept_loop(&listener, upstream, &config, &shared))?
        };
        Ok(Proxy { addr, shared, accept: Some(accept) })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// What went through so far.
    pub fn traffic(&self) -> Traffic {
        self.shared.traffic().clone()
    }

    /// What went through since the last call (or the start), counting again from zero.
    pub fn take(&self) -> Traffic {
        std::mem::take(&mut *self.shared.traffic())
    }

    /// Connections cut or answered by the portal so far.
    pub fn faults(&self) -> u64 {
        self.shared.traffic().faults
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> u64 {
        self.shared.traffic().connections
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.shared.stopped.store(true, Ordering::SeqCst);
        // Wake the accepting thread up; if that fails it stays blocked, harmlessly.
        if TcpStream::connect_timeout(&self.addr, Duration::from_secs(1)).is_ok() {
            if let Some(t) = self.accept.take() {
                let _ = t.join();
            }
        }
        for sockets in lock(&self.shared.open).values() {
            for s in sockets {
                let _ = s.shutdown(Shutdown::Both);
            }
        }
    }
}

fn accept_loop(listener: &TcpListener, upstream: SocketAddr, config: &Arc<ProxyConfig>, shared: &Arc<Shared>) {
    let mut rng = match config.faults {
        Faults::Random { seed, .. } => seed | 1,
        _ => 1,
    };
    let mut n = 0usize;
    loop {
        let client = match listener.accept() {
            Ok((client, _)) => client,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => {
                if shared.stopped.load(Ordering::SeqCst) {
                    return;
                }
                std::thread::sleep(Duration::from_millis(2));
                continue;
            }
        };
        if shared.stopped.load(Ordering::SeqCst) {
            return;
        }
        let accepted = Instant::now();
        let fault = match &config.faults {
            Faults::None => None,
            Faults::Plan(plan) => plan.get(n).copied().flatten(),
            Faults::Random { portal_percent, .. } => {
                (xorshift(&mut rng) % 100 < *portal_percent && shared.take_fault()).then_some(Fault::Portal)
            }
        };
        let rngs = match config.faults {
            Faults::Random { .. } => (Some(xorshift(&mut rng) | 1), Some(xorshift(&mut rng) | 1)),
            _ => (None, None),
        };
        let plan = Plan { id: n as u64, accepted, fault, rngs };
        n += 1;
        shared.traffic().connections += 1;
        let (config, shared) = (config.clone(), shared.clone());
        // If no thread can be started, the connection is dropped: the client sees it closed.
        let _ = spawn(move || connection(client, upstream, plan, &config, &shared));
    }
}

/// The two sockets of a connection, cut once, and forgotten by the proxy when both directions end.
struct Connection {
    id: u64,
    shared: Arc<Shared>,
    cut: AtomicBool,
    /// Requests of this connection not yet answered, oldest first.
    paths: Mutex<VecDeque<String>>,
}

impl Connection {
    /// Cuts the whole connection, both sockets, both ways (once; counted as a fault).
    fn cut(&self) {
        if self.cut.swap(true, Ordering::SeqCst) {
            return;
        }
        self.shared.traffic().faults += 1;
        if let Some(sockets) = lock(&self.shared.open).get(&self.id) {
            for s in sockets {
                let _ = s.shutdown(Shutdown::Both);
            }
        }
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        lock(&self.shared.open).remove(&self.id);
    }
}

fn connection(client: TcpStream, upstream: SocketAddr, plan: Plan, config: &ProxyConfig, shared: &Arc<Shared>) {
    let _ = client.set_nodelay(true);
    if plan.fault == Some(Fault::Portal) {
        shared.traffic().faults += 1;
        portal(client);
        return;
    }
    // The server is down (being restarted): the client sees its connection closed.
    let Ok(server) = TcpStream::connect_timeout(&upstream, CONNECT_TIMEOUT) else { return };
    let _ = server.set_nodelay(true);
    let clones = (|| {
        Ok::<_, std::io::Error>((client.try_clone()?, server.try_clone()?, [client.try_clone()?, server.try_clone()?]))
    })();
    let Ok((client_out, server_in, sockets)) = clones else { return };
    lock(&shared.open).insert(plan.id, sockets);
    if shared.stopped.load(Ordering::SeqCst) {
        // Dropped while this connection was being made.
        for s in [&client, &server] {
            let _ = s.shutdown(Shutdown::Both);
        }
    }
    let conn = Arc::new(Connection {
        id: plan.id,
        shared: shared.clone(),
        cut: AtomicBool::new(false),
        paths: Mutex::default(),
    });
    let (request_limit, response_limit) = match plan.fault {
        Some(Fault::Request(at)) => (Some(at), None),
        Some(Fault::Response(at)) => (None, Some(at)),
        _ => (None, None),
    };
    let per_mille = match config.faults {
        Faults::Random { chunk_per_mille, .. } => chunk_per_mille,
        _ => 0,
    };
    // On a real link the client's first bytes leave only after the TCP handshake: one round trip.
    let up = Pump {
        from: client,
        to: server,
        upstream: true,
        limit: request_limit,
        rng: plan.rngs.0,
        per_mille,
        chunk: config.chunk,
        link: config.link.map(|l| (l, plan.accepted + 2 * l.one_way)),
        conn: conn.clone(),
    };
    let down = Pump {
        from: server_in,
        to: client_out,
        upstream: false,
        limit: response_limit,
        rng: plan.rngs.1,
        per_mille,
        chunk: config.chunk,
        link: config.link.map(|l| (l, plan.accepted)),
        conn,
    };
    match spawn(move || up.run()) {
        Ok(up) => {
            down.run();
            let _ = up.join();
        }
        Err(_) => down.conn.cut(),
    }
}

/// Reads one request (headers and `content-length` bytes of body) and answers it with a page
/// that is not the server's.
fn portal(mut client: TcpStream) {
    let _ = client.set_read_timeout(Some(Duration::from_secs(10)));
    let mut data = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    let complete = |data: &[u8]| {
        let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") else { return false };
        let head = String::from_utf8_lossy(&data[..end]).into_owned();
        let length = header_value(&head, "content-length").and_then(|v| v.parse::<usize>().ok()).unwrap_or(0);
        data.len() >= end + 4 + length
    };
    while !complete(&data) {
        match client.read(&mut buf) {
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Ok(0) | Err(_) => return,
            Ok(n) => data.extend_from_slice(&buf[..n]),
        }
    }
    let page = "<html><body>Please log in to use this Wi-Fi</body></html>";
    let _ = write!(
        client,
        "HTTP/1.1 404 Not Found\r\ncontent-type: text/html\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{page}",
        page.len()
    );
    let _ = client.shutdown(Shutdown::Both);
}

/// A piece of a direction in flight on a link.
enum Piece {
    /// Bytes, written when they arrive.
    Data(Instant, Vec<u8>),
    /// The connection is cut when this arrives.
    Cut(Instant),
}

/// One direction of a connection.
struct Pump {
    from: TcpStream,
    to: TcpStream,
    /// Client → server.
    upstream: bool,
    /// Cut after this many bytes.
    limit: Option<usize>,
    rng: Option<u64>,
    per_mille: u64,
    chunk: usize,
    /// The link, and when it is free to send first.
    link: Option<(Link, Instant)>,
    conn: Arc<Connection>,
}

impl Pump {
    fn run(mut self) {
        let mut meter = Meter { upstream: self.upstream, head: Vec::new(), body_left: 0, path: String::new() };
        let mut writer = match self.link {
            Some((link, free)) => {
                let (tx, rx) = mpsc::channel::<Piece>();
                let (to, conn) = (self.to.try_clone(), self.conn.clone());
                let Ok(to) = to else { return self.conn.cut() };
                match spawn(move || deliver(&rx, to, &conn)) {
                    Ok(handle) => Some((link, free, tx, handle)),
                    Err(_) => return self.conn.cut(),
                }
            }
            None => None,
        };
        let mut buf = vec![0u8; self.chunk.max(1)];
        let mut sent = 0usize;
        let mut cut = false;
        loop {
            let n = match self.from.read(&mut buf) {
                // A signal (a child process of a test ending) interrupted the read: read again.
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            let mut limit = self.limit;
            if let Some(state) = self.rng.as_mut() {
                if xorshift(state) % 1000 < self.per_mille && self.conn.shared.take_fault() {
                    limit = Some(sent + (xorshift(state) % n as u64) as usize);
                }
            }
            let forward = match limit {
                Some(limit) if sent + n > limit => {
                    cut = true;
                    limit.saturating_sub(sent)
                }
                _ => n,
            };
            let data = &buf[..forward];
            meter.feed(data, &self.conn);
            match writer.as_mut() {
                None => {
                    if self.to.write_all(data).is_err() {
                        break;
                    }
                    if cut {
                        self.conn.cut();
                        return;
                    }
                }
                Some((link, free, tx, _)) => {
                    // Each segment leaves when the link is free, takes its size over the bandwidth
                    // to send, and arrives one one-way delay later.
                    let mut ok = true;
                    for segment in data.chunks(SEGMENT) {
                        *free = (*free).max(Instant::now()) + link.send_time(segment.len() as u64);
                        ok &= tx.send(Piece::Data(*free + link.one_way, segment.to_vec())).is_ok();
                    }
                    if cut {
                        let _ = tx.send(Piece::Cut(*free + link.one_way));
                        break;
                    }
                    if !ok {
                        break;
                    }
                }
            }
            sent += forward;
        }
        match writer {
            None => {
                let _ = self.to.shutdown(Shutdown::Write);
            }
            Some((_, _, tx, handle)) => {
                drop(tx);
                let _ = handle.join();
            }
        }
    }
}

/// Writes the pieces of a link's direction as they arrive; then ends the direction, or cuts.
fn deliver(rx: &mpsc::Receiver<Piece>, mut to: TcpStream, conn: &Connection) {
    let wait = |at: Instant| {
        let now = Instant::now();
        if at > now {
            std::thread::sleep(at - now);
        }
    };
    while let Ok(piece) = rx.recv() {
        match piece {
            Piece::Data(at, data) => {
                wait(at);
                if to.write_all(&data).is_err() {
                    return;
                }
            }
            Piece::Cut(at) => {
                wait(at);
                conn.cut();
                return;
            }
        }
    }
    let _ = to.shutdown(Shutdown::Write);
}

fn header_value<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.split("\r\n").skip(1).find_map(|line| {
        let (n, v) = line.split_once(':')?;
        n.trim().eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

/// Follows the HTTP/1.1 messages of one direction of a connection and tallies their bytes under
/// the path of the request (answers take the path of the oldest request not yet answered).
struct Meter {
    upstream: bool,
    head: Vec<u8>,
    body_left: u64,
    path: String,
}

impl Meter {
    fn feed(&mut self, mut data: &[u8], conn: &Connection) {
        {
            let mut t = conn.shared.traffic();
            if self.upstream {
                t.up += data.len() as u64;
            } else {
                t.down += data.len() as u64;
            }
        }
        while !data.is_empty() {
            if self.body_left > 0 {
                let k = data.len().min(usize::try_from(self.body_left).unwrap_or(usize::MAX));
                self.body_left -= k as u64;
                self.add_body(k as u64, conn);
                data = &data[k..];
                continue;
            }
            let before = self.head.len();
            let from = before.saturating_sub(3);
            self.head.extend_from_slice(data);
            let Some(i) = self.head[from..].windows(4).position(|w| w == b"\r\n\r\n") else { return };
            let end = from + i + 4;
            let head = String::from_utf8_lossy(&self.head[..end]).into_owned();
            self.head.clear();
            data = &data[end - before..];
            self.start(&head, conn);
        }
    }

    fn start(&mut self, head: &str, conn: &Connection) {
        let first = head.split("\r\n").next().unwrap_or_default();
        if self.upstream {
            self.path = first.split_whitespace().nth(1).unwrap_or("?").to_string();
            lock(&conn.paths).push_back(self.path.clone());
        } else {
            self.path = lock(&conn.paths).pop_front().unwrap_or_else(|| "?".into());
        }
        let mut t = conn.shared.traffic();
        match header_value(head, "content-length").and_then(|v| v.parse::<u64>().ok()) {
            Some(n) => self.body_left = n,
            None => {
                self.body_left = 0;
                if header_value(head, "transfer-encoding").is_some() {
                    t.unframed += 1;
                }
            }
        }
        let tally = t.by_path.entry(self.path.clone()).or_default();
        if self.upstream {
            tally.requests += 1;
            tally.request_head += head.len() as u64;
        } else {
            tally.response_head += head.len() as u64;
        }
    }

    fn add_body(&self, bytes: u64, conn: &Connection) {
        let mut t = conn.shared.traffic();
        let tally = t.by_path.entry(self.path.clone()).or_default();
        if self.upstream {
            tally.request_body += bytes;
        } else {
            tally.response_body += bytes;
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    /// An HTTP/1.1 server answering every request (`content-length` framed) with `reply` bytes
    /// of body, on keep-alive connections; each connection's received bytes are sent on `seen`.
    fn server(reply: usize) -> (SocketAddr, mpsc::Receiver<Vec<u8>>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(mut client) = client else { return };
                let tx = tx.clone();
                std::thread::spawn(move || {
                    let mut all = Vec::new();
                    let mut pending = Vec::new();
                    let mut buf = [0u8; 4096];
                    loop {
                        let n = match client.read(&mut buf) {
                            Ok(0) | Err(_) => break,
                            Ok(n) => n,
                        };
                        all.extend_from_slice(&buf[..n]);
                        pending.extend_from_slice(&buf[..n]);
                        while let Some(end) = pending.windows(4).position(|w| w == b"\r\n\r\n") {
                            let head = String::from_utf8_lossy(&pending[..end + 4]).into_owned();
                            let length: usize =
                                header_value(&head, "content-length").and_then(|v| v.parse().ok()).unwrap_or(0);
                            if pending.len() < end + 4 + length {
                                break;
                            }
                            pending.drain(..end + 4 + length);
                            let body = vec![b'x'; reply];
                            let answer = format!("HTTP/1.1 200 OK\r\ncontent-length: {reply}\r\n\r\n");
                            if client.write_all(answer.as_bytes()).and_then(|()| client.write_all(&body)).is_err() {
                                break;
                            }
                        }
                    }
                    let _ = tx.send(all);
                });
            }
        });
        (addr, rx)
    }

    fn request(path: &str, body: usize) -> Vec<u8> {
        let mut r = format!("POST {path} HTTP/1.1\r\nhost: t\r\ncontent-length: {body}\r\n\r\n").into_bytes();
        r.extend(std::iter::repeat(b'y').take(body));
        r
    }

    /// Reads one answer of `body` bytes of body (whose head is `head` bytes).
    fn read_answer(stream: &mut TcpStream, head: usize, body: usize) -> std::io::Result<Vec<u8>> {
        let mut answer = vec![0u8; head + body];
        stream.read_exact(&mut answer)?;
        Ok(answer)
    }

    #[test]
    fn counts_heads_and_bodies_by_path_and_takes_from_zero() {
        let (addr, _) = server(300);
        let proxy = Proxy::counting(addr).unwrap();
        let mut c = TcpStream::connect(proxy.addr()).unwrap();
        let (a, b) = (request("/a", 1000), request("/b", 10));
        let answer_head = "HTTP/1.1 200 OK\r\ncontent-length: 300\r\n\r\n".len();
        // Two requests at once on one connection, then one more.
        c.write_all(&[a.clone(), b.clone()].concat()).unwrap();
        read_answer(&mut c, answer_head, 300).unwrap();
        read_answer(&mut c, answer_head, 300).unwrap();
        c.write_all(&a).unwrap();
        read_answer(&mut c, answer_head, 300).unwrap();
        let t = proxy.take();
        assert!(t.attributed(), "{t:?}");
        assert_eq!((t.connections, t.faults), (1, 0));
        let head_a = (a.len() - 1000) as u64;
        assert_eq!(
            t.path("/a"),
            Tally {
                requests: 2,
                request_head: 2 * head_a,
                request_body: 2000,
                response_head: 2 * answer_head as u64,
                response_body: 600
            }
        );
        assert_eq!(t.path("/b").requests, 1);
        assert_eq!(t.path("/b").sent(), b.len() as u64);
        assert_eq!(t.up, (2 * a.len() + b.len()) as u64);
        assert_eq!(t.down, 3 * (answer_head + 300) as u64);
        assert_eq!(proxy.take(), Traffic::default(), "counted again from zero");
    }

    #[test]
    fn a_planned_fault_cuts_the_request_or_the_answer_then_connections_go_through() {
        let (addr, seen) = server(5000);
        let plan = Faults::Plan(vec![Some(Fault::Request(10)), Some(Fault::Response(100)), None]);
        let proxy = Proxy::start(addr, ProxyConfig::faults(plan)).unwrap();
        let answer_head = "HTTP/1.1 200 OK\r\ncontent-length: 5000\r\n\r\n".len();

        // The server gets exactly 10 bytes, then the end; the client gets nothing.
        let mut c = TcpStream::connect(proxy.addr()).unwrap();
        c.write_all(&request("/a", 100)).unwrap();
        assert!(read_answer(&mut c, answer_head, 5000).is_err());
        assert_eq!(seen.recv_timeout(Duration::from_secs(10)).unwrap().len(), 10);

        // The server gets the request; the client 100 bytes of the answer, then the end.
        let mut c = TcpStream::connect(proxy.addr()).unwrap();
        c.write_all(&request("/a", 100)).unwrap();
        let mut got = Vec::new();
        let _ = c.read_to_end(&mut got);
        assert_eq!(got.len(), 100);

        let mut c = TcpStream::connect(proxy.addr()).unwrap();
        c.write_all(&request("/a", 100)).unwrap();
        read_answer(&mut c, answer_head, 5000).unwrap();
        let t = proxy.traffic();
        assert_eq!((t.connections, t.faults), (3, 2));
    }

    #[test]
    fn the_portal_answers_instead_of_the_server() {
        let (addr, seen) = server(10);
        let proxy = Proxy::start(addr, ProxyConfig::faults(Faults::first(1, Fault::Portal))).unwrap();
        let mut c = TcpStream::connect(proxy.addr()).unwrap();
        c.write_all(&request("/v1/push", 50)).unwrap();
        let mut answer = String::new();
        c.read_to_string(&mut answer).unwrap();
        assert!(answer.starts_with("HTTP/1.1 404 Not Found\r\n"), "{answer}");
        assert!(answer.contains("log in"), "{answer}");
        assert_eq!(proxy.faults(), 1);
        drop(proxy);
        assert!(seen.recv_timeout(Duration::from_millis(200)).is_err(), "the server saw no connection");
    }

    #[test]
    fn random_faults_stay_within_their_budget() {
        let (addr, _) = server(20_000);
        let faults = Faults::Random { seed: 7, chunk_per_mille: 500, portal_percent: 30, max_faults: 3 };
        let proxy = Proxy::start(addr, ProxyConfig::faults(faults).with_chunk(1024)).unwrap();
        let answer_head = "HTTP/1.1 200 OK\r\ncontent-length: 20000\r\n\r\n".len();
        let mut ok = 0;
        for _ in 0..20 {
            let mut c = TcpStream::connect(proxy.addr()).unwrap();
            c.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
            let _ = c.write_all(&request("/a", 5000));
            if read_answer(&mut c, answer_head, 20_000).is_ok_and(|a| a.starts_with(b"HTTP/1.1 200")) {
                ok += 1;
            }
        }
        // A connection may draw a fault in each direction, but is cut (and counted) once.
        assert!((1..=3).contains(&proxy.faults()), "{} faults", proxy.faults());
        assert!(ok >= 17, "{ok} of 20 went through");
        assert_eq!(proxy.shared.budget.load(Ordering::SeqCst), 0, "the budget is spent");
    }

    #[test]
    fn a_link_delays_and_limits_each_way() {
        let (addr, _) = server(4000);
        let link = Link { bytes_per_s: 40_000.0, one_way: Duration::from_millis(50) };
        let proxy = Proxy::start(addr, ProxyConfig::link(link)).unwrap();
        let answer_head = "HTTP/1.1 200 OK\r\ncontent-length: 4000\r\n\r\n".len();
        let start = Instant::now();
        let mut c = TcpStream::connect(proxy.addr()).unwrap();
        c.write_all(&request("/a", 4000)).unwrap();
        read_answer(&mut c, answer_head, 4000).unwrap();
        let first = start.elapsed();
        // The handshake's round trip, then each way 50 ms plus about 4 KB at 40 KB/s (0.1 s).
        assert!(first >= Duration::from_millis(380), "{first:?}");
        assert!(first < Duration::from_millis(1500), "{first:?}");
        let start = Instant::now();
        c.write_all(&request("/a", 10)).unwrap();
        read_answer(&mut c, answer_head, 4000).unwrap();
        let second = start.elapsed();
        // No handshake; 50 ms up, 50 ms plus 0.1 s down.
        assert!(second >= Duration::from_millis(190), "{second:?}");
        assert!(second < first, "{second:?} {first:?}");
        assert!(proxy.traffic().attributed());
        assert_eq!(link.send_time(40_000), Duration::from_secs(1));
        assert_eq!(
            Link::kbps(64, Duration::from_millis(500)),
            Link { bytes_per_s: 8000.0, one_way: Duration::from_millis(250) }
        );
    }

    #[test]
    fn dropping_the_proxy_cuts_its_connections() {
        let (addr, _) = server(10);
        let proxy = Proxy::counting(addr).unwrap();
        let mut c = TcpStream::connect(proxy.addr()).unwrap();
        c.write_all(&request("/a", 1)).unwrap();
        let answer_head = "HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\n".len();
        read_answer(&mut c, answer_head, 10).unwrap();
        drop(proxy);
        c.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let mut rest = Vec::new();
        // The end of the stream (or a reset), not a timeout.
        match c.read_to_end(&mut rest) {
            Ok(_) => assert!(rest.is_empty()),
            Err(e) => assert_ne!(e.kind(), std::io::ErrorKind::WouldBlock, "{e}"),
        }
    }
}
