// The query editor: runs the query against /sparql and shows the rows as a linked table.
// Plain DOM code, no library: the UI must work offline.
(function () {
  "use strict";
  const form = document.getElementById("query-form");
  const textarea = document.getElementById("query");
  const results = document.getElementById("results");
  const error = document.getElementById("error");
  const status = document.getElementById("status");
  const ID_BASE = "https://w3id.org/urbankg/id/";
  const ONTOLOGY = "https://w3id.org/urbankg/ontology#";

  // Where a link to an IRI may point, or null to show it as text: this server's pages and
  // http(s) IRIs only. A javascript:, data: or vbscript: IRI in a result would run in this
  // page's origin when clicked; browsers read " javascript:" and "java<TAB>script:" as
  // javascript:, so the scheme is read as given and whitespace or control characters make no link.
  function linkTarget(iri) {
    if (iri.startsWith(ID_BASE)) return "/id/" + iri.slice(ID_BASE.length);
    if (iri.startsWith(ONTOLOGY)) return "/ontology#" + iri.slice(ONTOLOGY.length);
    if (/^https?:\/\//i.test(iri) && !/[\u0000-\u0020\u007f]/.test(iri)) return iri;
    return null;
  }

  function cell(term) {
    const td = document.createElement("td");
    if (!term) return td;
    if (term.type === "uri") {
      const target = linkTarget(term.value);
      const node = document.createElement(target === null ? "span" : "a");
      if (target === null) node.className = "iri"; else node.href = target;
      node.textContent = term.value.startsWith(ID_BASE) ? term.value.slice(ID_BASE.length) : term.value;
      node.title = term.value;
      td.appendChild(node);
    } else {
      td.textContent = term.value;
    }
    return td;
  }

  function downloadUrl(format) {
    return "/sparql?format=" + format + "&query=" + encodeURIComponent(textarea.value);
  }

  function refreshDownloads() {
    document.getElementById("download-csv").href = downloadUrl("csv");
    document.getElementById("download-json").href = downloadUrl("json");
  }

  function render(data, truncated) {
    results.textContent = "";
    if (typeof data.boolean === "boolean") {
      results.textContent = data.boolean ? "true" : "false";
      status.textContent = "ASK answered.";
      return;
    }
    const vars = data.head.vars;
    const table = document.createElement("table");
    table.className = "results";
    table.id = "result-table";
    const head = table.createTHead().insertRow();
    vars.forEach(function (v) { const th = document.createElement("th"); th.textContent = v; head.appendChild(th); });
    const body = table.createTBody();
    data.results.bindings.forEach(function (row) {
      const tr = body.insertRow();
      vars.forEach(function (v) { tr.appendChild(cell(row[v])); });
    });
    results.appendChild(table);
    const n = data.results.bindings.length;
    status.textContent = n + " row" + (n === 1 ? "" : "s") + (truncated ? " (truncated by the server's row limit)" : "");
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    error.hidden = true;
    status.textContent = "Running…";
    refreshDownloads();
    fetch("/sparql", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded",
               "Accept": "application/sparql-results+json, text/turtle;q=0.9" },
      body: "query=" + encodeURIComponent(textarea.value)
    }).then(function (response) {
      const truncated = response.headers.get("X-Urbankg-Truncated") === "true";
      if (!response.ok) {
        return response.text().then(function (text) { throw new Error(text || response.statusText); });
      }
      const type = response.headers.get("Content-Type") || "";
      if (type.indexOf("json") < 0) {
        return response.text().then(function (text) {
          results.textContent = "";
          const pre = document.createElement("pre");
          pre.textContent = text;
          results.appendChild(pre);
          status.textContent = "Graph result.";
        });
      }
      return response.json().then(function (data) { render(data, truncated); });
    }).catch(function (err) {
      status.textContent = "";
      results.textContent = "";
      error.textContent = err.message;
      error.hidden = false;
    });
  });

  document.getElementById("examples").addEventListener("change", function (event) {
    const source = document.getElementById("example-" + event.target.value);
    // The editor (editor.js) hears of the new text as of any typing: colours, check, share link.
    if (source) { textarea.value = source.textContent.replace(/^#\+.*\n/gm, ""); textarea.dispatchEvent(new Event("input")); }
  });
  textarea.addEventListener("input", refreshDownloads);
  refreshDownloads();
})();
