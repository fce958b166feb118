"""Synthetic but realistic zh_CN customer data, shared by `kehu demo` and the benchmarks.

Everything is drawn from a `random.Random` the caller seeds, so a seed always yields the
same archive.
"""
