"""Tasks that check themselves: success criteria the cockpit can evaluate against live data.

`checks_for_task(node)` reads a task's success criteria, `verify:` command, briefing text and
commands, and recognises general shapes (not the seed's words only):
  - a certificate Ready: "certificate X is Ready", or a `kubectl get certificate X -n NS` command;
  - an application Synced and Healthy: "application X Synced and Healthy";
  - a count of applications: "15/17 applications Synced or Healthy", "all applications Synced";
  - no pod of a selector in CrashLoopBackOff: "no CrashLoopBackOff for app=X", and
    `kubectl wait --for=condition=ready pod -l SEL -n NS` (all pods of the selector Ready);
  - fewer than N pods not Running: "Target: <15 pods", "fewer than 15 pods not running";
  - pod health at least P%: "platform at 80% health", "pod health >= 80%";
  - a command exiting 0: a YAML `verify:` command, or "`CMD` exits 0".
`evaluate(check, snapshot, command_results)` gives True / False / None (cannot tell yet) and a
line saying why. The UI offers the tick when a check turns true; it never ticks by itself.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from cockpit.cluster.pods import PodSummary, selector_matches, totals
from cockpit.cluster.snapshot import ClusterSnapshot
from cockpit.plan.model import Node


class CheckKind(StrEnum):
    CERT_READY = "certificate-ready"
    APP_OK = "application-synced-healthy"
    APPS_COUNT = "applications-count"
    NO_CRASHLOOP = "no-crashloop"
    PODS_READY = "pods-ready"
    PODS_NOT_RUNNING_BELOW = "pods-not-running-below"
    POD_HEALTH_AT_LEAST = "pod-health-at-least"
    COMMAND_EXIT_ZERO = "command-exit-zero"


@dataclass(frozen=True, slots=True)
class LiveCheck:
    kind: CheckKind
    description: str  # what the task row shows: "certificate data-platform/spark-history-tls Ready"
    source: str  # the text or command it was recognised from
    name: str = ""
    namespace: str | None = None
    selector: str = ""
    threshold: float = 0.0
    total: int | None = None  # for "15/17": the plan's denominator
    statuses: tuple[str, ...] = ()  # ("Synced", "Healthy")
    all_of: bool = False  # statuses joined by "and" (else "or")
    cmd: str = ""


@dataclass(frozen=True, slots=True)
class CheckResult:
    ok: bool | None  # None: cannot tell (no data yet, CRD absent, command not run)
    detail: str


_NAME = r"[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?"
_CERT_TEXT = re.compile(
    rf"\bcertificate\s+`?(?P<name>{_NAME})`?\s+(?:is\s+|becomes\s+|shows\s+)?Ready\b", re.I
)
_APP_TEXT = re.compile(
    rf"\b(?:application|app)\s+`?(?P<name>{_NAME})`?\s+(?:is\s+)?Synced\s+and\s+Healthy\b", re.I
)
_APPS_COUNT = re.compile(
    r"\b(?P<n>\d+)\s*/\s*(?P<total>\d+)\s+(?:argo\s*cd\s+)?(?:applications|apps)\s+(?:are\s+)?"
    r"(?P<s1>Synced|Healthy)(?:\s+(?P<join>or|and)\s+(?P<s2>Synced|Healthy))?",
    re.I,
)
_APPS_ALL = re.compile(
    r"\ball\s+(?:argo\s*cd\s+)?(?:applications|apps)\s+(?:are\s+)?(?P<s1>Synced|Healthy)"
    r"(?:\s+(?P<join>or|and)\s+(?P<s2>Synced|Healthy))?",
    re.I,
)
_NO_CRASH = re.compile(
    r"\bno\s+(?:pods?\s+)?(?:(?:of|for|with|matching)\s+)?(?:-l\s+)?`?(?P<sel>[\w./-]+=[\w./-]+)`?\s+"
    r"(?:pods?\s+)?(?:is\s+|are\s+)?in\s+CrashLoopBackOff",
    re.I,
)
_NO_CRASH_APP = re.compile(
    rf"\bno\s+CrashLoopBackOff\s+(?:for|in|on)\s+(?:-l\s+)?`?(?P<sel>[\w./-]+=[\w./-]+|{_NAME})`?", re.I
)
_FEWER = re.compile(
    r"(?:\btarget:?\s*<\s*(?P<a>\d+)\s+pods\b)|(?:\b(?:fewer|less)\s+than\s+(?P<b>\d+)\s+pods\s+not\s+running)"
    r"|(?:\bpods\s+not\s+running\s*(?:<|below|under)\s*(?P<c>\d+))",
    re.I,
)
_HEALTH = re.compile(
    r"\b(?:platform|pod|cluster)\s+(?:at\s+)?(?P<a>\d+)%\+?\s+health\b|"
    r"\b(?:platform|pod|cluster)\s+health:?\s*(?:>=|≥|at\s+least)?\s*(?P<b>\d+)%",
    re.I,
)
_EXITS = re.compile(r"`(?P<cmd>[^`]+)`\s+(?:exits|returns|exit)\s+(?:with\s+)?(?:code\s+)?0\b", re.I)


def _opt(args: list[str], *names: str) -> str | None:
    for i, a in enumerate(args):
        for name in names:
            if a == name and i + 1 < len(args):
                return args[i + 1]
            if name.startswith("--") and a.startswith(name + "="):
                return a.split("=", 1)[1]
            if not name.startswith("--") and a.startswith(name) and len(a) > len(name):
                return a[len(name) :]
    return None


VALUE_FLAGS = frozenset(
    {
        "-n",
        "--namespace",
        "-l",
        "--selector",
        "--context",
        "--kubeconfig",
        "-o",
        "--output",
        "-c",
        "--container",
    }
    | {"--field-selector", "--for", "--timeout", "--cluster", "--user", "-f", "--filename"}
)


def _positionals(args: list[str]) -> list[str]:
    """kubectl's positional words: flags and the values of flags that take one removed."""
    out, skip = [], False
    for a in args:
        if skip:
            skip = False
        elif a.startswith("-"):
            skip = a in VALUE_FLAGS
        else:
            out.append(a)
    return out


