//! The console's own sequences, as a person goes through them: logging in, moving between pages,
//! the add form, a row's link, the remove dialog, the model page's picker and the theme.

use serde_json::json;

use crate::{ADMIN_PASSWORD, Session, testid_selector};

impl Session {
    /// Logs in as `admin` through the login page.
    pub async fn login_admin(&self) {
        self.login_as("admin", ADMIN_PASSWORD).await;
    }

    /// Logs in through the login page.
    pub async fn login_as(&self, user: &str, password: &str) {
        self.fill("login-username", user).await;
        self.fill("login-password", password).await;
        self.click("login-submit").await;
    }

    /// Opens `path` on a page load as the admin, logging in first when the browser has no
    /// session, and waits for the page (see [`Session::open_logged_in_as`]).
    pub async fn open_logged_in(&self, path: &str) {
        self.open_logged_in_as(path, "admin", ADMIN_PASSWORD).await;
    }

    /// Opens `path` on a page load in a browser without a session (a new [`Session`], or after
    /// [`Session::log_out`]): the login page comes first.
    pub async fn open_to_login(&self, path: &str) {
        self.open(path).await;
        self.wait_path("/login").await;
    }

    /// Opens `path` on a page load as `user` and waits for the page. The session cookie
    /// outlives a load: a browser logged in as `user` just opens the page; one logged in as
    /// someone else logs out first; one without a session logs in on the login page that comes
    /// first.
    pub async fn open_logged_in_as(&self, path: &str, user: &str, password: &str) {
        self.open(path).await;
        match self.logged_in_user().await {
            Some(name) if name == user => {}
            Some(_) => {
                self.log_out().await;
                self.open_to_login(path).await;
                self.login_as(user, password).await;
            }
            None => {
                self.wait_path("/login").await;
                self.login_as(user, password).await;
            }
        }
        self.wait_path(path).await;
        self.wait_state("ready").await;
    }

    /// Waits until the console knows whether the browser is logged in (it asks the service at
    /// each load): who is, or `None` when it shows the login page.
    pub async fn logged_in_user(&self) -> Option<String> {
        let decided = self
            .wait_until(
                async || {
                    self.js(
                        "if (document.querySelector('[data-testid=login-form]')) return {login: true};
                         const user = document.querySelector('[data-testid=current-user]');
                         return {user: user ? user.textContent : ''};",
                    )
                    .await
                },
                |seen| seen["login"] == json!(true) || seen["user"] != json!(""),
                |seen| format!("neither the login page nor a user: {seen}"),
            )
            .await;
        decided["user"].as_str().map(str::to_owned)
    }

    /// "Log out" in the header, until the login page shows.
    pub async fn log_out(&self) {
        self.click("logout").await;
        self.wait_path("/login").await;
        self.testid("login-form").await;
    }

    /// Moves to a console path inside the page (no reload: the login and the theme stay), as the
    /// browser's back and forward buttons do.
    pub async fn go(&self, path: &str) {
        self.eval(
            "history.pushState(null, '', arguments[0]); dispatchEvent(new PopStateEvent('popstate'));",
            vec![json!(path)],
        )
        .await;
        self.wait_path(path).await;
    }

    /// Follows the link inside the element with `data-testid` (a list's row) to `path`.
    pub async fn follow_link_in(&self, id: &str, path: &str) {
        self.click_css(&format!("{} a", testid_selector(id))).await;
        self.wait_path(path).await;
    }

    /// Fills the add form's name, endpoint and token for a vault backend and submits it.
    pub async fn submit_vault_form(&self, name: &str, endpoint: &str, token: &str) {
        self.fill_vault_form(name, endpoint, token).await;
        self.click("add-submit").await;
    }

    /// Fills the add form's name, endpoint and token for a vault backend.
    pub async fn fill_vault_form(&self, name: &str, endpoint: &str, token: &str) {
        self.fill("field-name", name).await;
        self.fill("field-endpoint", endpoint).await;
        self.fill("field-token", token).await;
    }

    /// In the open remove dialog: types the backend's name and confirms.
    pub async fn confirm_remove(&self, name: &str) {
        self.fill("remove-confirm-input", name).await;
        self.click("remove-confirm").await;
    }

    /// Waits until the console is back on the backends list, without the row of `name`.
    pub async fn wait_removed_from_list(&self, name: &str) {
        self.wait_path("/backends").await;
        let row = testid_selector(&format!("backend-row-{name}"));
        self.wait_gone(&row).await;
    }

    /// Presses the add form's "Test connection" and waits until the check passes.
    pub async fn test_connection_passes(&self) {
        self.click("test-connection").await;
        self.wait_text("check-result", "Connection test passed")
            .await;
    }

    /// On a backend's page: "Rotate now", confirmed in its dialog, until the rotation succeeded.
    pub async fn rotate_now(&self) {
        self.click("rotate-now").await;
        self.click("rotate-confirm").await;
        self.wait_gone(&testid_selector("rotate-dialog")).await;
        self.wait_text("rotation-last", "succeeded").await;
    }

    /// Picks `backend` in the model page's picker and presses "Set".
    pub async fn set_model_backend(&self, backend: &str) {
        self.pick_backend(backend).await;
        self.click("set-backend").await;
    }

    /// Picks `backend` in the model page's picker.
    pub async fn pick_backend(&self, backend: &str) {
        self.select("backend-picker", backend).await;
    }

    /// Opens the `yaml-import` panel of the add form when it is closed.
    pub async fn open_yaml_import(&self) {
        if !self.testid("yaml-text").await.is_displayed().await.unwrap() {
            self.click_css("[data-testid=\"yaml-import\"] summary")
                .await;
        }
    }

    /// Chooses the theme in the console's header.
    pub async fn choose_theme(&self, theme: &str) {
        self.eval(
            "const s = document.querySelector('[data-testid=theme]'); s.value = arguments[0]; s.dispatchEvent(new Event('change'));",
            vec![json!(theme)],
        )
        .await;
        self.css(&format!(".sbc[data-theme=\"{theme}\"]")).await;
    }
}
