"""The ``geoflex`` command: a thin layer over the public API.

``geoflex demo``      the embedded sample -> all reports
``geoflex report``    your TaskRouter event files -> all reports
``geoflex resolve``   a CSV/parquet of phone numbers -> the same rows with geo columns
``geoflex collect``   an Event Streams webhook sink writing event files (geoflex[collect])
``geoflex fetch``     the TaskRouter Events REST history, Flex Locations and workers

Errors geoflex raises on purpose (bad config, unreadable input...) print one line and exit
with status 2; no traceback.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, NoReturn

from geoflex._errors import GeoflexError, MissingDependencyError

try:
    import click
except ImportError as exc:  # pragma: no cover - the console script needs the extra
    raise MissingDependencyError(
        "the geoflex command needs click and rich: pip install 'geoflex[cli]'"
    ) from exc

__all__ = ["main"]

EXIT_USAGE = 2


def _fail(message: str) -> NoReturn:
    click.echo(f"Error: {message}", err=True)
    sys.exit(EXIT_USAGE)


@contextlib.contextmanager
def _errors() -> Iterator[None]:
    """Turn expected errors into one line on stderr and exit status 2."""
    try:
        yield
    except GeoflexError as exc:
        _fail(str(exc))
    except FileNotFoundError as exc:
        _fail(f"file not found: {exc.filename or exc}")
    except IsADirectoryError as exc:
        _fail(f"expected a file, got a directory: {exc.filename or exc}")
    except PermissionError as exc:
        _fail(f"permission denied: {exc.filename or exc}")


@contextlib.contextmanager
def _progress(total: int, *, quiet: bool) -> Iterator[Callable[[str], None]]:
    """A rich progress bar; yields ``step(description)`` to call as each stage starts."""
    if quiet:
        yield lambda _description: None
        return
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=_console(),
        transient=False,
    ) as progress:
        task = progress.add_task("Starting", total=total)
        started = False

        def step(description: str) -> None:
            nonlocal started
            if started:
                progress.advance(task)
            started = True
            progress.update(task, description=description)

        yield step
        progress.update(task, completed=total, description="Done")


def _console() -> Any:
    from rich.console import Console

    return Console(stderr=True)


def _config(path: Path | None) -> Any:
    from geoflex.report import ReportConfig, load_config

    return load_config(path) if path is not None else ReportConfig()


def _build(
    sources: Sequence[str | Path] | None, out: Path, config_path: Path | None, *, quiet: bool
) -> list[Path]:
    from geoflex.report import BUILD_STEPS, build_all

    config = _config(config_path)
    with _progress(BUILD_STEPS + 1, quiet=quiet) as step:
        step("Reading events")
        locations = None
        if sources is None:
            import geoflex.sample
            from geoflex.ingest import read_ui_attributes

            data = geoflex.sample.load()
            if config_path is None:  # the sample centre's own timezone
                config = dataclasses.replace(config, centre_timezone=geoflex.sample.CENTRE_TIMEZONE)
            if config.ui_attributes is None:
                locations = read_ui_attributes(geoflex.sample.ui_attributes())
        else:
            from geoflex.collect._layout import Layout
            from geoflex.ingest import read_events, read_ui_attributes
            from geoflex.ingest._workers import add_workers

            # A folder written by `geoflex collect`/`fetch`: its events, Flex Locations and
            # workers.
            layouts = [Layout.recognise(Path(s)) for s in sources]
            data = read_events(
                [str(lay.events if lay else s) for s, lay in zip(sources, layouts, strict=True)]
            )
            for layout in filter(None, layouts):
                if layout.workers.is_file():
                    data = add_workers(data, layout.workers)
                if config.ui_attributes is None and layout.ui_attributes.is_file():
                    locations = read_ui_attributes(layout.ui_attributes)
        return build_all(data, out_dir=out, config=config, locations=locations, progress=step)


def _summary(paths: Sequence[Path]) -> None:
    click.echo(f"Wrote {len(paths)} reports:")
    for path in paths:
        click.echo(f"  {path}")
    if paths:
        click.echo(f"Open {paths[0]} in a browser to start.")


def _version() -> str:
    from geoflex import __version__

    return __version__


def _report_options(command: Callable[..., None]) -> Callable[..., None]:
    """--out, --config and --quiet, shared by the commands that write reports."""
    for option in reversed(
        [
            click.option(
                "--out",
                "out",
                type=click.Path(file_okay=False, path_type=Path),
                default=Path("reports"),
                show_default=True,
                help="Directory to write the HTML reports to.",
            ),
            click.option(
                "--config",
                "config_path",
                type=click.Path(dir_okay=False, path_type=Path),
                help="TOML or YAML settings (service level, shifts, regions...).",
            ),
            click.option("--quiet", "-q", is_flag=True, help="No progress bar."),
        ]
    ):
        command = option(command)
    return command


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(_version(), "--version", "-V", prog_name="geoflex")
def main() -> None:
    """geoflex: where your contact-centre customers are, when they call, who should answer."""


@main.command()
@_report_options
def demo(out: Path, config_path: Path | None, quiet: bool) -> None:
    """Build every report from the sample data shipped with geoflex."""
    with _errors():
        _summary(_build(None, out, config_path, quiet=quiet))


@main.command()
@click.argument("inputs", nargs=-1, required=True)
@_report_options
def report(inputs: tuple[str, ...], out: Path, config_path: Path | None, quiet: bool) -> None:
    """Build every report from TaskRouter event files (NDJSON, JSON, CSV; .gz too).

    INPUTS are files or glob patterns, in any of the shapes read_events accepts, or folders
    written by `geoflex collect` / `geoflex fetch` (their Flex Locations and workers are
    used too).
    """
    with _errors():
        for item in inputs:
            if not any(ch in item for ch in "*?[") and not Path(item).exists():
                raise FileNotFoundError(2, "No such file", item)
        _summary(_build(list(inputs), out, config_path, quiet=quiet))


@main.command()
@click.argument("input_path", metavar="INPUT", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Output file (.csv or .parquet).",
)
@click.option("--phone", default="phone", show_default=True, help="Column of phone numbers.")
@click.option(
    "--default-country",
    default="US",
    show_default=True,
    help="Country for numbers written in national format.",
)
def resolve(input_path: Path, out: Path, phone: str, default_country: str) -> None:
    """Add geography columns (country, state, city, timezone...) to a table of phone numbers."""
    import polars as pl

    with _errors():
        suffix = input_path.suffix.lower()
        if not input_path.exists():
            raise FileNotFoundError(2, "No such file", str(input_path))
        if suffix == ".csv":
            frame = pl.read_csv(input_path, infer_schema=False)
        elif suffix in (".parquet", ".pq"):
            frame = pl.read_parquet(input_path)
        else:
            raise GeoflexError(f"{input_path}: input must be .csv or .parquet")
        from geoflex.resolve import resolve as resolve_phones

        result = resolve_phones(frame, phone, default_country=default_country)
        out.parent.mkdir(parents=True, exist_ok=True)
        if out.suffix.lower() in (".parquet", ".pq"):
            result.write_parquet(out)
        elif out.suffix.lower() == ".csv":
            # CSV cannot hold Enum/Categorical metadata; write them as text.
            result.with_columns(pl.col(pl.Enum, pl.Categorical).cast(pl.String)).write_csv(out)
        else:
            raise GeoflexError(f"{out}: output must be .csv or .parquet")
        click.echo(f"Wrote {result.height:,} rows to {out}")


@main.command()
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory for the event files (OUT/events) and the receiver's state.",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", default=8080, show_default=True, type=click.IntRange(1, 65535), help="Port."
)
@click.option(
    "--public-url",
    help="The sink URL Twilio calls (e.g. https://collect.example.com/events), when a TLS "
    "proxy sits in front: signatures cover that URL.",
)
@click.option(
    "--basic-auth",
    "basic_user",
    metavar="USER",
    help="Also require HTTP Basic credentials: this user, the password in "
    "GEOFLEX_COLLECT_PASSWORD (put both in the sink URL as https://USER:PASSWORD@host/...).",
)
@click.option(
    "--max-body-mb", default=4.0, show_default=True, type=click.FloatRange(min=0.001),
    help="Largest request body accepted.",
)  # fmt: skip
@click.option(
    "--rotate-mb", default=64.0, show_default=True, type=click.FloatRange(min=0.001),
    help="Start a new event file at this size.",
)  # fmt: skip
@click.option(
    "--rotate-minutes", default=60.0, show_default=True, type=click.FloatRange(min=0.01),
    help="Start a new event file at this age.",
)  # fmt: skip
@click.option(
    "--dedup-ids", default=1_000_000, show_default=True, type=click.IntRange(min=1),
    help="How many recent event ids are remembered to drop redelivered events.",
)  # fmt: skip
def collect(
    out: Path,
    host: str,
    port: int,
    public_url: str | None,
    basic_user: str | None,
    max_body_mb: float,
    rotate_mb: float,
    rotate_minutes: float,
    dedup_ids: int,
) -> None:
    """Receive Twilio Event Streams batches (a webhook sink) into event files under OUT.

    Every request must carry a valid X-Twilio-Signature made with the auth token in
    TWILIO_AUTH_TOKEN (the receiver does not start without it). A batch is answered 200
    only once it is on the disk; redelivered events are written once.
    """
    with _errors():
        from geoflex._errors import require

        for module in ("starlette", "uvicorn", "twilio"):
            require(module, "collect")
        from geoflex.collect import ReceiverSettings, serve

        basic_auth = None
        if basic_user is not None:
            password = os.environ.get("GEOFLEX_COLLECT_PASSWORD", "")
            if not password:
                raise GeoflexError("--basic-auth needs the password in GEOFLEX_COLLECT_PASSWORD")
            basic_auth = (basic_user, password)
        settings = ReceiverSettings(
            out=out,
            auth_token=os.environ.get("TWILIO_AUTH_TOKEN", ""),
            public_url=public_url,
            basic_auth=basic_auth,
            max_body_bytes=int(max_body_mb * (1 << 20)),
            rotate_bytes=int(rotate_mb * (1 << 20)),
            rotate_seconds=rotate_minutes * 60,
            dedup_capacity=dedup_ids,
        )
        serve(settings, host=host, port=port)


@main.command()
@click.option("--workspace", required=True, help="The TaskRouter workspace SID (WS...).")
@click.option(
    "--since",
    required=True,
    type=click.DateTime(formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%SZ"]),
    help="First day (UTC) of events to pull; TaskRouter keeps 30 days.",
)
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory to write to (OUT/events, OUT/flex); `geoflex report OUT` reads it.",
)
@click.option(
    "--base-url",
    help="Use this server instead of taskrouter.twilio.com and flex-api.twilio.com.",
)
@click.option("--no-flex", is_flag=True, help="Events only: skip ui_attributes and workers.")
@click.option("--quiet", "-q", is_flag=True, help="No progress lines.")
def fetch(
    workspace: str, since: Any, out: Path, base_url: str | None, no_flex: bool, quiet: bool
) -> None:
    """Pull TaskRouter events (REST, paginated, resumable), Flex Locations and workers.

    Credentials come from TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN, or TWILIO_API_KEY and
    TWILIO_API_SECRET. An interrupted run continues after its last written page.
    """
    with _errors():
        from geoflex._errors import require

        require("httpx", "collect")
        from geoflex.collect._fetch import Credentials
        from geoflex.collect._fetch import fetch as fetch_workspace

        def note(message: str) -> None:
            if not quiet:
                click.echo(message, err=True)

        result = fetch_workspace(
            workspace,
            since=since,
            out=out,
            credentials=Credentials.from_env(),
            base_url=base_url,
            flex=not no_flex,
            note=note,
        )
        click.echo(
            f"Wrote {result.events:,} events in {result.pages} new pages to {out / 'events'}"
            + (f" (resumed at page {result.resumed_at_page})" if result.resumed_at_page else "")
        )
        if result.workers is not None:
            click.echo(
                f"Wrote {result.locations} Flex Locations and {result.workers} workers to "
                f"{out / 'flex'}"
            )
        click.echo(f"Next: geoflex report {out} --out reports")


if __name__ == "__main__":  # pragma: no cover
    main()
