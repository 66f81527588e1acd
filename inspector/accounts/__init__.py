"""Who is working: local accounts of a workspace, the signed-in user, and the acting user of every step.

- :mod:`inspector.accounts.passwords`: the one scrypt hash of a password (the
  sync server hashes its accounts' passwords with it too).
- :mod:`inspector.accounts.local_accounts`: accounts kept in a standalone
  workspace (``inspector user add``).
- :mod:`inspector.accounts.sign_in`: the signed-in user in workspace meta
  (a local sign-in or a server's identity cached for offline work) and the
  acting :class:`~inspector.casework.authority.Actor` every mutating command
  records — never the operating-system login.
"""
