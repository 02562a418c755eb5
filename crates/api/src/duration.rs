//! Go-style durations (`1h`, `90m`, `11h6m0s`), as the Juju CLI reads and prints them.
//!
//! Parsing follows Go's `time.ParseDuration` (units `ns`, `us`/`µs`, `ms`, `s`, `m`, `h`, decimal
//! fractions, several parts), without negative values: an interval is never negative. Formatting
//! follows Go's `Duration.String`, so what the service prints is what `juju` prints.

use std::fmt;

/// A non-negative duration with nanosecond precision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct GoDuration {
    nanos: u64,
}

const NS: u64 = 1;
const US: u64 = 1_000;
const MS: u64 = 1_000_000;
const S: u64 = 1_000_000_000;
const M: u64 = 60 * S;
const H: u64 = 60 * M;

/// Why a text is not a Go duration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DurationParseError(pub String);

impl fmt::Display for DurationParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl GoDuration {
    pub const ZERO: GoDuration = GoDuration { nanos: 0 };

    pub const fn from_nanos(nanos: u64) -> Self {
        GoDuration { nanos }
    }

    pub const fn from_secs(secs: u64) -> Self {
        GoDuration {
            nanos: secs.saturating_mul(S),
        }
    }

    pub const fn hours(h: u64) -> Self {
        GoDuration {
            nanos: h.saturating_mul(H),
        }
    }

    pub fn as_nanos(self) -> u64 {
        self.nanos
    }

    pub fn as_secs(self) -> u64 {
        self.nanos / S
    }

    pub fn is_zero(self) -> bool {
        self.nanos == 0
    }

    /// Parses a Go duration such as `1h`, `1h30m`, `1.5h` or `0`.
    pub fn parse(text: &str) -> Result<Self, DurationParseError> {
        let invalid = || DurationParseError(format!("invalid duration {text:?}"));
        let mut rest = text.trim();
        if rest.is_empty() {
            return Err(invalid());
        }
        if let Some(r) = rest.strip_prefix('+') {
            rest = r;
        }
        if rest.starts_with('-') {
            return Err(DurationParseError(format!(
                "invalid duration {text:?}: must not be negative"
            )));
        }
        if rest == "0" {
            return Ok(GoDuration::ZERO);
        }
        let mut total: u128 = 0;
        while !rest.is_empty() {
            let int_len = rest.bytes().take_while(u8::is_ascii_digit).count();
            let int_part = &rest[..int_len];
            rest = &rest[int_len..];
            let mut frac_part = "";
            if let Some(r) = rest.strip_prefix('.') {
                let frac_len = r.bytes().take_while(u8::is_ascii_digit).count();
                frac_part = &r[..frac_len];
                rest = &r[frac_len..];
            }
            if int_part.is_empty() && frac_part.is_empty() {
                return Err(invalid());
            }
            let unit_len = rest
                .char_indices()
                .find(|(_, c)| c.is_ascii_digit() || *c == '.')
                .map(|(i, _)| i)
                .unwrap_or(rest.len());
            let unit = &rest[..unit_len];
            rest = &rest[unit_len..];
            let scale = match unit {
                "ns" => NS,
                "us" | "µs" | "μs" => US,
                "ms" => MS,
                "s" => S,
                "m" => M,
                "h" => H,
                "" => {
                    return Err(DurationParseError(format!(
                        "missing unit in duration {text:?}"
                    )));
                }
                other => {
                    return Err(DurationParseError(format!(
                        "unknown unit {other:?} in duration {text:?}"
                    )));
                }
            };
            let int: u128 = if int_part.is_empty() {
                0
            } else {
                int_part.parse().map_err(|_| invalid())?
            };
            let mut value = int.checked_mul(scale as u128).ok_or_else(invalid)?;
            if !frac_part.is_empty() {
                // Keep at most 18 fractional digits: more cannot change a nanosecond count.
                let digits = &frac_part[..frac_part.len().min(18)];
                let frac: u128 = digits.parse().map_err(|_| invalid())?;
                let denom = 10u128.pow(digits.len() as u32);
                value += frac * scale as u128 / denom;
            }
            total = total.checked_add(value).ok_or_else(invalid)?;
        }
        let nanos = u64::try_from(total)
            .ok()
            .filter(|n| *n <= i64::MAX as u64)
            .ok_or_else(|| DurationParseError(format!("duration {text:?} out of range")))?;
        Ok(GoDuration { nanos })
    }
}

