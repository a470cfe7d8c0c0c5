"""StableOrder: rows keep their place until their rank changes; a reset sorts like sort_pods."""

from __future__ import annotations

from dataclasses import replace

from cockpit.cluster.order import StableOrder
from cockpit.cluster.pods import PodSummary, pod_sort_key, problem_rank, sort_pods


def summary(name: str, status: str = "Running", restarts: int = 0, ns: str = "ns") -> PodSummary:
    return PodSummary(name, ns, name, "Running", status, "1/1", restarts, "", None, "node")


def pod_order() -> StableOrder[PodSummary]:
    return StableOrder(pod_sort_key, lambda p: problem_rank(p.status))


def test_reset_is_the_sorted_order() -> None:
    pods = {
        p.uid: p
        for p in [
            summary("b"),
            summary("a"),
            summary("c", "CrashLoopBackOff", 3),
            summary("d", "Pending"),
            summary("e", "CrashLoopBackOff", 9),
        ]
    }
    order = pod_order()
    order.reset(pods)
    assert order.keys == [p.uid for p in sort_pods(pods.values())] == ["e", "c", "d", "a", "b"]


def test_restarts_do_not_move_a_row_but_a_new_rank_does() -> None:
    pods = {
        p.uid: p
        for p in [
            summary("a", "CrashLoopBackOff", 1),
            summary("b", "CrashLoopBackOff", 5),
            summary("c"),
            summary("d"),
        ]
    }
    order = pod_order()
    order.reset(pods)
    assert order.keys == ["b", "a", "c", "d"]
    assert not order.apply({"a": replace(pods["a"], restarts=50)})  # sort_pods would put a first
    assert order.keys == ["b", "a", "c", "d"]
    assert order.apply({"d": replace(pods["d"], status="OOMKilled")})  # rank changed: moves
    assert order.keys == ["b", "a", "d", "c"]
    assert order.apply({"a": replace(pods["a"], status="Running")})
    assert order.keys == ["b", "d", "a", "c"]


def test_new_rows_go_where_the_sort_puts_them_and_deletes_leave() -> None:
    order = pod_order()
    order.reset({p.uid: p for p in [summary("a"), summary("c")]})
    assert order.apply({"b": summary("b"), "z": summary("z", "Pending")}, deletes=["c"])
    assert order.keys == ["z", "a", "b"]
    assert order.apply({}, deletes=["a", "gone"])
    assert order.keys == ["z", "b"] and len(order) == 2
