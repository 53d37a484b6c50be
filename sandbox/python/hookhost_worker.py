"""hookhost's sandboxed Python worker (started through hookhost_runner.py).

Started by the host inside bubblewrap (never outside it: this is the only place where a
handler's dill pickle is unpickled). Speaks the framed worker protocol: each message is a
4-byte big-endian length followed by a UTF-8 JSON object.

    host -> worker  {"type": "load", "code": "<base64 dill pickle>", "output_cap": n (unused now)}
    worker -> host  {"type": "loaded"} | {"type": "error", "error": "..."} (then exit)
    host -> worker  {"type": "run", "job": {...}, "payload": {...}}      (repeated)
    worker -> host  update / log / output / emit / defer messages, then one result
                    (output and log as the handler writes them: the host streams them live)

At start the protocol descriptors (0 and 1) are moved out of the way and fds 1 and 2 are
pointed at pipes whose data goes to the host as `output` messages, so nothing a handler
prints can corrupt the protocol stream. Standard library and dill only.
"""

import base64
import codecs
import fcntl
import json
import logging
import os
import resource
import select
import struct
import sys
import threading
import traceback

import hookhost_diagnostics

MAX_FRAME_BYTES = 64 << 20
READ_CHUNK = 65536


class ProtocolError(Exception):
    """The host sent something this runner cannot understand."""


class Channel:
    """Framed JSON over two descriptors. send() is thread-safe; request() pairs one message
    with its answer (handlers may call ctx.emit from several threads)."""

    def __init__(self, read_fd, write_fd):
        self._read_fd = read_fd
        self._write_fd = write_fd
        self._write_lock = threading.Lock()
        self._request_lock = threading.Lock()

    def send(self, message):
        body = json.dumps(message, ensure_ascii=False, default=str).encode("utf-8", "replace")
        frame = struct.pack(">I", len(body)) + body
        with self._write_lock:
            view = memoryview(frame)
            while view:
                written = os.write(self._write_fd, view)
                view = view[written:]

    def _read_exactly(self, count):
        chunks = []
        while count:
            chunk = os.read(self._read_fd, min(count, READ_CHUNK))
            if not chunk:
                return None
            chunks.append(chunk)
            count -= len(chunk)
        return b"".join(chunks)

    def receive(self):
        """The next message, or None when the host closed the stream."""
        header = self._read_exactly(4)
        if header is None:
            return None
        (length,) = struct.unpack(">I", header)
        if length > MAX_FRAME_BYTES:
            raise ProtocolError("frame of %d bytes is over the cap" % length)
        body = self._read_exactly(length)
        if body is None:
            raise ProtocolError("the host's frame was cut short")
        message = json.loads(body.decode("utf-8"))
        if not isinstance(message, dict):
            raise ProtocolError("frame is not a JSON object")
        return message

    def request(self, message, answer_type):
        with self._request_lock:
            self.send(message)
            answer = self.receive()
            if answer is None:
                raise ProtocolError("the host closed the stream")
            if answer.get("type") != answer_type:
                raise ProtocolError("expected %s, got %r" % (answer_type, answer.get("type")))
            return answer


