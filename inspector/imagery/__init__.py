"""Before/after imagery (前时相 / 后时相): GeoTIFF scenes and orthomosaics stored as MBTiles per epoch
(:mod:`~inspector.imagery.imagery_store`), clipped into chips around a case with its outline drawn
(:mod:`~inspector.imagery.chips`), and offered to the map as base layers (:mod:`~inspector.imagery.epoch_layers`)."""
