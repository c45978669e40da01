// @ts-check
// The netapprox web view: draws the network once from /api/view (positions computed by
// the controller), then applies each status the controller sends over /events
// (server-sent events): link colours and labels, switch states with their reasons, the
// jobs and links tables, and the details of what is selected. Plain DOM and SVG, no
// dependencies.

/**
 * @typedef {{ name: string, kind: "switch" | "host", x: number, y: number, level: number }} ViewNode
 * @typedef {{ a: string, b: string, capacity: number, ab: string, ba: string, hostLink: boolean }} ViewLink
 * @typedef {{ name: string | null, width: number, height: number, nodes: ViewNode[], links: ViewLink[] }} ViewLayout
 * @typedef {{ green: number, yellow: number, red: number }} Colours
 * @typedef {{ name: string, from: string, fromPort: number | null, to: string, toPort: number | null,
 *   capacity: number, exactLoad: number, guaranteed: number | null, allocated: number | null,
 *   measuredBps: number | null, measuredExactBps?: number | null, measuredApproxBps?: number | null,
 *   utilisation: number | null, dropsPps: Record<string, number> }} LinkStatus
 * @typedef {{ switch: string, port: number, peer: string, txBps: Record<string, number>,
 *   dropsPps: Record<string, number>, dropsTotal: Record<string, number>,
 *   queueDepth: Record<string, number> | null }} PortStatus
 * @typedef {{ name: string, address: string, deviceId?: number, target: string, state: string,
 *   stateSince?: string, role: string, reason?: string | null, entities: number | null,
 *   updatesWritten: number, updatesFailed: number, lastError: string | null }} SwitchStatus
 * @typedef {{ host: string, share: number, guaranteed: number | null, allocated: number | null }} SenderStatus
 * @typedef {{ id: number, name: string, weight?: number, guaranteedBps: number | null,
 *   allocatedBps: number | null, bottleneck: string | null, measuredBps?: Colours | null,
 *   measuredPps: Colours | null, senders?: SenderStatus[], volume?: number, fraction?: number,
 *   progress?: number | null }} JobStatus
 * @typedef {{ version?: string, startedAt: string, electionId: string, role: string,
 *   policyFile: string, allocator: string, lastPolicyError: string | null,
 *   switches: SwitchStatus[], jobs: JobStatus[], links: LinkStatus[], ports?: PortStatus[] }} Status
 */

const SVG = "http://www.w3.org/2000/svg";

/** @param {string} id */
function byId(id) {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`no #${id} in the page`);
  return el;
}

/**
 * @param {string} tag
 * @param {Record<string, string | number>} attrs
 * @param {Element} [parent]
 */
function svg(tag, attrs, parent) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (parent) parent.appendChild(el);
  return el;
}

