//! Health checks of stored backends, built to scale to thousands of backends on a few servers.
//!
//! A round (every 5 s) checks each distinct server once (reachable, initialised, unsealed: the
//! driver's server steps, shared by every backend with the same endpoint and TLS settings), so a
//! sealed server shows on every backend that uses it at the next round. Each backend's own steps
//! (its token) run less often: at most [`CHECKS_AT_ONCE`] at a time, each backend about once a
//! `token_check_every`, spread over the rounds. What the last checks found is kept in memory
//! ([`HealthBook`]); the store is written only when a status or message changes, and answers
//! take the time of the last check from the book. Listing reads the store and never waits on a
//! check.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use futures::StreamExt;
use secret_backends_api::{BackendStatus, BackendType, Config, EventKind};

use super::super::background::Background;
use super::super::drivers::{self, DriverError, ServerKey};
use super::super::store::{self, BackendRow};
use super::super::{EmbeddedController, now};
use crate::error::Result;

/// How many checks of a round run at once.
pub const CHECKS_AT_ONCE: usize = 8;

/// How soon a backend whose own steps failed is checked again.
const FAILED_ACCESS_RECHECK_SECS: i64 = 30;

/// What the checks found, in memory, by backend id: when a check last covered the backend, and
/// the outcome of its own steps at the revision checked (an edit makes it unknown again).
#[derive(Default)]
pub(in crate::embedded) struct HealthBook(Mutex<HashMap<String, Known>>);

#[derive(Debug, Clone, Default)]
struct Known {
    /// Unix seconds of the last check that covered the backend (its server's or its own).
    seen_at: i64,
    access: Option<Access>,
}

#[derive(Debug, Clone)]
struct Access {
    revision: u64,
    at: i64,
    outcome: Result<(), DriverError>,
}

impl HealthBook {
    fn lock(&self) -> MutexGuard<'_, HashMap<String, Known>> {
        // A panic while holding the lock leaves a valid map: carry on with it.
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// A whole check of the backend (an add's or update's ping, "check now") at `at`.
    pub fn record_check(&self, row: &BackendRow, at: i64, outcome: Result<(), DriverError>) {
        let mut book = self.lock();
        let known = book.entry(row.id.clone()).or_default();
        known.seen_at = at;
        known.access = Some(Access {
            revision: row.revision,
            at,
            outcome,
        });
    }

    /// Sets each row's `checked_at` to the last check that covered it, when that is later than
    /// the stored one (the store is written only when a status changes).
    pub fn overlay(&self, rows: &mut [BackendRow]) {
        let book = self.lock();
        for row in rows {
            if let Some(known) = book.get(&row.id) {
                row.checked_at = row.checked_at.max(Some(known.seen_at));
            }
        }
    }

    /// The last outcome of the backend's own steps at its current revision, if known.
    fn access(&self, row: &BackendRow) -> Option<Access> {
        let book = self.lock();
        let access = book.get(&row.id)?.access.clone()?;
        (access.revision == row.revision).then_some(access)
    }
}

/// A backend's status and its message.
type Status = (BackendStatus, Option<String>);

/// A backend's status as a round finds it; `None` when the round cannot tell (its server
/// answers, its own steps were never checked at this revision): the stored one stays.
fn status_of(server: &Result<(), DriverError>, access: Option<&Access>) -> Option<Status> {
    let found = match (server, access) {
        (Err(e), _) => Err(e),
        (Ok(()), Some(access)) => access.outcome.as_ref().map(|_| ()),
        (Ok(()), None) => return None,
    };
    Some(match found {
        Ok(()) => (BackendStatus::Active, None),
        Err(e) => (BackendStatus::Error, Some(e.to_string())),
    })
}

/// When a backend's own steps are due: now when unknown, a cycle after a pass, soon after a
/// failure.
fn access_due(access: Option<&Access>, cycle_secs: i64) -> i64 {
    match access {
        None => i64::MIN,
        Some(Access {
            at,
            outcome: Ok(()),
            ..
        }) => at + cycle_secs,
        Some(Access { at, .. }) => at + FAILED_ACCESS_RECHECK_SECS,
    }
}

