"""Pages stay lean: bodies are compressed for clients that accept it, and the UI's files are cached
by validation (an unchanged file costs a 304 and no body)."""

import pytest

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_ui_modules_and_json_lists_are_gzipped_when_the_client_accepts_it(api):
    for path in ("/js/components.js", "/styles.css", "/movies?page_size=50"):
        response = await api.get(path, headers={"Accept-Encoding": "gzip"})
        assert response.status_code == 200
        assert response.headers["content-encoding"] == "gzip", path
        assert int(response.headers["content-length"]) < len(response.content) / 2  # httpx decoded it


async def test_a_client_that_does_not_accept_gzip_gets_plain_bodies(api):
    response = await api.get("/js/components.js", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in response.headers
    assert response.text.startswith("//")


async def test_ui_files_are_revalidated_and_an_unchanged_file_is_a_304(api):
    first = await api.get("/js/app.js")
    assert first.headers["cache-control"] == "no-cache"
    again = await api.get("/js/app.js", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    assert again.content == b""
