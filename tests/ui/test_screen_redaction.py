"""What the Output pane shows is what the session wrote: redacted, with the values it learned from
a Secret masked in a later command's output, a decoder's output withheld, and a line still being
written (a prompt) shown as far as it came, masked too."""

from __future__ import annotations

import base64

from cockpit.session.gate import Request
from cockpit.ui.app import CockpitApp
from cockpit.ui.widgets.output_pane import RunView

from .conftest import AppFactory, runs, wait_for

PASSWORD = "Zq8-hunter2-Xk81"
ENCODED = base64.b64encode(PASSWORD.encode()).decode()
SECRET_YAML = (
    f"apiVersion: v1\\ndata:\\n  password: {ENCODED}\\nkind: Secret\\nmetadata:\\n  name: app-creds\\n"
)
TOKEN = "ghp_" + "aB3dE5gH7jK9mN1pQ3sT5vX7zA9cE1gI3kM5"


def shown(view: RunView) -> str:
    """Everything the pane shows of a run: its `$ command` line, then its output."""
    return "\n".join(str(line) for line in view.buffer.visible_lines())


async def start(app: CockpitApp, cmd: str) -> RunView:
    before = len(runs(app))
    outcome = await app.runs.gate.submit(Request.command(cmd, None, adhoc=True))
    assert outcome.status == "started", outcome
    assert len(runs(app)) > before
    return runs(app)[-1]


async def finish(app: CockpitApp, pilot: object, cmd: str) -> RunView:
    view = await start(app, cmd)
    await wait_for(lambda: view.state != "running", pilot)
    return view


async def test_the_output_pane_shows_redacted_output_only(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        secret = await finish(app, pilot, f"printf '{SECRET_YAML}'  # a Secret, as kubectl prints it")
        assert "password: ***" in shown(secret) and ENCODED not in shown(secret)  # also in the command
        # the value was learned: a later command printing it (split, so the command line does not
        # hold it) shows it masked
        later = await finish(app, pilot, f"echo 'connected with {PASSWORD[:4]}'\"{PASSWORD[4:]}\"")
        assert "connected with ***" in shown(later) and PASSWORD not in shown(later)
        token = await finish(app, pilot, f"printf 'token {TOKEN[:6]}%s\\n' {TOKEN[6:]}")
        assert "token ***" in shown(token) and TOKEN not in shown(token)
        decoded = await finish(app, pilot, "kubectl get secret x -o jsonpath='{.data.password}' | base64 -d")
        assert "output withheld" in shown(decoded)

        prompt = await start(app, f"printf 'Password: {PASSWORD[:4]}'\"{PASSWORD[4:]}\"; sleep 30")
        await wait_for(lambda: shown(prompt).splitlines()[-1].startswith("Password:"), pilot)
        assert shown(prompt).splitlines()[-1] == "Password: ***"  # the open line, masked
        await app.runs.cancel(prompt.key)
        await wait_for(lambda: prompt.state != "running", pilot)
        assert PASSWORD not in shown(prompt)
