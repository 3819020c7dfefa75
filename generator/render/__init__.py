"""Rendering: pages, listings, feeds, Markdown and map tiles. Pure: bytes in memory, no files."""
