"""Tests of the signing API (functions/) and the signing service."""
