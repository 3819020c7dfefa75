"""The local run: the HTTP server and the site it keeps built, signing and write-back wired."""
