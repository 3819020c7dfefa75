"""Petition sites as code: load petitions, render the static site, keep signatures."""
