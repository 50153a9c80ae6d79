"""Benchmarks: the bot against peers on the same emulator, over real HTTP.

One command per benchmark (`python -m bench.journeys`, `bench.broadcast`,
`bench.data_scale`, `bench.startup`); `python -m bench.all` runs them with small
sizes and rewrites docs/PERFORMANCE.md. Results go to bench/results/ (not kept).
"""
