"""The offline map: a QtWebEngine view of the map document, the lvdun:// scheme that serves local
assets and tiles, and the map panel around it."""
