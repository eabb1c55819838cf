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

from geoflex._errors import ColumnError, DataError, GeoflexError, MissingDependencyError
from geoflex._untrusted import one_line, quote

try:
    import click
except ImportError as exc:  # pragma: no cover - the console script needs the extra
    raise MissingDependencyError(
        "the geoflex command needs click and rich: pip install 'geoflex[cli]'"
    ) from exc

__all__ = ["main"]

#: Exit statuses: a mistake in the command line or the config; input that cannot be used
#: (and anything else that stops a run).
EXIT_USAGE = 2
EXIT_INPUT = 1
EXIT_INTERRUPTED = 130

# Exceptions that are bugs in geoflex whatever the input: never blamed on a file or option.
_BUGS = (TypeError, AttributeError, NameError, AssertionError, NotImplementedError, LookupError)
_DEBUG = "geoflex.debug"


class _CliError(Exception):
    """A mistake the command line has attributed: its one-line message and exit status."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


def _reason(exc: BaseException, what: str = "") -> str:
    """What went wrong, in the words of the exception (its file name unless in ``what``)."""
    if isinstance(exc, UnicodeDecodeError):
        return f"not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at offset {exc.start:,})"
    if isinstance(exc, RecursionError):
        return "nested too deeply to read"
    if isinstance(exc, OSError) and exc.strerror:
        where = f" ({exc.filename})" if exc.filename and str(exc.filename) not in what else ""
        return f"{exc.strerror}{where}"
    if isinstance(exc, EOFError):
        return f"the file ends too early ({exc or 'truncated'})"
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0] if text else type(exc).__name__


@contextlib.contextmanager
def _about(
    what: str,
    *,
    code: int,
    catch: tuple[type[BaseException], ...] = (Exception,),
    hint: str = "",
) -> Iterator[None]:
    """Blame the errors raised inside on ``what`` (an option or the input), exit ``code``.

    Errors geoflex raised on purpose keep their own message and status; bugs stay bugs.
    """
    try:
        yield
    except (GeoflexError, _CliError, *_BUGS):
        raise
    except catch as exc:
        raise _CliError(f"{what}: {_reason(exc, what)}{hint}", code) from exc


def _explain(exc: BaseException) -> tuple[int, str]:
    """The exit status and one-line message for an exception that ended a command."""
    if isinstance(exc, _CliError):
        return exc.code, str(exc)
    if isinstance(exc, DataError | ColumnError):  # the data cannot be used
        return EXIT_INPUT, str(exc)
    if isinstance(exc, GeoflexError):  # settings, options, environment, missing extras
        return EXIT_USAGE, str(exc)
    if isinstance(exc, MemoryError):
        return EXIT_INPUT, "out of memory; read fewer or smaller files at once"
    if isinstance(exc, OSError | EOFError | UnicodeError):
        return EXIT_INPUT, _reason(exc)
    return EXIT_INPUT, (
        f"unexpected {type(exc).__name__}: {_reason(exc)} -- this is a bug in geoflex; "
        "run the command again with --debug and report the traceback it prints"
    )


def _fail(message: str, code: int) -> NoReturn:
    click.echo(f"Error: {one_line(message)}", err=True)
    sys.exit(code)


def _set_debug(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value:
        ctx.meta[_DEBUG] = True


def _debug_option() -> click.Option:
    return click.Option(
        ["--debug"],
        is_flag=True,
        expose_value=False,
        is_eager=True,
        callback=_set_debug,
        help="Show the full traceback of an error (for reporting bugs).",
    )


class _Commands(click.Group):
    """The ``geoflex`` group: every error ends as one line on stderr and an exit status.

    Usage mistakes (click's own checks, bad options, bad config) exit 2; input that cannot
    be used exits 1. ``--debug`` (on the group and on every command added to it) shows
    the traceback instead.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.params.append(_debug_option())

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        if not any(p.name == "debug" for p in cmd.params):
            cmd.params.append(_debug_option())
        super().add_command(cmd, name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as exc:
            if ctx.meta.get(_DEBUG):
                raise
            code, message = _explain(exc)
            _fail(message, code)

    def main(self, *args: Any, **kwargs: Any) -> Any:
        if kwargs.get("standalone_mode", True) is False:
            return super().main(*args, **kwargs)
        kwargs["standalone_mode"] = False
        try:
            result = super().main(*args, **kwargs)
        except click.exceptions.ClickException as exc:
            context = getattr(exc, "ctx", None)
            hint = f" (see '{context.command_path} --help')" if context is not None else ""
            _fail(exc.format_message() + hint, exc.exit_code)
        except click.Abort:
            _fail("interrupted", EXIT_INTERRUPTED)
        sys.exit(result if isinstance(result, int) else 0)


@contextlib.contextmanager
def _progress(total: int, *, quiet: bool) -> Iterator[Callable[[str], None]]:
    """A rich progress bar; yields ``step(description)`` to call as each stage starts."""
    console = None if quiet else _console()
    if console is None or not console.is_terminal:  # logs get no bar
        yield lambda _description: None
        return
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=console,
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

        try:
            yield step
        except BaseException:
            progress.live.transient = True  # an error leaves its one line, not a half bar
            raise
        progress.update(task, completed=total, description="Done")


def _console() -> Any:
    from rich.console import Console

    return Console(stderr=True)


def _config(path: Path | None) -> Any:
    """The settings of ``--config`` (a usage error when it cannot be read), else defaults."""
    from geoflex.report import ReportConfig, load_config

    if path is None:
        return ReportConfig()
    with _about(f"--config {path}", code=EXIT_USAGE, hint="; give a readable TOML file"):
        return load_config(path)


def _check_parents(path: Path, what: str) -> None:
    """A usage error when a parent that exists is not a directory (``a_file/out``)."""
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise _CliError(f"{what}: {parent} is not a directory", EXIT_USAGE)
            return


def _out_dir(out: Path) -> Path:
    """``--out`` as a directory that exists and can be written to, else a usage error."""
    what = f"--out {out}"
    if out.exists() and not out.is_dir():
        raise _CliError(f"{what}: exists and is not a directory; choose a directory", EXIT_USAGE)
    _check_parents(out, what)
    with _about(what, code=EXIT_USAGE, catch=(OSError,), hint="; choose another directory"):
        out.mkdir(parents=True, exist_ok=True)
    if not os.access(out, os.W_OK | os.X_OK):
        raise _CliError(f"{what}: not writable; choose another directory", EXIT_USAGE)
    return out


def _check_inputs(inputs: Sequence[str]) -> None:
    """Every INPUT that is not a glob pattern must exist (a mistyped name is a usage error)."""
    import glob

    for item in inputs:
        if any(ch in item for ch in "*?["):
            if not glob.glob(item, recursive=True):
                raise _CliError(f"INPUT {quote(item, 200)}: no file matches", EXIT_USAGE)
        elif not os.path.lexists(item):
            raise _CliError(f"INPUT {quote(item, 200)}: no such file or directory", EXIT_USAGE)


def _inputs_named(inputs: Sequence[str]) -> str:
    shown = ", ".join(quote(i, 80) for i in inputs[:3])
    return shown + (f" and {len(inputs) - 3:,} more" if len(inputs) > 3 else "")


def _collected(sources: Sequence[str], engine: str) -> tuple[list[str], list[Path], Path | None]:
    """INPUTS with each folder written by `geoflex collect`/`fetch` replaced by its events
    folder; those folders' workers files, and the last one's Flex ui_attributes. On Spark a
    URL (s3a://...) is such a folder when it holds an `events` folder (its events are read;
    its Flex files are not: they are read from local folders only)."""
    from geoflex.collect._layout import Layout

    events, workers, ui_attributes = [], [], None
    for source in sources:
        if engine == "spark" and "://" in source:
            import geoflex.spark as gs
            from geoflex.spark._paths import is_directory

            folder = source.rstrip("/") + "/events"
            events.append(folder if is_directory(gs.session(), folder) else source)
            continue
        layout = Layout.recognise(Path(source))
        if layout is None:
            events.append(source)
            continue
        events.append(str(layout.events))
        if layout.workers.is_file():
            workers.append(layout.workers)
        if layout.ui_attributes.is_file():
            ui_attributes = layout.ui_attributes
    return events, workers, ui_attributes


def _read(inputs: Sequence[str], *, named: str) -> Any:
    """`geoflex.read_events` of the inputs; refused when they hold no TaskRouter events."""
    from geoflex.ingest import read_events

    with _about(f"reading {named}", code=EXIT_INPUT):
        data = read_events(list(inputs))
    _refuse_empty(named, data.segments.height, data.problems)
    return data


def _refuse_empty(named: str, segments: int, problems: Any) -> None:
    """Refuse input without TaskRouter events, naming its first unusable line."""
    if segments == 0:
        found = int(problems["count"].sum())
        lines = f"{found:,} unusable line{'' if found == 1 else 's'}" if found else "no lines"
        if found:
            file, line, _, reason, _ = problems.row(0)
            lines += f"; the first: {file}:{line}: {reason}"
        raise _CliError(
            f"no TaskRouter events in {named} ({lines}); "
            "give Event Streams, Event Callback or Events REST exports",
            EXIT_INPUT,
        )


def _read_on_spark(
    sources: Sequence[str], workers: Sequence[Path], *, named: str
) -> tuple[Any, Any]:
    """Events read, screened and built into tables on Spark (``SparkFlexData``, the workers
    files merged into the agents) and their problems (capped): the reports' frames are
    computed on Spark too (`build_all`); only counts and the problems come here, to refuse
    input without events."""
    import geoflex.spark as gs

    with _about(f"reading {named}", code=EXIT_INPUT):
        spark_data = gs.read_events(gs.session(), list(sources))
        try:
            for path in workers:
                spark_data = spark_data.add_workers(path)
            problems = spark_data.collect("problems")
            _refuse_empty(named, spark_data.segments.count(), problems)
        except BaseException:
            spark_data.unpersist()
            raise
    return spark_data, problems


def _build(
    sources: Sequence[str] | None,
    out: Path,
    config_path: Path | None,
    *,
    quiet: bool,
    engine: str = "polars",
) -> tuple[list[Path], int]:
    """Write every report; return the files written and how many input lines were unusable."""
    from geoflex.report import BUILD_STEPS, build_all

    config = _config(config_path)
    out = _out_dir(out)
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
            from geoflex.ingest import read_ui_attributes

            events, workers, ui_attributes = _collected(sources, engine)
            if engine == "spark":
                data, problems = _read_on_spark(events, workers, named=_inputs_named(sources))
            else:
                from geoflex.ingest._workers import add_workers

                data = _read(events, named=_inputs_named(sources))
                with _about(f"reading {_inputs_named(sources)}", code=EXIT_INPUT):
                    for path in workers:
                        data = add_workers(data, path)
            if config.ui_attributes is None and ui_attributes is not None:
                with _about(f"reading {_inputs_named(sources)}", code=EXIT_INPUT):
                    locations = read_ui_attributes(ui_attributes)
        try:
            with _about(f"--out {out}", code=EXIT_USAGE, catch=(OSError,)):
                paths = build_all(
                    data, out_dir=out, config=config, locations=locations, progress=step
                )
        finally:
            if engine == "spark" and sources is not None:
                data.unpersist()  # type: ignore[attr-defined]  # SparkFlexData's cache
    if not (engine == "spark" and sources is not None):
        problems = data.problems
    return paths, int(problems["count"].sum())


def _summary(paths: Sequence[Path], problems: int) -> None:
    click.echo(f"Wrote {len(paths)} reports:")
    for path in paths:
        click.echo(f"  {path}")
    if problems:
        lines = "line" if problems == 1 else "lines"
        click.echo(f"{problems:,} input {lines} could not be used (see the overview's table).")
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
                help="TOML settings (service level, shifts, regions...).",
            ),
            click.option("--quiet", "-q", is_flag=True, help="No progress bar."),
        ]
    ):
        command = option(command)
    return command


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(_version(), "--version", "-V", prog_name="geoflex")
def main() -> None:
    """geoflex: where your contact-centre customers are, when they call, who should answer."""


