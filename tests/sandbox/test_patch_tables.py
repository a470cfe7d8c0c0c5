"""Patch formats and table cells, as pure functions."""

from __future__ import annotations

import pytest

from cockpit.kubeprint import human_duration
from cockpit.sandbox.patch import PatchError, json_patch, merge_patch, strategic_merge
from cockpit.sandbox.tables import pod_row

from ..printer_cases import DURATION_CASES, NOW, POD_CASES, WIDE_CASES, Case


def test_merge_patch_deletes_with_null_and_replaces_lists() -> None:
    doc = {"a": {"b": 1, "c": 2}, "l": [1, 2]}
    assert merge_patch(doc, {"a": {"b": None}, "l": [3]}) == {"a": {"c": 2}, "l": [3]}


def test_json_patch_operations_and_failures() -> None:
    doc = {"spec": {"items": ["a", "b"]}}
    out = json_patch(
        doc,
        [
            {"op": "add", "path": "/spec/items/-", "value": "c"},
            {"op": "move", "from": "/spec/items/0", "path": "/spec/first"},
            {"op": "copy", "from": "/spec/first", "path": "/spec/again"},
        ],
    )
    assert out == {"spec": {"items": ["b", "c"], "first": "a", "again": "a"}} and doc["spec"]["items"] == [
        "a",
        "b",
    ]
    with pytest.raises(PatchError):
        json_patch(doc, [{"op": "test", "path": "/spec/items/0", "value": "z"}])


def test_strategic_merge_directives() -> None:
    doc = {
        "spec": {
            "containers": [{"name": "a", "image": "1", "env": [{"name": "X", "value": "1"}]}],
            "finalizers": ["f1"],
            "tolerations": [{"key": "k"}],
        }
    }
    patch = {
        "spec": {
            "containers": [{"name": "a", "env": [{"name": "Y", "value": "2"}]}, {"name": "b"}],
            "finalizers": ["f2"],
            "tolerations": [{"key": "z"}],
        }
    }
    out = strategic_merge(doc, patch)
    assert [c["name"] for c in out["spec"]["containers"]] == ["a", "b"]
    assert out["spec"]["containers"][0]["env"] == [{"name": "X", "value": "1"}, {"name": "Y", "value": "2"}]
    assert out["spec"]["finalizers"] == ["f1", "f2"] and out["spec"]["tolerations"] == [{"key": "z"}]
    replaced = strategic_merge(doc, {"spec": {"$patch": "replace", "containers": []}})
    assert replaced == {"spec": {"containers": []}}
    deleted = strategic_merge(doc, {"spec": {"containers": [{"name": "a", "$patch": "delete"}]}})
    assert deleted["spec"]["containers"] == []
    pruned = strategic_merge(doc, {"spec": {"$deleteFromPrimitiveList/finalizers": ["f1"]}})
    assert pruned["spec"]["finalizers"] == []


@pytest.mark.parametrize(("seconds", "text"), DURATION_CASES)
def test_ages_print_like_kubectl(seconds: float, text: str) -> None:
    assert human_duration(seconds) == text


@pytest.mark.parametrize("case", POD_CASES, ids=lambda c: c.test)
def test_kubernetes_printer_cases_in_table_rows(case: Case) -> None:
    """The sandbox's server-side Table rows print Kubernetes' own printPod test table."""
    assert tuple(pod_row(case.pod, NOW)[:5]) == case.cells


@pytest.mark.parametrize("case", WIDE_CASES, ids=lambda c: c.test)
def test_kubernetes_printer_wide_cases_in_table_rows(case: Case) -> None:
    assert tuple(pod_row(case.pod, NOW)) == case.cells


def test_event_columns_in_the_servers_order() -> None:
    from cockpit.sandbox.resources import EVENTS
    from cockpit.sandbox.tables import columns_for

    names = [(c["name"], c["priority"]) for c in columns_for(EVENTS)]
    assert names == [
        ("Last Seen", 0),
        ("Type", 0),
        ("Reason", 0),
        ("Object", 0),
        ("Subobject", 1),
        ("Source", 1),
        ("Message", 0),
        ("First Seen", 1),
        ("Count", 1),
        ("Name", 1),
    ]
