//! Login throttling: how fast a password may be guessed.
//!
//! Failures are counted per user name (whether or not the user exists, so the answer never tells
//! which names are real) and per client address. A key's first few failures cost nothing; after
//! that each failure locks the key for twice as long as the one before (30 s, 1 min, 2 min… up to
//! 15 min), and while a key is locked every login on it is refused with `429` and `Retry-After`,
//! before the password is even looked at. A success clears its user name's count; an address's
//! count only fades, an hour after its last failure, so one good password cannot buy more guesses
//! at other names. At most [`MAX_KEYS`] keys are remembered; the stalest go first.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failures a user name may have before it is locked.
pub const FREE_PER_USER: u32 = 5;
/// Failures one client address may have before it is locked: more, for admins behind one NAT.
pub const FREE_PER_ADDRESS: u32 = 20;
/// The first lock; each further failure doubles it.
const FIRST_LOCK: Duration = Duration::from_secs(30);
const LONGEST_LOCK: Duration = Duration::from_secs(15 * 60);
/// How long a key's failures are remembered after its last one.
const MEMORY: Duration = Duration::from_secs(60 * 60);
/// How many keys are remembered at most.
pub const MAX_KEYS: usize = 10_000;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Key {
    User(String),
    Address(IpAddr),
}

#[derive(Clone, Copy, Debug)]
struct Failures {
    count: u32,
    last: Instant,
    locked_until: Option<Instant>,
}

/// The failure counts of every key, shared by all requests.
#[derive(Debug, Default)]
pub struct Throttle {
    keys: Mutex<HashMap<Key, Failures>>,
}

impl Throttle {
    /// How long the caller must wait before trying again, or `None` when it may try now.
    pub fn wait(&self, user: &str, address: Option<IpAddr>, now: Instant) -> Option<Duration> {
        let keys = self.keys.lock().unwrap_or_else(|p| p.into_inner());
        Self::keys_of(user, address)
            .filter_map(|key| keys.get(&key)?.locked_until)
            .filter(|until| *until > now)
            .map(|until| until - now)
            .max()
    }

    /// Records a failed login.
    pub fn failed(&self, user: &str, address: Option<IpAddr>, now: Instant) {
        let mut keys = self.keys.lock().unwrap_or_else(|p| p.into_inner());
        if keys.len() >= MAX_KEYS {
            forget_stalest(&mut keys, now);
        }
        for key in Self::keys_of(user, address) {
            let free = match key {
                Key::User(_) => FREE_PER_USER,
                Key::Address(_) => FREE_PER_ADDRESS,
            };
            let entry = keys.entry(key).or_insert(Failures {
                count: 0,
                last: now,
                locked_until: None,
            });
            if now.duration_since(entry.last) > MEMORY {
                entry.count = 0;
            }
            entry.count += 1;
            entry.last = now;
            if entry.count >= free {
                entry.locked_until = Some(now + lock_for(entry.count - free));
            }
        }
    }

    /// Records a successful login: the user name starts afresh.
    pub fn succeeded(&self, user: &str) {
        let mut keys = self.keys.lock().unwrap_or_else(|p| p.into_inner());
        keys.remove(&Key::User(user_key(user)));
    }

    fn keys_of(user: &str, address: Option<IpAddr>) -> impl Iterator<Item = Key> {
        std::iter::once(Key::User(user_key(user))).chain(address.map(Key::Address))
    }
}

/// User names are compared as the store compares them: case and surrounding space do not make a
/// new name to guess on.
fn user_key(user: &str) -> String {
    user.trim().to_lowercase()
}

/// The lock after the `extra`-th failure beyond the free ones.
fn lock_for(extra: u32) -> Duration {
    FIRST_LOCK
        .checked_mul(1u32 << extra.min(16))
        .unwrap_or(LONGEST_LOCK)
        .min(LONGEST_LOCK)
}

/// Forgets keys nobody has failed on for [`MEMORY`], and if that is not enough, the tenth of the
/// keys with the oldest last failure.
fn forget_stalest(keys: &mut HashMap<Key, Failures>, now: Instant) {
    keys.retain(|_, f| now.duration_since(f.last) <= MEMORY);
    if keys.len() >= MAX_KEYS {
        let mut lasts: Vec<Instant> = keys.values().map(|f| f.last).collect();
        lasts.sort();
        let cutoff = lasts[MAX_KEYS / 10];
        keys.retain(|_, f| f.last > cutoff);
    }
}

