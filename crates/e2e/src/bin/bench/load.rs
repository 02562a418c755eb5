//! Load on an HTTP endpoint with `wrk` (Debian's): requests per second and latency percentiles
//! from its `--latency` report.

use std::path::Path;
use std::process::Command;

use crate::Outcome;

/// What `wrk` measured.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Load {
    pub requests_per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    /// Answers other than 2xx/3xx, and socket errors: a figure with any is not a fair one.
    pub errors: u64,
}

/// How long, and on how many connections.
pub const CONNECTIONS: u32 = 64;
pub const SECONDS: u32 = 20;

/// Runs `wrk` on `url` with `header` on every request.
pub fn load(wrk: &Path, url: &str, header: &str) -> Outcome<Load> {
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get().min(4));
    let output = Command::new(wrk)
        .arg(format!("--threads={threads}"))
        .arg(format!("--connections={CONNECTIONS}"))
        .arg(format!("--duration={SECONDS}s"))
        .args(["--latency", "--header", header, url])
        .output()
        .map_err(|e| format!("cannot run {}: {e}", wrk.display()))?;
    let report = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        let why = String::from_utf8_lossy(&output.stderr);
        return Err(format!("wrk failed ({}): {why}{report}", output.status));
    }
    parse(&report).ok_or_else(|| format!("cannot read wrk's report:\n{report}"))
}

/// Reads `wrk --latency`'s report.
fn parse(report: &str) -> Option<Load> {
    let value_after = |label: &str| {
        report
            .lines()
            .map(str::trim)
            .find_map(|l| l.strip_prefix(label))
            .map(str::trim)
    };
    let requests_per_second = value_after("Requests/sec:")?.parse().ok()?;
    let p50_ms = duration_ms(value_after("50%")?)?;
    let p99_ms = duration_ms(value_after("99%")?)?;
    let non_2xx: u64 = value_after("Non-2xx or 3xx responses:")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let socket: u64 = value_after("Socket errors:")
        .map(|v| {
            v.split(',')
                .filter_map(|part| part.split_whitespace().last()?.parse::<u64>().ok())
                .sum()
        })
        .unwrap_or(0);
    Some(Load {
        requests_per_second,
        p50_ms,
        p99_ms,
        errors: non_2xx + socket,
    })
}

/// `512.00us`, `1.23ms`, `2.00s`, `1.50m` → milliseconds.
fn duration_ms(text: &str) -> Option<f64> {
    let split = text.find(|c: char| c.is_ascii_alphabetic())?;
    let (number, unit) = text.split_at(split);
    let number: f64 = number.parse().ok()?;
    let factor = match unit {
        "us" => 0.001,
        "ms" => 1.0,
        "s" => 1000.0,
        "m" => 60_000.0,
        _ => return None,
    };
    Some(number * factor)
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPORT: &str = "Running 20s test @ http://127.0.0.1:40111/api/v1/secret-backends
  2 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     5.10ms    2.01ms  40.12ms   80.00%
    Req/Sec     6.31k   512.00     7.10k    70.00%
  Latency Distribution
     50%  812.00us
     75%    5.93ms
     90%    7.80ms
     99%    1.20s
  251234 requests in 20.00s, 1.20GB read
  Socket errors: connect 0, read 2, write 0, timeout 3
  Non-2xx or 3xx responses: 4
Requests/sec:  12561.70
Transfer/sec:     61.43MB
";

    #[test]
    fn the_report_gives_throughput_percentiles_and_errors() {
        let load = parse(REPORT).unwrap();
        assert_eq!(load.requests_per_second, 12561.70);
        assert!((load.p50_ms - 0.812).abs() < 1e-9);
        assert_eq!(load.p99_ms, 1200.0);
        assert_eq!(load.errors, 9);
    }

    #[test]
    fn a_clean_report_has_no_errors_and_a_broken_one_is_refused() {
        let clean: String = REPORT
            .lines()
            .filter(|l| !l.contains("errors") && !l.contains("Non-2xx"))
            .map(|l| format!("{l}\n"))
            .collect();
        assert_eq!(parse(&clean).unwrap().errors, 0);
        assert_eq!(parse("unable to connect to 127.0.0.1:1"), None);
        assert_eq!(duration_ms("3.5ms"), Some(3.5));
        assert_eq!(duration_ms("2.00m"), Some(120_000.0));
        assert_eq!(duration_ms("7h"), None);
    }
}
