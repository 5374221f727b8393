"""Screenshots of the main views at desktop (1280x800) and phone (390x844) width, for the README.

    python -m tests.frontend.take_screenshots                      # starts a service of its own
    python -m tests.frontend.take_screenshots --base-url http://127.0.0.1:8000

Writes ``docs/screenshots/<view>-<desktop|phone>.png``. Animations are off (reduced motion) so that
every shot shows a settled page.
"""

from __future__ import annotations

import argparse
import contextlib
import tempfile
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect, sync_playwright

from tests.frontend.live_service import CHROMIUM, CHROMIUM_ARGS, REPO_ROOT, free_port, running_service

VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
DEMO_USER = 1


def sign_in(page: Page, base: str, user_id: int = DEMO_USER) -> None:
    page.goto(f"{base}/")
    page.get_by_label("MovieLens user id").fill(str(user_id))
    page.get_by_role("button", name="Continue", exact=True).click()
    expect(page.locator(".card").first).to_be_visible()


def settle(page: Page) -> None:
    page.mouse.move(0, 0)  # no hover preview on the stars


def start_page(page: Page, base: str) -> None:
    page.goto(f"{base}/")
    expect(page.get_by_role("heading", name="Find your next favourite film")).to_be_visible()
    expect(page.locator("#model-version")).not_to_be_empty()


def onboarding(page: Page, base: str) -> None:
    page.goto(f"{base}/#/start")
    picks = page.locator(".pick")
    expect(picks.nth(5)).to_be_visible()
    for index in (0, 2, 3):
        picks.nth(index).click()
    expect(page.locator(".pick-tray .pick-chip")).to_have_count(3)


def recommendations(page: Page, base: str) -> None:
    sign_in(page, base)


def genre_filter(page: Page, base: str) -> None:
    sign_in(page, base)
    page.get_by_role("group", name="Filter by genre").get_by_role("button", name="Sci-Fi", exact=True).click()
    expect(page.locator(".card:not(:has(.tag[data-genre='Sci-Fi']))")).to_have_count(0)
    expect(page.locator(".results")).not_to_have_attribute("aria-busy", "true")


def rated(page: Page, base: str) -> None:
    sign_in(page, base, 10)
    page.locator(".card").first.locator(".star__hit[data-value='4.5']").click()
    expect(page.locator(".card--new").first).to_be_visible()
    expect(page.locator(".toast")).to_be_visible()


def movie(page: Page, base: str) -> None:
    sign_in(page, base)
    page.goto(f"{base}/#/movie/50")
    expect(page.locator("#similar .tile").first).to_be_visible()
    expect(page.locator(".movie__rate-note")).not_to_be_empty()


def search(page: Page, base: str) -> None:
    sign_in(page, base)
    box = page.get_by_role("combobox", name="Search movies and people")
    box.fill("star")
    expect(page.get_by_role("option").nth(2)).to_be_visible()
    box.press("ArrowDown")
    box.press("ArrowDown")


def my_ratings(page: Page, base: str) -> None:
    sign_in(page, base)
    page.goto(f"{base}/#/ratings")
    expect(page.locator(".rating-row").first).to_be_visible()


def not_found(page: Page, base: str) -> None:
    page.goto(f"{base}/#/movie/0")
    expect(page.get_by_role("heading", name="Movie not found")).to_be_visible()
    expect(page.locator("#model-version")).not_to_be_empty()


def api_down(page: Page, base: str) -> None:
    page.goto(f"{base}/?api=http://127.0.0.1:{free_port()}#/")
    expect(page.locator("#banner")).to_be_visible()
    page.get_by_role("button", name="Continue", exact=True).click()
    expect(page.locator("#demo-error")).not_to_be_empty()
    page.evaluate("window.scrollTo(0, 0)")


VIEWS: dict[str, Callable[[Page, str], None]] = {
    "start": start_page,
    "onboarding": onboarding,
    "recommendations": recommendations,
    "genre-filter": genre_filter,
    "rated": rated,
    "movie": movie,
    "search": search,
    "my-ratings": my_ratings,
    "not-found": not_found,
    "api-down": api_down,
}


def take(base: str, out: Path, only: list[str] | None = None) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for device, viewport in VIEWPORTS.items():
            for name, show in VIEWS.items():
                if only and name not in only:
                    continue
                context = browser.new_context(
                    viewport=viewport, reduced_motion="reduce", device_scale_factor=1
                )
                context.set_default_timeout(30_000)
                page = context.new_page()
                show(page, base)
                settle(page)
                path = out / f"{name}-{device}.png"
                page.screenshot(path=path)
                written.append(path)
                context.close()
        browser.close()
    return written


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--base-url", help="a running service (default: start one on a temporary data dir)")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "docs" / "screenshots")
    parser.add_argument("--only", nargs="*", choices=list(VIEWS), help="just these views")
    args = parser.parse_args()
    with contextlib.ExitStack() as stack:
        if args.base_url:
            base = args.base_url.rstrip("/")
        else:
            data_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="cinegraph-shots-")))
            base = stack.enter_context(running_service(data_dir))
        for path in take(base, args.out, args.only):
            print(path.relative_to(REPO_ROOT) if path.is_relative_to(REPO_ROOT) else path)


if __name__ == "__main__":
    main()
