"""Privacy: export, forget, reconcile, and sweeps for signers' personal data."""
