// newswire dashboard: the live stream over EventSource, topic counts over time, trending entities.
// Plain browser JavaScript, no build step. Everything from the network is inserted as text, never HTML.
"use strict";

const FIELDS = "id,title,url,source,published_at,fetched_at,summary,entities,topics,countries,enriched_at";
const MAX_CARDS = 120;
const REPLAY_MINUTES = 30;
const CHART_WINDOW = "2h";
const CHART_BUCKETS = 24;
const PALETTE = ["#34d399", "#60a5fa", "#fbbf24", "#c084fc", "#fb7185", "#2dd4bf", "#f97316", "#a3e635"];
const TYPE_COLOURS = {
  PERSON: "var(--person)", ORG: "var(--org)", COUNTRY: "var(--country)",
  CITY: "var(--city)", REGION: "var(--region)", EVENT: "var(--event)",
};

const $ = (id) => document.getElementById(id);
const state = {
  source: null,
  filters: { topic: "", entity: "", country: "" },
  labels: {},
  count: 0,
  arrivals: [],
  series: {},
  bucketSeconds: 300,
  seriesStart: 0,
  countries: new Set(),
  entities: new Map(),
};

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null) continue;
    if (key === "class") node.className = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

// The API key never goes into a URL (URLs end up in logs and histories): it is POSTed once to
// /auth/login, which answers with an HttpOnly session cookie that every request and stream carries.
async function login(key) {
  const response = await fetch("/auth/login", {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify({ api_key: key }),
    credentials: "same-origin",
  });
  if (!response.ok) {
    const body = await response.json().catch(() => ({}));
    throw new Error((body.error && body.error.code) || `HTTP ${response.status}`);
  }
}

async function api(path, params = new URLSearchParams()) {
  const response = await fetch(`${path}?${params}`, { headers: { Accept: "application/json" }, credentials: "same-origin" });
  if (response.status === 401) {
    $("api-key-box").hidden = false;
    throw new Error("an API key is required");
  }
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return response.json();
}

function setStatus(kind, text) {
  $("status-dot").dataset.state = kind;
  $("status-text").textContent = text;
}

function countryBadges(codes) {
  return codes.slice(0, 5).map((code) =>
    el("span", { class: "country", title: `only ${code}`, onclick: () => applyFilter("country", code) }, code),
  );
}

