//! The kubernetes ping (domain.md section 2). Not written yet: every check fails plainly.

use secret_backends_api::{CheckStep, Config};

use super::failed;

pub async fn steps(_config: &Config) -> Vec<CheckStep> {
    vec![failed(
        "reachable",
        "backend not reachable: kubernetes checks are not supported yet".to_owned(),
    )]
}
