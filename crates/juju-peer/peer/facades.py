"""The facades the peer serves, as Juju 3.6 (and, where asked, Juju 4) behaves.

Each handler takes the connection (`conn.user`, `conn.model_uuid`), the store and the raw
params; it parses the params with libjuju's class (shapes.parse, which raises Violation) and
returns a libjuju object (or None for methods without results), or raises JujuError for a
refusal of the whole call. Sources are listed in peer.py's header.
"""

import datetime

from juju.client import _definitions as defs

import shapes
from state import (
    ALREADY_EXISTS,
    AUTO,
    INTERNAL,
    NOT_FOUND,
    NOT_SUPPORTED,
    NOT_VALID,
    PROVIDERS,
    SECRET_BACKEND_NOT_FOUND,
    SECRET_BACKEND_NOT_VALID,
    JujuError,
    permission_denied,
)


def _require_superuser(conn, store):
    if not store.is_superuser(conn.user):
        raise permission_denied()


def _results(errors):
    return defs.ErrorResults(
        results=[defs.ErrorResult(error=e.as_libjuju() if e else None) for e in errors]
    )


def _each(items, action):
    errors = []
    for item in items:
        try:
            action(item)
            errors.append(None)
        except JujuError as error:
            errors.append(error)
    return _results(errors)


def _check_reserved(name):
    if name == "":
        raise JujuError("missing backend name not valid", NOT_VALID)
    if name in (INTERNAL, AUTO):
        # Juju 3.6's facade formats this with a missing argument: errors.NotValidf("backend %q").
        raise JujuError("backend %!q(MISSING) not valid", NOT_VALID)


def _validate_config(backend_type, old, new):
    """The vault provider's ValidateConfig (internal/secrets/provider/vault/config.go)."""
    if backend_type != "vault":
        return
    endpoint = new.get("endpoint")
    prefix = 'invalid config for provider "vault": '
    if endpoint is None:
        raise JujuError(prefix + "endpoint: expected string, got nothing")
    for key, value in new.items():
        if key in VAULT_KEYS and not isinstance(value, str):
            raise JujuError(prefix + f"{key}: expected string, got {type(value).__name__}({value!r})")
    if new.get("client-cert") and not new.get("client-key"):
        raise JujuError(prefix + "vault config missing client key not valid", NOT_VALID)
    if new.get("client-key") and not new.get("client-cert"):
        raise JujuError(prefix + "vault config missing client certificate not valid", NOT_VALID)
    if old is not None and old.get("endpoint") != endpoint:
        raise JujuError(prefix + 'cannot change immutable field "endpoint"')


VAULT_KEYS = {"endpoint", "namespace", "token", "ca-cert", "client-cert", "client-key", "tls-server-name"}


# -- SecretBackends v1 (apiserver/facades/client/secretbackends/secrets.go) --


def list_secret_backends(conn, store, params):
    args = shapes.parse("ListSecretBackendsArgs", params)
    if args.reveal:
        _require_superuser(conn, store)
    return defs.ListSecretBackendsResults(results=store.backend_results(args.names or [], args.reveal))


def add_secret_backends(conn, store, params):
    args = shapes.parse("AddSecretBackendArgs", params)
    _require_superuser(conn, store)

    def add(arg):
        _check_reserved(arg.name)
        if arg.backend_type not in PROVIDERS:
            raise JujuError(
                f'creating backend provider type "{arg.backend_type}": '
                f'no registered provider for "{arg.backend_type}"',
                NOT_FOUND,
            )
        config = dict(arg.config or {})
        _validate_config(arg.backend_type, None, config)
        interval = arg.token_rotate_interval
        known_ids = {b["id"] for b in store.backends.values()}
        # The state layer refuses a taken ID or name as AlreadyExists, and the facade
        # re-words either as the ID (empty unless importing).
        if arg.name in store.backends or (arg.id_ and arg.id_ in known_ids):
            raise JujuError(f'secret backend with ID "{arg.id_ or ""}" already exists', ALREADY_EXISTS)
        store.add_backend(arg.name, arg.backend_type, config, interval or None, arg.id_)

    return _each(args.args, add)


