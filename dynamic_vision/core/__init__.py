"""The core every other room stands on: registries and plugin discovery, errors, the Score,
the BrainModel and Benchmark contracts, storage and time alignment. Core imports no other room
of the package."""
