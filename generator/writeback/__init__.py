"""Write-back: re-rendering pages after a milestone and publishing them (folder or S3)."""