/// Which backends get their own steps checked this round, by index: every one shown in error
/// whose own steps are unknown (after a start, so a recovered server clears its errors at once),
/// then the most overdue, up to `budget`.
fn pick_due(candidates: &[(i64, bool)], at: i64, budget: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..candidates.len())
        .filter(|&i| candidates[i].0 <= at)
        .collect();
    order.sort_by_key(|&i| candidates[i].0);
    let mut taken = 0;
    order
        .into_iter()
        .filter(|&i| {
            let (due, forced) = candidates[i];
            let take = (forced && due == i64::MIN) || taken < budget;
            taken += usize::from(take);
            take
        })
        .collect()
}

impl EmbeddedController {
    /// One round of health checks with the default timing (see the module's text).
    pub async fn health_round(&self) -> Result<()> {
        self.health_round_with(&Background::default()).await
    }

    /// One round of health checks: each distinct server, then the backends' own steps that are
    /// due; each change of status is recorded and told to the feed.
    pub async fn health_round_with(&self, timing: &Background) -> Result<()> {
        let rows = self.store.call(|c| store::backend_list(c)).await?;
        self.health.retain(&rows);
        let at = now();
        let keyed: Vec<(ServerKey, BackendRow)> = rows
            .into_iter()
            .map(|row| (drivers::server_key(row.backend_type, &row.config), row))
            .collect();
        let mut servers: HashMap<ServerKey, (BackendType, Config)> = HashMap::new();
        for (key, row) in &keyed {
            servers
                .entry(*key)
                .or_insert_with(|| (row.backend_type, row.config.clone()));
        }
        let servers: HashMap<ServerKey, Result<(), DriverError>> =
            bounded(servers, Part::Server).await;

        // The servers' outcomes first, so a sealed server shows without waiting for the rest.
        let mut found = Vec::new();
        let mut candidates = Vec::new();
        let cycle = timing.token_check_every.as_secs() as i64;
        for (key, row) in &keyed {
            let server = &servers[key];
            let access = self.health.access(row);
            found.push((row, status_of(server, access.as_ref())));
            if server.is_ok() {
                let due = access_due(access.as_ref(), cycle);
                candidates.push((row, (due, row.status == BackendStatus::Error)));
            }
        }
        self.health.seen(keyed.iter().map(|(_, row)| row), at);
        self.listed.changed(); // every `checked-at` moved
        self.record_statuses(found, at).await?;

        let share = keyed.len() as u64 * timing.health_every.as_secs().max(1);
        let budget = (share.div_ceil(cycle.max(1) as u64) as usize).max(CHECKS_AT_ONCE);
        let dues: Vec<(i64, bool)> = candidates.iter().map(|(_, due)| *due).collect();
        let picked = pick_due(&dues, at, budget).into_iter().map(|i| {
            let row = candidates[i].0;
            (i, (row.backend_type, row.config.clone()))
        });
        let checked: Vec<(usize, Result<(), DriverError>)> = bounded(picked, Part::Access).await;
        let at = now();
        if !checked.is_empty() {
            self.listed.changed();
        }
        let mut found = Vec::new();
        for (i, outcome) in checked {
            let row = candidates[i].0;
            self.health.record_check(row, at, outcome.clone());
            found.push((row, status_of(&Ok(()), self.health.access(row).as_ref())));
        }
        self.record_statuses(found, at).await
    }

    /// Checks one backend whole now (its server's steps and its own) and records the outcome;
    /// tells the feed when the status changed.
    pub(in crate::embedded) async fn check_one(&self, row: BackendRow) -> Result<()> {
        let outcome = drivers::ping(row.backend_type, &row.config).await;
        let at = now();
        self.health.record_check(&row, at, outcome.clone());
        self.listed.changed();
        let status = status_of(&Ok(()), self.health.access(&row).as_ref());
        self.record_statuses(vec![(&row, status)], at).await
    }

    /// Writes the statuses that differ from the stored ones, in one transaction, and tells the
    /// feed of each that changed.
    async fn record_statuses(
        &self,
        found: Vec<(&BackendRow, Option<Status>)>,
        at: i64,
    ) -> Result<()> {
        let changes: Vec<(String, String, BackendStatus, Option<String>)> = found
            .into_iter()
            .filter_map(|(row, status)| {
                let (status, message) = status?;
                let same = row.status == status && row.message == message;
                (!same).then(|| (row.id.clone(), row.name.clone(), status, message))
            })
            .collect();
        if changes.is_empty() {
            return Ok(());
        }
        let changed = self
            .store
            .call(move |c| {
                let tx = c.transaction()?;
                let mut changed = Vec::new();
                for (id, name, status, message) in changes {
                    if store::backend_set_status(&tx, &id, status, message.as_deref(), at)? {
                        changed.push(name);
                    }
                }
                tx.commit()?;
                Ok(changed)
            })
            .await?;
        self.emit_each(EventKind::BackendStatus, &changed);
        Ok(())
    }
}

