"""What the scheduler and the kubelets do to a pod: place it, pull its image, start it, restart it.

Every pod the world knows has a `PodRun`: the behaviour its workload gives it (healthy, crash-looping,
failing to pull, unschedulable, run-to-completion) and where it is in its life. Steps are timers on
the world's clock, so a test with a fake clock sees the exact kubelet back-off (10s doubling to 5m).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cockpit.sandbox import errors
from cockpit.sandbox.resources import PODS
from cockpit.sandbox.world import pods as P
from cockpit.sandbox.world.scenario import Behaviour

if TYPE_CHECKING:
    from cockpit.sandbox.world.world import World

Obj = dict[str, Any]


@dataclass
class PodRun:
    namespace: str
    name: str
    uid: str
    behaviour: Behaviour
    profile: str
    image: str = ""  # the image the scenario's failure applies to
    requests: Any = None  # the requests the scenario's `pending` applies to
    owner_key: str = ""  # workload key, for healthy_replicas and heal conditions
    base_hash: str = ""  # the template hash the scenario built
    run_to_completion: bool = False
    flaky_pull: float = 0.0
    run_for: float = 30.0
    token: int = 0
    failures: int = 0
    pull_failures: int = 0
    started: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)


def _pull_message(image: str, error: str) -> str:
    repo = image.rsplit(":", 1)[0]
    if error == "denied":
        return (
            f'Failed to pull image "{image}": failed to pull and unpack image "{image}": failed to resolve '
            f'reference "{image}": pull access denied, repository does not exist or may require '
            f"authorization: server message: insufficient_scope: authorization failed"
        )
    if error == "flaky":
        return (
            f'Failed to pull image "{image}": failed to pull and unpack image "{image}": failed to copy: '
            f"httpReadSeeker: failed open: failed to do request: Get "
            f'"https://ghcr.io/v2/{repo.split("/", 1)[-1]}'
            f'/blobs/sha256:3f1d": net/http: TLS handshake timeout'
        )
    return (
        f'Failed to pull image "{image}": rpc error: code = NotFound desc = failed to pull and unpack image '
        f'"{image}": failed to resolve reference "{image}": {image}: not found'
    )


class Kubelet:
    def __init__(self, world: World) -> None:
        self.world = world
        self.runs: dict[tuple[str, str], PodRun] = {}

    # ---- bookkeeping -----------------------------------------------------------------------------

    def adopt(self, run: PodRun) -> None:
        self.runs[(run.namespace, run.name)] = run

    def forget(self, namespace: str, name: str, uid: str | None = None) -> None:
        """Stop simulating a pod (of this uid only, when given: a StatefulSet's new pod has the old name)."""
        run = self.runs.get((namespace, name))
        if run is None or (uid is not None and run.uid and run.uid != uid):
            return
        del self.runs[(namespace, name)]
        run.token += 1

    def launch(self, run: PodRun) -> None:
        """A new Pending pod: schedule it shortly."""
        self.adopt(run)
        self._later(run, 0.3, self._schedule)

    def _later(self, run: PodRun, delay: float, step: Any) -> None:
        self.world.after(delay, self._guard, run, run.token, step)

    def _guard(self, run: PodRun, token: int, step: Any) -> None:
        if run.token != token or self.runs.get((run.namespace, run.name)) is not run:
            return
        entry = self.world.store.entry(PODS, run.namespace, run.name)
        if entry is None or entry.obj["metadata"]["uid"] != run.uid:
            self.forget(run.namespace, run.name)
            return
        step(run, entry.obj)

    def _write(self, run: PodRun, change: Any) -> Obj | None:
        try:
            return self.world.store.mutate(PODS, run.namespace, run.name, change)
        except errors.ApiError:
            self.forget(run.namespace, run.name)
            return None

    # ---- decisions -------------------------------------------------------------------------------

    def crashes(self, run: PodRun, pod: Obj) -> bool:
        b = run.behaviour
        if b.mode != "crashloop" or self.world.healed(run, pod):
            return False
        if b.healthy_replicas:
            return self.world.replica_index(run, pod) >= b.healthy_replicas
        return True

    def pull_fails(self, run: PodRun, pod: Obj) -> str | None:
        image = pod["spec"]["containers"][0]["image"]
        b = run.behaviour
        node = pod["spec"].get("nodeName", "")
        missing = b.image_nodes is None or node not in b.image_nodes
        if b.mode == "image_pull" and image == run.image and missing and not self.world.healed(run, pod):
            return b.pull_error
        if run.flaky_pull and self.world.rng.random() < run.flaky_pull:
            return "flaky"
        return None

    def unschedulable(self, run: PodRun, pod: Obj) -> bool:
        if run.behaviour.mode != "pending" or self.world.healed(run, pod):
            return False
        return pod["spec"]["containers"][0].get("resources") == run.requests

    # ---- steps -----------------------------------------------------------------------------------

    def _schedule(self, run: PodRun, pod: Obj) -> None:
        now = self.world.now()
        if self.unschedulable(run, pod):
            message = run.behaviour.pending_message
            self._write(run, lambda p: P.set_unschedulable(p, now, message))
            self.world.events.record(pod, "FailedScheduling", message, now, warning=True)
            self._later(run, 60.0, self._schedule)
            return
        node = pod["spec"].get("nodeName") or self.world.pick_node(pod)
        if node is None:
            message = "0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector."
            self._write(run, lambda p: P.set_unschedulable(p, now, message))
            self.world.events.record(pod, "FailedScheduling", message, now, warning=True)
            self._later(run, 60.0, self._schedule)
            return
        host_ip, pod_ip = self.world.node_ip(node), self.world.next_pod_ip(node)
        updated = self._write(run, lambda p: P.bind(p, node, host_ip, pod_ip, now))
        if updated is None:
            return
        ns, name = run.namespace, run.name
        self.world.events.record(updated, "Scheduled", f"Successfully assigned {ns}/{name} to {node}", now)
        self._later(run, 0.5, self._pull)

    def _pull(self, run: PodRun, pod: Obj) -> None:
        now = self.world.now()
        c = pod["spec"]["containers"][0]
        image, cname = c["image"], c["name"]
        field_path = f"spec.containers{{{cname}}}"
        rec = self.world.events.record
        error = self.pull_fails(run, pod)
        if error:
            run.pull_failures += 1
            recorded = run.behaviour.pull_message if error != "flaky" else ""
            message = recorded or _pull_message(image, error)
            self._write(run, lambda p: P.set_pull_failed(p, "ErrImagePull", message))
            rec(pod, "Pulling", f'Pulling image "{image}"', now, field_path=field_path)
            rec(pod, "Failed", message, now, warning=True, field_path=field_path)
            rec(pod, "Failed", "Error: ErrImagePull", now, warning=True, field_path=field_path)
            self._later(run, 1.0, self._pull_backoff)
            return
        run.pull_failures = 0
        node = pod["spec"].get("nodeName", "")
        if c.get("imagePullPolicy") != "Always" and self.world.image_on_node(image, node):
            rec(
                pod,
                "Pulled",
                f'Container image "{image}" already present on machine',
                now,
                field_path=field_path,
            )
        else:
            rec(pod, "Pulling", f'Pulling image "{image}"', now, field_path=field_path)
            size = self.world.image_size(image)
            rec(
                pod,
                "Pulled",
                f'Successfully pulled image "{image}" in 2.481s (2.481s including waiting). '
                f"Image size: {size} bytes.",
                now,
                field_path=field_path,
            )
            self.world.note_image(image, node)
        self._start(run, pod)

    def _pull_backoff(self, run: PodRun, pod: Obj) -> None:
        now = self.world.now()
        c = pod["spec"]["containers"][0]
        image = c["image"]
        message = f'Back-off pulling image "{image}"'
        self._write(run, lambda p: P.set_pull_failed(p, "ImagePullBackOff", message))
        field_path = f"spec.containers{{{c['name']}}}"
        self.world.events.record(pod, "BackOff", message, now, field_path=field_path)
        self.world.events.record(
            pod, "Failed", "Error: ImagePullBackOff", now, warning=True, field_path=field_path
        )
        self._later(run, max(P.backoff_delay(run.pull_failures) - 1.0, 1.0), self._pull)

    def _start(self, run: PodRun, pod: Obj) -> None:
        now = self.world.now()
        cname = pod["spec"]["containers"][0]["name"]
        cid, image_id = (
            self.world.ids.container_id(),
            self.world.image_id(pod["spec"]["containers"][0]["image"]),
        )
        first = not pod["status"].get("containerStatuses") or (
            pod["status"]["containerStatuses"][0].get("restartCount", 0) == 0
            and not pod["status"]["containerStatuses"][0].get("lastState")
        )
        if first:
            updated = self._write(
                run, lambda p: P.set_running(p, now, ready=False, container_id=cid, image_id=image_id)
            )
        else:
            updated = self._write(run, lambda p: P.restart(p, now, container_id=cid, image_id=image_id))
        if updated is None:
            return
        run.started = now
        field_path = f"spec.containers{{{cname}}}"
        self.world.events.record(updated, "Created", f"Created container {cname}", now, field_path=field_path)
        self.world.events.record(updated, "Started", f"Started container {cname}", now, field_path=field_path)
        if run.run_to_completion:
            self._later(run, run.run_for, self._finish)
        elif self.crashes(run, updated):
            self._later(run, run.behaviour.run_for, self._crash)
        else:
            self._later(run, 3.0, self._ready)

    def _ready(self, run: PodRun, pod: Obj) -> None:
        now = self.world.now()
        run.failures = 0
        self._write(run, lambda p: P.set_ready(p, now))

    def _crash(self, run: PodRun, pod: Obj) -> None:
        now = self.world.now()
        exit_code, reason = run.behaviour.exit_code, run.behaviour.crash_reason
        self._write(run, lambda p: P.set_crashed(p, now, exit_code, reason))
        run.failures += 1
        self._later(run, 1.0, self._backoff)

    def _backoff(self, run: PodRun, pod: Obj) -> None:
        now = self.world.now()
        delay = P.backoff_delay(run.failures)
        self._write(run, lambda p: P.set_crash_backoff(p, delay))
        c = pod["spec"]["containers"][0]["name"]
        meta = pod["metadata"]
        where = f"{meta['name']}_{meta['namespace']}({meta['uid']})"
        message = f"Back-off restarting failed container {c} in pod {where}"
        self.world.events.record(
            pod, "BackOff", message, now, warning=True, field_path=f"spec.containers{{{c}}}"
        )
        self._later(run, max(delay - 1.0, 0.5), self._restart)

    def _restart(self, run: PodRun, pod: Obj) -> None:
        now = self.world.now()
        c = pod["spec"]["containers"][0]
        field_path = f"spec.containers{{{c['name']}}}"
        self.world.events.record(
            pod,
            "Pulled",
            f'Container image "{c["image"]}" already present on machine',
            now,
            field_path=field_path,
        )
        self._start(run, pod)

    def _finish(self, run: PodRun, pod: Obj) -> None:
        now = self.world.now()
        exit_code = run.behaviour.exit_code if run.behaviour.mode == "crashloop" else 0
        cid = pod["status"]["containerStatuses"][0].get("containerID", "")
        image_id = pod["status"]["containerStatuses"][0].get("imageID", "")
        started = run.started
        self._write(
            run,
            lambda p: P.set_finished(
                p, now, exit_code=exit_code, started=started, container_id=cid, image_id=image_id
            ),
        )
        self.forget(run.namespace, run.name)

    # ---- scenario start ---------------------------------------------------------------------------

    def resume(self, run: PodRun, pod: Obj, *, next_in: float, step: str) -> None:
        """Continue a pod built mid-life: `step` ("restart", "pull", "schedule", "crash", "finish",
        "ready") happens `next_in` seconds from now."""
        self.adopt(run)
        steps = {
            "restart": self._restart,
            "pull": self._pull,
            "schedule": self._schedule,
            "crash": self._crash,
            "finish": self._finish,
            "ready": self._ready,
        }
        self._later(run, next_in, steps[step])
