"""The runner layer: runs shell commands for the session and says what they would do.

- `process.CommandRun`: one shell command in a real pseudo-terminal, streamed, cancellable.
- `jobs.JobManager`: background jobs (`cmd &`, port-forwards), stopped when the session ends.
- `watch.Watch`: `watch CMD`, re-run every N seconds, each run replacing the last.
- `safety.classify`: does a command change the cluster, does it need the real terminal (fails
  closed; built on the one tokenizer and program table in `cockpit.shell`); `command_namespace`,
  `is_background`: what else a command line says about where and how it runs.
- `placeholders`: find `<pod>`, `POD_NAME`, `${NAMESPACE}`, `{{name}}` and fill them shell-quoted.
- `terminal.run_in_terminal`: a command that needs the real terminal, while the UI is suspended.
- `kubeenv.pin_kube_context`: a minified kubeconfig pinning the session's context and namespace.

No Textual here: callbacks run on the asyncio loop thread that started the run.
"""

from cockpit.runner.jobs import Job, JobManager, JobState
from cockpit.runner.kubeenv import KubeconfigError, KubeEnv, list_contexts, pin_kube_context
from cockpit.runner.placeholders import Placeholder, fill_placeholders, find_placeholders, placeholder_names
from cockpit.runner.process import CommandRun
from cockpit.runner.result import RunnerError, RunResult, RunState
from cockpit.runner.safety import Safety, classify, classify_template, command_namespace, is_background
from cockpit.runner.terminal import run_in_terminal
from cockpit.runner.watch import Watch, WatchRun, parse_watch

__all__ = [
    "CommandRun",
    "Job",
    "JobManager",
    "JobState",
    "KubeEnv",
    "KubeconfigError",
    "Placeholder",
    "RunResult",
    "RunState",
    "RunnerError",
    "Safety",
    "Watch",
    "WatchRun",
    "classify",
    "classify_template",
    "command_namespace",
    "fill_placeholders",
    "find_placeholders",
    "is_background",
    "list_contexts",
    "parse_watch",
    "pin_kube_context",
    "placeholder_names",
    "run_in_terminal",
]
