"""Hostile and careless config files: bounded to read, refused in one line naming the setting.

The config is TOML only (no aliases or entities to expand), at most 1 MiB, validated
against the one schema (`geoflex.report.config_schema`). Values quoted in an error are
cut short and escaped: a megabyte-long key or a terminal escape never reaches a terminal.
"""

from __future__ import annotations

import pytest

from geoflex import ConfigError
from geoflex.report import ReportConfig, config_schema, load_config

RED = "\\u001b[31m"  # an ANSI escape, written as a TOML escape


def _load(tmp_path, text: str | bytes, name: str = "c.toml"):
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return load_config(path)


def _refused(tmp_path, text, *words, name="c.toml") -> str:
    with pytest.raises(ConfigError) as info:
        _load(tmp_path, text, name)
    message = str(info.value)
    assert "\n" not in message
    assert "\x1b" not in message
    assert len(message) < 1200, message[:300]
    for word in words:
        assert word in message, message
    return message


@pytest.mark.parametrize(
    ("text", "words"),
    [
        # wrong types, each naming the setting
        ('service_level = "high"\n', ["service_level must be a number", "'high'"]),
        ("service_level = true\n", ["service_level must be a number"]),
        ("title = 3\n", ["title must be a string"]),
        ('show_phone_numbers = "yes"\n', ["show_phone_numbers must be true or false"]),
        ("top = 2.5\n", ["top must be a whole number"]),
        ("interval_s = 600\n", ["interval_s must be one of 900, 1800, 3600"]),
        ('regions = "EMEA"\n', ["regions must be a table"]),
        ("shifts = 1\n", ["shifts must be a table"]),
        ('overrides = ["zip"]\n', ["overrides must be a table"]),
        ("agent_coordinates = { Remote = [91, 0] }\n", ["agent_coordinates.'Remote'"]),
        ('agent_coordinates = { Remote = "here" }\n', ["must be [latitude, longitude]"]),
        # ranges and special floats
        ("service_level = 80\n", ["service_level must be between 0 and 1", "= 0.8"]),
        ("service_level = nan\n", ["service_level must be between 0 and 1"]),
        ("target_answer_s = -inf\n", ["target_answer_s must be at least 0"]),
        ("shrinkage = 1\n", ["shrinkage must be between 0 and 1 (1 excluded)"]),
        ("max_occupancy = 0\n", ["max_occupancy must be between 0 and 1 (0 excluded)"]),
        ("top = 0\n", ["top must be between 1 and 1000"]),
        (f"top = {10**30}\n", ["top must be between 1 and 1000"]),
        # values with rules of their own
        ('centre_timezone = "../../../etc/passwd"\n', ["centre_timezone"]),
        ('centre_timezone = "Mars/Base"\n', ["unknown IANA timezone"]),
        ('default_country = "USA"\n', ["default_country must be at most 2 characters"]),
        ('default_country = "XX"\n', ["default_country must be an ISO 3166-1 alpha-2"]),
        ('regions_fallback = "Other"\n[regions]\nUSA = "Americas"\n', ["'USA' is not an ISO"]),
        ('regions_fallback = "Other"\n[regions]\nUS = 1\n', ["regions.'US' must be a region"]),
        ('regions_fallback = " "\n', ["regions_fallback must be"]),
        ('[overrides]\npostcode = "zip"\n', ["overrides: unknown field 'postcode'"]),
        ("[overrides]\nzip = 5\n", ["overrides.zip must be a column name"]),
        ('[shifts.default]\nstart = "25:00"\n', ["shifts.default.start"]),
        ("[shifts]\nnights = {}\n", ["shifts: unknown keys"]),
        # a partial [regions] table would mix the user's regions with the continents
        ('[regions]\nUS = "Americas"\nGB = "EMEA"\n', ["regions names 2 of", "regions_fallback"]),
        # unknown keys: named, cut short, escaped, and a bounded number of them
        ("colour = 'red'\n", ["unknown setting 'colour'", "the settings are title"]),
        ('"\\u001b]0;pwned\\u0007\\u001b[2J" = 1\n', ["unknown setting", "\\x1b"]),
        (f'"{"k" * 100_000}" = 1\n', ["unknown setting", "(100,000 characters)"]),
        ("".join(f"key{i} = {i}\n" for i in range(10_000)), ["and 9,995 more"]),
        (f'title = "{"x" * 1000}"\n', ["title must be at most 200 characters", "(1,000 char"]),
        (
            'regions_fallback = "Rest"\n[regions]\nUS = "' + RED * 50 + '"\n',
            ["regions.'US'", "\\x1b"],
        ),
    ],
)
def test_bad_values_are_one_line_naming_the_setting(tmp_path, text, words):
    _refused(tmp_path, text, *words)


