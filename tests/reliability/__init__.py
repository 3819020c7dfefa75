"""Reliability: load without loss, faults between the steps of a signature, hostile input."""
