"""Which files ``geoflex.spark.read_events`` reads: the inputs ``geoflex.read_events`` takes
(files, directories, globs), in any file system Spark reads.

Local paths are expanded by ``geoflex.read_events``' own rule; URLs (``s3a://``, ``hdfs://``,
``abfss://``...) by the same rule through Hadoop's file system, on the driver (names and
sizes only, never contents): a directory gives its event files (``*.json``, ``*.ndjson``,
``*.csv``, ``*.gz``...) at any depth, a glob the files it matches, a file itself; in sorted
order, each input in the order given. A name that matches nothing is a
:class:`~geoflex.DataError`, as it is for polars.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from geoflex._errors import DataError
from geoflex.ingest._read import _EVENT_SUFFIXES, _expand_path

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

__all__ = ["event_files", "is_directory", "is_remote", "literal"]

_GLOB = "*?["
# Characters Hadoop's path globbing treats specially, escaped in names meant literally.
_HADOOP_GLOB = re.compile(r"([\\*?\[\]{}])")


def is_remote(path: str) -> bool:
    """Whether ``path`` is a URL with a scheme (``s3a://...``) rather than a local path."""
    return "://" in path


def literal(path: str) -> str:
    """``path`` as Spark reads exactly that file (Spark would expand ``*``, ``[``... in it)."""
    return _HADOOP_GLOB.sub(r"\\\1", path)


def event_files(spark: SparkSession, paths: str | Sequence[str]) -> list[str]:
    """The event files of ``paths``, as ``geoflex.read_events`` would find them."""
    wanted = [paths] if isinstance(paths, str) else list(paths)
    files: list[str] = []
    for item in wanted:
        if is_remote(item):
            files.extend(_remote_files(spark, item))
        else:
            files.extend(str(f) for f in _expand_path(item))
    return files


def _remote_files(spark: SparkSession, url: str) -> list[str]:
    """``url`` expanded through Hadoop's file system (its scheme's connector)."""
    jvm: Any = spark.sparkContext._jvm
    path = jvm.org.apache.hadoop.fs.Path(url)
    fs = path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())
    if any(ch in url for ch in _GLOB):
        matches = fs.globStatus(path) or []
        if len(matches) == 0:
            raise DataError(f"no files match {url!r}")
        return sorted(str(s.getPath().toString()) for s in matches if s.isFile())
    if not fs.exists(path):
        raise DataError(f"no such file: {url!r}")
    if not fs.getFileStatus(path).isDirectory():
        return [url]
    found = []
    listing = fs.listFiles(path, True)  # every file at any depth
    while listing.hasNext():
        name = str(listing.next().getPath().toString())
        if _suffix(name) in _EVENT_SUFFIXES:
            found.append(name)
    if not found:
        raise DataError(f"no event files (*.json, *.ndjson, *.csv, *.gz...) in {url!r}")
    return sorted(found)


def _suffix(name: str) -> str:
    """The suffix ``pathlib`` would give the file name ending ``name`` ('' if none)."""
    base = name.rstrip("/").rsplit("/", 1)[-1]
    dot = base.rfind(".")
    return base[dot:] if 0 < dot < len(base) - 1 else ""


def is_directory(spark: SparkSession, url: str) -> bool:
    """Whether ``url`` names a directory (in the file system of its scheme)."""
    jvm: Any = spark.sparkContext._jvm
    path = jvm.org.apache.hadoop.fs.Path(url)
    fs = path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())
    return bool(fs.exists(path) and fs.getFileStatus(path).isDirectory())
