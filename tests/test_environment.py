"""The pinned environment: requirements.txt is the one place versions live; environment.yml must agree."""

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines():
        match = re.fullmatch(r"([A-Za-z0-9_.\-]+)==([^\s#]+)", line.strip())
        if match:
            pins[match.group(1).lower().replace("_", "-")] = match.group(2)
    return pins


def _conda_pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "environment.yml").read_text(encoding="utf-8").splitlines():
        match = re.fullmatch(r"\s*-\s*([A-Za-z0-9_.\-]+)\s*(==|=)\s*([^\s#]+)", line)
        if match:
            pins[match.group(1).lower().replace("_", "-")] = match.group(3)
    return pins


def test_every_requirement_is_pinned_exactly():
    for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            assert re.fullmatch(r"[A-Za-z0-9_.\-]+==[^\s]+", line), f"not an exact pin: {line}"


def test_environment_yml_agrees_with_requirements():
    pins, conda = _pins(), _conda_pins()
    assert conda.pop("python") == "3.11"
    assert conda, "environment.yml lists no packages"
    drift = {name: (version, pins.get(name)) for name, version in conda.items() if pins.get(name) != version}
    assert not drift, f"environment.yml and requirements.txt disagree: {drift}"


def test_direct_dependencies_are_in_environment_yml():
    text = (ROOT / "requirements.txt").read_text(encoding="utf-8")
    direct = text.split("# direct dependencies")[1].split("\n\n")[0]
    names = {line.split("==")[0].lower() for line in direct.splitlines() if "==" in line}
    assert names <= set(_conda_pins()), f"missing from environment.yml: {names - set(_conda_pins())}"


def test_running_on_python_311():
    assert sys.version_info[:2] == (3, 11)
