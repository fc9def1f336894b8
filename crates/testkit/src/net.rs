//! Loopback ports for the servers tests start (fake servers, throwaway clusters, drivers).

use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

/// A port nothing listens on right now (the OS picks it).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("no free local port")
}

/// A server on a loopback port that lets `reply` talk to every connection, then hangs up;
/// for the errors of something that is not (quite) PostgreSQL. Reads time out after five
/// seconds, so a reply that waits for the client never hangs a test.
pub fn fake_server(reply: impl Fn(&mut TcpStream) + Send + 'static) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    let port = listener.local_addr().expect("the bound port").port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
            reply(&mut stream);
            std::thread::sleep(Duration::from_millis(50));
        }
    });
    port
}

/// A [`fake_server`] that answers every connection with `bytes` and hangs up.
pub fn fake_server_saying(bytes: &'static [u8]) -> u16 {
    fake_server(move |stream| {
        let _ = stream.write_all(bytes);
    })
}
