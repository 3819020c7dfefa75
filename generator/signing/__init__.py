"""Signing: the signing service, signer validation and the app's settings."""
