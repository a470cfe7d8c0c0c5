"""Query parameters parsed the way the API server parses them."""

from __future__ import annotations

from cockpit.sandbox import errors

_TRUE = {"1", "t", "T", "TRUE", "true", "True"}
_FALSE = {"0", "f", "F", "FALSE", "false", "False"}


def parse_bool(name: str, value: str | None) -> bool:
    """Go's strconv.ParseBool; an absent flag is false, a bare `?follow` is true."""
    if value is None:
        return False
    if value in _TRUE or value == "":
        return True
    if value in _FALSE:
        return False
    raise errors.bad_request(f'strconv.ParseBool: parsing "{value}": invalid syntax for {name}')
