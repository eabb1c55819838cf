"""Starting Spark for geoflex, and the clear errors when pyspark or Java is missing."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING

from geoflex._errors import MissingDependencyError, require

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

__all__ = ["SESSION_CONF", "check_java", "session"]

#: Settings geoflex's Spark code relies on: timestamps cross Arrow as UTC instants, and
#: Arrow batches are used wherever Spark offers them.
SESSION_CONF: dict[str, str] = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
}


def check_java() -> None:
    """Raise :class:`~geoflex.MissingDependencyError` when no Java runtime can be found.

    pyspark itself only says that its gateway process exited; this names what to install.
    """
    home = os.environ.get("JAVA_HOME")
    if home and os.access(os.path.join(home, "bin", "java"), os.X_OK):
        return
    if shutil.which("java") is None:
        raise MissingDependencyError(
            "Spark needs a Java runtime (17 or later) and none was found on PATH or in "
            "JAVA_HOME; on Debian/Ubuntu: apt-get install -y openjdk-17-jre-headless"
        )


def session(
    master: str | None = None,
    *,
    app_name: str = "geoflex",
    config: Mapping[str, str] | None = None,
) -> SparkSession:
    """A SparkSession set up for geoflex (or the active one, with the settings applied).

    Python workers run this interpreter (``PYSPARK_PYTHON``, unless already set), so they
    import the same geoflex; the session time zone is UTC. On a cluster, start the session
    as usual (``spark-submit``) and pass it to :func:`geoflex.spark.read_events`;
    :func:`geoflex.spark.resolve` needs no session of its own.

    Parameters
    ----------
    master
        Spark master URL; ``local[2]`` runs two executor threads on this machine. Default:
        what ``spark-submit`` or ``spark-defaults.conf`` say, else every local core.
    app_name
        The application name shown in Spark's UI.
    config
        More Spark settings (``{"spark.driver.memory": "4g"}``...), applied when the session
        starts.
    """
    require("pyspark", "spark")
    check_java()
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName(app_name)
    if master is not None:
        builder = builder.master(master)
    for key, value in {**SESSION_CONF, **(config or {})}.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    for key, value in SESSION_CONF.items():
        spark.conf.set(key, value)
    return spark
