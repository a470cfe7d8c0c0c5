"""`cockpit sandbox serve`: run the sandbox cluster on its own for scripts, benchmarks, other tools."""

from __future__ import annotations

import argparse
import os
import shlex
import signal
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path

from cockpit.paths import data_dir
from cockpit.sandbox.server import Sandbox, SandboxError

TOKEN_ENV = "COCKPIT_SANDBOX_TOKEN"


def _token(args: argparse.Namespace) -> str | None:
    """The bearer token to require: from --token-file, else $COCKPIT_SANDBOX_TOKEN, else none.
    Raises ValueError (with the message for the operator) for a token given in argv, an
    unreadable file or an empty token."""
    if args.token is not None:
        raise ValueError(
            "--token would show the token to every user of this machine (ps); "
            f"put it in a file for --token-file FILE, or in ${TOKEN_ENV}"
        )
    if args.token_file is not None:
        try:
            token = args.token_file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ValueError(f"cannot read --token-file {args.token_file}: {exc.strerror}") from None
        if not token:
            raise ValueError(f"--token-file {args.token_file} is empty")
        return token
    token = os.environ.get(TOKEN_ENV, "").strip()
    return token or None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cockpit sandbox", description="The simulated 254Carbon cluster.")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve the sandbox API on 127.0.0.1 until Ctrl-C")
    serve.add_argument("--port", type=int, default=0, help="port to listen on (default: a free one)")
    serve.add_argument(
        "--kubeconfig", type=Path, help="where to write the kubeconfig (default: in cockpit's data dir)"
    )
    serve.add_argument("--scenario", type=Path, help="scenario file (default: the bundled 254Carbon cluster)")
    serve.add_argument("--pods", type=int, help="scale the cluster to about N pods (up to 50,000)")
    serve.add_argument("--churn", type=float, default=0.0, help="pod events per second to generate")
    serve.add_argument("--seed", type=int, default=0, help="random seed (same seed, same cluster)")
    serve.add_argument(
        "--time-scale",
        type=float,
        metavar="X",
        help="make every simulated delay (back-offs, run times) X times shorter, e.g. 10 for demos",
    )
    serve.add_argument(
        "--log-rate",
        type=float,
        metavar="LINES",
        help="lines per second every followed log (kubectl logs -f) writes, 0.1-50000, for benchmarks",
    )
    serve.add_argument("--tls", action="store_true", help="serve HTTPS with a self-signed certificate")
    serve.add_argument(
        "--token-file",
        type=Path,
        metavar="FILE",
        help=f"require the bearer token written in FILE (implies --tls); or set ${TOKEN_ENV}",
    )
    # A token on the command line is in every user's `ps`: refused, without echoing it back.
    serve.add_argument("--token", help=argparse.SUPPRESS)
    serve.add_argument(
        "--empty", action="store_true", help="serve an empty cluster: no scenario, no simulation"
    )
    return parser


def main(argv: Sequence[str]) -> int:
    args = build_parser().parse_args(list(argv))

    if args.scenario is not None and not args.scenario.is_file():
        print(f"cockpit sandbox: scenario file not found: {args.scenario}", file=sys.stderr)
        return 2
    if args.pods is not None and not 0 <= args.pods <= 50_000:
        print(f"cockpit sandbox: --pods must be between 0 and 50000, not {args.pods}", file=sys.stderr)
        return 2
    if args.time_scale is not None and not args.time_scale > 0:
        print(f"cockpit sandbox: --time-scale must be > 0, not {args.time_scale:g}", file=sys.stderr)
        return 2
    if args.log_rate is not None and not 0.1 <= args.log_rate <= 50_000:
        print(
            f"cockpit sandbox: --log-rate must be between 0.1 and 50000, not {args.log_rate:g}",
            file=sys.stderr,
        )
        return 2
    try:
        token = _token(args)
    except ValueError as exc:
        print(f"cockpit sandbox: {exc}", file=sys.stderr)
        return 2
    interrupted = threading.Event()
    by_ctrl_c = [True]  # the terminal echoed ^C: our line starts below it

    def on_signal(number: int, _frame: object) -> None:
        by_ctrl_c[0] = number == signal.SIGINT
        interrupted.set()

    try:
        box = Sandbox(
            args.port,
            args.scenario,
            args.seed,
            args.pods,
            args.churn,
            world=not args.empty,
            tls=args.tls,
            token=token,
            time_scale=args.time_scale,
            log_rate=args.log_rate,
        )
        box.start()
    except KeyboardInterrupt:
        print("\nsandbox stopped before it started", flush=True)
        return 0
    except SandboxError as exc:
        print(f"cockpit sandbox: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # a scenario the world rejects: one line, not a traceback
        print(f"cockpit sandbox: {exc}", file=sys.stderr)
        return 1
    began = time.monotonic()
    try:
        signal.signal(signal.SIGINT, on_signal)
        signal.signal(signal.SIGTERM, on_signal)
        kubeconfig = box.write_kubeconfig(args.kubeconfig or data_dir() / "sandbox" / "kubeconfig")
        print(_banner(box, kubeconfig, world=not args.empty), flush=True)
        while not interrupted.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        churned = _churn_report(box)
        box.stop()
    newline = "\n" if by_ctrl_c[0] else ""
    print(f"{newline}sandbox stopped after {_duration(time.monotonic() - began)}", flush=True)
    if churned:
        print(churned, flush=True)
    sys.stdout.flush()
    # the server is stopped; do not wait at exit for a worker thread still encoding a big list
    os._exit(0)


def _banner(box: Sandbox, kubeconfig: Path, *, world: bool) -> str:
    """What `serve` says once it listens: where, the kubeconfig, and how to point kubectl at it."""
    from cockpit.sandbox.resources import PODS

    pods = box.store.count(PODS)
    what = f"{pods} pods" if world else "an empty cluster"
    snap = getattr(box.simulation, "snapshot", None)
    if snap is not None:  # a scenario from `cockpit sandbox snapshot`: say whose copy it is
        from cockpit.sandbox.world.snapshot import describe

        what += f", {describe(snap)}"
        if snap.skipped:
            what += f"; {len(snap.skipped)} list(s) were not copied"
    example = "kubectl get pods -A" if world else "kubectl version"
    return "\n".join(
        [
            f"sandbox serving at {box.url} ({what}, started in {box.started_in:.2f} s)",
            f"kubeconfig: {kubeconfig}",
            "",
            f"    export KUBECONFIG={shlex.quote(str(kubeconfig))}",
            f"    {example}",
            "",
            "Ctrl-C to stop.",
        ]
    )


def _churn_report(box: Sandbox) -> str:
    """What the churn achieved (it drops what a busy machine cannot keep up with), or ""."""
    churn = getattr(box.simulation, "churn", None)
    if churn is None or not churn.rate:
        return ""
    return (
        f"churn: {churn.count} pod events, {churn.achieved_rate():.0f}/s achieved of {churn.rate:g}/s asked, "
        f"{churn.dropped} dropped"
    )


def _duration(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours}h{minutes:02d}m"
    return f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"
