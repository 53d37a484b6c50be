"""hookhost's btrdbextras-compatible gRPC service (issue 21) against the real host over TLS:
the four calls as btrdbextras makes them, sharing the REST API's registry, users and rules."""

import email
import email.policy
import glob
import importlib.util
import os
import re
import subprocess
import time
import uuid

import grpc
import pytest

from eventproc_client import EventProc, NANOS_2020, dill_blob, error_code, generate_stubs, make_certificate

HERE = os.path.dirname(os.path.abspath(__file__))
HOOK = "ctingress.on_complete"
OTHER_HOOK = "staging.new_assembly"
GRPC_LISTENING = re.compile(r"btrdbextras gRPC service listening on 127\.0\.0\.1:(\d+) \(TLS\)")


def load_module(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# The Python client suite's real-server fixture (users per role, port 0) and seed payload.
servers = load_module("hookhost_test_server", os.path.join(HERE, "..", "python", "conftest.py"))
seed = load_module("hookhost_test_seed", os.path.join(HERE, "..", "python", "seed.py"))

TRIVIAL = '''
def grpc_trivial(btrdb, DataSets, File, **kwargs):
    ok = sum(1 for d in DataSets if d["Success"])
    return "grpc handler: %s: %d of %d data sets ingested" % (File, ok, len(DataSets))
'''
TRIVIAL_RESULT = "grpc handler: comtrade_samples.zip: 1 of 2 data sets ingested"


@pytest.fixture(scope="module")
def stubs(tmp_path_factory):
    return generate_stubs(str(tmp_path_factory.mktemp("stubs")))


@pytest.fixture(scope="module")
def tls(tmp_path_factory):
    return make_certificate(str(tmp_path_factory.mktemp("tls")))


@pytest.fixture(scope="module")
def server(tmp_path_factory, tls):
    cert, key = tls
    server = servers.started_server(tmp_path_factory, {
        "HOOKHOST_GRPC_PORT": "0", "HOOKHOST_GRPC_TLS_CERT": cert, "HOOKHOST_GRPC_TLS_KEY": key})
    # The service starts before the HTTP server, so its line precedes the one start() awaited.
    ports = [m.group(1) for m in map(GRPC_LISTENING.search, server.lines) if m]
    assert len(ports) == 1, "no gRPC listening line in:\n" + "".join(server.lines)
    server.grpc_endpoint = "127.0.0.1:" + ports[0]
    yield server
    server.stop()
    assert server.process.returncode == 0, "".join(server.lines[-30:])  # the gRPC part stopped in order


@pytest.fixture
def connect(server, stubs, tls):
    """connect(user or key) -> an EventProc client, as btrdbextras' Connection would be."""
    clients = []

    def make(user="alice"):
        key = server.keys.get(user, user)
        clients.append(EventProc(*stubs, server.grpc_endpoint, tls[0], key))
        return clients[-1]
    yield make
    for client in clients:
        client.close()


@pytest.fixture(scope="module")
def trivial_blob():
    return dill_blob(TRIVIAL, "grpc_trivial")


def unique(name):
    return "%s-%s" % (name, uuid.uuid4().hex[:8])


def ids(handlers):
    return [h.id for h in handlers]


def refused(call, *args, **kwargs):
    with pytest.raises(grpc.RpcError) as raised:
        call(*args, **kwargs)
    return raised.value


def rest(server, user="publisher"):
    from hookhost import Connection
    return Connection(server.endpoint, server.keys[user])


def spooled_mail_with(server, text, timeout_s=20):
    """The spooled message (read as a mail client would) whose body contains `text`, waited
    for (bounded); None when none came."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for path in glob.glob(os.path.join(server.data_dir, "mail", "**", "*.eml"), recursive=True):
            with open(path, "rb") as f:
                message = email.message_from_bytes(f.read(), policy=email.policy.default)
            if text in message.get_content():
                return message
        time.sleep(0.05)
    return None


def test_list_hooks_is_the_catalog(server, connect):
    from hookhost.eventproc import hooks
    assert sorted(connect().hooks()) == sorted(hooks(rest(server)))
    assert HOOK in connect().hooks()


def test_register_list_fire_replace_deregister(server, connect, trivial_blob):
    alice = connect("alice")
    name = unique("grpc-trivial")
    before = time.time_ns()
    handler = alice.register(name, HOOK, trivial_blob, tags=["grpc-demo", "anomaly-detection"])
    assert handler.id > 0 and handler.name == name and handler.hook == HOOK
    assert list(handler.tag) == ["grpc-demo", "anomaly-detection"]
    assert handler.created_by == "alice" and handler.updated_by == "alice"
    assert handler.created_at > NANOS_2020 and before - 10**9 <= handler.created_at <= time.time_ns() + 10**9
    assert handler.callable == ""  # never the pickle

    [listed] = [h for h in alice.list_handlers(HOOK) if h.id == handler.id]
    assert listed == handler
    assert handler.id in ids(alice.list_handlers())
    assert handler.id not in ids(alice.list_handlers(OTHER_HOOK))

    # One registry: REST sees the same handler, and firing over REST runs the pickle.
    from hookhost.eventproc import fire, list_handlers
    [same] = [h for h in list_handlers(rest(server, "alice")) if h.id == handler.id]
    assert (same.name, same.version, same.tags) == (name, handler.version, ["grpc-demo", "anomaly-detection"])
    answer = fire(rest(server), HOOK, seed.PAYLOAD, tags=["grpc-demo"], wait=30)
    [job] = [j for j in answer["jobs"] if j["handler_id"] == handler.id]
    assert (job["state"], job["result"]) == ("SUCCEEDED", TRIVIAL_RESULT), job
    mail = spooled_mail_with(server, TRIVIAL_RESULT)
    assert mail is not None, "no success mail with the handler's result was spooled"
    assert "success@example.com" in str(mail["To"])

    replaced = alice.register(name, HOOK, trivial_blob, notify_on_failure="other@example.com")
    assert (replaced.id, replaced.version) == (handler.id, handler.version + 1)
    assert replaced.notify_on_failure == "other@example.com" and list(replaced.tag) == []
    assert replaced.created_at == handler.created_at and replaced.updated_at >= handler.updated_at

    assert alice.deregister(handler.id) == handler.id
    assert handler.id not in ids(alice.list_handlers())
    again = refused(alice.deregister, handler.id)
    assert again.code() == grpc.StatusCode.NOT_FOUND


def test_a_new_webhook_secret_comes_once_as_trailing_metadata(connect, stubs, trivial_blob):
    pb2, _ = stubs
    alice = connect("alice")
    registration = pb2.Registration(name=unique("hooked"), hook=HOOK, blob=trivial_blob,
                                    notify_on_success="https://hooks.example.com/ok",
                                    notify_on_failure="failure@example.com")
    answer, call = alice.stub.Register.with_call(pb2.RegisterRequest(registration=registration), timeout=60)
    handler = answer.handler
    secret = dict(call.trailing_metadata()).get("hookhost-webhook-secret", "")
    assert secret.startswith("whsec_") and handler.notify_on_success == "https://hooks.example.com/ok"
    _, again = alice.stub.Register.with_call(pb2.RegisterRequest(registration=registration), timeout=60)
    assert "hookhost-webhook-secret" not in dict(again.trailing_metadata())
    assert alice.deregister(handler.id) == handler.id


def test_a_wrong_or_missing_key_is_unauthenticated(connect):
    for client in (connect("hh_0123456789ab_not-a-key"), connect(None)):
        for call, args in ((client.hooks, ()), (client.list_handlers, ()), (client.deregister, (1,))):
            error = refused(call, *args)
            assert error.code() == grpc.StatusCode.UNAUTHENTICATED, (call, error)


def test_another_users_handler_is_permission_denied(connect, trivial_blob):
    alice, bob = connect("alice"), connect("bob")
    name = unique("alices")
    handler = alice.register(name, HOOK, trivial_blob)

    error = refused(bob.deregister, handler.id)
    assert error.code() == grpc.StatusCode.PERMISSION_DENIED and error_code(error) == "not_owner"
    error = refused(bob.register, name, HOOK, trivial_blob, user="bob")
    assert error.code() == grpc.StatusCode.PERMISSION_DENIED and error_code(error) == "not_owner"
    [kept] = [h for h in bob.list_handlers(HOOK) if h.id == handler.id]
    assert kept.version == handler.version and kept.created_by == "alice"

    # A publisher may fire events, not register handlers: the REST route's roles.
    error = refused(connect("publisher").register, unique("published"), HOOK, trivial_blob)
    assert error.code() == grpc.StatusCode.PERMISSION_DENIED
    assert "may not register handlers" in error.details()
    assert connect("admin").deregister(handler.id) == handler.id


@pytest.mark.parametrize("fields, code, words", [
    ({"name": ""}, "invalid_name", "name: is required"),
    ({"notify_on_success": "not an address"}, "invalid_notify_on_success", "neither an email address"),
    ({"tags": ["ok", ""]}, "invalid_tags", "non-empty strings"),
    ({"blob": b""}, "invalid_blob", "blob: is required"),
    ({"blob": b"not a pickle"}, "handler_load_failed", ""),
])
def test_bad_input_is_invalid_argument_and_registers_nothing(connect, trivial_blob, fields, code, words):
    alice = connect("alice")
    arguments = dict(name=unique("bad"), hook=HOOK, blob=trivial_blob)
    arguments.update(fields)
    error = refused(alice.register, **arguments)
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT, error
    assert error_code(error) == code and words in error.details(), error
    assert arguments["name"] not in [h.name for h in alice.list_handlers()]


def test_an_unknown_hook_or_id_is_not_found(connect, trivial_blob):
    alice = connect("alice")
    error = refused(alice.register, unique("nowhere"), "no.such_hook", trivial_blob)
    assert error.code() == grpc.StatusCode.NOT_FOUND and error_code(error) == "unknown_hook"
    for missing in (2_000_000_000, 0, -3):
        assert refused(alice.deregister, missing).code() == grpc.StatusCode.NOT_FOUND
    assert alice.list_handlers("no.such_hook") == []


def test_a_ten_mib_blob_is_accepted(connect):
    big = dill_blob("ballast = bytes(range(256)) * (10 * 4096)\n"
                    "def heavy(btrdb, _ballast=ballast, **kwargs):\n    return len(_ballast)\n", "heavy")
    assert len(big) >= 10 << 20
    handler = connect("alice").register(unique("heavy"), HOOK, big)
    assert handler.id > 0 and handler.callable == ""
    assert connect("alice").deregister(handler.id) == handler.id


def test_grpc_port_without_tls_files_refuses_to_start(server, tmp_path):
    env = dict(server.env, HOOKHOST_GRPC_PORT="0", HOOKHOST_GRPC_TLS_CERT="", HOOKHOST_GRPC_TLS_KEY="",
               HOOKHOST_DATA_DIR=str(tmp_path))
    done = subprocess.run([server.binary, "serve", "--config", server.config], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 78, (done.stdout, done.stderr)
    assert "grpc.tls_cert" in done.stdout + done.stderr
