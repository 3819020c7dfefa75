"""Signature stores: one interface, an embedded SQLite and a DynamoDB implementation."""
