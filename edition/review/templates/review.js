/* edition review: the queue, the card, the keys. Data only ever reaches the page through
   textContent and element attributes set from constants, never as markup. */
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  const meta = (name) => document.querySelector(`meta[name="${name}"]`).content;
  const TOKEN = meta("csrf-token");
  const S = { flags: [], index: 0, undo: [], progress: null };

  function el(tag, text, cls) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }
  function link(href, text) {
    const a = el("a", text);
    if (typeof href === "string" && href.startsWith("/edition/")) a.href = href;
    a.target = "_blank";
    a.rel = "noopener";
    return a;
  }
  function say(text, bad) {
    const m = $("message");
    m.textContent = text;
    m.classList.toggle("bad", !!bad);
  }
  function reviewer() { return $("reviewer").value.trim(); }

  async function api(method, url, body) {
    const opts = { method, headers: { Accept: "application/json" } };
    if (body !== undefined) {
      opts.headers["Content-Type"] = "application/json";
      opts.headers["X-CSRF-Token"] = TOKEN;
      opts.body = JSON.stringify(body);
    }
    const res = await fetch(url, opts);
    let data = null;
    try { data = await res.json(); } catch (e) { data = { error: res.statusText }; }
    if (!res.ok) throw new Error((data && data.error) || `HTTP ${res.status}`);
    return data;
  }

  function query() {
    const q = new URLSearchParams();
    for (const key of ["status", "cause", "witness"]) {
      const v = $(`f-${key}`).value;
      if (v) q.set(key, v);
    }
    return q.toString();
  }

  async function load(keepId) {
    const data = await api("GET", `/api/flags?${query()}`);
    S.flags = data.flags;
    S.progress = data.progress;
    const at = keepId ? S.flags.findIndex((f) => f.id === keepId) : -1;
    S.index = at >= 0 ? at : Math.min(S.index, Math.max(S.flags.length - 1, 0));
    render();
  }

  async function facets() {
    const data = await api("GET", "/api/flags");
    const causes = [...new Set(data.flags.map((f) => f.cause))].sort();
    const wits = [...new Set(data.flags.map((f) => f.witness))].sort();
    for (const [ids, values] of [[["f-cause", "b-cause"], causes], [["f-witness", "b-witness"], wits]]) {
      for (const id of ids) for (const v of values) {
        const o = el("option", v);
        o.value = v;
        $(id).append(o);
      }
    }
  }

  function renderProgress() {
    const p = S.progress;
    if (!p) return;
    $("progress-bar").max = p.total || 1;
    $("progress-bar").value = p.decided;
    $("progress-text").textContent =
      `${p.decided} / ${p.total} decided (${p.accepted} accepted, ${p.rejected} rejected, ` +
      `${p.emended} emended) · ${p.open} open`;
  }

  function renderQueue() {
    const q = $("queue");
    q.replaceChildren();
    S.flags.forEach((f, i) => {
      const li = el("li", null, `item c-${f.cause}`);
      li.dataset.id = f.id;
      li.append(el("span", f.cause, "cause"), el("span", Number(f.confidence).toFixed(2), "conf"),
        el("span", `${f.witness}:${f.line}`, "sig"), el("span", f.reading, "rdg"));
      if (f.review !== "open") li.append(el("span", f.review, `st st-${f.review}`));
      if (i === S.index) li.setAttribute("aria-current", "true");
      li.addEventListener("click", () => { S.index = i; render(); });
      q.append(li);
    });
    const cur = q.querySelector('[aria-current="true"]');
    if (cur) cur.scrollIntoView({ block: "nearest" });
  }

  function contextNode(f) {
    const span = el("span", null, "ctx");
    const ctx = String(f.context || "");
    const marked = `[${f.reading}]`;
    const at = ctx.indexOf(marked);
    if (at < 0) { span.append(el("mark", f.reading)); if (ctx) span.append(" — ", ctx); return span; }
    span.append(ctx.slice(0, at), el("mark", f.reading), ctx.slice(at + marked.length));
    return span;
  }

  function renderCard() {
    const f = S.flags[S.index];
    $("empty").hidden = !!f;
    $("flag").hidden = !f;
    hideEmend();
    if (!f) return;
    $("c-pos").textContent = `${S.index + 1} of ${S.flags.length}`;
    $("c-id").textContent = f.id;
    $("c-cause").textContent = f.cause;
    $("c-cause").className = `swatch c-${f.cause}`;
    $("c-witness").textContent = f.witness;
    $("c-line").textContent = f.line;
    $("c-conf").textContent = Number(f.confidence).toFixed(2);
    $("c-type").textContent = f.type || "";
    const rows = $("c-witnesses");
    rows.replaceChildren();
    const links = f.links || {};
    const own = el("tr", null, "own");
    const views = el("td");
    if (links.witness) views.append(link(links.witness, "line"));
    if (links.work) views.append(" · ", link(links.work, "synopsis"));
    own.append(el("th", f.witness), el("td"), views);
    own.children[1].append(contextNode(f));
    rows.append(own);
    for (const a of f.against || []) {
      const tr = el("tr");
      const v = el("td");
      const href = links.against && links.against[a.witness];
      if (href) v.append(link(href, "witness"));
      tr.append(el("th", a.witness), el("td", a.reading === "" ? "(omits)" : a.reading, "rdg"), v);
      rows.append(tr);
    }
    if (!(f.against || []).length) {
      const tr = el("tr", null, "none");
      const td = el("td", "no other witness has this passage's reading recorded");
      td.colSpan = 3;
      tr.append(td);
      rows.append(tr);
    }
    $("c-suggestion").textContent = f.suggestion === "" ? "(none: delete or judge)" : f.suggestion;
    $("c-evidence").textContent = f.evidence || "";
    const d = f.decision;
    $("c-status").textContent = d
      ? `${d.status}${d.status === "emended" ? ` to “${d.emendation}”` : ""} by ${d.reviewer}, ${d.created}` +
        (d.note ? ` — ${d.note}` : "")
      : "open";
    $("c-status").className = `st st-${f.review}`;
    loadHistory(f.id);
  }

  async function loadHistory(id) {
    try {
      const data = await api("GET", `/api/flags/${encodeURIComponent(id)}`);
      if (S.flags[S.index] && S.flags[S.index].id !== id) return;
      $("c-history-count").textContent = data.history.length;
      $("c-history").replaceChildren(...data.history.map((d) => el("li",
        `#${d.id} ${d.status}${d.emendation ? ` “${d.emendation}”` : ""} by ${d.reviewer}, ` +
        `${d.created}${d.note ? ` — ${d.note}` : ""}`)));
    } catch (e) { /* the card still works without its history */ }
  }

  function render() { renderProgress(); renderQueue(); renderCard(); }

  function move(step) {
    if (!S.flags.length) return;
    S.index = Math.max(0, Math.min(S.flags.length - 1, S.index + step));
    render();
  }

  async function decide(status, emendation) {
    const f = S.flags[S.index];
    if (!f) return;
    if (!reviewer()) { say("Give your name as reviewer first.", true); $("reviewer").focus(); return; }
    const body = { status, reviewer: reviewer() };
    const note = $("note").value.trim();
    if (note) body.note = note;
    if (status === "emended") body.emendation = emendation;
    const next = S.flags[S.index + 1];
    try {
      const d = await api("POST", `/api/flags/${encodeURIComponent(f.id)}/decision`, body);
      S.undo.push(f.id);
      $("note").value = "";
      say(`${f.id}: ${d.status}${d.emendation ? ` to “${d.emendation}”` : ""} by ${d.reviewer} (decision #${d.id})`);
      await load(next ? next.id : null);
    } catch (e) { say(`Not recorded: ${e.message}`, true); }
  }

  async function undo() {
    const id = S.undo.length ? S.undo[S.undo.length - 1] : (S.flags[S.index] || {}).id;
    if (!id) { say("Nothing to undo.", true); return; }
    try {
      const d = await api("POST", `/api/flags/${encodeURIComponent(id)}/undo`, { reviewer: reviewer() });
      if (S.undo.length) S.undo.pop();
      say(`${id}: undone — ${d.status} again (decision #${d.id}; history kept)`);
      await load((S.flags[S.index] || {}).id);
    } catch (e) { say(`Cannot undo ${id}: ${e.message}`, true); }
  }

  function showEmend() {
    const f = S.flags[S.index];
    if (!f) return;
    $("emend-row").hidden = false;
    $("emendation").value = f.suggestion || f.reading || "";
    $("emendation").focus();
    $("emendation").select();
  }
  function hideEmend() { $("emend-row").hidden = true; }

  function onKey(ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    const t = ev.target;
    if (t === $("emendation")) {
      if (ev.key === "Enter") {
        ev.preventDefault();
        const text = $("emendation").value.trim();
        if (!text) { say("An emendation needs text.", true); return; }
        hideEmend();
        decide("emended", text);
      } else if (ev.key === "Escape") { hideEmend(); t.blur(); }
      return;
    }
    if (t && (t.tagName === "INPUT" || t.tagName === "SELECT" || t.tagName === "TEXTAREA")) {
      if (ev.key === "Escape" || (ev.key === "Enter" && t.id === "note")) { ev.preventDefault(); t.blur(); }
      return;
    }
    if ($("bulk").open) return;
    const acts = { a: () => decide("accepted"), r: () => decide("rejected"), e: showEmend,
      n: () => move(1), j: () => move(1), p: () => move(-1), k: () => move(-1), u: undo,
      "/": () => $("note").focus() };
    if (acts[ev.key]) { ev.preventDefault(); acts[ev.key](); }
  }

  function bulkBody() {
    const filter = { status: "open" };
    if ($("b-cause").value) filter.cause = $("b-cause").value;
    if ($("b-witness").value) filter.witness = $("b-witness").value;
    const body = { filter, status: $("b-status").value, reviewer: reviewer() };
    if ($("b-note").value.trim()) body.note = $("b-note").value.trim();
    return body;
  }
  async function bulkPreview() {
    $("b-confirm").disabled = true;
    try {
      const data = await api("POST", "/api/bulk?preview=1", bulkBody());
      $("b-count").textContent = `${data.count} open flag(s) would be ${data.status}.`;
      $("b-list").replaceChildren(...data.flags.map((f) =>
        el("li", `${f.id} · ${f.witness}:${f.line} · ${f.cause} · “${f.reading}” → “${f.suggestion}”`)));
      $("b-confirm").disabled = data.count === 0;
    } catch (e) { $("b-count").textContent = `Cannot preview: ${e.message}`; }
  }
  async function bulkConfirm() {
    $("b-confirm").disabled = true;
    try {
      const data = await api("POST", "/api/bulk", bulkBody());
      $("bulk").close();
      say(`Bulk: ${data.count} flag(s) ${data.status} by ${reviewer()}.`);
      await load();
    } catch (e) { $("b-count").textContent = `Not recorded: ${e.message}`; }
  }

  function bind() {
    const saved = localStorage.getItem("edition-reviewer");
    $("reviewer").value = saved || meta("reviewer");
    $("reviewer").addEventListener("change", () => localStorage.setItem("edition-reviewer", reviewer()));
    if (!meta("edition")) $("edition-link").hidden = true;
    for (const id of ["f-status", "f-cause", "f-witness"]) {
      $(id).addEventListener("change", () => { S.index = 0; load().catch((e) => say(e.message, true)); });
    }
    $("decide").addEventListener("submit", (ev) => ev.preventDefault());
    document.querySelectorAll("#decide [data-act]").forEach((b) => b.addEventListener("click", () => {
      const act = b.dataset.act;
      if (act === "accepted" || act === "rejected") decide(act);
      else if (act === "emend") showEmend();
      else if (act === "next") move(1);
      else if (act === "prev") move(-1);
      else if (act === "undo") undo();
    }));
    $("bulk-open").addEventListener("click", () => {
      $("b-count").textContent = ""; $("b-list").replaceChildren(); $("b-confirm").disabled = true;
      $("bulk").showModal();
    });
    for (const id of ["b-cause", "b-witness", "b-status"]) {
      $(id).addEventListener("change", () => { $("b-confirm").disabled = true; });
    }
    $("b-preview").addEventListener("click", bulkPreview);
    $("b-confirm").addEventListener("click", bulkConfirm);
    $("b-cancel").addEventListener("click", () => $("bulk").close());
    document.addEventListener("keydown", onKey);
  }

  document.addEventListener("DOMContentLoaded", async () => {
    bind();
    try { await facets(); await load(); document.body.dataset.ready = "1"; }
    catch (e) { say(`Cannot load the flags: ${e.message}`, true); }
  });
})();
