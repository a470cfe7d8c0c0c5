"""The one factory that builds the cockpit app, for the CLI and the tests alike.

`run_app(options)` is what `cockpit [PLAN]` calls: it builds the app (loading the plan, starting
or resuming the session, pinning the kube context) and runs it. Anything the operator can get
wrong before the screen opens (a bad plan, a missing journal, an unknown context) is printed as
one line and exits 2.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cockpit.launch import LaunchOptions
from cockpit.paths import bundled_plan, latest_session_dir, new_session_dir
from cockpit.plan.model import Plan
from cockpit.runner import KubeconfigError, pin_kube_context
from cockpit.session.clock import Clock
from cockpit.session.engine import Session, SessionError
from cockpit.session.journal import JOURNAL_NAME, read_journal
from cockpit.ui.app import CockpitApp
from cockpit.ui.run_control import KubeTarget


class LaunchError(Exception):
    """Why the cockpit cannot open; printed as one line."""


def load_plan_file(path: Path) -> Plan:
    from cockpit.plan import PlanError, load_plan  # type: ignore[attr-defined]

    try:
        return load_plan(path)
    except PlanError as exc:
        raise LaunchError(str(exc)) from None
    except FileNotFoundError:
        raise LaunchError(f"{path}: no such plan file") from None
    except IsADirectoryError:
        raise LaunchError(f"{path}: is a folder, not a plan file") from None
    except OSError as exc:
        raise LaunchError(f"{path}: cannot read plan ({exc.strerror})") from None


def resolve_journal(options: LaunchOptions) -> Path:
    if options.resume_journal is not None:
        journal = options.resume_journal
        if journal.is_dir():
            journal = journal / JOURNAL_NAME
        if not journal.is_file():
            raise LaunchError(f"{options.resume_journal}: no such journal")
        return journal
    latest = latest_session_dir()
    if latest is None:
        raise LaunchError("no session to resume: start one with `cockpit PLAN`")
    return latest / JOURNAL_NAME


def kube_target(
    options: LaunchOptions,
    session_dir: Path,
    context: str | None,
    namespace: str | None,
    environ: Mapping[str, str] | None,
) -> KubeTarget:
    """Pin the context every command will use; without a usable kubeconfig, say what is missing."""
    try:
        kube = pin_kube_context(
            session_dir, context=context, namespace=namespace, kubeconfig=options.kubeconfig, environ=environ
        )
    except KubeconfigError as exc:
        if options.context or options.kubeconfig:
            raise LaunchError(str(exc)) from None  # asked for explicitly: do not run against something else
        return KubeTarget(
            namespace=namespace,
            sandbox=options.sandbox,
            read_only=options.read_only,
            problem=f"No cluster: {exc}",
        )
    return KubeTarget(
        context=kube.context,
        namespace=kube.namespace,
        env=dict(kube.env),
        sandbox=options.sandbox,
        read_only=options.read_only,
    )


def build_app(
    options: LaunchOptions,
    *,
    plan: Plan | None = None,
    clock: Clock | None = None,
    environ: Mapping[str, str] | None = None,
    cluster_hub: Any = None,
) -> CockpitApp:
    """Load the plan, start or resume the session, pin the kube target, and build the app.

    `plan` overrides loading from `options.plan` (tests hand in a plan they built); `clock`
    drives the session's timers (tests freeze it); `environ` is where KUBECONFIG is read from.
    """
    warnings: list[str] = []
    if options.resume:
        journal = resolve_journal(options)
        try:
            header = read_journal(journal).header
        except SessionError as exc:
            raise LaunchError(str(exc)) from None
        except Exception as exc:  # JournalError and friends: one line, never a traceback
            raise LaunchError(str(exc)) from None
        if plan is None:
            plan_path = options.plan or Path(str(header.get("plan_path", "")))
            if not plan_path.is_file():
                raise LaunchError(
                    f"{journal}: its plan {plan_path} is gone; pass the plan: cockpit PLAN --resume"
                )
            plan = load_plan_file(plan_path)
        try:
            session = Session.resume(journal, plan, clock=clock)
        except SessionError as exc:
            raise LaunchError(str(exc)) from None
        context = options.context or header.get("context")
        namespace = options.namespace or header.get("namespace")
        target = kube_target(options, session.session_dir, context, namespace, environ)
    else:
        if plan is None:
            plan = load_plan_file(options.plan or bundled_plan())
        session_dir = new_session_dir(Path(plan.source).stem or "plan")
        target = kube_target(options, session_dir, options.context, options.namespace, environ)
        try:
            session = Session.start(
                plan, session_dir, context=target.context, namespace=target.namespace, clock=clock
            )
        except SessionError as exc:
            raise LaunchError(str(exc)) from None
    warnings.extend(plan.warnings)
    return CockpitApp(plan, session, target, cluster_hub=cluster_hub, theme=options.theme, warnings=warnings)


def run_app(options: LaunchOptions) -> int:
    """Open the cockpit; 2 with a one-line message when it cannot open."""
    try:
        app = build_app(options)
    except LaunchError as exc:
        print(f"cockpit: {exc}", file=sys.stderr)
        return 2
    result = app.run()
    return int(result or 0)
