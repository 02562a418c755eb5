//! The bench's figures and how they are shown: percentiles, each figure beside its budget with a
//! verdict, as an aligned table for the terminal and as Markdown for `docs/performance.md`.

use std::fmt::Write;

/// Whether a figure meets its budget; `Info` for a figure shown only for comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Pass,
    Fail,
    Info,
}

impl Verdict {
    /// `Pass` when `ok`, else `Fail`.
    pub fn of(ok: bool) -> Verdict {
        if ok { Verdict::Pass } else { Verdict::Fail }
    }

    fn word(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "FAIL",
            Verdict::Info => "",
        }
    }
}

/// One line of the table.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub measure: String,
    pub value: String,
    pub budget: String,
    pub verdict: Verdict,
}

impl Row {
    /// A figure with a budget.
    pub fn judged(measure: &str, value: String, budget: &str, ok: bool) -> Row {
        Row {
            measure: measure.into(),
            value,
            budget: budget.into(),
            verdict: Verdict::of(ok),
        }
    }

    /// A figure without a budget of its own (a comparison, a context).
    pub fn info(measure: &str, value: String) -> Row {
        Row {
            measure: measure.into(),
            value,
            budget: String::new(),
            verdict: Verdict::Info,
        }
    }

    /// A part that could not be measured: it fails, saying why.
    pub fn failed(measure: &str, why: &str) -> Row {
        Row {
            measure: measure.into(),
            value: format!("not measured: {why}"),
            budget: String::new(),
            verdict: Verdict::Fail,
        }
    }
}

/// A titled group of rows (one per part of the bench).
#[derive(Clone, Debug)]
pub struct Section {
    pub title: String,
    pub rows: Vec<Row>,
}

/// The `p`-th percentile (0–100) by the nearest-rank method: the smallest sample with at least
/// `p` % of the samples at or below it. `None` without samples.
pub fn percentile(samples: &[f64], p: f64) -> Option<f64> {
    if samples.is_empty() {
        return None;
    }
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    Some(sorted[rank.clamp(1, sorted.len()) - 1])
}

pub fn median(samples: &[f64]) -> Option<f64> {
    percentile(samples, 50.0)
}

/// `1234567` → `1,234,567`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Milliseconds with one decimal below 100 ms, whole above.
pub fn millis(ms: f64) -> String {
    if ms < 100.0 {
        format!("{ms:.1} ms")
    } else {
        format!("{} ms", thousands(ms.round() as u64))
    }
}

const HEADERS: [&str; 4] = ["measure", "this run", "budget", ""];

fn cells(row: &Row) -> [&str; 4] {
    [&row.measure, &row.value, &row.budget, row.verdict.word()]
}

/// The sections as an aligned plain-text table (column widths from the widest cell).
pub fn text_table(sections: &[Section]) -> String {
    let mut widths = HEADERS.map(|h| h.chars().count());
    for row in sections.iter().flat_map(|s| &s.rows) {
        for (width, cell) in widths.iter_mut().zip(cells(row)) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: [&str; 4]| {
        let padded: Vec<String> = cells
            .iter()
            .zip(widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect();
        padded.join("  ").trim_end().to_owned()
    };
    let mut out = line(HEADERS) + "\n";
    for section in sections {
        let _ = writeln!(out, "\n{}", section.title);
        for row in &section.rows {
            let _ = writeln!(out, "{}", line(cells(row)));
        }
    }
    out
}

/// The sections as one Markdown table, a bold row per section title.
pub fn markdown_table(sections: &[Section]) -> String {
    let mut out = String::from("| measure | this run | budget | |\n|---|---:|---|---|\n");
    for section in sections {
        let _ = writeln!(out, "| **{}** | | | |", section.title);
        for row in &section.rows {
            let [measure, value, budget, verdict] = cells(row).map(|c| c.replace('|', "\\|"));
            let verdict = if verdict.is_empty() {
                verdict
            } else {
                format!("**{verdict}**")
            };
            let _ = writeln!(out, "| {measure} | {value} | {budget} | {verdict} |");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_take_the_nearest_rank() {
        let samples: Vec<f64> = (1..=20).rev().map(f64::from).collect();
        assert_eq!(percentile(&samples, 50.0), Some(10.0));
        assert_eq!(percentile(&samples, 95.0), Some(19.0));
        assert_eq!(percentile(&samples, 99.0), Some(20.0));
        assert_eq!(percentile(&samples, 100.0), Some(20.0));
        assert_eq!(percentile(&samples, 0.0), Some(1.0));
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), Some(2.0));
        assert_eq!(median(&[7.5]), Some(7.5));
        assert_eq!(median(&[]), None);
    }

    #[test]
    fn numbers_read_easily() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1_400_083), "1,400,083");
        assert_eq!(millis(3.125), "3.1 ms");
        assert_eq!(millis(3_712.4), "3,712 ms");
    }

    fn sections() -> Vec<Section> {
        vec![
            Section {
                title: "First load".into(),
                rows: vec![
                    Row::judged("bytes", "1,400,083".into(), "≤ 250,000", false),
                    Row::info("OpenBao UI bytes", "1,830,339".into()),
                ],
            },
            Section {
                title: "List API".into(),
                rows: vec![
                    Row::judged("p99", "4.0 ms".into(), "≤ 10 ms", true),
                    Row::failed("a|b", "wrk is missing"),
                ],
            },
        ]
    }

    #[test]
    fn the_text_table_aligns_each_figure_beside_its_budget() {
        let table = text_table(&sections());
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(
            lines[0],
            "measure           this run                      budget"
        );
        assert_eq!(lines[2], "First load");
        assert_eq!(
            lines[3],
            "bytes             1,400,083                     ≤ 250,000  FAIL"
        );
        assert_eq!(lines[4], "OpenBao UI bytes  1,830,339");
        assert_eq!(
            lines[7],
            "p99               4.0 ms                        ≤ 10 ms    pass"
        );
        assert_eq!(
            lines[8],
            "a|b               not measured: wrk is missing             FAIL"
        );
    }

    #[test]
    fn the_markdown_table_has_a_row_per_figure_and_escapes_pipes() {
        let table = markdown_table(&sections());
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines[0], "| measure | this run | budget | |");
        assert_eq!(lines[2], "| **First load** | | | |");
        assert_eq!(lines[3], "| bytes | 1,400,083 | ≤ 250,000 | **FAIL** |");
        assert_eq!(lines[4], "| OpenBao UI bytes | 1,830,339 |  |  |");
        assert_eq!(
            lines[7],
            "| a\\|b | not measured: wrk is missing |  | **FAIL** |"
        );
        assert_eq!(lines.len(), 8);
    }
}
