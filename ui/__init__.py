"""The PySide6 application of 绿盾 Inspector (imports the core; the core never imports this)."""