def _from_command(cmd: str) -> list[LiveCheck]:
    """Checks implied by a verification command (kubectl get certificate X, kubectl wait ... -l SEL)."""
    try:
        args = shlex.split(cmd, comments=True)
    except ValueError:
        return []
    if len(args) < 3 or args[0] != "kubectl":
        return []
    ns = _opt(args, "-n", "--namespace")
    words = _positionals(args[1:])
    out: list[LiveCheck] = []
    if (
        words[:1] == ["get"]
        and len(words) >= 3
        and words[1] in ("certificate", "certificates", "cert", "certs")
    ):
        for name in words[2:]:
            where = f"{ns}/{name}" if ns else name
            out.append(
                LiveCheck(CheckKind.CERT_READY, f"certificate {where} Ready", cmd, name=name, namespace=ns)
            )
            break
    if (
        words[:1] == ["wait"]
        and any(w in ("pod", "pods", "po") for w in words[1:2])
        and any("condition=ready" in a.lower() for a in args)
    ):
        sel = _opt(args, "-l", "--selector")
        if sel:
            where = f" in {ns}" if ns else ""
            out.append(
                LiveCheck(CheckKind.PODS_READY, f"pods {sel}{where} Ready", cmd, namespace=ns, selector=sel)
            )
    return out


def _statuses(m: re.Match[str]) -> tuple[tuple[str, ...], bool]:
    statuses = tuple(s.capitalize() for s in (m["s1"], m["s2"]) if s)
    return statuses, (m["join"] or "").lower() == "and"


