"""The pure core: plans, timelines, energy. No I/O, no database, no clock."""
