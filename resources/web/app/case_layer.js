/*
 * 绿盾 Inspector map page: the case layer (问题点位), for 100,000 cases and more.
 *
 * The cases are kept as plain records (id, position, status code). A supercluster index of them is built
 * once, and again only after a change (coalesced: many changes in a row rebuild it once); each view asks
 * the index for the clusters and cases inside it. Single cases are circle markers drawn on one Leaflet
 * canvas; a cluster is a small DOM icon (its count set with textContent) ringed in the colour of the most
 * urgent status among its cases. Only what the view shows exists as Leaflet layers, so the page's work is
 * bounded by the view, not by the number of cases.
 *
 * A case's marker is created when first shown or asked for (markerFor), then kept: it carries the click
 * handler map.js gives (LvdunCaseLayer options.onCase), its status colours and its position.
 *
 * The case list's filter (setAdmitted: the ids it admits, or null for all) narrows what is drawn without
 * reloading anything: the index is rebuilt from the admitted records only; the others are kept, hidden.
 */
(function () {
  'use strict';

  var CLUSTER_RADIUS = 50;  // px: cases closer than this on screen form one cluster
  var CLUSTER_MAX_ZOOM = 16;  // clusters up to this zoom; from the next one every case stands alone
  var VIEW_PAD = 0.3;  // fraction of the view queried beyond each edge, so a short pan needs no redraw gap
  var FIND_EPSILON = 1e-7;  // degrees: the box around a case's position when asking whether it stands alone

  /* A case: its id, position and status code. It serves as its own GeoJSON-like feature for supercluster
     (which reads feature.geometry.coordinates and feature.properties): two objects per case, not four. */
  function CaseRecord(id, lng, lat, s) {
    this.id = id;
    this.s = s;
    this.coordinates = [lng, lat];
    this.marker = null;
    this.geometry = this;
    this.properties = this;
  }

  function worstOf(props) { return { w: props.s }; }
  function keepWorst(acc, props) { if (props.w < acc.w) { acc.w = props.w; } }

  function clusterSize(n) { return n < 10 ? 30 : n < 100 ? 36 : n < 1000 ? 42 : 48; }

  window.LvdunCaseLayer = L.Layer.extend({
    // options: pane, fills and texts (the status palette by code), bindClick(layer, handler) (map.js's
    // click binding, which honours pick mode) and onCase(id, marker) for a click on a case.
    initialize: function (options) {
      L.setOptions(this, options);
      this._records = new Map();  // id → CaseRecord
      this._admitted = null;  // Set of the ids the filter admits, or null: every case is shown
      this._index = null;
      this._generation = 0;
      this._dirty = true;
      this._rebuildTimer = null;
      this._shown = new Map();  // key ('c' + index generation + ':' + cluster id, or 'p' + case id) → layer on the map
      this._renderer = L.canvas({ pane: options.pane });
    },

    /* ---- the data --------------------------------------------------------- */
    setCases: function (doc) {
      var q = doc.q, ids = doc.ids, x = doc.x, y = doc.y, s = doc.s;
      for (var i = 0; i < ids.length; i++) { this._records.set(ids[i], new CaseRecord(ids[i], x[i] * q, y[i] * q, s[i])); }
      this._changed();
    },

    /* The cases shown (those the filter admits): their number and their ids. */
    size: function () { return this._admitted === null ? this._records.size : this.ids().length; },
    ids: function () {
      var admitted = this._admitted, ids = [];
      this._records.forEach(function (r, id) { if (admitted === null || admitted.has(id)) { ids.push(id); } });
      return ids;
    },
    has: function (id) { return this._records.has(id); },
    admits: function (id) { return this._records.has(id) && (this._admitted === null || this._admitted.has(id)); },

    /* Show only the cases whose ids are in `ids` (a Set), or every case for null. */
    setAdmitted: function (ids) {
      this._admitted = ids;
      this._changed();
    },
    statusOf: function (id) { var r = this._records.get(id); return r ? r.s : null; },
    latLngOf: function (id) {
      var r = this._records.get(id);
      return r ? L.latLng(r.coordinates[1], r.coordinates[0]) : null;
    },

    /* The case's marker (made now if it never was shown), or null. */
    marker: function (id) {
      var r = this._records.get(id);
      if (!r) { return null; }
      if (!r.marker) {
        var s = r.s, self = this;
        var marker = L.circleMarker(this.latLngOf(id), {
          renderer: this._renderer, pane: this.options.pane, radius: 7, weight: 2,
          color: this.options.texts[s], fillColor: this.options.fills[s], fillOpacity: 0.95, lvStatus: s, lvId: id
        });
        this.options.bindClick(marker, function () { self.options.onCase(id, marker); });
        r.marker = marker;
      }
      return r.marker;
    },

    /* Add a case, or move and recolour it; true when its position changed. */
    put: function (id, lat, lng, s) {
      var r = this._records.get(id);
      if (!r) {
        this._records.set(id, new CaseRecord(id, lng, lat, s));
        this._changed();
        return false;
      }
      var moved = r.coordinates[0] !== lng || r.coordinates[1] !== lat;
      if (moved) {
        r.coordinates = [lng, lat];
        if (r.marker) { r.marker.setLatLng([lat, lng]); }
        this._changed();
      }
      this.setStatus(id, s);
      return moved;
    },

    setStatus: function (id, s) {
      var r = this._records.get(id);
      if (!r) { return false; }
      if (r.s !== s) { r.s = s; this._changed(); }
      if (r.marker) {
        r.marker.options.lvStatus = s;
        r.marker.setStyle({ fillColor: this.options.fills[s], color: this.options.texts[s] });
      }
      return true;
    },

    remove: function (id) {
      var r = this._records.get(id);
      if (!r) { return false; }
      this._records.delete(id);
      if (this._shown.has('p' + id)) { this._group.removeLayer(this._shown.get('p' + id)); this._shown.delete('p' + id); }
      this._changed();
      return true;
    },

    /* The lowest zoom, from `zoom` on, at which the case is drawn alone rather than in a cluster. */
    revealZoom: function (id, zoom) {
      var r = this._records.get(id);
      if (!r) { return zoom; }
      this._ensureIndex();
      var lng = r.coordinates[0], lat = r.coordinates[1];
      var box = [lng - FIND_EPSILON, lat - FIND_EPSILON, lng + FIND_EPSILON, lat + FIND_EPSILON];
      for (var z = Math.max(0, Math.round(zoom)); z <= CLUSTER_MAX_ZOOM; z++) {
        if (this._index.getClusters(box, z).indexOf(r) >= 0) { return z; }
      }
      return Math.max(zoom, CLUSTER_MAX_ZOOM + 1);
    },

    /* What the view shows now: { cluster, count, status (the most urgent, for a cluster), id (a case's),
       layer }. */
    shownItems: function () {
      var items = [];
      this._shown.forEach(function (layer, key) {
        var cluster = key.charAt(0) === 'c';
        items.push({ cluster: cluster, count: cluster ? layer.options.lvCount : 1, status: layer.options.lvStatus,
                     id: cluster ? null : layer.options.lvId, layer: layer });
      });
      return items;
    },

    /* ---- the index: built once, again after changes ------------------------ */
    _changed: function () {
      this._dirty = true;
      if (this._rebuildTimer === null && this._map) {
        var self = this;
        this._rebuildTimer = setTimeout(function () { self._rebuildTimer = null; self._redraw(); }, 0);
      }
    },

    _ensureIndex: function () {
      if (!this._dirty) { return; }
      var admitted = this._admitted, records = Array.from(this._records.values());
      if (admitted !== null) { records = records.filter(function (r) { return admitted.has(r.id); }); }
      this._index = new Supercluster({
        radius: CLUSTER_RADIUS, maxZoom: CLUSTER_MAX_ZOOM, minZoom: 0, map: worstOf, reduce: keepWorst
      }).load(records);
      this._dirty = false;
      this._generation += 1;  // cluster ids belong to one index: its icons are keyed by its generation
    },

    /* ---- drawing the view ---------------------------------------------------- */
    onAdd: function (map) {
      this._group = L.layerGroup().addTo(map);
      map.on('moveend', this._redraw, this);
      this._redraw();
    },

    onRemove: function (map) {
      map.off('moveend', this._redraw, this);
      this._clearShown();
      map.removeLayer(this._group);
      this._group = null;
    },

    _clearShown: function () {
      if (this._group) { this._group.clearLayers(); }
      this._shown.clear();
    },

    _redraw: function () {
      if (!this._map) { return; }
      this._ensureIndex();
      var map = this._map, bounds = map.getBounds().pad(VIEW_PAD);
      var zoom = Math.max(0, Math.round(map.getZoom()));
      var west = Math.max(-180, bounds.getWest()), east = Math.min(180, bounds.getEast());
      var south = Math.max(-85, bounds.getSouth()), north = Math.min(85, bounds.getNorth());
      var features = this._index.getClusters([west, south, east, north], zoom);
      var wanted = new Map();
      for (var i = 0; i < features.length; i++) {
        var f = features[i];
        wanted.set(f.properties.cluster ? 'c' + this._generation + ':' + f.properties.cluster_id : 'p' + f.id, f);
      }
      var group = this._group, shown = this._shown;
      shown.forEach(function (layer, key) {
        if (!wanted.has(key)) { group.removeLayer(layer); shown.delete(key); }
      });
      var self = this;
      wanted.forEach(function (f, key) {
        if (shown.has(key)) { return; }
        var layer = f.properties.cluster ? self._clusterIcon(f) : self.marker(f.id);
        shown.set(key, layer);
        group.addLayer(layer);
      });
    },

    _clusterIcon: function (f) {
      var n = f.properties.point_count, el = document.createElement('div'), count = document.createElement('span');
      el.style.borderColor = this.options.fills[f.properties.w];
      count.textContent = String(n);
      el.appendChild(count);
      var size = clusterSize(n), latlng = L.latLng(f.geometry.coordinates[1], f.geometry.coordinates[0]);
      var icon = L.divIcon({ html: el, className: 'lv-cluster', iconSize: L.point(size, size) });
      var marker = L.marker(latlng, { icon: icon, pane: this.options.pane, keyboard: false, lvCount: n,
                                      lvStatus: f.properties.w });
      var self = this, clusterId = f.properties.cluster_id;
      this.options.bindClick(marker, function () {  // zoom in until the cluster splits, as markercluster did
        var zoom = Math.min(self._index.getClusterExpansionZoom(clusterId), self._map.getMaxZoom());
        self._map.setView(latlng, zoom);
      });
      return marker;
    }
  });
})();