def _from_text(text: str) -> list[LiveCheck]:
    out: list[LiveCheck] = []
    for m in _CERT_TEXT.finditer(text):
        ns_m = re.search(rf"(?:-n\s+|in\s+(?:namespace\s+)?)`?({_NAME})`?", text[m.end() : m.end() + 40])
        ns = ns_m.group(1) if ns_m else None
        where = f"{ns}/{m['name']}" if ns else m["name"]
        out.append(
            LiveCheck(CheckKind.CERT_READY, f"certificate {where} Ready", text, name=m["name"], namespace=ns)
        )
    for m in _APP_TEXT.finditer(text):
        out.append(
            LiveCheck(CheckKind.APP_OK, f"application {m['name']} Synced and Healthy", text, name=m["name"])
        )
    for m in _APPS_COUNT.finditer(text):
        statuses, all_of = _statuses(m)
        join = " and " if all_of else " or "
        out.append(
            LiveCheck(
                CheckKind.APPS_COUNT,
                f"≥ {m['n']}/{m['total']} applications {join.join(statuses)}",
                text,
                threshold=float(m["n"]),
                total=int(m["total"]),
                statuses=statuses,
                all_of=all_of,
            )
        )
    for m in _APPS_ALL.finditer(text):
        statuses, all_of = _statuses(m)
        join = " and " if all_of else " or "
        out.append(
            LiveCheck(
                CheckKind.APPS_COUNT,
                f"all applications {join.join(statuses)}",
                text,
                threshold=-1,
                statuses=statuses,
                all_of=all_of,
            )
        )
    for m in list(_NO_CRASH.finditer(text)) + list(_NO_CRASH_APP.finditer(text)):
        sel = m["sel"] if "=" in m["sel"] else f"app={m['sel']}"
        out.append(LiveCheck(CheckKind.NO_CRASHLOOP, f"no {sel} pod in CrashLoopBackOff", text, selector=sel))
    for m in _FEWER.finditer(text):
        n = int(m["a"] or m["b"] or m["c"])
        out.append(
            LiveCheck(CheckKind.PODS_NOT_RUNNING_BELOW, f"fewer than {n} pods not Running", text, threshold=n)
        )
    for m in _HEALTH.finditer(text):
        p = int(m["a"] or m["b"])
        out.append(LiveCheck(CheckKind.POD_HEALTH_AT_LEAST, f"pod health ≥ {p}%", text, threshold=p))
    for m in _EXITS.finditer(text):
        out.append(LiveCheck(CheckKind.COMMAND_EXIT_ZERO, f"`{m['cmd']}` exits 0", text, cmd=m["cmd"]))
    return out


def checks_for_task(node: Node) -> list[LiveCheck]:
    """Every live check a task (or phase) states, without duplicates, in the order written.

    Its success criteria and `verify:` come first and, when they give checks, are the only ones;
    otherwise the title, briefing text and commands (with the comments above and below them:
    their description and notes, "# Target: <15 pods") are read.
    """
    stated: list[LiveCheck] = []
    for text in node.success_criteria:
        stated.extend(_from_text(text or ""))
    if node.verify is not None:
        stated.append(
            LiveCheck(
                CheckKind.COMMAND_EXIT_ZERO,
                f"`{node.verify.cmd}` exits 0",
                node.verify.cmd,
                cmd=node.verify.cmd,
            )
        )
        stated.extend(_from_command(node.verify.cmd))
    found = stated
    if not stated:
        for text in (node.title, node.text):
            found.extend(_from_text(text or ""))
        for command in node.commands:
            for comment in (command.description or "", *command.notes):
                found.extend(_from_text(comment))
            found.extend(_from_command(command.cmd))
    unique: dict[tuple[object, ...], LiveCheck] = {}
    for check in found:
        key = (
            check.kind,
            check.name,
            check.namespace,
            check.selector,
            check.threshold,
            check.statuses,
            check.cmd,
        )
        unique.setdefault(key, check)
    return list(unique.values())


def _select(pods: Iterable[PodSummary], selector: str, namespace: str | None) -> list[PodSummary]:
    return [
        p
        for p in pods
        if (namespace is None or p.namespace == namespace) and selector_matches(selector, p.label_map)
    ]


