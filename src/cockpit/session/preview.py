"""What a change would do, shown in its confirmation before the operator answers.

For a kubectl command that changes objects (`apply`, `create`, `replace`, `patch`, `set`, `scale`,
`label`, `annotate`, `delete`, `rollout restart|undo|pause|resume`) the previewer asks the API
server, without changing anything:

- `apply`: `kubectl diff` with the same arguments (the server-side dry run of the apply);
- `delete`: the same command with `--dry-run=server -o name`: the exact objects that would go
  (a selector or `--all` is resolved by the server);
- the others: the same command with `--dry-run=server -o yaml` (the would-be objects), compared
  with the live objects (`kubectl get -f -`) as a unified diff per object.

A pane action previews through its kubectl equivalent (or, for a certificate re-issue, by naming
the request that would be deleted). Whatever happens, the preview answers within its budget
(2 s by default) or says "preview unavailable: <why>"; the operator decides either way.
Everything here reads: `--dry-run=server` writes nothing (the sandbox honours it too).
"""

from __future__ import annotations

import asyncio
import contextlib
import difflib
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import yaml

from cockpit.session.actions import REISSUE, PaneAction
from cockpit.shell import literal_words, program_name

PREVIEW_BUDGET_S = 2.0
MAX_LINES = 60
KUBECTL = frozenset({"kubectl", "oc"})
DRY_RUN_VERBS = frozenset({"create", "replace", "patch", "set", "label", "annotate"})
ROLLOUT_VERBS = frozenset({"undo", "pause", "resume"})  # `restart` is previewed as its patch
HELM_DRY_RUN = frozenset({"install", "upgrade", "uninstall", "rollback"})
# kubectl's global options that take a value as the next word (`-n ns`, `--context c`)
VALUE_FLAGS = frozenset(
    {
        "-n",
        "--namespace",
        "--context",
        "--kubeconfig",
        "--cluster",
        "--user",
        "-s",
        "--server",
        "--token",
        "--as",
        "--as-group",
        "--request-timeout",
        "--cache-dir",
        "-v",
        "--v",
    }
)
RESTARTED_AT = "kubectl.kubernetes.io/restartedAt"
NOISE = ("managedFields", "resourceVersion", "generation")  # metadata a dry run always changes


@dataclass(frozen=True, slots=True)
class Preview:
    """What the confirmation shows: `lines` as (kind, text), kind one of "title" (a heading),
    "+" (added), "-" (removed), "@" (a hunk header), " " (context), "item" (an object that would be
    deleted); or `unavailable`, why there is no preview."""

    lines: tuple[tuple[str, str], ...] = ()
    unavailable: str = ""

    @classmethod
    def missing(cls, why: str) -> Preview:
        return cls((), f"preview unavailable: {why}")

    @property
    def text(self) -> str:
        return self.unavailable or "\n".join(text for _kind, text in self.lines)