@pytest.mark.parametrize(
    ("content", "name", "words"),
    [
        (b'title = "caf\xe9"\n', "c.toml", ["not UTF-8", "0xe9"]),
        ('title = "x"\n'.encode("utf-16"), "c.toml", ["not UTF-8"]),
        (b"title = \n", "c.toml", ["invalid TOML", "line 1"]),
        (b"a = " + b"[" * 100_000 + b"]" * 100_000, "c.toml", ["nested too deeply"]),
        (b"b = " + b"{c = " * 20_000 + b"1" + b"}" * 20_000, "c.toml", ["nested too deeply"]),
        (b"# padding\n" * 110_000, "c.toml", ["larger than 1 MiB"]),
        (b'a: &a ["lol","lol"]\nb: [*a,*a,*a]\n', "c.yaml", ["YAML is no longer read"]),
        (b"[x]\n", "c.ini", ["end in .toml"]),
    ],
)
def test_files_that_are_no_config(tmp_path, content, name, words):
    _refused(tmp_path, content, *words, name=name)


def test_an_endless_file_is_read_no_further_than_the_limit(tmp_path):
    link = tmp_path / "zero.toml"
    link.symlink_to("/dev/zero")
    with pytest.raises(ConfigError, match="larger than 1 MiB"):
        load_config(link)


def test_ui_attributes_is_relative_to_the_config_and_must_exist(tmp_path):
    message = _refused(tmp_path, 'ui_attributes = "flex/ui.json"\n', "ui_attributes")
    assert "flex/ui.json" in message
    (tmp_path / "flex").mkdir()
    (tmp_path / "flex" / "ui.json").write_text('{"locations": []}')
    config = _load(tmp_path, 'ui_attributes = "flex/ui.json"\n')
    assert config.ui_attributes == str(tmp_path / "flex" / "ui.json")


def test_regions_fallback_allows_the_mix_or_names_the_rest(tmp_path):
    mixed = _load(tmp_path, 'regions_fallback = "continents"\n[regions]\nUS = "Americas"\n')
    assert mixed.region_map() == {"US": "Americas"}  # the others keep their continent
    named = _load(tmp_path, 'regions_fallback = "Rest"\n[regions]\nUS = "Americas"\n')
    mapping = named.region_map()
    assert mapping["US"] == "Americas"
    assert mapping["FR"] == "Rest"
    assert mapping["JP"] == "Rest"
    everyone = dict.fromkeys(_countries(), "World")
    assert ReportConfig(regions=everyone).region_map() == everyone  # complete: no fallback


def test_partial_regions_from_python_are_refused_too():
    with pytest.raises(ConfigError, match="regions_fallback"):
        ReportConfig(regions={"US": "Americas"})
    with pytest.raises(ConfigError, match="service_level must be between 0 and 1"):
        ReportConfig(service_level=2)


def test_the_schema_describes_every_setting_once():
    names = [s.name for s in config_schema()]
    assert len(names) == len(set(names))
    assert names == list(ReportConfig.__dataclass_fields__)
    for spec in config_schema():
        assert spec.type in ("string", "boolean", "number", "integer", "table")
        assert spec.description
        assert "\n" not in spec.description
        assert spec.example, spec.name
        assert set(spec.commands) <= {"demo", "report", "resolve"}
        defaults = ReportConfig()
        if spec.type != "table":
            assert getattr(defaults, spec.name) == spec.default
    resolve_reads = {s.name for s in config_schema() if "resolve" in s.commands}
    assert resolve_reads == {"default_country", "regions", "regions_fallback", "overrides"}


def test_every_example_in_the_schema_is_a_valid_setting(tmp_path):
    for spec in config_schema():
        text = f"{spec.name} = {spec.example}\n"
        if spec.name == "regions":
            text += 'regions_fallback = "continents"\n'
        if spec.name == "ui_attributes":
            (tmp_path / "flex").mkdir()
            (tmp_path / "flex" / "ui_attributes.json").write_text('{"locations": []}')
        _load(tmp_path, text)


def _countries():
    from geoflex.reference import load_table

    return load_table("countries")["country"].to_list()
