"""Resumable, checked HTTP downloads of files too large to fetch twice (IMDb's title.principals is ~2 GB).

Resumable: bytes stream into ``NAME.part``. A transfer that breaks off is resumed from where it stopped
with ``Range: bytes=N-`` and ``If-Range: <etag>``: a server whose file changed meanwhile answers 200 with
the whole new file, which restarts the download cleanly instead of splicing two versions. Without a strong
ETag there is nothing to tie the two halves together, so such a download starts over.

Checked: ``NAME.json`` records the URL, the size the server announced (Content-Length, or the total of
Content-Range), the ETag and, once finished, the SHA-256 computed while streaming. The bytes received must
add up to the announced size, and a resumed transfer must belong to the same file as its first part. A
disagreement deletes what was downloaded and raises, naming the file and what disagreed. A finished file
whose manifest agrees with it is not downloaded again.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import NoReturn

import httpx
from tqdm import tqdm

from ml.data.errors import DatasetError

log = logging.getLogger(__name__)

CHUNK_BYTES = 1 << 20
ATTEMPTS = 3
"""Transfers per call: a broken connection is resumed at once this many times before giving up."""
TIMEOUT = httpx.Timeout(60.0, connect=20.0)
_CONTENT_RANGE = re.compile(r"bytes (?:(?P<start>\d+)-\d+|\*)/(?P<total>\d+|\*)")


@dataclass(frozen=True)
class Manifest:
    """What is known about one download; ``sha256`` is None until it finished."""

    url: str
    size: int | None
    etag: str | None
    sha256: str | None = None

    @classmethod
    def read(cls, path: Path) -> Manifest | None:
        try:
            return cls(**json.loads(path.read_text()))
        except (OSError, ValueError, TypeError):
            return None

    def write(self, path: Path) -> None:
        staging = path.with_name(path.name + ".tmp")
        staging.write_text(json.dumps(asdict(self), indent=2) + "\n")
        staging.replace(path)


def manifest_path(destination: Path) -> Path:
    return destination.with_name(destination.name + ".json")


def part_path(destination: Path) -> Path:
    return destination.with_name(destination.name + ".part")


def download(
    url: str, destination: Path, *, client: httpx.Client | None = None, attempts: int = ATTEMPTS
) -> Manifest:
    """``url`` into ``destination`` (see the module docstring); returns the finished file's manifest.

    A broken connection is resumed at once, up to ``attempts`` transfers, and then keeps ``NAME.part`` for
    the next call; HTTP errors and size disagreements raise :class:`DatasetError` at once; a file that
    changed on the server meanwhile is downloaded again from its start.
    """
    finished = finished_manifest(destination, url)
    if finished is not None:
        log.info("%s: already downloaded (%s bytes)", destination.name, finished.size)
        return finished
    destination.parent.mkdir(parents=True, exist_ok=True)
    own_client = client is None
    client = client or httpx.Client(timeout=TIMEOUT, follow_redirects=True)
    try:
        for attempt in range(1, attempts + 1):
            try:
                return _transfer(client, url, destination)
            except httpx.TransportError as error:
                failure = error
                log.warning("%s: transfer %d of %d broke off: %s", destination.name, attempt, attempts, error)
    finally:
        if own_client:
            client.close()
    part = part_path(destination)
    kept = (
        f"; {part.stat().st_size} bytes are kept in {part.name} and the next run resumes from there"
        if part.is_file()
        else ""
    )
    raise DatasetError(destination, f"download of {url} failed {attempts} times ({failure!r}){kept}")


def finished_manifest(destination: Path, url: str) -> Manifest | None:
    """The manifest of a finished download of ``url`` whose file is still the size it records."""
    manifest = Manifest.read(manifest_path(destination))
    if manifest is None or manifest.sha256 is None or manifest.url != url or not destination.is_file():
        return None
    return manifest if destination.stat().st_size == manifest.size else None


def discard(destination: Path) -> None:
    for path in (destination, part_path(destination), manifest_path(destination)):
        path.unlink(missing_ok=True)


def _transfer(client: httpx.Client, url: str, destination: Path) -> Manifest:
    part, manifest_file = part_path(destination), manifest_path(destination)
    recorded = Manifest.read(manifest_file)
    offset = part.stat().st_size if part.is_file() else 0
    resuming = offset > 0 and recorded is not None and recorded.url == url and _is_strong(recorded.etag)
    # identity: the bytes on disk are the file as published, never a transfer encoding of it
    headers = {"Accept-Encoding": "identity"}
    if resuming:
        headers |= {"Range": f"bytes={offset}-", "If-Range": recorded.etag}
    with client.stream("GET", url, headers=headers) as response:
        etag = response.headers.get("etag")
        if resuming and response.status_code == 416:
            return _finish_complete_part(destination, recorded, offset, response)
        if resuming and response.status_code == 206 and etag != recorded.etag:
            # a server that ignores If-Range: the rest would be of another file
            log.warning("%s: the file changed on the server; starting over", destination.name)
            part.unlink()
        elif resuming and response.status_code == 206:
            start, total = _content_range(destination, response)
            if start != offset or (recorded.size is not None and total != recorded.size):
                _refuse(
                    destination, f"resumed at byte {start} of {total}", f"has {offset} of {recorded.size}"
                )
            return _receive(destination, response, Manifest(url, total, etag), offset)
        elif response.status_code == 200:
            if resuming:
                log.info("%s: the server sent the whole file again; starting over", destination.name)
            return _receive(destination, response, Manifest(url, _content_length(response), etag), 0)
        else:
            raise DatasetError(
                destination, f"GET {url} answered {response.status_code} {response.reason_phrase}"
            )
    return _transfer(client, url, destination)


def _receive(destination: Path, response: httpx.Response, manifest: Manifest, offset: int) -> Manifest:
    """Stream the body onto the part's first ``offset`` bytes, hashing as it goes, and check the size."""
    part = part_path(destination)
    manifest.write(manifest_path(destination))  # the ETag a later run resumes with
    digest = _hash_of(part) if offset else hashlib.sha256()
    progress = tqdm(
        total=manifest.size, initial=offset, unit="B", unit_scale=True, desc=destination.name, disable=None
    )
    with part.open("ab" if offset else "wb") as out, progress:
        for chunk in response.iter_raw():  # as they arrive: a break loses nothing received
            out.write(chunk)
            digest.update(chunk)
            progress.update(len(chunk))
    size = part.stat().st_size
    if manifest.size is not None and size != manifest.size:
        _refuse(destination, f"announced {manifest.size} bytes", f"has {size}")
    return _finish(destination, dataclasses.replace(manifest, size=size, sha256=digest.hexdigest()))


