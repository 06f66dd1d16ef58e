//! The sandbox's HTTP/1 server loop: it accepts TCP connections and serves
//! the router on each one.
//!
//! The sandbox runs its own loop in place of `axum::serve`, because a fault
//! must be able to close a connection without sending any HTTP response,
//! and a handler cannot do that by returning. Each request carries a
//! [`ConnectionCloser`] in its extensions. When a handler calls
//! [`ConnectionCloser::close`], the connection's task drops the connection,
//! and with it the socket and the handler's own future.

use std::convert::Infallible;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::Request;
use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::{service_fn, Service as _};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;

/// How long the loop pauses after an accept error such as running out of
/// file descriptors, so that it neither spins nor floods the log.
const ACCEPT_ERROR_PAUSE: Duration = Duration::from_secs(1);

/// A handle to the connection that a request arrived on, found in the
/// request's extensions.
#[derive(Clone, Default)]
pub struct ConnectionCloser(Arc<Notify>);

impl ConnectionCloser {
    /// Asks the connection's task to close the connection at once, without
    /// writing anything more to it. The calling handler's future is dropped
    /// with the connection, so the handler should wait after calling this.
    pub fn close(&self) {
        self.0.notify_one();
    }

    async fn closed(&self) {
        self.0.notified().await;
    }
}

/// Accepts connections on `listener` and serves `router` on each one in its
/// own task. It never returns: accept errors are logged and retried.
pub async fn accept_connections(listener: TcpListener, router: Router) -> Infallible {
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(error) if is_connection_error(&error) => continue,
            Err(error) => {
                tracing::error!(%error, "sandbox failed to accept a connection, retrying in 1 s");
                tokio::time::sleep(ACCEPT_ERROR_PAUSE).await;
                continue;
            }
        };

        if let Err(error) = stream.set_nodelay(true) {
            tracing::debug!(%peer, %error, "failed to set TCP_NODELAY on a sandbox connection");
        }
        tokio::spawn(serve_connection(stream, peer, router.clone()));
    }
}

/// Serves HTTP/1 requests on one connection until the client closes it, it
/// fails, or a handler closes it through its [`ConnectionCloser`].
async fn serve_connection(stream: TcpStream, peer: SocketAddr, router: Router) {
    let closer = ConnectionCloser::default();
    let routes = TowerToHyperService::new(router);
    let request_closer = closer.clone();
    let service = service_fn(move |mut request: Request<Incoming>| {
        request.extensions_mut().insert(request_closer.clone());
        routes.call(request)
    });

    // The timer enables hyper's default 30-second limit on reading request
    // headers, so an idle half-open connection does not stay forever.
    let connection = http1::Builder::new()
        .timer(TokioTimer::new())
        .serve_connection(TokioIo::new(stream), service);

    tokio::select! {
        result = connection => {
            if let Err(error) = result {
                tracing::debug!(%peer, %error, "sandbox connection ended with an error");
            }
        }
        () = closer.closed() => {
            tracing::debug!(%peer, "sandbox closed a connection without replying");
        }
    }
}

/// Returns whether an accept error concerns only the one incoming
/// connection, which the client has already given up.
fn is_connection_error(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    )
}