@main.command()
@_report_options
def demo(out: Path, config_path: Path | None, quiet: bool) -> None:
    """Build every report from the sample data shipped with geoflex."""
    _summary(*_build(None, out, config_path, quiet=quiet))


@main.command()
@click.argument("inputs", nargs=-1, required=True)
@_report_options
@click.option(
    "--engine",
    type=click.Choice(["polars", "spark"]),
    default="polars",
    show_default=True,
    help="Read the events with polars here, or on Apache Spark (geoflex[spark] and Java; "
    "INPUTS may then be any path Spark reads, e.g. s3a://...).",
)
def report(
    inputs: tuple[str, ...], out: Path, config_path: Path | None, quiet: bool, engine: str
) -> None:
    """Build every report from TaskRouter event files (NDJSON, JSON, CSV; .gz too).

    INPUTS are files, directories or glob patterns, in any of the shapes read_events
    accepts, or folders written by `geoflex collect` / `geoflex fetch` (their Flex Locations
    and workers are used too). Input without any TaskRouter event is refused (exit status 1).
    """
    # Spark reads any path its file systems know (s3a://...): only local ones are checked.
    _check_inputs([i for i in inputs if engine == "polars" or "://" not in i])
    _summary(*_build(list(inputs), out, config_path, quiet=quiet, engine=engine))


