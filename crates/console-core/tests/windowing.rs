//! Which rows of a long table are rendered (`src/windowing.rs`).

use secret_backends_console_core::windowing::{Slot, Viewport, rows_in_view, slots};

/// 40 px rows in an 800 px viewport: 20 rows in view.
fn at(offset: f64) -> Viewport {
    Viewport {
        offset,
        height: 800.0,
        row_height: 40.0,
    }
}

#[test]
fn the_rows_in_view_and_the_overscan_are_rendered() {
    assert_eq!(rows_in_view(at(0.0), 5, 10_000), 0..25);
    assert_eq!(rows_in_view(at(4000.0), 5, 10_000), 95..125);
    // Part of a row in view counts as in view, at either end.
    assert_eq!(rows_in_view(at(4010.0), 5, 10_000), 95..126);
    assert_eq!(rows_in_view(at(4000.0), 0, 10_000), 100..120);
}

#[test]
fn the_end_of_the_list_renders_its_last_rows() {
    let end = 10_000.0 * 40.0 - 800.0;
    assert_eq!(rows_in_view(at(end), 5, 10_000), 9975..10_000);
    // With the page's footer in view below the table.
    assert_eq!(rows_in_view(at(end + 300.0), 5, 10_000), 9975..10_000);
}

#[test]
fn a_table_below_the_top_of_the_viewport_renders_from_its_first_row() {
    assert_eq!(rows_in_view(at(-300.0), 5, 10_000), 0..25);
    // Far below the fold, a viewport's worth is ready.
    assert_eq!(rows_in_view(at(-5000.0), 5, 10_000), 0..25);
}

#[test]
fn a_short_list_renders_every_row() {
    assert_eq!(rows_in_view(at(0.0), 5, 3), 0..3);
    assert_eq!(rows_in_view(at(-300.0), 5, 1), 0..1);
    assert_eq!(rows_in_view(at(0.0), 5, 0), 0..0);
}

#[test]
fn a_measurement_from_before_the_list_shrank_still_shows_rows() {
    // Scrolled to row 9,000, then the filter keeps 30 rows: the last ones show until the browser
    // measures the shorter page.
    assert_eq!(rows_in_view(at(360_000.0), 5, 30), 5..30);
    assert_eq!(rows_in_view(at(360_000.0), 5, 1), 0..1);
}

#[test]
fn a_row_height_not_measured_yet_does_not_divide_by_zero() {
    let unmeasured = Viewport {
        offset: 0.0,
        height: 800.0,
        row_height: 0.0,
    };
    assert_eq!(rows_in_view(unmeasured, 5, 10), 0..10);
    let nan = Viewport {
        row_height: f64::NAN,
        ..unmeasured
    };
    assert_eq!(rows_in_view(nan, 5, 10), 0..10);
}

#[test]
fn gaps_stand_for_the_rows_not_rendered() {
    assert_eq!(
        slots(95..98, None, 10_000),
        [
            Slot::Gap { first: 0, rows: 95 },
            Slot::Row(95),
            Slot::Row(96),
            Slot::Row(97),
            Slot::Gap {
                first: 98,
                rows: 9902
            },
        ]
    );
    assert_eq!(slots(0..2, None, 2), [Slot::Row(0), Slot::Row(1)]);
    assert_eq!(slots(0..0, None, 0), []);
}

#[test]
fn the_row_holding_focus_stays_rendered_in_its_place() {
    // Scrolled down past it.
    assert_eq!(
        slots(95..97, Some(3), 100),
        [
            Slot::Gap { first: 0, rows: 3 },
            Slot::Row(3),
            Slot::Gap { first: 4, rows: 91 },
            Slot::Row(95),
            Slot::Row(96),
            Slot::Gap { first: 97, rows: 3 },
        ]
    );
    // Scrolled up past it, at the very end.
    assert_eq!(
        slots(0..2, Some(99), 100),
        [
            Slot::Row(0),
            Slot::Row(1),
            Slot::Gap { first: 2, rows: 97 },
            Slot::Row(99),
        ]
    );
    // Next to the window: no empty gap.
    assert_eq!(
        slots(5..7, Some(4), 10),
        [
            Slot::Gap { first: 0, rows: 4 },
            Slot::Row(4),
            Slot::Row(5),
            Slot::Row(6),
            Slot::Gap { first: 7, rows: 3 },
        ]
    );
    // In the window, or gone from the list (filtered out): nothing more.
    assert_eq!(slots(0..2, Some(1), 2), [Slot::Row(0), Slot::Row(1)]);
    assert_eq!(slots(0..2, Some(7), 2), [Slot::Row(0), Slot::Row(1)]);
}

#[test]
fn every_row_is_rendered_or_stood_for_once() {
    for total in [0, 1, 7, 50] {
        for start in 0..=total {
            for end in start..=total {
                for kept in [None, Some(0), Some(total / 2), Some(total + 3)] {
                    let mut covered = 0;
                    for slot in slots(start..end, kept, total) {
                        match slot {
                            Slot::Gap { first, rows } => {
                                assert_eq!(first, covered);
                                assert!(rows > 0);
                                covered += rows;
                            }
                            Slot::Row(position) => {
                                assert_eq!(position, covered);
                                covered += 1;
                            }
                        }
                    }
                    assert_eq!(covered, total, "{start}..{end} keeping {kept:?}");
                }
            }
        }
    }
}
