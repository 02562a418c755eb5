//! Sessions: how long they last and when their use is recorded.
//!
//! A session ends at the first of two limits: `idle` after it was last used, and `lifetime`
//! after its login whatever happens (its `expires_at`, fixed at login). Its last use is written
//! at most every [`SessionLimits::touch_after`] seconds (a minute with the default limits), so a
//! page of reads does not write the store on every request.

use std::time::Duration;

use super::store::{self, SessionRow};
use super::{EmbeddedController, auth, now};
use crate::error::Result;

/// How long sessions last (`--session-idle`, `--session-lifetime`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionLimits {
    /// A session unused this long ends.
    pub idle: Duration,
    /// A session ends this long after its login.
    pub lifetime: Duration,
}

impl Default for SessionLimits {
    fn default() -> Self {
        SessionLimits {
            idle: Duration::from_secs(30 * 60),
            lifetime: Duration::from_secs(12 * 3600),
        }
    }
}

/// The longest a session's last use goes unrecorded.
const TOUCH_AT_MOST_EVERY_SECS: i64 = 60;

impl SessionLimits {
    fn idle_secs(&self) -> i64 {
        i64::try_from(self.idle.as_secs()).unwrap_or(i64::MAX)
    }

    /// When a session that logs in at `login` ends at the latest.
    pub fn expires_at(&self, login: i64) -> i64 {
        let lifetime = i64::try_from(self.lifetime.as_secs()).unwrap_or(i64::MAX);
        login.saturating_add(lifetime)
    }

    /// A session last used at or before this moment is idle at `now`.
    pub fn idle_since(&self, now: i64) -> i64 {
        now.saturating_sub(self.idle_secs())
    }

    /// How many seconds a session's last use may be out of date: a minute, or half the idle
    /// time when that is shorter, so that a session in use never looks idle.
    pub fn touch_after(&self) -> i64 {
        TOUCH_AT_MOST_EVERY_SECS.min(self.idle_secs() / 2)
    }

    /// Whether a use at `now` of a session last recorded at `last_used_at` is written down.
    pub fn needs_touch(&self, last_used_at: i64, now: i64) -> bool {
        now - last_used_at >= self.touch_after()
    }
}

impl EmbeddedController {
    /// Starts a session of `user` with a new token (rotated at every login; only its hash is
    /// stored): the token and when the session ends at the latest.
    pub(super) async fn session_start(&self, user: &str) -> Result<(String, i64)> {
        let token = auth::new_token()?;
        let hash = auth::token_hash(&token);
        let (user, limits) = (user.to_owned(), self.sessions);
        let login = now();
        let expires_at = limits.expires_at(login);
        self.store
            .call(move |c| {
                store::sessions_expire(c, login, limits.idle_since(login))?;
                store::session_insert(c, &hash, &user, login, expires_at)
            })
            .await?;
        Ok((token, expires_at))
    }

    /// The live session of `token`, its use recorded when due; `None` when it ended.
    pub(super) async fn session_use(&self, token: &str) -> Result<Option<SessionRow>> {
        let hash = auth::token_hash(token);
        let limits = self.sessions;
        self.store
            .call(move |c| {
                let at = now();
                let session = store::session_get(c, &hash, at, limits.idle_since(at))?;
                if let Some(s) = &session
                    && limits.needs_touch(s.last_used_at, at)
                {
                    store::session_touch(c, &hash, at)?;
                }
                Ok(session)
            })
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(idle: u64, lifetime: u64) -> SessionLimits {
        SessionLimits {
            idle: Duration::from_secs(idle),
            lifetime: Duration::from_secs(lifetime),
        }
    }

    #[test]
    fn the_defaults_are_half_an_hour_idle_and_twelve_hours_in_all() {
        assert_eq!(SessionLimits::default(), limits(1800, 43200));
        assert_eq!(SessionLimits::default().expires_at(1000), 1000 + 43200);
        assert_eq!(SessionLimits::default().idle_since(10_000), 10_000 - 1800);
    }

    #[test]
    fn use_is_written_at_most_once_a_minute() {
        let l = SessionLimits::default();
        assert_eq!(l.touch_after(), 60);
        assert!(!l.needs_touch(1000, 1000));
        assert!(!l.needs_touch(1000, 1059));
        assert!(l.needs_touch(1000, 1060));
    }

    #[test]
    fn a_short_idle_time_is_recorded_often_enough_to_keep_a_session_in_use_alive() {
        let l = limits(4, 3600);
        assert_eq!(l.touch_after(), 2);
        // Used every second: the recorded use is never older than the idle time.
        let mut recorded = 0;
        for at in 0..20 {
            assert!(recorded > l.idle_since(at), "idle at {at}");
            if l.needs_touch(recorded, at) {
                recorded = at;
            }
        }
    }

    #[test]
    fn huge_limits_do_not_overflow() {
        let l = limits(u64::MAX, u64::MAX);
        assert_eq!(l.expires_at(5), i64::MAX);
        assert_eq!(l.idle_since(5), 5 - i64::MAX);
        assert_eq!(l.touch_after(), 60);
    }
}
