"""Small pieces every API handler shares: the parsed route, JSON replies, Table negotiation,
selectors from the query."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from cockpit.sandbox.errors import ApiError
from cockpit.sandbox.http import Request, Response
from cockpit.sandbox.resources import ResourceType
from cockpit.sandbox.selectors import FieldSelector, LabelSelector, parse_field_selector, parse_label_selector

Obj = dict[str, Any]


@dataclass
class Route:
    rt: ResourceType
    namespace: str | None
    name: str | None
    subresource: str | None


def json_response(body: Obj | bytes, status: int = 200, content_type: str = "application/json") -> Response:
    raw = body if isinstance(body, bytes) else orjson.dumps(body)
    return Response(status=status, body=raw, content_type=content_type)


def error_response(err: ApiError) -> Response:
    return json_response(err.status(), err.code)


def wants_table(accept: str) -> bool:
    return any(
        "as=Table" in part and "g=meta.k8s.io" in part and "v=v1" in part.replace("v=v1beta1", "")
        for part in accept.split(",")
    )


def selectors_of(req: Request, rt: ResourceType) -> tuple[LabelSelector, FieldSelector]:
    """The request's labelSelector and fieldSelector (400 for what the server cannot select on)."""
    return parse_label_selector(req.param("labelSelector") or ""), parse_field_selector(
        req.param("fieldSelector"), rt
    )
