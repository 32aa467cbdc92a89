// The ingestion dashboard: the latest batch reports (signed in, Cognito), a chart of what each source sent, and
// every result the pipeline publishes as it arrives (onIngestionResult over AppSync's realtime protocol, API key).
import { element, graphql, signIn, subscribe } from "./api.js";

const FIELDS = "id source batchId status recordCount accepted duplicates dropped failed createdAt download { url }";
const REPORTS = `query Reports { listIngestionReports(kind: BATCH, limit: 50) { items { ${FIELDS} } } }`;
const LIVE = `subscription Live { onIngestionResult { source batchId recordCount status accepted duplicates dropped failed reportId publishedAt } }`;
const KINDS = ["accepted", "duplicates", "dropped", "failed"];

const $ = (id) => document.getElementById(id);
let token = sessionStorage.getItem("idToken");
const rows = new Map(); // report id (or batch:source) -> row shown
let reload;

function keyOf(row) {
  return row.id ?? row.reportId ?? `${row.batchId}:${row.source}`;
}

function show(row) {
  rows.set(keyOf(row), row);
  render();
}

function render() {
  const shown = [...rows.values()].sort((a, b) => String(b.createdAt ?? b.publishedAt).localeCompare(String(a.createdAt ?? a.publishedAt)));
  $("reports").replaceChildren(
    ...shown.map((row) =>
      element(
        "tr",
        { "data-report": keyOf(row), "data-source": row.source, class: row.live ? "live" : null },
        element("td", {}, new Date(row.createdAt ?? row.publishedAt).toLocaleTimeString()),
        element("td", {}, row.source),
        element("td", {}, row.status),
        ...KINDS.map((kind) => element("td", { class: "number" }, String(row[kind] ?? 0))),
        element("td", {}, row.download?.url ? element("a", { href: row.download.url }, "download") : ""),
      ),
    ),
  );
  const bySource = new Map();
  for (const row of shown) {
    const sums = bySource.get(row.source) ?? Object.fromEntries(KINDS.map((kind) => [kind, 0]));
    for (const kind of KINDS) sums[kind] += row[kind] ?? 0;
    bySource.set(row.source, sums);
  }
  drawBars(bySource);
  const total = (kind) => [...bySource.values()].reduce((sum, sums) => sum + sums[kind], 0);
  $("totals").textContent = `${shown.length} reports · ${KINDS.map((kind) => `${total(kind)} ${kind}`).join(" · ")}`;
}

function svg(tag, attributes, ...children) {
  const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

// One horizontal stacked bar per source, its segments the four kinds, scaled to the largest source.
function drawBars(bySource) {
  const chart = $("bars");
  const height = 28;
  const label = 120;
  const width = 640;
  const largest = Math.max(1, ...[...bySource.values()].map((sums) => KINDS.reduce((s, k) => s + sums[k], 0)));
  const bars = [...bySource.entries()].map(([source, sums], index) => {
    let x = label;
    const segments = KINDS.filter((kind) => sums[kind] > 0).map((kind) => {
      const w = ((width - label - 60) * sums[kind]) / largest;
      const rect = svg("rect", { x, y: index * height + 4, width: Math.max(w, 1), height: height - 8, class: `bar ${kind}`, "data-kind": kind, "data-count": sums[kind] }, svg("title", {}, `${source}: ${sums[kind]} ${kind}`));
      x += w;
      return rect;
    });
    const total = KINDS.reduce((s, k) => s + sums[k], 0);
    return svg("g", { "data-source": source }, svg("text", { x: 0, y: index * height + 19, class: "label" }, source), ...segments, svg("text", { x: x + 6, y: index * height + 19, class: "label" }, String(total)));
  });
  chart.replaceChildren(...bars);
  chart.setAttribute("height", String(Math.max(bySource.size * height, 0)));
  chart.setAttribute("viewBox", `0 0 ${width} ${Math.max(bySource.size * height, 1)}`);
  $("chart").dataset.sources = String(bySource.size);
}

async function loadReports() {
  if (!token) return;
  $("status").textContent = "Loading reports…";
  try {
    const { listIngestionReports } = await graphql(REPORTS, {}, token);
    for (const report of listIngestionReports.items) show(report);
    $("status").textContent = listIngestionReports.items.length ? "" : "No reports yet: send some events.";
  } catch (error) {
    $("status").textContent = error.errorType === "UnauthorizedException" ? "Sign in again." : `Could not load reports: ${error.message}`;
    $("status").classList.add("error");
  }
}

function showAccount(username) {
  $("sign-in").hidden = Boolean(token);
  $("signed-in").hidden = !token;
  $("who").textContent = username ? `Signed in as ${username}.` : "";
}

$("sign-in").addEventListener("submit", async (event) => {
  event.preventDefault();
  $("sign-in-status").textContent = "Signing in…";
  try {
    token = await signIn($("username").value, $("password").value);
    sessionStorage.setItem("idToken", token);
    sessionStorage.setItem("username", $("username").value);
    showAccount($("username").value);
    await loadReports();
  } catch (error) {
    $("sign-in-status").textContent = `Sign-in failed: ${error.message}`;
  }
});

$("sign-out").addEventListener("click", () => {
  token = null;
  sessionStorage.removeItem("idToken");
  showAccount(null);
});

showAccount(sessionStorage.getItem("username"));
subscribe(
  LIVE,
  {},
  (data) => {
    const result = data.onIngestionResult;
    if (result) show({ ...result, live: true });
    if (token) {
      clearTimeout(reload);
      reload = setTimeout(loadReports, 500); // the stored report, with its download link
    }
  },
  (state, message) => {
    $("live").dataset.state = state;
    $("live").textContent = state === "live" ? "live" : state === "error" ? `live results unavailable: ${message}` : state;
  },
);
loadReports();
