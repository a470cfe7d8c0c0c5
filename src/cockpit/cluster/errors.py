"""Errors the cluster layer raises, each carrying one sentence an operator can act on."""

from __future__ import annotations

from enum import StrEnum


class Problem(StrEnum):
    """Why live data is missing, in the words a pane shows."""

    NO_CLUSTER = "no-cluster"
    UNREACHABLE = "unreachable"
    TIMEOUT = "timeout"  # connected (or connecting), but no answer within the deadline
    UNAUTHORIZED = "unauthorized"
    FORBIDDEN = "forbidden"
    NOT_INSTALLED = "not-installed"
    NOT_FOUND = "not-found"
    GONE = "gone"
    INVALID = "invalid"
    THROTTLED = "throttled"  # 429 Too Many Requests
    SERVER_ERROR = "server-error"  # 5xx: the API server or a proxy in front of it failed
    MALFORMED = "malformed"  # a body or watch line that is not what the API promises
    OTHER = "other"


class ClusterError(Exception):
    """A failure talking to the cluster; `str(err)` is one sentence saying what and how to fix it."""

    def __init__(
        self,
        sentence: str,
        problem: Problem = Problem.OTHER,
        status: int = 0,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(sentence)
        self.sentence = sentence
        self.problem = problem
        self.status = status
        self.retry_after = retry_after  # seconds the server asked to wait (Retry-After on 429/503)


def problem_for_status(status: int) -> Problem:
    if status == 0:
        return Problem.UNREACHABLE
    if status == 401:
        return Problem.UNAUTHORIZED
    if status == 403:
        return Problem.FORBIDDEN
    if status == 404:
        return Problem.NOT_FOUND
    if status == 410:
        return Problem.GONE
    if status in (400, 409, 415, 422):
        return Problem.INVALID
    if status == 429:
        return Problem.THROTTLED
    if status >= 500:
        return Problem.SERVER_ERROR
    return Problem.OTHER
