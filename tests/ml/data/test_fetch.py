"""The GroupLens downloader, exercised against archives the test publishes at a file:// URL."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pytest

from ml.data import DatasetError, fetch_grouplens, load_dataset


def publish_archive(site: Path, name: str, md5: str | None = None) -> Path:
    """Write ``<site>/<name>.zip`` (GroupLens layout: one top folder) and its ``.md5`` file."""
    site.mkdir(parents=True, exist_ok=True)
    archive = site / f"{name}.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr(f"{name}/ratings.csv", "userId,movieId,rating,timestamp\n1,1,4.0,10\n2,1,3.0,20\n")
        zipped.writestr(f"{name}/movies.csv", "movieId,title,genres\n1,Heat (1995),Action|Crime\n")
    digest = md5 or hashlib.md5(archive.read_bytes()).hexdigest()
    (site / f"{name}.zip.md5").write_text(f"{digest}  {name}.zip\n")
    return archive


def test_download_checks_the_published_md5_and_unpacks(tmp_path):
    publish_archive(tmp_path / "site", "ml-latest-small")
    directory = fetch_grouplens("ml-latest-small", tmp_path / "data", base_url=(tmp_path / "site").as_uri())
    assert directory == tmp_path / "data" / "datasets" / "ml-latest-small"
    assert load_dataset(directory).summary()["ratings"] == 2


def test_an_explicit_sha256_is_checked_instead(tmp_path):
    archive = publish_archive(tmp_path / "site", "ml-32m", md5="0" * 32)
    sha256 = hashlib.sha256(archive.read_bytes()).hexdigest()
    directory = fetch_grouplens(
        "ml-32m", tmp_path / "data", base_url=(tmp_path / "site").as_uri(), sha256=sha256
    )
    assert (directory / "ratings.csv").is_file()


def test_a_checksum_mismatch_keeps_nothing(tmp_path):
    publish_archive(tmp_path / "site", "ml-25m", md5="0" * 32)
    with pytest.raises(DatasetError, match="md5 checksum mismatch"):
        fetch_grouplens("ml-25m", tmp_path / "data", base_url=(tmp_path / "site").as_uri())
    assert not (tmp_path / "data" / "datasets" / "ml-25m").exists()
    assert not (tmp_path / "data" / "downloads" / "ml-25m.zip").exists()


def test_an_unreachable_archive_is_a_clear_error(tmp_path):
    with pytest.raises(DatasetError, match="download of .*ml-1m.zip failed"):
        fetch_grouplens("ml-1m", tmp_path / "data", base_url=(tmp_path / "nowhere").as_uri())
