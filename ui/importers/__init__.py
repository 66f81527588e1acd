"""Import wizards for ledgers and zone files (file, column mapping, dry run, import)."""
