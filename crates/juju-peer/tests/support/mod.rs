//! Talking raw Juju RPC to the peer: the template for a client of a Juju controller.
//!
//! A controller's certificate names `juju-apiserver`, not the address it is reached by: the
//! socket connects to the address, and TLS verifies the chain against the controller's CA
//! only and the name `juju-apiserver` (sent as SNI too), as Juju's own clients do.

// Each test file uses part of it.
#![allow(dead_code)]

use std::sync::Arc;

use futures::{SinkExt, StreamExt};
use juju_peer::{JujuPeer, PeerOptions};
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{Connector, MaybeTlsStream, WebSocketStream};

pub type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Opens `wss://ADDRESS/PATH`, verifying the peer's chain against its CA and the name
/// `certificate_name`.
pub async fn connect_as(
    peer: &JujuPeer,
    path: &str,
    certificate_name: &str,
) -> Result<Socket, String> {
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(peer.ca_cert_pem().as_bytes()) {
        roots.add(cert.unwrap()).unwrap();
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let address = peer.address();
    let port = address.rsplit(':').next().unwrap();
    let tcp = TcpStream::connect(&address).await.unwrap();
    // The URL's host is the name TLS verifies (and sends as SNI): the socket is already
    // connected to the address.
    let url = format!("wss://{certificate_name}:{port}{path}");
    let connector = Connector::Rustls(Arc::new(tls));
    tokio_tungstenite::client_async_tls_with_config(url, tcp, None, Some(connector))
        .await
        .map(|(socket, _)| socket)
        .map_err(|e| e.to_string())
}

pub async fn connect(peer: &JujuPeer, path: &str) -> Socket {
    connect_as(peer, path, "juju-apiserver").await.unwrap()
}

/// One Juju RPC call: the whole answer (`response`, or `error` and `error-code`).
pub async fn call(
    socket: &mut Socket,
    facade: &str,
    version: u64,
    request: &str,
    params: Value,
) -> Value {
    static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    let id = NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let frame = json!({"request-id": id, "type": facade, "version": version, "request": request, "params": params});
    socket.send(Message::text(frame.to_string())).await.unwrap();
    loop {
        match socket.next().await.expect("an answer").unwrap() {
            Message::Text(text) => {
                let answer: Value = serde_json::from_str(&text).unwrap();
                assert_eq!(answer["request-id"], id);
                return answer;
            }
            Message::Ping(_) | Message::Pong(_) => continue,
            other => panic!("unexpected message {other:?}"),
        }
    }
}

pub async fn login(socket: &mut Socket, user: &str, password: &str) -> Value {
    let params = json!({"auth-tag": format!("user-{user}"), "credentials": password, "client-version": "3.6.4"});
    call(socket, "Admin", 3, "Login", params).await
}

/// A peer with `admin` (superuser, password `pw`) and `bob` (login only).
pub async fn peer(juju_major: u8) -> JujuPeer {
    let peer = JujuPeer::start(PeerOptions {
        juju_major,
        ..PeerOptions::default()
    })
    .await;
    peer.add_user("admin", "pw", "superuser").await;
    peer.add_user("bob", "pw", "login").await;
    peer
}

pub async fn admin_socket(peer: &JujuPeer, path: &str) -> Socket {
    let mut socket = connect(peer, path).await;
    assert!(login(&mut socket, "admin", "pw").await["response"].is_object());
    socket
}
