"""Benchmarks of ctgxl: a generator of realistic service workbooks and a harness that times
`ctgxl check` and `ctgxl merge` against their floors (see ``benchmarks/README.md``)."""
