"""What the peer's controller holds: users, models, secret backends; and Juju's errors.

Error sentences and codes are Juju 3.6's (see the sources named in peer.py's header): a
`JujuError` is what Juju's `apiserver/errors.ServerError` makes of a Go error, `message` being
the Go error's text and `code` the code ServerError derives from its kind.
"""

import secrets as random
import uuid as uuids

from juju.client import _definitions as defs

# Codes from rpc/params/apierror.go.
UNAUTHORIZED = "unauthorized access"
NOT_FOUND = "not found"
ALREADY_EXISTS = "already exists"
NOT_VALID = "not valid"
NOT_SUPPORTED = "not supported"
NOT_IMPLEMENTED = "not implemented"
MODEL_NOT_FOUND = "model not found"
# Juju 4's secret backend codes (rpc/params/apierror.go on juju/juju main).
SECRET_BACKEND_NOT_FOUND = "secret backend not found"
SECRET_BACKEND_NOT_VALID = "secret backend not valid"

# The built-in backends (internal/secrets/provider/juju, .../kubernetes).
INTERNAL = "internal"
AUTO = "auto"
INTERNAL_TYPE = "controller"
KUBERNETES_TYPE = "kubernetes"

# Config keys each backend type's schema marks `Secret: true`
# (internal/secrets/provider/vault/config.go, internal/secrets/provider/kubernetes/config.go):
# left out of a listing without reveal.
SECRET_CONFIG_KEYS = {
    "vault": {"token", "client-key"},
    "kubernetes": {"token", "password", "client-key"},
}
SENSITIVE_KEYS = set().union(*SECRET_CONFIG_KEYS.values())
# Registered secret backend providers (internal/secrets/provider/all/register.go).
PROVIDERS = {INTERNAL_TYPE, KUBERNETES_TYPE, "vault"}


class JujuError(Exception):
    def __init__(self, message, code="", info=None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.info = info

    def as_libjuju(self):
        return defs.Error(message=self.message, code=self.code or None, info=self.info)


def permission_denied():
    """apiserver/errors ErrPerm, as facades return it when `HasPermission` fails."""
    return JujuError("permission denied", UNAUTHORIZED)


class Store:
    def __init__(self, juju_major):
        self.juju_major = juju_major
        self.controller_uuid = str(uuids.uuid4())
        self.users = {}  # name -> {"password", "access"}
        self.models = {}  # uuid -> {"name", "type", "owner", "config": {key: (value, source)}}
        self.backends = {}  # name -> {"id", "name", "type", "config", "interval", ...}
        self.builtin = {}  # built-in backend name -> {"secrets", "status", "message"}

    # -- seeding (the launcher's control port) --

    def add_user(self, name, password, access):
        self.users[name] = {"password": password, "access": access}

    def add_model(self, name, model_type, owner):
        uuid = str(uuids.uuid4())
        config = {
            "name": (name, "model"),
            "type": ("kubernetes" if model_type == "caas" else "lxd", "model"),
            "uuid": (uuid, "model"),
            "default-series": ("", "default"),
            "logging-config": ("<root>=INFO", "model"),
        }
        if self.juju_major == 3:
            config["secret-backend"] = (AUTO, "default")
        self.models[uuid] = {
            "name": name,
            "type": model_type,
            "owner": owner,
            "config": config,
            "secret-backend": AUTO,
        }
        return uuid

    def add_backend(self, name, backend_type, config, interval=None, backend_id=None):
        self.backends[name] = {
            "id": backend_id or random.token_hex(12),  # a Mongo ObjectId's hex, as Juju 3.6
            "name": name,
            "type": backend_type,
            "config": dict(config or {}),
            "interval": interval,
            "secrets": 0,
            "status": "active",
            "message": "",
        }

    def knob(self, backend):
        """The launcher's per-backend knobs (secret count, status), built-ins included."""
        if backend in self.backends:
            return self.backends[backend]
        return self.builtin.setdefault(backend, {"secrets": 0, "status": "active", "message": ""})

    # -- who may do what --

    def is_superuser(self, user):
        return self.users.get(user, {}).get("access") == "superuser"

    def model_access(self, user, uuid):
        """A model's owner is its admin; a controller superuser may do anything."""
        model = self.models.get(uuid)
        if model is None:
            return ""
        if model["owner"] == user or self.is_superuser(user):
            return "admin"
        return ""

    # -- secret backends as Juju lists them (apiserver/common/secrets BackendSummaryInfo) --

    def listed_backends(self):
        """(id, name, type, config, interval, knob) for each backend Juju would list."""
        rows = [(self.controller_uuid, INTERNAL, INTERNAL_TYPE, {}, None, self.knob(INTERNAL))]
        for uuid, model in self.models.items():
            local = f"{model['name']}-local"
            # A caas model's local backend is listed only while it holds secrets.
            if model["type"] == "caas" and self.knob(local)["secrets"] > 0:
                rows.append((uuid, local, KUBERNETES_TYPE, {}, None, self.knob(local)))
        for b in self.backends.values():
            rows.append((b["id"], b["name"], b["type"], b["config"], b["interval"], b))
        # Juju orders the results by backend ID.
        return sorted(rows, key=lambda row: row[0])

    def backend_results(self, names, reveal):
        results = []
        for backend_id, name, backend_type, config, interval, knob in self.listed_backends():
            if names and name not in names:
                continue
            hidden = set() if reveal else SECRET_CONFIG_KEYS.get(backend_type, set())
            shown = {k: v for k, v in config.items() if k not in hidden}
            results.append(
                defs.SecretBackendResult(
                    result=defs.SecretBackend(
                        name=name,
                        backend_type=backend_type,
                        config=shown,
                        token_rotate_interval=interval,
                    ),
                    id_=backend_id,
                    num_secrets=knob["secrets"],
                    status=knob["status"],
                    message=knob["message"] or None,
                )
            )
        return results

    def model_backend_exists(self, name):
        return name in (AUTO, INTERNAL) or name in self.backends
