//! The service in-process over a fresh store and a browser on it: a [`Session`].

use std::path::PathBuf;
use std::sync::Arc;

use fantoccini::Client;
use fantoccini::error::CmdError;
use juju_peer::{JujuPeer, PeerOptions};
use secret_backends_controller::bridge::{BridgeOptions, JujuBridge};
use secret_backends_controller::embedded::store::Store;
use secret_backends_controller::embedded::{EmbeddedController, SessionLimits};
use secret_backends_controller::{Controller, http, serve_on};

use crate::seed::Seed;
use crate::{ADMIN_PASSWORD, env};

/// A running service and a browser pointed at it.
pub struct Session {
    pub browser: Client,
    pub base_url: String,
    /// What the service serves: its embedded controller (to set up data without the browser),
    /// or a Juju test peer through the bridge.
    backing: Backing,
    _data: Arc<tempfile::TempDir>,
}

#[derive(Clone)]
enum Backing {
    Embedded(Arc<EmbeddedController>),
    Juju(Arc<JujuPeer>),
}

impl Session {
    /// Starts the service on a free port over a new store, and a new headless Chromium.
    pub async fn start() -> Session {
        Self::start_serving(false, false).await
    }

    /// Like [`Session::start`], served over HTTPS (as `--tls-cert`/`--tls-key` do) with a
    /// certificate made for `localhost` on the spot; the browser accepts that certificate (it has
    /// no CA to check it against) and the console is at `https://localhost:<port>`.
    pub async fn start_tls() -> Session {
        Self::start_serving(false, true).await
    }

    /// Like [`Session::start`], and the example host page of `examples/embed/` at `/embed/…`
    /// (every path under it gets that page, as a host dashboard's router would).
    pub async fn start_with_host_page() -> Session {
        Self::start_serving(true, false).await
    }

    async fn start_serving(host_page: bool, tls: bool) -> Session {
        let dist = PathBuf::from(env("SECRET_BACKENDS_DIST"));
        assert!(
            dist.join("index.html").exists(),
            "{} has no index.html: build the console first",
            dist.display()
        );
        let data = tempfile::tempdir().unwrap();
        let store = Store::open(data.path()).unwrap();
        let (controller, _) = EmbeddedController::open(store, Some(ADMIN_PASSWORD.into()))
            .await
            .unwrap();
        let backing = Backing::Embedded(controller.clone());
        Self::serve(controller, backing, data, dist, host_page, tls).await
    }

    /// Starts the service in bridge mode in front of a Juju 3.6 test peer whose superuser
    /// `admin` has [`ADMIN_PASSWORD`], and a new headless Chromium. Set data up with
    /// [`Session::peer`]'s knobs.
    pub async fn start_bridged() -> Session {
        let dist = PathBuf::from(env("SECRET_BACKENDS_DIST"));
        let peer = JujuPeer::start(PeerOptions::default()).await;
        peer.add_user("admin", ADMIN_PASSWORD, "superuser").await;
        let bridge = JujuBridge::new(BridgeOptions {
            address: peer.address(),
            ca_cert: peer.ca_cert_pem(),
            timeout: std::time::Duration::from_secs(10),
            sessions: SessionLimits::default(),
        })
        .unwrap();
        let backing = Backing::Juju(Arc::new(peer));
        let data = tempfile::tempdir().unwrap();
        Self::serve(bridge, backing, data, dist, false, false).await
    }

    async fn serve(
        controller: Arc<dyn Controller>,
        backing: Backing,
        data: tempfile::TempDir,
        dist: PathBuf,
        host_page: bool,
        tls: bool,
    ) -> Session {
        let options = http::security::Options {
            tls,
            ..Default::default()
        };
        let mut app = http::app_with(controller, &dist, &options);
        if host_page {
            let example = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/embed");
            // The console's files again under another prefix, as a host's asset path.
            app = app.nest_service("/assets/sbc", tower_http::services::ServeDir::new(&dist));
            app = app.nest_service(
                "/embed",
                tower_http::services::ServeDir::new(&example).fallback(
                    tower_http::services::ServeFile::new(example.join("index.html")),
                ),
            );
        }
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let (base_url, tls_config) = match tls {
            true => (
                format!("https://localhost:{port}"),
                Some(certificate(data.path())),
            ),
            false => (format!("http://127.0.0.1:{port}"), None),
        };
        let serving = serve_on(listener, app, tls_config, std::future::pending());
        tokio::spawn(async move { serving.await.unwrap() });

        Session {
            browser: crate::browser::new_browser(tls).await,
            base_url,
            backing,
            _data: Arc::new(data),
        }
    }

    /// The service's embedded controller, to set up or read data without the browser.
    pub fn embedded(&self) -> &Arc<EmbeddedController> {
        match &self.backing {
            Backing::Embedded(controller) => controller,
            Backing::Juju(_) => panic!("a bridged session has no embedded controller"),
        }
    }

    /// The Juju test peer behind a bridged session.
    pub fn peer(&self) -> &JujuPeer {
        match &self.backing {
            Backing::Juju(peer) => peer,
            Backing::Embedded(_) => panic!("an embedded session has no Juju peer"),
        }
    }

    /// Starts a session over the data of `seed` (the browser has no page yet).
    pub async fn start_with(seed: Seed) -> Session {
        let s = Session::start().await;
        s.seed(seed).await;
        s
    }

    /// Starts a session over the data of `seed`, opens `path` and logs in as the admin.
    pub async fn start_logged_in(seed: Seed, path: &str) -> Session {
        let s = Session::start_with(seed).await;
        s.open_logged_in(path).await;
        s
    }

    /// Starts a session over the data of `seed` and loads `path`: the console shows its login
    /// page first (and comes back to `path` after the login).
    pub async fn start_at_login(seed: Seed, path: &str) -> Session {
        let s = Session::start_with(seed).await;
        s.open_to_login(path).await;
        s
    }

    /// Serves `html` at `/` of another origin: a new loopback port, reached as `host`
    /// (`127.0.0.1`: the same site as the service; `localhost`: another site). Returns its URL.
    pub async fn serve_other_origin(&self, host: &str, html: String) -> String {
        let page = axum::Router::new().route(
            "/",
            axum::routing::get(move || async move { axum::response::Html(html) }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{host}:{}/", listener.local_addr().unwrap().port());
        tokio::spawn(async move { axum::serve(listener, page).await.unwrap() });
        url
    }

    /// A second browser on the same service (another admin; a new browser has no session
    /// cookie). For another tab of the same browser, see [`Session::new_window`].
    pub async fn another(&self) -> Session {
        Session {
            browser: crate::browser::new_browser(self.base_url.starts_with("https:")).await,
            base_url: self.base_url.clone(),
            backing: self.backing.clone(),
            _data: self._data.clone(),
        }
    }

    pub async fn close(self) -> Result<(), CmdError> {
        self.browser.close().await
    }
}

/// The service's HTTPS configuration, from a certificate for `localhost` made now and written
/// (with its key) into `dir`, read back the way `--tls-cert`/`--tls-key` are.
fn certificate(dir: &std::path::Path) -> axum_server::tls_rustls::RustlsConfig {
    let rcgen::CertifiedKey { cert, signing_key } =
        rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
    let (cert_path, key_path) = (dir.join("tls-cert.pem"), dir.join("tls-key.pem"));
    std::fs::write(&cert_path, cert.pem()).unwrap();
    std::fs::write(&key_path, signing_key.serialize_pem()).unwrap();
    secret_backends_controller::tls::server_config(&cert_path, &key_path).unwrap()
}
