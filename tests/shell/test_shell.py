"""The shell tokenizer, parser and program table: what bash would read, read the same way."""

from __future__ import annotations

import pytest

from cockpit.shell import (
    first_program,
    incomplete,
    literal_words,
    lookup,
    parse,
    program_name,
    split_statements,
    unwrap,
)


def _programs(text: str) -> list[list[str | None]]:
    return [c.values for _depth, c in parse(text).walk() if c.kind == "simple"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("kubectl $'\\x64elete' pod x", [["kubectl", "delete", "pod", "x"]]),
        ("kubectl $'\\144elete' pod x", [["kubectl", "delete", "pod", "x"]]),
        ("k'ube'\"ctl\" de\\lete pod", [["kubectl", "delete", "pod"]]),
        # an escaped space does not start a comment: the rest of the line runs
        (
            "kubectl get pods\\ # ; kubectl delete pod x",
            [["kubectl", "get", "pods #"], ["kubectl", "delete", "pod", "x"]],
        ),
        ("kubectl get pods # ; kubectl delete pod x", [["kubectl", "get", "pods"]]),
        ("echo a#b", [["echo", "a#b"]]),
        ("a && b || c | d |& e; f & g", [["a"], ["b"], ["c"], ["d"], ["e"], ["f"], ["g"]]),
        ('echo "$(kubectl delete pod x)"', [["echo", None], ["kubectl", "delete", "pod", "x"]]),
        ("echo `kubectl scale deploy x`", [["echo", None], ["kubectl", "scale", "deploy", "x"]]),
        ("diff <(kubectl get a) >(cat)", [["diff", None, None], ["kubectl", "get", "a"], ["cat"]]),
        ("echo ${x:-$(kubectl delete pod y)}", [["echo", None], ["kubectl", "delete", "pod", "y"]]),
        ("kubectl get pods \\\n  -n x", [["kubectl", "get", "pods", "-n", "x"]]),
        ("for p in a $(ls); do kubectl delete pod $p; done", [["ls"], ["kubectl", "delete", "pod", None]]),
        ("case x in a) kubectl get pods;; *) rm x;; esac", [["kubectl", "get", "pods"], ["rm", "x"]]),
        ("f() { kubectl delete pod x; }; f", [["kubectl", "delete", "pod", "x"], ["f"]]),
        ("cat <<EOF\n$(kubectl delete pod x)\nEOF", [["cat"], ["kubectl", "delete", "pod", "x"]]),
        ("cat <<'EOF'\n$(kubectl delete pod x)\nEOF", [["cat"]]),
        ("echo '>' x", [["echo", ">", "x"]]),
    ],
)
def test_commands_are_read_as_bash_reads_them(text: str, expected: list[list[str | None]]) -> None:
    assert _programs(text) == expected


def test_a_lone_bracket_is_not_a_glob() -> None:
    assert parse("[ -f x ]").commands[0].values == ["[", "-f", "x", "]"]
    assert parse("ls pod[12]").commands[0].values == ["ls", None]


def test_words_know_what_expands() -> None:
    words = parse('echo a "$X" $Y *.txt {a,b} ~/x "${Z}" $((1+2))').commands[0].words
    assert [w.value for w in words] == ["echo", "a", None, None, None, None, None, None, None]
    assert [w.single for w in words] == [True, True, True, False, False, False, True, True, False]
    assert not any(w.risky for w in words)


@pytest.mark.parametrize(
    "text",
    [
        "echo $((x+1))",
        "echo ${a[$i]}",
        "echo ${!name}",
        "echo ${x@P}",
        "echo ${x:$off}",
        "echo $[y*2]",
    ],
)
def test_expansions_that_can_run_code_are_marked_risky(text: str) -> None:
    assert any(w.risky for w in parse(text).commands[0].words)


def test_redirections_and_heredocs() -> None:
    command = parse("kubectl get pods 2>&1 >/tmp/out <in &>>log <<<'s'").commands[0]
    assert [(r.op, r.fd, r.target.value if r.target else None) for r in command.redirects] == [
        (">&", "2", "1"),
        (">", "", "/tmp/out"),
        ("<", "", "in"),
        ("&>>", "", "log"),
        ("<<<", "", "s"),
    ]
    heredoc = parse("python3 - <<-EOF\n\tprint(1)\n\tEOF\necho next").commands[0].redirects[0].heredoc
    assert heredoc is not None and heredoc.body == "print(1)\n" and heredoc.strip_tabs


