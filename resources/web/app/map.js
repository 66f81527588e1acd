/*
 * 绿盾 Inspector map page: draws the layers of inspector/map_layers.py on the
 * Leaflet map folium created, and talks to the Qt bridge.
 *
 * Data, never markup: layer documents hold UUIDs, small integer codes and
 * delta-encoded integer coordinates. Every text this script shows is set with
 * textContent. Python calls only LvdunMap.setGps(lon, lat, acc),
 * LvdunMap.selectCase(uuid), LvdunMap.setLayerVisible(name, bool),
 * LvdunMap.setPickMode(bool), LvdunMap.setTouchMode(bool), LvdunMap.setCaseStatus(uuid, code),
 * LvdunMap.putCase(uuid, lon, lat, code), LvdunMap.removeCase(uuid), LvdunMap.putEvidence(uuids, doc),
 * LvdunMap.showOnly(uuids or null) (the case list's filter: only these cases, their patches and photos) and, for the
 * verified extent, LvdunMap.editExtent(uuid, geometry), LvdunMap.showVerified(uuid,
 * geometry) and LvdunMap.cancelExtent(), the patrol track's LvdunMap.addTrack(segment, [lon, lat, …]) and
 * LvdunMap.clearTrack(), and LvdunMap.open(token) for a page shell (it posts the document of that token: the
 * page fetches its config.json and layers); the page calls back only bridge slots
 * that take a UUID, plus pointClicked(lon, lat) with two numbers while in pick
 * mode and extentEdited(uuid, GeoJSON text) on 保存 (validated again in Python).
 */
