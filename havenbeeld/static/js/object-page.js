// The object page's pictures: the network (Cytoscape.js) and the map (Leaflet).
// Both are enhancements: the relations list and the address above them say the same in text.
(function () {
  "use strict";

  function network(container) {
    if (!window.cytoscape) return;
    fetch(container.dataset.url, { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        if (data.nodes.length < 2) {
          container.hidden = true;
          return;
        }
        var elements = data.nodes.map(function (n) {
          return { data: { id: String(n.id), label: n.label + "\n(" + n.kind_label + ")",
                           kind: n.kind, focus: n.focus ? "yes" : "no" } };
        }).concat(data.edges.map(function (e) {
          return { data: { id: e.id, source: String(e.source), target: String(e.target),
                           label: e.label } };
        }));
        var cy = window.cytoscape({
          container: container,
          elements: elements,
          layout: { name: "cose", animate: false, padding: 20 },
          style: [
            { selector: "node", style: {
              "label": "data(label)", "text-wrap": "wrap", "text-max-width": 140,
              "font-size": 11, "background-color": "#01689b", "color": "#1a1a1a",
              "text-valign": "bottom", "text-margin-y": 4, "width": 22, "height": 22 } },
            { selector: "node[kind = 'person']", style: { "shape": "ellipse", "background-color": "#8fcae7" } },
            { selector: "node[kind = 'company']", style: { "shape": "round-rectangle" } },
            { selector: "node[kind = 'container']", style: { "shape": "rectangle", "background-color": "#ca005d" } },
            { selector: "node[kind = 'vessel']", style: { "shape": "triangle", "background-color": "#39870c" } },
            { selector: "node[focus = 'yes']", style: { "border-width": 4, "border-color": "#ffb612" } },
            { selector: "edge", style: {
              "label": "data(label)", "font-size": 9, "curve-style": "bezier",
              "target-arrow-shape": "triangle", "line-color": "#999", "target-arrow-color": "#999",
              "text-rotation": "autorotate", "text-background-color": "#fff",
              "text-background-opacity": 1 } }
          ]
        });
        cy.on("tap", "node", function (event) {
          var id = event.target.id();
          if (id !== container.dataset.self) window.location.href = "/objecten/" + id + "/";
        });
      });
  }

  function map(container) {
    if (!window.L) return;
    var lat = parseFloat(container.dataset.lat);
    var lon = parseFloat(container.dataset.lon);
    var leafletMap = window.L.map(container, { attributionControl: !!container.dataset.tiles })
      .setView([lat, lon], 10);
    if (container.dataset.tiles) {
      window.L.tileLayer(container.dataset.tiles, {
        attribution: container.dataset.attribution || "", maxZoom: 18 }).addTo(leafletMap);
    }
    var portsElement = document.getElementById("map-ports");
    var ports = portsElement ? JSON.parse(portsElement.textContent) : [];
    ports.forEach(function (port) {
      window.L.circleMarker([port.lat, port.lon], { radius: 5, color: "#154273" })
        .bindTooltip(port.name).addTo(leafletMap);
    });
    window.L.marker([lat, lon]).bindPopup(container.dataset.label).addTo(leafletMap);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-network]").forEach(network);
    document.querySelectorAll("[data-map]").forEach(map);
  });
})();