/// `Retry-After` in whole seconds, rounded up, never 0.
pub fn retry_after_seconds(wait: Duration) -> u64 {
    (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1)
}

/// The client's address, where the server knows it (`ConnectInfo`); requests handed to the router
/// directly, as in tests, have none and are throttled by user name only.
pub struct ClientAddress(pub Option<IpAddr>);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _state: &S,
    ) -> Result<Self, Self::Rejection> {
        let info = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>();
        Ok(ClientAddress(info.map(|info| info.0.ip())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOME: Option<IpAddr> = Some(IpAddr::V4(std::net::Ipv4Addr::LOCALHOST));

    fn fail(throttle: &Throttle, user: &str, address: Option<IpAddr>, times: u32, now: Instant) {
        for _ in 0..times {
            throttle.failed(user, address, now);
        }
    }

    #[test]
    fn a_user_name_is_locked_after_its_free_failures_and_the_lock_doubles() {
        let throttle = Throttle::default();
        let now = Instant::now();
        fail(&throttle, "admin", HOME, FREE_PER_USER - 1, now);
        assert_eq!(throttle.wait("admin", HOME, now), None);
        throttle.failed("admin", HOME, now);
        assert_eq!(throttle.wait("admin", HOME, now), Some(FIRST_LOCK));
        // The same name in other letters and from elsewhere is the same name.
        assert_eq!(throttle.wait(" ADMIN ", None, now), Some(FIRST_LOCK));
        let later = now + FIRST_LOCK;
        assert_eq!(throttle.wait("admin", HOME, later), None);
        throttle.failed("admin", HOME, later);
        assert_eq!(throttle.wait("admin", HOME, later), Some(FIRST_LOCK * 2));
        // Another name from the same address is not locked yet.
        assert_eq!(throttle.wait("someone-else", HOME, later), None);
    }

    #[test]
    fn names_that_do_not_exist_are_counted_the_same() {
        let throttle = Throttle::default();
        let now = Instant::now();
        fail(&throttle, "no-such-user", None, FREE_PER_USER, now);
        assert_eq!(throttle.wait("no-such-user", None, now), Some(FIRST_LOCK));
    }

    #[test]
    fn an_address_guessing_many_names_is_locked_for_all_of_them() {
        let throttle = Throttle::default();
        let now = Instant::now();
        for i in 0..FREE_PER_ADDRESS {
            throttle.failed(&format!("user-{i}"), HOME, now);
        }
        assert_eq!(throttle.wait("a-new-name", HOME, now), Some(FIRST_LOCK));
        assert_eq!(throttle.wait("a-new-name", None, now), None);
    }

    #[test]
    fn success_clears_the_name_but_not_the_address() {
        let throttle = Throttle::default();
        let now = Instant::now();
        fail(&throttle, "admin", HOME, FREE_PER_USER - 1, now);
        for i in 0..FREE_PER_ADDRESS - FREE_PER_USER {
            throttle.failed(&format!("user-{i}"), HOME, now);
        }
        throttle.succeeded("admin");
        throttle.failed("admin", HOME, now);
        assert_eq!(
            throttle.wait("admin", None, now),
            None,
            "the name starts afresh"
        );
        assert_eq!(
            throttle.wait("admin", HOME, now),
            Some(FIRST_LOCK),
            "the address does not"
        );
    }

    #[test]
    fn the_lock_stops_growing_and_old_failures_fade() {
        let throttle = Throttle::default();
        let now = Instant::now();
        fail(&throttle, "admin", None, FREE_PER_USER + 40, now);
        assert_eq!(throttle.wait("admin", None, now), Some(LONGEST_LOCK));
        let much_later = now + MEMORY + LONGEST_LOCK;
        throttle.failed("admin", None, much_later);
        assert_eq!(throttle.wait("admin", None, much_later), None);
    }

    #[test]
    fn memory_is_bounded() {
        let throttle = Throttle::default();
        let now = Instant::now();
        for i in 0..(MAX_KEYS + 10) {
            throttle.failed(
                &format!("user-{i}"),
                None,
                now + Duration::from_millis(i as u64),
            );
        }
        assert!(throttle.keys.lock().unwrap().len() <= MAX_KEYS);
    }

    #[test]
    fn retry_after_rounds_up() {
        assert_eq!(retry_after_seconds(Duration::from_millis(1)), 1);
        assert_eq!(retry_after_seconds(Duration::from_secs(30)), 30);
        assert_eq!(retry_after_seconds(Duration::from_millis(30_001)), 31);
    }
}