def evaluate(
    check: LiveCheck, snap: ClusterSnapshot, command_results: Mapping[str, int] | None = None
) -> CheckResult:
    """Is the check true now? `command_results` maps a command to its last exit code."""
    kind = check.kind
    if kind is CheckKind.COMMAND_EXIT_ZERO:
        code = (command_results or {}).get(check.cmd)
        if code is None:
            return CheckResult(None, "not run yet")
        return CheckResult(code == 0, f"exit {code}")
    if kind is CheckKind.CERT_READY:
        if snap.certs is None:
            return CheckResult(None, "certificates not available")
        for cert in snap.certs:
            if cert.name == check.name and (check.namespace is None or cert.namespace == check.namespace):
                if cert.is_ready:
                    return CheckResult(True, "Ready")
                return CheckResult(False, f"not Ready: {cert.reason or cert.ready}")
        return CheckResult(False, "no such certificate")
    if kind in (CheckKind.APP_OK, CheckKind.APPS_COUNT):
        if snap.apps is None:
            return CheckResult(None, "applications not available")
        if kind is CheckKind.APP_OK:
            app = next((a for a in snap.apps if a.name == check.name), None)
            if app is None:
                return CheckResult(False, "no such application")
            return CheckResult(app.ok, f"{app.sync}, {app.health}")
        test = all if check.all_of else any
        n = sum(1 for a in snap.apps if test(s in (a.sync, a.health) for s in check.statuses))
        total = len(snap.apps)
        need = total if check.threshold < 0 else check.threshold
        return CheckResult(total > 0 and n >= need, f"{n}/{total}")
    if snap.pods is None:
        return CheckResult(None, "pods not available")
    if kind is CheckKind.NO_CRASHLOOP:
        mine = _select(snap.pods, check.selector, check.namespace)
        bad = [p.name for p in mine if "CrashLoopBackOff" in p.status]
        if not mine:
            return CheckResult(None, f"no pods match {check.selector}")
        return CheckResult(
            not bad, f"{len(bad)} of {len(mine)} in CrashLoopBackOff" if bad else f"{len(mine)} ok"
        )
    if kind is CheckKind.PODS_READY:
        mine = _select(snap.pods, check.selector, check.namespace)
        if not mine:
            return CheckResult(False, f"no pods match {check.selector}")
        ready = sum(
            1 for p in mine if p.status == "Running" and p.ready.split("/")[0] == p.ready.split("/")[1]
        )
        return CheckResult(ready == len(mine), f"{ready}/{len(mine)} Ready")
    t = totals(snap.pods)
    if kind is CheckKind.PODS_NOT_RUNNING_BELOW:
        return CheckResult(t.not_running < check.threshold, f"{t.not_running} not Running")
    return CheckResult(t.health_percent >= check.threshold, t.health_text)


@dataclass(frozen=True, slots=True)
class TaskCheck:
    """A check of one plan node, with its result now."""

    node_id: str
    title: str
    check: LiveCheck
    result: CheckResult


class PlanChecks:
    """The live checks of a whole plan, and which nodes just turned true (to offer their tick)."""

    def __init__(self, nodes: Iterable[Node]) -> None:
        self.by_node: dict[str, tuple[Node, list[LiveCheck]]] = {}
        for node in nodes:
            checks = checks_for_task(node)
            if checks:
                self.by_node[node.id] = (node, checks)
        self._was_true: dict[str, bool] = {}

    def evaluate(
        self, snap: ClusterSnapshot, command_results: Mapping[str, int] | None = None
    ) -> list[TaskCheck]:
        return [
            TaskCheck(node_id, node.title, check, evaluate(check, snap, command_results))
            for node_id, (node, checks) in self.by_node.items()
            for check in checks
        ]

    def turned_true(self, results: Iterable[TaskCheck]) -> list[str]:
        """Node ids whose checks are now all true and were not at the previous call."""
        verdict: dict[str, bool] = {}
        for r in results:
            verdict[r.node_id] = verdict.get(r.node_id, True) and r.result.ok is True
        turned = [nid for nid, ok in verdict.items() if ok and self._was_true.get(nid) is False]
        for nid, ok in verdict.items():
            self._was_true[nid] = ok
        return turned