class OutputCapture:
    """Forwards what the handler writes to fds 1 and 2 as `output` messages while it runs
    (dropped between jobs), a read of at most READ_CHUNK bytes at a time: nothing is
    gathered here, and a handler that prints faster than the host reads waits on the pipe.
    The host keeps the last `output_cap` bytes of each job."""

    def __init__(self, channel):
        self._channel = channel
        self._lock = threading.Lock()
        self._active = False
        self._streams = {}
        for target_fd, name in ((1, "stdout"), (2, "stderr")):
            read_fd, write_fd = os.pipe()
            os.dup2(write_fd, target_fd)
            os.close(write_fd)
            fcntl.fcntl(read_fd, fcntl.F_SETFL, fcntl.fcntl(read_fd, fcntl.F_GETFL) | os.O_NONBLOCK)
            self._streams[read_fd] = (name, codecs.getincrementaldecoder("utf-8")("replace"))
        # Each print reaches the host when it is made, not when a block buffer fills.
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.reconfigure(line_buffering=True)
            except (AttributeError, ValueError):
                pass
        threading.Thread(target=self._pump, name="hookhost-output", daemon=True).start()

    def _pump(self):
        fds = list(self._streams)
        while True:
            readable, _, _ = select.select(fds, [], [])
            with self._lock:
                for fd in readable:
                    self._read(fd)

    def _read(self, fd):
        """Reads what is there now; caller holds the lock."""
        name, decoder = self._streams[fd]
        while True:
            try:
                data = os.read(fd, READ_CHUNK)
            except BlockingIOError:
                return
            if not data:
                return
            if not self._active:
                continue
            text = decoder.decode(data)
            if text:
                self._channel.send({"type": "output", "stream": name, "text": text})

    def drain(self):
        """Forwards what the handler printed so far, so a message sent next comes after it."""
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:
                pass
        with self._lock:
            for fd in self._streams:
                self._read(fd)

    def begin(self):
        with self._lock:
            for fd in self._streams:
                self._read(fd)  # leftovers from between jobs are dropped
            self._active = True

    def end(self):
        """Sends everything written so far; call before the result."""
        self.drain()
        with self._lock:
            for name, decoder in self._streams.values():
                tail = decoder.decode(b"", final=True)
                if tail and self._active:
                    self._channel.send({"type": "output", "stream": name, "text": tail})
                decoder.reset()
            self._active = False


class HostLogHandler(logging.Handler):
    """Sends records of ctx.log to the host as `log` messages while a job runs."""

    def __init__(self, channel, capture):
        super().__init__(logging.DEBUG)
        self._channel = channel
        self._capture = capture
        self.active = False
        self.setFormatter(logging.Formatter("%(levelname)s %(message)s"))

    def emit(self, record):
        if not self.active:
            return
        try:
            self._capture.drain()  # a log line after a print is shown after it
            self._channel.send({"type": "log", "line": self.format(record)})
        except Exception:
            self.handleError(record)


class EmitError(Exception):
    """The host refused an event emitted by the handler (unknown hook, bad payload, ...)."""


class DeferError(Exception):
    """The host refused to defer the job."""


class Context:
    """What a handler gets as its first argument.

    Attributes: user (the registering user the handler runs as), job_id, event_id, hook,
    attempt, handler (name), handler_id, handler_version, log (a logging.Logger whose
    records are kept with the job), events (the events the job runs for, oldest first:
    [{"event_id", "hook", "payload", "at"}]; several for a coalescing handler, else one).
    """

    def __init__(self, channel, job, logger, payload=None):
        self._channel = channel
        self.user = job.get("user")
        self.job_id = job.get("job_id")
        self.event_id = job.get("event_id")
        self.hook = job.get("hook")
        self.attempt = job.get("attempt")
        self.handler = job.get("handler")
        self.handler_id = job.get("handler_id")
        self.handler_version = job.get("handler_version")
        self.events = job.get("events") or [
            {"event_id": self.event_id, "hook": self.hook, "payload": payload, "at": job.get("event_at")}]
        self.log = logger
        self.deferred = None

    def update(self, data=None, **fields):
        """Records progress: the dict is appended to the job's history as an UPDATE entry."""
        merged = dict(data or {})
        merged.update(fields)
        self._channel.send({"type": "update", "data": merged})

    def emit(self, hook, payload=None, tags=None, key=None):
        """Fires another hook when this job completes. Raises EmitError with the host's
        message when the host refuses (unknown hook, payload failing its schema, chain too
        deep)."""
        answer = self._channel.request(
            {"type": "emit", "hook": hook, "payload": payload if payload is not None else {},
             "tags": list(tags or []), "key": key},
            "emit_result")
        if not answer.get("ok"):
            raise EmitError(answer.get("error") or "the host refused the event")
        return True

    def defer(self, **data):
        """Hands the job to an outside system: returns {"token", "callback_path"}; when the
        handler returns, the job waits (WAITING) until someone posts to callback_path with the
        token. Raises DeferError when the host refuses."""
        answer = self._channel.request({"type": "defer", "data": data}, "defer_result")
        if not answer.get("ok"):
            raise DeferError(answer.get("error") or "the host refused to defer the job")
        self.deferred = {"token": answer.get("token"), "callback_path": answer.get("callback_path")}
        return dict(self.deferred)

    def __repr__(self):
        return "<hookhost context job=%s hook=%s user=%s>" % (self.job_id, self.hook, self.user)


