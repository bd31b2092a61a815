//! The sandbox on a port of its own, served at `/`: what the `stripe-sandbox` binary runs and
//! what tests start when they want a Stripe that several apps share. Built on
//! [`Sandbox::configure`], so it serves exactly what a mounted sandbox serves.

use std::io;
use std::net::{SocketAddr, TcpListener, ToSocketAddrs};

use actix_web::dev::{Server, ServerHandle};
use actix_web::{App, HttpServer};

use crate::sandbox::Sandbox;

/// A sandbox bound to its own address and ready to run ([`Sandbox::bind`]).
pub struct Standalone {
    addr: SocketAddr,
    server: Server,
}

impl std::fmt::Debug for Standalone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Standalone")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl Standalone {
    /// The address bound (the port actually chosen when asked for port 0).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://ADDR/`: the API base (async-stripe's base URL, a shop's `STRIPE_API_BASE`);
    /// Stripe.js is at `{url}js/v3/stripe.js`.
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// Stops the server when asked (`handle.stop(true).await`).
    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }

    /// Serves until the server is stopped (by its handle, or by Ctrl-C / SIGTERM). Await it, or
    /// `tokio::spawn` it to serve in the background.
    pub fn run(self) -> Server {
        self.server
    }
}

impl Sandbox {
    /// Binds `addr` (port 0 picks a free one) and serves this sandbox there at `/`, on one
    /// worker thread: every request is short and the state sits behind one lock. Nothing is
    /// served until [`Standalone::run`] is awaited or spawned.
    pub fn bind(&self, addr: impl ToSocketAddrs) -> io::Result<Standalone> {
        let listener = TcpListener::bind(addr)?;
        let addr = listener.local_addr()?;
        let sandbox = self.clone();
        let server = HttpServer::new(move || {
            let sandbox = sandbox.clone();
            App::new().configure(move |cfg| sandbox.configure(cfg))
        })
        .workers(1)
        .listen(listener)?
        .run();
        Ok(Standalone { addr, server })
    }
}
