"""Platform health: service URL checks, PromQL metrics, Velero backups, Grafana and Loki.

Plain data out, no Textual: the Platform pane (cockpit.ui.panes.platform) shows what this
package produces. Everything that touches the network is async (httpx) and never blocks; the
blocking kube client is only used from threads.

The public surface:
- `PlatformMonitor(config, plan, kube_api=None, informers=None)`; `await monitor.run(on_update)`
  hands out immutable `PlatformSnapshot`s; `set_active(bool)`, `refresh_now()`.
- `load_platform_config(path=None, prometheus_url=None, loki_url=None) -> PlatformConfig`.
- `live_metric_value(snapshot, metric_name) -> float | None`: a plan success metric's live value
  when it is bound to a PromQL query; `snapshot.record()` / `snapshot.summary_lines()` for the
  session's metrics and the transcript.
"""

from __future__ import annotations

from cockpit.cluster.platform.config import PlatformConfig, PlatformConfigError, load_platform_config
from cockpit.cluster.platform.monitor import PlatformMonitor
from cockpit.cluster.platform.snapshot import PlatformSnapshot
from cockpit.cluster.platform.spec import CheckSpecError, ServiceCheck


def live_metric_value(snapshot: PlatformSnapshot | None, metric_name: str) -> float | None:
    """The live value of the plan metric `metric_name` from its bound PromQL query, else None."""
    return None if snapshot is None else snapshot.metric_value(metric_name)


__all__ = [
    "CheckSpecError",
    "PlatformConfig",
    "PlatformConfigError",
    "PlatformMonitor",
    "PlatformSnapshot",
    "ServiceCheck",
    "live_metric_value",
    "load_platform_config",
]
