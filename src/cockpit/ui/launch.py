"""The one factory that builds the cockpit app, for the CLI and the tests alike.

`run_app(options)` is what `cockpit [PLAN]` calls: it builds the app (loading the plan, starting
or resuming the session, pinning the kube context) and runs it. Anything the operator can get
wrong before the screen opens (a bad plan, a missing journal, an unknown context) is printed as
one line and exits 2.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cockpit.config import load_config
from cockpit.kubeconfig import kubeconfig_paths
from cockpit.launch import LaunchOptions
from cockpit.paths import bundled_plan, data_dir, latest_session_dir, new_session_dir
from cockpit.plan.model import Plan
from cockpit.runner import KubeconfigError, pin_kube_context
from cockpit.session.clock import Clock
from cockpit.session.engine import Session, SessionError, plan_sha256
from cockpit.session.journal import JOURNAL_NAME, JournalError, read_journal
from cockpit.session.notices import NoticeBook
from cockpit.session.target import KubeTarget
from cockpit.ui import heap

if TYPE_CHECKING:  # Textual and the app load in build_app, once the pods list is on its way
    from cockpit.ui.app import CockpitApp


class LaunchError(Exception):
    """Why the cockpit cannot open; printed as one line."""


def load_plan_file(path: Path) -> Plan:
    from cockpit.plan import PlanError, load_plan

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


AUTO: Any = object()  # build_app's default: connect the live panes to the pinned context
SANDBOX_CONTEXT = "cockpit-sandbox"  # cockpit.cluster.connect recognises the sandbox by this prefix


def start_sandbox(session_dir: Path, namespace: str | None, scenario: Path | None = None) -> tuple[Any, Path]:
    """`--sandbox`: the simulated cluster on 127.0.0.1 (serving `scenario`, default the bundled one),
    and a kubeconfig for it in the session folder."""
    from cockpit.sandbox import SandboxError, start

    try:
        sandbox = start(scenario=scenario)
    except SandboxError as exc:
        raise LaunchError(f"the sandbox cluster did not start: {exc}") from None
    path = sandbox.write_kubeconfig(
        session_dir / "sandbox.kubeconfig", SANDBOX_CONTEXT, namespace or "default"
    )
    return sandbox, path


def ran_on_sandbox(session: Session) -> bool:
    """The session's last recorded cluster was the sandbox (older journals: its first context)."""
    clusters = session.state.clusters
    if clusters:
        return bool(clusters[-1].get("sandbox"))
    return str(session.header.get("context") or "").startswith(SANDBOX_CONTEXT)


def kube_target(
    options: LaunchOptions,
    session_dir: Path,
    context: str | None,
    namespace: str | None,
    environ: Mapping[str, str] | None,
    kubeconfig: Path | None = None,
) -> KubeTarget:
    """Pin the context every command will use; without a usable kubeconfig, say what is missing."""
    kubeconfig = kubeconfig or options.kubeconfig
    try:
        kube = pin_kube_context(
            session_dir, context=context, namespace=namespace, kubeconfig=kubeconfig, environ=environ
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
        sandbox=options.sandbox or kube.context.startswith(SANDBOX_CONTEXT),
        read_only=options.read_only,
        kubeconfig=kube.kubeconfig,
    )


def connect_hub(options: LaunchOptions, target: KubeTarget) -> Any:
    """The live panes' connection, to exactly the context the commands use (None without one)."""
    if target.kubeconfig is None:
        return None
    from cockpit.cluster.hub import ClusterHub

    hub = ClusterHub.from_options(options, kubeconfig=target.kubeconfig, env={})
    if hub.connected:
        hub.pods()  # start listing now: the list overlaps building the screen (the pane shares it)
    return hub


def build_app(
    options: LaunchOptions,
    *,
    plan: Plan | None = None,
    clock: Clock | None = None,
    environ: Mapping[str, str] | None = None,
    cluster_hub: Any = AUTO,
) -> CockpitApp:
    """Load the plan, start or resume the session, pin the kube target, and build the app.

    `plan` overrides loading from `options.plan` (tests hand in a plan they built); `clock`
    drives the session's timers (tests freeze it); `environ` is where KUBECONFIG is read from;
    `cluster_hub` is the live panes' connection (default: connect to the pinned context; None:
    no live panes). With `options.sandbox` the sandbox cluster is started first and everything
    (commands, live panes) points at it.
    """
    warnings: list[str] = []
    sandbox: Any = None
    sandbox_kubeconfig: Path | None = None
    if options.resume:
        journal = resolve_journal(options)
        try:
            header = read_journal(journal).header
        except JournalError as exc:
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
        if options.sandbox or (not options.context and ran_on_sandbox(session)):
            # a rehearsal resumes on the scenario it rehearsed on
            recorded = Path(str(header["rehearsal"])) if header.get("rehearsal") else None
            scenario = options.scenario or (recorded if recorded is not None and recorded.is_file() else None)
            sandbox, sandbox_kubeconfig = start_sandbox(session.session_dir, namespace, scenario)
            context = SANDBOX_CONTEXT
            if not options.sandbox:
                warnings.append(
                    "This session ran on the sandbox cluster: a fresh sandbox was started for it"
                    " (pass --context CTX to resume on a real cluster instead)."
                )
                options.sandbox = True
        target = kube_target(options, session.session_dir, context, namespace, environ, sandbox_kubeconfig)
    else:
        if plan is None:
            plan = load_plan_file(options.plan or bundled_plan())
        session_dir = new_session_dir(Path(plan.source).stem or "plan")
        context = options.context
        if options.sandbox:
            sandbox, sandbox_kubeconfig = start_sandbox(session_dir, options.namespace, options.scenario)
            context = SANDBOX_CONTEXT
        target = kube_target(options, session_dir, context, options.namespace, environ, sandbox_kubeconfig)
        try:
            rehearsal = str(options.scenario.resolve()) if options.sandbox and options.scenario else None
            session = Session.start(
                plan,
                session_dir,
                context=target.context,
                namespace=target.namespace,
                clock=clock,
                rehearsal=rehearsal,
            )
        except SessionError as exc:
            raise LaunchError(str(exc)) from None
    try:
        session.record_cluster(
            target.context, target.namespace, sandbox=target.sandbox, problem=target.problem or ""
        )
    except SessionError as exc:
        warnings.append(str(exc))
    # the plan's own warnings (a mojibake repair...) once per plan file, not at every launch
    book = NoticeBook(data_dir() / "notices.json")
    warnings.extend(book.unseen(f"plan:{plan_sha256(plan) or plan.source}", list(plan.warnings)))
    loaded = load_config()
    session.use_learned = loaded.config.estimates.use_history
    owned: list[Any] = [sandbox] if sandbox is not None else []
    heap.STARTUP.hold()  # before the pods list starts: its page decodes pause the collector too
    if cluster_hub is AUTO:
        cluster_hub = connect_hub(options, target)
        if cluster_hub is not None:
            owned.insert(0, cluster_hub)  # stopped before the sandbox it talks to
    # Textual and the screen's modules (~0.2 s) load while the pods list is being fetched
    from cockpit.ui.app import CockpitApp
    from cockpit.ui.keymap import load_keymap
    from cockpit.ui.themes import saved_theme

    keymap, keymap_warnings = load_keymap(loaded)
    warnings.extend(keymap_warnings)
    return CockpitApp(
        plan,
        session,
        target,
        cluster_hub=cluster_hub,
        theme=options.theme or saved_theme() or loaded.config.theme,
        warnings=warnings,
        owned=owned,
        keymap=keymap,
    )


