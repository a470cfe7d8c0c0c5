"""The sandbox cluster: a Kubernetes API subset on 127.0.0.1 that real kubectl and the kubernetes
Python client talk to, over a simulated world (cockpit.sandbox.world).

`Sandbox(...).start()` / `start(...)` run it in a background thread (see cockpit.sandbox.server).
"""

from __future__ import annotations

from cockpit.sandbox.server import Sandbox, SandboxError, start

__all__ = ["Sandbox", "SandboxError", "start"]
