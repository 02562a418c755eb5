"""Holding requests to Juju's published shapes: python-libjuju 3.6's generated classes.

Every request's params are parsed with the libjuju class of that facade method
(`juju/client/_definitions.py`). libjuju's `from_json` is lenient in three ways this
module closes:

- it maps keys through `_toPy` but keeps unknown keys, so a Python spelling such as
  `backend_type` is silently taken for the wire's `backend-type`: here every key must be
  a wire name of the class (a key of `_toPy`), at every level;
- it checks types loosely (a string passes for a sequence) or not at all (list items): here
  the JSON type must match the type its `__init__` docstring declares;
- it knows no required fields. libjuju 3.6 ships no schema dict (the generated facades have
  none), so `REQUIRED` below lists, per class, the fields Juju's Go params declare without
  `omitempty` (rpc/params/secrets.go, rpc/params/model.go, rpc/params/params.go in juju/juju
  3.6): a Go client always sends them, and the JSON schema Juju publishes marks them required.
  Exception: `LoginRequest`, where libjuju's own `Connection.login` (connection.py) sends only
  `auth-tag`, `credentials` and `client-version`, and Juju accepts that.

A request that fails is a violation: `check` raises `Violation` with the reason.
"""

import json
import re

from juju.client import _definitions as defs


class Violation(Exception):
    """A request Juju would not accept as it is (or would silently misread)."""


# Per libjuju class: wire key -> whether JSON null is allowed (Go pointers, slices, maps).
REQUIRED = {
    "LoginRequest": {"auth-tag": False, "credentials": False},
    "ListSecretBackendsArgs": {"names": True, "reveal": False},
    "AddSecretBackendArgs": {"args": False},
    "AddSecretBackendArg": {"name": False, "backend-type": False, "config": True},
    "UpdateSecretBackendArgs": {"args": False},
    "UpdateSecretBackendArg": {
        "name": False,
        "token-rotate-interval": True,
        "config": True,
        "reset": True,
    },
    "RemoveSecretBackendArgs": {"args": False},
    "RemoveSecretBackendArg": {"name": False},
    "ModelSummariesRequest": {"user-tag": False},
    "Entities": {"entities": False},
    "Entity": {"tag": False},
    "ModelSet": {"config": False},
}

# Keys libjuju's generated classes accept that Juju never reads. `AddSecretBackendArg`
# embeds Go's `SecretBackend` struct, whose fields are inlined on the wire; libjuju also
# generates a `SecretBackend` field for it, which Go's decoder would ignore.
FORBIDDEN = {"AddSecretBackendArg": {"SecretBackend"}}

_DOC_LINE = re.compile(r"^\s*(\w+)\s*:\s*(.+?)\s*$")


def _declared_types(cls):
    """Python attribute name (lower case) -> declared type text, from the class docstring."""
    types = {}
    for line in (cls.__init__.__doc__ or "").splitlines():
        match = _DOC_LINE.match(line)
        if match:
            types[match.group(1).lower()] = match.group(2)
    return types


def _check_json_type(path, declared, value):
    if value is None:
        return
    if declared == "str":
        ok = isinstance(value, str)
    elif declared == "int":
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif declared == "float":
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    elif declared == "bool":
        ok = isinstance(value, bool)
    elif declared.startswith("typing.Sequence"):
        ok = isinstance(value, list)
        if ok and declared == "typing.Sequence[str]":
            for i, item in enumerate(value):
                _check_json_type(f"{path}[{i}]", "str", item)
    elif declared.startswith("typing.Mapping"):
        ok = isinstance(value, dict)
    elif declared == "typing.Any":
        ok = True
    else:
        # Another generated class: an object.
        ok = isinstance(value, dict)
    if not ok:
        raise Violation(f"{path}: expected {declared}, got {type(value).__name__} {value!r}")


def _walk(path, obj, raw):
    """Checks the parsed libjuju object `obj` against the JSON object `raw` it came from."""
    cls = type(obj)
    if not isinstance(raw, dict):
        raise Violation(f"{path}: expected an object for {cls.__name__}, got {raw!r}")
    forbidden = FORBIDDEN.get(cls.__name__, set())
    declared = _declared_types(cls)
    for key, value in raw.items():
        if key not in cls._toPy or key in forbidden:
            raise Violation(f"{path}: unknown field {key!r} for {cls.__name__}")
        attr = cls._toPy[key]
        _check_json_type(f"{path}.{key}", declared.get(attr.lower(), "typing.Any"), value)
        parsed = getattr(obj, attr, None)
        if isinstance(parsed, defs.Type):
            _walk(f"{path}.{key}", parsed, value)
        elif isinstance(parsed, list) and isinstance(value, list):
            for i, (item, raw_item) in enumerate(zip(parsed, value)):
                if isinstance(item, defs.Type):
                    _walk(f"{path}.{key}[{i}]", item, raw_item)
    if getattr(obj, "unknown_fields", None):
        raise Violation(f"{path}: unknown fields {sorted(obj.unknown_fields)} for {cls.__name__}")
    for key, nullable in REQUIRED.get(cls.__name__, {}).items():
        if key not in raw:
            raise Violation(f"{path}: missing required field {key!r} of {cls.__name__}")
        if raw[key] is None and not nullable:
            raise Violation(f"{path}: required field {key!r} of {cls.__name__} is null")


def parse(class_name, params):
    """Parses `params` with libjuju's class `class_name`, strictly; returns the object."""
    cls = getattr(defs, class_name)
    if params is None:
        params = {}
    try:
        obj = cls.from_json(params)
    except Exception as error:  # libjuju raises bare Exceptions on a wrong type
        raise Violation(f"params: libjuju {class_name} refuses them: {error}") from None
    _walk("params", obj, params)
    return obj


def no_params(params):
    """For methods without arguments (ModelGet, GetModelSecretBackend)."""
    if params not in (None, {}):
        raise Violation(f"params: this method takes none, got {params!r}")


def set_model_secret_backend_arg(params):
    """ModelConfig v4 SetModelSecretBackend's argument, checked by hand: libjuju 3.6 has no
    class for it. Juju 4's Go shape (rpc/params in juju/juju main, used by
    apiserver/facades/client/modelconfig `SetModelSecretBackend`):
    `SetModelSecretBackendArg{SecretBackendName string \"json:secret-backend-name\"}`."""
    if not isinstance(params, dict):
        raise Violation(f"params: expected an object, got {params!r}")
    unknown = set(params) - {"secret-backend-name"}
    if unknown:
        raise Violation(f"params: unknown fields {sorted(unknown)} for SetModelSecretBackendArg")
    name = params.get("secret-backend-name")
    if not isinstance(name, str):
        raise Violation("params: required field 'secret-backend-name' must be a string")
    return name


def wire(obj):
    """A libjuju object as Juju puts it on the wire: Go leaves out empty `omitempty` fields,
    libjuju serialises them as null; nulls are dropped here (serde's `Option` reads both)."""

    def strip(value):
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if v is not None}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    return strip(json.loads(obj.to_json()))
