"""Sync in the GUI: the background sync controller, its status line and panel, the result and login
dialogs, the conflicts view and the texts they share."""
