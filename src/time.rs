//! Times as people read them: "12 s ago" from the browser's clock, and an RFC 3339 time to the
//! second. A leaf: pages, the session and the change feed all read it.

/// Milliseconds since the epoch, from the browser's clock.
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// "12 s ago", "3 min ago", "2 h ago" for an RFC 3339 time, from `now` (ms).
pub fn ago(rfc3339: &str, now: f64) -> String {
    let then = js_sys::Date::parse(rfc3339);
    if then.is_nan() {
        return rfc3339.to_owned();
    }
    let secs = ((now - then) / 1000.0).max(0.0) as u64;
    match secs {
        0..=59 => format!("{secs} s ago"),
        60..=3599 => format!("{} min ago", secs / 60),
        3600..=86_399 => format!("{} h ago", secs / 3600),
        _ => format!("{} d ago", secs / 86_400),
    }
}

/// An RFC 3339 time to the second, as people read it: `2026-11-30 16:55:49 UTC`. Text that is
/// not such a time is returned as it is.
pub fn exact_time(rfc3339: &str) -> String {
    let Some((date, time)) = rfc3339.split_once('T') else {
        return rfc3339.to_owned();
    };
    let (clock, zone) = match time.find(['Z', 'z', '+', '-']) {
        Some(i) => time.split_at(i),
        None => (time, ""),
    };
    let seconds = clock.split('.').next().unwrap_or(clock);
    let zone = match zone {
        "Z" | "z" | "+00:00" | "-00:00" => " UTC".to_owned(),
        "" => String::new(),
        other => format!(" {other}"),
    };
    format!("{date} {seconds}{zone}")
}

#[cfg(test)]
mod tests {
    use wasm_bindgen_test::*;

    use super::exact_time;

    wasm_bindgen_test_configure!(run_in_browser);

    #[wasm_bindgen_test]
    fn exact_times_read_as_date_and_time_to_the_second() {
        assert_eq!(
            exact_time("2026-11-30T16:55:49.123456Z"),
            "2026-11-30 16:55:49 UTC"
        );
        assert_eq!(
            exact_time("2026-11-30T16:55:49Z"),
            "2026-11-30 16:55:49 UTC"
        );
        assert_eq!(
            exact_time("2026-11-30T17:55:49+01:00"),
            "2026-11-30 17:55:49 +01:00"
        );
        assert_eq!(exact_time("yesterday"), "yesterday");
    }
}
