//! The HTTP server under `vetis serve`: hyper's HTTP/1 connections with the limits a public
//! service needs, which `axum::serve` does not offer. A request's header must arrive within the
//! header timeout, its body within the body timeout (and never stall longer than the gap), a
//! connection with nothing to do closes after the idle timeout, and connections are capped in all
//! and per client address, so a flood of idle or slow clients cannot use up the file descriptors.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use futures_util::StreamExt;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt;

/// Connection limits; each has a `vetis serve` option and an environment variable.
#[derive(Debug, Clone, Copy)]
pub struct ServerLimits {
    /// A request's header must arrive within this time of the connection (or of the last answer).
    pub header_timeout: Duration,
    /// A request's body must arrive within this time.
    pub body_timeout: Duration,
    /// A connection with no request under way closes after this long.
    pub idle_timeout: Duration,
    /// Connections open at once; more wait in the listen queue.
    pub max_connections: usize,
    /// Connections open at once from one address (0: no limit, e.g. behind a proxy); more are closed.
    pub max_per_address: usize,
}

impl Default for ServerLimits {
    fn default() -> Self {
        ServerLimits {
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(300),
            idle_timeout: Duration::from_secs(60),
            max_connections: 1024,
            max_per_address: 64,
        }
    }
}

/// A body that has not sent a byte for this long is given up, whatever the body timeout.
const BODY_GAP: Duration = Duration::from_secs(30);

#[derive(Debug)]
struct BodyTimeout(u64);

impl std::fmt::Display for BodyTimeout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "请求正文未在 {0} 秒内传完 / the request body did not arrive within {0} s", self.0)
    }
}

impl std::error::Error for BodyTimeout {}

/// The request body, read under the deadline and the gap.
fn timed(body: Body, total: Duration) -> Body {
    let deadline = tokio::time::Instant::now() + total;
    let secs = total.as_secs();
    let stream = futures_util::stream::unfold(Some(body.into_data_stream()), move |state| async move {
        let mut s = state?;
        let until = deadline.min(tokio::time::Instant::now() + BODY_GAP);
        match tokio::time::timeout_at(until, s.next()).await {
            Ok(Some(chunk)) => Some((chunk, Some(s))),
            Ok(None) => None,
            Err(_) => Some((Err(axum::Error::new(BodyTimeout(secs))), None)),
        }
    });
    Body::from_stream(stream)
}

/// Open connections per address.
#[derive(Default)]
struct PerAddress(Mutex<HashMap<IpAddr, usize>>);

struct AddressSlot(Arc<PerAddress>, IpAddr);

impl PerAddress {
    fn take(self: &Arc<Self>, ip: IpAddr, max: usize) -> Option<AddressSlot> {
        let mut m = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let n = m.entry(ip).or_insert(0);
        if max > 0 && *n >= max {
            return None;
        }
        *n += 1;
        Some(AddressSlot(self.clone(), ip))
    }
}

impl Drop for AddressSlot {
    fn drop(&mut self) {
        let mut m = self.0.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(n) = m.get_mut(&self.1) {
            *n -= 1;
            if *n == 0 {
                m.remove(&self.1);
            }
        }
    }
}

/// Serves `app` on `listener` until `shutdown` resolves.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ServerLimits,
    shutdown: impl std::future::Future<Output = ()>,
) -> std::io::Result<()> {
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let per_address = Arc::new(PerAddress::default());
    let started = Instant::now();
    tokio::pin!(shutdown);
    loop {
        let slot = tokio::select! {
            s = slots.clone().acquire_owned() => s.map_err(std::io::Error::other)?,
            () = &mut shutdown => return Ok(()),
        };
        let (stream, peer) = tokio::select! {
            a = listener.accept() => match a {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors or the like: wait a little instead of spinning.
                    tracing::warn!(target: "vetis::server", "accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => return Ok(()),
        };
        let Some(address_slot) = per_address.take(peer.ip(), limits.max_per_address) else {
            tracing::debug!(target: "vetis::server", "refused a connection from {peer}: too many from there");
            drop(stream);
            continue;
        };
        let app = app.clone();
        tokio::spawn(async move {
            let _slots = (slot, address_slot);
            connection(stream, peer, app, limits, started).await;
        });
    }
}

/// One connection: hyper with the header timeout, the body deadline on every request, and a
/// watchdog that ends it gracefully once it has been idle too long.
async fn connection(stream: tokio::net::TcpStream, peer: SocketAddr, app: Router, limits: ServerLimits, t0: Instant) {
    let in_flight = Arc::new(AtomicUsize::new(0));
    let last = Arc::new(AtomicU64::new(0));
    let since = move || u64::try_from(t0.elapsed().as_millis()).unwrap_or(u64::MAX);
    last.store(since(), Ordering::SeqCst);
    let (busy, seen) = (in_flight.clone(), last.clone());
    let service = hyper::service::service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
        let (app, busy, seen) = (app.clone(), busy.clone(), seen.clone());
        busy.fetch_add(1, Ordering::SeqCst);
        async move {
            let mut req = req.map(|b| timed(Body::new(b), limits.body_timeout));
            req.extensions_mut().insert(ConnectInfo(peer));
            let res = app.oneshot(req).await;
            busy.fetch_sub(1, Ordering::SeqCst);
            seen.store(since(), Ordering::SeqCst);
            res
        }
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder.timer(TokioTimer::new()).header_read_timeout(limits.header_timeout);
    let conn = builder.serve_connection(TokioIo::new(stream), service);
    tokio::pin!(conn);
    let idle_ms = u64::try_from(limits.idle_timeout.as_millis()).unwrap_or(u64::MAX);
    let tick = (limits.idle_timeout / 4).max(Duration::from_millis(100));
    let mut closing = false;
    loop {
        tokio::select! {
            r = conn.as_mut() => {
                if let Err(e) = r {
                    tracing::debug!(target: "vetis::server", "connection from {peer} ended: {e}");
                }
                return;
            }
            () = tokio::time::sleep(tick), if !closing => {
                let idle = since().saturating_sub(last.load(Ordering::SeqCst));
                if in_flight.load(Ordering::SeqCst) == 0 && idle >= idle_ms {
                    conn.as_mut().graceful_shutdown();
                    closing = true;
                }
            }
        }
    }
}