(function () {
  'use strict';

  var UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
  var SELECT_ZOOM = 16;  // a selected case is shown at least this close (≈2 m per pixel)
  var LAYER_LABELS = {
    admin: '行政区界', zones: '保护区域', cases: '问题点位', photos: '照片位置',
    footprints: '无人机航摄范围', gps: '当前位置'
  };
  var state = {
    map: null, cfg: null, bridge: null, drawn: false, reported: false,
    base: '', shell: false, opened: false,  // base: where the document's files are, relative to the page
    groups: {}, cases: null, zoneLevel: -1, zoneCache: {}, zoneCount: 0, levelDocs: {}, levelsLoaded: 0,
    selected: null, selectedId: null, gpsDot: null, gpsCircle: null, picking: false,
    patches: null, patchLevel: -1, patchShown: -1, patchCache: {}, patchStatus: new Map(), patchRemoved: new Set(), verified: new Map(),
    admitted: null,  // Set of the case ids the case list's filter admits, or null: every case is shown
    evidence: { photos: [], footprints: [] }  // every photo marker and footprint, shown or not (lvCase: its case)
  };

  function decodeRing(flat, q) {
    var pts = new Array(flat.length / 2), x = 0, y = 0;
    for (var i = 0, j = 0; i < flat.length; i += 2, j++) {
      x += flat[i]; y += flat[i + 1];
      pts[j] = [y * q, x * q];
    }
    return pts;
  }

  function decodePolygons(polys, q) {
    return polys.map(function (rings) {
      return rings.map(function (r) { return decodeRing(r, q); });
    });
  }

  function load(path) {
    if (state.cfg.inline) {
      var el = document.getElementById('lvdun-' + path);
      return Promise.resolve(el ? JSON.parse(el.textContent) : null);
    }
    return fetch(state.base + path).then(function (r) { return r.ok ? r.json() : null; });
  }

  function send(slot, uuid) {
    if (state.bridge && UUID_RE.test(uuid)) { state.bridge[slot](uuid); }
  }

  function onClick(layer, handler) {
    // In pick mode a click on a layer picks its position instead (pickAt leaves pick
    // mode, so the same click bubbling on to the map picks nothing more).
    layer.on('click', function (e) {
      if (state.picking) {
        if (e && e.latlng) { pickAt(e.latlng.lng, e.latlng.lat); }
        return;
      }
      handler();
    });
  }

  /* ---- pick mode: the next click reports its position ------------------- */
  function setPickMode(on) {
    state.picking = !!on;
    if (state.map) { state.map.getContainer().classList.toggle('lv-picking', state.picking); }
    return state.picking;
  }

  function pickAt(lon, lat) {
    if (!state.picking) { return false; }
    lon = Number(lon); lat = Number(lat);
    if (!isFinite(lon) || !isFinite(lat)) { return false; }
    setPickMode(false);
    if (state.bridge) { state.bridge.pointClicked(lon, lat); }
    return true;
  }

  function makePane(name, z) {
    var pane = state.map.createPane(name);
    pane.style.zIndex = String(z);
    return pane;
  }

  function addHatchPatterns() {
    var ns = 'http://www.w3.org/2000/svg';
    var svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('class', 'lv-defs');
    var defs = document.createElementNS(ns, 'defs');
    state.cfg.kindCoreColours.forEach(function (colour, i) {
      var p = document.createElementNS(ns, 'pattern');
      p.setAttribute('id', 'lv-hatch-' + i);
      p.setAttribute('width', '8'); p.setAttribute('height', '8');
      p.setAttribute('patternUnits', 'userSpaceOnUse');
      p.setAttribute('patternTransform', 'rotate(45)');
      var bg = document.createElementNS(ns, 'rect');
      bg.setAttribute('width', '8'); bg.setAttribute('height', '8');
      bg.setAttribute('fill', colour); bg.setAttribute('fill-opacity', '0.18');
      var line = document.createElementNS(ns, 'rect');
      line.setAttribute('width', '3'); line.setAttribute('height', '8');
      line.setAttribute('fill', colour); line.setAttribute('fill-opacity', '0.55');
      p.appendChild(bg); p.appendChild(line); defs.appendChild(p);
    });
    svg.appendChild(defs);
    document.body.appendChild(svg);
  }

  /* ---- admin outlines: the offline vector basemap, drawn once the cases are (after map-ready) ---- */
  function drawAdmin(doc) {
    var group = state.groups.admin, renderer = L.svg({ pane: 'lv-admin' });
    if (!doc) { return; }
    doc.polys.forEach(function (polys, i) {
      var level = doc.level[i];
      var style = level === 0
        ? { stroke: true, color: '#7d8b99', weight: 2.2, fill: !state.cfg.basemaps.length, fillColor: '#fbfaf4', fillOpacity: 1 }
        : level === 1
          ? { stroke: true, color: '#8d8778', weight: 1.3, fill: false }
          : { stroke: true, color: '#bdb6a6', weight: 0.7, dashArray: '3 3', fill: false };
      style.renderer = renderer; style.interactive = false; style.pane = 'lv-admin';
      group.addLayer(L.polygon(decodePolygons(polys, doc.q), style));
    });
    doc.labels.forEach(function (label) {
      var el = document.createElement('span');
      el.textContent = String(label[0]);
      var icon = L.divIcon({ className: 'lv-city-label', html: el, iconSize: null });
      group.addLayer(L.marker([label[2], label[1]], { icon: icon, interactive: false, pane: 'lv-labels',
                                                       keyboard: false }));
    });
  }

  /* ---- zones, per-zoom simplification level ---------------------------- */
  function levelForZoom(zoom) {
    var level = 0;
    state.cfg.zoneMinZooms.forEach(function (z, i) { if (zoom >= z) { level = i; } });
    return level;
  }

  function buildZoneLayer(doc) {
    var layer = L.layerGroup(), renderer = L.svg({ pane: 'lv-zones' }), cfg = state.cfg;
    doc.ids.forEach(function (id, i) {
      var kind = doc.kind[i], core = doc.fz[i] === 1;
      var poly = L.polygon(decodePolygons(doc.polys[i], doc.q), {
        renderer: renderer, pane: 'lv-zones', weight: core ? 2 : 1.4,
        color: core ? cfg.kindCoreColours[kind] : cfg.kindColours[kind],
        fillColor: cfg.kindColours[kind], fillOpacity: core ? 0.5 : 0.2,
        className: 'lv-zone lv-kind-' + kind + (core ? ' lv-core' : '')
      });
      onClick(poly, function () { send('zoneClicked', id); });
      layer.addLayer(poly);
    });
    return layer;
  }

  /* A level's document, fetched once: the first view's level at start-up, the others after the first view
     is drawn (loadOtherLevels), so that zooming in or out finds them here. */
  function levelDoc(path) {
    if (!state.levelDocs[path]) { state.levelDocs[path] = load(path); }
    return state.levelDocs[path];
  }

  function loadOtherLevels() {
    var paths = state.cfg.zoneLevels.concat(state.cfg.patchLevels);
    return paths.reduce(function (chain, path) {  // one at a time: the page stays responsive
      return chain.then(function () { return levelDoc(path); }).then(function () { state.levelsLoaded += 1; });
    }, Promise.resolve());
  }

  function showZoneLevel(level) {
    if (level === state.zoneLevel) { return Promise.resolve(); }
    state.zoneLevel = level;
    var cached = state.zoneCache[level];
    var ready = cached ? Promise.resolve(cached) : levelDoc(state.cfg.zoneLevels[level]).then(function (doc) {
      var layer = buildZoneLayer(doc || { ids: [], kind: [], fz: [], polys: [], q: 1 });
      state.zoneCache[level] = { layer: layer, count: doc ? doc.ids.length : 0 };
      return state.zoneCache[level];
    });
    return ready.then(function (entry) {
      if (state.zoneLevel !== level) { return; }
      var group = state.groups.zones;
      group.clearLayers();
      group.addLayer(entry.layer);
      state.zoneCount = entry.count;
    });
  }

  /* ---- patches (变化图斑): case polygons per zoom level, in status colour --- */
  // The marker of a patch case sits at its representative point (the case layer); the polygon is drawn
  // beneath it, simplified like the zones. Status changes recolour it in place (state.patchStatus).
  function patchStyle(code) {
    return { color: state.cfg.statusTexts[code], fillColor: state.cfg.statusFills[code] };
  }

  function buildPatchLayer(doc) {
    var layer = L.layerGroup(), renderer = L.svg({ pane: 'lv-patches' }), byId = new Map();
    doc.ids.forEach(function (id, i) {
      if (!state.patchStatus.has(id)) { state.patchStatus.set(id, doc.s[i]); }
      var style = patchStyle(state.patchStatus.get(id));
      var poly = L.polygon(decodePolygons(doc.polys[i], doc.q), {
        renderer: renderer, pane: 'lv-patches', weight: 2, color: style.color, fillColor: style.fillColor,
        fillOpacity: 0.35, className: 'lv-patch', lvId: id
      });
      onClick(poly, function () {
        if (state.cases.has(id)) { highlight(id); }
        send('caseClicked', id);
      });
      byId.set(id, poly);
      layer.addLayer(poly);
    });
    return { layer: layer, byId: byId };
  }

  function showPatchLevel(level) {
    if (level === state.patchLevel) { return Promise.resolve(); }
    state.patchLevel = level;
    var cached = state.patchCache[level];
    var ready = cached ? Promise.resolve(cached) : levelDoc(state.cfg.patchLevels[level]).then(function (doc) {
      state.patchCache[level] = buildPatchLayer(doc || { ids: [], s: [], polys: [], q: 1 });
      return state.patchCache[level];
    });
    return ready.then(function (entry) {
      if (state.patchLevel !== level) { return; }
      showAdmittedPatches(entry);  // changes made while another level was shown
      var shown = state.patchCache[state.patchShown];
      if (shown) { state.patches.removeLayer(shown.layer); }  // the verified outlines stay
      state.patches.addLayer(entry.layer);
      state.patchShown = level;
    });
  }

  function showAdmittedPatches(entry) {
    entry.byId.forEach(function (poly, id) {
      if (state.patchRemoved.has(id) || !admits(id)) { entry.layer.removeLayer(poly); return; }
      entry.layer.addLayer(poly);
      poly.setStyle(patchStyle(state.patchStatus.get(id)));
    });
  }

  function countLatLngs(value) {
    return value instanceof L.LatLng ? 1 : value.reduce(function (n, v) { return n + countLatLngs(v); }, 0);
  }

  function currentPatch(id) {
    var entry = state.patchCache[state.patchShown];
    return entry ? entry.byId.get(id) || null : null;
  }

  function drawVerified(doc) {
    if (!doc) { return; }
    doc.ids.forEach(function (id, i) { putVerified(id, decodePolygons(doc.polys[i], doc.q)); });
  }

  function putVerified(id, latlngs) {
    var old = state.verified.get(id);
    if (old) { state.patches.removeLayer(old); }
    var poly = L.polygon(latlngs, {
      pane: 'lv-patches', weight: 2.5, color: '#00838f', dashArray: '6 4', fill: false, interactive: false,
      className: 'lv-verified'
    });
    state.verified.set(id, poly);
    if (admits(id)) { state.patches.addLayer(poly); }
    return poly;
  }

  /* ---- editing the verified extent (核实范围) with leaflet-geoman --------- */
  // Python starts it for one case (editExtent(uuid, GeoJSON geometry or null)); the inspector edits the
  // outline's vertices or draws new polygons (geoman's own tools), then 保存 sends the GeoJSON text to the
  // bridge (extentEdited), which Python validates again. Editing ends when Python shows the stored extent
  // (showVerified) or on 取消.
  function extentControl() {
    var control = L.control({ position: 'topleft' });
    control.onAdd = function () {
      var box = L.DomUtil.create('div', 'lv-extent-bar');
      var title = document.createElement('span');
      title.textContent = '核实范围';
      box.appendChild(title);
      [['保存', saveExtent], ['重画', redrawExtent], ['取消', cancelExtent]].forEach(function (entry) {
        var button = document.createElement('button');
        button.type = 'button';
        button.textContent = entry[0];
        button.className = 'lv-extent-' + (entry[0] === '保存' ? 'save' : entry[0] === '重画' ? 'redraw' : 'cancel');
        button.addEventListener('click', function () { entry[1](); });
        box.appendChild(button);
      });
      L.DomEvent.disableClickPropagation(box);
      return box;
    };
    return control;
  }

  function onExtentCreated(e) {
    if (!state.editGroup || !e || !e.layer) { return; }
    state.map.removeLayer(e.layer);
    state.editGroup.addLayer(e.layer);
    e.layer.pm.enable({ allowSelfIntersection: false });
  }

  function editExtent(id, geometry) {
    if (!UUID_RE.test(id) || !state.map.pm) { return false; }
    cancelExtent();
    state.editingId = id;
    state.editGroup = L.featureGroup().addTo(state.map);
    if (geometry && (geometry.type === 'Polygon' || geometry.type === 'MultiPolygon')) {
      L.geoJSON(geometry, { style: { color: '#00838f', weight: 3, fillOpacity: 0.15 } }).eachLayer(function (layer) {
        state.editGroup.addLayer(layer);
        layer.pm.enable({ allowSelfIntersection: false });
      });
      state.map.fitBounds(state.editGroup.getBounds(), { padding: [40, 40], maxZoom: 18 });
    } else {
      state.map.pm.enableDraw('Polygon', { allowSelfIntersection: false });
    }
    state.map.on('pm:create', onExtentCreated);
    state.extentBar = extentControl().addTo(state.map);
    state.map.getContainer().classList.add('lv-editing');
    return true;
  }

  function redrawExtent() {
    if (!state.editGroup) { return false; }
    state.editGroup.clearLayers();
    state.map.pm.enableDraw('Polygon', { allowSelfIntersection: false });
    return true;
  }

  function extentGeometry() {
    if (!state.editGroup) { return null; }
    var polygons = [];
    state.editGroup.eachLayer(function (layer) {
      var geometry = layer.toGeoJSON().geometry;
      if (geometry.type === 'Polygon') { polygons.push(geometry.coordinates); }
      if (geometry.type === 'MultiPolygon') { polygons = polygons.concat(geometry.coordinates); }
    });
    if (!polygons.length) { return null; }
    return polygons.length === 1 ? { type: 'Polygon', coordinates: polygons[0] }
      : { type: 'MultiPolygon', coordinates: polygons };
  }

  function saveExtent() {
    var geometry = extentGeometry();
    if (!geometry || !state.bridge || !state.editingId) { return false; }
    state.bridge.extentEdited(state.editingId, JSON.stringify(geometry));
    return true;
  }

  function cancelExtent() {
    if (!state.editGroup) { return false; }
    state.map.pm.disableDraw();
    state.map.off('pm:create', onExtentCreated);
    state.editGroup.eachLayer(function (layer) { if (layer.pm) { layer.pm.disable(); } });
    state.map.removeLayer(state.editGroup);
    if (state.extentBar) { state.extentBar.remove(); }
    state.editGroup = null; state.editingId = null; state.extentBar = null;
    state.map.getContainer().classList.remove('lv-editing');
    return true;
  }

  function showVerified(id, geometry) {
    if (!UUID_RE.test(id) || !geometry) { return false; }
    var latlngs = L.GeoJSON.coordsToLatLngs(geometry.coordinates, geometry.type === 'Polygon' ? 1 : 2);
    putVerified(id, latlngs);
    if (state.editingId === id) { cancelExtent(); }
    return true;
  }

  /* ---- cases: clustered markers coloured by status (case_layer.js) ------- */
  // The colours come from the core's one status palette (cfg.statusFills / cfg.statusTexts, indexed by the
  // status code of the case layer; the last entry is for a status the workflow does not name).
  function drawCases(doc) {
    if (doc) { state.cases.setCases(doc); }
  }

  /* ---- evidence: photo positions with bearings, drone footprints -------- */
  function drawEvidence(doc) {
    if (!doc) { return; }
    doc.ids.forEach(function (id, i) {
      var el = document.createElement('div');
      el.className = doc.b[i] < 0 ? 'lv-photo-dot' : 'lv-photo-arrow';
      if (doc.b[i] >= 0) { el.style.transform = 'rotate(' + Number(doc.b[i]) + 'deg)'; }
      if (doc.k[i] === 1) { el.classList.add('lv-drone'); }
      var icon = L.divIcon({ html: el, className: 'lv-photo', iconSize: L.point(36, 36) });
      var caseId = doc['case'][i];
      var marker = L.marker([doc.y[i] * doc.q, doc.x[i] * doc.q], { icon: icon, pane: 'lv-photos', keyboard: false,
                                                                    lvCase: caseId });
      onClick(marker, function () { send('caseClicked', caseId); });
      state.evidence.photos.push(marker);
      if (admits(caseId)) { state.groups.photos.addLayer(marker); }
    });
    doc.fp_ids.forEach(function (id, i) {
      var caseId = doc.fp_case[i];
      var poly = L.polygon(decodePolygons(doc.fp_polys[i], doc.q), {
        pane: 'lv-footprints', color: '#6a1b9a', weight: 1.5, dashArray: '5 4', fillColor: '#ab47bc',
        fillOpacity: 0.12, className: 'lv-footprint', lvCase: caseId
      });
      onClick(poly, function () { send('caseClicked', caseId); });
      state.evidence.footprints.push(poly);
      if (admits(caseId)) { state.groups.footprints.addLayer(poly); }
    });
  }

  /* The evidence of these cases changed (an attach): their photo markers and footprints drawn anew. */
  function putEvidence(caseIds, doc) {
    if (!Array.isArray(caseIds) || !caseIds.every(function (id) { return UUID_RE.test(id); })) { return false; }
    var changed = new Set(caseIds);
    ['photos', 'footprints'].forEach(function (name) {
      var group = state.groups[name];
      state.evidence[name] = state.evidence[name].filter(function (layer) {
        if (!changed.has(layer.options.lvCase)) { return true; }
        group.removeLayer(layer);
        return false;
      });
    });
    drawEvidence(doc);
    return true;
  }

  /* ---- the case list's filter: only the admitted cases, without reloading the document ---- */
  function admits(id) { return state.admitted === null || state.admitted.has(id); }

  function showOnly(ids) {
    if (ids !== null && !Array.isArray(ids)) { return false; }
    state.admitted = ids === null ? null : new Set(ids.filter(function (id) {
      return typeof id === 'string' && UUID_RE.test(id);
    }));
    state.cases.setAdmitted(state.admitted);
    ['photos', 'footprints'].forEach(function (name) {
      var group = state.groups[name];
      state.evidence[name].forEach(function (layer) {
        if (admits(layer.options.lvCase)) { group.addLayer(layer); } else { group.removeLayer(layer); }
      });
    });
    var patches = state.patchCache[state.patchShown];
    if (patches) { showAdmittedPatches(patches); }
    state.verified.forEach(function (poly, id) {
      if (admits(id)) { state.patches.addLayer(poly); } else { state.patches.removeLayer(poly); }
    });
    if (state.selectedId && !admits(state.selectedId) && state.selected) {
      state.map.removeLayer(state.selected);
      state.selected = null;
      state.selectedId = null;
    }
    return true;
  }

  /* ---- selection and GPS ------------------------------------------------ */
  function highlight(id) {
    if (state.selected) { state.map.removeLayer(state.selected); }
    state.selectedId = id;
    state.selected = L.circleMarker(state.cases.latLngOf(id), {
      pane: 'lv-top', radius: 15, weight: 3, color: '#00e5ff', fill: false, interactive: false,
      className: 'lv-selected'
    }).addTo(state.map);
  }

  /* Centre the case at SELECT_ZOOM or closer, close enough that it stands alone, not in a cluster. */
  function selectCase(id) {
    if (!UUID_RE.test(id) || !state.cases.admits(id)) { return false; }
    if (!state.map.hasLayer(state.cases)) { state.map.addLayer(state.cases); }
    function go() {
      var zoom = state.cases.revealZoom(id, Math.max(state.map.getZoom(), SELECT_ZOOM));
      state.map.setView(state.cases.latLngOf(id), zoom, { animate: document.visibilityState === 'visible' });
    }
    // Leaflet ignores a new view while a zoom animation runs (it has no public flag for it): go after it
    if (state.map._animatingZoom) { state.map.once('zoomend', go); } else { go(); }
    highlight(id);
    return true;
  }

  function validStatus(code) {
    return isFinite(code) && code >= 0 && code < state.cfg.statusFills.length && code % 1 === 0;
  }

  function setCaseStatus(id, code) {
    code = Number(code);
    if (!UUID_RE.test(id) || !state.cases.has(id) || !validStatus(code)) {
      return false;
    }
    state.cases.setStatus(id, code);
    if (state.patchStatus.has(id)) {
      state.patchStatus.set(id, code);
      var poly = currentPatch(id);
      if (poly) { poly.setStyle(patchStyle(code)); }
    }
    return true;
  }

  /* A case that changed: add its marker, or move and recolour it in place. */
  function putCase(id, lon, lat, code) {
    lon = Number(lon); lat = Number(lat); code = Number(code);
    if (!UUID_RE.test(id) || !isFinite(lon) || !isFinite(lat) || !validStatus(code)) { return false; }
    if (!state.cases.has(id)) {
      state.cases.put(id, lat, lon, code);
      return true;
    }
    if (state.cases.put(id, lat, lon, code) && state.selectedId === id) { highlight(id); }
    return setCaseStatus(id, code);
  }

  function removeCase(id) {
    if (!UUID_RE.test(id) || !state.cases.remove(id)) { return false; }
    if (state.patchStatus.has(id)) {
      state.patchRemoved.add(id);
      var poly = currentPatch(id);
      if (poly) { poly.remove(); }
    }
    if (state.verified.has(id)) { state.patches.removeLayer(state.verified.get(id)); state.verified.delete(id); }
    if (state.selectedId === id && state.selected) {
      state.map.removeLayer(state.selected);
      state.selected = null;
      state.selectedId = null;
    }
    return true;
  }

  function setGps(lon, lat, accuracy) {
    if (!isFinite(lon) || !isFinite(lat) || !isFinite(accuracy)) { return false; }
    var ll = L.latLng(Number(lat), Number(lon)), acc = Math.max(0, Number(accuracy));
    if (!state.gpsDot) {
      state.gpsCircle = L.circle(ll, { radius: acc, pane: 'lv-gps', color: '#1e88e5', weight: 1,
                                       fillColor: '#1e88e5', fillOpacity: 0.12, interactive: false });
      state.gpsDot = L.circleMarker(ll, { radius: 7, pane: 'lv-gps', color: '#ffffff', weight: 3,
                                          fillColor: '#1e88e5', fillOpacity: 1, interactive: false,
                                          className: 'lv-gps-dot' });
      state.groups.gps.addLayer(state.gpsCircle).addLayer(state.gpsDot);
    } else {
      state.gpsCircle.setLatLng(ll).setRadius(acc);
      state.gpsDot.setLatLng(ll);
    }
    return true;
  }

  function setLayerVisible(name, visible) {
    var group = Object.prototype.hasOwnProperty.call(state.groups, name) ? state.groups[name] : null;
    if (!group) { return false; }
    if (visible) { state.map.addLayer(group); } else { state.map.removeLayer(group); }
    if (name === 'cases') {  // a patch belongs to its case: shown and hidden with the markers
      if (visible) { state.map.addLayer(state.patches); } else { state.map.removeLayer(state.patches); }
    }
    return true;
  }

  /* The touch layout: finger-sized zoom buttons and layer control (map.css, .lv-touch). */
  function setTouchMode(on) {
    state.map.getContainer().classList.toggle('lv-touch', on === true);
    return on === true;
  }

  /* ---- legend and controls ---------------------------------------------- */
  function legendRow(parent, swatchClass, colour, text, outline) {
    var row = document.createElement('div');
    row.className = 'lv-legend-row';
    var sw = document.createElement('span');
    sw.className = swatchClass;
    sw.style.background = colour;
    if (outline) { sw.style.borderColor = outline; }
    var label = document.createElement('span');
    label.textContent = text;
    row.appendChild(sw); row.appendChild(label); parent.appendChild(row);
  }

  function addLegend() {
    var cfg = state.cfg;
    var legend = L.control({ position: 'bottomleft' });
    legend.onAdd = function () {
      var box = L.DomUtil.create('div', 'lv-legend');
      var title = document.createElement('div');
      title.className = 'lv-legend-title';
      title.textContent = '图例';
      box.appendChild(title);
      cfg.kinds.forEach(function (kind, i) { legendRow(box, 'lv-sw-zone', cfg.kindColours[i], kind); });
      legendRow(box, 'lv-sw-zone lv-sw-core', cfg.kindCoreColours[0], '核心保护区（斜线）');
      var sep = document.createElement('div'); sep.className = 'lv-legend-sep'; box.appendChild(sep);
      cfg.states.forEach(function (s, i) { legendRow(box, 'lv-sw-case', cfg.statusFills[i], s, cfg.statusTexts[i]); });
      title.addEventListener('click', function () { box.classList.toggle('lv-collapsed'); });
      L.DomEvent.disableClickPropagation(box);
      return box;
    };
    legend.addTo(state.map);
  }

  function textAsHtml(text) {
    var holder = document.createElement('span');
    holder.textContent = String(text);
    return holder.innerHTML;
  }

  function addLayerControl() {
    var bases = {}, overlays = {};
    if (state.cfg.basemaps.length) { bases['无底图'] = L.layerGroup(); }  // base layers: none, basemaps, epochs
    state.cfg.basemaps.forEach(function (b, i) {
      var opts = { minZoom: 0, maxZoom: 19, maxNativeZoom: b.maxZoom, minNativeZoom: b.minZoom, tileSize: 256 };
      if (b.bounds) { opts.bounds = [[b.bounds[1], b.bounds[0]], [b.bounds[3], b.bounds[2]]]; }
      var layer = L.tileLayer(b.url, opts);
      // the layer control inserts names as HTML: a label (an imagery epoch's) goes in as escaped text
      bases[b.label ? textAsHtml(b.label) : '离线底图 ' + (i + 1)] = layer;
      if (i === 0) { layer.addTo(state.map); }
    });
    Object.keys(LAYER_LABELS).forEach(function (name) { overlays[LAYER_LABELS[name]] = state.groups[name]; });
    L.control.layers(bases, overlays, { position: 'topright', collapsed: false }).addTo(state.map);
  }

  /* ---- start-up ---------------------------------------------------------- */
  function whenPainted(callback) {
    // After the next frame; a hidden page (e.g. the map in a background tab) gets no
    // animation frames, so a timer stands in for them there.
    var done = false;
    function once() { if (!done) { done = true; callback(); } }
    if (document.visibilityState === 'visible') {
      requestAnimationFrame(function () { requestAnimationFrame(once); });
      setTimeout(once, 1000);
    } else {
      setTimeout(once, 0);
    }
  }

  function reportDrawn() {
    state.drawn = true;
    document.documentElement.setAttribute('data-lvdun-drawn', '1');
    if (state.bridge && !state.reported) {
      state.reported = true;
      state.bridge.layersDrawn(state.cfg.token);
    }
  }

  function connectBridge() {
    if (typeof QWebChannel === 'undefined' || !window.qt || !window.qt.webChannelTransport) { return; }
    new QWebChannel(window.qt.webChannelTransport, function (channel) {
      state.bridge = channel.objects.lvdunBridge || null;
      if (state.drawn) { reportDrawn(); }
    });
  }

  /* The page's document: drawn at once, or for a shell (cfg.shell) when open(token) posts one. */
  function start(map, cfg) {
    prepare(map, cfg);
    if (cfg.shell) { state.shell = true; return; }
    draw(cfg);
  }

  function open(token) {
    if (!state.shell || state.opened || typeof token !== 'string' || !UUID_RE.test(token)) { return false; }
    state.opened = true;
    state.base = '../' + token + '/';
    load('config.json').then(function (cfg) {
      if (!cfg || cfg.token !== token || cfg.shell) { throw new Error('no document ' + token); }
      draw(cfg);
    }).catch(function (err) {
      document.documentElement.setAttribute('data-lvdun-error', String(err));
    });
    return true;
  }

  /* What does not depend on the document: panes, layer groups, the case layer, the legend, the bridge. */
  function prepare(map, cfg) {
    state.map = map; state.cfg = cfg;
    map.setMinZoom(5);
    map.setMaxZoom(19);
    map.options.zoomSnap = 0.25;
    L.control.scale({ imperial: false, position: 'bottomright' }).addTo(map);
    map.attributionControl && map.attributionControl.setPrefix(false);
    map.getContainer().classList.add('lv-map');
    if (map.pm) { map.pm.setLang('zh'); }
    makePane('lv-admin', 250); makePane('lv-labels', 390); makePane('lv-zones', 400);
    makePane('lv-patches', 410); makePane('lv-footprints', 420); makePane('lv-photos', 590); makePane('lv-cases', 600);
    makePane('lv-gps', 640); makePane('lv-top', 650);
    state.map.getPane('lv-labels').style.pointerEvents = 'none';
    addHatchPatterns();
    ['admin', 'zones', 'photos', 'footprints', 'gps'].forEach(function (n) { state.groups[n] = L.layerGroup(); });
    state.cases = state.groups.cases = new LvdunCaseLayer({
      pane: 'lv-cases', fills: cfg.statusFills, texts: cfg.statusTexts, bindClick: onClick,
      onCase: function (id) { highlight(id); send('caseClicked', id); }
    });
    state.patches = L.layerGroup();
    map.on('click', function (e) { if (state.picking) { pickAt(e.latlng.lng, e.latlng.lat); } });
    addLegend();
    connectBridge();
  }

  /* The document: its view, basemaps and layers; reports to the bridge once drawn. */
  function draw(cfg) {
    var map = state.map;
    state.cfg = cfg;
    map.fitBounds(cfg.bounds, { padding: [24, 24], maxZoom: 14, animate: false });
    addLayerControl();
    var zoneLevel = levelForZoom(map.getZoom());
    var admin = load(cfg.data.admin);  // fetched now, drawn once the cases are: ready means the clusters drawn
    Promise.all([
      showZoneLevel(zoneLevel),
      showPatchLevel(zoneLevel),
      load(cfg.data.cases).then(drawCases),
      load(cfg.data.verified).then(drawVerified),
      load(cfg.data.evidence).then(drawEvidence)
    ]).then(function () {
      ['admin', 'zones', 'footprints', 'photos', 'cases', 'gps'].forEach(function (n) { map.addLayer(state.groups[n]); });
      map.addLayer(state.patches);
      map.on('zoomend', function () {
        var level = levelForZoom(map.getZoom());
        showZoneLevel(level);
        showPatchLevel(level);
      });
      whenPainted(function () {
        reportDrawn();
        admin.then(drawAdmin).then(loadOtherLevels).catch(showError);
      });
    }).catch(showError);
  }

  function showError(err) {
    document.documentElement.setAttribute('data-lvdun-error', String(err) + ' ' + String(err && err.stack));
  }

  function stats() {
    return {
      drawn: state.drawn, cases: state.cases ? state.cases.size() : 0, zones: state.zoneCount, zoneLevel: state.zoneLevel,
      admin: state.groups.admin ? state.groups.admin.getLayers().length : 0,
      photos: state.groups.photos ? state.groups.photos.getLayers().length : 0,
      footprints: state.groups.footprints ? state.groups.footprints.getLayers().length : 0,
      zonePaths: document.querySelectorAll('path.lv-zone').length, patchLevel: state.patchShown,
      levelsLoaded: state.levelsLoaded,
      patchPaths: document.querySelectorAll('path.lv-patch').length,
      verifiedPaths: document.querySelectorAll('path.lv-verified').length, zoom: state.map ? state.map.getZoom() : null,
      picking: state.picking,
      gps: state.gpsDot ? [state.gpsDot.getLatLng().lng, state.gpsDot.getLatLng().lat] : null,
      selected: state.selected ? [state.selected.getLatLng().lng, state.selected.getLatLng().lat] : null,
      visible: Object.keys(state.groups).filter(function (n) { return state.map.hasLayer(state.groups[n]); })
    };
  }

  /* ---- the patrol track (ui.patrols.track_layer): plain numbers only ------------------------------------ */
  var TRACK_CHUNK = 5000;  // points per polyline: a new point redraws only the last chunk's path
  function addTrack(segment, flat) {
    if (!state.map || !Array.isArray(flat) || !isFinite(segment)) { return false; }
    if (!state.track) {
      if (!state.map.getPane('lv-track')) { makePane('lv-track', 630); }
      state.track = { group: L.layerGroup().addTo(state.map), lines: new Map(), points: 0 };
    }
    var key = Number(segment), line = state.track.lines.get(key);
    for (var i = 0; i + 1 < flat.length; i += 2) {
      var lon = Number(flat[i]), lat = Number(flat[i + 1]);
      if (!isFinite(lon) || !isFinite(lat)) { continue; }
      var ll = L.latLng(lat, lon);
      if (!line || line.getLatLngs().length >= TRACK_CHUNK) {
        var first = line ? [line.getLatLngs()[line.getLatLngs().length - 1]] : [];
        line = L.polyline(first, { pane: 'lv-track', color: '#e65100', weight: 4, opacity: 0.85,
                                   interactive: false, className: 'lv-track' });
        state.track.group.addLayer(line);
        state.track.lines.set(key, line);
      }
      line.addLatLng(ll);
      state.track.points += 1;
    }
    return true;
  }
  function clearTrack() {
    if (state.track) { state.track.group.clearLayers(); state.track.lines.clear(); state.track.points = 0; }
    return true;
  }
  function trackStats() {
    if (!state.track) { return { segments: 0, points: 0, last: null }; }
    var last = null;
    state.track.lines.forEach(function (line) { var lls = line.getLatLngs(); last = lls[lls.length - 1]; });
    return { segments: state.track.lines.size, points: state.track.points, last: last ? [last.lng, last.lat] : null };
  }

  window.LvdunMap = {
    start: start, open: open, setGps: setGps, selectCase: selectCase, setLayerVisible: setLayerVisible, stats: stats,
    setTouchMode: setTouchMode,
    addTrack: addTrack, clearTrack: clearTrack, trackStats: trackStats,
    putEvidence: putEvidence, showOnly: showOnly,
    caseIds: function () { return state.cases ? state.cases.ids() : []; },  // the cases shown (the filter's)
    setPickMode: setPickMode, pickAt: pickAt, setCaseStatus: setCaseStatus, putCase: putCase,
    removeCase: removeCase, editExtent: editExtent, saveExtent: saveExtent, cancelExtent: cancelExtent,
    redrawExtent: redrawExtent, extentGeometry: extentGeometry, showVerified: showVerified,
    editing: function () { return state.editingId; },
    editLayers: function () { return state.editGroup ? state.editGroup.getLayers() : []; },
    leafletMap: function () { return state.map; },
    statusOf: function (id) { return state.cases ? state.cases.statusOf(id) : null; },
    markerFor: function (id) { return state.cases ? state.cases.marker(id) : null; },
    caseLayer: function () { return state.cases; },
    shownCases: function () {  // the clusters and single cases the view shows, as plain data
      return state.cases ? state.cases.shownItems().map(function (item) {
        var at = item.layer.getLatLng();
        return { cluster: item.cluster, count: item.count, status: item.status, id: item.id, at: [at.lng, at.lat] };
      }) : [];
    },
    patchFor: function (id) { return currentPatch(id); },
    patchVertices: function (id) { var poly = currentPatch(id); return poly ? countLatLngs(poly.getLatLngs()) : null; }
  };
})();
