"""Phones: the detector's regular expressions against the `phonenumbers` library.

Run from the repository root: `python bench/phones.py` (needs `pip install phonenumbers`,
which the project does not depend on). For each language of the labelled set it prints
the recall on sentences labelled "phone", the sentences where a phone was found although
none is labelled (false alarms, on all sentences without a phone), and the median time
per sentence. `phonenumbers` is given the regions where the chat's language is spoken,
plus the region of any country code typed ("+216 ...", which it reads itself).
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from detector import HELD_OUT, LANGS, MAIN, Case, load_cases  # noqa: E402

from flows.personal_data import kinds  # noqa: E402

REGIONS: dict[str, tuple[str, ...]] = {
    "en": ("US", "GB", "NG", "KE", "ZA", "IN", "PK", "GH", "UG", "ZW", "PH"),
    "fr": ("FR", "SN", "ML", "CI", "DZ", "MA", "TN", "CD", "CM", "HT", "BF", "BE"),
    "es": ("ES", "MX", "CO", "AR", "PE", "VE", "CL", "EC", "GT", "HN", "SV", "NI", "BO", "CU"),
    "ru": ("RU", "BY", "KZ", "KG", "UA", "UZ", "TJ", "AZ", "GE", "AM"),
    "ar": ("EG", "SA", "SY", "IQ", "JO", "LB", "PS", "TN", "DZ", "MA", "LY", "SD", "YE", "AE"),
    "zh": ("CN", "HK", "TW", "MO"),
}


def regex_finds(case: Case) -> bool:
    return "phone" in kinds(case.text)


def library_finder() -> Callable[[Case], bool] | None:
    try:
        import phonenumbers
    except ImportError:
        return None

    def finds(case: Case) -> bool:
        for region in REGIONS[case.lang]:
            for _ in phonenumbers.PhoneNumberMatcher(case.text, region):
                return True
        return False

    return finds


def measure(name: str, finds: Callable[[Case], bool], cases: Sequence[Case]) -> list[str]:
    lines = [f"== {name}"]
    total_fa = total_neg = 0
    for lang in LANGS:
        sub = [c for c in cases if c.lang == lang]
        pos = [c for c in sub if "phone" in c.kinds]
        neg = [c for c in sub if "phone" not in c.kinds]
        hit = sum(finds(c) for c in pos)
        fa = sum(finds(c) for c in neg)
        total_fa += fa
        total_neg += len(neg)
        times = []
        for c in sub:
            t0 = time.perf_counter()
            finds(c)
            times.append((time.perf_counter() - t0) * 1e6)
        lines.append(
            f"   {lang}: recall {hit}/{len(pos)}  false alarms {fa}/{len(neg)}  "
            f"median {statistics.median(times):.0f} µs"
        )
    lines.append(f"   all: false alarms {total_fa}/{total_neg}")
    return lines


def main() -> int:
    library = library_finder()
    for title, path in (("main set", MAIN), ("held-out set", HELD_OUT)):
        if not path.exists():
            continue
        cases = load_cases(path)
        print(f"#### {title}")
        print("\n".join(measure("regular expressions (flows.personal_data)", regex_finds, cases)))
        if library is None:
            print("== phonenumbers: not installed (pip install phonenumbers)")
        else:
            print("\n".join(measure("phonenumbers, regions of the language", library, cases)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
