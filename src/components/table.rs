//! A data table as every list of the console shows one: scrollable on a narrow screen, with a
//! caption for screen readers and column headings.

use leptos::prelude::*;

/// A table of `columns` whose body is `children` (its rows).
#[component]
pub fn Table(
    /// The table's `data-testid`.
    testid: &'static str,
    /// What the table holds, for screen readers.
    caption: &'static str,
    /// The column headings.
    columns: &'static [&'static str],
    /// The columns that hold numbers (right-aligned), by heading.
    #[prop(optional)]
    numeric: &'static [&'static str],
    /// What some columns mean, on hover: (heading, meaning).
    #[prop(optional)]
    titles: &'static [(&'static str, &'static str)],
    #[prop(default = "sbc-table")] class: &'static str,
    children: Children,
) -> impl IntoView {
    let headings = columns
        .iter()
        .map(|&heading| {
            let title = titles.iter().find(|(h, _)| *h == heading).map(|(_, t)| *t);
            view! {
                <th scope="col" class:sbc-number=numeric.contains(&heading) title=title>
                    {heading}
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
