// The SPARQL editor: YASGUI (vendored) pointed at this server's /sparql, with the query packs as tabs.
(function () {
  "use strict";
  const packs = JSON.parse(document.getElementById("pack-queries").textContent);
  // The prefix and class/property autocompleters call services on the internet; this view works offline.
  Yasgui.Yasqe.defaults.autocompleters = ["variables"];
  const yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: location.origin + "/sparql", method: "POST" },
    copyEndpointOnNewTab: true,
    persistenceId: null,
    populateFromUrl: false,
    endpointCatalogueOptions: { getData: () => [{ endpoint: location.origin + "/sparql" }] },
  });
  const byName = {};
  const blank = yasgui.persistentConfig.getTabs().slice();  // the empty tab YASGUI opens with
  packs.forEach(function (p, i) {
    byName[p.name] = yasgui.addTab(i === 0, { name: p.name, yasqe: { value: p.query } });
  });
  blank.forEach(function (id) { const t = yasgui.getTab(id); if (t) t.close(); });
  const picker = document.getElementById("pack-picker");
  const summary = document.getElementById("pack-summary");
  function choose(name) {
    const tab = byName[name];
    if (!tab) return;
    yasgui.selectTabId(tab.getId());
    const pack = packs.find((p) => p.name === name);
    summary.textContent = pack ? pack.summary : "";
    picker.value = name;
  }
  picker.addEventListener("change", () => choose(picker.value));
  window.ckgEditor = { yasgui: yasgui, choose: choose, tabs: byName };
  if (location.hash.length > 1) choose(decodeURIComponent(location.hash.slice(1)));
})();
