"""A local stand-in for a Juju controller's API server, for tests: Juju's WebSocket RPC over
TLS, answering as Juju 3.6 (or 4.0, `--juju-major 4`) does, and refusing any request whose
shape Juju would not accept (python-libjuju 3.6's generated classes decide; see shapes.py).

    python peer.py --cert CERT.pem --key KEY.pem --violations FILE [--juju-major 3|4]

prints `juju-peer rpc=PORT control=PORT` once listening on 127.0.0.1, and exits when its
stdin closes. `wss://127.0.0.1:RPC/api` is the controller connection and
`wss://127.0.0.1:RPC/model/UUID/api` a model's; `http://127.0.0.1:CONTROL/...` takes the test
knobs (POST, JSON; see CONTROL below). Each request that breaks Juju's shapes is answered with
error-code `peer-violation` and appended, one line each, to the violations file.

Where each behaviour comes from (juju/juju, branch 3.6, unless marked 4):
- framing: rpc/jsoncodec/codec.go (`request-id`, `type`, `version`, `id`, `request`,
  `params`; answers `response` or `error`, `error-code`, `error-info`).
- login: apiserver/admin.go (Login v3, `already logged in`), apiserver/root.go (`adminRoot`:
  before login only Admin exists — `unknown version (N) of interface "T"`, and "this version of
  Juju does not support login from old clients"), apiserver/errors/errors.go (`invalid entity
  name or password`, `permission denied`, both code `unauthorized access`), an unknown model
  UUID in the path (`unknown model: "UUID"`, code `model not found`, for every call).
- unknown facade/version/method: rpc/rpcreflect/errors.go (`unknown object type "T"`,
  `unknown version (N) of interface "T"`, `no such request - method T(N).M is not
  implemented`, code `not implemented`); a controller-only facade (SecretBackends,
  ModelManager) on a model connection: apiserver/restrict_model.go (`facade "T" not supported
  for model API connection`). ModelConfig is common to both (apiserver/restrict_controller.go)
  and on a controller connection acts on the controller model, which the peer does not have:
  the peer takes that call as a violation.
- SecretBackends v1: apiserver/facades/client/secretbackends/secrets.go (superuser for add,
  update, remove and reveal; listing needs only a login; reserved names `internal`/`auto`,
  worded `backend %!q(MISSING) not valid` because that facade's format lacks its argument;
  a duplicate name is re-worded `secret backend with ID "" already exists`; pinging before an
  unforced update), state/secretbackends.go (`secret backend "N" not found`, removing an
  unknown name succeeds, `removing backend with N stored secret revisions not supported`,
  `cannot rename a secret backend that is in use`), apiserver/common/secrets/secrets.go
  `BackendSummaryInfo` (`internal` always listed; `<model>-local` only while it holds
  secrets; results ordered by backend ID; config keys whose schema says `Secret` dropped
  without reveal; status `active`, or `error` with the ping's message),
  internal/secrets/provider/registry.go (`no registered provider for "T"`),
  internal/secrets/provider/vault/config.go (config validation, secret keys).
- Pinger v1 `Ping` (no params, empty answer), which Juju's clients call to keep a connection.
- ModelManager v10: apiserver/facades/client/modelmanager/modelmanager.go (summaries of the
  caller's models, or every model for a superuser asking `all`; ModelInfo reports an unknown
  or inaccessible model as `permission denied`).
- ModelConfig v3: apiserver/facades/client/modelconfig/modelconfig.go (`checkSecretBackend`:
  `"secret-backend" config value is not a string`, `empty "secret-backend" config value not
  valid`, `secret backend "N" not found`, `cannot ping backend "N": ...`); environs/config
  (`secret-backend` defaults to `auto`, source `default`).
- ModelConfig v4 (Juju 4, juju/juju main): apiserver/facades/client/modelconfig
  `GetModelSecretBackend` (StringResult) / `SetModelSecretBackend` (ErrorResult, codes `secret
  backend not found` / `secret backend not valid`), no `secret-backend` in ModelGet
  (domain/modelconfig/handlers moves a ModelSet of it to the model's backend).
"""

import argparse
import asyncio
import copy
import json
import re
import ssl
import sys
import traceback

from websockets.asyncio.server import serve

import facades
import shapes
from state import (
    MODEL_NOT_FOUND,
    NOT_IMPLEMENTED,
    NOT_SUPPORTED,
    SENSITIVE_KEYS,
    UNAUTHORIZED,
    JujuError,
    Store,
)

MODEL_PATH = re.compile(r"^/model/([0-9a-f-]+)/api$")
FRAME_KEYS = {"request-id", "type", "version", "id", "request", "params"}
MASK = "…"


