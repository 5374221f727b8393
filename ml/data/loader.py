"""One entry point that recognises a dataset's flavour from its files."""

from __future__ import annotations

from pathlib import Path

from ml.data.dataset import Dataset
from ml.data.errors import DatasetError
from ml.data.fetch import DEFAULT_DATASET, datasets_dir, fetch_default_dataset, movielens_knowledge_graph
from ml.data.hygiene import clean
from ml.data.knowledge_graph import KnowledgeGraphFiles
from ml.data.movielens import load_ml1m, load_ml100k, load_ml_csv
from ml.data.recbole import load_recbole


def load_dataset(path: Path | str, knowledge_graph: KnowledgeGraphFiles | None = None) -> Dataset:
    """Load a MovieLens directory (ml-100k, ml-1m/10m, ml-latest/25m/32m) or RecBole ``.inter`` file/dir,
    without placeholder movies and with films listed twice merged (``ml.data.hygiene``).

    ``knowledge_graph`` (Freebase triples and links keyed by MovieLens movie ids) is offered to the
    flavours numbered by those ids, ml-1m/10m and the csv ones, through the link check; ml-100k's own
    numbering never gets it, and a RecBole dataset brings its own ``.kg``/``.link``.
    """
    return clean(_read_dataset(Path(path), knowledge_graph))


def _read_dataset(path: Path, knowledge_graph: KnowledgeGraphFiles | None) -> Dataset:
    if path.is_file():
        if path.suffix == ".inter":
            return load_recbole(path)
        raise DatasetError(path, "expected a dataset directory or a RecBole .inter file")
    if not path.is_dir():
        raise DatasetError(path, "no such file or directory")
    if (path / "u.data").is_file():
        return load_ml100k(path)
    if (path / "ratings.dat").is_file():
        return load_ml1m(path, knowledge_graph)
    if (path / "ratings.csv").is_file():
        return load_ml_csv(path, knowledge_graph)
    inter_files = sorted(path.glob("*.inter"))
    if len(inter_files) == 1:
        return load_recbole(inter_files[0])
    raise DatasetError(path, "found no u.data, ratings.dat, ratings.csv or single .inter file")


def default_dataset(data_dir: Path) -> Dataset:
    """ml-100k, fetched offline into the data directory on first use; the Freebase links that come with
    it are keyed by other ids, so the check refuses them and it has no people or sequels."""
    return load_dataset(fetch_default_dataset(data_dir))


def resolve_dataset(name_or_path: str, data_dir: Path) -> Dataset:
    """A dataset by name (``ml-100k`` or one fetched earlier) or by path, offered the Freebase triples
    fetched with ml-100k when they are in the data directory (``movielens_knowledge_graph``)."""
    if name_or_path == DEFAULT_DATASET:
        return default_dataset(data_dir)
    fetched = datasets_dir(data_dir) / name_or_path
    return load_dataset(
        fetched if fetched.is_dir() else Path(name_or_path), movielens_knowledge_graph(data_dir)
    )
