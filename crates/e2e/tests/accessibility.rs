//! axe-core on every page and dialog of the console, light and dark: no serious or critical
//! violation. (npm `axe-core`, installed by `cargo xtask`, injected into the page.)

use secret_backends_e2e::{Seed, Session};

#[tokio::test]
async fn every_page_and_dialog_passes_axe_in_light_and_dark() {
    let s = Session::start_with(Seed::new().vault("a11y").model("m1")).await;
    let mut failures = Vec::new();
    for theme in ["light", "dark"] {
        // Each theme from the login page: log in, choose the theme, reach the state to check.
        let pages: [(&str, &str, &[&str]); 8] = [
            ("/backends", "backends", &[]),
            ("/backends/new", "add, vault", &[]),
            ("/backends/new", "add, kubernetes", &["type-kubernetes"]),
            ("/backends/a11y", "detail with the export open", &["export"]),
            ("/backends/a11y", "remove dialog", &["remove-backend"]),
            (
                "/backends/a11y/edit",
                "edit with the review",
                &["review-changes"],
            ),
            ("/models/m1", "model", &[]),
            ("/audit", "audit", &[]),
        ];
        s.open("/login").await;
        s.wait_state("ready").await;
        s.choose_theme(theme).await;
        failures.extend(violations(&s, theme, "login").await);
        s.login_admin().await;
        s.wait_path("/backends").await;
        for (path, what, clicks) in pages {
            s.go(path).await;
            s.wait_state("ready").await;
            for id in clicks {
                s.click(id).await;
            }
            match what {
                "remove dialog" => drop(s.testid("remove-dialog").await),
                "edit with the review" => drop(s.testid("review").await),
                "detail with the export open" => drop(s.testid("export-panel").await),
                _ => {}
            }
            failures.extend(violations(&s, theme, what).await);
        }
        // The next theme starts at the login page again (a session outlives a load).
        s.log_out().await;
    }
    assert!(
        failures.is_empty(),
        "accessibility violations:\n{}",
        failures.join("\n")
    );
    s.close().await.unwrap();
}

/// The page's violations, each labelled with the theme and what the page shows.
async fn violations(s: &Session, theme: &str, what: &str) -> Vec<String> {
    let found = s.accessibility_violations().await;
    found
        .into_iter()
        .map(|v| format!("[{theme}] {what}: {v}"))
        .collect()
}