/** @param {string} text */
function escapeHtml(text) {
  return text.replace(
    /[&<>"]/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c] ?? c,
  );
}

/** "1.23 Gbit/s", "450 Mbit/s", "-" for nothing. @param {number | null | undefined} bps */
export function rate(bps) {
  if (bps === null || bps === undefined || !Number.isFinite(bps)) return "-";
  if (bps === 0) return "0";
  const units = [
    [1e9, "G"],
    [1e6, "M"],
    [1e3, "k"],
  ];
  for (const [scale, prefix] of units)
    if (Math.abs(bps) >= /** @type {number} */ (scale))
      return `${Number((bps / /** @type {number} */ (scale)).toPrecision(3))} ${prefix}bit/s`;
  return `${Number(bps.toPrecision(3))} bit/s`;
}

/** Short form for labels: "3.2M". @param {number | null | undefined} bps */
function shortRate(bps) {
  const r = rate(bps);
  return r.replace(/ ?bit\/s$/, "").replace(" ", "");
}

/** @param {number | null | undefined} u */
function utilColour(u) {
  if (u === null || u === undefined) return "#bbbbbb";
  if (u < 0.5) return "#1a9850";
  if (u < 0.8) return "#fdae61";
  return "#d73027";
}

/** The state class of a switch: ready primary, backup, on its way, or in trouble. @param {SwitchStatus} s */
function stateClass(s) {
  if (s.state === "ready") {
    if (s.role !== "primary") return "st-backup";
    return s.lastError ? "st-busy" : "st-ready";
  }
  if (["down", "unresponsive", "stopped"].includes(s.state)) return "st-bad";
  if (s.state === "connecting" && (s.reason ?? "").startsWith("reconnecting")) return "st-bad";
  return "st-busy";
}

/** @param {number} ms */
function age(ms) {
  const s = Math.max(0, Math.round(ms / 1000));
  return s < 90 ? `${s} s` : s < 5400 ? `${Math.round(s / 60)} min` : `${Math.round(s / 3600)} h`;
}

// ------------------------------------------------------------------- state

/** @type {ViewLayout} */
let layout = { name: null, width: 0, height: 0, nodes: [], links: [] };
/** @type {Status | null} */
let status = null;
/** @type {{ kind: "switch" | "link", name: string } | null} */
let selected = null;
const expandedJobs = new Set();
/** @type {Map<string, { line: SVGElement, label: SVGElement }>} */
const linkEls = new Map();
/** @type {Map<string, SVGElement>} */
const switchEls = new Map();
let viewBox = { x: 0, y: 0, w: 1, h: 1 };

const graph = /** @type {SVGSVGElement} */ (/** @type {unknown} */ (byId("graph")));
const showHosts = /** @type {HTMLInputElement} */ (byId("show-hosts"));
const showLabels = /** @type {HTMLInputElement} */ (byId("show-labels"));

// ------------------------------------------------------------------- drawing

function setViewBox() {
  graph.setAttribute("viewBox", `${viewBox.x} ${viewBox.y} ${viewBox.w} ${viewBox.h}`);
}

function fit() {
  const hosts = showHosts.checked;
  const nodes = layout.nodes.filter((n) => hosts || n.kind === "switch");
  const xs = nodes.map((n) => n.x);
  const ys = nodes.map((n) => n.y);
  const pad = 50;
  const x0 = Math.min(...xs) - pad;
  const y0 = Math.min(...ys) - pad;
  viewBox = { x: x0, y: y0, w: Math.max(...xs) + pad - x0, h: Math.max(...ys) + pad + 20 - y0 };
  setViewBox();
}

function draw() {
  graph.replaceChildren();
  linkEls.clear();
  switchEls.clear();
  const at = new Map(layout.nodes.map((n) => [n.name, n]));
  const links = svg("g", { class: "links" }, graph);
  const labels = svg("g", { class: "labels" }, graph);
  const nodes = svg("g", { class: "nodes" }, graph);
  const switchCount = layout.nodes.filter((n) => n.kind === "switch").length;
  const hostCount = layout.nodes.length - switchCount;
  for (const l of layout.links) {
    const a = at.get(l.a);
    const b = at.get(l.b);
    if (!a || !b) continue;
    const g = svg("g", { class: l.hostLink ? "host-link" : "fabric-link" }, links);
    const line = svg(
      "line",
      { class: "link", x1: a.x, y1: a.y, x2: b.x, y2: b.y, stroke: "#bbbbbb", "data-link": l.ab },
      g,
    );
    svg("title", {}, line);
    line.addEventListener("click", () => select({ kind: "link", name: l.ab }));
    const label = svg("text", { class: "link-label", "text-anchor": "middle" }, labels);
    linkEls.set(l.ab, { line, label });
  }
  for (const n of layout.nodes) {
    if (n.kind === "host") {
      const r = hostCount > 64 ? 3 : 5;
      const c = svg("circle", { class: "host", cx: n.x, cy: n.y, r, "data-host": n.name }, nodes);
      svg("title", {}, c).textContent = n.name;
      if (hostCount <= 48)
        svg(
          "text",
          { class: "host-label", x: n.x, y: n.y + 16, "text-anchor": "middle" },
          nodes,
        ).textContent = n.name;
      continue;
    }
    const w = switchCount > 24 ? 52 : 76;
    const g = svg("g", { class: "switch", "data-switch": n.name, "data-state": "unknown" }, nodes);
    svg("rect", { x: n.x - w / 2, y: n.y - 13, width: w, height: 26, rx: 5, class: "st-busy" }, g);
    svg("text", { x: n.x, y: n.y + 4, "text-anchor": "middle" }, g).textContent = n.name;
    svg("text", { class: "reason", x: n.x, y: n.y + 26, "text-anchor": "middle" }, g);
    svg("title", {}, g).textContent = n.name;
    g.addEventListener("click", () => select({ kind: "switch", name: n.name }));
    switchEls.set(n.name, g);
  }
  applyToggles();
  fit();
}

function applyToggles() {
  graph.querySelectorAll(".host, .host-label, .host-link").forEach((el) => {
    /** @type {SVGElement} */ (el).style.display = showHosts.checked ? "" : "none";
  });
  graph.querySelectorAll(".link-label").forEach((el) => {
    /** @type {SVGElement} */ (el).style.display = showLabels.checked ? "" : "none";
  });
}

/**
 * Puts each link's label on its line where it overlaps no switch and no other label
 * (busiest links first, trying points along the line from the middle outwards); a label
 * with no free place is hidden (the link's tooltip and the links table still say it all).
 */
function placeLabels() {
  const at = new Map(layout.nodes.map((n) => [n.name, n]));
  /** @type {{ x0: number, y0: number, x1: number, y1: number }[]} */
  const taken = layout.nodes
    .filter((n) => n.kind === "switch" || showHosts.checked)
    .map((n) =>
      n.kind === "switch"
        ? { x0: n.x - 40, y0: n.y - 16, x1: n.x + 40, y1: n.y + 30 }
        : { x0: n.x - 6, y0: n.y - 6, x1: n.x + 6, y1: n.y + 18 },
    );
  const overlaps = (/** @type {{ x0: number, y0: number, x1: number, y1: number }} */ r) =>
    taken.some((t) => r.x0 < t.x1 && t.x0 < r.x1 && r.y0 < t.y1 && t.y0 < r.y1);
  const order = [...layout.links].sort(
    (p, q) =>
      Number(linkEls.get(q.ab)?.line.getAttribute("data-utilisation") || -1) -
      Number(linkEls.get(p.ab)?.line.getAttribute("data-utilisation") || -1),
  );
  for (const l of order) {
    const els = linkEls.get(l.ab);
    const a = at.get(l.a);
    const b = at.get(l.b);
    if (!els || !a || !b) continue;
    const chars = Math.max(
      ...[...els.label.childNodes].map((t) => (t.textContent ?? "").length),
      0,
    );
    const w = chars * 5.8 + 4;
    const h = 26;
    let placed = false;
    if (chars > 0 && (showHosts.checked || !l.hostLink))
      for (const t of [0.5, 0.38, 0.62, 0.27, 0.73, 0.18, 0.82]) {
        const x = a.x + (b.x - a.x) * t;
        const y = a.y + (b.y - a.y) * t;
        const box = { x0: x - w / 2, y0: y - h / 2, x1: x + w / 2, y1: y + h / 2 };
        if (overlaps(box)) continue;
        taken.push(box);
        els.label.setAttribute("x", x.toFixed(1));
        els.label.setAttribute("y", (y - 2).toFixed(1));
        els.label.querySelectorAll("tspan").forEach((span) => span.setAttribute("x", x.toFixed(1)));
        placed = true;
        break;
      }
    els.label.setAttribute("visibility", placed ? "visible" : "hidden");
  }
}

// Zoom with the wheel, pan by dragging.
graph.addEventListener(
  "wheel",
  (e) => {
    e.preventDefault();
    const box = graph.getBoundingClientRect();
    const fx = (e.clientX - box.left) / box.width;
    const fy = (e.clientY - box.top) / box.height;
    const k = e.deltaY > 0 ? 1.15 : 1 / 1.15;
    const w = viewBox.w * k;
    const h = viewBox.h * k;
    viewBox = { x: viewBox.x + (viewBox.w - w) * fx, y: viewBox.y + (viewBox.h - h) * fy, w, h };
    setViewBox();
  },
  { passive: false },
);
/** @type {{ x: number, y: number, vx: number, vy: number } | null} */
let drag = null;
graph.addEventListener("mousedown", (e) => {
  drag = { x: e.clientX, y: e.clientY, vx: viewBox.x, vy: viewBox.y };
});
window.addEventListener("mouseup", () => (drag = null));
window.addEventListener("mousemove", (e) => {
  if (drag === null) return;
  const box = graph.getBoundingClientRect();
  const scale = Math.max(viewBox.w / box.width, viewBox.h / box.height);
  viewBox.x = drag.vx - (e.clientX - drag.x) * scale;
  viewBox.y = drag.vy - (e.clientY - drag.y) * scale;
  setViewBox();
});

// ------------------------------------------------------------------- updates

/** @param {{ kind: "switch" | "link", name: string } | null} what */
function select(what) {
  selected = what;
  for (const [name, g] of switchEls)
    g.classList.toggle("selected", what?.kind === "switch" && what.name === name);
  for (const [name, { line }] of linkEls)
    line.classList.toggle("selected", what?.kind === "link" && what.name === name);
  renderDetail();
}

/** @param {Status} s */
function apply(s) {
  status = s;
  const started = new Date(s.startedAt).getTime();
  byId("meta").textContent =
    `${s.version ? `v${s.version} · ` : ""}allocator ${s.allocator} · policy ${s.policyFile} · ` +
    `election id ${s.electionId}${s.role ? ` (role ${s.role})` : ""} · up ${age(Date.now() - started)}`;
  const banner = byId("policy-error");
  banner.hidden = !s.lastPolicyError;
  banner.textContent = s.lastPolicyError
    ? `Last policy edit REJECTED, the previous policy stays in force: ${s.lastPolicyError}`
    : "";

  const byName = new Map(s.links.map((l) => [l.name, l]));
  for (const l of layout.links) {
    const els = linkEls.get(l.ab);
    if (!els) continue;
    const there = byName.get(l.ab);
    const back = byName.get(l.ba);
    const utils = [there?.utilisation, back?.utilisation].filter(
      (u) => u !== null && u !== undefined,
    );
    const u = utils.length === 0 ? null : Math.max(.../** @type {number[]} */ (utils));
    els.line.setAttribute("stroke", utilColour(u));
    els.line.setAttribute("stroke-width", String((l.hostLink ? 1 : 2) + 5 * Math.min(1, u ?? 0)));
    els.line.setAttribute("data-utilisation", u === null ? "" : u.toFixed(3));
    const describe = (/** @type {LinkStatus | undefined} */ d) =>
      d
        ? `${d.name}: exact ${rate(d.exactLoad)} allocated / ${rate(d.measuredExactBps)} measured; ` +
          `approximate ${rate(d.allocated)} / ${rate(d.measuredApproxBps)}; ` +
          `utilisation ${d.utilisation === null ? "-" : `${(100 * d.utilisation).toFixed(1)}%`} of ${rate(d.capacity)}`
        : "";
    const title = els.line.querySelector("title");
    if (title) title.textContent = [describe(there), describe(back)].filter(Boolean).join("\n");
    // The label of the busier direction.
    const d =
      (there?.utilisation ?? -1) >= (back?.utilisation ?? -1) ? (there ?? back) : (back ?? there);
    els.label.replaceChildren();
    if (d) {
      svg("tspan", { dy: "-0.2em" }, els.label).textContent =
        `E ${shortRate(d.exactLoad)} / ${shortRate(d.measuredExactBps)}`;
      svg("tspan", { dy: "1.15em" }, els.label).textContent =
        `A ${shortRate(d.allocated)} / ${shortRate(d.measuredApproxBps)}`;
    }
  }
  placeLabels();

  for (const sw of s.switches) {
    const g = switchEls.get(sw.name);
    if (!g) continue;
    const cls = stateClass(sw);
    g.setAttribute("data-state", sw.state);
    g.querySelector("rect")?.setAttribute("class", cls);
    const reason = g.querySelector(".reason");
    const text = sw.reason ?? (sw.state === "ready" ? "" : sw.state);
    if (reason) reason.textContent = text.length > 48 ? `${text.slice(0, 46)}…` : text;
    const title = g.querySelector("title");
    if (title)
      title.textContent = `${sw.name} (${sw.address}${sw.deviceId ? `, device ${sw.deviceId}` : ""}): ${sw.state}, ${sw.role}${text ? `\n${text}` : ""}`;
  }
  renderSwitches(s);
  renderJobs(s);
  renderLinks(s);
  renderDetail();
}

/** @param {Status} s */
function renderSwitches(s) {
  const rows = s.switches.map((sw) => {
    const since = sw.stateSince
      ? ` for ${age(Date.now() - new Date(sw.stateSince).getTime())}`
      : "";
    return `<tr data-switch-row="${escapeHtml(sw.name)}" data-state="${escapeHtml(sw.state)}">
      <td>${escapeHtml(sw.name)}</td>
      <td class="${stateClass(sw)}">${escapeHtml(sw.state)}${sw.state === "ready" ? "" : escapeHtml(since)}</td>
      <td>${escapeHtml(sw.role)}</td>
      <td class="num">${sw.entities ?? "-"}</td>
      <td class="reason-cell">${escapeHtml(sw.reason ?? "")}</td></tr>`;
  });
  byId("switches").innerHTML =
    `<tr><th>switch</th><th>state</th><th>role</th><th class="num">entities</th><th>why not ready</th></tr>` +
    rows.join("");
}

/** @param {Status} s */
function renderJobs(s) {
  const head = `<tr><th></th><th>job</th><th class="num">weight</th><th class="num">guaranteed</th>
    <th class="num">allocated</th><th class="num green">GREEN</th><th class="num yellow">YELLOW</th>
    <th class="num red">RED</th><th>progress</th><th>bottleneck</th></tr>`;
  const rows = s.jobs.map((j) => {
    const m = j.measuredBps;
    const open = expandedJobs.has(j.id);
    const senders = j.senders ?? [];
    const progress =
      j.progress === null || j.progress === undefined
        ? `<span class="muted">not known</span>`
        : `<span class="bar"><span style="width:${(100 * j.progress).toFixed(0)}%"></span></span>${(100 * j.progress).toFixed(0)}%`;
    let html = `<tr data-job="${escapeHtml(j.name)}">
      <td>${senders.length > 1 ? `<button class="expand" data-expand="${j.id}" title="per-sender allocation">${open ? "▾" : "▸"}</button>` : ""}</td>
      <td>${escapeHtml(j.name)} <span class="muted">#${j.id}</span></td>
      <td class="num">${j.weight ?? "-"}</td>
      <td class="num" data-field="guaranteed">${rate(j.guaranteedBps)}</td>
      <td class="num" data-field="allocated">${rate(j.allocatedBps)}</td>
      <td class="num">${rate(m?.green)}</td><td class="num">${rate(m?.yellow)}</td><td class="num">${rate(m?.red)}</td>
      <td>${progress}</td><td>${escapeHtml(j.bottleneck ?? "-")}</td></tr>`;
    if (open)
      html += senders
        .map(
          (p) => `<tr class="senders"><td></td><td>sender ${escapeHtml(p.host)}</td>
        <td class="num">${(100 * p.share).toFixed(0)}%</td><td class="num">${rate(p.guaranteed)}</td>
        <td class="num">${rate(p.allocated)}</td><td colspan="5"></td></tr>`,
        )
        .join("");
    return html;
  });
  byId("jobs").innerHTML =
    head + (rows.join("") || `<tr><td colspan="10" class="muted">no jobs in the policy</td></tr>`);
}

byId("jobs").addEventListener("click", (e) => {
  const button = /** @type {HTMLElement} */ (e.target).closest("[data-expand]");
  if (!button) return;
  const id = Number(button.getAttribute("data-expand"));
  if (expandedJobs.has(id)) expandedJobs.delete(id);
  else expandedJobs.add(id);
  if (status) renderJobs(status);
});

const LINK_ROWS = 60;

/** @param {Status} s */
function renderLinks(s) {
  const filter = /** @type {HTMLInputElement} */ (byId("link-filter")).value.trim().toLowerCase();
  const hosts = showHosts.checked;
  const links = s.links
    .filter((l) => (filter ? l.name.toLowerCase().includes(filter) : true))
    .filter((l) => hosts || filter || (l.fromPort !== null && l.toPort !== null))
    .sort((a, b) => (b.utilisation ?? -1) - (a.utilisation ?? -1) || (a.name < b.name ? -1 : 1));
  const rows = links.slice(0, LINK_ROWS).map(
    (l) => `<tr data-link-row="${escapeHtml(l.name)}"><td>${escapeHtml(l.name)}</td>
      <td class="num">${rate(l.capacity)}</td>
      <td class="num">${rate(l.exactLoad)}</td><td class="num">${rate(l.measuredExactBps)}</td>
      <td class="num">${rate(l.allocated)}</td><td class="num">${rate(l.measuredApproxBps)}</td>
      <td class="num">${l.utilisation === null ? "-" : `${(100 * l.utilisation).toFixed(1)}%`}</td>
      <td>${escapeHtml(
        Object.entries(l.dropsPps)
          .map(([r, v]) => `${r} ${v.toFixed(1)}/s`)
          .join(", "),
      )}</td></tr>`,
  );
  byId("links").innerHTML =
    `<tr><th>link</th><th class="num">capacity</th><th class="num">exact allocated</th>
    <th class="num">exact measured</th><th class="num">approx allocated</th><th class="num">approx measured</th>
    <th class="num">utilisation</th><th>drops by reason</th></tr>` + rows.join("");
  byId("links-note").textContent =
    `${links.length > LINK_ROWS ? `Showing the ${LINK_ROWS} busiest of ${links.length} links. ` : ""}` +
    `${hosts ? "" : "Host links hidden (tick 'hosts'). "}Sorted by measured utilisation.`;
}

function renderDetail() {
  const title = byId("detail-title");
  const detail = byId("detail");
  if (!status || !selected) {
    title.textContent = "Details";
    detail.innerHTML = `<span class="muted">Click a switch or a link in the drawing.</span>`;
    return;
  }
  if (selected.kind === "switch") {
    const name = selected.name;
    const sw = status.switches.find((x) => x.name === name);
    const ports = (status.ports ?? []).filter((p) => p.switch === name);
    title.textContent = `Switch ${name}`;
    const head = sw
      ? `<p>${escapeHtml(sw.address)}${sw.deviceId ? `, device ${sw.deviceId}` : ""}, ${escapeHtml(sw.target)}: <b>${escapeHtml(sw.state)}</b>, ${escapeHtml(sw.role)}; ${sw.entities ?? "-"} entities; ${sw.updatesWritten} updates written, ${sw.updatesFailed} failed.${sw.reason ? `<br><span class="red">${escapeHtml(sw.reason)}</span>` : ""}${sw.lastError && sw.lastError !== sw.reason ? `<br>last error: ${escapeHtml(sw.lastError)}` : ""}</p>`
      : "";
    const rows = ports.map((p) => {
      const depth = p.queueDepth
        ? Object.entries(p.queueDepth)
            .map(([q, v]) => `q${q}: ${v}`)
            .join(", ")
        : "n/a";
      const drops = Object.entries(p.dropsTotal)
        .map(([r, v]) => `${r} ${v}${p.dropsPps[r] ? ` (${p.dropsPps[r].toFixed(1)}/s)` : ""}`)
        .join(", ");
      return `<tr><td class="num">${p.port}</td><td>${escapeHtml(p.peer)}</td>
        <td class="num">${rate(p.txBps.exact)}</td>
        <td class="num">${rate((p.txBps.approx_guaranteed ?? 0) + (p.txBps.approx_best_effort ?? 0) || (Object.keys(p.txBps).length ? 0 : null))}</td>
        <td class="num">${rate(p.txBps.control)}</td><td>${escapeHtml(depth)}</td><td>${escapeHtml(drops || "none")}</td></tr>`;
    });
    detail.innerHTML =
      head +
      `<table class="grid"><tr><th class="num">port</th><th>to</th><th class="num">exact tx</th>
      <th class="num">approx tx</th><th class="num">control tx</th><th>queue depth (packets)</th>
      <th>drops by reason (since start)</th></tr>${rows.join("")}</table>`;
    return;
  }
  const name = selected.name;
  const view = layout.links.find((l) => l.ab === name);
  const dirs = view ? [view.ab, view.ba] : [name];
  title.textContent = `Link ${view ? `${view.a} – ${view.b}` : name}`;
  detail.innerHTML = dirs
    .map((d) => status?.links.find((l) => l.name === d))
    .filter((l) => l !== undefined)
    .map(
      (l) => `<p><b>${escapeHtml(l.name)}</b> (${rate(l.capacity)})<br>
      exact: ${rate(l.exactLoad)} allocated, ${rate(l.measuredExactBps)} measured<br>
      approximate: ${rate(l.allocated)} allocated (${rate(l.guaranteed)} guaranteed), ${rate(l.measuredApproxBps)} measured<br>
      utilisation: ${l.utilisation === null ? "not measured" : `${(100 * l.utilisation).toFixed(1)}%`}<br>
      drops: ${escapeHtml(
        Object.entries(l.dropsPps)
          .map(([r, v]) => `${r} ${v.toFixed(1)}/s`)
          .join(", ") || "none",
      )}</p>`,
    )
    .join("");
}

// ------------------------------------------------------------------- start

async function start() {
  const res = await fetch("/api/view");
  layout = await res.json();
  const hostCount = layout.nodes.filter((n) => n.kind === "host").length;
  const fabric = layout.links.filter((l) => !l.hostLink).length;
  showHosts.checked = hostCount <= 48;
  showLabels.checked = fabric <= 24;
  draw();
  showHosts.addEventListener("change", () => {
    applyToggles();
    placeLabels();
    fit();
    if (status) renderLinks(status);
  });
  showLabels.addEventListener("change", applyToggles);
  byId("fit").addEventListener("click", fit);
  byId("link-filter").addEventListener("input", () => status && renderLinks(status));

  const live = byId("live");
  const events = new EventSource("/events");
  events.addEventListener("status", (e) => {
    live.className = "live-on";
    live.textContent = "live";
    apply(JSON.parse(/** @type {MessageEvent} */ (e).data));
  });
  events.onerror = () => {
    live.className = "live-off";
    live.textContent = "disconnected: retrying";
  };
}

start().catch((err) => {
  byId("meta").textContent = `cannot load the view: ${err instanceof Error ? err.message : err}`;
});
