// newswire dashboard: the side panels, topics over time (1 h / 24 h / 7 d) and trending entities.
// With no filter they show the API's own counts (/v1/topics, /v1/entities/trending); with a filter
// they count the matching articles in the page, so they always follow the list.
// Uses el(), api(), state and the filter helpers of app.js (loaded first).
"use strict";

const PANEL_FIELDS = "id,published_at,fetched_at,topics,entities";
// A filtered side panel is counted from at most this many matching articles.
const PANEL_MAX_ARTICLES = 1000;
// The store's threshold for "this article is about the topic".
const TOPIC_MIN_SCORE = 0.5;
const PALETTE = ["#34d399", "#60a5fa", "#fbbf24", "#c084fc", "#fb7185", "#2dd4bf", "#f97316", "#a3e635"];
const TYPE_COLOURS = {
  PERSON: "var(--person)", ORG: "var(--org)", COUNTRY: "var(--country)",
  CITY: "var(--city)", REGION: "var(--region)", EVENT: "var(--event)",
};

// -- topics over time and trending entities, for the active filter ---------------------------------

async function loadTopicLabels() {
  const body = await api("/v1/topics", new URLSearchParams({ window: "1h" }));
  const select = $("filter-topic");
  for (const topic of body.topics) {
    state.labels[topic.id] = topic.label;
    if (!select.querySelector(`option[value="${CSS.escape(topic.id)}"]`)) select.append(el("option", { value: topic.id }, topic.label));
  }
  select.value = state.filters.topic;
}

async function loadTopics() {
  const range = CHART_RANGES[state.chart];
  const body = await api("/v1/topics", new URLSearchParams({ window: state.chart, buckets: String(range.buckets) }));
  state.bucketSeconds = body.bucket_seconds;
  state.seriesStart = Date.parse(body.since);
  state.series = {};
  for (const topic of body.topics) {
    state.labels[topic.id] = topic.label;
    state.series[topic.id] = topic.series || new Array(range.buckets).fill(0);
  }
  $("chart-hint").textContent = range.label;
  drawChart();
}

// With a filter, the panels count the matching articles themselves (newest PANEL_MAX_ARTICLES).
async function matchingArticles(generation) {
  const since = Date.now() - RANGE_MS[state.chart];
  const params = filterParams();
  params.set("fields", PANEL_FIELDS);
  params.set("limit", "200");
  params.set("since", new Date(since).toISOString());
  const found = [];
  let cursor = null;
  do {
    if (cursor) params.set("cursor", cursor);
    const body = await api("/v1/articles", params);
    if (generation !== state.generation) return null;
    found.push(...body.items);
    cursor = body.next_cursor;
  } while (cursor && found.length < PANEL_MAX_ARTICLES);
  return { articles: found, since, truncated: Boolean(cursor) };
}

async function loadFilteredPanels() {
  const generation = state.generation;
  const result = await matchingArticles(generation);
  if (!result) return;
  await state.labelsReady;
  if (generation !== state.generation) return;
  const range = CHART_RANGES[state.chart];
  const bucketMs = RANGE_MS[state.chart] / range.buckets;
  state.bucketSeconds = bucketMs / 1000;
  state.seriesStart = result.since;
  state.series = {};
  const mentions = new Map();
  for (const article of result.articles) {
    const bucket = Math.min(range.buckets - 1, Math.max(0, Math.floor((sortTime(article) - result.since) / bucketMs)));
    for (const topic of article.topics || []) {
      if (topic.score < TOPIC_MIN_SCORE) continue;
      (state.series[topic.id] ||= new Array(range.buckets).fill(0))[bucket] += 1;
    }
    for (const entity of article.entities || []) {
      const row = mentions.get(entity.id) || { id: entity.id, name: entity.name, type: entity.type, mentions: 0, articles: 0 };
      row.mentions += (entity.mentions || []).length || 1;
      row.articles += 1;
      mentions.set(entity.id, row);
    }
  }
  const n = result.articles.length;
  const of = `${result.truncated ? "newest " : ""}${n} matching article${n === 1 ? "" : "s"}`;
  $("chart-hint").textContent = `${range.label}, ${of}`;
  drawChart();
  const top = [...mentions.values()].sort((a, b) => b.mentions - a.mentions || b.articles - a.articles).slice(0, 12);
  $("trending-hint").textContent = `most mentioned in the ${of}`;
  renderTrending(top, (e) => `${e.mentions} · ${e.articles} art.`, (e) => e.mentions);
}