@dataclass(slots=True)
class Previewer:
    """Previews changes with the real kubectl against the session's pinned target (`env`)."""

    env: Mapping[str, str] = field(default_factory=dict)
    budget: float = PREVIEW_BUDGET_S
    kubectl: str = "kubectl"
    cluster: Any = None  # a ClusterHub: re-issue previews read the certificate's requests through it

    async def preview(self, text: str, action: PaneAction | None = None) -> Preview:
        """The preview of a command line (or of a pane action), within the budget."""
        try:
            return await asyncio.wait_for(self._preview(text, action), self.budget)
        except TimeoutError:
            return Preview.missing(f"the API server did not answer within {self.budget:g} s")

    async def _preview(self, text: str, action: PaneAction | None) -> Preview:
        if action is not None:
            if action.verb == REISSUE:
                return await asyncio.to_thread(self._reissue, action)
            text = action.equivalent
        words = literal_words(text)
        if words is None:
            return Preview.missing("the line is not one plain kubectl command")
        program = program_name(words[0]) if words else ""
        verb, sub = _verb(words)
        if program == "helm" and verb in HELM_DRY_RUN:
            return await self._tool_dry_run(words, f"helm {verb} --dry-run (nothing is installed):")
        if program == "argocd" and (verb, sub) == ("app", "sync"):
            return await self._tool_dry_run(words, "argocd app sync --dry-run (nothing is synced):")
        if program not in KUBECTL:
            shown = words[0] if words else "it"
            return Preview.missing(
                f"{shown} is not kubectl; only kubectl, helm and argocd changes are previewed"
            )
        if verb == "edit":
            return Preview.missing("kubectl edit opens an editor; the change is known only when you save")
        if verb == "apply":
            return await self._diff(words, verb)
        if verb == "delete":
            return await self._deletes(words)
        if verb == "scale":
            return await self._scale(words)
        if verb == "rollout" and sub == "restart":
            return await self._dry_run(_restart_as_patch(words))
        if verb in DRY_RUN_VERBS or (verb == "rollout" and sub in ROLLOUT_VERBS):
            return await self._dry_run(words)
        return Preview.missing(f"cockpit does not preview kubectl {verb or '(no verb)'}")

    async def _run(self, argv: list[str], stdin: str | None = None) -> tuple[int, str, str]:
        env = {**os.environ, **self.env}
        try:
            proc = await asyncio.create_subprocess_exec(
                *argv,
                stdin=asyncio.subprocess.PIPE if stdin is not None else asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                env=env,
            )
        except OSError as exc:
            raise PreviewError(f"{argv[0]} cannot run ({exc.strerror})") from None
        try:
            out, err = await proc.communicate(stdin.encode() if stdin is not None else None)
        except asyncio.CancelledError:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            await proc.wait()
            raise
        return proc.returncode or 0, out.decode(errors="replace"), err.decode(errors="replace")

    def _argv(self, words: list[str], *extra: str) -> list[str]:
        return [self.kubectl, *_with_options(words[1:], extra)]

    async def _tool_dry_run(self, words: list[str], title: str) -> Preview:
        """helm and argocd print what a dry run would do (rendered manifests, the resources a sync
        would apply): shown as they print it."""
        try:
            code, out, err = await self._run([words[0], *_with_options(words[1:], ("--dry-run",))])
        except PreviewError as exc:
            return Preview.missing(str(exc))
        if code != 0:
            return Preview.missing(_first_line(err) or f"{words[0]} exited {code}")
        return _cap([("title", title), *((" ", line) for line in out.splitlines())])

    async def _diff(self, words: list[str], verb: str) -> Preview:
        index = words.index(verb)
        argv = self._argv([*words[:index], "diff", *words[index + 1 :]])
        try:
            code, out, err = await self._run(argv)
        except PreviewError as exc:
            return Preview.missing(str(exc))
        if code > 1:
            return Preview.missing(_first_line(err) or f"kubectl diff exited {code}")
        if not out.strip():
            return Preview((("title", "No changes: the live objects already match."),))
        return _cap([("title", "kubectl diff (server-side dry run of the apply):"), *_diff_lines(out)])

    async def _deletes(self, words: list[str]) -> Preview:
        try:
            code, out, err = await self._run(self._argv(words, "--dry-run=server", "-o", "name"))
        except PreviewError as exc:
            return Preview.missing(str(exc))
        if code != 0:
            return Preview.missing(_first_line(err) or f"kubectl exited {code}")
        names = [line.strip() for line in out.splitlines() if line.strip()]
        if not names:
            return Preview((("title", "Nothing matches: no object would be deleted."),))
        head = f"{len(names)} object{'s' if len(names) != 1 else ''} would be deleted:"
        return _cap([("title", head), *(("item", name) for name in names)])

    async def _scale(self, words: list[str]) -> Preview:
        """`kubectl scale --dry-run=server -o yaml` validates on the server and prints the objects as
        they are (kubectl prints what it fetched): the change is their replicas, set to N."""
        replicas = _option(words, "--replicas")
        if replicas is None or not replicas.isdigit():
            return Preview.missing("kubectl scale without --replicas=N")
        try:
            code, live_yaml, err = await self._run(self._argv(words, "--dry-run=server", "-o", "yaml"))
        except PreviewError as exc:
            return Preview.missing(str(exc))
        if code != 0:
            return Preview.missing(_first_line(err) or f"kubectl exited {code}")
        lines: list[tuple[str, str]] = []
        for live in _objects(live_yaml):
            after = {**live, "spec": {**(live.get("spec") or {}), "replicas": int(replicas)}}
            lines += _object_diff(live, after)
        return _cap(lines) if lines else Preview.missing("the dry run returned no object")

    async def _dry_run(self, words: list[str]) -> Preview:
        try:
            code, after_yaml, err = await self._run(self._argv(words, "--dry-run=server", "-o", "yaml"))
            if code != 0:
                return Preview.missing(_first_line(err) or f"kubectl exited {code}")
            after = _objects(after_yaml)
            if not after:
                return Preview.missing("the dry run returned no object")
            get = [self.kubectl, *_target_flags(words), "get", "-f", "-", "-o", "yaml", "--ignore-not-found"]
            code, live_yaml, err = await self._run(get, stdin=after_yaml)
        except PreviewError as exc:
            return Preview.missing(str(exc))
        if code != 0:
            return Preview.missing(f"cannot read the live objects: {_first_line(err) or code}")
        live = {_key(o): o for o in _objects(live_yaml)}
        lines: list[tuple[str, str]] = []
        for obj in after:
            lines += _object_diff(live.get(_key(obj)), obj)
        return _cap(lines)

    def _reissue(self, action: PaneAction) -> Preview:
        from cockpit.cluster.certs import latest_request
        from cockpit.cluster.errors import ClusterError

        api = getattr(self.cluster, "api", None)
        if api is None:
            return Preview.missing("no cluster connected")
        try:
            name = latest_request(api, action.namespace, action.name, action.uid)
        except ClusterError as exc:
            return Preview.missing(exc.sentence)
        if name is None:
            return Preview.missing("the certificate has no CertificateRequest yet")
        return Preview(
            (
                ("title", "1 object would be deleted:"),
                ("item", f"certificaterequest.cert-manager.io/{name} -n {action.namespace}"),
                ("title", "cert-manager then creates the next request for the certificate."),
            )
        )


