"""Geometry and place: CGCS2000 geodesy and Gauss-Krüger zones, GCJ-02 conversion, polygon files read
through GDAL (archives and Shapefile parts checked first, coordinates validated), the spatial index, zone
attribution of points and Jiangsu's administrative areas."""
