"""`Sandbox`: the simulated cluster's API server, running in a background thread with its own
asyncio loop so that the cockpit's UI loop is never slowed by it.

    box = Sandbox(seed=0).start()          # or: with Sandbox() as box: / async with Sandbox() as box:
    box.write_kubeconfig(path)             # kubectl --kubeconfig path get pods -A
    box.stop()
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import importlib.util
import os
import secrets
import ssl
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import yaml

from cockpit.sandbox.api import Api
from cockpit.sandbox.http import HttpServer
from cockpit.sandbox.store import Store
from cockpit.sandbox.worldapi import ExecSource, LogSource, StoredLogs

REAP_SECONDS = 0.1
START_TIMEOUT = 60.0  # building a 50,000-pod world takes a while; the default world starts in < 1 s


TIME_SCALE_ENV = "COCKPIT_SANDBOX_TIME_SCALE"
LOG_RATE_ENV = "COCKPIT_SANDBOX_LOG_RATE"


class SandboxError(RuntimeError):
    """The sandbox could not start (port taken, world failed to build); the message says why."""


def _env_number(name: str, default: float | None) -> float | None:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return float(raw)
    except ValueError:
        raise SandboxError(f"${name} must be a number, not {raw!r}") from None


def _self_signed(directory: Path) -> tuple[Path, Path]:
    """A throwaway certificate for 127.0.0.1 (openssl CLI; no extra Python dependency)."""
    cert, key = directory / "sandbox.crt", directory / "sandbox.key"
    cmd = [
        "openssl",
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-keyout",
        str(key),
        "-out",
        str(cert),
        "-days",
        "2",
        "-subj",
        "/CN=cockpit-sandbox",
        "-addext",
        "subjectAltName=IP:127.0.0.1,DNS:localhost",
    ]
    try:
        subprocess.run(cmd, check=True, capture_output=True, timeout=20)
    except (OSError, subprocess.CalledProcessError) as exc:
        raise SandboxError(f"cannot make a TLS certificate with openssl: {exc}") from None
    return cert, key


class Sandbox:
    def __init__(
        self,
        port: int = 0,
        scenario: Path | str | None = None,
        seed: int = 0,
        pods: int | None = None,
        churn: float = 0.0,
        *,
        world: bool = True,
        store: Store | None = None,
        logs: LogSource | None = None,
        exec_source: ExecSource | None = None,
        tls: bool = False,
        token: str | None = None,
        read_only_token: str | None = None,
        bookmark_interval: float = 60.0,
        pod_shutdown: float = 1.0,
        time_scale: float | None = None,
        log_rate: float | None = None,
    ) -> None:
        """world=False serves `store` as it is (an empty cluster by default) with `logs` (default:
        an empty StoredLogs) and `exec_source` for `kubectl exec`; otherwise
        cockpit.sandbox.world.build_world fills the store and provides both.
        tls=True serves HTTPS with a self-signed certificate and requires a token (`token`, or a
        random one; write_kubeconfig carries it); a token implies TLS, since kubectl sends no token
        over plain HTTP; a read_only_token may only read.
        time_scale > 1 shortens every simulated delay (back-offs, run times) for demos; log_rate
        makes every followed log write that many lines per second (0.1-50,000) for benchmarks. Left
        None, they come from $COCKPIT_SANDBOX_TIME_SCALE / $COCKPIT_SANDBOX_LOG_RATE, the only way
        to set them for `cockpit --sandbox`, which starts the sandbox without options."""
        self.port = port
        self.scenario = Path(scenario) if scenario else None
        self.seed, self.pods, self.churn = seed, pods, churn
        self.use_world = world
        self.store = store or Store(seed=seed)
        self.logs: LogSource = logs or StoredLogs()
        self.exec_source = exec_source
        # Over HTTPS kubectl asks for a username and password when the kubeconfig names no
        # credentials: a TLS sandbox always has a token, written into its kubeconfig.
        self.token = token or (secrets.token_hex(16) if read_only_token or tls else None)
        self.read_only_token = read_only_token
        self.tls = tls or bool(self.token)
        self.bookmark_interval = bookmark_interval
        self.pod_shutdown = pod_shutdown
        self.time_scale = time_scale if time_scale is not None else _env_number(TIME_SCALE_ENV, 1.0)
        self.log_rate = log_rate if log_rate is not None else _env_number(LOG_RATE_ENV, None)
        self.url = ""
        self.started_in = 0.0
        self.simulation: Any = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._stop: asyncio.Event | None = None

    # ---- lifecycle -----------------------------------------------------------------------------

    def start(self) -> Sandbox:
        began = time.perf_counter()
        self._thread = threading.Thread(target=self._run, name="cockpit-sandbox", daemon=True)
        self._thread.start()
        if not self._ready.wait(START_TIMEOUT):
            raise SandboxError(f"the sandbox did not start within {START_TIMEOUT:.0f} s")
        if self._error is not None:
            self._thread.join(5)
            if isinstance(self._error, SandboxError):
                raise self._error
            raise SandboxError(f"the sandbox failed to start: {self._error}") from self._error
        self.started_in = time.perf_counter() - began
        return self

    def stop(self) -> None:
        loop, stop = self._loop, self._stop
        if loop is not None and stop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(stop.set)
        if self._thread is not None:
            self._thread.join(10)
            self._thread = None

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    async def __aenter__(self) -> Sandbox:
        await asyncio.to_thread(self.start)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await asyncio.to_thread(self.stop)

    def run_in_loop(self, fn: Any, *args: Any) -> Any:
        """Call fn(*args) on the sandbox's loop thread and return its result (for tests and tools)."""
        assert self._loop is not None
        done = asyncio.run_coroutine_threadsafe(self._call(fn, *args), self._loop)
        return done.result(10)

    @staticmethod
    async def _call(fn: Any, *args: Any) -> Any:
        return fn(*args)

    # ---- the server thread ---------------------------------------------------------------------

    def _build_world(self) -> None:
        if not self.use_world:
            return
        if importlib.util.find_spec("cockpit.sandbox.world") is None:
            return
        build = getattr(importlib.import_module("cockpit.sandbox.world"), "build_world", None)
        if build is None and importlib.util.find_spec("cockpit.sandbox.world.world") is not None:
            build = getattr(importlib.import_module("cockpit.sandbox.world.world"), "build_world", None)
        if build is None:
            return
        self.simulation = build(
            self.store,
            scenario=self.scenario,
            seed=self.seed,
            pods=self.pods,
            churn=self.churn,
            time_scale=self.time_scale,
            log_rate=self.log_rate,
        )
        self.logs = self.simulation.logs

    def _ssl_context(self) -> ssl.SSLContext | None:
        if not self.tls:
            return None
        # The key is on disk only from openssl writing it to the context loading it, in a 0700
        # folder removed at once: no exit, not even a SIGKILL while serving, leaves it behind.
        with tempfile.TemporaryDirectory(prefix="cockpit-sandbox-") as folder:
            cert, key = _self_signed(Path(folder))
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(cert, key)
        return context

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self._serve())
        except BaseException as exc:  # reported to start(), never lost in the thread
            self._error = exc
            self._ready.set()
        finally:
            with contextlib.suppress(Exception):
                leftover = [t for t in asyncio.all_tasks(loop) if not t.done()]
                for task in leftover:
                    task.cancel()
                loop.run_until_complete(asyncio.gather(*leftover, return_exceptions=True))
            with contextlib.suppress(Exception):
                loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    async def _serve(self) -> None:
        self._stop = asyncio.Event()
        self._build_world()
        tokens: dict[str, str] = {}
        if self.token:
            tokens[self.token] = "sandbox-admin"
        if self.read_only_token:
            tokens[self.read_only_token] = "viewer"
        exec_source = self.simulation if isinstance(self.simulation, ExecSource) else self.exec_source
        api = Api(
            self.store,
            self.logs,
            tokens=tokens,
            read_only_users=frozenset({"viewer"}),
            bookmark_interval=self.bookmark_interval,
            clock=self.store.clock,
            exec_source=exec_source,
            pod_shutdown=self.pod_shutdown,
            world=self.simulation if hasattr(self.simulation, "http_request") else None,
        )
        server = HttpServer(api.handle, self._ssl_context())
        try:
            port = await server.start("127.0.0.1", self.port)
        except OSError as exc:
            raise SandboxError(f"cannot listen on 127.0.0.1:{self.port}: {exc.strerror or exc}") from None
        self.port = port
        api.server_address = f"127.0.0.1:{port}"
        self.url = f"{'https' if self.tls else 'http'}://127.0.0.1:{port}"
        tasks = [asyncio.create_task(self._reap(), name="sandbox-reaper")]
        if self.simulation is not None:
            tasks.append(asyncio.create_task(self.simulation.run(), name="sandbox-world"))
        self._ready.set()
        try:
            await self._stop.wait()
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.wait(tasks, timeout=1.0)  # a busy world stops at its next await
            await server.close()

    async def _reap(self) -> None:
        """Finish graceful deletions (pods leaving Terminating) as their shutdown ends."""
        while True:
            await asyncio.sleep(REAP_SECONDS)
            self.store.reap()

    # ---- clients -------------------------------------------------------------------------------

    def kubeconfig(self, context_name: str = "sandbox", namespace: str = "default") -> dict[str, Any]:
        cluster: dict[str, Any] = {"server": self.url}
        if self.tls:
            cluster["insecure-skip-tls-verify"] = True
        user: dict[str, Any] = {"token": self.token} if self.token else {}
        return {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": context_name, "cluster": cluster}],
            "users": [{"name": context_name, "user": user}],
            "contexts": [
                {
                    "name": context_name,
                    "context": {"cluster": context_name, "user": context_name, "namespace": namespace},
                }
            ],
            "current-context": context_name,
            "preferences": {},
        }

    def write_kubeconfig(
        self, path: Path | str, context_name: str = "sandbox", namespace: str = "default"
    ) -> Path:
        """Write a kubeconfig whose current context is this sandbox; returns the path."""
        target = Path(path)
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # never readable by others
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            os.fchmod(fd, 0o600)
            fh.write(yaml.safe_dump(self.kubeconfig(context_name, namespace), sort_keys=False))
        return target


def start(
    port: int = 0,
    scenario: Path | str | None = None,
    seed: int = 0,
    pods: int | None = None,
    churn: float = 0.0,
    **options: Any,
) -> Sandbox:
    """Start a sandbox in a background thread; returns it running (`.url`, `.write_kubeconfig`, `.stop()`)."""
    return Sandbox(port, scenario, seed, pods, churn, **options).start()
