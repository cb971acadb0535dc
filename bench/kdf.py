"""Measure what a passphrase costs: scrypt at the store's cost, once per start.

Run from the repository root: `python bench/kdf.py` (`--quick`: 3 runs). The cost
(storage.keycheck.SCRYPT_N, _R, _P) was chosen so that this takes 0.25-0.5 s on
the 2-core development machine: the same time for every guess of an attacker
holding the database.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import parser
from storage.crypto import scrypt_key
from storage.keycheck import SCRYPT_N, SCRYPT_P, SCRYPT_R


def main() -> None:
    args = parser(__doc__).parse_args()
    runs = 3 if args.quick else 10
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        scrypt_key(b"correct horse battery staple 42", os.urandom(16),
                   n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P)
        times.append(time.perf_counter() - start)
    memory = 128 * SCRYPT_N * SCRYPT_R // 2**20
    print(f"scrypt n=2**{SCRYPT_N.bit_length() - 1} r={SCRYPT_R} p={SCRYPT_P} ({memory} MiB), "
          f"{os.cpu_count()} CPUs, {runs} runs: median {statistics.median(times):.3f} s, "
          f"min {min(times):.3f} s, max {max(times):.3f} s")


if __name__ == "__main__":
    main()
