"""HTTP glue of the signing app: body parsing, client address, error shaping, wiring."""
