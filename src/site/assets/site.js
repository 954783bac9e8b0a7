// The index's filters: loads the filter data (script files, since a page
// opened from the file system cannot fetch) only when a filter is applied,
// and shows the matching pledges a page at a time. Data become text nodes,
// never markup. Without JavaScript the form stays hidden and the paged
// list below it is the index.
(function () {
  "use strict";
  var form = document.getElementById("filters");
  if (!form || !document.createElement("script").addEventListener) return;
  var results = document.getElementById("results");
  var table = document.getElementById("results-table");
  var statusLine = document.getElementById("filter-status");
  var heading = document.getElementById("results-heading");
  var prev = document.getElementById("results-prev");
  var next = document.getElementById("results-next");
  var chunks = parseInt(form.getAttribute("data-chunks"), 10) || 0;
  var meta = null;
  var rows = [];
  var loaded = 0;
  var loading = false;
  var matches = [];
  var page = 0;

  window.PLEDGES_DATA = {
    meta: function (m) { meta = m; },
    chunk: function (i, part) { rows[i] = part; }
  };

  function load(src, done) {
    var s = document.createElement("script");
    s.src = src;
    s.addEventListener("load", done);
    s.addEventListener("error", function () {
      loading = false;
      statusLine.textContent = "Could not load " + src + ".";
    });
    document.body.appendChild(s);
  }

  // Loads data/meta.js, then every chunk in turn, then calls done.
  function loadAll(done) {
    if (loaded === chunks && meta) { done(); return; }
    if (loading) return;
    loading = true;
    var step = function () {
      if (loaded === chunks) { loading = false; done(); return; }
      statusLine.textContent = "Loading the pledges (" + (loaded + 1) + " of " + chunks + ")…";
      load("data/pledges-" + loaded + ".js", function () { loaded += 1; step(); });
    };
    if (meta) step(); else load("data/meta.js", step);
  }

  function value(name) { return form.elements[name].value; }

  function filter() {
    var category = value("category"), status = value("status");
    var condition = value("condition"), credibility = value("credibility");
    var pledger = value("pledger").trim().toLowerCase();
    var contested = form.elements.contested.checked;
    var wanted = null;
    if (pledger) {
      wanted = {};
      meta.actors.forEach(function (a, i) {
        if (a[0].toLowerCase().indexOf(pledger) >= 0 || a[1].toLowerCase().indexOf(pledger) >= 0) wanted[i] = true;
      });
    }
    matches = [];
    rows.forEach(function (part) {
      part.forEach(function (r) {
        if (status !== "" && r[2] !== +status) return;
        if (category !== "" && r[3].indexOf(+category) < 0) return;
        if (condition === "none" && r[4].length > 0) return;
        if (condition !== "" && condition !== "none" && r[4].indexOf(+condition) < 0) return;
        if (credibility !== "" && r[6] > +credibility) return;
        if (contested && !r[7]) return;
        if (wanted && !r[5].some(function (a) { return wanted[a]; })) return;
        matches.push(r);
      });
    });
    page = 0;
    show(true);
  }

  function cell(row, tag, text) {
    var c = document.createElement(tag);
    if (text !== undefined) c.textContent = text;
    row.appendChild(c);
    return c;
  }

  function names(list, of) {
    return list.map(function (i) { return of[i]; }).join(", ");
  }

  function show(focus) {
    var size = meta.pageSize, pages = Math.max(1, Math.ceil(matches.length / size));
    var from = page * size, to = Math.min(matches.length, from + size);
    var t = document.createElement("table");
    t.className = "list pledges";
    var caption = cell(t, "caption");
    caption.className = "visually-hidden";
    caption.textContent = "Matching pledges " + (from + 1) + " to " + to;
    var head = cell(cell(t, "thead"), "tr");
    ["Pledge", "Status", "Categories", "Conditions", "Pledged by", "Cred."].forEach(function (h) {
      cell(head, "th", h).setAttribute("scope", "col");
    });
    var body = cell(t, "tbody");
    matches.slice(from, to).forEach(function (r) {
      var tr = cell(body, "tr");
      var th = cell(tr, "th");
      th.setAttribute("scope", "row");
      var a = cell(th, "a", r[1]);
      a.href = "pledges/" + r[0] + ".html";
      if (r[7]) {
        th.appendChild(document.createTextNode(" "));
        cell(th, "strong", "contested").className = "badge contested";
      }
      cell(tr, "td", meta.statuses[r[2]]);
      cell(tr, "td", names(r[3], meta.categories));
      cell(tr, "td", r[4].length ? names(r[4], meta.conditions) : "none");
      cell(tr, "td", r[5].map(function (i) { return meta.actors[i][1]; }).join(", "));
      cell(tr, "td", String(r[6]));
    });
    table.textContent = "";
    if (matches.length) table.appendChild(t);
    results.hidden = false;
    statusLine.textContent = matches.length === 0
      ? "No pledge matches these filters."
      : matches.length + " of " + meta.total + " pledges match; showing " + (from + 1) + "–" + to +
        (pages > 1 ? " (page " + (page + 1) + " of " + pages + ")." : ".");
    heading.textContent = "Matching pledges" + (pages > 1 ? ", page " + (page + 1) + " of " + pages : "");
    prev.disabled = page === 0;
    next.disabled = page >= pages - 1;
    if (focus) heading.focus();
  }

  // The filters as a query (`index.html?status=2&contested=1`), so a
  // filtered list can be linked to; read on load, written on apply.
  function fromQuery() {
    var any = false;
    if (!window.URLSearchParams) return false;
    var query = new URLSearchParams(window.location.search);
    ["category", "status", "condition", "credibility", "pledger"].forEach(function (name) {
      if (query.has(name)) { form.elements[name].value = query.get(name); any = true; }
    });
    if (query.get("contested") === "1") { form.elements.contested.checked = true; any = true; }
    return any;
  }

  function toQuery() {
    if (!window.URLSearchParams || !window.history || !window.history.replaceState) return;
    var query = new URLSearchParams();
    ["category", "status", "condition", "credibility", "pledger"].forEach(function (name) {
      if (value(name)) query.set(name, value(name));
    });
    if (form.elements.contested.checked) query.set("contested", "1");
    try {
      window.history.replaceState(null, "", "?" + query.toString());
    } catch (e) {
      // Some browsers refuse to change a file: URL; the filters still apply.
    }
  }

  form.hidden = false;
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    toQuery();
    loadAll(filter);
  });
  if (fromQuery()) loadAll(function () { filter(); });
  form.addEventListener("reset", function () {
    results.hidden = true;
    statusLine.textContent = "";
    // The cleared filters leave the address too, so a reload shows all.
    if (window.history && window.history.replaceState) {
      try {
        window.history.replaceState(null, "", window.location.pathname);
      } catch (e) {
        // As in toQuery: a file: URL may refuse; nothing else depends on it.
      }
    }
  });
  prev.addEventListener("click", function () { if (page > 0) { page -= 1; show(true); } });
  next.addEventListener("click", function () { page += 1; show(true); });
})();
