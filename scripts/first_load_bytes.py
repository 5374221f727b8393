"""Bytes a browser downloads on a first visit (empty cache) to each main view, as sent on the wire.

Run against a running service: ``python scripts/first_load_bytes.py http://127.0.0.1:8000``. Prints one
line per view: requests, bytes transferred (compressed where the server compresses) and the bytes of
the bodies once decoded. Needs Chromium at /usr/bin/chromium (the browser tests' one).
"""

from __future__ import annotations

import json
import sys

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
VIEWS = {
    "start": "/#/",
    "browse": "/#/search",
    "movie": "/#/movie/50",
    "for you (user 1)": "/#/for-you",
    "movie (user 1)": "/#/movie/50",
    "search star (user 1)": "/#/search?q=star",
}


def first_load(base_url: str, path: str, user_id: int | None) -> tuple[int, int, int]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page()
        if user_id is not None:  # sign in through the API, then start from an empty cache
            token = page.request.post(f"{base_url}/auth/demo", data={"user_id": user_id}).json()
            stored = {"userId": user_id, "token": token["access_token"], "kind": "demo", "isNew": False}
            page.add_init_script(
                f"localStorage.setItem('cinegraph.session:same-origin', JSON.stringify({json.dumps(stored)}))"
            )
        cdp = page.context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        sizes: dict[str, list[int]] = {}  # request id -> [bytes on the wire, decoded bytes]

        def finished(event: dict) -> None:
            sizes.setdefault(event["requestId"], [0, 0])[0] = int(event["encodedDataLength"])

        def received(event: dict) -> None:
            sizes.setdefault(event["requestId"], [0, 0])[1] += int(event["dataLength"])

        cdp.on("Network.loadingFinished", finished)
        cdp.on("Network.dataReceived", received)
        page.goto(f"{base_url}{path}")
        page.wait_for_load_state("networkidle")
        browser.close()
    return len(sizes), sum(s[0] for s in sizes.values()), sum(s[1] for s in sizes.values())


def main(base_url: str) -> None:
    print(f"{'view':<20} {'requests':>8} {'transferred':>12} {'decoded':>10}")
    for view, path in VIEWS.items():
        requests, transferred, decoded = first_load(base_url, path, 1 if "user" in view else None)
        print(f"{view:<20} {requests:>8} {transferred / 1024:>10.1f} K {decoded / 1024:>8.1f} K")


if __name__ == "__main__":
    main(sys.argv[1].rstrip("/") if len(sys.argv) > 1 else "http://127.0.0.1:8000")
