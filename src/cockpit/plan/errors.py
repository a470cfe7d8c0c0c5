"""PlanError: a problem in a plan file the user can fix, named by file:line:column."""

from __future__ import annotations

from pathlib import PurePath


class PlanError(Exception):
    """A plan that cannot be loaded. `str()` reads "plan.md:12:3: expected ..." (line and column
    are 1-based and omitted when unknown), so the CLI prints it as one line, never a traceback."""

    def __init__(self, path: str | PurePath, line: int | None, column: int | None, message: str) -> None:
        self.path = str(path)
        self.line = line
        self.column = column
        self.message = " ".join(message.split())  # one line, whatever a parser said
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.message}"
