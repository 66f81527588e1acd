/* Follow mode for the GPS position (issue 16): the map keeps the position centred until the user pans it,
 * and 定位到我 centres it again and resumes following.
 *
 * Loaded by the GUI into the map page after map.js (ui/map/navigation_panel.py). It reads only the map and the
 * GPS marker that map.js keeps (LvdunMap.leafletMap(), LvdunMap.stats().gps); Python calls only
 * LvdunFollow.locate() and LvdunFollow.moved(), with no arguments (numbers never travel as text), and reads
 * LvdunFollow.state(). No text of any kind is rendered here.
 */
(function () {
  'use strict';
  if (window.LvdunFollow) { return; }
  var MIN_FOLLOW_ZOOM = 16;  // 定位到我 zooms in at least this far (about 2 m per pixel)
  var state = { following: false, recentres: 0, userPans: 0, programmatic: false, hooked: null };

  function map() { return window.LvdunMap ? window.LvdunMap.leafletMap() : null; }

  function hook(m) {
    if (state.hooked === m) { return; }
    state.hooked = m;
    m.on('dragstart', function () {  // only a person drags: following stops
      if (state.following) { state.following = false; state.userPans += 1; }
    });
  }

  function gps() {
    var position = window.LvdunMap ? window.LvdunMap.stats().gps : null;
    return position ? L.latLng(position[1], position[0]) : null;
  }

  function centre(zoomIn) {
    var m = map(), here = gps();
    if (!m || !here) { return false; }
    hook(m);
    var zoom = zoomIn ? Math.max(m.getZoom(), MIN_FOLLOW_ZOOM) : m.getZoom();
    m.setView(here, zoom, { animate: false });
    state.recentres += 1;
    return true;
  }

  function locate() {  // 定位到我: centre on the position and follow it from now on
    var m = map();
    if (!m) { return false; }
    hook(m);
    state.following = true;
    return centre(true);
  }

  function moved() {  // the GPS marker moved: keep it centred while following
    return state.following ? centre(false) : false;
  }

  function currentState() {
    var m = map(), c = m ? m.getCenter() : null;
    return { following: state.following, recentres: state.recentres, userPans: state.userPans,
             centre: c ? [c.lng, c.lat] : null, gps: window.LvdunMap ? window.LvdunMap.stats().gps : null };
  }

  function stop() { state.following = false; return true; }

  window.LvdunFollow = { locate: locate, moved: moved, state: currentState, stop: stop };
})();
