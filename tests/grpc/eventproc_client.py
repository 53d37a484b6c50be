"""A test client of hookhost's btrdbextras-compatible gRPC service, written from the wire
contract of issue 21 (not btrdbextras' code): stubs generated from the service's own
.proto at test time, and a channel made the way btrdbextras makes it (TLS with a CA
bundle, the API key as access-token call credentials, `/eventproc` after host:port).
"""

import importlib
import os
import subprocess
import sys

import grpc
from grpc_tools import protoc

# What a 2026 Unix time in nanoseconds looks like (seconds would be ~1.8e9).
NANOS_2020 = 1_577_836_800 * 10**9


def generate_stubs(out_dir):
    """Compiles eventprocapi.proto (HOOKHOST_PROTO_DIR) into `out_dir` and imports it."""
    proto_dir = os.environ.get("HOOKHOST_PROTO_DIR") or os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "..", "host", "grpc")
    status = protoc.main(["grpc_tools.protoc", "-I" + proto_dir, "--python_out=" + out_dir,
                          "--grpc_python_out=" + out_dir, os.path.join(proto_dir, "eventprocapi.proto")])
    assert status == 0, "grpc_tools.protoc failed on %s" % proto_dir
    sys.path.insert(0, out_dir)
    return importlib.import_module("eventprocapi_pb2"), importlib.import_module("eventprocapi_pb2_grpc")


def make_certificate(out_dir):
    """A self-signed certificate for 127.0.0.1 (its own CA bundle) -> (cert path, key path)."""
    cert, key = os.path.join(out_dir, "grpc.crt"), os.path.join(out_dir, "grpc.key")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True, timeout=30)
    return cert, key


class EventProc:
    """The four calls over one channel, as one user (`api_key`; None sends no key)."""

    def __init__(self, pb2, pb2_grpc, endpoint, ca_bundle, api_key):
        with open(ca_bundle, "rb") as f:
            credentials = grpc.ssl_channel_credentials(root_certificates=f.read())
        if api_key is not None:
            credentials = grpc.composite_channel_credentials(
                credentials, grpc.access_token_call_credentials(api_key))
        self.pb2 = pb2
        self.api_key = api_key
        self.channel = grpc.secure_channel(endpoint + "/eventproc", credentials)
        self.stub = pb2_grpc.EventProcessingServiceStub(self.channel)

    def close(self):
        self.channel.close()

    def hooks(self):
        return [hook.name for hook in self.stub.ListHooks(self.pb2.ListHooksRequest(), timeout=30).hooks]

    def list_handlers(self, hook=""):
        return list(self.stub.ListHandlers(self.pb2.ListHandlersRequest(hook=hook), timeout=30).handlers)

    def register(self, name, hook, blob, notify_on_success="success@example.com",
                 notify_on_failure="failure@example.com", tags=(), user="alice"):
        registration = self.pb2.Registration(
            name=name, hook=hook, tags=list(tags), blob=blob, notify_on_success=notify_on_success,
            notify_on_failure=notify_on_failure, dependencies="", user=user, api_key=self.api_key or "")
        return self.stub.Register(self.pb2.RegisterRequest(registration=registration), timeout=60).handler

    def deregister(self, handler_id):
        return self.stub.Deregister(self.pb2.DeregisterRequest(id=handler_id), timeout=30).id


def dill_blob(source, name, python="/usr/bin/python3"):
    """The raw dill.dumps (no recurse, no base64) of function `name` defined by `source` in
    the __main__ of a fresh interpreter, as a notebook user's function is pickled."""
    program = source + "\nimport dill, sys\nsys.stdout.buffer.write(dill.dumps(%s))\n" % name
    done = subprocess.run([python, "-c", program], capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr.decode()
    return done.stdout


def error_code(error):
    """The REST machine code of a refused call (trailing metadata `hookhost-error-code`)."""
    return dict(error.trailing_metadata() or ()).get("hookhost-error-code")