class PreviewError(Exception):
    """The preview could not be made; the message says why."""


def _with_options(args: list[str], options: tuple[str, ...]) -> list[str]:
    """`args` with `options` added where they are options: before a `--`, after which every word
    is an argument (`kubectl create job x -- cmd --dry-run=server` would really create the job)."""
    if "--" not in args:
        return [*args, *options]
    end = args.index("--")
    return [*args[:end], *options, *args[end:]]


def _verb(words: list[str]) -> tuple[str, str]:
    """kubectl's verb (and the word after it: rollout's sub-command), skipping global options."""
    found: list[str] = []
    skip = False
    for word in words[1:]:
        if skip:
            skip = False
            continue
        if word.startswith("-"):
            skip = word in VALUE_FLAGS
            continue
        found.append(word)
        if len(found) == 2:
            break
    return (found[0] if found else "", found[1] if len(found) > 1 else "")


def _object_diff(before: Mapping[str, Any] | None, after: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The unified diff of one object, live against after (metadata the dry run always bumps left out)."""
    kind, namespace, name = _key(after)
    label = f"{kind}/{name}" + (f" -n {namespace}" if namespace else "")
    diff = difflib.unified_diff(
        _yaml_lines(before),
        _yaml_lines(after),
        f"live {label}" if before is not None else "(does not exist yet)",
        f"after {label} (server dry run)",
        n=2,
    )
    return _diff_lines("".join(diff)) or [("title", f"{label}: no change")]


def _option(words: list[str], name: str) -> str | None:
    """The value of `--name=V` or `--name V`, None when absent."""
    for i, word in enumerate(words):
        if word.startswith(name + "="):
            return word.split("=", 1)[1]
        if word == name and i + 1 < len(words):
            return words[i + 1]
    return None


def _restart_as_patch(words: list[str]) -> list[str]:
    """`kubectl rollout restart R` is a patch of R's pod template annotation (kubectl has no dry run
    for it): the same patch, so the server can dry-run it."""
    index = words.index("rollout")
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    patch = {"spec": {"template": {"metadata": {"annotations": {RESTARTED_AT: now}}}}}
    rest = words[index + 2 :]
    return [*words[:index], "patch", *rest, "--type", "merge", "-p", json.dumps(patch)]


def _target_flags(words: list[str]) -> list[str]:
    """The command's own --context/--kubeconfig/-n (so the live objects are read where it writes)."""
    out: list[str] = []
    for i, word in enumerate(words):
        name = word.split("=", 1)[0]
        if name in ("--context", "--kubeconfig", "--cluster", "--server", "-s", "-n", "--namespace"):
            out += [word] if "=" in word else words[i : i + 2]
    return out


def _objects(text: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    try:
        docs = list(yaml.safe_load_all(text))
    except yaml.YAMLError:
        return out
    for doc in docs:
        if not isinstance(doc, dict):
            continue
        if doc.get("kind") == "List" or (str(doc.get("kind", "")).endswith("List") and "items" in doc):
            out += [item for item in doc.get("items") or [] if isinstance(item, dict)]
        else:
            out.append(doc)
    return out


def _key(obj: Mapping[str, Any]) -> tuple[str, str, str]:
    meta = obj.get("metadata") or {}
    return (str(obj.get("kind", "")).lower(), str(meta.get("namespace") or ""), str(meta.get("name") or ""))


def _yaml_lines(obj: Mapping[str, Any] | None) -> list[str]:
    if obj is None:
        return []
    clean = dict(obj)
    meta = {k: v for k, v in (obj.get("metadata") or {}).items() if k not in NOISE}
    clean["metadata"] = meta
    return yaml.safe_dump(clean, sort_keys=True, default_flow_style=False).splitlines(keepends=True)


def _diff_lines(diff: str) -> list[tuple[str, str]]:
    lines: list[tuple[str, str]] = []
    for line in diff.splitlines():
        if line.startswith(("---", "+++")):
            lines.append(("title", line))
        elif line.startswith("@@"):
            lines.append(("@", line))
        elif line.startswith("+"):
            lines.append(("+", line))
        elif line.startswith("-"):
            lines.append(("-", line))
        elif line.startswith("diff "):
            continue  # `kubectl diff` names its temp files; the ---/+++ lines say which object
        else:
            lines.append((" ", line))
    return lines


def _cap(lines: list[tuple[str, str]]) -> Preview:
    if len(lines) > MAX_LINES:
        more = len(lines) - MAX_LINES
        lines = [*lines[:MAX_LINES], ("title", f"… {more} more line{'s' if more != 1 else ''}")]
    return Preview(tuple(lines))


KLOG = re.compile(r"^[IWEF]\d{4} \d{2}:\d{2}:\d{2}")  # client-go's log lines (timestamps, retries)


def _first_line(text: str) -> str:
    """kubectl's own one-line reason from its stderr, client-go's log lines left out."""
    lines = [line.strip() for line in text.splitlines() if line.strip() and not KLOG.match(line.strip())]
    return lines[-1] if lines else ""