class Peer:
    def __init__(self, juju_major, violations_path):
        self.store = Store(juju_major)
        self.facades = facades.FACADES_3 if juju_major == 3 else facades.FACADES_4
        self.violations_path = violations_path
        self.delay = 0.0
        self.refusing = False
        self.open = set()
        self.requests = []
        self.rpc_port = 0

    # -- the RPC side --

    def refuse_early(self, connection, request):
        """websockets' process_request: unknown paths and the `refuse_connections` knob."""
        if self.refusing:
            return connection.respond(503, "refusing connections\n")
        if request.path != "/api" and not MODEL_PATH.match(request.path):
            return connection.respond(404, "404 page not found\n")
        return None

    async def serve_connection(self, ws):
        conn = Connection(ws.request.path)
        self.open.add(ws)
        try:
            async for message in ws:
                # Answered in the order received (state changes in arrival order), each
                # after the delay knob, concurrently as Juju does.
                answer = self.answer(conn, message)
                asyncio.get_running_loop().create_task(self.send_later(ws, answer))
        except Exception:  # a dropped connection ends the loop like a closed one
            pass
        finally:
            self.open.discard(ws)

    async def send_later(self, ws, answer):
        if self.delay:
            await asyncio.sleep(self.delay)
        try:
            await ws.send(json.dumps(answer))
        except Exception:
            pass  # the connection went away meanwhile

    def answer(self, conn, message):
        try:
            request = json.loads(message)
        except ValueError:
            return self.violation({}, conn, f"not JSON: {message[:200]!r}")
        if not isinstance(request, dict):
            return self.violation({}, conn, f"not a JSON object: {message[:200]!r}")
        self.requests.append({**masked(request), "path": conn.path})
        problem = frame_problem(request)
        if problem:
            return self.violation(request, conn, problem)
        request_id = request["request-id"]
        try:
            result = self.dispatch(conn, request)
        except shapes.Violation as violation:
            return self.violation(request, conn, str(violation))
        except JujuError as error:
            answer = {"request-id": request_id, "error": error.message}
            if error.code:
                answer["error-code"] = error.code
            if error.info:
                answer["error-info"] = error.info
            return answer
        except Exception as error:  # a bug of the peer: say so loudly, answer something
            traceback.print_exc()
            return {"request-id": request_id, "error": f"peer bug: {error!r}", "error-code": "peer-bug"}
        if result is None:
            response = {}
        elif isinstance(result, dict):
            response = result
        else:
            response = shapes.wire(result)
        return {"request-id": request_id, "response": response}

    def violation(self, request, conn, reason):
        what = f"{request.get('type')}.{request.get('request')} v{request.get('version')}"
        line = f"{what} on {conn.path}: {reason}; params: {json.dumps(masked(request).get('params'))}"
        with open(self.violations_path, "a", encoding="utf-8") as file:
            file.write(line.replace("\n", " ") + "\n")
        return {
            "request-id": request.get("request-id", 0),
            "error": f"peer-violation: {reason}",
            "error-code": "peer-violation",
        }

    def dispatch(self, conn, request):
        facade, version, method = request["type"], request["version"], request["request"]
        params = request.get("params")
        model = MODEL_PATH.match(conn.path)
        if model and model.group(1) not in self.store.models:
            raise JujuError(f'unknown model: "{model.group(1)}"', MODEL_NOT_FOUND)
        if conn.user is None:
            if facade != "Admin":
                raise not_implemented(facade, version)
            if version != 3:
                raise JujuError(
                    "this version of Juju does not support login from old clients", NOT_SUPPORTED
                )
            if method != "Login":
                raise not_implemented(facade, version, method)
            return self.login(conn, params)
        if facade == "Admin" and version == 3 and method == "Login":
            raise JujuError("already logged in")
        methods = self.facades.get((facade, version))
        if methods is None:
            known = {name for name, _ in self.facades} | {"Admin"}
            raise not_implemented(facade, version if facade in known else 0)
        if method not in methods:
            raise not_implemented(facade, version, method)
        if model and facade in facades.CONTROLLER_ONLY:
            raise JujuError(f'facade "{facade}" not supported for model API connection', NOT_SUPPORTED)
        if not model and facade in facades.CONTROLLER_MODEL:
            # Juju serves it there (a common facade), on the controller's own model, which the
            # peer does not have: a caller doing this would change the wrong model's config.
            raise shapes.Violation(
                f"{facade} on the controller connection acts on the controller model, "
                "not a hosted model: use wss://ADDRESS/model/UUID/api"
            )
        return methods[method](conn, self.store, params)

    def login(self, conn, params):
        login = shapes.parse("LoginRequest", params)
        user = login.auth_tag[len("user-") :] if login.auth_tag.startswith("user-") else None
        known = self.store.users.get(user)
        if known is None or known["password"] != login.credentials:
            raise JujuError("invalid entity name or password", UNAUTHORIZED)
        conn.user = user
        model = MODEL_PATH.match(conn.path)
        conn.model_uuid = model.group(1) if model else None
        # Written by hand: libjuju's LoginResult cannot serialise its `facades` (no
        # FacadeVersions class is generated). Shaped as libjuju's LoginResult/AuthUserInfo and
        # Go's params.FacadeVersions {name, versions}.
        result = {
            "servers": [[{"value": "127.0.0.1", "type": "ipv4", "scope": "local-machine", "port": self.rpc_port}]],
            "controller-tag": f"controller-{self.store.controller_uuid}",
            "user-info": {
                "display-name": user,
                "identity": f"user-{user}",
                "controller-access": known["access"],
            },
            "facades": [{"name": "Admin", "versions": [3]}]
            + [{"name": name, "versions": [v]} for name, v in self.facades],
            "server-version": facades.server_version(self.store),
        }
        if conn.model_uuid:
            result["model-tag"] = f"model-{conn.model_uuid}"
            result["user-info"]["model-access"] = self.store.model_access(user, conn.model_uuid)
        return result

    # -- the control side --

    async def control(self, reader, writer):
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode().split("\r\n")
            path = lines[0].split(" ")[1]
            length = 0
            for line in lines[1:]:
                name, _, value = line.partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value.strip())
            body = json.loads(await reader.readexactly(length)) if length else {}
            status, reply = 200, await self.knob(path, body)
        except Exception as error:  # a bad knob call is the test's mistake: say which
            status, reply = 400, {"error": f"{type(error).__name__}: {error}"}
        data = json.dumps(reply).encode()
        writer.write(
            f"HTTP/1.1 {status} X\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(data)}\r\nConnection: close\r\n\r\n".encode() + data
        )
        await writer.drain()
        writer.close()

    async def knob(self, path, body):
        store = self.store
        if path == "/users":
            store.add_user(body["name"], body["password"], body["access"])
        elif path == "/models":
            return {"uuid": store.add_model(body["name"], body["type"], body["owner"])}
        elif path == "/backends":
            store.add_backend(body["name"], body["type"], body.get("config"))
        elif path == "/backends/list":
            return [shapes.wire(r) for r in store.backend_results([], True)]
        elif path == "/backends/secrets":
            store.knob(body["backend"])["secrets"] = body["count"]
        elif path == "/backends/status":
            knob = store.knob(body["backend"])
            knob["status"], knob["message"] = body["status"], body["message"]
        elif path == "/models/secret-backend":
            return {"backend": store.models[body["uuid"]]["secret-backend"]}
        elif path == "/delay":
            self.delay = body["millis"] / 1000
        elif path == "/drop":
            # A close frame to each, then the sockets cut for those that do not answer it.
            open_now = list(self.open)
            closing = [asyncio.create_task(ws.close(1012, "peer dropped the connection")) for ws in open_now]
            if closing:
                await asyncio.wait(closing, timeout=1)
            for ws in open_now:
                ws.transport.abort()
        elif path == "/refuse":
            self.refusing = bool(body["refuse"])
        elif path == "/requests":
            return self.requests
        elif path == "/connections":
            return {"open": len(self.open)}
        else:
            raise KeyError(f"no knob {path}")
        return {}


