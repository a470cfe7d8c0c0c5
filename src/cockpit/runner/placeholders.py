"""Placeholders in plan commands: find them, ask the operator, fill them in shell-quoted.

Recognised (conservatively: a false prompt is annoying):
- `<pod>`, `<POD_NAME>`, `<pod-name>`: angle brackets around a name, outside redirections;
- `POD_NAME`: an unquoted shell word that is an all-caps name with an underscore (or a known
  placeholder word such as NAMESPACE, POD, NODE), not an assignment `FOO=bar`, not a flag value;
- `${NAMESPACE}` / `$NAMESPACE`: a variable that the command does not set itself and that is not
  in `env` (the environment the command will run with) nor a shell/well-known variable (HOME...);
- `{{name}}`: Go-template / Jinja style.
Command substitutions such as `$(date +%Y%m%d)` and single-quoted programs (awk, jq) are left alone.
Values are inserted quoted for where they land: `shlex.quote` unquoted, escaped inside "...".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Placeholder:
    """`name` is what the operator is asked for (and the key in `values`), `token` the text as
    written, `start`/`end` its offsets in the command, `style` one of angle, caps, var, braces."""

    name: str
    token: str
    start: int
    end: int
    style: str


def find_placeholders(cmd: str, env: Mapping[str, str] | None = None) -> list[Placeholder]:
    """Every placeholder occurrence in `cmd`, in order."""
    ...


def placeholder_names(cmd: str, env: Mapping[str, str] | None = None) -> list[str]:
    """The distinct names to ask for, in order of first appearance."""
    ...


def fill_placeholders(cmd: str, values: Mapping[str, str], env: Mapping[str, str] | None = None) -> str:
    """`cmd` with each placeholder whose name is in `values` replaced by its quoted value;
    the others are left as written."""
    ...