def update_secret_backends(conn, store, params):
    args = shapes.parse("UpdateSecretBackendArgs", params)
    _require_superuser(conn, store)

    def update(arg):
        _check_reserved(arg.name)
        existing = store.backends.get(arg.name)
        if existing is None:
            raise JujuError(f'secret backend "{arg.name}" not found', NOT_FOUND)
        config = dict(existing["config"])
        config.update(arg.config or {})
        for key in arg.reset or []:
            config.pop(key, None)
        _validate_config(existing["type"], existing["config"], config)
        if not arg.force and existing["status"] == "error":
            # The facade pings the backend unless forced; the ping's error is returned as is.
            raise JujuError(existing["message"])
        if arg.name_change is not None and arg.name_change != arg.name:
            if existing["secrets"] > 0:
                raise JujuError("cannot rename a secret backend that is in use", NOT_VALID)
            if arg.name_change in store.backends:
                raise JujuError(f'secret backend "{arg.name_change}" already exists', ALREADY_EXISTS)
        existing["config"] = config
        if arg.token_rotate_interval is not None:
            existing["interval"] = arg.token_rotate_interval or None
        if arg.name_change is not None and arg.name_change != arg.name:
            del store.backends[arg.name]
            existing["name"] = arg.name_change
            store.backends[arg.name_change] = existing

    return _each(args.args, update)


def remove_secret_backends(conn, store, params):
    args = shapes.parse("RemoveSecretBackendArgs", params)
    _require_superuser(conn, store)

    def remove(arg):
        _check_reserved(arg.name)
        existing = store.backends.get(arg.name)
        if existing is None:
            return  # Juju 3.6's state layer treats an unknown name as nothing to do.
        if existing["secrets"] > 0 and not arg.force:
            raise JujuError(
                f"removing backend with {existing['secrets']} stored secret revisions not supported",
                NOT_SUPPORTED,
            )
        del store.backends[arg.name]

    return _each(args.args, remove)


# -- ModelManager (apiserver/facades/client/modelmanager/modelmanager.go) --


def _status():
    since = datetime.datetime.now(datetime.timezone.utc).isoformat()
    return defs.EntityStatus(status="available", info="", since=since)


def _model_common(store, uuid, model):
    caas = model["type"] == "caas"
    return dict(
        name=model["name"],
        uuid=uuid,
        type_=model["type"],
        controller_uuid=store.controller_uuid,
        is_controller=False,
        provider_type="kubernetes" if caas else "lxd",
        cloud_tag="cloud-microk8s" if caas else "cloud-localhost",
        cloud_region="localhost",
        owner_tag=f"user-{model['owner']}",
        life="alive",
        status=_status(),
    )


def _with_agent_version(store, results):
    """libjuju's generated `Number` class serialises as an object, but Go's version.Number
    goes on the wire as its string (MarshalJSON): the agent version is added here."""
    wired = shapes.wire(results)
    for result in wired["results"]:
        if "result" in result:
            result["result"]["agent-version"] = server_version(store)
    return wired


def server_version(store):
    return "3.6.4" if store.juju_major == 3 else "4.0.1"


def list_model_summaries(conn, store, params):
    request = shapes.parse("ModelSummariesRequest", params)
    if not request.user_tag.startswith("user-"):
        raise JujuError(f'"{request.user_tag}" is not a valid user tag')
    user = request.user_tag[len("user-") :]
    superuser = store.is_superuser(conn.user)
    if user != conn.user and not superuser:
        raise permission_denied()
    everything = bool(request.all_) and superuser
    results = []
    for uuid, model in store.models.items():
        access = store.model_access(user, uuid)
        if not everything and not access:
            continue
        summary = defs.ModelSummary(
            **_model_common(store, uuid, model),
            default_series="",
            user_access=access or "admin",
            counts=[],
        )
        results.append(defs.ModelSummaryResult(result=summary))
    return _with_agent_version(store, defs.ModelSummaryResults(results=results))


def model_info(conn, store, params):
    entities = shapes.parse("Entities", params)
    results = []
    for entity in entities.entities:
        uuid = entity.tag[len("model-") :] if entity.tag.startswith("model-") else None
        if uuid is None:
            error = JujuError(f'"{entity.tag}" is not a valid model tag')
            results.append(defs.ModelInfoResult(error=error.as_libjuju()))
            continue
        # An unknown model is reported as a permission refusal, as Juju does.
        if not store.model_access(conn.user, uuid):
            results.append(defs.ModelInfoResult(error=permission_denied().as_libjuju()))
            continue
        model = store.models[uuid]
        user = defs.ModelUserInfo(
            model_tag=f"model-{uuid}",
            user=model["owner"],
            display_name=model["owner"],
            access="admin",
        )
        info = defs.ModelInfo(
            **_model_common(store, uuid, model),
            default_series="",
            users=[user],
            machines=[],
            secret_backends=[],
        )
        results.append(defs.ModelInfoResult(result=info))
    return _with_agent_version(store, defs.ModelInfoResults(results=results))


