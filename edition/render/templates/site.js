/* edition: the few behaviours the static pages add when JavaScript runs.
   - apparatus entries open as pop-ups from their marks (click, Enter, Space; Escape closes)
   - the witness switch shows every apparatus entry as one witness reads it
   - hidden furniture is revealed when a link lands inside it
   - the corruptions list filters and sorts
   Without this file every page still reads: entries sit after their paragraph, the
   lemma shows, the table is complete. No network, no libraries. */
(function () {
  "use strict";
  var doc = document;
  var openMark = null;

  function entryOf(mark) {
    return doc.getElementById(mark.getAttribute("aria-controls"));
  }

  function place(mark, entry) {
    entry.style.left = entry.style.top = "";
    if (window.matchMedia("(max-width: 44rem)").matches) return; /* a bottom sheet (CSS) */
    var host = entry.offsetParent || doc.body;
    var box = host.getBoundingClientRect();
    var rects = mark.getClientRects();
    var r = rects.length ? rects[0] : mark.getBoundingClientRect();
    var left = Math.max(0, Math.min(r.left - box.left, host.clientWidth - entry.offsetWidth));
    entry.style.left = left + "px";
    entry.style.top = (r.bottom - box.top + 6) + "px";
  }

  function closeEntry(refocus) {
    if (!openMark) return;
    var mark = openMark, entry = entryOf(mark);
    openMark = null;
    mark.setAttribute("aria-expanded", "false");
    if (entry) entry.classList.remove("open");
    if (refocus) mark.focus();
  }

  function openEntry(mark) {
    var entry = entryOf(mark);
    if (!entry) return;
    closeEntry(false);
    entry.classList.add("open");
    mark.setAttribute("aria-expanded", "true");
    openMark = mark;
    place(mark, entry);
    entry.focus({ preventScroll: false });
  }

  function toggle(mark) {
    if (openMark === mark) closeEntry(true); else openEntry(mark);
  }

  doc.addEventListener("click", function (ev) {
    var t = ev.target;
    var mark = t.closest && t.closest(".mark");
    if (mark) { ev.preventDefault(); toggle(mark); return; }
    if (t.closest && t.closest(".entry-close")) { closeEntry(true); return; }
    if (openMark && !(t.closest && t.closest(".entry.open"))) closeEntry(false);
  });

  var FOCUSABLE = "a[href], button, input, select, [tabindex]:not([tabindex='-1'])";

  function focusAfter(mark) {
    /* the next focusable element after a mark, skipping its own (hidden) entry */
    var all = Array.prototype.filter.call(doc.querySelectorAll(FOCUSABLE), function (el) {
      return el.offsetParent !== null || el === mark;
    });
    var next = all[all.indexOf(mark) + 1];
    if (next) next.focus(); else mark.focus();
  }

  doc.addEventListener("keydown", function (ev) {
    if (ev.key === "Escape" && openMark) { ev.preventDefault(); closeEntry(true); return; }
    if (ev.key === "Tab" && openMark) {
      /* Tab past the end of an open entry goes on from its mark; Shift+Tab out of it, to the mark */
      var entry = entryOf(openMark), inside = entry.querySelectorAll(FOCUSABLE);
      var last = inside.length ? inside[inside.length - 1] : entry;
      if (!ev.shiftKey && ev.target === last) {
        ev.preventDefault(); var m = openMark; closeEntry(false); focusAfter(m); return;
      }
      if (ev.shiftKey && ev.target === entry) { ev.preventDefault(); closeEntry(true); return; }
    }
    var mark = ev.target.closest && ev.target.closest(".mark");
    if (mark && (ev.key === " " || ev.key === "Spacebar")) { ev.preventDefault(); toggle(mark); }
  });

  window.addEventListener("resize", function () {
    if (openMark) place(openMark, entryOf(openMark));
  });

  /* ---- the witness switch ---- */
  function hasWit(el, wit) {
    return (" " + (el.getAttribute("data-wit") || "") + " ").indexOf(" " + wit + " ") >= 0;
  }

  function showWitness(wit) {
    var changed = 0, hidden = 0;
    doc.querySelectorAll(".mark").forEach(function (mark) {
      var spans = mark.querySelectorAll(".rd"), pick = null;
      spans.forEach(function (s) { if (wit && !pick && hasWit(s, wit)) pick = s; });
      if (!pick) pick = mark.querySelector(".rd.lem");
      spans.forEach(function (s) { s.hidden = s !== pick; });
      var differs = !!wit && pick && !pick.classList.contains("lem");
      mark.classList.toggle("as-rdg", differs);
      if (differs) changed += 1;
    });
    doc.querySelectorAll("[data-lacks]").forEach(function (b) {
      var absent = !!wit && (" " + b.getAttribute("data-lacks") + " ").indexOf(" " + wit + " ") >= 0;
      b.classList.toggle("absent", absent);
      if (absent) hidden += 1;
    });
    doc.querySelectorAll(".absent-note").forEach(function (n) { n.hidden = n.getAttribute("data-wit") !== wit; });
    doc.body.setAttribute("data-reading-as", wit || "");
    var status = doc.getElementById("wit-status");
    if (status) {
      status.textContent = wit
        ? "Reading as witness " + wit + ": " + changed + " marked readings differ from the edited text" +
          (hidden ? "; " + hidden + " blocks it lacks are hidden." : ".")
        : "";
    }
  }

  var select = doc.getElementById("wit-switch");
  if (select) {
    select.closest(".wit-switch").hidden = false;
    select.addEventListener("change", function () { closeEntry(false); showWitness(select.value); });
    var wanted = new URLSearchParams(window.location.search).get("wit");
    if (wanted && Array.prototype.some.call(select.options, function (o) { return o.value === wanted; })) {
      select.value = wanted;
    }
    if (select.value) showWitness(select.value);
  }

  /* ---- furniture: a link into hidden furniture reveals it ---- */
  function revealTarget() {
    var id = decodeURIComponent(window.location.hash.slice(1));
    var target = id && doc.getElementById(id);
    var toggleBox = doc.getElementById("show-furn");
    if (target && toggleBox && target.closest(".furn") && !toggleBox.checked) {
      toggleBox.checked = true;
      doc.body.classList.add("show-furn");
      target.scrollIntoView();
    }
    if (target && target.classList.contains("absent") && select) {
      select.value = ""; showWitness("");
    }
  }
  var furnBox = doc.getElementById("show-furn");
  if (furnBox) {
    var syncFurn = function () { doc.body.classList.toggle("show-furn", furnBox.checked); };
    furnBox.addEventListener("change", syncFurn);
    syncFurn();
  }
  window.addEventListener("hashchange", revealTarget);
  revealTarget();

  /* ---- the corruptions list: filters and sorting ---- */
  var table = doc.getElementById("flags-table");
  var form = doc.getElementById("flag-filters");
  if (table && form) {
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var count = doc.getElementById("flag-count");
    var selects = form.querySelectorAll("select[data-filter]");
    form.hidden = false;

    var applyFilters = function () {
      var shown = 0;
      rows.forEach(function (row) {
        var ok = true;
        selects.forEach(function (sel) {
          var key = sel.getAttribute("data-filter"), v = sel.value;
          if (!v) return;
          if (key === "confidence") ok = ok && parseFloat(row.getAttribute("data-confidence")) >= parseFloat(v);
          else ok = ok && row.getAttribute("data-" + key) === v;
        });
        row.hidden = !ok;
        if (ok) shown += 1;
      });
      count.textContent = shown === rows.length ? rows.length + " flags." : shown + " of " + rows.length + " flags shown.";
    };
    selects.forEach(function (sel) { sel.addEventListener("change", applyFilters); });
    form.addEventListener("reset", function () { window.setTimeout(applyFilters, 0); });
    form.addEventListener("submit", function (ev) { ev.preventDefault(); });
    var params = new URLSearchParams(window.location.search);
    selects.forEach(function (sel) {
      var v = params.get(sel.getAttribute("data-filter"));
      if (v && Array.prototype.some.call(sel.options, function (o) { return o.value === v; })) sel.value = v;
    });
    applyFilters();

    var cellValue = function (row, index, numeric) {
      var text = row.cells[index].textContent.trim();
      return numeric ? parseFloat(text) || 0 : text.toLowerCase();
    };
    table.querySelectorAll("thead th[data-key]").forEach(function (th) {
      var button = doc.createElement("button");
      button.type = "button";
      button.className = "sort";
      while (th.firstChild) button.appendChild(th.firstChild);
      th.appendChild(button);
      th.setAttribute("aria-sort", "none");
      button.addEventListener("click", function () {
        var index = th.cellIndex, numeric = th.getAttribute("data-type") === "number";
        var dir = th.getAttribute("aria-sort") === "ascending" ? -1 : 1;
        table.querySelectorAll("thead th[data-key]").forEach(function (o) { o.setAttribute("aria-sort", "none"); });
        th.setAttribute("aria-sort", dir === 1 ? "ascending" : "descending");
        rows.sort(function (a, b) {
          var x = cellValue(a, index, numeric), y = cellValue(b, index, numeric);
          if (x < y) return -dir;
          if (x > y) return dir;
          return a.id < b.id ? -1 : 1;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  }
})();
