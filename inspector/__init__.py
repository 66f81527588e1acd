"""绿盾 Inspector domain core: workspace, imports, attribution, evidence, workflow, forms, CLI.

Nothing in this package imports Qt or speaks HTTP; the GUI (``ui``) and the
sync client (``sync``) build on it.
"""
__version__ = "0.1.0"
