"""Build ``geoflex/_data/sample/phone_templates.csv``: number templates for the sample generator.

Run once with the ``build`` extra installed (``python data/build_phone_templates.py``). The
generator (``geoflex.sample``) fills each template's free trailing digits at random, so it can
make realistic, mostly valid numbers without importing ``phonenumbers`` at run time.

Sources, all through PyPI:

* ``phonenumbers`` (Apache-2.0): example numbers per region and number type, validity checks,
  timezones and Canadian area-code descriptions;
* ``zipcodes`` (MIT, US Census/USPS data): US area codes, their states, timezones and ZIP codes;
  the number of ZIP codes per area code is the weight of that area code.

Columns: ``country`` (ISO2), ``prefix`` (digits after "+", fixed part), ``free_digits`` (how many
random digits follow), ``first_digit_min`` (lowest allowed first free digit: 2 for NANP
exchanges), ``kind`` (fixed_line, mobile), ``state`` (ISO 3166-2 or empty), ``timezone``,
``zips`` (";"-joined sample ZIP codes in that area code, US only), ``weight`` (relative
frequency of the template within its country), ``valid_share`` (share of 200 random fills that
phonenumbers judged valid).
"""

from __future__ import annotations

import collections
import csv
import random
from pathlib import Path

import phonenumbers
import zipcodes
from phonenumbers import PhoneNumberType, geocoder

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "geoflex" / "_data" / "sample" / "phone_templates.csv"
FIELDS = [
    "country",
    "prefix",
    "free_digits",
    "first_digit_min",
    "kind",
    "state",
    "timezone",
    "zips",
    "weight",
    "valid_share",
]
# Countries outside NANP that the sample covers (the generator weights countries itself).
OTHER_COUNTRIES = [
    "MX", "GB", "DE", "FR", "ES", "IT", "NL", "IE", "SE", "PL", "PT", "BE", "CH", "AT", "DK",
    "NO", "FI", "BR", "AR", "CO", "CL", "AU", "NZ", "IN", "JP", "SG", "PH", "ZA", "NG", "KE",
    "AE", "IL",
]  # fmt: skip
CA_PROVINCES = {
    "Alberta": "CA-AB", "British Columbia": "CA-BC", "Manitoba": "CA-MB", "New Brunswick": "CA-NB",
    "Newfoundland and Labrador": "CA-NL", "Nova Scotia": "CA-NS", "Ontario": "CA-ON",
    "Prince Edward Island": "CA-PE", "Quebec": "CA-QC", "Saskatchewan": "CA-SK",
    "Northwest Territories": "CA-NT", "Nunavut": "CA-NU", "Yukon": "CA-YT",
    "Nova Scotia/Prince Edward Island": "CA-NS", "Yukon/Northwest Territories/Nunavut": "CA-YT",
}  # fmt: skip


# One zone per country (its most populous), because phonenumbers lists several zones for
# mobile ranges and for some countries (first in the list is alphabetical, not likely).
MAIN_TIMEZONE = {
    "MX": "America/Mexico_City", "GB": "Europe/London", "DE": "Europe/Berlin",
    "FR": "Europe/Paris", "ES": "Europe/Madrid", "IT": "Europe/Rome", "NL": "Europe/Amsterdam",
    "IE": "Europe/Dublin", "SE": "Europe/Stockholm", "PL": "Europe/Warsaw", "PT": "Europe/Lisbon",
    "BE": "Europe/Brussels", "CH": "Europe/Zurich", "AT": "Europe/Vienna",
    "DK": "Europe/Copenhagen", "NO": "Europe/Oslo", "FI": "Europe/Helsinki",
    "BR": "America/Sao_Paulo", "AR": "America/Argentina/Buenos_Aires", "CO": "America/Bogota",
    "CL": "America/Santiago", "AU": "Australia/Sydney", "NZ": "Pacific/Auckland",
    "IN": "Asia/Kolkata", "JP": "Asia/Tokyo", "SG": "Asia/Singapore", "PH": "Asia/Manila",
    "ZA": "Africa/Johannesburg", "NG": "Africa/Lagos", "KE": "Africa/Nairobi",
    "AE": "Asia/Dubai", "IL": "Asia/Jerusalem",
}  # fmt: skip
PROVINCE_TIMEZONE = {
    "CA-AB": "America/Edmonton", "CA-BC": "America/Vancouver", "CA-MB": "America/Winnipeg",
    "CA-NB": "America/Moncton", "CA-NL": "America/St_Johns", "CA-NS": "America/Halifax",
    "CA-ON": "America/Toronto", "CA-PE": "America/Halifax", "CA-QC": "America/Toronto",
    "CA-SK": "America/Regina", "CA-NT": "America/Yellowknife", "CA-NU": "America/Iqaluit",
    "CA-YT": "America/Whitehorse",
}  # fmt: skip


