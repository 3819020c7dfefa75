"""The command line, one module per command; the only code that sees argparse (see main.py)."""