# -- ModelConfig (apiserver/facades/client/modelconfig/modelconfig.go) --


def _model(conn, store):
    """Reading and writing need model read/write access; the peer's users have admin on
    the models they own and superusers on all, so both checks are one here."""
    access = store.model_access(conn.user, conn.model_uuid)
    if not access:
        raise permission_denied()
    return store.models[conn.model_uuid]


def model_get(conn, store, params):
    shapes.no_params(params)
    model = _model(conn, store)
    config = {k: defs.ConfigValue(value=v, source=s) for k, (v, s) in model["config"].items()}
    return defs.ModelConfigResults(config=config)


def _check_secret_backend(store, value):
    """Juju 3.6's ModelConfigAPI.checkSecretBackend."""
    if not isinstance(value, str):
        raise JujuError('"secret-backend" config value is not a string', NOT_VALID)
    if value == "":
        raise JujuError('empty "secret-backend" config value not valid', NOT_VALID)
    if value in (AUTO, INTERNAL):
        return
    backend = store.backends.get(value)
    if backend is None:
        raise JujuError(f'secret backend "{value}" not found', NOT_FOUND)
    if backend["status"] == "error":
        raise JujuError(f'cannot ping backend "{value}": {backend["message"]}')


def model_set(conn, store, params):
    args = shapes.parse("ModelSet", params)
    model = _model(conn, store)
    if "secret-backend" in args.config:
        if store.juju_major == 3:
            _check_secret_backend(store, args.config["secret-backend"])
        else:
            _set_backend_v4(store, model, args.config["secret-backend"])
    for key, value in args.config.items():
        if key == "secret-backend":
            model["secret-backend"] = value
            if store.juju_major == 4:
                continue  # Juju 4 keeps it out of model config (domain/modelconfig handlers).
        model["config"][key] = (value, "model")
    return None


def _set_backend_v4(store, model, name):
    """Juju 4's model secret backend service: a name that is not a backend is refused."""
    if not isinstance(name, str) or name == "":
        raise JujuError("secret backend not valid", SECRET_BACKEND_NOT_VALID)
    if not store.model_backend_exists(name):
        raise JujuError(f'secret backend not found: "{name}"', SECRET_BACKEND_NOT_FOUND)


def get_model_secret_backend(conn, store, params):
    shapes.no_params(params)
    model = _model(conn, store)
    return defs.StringResult(result=model["secret-backend"])


def set_model_secret_backend(conn, store, params):
    name = shapes.set_model_secret_backend_arg(params)
    model = _model(conn, store)
    try:
        _set_backend_v4(store, model, name)
    except JujuError as error:
        return defs.ErrorResult(error=error.as_libjuju())
    model["secret-backend"] = name
    return defs.ErrorResult()


def ping(conn, store, params):
    """Pinger v1 Ping: what Juju's clients call to keep a connection alive; no params, no result."""
    shapes.no_params(params)
    return None


FACADES_3 = {
    ("Pinger", 1): {"Ping": ping},
    ("SecretBackends", 1): {
        "ListSecretBackends": list_secret_backends,
        "AddSecretBackends": add_secret_backends,
        "UpdateSecretBackends": update_secret_backends,
        "RemoveSecretBackends": remove_secret_backends,
    },
    ("ModelManager", 10): {"ListModelSummaries": list_model_summaries, "ModelInfo": model_info},
    ("ModelConfig", 3): {"ModelGet": model_get, "ModelSet": model_set},
}

FACADES_4 = {
    **{k: v for k, v in FACADES_3.items() if k[0] != "ModelConfig"},
    ("ModelConfig", 4): {
        "ModelGet": model_get,
        "ModelSet": model_set,
        "GetModelSecretBackend": get_model_secret_backend,
        "SetModelSecretBackend": set_model_secret_backend,
    },
}

# Facades a model connection may not call (apiserver/restrict_model.go), and those that on a
# controller connection act on the controller model (apiserver/restrict_controller.go).
CONTROLLER_ONLY = {"SecretBackends", "ModelManager"}
CONTROLLER_MODEL = {"ModelConfig"}
