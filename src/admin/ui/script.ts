// The web UI's browser code, kept as plain JavaScript text so that no build
// step is needed: page.ts inlines it into a <script> element. It talks only to
// the management HTTP API (RabbitMQ's paths and JSON shapes), so the same page
// works against Warren or RabbitMQ.
//
// Written inside String.raw so backslashes reach the browser verbatim; for
// that reason the code below uses no backquotes and no dollar-brace
// sequences, and never spells the closing script tag.
export const UI_SCRIPT = String.raw`
"use strict";
(function () {
  var AUTH_KEY = "warren.ui.auth";
  var USER_KEY = "warren.ui.user";
  var VHOST_KEY = "warren.ui.vhost";
  var REFRESH_KEY = "warren.ui.refresh";
  var HISTORY_WINDOW_MS = 3 * 60 * 1000;
  var GET_TRUNCATE_BYTES = 50000;

  var state = {
    auth: sessionStorage.getItem(AUTH_KEY),
    user: sessionStorage.getItem(USER_KEY) || "",
    vhost: sessionStorage.getItem(VHOST_KEY) || "",
    refreshMs: Number(sessionStorage.getItem(REFRESH_KEY) || 2000),
    vhosts: [],
    vhostSelects: [],
    history: [],
    generation: 0,
    timer: 0,
    current: null,
  };

  // ---- small DOM helpers ----------------------------------------------

  function h(tag, props) {
    var el = document.createElement(tag);
    if (props) {
      Object.keys(props).forEach(function (k) {
        var v = props[k];
        if (v === null || v === undefined || v === false) return;
        if (k === "class") el.className = v;
        else if (k === "text") el.textContent = v;
        else if (k.slice(0, 2) === "on") el.addEventListener(k.slice(2), v);
        else if (k === "value" || k === "checked" || k === "selected") el[k] = v;
        else el.setAttribute(k, v === true ? "" : v);
      });
    }
    for (var i = 2; i < arguments.length; i++) append(el, arguments[i]);
    return el;
  }

  function append(el, kid) {
    if (kid === null || kid === undefined || kid === false) return;
    if (Array.isArray(kid)) kid.forEach(function (k) { append(el, k); });
    else el.appendChild(kid instanceof Node ? kid : document.createTextNode(String(kid)));
  }

  function clear(el) {
    while (el.firstChild) el.removeChild(el.firstChild);
  }

  function svg(tag, attrs) {
    var el = document.createElementNS("http://www.w3.org/2000/svg", tag);
    Object.keys(attrs || {}).forEach(function (k) { el.setAttribute(k, attrs[k]); });
    return el;
  }

  // ---- formatting -------------------------------------------------------

  function fmtInt(n) {
    if (n === null || n === undefined || n === "") return "";
    if (typeof n !== "number" || !isFinite(n)) return String(n);
    return n.toLocaleString("en-US");
  }

  function rateOf(stats, key) {
    var d = stats && stats[key + "_details"];
    return d && typeof d.rate === "number" ? d.rate : 0;
  }

  /** A rate for a table cell: blank when the server reports no such statistic. */
  function rateCell(stats, key) {
    var d = stats && stats[key + "_details"];
    return d && typeof d.rate === "number" ? fmtRate(d.rate) : "";
  }

  function fmtRate(r) {
    if (!r) return "0.0/s";
    var digits = Math.abs(r) >= 100 ? 0 : 1;
    return r.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits }) + "/s";
  }

  function fmtBytes(n) {
    if (typeof n !== "number") return "";
    var units = ["B", "KiB", "MiB", "GiB", "TiB"];
    var i = 0;
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
    return (i === 0 ? String(n) : n.toFixed(1)) + " " + units[i];
  }

  function fmtArgs(args) {
    if (!args || typeof args !== "object") return "";
    var keys = Object.keys(args);
    if (keys.length === 0) return "";
    return keys.map(function (k) { return k + ": " + JSON.stringify(args[k]); }).join(", ");
  }

  function tagList(tags) {
    if (Array.isArray(tags)) return tags.filter(Boolean);
    if (typeof tags === "string") return tags.split(",").map(function (t) { return t.trim(); }).filter(Boolean);
    return [];
  }

  function vhostLabel(v) {
    return v;
  }

  function exchangeLabel(name) {
    return name === "" ? "(AMQP default)" : name;
  }

  function badges(o, internal) {
    var out = [];
    if (o.durable) out.push(h("span", { class: "badge d", title: "durable" }, "D"));
    if (o.auto_delete) out.push(h("span", { class: "badge ad", title: "auto-delete" }, "AD"));
    if (o.exclusive) out.push(h("span", { class: "badge x", title: "exclusive" }, "Excl"));
    if (internal && o.internal) out.push(h("span", { class: "badge i", title: "internal" }, "I"));
    var args = o.arguments || {};
    Object.keys(args).forEach(function (k) {
      if (k === "x-queue-type") return;
      out.push(h("span", { class: "badge", title: k + " = " + JSON.stringify(args[k]) }, shortArg(k)));
    });
    if (o.policy) {
      var def = fmtArgs(o.effective_policy_definition);
      out.push(h("span", { class: "badge pol", title: "policy " + o.policy + (def ? ": " + def : "") }, "Pol " + o.policy));
    }
    return out;
  }

  /**
   * Arguments or a policy definition, one "key: value" line each; note(k), when given, says
   * how a key fares against the queue's own arguments: { text, overridden } or null.
   */
  function kvLines(obj, note) {
    var keys = obj && typeof obj === "object" ? Object.keys(obj) : [];
    if (keys.length === 0) return h("span", { class: "muted" }, "none");
    return h("div", { class: "kv-lines" }, keys.map(function (k) {
      var n = note ? note(k) : null;
      return h("div", { class: n && n.overridden ? "overridden" : null },
        h("span", { class: "mono" }, k + ": " + JSON.stringify(obj[k])),
        n ? h("span", { class: "muted" }, " (" + n.text + ")") : null);
    }));
  }

  // RabbitMQ's rule for a queue with both an argument and a policy value: for these limits
  // the lower of the two applies; for every other key the declare-time argument wins.
  var LOWER_WINS = ["message-ttl", "expires", "max-length", "max-length-bytes"];

  function policyVsArguments(q) {
    return function (k) {
      var arg = "x-" + k;
      var args = q.arguments || {};
      if (!Object.prototype.hasOwnProperty.call(args, arg)) return null;
      var a = args[arg], p = q.effective_policy_definition[k];
      if (LOWER_WINS.indexOf(k) >= 0 && typeof a === "number" && typeof p === "number" && p < a) {
        return { text: "applies: lower than the " + arg + " argument, " + a, overridden: false };
      }
      return { text: "the " + arg + " argument applies", overridden: true };
    };
  }

  function shortArg(k) {
    var map = {
      "x-message-ttl": "TTL", "x-expires": "Exp", "x-max-length": "Lim", "x-max-length-bytes": "Lim B",
      "x-dead-letter-exchange": "DLX", "x-dead-letter-routing-key": "DLK", "x-max-priority": "Pri",
      "x-overflow": "Ovfl", "x-single-active-consumer": "SAC", "x-queue-mode": "Mode",
      "alternate-exchange": "AE",
    };
    return map[k] || k.replace(/^x-/, "");
  }

  function stateCell(s) {
    var v = s || "running";
    return h("span", { class: "state " + v }, v);
  }

  // ---- API access ---------------------------------------------------------

  function ApiError(status, reason) {
    this.status = status;
    this.message = reason;
  }
  ApiError.prototype = Object.create(Error.prototype);

  function enc(s) {
    return encodeURIComponent(s);
  }

  async function api(method, path, body, auth) {
    var headers = { authorization: "Basic " + (auth || state.auth) };
    var init = { method: method, headers: headers, credentials: "omit", cache: "no-store" };
    if (body !== undefined) {
      headers["content-type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    var res;
    try {
      res = await fetch("api" + path, init);
    } catch (e) {
      throw new ApiError(0, "cannot reach the server (" + (e && e.message ? e.message : e) + ")");
    }
    var text = await res.text();
    var data = null;
    if (text) {
      try { data = JSON.parse(text); } catch (_e) { data = text; }
    }
    if (!res.ok) {
      var reason = "";
      if (data && typeof data === "object") reason = data.reason || data.error || "";
      else if (typeof data === "string") reason = data;
      if (typeof reason !== "string") reason = JSON.stringify(reason);
      throw new ApiError(res.status, reason || ("HTTP " + res.status + " " + res.statusText));
    }
    return data;
  }

  function items(data) {
    if (Array.isArray(data)) return data;
    if (data && Array.isArray(data.items)) return data.items;
    return [];
  }

  function byVhostName(a, b) {
    return (a.vhost || "").localeCompare(b.vhost || "") || (a.name || "").localeCompare(b.name || "");
  }

  /** Keeps the objects of the vhost chosen in the header (all when none is). */
  function inVhost(list) {
    return state.vhost ? list.filter(function (o) { return o.vhost === state.vhost; }) : list;
  }

  function vhostPath(base) {
    return state.vhost ? base + "/" + enc(state.vhost) : base;
  }

  // ---- messages under forms -------------------------------------------------

  function note() {
    return h("div", { class: "msg", role: "status" });
  }

  function say(el, kind, text) {
    el.className = "msg " + kind;
    el.textContent = text;
  }

  function errText(e) {
    if (e instanceof ApiError) return (e.status ? e.status + ": " : "") + e.message;
    return String(e && e.message ? e.message : e);
  }

  async function run(button, msgEl, fn, okText) {
    if (button) button.disabled = true;
    if (msgEl) say(msgEl, "", "");
    try {
      var r = await fn();
      if (msgEl && okText) say(msgEl, "ok", typeof okText === "function" ? okText(r) : okText);
      refreshNow();
      return r;
    } catch (e) {
      if (msgEl) say(msgEl, "error", errText(e));
      else showBanner(errText(e));
      return undefined;
    } finally {
      if (button) button.disabled = false;
    }
  }

  // ---- tables that update in place ---------------------------------------
  // Rows are keyed, and a cell is rewritten only when what it shows changed,
  // so a live refresh does not steal a click or a text selection.

  function makeTable(columns, keyOf, emptyText) {
    var thead = h("thead");
    var groups = columns.some(function (c) { return c.group; });
    if (groups) {
      var gr = h("tr", { class: "group" });
      var i = 0;
      while (i < columns.length) {
        var g = columns[i].group || "";
        var span = 1;
        while (i + span < columns.length && (columns[i + span].group || "") === g && g) span++;
        gr.appendChild(h("th", { colspan: String(span), class: g ? "num" : "" }, g));
        i += span;
      }
      thead.appendChild(gr);
    }
    thead.appendChild(h("tr", null, columns.map(function (c) {
      return h("th", { class: c.num ? "num" : "", title: c.hint || null }, c.title);
    })));
    var tbody = h("tbody");
    var table = h("table", { class: "list" }, thead, tbody);
    var rows = new Map();
    var emptyRow = h("tr", null, h("td", { class: "empty", colspan: String(columns.length) }, emptyText || "Nothing to show."));

    function update(list) {
      var seen = new Set();
      var wanted = [];
      list.forEach(function (item) {
        var key = keyOf(item);
        seen.add(key);
        var tr = rows.get(key);
        if (!tr) {
          tr = h("tr", { "data-key": key });
          columns.forEach(function (c) {
            tr.appendChild(h("td", { class: (c.num ? "num " : "") + (c.cls || "") }));
          });
          rows.set(key, tr);
        }
        columns.forEach(function (c, idx) {
          var td = tr.children[idx];
          var content = c.render(item);
          var sig;
          if (content instanceof Node || Array.isArray(content)) {
            var probe = h("span", null, content);
            sig = "n:" + probe.innerHTML;
            if (td.__sig !== sig) {
              clear(td);
              append(td, content);
              td.__sig = sig;
            }
          } else {
            sig = "t:" + (content === null || content === undefined ? "" : String(content));
            if (td.__sig !== sig) {
              td.textContent = sig.slice(2);
              td.__sig = sig;
            }
          }
        });
        wanted.push(tr);
      });
      rows.forEach(function (tr, key) {
        if (!seen.has(key)) {
          rows.delete(key);
          if (tr.parentNode) tr.parentNode.removeChild(tr);
        }
      });
      if (wanted.length === 0) {
        if (tbody.firstChild !== emptyRow || tbody.children.length !== 1) {
          clear(tbody);
          tbody.appendChild(emptyRow);
        }
        return;
      }
      if (emptyRow.parentNode) tbody.removeChild(emptyRow);
      wanted.forEach(function (tr, idx) {
        if (tbody.children[idx] !== tr) tbody.insertBefore(tr, tbody.children[idx] || null);
      });
    }

    update([]);
    return { el: h("div", { class: "table-wrap" }, table), update: update };
  }

  function panel(title, countEl) {
    var p = h("section", { class: "panel" });
    if (title) p.appendChild(h("h2", null, title, countEl || null));
    return p;
  }

  function counter() {
    return h("span", { class: "count" });
  }

  function setCount(el, n, noun) {
    el.textContent = fmtInt(n) + " " + noun + (n === 1 ? "" : "s");
  }

  // ---- form fields ------------------------------------------------------

  function field(label, input) {
    return h("label", { class: "field" }, h("span", null, label), input);
  }

  function check(label, name, on) {
    var box = h("input", { type: "checkbox", name: name, checked: !!on });
    return { box: box, el: h("label", { class: "check" }, box, label) };
  }

  function select(name, options, value) {
    var s = h("select", { name: name });
    options.forEach(function (o) {
      var v = Array.isArray(o) ? o[0] : o;
      var t = Array.isArray(o) ? o[1] : o;
      s.appendChild(h("option", { value: v, selected: v === value }, t));
    });
    return s;
  }

  /** A <select> of virtual hosts that follows the list as vhosts come and go. */
  function vhostSelect(name) {
    var s = h("select", { name: name || "vhost" });
    state.vhostSelects.push(s);
    fillVhostSelect(s, state.vhost || "/");
    return s;
  }

  function fillVhostSelect(s, preferred) {
    var names = state.vhosts.map(function (v) { return v.name; });
    var current = s.value || preferred;
    var existing = Array.prototype.map.call(s.options, function (o) { return o.value; });
    if (existing.join("\n") === names.join("\n")) return;
    clear(s);
    names.forEach(function (n) { s.appendChild(h("option", { value: n }, vhostLabel(n))); });
    if (names.indexOf(current) >= 0) s.value = current;
    else if (names.indexOf(preferred) >= 0) s.value = preferred;
  }

  // ---- the shell: login, header, tabs, router ------------------------------

  var root = document.getElementById("app");
  var shell = null;

  function encodeAuth(user, pass) {
    var bytes = new TextEncoder().encode(user + ":" + pass);
    var bin = "";
    bytes.forEach(function (b) { bin += String.fromCharCode(b); });
    return btoa(bin);
  }

  function showLogin(message) {
    stopRefresh();
    shell = null;
    state.vhostSelects = [];
    clear(root);
    var user = h("input", { type: "text", name: "username", autocomplete: "username", value: state.user || "", required: true });
    var pass = h("input", { type: "password", name: "password", autocomplete: "current-password", required: true });
    var msg = note();
    var button = h("button", { type: "submit", class: "primary" }, "Log in");
    var form = h("form", {
      class: "login",
      onsubmit: async function (e) {
        e.preventDefault();
        var auth = encodeAuth(user.value, pass.value);
        button.disabled = true;
        say(msg, "", "");
        try {
          var me = await api("GET", "/whoami", undefined, auth);
          state.auth = auth;
          state.user = (me && me.name) || user.value;
          sessionStorage.setItem(AUTH_KEY, auth);
          sessionStorage.setItem(USER_KEY, state.user);
          showApp(me);
        } catch (err) {
          var text = err instanceof ApiError && err.status === 401
            ? "Login failed: " + (err.message || "wrong username or password")
            : errText(err);
          say(msg, "error", text);
        } finally {
          button.disabled = false;
        }
      },
    },
      h("div", { class: "brand" }, h("span", { class: "logo" }, "W"), "Warren management"),
      field("Username", user),
      field("Password", pass),
      button,
      msg,
    );
    if (message) say(msg, "error", message);
    root.appendChild(h("div", { class: "login-wrap" }, form));
    (user.value ? pass : user).focus();
  }

  function logout(message) {
    sessionStorage.removeItem(AUTH_KEY);
    state.auth = null;
    showLogin(message);
  }

  var TABS = [
    ["overview", "Overview"],
    ["connections", "Connections"],
    ["channels", "Channels"],
    ["exchanges", "Exchanges"],
    ["queues", "Queues"],
    ["bindings", "Bindings"],
    ["users", "Users"],
    ["vhosts", "Virtual hosts"],
    ["permissions", "Permissions"],
    ["policies", "Policies"],
  ];

  function showApp(me) {
    clear(root);
    state.vhostSelects = [];
    var filter = h("select", {
      name: "vhost-filter",
      onchange: function () {
        state.vhost = filter.value;
        sessionStorage.setItem(VHOST_KEY, state.vhost);
        route();
      },
    });
    var refreshSel = select("refresh", [["2000", "every 2 s"], ["5000", "every 5 s"], ["0", "paused"]], String(state.refreshMs));
    refreshSel.addEventListener("change", function () {
      state.refreshMs = Number(refreshSel.value);
      sessionStorage.setItem(REFRESH_KEY, refreshSel.value);
      scheduleRefresh(state.generation);
    });
    var nodeInfo = h("span", { class: "node-info" });
    var tabs = h("nav", { class: "tabs" }, TABS.map(function (t) {
      return h("a", { href: "#/" + t[0], "data-tab": t[0] }, t[1]);
    }));
    var banner = note();
    banner.classList.add("banner");
    var main = h("main", null, banner, h("div", { id: "view" }));
    root.appendChild(h("header", { class: "top" },
      h("div", { class: "brand" }, h("span", { class: "logo" }, "W"), "Warren"),
      nodeInfo,
      h("div", { class: "spacer" }),
      h("label", null, "Virtual host", filter),
      h("label", null, "Refresh", refreshSel),
      h("span", { class: "who" }, "User ", h("b", null, state.user),
        me && tagList(me.tags).length ? " (" + tagList(me.tags).join(", ") + ")" : ""),
      h("button", { type: "button", class: "small", onclick: function () { logout(); } }, "Log out"),
    ));
    root.appendChild(tabs);
    root.appendChild(main);
    shell = { filter: filter, nodeInfo: nodeInfo, tabs: tabs, banner: banner, view: main.querySelector("#view") };
    loadVhosts().then(route, route);
    api("GET", "/overview").then(function (o) { setNodeInfo(o); }, function () {});
  }

  function setNodeInfo(o) {
    if (!shell || !o) return;
    var product = (o.product_name || "RabbitMQ") + " " + (o.product_version || o.rabbitmq_version || "");
    shell.nodeInfo.textContent = product.trim() + (o.node ? " on " + o.node : "") +
      (o.cluster_name && o.cluster_name !== o.node ? " (cluster " + o.cluster_name + ")" : "");
  }

  function showBanner(text) {
    if (!shell) return;
    if (text) say(shell.banner, "error", text);
    else say(shell.banner, "", "");
  }

  async function loadVhosts() {
    var list = items(await api("GET", "/vhosts"));
    list.sort(function (a, b) { return a.name.localeCompare(b.name); });
    state.vhosts = list;
    if (!shell) return;
    var f = shell.filter;
    var wanted = [""].concat(list.map(function (v) { return v.name; }));
    var have = Array.prototype.map.call(f.options, function (o) { return o.value; });
    if (have.join("\n") !== wanted.join("\n")) {
      clear(f);
      f.appendChild(h("option", { value: "" }, "All"));
      list.forEach(function (v) { f.appendChild(h("option", { value: v.name }, vhostLabel(v.name))); });
    }
    if (state.vhost && wanted.indexOf(state.vhost) < 0) {
      state.vhost = "";
      sessionStorage.setItem(VHOST_KEY, "");
    }
    f.value = state.vhost;
    state.vhostSelects = state.vhostSelects.filter(function (s) { return s.isConnected; });
    state.vhostSelects.forEach(function (s) { fillVhostSelect(s, state.vhost || "/"); });
  }

  function parseHash() {
    var parts = (location.hash || "").replace(/^#\/?/, "").split("/").map(function (p) {
      try { return decodeURIComponent(p); } catch (_e) { return p; }
    });
    return parts[0] ? parts : ["overview"];
  }

  function route() {
    if (!shell) return;
    var parts = parseHash();
    var name = parts[0];
    var mount = VIEWS[name];
    if (!mount) { name = "overview"; mount = VIEWS.overview; }
    var tab = name === "queue" ? "queues" : name;
    Array.prototype.forEach.call(shell.tabs.children, function (a) {
      a.classList.toggle("active", a.getAttribute("data-tab") === tab);
    });
    stopRefresh();
    showBanner("");
    clear(shell.view);
    state.vhostSelects = [];
    var gen = ++state.generation;
    state.current = mount(shell.view, parts.slice(1));
    var tabTitle = TABS.filter(function (t) { return t[0] === tab; })[0];
    document.title = (tabTitle ? tabTitle[1] : "Queue") + " - Warren";
    tick(gen);
  }

  function stopRefresh() {
    state.generation++;
    clearTimeout(state.timer);
  }

  function scheduleRefresh(gen) {
    clearTimeout(state.timer);
    if (gen !== state.generation || !state.refreshMs) return;
    state.timer = setTimeout(function () { tick(gen); }, state.refreshMs);
  }

  function refreshNow() {
    if (!shell) return;
    var gen = ++state.generation;
    clearTimeout(state.timer);
    loadVhosts().catch(function () {});
    tick(gen);
  }

  async function tick(gen) {
    if (gen !== state.generation || !state.current) return;
    if (document.hidden) { scheduleRefresh(gen); return; }
    try {
      await state.current.refresh();
      if (gen === state.generation) showBanner("");
    } catch (e) {
      if (gen !== state.generation) return;
      if (e instanceof ApiError && e.status === 401) {
        var stillValid = await api("GET", "/whoami").then(function () { return true; }, function () { return false; });
        if (!stillValid) { logout("Your login is no longer accepted; please log in again."); return; }
      }
      showBanner(errText(e));
    }
    scheduleRefresh(gen);
  }

  // ---- views ------------------------------------------------------------------

  function sparkChart(series) {
    var W = 600, H = 150, PAD_L = 44, PAD_B = 4, PAD_T = 8;
    var box = h("div", { class: "chart" });
    var el = svg("svg", { viewBox: "0 0 " + W + " " + H, preserveAspectRatio: "none" });
    box.appendChild(el);
    box.appendChild(h("div", { class: "legend" }, series.map(function (s) {
      return h("span", null, h("i", { style: "background:" + s.color }), s.label);
    })));
    function draw(history) {
      while (el.firstChild) el.removeChild(el.firstChild);
      var max = 0;
      history.forEach(function (p) {
        series.forEach(function (s) { max = Math.max(max, s.value(p)); });
      });
      var top = niceCeil(max);
      [0, 0.5, 1].forEach(function (f) {
        var y = PAD_T + (H - PAD_T - PAD_B) * (1 - f);
        el.appendChild(svg("line", { x1: PAD_L, x2: W, y1: y, y2: y, class: "axis" }));
        var label = svg("text", { x: PAD_L - 6, y: y + 3, "text-anchor": "end", class: "tick" });
        label.textContent = series[0].fmt(top * f);
        el.appendChild(label);
      });
      if (history.length < 2) return;
      var now = history[history.length - 1].t;
      series.forEach(function (s) {
        var pts = history.map(function (p) {
          var x = W - (W - PAD_L) * ((now - p.t) / HISTORY_WINDOW_MS);
          var y = PAD_T + (H - PAD_T - PAD_B) * (1 - (top ? s.value(p) / top : 0));
          return x.toFixed(1) + "," + y.toFixed(1);
        });
        el.appendChild(svg("polyline", { points: pts.join(" "), stroke: s.color }));
      });
    }
    return { el: box, draw: draw };
  }

  function niceCeil(v) {
    if (v <= 0) return 1;
    var p = Math.pow(10, Math.floor(Math.log10(v)));
    var steps = [1, 2, 2.5, 5, 10];
    for (var i = 0; i < steps.length; i++) if (steps[i] * p >= v) return steps[i] * p;
    return 10 * p;
  }

  function stat(label) {
    var value = h("div", { class: "value" }, "-");
    return { el: h("div", { class: "stat" }, h("div", { class: "label" }, label), value), value: value };
  }

  function viewOverview(view) {
    var names = [
      ["connections", "Connections"], ["channels", "Channels"], ["exchanges", "Exchanges"],
      ["queues", "Queues"], ["consumers", "Consumers"],
    ];
    var totals = {};
    var objects = h("div", { class: "stats" }, names.map(function (n) {
      var s = stat(n[1]);
      totals[n[0]] = s.value;
      return s.el;
    }));
    var msgNames = [["messages_ready", "Ready"], ["messages_unacknowledged", "Unacked"], ["messages", "Total"]];
    var messages = {};
    var msgStats = h("div", { class: "stats" }, msgNames.map(function (n) {
      var s = stat(n[1]);
      messages[n[0]] = s.value;
      return s.el;
    }));
    var rateNames = [["publish", "Publish"], ["deliver_get", "Deliver / get"], ["ack", "Ack"], ["confirm", "Confirm"], ["redeliver", "Redeliver"]];
    var rates = {};
    var rateStats = h("div", { class: "stats" }, rateNames.map(function (n) {
      var s = stat(n[1]);
      rates[n[0]] = s.value;
      return s.el;
    }));
    var count = function (v) { return Number.isInteger(v) ? fmtInt(v) : v.toFixed(1); };
    var queued = sparkChart([
      { label: "Ready", color: "#d9541e", value: function (p) { return p.ready; }, fmt: count },
      { label: "Unacked", color: "#3a6fb0", value: function (p) { return p.unacked; }, fmt: count },
    ]);
    var perSec = function (v) { return fmtRate(v); };
    var rateChart = sparkChart([
      { label: "Publish", color: "#d9541e", value: function (p) { return p.publish; }, fmt: perSec },
      { label: "Deliver / get", color: "#3a6fb0", value: function (p) { return p.deliver; }, fmt: perSec },
      { label: "Ack", color: "#2f9e5b", value: function (p) { return p.ack; }, fmt: perSec },
    ]);
    var info = h("table", { class: "kv" });
    var updated = h("span", { class: "updated" });
    view.appendChild(h("div", { class: "title-row" }, h("h1", null, "Overview"), updated));
    view.appendChild(h("div", { class: "section-title" }, "Totals"));
    view.appendChild(objects);
    msgStats.classList.add("cols3");
    rateStats.classList.add("cols5");
    view.appendChild(h("div", { class: "split" },
      h("div", null, h("div", { class: "section-title" }, "Messages"), msgStats),
      h("div", null, h("div", { class: "section-title" }, "Message rates"), rateStats)));
    var charts = h("div", { class: "grid2" });
    var p1 = panel("Queued messages");
    p1.appendChild(queued.el);
    var p2 = panel("Message rates");
    p2.appendChild(rateChart.el);
    charts.appendChild(p1);
    charts.appendChild(p2);
    view.appendChild(h("div", { class: "section-title" }, "Last 3 minutes (sampled by this page)"));
    view.appendChild(charts);
    var nodePanel = panel("Node");
    nodePanel.style.marginTop = "16px";
    nodePanel.appendChild(info);
    view.appendChild(nodePanel);

    return {
      refresh: async function () {
        var o = await api("GET", "/overview");
        setNodeInfo(o);
        var ot = o.object_totals || {};
        names.forEach(function (n) { totals[n[0]].textContent = fmtInt(ot[n[0]] || 0); });
        var qt = o.queue_totals || {};
        msgNames.forEach(function (n) { messages[n[0]].textContent = fmtInt(qt[n[0]] || 0); });
        var ms = o.message_stats || {};
        rateNames.forEach(function (n) {
          var v = fmtRate(rateOf(ms, n[0]));
          rates[n[0]].textContent = v.slice(0, -2);
          rates[n[0]].appendChild(h("small", null, "/s"));
        });
        state.history.push({
          t: Date.now(), ready: qt.messages_ready || 0, unacked: qt.messages_unacknowledged || 0,
          publish: rateOf(ms, "publish"), deliver: rateOf(ms, "deliver_get"), ack: rateOf(ms, "ack"),
        });
        var oldest = Date.now() - HISTORY_WINDOW_MS;
        while (state.history.length && state.history[0].t < oldest) state.history.shift();
        queued.draw(state.history);
        rateChart.draw(state.history);
        clear(info);
        var rows = [
          ["Product", ((o.product_name || "RabbitMQ") + " " + (o.product_version || o.rabbitmq_version || "")).trim()],
          ["Management API", o.management_version],
          ["Node", o.node],
          ["Cluster", o.cluster_name],
          ["Runtime", o.erlang_version],
          ["Listeners", (o.listeners || []).map(function (l) { return l.protocol + " " + l.ip_address + ":" + l.port; }).join(", ")],
        ];
        rows.forEach(function (r) {
          if (r[1]) info.appendChild(h("tr", null, h("th", null, r[0]), h("td", null, String(r[1]))));
        });
        updated.textContent = "Updated " + new Date().toLocaleTimeString();
      },
    };
  }

  function viewConnections(view) {
    var count = counter();
    var p = panel("Connections", count);
    var msg = note();
    var table = makeTable([
      { title: "Virtual host", render: function (c) { return c.vhost; } },
      { title: "Name", cls: "name", render: function (c) { return c.name; } },
      { title: "User", render: function (c) { return c.user; } },
      { title: "State", render: function (c) { return stateCell(c.state); } },
      { title: "Protocol", render: function (c) { return c.protocol || ""; } },
      { title: "Client", render: function (c) { return clientName(c.client_properties); } },
      { title: "Channels", num: true, render: function (c) { return fmtInt(c.channels || 0); } },
      { title: "From client", num: true, render: function (c) { return c.recv_oct_details ? fmtBytes(rateOf(c, "recv_oct")) + "/s" : ""; } },
      { title: "To client", num: true, render: function (c) { return c.send_oct_details ? fmtBytes(rateOf(c, "send_oct")) + "/s" : ""; } },
      {
        title: "", render: function (c) {
          return h("div", { class: "actions" }, h("button", {
            type: "button", class: "small danger",
            onclick: function (e) {
              if (!confirm("Close connection " + c.name + "?")) return;
              run(e.target, msg, function () {
                return api("DELETE", "/connections/" + enc(c.name), undefined);
              }, "Connection closed.");
            },
          }, "Close"));
        },
      },
    ], function (c) { return c.name; }, "No connections.");
    p.appendChild(table.el);
    p.appendChild(msg);
    view.appendChild(p);
    return {
      refresh: async function () {
        var list = inVhost(items(await api("GET", "/connections")));
        list.sort(byVhostName);
        setCount(count, list.length, "connection");
        table.update(list);
      },
    };
  }

  function clientName(props) {
    if (!props) return "";
    var parts = [props.product, props.version].filter(Boolean);
    if (parts.length === 0 && props.platform) parts.push(props.platform);
    return parts.join(" ");
  }

  function viewChannels(view) {
    var count = counter();
    var p = panel("Channels", count);
    var table = makeTable([
      { title: "Virtual host", render: function (c) { return c.vhost; } },
      { title: "Channel", cls: "name", render: function (c) { return c.name; } },
      { title: "User", render: function (c) { return c.user; } },
      { title: "Mode", render: function (c) { return [c.confirm ? "confirm" : "", c.transactional ? "tx" : ""].filter(Boolean).join(", "); } },
      { title: "State", render: function (c) { return stateCell(c.state); } },
      { title: "Prefetch", num: true, render: function (c) { return c.prefetch_count ? fmtInt(c.prefetch_count) : ""; } },
      { title: "Consumers", num: true, render: function (c) { return fmtInt(c.consumer_count || 0); } },
      { title: "Unacked", num: true, render: function (c) { return fmtInt(c.messages_unacknowledged || 0); } },
      { title: "publish", group: "Message rates", num: true, render: function (c) { return rateCell(c.message_stats, "publish"); } },
      { title: "confirm", group: "Message rates", num: true, render: function (c) { return rateCell(c.message_stats, "confirm"); } },
      { title: "deliver / get", group: "Message rates", num: true, render: function (c) { return rateCell(c.message_stats, "deliver_get"); } },
      { title: "ack", group: "Message rates", num: true, render: function (c) { return rateCell(c.message_stats, "ack"); } },
    ], function (c) { return c.name; }, "No channels.");
    p.appendChild(table.el);
    view.appendChild(p);
    return {
      refresh: async function () {
        var list = inVhost(items(await api("GET", "/channels")));
        list.sort(byVhostName);
        setCount(count, list.length, "channel");
        table.update(list);
      },
    };
  }

  function viewExchanges(view) {
    var count = counter();
    var p = panel("Exchanges", count);
    var msg = note();
    var table = makeTable([
      { title: "Virtual host", render: function (x) { return x.vhost; } },
      { title: "Name", cls: "name", render: function (x) { return exchangeLabel(x.name); } },
      { title: "Type", render: function (x) { return x.type; } },
      { title: "Features", render: function (x) { return badges(x, true); } },
      { title: "in", group: "Message rates", num: true, render: function (x) { return rateCell(x.message_stats, "publish_in"); } },
      { title: "out", group: "Message rates", num: true, render: function (x) { return rateCell(x.message_stats, "publish_out"); } },
      {
        title: "", render: function (x) {
          if (x.name === "" || x.name.indexOf("amq.") === 0) return "";
          return h("div", { class: "actions" }, h("button", {
            type: "button", class: "small danger",
            onclick: function (e) {
              if (!confirm("Delete exchange " + x.name + " in " + x.vhost + "?")) return;
              run(e.target, msg, function () {
                return api("DELETE", "/exchanges/" + enc(x.vhost) + "/" + enc(x.name));
              }, "Exchange " + x.name + " deleted.");
            },
          }, "Delete"));
        },
      },
    ], function (x) { return x.vhost + "\u0000" + x.name; }, "No exchanges.");
    p.appendChild(table.el);
    p.appendChild(msg);
    view.appendChild(p);

    var add = panel("Add an exchange");
    var vh = vhostSelect();
    var name = h("input", { type: "text", name: "name", required: true, placeholder: "exchange name" });
    var type = select("type", ["direct", "fanout", "topic", "headers"], "direct");
    var durable = check("Durable", "durable", true);
    var autoDelete = check("Auto-delete", "auto_delete", false);
    var internal = check("Internal", "internal", false);
    var addMsg = note();
    var btn = h("button", { type: "submit", class: "primary" }, "Add exchange");
    add.appendChild(h("form", {
      class: "inline",
      onsubmit: function (e) {
        e.preventDefault();
        var n = name.value.trim();
        run(btn, addMsg, function () {
          return api("PUT", "/exchanges/" + enc(vh.value) + "/" + enc(n), {
            type: type.value, durable: durable.box.checked, auto_delete: autoDelete.box.checked,
            internal: internal.box.checked, arguments: {},
          });
        }, "Exchange " + n + " declared in " + vh.value + ".").then(function (r) { if (r !== undefined) name.value = ""; });
      },
    }, field("Virtual host", vh), field("Name", name), field("Type", type), durable.el, autoDelete.el, internal.el, btn));
    add.appendChild(addMsg);
    view.appendChild(add);

    return {
      refresh: async function () {
        var list = items(await api("GET", vhostPath("/exchanges")));
        list.sort(byVhostName);
        setCount(count, list.length, "exchange");
        table.update(list);
      },
    };
  }

  function queueLink(q) {
    return h("a", { href: "#/queue/" + enc(q.vhost) + "/" + enc(q.name), class: "queue-link" }, q.name);
  }

  function queueType(q) {
    return q.type || (q.arguments && q.arguments["x-queue-type"]) || "classic";
  }

  function viewQueues(view) {
    var count = counter();
    var updated = h("span", { class: "updated" });
    var p = panel("Queues", count);
    p.querySelector("h2").appendChild(updated);
    var msg = note();
    var table = makeTable([
      { title: "Virtual host", render: function (q) { return q.vhost; } },
      { title: "Name", cls: "name", render: queueLink },
      { title: "Type", render: queueType },
      { title: "Features", render: function (q) { return badges(q, false); } },
      { title: "State", render: function (q) { return stateCell(q.state); } },
      { title: "Consumers", num: true, render: function (q) { return fmtInt(q.consumers || 0); } },
      { title: "Ready", group: "Messages", num: true, cls: "ready", render: function (q) { return fmtInt(q.messages_ready || 0); } },
      { title: "Unacked", group: "Messages", num: true, cls: "unacked", render: function (q) { return fmtInt(q.messages_unacknowledged || 0); } },
      { title: "Total", group: "Messages", num: true, cls: "total", render: function (q) { return fmtInt(q.messages || 0); } },
      { title: "incoming", group: "Message rates", num: true, render: function (q) { return rateCell(q.message_stats, "publish"); } },
      { title: "deliver / get", group: "Message rates", num: true, render: function (q) { return rateCell(q.message_stats, "deliver_get"); } },
      { title: "ack", group: "Message rates", num: true, render: function (q) { return rateCell(q.message_stats, "ack"); } },
      {
        title: "", render: function (q) {
          return h("div", { class: "actions" },
            h("button", {
              type: "button", class: "small",
              onclick: function (e) {
                if (!confirm("Purge all ready messages from " + q.name + "?")) return;
                run(e.target, msg, function () {
                  return api("DELETE", "/queues/" + enc(q.vhost) + "/" + enc(q.name) + "/contents");
                }, "Queue " + q.name + " purged.");
              },
            }, "Purge"),
            h("button", {
              type: "button", class: "small danger",
              onclick: function (e) {
                if (!confirm("Delete queue " + q.name + " in " + q.vhost + "?")) return;
                run(e.target, msg, function () {
                  return api("DELETE", "/queues/" + enc(q.vhost) + "/" + enc(q.name));
                }, "Queue " + q.name + " deleted.");
              },
            }, "Delete"));
        },
      },
    ], function (q) { return q.vhost + "\u0000" + q.name; }, "No queues.");
    p.appendChild(table.el);
    p.appendChild(msg);
    view.appendChild(p);

    var add = panel("Add a queue");
    var vh = vhostSelect();
    var name = h("input", { type: "text", name: "name", required: true, placeholder: "queue name" });
    var qtype = select("x-queue-type", [["classic", "Classic"], ["quorum", "Quorum"]], "classic");
    var durability = select("durable", [["true", "Durable"], ["false", "Transient"]], "true");
    var autoDelete = check("Auto-delete", "auto_delete", false);
    var ttl = h("input", { type: "number", name: "x-message-ttl", min: "0", placeholder: "ms" });
    var maxLen = h("input", { type: "number", name: "x-max-length", min: "0" });
    var dlx = h("input", { type: "text", name: "x-dead-letter-exchange", placeholder: "optional", size: "12" });
    var addMsg = note();
    var btn = h("button", { type: "submit", class: "primary" }, "Add queue");
    add.appendChild(h("form", {
      class: "inline",
      onsubmit: function (e) {
        e.preventDefault();
        var n = name.value.trim();
        var args = {};
        if (qtype.value !== "classic") args["x-queue-type"] = qtype.value;
        if (ttl.value !== "") args["x-message-ttl"] = Number(ttl.value);
        if (maxLen.value !== "") args["x-max-length"] = Number(maxLen.value);
        if (dlx.value.trim() !== "") args["x-dead-letter-exchange"] = dlx.value.trim();
        run(btn, addMsg, function () {
          return api("PUT", "/queues/" + enc(vh.value) + "/" + enc(n), {
            durable: durability.value === "true", auto_delete: autoDelete.box.checked, arguments: args,
          });
        }, "Queue " + n + " declared in " + vh.value + ".").then(function (r) { if (r !== undefined) name.value = ""; });
      },
    },
      field("Virtual host", vh), field("Type", qtype), field("Name", name), field("Durability", durability),
      autoDelete.el,
      field("Message TTL", ttl), field("Max length", maxLen), field("Dead-letter exchange", dlx), btn));
    add.appendChild(addMsg);
    view.appendChild(add);

    return {
      refresh: async function () {
        var list = items(await api("GET", vhostPath("/queues")));
        list.sort(byVhostName);
        setCount(count, list.length, "queue");
        table.update(list);
        updated.textContent = "updated " + new Date().toLocaleTimeString();
      },
    };
  }

  function viewQueue(view, args) {
    var vhost = args[0] || "/";
    var qname = args.slice(1).join("/");
    var qpath = "/queues/" + enc(vhost) + "/" + enc(qname);
    var actMsg = note();
    var purge = h("button", {
      type: "button",
      onclick: function () {
        if (!confirm("Purge all ready messages from " + qname + "?")) return;
        run(purge, actMsg, function () { return api("DELETE", qpath + "/contents"); }, "Queue purged.");
      },
    }, "Purge");
    var del = h("button", {
      type: "button", class: "danger",
      onclick: function () {
        if (!confirm("Delete queue " + qname + " in " + vhost + "?")) return;
        run(del, actMsg, function () { return api("DELETE", qpath); }).then(function (r) {
          if (r !== undefined) location.hash = "#/queues";
        });
      },
    }, "Delete");
    view.appendChild(h("div", { class: "crumbs" }, h("a", { href: "#/queues" }, "Queues"), " / virtual host ",
      h("code", null, vhost)));
    view.appendChild(h("div", { class: "title-row" }, h("h1", null, "Queue ", h("span", { class: "mono" }, qname)),
      h("div", { class: "actions" }, purge, del)));
    view.appendChild(actMsg);

    var countsNames = [["messages_ready", "Ready"], ["messages_unacknowledged", "Unacked"], ["messages", "Total"], ["consumers", "Consumers"]];
    var counts = {};
    var rateNames = [["publish", "Incoming"], ["deliver_get", "Deliver / get"], ["ack", "Ack"], ["redeliver", "Redeliver"]];
    var rates = {};
    view.appendChild(h("div", { class: "stats wide" }, countsNames.map(function (n) {
      var s = stat(n[1]);
      s.value.setAttribute("data-stat", n[0]);
      counts[n[0]] = s.value;
      return s.el;
    }), rateNames.map(function (n) {
      var s = stat(n[1]);
      rates[n[0]] = s.value;
      return s.el;
    })));

    var details = h("table", { class: "kv" });
    var infoPanel = panel("Details");
    infoPanel.appendChild(details);
    var consumers = makeTable([
      { title: "Consumer tag", cls: "name", render: function (c) { return c.consumer_tag; } },
      { title: "Channel", render: function (c) { return (c.channel_details && c.channel_details.name) || ""; } },
      { title: "Ack required", render: function (c) { return c.ack_required ? "yes" : "no"; } },
      { title: "Exclusive", render: function (c) { return c.exclusive ? "yes" : "no"; } },
      { title: "Prefetch", num: true, render: function (c) { return fmtInt(c.prefetch_count || 0); } },
    ], function (c) { return ((c.channel_details && c.channel_details.name) || "") + "\u0000" + c.consumer_tag; }, "No consumers.");
    var consPanel = panel("Consumers");
    consPanel.appendChild(consumers.el);
    var bindings = makeTable([
      { title: "From exchange", render: function (b) { return exchangeLabel(b.source); } },
      { title: "Routing key", cls: "mono", render: function (b) { return b.routing_key; } },
      { title: "Arguments", render: function (b) { return fmtArgs(b.arguments); } },
    ], function (b) { return b.source + "\u0000" + b.properties_key + "\u0000" + b.routing_key; }, "No bindings.");
    var bindPanel = panel("Bindings");
    bindPanel.appendChild(bindings.el);
    var top = h("div", { class: "grid2" }, infoPanel, h("div", { class: "stack" }, consPanel, bindPanel));
    top.style.margin = "16px 0";
    view.appendChild(top);

    // publish
    var pub = panel("Publish message");
    var deliveryMode = select("delivery_mode", [["1", "1 - non-persistent"], ["2", "2 - persistent"]], "2");
    var contentType = h("input", { type: "text", name: "content_type", placeholder: "e.g. text/plain", size: "14" });
    var headersIn = h("input", { type: "text", name: "headers", placeholder: "key=value, key2=value2", size: "26" });
    var payload = h("textarea", { name: "payload", placeholder: "message body" });
    var pubMsg = note();
    var pubBtn = h("button", { type: "submit", class: "primary" }, "Publish message");
    pub.appendChild(h("p", { class: "muted", style: "margin:0 0 10px;font-size:13px" },
      "Published to the default exchange with routing key ", h("code", null, qname), "."));
    pub.appendChild(h("form", {
      class: "stack",
      onsubmit: function (e) {
        e.preventDefault();
        var props = { delivery_mode: Number(deliveryMode.value) };
        if (contentType.value.trim()) props.content_type = contentType.value.trim();
        var hdrs = {};
        headersIn.value.split(",").forEach(function (pair) {
          var i = pair.indexOf("=");
          if (i > 0) hdrs[pair.slice(0, i).trim()] = pair.slice(i + 1).trim();
        });
        if (Object.keys(hdrs).length) props.headers = hdrs;
        run(pubBtn, pubMsg, function () {
          return api("POST", "/exchanges/" + enc(vhost) + "/amq.default/publish", {
            properties: props, routing_key: qname, payload: payload.value, payload_encoding: "string",
          });
        }, function (r) {
          return r && r.routed === false ? "Message published, but it was not routed to any queue." : "Message published.";
        });
      },
    },
      h("div", { class: "inline", style: "display:flex;gap:12px;flex-wrap:wrap" },
        field("Delivery mode", deliveryMode), field("Content type", contentType), field("Headers", headersIn)),
      field("Payload", payload),
      h("div", null, pubBtn)));
    pub.appendChild(pubMsg);

    // get
    var get = panel("Get messages");
    var ackmode = select("ackmode", [
      ["ack_requeue_true", "Requeue (look without removing)"],
      ["ack_requeue_false", "Ack (remove from the queue)"],
      ["reject_requeue_true", "Reject, requeue"],
      ["reject_requeue_false", "Reject, do not requeue"],
    ], "ack_requeue_true");
    var encoding = select("encoding", [["auto", "Auto string / base64"], ["base64", "base64"]], "auto");
    var getCount = h("input", { type: "number", name: "count", min: "1", max: "1000", value: "1" });
    var getMsg = note();
    var results = h("div", { class: "messages" });
    var getBtn = h("button", { type: "submit", class: "primary" }, "Get message(s)");
    get.appendChild(h("form", {
      class: "inline",
      onsubmit: function (e) {
        e.preventDefault();
        run(getBtn, getMsg, function () {
          return api("POST", qpath + "/get", {
            count: Number(getCount.value || 1), ackmode: ackmode.value, encoding: encoding.value,
            truncate: GET_TRUNCATE_BYTES,
          });
        }).then(function (r) {
          if (r === undefined) return;
          showMessages(results, getMsg, items(r));
        });
      },
    }, field("Ack mode", ackmode), field("Encoding", encoding), field("Messages", getCount), getBtn));
    get.appendChild(getMsg);
    get.appendChild(results);
    view.appendChild(h("div", { class: "grid2" }, pub, get));

    return {
      refresh: async function () {
        var q;
        try {
          q = await api("GET", qpath);
        } catch (e) {
          if (e instanceof ApiError && e.status === 404) {
            throw new ApiError(404, "Queue " + qname + " does not exist in virtual host " + vhost + ".");
          }
          throw e;
        }
        countsNames.forEach(function (n) { counts[n[0]].textContent = fmtInt(q[n[0]] || 0); });
        rateNames.forEach(function (n) {
          rates[n[0]].textContent = fmtRate(rateOf(q.message_stats, n[0])).slice(0, -2);
          rates[n[0]].appendChild(h("small", null, "/s"));
        });
        clear(details);
        [
          ["Virtual host", q.vhost],
          ["Type", queueType(q)],
          ["State", stateCell(q.state)],
          ["Features", badges(q, false).length ? badges(q, false) : "none"],
          ["Durable", q.durable ? "yes" : "no"],
          ["Auto-delete", q.auto_delete ? "yes" : "no"],
          ["Exclusive", q.exclusive ? "yes" + (q.owner_pid_details && q.owner_pid_details.name ? " (" + q.owner_pid_details.name + ")" : "") : "no"],
          ["Arguments", kvLines(q.arguments)],
          ["Policy", q.policy ? h("a", { href: "#/policies" }, q.policy) : h("span", { class: "muted" }, "none")],
          ["Effective policy", q.policy ? kvLines(q.effective_policy_definition, policyVsArguments(q)) : null],
          ["Node", q.node],
          ["Memory", typeof q.memory === "number" ? fmtBytes(q.memory) : ""],
          ["Message bytes", typeof q.message_bytes === "number" ? fmtBytes(q.message_bytes) : ""],
          ["Idle since", q.idle_since],
        ].forEach(function (r) {
          if (r[1] === undefined || r[1] === "" || r[1] === null) return;
          details.appendChild(h("tr", null, h("th", null, r[0]), h("td", null, r[1])));
        });
        consumers.update(q.consumer_details || []);
        var bl = items(await api("GET", qpath + "/bindings"));
        bindings.update(bl);
      },
    };
  }

  function showMessages(box, msgEl, list) {
    clear(box);
    if (list.length === 0) {
      say(msgEl, "ok", "The queue is empty.");
      return;
    }
    var left = list[list.length - 1].message_count;
    say(msgEl, "ok", list.length + " message" + (list.length === 1 ? "" : "s") + " fetched" +
      (typeof left === "number" ? "; " + fmtInt(left) + " left in the queue." : "."));
    var rows = list.map(function (m, i) {
      var props = m.properties || {};
      var info = [
        "routing key " + m.routing_key + (m.exchange ? " via " + m.exchange : ""),
        fmtInt(m.payload_bytes) + " bytes, " + (m.payload_encoding || "string") + (m.redelivered ? ", redelivered" : ""),
      ];
      Object.keys(props).forEach(function (k) {
        var v = props[k];
        if (v && typeof v === "object" && Object.keys(v).length === 0) return;
        info.push(k + ": " + (typeof v === "object" ? JSON.stringify(v) : String(v)));
      });
      return h("tr", null,
        h("td", { class: "num" }, String(i + 1)),
        h("td", { class: "payload-cell" }, h("pre", { class: "payload" }, m.payload)),
        h("td", { class: "props" }, info.map(function (t) { return h("div", null, t); })));
    });
    box.appendChild(h("div", { class: "messages-scroll" }, h("table", { class: "list" },
      h("thead", null, h("tr", null, h("th", { class: "num" }, "#"), h("th", null, "Payload"), h("th", null, "Properties"))),
      h("tbody", null, rows))));
  }

  function viewBindings(view) {
    var count = counter();
    var p = panel("Bindings", count);
    var msg = note();
    var table = makeTable([
      { title: "Virtual host", render: function (b) { return b.vhost; } },
      { title: "Source exchange", render: function (b) { return exchangeLabel(b.source); } },
      { title: "Destination", cls: "name", render: function (b) { return b.destination; } },
      { title: "Type", render: function (b) { return b.destination_type; } },
      { title: "Routing key", cls: "mono", render: function (b) { return b.routing_key; } },
      { title: "Arguments", render: function (b) { return fmtArgs(b.arguments); } },
      {
        title: "", render: function (b) {
          if (b.source === "") return "";
          return h("div", { class: "actions" }, h("button", {
            type: "button", class: "small danger",
            onclick: function (e) {
              var kind = b.destination_type === "exchange" ? "e" : "q";
              var key = b.properties_key !== undefined ? b.properties_key : (b.routing_key || "~");
              run(e.target, msg, function () {
                return api("DELETE", "/bindings/" + enc(b.vhost) + "/e/" + enc(b.source) + "/" + kind + "/" +
                  enc(b.destination) + "/" + enc(key));
              }, "Binding removed.");
            },
          }, "Unbind"));
        },
      },
    ], function (b) {
      return [b.vhost, b.source, b.destination_type, b.destination, b.properties_key !== undefined ? b.properties_key : b.routing_key].join("\u0000");
    }, "No bindings.");
    p.appendChild(table.el);
    p.appendChild(msg);
    view.appendChild(p);

    var add = panel("Add a binding");
    var vh = vhostSelect();
    var source = h("input", { type: "text", name: "source", required: true, placeholder: "exchange", list: "exchange-names" });
    var destType = select("destination_type", [["q", "Queue"], ["e", "Exchange"]], "q");
    var dest = h("input", { type: "text", name: "destination", required: true, placeholder: "queue or exchange", list: "queue-names" });
    var key = h("input", { type: "text", name: "routing_key", placeholder: "routing key" });
    var exNames = h("datalist", { id: "exchange-names" });
    var qNames = h("datalist", { id: "queue-names" });
    destType.addEventListener("change", function () {
      dest.setAttribute("list", destType.value === "q" ? "queue-names" : "exchange-names");
    });
    var addMsg = note();
    var btn = h("button", { type: "submit", class: "primary" }, "Bind");
    add.appendChild(h("form", {
      class: "inline",
      onsubmit: function (e) {
        e.preventDefault();
        var s = source.value.trim(), d = dest.value.trim();
        run(btn, addMsg, function () {
          return api("POST", "/bindings/" + enc(vh.value) + "/e/" + enc(s) + "/" + destType.value + "/" + enc(d), {
            routing_key: key.value, arguments: {},
          });
        }, "Bound " + d + " to " + s + ".");
      },
    },
      field("Virtual host", vh), field("From exchange", source), field("To", destType), field("Name", dest),
      field("Routing key", key), btn, exNames, qNames));
    add.appendChild(addMsg);
    view.appendChild(add);

    function fillList(dl, names) {
      var have = Array.prototype.map.call(dl.options, function (o) { return o.value; }).join("\n");
      if (have === names.join("\n")) return;
      clear(dl);
      names.forEach(function (n) { dl.appendChild(h("option", { value: n })); });
    }

    return {
      refresh: async function () {
        var list = items(await api("GET", vhostPath("/bindings")));
        list.sort(function (a, b) {
          return a.vhost.localeCompare(b.vhost) || a.source.localeCompare(b.source) ||
            a.destination.localeCompare(b.destination) || (a.routing_key || "").localeCompare(b.routing_key || "");
        });
        setCount(count, list.length, "binding");
        table.update(list);
        var v = vh.value;
        if (v) {
          var ex = items(await api("GET", "/exchanges/" + enc(v)));
          fillList(exNames, ex.map(function (x) { return x.name; }).filter(Boolean).sort());
          var qs = items(await api("GET", "/queues/" + enc(v)));
          fillList(qNames, qs.map(function (q) { return q.name; }).sort());
        }
      },
    };
  }

  var USER_TAGS = ["administrator", "monitoring", "policymaker", "management"];

  function viewUsers(view) {
    var count = counter();
    var p = panel("Users", count);
    var msg = note();
    var table = makeTable([
      { title: "Name", cls: "name", render: function (u) { return u.name; } },
      {
        title: "Tags", render: function (u) {
          var t = tagList(u.tags);
          return t.length ? t.map(function (x) { return h("span", { class: "badge" }, x); }) : h("span", { class: "muted" }, "none");
        },
      },
      { title: "Can log in with password", render: function (u) { return u.password_hash === "" ? "no" : "yes"; } },
      {
        title: "", render: function (u) {
          return h("div", { class: "actions" }, h("button", {
            type: "button", class: "small danger",
            onclick: function (e) {
              if (!confirm("Delete user " + u.name + "?")) return;
              run(e.target, msg, function () { return api("DELETE", "/users/" + enc(u.name)); }, "User " + u.name + " deleted.");
            },
          }, "Delete"));
        },
      },
    ], function (u) { return u.name; }, "No users.");
    p.appendChild(table.el);
    p.appendChild(msg);
    view.appendChild(p);

    var add = panel("Add a user");
    var name = h("input", { type: "text", name: "username", required: true, autocomplete: "off" });
    var pass = h("input", { type: "password", name: "password", autocomplete: "new-password" });
    var tags = h("input", { type: "text", name: "tags", placeholder: "comma separated", size: "24" });
    var quick = h("span", { class: "check", style: "gap:4px;flex-wrap:wrap" }, "Set:", USER_TAGS.map(function (t) {
      return h("button", {
        type: "button", class: "small",
        onclick: function () {
          var cur = tagList(tags.value);
          if (cur.indexOf(t) < 0) cur.push(t);
          tags.value = cur.join(", ");
        },
      }, t);
    }), h("button", { type: "button", class: "small", onclick: function () { tags.value = ""; } }, "none"));
    var addMsg = note();
    var btn = h("button", { type: "submit", class: "primary" }, "Add user");
    add.appendChild(h("form", {
      class: "inline",
      onsubmit: function (e) {
        e.preventDefault();
        var n = name.value.trim();
        var body = { tags: tagList(tags.value).join(",") };
        if (pass.value !== "") body.password = pass.value;
        else body.password_hash = "";
        run(btn, addMsg, function () { return api("PUT", "/users/" + enc(n), body); }, "User " + n + " saved.")
          .then(function (r) {
            if (r !== undefined) { name.value = ""; pass.value = ""; tags.value = ""; }
          });
      },
    }, field("Username", name), field("Password", pass), field("Tags", tags), quick, btn));
    add.appendChild(h("p", { class: "muted", style: "margin:8px 0 0;font-size:12.5px" },
      "Saving an existing name updates that user's password and tags. Leave the password empty for a user that cannot log in with one."));
    add.appendChild(addMsg);
    view.appendChild(add);

    return {
      refresh: async function () {
        var list = items(await api("GET", "/users"));
        list.sort(function (a, b) { return a.name.localeCompare(b.name); });
        setCount(count, list.length, "user");
        table.update(list);
      },
    };
  }

  function viewVhosts(view) {
    var count = counter();
    var p = panel("Virtual hosts", count);
    var msg = note();
    var table = makeTable([
      { title: "Name", cls: "name", render: function (v) { return v.name; } },
      { title: "Description", render: function (v) { return v.description || ""; } },
      { title: "Ready", group: "Messages", num: true, render: function (v) { return fmtInt(v.messages_ready || 0); } },
      { title: "Unacked", group: "Messages", num: true, render: function (v) { return fmtInt(v.messages_unacknowledged || 0); } },
      { title: "Total", group: "Messages", num: true, render: function (v) { return fmtInt(v.messages || 0); } },
      { title: "publish", group: "Message rates", num: true, render: function (v) { return rateCell(v.message_stats, "publish"); } },
      { title: "deliver / get", group: "Message rates", num: true, render: function (v) { return rateCell(v.message_stats, "deliver_get"); } },
      {
        title: "", render: function (v) {
          return h("div", { class: "actions" }, h("button", {
            type: "button", class: "small danger",
            onclick: function (e) {
              if (!confirm("Delete virtual host " + v.name + " and everything in it?")) return;
              run(e.target, msg, function () { return api("DELETE", "/vhosts/" + enc(v.name)); }, "Virtual host " + v.name + " deleted.");
            },
          }, "Delete"));
        },
      },
    ], function (v) { return v.name; }, "No virtual hosts.");
    p.appendChild(table.el);
    p.appendChild(msg);
    view.appendChild(p);

    var add = panel("Add a virtual host");
    var name = h("input", { type: "text", name: "name", required: true, autocomplete: "off" });
    var desc = h("input", { type: "text", name: "description", placeholder: "optional", size: "30" });
    var addMsg = note();
    var btn = h("button", { type: "submit", class: "primary" }, "Add virtual host");
    add.appendChild(h("form", {
      class: "inline",
      onsubmit: function (e) {
        e.preventDefault();
        var n = name.value.trim();
        var body = {};
        if (desc.value.trim()) body.description = desc.value.trim();
        run(btn, addMsg, function () { return api("PUT", "/vhosts/" + enc(n), body); }, "Virtual host " + n + " created.")
          .then(function (r) { if (r !== undefined) { name.value = ""; desc.value = ""; } });
      },
    }, field("Name", name), field("Description", desc), btn));
    add.appendChild(addMsg);
    view.appendChild(add);

    return {
      refresh: async function () {
        var list = items(await api("GET", "/vhosts"));
        list.sort(function (a, b) { return a.name.localeCompare(b.name); });
        setCount(count, list.length, "virtual host");
        table.update(list);
      },
    };
  }

  function viewPermissions(view) {
    var count = counter();
    var p = panel("Permissions", count);
    var msg = note();
    var table = makeTable([
      { title: "User", cls: "name", render: function (x) { return x.user; } },
      { title: "Virtual host", render: function (x) { return x.vhost; } },
      { title: "Configure", cls: "mono", render: function (x) { return x.configure; } },
      { title: "Write", cls: "mono", render: function (x) { return x.write; } },
      { title: "Read", cls: "mono", render: function (x) { return x.read; } },
      {
        title: "", render: function (x) {
          return h("div", { class: "actions" }, h("button", {
            type: "button", class: "small danger",
            onclick: function (e) {
              if (!confirm("Clear the permissions of " + x.user + " in " + x.vhost + "?")) return;
              run(e.target, msg, function () {
                return api("DELETE", "/permissions/" + enc(x.vhost) + "/" + enc(x.user));
              }, "Permissions of " + x.user + " in " + x.vhost + " cleared.");
            },
          }, "Clear"));
        },
      },
    ], function (x) { return x.user + "\u0000" + x.vhost; }, "No permissions.");
    p.appendChild(table.el);
    p.appendChild(msg);
    view.appendChild(p);

    var add = panel("Set permissions");
    var user = h("select", { name: "user" });
    var vh = vhostSelect();
    var conf = h("input", { type: "text", name: "configure", value: ".*", size: "10", class: "mono" });
    var write = h("input", { type: "text", name: "write", value: ".*", size: "10", class: "mono" });
    var read = h("input", { type: "text", name: "read", value: ".*", size: "10", class: "mono" });
    var addMsg = note();
    var btn = h("button", { type: "submit", class: "primary" }, "Set permissions");
    add.appendChild(h("form", {
      class: "inline",
      onsubmit: function (e) {
        e.preventDefault();
        var u = user.value, v = vh.value;
        run(btn, addMsg, function () {
          return api("PUT", "/permissions/" + enc(v) + "/" + enc(u), {
            configure: conf.value, write: write.value, read: read.value,
          });
        }, "Permissions of " + u + " in " + v + " set.");
      },
    }, field("User", user), field("Virtual host", vh), field("Configure regexp", conf), field("Write regexp", write),
      field("Read regexp", read), btn));
    add.appendChild(addMsg);
    view.appendChild(add);

    return {
      refresh: async function () {
        var list = inVhost(items(await api("GET", "/permissions")));
        list.sort(function (a, b) { return a.user.localeCompare(b.user) || a.vhost.localeCompare(b.vhost); });
        setCount(count, list.length, "permission");
        table.update(list);
        var users = items(await api("GET", "/users")).map(function (u) { return u.name; }).sort();
        var have = Array.prototype.map.call(user.options, function (o) { return o.value; });
        if (have.join("\n") !== users.join("\n")) {
          var cur = user.value;
          clear(user);
          users.forEach(function (n) { user.appendChild(h("option", { value: n }, n)); });
          if (users.indexOf(cur) >= 0) user.value = cur;
        }
      },
    };
  }

  // Policy keys Warren applies, with an example value each: a click adds one to the definition.
  var POLICY_KEYS = [
    ["message-ttl", 60000], ["expires", 1800000], ["max-length", 1000], ["max-length-bytes", 1048576],
    ["overflow", "reject-publish"], ["dead-letter-exchange", ""], ["dead-letter-routing-key", ""],
    ["max-priority", 10], ["alternate-exchange", ""],
  ];

  function viewPolicies(view) {
    var count = counter();
    var p = panel("Policies", count);
    var msg = note();
    var matches = { queue: new Map(), exchange: new Map() };
    function inEffect(x) {
      var key = x.vhost + "\u0000" + x.name;
      var nq = matches.queue.get(key) || 0, nx = matches.exchange.get(key) || 0;
      var parts = [];
      if (nq) parts.push(fmtInt(nq) + " queue" + (nq === 1 ? "" : "s"));
      if (nx) parts.push(fmtInt(nx) + " exchange" + (nx === 1 ? "" : "s"));
      return parts.length ? parts.join(", ") : h("span", { class: "muted" }, "nothing yet");
    }
    var table = makeTable([
      { title: "Virtual host", render: function (x) { return x.vhost; } },
      { title: "Name", cls: "name", render: function (x) { return x.name; } },
      { title: "Pattern", cls: "mono", render: function (x) { return x.pattern; } },
      { title: "Apply to", render: function (x) { return x["apply-to"]; } },
      { title: "Definition", cls: "mono", render: function (x) { return fmtArgs(x.definition); } },
      { title: "Priority", num: true, render: function (x) { return String(x.priority); } },
      { title: "In effect on", render: inEffect },
      {
        title: "", render: function (x) {
          return h("div", { class: "actions" },
            h("button", {
              type: "button", class: "small",
              onclick: function () { edit(x); },
            }, "Edit"),
            h("button", {
              type: "button", class: "small danger",
              onclick: function (e) {
                if (!confirm("Clear policy " + x.name + " in " + x.vhost + "?")) return;
                run(e.target, msg, function () {
                  return api("DELETE", "/policies/" + enc(x.vhost) + "/" + enc(x.name));
                }, "Policy " + x.name + " cleared.");
              },
            }, "Delete"));
        },
      },
    ], function (x) { return x.vhost + "\u0000" + x.name; }, "No policies.");
    p.appendChild(table.el);
    p.appendChild(h("p", { class: "muted note" },
      "The highest-priority policy whose pattern matches a queue or exchange name is in effect; " +
      "arguments given when a queue is declared win over it."));
    p.appendChild(msg);
    view.appendChild(p);

    var add = panel("Add or update a policy");
    var vh = vhostSelect();
    var name = h("input", { type: "text", name: "policy-name", required: true, autocomplete: "off", size: "16" });
    var pattern = h("input", { type: "text", name: "pattern", required: true, class: "mono", placeholder: "^orders\\.", size: "16" });
    var applyTo = select("apply-to", [["all", "Exchanges and queues"], ["queues", "Queues"], ["exchanges", "Exchanges"]], "all");
    var priority = h("input", { type: "number", name: "priority", value: "0" });
    var definition = h("textarea", { name: "definition", class: "definition", placeholder: "{\"max-length\": 1000}" });
    var keyButtons = h("div", { class: "key-buttons" }, h("span", { class: "muted" }, "Add:"), POLICY_KEYS.map(function (k) {
      return h("button", {
        type: "button", class: "small",
        onclick: function () {
          var current;
          try { current = definition.value.trim() ? JSON.parse(definition.value) : {}; } catch (_e) { current = null; }
          if (!current || typeof current !== "object" || Array.isArray(current)) {
            say(addMsg, "error", "The definition is not a JSON object yet; fix it before adding keys.");
            return;
          }
          if (!(k[0] in current)) current[k[0]] = k[1];
          definition.value = JSON.stringify(current, null, 2);
          definition.focus();
        },
      }, k[0]);
    }));
    var addMsg = note();
    var btn = h("button", { type: "submit", class: "primary" }, "Save policy");

    function edit(x) {
      vh.value = x.vhost;
      name.value = x.name;
      pattern.value = x.pattern;
      applyTo.value = x["apply-to"];
      priority.value = String(x.priority);
      definition.value = JSON.stringify(x.definition, null, 2);
      say(addMsg, "", "");
      name.scrollIntoView({ block: "center" });
      pattern.focus();
    }

    add.appendChild(h("form", {
      class: "policy-form",
      onsubmit: function (e) {
        e.preventDefault();
        var def;
        try {
          def = JSON.parse(definition.value.trim() || "{}");
        } catch (err) {
          say(addMsg, "error", "The definition is not valid JSON: " + err.message);
          return;
        }
        var n = name.value.trim(), v = vh.value;
        run(btn, addMsg, function () {
          return api("PUT", "/policies/" + enc(v) + "/" + enc(n), {
            pattern: pattern.value, definition: def, priority: Number(priority.value || 0), "apply-to": applyTo.value,
          });
        }, "Policy " + n + " saved in " + v + ".");
      },
    },
      h("div", { class: "inline" }, field("Virtual host", vh), field("Name", name), field("Pattern", pattern),
        field("Apply to", applyTo), field("Priority", priority)),
      field("Definition (JSON)", definition),
      keyButtons,
      h("div", null, btn)));
    add.appendChild(addMsg);
    view.appendChild(add);

    function tally(map, list) {
      map.clear();
      list.forEach(function (o) {
        if (!o.policy) return;
        var key = o.vhost + "\u0000" + o.policy;
        map.set(key, (map.get(key) || 0) + 1);
      });
    }

    return {
      refresh: async function () {
        var list = items(await api("GET", vhostPath("/policies")));
        list.sort(function (a, b) { return a.vhost.localeCompare(b.vhost) || b.priority - a.priority || a.name.localeCompare(b.name); });
        var cols = "?columns=vhost,name,policy";
        var qs = items(await api("GET", vhostPath("/queues") + cols));
        var xs = items(await api("GET", vhostPath("/exchanges") + cols));
        tally(matches.queue, qs);
        tally(matches.exchange, xs);
        count.textContent = fmtInt(list.length) + (list.length === 1 ? " policy" : " policies");
        table.update(list);
      },
    };
  }

  var VIEWS = {
    overview: viewOverview,
    connections: viewConnections,
    channels: viewChannels,
    exchanges: viewExchanges,
    queues: viewQueues,
    queue: viewQueue,
    bindings: viewBindings,
    users: viewUsers,
    vhosts: viewVhosts,
    permissions: viewPermissions,
    policies: viewPolicies,
  };

  window.addEventListener("hashchange", route);
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) refreshNow();
  });

  if (state.auth) {
    api("GET", "/whoami").then(showApp, function (e) {
      if (e instanceof ApiError && e.status === 401) logout("Please log in again.");
      else { sessionStorage.removeItem(AUTH_KEY); showLogin(errText(e)); }
    });
  } else {
    showLogin();
  }
})();
`;
