//! The service in bridge mode, in-process, in front of a Juju test peer (`juju-peer`): the peer
//! holds the bridge to Juju's published facade shapes, and panics when dropped if the bridge
//! sent one Juju would refuse.

use std::ops::Deref;
use std::sync::Arc;
use std::time::Duration;

use juju_peer::{JujuPeer, PeerOptions};
use secret_backends_controller::bridge::{BridgeOptions, JujuBridge};
use secret_backends_controller::embedded::SessionLimits;
use secret_backends_controller::{Controller, http};

use super::{ADMIN_PASSWORD, Http, READER_PASSWORD};

/// How long the bridge waits for the peer in these tests: short, so a slow peer is noticed
/// quickly.
pub const TIMEOUT: Duration = Duration::from_secs(2);

pub struct BridgeApp {
    pub http: Http,
    pub bridge: Arc<JujuBridge>,
    pub peer: JujuPeer,
    _dir: tempfile::TempDir,
}

impl BridgeApp {
    /// A Juju 3.6 peer with the superuser `admin` and the login-only `reader` (the embedded
    /// tests' passwords), and the service bridged to it.
    pub async fn start() -> BridgeApp {
        Self::start_with(PeerOptions::default(), SessionLimits::default()).await
    }

    pub async fn start_with(options: PeerOptions, limits: SessionLimits) -> BridgeApp {
        let peer = JujuPeer::start(options).await;
        peer.add_user("admin", ADMIN_PASSWORD, "superuser").await;
        peer.add_user("reader", READER_PASSWORD, "login").await;
        let bridge = JujuBridge::new(BridgeOptions {
            address: peer.address(),
            ca_cert: peer.ca_cert_pem(),
            timeout: TIMEOUT,
            sessions: limits,
        })
        .unwrap();
        Self::over(peer, bridge)
    }

    /// The service bridged by `bridge` to `peer`.
    pub fn over(peer: JujuPeer, bridge: Arc<JujuBridge>) -> BridgeApp {
        let dir = tempfile::tempdir().unwrap();
        let dist = super::console_dist(dir.path());
        let router = http::app(bridge.clone() as Arc<dyn Controller>, &dist);
        BridgeApp {
            http: Http { router },
            bridge,
            peer,
            _dir: dir,
        }
    }

    /// The `request` (method name) calls the peer received, in order.
    pub async fn calls_of(&self, request: &str) -> Vec<serde_json::Value> {
        self.peer
            .requests()
            .await
            .into_iter()
            .filter(|r| r["request"] == request)
            .collect()
    }
}

impl Deref for BridgeApp {
    type Target = Http;

    fn deref(&self) -> &Http {
        &self.http
    }
}
