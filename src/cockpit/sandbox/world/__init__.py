"""The sandbox's simulated world: the seed's 254Carbon cluster as a scenario file, built into the
Store and kept alive by controllers (kubelet back-off, ReplicaSets, Jobs, CronJobs, ArgoCD,
cert-manager, Velero), with believable pod logs and scale knobs for benchmarks.

    world = build_world(store, scenario=None, seed=0, pods=None, churn=0.0, time_scale=1.0)
    asyncio.create_task(world.run())     # or world.tick() from a test with a fake clock
    world.logs                           # a cockpit.sandbox.worldapi.LogSource
"""

from cockpit.sandbox.world.fields import ScenarioError
from cockpit.sandbox.world.scenario import Scenario, default_scenario_path, load_scenario, scenario_pod_count
from cockpit.sandbox.world.world import World, build_world

__all__ = [
    "Scenario",
    "ScenarioError",
    "World",
    "build_world",
    "default_scenario_path",
    "load_scenario",
    "scenario_pod_count",
]
