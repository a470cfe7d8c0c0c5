"""Placeholders: found conservatively, filled shell-quoted, and the filled command runs as meant."""

from __future__ import annotations

import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cockpit.runner.placeholders import fill_placeholders, find_placeholders, placeholder_names
from tests.runner.test_safety import SEED

ENV = {"HOME": "/home/op", "KUBECONFIG": "/tmp/k"}


@pytest.mark.parametrize(
    ("cmd", "names"),
    [
        ("kubectl logs <pod> -n data-platform", ["pod"]),
        ("kubectl logs <POD_NAME> -n <namespace>", ["POD_NAME", "namespace"]),
        ("kubectl describe node <node-name> | grep -A5 Taints", ["node-name"]),
        ("kubectl logs POD_NAME -n data-platform --tail=100", ["POD_NAME"]),
        ("kubectl exec deploy/DEPLOYMENT_NAME -- env", ["DEPLOYMENT_NAME"]),
        ("kubectl -n NAMESPACE delete pod POD", ["NAMESPACE", "POD"]),
        ("kubectl get pods -n ${NAMESPACE}", ["NAMESPACE"]),
        ("kubectl get pods -n $NAMESPACE -l app=$APP", ["NAMESPACE", "APP"]),
        ('curl -H "Authorization: Bearer <token>" https://x', ["token"]),
        ("curl -H 'Authorization: Bearer <TOKEN>' https://x", ["TOKEN"]),
        ("helm upgrade {{release}} ./chart --set image.tag={{ tag }}", ["release", "tag"]),
        ("kubectl logs <pod> && kubectl delete pod <pod>", ["pod"]),
        # not placeholders
        ("kubectl get pods -A > cluster-status-$(date +%Y%m%d).txt", []),
        ("velero backup create manual-test-$(date +%s) --include-namespaces data-platform", []),
        ("kubectl logs -n data-platform deploy/dolphinscheduler-api --tail=100", []),
        ("kubectl get pods -o jsonpath='{.items[*].metadata.name}' | awk '{print $1, $NF}'", []),
        ("kubectl get pods -o go-template='{{range .items}}{{.metadata.name}}{{end}}'", []),
        ("echo $HOME $PATH $1 $? $# $KUBECONFIG", []),
        ("NS=data-platform; kubectl get pods -n $NS", []),
        ("export NS=x && kubectl get pods -n ${NS}", []),
        ("for ns in a b; do kubectl get pods -n $ns; done", []),
        ("read -p 'ns? ' NS; kubectl get pods -n $NS", []),
        ('echo "${NS:-default}"', []),
        ("echo \\$LITERAL", []),
        ("grep '<title>' index.html", []),
        ("LC_ALL=C sort x | uniq -c", []),
        ("helm upgrade x chart --set FOO_BAR=1", []),
        ("cat <<END_MARK\nhello\nEND_MARK", []),
        ("kubectl get pods # replace POD_NAME later", []),
        ("curl -X GET https://x", []),
        ('kubectl get pods -A | grep -v "Running\\|Completed" | wc -l', []),
        ('kubectl patch cronjob x -p \'{"spec":{"suspend":true}}\'', []),
    ],
)
def test_find(cmd: str, names: list[str]) -> None:
    assert placeholder_names(cmd, ENV, inherit_env=False) == names


def test_variables_already_in_the_environment_are_not_asked_for(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NAMESPACE", raising=False)
    monkeypatch.setenv("OPERATOR_SET_THIS", "1")
    assert placeholder_names("kubectl get pods -n $NAMESPACE", {"NAMESPACE": "x"}) == []
    assert placeholder_names("kubectl get pods -n $NAMESPACE", {}) == ["NAMESPACE"]
    assert placeholder_names("echo $OPERATOR_SET_THIS", {}) == [], "the shell environment counts too"
    assert placeholder_names("echo $OPERATOR_SET_THIS", {}, inherit_env=False) == ["OPERATOR_SET_THIS"]


def test_no_seed_plan_command_prompts_for_anything() -> None:
    for cmd, _, _ in SEED:
        assert find_placeholders(cmd, ENV, inherit_env=False) == [], cmd


def test_occurrences_carry_offsets_and_style() -> None:
    cmd = "kubectl logs <pod> -n $NS"
    found = find_placeholders(cmd, ENV, inherit_env=False)
    assert [(p.name, p.style, cmd[p.start : p.end]) for p in found] == [
        ("pod", "angle", "<pod>"),
        ("NS", "var", "$NS"),
    ]


def _echo(cmd: str) -> list[str]:
    """Run the filled command with printf to see the exact words the shell passes."""
    out = subprocess.run(["bash", "-c", cmd], capture_output=True, check=True).stdout.decode()
    return out.split("\0")[:-1]


@pytest.mark.parametrize(
    "value",
    ["plain-name", "two words", "it's", 'say "hi"', "$(touch /tmp/cockpit-pwned)", "a;b|c&d", "`x` \\ $HOME"],
)
def test_filled_values_arrive_as_one_literal_word(value: str) -> None:
    cases = [
        "printf '%s\\0' <pod> end",
        "printf '%s\\0' POD_NAME end",
        "printf '%s\\0' ${NAMESPACE} end",
        "printf '%s\\0' $NAMESPACE end",
        "printf '%s\\0' \"prefix <pod> suffix\" end",
        "printf '%s\\0' 'Bearer <TOKEN>' end",
        "printf '%s\\0' deploy/DEPLOYMENT_NAME end",
        "printf '%s\\0' {{name}} end",
    ]
    values = {"pod": value, "POD_NAME": value, "NAMESPACE": value, "TOKEN": value, "DEPLOYMENT_NAME": value}
    values["name"] = value
    for template in cases:
        filled = fill_placeholders(template, values, ENV, inherit_env=False)
        words = _echo(filled)
        expected = template.split("printf '%s\\0' ")[1].rsplit(" end", 1)[0]
        expected = expected.strip("\"'")
        for token in (
            "<pod>",
            "POD_NAME",
            "${NAMESPACE}",
            "$NAMESPACE",
            "<TOKEN>",
            "DEPLOYMENT_NAME",
            "{{name}}",
        ):
            expected = expected.replace(token, value)
        assert words == [expected, "end"], (template, filled)


def test_unfilled_names_are_left_as_written() -> None:
    assert fill_placeholders("kubectl logs <pod> -n <ns>", {"ns": "data-platform"}, ENV) == (
        "kubectl logs <pod> -n data-platform"
    )


def test_every_occurrence_of_a_name_is_filled() -> None:
    cmd = "kubectl logs <pod> -n x && kubectl delete pod <pod> -n x"
    assert (
        fill_placeholders(cmd, {"pod": "web-0"}, ENV)
        == "kubectl logs web-0 -n x && kubectl delete pod web-0 -n x"
    )


@settings(max_examples=60, deadline=None)
@given(
    st.text(alphabet=st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)), max_size=40)
)
def test_any_value_arrives_literally_in_every_quoting_context(value: str) -> None:
    template = "printf '%s\\0' <pod> pre/POD_NAME $NAMESPACE \"in <pod> dq\" 'in <TOKEN> sq' {{name}}"
    values = {"pod": value, "POD_NAME": value, "NAMESPACE": value, "TOKEN": value, "name": value}
    filled = fill_placeholders(template, values, ENV, inherit_env=False)
    assert _echo(filled) == [value, f"pre/{value}", value, f"in {value} dq", f"in {value} sq", value]
