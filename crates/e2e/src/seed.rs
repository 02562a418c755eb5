//! The data a test starts from, or changes behind the page's back, put in through the controller
//! (not the browser): a [`Seed`], planted when the session starts or at any time after.

use secret_backends_api::{
    Access, AddBackendRequest, AddModelRequest, AddSecretRequest, AddUserRequest, ModelType,
    SecretBackend, SetModelBackendRequest, UpdateBackendRequest,
};
use secret_backends_controller::controller::{Backends, Change, Models, Users};
use secret_backends_controller::embedded::EmbeddedController;
use serde_json::{Value, json};

use crate::{Session, VIEWER, VIEWER_PASSWORD, admin, openbao};

/// Changes to a store, made in the order given, as the admin.
#[derive(Default)]
pub struct Seed {
    steps: Vec<Step>,
}

enum Step {
    Vault(String, Value),
    Update(String, UpdateBackendRequest),
    Model(String),
    ModelBackend(String, String),
    Secret(String, String),
    Viewer,
}

impl Seed {
    /// No change: the built-in backends and the admin.
    pub fn new() -> Seed {
        Seed::default()
    }

    /// A vault backend on the run's OpenBao.
    pub fn vault(self, name: &str) -> Seed {
        self.vault_with(name, json!({}))
    }

    /// A vault backend on the run's OpenBao, with `config` entries added to endpoint and token
    /// (or replacing them).
    pub fn vault_with(mut self, name: &str, config: Value) -> Seed {
        self.steps.push(Step::Vault(name.into(), config));
        self
    }

    /// A vault backend on the run's OpenBao whose secrets go to the KV mount `mount_path`.
    pub fn vault_mounted(self, name: &str, mount_path: &str) -> Seed {
        self.vault_with(name, json!({ "mount-path": mount_path }))
    }

    /// A vault backend that the IaaS `model` is set to, holding one secret of it (`db`).
    pub fn vault_used_by(self, backend: &str, model: &str) -> Seed {
        self.vault(backend)
            .model_on(model, backend)
            .secret(model, "db")
    }

    /// A change to the backend `name` (checked by the service unless forced).
    pub fn update(mut self, name: &str, change: UpdateBackendRequest) -> Seed {
        self.steps.push(Step::Update(name.into(), change));
        self
    }

    /// The backend `name`'s KV mount changed to `mount_path`.
    pub fn remount(self, name: &str, mount_path: &str) -> Seed {
        let config = json!({ "mount-path": mount_path });
        self.update(name, config_change(config))
    }

    /// `backend`'s token rotated every `interval` (a Go duration).
    pub fn rotate_every(self, backend: &str, interval: &str) -> Seed {
        let change = UpdateBackendRequest {
            token_rotate_interval: Some(interval.into()),
            ..Default::default()
        };
        self.update(backend, change)
    }

    /// An IaaS model whose backend is `auto`.
    pub fn model(mut self, name: &str) -> Seed {
        self.steps.push(Step::Model(name.into()));
        self
    }

    /// An IaaS model on `backend`.
    pub fn model_on(self, name: &str, backend: &str) -> Seed {
        self.model(name).model_backend(name, backend)
    }

    /// `model`'s backend set to `backend` (not forced).
    pub fn model_backend(mut self, model: &str, backend: &str) -> Seed {
        self.steps
            .push(Step::ModelBackend(model.into(), backend.into()));
        self
    }

    /// A secret with one key in `model`: its content goes to the model's backend.
    pub fn secret(mut self, model: &str, label: &str) -> Seed {
        self.steps.push(Step::Secret(model.into(), label.into()));
        self
    }

    /// The user [`VIEWER`], with `login` access only.
    pub fn viewer(mut self) -> Seed {
        self.steps.push(Step::Viewer);
        self
    }
}

/// A change of a backend's config only.
pub fn config_change(config: Value) -> UpdateBackendRequest {
    UpdateBackendRequest {
        config: serde_json::from_value(config).unwrap(),
        ..Default::default()
    }
}

/// A change of a backend's config saved without checking the backend (`force`), e.g. a token
/// its server refuses.
pub fn forced_config_change(config: Value) -> UpdateBackendRequest {
    UpdateBackendRequest {
        force: true,
        ..config_change(config)
    }
}

impl Step {
    /// What the step makes, for a failure (names only: a config holds a token).
    fn what(&self) -> String {
        match self {
            Step::Vault(name, _) => format!("add backend {name}"),
            Step::Update(name, _) => format!("update backend {name}"),
            Step::Model(name) => format!("add model {name}"),
            Step::ModelBackend(model, backend) => format!("set {model}'s backend to {backend}"),
            Step::Secret(model, label) => format!("add secret {label} to {model}"),
            Step::Viewer => format!("add user {VIEWER}"),
        }
    }

    async fn plant(self, controller: &EmbeddedController) {
        let what = self.what();
        let admin = admin();
        let done = match self {
            Step::Vault(name, config) => {
                let (addr, token) = openbao();
                let mut full = json!({"endpoint": addr, "token": token});
                for (k, v) in config.as_object().cloned().unwrap_or_default() {
                    full[k] = v;
                }
                let backend = AddBackendRequest {
                    name,
                    backend_type: "vault".into(),
                    config: serde_json::from_value(full).unwrap(),
                    ..Default::default()
                };
                controller.backend_add(&admin, backend).await.map(drop)
            }
            Step::Update(name, change) => {
                let updated =
                    controller.backend_update(&admin, Change::unconditional(&name, change));
                updated.await.map(drop)
            }
            Step::Model(name) => {
                let model_type = ModelType::Iaas;
                let model = AddModelRequest { name, model_type };
                controller.model_add(&admin, model).await.map(drop)
            }
            Step::ModelBackend(model, secret_backend) => {
                let force = false;
                let setting = SetModelBackendRequest {
                    secret_backend,
                    force,
                };
                let change = Change::unconditional(&model, setting);
                let set = controller.model_set_backend(&admin, change);
                set.await.map(drop)
            }
            Step::Secret(model, label) => {
                let content = [("k".to_owned(), "v".to_owned())].into();
                let secret = AddSecretRequest { label, content };
                controller
                    .secret_add(&admin, &model, secret)
                    .await
                    .map(drop)
            }
            Step::Viewer => {
                let user = AddUserRequest {
                    name: VIEWER.into(),
                    password: VIEWER_PASSWORD.into(),
                    access: Access::Login,
                    models: Default::default(),
                };
                controller.user_add(&admin, user).await.map(drop)
            }
        };
        done.unwrap_or_else(|e| panic!("cannot {what}: {e}"));
    }
}

impl Session {
    /// Makes the changes of `seed` in the store, as another admin would.
    pub async fn seed(&self, seed: Seed) {
        for step in seed.steps {
            step.plant(self.embedded()).await;
        }
    }

    /// The backend as the controller stores it.
    pub async fn stored_backend(&self, name: &str) -> SecretBackend {
        self.embedded()
            .backend_get(&admin(), name, false)
            .await
            .unwrap_or_else(|e| panic!("cannot read {name}: {e}"))
            .value
    }
}