def no_kubeconfig_anywhere(options: LaunchOptions, environ: Mapping[str, str]) -> bool:
    """True when nothing names a cluster: no --kubeconfig/--context, no KUBECONFIG file that exists,
    no ~/.kube/config, and not running inside a pod."""
    if options.sandbox or options.kubeconfig or options.context or options.resume:
        return False
    if environ.get("KUBERNETES_SERVICE_HOST"):
        return False
    return not any(path.is_file() for path in kubeconfig_paths(None, environ))


def offer_sandbox(options: LaunchOptions, environ: Mapping[str, str], ask: Any = input) -> bool:
    """With no kubeconfig anywhere, offer the sandbox cluster instead of opening with no cluster.

    Asked on the terminal before the screen opens; never taken silently (a real context, when one
    exists, is never replaced). Returns True when the operator accepts."""
    listed = environ.get("KUBECONFIG", "").strip()
    where = f"no file of KUBECONFIG={listed} exists" if listed else "$KUBECONFIG is not set"
    print(
        f"cockpit: no kubeconfig found ({where} and ~/.kube/config does not exist).\n"
        "The built-in sandbox cluster (a simulated copy of the plan's 254Carbon cluster on 127.0.0.1) "
        "lets you rehearse the plan.",
        file=sys.stderr,
    )
    try:
        answer = ask("Open the cockpit against the sandbox cluster? [Y/n] ")
    except EOFError:
        return False
    return answer.strip().lower() in ("", "y", "yes")


def unknown_theme(name: str) -> str:
    """Why `--theme NAME` names no theme ('' when it does): house, the operator's own, Textual's."""
    from textual.theme import BUILTIN_THEMES

    from cockpit.ui.themes import all_themes

    names = {theme.name for theme in all_themes()[0]} | set(BUILTIN_THEMES)
    if name in names:
        return ""
    return f"unknown theme '{name}' (themes: {', '.join(sorted(names))})"


def run_app(options: LaunchOptions) -> int:
    """Open the cockpit; 2 with a one-line message when it cannot open."""
    if options.theme is not None and (unknown := unknown_theme(options.theme)):
        print(f"cockpit: {unknown}", file=sys.stderr)  # a mistyped --theme is a usage error
        return 2
    interactive = sys.stdin.isatty() and sys.stdout.isatty()
    if interactive and no_kubeconfig_anywhere(options, os.environ) and offer_sandbox(options, os.environ):
        options.sandbox = True
    try:
        app = build_app(options)
    except LaunchError as exc:
        print(f"cockpit: {exc}", file=sys.stderr)
        return 2
    result = app.run()
    for line in farewell(app):
        print(line)
    return int(result or 0)


def journal_grew_since_save(journal: Path, saved_bytes: int) -> bool:
    """Whether the journal (append-only) holds lines the last saved transcript does not show."""
    try:
        return journal.stat().st_size > saved_bytes
    except OSError:
        return False


def farewell(app: CockpitApp) -> list[str]:
    """What the shell shows after the screen closes: where the session's files are and how to go on."""
    import shlex

    journal = app.session.journal_path
    quoted = shlex.quote(str(journal))
    saved = app.saved_transcript
    if saved is not None and journal_grew_since_save(journal, app.saved_journal_bytes):
        # saved with `s`, then quit without saving: the file lacks what came after (at least the end)
        target = shlex.quote(str(saved))
        transcript = (
            f"transcript: {saved} is older than the session's end "
            f"(cockpit transcript {quoted} -o {target} brings it up to date)"
        )
    elif saved is not None:
        transcript = f"transcript: {saved}"
    else:
        transcript = f"transcript: not saved (cockpit transcript {quoted} -o transcript.md)"
    return [
        f"cockpit: session in {journal.parent}",
        f"  {transcript}",
        f"  resume: cockpit --resume {quoted}",
    ]
