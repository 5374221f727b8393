"""Getting datasets onto disk: ml-100k offline from the RecBole wheel, or any MovieLens zip from GroupLens.

Everything lands under ``<data_dir>/datasets/<name>/``. A finished dataset directory is never rewritten:
files are extracted into a temporary sibling and renamed into place, so an interrupted fetch leaves
nothing half-written behind.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

from ml.data.errors import DatasetError
from ml.data.knowledge_graph import KnowledgeGraphFiles

log = logging.getLogger(__name__)

DEFAULT_DATASET = "ml-100k"
# ml-100k with its Freebase knowledge graph, as RecBole 1.2.1 ships it (PyPI is reachable where
# GroupLens is not). The hash pins the exact wheel.
RECBOLE_REQUIREMENT = "recbole==1.2.1"
RECBOLE_WHEEL = "recbole-1.2.1-py3-none-any.whl"
RECBOLE_WHEEL_SHA256 = "9c9948202011f37eb0a7c6768129313f00d6403ad221ec940d5e2d5d5f33a407"
RECBOLE_MEMBER_PREFIX = "recbole/dataset_example/ml-100k/"

GROUPLENS_BASE_URL = "https://files.grouplens.org/datasets/movielens"
GROUPLENS_DATASETS = (
    "ml-100k",
    "ml-1m",
    "ml-10m",
    "ml-latest-small",
    "ml-latest",
    "ml-20m",
    "ml-25m",
    "ml-32m",
)


def datasets_dir(data_dir: Path) -> Path:
    return data_dir / "datasets"


def fetch_default_dataset(data_dir: Path) -> Path:
    """The ml-100k atomic files (``ml-100k.inter`` ...) from the RecBole wheel; returns the .inter path."""
    target = datasets_dir(data_dir) / DEFAULT_DATASET
    inter = target / f"{DEFAULT_DATASET}.inter"
    if inter.is_file():
        return inter
    wheel = _download_recbole_wheel(data_dir / "downloads")
    with zipfile.ZipFile(wheel) as archive, _staging(target) as staging:
        members = [
            m for m in archive.namelist() if m.startswith(RECBOLE_MEMBER_PREFIX) and not m.endswith("/")
        ]
        if not members:
            raise DatasetError(wheel, f"no files under {RECBOLE_MEMBER_PREFIX}")
        for member in members:
            (staging / Path(member).name).write_bytes(archive.read(member))
    log.info("ml-100k ready in %s", target)
    return inter


def movielens_knowledge_graph(data_dir: Path) -> KnowledgeGraphFiles | None:
    """The Freebase triples and links that come with RecBole's ml-100k, where ``fetch_default_dataset``
    put them, or None before it ran (``cinegraph data fetch ml-100k``).

    The links are keyed by MovieLens movie ids (those of ml-1m/10m/20m/25m/32m and ml-latest), not by
    ml-100k's own numbering; loaders apply them only through ``ml.data.link_check``.
    """
    files = KnowledgeGraphFiles.named(datasets_dir(data_dir) / DEFAULT_DATASET / DEFAULT_DATASET)
    if not files.exist():
        log.info(
            "no Freebase triples in %s: fetch %s for people and sequels", files.links.parent, DEFAULT_DATASET
        )
        return None
    return files


def _download_recbole_wheel(downloads: Path) -> Path:
    wheel = downloads / RECBOLE_WHEEL
    if not wheel.is_file():
        downloads.mkdir(parents=True, exist_ok=True)
        log.info("downloading %s from the package index", RECBOLE_REQUIREMENT)
        command = [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--quiet",
            RECBOLE_REQUIREMENT,
            "-d",
            str(downloads),
        ]
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0 or not wheel.is_file():
            raise DatasetError(
                wheel, f"pip download {RECBOLE_REQUIREMENT} failed: {result.stderr.strip()[-500:]}"
            )
    verify_checksum(wheel, sha256=RECBOLE_WHEEL_SHA256)
    return wheel


def fetch_grouplens(
    name: str, data_dir: Path, *, base_url: str = GROUPLENS_BASE_URL, sha256: str | None = None
) -> Path:
    """Download ``<base_url>/<name>.zip``, check it, and unpack it; returns the dataset directory.

    The checksum is ``sha256`` when given, else the MD5 that GroupLens publishes next to each archive
    (``<name>.zip.md5``). A mismatch deletes the download and raises.
    """
    target = datasets_dir(data_dir) / name
    if target.is_dir():
        return target
    downloads = data_dir / "downloads"
    downloads.mkdir(parents=True, exist_ok=True)
    archive_url = f"{base_url.rstrip('/')}/{name}.zip"
    archive = downloads / f"{name}.zip"
    _download(archive_url, archive)
    try:
        if sha256:
            verify_checksum(archive, sha256=sha256)
        else:
            verify_checksum(archive, md5=_published_md5(archive_url))
    except DatasetError:
        archive.unlink(missing_ok=True)
        raise
    with zipfile.ZipFile(archive) as zipped, _staging(target) as staging:
        zipped.extractall(staging)
        # GroupLens zips hold one top-level folder named like the dataset; flatten it.
        inner = [p for p in staging.iterdir()]
        if len(inner) == 1 and inner[0].is_dir():
            for item in inner[0].iterdir():
                item.rename(staging / item.name)
            inner[0].rmdir()
    return target


def _download(url: str, destination: Path) -> None:
    partial = destination.with_suffix(destination.suffix + ".part")
    try:
        with urllib.request.urlopen(url, timeout=60) as response, partial.open("wb") as out:
            shutil.copyfileobj(response, out, length=1 << 20)
    except (urllib.error.URLError, OSError) as error:
        partial.unlink(missing_ok=True)
        raise DatasetError(destination, f"download of {url} failed: {error}") from None
    partial.replace(destination)


def _published_md5(archive_url: str) -> str:
    md5_url = archive_url + ".md5"
    try:
        with urllib.request.urlopen(md5_url, timeout=60) as response:
            text = response.read().decode("ascii", errors="replace")
    except (urllib.error.URLError, OSError) as error:
        raise DatasetError(Path(md5_url), f"cannot read the published checksum: {error}") from None
    digest = next((word for word in text.split() if len(word) == 32), None)
    if digest is None:
        raise DatasetError(Path(md5_url), "no MD5 digest in the checksum file")
    return digest.lower()


def verify_checksum(path: Path, *, sha256: str | None = None, md5: str | None = None) -> None:
    algorithm, expected = ("sha256", sha256) if sha256 else ("md5", md5)
    digest = hashlib.new(algorithm)
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    if digest.hexdigest() != expected.lower():
        raise DatasetError(
            path, f"{algorithm} checksum mismatch: expected {expected}, got {digest.hexdigest()}"
        )


class _staging:
    """Context manager: a temporary directory next to ``target`` that becomes ``target`` on success."""

    def __init__(self, target: Path) -> None:
        self.target = target

    def __enter__(self) -> Path:
        self.target.parent.mkdir(parents=True, exist_ok=True)
        self.path = Path(tempfile.mkdtemp(prefix=f".{self.target.name}-", dir=self.target.parent))
        return self.path

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.path.rename(self.target)
        else:
            shutil.rmtree(self.path, ignore_errors=True)