_TABLE_SUFFIXES = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}


def _table_kind(path: Path, what: str) -> str:
    kind = _TABLE_SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise _CliError(f"{what} {path}: must end in .csv or .parquet", EXIT_USAGE)
    return kind


def _pairs(values: Sequence[str], option: str, shape: str) -> dict[str, str]:
    """``KEY=VALUE`` option values as a mapping (a usage error naming the option if not)."""
    out = {}
    for value in values:
        key, sep, rest = value.partition("=")
        if not sep or not key.strip() or not rest.strip():
            raise _CliError(f"{option} {quote(value, 80)}: write {shape}", EXIT_USAGE)
        out[key.strip()] = rest.strip()
    return out


def _resolve_settings(config_path: Path | None, options: dict[str, Any]) -> Any:
    """``--config`` with the command-line options on top, validated as one config."""
    from geoflex.report._config import ReportConfig, read_config_table

    table: dict[str, Any] = {}
    if config_path is not None:
        with _about(f"--config {config_path}", code=EXIT_USAGE, hint="; give a readable TOML file"):
            table = read_config_table(config_path)
    for key, value in options.items():
        if isinstance(value, dict):
            earlier = table.get(key)
            value = (
                {**(earlier if isinstance(earlier, dict) else {}), **value} if value else earlier
            )
        if value is not None:
            table[key] = value
    given = [f"--config {config_path}"] if config_path is not None else []
    if any(options.values()):
        given.append("the command-line options")
    return ReportConfig.from_mapping(table, source=" with ".join(given) or "options")


