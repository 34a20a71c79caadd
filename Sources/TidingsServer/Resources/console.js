// The Tidings on-call console: one page, four views (message, live, overview, sinks),
// drawn from the /v1 API of the server that served it.
//
// Rules this file keeps:
// - Every value that came from Twilio or the API is put in the page as text
//   (createTextNode, textContent, setAttribute on harmless attributes): never as HTML.
//   `el()` and `svg()` below are the only way nodes are made, and refuse `style` and
//   inline event-handler attributes; the server's Content-Security-Policy forbids inline
//   script and style and requires Trusted Types for every HTML sink besides.
// - The API token lives in sessionStorage (this tab only) and goes out as
//   `Authorization: Bearer …` to this origin's /v1, nowhere else.
"use strict";

(() => {
  const TOKEN_KEY = "tidings.apiToken";
  const SVG_NS = "http://www.w3.org/2000/svg";
  const main = document.getElementById("main");
  const announcer = document.getElementById("announcer");
  const forgetButton = document.getElementById("forget-token");

  // What a status means to a person: the colour family of its badge.
  const STATUS_TONE = {
    accepted: "progress", scheduled: "progress", queued: "progress", sending: "progress",
    sent: "progress", receiving: "progress", received: "ok", delivered: "ok", read: "ok",
    undelivered: "warn", partially_delivered: "warn", failed: "bad", canceled: "neutral",
  };
  const FINAL_STATUSES = new Set(["delivered", "undelivered", "failed", "canceled", "partially_delivered", "received", "read"]);
  const LIVE_STATUSES = ["queued", "sending", "sent", "delivered", "read", "undelivered", "failed", "canceled", "received"];
  const CHANNELS = ["sms", "mms", "whatsapp", "rcs", "messenger"];
  const SHORT_SOURCES = { callback: "callback", "event-stream": "event stream", conversations: "receipt", api: "API" };
  const SOURCES = {
    callback: "status callback", "event-stream": "Event Streams", conversations: "Conversations receipt", api: "Messages API",
  };
  // Each window in whole buckets (aligned to the epoch, as the series route lays them out),
  // the last one the bucket under way: 12, 24 and 28 bars.
  const WINDOWS = {
    "1h": { bucket: "5m", bucketSeconds: 300, buckets: 12, label: "the last hour", bucketLabel: "5 minutes", wholeBuckets: "whole 5 minutes" },
    "24h": { bucket: "1h", bucketSeconds: 3600, buckets: 24, label: "the last 24 hours", bucketLabel: "hour", wholeBuckets: "whole hours" },
    "7d": { bucket: "6h", bucketSeconds: 21600, buckets: 28, label: "the last 7 days", bucketLabel: "6 hours", wholeBuckets: "whole 6 hours" },
  };

  // ---------------------------------------------------------------- DOM helpers

  function setAttributes(node, attributes) {
    if (!attributes) return;
    for (const [name, value] of Object.entries(attributes)) {
      if (value === undefined || value === null || value === false) continue;
      if (name.startsWith("on") && typeof value === "function") {
        node.addEventListener(name.slice(2), value);
        continue;
      }
      if (/^(style|on)/i.test(name) || /^\s*javascript:/i.test(String(value))) {
        throw new Error(`refusing attribute ${name}`);
      }
      if (name === "class") {
        node.setAttribute("class", Array.isArray(value) ? value.filter(Boolean).join(" ") : value);
      } else {
        node.setAttribute(name, value === true ? "" : String(value));
      }
    }
  }

  function appendChildren(node, ...children) {
    for (const child of children.flat(Infinity)) {
      if (child === undefined || child === null || child === false) continue;
      node.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  /** An HTML element; string children become text nodes. */
  function el(tag, attributes, ...children) {
    const node = document.createElement(tag);
    setAttributes(node, attributes);
    return appendChildren(node, children);
  }

  /** An SVG element, made with the DOM (the CSP allows no inline style). */
  function svg(tag, attributes, ...children) {
    const node = document.createElementNS(SVG_NS, tag);
    setAttributes(node, attributes);
    return appendChildren(node, children);
  }

  function replaceChildren(node, ...children) {
    node.replaceChildren();
    return appendChildren(node, children);
  }

  function announce(text) {
    announcer.textContent = "";
    window.setTimeout(() => { announcer.textContent = text; }, 30);
  }

  // ---------------------------------------------------------------- formatting

  const formats = {
    full: new Intl.DateTimeFormat(undefined, {
      year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit",
    }),
    precise: new Intl.DateTimeFormat(undefined, {
      year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit",
      fractionalSecondDigits: 3,
    }),
    time: new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" }),
    clock: new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" }),
    dayClock: new Intl.DateTimeFormat(undefined, { weekday: "short", hour: "2-digit", minute: "2-digit" }),
    range: new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" }),
    clockMs: new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit", fractionalSecondDigits: 3 }),
    day: new Intl.DateTimeFormat(undefined, { weekday: "short", year: "numeric", month: "short", day: "numeric" }),
  };
  const zoneName = Intl.DateTimeFormat().resolvedOptions().timeZone || "your browser's zone";
  const numberFormat = new Intl.NumberFormat();

  function parseTime(text) {
    if (typeof text !== "string" || text === "") return null;
    const date = new Date(text);
    return Number.isNaN(date.getTime()) ? null : date;
  }

  function utcText(date) {
    return "UTC " + date.toISOString().replace("T", " ").replace("Z", "");
  }

  function sameDay(a, b) {
    return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
  }

  /**
   * A <time> in the browser's zone, with the UTC time in its title. `style` "short" is the
   * time alone today and the date and time on other days.
   */
  function timeEl(text, style = "full") {
    const date = parseTime(text);
    if (!date) return el("span", { class: "muted" }, text ? String(text) : "—");
    const format = style === "short" ? (sameDay(date, new Date()) ? formats.time : formats.range) : formats[style];
    return el("time", { datetime: date.toISOString(), title: utcText(date) }, format.format(date));
  }

  /** "850 ms", "4.2 s", "3 min 12 s", "2 h 5 min", "3 d 4 h". */
  function formatDuration(milliseconds) {
    if (milliseconds === null || milliseconds === undefined || Number.isNaN(milliseconds)) return "—";
    const sign = milliseconds < 0 ? "−" : "";
    const ms = Math.abs(milliseconds);
    if (ms < 1000) return `${sign}${Math.round(ms)} ms`;
    const seconds = ms / 1000;
    if (seconds < 60) return `${sign}${seconds < 10 ? seconds.toFixed(1) : Math.round(seconds)} s`;
    const whole = Math.round(seconds);
    const minutes = Math.floor(whole / 60);
    if (minutes < 60) return `${sign}${minutes} min ${whole % 60} s`;
    const hours = Math.floor(minutes / 60);
    if (hours < 24) return `${sign}${hours} h ${minutes % 60} min`;
    return `${sign}${Math.floor(hours / 24)} d ${hours % 24} h`;
  }

  function formatCount(value) {
    return numberFormat.format(value || 0);
  }

  function formatPercent(part, whole) {
    if (!whole) return "—";
    return `${((100 * part) / whole).toFixed(1)} %`;
  }

  function toneOf(status) {
    return STATUS_TONE[status] || "neutral";
  }

  function statusBadge(status, { large = false } = {}) {
    const text = status === undefined || status === null || status === "" ? "unknown" : String(status);
    return el("span", { class: ["badge", `tone-${toneOf(text)}`, large && "badge-large"] }, text.replace(/_/g, " "));
  }

  function chip(text, tone = "neutral", title) {
    return el("span", { class: ["chip", `tone-${tone}`], title }, text);
  }

  function sourceName(source) {
    return SOURCES[source] || String(source || "unknown source");
  }

  function messageLink(sid) {
    return el("a", { href: `/console/message/${encodeURIComponent(sid)}`, "data-route": true, class: "sid" }, sid);
  }

  function docsLink(code) {
    const number = Number(code);
    if (!Number.isInteger(number)) return null;
    return el("a", {
      href: `https://www.twilio.com/docs/api/errors/${number}`, rel: "noopener noreferrer", target: "_blank",
      class: "external",
    }, `Twilio's page for ${number}`);
  }

  function panel(attributes, ...children) {
    const classes = ["panel"].concat(attributes && attributes.class ? attributes.class : []);
    return el("section", { ...attributes, class: classes }, ...children);
  }

  function tableWrap(table) {
    return el("div", { class: "table-wrap" }, table);
  }

  /** A table: columns [{label, className}], rows of cells (nodes or text). */
  function dataTable(columns, rows, { caption, className, stack = false } = {}) {
    return el("table", { class: [className, stack && "stack"] },
      caption ? el("caption", { class: "visually-hidden" }, caption) : null,
      el("thead", {}, el("tr", {}, columns.map((column) => el("th", { scope: "col", class: column.className }, column.label)))),
      el("tbody", {}, rows.map((cells) => el("tr", {}, cells.map((cell, index) =>
        el("td", { class: columns[index].className, "data-label": columns[index].label }, cell))))));
  }

  // ---------------------------------------------------------------- the API

  class APIError extends Error {
    constructor(status, code, message, field) {
      super(message);
      this.status = status;
      this.code = code;
      this.field = field;
    }
  }

  function storedToken() {
    try {
      return window.sessionStorage.getItem(TOKEN_KEY) || "";
    } catch {
      return "";
    }
  }

  function storeToken(token) {
    try {
      if (token) window.sessionStorage.setItem(TOKEN_KEY, token);
      else window.sessionStorage.removeItem(TOKEN_KEY);
    } catch {
      // Storage refused (a private window's quota): the token lasts until the tab closes its page.
    }
    forgetButton.hidden = !token;
  }

  function authorizationHeaders(extra) {
    const headers = { ...extra };
    const token = storedToken();
    if (token) headers.Authorization = `Bearer ${token}`;
    return headers;
  }

  async function errorFrom(response) {
    let body = null;
    try {
      body = await response.json();
    } catch {
      body = null;
    }
    const error = body && body.error ? body.error : {};
    return new APIError(
      response.status, error.code || `http_${response.status}`,
      error.message || `The server answered ${response.status} ${response.statusText}.`, error.field);
  }

  /** Calls the API; resolves with the JSON answer, rejects with an APIError. */
  async function api(path, { method = "GET", body, signal } = {}) {
    const headers = authorizationHeaders({ Accept: "application/json" });
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let response;
    try {
      response = await fetch(path, {
        method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal,
        cache: "no-store", credentials: "same-origin", redirect: "error",
      });
    } catch (error) {
      if (error.name === "AbortError") throw error;
      throw new APIError(0, "unreachable", "Tidings did not answer. Is the server running, and is this page served by it?");
    }
    if (!response.ok) throw await errorFrom(response);
    return response.json();
  }

  // ---------------------------------------------------------------- pages and routing

  let current = null;

  function navigate(url, { replace = false } = {}) {
    if (replace) window.history.replaceState(null, "", url);
    else window.history.pushState(null, "", url);
    render({ focus: true });
  }

  function route(path) {
    const parts = path.replace(/\/+$/, "").split("/").filter(Boolean).map((part) => {
      try {
        return decodeURIComponent(part);
      } catch {
        return part;
      }
    });
    if (parts.length === 0 || (parts.length === 1 && parts[0] === "console")) return { page: "message" };
    if (parts[0] !== "console") return { page: "message", unknown: path };
    if (parts[1] === "message" && parts.length <= 3) return { page: "message", sid: parts[2] };
    if (parts.length === 2 && ["live", "overview", "sinks"].includes(parts[1])) return { page: parts[1] };
    return { page: "message", unknown: path };
  }

  const PAGES = { message: messagePage, live: livePage, overview: overviewPage, sinks: sinksPage };

  function render({ focus = false } = {}) {
    if (current) {
      current.controller.abort();
      for (const cleanup of current.cleanups) cleanup();
    }
    const controller = new AbortController();
    const context = { controller, signal: controller.signal, cleanups: [] };
    current = context;
    const target = route(window.location.pathname);
    for (const link of document.querySelectorAll(".nav a")) {
      if (link.dataset.page === target.page) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
    }
    main.replaceChildren();
    forgetButton.hidden = !storedToken();
    Promise.resolve()
      .then(() => PAGES[target.page](context, target))
      .catch((error) => pageFailed(context, error));
    if (focus) main.focus({ preventScroll: false });
  }

  /** Whether `context` is still the page on screen. */
  function live(context) {
    return current === context && !context.signal.aborted;
  }

  function pageFailed(context, error) {
    if (!live(context) || (error && error.name === "AbortError")) return;
    if (error instanceof APIError && error.status === 401) {
      showTokenForm(context, error);
      return;
    }
    console.error(error);
    appendChildren(main, errorPanel(error));
  }

  function errorPanel(error, title = "Something went wrong") {
    const message = error instanceof APIError ? error.message : String(error && error.message ? error.message : error);
    return el("div", { class: "callout tone-bad", role: "alert" },
      el("strong", {}, title), " ", message,
      error instanceof APIError && error.status ? el("span", { class: "muted" }, ` (${error.status} ${error.code})`) : null);
  }

  /**
   * Replaces the page with the token form: nothing of the page stays on screen. The API
   * answered 401, so the server has a token and this tab has none, or the wrong one.
   */
  function showTokenForm(context, error) {
    context.controller.abort();
    for (const cleanup of context.cleanups) cleanup();
    context.cleanups = [];
    const hadToken = Boolean(storedToken());
    storeToken("");
    document.title = "API token needed · Tidings";
    const input = el("input", {
      id: "token-input", name: "token", type: "password", autocomplete: "off", spellcheck: "false",
      autocapitalize: "off", required: true, "aria-describedby": "token-help",
    });
    const form = el("form", {
      id: "token-form", class: "token-form",
      onsubmit: (event) => {
        event.preventDefault();
        const token = input.value.trim();
        if (!token) return;
        storeToken(token);
        render({ focus: true });
      },
    },
    el("label", { for: "token-input" }, "API token"),
    el("div", { class: "search-row" }, input, el("button", { type: "submit", class: "primary" }, "Use this token")));
    main.replaceChildren(panel({ class: "token-panel", "aria-labelledby": "token-title" },
      el("h1", { id: "token-title" }, "This server needs its API token"),
      hadToken ? el("p", { class: "callout tone-bad", role: "alert" }, "The server refused the token: ", error.message) : null,
      el("p", { id: "token-help" },
        "Tidings guards /v1 — it shows phone numbers — with the token given to the server as ",
        el("code", {}, "TIDINGS_API_TOKEN"), ". The console keeps it in this tab only (sessionStorage) and sends it as ",
        el("code", {}, "Authorization: Bearer …"), " to this server's /v1, nowhere else."),
      form));
    input.focus();
  }

  forgetButton.addEventListener("click", () => {
    storeToken("");
    announce("The token is forgotten.");
    render({ focus: true });
  });

  document.addEventListener("click", (event) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const link = event.target.closest("a[data-route]");
    if (!link || link.target === "_blank") return;
    const url = new URL(link.href, window.location.href);
    if (url.origin !== window.location.origin) return;
    event.preventDefault();
    navigate(url.pathname + url.search);
  });

  document.addEventListener("keydown", (event) => {
    if (event.key !== "/" || event.metaKey || event.ctrlKey || event.altKey) return;
    const active = document.activeElement;
    if (active && (active.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(active.tagName))) return;
    const search = document.getElementById("sid-input");
    if (search) {
      event.preventDefault();
      search.focus();
      search.select();
    }
  });

  window.addEventListener("popstate", () => render({ focus: true }));

  // ---------------------------------------------------------------- message page

  // What each error code means, once the server said (from /v1/errors or /v1/stats); by code.
  const errorExplanations = new Map();

  function rememberExplanations(stats) {
    for (const entry of stats.errorCodes || []) errorExplanations.set(entry.code, entry);
  }

  async function messagePage(context, target) {
    const sid = target.sid ? target.sid.trim() : "";
    document.title = sid ? `${sid} · Tidings` : "Message · Tidings";
    const input = el("input", {
      id: "sid-input", name: "sid", type: "search", value: sid, placeholder: "SM…, MM… or IM…",
      autocomplete: "off", spellcheck: "false", autocapitalize: "off", required: true,
      "aria-describedby": "sid-hint", class: "sid-input",
    });
    const form = el("form", {
      class: "search", role: "search",
      onsubmit: (event) => {
        event.preventDefault();
        const value = input.value.trim();
        if (value) navigate(`/console/message/${encodeURIComponent(value)}`);
      },
    },
    el("label", { for: "sid-input", class: "search-label" }, "Look up a message"),
    el("div", { class: "search-row" }, input, el("button", { type: "submit", class: "primary" }, "Look up")),
    el("p", { id: "sid-hint", class: "hint" },
      "SM… or MM…: the message's record. IM…: a Conversations message and every participant's receipt. Press ",
      el("kbd", {}, "/"), " to come back here."));
    const result = el("div", { class: "result", "aria-live": "polite", "aria-busy": "true" });
    appendChildren(main, form, target.unknown
      ? el("p", { class: "callout tone-neutral" }, "The console has no page at ", el("code", {}, target.unknown), ".")
      : null, result);
    if (!sid) {
      await recentMessages(context, result);
    } else if (/^IM/i.test(sid)) {
      await conversationMessage(context, sid, result);
    } else {
      await channelMessage(context, sid, result);
    }
    result.setAttribute("aria-busy", "false");
  }

  function notFound(result, error, sid) {
    replaceChildren(result, el("div", { class: "callout tone-warn", role: "alert" },
      el("strong", {}, `Nothing stored for ${sid}. `), error.message));
  }

  async function channelMessage(context, sid, result) {
    replaceChildren(result, el("p", { class: "muted loading" }, `Looking up ${sid}…`));
    let record;
    try {
      record = await api(`/v1/messages/${encodeURIComponent(sid)}`, { signal: context.signal });
    } catch (error) {
      if (error instanceof APIError && error.status === 404) return notFound(result, error, sid);
      throw error;
    }
    if (!live(context)) return;
    replaceChildren(result, recordView(context, record));
    announce(`${record.sid}: ${record.status}`);
  }

  function fact(label, ...value) {
    return el("div", { class: "fact" }, el("dt", {}, label), el("dd", {}, ...value));
  }

  function recordView(context, record) {
    const final = FINAL_STATUSES.has(record.status);
    const flags = [
      chip(record.channel || "unknown channel", "neutral", "channel"),
      final ? chip("final", "neutral", "Twilio will not move this message any more (but read)") : chip("in flight", "progress", "not final yet"),
      record.conflict ? chip("conflict", "bad", "reports disagree about the final status") : null,
      record.stale ? chip("stale", "warn", "in flight and no news for longer than --stale-after") : null,
    ];
    const conversation = record.conversation;
    const head = panel({ class: "record-head", "aria-labelledby": "record-title" },
      el("div", { class: "record-title" },
        el("h1", { id: "record-title", class: "sid" }, record.sid),
        el("span", { class: "record-status", "data-status": true }, statusBadge(record.status, { large: true })),
        el("div", { class: "chips" }, flags)),
      el("dl", { class: "facts" },
        fact("From", el("span", { class: "address", "data-field": "from" }, record.from || "—")),
        fact("To", el("span", { class: "address", "data-field": "to" }, record.to || "—")),
        fact("First news", timeEl(record.firstSeenAt)),
        fact("Last news", timeEl(record.updatedAt)),
        record.accountSid ? fact("Account", el("code", {}, record.accountSid)) : null,
        record.messagingServiceSid ? fact("Messaging Service", el("code", {}, record.messagingServiceSid)) : null,
        conversation && conversation.messageSid
          ? fact("Conversations message", el("a", {
            href: `/console/message/${encodeURIComponent(conversation.messageSid)}`, "data-route": true, class: "sid",
          }, conversation.messageSid), conversation.participantSid ? el("span", { class: "muted" }, ` · participant ${conversation.participantSid}`) : null)
          : null));
    const sections = [head];
    if (record.conflict || record.stale) sections.push(flagCallouts(record));
    if (record.errorCode !== null && record.errorCode !== undefined) sections.push(errorView(context, record));
    sections.push(timelineView(record));
    sections.push(historyView(record));
    return el("article", { class: "record", "data-sid": record.sid }, sections);
  }

  function flagCallouts(record) {
    return el("div", { class: "flag-callouts" },
      record.conflict ? el("p", { class: "callout tone-bad", "data-flag": "conflict" },
        el("strong", {}, "Conflict. "),
        "Reports disagree about this message's fate (two different final statuses, or a read after a failure). The first final status stands; the history shows each report.") : null,
      record.stale ? el("p", { class: "callout tone-warn", "data-flag": "stale" },
        el("strong", {}, "Stale. "),
        "The message is still in flight and nothing was heard of it for longer than --stale-after. Carriers sometimes never answer; reconciliation asks Twilio when it is configured.") : null);
  }

  function errorView(context, record) {
    const code = record.errorCode;
    const tone = record.status === "failed" ? "bad" : "warn";
    const meaning = el("p", { class: "meaning", "data-field": "error-meaning" }, el("span", { class: "muted" }, "Looking up what it means…"));
    const retry = el("p", { class: "retry", "data-field": "error-retry" });
    const explanation = (entry) => {
      if (!entry || !entry.meaning) {
        replaceChildren(meaning, el("span", { class: "muted" },
          "Tidings' error catalog says nothing more about this code; Twilio's page has the details."));
        replaceChildren(retry);
        return;
      }
      replaceChildren(meaning, entry.meaning);
      replaceChildren(retry, entry.retryable
        ? [chip("retry can help", "ok"), " The condition is usually temporary: sending again later may succeed."]
        : [chip("retry will not help", "bad"), " It fails the same way until something changes (the number, the content, a registration)."]);
    };
    const known = errorExplanations.get(code);
    if (known) {
      explanation(known);
    } else {
      lookUpErrorCode(context, record).then((entry) => {
        if (live(context)) explanation(entry);
      }).catch((error) => {
        if (!live(context) || error.name === "AbortError") return;
        if (error instanceof APIError && error.status === 401) return pageFailed(context, error);
        replaceChildren(meaning, el("span", { class: "muted" }, `Could not ask the server what it means: ${error.message}`));
      });
    }
    return panel({ class: ["error-panel", `tone-${tone}`], "aria-labelledby": "error-title" },
      el("h2", { id: "error-title" },
        el("span", { class: "error-code", "data-field": "error-code" }, `Error ${code}`),
        record.errorMessage ? [" · ", el("span", { "data-field": "error-title" }, record.errorMessage)] : null),
      meaning, retry,
      record.channelStatusMessage
        ? el("p", {}, el("span", { class: "muted" }, "The channel said: "), el("q", {}, record.channelStatusMessage))
        : null,
      el("p", {}, docsLink(code)));
  }

  /**
   * What an error code means, asked of `GET /v1/errors/{code}` (once per code): null when
   * Tidings does not explain that code.
   */
  async function lookUpErrorCode(context, record) {
    const code = record.errorCode;
    if (!errorExplanations.has(code)) {
      try {
        errorExplanations.set(code, await api(`/v1/errors/${encodeURIComponent(code)}`, { signal: context.signal }));
      } catch (error) {
        if (!(error instanceof APIError) || error.status !== 404) throw error;
        errorExplanations.set(code, null);
      }
    }
    return errorExplanations.get(code);
  }

  function timelineView(record) {
    const timeline = Array.isArray(record.timeline) ? record.timeline : [];
    const content = [];
    if (timeline.length === 0) {
      content.push(el("p", { class: "muted" }, "No documented status yet: the history below has what arrived."));
    } else {
      const list = el("ol", { class: "timeline", "data-field": "timeline" });
      timeline.forEach((entry, index) => {
        if (index > 0) {
          const before = parseTime(timeline[index - 1].at);
          const at = parseTime(entry.at);
          const delay = before && at ? at - before : null;
          list.appendChild(el("li", {
            class: ["timeline-gap", delay !== null && delay < 0 && "backwards"],
            title: delay !== null && delay < 0 ? "earlier than the step before: the reports told of it out of order" : null,
          }, el("span", { class: "timeline-delay" }, delay === null ? "" : `${delay >= 0 ? "+" : ""}${formatDuration(delay)}`)));
        }
        list.appendChild(el("li", { class: "timeline-step", "data-status": entry.status },
          el("span", { class: ["timeline-dot", `tone-${toneOf(entry.status)}`], "aria-hidden": "true" }),
          statusBadge(entry.status), timeEl(entry.at, "clockMs")));
      });
      content.push(list);
      const first = parseTime(timeline[0].at);
      const last = parseTime(timeline[timeline.length - 1].at);
      if (first && last) {
        content.push(el("p", { class: "timeline-total" },
          timeline.length > 1
            ? [`${timeline[0].status} → ${timeline[timeline.length - 1].status} in `, el("strong", {}, formatDuration(last - first)), ", "]
            : null,
          sameDay(first, last)
            ? ["on ", el("time", { datetime: first.toISOString(), title: utcText(first) }, formats.day.format(first))]
            : ["from ", timeEl(timeline[0].at), " to ", timeEl(timeline[timeline.length - 1].at)],
          "."));
      }
    }
    if (record.carrierDoneAt || record.rawDlrDoneDate) {
      const done = parseTime(record.carrierDoneAt);
      const finalEntry = timeline.find((entry) => FINAL_STATUSES.has(entry.status) && entry.status !== "read");
      const reported = finalEntry ? parseTime(finalEntry.at) : null;
      content.push(el("p", { class: "carrier-done", "data-field": "carrier-done" },
        el("span", { class: "label" }, "Carrier done: "),
        done ? timeEl(record.carrierDoneAt) : el("span", { class: "muted" }, "not a time Tidings could read"),
        record.rawDlrDoneDate ? el("span", { class: "muted" }, ` (RawDlrDoneDate ${record.rawDlrDoneDate}, to the minute, UTC)`) : null,
        done && reported ? el("span", {}, ` · Twilio reported ${finalEntry.status} about ${formatDuration(reported - done)} after it.`) : null));
    }
    return panel({ "aria-labelledby": "timeline-title" }, el("h2", { id: "timeline-title" }, "Timeline"), content);
  }

  function paramsTable(params) {
    const list = Array.isArray(params) ? params : [];
    return tableWrap(dataTable(
      [{ label: "Parameter", className: "param-name" }, { label: "Value", className: "param-value" }],
      list.map((param) => [el("code", {}, param.name), el("code", {}, param.value)]),
      { caption: "Raw parameters as received", className: "params" }));
  }

  function historyView(record) {
    const history = Array.isArray(record.history) ? record.history : [];
    const list = el("ol", { class: "history", "data-field": "history" }, history.map((entry, index) => el("li", { class: "history-entry" },
      el("div", { class: "history-head" },
        el("span", { class: "history-index" }, `#${index + 1}`),
        statusBadge(entry.status),
        el("span", { class: "source", "data-source": entry.source }, "from ", el("strong", {}, sourceName(entry.source))),
        entry.applied ? chip("moved the status", "ok") : chip("kept in history only", "neutral", "a lower, equal or contradicting status: it did not move the record"),
        entry.errorCode !== null && entry.errorCode !== undefined ? chip(`error ${entry.errorCode}`, "bad") : null,
        entry.duplicates ? chip(`repeated ${entry.duplicates}×`, "neutral", "exact repeats, acknowledged and not stored again") : null),
      el("p", { class: "history-times" }, "Received ", timeEl(entry.receivedAt, "precise"),
        entry.eventAt ? [" · happened ", timeEl(entry.eventAt, "precise"), " by Twilio's clock"] : null),
      el("details", { class: "params-details" },
        el("summary", {}, `Raw parameters (${(entry.params || []).length})`),
        paramsTable(entry.params),
        entry.dedupeKey ? el("p", { class: "muted" }, "Dedupe key: ", el("code", {}, entry.dedupeKey)) : null))));
    return panel({ "aria-labelledby": "history-title" },
      el("h2", { id: "history-title" }, "History ", el("span", { class: "muted count" }, `${history.length} report${history.length === 1 ? "" : "s"}`)),
      el("p", { class: "hint" }, "Every distinct report in the order it arrived, with its parameters exactly as sent."),
      list);
  }

  async function conversationMessage(context, sid, result) {
    replaceChildren(result, el("p", { class: "muted loading" }, `Looking up ${sid}…`));
    let answer;
    try {
      answer = await api(`/v1/conversations/messages/${encodeURIComponent(sid)}`, { signal: context.signal });
    } catch (error) {
      if (error instanceof APIError && error.status === 404) return notFound(result, error, sid);
      throw error;
    }
    if (!live(context)) return;
    const delivery = answer.delivery || {};
    const share = (name, good) => {
      const value = delivery[name] || "none";
      const tone = good
        ? (value === "all" ? "ok" : value === "some" ? "warn" : "neutral")
        : (value === "none" ? "neutral" : "bad");
      return el("li", { class: ["delivery-item", `tone-${tone}`], "data-delivery": name },
        el("span", { class: "label" }, name), el("strong", {}, value));
    };
    const receipts = Array.isArray(answer.receipts) ? answer.receipts : [];
    replaceChildren(result, el("article", { class: "record", "data-sid": answer.sid },
      panel({ class: "record-head", "aria-labelledby": "record-title" },
        el("div", { class: "record-title" },
          el("h1", { id: "record-title", class: "sid" }, answer.sid),
          el("div", { class: "chips" }, chip("Conversations message", "neutral"))),
        el("dl", { class: "facts" },
          fact("Conversation", el("code", {}, answer.conversationSid || "—")),
          fact("Conversations service", el("code", {}, answer.chatServiceSid || "—")),
          fact("Receipts", formatCount(delivery.total)))),
      panel({ "aria-labelledby": "delivery-title" },
        el("h2", { id: "delivery-title" }, "Delivery"),
        el("p", { class: "hint" }, "Over every participant's receipt: whether all, some or none reached each status (a read counts as delivered and sent)."),
        el("ul", { class: "delivery", "data-field": "delivery" },
          share("sent", true), share("delivered", true), share("read", true), share("undelivered", false), share("failed", false))),
      panel({ "aria-labelledby": "receipts-title" },
        el("h2", { id: "receipts-title" }, "Receipts ", el("span", { class: "muted count" }, String(receipts.length))),
        tableWrap(dataTable(
          [{ label: "Participant" }, { label: "Channel message" }, { label: "Status" }, { label: "Error" }, { label: "Last news" }],
          receipts.map((receipt) => [
            [el("code", {}, receipt.participantSid || "—"), receipt.sid ? el("span", { class: "muted sub" }, "receipt ", el("code", {}, receipt.sid)) : null],
            messageLink(receipt.channelMessageSid),
            statusBadge(receipt.status),
            receipt.errorCode !== null && receipt.errorCode !== undefined
              ? [el("strong", {}, String(receipt.errorCode)), receipt.errorMessage ? [" ", el("span", { class: "muted" }, receipt.errorMessage)] : null]
              : el("span", { class: "muted" }, "—"),
            timeEl(receipt.updatedAt, "short"),
          ]),
          { caption: "Receipts", className: "receipts", stack: true })))));
    announce(`${answer.sid}: ${receipts.length} receipts`);
  }

  async function recentMessages(context, result) {
    let problemsOnly = new URLSearchParams(window.location.search).get("problems") === "1";
    const body = el("div", { class: "recent-body" });
    const toggle = (value, label) => el("button", {
      type: "button", class: "toggle", "aria-pressed": String(problemsOnly === value),
      onclick: (event) => {
        problemsOnly = value;
        window.history.replaceState(null, "", value ? "?problems=1" : window.location.pathname);
        for (const button of group.querySelectorAll("button")) button.setAttribute("aria-pressed", String(button === event.currentTarget));
        load().catch((error) => pageFailed(context, error));
      },
    }, label);
    const group = el("div", { class: "segmented", role: "group", "aria-label": "Which messages" },
      toggle(false, "All"), toggle(true, "Undelivered and failed"));
    const load = async () => {
      const query = new URLSearchParams({ limit: "25" });
      if (problemsOnly) query.set("status", "undelivered,failed");
      const page = await api(`/v1/messages?${query}`, { signal: context.signal });
      if (!live(context)) return;
      const messages = page.messages || [];
      replaceChildren(body, messages.length === 0
        ? el("p", { class: "muted" }, problemsOnly ? "No undelivered or failed message is stored." : "No message is stored yet. Point a StatusCallback at this server.")
        : tableWrap(dataTable(
          [{ label: "Last news" }, { label: "Message" }, { label: "Status" }, { label: "Channel" }, { label: "To" }, { label: "Error" }],
          messages.map((message) => [
            timeEl(message.updatedAt, "short"),
            messageLink(message.sid),
            [statusBadge(message.status), message.conflict ? [" ", chip("conflict", "bad")] : null, message.stale ? [" ", chip("stale", "warn")] : null],
            message.channel || "—",
            el("span", { class: "address" }, message.to || "—"),
            message.errorCode !== null && message.errorCode !== undefined
              ? [el("strong", {}, String(message.errorCode)), message.errorMessage ? [" ", el("span", { class: "muted" }, message.errorMessage)] : null]
              : el("span", { class: "muted" }, "—"),
          ]),
          { caption: "Latest messages", className: "recent", stack: true })));
    };
    // The first load decides whether the page may show anything (a 401: the token form).
    await load();
    if (!live(context)) return;
    replaceChildren(result, panel({ "aria-labelledby": "recent-title" },
      el("div", { class: "panel-head" }, el("h2", { id: "recent-title" }, "Latest messages"), group),
      el("p", { class: "hint" }, "Newest news first. Open one for its timeline and history."),
      body));
  }

  // ---------------------------------------------------------------- live page

  /** Reads `/v1/events` with fetch (EventSource cannot send the token) and parses SSE. */
  function followEvents(signal, path, { onEvent, onState, onFatal, onError }) {
    let lastEventID = null;
    let attempt = 0;
    const alive = () => !signal.aborted;
    const run = async () => {
      while (alive()) {
        const attemptController = new AbortController();
        const stop = () => attemptController.abort();
        signal.addEventListener("abort", stop, { once: true });
        let watchdog = null;
        const feed = () => {
          window.clearTimeout(watchdog);
          // The server writes a comment every 15 s: silence for 45 s is a dead connection.
          watchdog = window.setTimeout(() => attemptController.abort(), 45000);
        };
        try {
          onState("connecting");
          const headers = authorizationHeaders({ Accept: "text/event-stream" });
          if (lastEventID !== null) headers["Last-Event-ID"] = lastEventID;
          feed();
          const response = await fetch(path, {
            headers, signal: attemptController.signal, cache: "no-store", credentials: "same-origin", redirect: "error",
          });
          if (!response.ok) {
            const error = await errorFrom(response);
            if (response.status === 401 || response.status === 400 || response.status === 404) {
              onFatal(error);
              return;
            }
            throw error;
          }
          attempt = 0;
          onState("open");
          const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
          let buffer = "";
          let data = [];
          let type = "";
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            feed();
            buffer += value;
            // Lines end in CRLF, LF or CR; a CR at the end of a chunk may be half a CRLF.
            let match;
            const lineEnd = /\r\n|\n|\r(?!$)/g;
            let consumed = 0;
            while ((match = lineEnd.exec(buffer)) !== null) {
              const line = buffer.slice(consumed, match.index);
              consumed = match.index + match[0].length;
              if (line === "") {
                if (data.length > 0) onEvent({ type: type || "message", data: data.join("\n"), id: lastEventID });
                data = [];
                type = "";
                continue;
              }
              if (line.startsWith(":")) continue;
              const colon = line.indexOf(":");
              const field = colon === -1 ? line : line.slice(0, colon);
              let fieldValue = colon === -1 ? "" : line.slice(colon + 1);
              if (fieldValue.startsWith(" ")) fieldValue = fieldValue.slice(1);
              if (field === "data") data.push(fieldValue);
              else if (field === "event") type = fieldValue;
              else if (field === "id" && !fieldValue.includes("\0")) lastEventID = fieldValue;
            }
            buffer = buffer.slice(consumed);
          }
        } catch (error) {
          if (!alive()) return;
          if (error.name !== "AbortError") console.warn("the live stream broke", error);
        } finally {
          window.clearTimeout(watchdog);
          signal.removeEventListener("abort", stop);
        }
        if (!alive()) return;
        const delay = Math.min(1000 * 2 ** attempt, 15000);
        attempt += 1;
        onState("reconnecting", delay);
        await new Promise((resolve) => {
          const timer = window.setTimeout(resolve, delay);
          signal.addEventListener("abort", () => { window.clearTimeout(timer); resolve(); }, { once: true });
        });
      }
    };
    run().catch(onError);
  }

  function livePage(context) {
    document.title = "Live · Tidings";
    const params = new URLSearchParams(window.location.search);
    const chosenStatuses = new Set((params.get("status") || "").split(",").filter((status) => LIVE_STATUSES.includes(status)));
    let channel = CHANNELS.includes(params.get("channel")) ? params.get("channel") : "";
    let onlyErrors = params.get("onlyErrors") === "true";
    let paused = false;
    let waiting = [];
    const maximumRows = 500;

    const state = el("span", { class: "stream-state", "data-state": "connecting", role: "status" }, "Connecting…");
    const pauseButton = el("button", { type: "button", class: "toggle", "aria-pressed": "false", id: "live-pause" }, "Pause");
    const rows = el("tbody", { id: "live-rows" });
    const empty = el("p", { class: "muted live-empty" }, "Waiting for the next status change. New ones appear at the top.");
    const notices = el("div", { class: "live-notices" });
    const table = el("table", { class: "live stack", "aria-describedby": "live-hint" },
      el("caption", { class: "visually-hidden" }, "Status changes, newest first"),
      el("thead", {}, el("tr", {}, ["Time", "Message", "Status", "Channel", "To", "Error", "Source"].map((label) => el("th", { scope: "col" }, label)))),
      rows);

    const statusBoxes = LIVE_STATUSES.map((status) => el("label", { class: "check" },
      el("input", { type: "checkbox", name: "status", value: status, checked: chosenStatuses.has(status) }),
      statusBadge(status)));
    const channelSelect = el("select", { id: "live-channel", name: "channel" },
      el("option", { value: "" }, "every channel"),
      CHANNELS.map((name) => el("option", { value: name, selected: name === channel }, name)));
    const errorsBox = el("input", { type: "checkbox", id: "live-errors", name: "onlyErrors", checked: onlyErrors });
    const filters = el("form", { class: "filters", "aria-label": "Filters", onsubmit: (event) => event.preventDefault() },
      el("fieldset", { class: "status-filter" }, el("legend", {}, "Status (none ticked: every status)"), statusBoxes),
      el("div", { class: "filter-row" },
        el("label", { for: "live-channel" }, "Channel "), channelSelect,
        el("label", { class: "check errors-only" }, errorsBox, " Errors only")));

    const setState = (name, delay) => {
      state.dataset.state = paused && name === "open" ? "paused" : name;
      if (name === "open") state.textContent = paused ? `Paused · ${waiting.length} new` : "Live";
      else if (name === "connecting") state.textContent = "Connecting…";
      else if (name === "reconnecting") state.textContent = `Connection lost · again in ${Math.round(delay / 1000)} s`;
      state.dataset.connection = name;
    };

    const showChange = (change, fresh) => {
      const row = el("tr", { class: fresh ? "fresh" : null, "data-sid": change.sid, "data-seq": change.seq },
        el("td", { "data-label": "Time" }, timeEl(change.receivedAt, "time")),
        el("td", { "data-label": "Message" }, messageLink(change.sid)),
        el("td", { "data-label": "Status", class: "status-cell" },
          change.previousStatus && change.previousStatus !== change.status
            ? el("span", { class: "muted" }, `${String(change.previousStatus).replace(/_/g, " ")} → `) : null,
          statusBadge(change.status),
          change.applied === false && change.reportedStatus && change.reportedStatus !== change.status
            ? el("span", { class: "muted sub" }, `${change.reportedStatus} reported, kept in history`) : null,
          change.conflict ? [" ", chip("conflict", "bad")] : null,
          change.stale ? [" ", chip("stale", "warn")] : null),
        el("td", { "data-label": "Channel" }, change.channel || "—"),
        el("td", { "data-label": "To", class: "address" }, change.to || "—"),
        el("td", { "data-label": "Error" }, change.errorCode !== null && change.errorCode !== undefined
          ? [el("strong", {}, String(change.errorCode)), change.errorMessage ? [" ", el("span", { class: "muted" }, change.errorMessage)] : null]
          : el("span", { class: "muted" }, "—")),
        el("td", { "data-label": "Source", class: "source-cell" }, change.stale ? "stale check" : SHORT_SOURCES[change.source] || sourceName(change.source)));
      rows.insertBefore(row, rows.firstChild);
      while (rows.childElementCount > maximumRows) rows.removeChild(rows.lastChild);
      empty.hidden = true;
      if (fresh) window.setTimeout(() => row.classList.remove("fresh"), 2500);
    };

    const onEvent = (event) => {
      if (event.type === "reset") {
        appendChildren(notices, el("p", { class: "callout tone-warn" },
          "The server's store was reset or restored: it sends every change it still keeps, oldest first."));
        return;
      }
      if (event.type !== "status") return;
      let change;
      try {
        change = JSON.parse(event.data);
      } catch {
        return;
      }
      if (paused) {
        waiting.push(change);
        if (waiting.length > maximumRows) waiting = waiting.slice(-maximumRows);
        setState("open");
        return;
      }
      showChange(change, true);
    };

    let stream = null;
    const start = () => {
      if (stream) stream.abort();
      // A stream of its own per filter: it dies with the page, or when the filters change.
      const controller = new AbortController();
      context.signal.addEventListener("abort", () => controller.abort(), { once: true });
      stream = controller;
      const query = new URLSearchParams();
      if (chosenStatuses.size > 0) query.set("status", [...chosenStatuses].join(","));
      if (channel) query.set("channel", channel);
      if (onlyErrors) query.set("onlyErrors", "true");
      const search = query.toString();
      window.history.replaceState(null, "", `/console/live${search ? `?${search}` : ""}`);
      const alive = () => live(context) && !controller.signal.aborted;
      followEvents(controller.signal, `/v1/events${search ? `?${search}` : ""}`, {
        onEvent: (event) => { if (alive()) onEvent(event); },
        onState: (name, delay) => { if (alive()) setState(name, delay); },
        onError: (error) => pageFailed(context, error),
        onFatal: (error) => {
          if (!alive()) return;
          if (error.status === 401) return pageFailed(context, error);
          setState("failed");
          state.textContent = "Stopped";
          replaceChildren(notices, errorPanel(error, "The server refused the stream."));
        },
      });
    };
    const restart = () => {
      rows.replaceChildren();
      waiting = [];
      empty.hidden = false;
      notices.replaceChildren();
      start();
    };
    for (const box of statusBoxes) {
      box.querySelector("input").addEventListener("change", (event) => {
        if (event.target.checked) chosenStatuses.add(event.target.value);
        else chosenStatuses.delete(event.target.value);
        restart();
      });
    }
    channelSelect.addEventListener("change", () => { channel = channelSelect.value; restart(); });
    errorsBox.addEventListener("change", () => { onlyErrors = errorsBox.checked; restart(); });
    pauseButton.addEventListener("click", () => {
      paused = !paused;
      pauseButton.setAttribute("aria-pressed", String(paused));
      pauseButton.textContent = paused ? "Resume" : "Pause";
      if (!paused) {
        for (const change of waiting) showChange(change, true);
        waiting = [];
      }
      setState(state.dataset.connection === "open" ? "open" : state.dataset.connection || "connecting");
      announce(paused ? "Paused: new changes wait until you resume." : "Resumed.");
    });

    appendChildren(main,
      el("div", { class: "page-head" },
        el("h1", {}, "Live"),
        el("div", { class: "page-actions" }, state, pauseButton)),
      el("p", { id: "live-hint", class: "hint" },
        "Every status change as the server commits it (", el("code", {}, "GET /v1/events"),
        "), newest first; the filters apply to the status each change leaves its message in."),
      panel({ class: "filters-panel" }, filters),
      notices,
      panel({ class: "live-panel" }, empty, tableWrap(table)));
    start();
  }

  // ---------------------------------------------------------------- overview page

  const DELIVERED_STATUSES = ["delivered", "read"];
  const PROBLEM_STATUSES = ["undelivered", "failed"];
  const IN_FLIGHT_STATUSES = ["accepted", "scheduled", "queued", "sending", "sent", "receiving"];

  function sumOf(counts, statuses) {
    return statuses.reduce((total, status) => total + ((counts && counts[status]) || 0), 0);
  }

  async function overviewPage(context) {
    const params = new URLSearchParams(window.location.search);
    const windowName = WINDOWS[params.get("window")] ? params.get("window") : "24h";
    const chosen = WINDOWS[windowName];
    document.title = `Overview (${windowName}) · Tidings`;
    const windowButtons = el("div", { class: "segmented", role: "group", "aria-label": "Window" },
      Object.keys(WINDOWS).map((name) => el("button", {
        type: "button", class: "toggle", "aria-pressed": String(name === windowName), "data-window": name,
        onclick: () => navigate(`/console/overview?window=${name}`, { replace: true }),
      }, name)));
    const body = el("div", { class: "overview-body", "aria-busy": "true" }, el("p", { class: "muted loading" }, "Counting…"));
    const hint = el("p", { class: "hint" });
    appendChildren(main,
      el("div", { class: "page-head" }, el("h1", {}, "Overview"), el("div", { class: "page-actions" }, windowButtons)),
      hint, body);

    const load = async () => {
      // The window ends with the bucket under way, so the cards and the chart count the same messages.
      const bucketMs = chosen.bucketSeconds * 1000;
      const until = new Date(Math.floor(Date.now() / bucketMs) * bucketMs + bucketMs);
      const since = new Date(until.getTime() - chosen.buckets * bucketMs);
      const range = `since=${encodeURIComponent(since.toISOString())}&until=${encodeURIComponent(until.toISOString())}`;
      const [stats, series] = await Promise.allSettled([
        api(`/v1/stats?${range}`, { signal: context.signal }),
        api(`/v1/stats/series?${range}&bucket=${chosen.bucket}`, { signal: context.signal }),
      ]);
      replaceChildren(hint, `Messages whose last news came in ${chosen.label} (from `, timeEl(since.toISOString(), "short"),
        `, in ${chosen.wholeBuckets}), by their status now.`);
      if (!live(context)) return;
      for (const outcome of [stats, series]) {
        if (outcome.status === "rejected" && outcome.reason instanceof APIError && outcome.reason.status === 401) throw outcome.reason;
      }
      if (stats.status === "rejected") throw stats.reason;
      rememberExplanations(stats.value);
      replaceChildren(body, overviewView(stats.value, series, windowName));
      body.setAttribute("aria-busy", "false");
    };
    await load();
    const timer = window.setInterval(() => {
      if (document.hidden) return;
      load().catch((error) => pageFailed(context, error));
    }, 60000);
    context.cleanups.push(() => window.clearInterval(timer));
  }

  function overviewView(stats, series, windowName) {
    const byStatus = stats.byStatus || {};
    const delivered = sumOf(byStatus, DELIVERED_STATUSES);
    const problems = sumOf(byStatus, PROBLEM_STATUSES);
    const inFlight = sumOf(byStatus, IN_FLIGHT_STATUSES);
    const card = (label, value, detail, tone, name) => el("div", { class: ["card", tone && `tone-${tone}`], "data-card": name },
      el("span", { class: "card-label" }, label), el("strong", { class: "card-value" }, value),
      detail ? el("span", { class: "card-detail" }, detail) : null);
    const cards = el("div", { class: "cards" },
      card("Messages", formatCount(stats.total), null, null, "total"),
      card("Delivered", formatCount(delivered), "delivered or read", "ok", "delivered"),
      card("Not delivered", formatCount(problems), "undelivered or failed", problems ? "bad" : null, "problems"),
      card("Delivery rate", formatPercent(delivered, delivered + problems), "of those with a final answer", null, "rate"),
      card("In flight", formatCount(inFlight), `${formatCount(stats.stale)} stale`, stats.stale ? "warn" : null, "in-flight"),
      card("Conflicts", formatCount(stats.conflicts), "reports disagree", stats.conflicts ? "bad" : null, "conflicts"));

    let chartSection;
    if (series.status === "fulfilled") {
      chartSection = chartView(series.value, windowName);
    } else {
      const error = series.reason;
      chartSection = panel({ class: "chart-panel", "aria-labelledby": "chart-title" },
        el("h2", { id: "chart-title" }, "Per interval"),
        error instanceof APIError && (error.status === 404 || error.status === 405)
          ? el("p", { class: "callout tone-neutral", "data-chart": "missing" },
            "This server has no ", el("code", {}, "GET /v1/stats/series"), " yet, so there is no chart. The counts below are complete.")
          : errorPanel(error, "The chart's counts did not come."));
    }

    const statuses = Object.entries(byStatus).sort((a, b) => b[1] - a[1]);
    const statusTable = statuses.length === 0
      ? el("p", { class: "muted" }, "No message in this window.")
      : tableWrap(dataTable([{ label: "Status" }, { label: "Messages", className: "number" }, { label: "Share", className: "number" }],
        statuses.map(([status, count]) => [statusBadge(status), formatCount(count), formatPercent(count, stats.total)]),
        { caption: "Messages by status", className: "compact" }));
    const channels = Object.entries(stats.byChannel || {}).sort((a, b) => b[1] - a[1]);
    const channelTable = channels.length === 0
      ? el("p", { class: "muted" }, "No message in this window.")
      : tableWrap(dataTable([{ label: "Channel" }, { label: "Messages", className: "number" }, { label: "Share", className: "number" }],
        channels.map(([name, count]) => [name, formatCount(count), formatPercent(count, stats.total)]),
        { caption: "Messages by channel", className: "compact" }));

    const codes = (stats.errorCodes || []).slice(0, 10);
    const errorTable = codes.length === 0
      ? el("p", { class: "muted" }, "No error code in this window.")
      : tableWrap(dataTable(
        [{ label: "Code" }, { label: "What it means" }, { label: "Retry?" }, { label: "Messages", className: "number" }],
        codes.map((entry) => [
          el("a", { href: `https://www.twilio.com/docs/api/errors/${Number(entry.code)}`, rel: "noopener noreferrer", target: "_blank", class: "external code" }, String(entry.code)),
          [el("strong", {}, entry.title || "Unknown to Tidings' catalog"), entry.meaning ? el("span", { class: "meaning-text" }, entry.meaning) : null],
          entry.retryable === true ? chip("can help", "ok") : entry.retryable === false ? chip("will not help", "bad") : chip("unknown", "neutral"),
          formatCount(entry.count),
        ]),
        { caption: "Top error codes", className: "errors", stack: true }));

    const latency = stats.latency || {};
    const latencyRows = [
      ["queued → sent", latency.queuedToSent],
      ["sent → delivered", latency.sentToDelivered],
      ["carrier done → callback", latency.carrierToCallback],
    ];
    const seconds = (value) => (value === undefined || value === null ? "—" : formatDuration(value * 1000));
    const latencyTable = tableWrap(dataTable(
      [{ label: "Step" }, { label: "p50", className: "number" }, { label: "p90", className: "number" }, { label: "p99", className: "number" }, { label: "max", className: "number" }, { label: "Messages", className: "number" }],
      latencyRows.map(([label, summary]) => summary
        ? [label, seconds(summary.p50), seconds(summary.p90), seconds(summary.p99), seconds(summary.max), formatCount(summary.count)]
        : [label, "—", "—", "—", "—", "0"]),
      { caption: "Latency percentiles", className: "compact latency" }));

    return [
      cards, chartSection,
      el("div", { class: "columns" },
        panel({ "aria-labelledby": "status-title" }, el("h2", { id: "status-title" }, "By status"), statusTable),
        panel({ "aria-labelledby": "channel-title" }, el("h2", { id: "channel-title" }, "By channel"), channelTable)),
      panel({ "aria-labelledby": "errors-title" }, el("h2", { id: "errors-title" }, "Top error codes"), errorTable),
      panel({ "aria-labelledby": "latency-title" }, el("h2", { id: "latency-title" }, "Latency"),
        el("p", { class: "hint" }, "Percentiles over the messages in this window that went through each step."), latencyTable),
    ];
  }

  /** The top of a count axis with four whole, round steps: 4, 8, 20, 40, 200, … */
  function niceMaximum(value) {
    const quarter = Math.max(1, value / 4);
    const magnitude = 10 ** Math.floor(Math.log10(quarter));
    for (const step of [1, 2, 2.5, 5, 10]) {
      if (step * magnitude >= quarter && Number.isInteger(step * magnitude)) return 4 * step * magnitude;
    }
    return 40 * magnitude;
  }

  function bucketLabel(date, windowName) {
    return windowName === "7d" ? formats.dayClock.format(date) : formats.clock.format(date);
  }

  /** Delivered vs undelivered + failed per bucket, as an SVG bar chart, and its table. */
  function chartView(series, windowName) {
    const buckets = Array.isArray(series.buckets) ? series.buckets : [];
    const frame = el("div", { class: "chart-frame" });
    // Drawn at the frame's own width, so that its text keeps its size on a phone; drawn
    // again when the frame's width changes.
    let drawnWidth = 0;
    const draw = () => {
      if (!frame.isConnected || frame.clientWidth === 0) return;
      const width = Math.max(280, Math.round(frame.clientWidth));
      if (Math.abs(width - drawnWidth) < 24) return;
      drawnWidth = width;
      replaceChildren(frame, drawChart(buckets, series.bucketSeconds, windowName, width));
    };
    new ResizeObserver(draw).observe(frame);
    const values = buckets.map((bucket) => {
      const counts = bucket.counts || {};
      return { bucket, start: parseTime(bucket.start), delivered: sumOf(counts, DELIVERED_STATUSES), problems: sumOf(counts, PROBLEM_STATUSES), total: bucket.total || 0 };
    });
    const totalDelivered = values.reduce((sum, value) => sum + value.delivered, 0);
    const totalProblems = values.reduce((sum, value) => sum + value.problems, 0);
    const summary = `${buckets.length} bars, one per ${WINDOWS[windowName].bucketLabel}: ${formatCount(totalDelivered)} delivered, ${formatCount(totalProblems)} undelivered or failed, ${formatPercent(totalDelivered, totalDelivered + totalProblems)} delivered.`;
    const legend = el("ul", { class: "legend" },
      el("li", {}, el("span", { class: "swatch swatch-delivered", "aria-hidden": "true" }), "delivered or read"),
      el("li", {}, el("span", { class: "swatch swatch-problems", "aria-hidden": "true" }), "undelivered or failed"),
      el("li", {}, el("span", { class: "swatch swatch-rate", "aria-hidden": "true" }), "delivery rate (right axis)"));
    const table = tableWrap(dataTable(
      [{ label: "From" }, { label: "Delivered", className: "number" }, { label: "Undelivered + failed", className: "number" }, { label: "Rate", className: "number" }, { label: "All messages", className: "number" }],
      values.map((value) => [
        value.start ? timeEl(value.bucket.start) : String(value.bucket.start),
        formatCount(value.delivered), formatCount(value.problems),
        formatPercent(value.delivered, value.delivered + value.problems), formatCount(value.total),
      ]),
      { caption: "The chart's numbers", className: "compact" }));
    return panel({ class: "chart-panel", "aria-labelledby": "chart-title" },
      el("div", { class: "panel-head" },
        el("h2", { id: "chart-title" }, `Delivered vs undelivered + failed, per ${WINDOWS[windowName].bucketLabel}`), legend),
      el("p", { id: "chart-summary", class: "hint" }, summary),
      frame,
      el("details", { class: "chart-table" }, el("summary", {}, "The chart as a table"), table));
  }

  /** The chart itself: `width` wide in CSS pixels, one group (g.bucket) per bucket. */
  function drawChart(buckets, bucketSeconds, windowName, width) {
    const height = width < 600 ? 220 : 280;
    const margin = { top: 18, right: 46, bottom: 40, left: 44 };
    const plotWidth = width - margin.left - margin.right;
    const plotHeight = height - margin.top - margin.bottom;
    const values = buckets.map((bucket) => {
      const counts = bucket.counts || {};
      const delivered = sumOf(counts, DELIVERED_STATUSES);
      const problems = sumOf(counts, PROBLEM_STATUSES);
      return { bucket, start: parseTime(bucket.start), delivered, problems, total: bucket.total || 0 };
    });
    const highest = Math.max(0, ...values.map((value) => value.delivered + value.problems));
    const top = niceMaximum(highest);
    const y = (count) => margin.top + plotHeight - (count / top) * plotHeight;
    const slot = buckets.length ? plotWidth / buckets.length : plotWidth;
    const barWidth = Math.max(2, slot * 0.66);
    const bucketMs = (bucketSeconds || 0) * 1000;
    const round = (number) => Math.round(number * 10) / 10;

    const chart = svg("svg", {
      class: "chart", viewBox: `0 0 ${width} ${height}`, role: "img", "data-window": windowName, "data-bars": buckets.length,
      "aria-labelledby": "chart-title chart-summary", preserveAspectRatio: "xMidYMid meet",
    });
    const grid = svg("g", { class: "grid" });
    for (const fraction of [0, 0.25, 0.5, 0.75, 1]) {
      const count = top * fraction;
      const lineY = round(y(count));
      grid.appendChild(svg("line", { x1: margin.left, x2: width - margin.right, y1: lineY, y2: lineY, class: fraction === 0 ? "axis-line" : "grid-line" }));
      grid.appendChild(svg("text", { x: margin.left - 8, y: lineY + 4, class: "axis-label", "text-anchor": "end" }, formatCount(Math.round(count))));
      grid.appendChild(svg("text", { x: width - margin.right + 8, y: lineY + 4, class: "axis-label rate-label", "text-anchor": "start" }, `${Math.round(fraction * 100)}%`));
    }
    chart.appendChild(grid);

    const bars = svg("g", { class: "bars" });
    const labelEvery = Math.ceil(buckets.length / Math.max(2, Math.floor(plotWidth / 90))) || 1;
    const ratePoints = [];
    values.forEach((value, index) => {
      const x = margin.left + index * slot + (slot - barWidth) / 2;
      const finals = value.delivered + value.problems;
      const rate = finals ? value.delivered / finals : null;
      const end = value.start && bucketMs ? new Date(value.start.getTime() + bucketMs) : null;
      const when = value.start ? `${formats.range.format(value.start)}${end ? `–${formats.clock.format(end)}` : ""}` : String(value.bucket.start);
      const group = svg("g", { class: "bucket", "data-start": value.bucket.start, "data-delivered": value.delivered, "data-problems": value.problems },
        svg("title", {}, `${when}: ${formatCount(value.delivered)} delivered, ${formatCount(value.problems)} undelivered or failed${rate === null ? "" : `, ${formatPercent(value.delivered, finals)} delivered`} (${formatCount(value.total)} messages)`),
        svg("rect", { class: "hit", x: round(margin.left + index * slot), y: margin.top, width: round(slot), height: plotHeight }));
      const deliveredTop = y(value.delivered);
      if (value.delivered > 0) {
        group.appendChild(svg("rect", { class: "bar-delivered", x: round(x), y: round(deliveredTop), width: round(barWidth), height: round(margin.top + plotHeight - deliveredTop) }));
      }
      if (value.problems > 0) {
        const problemsTop = y(value.delivered + value.problems);
        group.appendChild(svg("rect", { class: "bar-problems", x: round(x), y: round(problemsTop), width: round(barWidth), height: round(deliveredTop - problemsTop) }));
      }
      if (finals === 0) {
        group.appendChild(svg("rect", { class: "bar-empty", x: round(x), y: round(margin.top + plotHeight - 1.5), width: round(barWidth), height: 1.5 }));
      }
      if (rate !== null) ratePoints.push({ x: round(x + barWidth / 2), y: round(margin.top + (1 - rate) * plotHeight), index });
      bars.appendChild(group);
      if (index % labelEvery === 0 && value.start) {
        chart.appendChild(svg("text", { x: round(x + barWidth / 2), y: height - margin.bottom + 18, class: "axis-label", "text-anchor": "middle" }, bucketLabel(value.start, windowName)));
      }
    });
    chart.appendChild(bars);

    // The delivery rate: a line through the buckets that had final answers, broken where one had none.
    const rate = svg("g", { class: "rate" });
    let run = [];
    const flush = () => {
      if (run.length > 1) rate.appendChild(svg("polyline", { points: run.map((point) => `${point.x},${point.y}`).join(" "), class: "rate-line" }));
      run = [];
    };
    ratePoints.forEach((point, position) => {
      if (position > 0 && point.index !== ratePoints[position - 1].index + 1) flush();
      run.push(point);
      rate.appendChild(svg("circle", { cx: point.x, cy: point.y, r: 3.5, class: "rate-dot" }));
    });
    flush();
    chart.appendChild(rate);
    if (highest === 0) {
      chart.appendChild(svg("text", { x: width / 2, y: margin.top + plotHeight / 2, class: "chart-empty", "text-anchor": "middle" },
        "No message reached a final status in this window"));
    }

    return chart;
  }

  // ---------------------------------------------------------------- sinks page

  async function sinksPage(context) {
    document.title = "Sinks · Tidings";
    const outcome = el("div", { class: "replay-outcome", role: "status", "aria-live": "polite" });
    const rows = new Map();
    const tbody = el("tbody", {});
    const updated = el("span", { class: "muted" });
    const refreshButton = el("button", { type: "button", onclick: () => load().catch((error) => pageFailed(context, error)) }, "Refresh");
    const dialog = el("dialog", { class: "confirm", "aria-labelledby": "confirm-title" });
    context.cleanups.push(() => dialog.remove());
    document.body.appendChild(dialog);

    const confirmReplay = (sink) => new Promise((resolve) => {
      const cancel = el("button", { type: "button", value: "cancel", autofocus: true }, "Cancel");
      const confirm = el("button", { type: "button", value: "replay", class: "primary", id: "confirm-replay" }, "Replay");
      replaceChildren(dialog,
        el("h2", { id: "confirm-title" }, `Replay ${formatCount(sink.deadLetters)} dead letter${sink.deadLetters === 1 ? "" : "s"} to ${sink.name}?`),
        el("p", {}, "Tidings offers the sink every change it gave up on again. The ones it takes leave the dead letters; the ones it still refuses stay."),
        el("p", { class: "muted" }, "The receiver may see a change it already has: its id tells a repeat."),
        el("div", { class: "dialog-actions" }, cancel, confirm));
      const finish = (answer) => {
        dialog.close();
        resolve(answer);
      };
      cancel.addEventListener("click", () => finish(false));
      confirm.addEventListener("click", () => finish(true));
      dialog.addEventListener("cancel", () => resolve(false), { once: true });
      dialog.showModal();
      cancel.focus();
    });

    const replay = async (name, button) => {
      const sink = rows.get(name).sink;
      if (!(await confirmReplay(sink))) {
        button.focus();
        return;
      }
      button.disabled = true;
      replaceChildren(outcome, el("p", { class: "muted" }, `Replaying the dead letters of ${name}…`));
      try {
        const answer = await api(`/v1/sinks/${encodeURIComponent(name)}/replay`, { method: "POST", body: { deadLetters: true }, signal: context.signal });
        if (!live(context)) return;
        replaceChildren(outcome, el("p", { class: "callout tone-ok" },
          `${answer.sink} took ${formatCount(answer.delivered)} dead letter${answer.delivered === 1 ? "" : "s"}.`));
      } catch (error) {
        if (error.name === "AbortError" || !live(context)) return;
        if (error instanceof APIError && error.status === 401) return pageFailed(context, error);
        replaceChildren(outcome, errorPanel(error, "Replay failed."));
      }
      await load();
      button.focus();
    };

    const cellsOf = (sink) => {
      const waiting = sink.lagEvents || 0;
      return [
        el("strong", { class: "sink-name" }, sink.name),
        [el("span", {}, `${formatCount(sink.cursor)} of ${formatCount(sink.latestSeq)}`)],
        waiting === 0
          ? chip("up to date", "ok")
          : [chip(`${formatCount(waiting)} waiting`, sink.lagSeconds > 60 ? "bad" : "warn"), el("span", { class: "muted" }, ` oldest ${formatDuration((sink.lagSeconds || 0) * 1000)}`)],
        sink.lastError
          ? [el("span", { class: "sink-error" }, sink.lastError), sink.lastErrorAt ? [el("br"), el("span", { class: "muted" }, "at "), timeEl(sink.lastErrorAt)] : null]
          : el("span", { class: "muted" }, "none"),
        sink.deadLetters ? chip(formatCount(sink.deadLetters), "bad") : el("span", { class: "muted" }, "0"),
      ];
    };

    const load = async () => {
      const answer = await api("/v1/sinks", { signal: context.signal });
      if (!live(context)) return;
      const sinks = Array.isArray(answer.sinks) ? answer.sinks : [];
      const seen = new Set();
      for (const sink of sinks) {
        seen.add(sink.name);
        let row = rows.get(sink.name);
        if (!row) {
          const button = el("button", { type: "button", class: "replay", "data-sink": sink.name });
          button.addEventListener("click", () => replay(sink.name, button));
          const cells = ["Sink", "Taken", "Lag", "Last error", "Dead letters", ""].map((label) => el("td", { "data-label": label }));
          const tr = el("tr", { "data-sink": sink.name }, cells);
          appendChildren(cells[5], button);
          tbody.appendChild(tr);
          row = { tr, cells, button };
          rows.set(sink.name, row);
        }
        row.sink = sink;
        cellsOf(sink).forEach((content, index) => replaceChildren(row.cells[index], content));
        row.button.textContent = sink.deadLetters ? "Replay dead letters" : "No dead letters";
        row.button.disabled = !sink.deadLetters;
        row.tr.classList.toggle("has-dead-letters", Boolean(sink.deadLetters));
      }
      for (const [name, row] of rows) {
        if (!seen.has(name)) {
          row.tr.remove();
          rows.delete(name);
        }
      }
      replaceChildren(updated, "Updated ", timeEl(new Date().toISOString(), "time"), " · every 10 s");
    };

    await load();
    appendChildren(main,
      el("div", { class: "page-head" }, el("h1", {}, "Sinks"), el("div", { class: "page-actions" }, updated, refreshButton)),
      el("p", { class: "hint" },
        "Where status changes go, and how far behind each is. A dead letter is a change the sink refused (a 4xx) or that failed for 24 hours; a replay offers them again."),
      outcome,
      panel({ class: "sinks-panel" }, tableWrap(el("table", { class: "sinks stack" },
        el("caption", { class: "visually-hidden" }, "Sinks"),
        el("thead", {}, el("tr", {}, ["Sink", "Taken", "Lag", "Last error", "Dead letters", "Action"].map((label) => el("th", { scope: "col" }, label)))),
        tbody))));
    const timer = window.setInterval(() => {
      if (document.hidden || dialog.open) return;
      load().catch((error) => pageFailed(context, error));
    }, 10000);
    context.cleanups.push(() => window.clearInterval(timer));
  }

  // ---------------------------------------------------------------- start

  const footer = el("footer", { class: "page-foot" },
    `Times are in ${zoneName}; hover over one for UTC. `,
    el("a", { href: "/metrics" }, "Metrics"), " · ", el("a", { href: "/readyz" }, "Readiness"));
  document.body.appendChild(footer);
  render();
})();
