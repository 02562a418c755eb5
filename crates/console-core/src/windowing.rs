//! Windowed rendering: which rows of a long table are worth putting in the DOM. Every row has the
//! same height, so where the table is on screen says which rows are in view; a few more on each
//! side (the overscan) are ready before they scroll in, and the row holding focus is kept wherever
//! it is. Empty gaps stand for the rows left out, so the table is as tall as if every row were
//! there: the scrollbar, `scrollIntoView` and the browser's find-in-page scrolling stay true.
//! Tested in `tests/windowing.rs`.

use std::ops::Range;

/// Where the table's rows are on screen, in CSS pixels, as the browser measured them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Viewport {
    /// How far the first row's top is above the viewport's top (negative: below it).
    pub offset: f64,
    /// The viewport's height.
    pub height: f64,
    /// One row's height: every row has the same (fixed in CSS).
    pub row_height: f64,
}

/// The rows to render out of `total`: those in view, and `overscan` more on each side. Never
/// empty while there are rows: a measurement made before the list shrank (a filter) shows its
/// last rows until the browser measures again.
pub fn rows_in_view(viewport: Viewport, overscan: usize, total: usize) -> Range<usize> {
    if total == 0 {
        return 0..0;
    }
    let row = if viewport.row_height.is_finite() && viewport.row_height >= 1.0 {
        viewport.row_height
    } else {
        1.0
    };
    let height = viewport.height.max(0.0);
    // Float to usize saturates: a negative offset is row 0, a huge one the last row.
    let in_view = ((height / row).ceil() as usize).max(1);
    let first = ((viewport.offset / row).floor() as usize).min(total.saturating_sub(in_view));
    let last = (((viewport.offset + height) / row).ceil() as usize)
        .max(first + in_view)
        .min(total);
    first.saturating_sub(overscan)..(last + overscan).min(total)
}

/// What the table body holds, top to bottom.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Slot {
    /// Empty space as tall as `rows` rows, standing for the rows from position `first`.
    Gap { first: usize, rows: usize },
    /// The row at this position, rendered.
    Row(usize),
}

/// The body of a table of `total` rows that renders `window` and, wherever it is, `kept` (the
/// row holding focus, so that scrolling does not take the focus away); gaps stand for the rest.
pub fn slots(window: Range<usize>, kept: Option<usize>, total: usize) -> Vec<Slot> {
    let window = window.start.min(total)..window.end.min(total);
    let kept = kept.filter(|&k| k < total && !window.contains(&k));
    let before = kept.filter(|&k| k < window.start);
    let after = kept.filter(|&k| k >= window.end);
    let mut slots = Vec::with_capacity(window.len() + 5);
    let mut next = 0;
    for position in before.into_iter().chain(window).chain(after) {
        if position > next {
            slots.push(Slot::Gap {
                first: next,
                rows: position - next,
            });
        }
        slots.push(Slot::Row(position));
        next = position + 1;
    }
    if total > next {
        slots.push(Slot::Gap {
            first: next,
            rows: total - next,
        });
    }
    slots
}
