"""Files that come into a workspace, all treated as hostile: the 绿盾 problem ledger (xlsx/csv, checked
before parsing and parsed in a bounded child process) and zone layers (import-zones, the server's layer
files)."""
