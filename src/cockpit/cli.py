"""Command line: `cockpit [PLAN] [options]` opens the cockpit; sub-commands do the rest.

Sub-commands live with the layer they drive (`cockpit.plan.cli`, `cockpit.session.cli`,
`cockpit.sandbox.cli`); each exposes `main(argv) -> int`. Imports are lazy so that
`cockpit plan show` never pays for Textual.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from importlib import import_module
from pathlib import Path

from cockpit import __version__
from cockpit.launch import LaunchOptions

SUBCOMMANDS: dict[str, str] = {
    "plan": "cockpit.plan.cli",
    "transcript": "cockpit.session.cli",
    "sandbox": "cockpit.sandbox.cli",
    "info": "cockpit.info",
    "completion": "cockpit.completion",
    "config": "cockpit.config_cli",
}

EXIT_CODES = "exit codes: 0 ok, 1 a check failed, 2 usage or input error (bad plan, journal, context)."


def app_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cockpit",
        description="Open a remediation plan as a live checklist beside the cluster it is fixing.",
        epilog=(
            "sub-commands: 'cockpit plan show|check|convert', 'cockpit transcript JOURNAL -o FILE', "
            "'cockpit sandbox serve|snapshot', 'cockpit info', 'cockpit completion bash|zsh|fish'. "
            "Run one with --help for its options. " + EXIT_CODES
        ),
    )
    parser.add_argument("plan", nargs="?", type=Path, help="plan file (.md or .yaml); default: bundled plan")
    parser.add_argument("--sandbox", action="store_true", help="run against the built-in sandbox cluster")
    parser.add_argument(
        "--scenario",
        type=Path,
        help="with --sandbox: serve this scenario (e.g. from 'cockpit sandbox snapshot') and rehearse on it",
    )
    parser.add_argument(
        "--kubeconfig", type=Path, help="kubeconfig file (default: $KUBECONFIG or ~/.kube/config)"
    )
    parser.add_argument("--context", help="kube context to use (default: the kubeconfig's current context)")
    parser.add_argument("-n", "--namespace", help="namespace for the live panes and the commands")
    parser.add_argument("-A", "--all-namespaces", action="store_true", help="show every namespace")
    parser.add_argument(
        "--read-only", action="store_true", help="refuse every command that changes the cluster"
    )
    parser.add_argument(
        "--resume",
        nargs="?",
        const=True,
        default=False,
        metavar="JOURNAL",
        help="reopen the last session, or the session of the given journal file",
    )
    parser.add_argument("--theme", help="Textual theme name (e.g. textual-dark, nord, gruvbox)")
    parser.add_argument("--loki-url", help="Loki base URL for the logs pane and platform checks")
    parser.add_argument(
        "--prometheus-url", help="Prometheus-compatible API URL (VictoriaMetrics, Prometheus)"
    )
    parser.add_argument("--debug", action="store_true", help="log debug detail to the log file")
    parser.add_argument("--log-file", type=Path, help="log here instead of cockpit.log in the log folder")
    parser.add_argument("--version", action="version", version=f"cockpit {__version__}")
    return parser


def parse_launch_options(argv: Sequence[str]) -> LaunchOptions:
    parser = app_parser()
    args = parser.parse_args(list(argv))
    if args.scenario is not None and not args.sandbox:
        parser.error("--scenario rehearses on the sandbox: use it with --sandbox")
    if args.scenario is not None and not args.scenario.is_file():
        parser.error(f"scenario file not found: {args.scenario}")
    resume_journal = Path(args.resume) if isinstance(args.resume, str) else None
    return LaunchOptions(
        plan=args.plan,
        sandbox=args.sandbox,
        scenario=args.scenario,
        kubeconfig=args.kubeconfig,
        context=args.context,
        namespace=args.namespace,
        all_namespaces=args.all_namespaces,
        read_only=args.read_only,
        resume=bool(args.resume),
        resume_journal=resume_journal,
        theme=args.theme,
        loki_url=args.loki_url,
        prometheus_url=args.prometheus_url,
        debug=args.debug,
        log_file=args.log_file,
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:2] == ["plan", "stats"]:  # the history lives in the session layer, above plan
        from cockpit.session.cli import stats_main

        return stats_main(args[2:])
    if args[:1] == ["plan"]:  # `plan check` needs the runner's classifier, a layer above plan
        from cockpit.plan.cli import main as plan_main
        from cockpit.runner.safety import classify

        return plan_main(args[1:], classify)
    if args[:2] == ["sandbox", "snapshot"]:  # reads a live cluster: the cluster layer, not the sandbox's
        from cockpit.cluster.scenario_snapshot import main as snapshot_main

        return snapshot_main(args[2:])
    if args and args[0] in SUBCOMMANDS:
        sub_main: Callable[[list[str]], int] = import_module(SUBCOMMANDS[args[0]]).main
        return sub_main(args[1:])
    options = parse_launch_options(args)
    from cockpit.logsetup import configure

    configure(debug=options.debug, log_file=options.log_file)
    from cockpit.ui import heap

    heap.STARTUP.hold()  # no collector passes over the modules loading either (the app settles it)
    from cockpit.ui.launch import run_app  # Textual only when the app is opened

    return run_app(options)


if __name__ == "__main__":
    raise SystemExit(main())
