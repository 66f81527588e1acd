"""The interactive map document (folium, local Leaflet, no CDN), its layers as compact JSON and the
basemap tiles served from local MBTiles."""
