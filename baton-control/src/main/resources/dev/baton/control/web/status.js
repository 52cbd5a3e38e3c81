// Baton's status page: polls status.json once a second and renders it. No library, nothing from elsewhere.
"use strict";

const HISTORY = 120;              // chart samples: two minutes at one a second
const samples = [];               // forwarded packets per second
let previous = null;              // {time, forwarded, perServer} of the last poll

function cell(row, text, className) {
  const td = document.createElement("td");
  td.textContent = text === undefined || text === null ? "" : String(text);
  if (className) td.className = className;
  row.appendChild(td);
  return td;
}

function number(n) {
  return typeof n === "number" ? n.toLocaleString("en") : "";
}

function fill(tableId, rows) {
  const body = document.querySelector("#" + tableId + " tbody");
  body.replaceChildren(...rows);
}

function renderVips(status) {
  const ha = status.high_availability;
  const rows = [];
  if (!ha) {
    // A router without high availability forwards its VIPs alone.
    for (const s of status.services || []) {
      const tr = document.createElement("tr");
      cell(tr, s.vip); cell(tr, s.name);
      cell(tr, s.owned ? "ACTIVE" : "not owned", s.owned ? "state-ACTIVE" : "");
      cell(tr, "standalone"); cell(tr, s.owned ? "yes" : "no"); cell(tr, ""); cell(tr, ""); cell(tr, ""); cell(tr, "");
      rows.push(tr);
    }
  } else {
    for (const v of ha.vips) {
      const tr = document.createElement("tr");
      tr.dataset.vip = v.vip;
      cell(tr, v.vip);
      cell(tr, (v.services || []).join(", "));
      cell(tr, v.state, "state state-" + v.state);
      cell(tr, v.role + " (priority " + v.priority + ")");
      cell(tr, v.forwarding ? "yes" : "no");
      cell(tr, v.sync);
      cell(tr, v.active_peer);
      cell(tr, number(v.table_size) + " entries, digest " + v.table_digest, "number");
      const last = v.last_transition;
      // An event within a state (a dump completed) has the same from and to: the state once, then why.
      const states = last ? (last.from === last.to ? last.to : (last.from || "") + " → " + (last.to || "")) : "";
      cell(tr, last ? states + (last.reason ? " (" + last.reason + ")" : "") + ", " + number(last.ago_ms) + " ms ago" : "");
      rows.push(tr);
    }
  }
  fill("vips", rows);
}

function renderPeers(status) {
  const ha = status.high_availability;
  const rows = [];
  for (const p of (ha && ha.peers) || []) {
    const tr = document.createElement("tr");
    cell(tr, p.name);
    cell(tr, p.router_number);
    const links = p.links || [];
    cell(tr, links.map(l => l.link + " " + l.state + (l.heard_ms_ago >= 0 ? " (heard " + l.heard_ms_ago + " ms ago)" : "")).join(", "));
    cell(tr, "state " + p.state + "; incarnation " + p.incarnation + (p.echoed_our_incarnation ? "" : "; has not echoed ours yet"));
    rows.push(tr);
  }
  fill("peers", rows);
}

function renderServices(stats, now) {
  const container = document.getElementById("services");
  const parts = [];
  const perServer = {};
  for (const s of stats.services || []) {
    const h3 = document.createElement("h3");
    h3.textContent = s.name + " — " + s.vip + " " + s.protocol + (s.owned ? "" : " (not owned here)")
      + ": " + number(s.packets) + " packets, " + number(s.connections_total) + " connections";
    const table = document.createElement("table");
    table.innerHTML = "<thead><tr><th>server</th><th>health</th><th>weight</th><th>active connections</th>"
      + "<th>packets/s</th><th>packets</th><th>MAC</th></tr></thead>";
    const body = document.createElement("tbody");
    for (const srv of s.servers || []) {
      const key = s.name + "/" + srv.address;
      perServer[key] = srv.packets;
      const tr = document.createElement("tr");
      cell(tr, srv.address + (srv.fallback ? " (fallback)" : ""));
      cell(tr, srv.drained ? "drained" : srv.health, srv.drained ? "drained" : "health-" + srv.health);
      cell(tr, srv.weight === srv.configured_weight ? srv.weight : srv.weight + " (configured " + srv.configured_weight + ")", "number");
      cell(tr, number(srv.connections_active), "number");
      const rate = previous && previous.perServer[key] !== undefined
        ? Math.max(0, Math.round((srv.packets - previous.perServer[key]) / ((now - previous.time) / 1000))) : null;
      cell(tr, rate === null ? "" : number(rate), "number");
      cell(tr, number(srv.packets), "number");
      cell(tr, srv.mac || "unresolved");
      body.appendChild(tr);
    }
    table.appendChild(body);
    parts.push(h3, table);
  }
  container.replaceChildren(...parts);
  return perServer;
}

function renderDrops(stats) {
  const rows = [];
  for (const [reason, count] of Object.entries(stats.drops || {})) {
    if (count === 0) continue;
    const tr = document.createElement("tr");
    cell(tr, reason); cell(tr, number(count), "number");
    rows.push(tr);
  }
  if (rows.length === 0) {
    const tr = document.createElement("tr");
    cell(tr, "none"); cell(tr, "0", "number");
    rows.push(tr);
  }
  fill("drops", rows);
}

function drawChart() {
  const canvas = document.getElementById("chart");
  const g = canvas.getContext("2d");
  g.clearRect(0, 0, canvas.width, canvas.height);
  const max = Math.max(1, ...samples);
  g.strokeStyle = "#2a6fdb";
  g.lineWidth = 2;
  g.beginPath();
  samples.forEach((value, i) => {
    const x = (canvas.width - 1) * (HISTORY - samples.length + i) / (HISTORY - 1);
    const y = canvas.height - 4 - (canvas.height - 24) * value / max;
    if (i === 0) g.moveTo(x, y); else g.lineTo(x, y);
  });
  g.stroke();
  g.fillStyle = "#555";
  g.font = "12px sans-serif";
  g.fillText("max " + max.toLocaleString("en") + " /s", 6, 14);
}

async function poll() {
  const error = document.getElementById("error");
  try {
    const response = await fetch("status.json", { cache: "no-store" });
    if (!response.ok) throw new Error(response.status + " " + (await response.text()));
    const snapshot = await response.json();
    const now = Date.now();
    const status = snapshot.status, stats = snapshot.stats;
    document.getElementById("router").textContent = status.router;
    document.getElementById("summary").textContent = "data path " + status.datapath + "; up " + status.uptime_s
      + " s; " + status.workers + " worker(s); " + number(stats.connections) + " of " + number(stats.capacity) + " connections";
    renderVips(status);
    renderPeers(status);
    const perServer = renderServices(stats, now);
    renderDrops(stats);
    const forwarded = stats.forwarded_frames;
    if (previous && typeof forwarded === "number") {
      samples.push(Math.max(0, Math.round((forwarded - previous.forwarded) / ((now - previous.time) / 1000))));
      if (samples.length > HISTORY) samples.shift();
      drawChart();
    }
    previous = { time: now, forwarded, perServer };
    error.hidden = true;
    document.body.dataset.updated = String(now);
  } catch (e) {
    error.textContent = "cannot read the router's status: " + e.message;
    error.hidden = false;
  }
}

poll();
setInterval(poll, 1000);
