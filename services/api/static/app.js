// newswire dashboard: articles newest first (REST pages, then the live stream over EventSource),
// filters kept in the URL, topic counts over time and trending entities for the active filter.
// Plain browser JavaScript, no build step. Everything from the network is inserted as text, never HTML.
// The side panels are in panels.js, the article view and the entity page in views.js. (Over 400 lines:
// the list, the stream and the filters share one state and are read together.)
"use strict";

const FIELDS = "id,title,url,source,published_at,fetched_at,summary,entities,topics,countries,enriched_at";
const PAGE_SIZE = 40;
// The stream replays this much before the first page was read, so nothing falls between the two.
const STREAM_OVERLAP_MS = 2 * 60_000;
const CHART_RANGES = {
  "1h": { buckets: 12, label: "last hour, 5-min buckets" },
  "24h": { buckets: 24, label: "last 24 h, hourly" },
  "7d": { buckets: 28, label: "last 7 days, 6-h buckets" },
};
const RANGE_MS = { "1h": 3_600_000, "24h": 86_400_000, "7d": 7 * 86_400_000 };
const FILTER_NAMES = ["q", "topic", "entity", "country", "source", "range"];

const $ = (id) => document.getElementById(id);
const state = {
  source: null,
  filters: { q: "", topic: "", entity: "", country: "", source: "", range: "" },
  chart: "24h",
  labels: {},
  // The articles in the list, by id: each is counted once however often the stream repeats it.
  articles: new Map(),
  // When each distinct article arrived live (not from paging), for "new / min".
  arrivals: new Map(),
  cursor: null,
  exhausted: false,
  loadingOlder: false,
  generation: 0,
  streamSince: null,
  // The URL query the list was last loaded for.
  search: null,
  series: {},
  // Resolves once /v1/topics has given the topic labels (start() sets it).
  labelsReady: Promise.resolve(),
  bucketSeconds: 300,
  seriesStart: 0,
  countries: new Set(),
  sources: new Set(),
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
  if (!response.ok) throw new Error(await errorMessage(path, response));
  return response.json();
}

async function errorMessage(path, response) {
  // The API answers errors as {"error": {"code", "message"}}; show its reason (e.g. a query it cannot parse).
  try {
    const body = await response.json();
    if (body.error && body.error.message) return body.error.message;
  } catch {
    // not JSON: fall through
  }
  return `${path}: HTTP ${response.status}`;
}

