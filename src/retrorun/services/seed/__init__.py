"""The practice seed: a realistic practice in a new database, for benchmarks and load tests.

`seed_practice` is the entry point (`retrorun seed practice` calls it); the modules are who is
in it (`people`), their plans and what they did (`training`), their watch files (`watch`), the
progression engine's decisions (`decisions`) and the bulk writer (`rows`).
"""

from retrorun.services.seed.practice import SEED_PASSWORD, PracticeSize, Seeded, seed_practice

__all__ = ["SEED_PASSWORD", "PracticeSize", "Seeded", "seed_practice"]