impl fmt::Display for GoDuration {
    /// Formats as Go's `Duration.String`: `11h6m0s`, `1h0m0s`, `1.5s`, `100ms`, `0s`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.nanos;
        if n == 0 {
            return f.write_str("0s");
        }
        if n < S {
            let (unit, scale) = if n < US {
                ("ns", NS)
            } else if n < MS {
                ("µs", US)
            } else {
                ("ms", MS)
            };
            return write!(f, "{}{unit}", fraction(n, scale));
        }
        let h = n / H;
        let m = (n % H) / M;
        let s = n % M;
        if h > 0 {
            write!(f, "{h}h{m}m")?;
        } else if m > 0 {
            write!(f, "{m}m")?;
        }
        write!(f, "{}s", fraction(s, S))
    }
}

/// `value / scale` as a decimal without trailing zeros (`1.5`, `2`).
fn fraction(value: u64, scale: u64) -> String {
    let int = value / scale;
    let frac = value % scale;
    if frac == 0 {
        return int.to_string();
    }
    let width = scale.ilog10() as usize;
    let digits = format!("{frac:0width$}");
    format!("{int}.{}", digits.trim_end_matches('0'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_what_the_juju_cli_accepts() {
        assert_eq!(GoDuration::parse("1h").unwrap(), GoDuration::hours(1));
        assert_eq!(GoDuration::parse("90m").unwrap().as_secs(), 5400);
        assert_eq!(
            GoDuration::parse("11h6m0s").unwrap().as_secs(),
            11 * 3600 + 360
        );
        assert_eq!(GoDuration::parse("1.5h").unwrap().as_secs(), 5400);
        assert_eq!(GoDuration::parse("0").unwrap(), GoDuration::ZERO);
        assert_eq!(GoDuration::parse("0s").unwrap(), GoDuration::ZERO);
        assert_eq!(GoDuration::parse("1h0.5m").unwrap().as_secs(), 3630);
        assert_eq!(GoDuration::parse("300ms").unwrap().as_nanos(), 300_000_000);
        assert_eq!(GoDuration::parse("2µs").unwrap().as_nanos(), 2_000);
    }

    #[test]
    fn refuses_what_go_refuses() {
        for bad in [
            "",
            "7d",
            "1",
            "h",
            "1hh",
            "-1h",
            "1h-",
            ".h",
            "1x",
            "1 h",
            "99999999999h",
        ] {
            assert!(GoDuration::parse(bad).is_err(), "{bad:?} should be refused");
        }
        assert!(
            GoDuration::parse("7d")
                .unwrap_err()
                .0
                .contains("unknown unit \"d\"")
        );
    }

    #[test]
    fn prints_like_go() {
        let cases = [
            ("11h6m0s", "11h6m0s"),
            ("1h", "1h0m0s"),
            ("90m", "1h30m0s"),
            ("24h", "24h0m0s"),
            ("45m", "45m0s"),
            ("1.5s", "1.5s"),
            ("100ms", "100ms"),
            ("0", "0s"),
            ("2h0m0.25s", "2h0m0.25s"),
        ];
        for (input, printed) in cases {
            assert_eq!(
                GoDuration::parse(input).unwrap().to_string(),
                printed,
                "{input}"
            );
        }
    }

    #[test]
    fn round_trips() {
        for secs in [3600, 3601, 86_400, 40_000, 7 * 86_400] {
            let d = GoDuration::from_secs(secs);
            assert_eq!(GoDuration::parse(&d.to_string()).unwrap(), d);
        }
    }
}