function setStatus(kind, text) {
  $("status-dot").dataset.state = kind;
  $("status-text").textContent = text;
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

function sortTime(article) {
  return Date.parse(article.published_at || article.fetched_at || "") || 0;
}

// Newest first; equal times by id descending, as the API pages them.
function newerThan(a, b) {
  const ta = sortTime(a), tb = sortTime(b);
  return ta !== tb ? ta > tb : a.id > b.id;
}

// -- the URL holds the view: filters and chart range in the query, the open article or entity in the hash

function readUrl() {
  const params = new URLSearchParams(location.search);
  for (const name of FILTER_NAMES) state.filters[name] = params.get(name) || "";
  if (state.filters.country) state.filters.country = state.filters.country.toUpperCase();
  if (!(state.filters.range in RANGE_MS)) state.filters.range = "";
  state.chart = params.get("chart") in CHART_RANGES ? params.get("chart") : "24h";
  for (const name of FILTER_NAMES) $(`filter-${name}`).value = state.filters[name];
}

function writeUrl({ replace = false } = {}) {
  const params = new URLSearchParams();
  for (const name of FILTER_NAMES) if (state.filters[name]) params.set(name, state.filters[name]);
  if (state.chart !== "24h") params.set("chart", state.chart);
  const query = params.toString();
  const url = `${location.pathname}${query ? `?${query}` : ""}${location.hash}`;
  if (url !== `${location.pathname}${location.search}${location.hash}`) {
    history[replace ? "replaceState" : "pushState"](null, "", url);
  }
}

function filterParams() {
  const params = new URLSearchParams();
  for (const name of ["q", "topic", "entity", "country", "source"]) {
    if (state.filters[name]) params.set(name, state.filters[name]);
  }
  return params;
}

function rangeSince() {
  const span = RANGE_MS[state.filters.range];
  return span ? new Date(Date.now() - span) : null;
}

function filtered() {
  return ["q", "topic", "entity", "country", "source"].some((name) => state.filters[name]);
}

// -- the list: first page from REST, older pages on demand, new articles from the stream ------------

async function loadPage({ older }) {
  const generation = state.generation;
  const params = filterParams();
  params.set("fields", FIELDS);
  params.set("limit", String(PAGE_SIZE));
  const since = rangeSince();
  if (since) params.set("since", since.toISOString());
  if (older && state.cursor) params.set("cursor", state.cursor);
  const body = await api("/v1/articles", params);
  if (generation !== state.generation) return; // the filter changed meanwhile
  state.cursor = body.next_cursor || null;
  state.exhausted = !state.cursor;
  for (const article of body.items) addArticle(article, { live: false });
  updateMore();
}

async function loadOlder() {
  if (state.loadingOlder || state.exhausted) return;
  state.loadingOlder = true;
  try {
    await loadPage({ older: true });
  } catch (error) {
    showError(error.message);
  } finally {
    state.loadingOlder = false;
  }
}

function updateMore() {
  $("load-older").hidden = state.exhausted;
  $("feed-end").hidden = !state.exhausted || state.articles.size === 0;
  $("feed-empty").hidden = state.articles.size > 0;
  $("feed-empty").textContent = filtered() || state.filters.range ? "No article matches yet; new ones appear here as they arrive." : "Waiting for articles…";
  $("stat-count").textContent = state.articles.size.toLocaleString();
  $("stat-rate").textContent = String(state.arrivals.size); // pruned to the last minute by tick()
}

function showError(message) {
  $("feed-error").textContent = message;
  $("feed-error").hidden = !message;
}

function addArticle(article, { live }) {
  if (!article || !article.id) return;
  const since = rangeSince();
  if (since && sortTime(article) < since.getTime()) return;
  const cards = $("feed");
  const known = state.articles.has(article.id);
  // A live article older than the oldest card while older pages remain: paging brings it in its place.
  if (live && !known && !state.exhausted && cards.lastElementChild) {
    const oldest = state.articles.get(cards.lastElementChild.dataset.id);
    if (oldest && newerThan(oldest, article)) return;
  }
  // A replay of what is shown changes nothing (and must not re-render the card under the reader).
  if (known && sameVersion(state.articles.get(article.id), article)) return;
  state.articles.set(article.id, article);
  if (live && !known) state.arrivals.set(article.id, Date.now());
  for (const code of article.countries || []) state.countries.add(code);
  if (article.source) state.sources.add(article.source);
  for (const entity of article.entities || []) state.entities.set(entity.id, entity.name);

  const existing = known ? cards.querySelector(`.card[data-id="${CSS.escape(article.id)}"]`) : null;
  const hadFocus = Boolean(existing && existing.contains(document.activeElement));
  if (existing) existing.remove();
  const card = renderCard(article, { fresh: live && !known });
  cards.insertBefore(card, insertionPoint(cards, article));
  if (hadFocus) card.querySelector("a.open").focus(); // a new version keeps the reader's place
  if (live) refreshSoon();
  updateMore();
}

// One enrichment of an article, however it was serialised (REST page or stream event).
function sameVersion(a, b) {
  return Date.parse(a.enriched_at) === Date.parse(b.enriched_at) && a.title === b.title;
}

// The card to insert before, so the list stays newest first (null: at the end).
function insertionPoint(cards, article) {
  const last = cards.lastElementChild && state.articles.get(cards.lastElementChild.dataset.id);
  if (!last || newerThan(last, article)) return null; // pages arrive oldest-last: no scan
  for (const other of cards.children) {
    const shown = state.articles.get(other.dataset.id);
    if (shown && newerThan(article, shown)) return other;
  }
  return null;
}

function countryBadges(codes) {
  return codes.slice(0, 5).map((code) =>
    el("button", { type: "button", class: "country", title: `only ${code}`, onclick: () => applyFilter("country", code) }, code),
  );
}

function renderCard(article, { fresh = false } = {}) {
  const href = safeUrl(article.url);
  const published = article.published_at || article.fetched_at;
  const entities = [...(article.entities || [])].sort((a, b) => (b.salience || 0) - (a.salience || 0));
  const topics = (article.topics || []).filter((t) => t.score >= 0.3);
  return el(
    "li",
    { class: fresh ? "card fresh" : "card", dataset: { id: article.id } },
    el(
      "div",
      { class: "card-meta" },
      el("button", { type: "button", class: "source", title: `only ${article.source}`, onclick: () => applyFilter("source", article.source) }, article.source),
      el("time", { datetime: published || "", title: published || "" }, ago(published)),
      href ? el("a", { class: "external", href, target: "_blank", rel: "noopener", title: "the original page" }, "source ↗") : null,
      el("span", { class: "countries" }, countryBadges(article.countries || [])),
    ),
    el("h3", {}, el("a", { href: `#article/${encodeURIComponent(article.id)}`, class: "open" }, article.title)),
    article.summary ? el("p", { class: "summary" }, article.summary) : null,
    topics.length
      ? el(
          "div",
          { class: "row topics" },
          topics.map((t) =>
            el(
              "button",
              { type: "button", class: "topic-pill", title: `only ${t.label || t.id}: ${(t.evidence || []).join("; ")}`, onclick: () => applyFilter("topic", t.id) },
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
              "a",
              {
                class: "chip",
                href: `#entity/${encodeURIComponent(e.id)}`,
                dataset: { type: e.type, entity: e.id },
                title: [e.id, ...(e.aliases || [])].join(" · "),
              },
              e.name,
            ),
          ),
        )
      : null,
  );
}

// -- the stream --------------------------------------------------------------------------------

function streamUrl() {
  const params = new URLSearchParams({ fields: FIELDS });
  for (const [key, value] of filterParams()) params.set(key, value);
  params.set("since", state.streamSince.toISOString());
  return `/v1/stream?${params}`;
}

function openStream() {
  if (state.source) state.source.close();
  setStatus("connecting", "connecting");
  const url = streamUrl();
  const source = new EventSource(url);
  state.source = source;
  source.onopen = () => setStatus("live", "live");
  source.addEventListener("article", (event) => {
    try {
      addArticle(JSON.parse(event.data), { live: true });
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

// Everything the filter decides, from scratch: the URL, the list, its counters, the stream, the side panels.
async function connect() {
  writeUrl();
  state.search = location.search;
  state.generation += 1;
  if (state.source) state.source.close();
  state.articles.clear();
  state.arrivals.clear();
  state.cursor = null;
  state.exhausted = false;
  $("feed").replaceChildren();
  showError("");
  updateFilterSummary();
  updateMore();
  $("feed-empty").textContent = "Loading…";
  state.streamSince = new Date(Date.now() - STREAM_OVERLAP_MS);
  loadSidePanels();
  try {
    await loadPage({ older: false });
  } catch (error) {
    showError(error.message);
    setStatus("error", "stopped");
    if (error instanceof TypeError) setTimeout(connect, 5000); // the network failed: try again
    return; // e.g. a search the API cannot parse: no stream for a filter that is refused
  }
  openStream();
}

// -- filters -----------------------------------------------------------------------------------

function applyFilter(name, value) {
  if (!$("view").hidden) closeView(); // views.js
  state.filters[name] = value;
  $(`filter-${name}`).value = value;
  connect();
}

function updateFilterSummary() {
  const parts = FILTER_NAMES.filter((k) => state.filters[k]).map((k) => `${k} = ${state.filters[k]}`);
  $("filter-summary").textContent = parts.length ? `· ${parts.join(", ")}` : "· everything, newest first";
}

function refreshDatalists() {
  $("country-options").replaceChildren(...[...state.countries].sort().map((c) => el("option", { value: c }, c)));
  $("source-options").replaceChildren(...[...state.sources].sort().map((s) => el("option", { value: s }, s)));
  $("entity-options").replaceChildren(
    ...[...state.entities].slice(-200).map(([id, name]) => el("option", { value: id }, name)),
  );
}

function setupFilters() {
  $("filters").addEventListener("submit", (event) => {
    event.preventDefault();
    if (!$("filters").checkValidity()) return;
    state.filters.q = $("filter-q").value.trim();
    state.filters.source = $("filter-source").value.trim();
    state.filters.range = $("filter-range").value;
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
    for (const name of FILTER_NAMES) {
      state.filters[name] = "";
      $(`filter-${name}`).value = "";
    }
    connect();
  });
  for (const name of ["entity", "country", "source"]) $(`filter-${name}`).addEventListener("focus", refreshDatalists);
  $("load-older").addEventListener("click", loadOlder);
  // Infinite scroll: the "Load older" button coming into view loads the next page.
  new IntersectionObserver((entries) => {
    if (entries.some((e) => e.isIntersecting) && state.articles.size) loadOlder();
  }, { rootMargin: "400px" }).observe($("load-older"));
  window.addEventListener("popstate", () => {
    // Following a `#article/...` link is a history step too: reload only when the filters changed.
    if (location.search === state.search) return;
    readUrl();
    connect();
  });
  for (const button of document.querySelectorAll("[data-chart]")) {
    button.addEventListener("click", () => {
      state.chart = button.dataset.chart;
      writeUrl();
      loadSidePanels();
    });
  }
}

// -- keyboard ----------------------------------------------------------------------------------

function setupKeys() {
  document.addEventListener("keydown", (event) => {
    const typing = /^(INPUT|SELECT|TEXTAREA)$/.test(document.activeElement.tagName);
    if (event.key === "/" && !typing) {
      event.preventDefault();
      $("filter-q").focus();
      $("filter-q").select();
    } else if ((event.key === "j" || event.key === "k") && !typing && !event.ctrlKey && !event.metaKey) {
      const links = [...document.querySelectorAll("#feed .card a.open")];
      if (!links.length) return;
      const at = links.indexOf(document.activeElement);
      const next = event.key === "j" ? Math.min(links.length - 1, at + 1) : Math.max(0, at - 1);
      links[next].focus();
      links[next].scrollIntoView({ block: "nearest" });
    }
  });
}

function tick() {
  const minuteAgo = Date.now() - 60_000;
  for (const [id, time] of state.arrivals) if (time < minuteAgo) state.arrivals.delete(id);
  $("stat-rate").textContent = String(state.arrivals.size);
  for (const time of document.querySelectorAll(".card time")) time.textContent = ago(time.getAttribute("datetime"));
}

function start() {
  // An older version of this page kept the key in localStorage: forget it.
  localStorage.removeItem("newswire.apiKey");
  readUrl();
  writeUrl({ replace: true });
  setupFilters();
  setupKeys();
  // The filtered side panels wait for the labels, so their legend never shows bare topic ids.
  state.labelsReady = loadTopicLabels().catch((error) => console.warn(error.message));
  connect();
  setInterval(tick, 5_000);
  setInterval(loadSidePanels, 60_000);
}

// After views.js too (both scripts are deferred), so the article view can open from the URL at once.
document.addEventListener("DOMContentLoaded", start);
