"""MovieLens and RecBole files into one typed ``Dataset``."""

from ml.data.dataset import Dataset
from ml.data.errors import DatasetError
from ml.data.fetch import fetch_default_dataset, fetch_grouplens
from ml.data.loader import default_dataset, load_dataset, resolve_dataset

__all__ = [
    "Dataset",
    "DatasetError",
    "default_dataset",
    "fetch_default_dataset",
    "fetch_grouplens",
    "load_dataset",
    "resolve_dataset",
]
