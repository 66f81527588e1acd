"""绿盾 Inspector domain core: the workspace and everything done in it, headless.

Subpackages by area: ``store`` (database, migrations, media, audit), ``geo``
(geodesy, vector files, attribution), ``importers`` (ledger, zones),
``casework`` (cases, findings, rectification, workflow), ``evidence``,
``forms``, ``maps``, ``demo`` and ``cli``. Nothing in this package imports Qt,
speaks HTTP, or imports ``sync`` or ``ui``; the GUI and the sync client build
on it.
"""
__version__ = "0.1.0"
