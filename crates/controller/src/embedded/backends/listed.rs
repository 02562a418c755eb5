//! The whole list's answers (no filter, no reveal), kept until the next change: a list of
//! 10,000 backends is read and built once per change, not once per request.
//!
//! Every change the list shows is told to the change feed (the console relies on it too), so
//! the feed's sender bumps the generation ([`Listed::changed`]), as do the health checks when
//! they move a backend's `checked-at`. A list reads the generation before the store: a change
//! that lands while it reads bumps it again, and that answer is never served from the cache.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use bytes::Bytes;
use secret_backends_api::SecretBackend;

use crate::controller::backends::list_json;
use crate::error::Result;

#[derive(Default)]
pub(in crate::embedded) struct Listed {
    generation: AtomicU64,
    kept: Mutex<Option<(u64, Arc<Whole>)>>,
}

/// The whole list, and its JSON once a request asked for it (serialized once per change, not
/// once per request).
pub(in crate::embedded) struct Whole {
    pub backends: Vec<SecretBackend>,
    json: OnceLock<Bytes>,
}

impl Whole {
    pub fn new(backends: Vec<SecretBackend>) -> Self {
        Whole {
            backends,
            json: OnceLock::new(),
        }
    }

    /// The list as the API sends it.
    pub fn json(&self) -> Result<Bytes> {
        if let Some(json) = self.json.get() {
            return Ok(json.clone());
        }
        let json = list_json(self.backends.clone())?;
        Ok(self.json.get_or_init(|| json).clone())
    }
}

impl Listed {
    /// Something the list shows changed: the kept answers are stale.
    pub fn changed(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    /// The generation to read the store at (before reading it).
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// The answers kept at `generation`, if they are still current.
    pub fn get(&self, generation: u64) -> Option<Arc<Whole>> {
        let kept = self.kept.lock().unwrap_or_else(|p| p.into_inner());
        match kept.as_ref() {
            Some((at, answers)) if *at == generation && generation == self.generation() => {
                Some(answers.clone())
            }
            _ => None,
        }
    }

    /// Keeps the answers read at `generation`.
    pub fn put(&self, generation: u64, answers: Arc<Whole>) {
        *self.kept.lock().unwrap_or_else(|p| p.into_inner()) = Some((generation, answers));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kept_answers_are_served_until_the_next_change() {
        let listed = Listed::default();
        let read_at = listed.generation();
        assert!(listed.get(read_at).is_none());
        listed.put(read_at, Arc::new(Whole::new(Vec::new())));
        assert!(listed.get(listed.generation()).is_some());
        listed.changed();
        assert!(listed.get(listed.generation()).is_none());
    }

    #[test]
    fn answers_read_while_something_changed_are_never_served() {
        let listed = Listed::default();
        let read_at = listed.generation();
        listed.changed(); // lands while the list reads the store
        listed.put(read_at, Arc::new(Whole::new(Vec::new())));
        assert!(listed.get(listed.generation()).is_none());
    }
}
