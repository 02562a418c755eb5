//! Juju's RPC over one WebSocket: a request `{"request-id", "type", "version", "request",
//! "params"}` is answered by the frame with the same `request-id`, holding `response`, or
//! `error` with `error-code` (and `error-info`). Calls on one connection may overlap: a reader
//! task hands each answer to the call waiting for its id.
//!
//! Every call has a timeout; a connection that drops fails its calls in flight at once
//! ([`RpcError::Closed`]) and every later one, so nothing waits on a dead socket.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use tokio::sync::{mpsc, oneshot};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{Connector, connect_async_tls_with_config};

/// Why a call got no answer it could use.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RpcError {
    /// Juju refused: its sentence and its error code (such as `not found`).
    #[error("{message}")]
    Juju { message: String, code: String },
    /// No answer within the call's time.
    #[error("no answer within {0:?}")]
    Timeout(Duration),
    /// The connection is gone.
    #[error("the connection was closed")]
    Closed,
    /// No connection could be made (the address, TLS, or the WebSocket handshake).
    #[error("{0}")]
    Connect(String),
    /// An answer that is not what the call expects.
    #[error("an answer that cannot be read: {0}")]
    Protocol(String),
}

type Pending = Arc<Mutex<HashMap<u64, oneshot::Sender<Result<Value, RpcError>>>>>;

/// One open WebSocket to a Juju controller (its `/api`, or a model's `/model/UUID/api`).
/// Dropping it closes the socket.
pub struct Connection {
    outgoing: mpsc::UnboundedSender<Message>,
    pending: Pending,
    next_id: AtomicU64,
    closed: Arc<AtomicBool>,
    timeout: Duration,
}

impl Connection {
    /// Opens `url` (`wss://…`) with `tls`, within `timeout`, which also bounds every call.
    pub async fn open(
        url: &str,
        tls: Arc<rustls::ClientConfig>,
        timeout: Duration,
    ) -> Result<Connection, RpcError> {
        let connect = connect_async_tls_with_config(url, None, false, Some(Connector::Rustls(tls)));
        let (socket, _) = tokio::time::timeout(timeout, connect)
            .await
            .map_err(|_| RpcError::Timeout(timeout))?
            .map_err(|e| RpcError::Connect(connect_error(&e)))?;
        let (mut sink, mut stream) = socket.split();
        let (outgoing, mut to_send) = mpsc::unbounded_channel::<Message>();
        let pending: Pending = Arc::default();
        let closed = Arc::new(AtomicBool::new(false));
        tokio::spawn(async move {
            while let Some(message) = to_send.recv().await {
                if sink.send(message).await.is_err() {
                    break;
                }
            }
            let _ = sink.close().await;
        });
        let (reader_pending, reader_closed) = (pending.clone(), closed.clone());
        tokio::spawn(async move {
            while let Some(Ok(message)) = stream.next().await {
                match message {
                    Message::Text(text) => answer(&reader_pending, &text),
                    Message::Close(_) => break,
                    _ => {}
                }
            }
            reader_closed.store(true, Ordering::SeqCst);
            // Whoever still waits learns now that no answer will come.
            for (_, waiting) in reader_pending.lock().unwrap().drain() {
                let _ = waiting.send(Err(RpcError::Closed));
            }
        });
        Ok(Connection {
            outgoing,
            pending,
            next_id: AtomicU64::new(1),
            closed,
            timeout,
        })
    }

    /// Whether the socket is gone (closed by either side, or dropped).
    pub fn is_closed(&self) -> bool {
        self.closed.load(Ordering::SeqCst) || self.outgoing.is_closed()
    }

    /// Calls `facade` (at `version`) `request` with `params`, and reads its `response` as `R`.
    pub async fn call<P: Serialize, R: DeserializeOwned>(
        &self,
        facade: &str,
        version: u32,
        request: &str,
        params: &P,
    ) -> Result<R, RpcError> {
        if self.is_closed() {
            return Err(RpcError::Closed);
        }
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (answered, answer) = oneshot::channel();
        self.pending.lock().unwrap().insert(id, answered);
        let frame = json!({
            "request-id": id,
            "type": facade,
            "version": version,
            "request": request,
            "params": params,
        });
        if self
            .outgoing
            .send(Message::Text(frame.to_string().into()))
            .is_err()
        {
            self.pending.lock().unwrap().remove(&id);
            return Err(RpcError::Closed);
        }
        let response = match tokio::time::timeout(self.timeout, answer).await {
            Ok(Ok(response)) => response?,
            Ok(Err(_)) => return Err(RpcError::Closed),
            Err(_) => {
                self.pending.lock().unwrap().remove(&id);
                return Err(RpcError::Timeout(self.timeout));
            }
        };
        serde_json::from_value(response)
            .map_err(|e| RpcError::Protocol(format!("{facade}.{request}: {e}")))
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        let _ = self.outgoing.send(Message::Close(None));
    }
}

/// Hands one answer frame to the call waiting for its `request-id` (a frame without a waiting
/// call, one that timed out, is dropped).
fn answer(pending: &Pending, text: &str) {
    let Ok(frame) = serde_json::from_str::<Value>(text) else {
        tracing::warn!("a frame from the Juju controller that is not JSON");
        return;
    };
    let Some(id) = frame.get("request-id").and_then(Value::as_u64) else {
        return;
    };
    let Some(waiting) = pending.lock().unwrap().remove(&id) else {
        return;
    };
    let result = match frame.get("error").and_then(Value::as_str) {
        Some(message) if !message.is_empty() => Err(RpcError::Juju {
            message: message.to_owned(),
            code: frame
                .get("error-code")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
        }),
        _ => Ok(frame.get("response").cloned().unwrap_or(Value::Null)),
    };
    let _ = waiting.send(result);
}

/// A connection failure in a sentence, with the TLS reason when there is one.
fn connect_error(error: &tokio_tungstenite::tungstenite::Error) -> String {
    use tokio_tungstenite::tungstenite::Error as Ws;
    match error {
        Ws::Io(e) => match e.get_ref() {
            Some(inner) => inner.to_string(),
            None => e.to_string(),
        },
        other => other.to_string(),
    }
}
