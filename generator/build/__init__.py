"""The build: the incremental engine, content sources, the worker pool, caches and output."""