function ago(iso) {
  if (!iso) return "";
  const seconds = Math.max(0, (Date.now() - Date.parse(iso)) / 1000);
  if (seconds < 60) return "just now";
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)} h ago`;
  return new Date(iso).toLocaleDateString(undefined, { day: "numeric", month: "short", year: "numeric" });
}

function safeUrl(url) {
  try {
    const parsed = new URL(url);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
  } catch {
    return null;
  }
}

// -- the stream --------------------------------------------------------------------------------

function streamUrl() {
  const params = new URLSearchParams({ fields: FIELDS });
  for (const [key, value] of Object.entries(state.filters)) if (value) params.set(key, value);
  params.set("since", new Date(Date.now() - REPLAY_MINUTES * 60_000).toISOString());
  return `/v1/stream?${params}`;
}

function connect() {
  if (state.source) state.source.close();
  $("feed").replaceChildren();
  $("feed-empty").hidden = false;
  updateFilterSummary();
  setStatus("connecting", "connecting");
  const url = streamUrl();
  const source = new EventSource(url);
  state.source = source;
  source.onopen = () => setStatus("live", "live");
  source.addEventListener("article", (event) => {
    try {
      addArticle(JSON.parse(event.data));
    } catch (error) {
      console.error("bad article event", error);
    }
  });
  source.addEventListener("error", async (event) => {
    if (event.data) {
      // The server's own `event: error` (e.g. this tab fell behind); EventSource reconnects and resumes.
      const detail = JSON.parse(event.data).error || {};
      setStatus("error", detail.code || "error");
      return;
    }
    if (source.readyState === EventSource.CLOSED) {
      // Refused before the stream started: the JSON error says why (401 -> ask for a key).
      setStatus("error", "stopped");
      try {
        const response = await fetch(url, { credentials: "same-origin" });
        if (response.status === 401) $("api-key-box").hidden = false;
        const body = await response.json();
        setStatus("error", body.error ? body.error.code : `HTTP ${response.status}`);
      } catch {
        setTimeout(connect, 5000);
      }
    } else {
      setStatus("connecting", "reconnecting");
    }
  });
}

function addArticle(article) {
  state.count += 1;
  state.arrivals.push(Date.now());
  $("stat-count").textContent = state.count.toLocaleString();
  $("feed-empty").hidden = true;
  for (const code of article.countries || []) state.countries.add(code);
  for (const entity of article.entities || []) state.entities.set(entity.id, entity.name);
  refreshSoon();

  const existing = document.querySelector(`.card[data-id="${CSS.escape(article.id)}"]`);
  const card = renderCard(article);
  if (existing) existing.replaceWith(card);
  else $("feed").prepend(card);
  const cards = $("feed").children;
  while (cards.length > MAX_CARDS) cards[cards.length - 1].remove();
}

function renderCard(article) {
  const href = safeUrl(article.url);
  const title = href ? el("a", { href, target: "_blank", rel: "noopener" }, article.title) : article.title;
  const published = article.published_at || article.fetched_at;
  const entities = [...(article.entities || [])].sort((a, b) => (b.salience || 0) - (a.salience || 0));
  const topics = (article.topics || []).filter((t) => t.score >= 0.3);
  return el(
    "li",
    { class: "card fresh", dataset: { id: article.id } },
    el(
      "div",
      { class: "card-meta" },
      el("span", { class: "source" }, article.source),
      el("time", { datetime: published || "", title: published || "" }, ago(published)),
      el("span", { class: "countries" }, countryBadges(article.countries || [])),
    ),
    el("h3", {}, title),
    article.summary ? el("p", { class: "summary" }, article.summary) : null,
    topics.length
      ? el(
          "div",
          { class: "row topics" },
          topics.map((t) =>
            el(
              "span",
              { class: "topic-pill", title: (t.evidence || []).join("; "), onclick: () => applyFilter("topic", t.id) },
              t.label || t.id,
              el("b", {}, t.score.toFixed(2)),
            ),
          ),
        )
      : null,
    entities.length
      ? el(
          "div",
          { class: "row entities" },
          entities.slice(0, 14).map((e) =>
            el(
              "span",
              {
                class: "chip",
                dataset: { type: e.type, entity: e.id },
                title: [e.id, ...(e.aliases || [])].join(" · "),
                onclick: () => applyFilter("entity", e.id),
              },
              e.name,
            ),
          ),
        )
      : null,
  );
}

// -- filters -----------------------------------------------------------------------------------

function applyFilter(name, value) {
  state.filters[name] = value;
  $(`filter-${name}`).value = value;
  connect();
}

function updateFilterSummary() {
  const parts = Object.entries(state.filters).filter(([, v]) => v).map(([k, v]) => `${k} = ${v}`);
  $("filter-summary").textContent = parts.length ? `· ${parts.join(", ")}` : "· everything";
}

function refreshDatalists() {
  $("country-options").replaceChildren(...[...state.countries].sort().map((c) => el("option", { value: c }, c)));
  $("entity-options").replaceChildren(
    ...[...state.entities].slice(-200).map(([id, name]) => el("option", { value: id }, name)),
  );
}

function setupFilters() {
  $("filters").addEventListener("submit", (event) => {
    event.preventDefault();
    if (!$("filters").checkValidity()) return;
    state.filters.topic = $("filter-topic").value;
    state.filters.entity = $("filter-entity").value.trim();
    state.filters.country = $("filter-country").value.trim().toUpperCase();
    const key = $("api-key").value.trim();
    if (!key) {
      connect();
      return;
    }
    $("api-key").value = "";
    login(key)
      .then(() => {
        $("api-key-box").hidden = true;
        loadSidePanels();
        connect();
      })
      .catch((error) => setStatus("error", error.message));
  });
  $("filter-clear").addEventListener("click", () => {
    for (const name of Object.keys(state.filters)) {
      state.filters[name] = "";
      $(`filter-${name}`).value = "";
    }
    connect();
  });
  $("filter-entity").addEventListener("focus", refreshDatalists);
  $("filter-country").addEventListener("focus", refreshDatalists);
}

// -- topics over time --------------------------------------------------------------------------

async function loadTopics() {
  const body = await api("/v1/topics", new URLSearchParams({ window: CHART_WINDOW, buckets: String(CHART_BUCKETS) }));
  state.bucketSeconds = body.bucket_seconds;
  state.seriesStart = Date.parse(body.since);
  const select = $("filter-topic");
  if (select.options.length <= 1) {
    for (const topic of body.topics) select.append(el("option", { value: topic.id }, topic.label));
  }
  for (const topic of body.topics) {
    state.labels[topic.id] = topic.label;
    state.series[topic.id] = topic.series || new Array(CHART_BUCKETS).fill(0);
  }
  drawChart();
}

let refreshTimer = null;

// New articles move the counts: ask the server again shortly (it counts each article once, replay or not).
function refreshSoon() {
  if (refreshTimer) return;
  refreshTimer = setTimeout(() => {
    refreshTimer = null;
    loadSidePanels();
  }, 2_000);
}

function drawChart() {
  const ns = "http://www.w3.org/2000/svg";
  const width = 340, height = 180, left = 26, bottom = 18, top = 8;
  const ranked = Object.entries(state.series)
    .map(([id, values]) => [id, values, values.reduce((a, b) => a + b, 0)])
    .sort((a, b) => b[2] - a[2])
    .slice(0, 6);
  const max = Math.max(1, ...ranked.flatMap(([, values]) => values));
  const x = (i) => left + (i * (width - left - 4)) / (CHART_BUCKETS - 1);
  const y = (v) => top + (height - top - bottom) * (1 - v / max);
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  const line = (x1, y1, x2, y2, cls) => {
    const node = document.createElementNS(ns, "line");
    Object.entries({ x1, y1, x2, y2, class: cls }).forEach(([k, v]) => node.setAttribute(k, v));
    svg.append(node);
  };
  const text = (tx, ty, value, anchor = "start") => {
    const node = document.createElementNS(ns, "text");
    node.setAttribute("x", tx);
    node.setAttribute("y", ty);
    node.setAttribute("text-anchor", anchor);
    node.textContent = value;
    svg.append(node);
  };
  for (const value of new Set([0, Math.round(max / 2), max])) {
    line(left, y(value), width - 4, y(value), "axis");
    text(left - 4, y(value) + 3, value, "end");
  }
  const minutes = (CHART_BUCKETS * state.bucketSeconds) / 60;
  text(left, height - 4, `-${Math.round(minutes)} min`);
  text(width - 4, height - 4, "now", "end");
  ranked.forEach(([, values], n) => {
    const path = document.createElementNS(ns, "path");
    const d = values.map((v, i) => `${i ? "L" : "M"}${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(" ");
    path.setAttribute("d", d);
    path.setAttribute("fill", "none");
    path.setAttribute("stroke", PALETTE[n % PALETTE.length]);
    path.setAttribute("stroke-width", "2");
    path.setAttribute("stroke-linejoin", "round");
    svg.append(path);
  });
  $("topic-chart").replaceChildren(svg);
  $("topic-legend").replaceChildren(
    ...ranked.map(([id, , total], n) =>
      el(
        "li",
        { onclick: () => applyFilter("topic", id), title: `only ${state.labels[id] || id}` },
        el("i", { style: `background:${PALETTE[n % PALETTE.length]}` }),
        state.labels[id] || id,
        el("span", { class: "n" }, total),
      ),
    ),
  );
}