def valid_share(prefix: str, free: int, first_min: int, rng: random.Random, n: int = 200) -> float:
    ok = 0
    for _ in range(n):
        digits = str(rng.randint(first_min, 9)) + "".join(
            str(rng.randint(0, 9)) for _ in range(free - 1)
        )
        ok += phonenumbers.is_valid_number(phonenumbers.parse("+" + prefix + digits))
    return ok / n


def us_rows(rng: random.Random) -> list[dict[str, object]]:
    by_code: dict[str, list[dict[str, object]]] = collections.defaultdict(list)
    for z in zipcodes.list_all():
        if z["active"] and z["zip_code_type"] == "STANDARD":
            for code in z["area_codes"]:
                by_code[code].append(z)
    rows = []
    for code, zips in sorted(by_code.items()):
        state = collections.Counter(z["state"] for z in zips).most_common(1)[0][0]
        tz = collections.Counter(z["timezone"] for z in zips if z["timezone"]).most_common(1)
        in_state = sorted(z["zip_code"] for z in zips if z["state"] == state)
        share = valid_share("1" + code, 7, 2, rng, 50)
        if share < 0.9 or not tz:
            continue
        rows.append(
            {
                "country": "US",
                "prefix": "1" + code,
                "free_digits": 7,
                "first_digit_min": 2,
                "kind": "fixed_line",
                "state": "US-" + state,
                "timezone": tz[0][0],
                "zips": ";".join(rng.sample(in_state, min(8, len(in_state)))),
                "weight": len(zips),
                "valid_share": share,
            }
        )
    return rows


def ca_rows(rng: random.Random) -> list[dict[str, object]]:
    rows = []
    for npa in range(200, 1000):
        number = phonenumbers.parse(f"+1{npa}2345678")
        if phonenumbers.region_code_for_number(number) != "CA":
            continue
        if not phonenumbers.is_valid_number(number):
            continue
        province = CA_PROVINCES.get(geocoder.description_for_number(number, "en"), "")
        share = valid_share(f"1{npa}", 7, 2, rng, 50)
        if share < 0.9 or not province:
            continue
        rows.append(
            {
                "country": "CA",
                "prefix": f"1{npa}",
                "free_digits": 7,
                "first_digit_min": 2,
                "kind": "fixed_line",
                "state": province,
                "timezone": PROVINCE_TIMEZONE[province],
                "zips": "",
                "weight": 10,
                "valid_share": share,
            }
        )
    return rows


def other_rows(rng: random.Random) -> list[dict[str, object]]:
    rows = []
    for country in OTHER_COUNTRIES:
        for kind, ptype, weight in (
            ("fixed_line", PhoneNumberType.FIXED_LINE, 40),
            ("mobile", PhoneNumberType.MOBILE, 60),
        ):
            example = phonenumbers.example_number_for_type(country, ptype)
            e164 = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)
            digits = e164[1:]
            for free in (4, 3, 2):
                share = valid_share(digits[:-free], free, 0, rng)
                if share >= 0.95:
                    break
            else:
                continue
            rows.append(
                {
                    "country": country,
                    "prefix": digits[:-free],
                    "free_digits": free,
                    "first_digit_min": 0,
                    "kind": kind,
                    "state": "",
                    "timezone": MAIN_TIMEZONE[country],
                    "zips": "",
                    "weight": weight,
                    "valid_share": share,
                }
            )
    return rows


def main() -> None:
    rng = random.Random(20260101)
    rows = us_rows(rng) + ca_rows(rng) + other_rows(rng)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, FIELDS, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({**row, "valid_share": f"{row['valid_share']:.2f}"})
    print(f"wrote {len(rows)} templates to {OUT}")


if __name__ == "__main__":
    main()
