"""The platform section of the config file: checks, URLs, queries, bindings; mistakes named by file."""

from __future__ import annotations

from pathlib import Path

import pytest

from cockpit.cluster.platform.config import PlatformConfigError, load_platform_config
from cockpit.paths import config_file

CONFIG = """\
checks:
  - url: https://grafana.254carbon.com
    expect: [200, 302]
platform:
  interval: 15
  prometheus_url: http://127.0.0.1:8428
  metrics: {Running Pods: 'count(up == 1)'}
  grafana: {url: https://grafana.254carbon.com, token_env: TEST_GRAFANA_TOKEN, datasources: [Loki]}
  loki: {url: http://loki:3100, selector: '{namespace="data-platform"}'}
"""


def test_config_file_is_read_from_cockpit_home(monkeypatch: pytest.MonkeyPatch) -> None:
    path = config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(CONFIG)
    monkeypatch.setenv("TEST_GRAFANA_TOKEN", "glsa_secret")
    cfg = load_platform_config(loki_url="http://127.0.0.1:3100")
    assert [c.url for c in cfg.checks] == ["https://grafana.254carbon.com"]
    assert cfg.checks[0].expect_status == {200, 302}
    assert cfg.interval_s == 15 and cfg.prometheus_url == "http://127.0.0.1:8428"
    assert cfg.metric_queries == {"Running Pods": "count(up == 1)"}
    assert (
        cfg.grafana is not None
        and cfg.grafana.token == "glsa_secret"
        and cfg.grafana.datasources == ("Loki",)
    )
    assert cfg.loki is not None and cfg.loki.url == "http://127.0.0.1:3100"  # --loki-url wins
    assert cfg.loki.selector == '{namespace="data-platform"}'


def test_basic_auth_password_comes_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "cfg.yaml"
    path.write_text(
        "platform:\n  grafana: {url: http://g, user: admin, password_env: TEST_GRAFANA_PASSWORD}\n"
    )
    monkeypatch.setenv("TEST_GRAFANA_PASSWORD", "s3cret")
    cfg = load_platform_config(path)
    assert cfg.grafana is not None and cfg.grafana.basic == ("admin", "s3cret") and cfg.grafana.token is None


def test_missing_file_gives_defaults(tmp_path: Path) -> None:
    cfg = load_platform_config(tmp_path / "none.yaml", prometheus_url="http://vm:8428")
    assert cfg.checks == [] and cfg.prometheus_url == "http://vm:8428" and cfg.interval_s == 30


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "checks: [{url: https://x, expect: 999}]",
            r"cfg.yaml:1:35: expected an HTTP status code",
        ),
        ("platform: {interval: soon}", r"cfg.yaml:1:22: expected a number"),
        ("platform: {grafana: {token: x}}", r"cfg.yaml:1:21: expected 'url:'"),
        ("platform: {grafanna: {url: x}}", r"cfg.yaml:1:12: unknown key 'grafanna'"),
        ("checks: [\n  - url: [oops\n", r"cfg.yaml:\d+:\d+: not valid YAML"),
    ],
)
def test_mistakes_name_the_file(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "cfg.yaml"
    path.write_text(text)
    with pytest.raises(PlatformConfigError, match=message):
        load_platform_config(path)
