"""Routine patrols (常态化巡查): patrol records, their GNSS tracks, import, export and the patrol form."""
