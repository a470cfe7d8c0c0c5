"""The config file: read once, a clear warning instead of a traceback, and the Logs pane's size."""

from __future__ import annotations

from pathlib import Path

from cockpit.config import positive_int, read_config


def test_missing_config_is_empty(tmp_path: Path) -> None:
    assert read_config(tmp_path / "none.yaml") == ({}, [])


def test_broken_config_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("logs:\n  max_lines: [\n")
    data, warnings = read_config(path)
    assert data == {} and len(warnings) == 1 and warnings[0].startswith(f"{path}:")


def test_logs_max_lines_is_read_and_checked(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("logs:\n  max_lines: 20000\n")
    data, _ = read_config(path)
    assert positive_int(data, "logs", "max_lines", 10_000) == (20_000, [])
    assert positive_int({}, "logs", "max_lines", 10_000) == (10_000, [])
    value, warnings = positive_int({"logs": {"max_lines": "lots"}}, "logs", "max_lines", 10_000)
    assert value == 10_000 and "logs.max_lines" in warnings[0]