class Connection:
    def __init__(self, path):
        self.path = path
        self.user = None
        self.model_uuid = None


def not_implemented(facade, version, method=None):
    if method is not None:
        return JujuError(
            f"no such request - method {facade}({version}).{method} is not implemented",
            NOT_IMPLEMENTED,
        )
    if version:
        return JujuError(f'unknown version ({version}) of interface "{facade}"', NOT_IMPLEMENTED)
    return JujuError(f'unknown object type "{facade}"', NOT_IMPLEMENTED)


def frame_problem(request):
    extra = set(request) - FRAME_KEYS
    if extra:
        return f"unknown frame fields {sorted(extra)}"
    for key, kind in (("request-id", int), ("type", str), ("version", int), ("request", str)):
        value = request.get(key)
        if not isinstance(value, kind) or isinstance(value, bool):
            return f"frame field {key!r} must be a {kind.__name__}, got {value!r}"
    if "params" in request and not isinstance(request["params"], (dict, type(None))):
        return f"frame field 'params' must be an object, got {request['params']!r}"
    return None


def masked(request):
    """The request with its password and sensitive backend config values replaced by "…"."""
    request = copy.deepcopy(request)
    params = request.get("params")
    if isinstance(params, dict):
        if "credentials" in params:
            params["credentials"] = MASK
        for arg in params.get("args") or []:
            config = arg.get("config") if isinstance(arg, dict) else None
            if isinstance(config, dict):
                for key in config:
                    if key in SENSITIVE_KEYS:
                        config[key] = MASK
    return request


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--violations", required=True)
    parser.add_argument("--juju-major", type=int, choices=(3, 4), default=3)
    args = parser.parse_args()

    peer = Peer(args.juju_major, args.violations)
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(args.cert, args.key)
    # No WebSocket pings from the server: Juju sends none (its clients call Pinger.Ping), and a
    # client that does not read for a while must not be cut off for it.
    async with serve(
        peer.serve_connection,
        "127.0.0.1",
        0,
        ssl=tls,
        process_request=peer.refuse_early,
        ping_interval=None,
    ) as server:
        peer.rpc_port = server.sockets[0].getsockname()[1]
        control = await asyncio.start_server(peer.control, "127.0.0.1", 0)
        control_port = control.sockets[0].getsockname()[1]
        print(f"juju-peer rpc={peer.rpc_port} control={control_port}", flush=True)
        # The launcher holds our stdin: when it goes (the test ended, even by a crash), stop.
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)


if __name__ == "__main__":
    asyncio.run(main())
