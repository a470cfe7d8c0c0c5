"""The pods informer's list decoder reads only the fields rows need: same rows as a whole parse."""

from __future__ import annotations

import httpx
import orjson
import pytest

from cockpit.cluster.podlist import POD_ROWS, decode_pod_list
from cockpit.cluster.pods import summarize_pod
from cockpit.sandbox import Sandbox


@pytest.mark.parametrize("pods", [None, 10_000])
def test_rows_from_the_lean_decode_equal_rows_from_whole_objects(pods: int | None) -> None:
    with Sandbox(seed=0, pods=pods, time_scale=1e-6) as box:
        token = ""
        seen = 0
        while True:
            params: dict[str, str | int] = {"limit": 2000}
            if token:
                params["continue"] = token
            body = httpx.get(f"{box.url}/api/v1/pods", params=params, timeout=60).content
            whole, lean = orjson.loads(body), decode_pod_list(body)
            assert [summarize_pod(p) for p in lean["items"]] == [summarize_pod(p) for p in whole["items"]]
            assert lean["metadata"].get("continue") == whole["metadata"].get("continue")
            assert lean["metadata"]["resourceVersion"] == whole["metadata"]["resourceVersion"]
            seen += len(lean["items"])
            token = whole["metadata"].get("continue") or ""
            if not token:
                break
        assert seen == (pods or 138)


def test_a_body_of_another_shape_is_parsed_whole_and_the_informer_uses_the_decoder() -> None:
    status = b'{"kind":"Status","status":"Failure","items":7}'
    assert decode_pod_list(status) == orjson.loads(status)
    with pytest.raises(orjson.JSONDecodeError):
        decode_pod_list(b"<html>")
    assert POD_ROWS.decode_list is not None
