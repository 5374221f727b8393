"""What the accessibility and navigation tests share: signing in without the UI, waiting for a view to
settle, and running axe-core in the page.

axe-core comes from npm (tests/frontend/a11y/package.json, installed by scripts/test.sh) and is injected
with ``add_script_tag(path=...)``; the UI's CSP allows no inline script, so the contexts that run it
bypass the CSP.
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

AXE = Path(__file__).parent / "a11y" / "node_modules" / "axe-core" / "axe.min.js"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
BLOCKING_IMPACTS = ("moderate", "serious", "critical")
SESSION_KEY = "cinegraph.session:same-origin"  # session.js keeps one per API address; same origin here


def store_session(context: BrowserContext, session: dict) -> None:
    """Sign the context in as the UI would have, before any of its pages loads."""
    context.add_init_script(f"localStorage.setItem({SESSION_KEY!r}, {json.dumps(json.dumps(session))})")


def demo_session(base_url: str, user_id: int) -> dict:
    login = (
        httpx.post(f"{base_url}/auth/demo", json={"user_id": user_id}, timeout=30).raise_for_status().json()
    )
    return {
        "userId": login["user_id"],
        "token": login["access_token"],
        "kind": "demo",
        "username": None,
        "isNew": False,
    }


def new_user_session(base_url: str, liked: list[int]) -> dict:
    """A start-fresh user (picks, no password): the account page shows its form, My ratings its picks."""
    created = (
        httpx.post(f"{base_url}/users", json={"liked_movie_ids": liked}, timeout=30).raise_for_status().json()
    )
    return {
        "userId": created["user_id"],
        "token": created["access_token"],
        "kind": "guest",
        "username": None,
        "isNew": True,
    }


def new_context(browser: Browser, viewport: dict) -> BrowserContext:
    context = browser.new_context(viewport=viewport, bypass_csp=True)
    context.set_default_timeout(20_000)
    return context


def settle(page: Page) -> None:
    """The view has its heading and nothing is loading any more."""
    expect(page.locator("main h1")).to_have_count(1)
    expect(page.locator("main [aria-busy='true'], main .skeletons, main .loading")).to_have_count(0)


def axe_violations(page: Page) -> list[dict]:
    """axe-core's violations of impact moderate or worse, with target sizes (WCAG 2.2's 24 px) checked too."""
    if not AXE.is_file():
        pytest.skip(f"no {AXE}: run scripts/test.sh (it installs axe-core from tests/frontend/a11y)")
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        """async () => {
            const result = await axe.run(document, {
                resultTypes: ["violations"],
                rules: { "target-size": { enabled: true } },
            });
            return result.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map((n) => ({ target: n.target.join(" "), summary: n.failureSummary })),
            }));
        }"""
    )
    return [v for v in violations if v["impact"] in BLOCKING_IMPACTS]


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(
            f"[{violation['impact']}] {violation['id']}: {violation['help']} ({violation['helpUrl']})"
        )
        for node in violation["nodes"][:10]:
            summary = " ".join(node["summary"].split())
            lines.append(f"    {node['target']}: {summary}")
    return "\n".join(lines)
