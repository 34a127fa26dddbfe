"""How long one password hash (and one verification) takes with the production parameters.

.venv/bin/python -m bench.argon2_hash
"""

from __future__ import annotations

import statistics
import time

from app.accounts.passwords import DEFAULT_PARAMS, _hasher_for

ROUNDS = 20


def timed(fn) -> list[float]:
    samples = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def main() -> None:
    hasher = _hasher_for(**DEFAULT_PARAMS)
    stored = hasher.hash("steppe-caravan-2030")
    hashing = timed(lambda: hasher.hash("steppe-caravan-2030"))
    verifying = timed(lambda: hasher.verify(stored, "steppe-caravan-2030"))
    print(
        f"argon2id  time_cost={hasher.time_cost} memory_cost={hasher.memory_cost} KiB "
        f"parallelism={hasher.parallelism} hash_len={hasher.hash_len} salt_len={hasher.salt_len}"
    )
    for name, samples in (("hash", hashing), ("verify", verifying)):
        print(
            f"{name:7} median {statistics.median(samples):6.1f} ms   "
            f"min {min(samples):6.1f} ms   max {max(samples):6.1f} ms   ({ROUNDS} rounds)"
        )


if __name__ == "__main__":
    main()
