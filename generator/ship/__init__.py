"""Shipping: packaging the Lambda with its stack template, and deploying the site to S3."""