/// The two parts of a check a round runs separately.
#[derive(Clone, Copy)]
enum Part {
    /// The server's steps (reachable, unsealed…).
    Server,
    /// The backend's own steps (its token).
    Access,
}

/// Runs `part` of the check on each item, [`CHECKS_AT_ONCE`] at a time, each outcome beside its
/// key.
async fn bounded<K, C>(items: impl IntoIterator<Item = (K, (BackendType, Config))>, part: Part) -> C
where
    C: Default + Extend<(K, Result<(), DriverError>)>,
{
    futures::stream::iter(items)
        .map(|(key, (backend_type, config))| async move {
            let outcome = match part {
                Part::Server => drivers::check_server(backend_type, &config).await,
                Part::Access => drivers::check_access(backend_type, &config).await,
            };
            (key, outcome)
        })
        .buffer_unordered(CHECKS_AT_ONCE)
        .collect()
        .await
}

impl HealthBook {
    /// Forgets removed backends.
    fn retain(&self, rows: &[BackendRow]) {
        let ids: std::collections::HashSet<&str> = rows.iter().map(|r| r.id.as_str()).collect();
        self.lock().retain(|id, _| ids.contains(id.as_str()));
    }

    /// The backends a round's server checks covered at `at`.
    fn seen<'a>(&self, rows: impl Iterator<Item = &'a BackendRow>, at: i64) {
        let mut book = self.lock();
        for row in rows {
            book.entry(row.id.clone()).or_default().seen_at = at;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn passed(at: i64) -> Access {
        Access {
            revision: 1,
            at,
            outcome: Ok(()),
        }
    }

    fn failed(at: i64) -> Access {
        Access {
            revision: 1,
            at,
            outcome: Err(DriverError::failed("authenticated", "auth token invalid")),
        }
    }

    #[test]
    fn a_failing_server_is_every_backends_status_whatever_their_tokens() {
        let sealed = Err(DriverError::failed("unsealed", "vault is sealed"));
        let expected = Some((BackendStatus::Error, Some("vault is sealed".to_owned())));
        assert_eq!(status_of(&sealed, Some(&passed(0))), expected);
        assert_eq!(status_of(&sealed, Some(&failed(0))), expected);
        assert_eq!(status_of(&sealed, None), expected);
    }

    #[test]
    fn an_answering_server_shows_each_backends_last_own_outcome_or_leaves_it() {
        assert_eq!(
            status_of(&Ok(()), Some(&passed(0))),
            Some((BackendStatus::Active, None))
        );
        assert_eq!(
            status_of(&Ok(()), Some(&failed(0))),
            Some((BackendStatus::Error, Some("auth token invalid".to_owned())))
        );
        assert_eq!(status_of(&Ok(()), None), None);
    }

    #[test]
    fn own_steps_are_due_at_once_when_unknown_a_cycle_after_a_pass_soon_after_a_failure() {
        assert_eq!(access_due(None, 300), i64::MIN);
        assert_eq!(access_due(Some(&passed(1000)), 300), 1300);
        assert_eq!(
            access_due(Some(&failed(1000)), 300),
            1000 + FAILED_ACCESS_RECHECK_SECS
        );
    }

    #[test]
    fn a_round_takes_the_most_overdue_up_to_its_budget_and_every_unknown_error() {
        let unknown = i64::MIN;
        let candidates = [
            (1300, false),   // not due yet at 1000
            (900, false),    // due
            (unknown, true), // shown in error, never checked: always taken
            (800, false),    // the most overdue
            (unknown, false),
            (unknown, true),
        ];
        assert_eq!(pick_due(&candidates, 1000, 2), vec![2, 4, 5]);
        assert_eq!(pick_due(&candidates, 1000, 10), vec![2, 4, 5, 3, 1]);
    }
}
