"""Evidence metadata: what a photo, a drone still or an orthophoto says about itself.

Pure functions over files, no database and no Qt:

- :mod:`inspector.evidence.imaging` opens images safely (whitelisted formats,
  pixel limits, corrupt files become :class:`~inspector.evidence.imaging.BadImage`)
  and makes thumbnails;
- :mod:`inspector.evidence.exif` reads EXIF GPS, time and camera into a
  :class:`~inspector.evidence.exif.PhotoMetadata`, flagging values that must
  not become a position;
- :mod:`inspector.evidence.gps` holds the GPS value checks and the metric
  helpers (distances, local east/north offsets on the CGCS2000 ellipsoid);
- :mod:`inspector.evidence.xmp` finds and parses the XMP packet of a JPEG;
- :mod:`inspector.evidence.drone` reads DJI ``drone-dji:`` XMP and computes
  the ground footprint of a still;
- :mod:`inspector.evidence.orthophoto` reads the bounds of a GeoTIFF (GDAL).
"""