@main.command()
@click.argument(
    "input_path",
    metavar="INPUT",
    type=click.Path(dir_okay=False, readable=False, path_type=Path),  # unreadable: exit 1
)
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Output file (.csv or .parquet).",
)
@click.option("--phone", default="phone", show_default=True, help="Column of phone numbers.")
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="TOML settings: resolve reads default_country, regions, regions_fallback, overrides.",
)
@click.option(
    "--default-country",
    metavar="CC",
    help="Country of numbers written in national format (default: the config's, else US).",
)
@click.option(
    "--override",
    "overrides",
    metavar="FIELD=COLUMN",
    multiple=True,
    help="A customer attribute that beats the phone, e.g. zip=customer_zip (repeatable).",
)
@click.option(
    "--region",
    "regions",
    metavar="CC=NAME",
    multiple=True,
    help="A custom region for a country, e.g. US=Americas (repeatable).",
)
@click.option(
    "--regions-fallback",
    metavar="NAME",
    help='Region of the countries no --region names: "continents" or a name such as Other.',
)
@click.option(
    "--mask-phones",
    is_flag=True,
    help="Mask phone numbers in every text column of the output (keeps the last two digits).",
)
def resolve(
    input_path: Path,
    out: Path,
    phone: str,
    config_path: Path | None,
    default_country: str | None,
    overrides: tuple[str, ...],
    regions: tuple[str, ...],
    regions_fallback: str | None,
    mask_phones: bool,
) -> None:
    """Add geography columns (country, state, city, timezone...) to a table of phone numbers.

    The same settings as the Python API's `geoflex.resolve`, from --config and the options
    (an option beats the config). Phone columns are written as given unless --mask-phones.
    """
    import polars as pl

    kind = _table_kind(input_path, "INPUT")
    out_kind = _table_kind(out, "--out")
    _check_parents(out, f"--out {out}")
    settings = _resolve_settings(
        config_path,
        {
            "default_country": default_country,
            "overrides": _pairs(overrides, "--override", "FIELD=COLUMN, e.g. zip=customer_zip"),
            "regions": _pairs(regions, "--region", "COUNTRY=REGION, e.g. US=Americas"),
            "regions_fallback": regions_fallback,
        },
    )
    if not input_path.exists():
        raise _CliError(f"INPUT {input_path}: no such file", EXIT_USAGE)
    with _about(f"INPUT {input_path}", code=EXIT_INPUT, hint=f"; is it a {kind} file?"):
        if kind == "csv":
            frame = pl.read_csv(input_path, infer_schema=False)
        else:
            frame = pl.read_parquet(input_path)
    if phone not in frame.columns:
        columns = ", ".join(quote(c, 40) for c in frame.columns[:20])
        more = f" and {len(frame.columns) - 20:,} more" if len(frame.columns) > 20 else ""
        raise _CliError(
            f"--phone {quote(phone, 80)}: no such column in {input_path} (it has {columns}{more})",
            EXIT_USAGE,
        )
    from geoflex.resolve import resolve as resolve_phones

    result = resolve_phones(
        frame,
        phone,
        default_country=settings.default_country,
        regions=settings.region_map(),
        overrides=dict(settings.overrides) or None,
    )
    if mask_phones:
        from geoflex.report._privacy import mask_frame

        result = mask_frame(result)
    with _about(f"--out {out}", code=EXIT_USAGE, catch=(OSError,), hint="; choose another file"):
        _write_table(result, out, out_kind)
    click.echo(f"Wrote {result.height:,} rows to {out}")


def _write_table(frame: Any, out: Path, kind: str) -> None:
    """Write ``frame`` to ``out`` atomically: a temporary file beside it, then renamed."""
    import polars as pl

    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.{os.getpid()}.partial")
    try:
        if kind == "parquet":
            frame.write_parquet(partial)
        else:
            # CSV cannot hold Enum/Categorical metadata; write them as text.
            frame.with_columns(pl.col(pl.Enum, pl.Categorical).cast(pl.String)).write_csv(partial)
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)


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
    from geoflex._errors import require

    for module in ("starlette", "uvicorn", "twilio"):
        require(module, "collect")
    from geoflex.collect import ReceiverSettings, serve

    basic_auth = None
    if basic_user is not None:
        password = os.environ.get("GEOFLEX_COLLECT_PASSWORD", "")
        if not password:
            raise _CliError(
                "--basic-auth needs the password in GEOFLEX_COLLECT_PASSWORD", EXIT_USAGE
            )
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
