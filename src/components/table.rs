//! A data table as every list of the console shows one: scrollable on a narrow screen, with a
//! caption for screen readers and column headings.

use leptos::prelude::*;

/// A column of a [`Table`].
pub struct Column {
    pub heading: &'static str,
    /// Numbers are right-aligned.
    pub numeric: bool,
    /// What the column means, on hover.
    pub title: Option<&'static str>,
}

impl Column {
    pub const fn text(heading: &'static str) -> Column {
        Column {
            heading,
            numeric: false,
            title: None,
        }
    }

    pub const fn number(heading: &'static str) -> Column {
        Column {
            numeric: true,
            ..Column::text(heading)
        }
    }

    pub const fn titled(heading: &'static str, title: &'static str) -> Column {
        Column {
            title: Some(title),
            ..Column::text(heading)
        }
    }
}

/// A table of `columns` whose body is `children` (its rows).
#[component]
pub fn Table(
    /// The table's `data-testid`.
    testid: &'static str,
    /// What the table holds, for screen readers.
    caption: &'static str,
    columns: &'static [Column],
    #[prop(default = "sbc-table")] class: &'static str,
    children: Children,
) -> impl IntoView {
    let headings = columns
        .iter()
        .map(|c| {
            view! {
                <th scope="col" class:sbc-number=c.numeric title=c.title>
                    {c.heading}
                </th>
            }
        })
        .collect_view();
    view! {
        <div class="sbc-table-wrap">
            <table class=class data-testid=testid>
                <caption class="sbc-visually-hidden">{caption}</caption>
                <thead>
                    <tr>{headings}</tr>
                </thead>
                <tbody>{children()}</tbody>
            </table>
        </div>
    }
}