function drawChart() {
  const ns = "http://www.w3.org/2000/svg";
  const width = 340, height = 180, left = 26, bottom = 18, top = 8;
  const buckets = CHART_RANGES[state.chart].buckets;
  const ranked = Object.entries(state.series)
    .map(([id, values]) => [id, values, values.reduce((a, b) => a + b, 0)])
    .filter(([, , total]) => total > 0)
    .sort((a, b) => b[2] - a[2])
    .slice(0, 6);
  const max = Math.max(1, ...ranked.flatMap(([, values]) => values));
  const x = (i) => left + (i * (width - left - 4)) / (buckets - 1);
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
  text(left, height - 4, `-${state.chart}`);
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
  if (!ranked.length) $("topic-chart").append(el("p", { class: "hint" }, "no articles with a topic in this range"));
  $("topic-legend").replaceChildren(
    ...ranked.map(([id, , total], n) =>
      el(
        "li",
        {},
        el(
          "button",
          { type: "button", onclick: () => applyFilter("topic", id), title: `only ${state.labels[id] || id}` },
          el("i", { style: `background:${PALETTE[n % PALETTE.length]}` }),
          state.labels[id] || id,
          el("span", { class: "n" }, total),
        ),
      ),
    ),
  );
  for (const button of document.querySelectorAll("[data-chart]")) {
    button.setAttribute("aria-pressed", String(button.dataset.chart === state.chart));
  }
}

async function loadTrending() {
  // The contract's trending: rise against the previous window; the score and both counts when present.
  const window = state.chart === "7d" ? "24h" : "1h";
  const body = await api("/v1/entities/trending", new URLSearchParams({ window, limit: "12" }));
  $("trending-hint").textContent = `last ${window}${body.baseline ? ` against the ${body.baseline} before` : ""}`;
  renderTrending(
    body.entities,
    (e) => {
      const parts = [`${e.mentions}`];
      if (typeof e.baseline_mentions === "number") parts.push(`before ${e.baseline_mentions}`);
      if (typeof e.score === "number") parts.push(`score ${e.score.toFixed(1)}`);
      return parts.join(" · ");
    },
    (e) => (typeof e.score === "number" ? e.score : e.mentions),
  );
}

function renderTrending(entities, describe, weight) {
  const top = Math.max(1e-9, ...entities.map(weight));
  $("trending").replaceChildren(
    ...entities.map((e) =>
      el(
        "li",
        {},
        el("a", { class: "chip", href: `#entity/${encodeURIComponent(e.id)}`, dataset: { type: e.type }, title: e.id }, e.name),
        el("span", { class: "count" }, describe(e)),
        el("div", { class: "bar" }, el("span", { style: `width:${Math.max(0, (100 * weight(e)) / top)}%;background:${TYPE_COLOURS[e.type] || "var(--muted)"}` })),
      ),
    ),
  );
  if (!entities.length) $("trending").append(el("li", { class: "hint" }, "nothing yet"));
}

function loadSidePanels() {
  const warn = (error) => console.warn(error.message);
  if (filtered()) {
    loadFilteredPanels().catch(warn);
  } else {
    loadTopics().catch(warn);
    loadTrending().catch(warn);
  }
}

let refreshTimer = null;

// New articles move the counts: ask again shortly (the counts are of distinct articles, replay or not).
function refreshSoon() {
  if (refreshTimer) return;
  refreshTimer = setTimeout(() => {
    refreshTimer = null;
    loadSidePanels();
  }, 3_000);
}