// -- trending entities -------------------------------------------------------------------------

async function loadTrending() {
  const body = await api("/v1/entities/trending", new URLSearchParams({ window: "1h", limit: "12" }));
  const top = Math.max(1, ...body.entities.map((e) => e.mentions));
  $("trending").replaceChildren(
    ...body.entities.map((e) =>
      el(
        "li",
        { title: e.id, onclick: () => applyFilter("entity", e.id) },
        el("span", { class: "chip", dataset: { type: e.type } }, e.name),
        el("span", { class: "count" }, `${e.mentions} · ${e.articles} art.`),
        el("div", { class: "bar" }, el("span", { style: `width:${(100 * e.mentions) / top}%;background:${TYPE_COLOURS[e.type] || "var(--muted)"}` })),
      ),
    ),
  );
}

function loadSidePanels() {
  loadTopics().catch((error) => console.warn(error.message));
  loadTrending().catch((error) => console.warn(error.message));
}

function tick() {
  const minuteAgo = Date.now() - 60_000;
  state.arrivals = state.arrivals.filter((t) => t >= minuteAgo);
  $("stat-rate").textContent = String(state.arrivals.length);
  for (const time of document.querySelectorAll(".card time")) time.textContent = ago(time.getAttribute("datetime"));
}

// An older version of this page kept the key in localStorage: forget it.
localStorage.removeItem("newswire.apiKey");
setupFilters();
loadSidePanels();
connect();
setInterval(tick, 5_000);
setInterval(loadTrending, 15_000);
setInterval(loadTopics, 60_000);
