"""巡查 (routine patrols) in the GUI: the menu and status, the track logger thread, the live track on the map."""
