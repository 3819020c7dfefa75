"""Content: loading site.yaml and the petition files, the schema, and the error report."""
