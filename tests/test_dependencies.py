"""Every third-party module the code imports is declared in pyproject.toml, so that a fresh machine
installs it (two undeclared imports once broke both README commands there)."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LOCAL_PACKAGES = {"service", "ml", "tests", "scripts"}


def normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def declared_distributions(extras: bool) -> set[str]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    specs = list(project["dependencies"])
    if extras:
        specs += [spec for group in project["optional-dependencies"].values() for spec in group]
    return {normalized(re.split(r"[\s<>=!~;\[(]", spec, maxsplit=1)[0]) for spec in specs}


def imported_modules(directory: Path) -> dict[str, set[str]]:
    """Top-level third-party module -> the files importing it (absolute imports only)."""
    found: dict[str, set[str]] = {}
    for path in directory.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top not in sys.stdlib_module_names and top not in LOCAL_PACKAGES:
                    found.setdefault(top, set()).add(str(path.relative_to(directory)))
    return found


def undeclared(directory: str, declared: set[str], root: Path = REPO) -> dict[str, set[str]]:
    distributions = packages_distributions()  # import name -> distributions installed here
    return {
        module: files
        for module, files in imported_modules(root / directory).items()
        if not any(normalized(d) in declared for d in distributions.get(module, [module]))
    }


def test_the_service_and_ml_import_only_required_dependencies():
    required = declared_distributions(extras=False)
    assert undeclared("service", required) == {}
    assert undeclared("ml", required) == {}


def test_scripts_and_tests_import_only_declared_dependencies_or_extras():
    everything = declared_distributions(extras=True)
    assert undeclared("scripts", everything) == {}
    assert undeclared("tests", everything) == {}


def test_the_check_finds_an_undeclared_import(tmp_path):
    (tmp_path / "service").mkdir()
    (tmp_path / "service" / "probe.py").write_text(
        "import json\nimport prometheus_client\nfrom service import config\nimport surely_not_declared\n"
    )
    found = undeclared("service", declared_distributions(extras=False), root=tmp_path)
    assert found == {"surely_not_declared": {"probe.py"}}


def test_torch_is_pinned_to_the_cpu_build_everywhere_it_is_installed_from():
    assert '"torch==2.13.0"' in (REPO / "pyproject.toml").read_text()
    lock = (REPO / "requirements.lock").read_text()
    assert re.search(r"^torch==2\.13\.0(\+cpu)?$", lock, re.MULTILINE)
    assert not re.search(r"^nvidia-", lock, re.MULTILINE)