class CpuBudget:
    """RLIMIT_CPU is cumulative over a process's life; a warm worker re-arms the soft limit
    before each job so each run gets the configured budget (bounded by the hard limit)."""

    def __init__(self):
        soft, self._hard = resource.getrlimit(resource.RLIMIT_CPU)
        self._budget = None if soft == resource.RLIM_INFINITY else soft

    def rearm(self):
        if self._budget is None:
            return
        usage = resource.getrusage(resource.RUSAGE_SELF)
        soft = int(usage.ru_utime + usage.ru_stime) + 1 + self._budget
        if self._hard != resource.RLIM_INFINITY:
            soft = min(soft, self._hard)
        resource.setrlimit(resource.RLIMIT_CPU, (soft, self._hard))


def load_handler(message):
    code = message.get("code")
    if not isinstance(code, str):
        raise ValueError("the load message has no code")
    try:
        pickle = base64.b64decode(code, validate=True)
    except Exception as error:
        raise ValueError("the code is not base64: %s" % error) from None
    try:
        import dill
        handler = dill.loads(pickle)
    except BaseException as error:
        raise ValueError(hookhost_diagnostics.load_failure(error)) from None
    if not callable(handler):
        raise ValueError("the pickle holds a %s, not a callable" % type(handler).__name__)
    return handler


def run_job(channel, capture, log_handler, logger, cpu, handler, message):
    job = message.get("job") or {}
    payload = message.get("payload")
    ctx = Context(channel, job, logger, payload)
    cpu.rearm()
    capture.begin()
    log_handler.active = True
    result = {"type": "result"}
    try:
        if isinstance(payload, dict):
            value = handler(ctx, **payload)
        elif payload is None:
            value = handler(ctx)
        else:
            value = handler(ctx, payload)
        result["result"] = "" if value is None else str(value)
        result["status"] = "deferred" if ctx.deferred else "succeeded"
    except BaseException as error:  # SystemExit and KeyboardInterrupt fail the job too
        result = {"type": "result", "status": "failed",
                  "error": "%s: %s" % (type(error).__name__, error),
                  "traceback": traceback.format_exc() + hookhost_diagnostics.missing_module_hint(error)}
    finally:
        log_handler.active = False
        capture.end()
    channel.send(result)


def main():
    # The protocol keeps private copies of 0 and 1 (os.dup makes them close-on-exec, so
    # subprocesses of a handler never inherit them); 0 becomes /dev/null, 1 and 2 pipes.
    channel = Channel(os.dup(0), os.dup(1))
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)

    load = channel.receive()
    if load is None:
        return 0
    if load.get("type") != "load":
        channel.send({"type": "error", "error": "expected a load message first"})
        return 2
    capture = OutputCapture(channel)
    try:
        handler = load_handler(load)
    except ValueError as error:
        channel.send({"type": "error", "error": str(error)})
        return 1

    log_handler = HostLogHandler(channel, capture)
    name = getattr(handler, "__name__", "handler")
    logger = logging.getLogger("hookhost.handler." + name)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    logger.addHandler(log_handler)
    cpu = CpuBudget()
    channel.send({"type": "loaded"})

    while True:
        message = channel.receive()
        if message is None:
            return 0
        if message.get("type") != "run":
            raise ProtocolError("unexpected message %r" % message.get("type"))
        run_job(channel, capture, log_handler, logger, cpu, handler, message)