def test_statements_are_one_per_line_with_heredocs_and_compounds_kept_whole() -> None:
    text = (
        "# note\n"
        "kubectl get pods \\\n  -n x  # trailing\n"
        "\n"
        "cat <<EOF | kubectl apply -f -\na: 1\nEOF\n"
        "if true; then\n  echo\nfi\n"
        "kubectl port-forward svc/x 80 &\n"
        "a; b && c\n"
    )
    got = [(s.text, s.line, s.end_line, s.background) for s in split_statements(text)]
    assert got == [
        ("kubectl get pods \\\n  -n x", 2, 3, False),
        ("cat <<EOF | kubectl apply -f -\na: 1\nEOF", 5, 7, False),
        ("if true; then\n  echo\nfi", 8, 10, False),
        ("kubectl port-forward svc/x 80 &", 11, 11, True),
        ("a; b && c", 12, 12, False),
    ]


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("kubectl get pods", ""),
        ("kubectl get pods |", "the line ends with |"),
        ("a &&", "the line ends with && or ||"),
        ("echo 'x", "unterminated ' quote"),
        ('echo "x', 'unterminated " quote'),
        ("kubectl get \\", "the line ends with a backslash"),
        ("if true; then", "'if' without 'fi'"),
        ("for x in a; do", "'for' without 'done'"),
        ("cat <<EOF\nbody", "heredoc 'EOF' is never closed"),
        ("echo $(ls", "unclosed $( … ) or ( … )"),
    ],
)
def test_incomplete_says_why_more_lines_are_needed(text: str, why: str) -> None:
    assert incomplete(text) == why


def test_first_program_skips_assignments_and_wrappers() -> None:
    assert first_program("A=1 sudo -u x timeout 5 nice -n 3 /usr/bin/kubectl get pods") == (
        "kubectl",
        ["get", "pods"],
    )
    assert first_program("env -i B=2 helm list") == ("helm", ["list"])
    assert first_program("./fix.sh now") == ("./fix.sh", ["now"])
    assert first_program("$TOOL get") is None
    assert first_program("# only a comment") is None


def test_program_names_and_table() -> None:
    assert program_name("/usr/bin/kubectl") == "kubectl"
    assert program_name("/usr/local/bin/helm") == "helm"
    assert program_name("./kubectl") is None
    assert program_name("/tmp/kubectl") is None
    assert lookup("python3").kind == "interpreter"  # type: ignore[union-attr]
    assert lookup("bash").kind == "shell"  # type: ignore[union-attr]
    assert lookup("timeout").kind == "wrapper"  # type: ignore[union-attr]
    assert lookup("kubectl").kind == "cluster"  # type: ignore[union-attr]
    assert lookup("jq").kind == "read"  # type: ignore[union-attr]
    assert lookup("no-such-tool") is None


def test_unwrap_finds_the_wrapped_command_or_says_why_not() -> None:
    assert unwrap(["timeout", "-s", "KILL", "10", "kubectl", "get"]).start == 4
    assert unwrap(["env", "-S", "kubectl delete pod x"]).uncertain == "env -S runs text as shell code"
    assert unwrap(["sudo", "-s", "kubectl"]).uncertain == "sudo -s runs text as shell code"
    assert unwrap(["command", "-v", "kubectl"]).start is None
    assert unwrap(["nice", "-10", "kubectl", "get"]).start == 2
    assert unwrap(["nohup", None, "get"]).start == 1


def test_literal_words() -> None:
    assert literal_words("watch -n 2 'kubectl get pods'") == ["watch", "-n", "2", "kubectl get pods"]
    assert literal_words("kubectl get pods -n $NS") is None
    assert literal_words("a | b") is None


@pytest.mark.parametrize("text", ["$(" * 3000 + "ls" + ")" * 3000, "{ " * 3000 + "ls" + "; }" * 3000])
def test_absurd_nesting_is_a_problem_not_a_crash(text: str) -> None:
    assert parse(text).problems == ["commands nested too deep to read"]
