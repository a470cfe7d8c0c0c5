"""The config file: typed, read once, one error policy (file:line:column, then defaults), a JSON
Schema for editors, keymap ids checked against the real bindings, and `cockpit config check`."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from cockpit.cli import main
from cockpit.config import Config, load_config, schema
from cockpit.ui.keymap import known_binding_ids, load_keymap

GOOD = """\
theme: cockpit-light
keymap: {app.quit: ctrl+q}
logs: {max_lines: 20000}
estimates: {use_history: true}
checks:
  - https://a.example/health
  - {url: https://b.example/, expect: [200, 302], contains: ok}
platform:
  interval: 15
  loki: http://loki:3100
  grafana: {url: https://g.example, token_env: GRAFANA_TOKEN}
"""


def test_missing_config_gives_defaults(tmp_path: Path) -> None:
    loaded = load_config(tmp_path / "none.yaml")
    assert loaded.config == Config() and loaded.problems == [] and not loaded.exists
    assert loaded.config.logs.max_lines == 10_000 and loaded.config.estimates.use_history is False


def test_good_config_is_typed(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(GOOD)
    loaded = load_config(path)
    assert loaded.problems == []
    c = loaded.config
    assert c.theme == "cockpit-light" and c.keymap == {"app.quit": "ctrl+q"}
    assert c.logs.max_lines == 20_000 and c.estimates.use_history is True
    assert c.platform.interval == 15 and c.platform.loki == "http://loki:3100"
    assert load_config(path) is loaded  # read once while the file is unchanged


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        ("logs:\n  max_lines: [\n", "3:1", "not valid YAML"),
        ("logs:\n  max_lines: lots\n", "2:14", "expected a whole number"),
        ("logs:\n  max_lines: 0\n", "2:14", "expected a whole number of at least 1"),
        ("logz:\n  max_lines: 5\n", "1:1", "unknown key 'logz'"),
        ("checks:\n  - {url: ftp://x}\n", "2:11", "expected an http:// or https:// URL"),
        ("- just\n- a list\n", "1:1", "must be a mapping"),
    ],
)
def test_one_error_policy_names_file_line_and_column(
    tmp_path: Path, text: str, where: str, message: str
) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(text)
    loaded = load_config(path)
    assert loaded.config == Config()  # the whole file is set aside
    [problem] = loaded.problems
    assert problem.startswith(f"{path}:{where}: ") and message in problem, problem
    assert problem.endswith("the config file is not used (defaults in use)")


def test_shipped_schema_accepts_the_example_and_refuses_mistakes() -> None:
    document = schema()
    jsonschema.Draft202012Validator.check_schema(document)
    validator = jsonschema.Draft202012Validator(document)
    validator.validate(yaml.safe_load(GOOD))
    assert list(validator.iter_errors({"logz": {}}))
    assert list(validator.iter_errors({"logs": {"max_lines": 0}}))


def test_keymap_ids_are_checked_against_the_real_bindings(tmp_path: Path) -> None:
    assert {"app.quit", "app.save"} <= known_binding_ids()
    path = tmp_path / "config.yaml"
    path.write_text("keymap:\n  app.quit: ctrl+q\n  app.qiut: ctrl+x\n")
    keymap, warnings = load_keymap(load_config(path))
    assert keymap == {"app.quit": "ctrl+q", "app.qiut": "ctrl+x"}
    assert warnings == [f"{path}:3:3: keymap: no binding has the id 'app.qiut' (`?` lists the ids)"]


def test_config_check_and_schema_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good, bad = tmp_path / "good.yaml", tmp_path / "bad.yaml"
    good.write_text(GOOD)
    bad.write_text("keymap: {plan.tikc: t}\n")
    assert main(["config", "check", str(good)]) == 0
    assert capsys.readouterr().out.strip() == f"{good}: ok"
    assert main(["config", "check", str(bad)]) == 1
    assert "no binding has the id 'plan.tikc'" in capsys.readouterr().err
    assert main(["config", "check", str(tmp_path / "none.yaml")]) == 2
    capsys.readouterr()
    assert main(["config", "schema"]) == 0
    assert json.loads(capsys.readouterr().out)["title"] == "cockpit config file"
