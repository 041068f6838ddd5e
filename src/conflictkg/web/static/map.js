// Maps: a place's events (data-points) or every event (data-source, clustered, filtered by date, actor, status).
(function () {
  "use strict";
  const COLOURS = { completed: "#b3261e", ongoing: "#e07b00", planned: "#1f5fbf", possible: "#7b3fa0", denied: "#6b6b6b" };
  const el = document.getElementById("map");
  if (!el) return;
  const map = L.map(el, { preferCanvas: Boolean(el.dataset.source), maxZoom: 18, minZoom: 3 });
  if (el.dataset.tiles) L.tileLayer(el.dataset.tiles, { maxZoom: 18 }).addTo(map);
  window.ckgMap = { map: map, shown: 0 };

  function marker(p) {
    const m = L.circleMarker([p.lat, p.lon], {
      radius: 7, color: "#222", weight: 1, fillColor: COLOURS[p.status] || "#999", fillOpacity: 0.9,
      className: "ev-marker st-" + p.status,
    });
    const div = document.createElement("div");
    const a = document.createElement("a");
    a.href = p.iri; a.textContent = p.cls;
    div.append(a, " (" + p.status + ") " + (p.date || "") + " · " + (p.place || "") + (p.actor_name ? " · " + p.actor_name : ""));
    m.bindPopup(div);
    return m;
  }

  // Gazetteer places in grey, for orientation: the map has no background tiles when offline.
  const reference = L.layerGroup().addTo(map);
  fetch("/places.json").then((r) => r.json()).then(function (data) {
    const big = { Country: 1, Governorate: 1 };
    data.places.forEach(function (p) {
      if (big[p.kind]) return;  // their centroids say little; the towns around say where we are
      const dot = L.circleMarker([p.lat, p.lon], { radius: 2, color: "#8a969e", weight: 1, fillOpacity: 0.6,
        className: "ref-place" });
      dot.bindTooltip(p.name + " (" + p.kind + ")");
      dot.addTo(reference);
    });
  });

  if (el.dataset.points) {  // a place page: its own events, no clustering needed
    const center = JSON.parse(el.dataset.center);
    const points = JSON.parse(el.dataset.points);
    map.setView(center, 10);
    L.circleMarker(center, { radius: 14, color: "#000", weight: 2, fill: false }).addTo(map)
      .bindTooltip(el.dataset.place || "", { permanent: true, direction: "right", offset: [14, 0], className: "ref-label" });
    // Events at the same point are spread on a small ring around it so that each can be clicked.
    const seen = {};
    points.forEach(function (p) {
      const key = p.lat + "," + p.lon;
      const i = seen[key] = (seen[key] || 0) + 1;
      const angle = i * 2.4, r = i > 1 ? 0.025 * Math.sqrt(i) : 0;
      marker(Object.assign({}, p, { lat: p.lat + r * Math.sin(angle), lon: p.lon + r * Math.cos(angle) })).addTo(map);
    });
    window.ckgMap.shown = points.length;
    return;
  }

  const form = document.getElementById("filters");
  const count = document.getElementById("count");
  const cluster = L.markerClusterGroup({ chunkedLoading: true, maxClusterRadius: 50,
    iconCreateFunction: function (c) {
      const n = c.getChildCount();
      return L.divIcon({ html: "<div><span>" + n + "</span></div>", className: "marker-cluster marker-cluster-" +
        (n < 10 ? "small" : n < 100 ? "medium" : "large"), iconSize: L.point(40, 40) });
    } });
  map.addLayer(cluster);
  let all = [];
  function apply() {
    const f = new FormData(form);
    const from = f.get("from"), to = f.get("to"), actor = f.get("actor");
    const statuses = new Set(f.getAll("status"));
    const undated = f.get("undated") === "1";
    const keep = all.filter((p) => statuses.has(p.status) && (!actor || p.actor === actor) &&
      (p.date ? (!from || p.date >= from) && (!to || p.date <= to) : undated));
    cluster.clearLayers();
    cluster.addLayers(keep.map(marker));
    count.textContent = keep.length + " of " + all.length + " events";
    window.ckgMap.shown = keep.length;
    el.dataset.shown = String(keep.length);
  }
  form.addEventListener("change", apply);
  const t0 = performance.now();
  fetch(el.dataset.source).then((r) => r.json()).then(function (data) {
    all = data.events;
    if (all.length) map.fitBounds(L.latLngBounds(all.map((p) => [p.lat, p.lon])).pad(0.1));
    else map.setView([35, 40], 6);
    apply();
    window.ckgMap.readyMs = performance.now() - t0;
    el.dataset.ready = "1";
  });
})();
