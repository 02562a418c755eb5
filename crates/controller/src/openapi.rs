//! The OpenAPI document: its frame here, its paths from the handlers' `#[utoipa::path]`
//! attributes (collected in `http::api`), its schemas from the shared crate's types.

use secret_backends_api::Problem;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::{ContentBuilder, OpenApi as Document, RefOr, ResponseBuilder};
use utoipa::{Modify, OpenApi, PartialSchema, ToSchema};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Secret backends controller API",
        description = "Juju secret backends over REST: the contract of the Secret Backends Console. \
            Errors are application/problem+json with a Juju-style `detail` and a `code`.",
    ),
    servers((url = "/api/v1")),
    modifiers(&SessionAuth),
    security(("bearer" = []), ("cookie" = [])),
    components(schemas(Problem, secret_backends_api::ErrorCode)),
    tags(
        (name = "auth", description = "Login, logout, who am I"),
        (name = "backends", description = "Secret backends and their checks"),
        (name = "models", description = "Models, their backend setting and their secrets"),
        (name = "users", description = "Users and their access"),
        (name = "events", description = "The change feed"),
        (name = "audit", description = "Who did what and when"),
    )
)]
pub struct ApiDoc;

struct SessionAuth;

impl Modify for SessionAuth {
    fn modify(&self, doc: &mut Document) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
        components.add_security_scheme(
            "cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                crate::http::session::COOKIE,
                "The session cookie of a login with `\"session\": \"cookie\"` \
                 (`__Host-sbc-session` over HTTPS). A request it authenticates with any method \
                 but GET, HEAD and OPTIONS must carry `X-Requested-By: secret-backends-console`, \
                 and is refused (403) when `Sec-Fetch-Site` is not `same-origin` or `none`, or \
                 `Origin` is not the service's own. The bearer header wins over the cookie.",
            ))),
        );
    }
}

/// Every operation can be refused (4XX) or fail (500), always as a problem document.
pub fn add_problem_responses(doc: &mut Document) {
    let problem = || {
        ContentBuilder::new()
            .schema(Some(RefOr::Ref(utoipa::openapi::Ref::from_schema_name(
                Problem::name(),
            ))))
            .build()
    };
    let refused = ResponseBuilder::new()
        .description(
            "Refused, nothing changed. `code`: not-valid (400), unauthorized (401), \
             permission-denied (403), not-found (404), already-exists or in-use (409), conflict \
             (412, stale If-Match), too-large (413), not-supported or unreachable (422), try-again (429, with Retry-After).",
        )
        .content("application/problem+json", problem())
        .build();
    let failed = ResponseBuilder::new()
        .description("Internal error, without detail.")
        .content("application/problem+json", problem())
        .build();
    let _ = Problem::schema();
    for item in doc.paths.paths.values_mut() {
        for op in [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ]
        .into_iter()
        .flatten()
        {
            op.responses
                .responses
                .entry("4XX".to_owned())
                .or_insert_with(|| RefOr::T(refused.clone()));
            op.responses
                .responses
                .entry("500".to_owned())
                .or_insert_with(|| RefOr::T(failed.clone()));
        }
    }
}
