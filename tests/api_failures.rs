//! How the client classifies real failures from local sockets: a closed
//! port, a listener that never answers, a reset after the request was read,
//! a truncated body, a redirect. Each case goes through `Client::bulk_enroll`
//! against a tiny server on 127.0.0.1, so the reqwest error predicates are
//! the real ones.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

use drippulse::api::classify::Class;
use drippulse::api::{BulkReply, Client, ClientConfig};
use drippulse::secret::ApiKey;

const CONTACT: &str = r#"{"email":"ada@example.com"}"#;

fn client_for(port: u16) -> Client {
    Client::new(ClientConfig {
        origin: format!("http://127.0.0.1:{port}").parse().unwrap(),
        key: ApiKey::new("adcrm_test_classify".to_string()),
        timeout: Duration::from_millis(800),
    })
    .unwrap()
}

/// Starts a one-connection server that runs `handle` on the accepted stream.
fn one_shot_server(handle: impl FnOnce(TcpStream) + Send + 'static) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        if let Ok((stream, _)) = listener.accept() {
            handle(stream);
        }
    });
    port
}

/// Reads one HTTP request with a Content-Length body, so the server has
/// certainly received what the client sent.
fn read_request(stream: &mut TcpStream) {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = stream.read(&mut chunk).unwrap_or(0);
        if n == 0 {
            return;
        }
        buffer.extend_from_slice(&chunk[..n]);
        let text = String::from_utf8_lossy(&buffer);
        if let Some(end) = text.find("\r\n\r\n") {
            let length = text[..end]
                .lines()
                .find_map(|line| {
                    let (name, value) = line.split_once(':')?;
                    name.eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse::<usize>().ok())?
                })
                .unwrap_or(0);
            if buffer.len() >= end + 4 + length {
                return;
            }
        }
    }
}

async fn bulk(port: u16) -> BulkReply {
    client_for(port).bulk_enroll("wf", &[CONTACT]).await
}

fn class_of(reply: &BulkReply) -> Option<Class> {
    match reply {
        BulkReply::Failed { class, .. } => Some(*class),
        _ => None,
    }
}

#[tokio::test]
async fn closed_port_is_not_applied() {
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let reply = bulk(port).await;
    assert_eq!(class_of(&reply), Some(Class::NotApplied), "{reply:?}");
}

#[tokio::test]
async fn silent_listener_is_ambiguous() {
    let port = one_shot_server(|mut stream| {
        read_request(&mut stream);
        std::thread::sleep(Duration::from_secs(3));
    });
    let reply = bulk(port).await;
    assert_eq!(class_of(&reply), Some(Class::Ambiguous), "{reply:?}");
}

#[tokio::test]
async fn reset_after_reading_body_is_ambiguous() {
    let port = one_shot_server(|mut stream| {
        read_request(&mut stream);
        // A zero linger time makes close send RST instead of FIN.
        let socket = socket2::Socket::from(stream);
        socket.set_linger(Some(Duration::ZERO)).unwrap();
        drop(socket);
    });
    let reply = bulk(port).await;
    assert_eq!(class_of(&reply), Some(Class::Ambiguous), "{reply:?}");
}

#[tokio::test]
async fn close_without_reply_is_ambiguous() {
    let port = one_shot_server(|mut stream| {
        read_request(&mut stream);
        let _ = stream.shutdown(std::net::Shutdown::Both);
    });
    let reply = bulk(port).await;
    assert_eq!(class_of(&reply), Some(Class::Ambiguous), "{reply:?}");
}

#[tokio::test]
async fn truncated_success_body_is_ambiguous() {
    let port = one_shot_server(|mut stream| {
        read_request(&mut stream);
        let _ = stream.write_all(
            b"HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"created_count\":1,",
        );
        let _ = stream.flush();
    });
    let reply = bulk(port).await;
    assert_eq!(class_of(&reply), Some(Class::Ambiguous), "{reply:?}");
}

#[tokio::test]
async fn success_without_json_is_mismatch() {
    let port = one_shot_server(|mut stream| {
        read_request(&mut stream);
        let _ = stream.write_all(b"HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok");
    });
    let reply = bulk(port).await;
    assert!(matches!(reply, BulkReply::Mismatch(_)), "{reply:?}");
}

#[tokio::test]
async fn redirect_is_fatal_and_not_followed() {
    let port = one_shot_server(|mut stream| {
        read_request(&mut stream);
        let _ = stream.write_all(
            b"HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:9/elsewhere\r\nContent-Length: 0\r\n\r\n",
        );
    });
    let reply = bulk(port).await;
    assert_eq!(class_of(&reply), Some(Class::Fatal), "{reply:?}");
}

#[tokio::test]
async fn service_unavailable_with_retry_after_is_throttled() {
    let port = one_shot_server(|mut stream| {
        read_request(&mut stream);
        let _ = stream.write_all(
            b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 2\r\nContent-Length: 0\r\n\r\n",
        );
    });
    let reply = bulk(port).await;
    assert_eq!(
        class_of(&reply),
        Some(Class::Throttled(Some(Duration::from_secs(2)))),
        "{reply:?}"
    );
}

#[tokio::test]
async fn too_large_message_on_422_is_too_large() {
    let port = one_shot_server(|mut stream| {
        read_request(&mut stream);
        let body = br#"{"error":"batch too large"}"#;
        let head = format!(
            "HTTP/1.1 422 Unprocessable Entity\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        let _ = stream.write_all(head.as_bytes());
        let _ = stream.write_all(body);
    });
    let reply = bulk(port).await;
    assert_eq!(class_of(&reply), Some(Class::TooLarge), "{reply:?}");
}
