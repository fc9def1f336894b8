//! Loopback ports for the servers tests start (fake servers, throwaway clusters, drivers).

use std::net::TcpListener;

/// A port nothing listens on right now (the OS picks it).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("no free local port")
}