def _finish_complete_part(
    destination: Path, recorded: Manifest, offset: int, response: httpx.Response
) -> Manifest:
    """416 to ``bytes=N-``: the part already holds every byte, if it is the size the server has."""
    _, total = _content_range(destination, response)
    if total != offset or recorded.size not in (None, offset):
        _refuse(destination, f"has {total} bytes", f"has {offset} of {recorded.size}")
    part = part_path(destination)
    return _finish(destination, Manifest(recorded.url, offset, recorded.etag, _hash_of(part).hexdigest()))


def _finish(destination: Path, manifest: Manifest) -> Manifest:
    manifest.write(manifest_path(destination))
    part_path(destination).replace(destination)
    log.info("%s: downloaded %d bytes, sha256 %s", destination.name, manifest.size, manifest.sha256)
    return manifest


def _refuse(destination: Path, server_says: str, download_has: str) -> NoReturn:
    discard(destination)
    raise DatasetError(
        destination,
        f"size mismatch: the server {server_says}, the download {download_has}; "
        "deleted what was downloaded, run again to start over",
    )


def _content_range(destination: Path, response: httpx.Response) -> tuple[int | None, int | None]:
    """(first byte, total size) of a 206's or 416's Content-Range; None where it says ``*``."""
    header = response.headers.get("content-range", "")
    match = _CONTENT_RANGE.fullmatch(header.strip())
    if match is None:
        raise DatasetError(destination, f"the server's Content-Range {header!r} is unreadable")
    start, total = match.group("start"), match.group("total")
    return (None if start is None else int(start)), (None if total == "*" else int(total))


def _content_length(response: httpx.Response) -> int | None:
    value = response.headers.get("content-length")
    return int(value) if value is not None and value.isdigit() else None


def _is_strong(etag: str | None) -> bool:
    """If-Range needs a strong validator (RFC 9110, 13.1.5); a weak one ``W/"..."`` cannot resume."""
    return bool(etag) and not etag.startswith("W/")


def _hash_of(path: Path) -> hashlib._Hash:  # the bytes already on disk, when a transfer resumes
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(CHUNK_BYTES), b""):
            digest.update(block)
    return digest
