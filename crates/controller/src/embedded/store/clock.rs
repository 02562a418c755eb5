//! The store's clock: times are kept as Unix seconds and answered as RFC 3339 UTC. A leaf, so that
//! the store and the controller above it read time the same way.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Unix seconds now.
pub fn now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

/// Unix seconds as RFC 3339 UTC.
pub fn rfc3339(unix: i64) -> String {
    OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unix_seconds_read_as_rfc3339_utc() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_700_000_000), "2023-11-14T22:13:20Z");
    }
}
