"""Small reusable widgets of the GUI (the signature pad)."""
