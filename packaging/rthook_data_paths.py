"""PyInstaller runtime hook: point PROJ and GDAL at the data files inside the bundle."""
import os
import sys

_root = getattr(sys, "_MEIPASS", None)
if _root:
    for variable, folder in (("PROJ_DATA", "proj"), ("PROJ_LIB", "proj"), ("GDAL_DATA", "gdal-data")):
        path = os.path.join(_root, folder)
        if os.path.isdir(path):
            os.environ[variable] = path
    spatialite = os.path.join(_root, "mod_spatialite.so" if os.name != "nt" else "mod_spatialite.dll")
    if os.path.exists(spatialite):
        os.environ.setdefault("SPATIALITE_LIBRARY_PATH", spatialite)
