/* meshgate plan report: draws the model embedded in #report-data. Layout by dagre (inlined). No network. */
(function () {
  "use strict";
  var t0 = performance.now();
  var M = JSON.parse(document.getElementById("report-data").textContent);
  var SVGNS = "http://www.w3.org/2000/svg";
  var $ = function (id) {
    return document.getElementById(id);
  };
  function esc(s) {
    return String(s === null || s === undefined ? "" : s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  /** Escaped, with `code` spans (the rules' fixes are written in Markdown). */
  function md(s) {
    return esc(s).replace(/`([^`]+)`/g, "<code>$1</code>");
  }
  function plural(n, one, many) {
    return n + " " + (n === 1 ? one : many || one + "s");
  }
  function fmtSec(s) {
    s = Math.round(s);
    var m = Math.floor(s / 60),
      r = s % 60;
    return m === 0 ? r + " s" : r === 0 ? m + " min" : m + " min " + r + " s";
  }

  // ------------------------------------------------------------ indexes
  var svcById = {},
    routeById = {},
    nsByName = {};
  M.services.forEach(function (s) {
    svcById[s.id] = s;
  });
  M.routes.forEach(function (r) {
    routeById[r.id] = r;
  });
  M.namespaces.forEach(function (n) {
    nsByName[n.name] = n;
  });
  var policyByNode = {};
  M.policy.forEach(function (p) {
    p.nodes.forEach(function (n) {
      (policyByNode[n] = policyByNode[n] || []).push(p);
    });
  });
  var entries = M.traces.entries;
  function entriesForRoute(r) {
    var exact = entries.filter(function (e) {
      return e.route === r.id;
    });
    if (exact.length > 0) return exact;
    return entries.filter(function (e) {
      return e.route && e.service === r.service && e.route.slice(e.route.indexOf("#")) === "#" + r.path;
    });
  }
  function entriesForService(id) {
    return entries.filter(function (e) {
      return e.service === id;
    });
  }
  function traceState(list) {
    if (list.length === 0) return null;
    var refused = list.filter(function (e) {
      return !e.outcome.reached;
    }).length;
    return { total: list.length, refused: refused };
  }
  var unmatched = entries.filter(function (e) {
    return e.service === null && !e.request.from;
  });
  var routeTraces = {};
  M.routes.forEach(function (r) {
    routeTraces[r.id] = entriesForRoute(r);
  });

  // ------------------------------------------------------------ theme
  var root = document.documentElement;
  var media = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;
  var themeChoice = "auto";
  function applyTheme() {
    var dark = themeChoice === "dark" || (themeChoice === "auto" && media && media.matches);
    root.setAttribute("data-theme", dark ? "dark" : "light");
    $("theme").textContent = themeChoice === "auto" ? "Theme: auto" : themeChoice === "dark" ? "Theme: dark" : "Theme: light";
  }
  $("theme").addEventListener("click", function () {
    themeChoice = themeChoice === "auto" ? "dark" : themeChoice === "dark" ? "light" : "auto";
    applyTheme();
  });
  if (media && media.addEventListener) media.addEventListener("change", applyTheme);
  applyTheme();

  // ------------------------------------------------------------ header
  var mandatory = M.policy.filter(function (p) {
    return p.level === "mandatory";
  }).length;
  var chips = [
    '<span class="chip">' + plural(M.services.length, "service") + "</span>",
    '<span class="chip">' + plural(M.routes.length, "route") + "</span>",
    '<span class="chip">' + plural(M.namespaces.length, "namespace") + "</span>",
    '<span class="chip">' +
      (M.source === "plan" && M.counts.components > 0
        ? plural(M.counts.resources, "resource") + " in " + plural(M.counts.components, "component")
        : plural(M.counts.objects, "object")) +
      "</span>",
    M.policy.length === 0
      ? '<span class="chip ok">policy: clean</span>'
      : '<span class="chip ' + (mandatory > 0 ? "bad" : "warn") + '">policy: ' + mandatory + " mandatory, " + (M.policy.length - mandatory) + " other</span>",
  ];
  if (M.timeline) chips.push('<span class="chip">deploy ≈ ' + fmtSec(M.timeline.seconds) + " (estimate)</span>");
  $("chips").innerHTML = chips.join("");
  $("policy-count").textContent = "(" + M.policy.length + ")";

  // ------------------------------------------------------------ tabs
  var tabs = ["traffic", "policy", "created"];
  function showTab(name, focus) {
    tabs.forEach(function (t) {
      var b = $("tabbtn-" + t);
      b.setAttribute("aria-selected", String(t === name));
      b.tabIndex = t === name ? 0 : -1;
      $("tab-" + t).classList.toggle("active", t === name);
    });
    if (focus) $("tabbtn-" + name).focus();
    if (name === "traffic" && needFit) {
      needFit = false;
      fit();
    }
  }
  tabs.forEach(function (t, i) {
    var b = $("tabbtn-" + t);
    b.addEventListener("click", function () {
      showTab(t);
    });
    b.addEventListener("keydown", function (ev) {
      if (ev.key === "ArrowRight" || ev.key === "ArrowLeft") {
        ev.preventDefault();
        showTab(tabs[(i + (ev.key === "ArrowRight" ? 1 : tabs.length - 1)) % tabs.length], true);
      }
    });
  });

  // ------------------------------------------------------------ text measuring
  var ctx = document.createElement("canvas").getContext("2d");
  var FONTS = {
    t: "600 13px " + getComputedStyle(document.body).fontFamily,
    n: "12px " + getComputedStyle(document.body).fontFamily,
    code: "12px " + getComputedStyle(document.querySelector("code") || document.body).fontFamily,
  };
  FONTS.code = "12px " + getComputedStyle($("mono-probe")).fontFamily;
  var widthCache = {};
  function textWidth(text, font) {
    var k = font + "\u0000" + text;
    if (widthCache[k] === undefined) {
      ctx.font = FONTS[font];
      widthCache[k] = ctx.measureText(text).width;
    }
    return widthCache[k];
  }
  var MAXW = 250,
    PADX = 10,
    LINEH = 17;
  /** Fit a line into max width with an ellipsis. */
  function fitText(text, font, max) {
    if (textWidth(text, font) <= max) return text;
    var lo = 0,
      hi = text.length;
    while (lo < hi) {
      var mid = (lo + hi + 1) >> 1;
      if (textWidth(text.slice(0, mid) + "…", font) <= max) lo = mid;
      else hi = mid - 1;
    }
    return text.slice(0, lo) + "…";
  }

  // ------------------------------------------------------------ graph model
  var collapsed = {};
  var autoCollapse = M.services.length > 40;
  M.namespaces.forEach(function (n) {
    collapsed[n.name] = autoCollapse;
  });
  var kongCallers = {};
  M.services.forEach(function (s) {
    s.callers.forEach(function (c) {
      if (c.kind === "kong") kongCallers[s.id] = true;
    });
  });

  function nodeLines(kind, d) {
    if (kind === "route") {
      var meth = d.methods.length > 0 ? d.methods.join(" ") : "any method";
      var sec = [d.auth.length > 0 ? d.auth.join(", ") : "no auth", d.rateLimit.length > 0 ? d.rateLimit.join(", ") : "no rate limit"];
      return [
        { t: d.path, f: "code", cls: "t code" },
        { t: meth + (d.host ? " · " + d.host : ""), f: "n", cls: "m" },
        { t: sec.join(" · "), f: "n" },
      ];
    }
    if (kind === "svc") {
      var one = d.versions.length === 1 && !d.canary ? " · " + d.versions[0].subset + " 100%" : "";
      return [
        { t: d.name, f: "t", cls: "t" },
        { t: ":" + (d.ports || "?") + one + (d.timeout ? " · timeout " + d.timeout : ""), f: "n", cls: "m" },
      ];
    }
    if (kind === "ver")
      return [
        { t: d.subset, f: "t", cls: "t" },
        { t: d.weight + "% of traffic" + (d.canary ? " + canary" : ""), f: "n", cls: "m" },
      ];
    if (kind === "ns") {
      var probs = d.services.filter(function (id) {
        return svcById[id].problems.length > 0;
      }).length;
      return [
        { t: "namespace " + d.name, f: "t", cls: "t" },
        { t: plural(d.services.length, "service") + " · " + plural(d.routes.length, "route"), f: "n", cls: "m" },
        { t: probs > 0 ? plural(probs, "service") + " with problems" : "click or Enter to expand", f: "n", cls: "m" },
      ];
    }
    return d.lines;
  }

  var STACKED = { clients: true, nlb: true, kong: true };
  function buildGraph() {
    var nodes = [],
      edges = [],
      clusters = [],
      nodeIdx = {};
    function addNode(id, kind, data, parent, status) {
      var lines = nodeLines(kind, data);
      var w = 0;
      var fitted = lines.map(function (l) {
        var t = fitText(l.t, l.f, MAXW - 2 * PADX);
        w = Math.max(w, textWidth(t, l.f));
        return { t: t, full: l.t, cls: l.cls || "", f: l.f };
      });
      var n = {
        id: id,
        kind: kind,
        data: data,
        parent: parent,
        lines: fitted,
        width: Math.max(90, Math.ceil(w) + 2 * PADX + (status ? 14 : 0)),
        height: fitted.length * LINEH + 12,
        status: status,
      };
      nodeIdx[id] = n;
      nodes.push(n);
      return n;
    }
    var edgeIdx = {};
    function addEdge(from, to, kind, label, info) {
      var k = from + "\u0000" + to + "\u0000" + kind;
      if (edgeIdx[k]) {
        edgeIdx[k].count++;
        return;
      }
      var e = { from: from, to: to, kind: kind, label: label || "", info: info, count: 1 };
      edgeIdx[k] = e;
      edges.push(e);
    }
    var nlb = M.edge.nlb;
    addNode("clients", "edge", {
      lines: [
        { t: "Clients", f: "t", cls: "t" },
        { t: "HTTPS · " + (M.edge.consumers.length > 0 ? plural(M.edge.consumers.length, "consumer") : "internet"), f: "n", cls: "m" },
      ],
    });
    if (nlb)
      addNode("nlb", "edge", {
        lines: [
          { t: nlb.kind, f: "t", cls: "t" },
          { t: nlb.scheme + (nlb.sourceRanges.length > 0 ? " · " + nlb.sourceRanges.join(", ") : ""), f: "n", cls: "m" },
        ],
      });
    addNode(
      "kong",
      "edge",
      {
        lines: [
          { t: "Kong proxy", f: "t", cls: "t" },
          { t: "namespace " + M.edge.kongNamespace, f: "n", cls: "m" },
          {
            t:
              M.edge.globalPlugins
                .map(function (p) {
                  return p.plugin;
                })
                .join(" · ") || "no global plugins",
            f: "n",
            cls: "m",
          },
        ],
      },
      null,
      (policyByNode.kong || []).length > 0 ? "warn" : null,
    );
    addEdge("clients", nlb ? "nlb" : "kong", "edge", "");
    if (nlb) addEdge("nlb", "kong", "edge", "");
    if (unmatched.length > 0) {
      addNode(
        "nomatch",
        "caller",
        {
          lines: [
            { t: "No route matched", f: "t", cls: "t" },
            { t: plural(unmatched.length, "request") + " · 404", f: "n", cls: "m" },
          ],
        },
        null,
        "bad",
      );
      addEdge("kong", "nomatch", "refused", "404", { entries: unmatched });
    }
    function where(kind, id, ns) {
      return collapsed[ns] ? "ns:" + ns : kind + ":" + id;
    }
    function statusOf(problems, traces, pol) {
      if (
        problems.length > 0 ||
        (pol || []).some(function (p) {
          return p.level === "mandatory";
        })
      )
        return "bad";
      if ((traces && traces.refused > 0) || (pol || []).length > 0) return "warn";
      return null;
    }
    M.namespaces.forEach(function (ns) {
      if (collapsed[ns.name]) {
        var bad =
          ns.services.some(function (id) {
            return svcById[id].problems.length > 0;
          }) ||
          ns.routes.some(function (id) {
            return routeById[id].problems.length > 0;
          });
        addNode("ns:" + ns.name, "ns", ns, null, bad ? "bad" : (policyByNode["ns:" + ns.name] || []).length > 0 ? "warn" : null);
        return;
      }
      clusters.push({ id: "ns:" + ns.name, ns: ns });
      ns.routes.forEach(function (id) {
        var r = routeById[id];
        addNode("route:" + id, "route", r, "ns:" + ns.name, statusOf(r.problems, traceState(routeTraces[id]), policyByNode["route:" + id]));
      });
      ns.services.forEach(function (id) {
        var s = svcById[id];
        addNode("svc:" + id, "svc", s, "ns:" + ns.name, statusOf(s.problems, traceState(entriesForService(id)), policyByNode["svc:" + id]));
        if (s.versions.length > 1 || s.canary) {
          s.versions.forEach(function (v) {
            addNode(
              "ver:" + id + "#" + v.subset,
              "ver",
              { subset: v.subset, weight: v.weight, labels: v.labels, service: id, canary: s.canary && s.canary.subset === v.subset },
              "ns:" + ns.name,
            );
          });
          if (
            s.canary &&
            !s.versions.some(function (v) {
              return v.subset === s.canary.subset;
            })
          ) {
            addNode("ver:" + id + "#" + s.canary.subset, "ver", { subset: s.canary.subset, weight: 0, labels: {}, service: id, canary: true }, "ns:" + ns.name);
          }
        }
      });
    });
    M.routes.forEach(function (r) {
      var from = where("route", r.id, r.namespace);
      addEdge("kong", from, r.problems.length > 0 ? "refused" : "edge", "", { route: r.id });
      var s = svcById[r.service];
      if (s) {
        var to = where("svc", s.id, s.namespace);
        var code = /\b(403|503)\b/.exec(r.problems.join(" "));
        if (from !== to) addEdge(from, to, r.problems.length > 0 ? "refused" : "edge", code ? code[1] : "", { route: r.id });
      }
    });
    M.services.forEach(function (s) {
      if (!collapsed[s.namespace] && (s.versions.length > 1 || s.canary)) {
        s.versions.forEach(function (v) {
          addEdge("svc:" + s.id, "ver:" + s.id + "#" + v.subset, "edge", v.weight + "%", { service: s.id, subset: v.subset });
        });
        if (s.canary)
          addEdge("svc:" + s.id, "ver:" + s.id + "#" + s.canary.subset, "canary", s.canary.header + ": " + s.canary.value, {
            service: s.id,
            subset: s.canary.subset,
            canary: true,
          });
      }
      s.callers.forEach(function (c) {
        if (c.kind === "kong") return;
        var to = where("svc", s.id, s.namespace);
        var from;
        if (c.kind === "service") {
          from = where("svc", c.service, svcById[c.service].namespace);
        } else {
          from = "caller:" + c.from;
          if (!nodeIdx[from])
            addNode(
              from,
              "caller",
              {
                lines: [
                  { t: c.from, f: "t", cls: "t" },
                  { t: "not a service here", f: "n", cls: "m" },
                ],
              },
              null,
              "bad",
            );
        }
        if (from !== to) addEdge(from, to, c.kind === "service" ? "internal" : "refused", "mTLS", { caller: c.from, service: s.id });
      });
    });
    return { nodes: nodes, edges: edges, clusters: clusters, nodeIdx: nodeIdx };
  }

  // ------------------------------------------------------------ layout + drawing
  var svg = $("graph-svg"),
    viewport = $("graph"),
    G = null,
    view = { x: 0, y: 0, k: 1 },
    bounds = { w: 1, h: 1 },
    needFit = false;
  var selected = null,
    lastLayoutMs = 0;
  function el(name, attrs, parent) {
    var e = document.createElementNS(SVGNS, name);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(e);
    return e;
  }
  function smooth(pts) {
    var d = "M" + pts[0].x + "," + pts[0].y;
    if (pts.length === 2) return d + "L" + pts[1].x + "," + pts[1].y;
    for (var i = 1; i < pts.length - 1; i++) {
      var mx = (pts[i].x + pts[i + 1].x) / 2,
        my = (pts[i].y + pts[i + 1].y) / 2;
      d += "Q" + pts[i].x + "," + pts[i].y + " " + (i === pts.length - 2 ? pts[i + 1].x + "," + pts[i + 1].y : mx + "," + my);
    }
    return d;
  }
  function layoutAndDraw(flat) {
    var start = performance.now();
    G = buildGraph();
    var g = new dagre.graphlib.Graph({ compound: true, multigraph: true });
    g.setGraph({ rankdir: "LR", nodesep: 22, ranksep: 18, edgesep: 26, marginx: 12, marginy: 30 });
    g.setDefaultEdgeLabel(function () {
      return {};
    });
    if (flat) G.clusters = [];
    G.clusters.forEach(function (c) {
      g.setNode(c.id, { cluster: true });
    });
    // Clients, the load balancer and Kong are one column, stacked top to bottom: the graph gets two columns narrower.
    var STACK = G.nodes.filter(function (n) {
        return STACKED[n.id];
      }),
      GAP = 22;
    var stackW = 0,
      stackH = -GAP;
    STACK.forEach(function (n) {
      stackW = Math.max(stackW, n.width);
      stackH += n.height + GAP;
    });
    g.setNode("gateway", { width: stackW, height: stackH });
    var dv = function (id) {
      return STACKED[id] ? "gateway" : id;
    };
    G.nodes.forEach(function (n) {
      if (STACKED[n.id]) return;
      g.setNode(n.id, { width: n.width, height: n.height });
      if (n.parent && !flat) g.setParent(n.id, n.parent);
    });
    var hasIn = {};
    G.edges.forEach(function (e, i) {
      var label = e.label + (e.count > 1 ? " ×" + e.count : "");
      e.text = e.kind === "internal" ? "" : label;
      // Internal calls are drawn after the layout, as arcs: ranking by them would push every callee one column further right.
      if (e.kind === "internal" || (STACKED[e.from] && STACKED[e.to])) return;
      hasIn[e.to] = true;
      g.setEdge(dv(e.from), dv(e.to), e.text ? { width: textWidth(e.text, "n") + 8, height: 16, labelpos: "c" } : {}, "e" + i);
    });
    // Services nobody routes to still belong in the services' column.
    G.nodes.forEach(function (n) {
      if (hasIn[n.id] || STACKED[n.id]) return;
      if (n.kind === "svc") g.setEdge("gateway", n.id, { minlen: 2, weight: 1 }, "anchor:" + n.id);
      else if (n.kind === "ns" || n.kind === "caller") g.setEdge("gateway", n.id, { minlen: n.kind === "caller" ? 2 : 1, weight: 1 }, "anchor:" + n.id);
    });
    try {
      dagre.layout(g);
    } catch (err) {
      // A graph dagre cannot lay out with namespace boxes is still drawn, without them.
      if (flat) throw err;
      return layoutAndDraw(true);
    }
    G.clusters.forEach(function (c) {
      var n = g.node(c.id);
      c.x = n.x;
      c.y = n.y;
      c.width = n.width;
      c.height = n.height;
    });
    var gw = g.node("gateway"),
      top = gw.y - gw.height / 2;
    G.nodes.forEach(function (n) {
      if (STACKED[n.id]) {
        n.x = gw.x;
        n.y = top + n.height / 2;
        top += n.height + GAP;
        return;
      }
      var l = g.node(n.id);
      n.x = l.x;
      n.y = l.y;
    });
    G.edges.forEach(function (e, i) {
      var a = G.nodeIdx[e.from],
        b = G.nodeIdx[e.to];
      if (STACKED[e.from] && STACKED[e.to]) {
        e.points = [
          { x: a.x, y: a.y + a.height / 2 },
          { x: b.x, y: b.y - b.height / 2 },
        ];
        e.d = smooth(e.points);
        return;
      }
      if (e.kind !== "internal") {
        var l = g.edge(dv(e.from), dv(e.to), "e" + i);
        e.points = l.points.slice();
        e.lx = l.x;
        e.ly = l.y;
        // Out of Kong's own box, not out of the middle of the stack.
        if (STACKED[e.from]) e.points[0] = { x: a.x + a.width / 2, y: a.y };
        e.d = smooth(e.points);
        return;
      }
      // An arc from the caller's right side to the callee (its right side when in the same column, else the near side).
      var same = Math.abs(a.x - b.x) < 20,
        right = b.x > a.x;
      var sx = a.x + a.width / 2,
        sy = a.y;
      var ex = same ? b.x + b.width / 2 : right ? b.x - b.width / 2 : b.x + b.width / 2,
        ey = b.y;
      var bow = same ? 36 + Math.min(120, Math.abs(ey - sy) * 0.25) : 60;
      e.d = "M" + sx + "," + sy + " C" + (sx + bow) + "," + sy + " " + (same || !right ? ex + bow : ex - bow) + "," + ey + " " + ex + "," + ey;
      e.points = [
        { x: sx, y: sy },
        { x: ex, y: ey },
      ];
    });
    var gg = g.graph();
    bounds = { w: gg.width || 1, h: gg.height || 1 };
    draw();
    lastLayoutMs = performance.now() - start;
  }
  function draw() {
    while (svg.lastChild) svg.removeChild(svg.lastChild);
    var defs = el("defs", {}, svg);
    [
      ["arr", ""],
      ["arr-bad", "bad"],
      ["arr-int", "int"],
      ["arr-can", "can"],
    ].forEach(function (m) {
      var mk = el(
        "marker",
        { id: m[0], viewBox: "0 0 10 10", refX: "9", refY: "5", markerWidth: "9", markerHeight: "9", markerUnits: "userSpaceOnUse", orient: "auto-start-reverse", class: m[1] },
        defs,
      );
      el("path", { d: "M0,0 L10,5 L0,10 z" }, mk);
    });
    var world = el("g", { id: "world" }, svg);
    G.clusters.forEach(function (c) {
      var ns = c.ns;
      var grp = el("g", { class: "cluster", "data-id": c.id }, world);
      el("rect", { x: c.x - c.width / 2, y: c.y - c.height / 2 - 22, width: c.width, height: c.height + 22, rx: 10 }, grp);
      var head = el("g", { class: "clhead" }, grp);
      var label = "▾ namespace " + ns.name + (ns.mtls ? " · mTLS " + ns.mtls : "") + (ns.defaultDeny ? " · default deny" : "");
      var t = el("text", { x: c.x - c.width / 2 + 10, y: c.y - c.height / 2 - 6 }, head);
      t.textContent = fitText(label, "n", c.width - 20);
      var title = el("title", {}, head);
      title.textContent = "Collapse namespace " + ns.name;
      head.addEventListener("click", function () {
        setCollapsed(ns.name, true);
      });
    });
    G.edges.forEach(function (e) {
      var cls = "edge " + (e.kind === "edge" ? "" : e.kind);
      var grp = el("g", { class: cls, "data-from": e.from, "data-to": e.to }, world);
      el("path", { class: "hit", d: e.d }, grp);
      el(
        "path",
        { class: "line", d: e.d, "marker-end": "url(#" + (e.kind === "refused" ? "arr-bad" : e.kind === "internal" ? "arr-int" : e.kind === "canary" ? "arr-can" : "arr") + ")" },
        grp,
      );
      if (e.text) {
        var t = el("text", { x: e.lx, y: e.ly + 4, "text-anchor": "middle" }, grp);
        t.textContent = e.text;
      }
      grp.addEventListener("click", function (ev) {
        ev.stopPropagation();
        selectEdge(e);
      });
      e.el = grp;
    });
    G.nodes.forEach(function (n) {
      var k = n.kind === "edge" ? "k-edge" : "k-" + n.kind;
      var grp = el(
        "g",
        {
          class: "node " + k + (n.status ? " " + n.status : ""),
          tabindex: "0",
          role: "button",
          "data-id": n.id,
          transform: "translate(" + (n.x - n.width / 2) + "," + (n.y - n.height / 2) + ")",
        },
        world,
      );
      grp.setAttribute(
        "aria-label",
        n.lines
          .map(function (l) {
            return l.full;
          })
          .join(", ") + (n.status === "bad" ? ", has problems" : ""),
      );
      el("rect", { class: "box", width: n.width, height: n.height, rx: 7 }, grp);
      n.lines.forEach(function (l, i) {
        var t = el("text", { x: PADX, y: 6 + (i + 1) * LINEH - 4, class: l.cls }, grp);
        t.textContent = l.t;
      });
      if (n.status) {
        el("circle", { class: "flag" + (n.status === "warn" ? " warn" : ""), cx: n.width - 9, cy: 9, r: 6 }, grp);
        var ft = el("text", { class: "flagtext", x: n.width - 9, y: 13, "text-anchor": "middle" }, grp);
        ft.textContent = "!";
      }
      var tip = el("title", {}, grp);
      tip.textContent = n.lines
        .map(function (l) {
          return l.full;
        })
        .join("\n");
      grp.addEventListener("click", function (ev) {
        ev.stopPropagation();
        activate(n.id);
      });
      grp.addEventListener("keydown", function (ev) {
        if (ev.key === "Enter" || ev.key === " ") {
          ev.preventDefault();
          activate(n.id);
        }
      });
      grp.addEventListener("focus", function () {
        ensureVisible(n);
      });
      n.el = grp;
    });
    svg.classList.toggle(
      "many",
      G.edges.filter(function (e) {
        return e.kind === "internal";
      }).length > 8,
    );
    applyView();
    applySearch();
    if (selected && G.nodeIdx[selected]) markSelected(selected);
  }
  function activate(id) {
    var n = G.nodeIdx[id];
    if (n && n.kind === "ns") {
      setCollapsed(n.data.name, false, true);
      return;
    }
    select(id);
  }

  // ------------------------------------------------------------ pan / zoom
  function applyView() {
    var w = $("world");
    if (w) w.setAttribute("transform", "translate(" + view.x + "," + view.y + ") scale(" + view.k + ")");
  }
  function fit() {
    var W = viewport.clientWidth,
      H = viewport.clientHeight;
    if (W === 0 || H === 0) {
      needFit = true;
      return;
    }
    // Room for the hint above and the legend below.
    var k = Math.max(0.35, Math.min((W - 24) / bounds.w, (H - 70) / bounds.h, 1.25));
    view.k = k;
    view.x = bounds.w * k < W ? (W - bounds.w * k) / 2 : 8;
    view.y = bounds.h * k < H - 70 ? 28 + (H - 70 - bounds.h * k) / 2 : 28;
    applyView();
  }
  function zoom(f, cx, cy) {
    var W = viewport.clientWidth,
      H = viewport.clientHeight;
    if (cx === undefined) {
      cx = W / 2;
      cy = H / 2;
    }
    var k = Math.min(3, Math.max(0.1, view.k * f));
    view.x = cx - (cx - view.x) * (k / view.k);
    view.y = cy - (cy - view.y) * (k / view.k);
    view.k = k;
    applyView();
  }
  function ensureVisible(n) {
    var W = viewport.clientWidth,
      H = viewport.clientHeight;
    var sx = n.x * view.k + view.x,
      sy = n.y * view.k + view.y;
    if (sx < 40 || sx > W - 40 || sy < 30 || sy > H - 30) {
      view.x = W / 2 - n.x * view.k;
      view.y = H / 2 - n.y * view.k;
      applyView();
    }
  }
  // Scrolling pans (a trackpad's two fingers, a mouse wheel); Ctrl + wheel and pinching zoom, as in map and design tools.
  viewport.addEventListener(
    "wheel",
    function (ev) {
      ev.preventDefault();
      if (ev.ctrlKey || ev.metaKey) {
        var r = viewport.getBoundingClientRect();
        zoom(ev.deltaY < 0 ? 1.12 : 1 / 1.12, ev.clientX - r.left, ev.clientY - r.top);
        return;
      }
      var f = ev.deltaMode === 1 ? 16 : 1;
      view.x -= (ev.shiftKey && !ev.deltaX ? ev.deltaY : ev.deltaX) * f;
      view.y -= (ev.shiftKey && !ev.deltaX ? 0 : ev.deltaY) * f;
      applyView();
    },
    { passive: false },
  );
  var drag = null;
  viewport.addEventListener("pointerdown", function (ev) {
    if (ev.target.closest && (ev.target.closest(".node") || ev.target.closest(".zoom") || ev.target.closest(".edge"))) return;
    drag = { x: ev.clientX, y: ev.clientY, vx: view.x, vy: view.y, moved: false };
  });
  window.addEventListener("pointermove", function (ev) {
    if (!drag) return;
    view.x = drag.vx + ev.clientX - drag.x;
    view.y = drag.vy + ev.clientY - drag.y;
    if (Math.abs(ev.clientX - drag.x) + Math.abs(ev.clientY - drag.y) > 3) drag.moved = true;
    applyView();
  });
  window.addEventListener("pointerup", function () {
    drag = null;
  });
  $("graph-svg").addEventListener("keydown", function (ev) {
    if (ev.target !== $("graph-svg")) return;
    var step = 60;
    if (ev.key === "ArrowLeft") view.x += step;
    else if (ev.key === "ArrowRight") view.x -= step;
    else if (ev.key === "ArrowUp") view.y += step;
    else if (ev.key === "ArrowDown") view.y -= step;
    else if (ev.key === "+" || ev.key === "=") {
      zoom(1.2);
      return;
    } else if (ev.key === "-") {
      zoom(1 / 1.2);
      return;
    } else if (ev.key === "0") {
      fit();
      return;
    } else return;
    ev.preventDefault();
    applyView();
  });
  $("zoom-in").addEventListener("click", function () {
    zoom(1.25);
  });
  $("zoom-out").addEventListener("click", function () {
    zoom(1 / 1.25);
  });
  $("zoom-fit").addEventListener("click", fit);

  // ------------------------------------------------------------ collapse / search / list
  function setCollapsed(ns, value, focusInside) {
    if (collapsed[ns] === value) return;
    collapsed[ns] = value;
    layoutAndDraw();
    renderList();
    if (value) {
      fit();
      return;
    }
    focusCluster(ns);
    var first = G.nodes.filter(function (n) {
      return n.parent === "ns:" + ns;
    })[0];
    if (first && focusInside) first.el.focus({ preventScroll: true });
  }
  /** Shows an expanded namespace at a readable scale, its top at the top of the view. */
  function focusCluster(ns) {
    var c = G.clusters.filter(function (x) {
      return x.id === "ns:" + ns;
    })[0];
    var W = viewport.clientWidth;
    if (!c || W === 0) {
      fit();
      return;
    }
    // Full size when it fits the width: a tall namespace is then scrolled, not shrunk.
    view.k = Math.max(0.6, Math.min(1, (W - 40) / c.width));
    view.x = W / 2 - c.x * view.k;
    view.y = 36 - (c.y - c.height / 2 - 22) * view.k;
    applyView();
  }
  // Laying out boxes grows faster than their number: past this many services at once the page would stop answering.
  var MAX_EXPANDED = 100;
  $("expand-all").addEventListener("click", function () {
    var open = 0,
      left = 0;
    M.namespaces.forEach(function (n) {
      if (!collapsed[n.name]) open += n.services.length;
    });
    M.namespaces.forEach(function (n) {
      if (!collapsed[n.name]) return;
      if (open + n.services.length <= MAX_EXPANDED) {
        collapsed[n.name] = false;
        open += n.services.length;
      } else left++;
    });
    $("trace-note").textContent =
      left > 0 ? left + " namespaces stay collapsed: at most " + MAX_EXPANDED + " services are drawn at once. Collapse some or search to open others." : traceNote;
    layoutAndDraw();
    renderList();
    fit();
  });
  $("collapse-all").addEventListener("click", function () {
    M.namespaces.forEach(function (n) {
      collapsed[n.name] = true;
    });
    layoutAndDraw();
    renderList();
    fit();
  });
  var query = "";
  function matches(text) {
    return query === "" || text.toLowerCase().indexOf(query) >= 0;
  }
  function nodeText(n) {
    if (n.kind === "route") return n.data.id + " " + n.data.methods.join(" ") + " " + n.data.auth.join(" ");
    if (n.kind === "svc") return n.data.id;
    if (n.kind === "ver") return n.data.service + " " + n.data.subset;
    if (n.kind === "ns") return n.data.name + " " + n.data.services.join(" ") + " " + n.data.routes.join(" ");
    return n.lines
      .map(function (l) {
        return l.full;
      })
      .join(" ");
  }
  function applySearch() {
    if (!G) return;
    G.nodes.forEach(function (n) {
      n.el.classList.toggle("dim", query !== "" && !matches(nodeText(n)));
    });
    G.edges.forEach(function (e) {
      e.el.classList.toggle("dim", query !== "");
    });
  }
  $("search").addEventListener("input", function () {
    query = this.value.trim().toLowerCase();
    renderList();
    applySearch();
  });
  $("search").addEventListener("keydown", function (ev) {
    if (ev.key === "Enter") {
      var b = $("list").querySelector("button.item");
      if (b) b.click();
    }
    if (ev.key === "Escape") {
      this.value = "";
      query = "";
      renderList();
      applySearch();
    }
  });
  document.addEventListener("keydown", function (ev) {
    if (ev.key === "/" && document.activeElement && document.activeElement.tagName !== "INPUT") {
      ev.preventDefault();
      showTab("traffic");
      $("search").focus();
    }
  });
  function routeLabel(r) {
    return (r.methods.length > 0 ? r.methods.join(",") + " " : "") + r.path;
  }
  function dotFor(problems, traces, node) {
    var pol = policyByNode[node] || [];
    if (
      problems.length > 0 ||
      pol.some(function (p) {
        return p.level === "mandatory";
      })
    )
      return '<span class="dot bad" title="problem"></span>';
    if ((traces && traces.refused > 0) || pol.length > 0) return '<span class="dot warn" title="refused requests or advice"></span>';
    return '<span class="dot"></span>';
  }
  function renderList() {
    var html = [],
      shown = 0;
    M.namespaces.forEach(function (ns) {
      var svcs = ns.services.filter(function (id) {
        return matches(id);
      });
      var rts = ns.routes.filter(function (id) {
        var r = routeById[id];
        return matches(id + " " + r.methods.join(" "));
      });
      if (query !== "" && svcs.length === 0 && rts.length === 0 && !matches(ns.name)) return;
      if (query !== "" && matches(ns.name) && svcs.length === 0 && rts.length === 0) {
        svcs = ns.services;
        rts = ns.routes;
      }
      html.push(
        '<div class="ns"><button class="nsbtn" data-ns="' +
          esc(ns.name) +
          '" aria-expanded="' +
          String(!collapsed[ns.name]) +
          '" title="Show or hide this namespace in the graph">' +
          esc(ns.name) +
          ' <span class="meta">' +
          ns.services.length +
          " svc · " +
          plural(ns.routes.length, "route") +
          "</span></button>",
      );
      var limit = query === "" && collapsed[ns.name] ? 0 : 400;
      svcs.slice(0, limit).forEach(function (id) {
        var s = svcById[id];
        shown++;
        html.push('<button class="item svc" data-node="svc:' + esc(id) + '">' + dotFor(s.problems, traceState(entriesForService(id)), "svc:" + id) + esc(s.name) + "</button>");
        s.routes.forEach(function (rid) {
          if (rts.indexOf(rid) < 0) return;
          var r = routeById[rid];
          html.push(
            '<button class="item route" data-node="route:' +
              esc(rid) +
              '" title="' +
              esc(rid) +
              '">' +
              dotFor(r.problems, traceState(routeTraces[rid]), "route:" + rid) +
              esc(routeLabel(r)) +
              "</button>",
          );
        });
      });
      rts.forEach(function (rid) {
        var r = routeById[rid];
        if (limit === 0 || svcs.indexOf(r.service) >= 0) return;
        html.push(
          '<button class="item route" data-node="route:' +
            esc(rid) +
            '" title="' +
            esc(rid) +
            '">' +
            dotFor(r.problems, traceState(routeTraces[rid]), "route:" + rid) +
            esc(routeLabel(r)) +
            "</button>",
        );
      });
      html.push("</div>");
    });
    if (html.length === 0) html.push('<div class="empty">Nothing matches “' + esc(query) + "”.</div>");
    $("list").innerHTML = html.join("");
    void shown;
  }
  $("list").addEventListener("click", function (ev) {
    var b = ev.target.closest("button");
    if (!b) return;
    if (b.dataset.ns) {
      setCollapsed(b.dataset.ns, !collapsed[b.dataset.ns]);
      var again = $("list").querySelector('[data-ns="' + CSS.escape(b.dataset.ns) + '"]');
      if (again) again.focus();
      return;
    }
    if (b.dataset.node) revealAndSelect(b.dataset.node);
  });
  function nsOfNode(id) {
    if (id.indexOf("svc:") === 0) return svcById[id.slice(4)].namespace;
    if (id.indexOf("route:") === 0) return routeById[id.slice(6)].namespace;
    if (id.indexOf("ver:") === 0) return svcById[id.slice(4, id.indexOf("#"))].namespace;
    return null;
  }
  function revealAndSelect(id) {
    var ns = nsOfNode(id);
    if (ns && collapsed[ns]) {
      collapsed[ns] = false;
      layoutAndDraw();
      renderList();
    }
    showTab("traffic");
    select(id);
    var n = G.nodeIdx[id];
    if (n) ensureVisible(n);
  }

  // ------------------------------------------------------------ details
  function policyHtml(list) {
    if (!list || list.length === 0) return "";
    return (
      "<h3>Policy</h3>" +
      list
        .map(function (p) {
          return (
            '<div class="' +
            (p.level === "mandatory" ? "problem" : "note") +
            '"><span class="lvl ' +
            esc(p.level) +
            '">' +
            esc(p.level) +
            "</span> <b>" +
            esc(p.policy) +
            "</b> on " +
            esc(p.object) +
            ": " +
            md(p.message) +
            (p.fix ? "<br><i>Fix:</i> " + md(p.fix) : "") +
            "</div>"
          );
        })
        .join("")
    );
  }
  function problemsHtml(list) {
    return list
      .map(function (p) {
        return '<div class="problem">' + esc(p) + "</div>";
      })
      .join("");
  }
  function link(node, text) {
    return '<button class="linkbtn" data-goto="' + esc(node) + '">' + esc(text) + "</button>";
  }
  function traceHtml(list, heading) {
    var h = "<h3>" + esc(heading || "Explain traces") + "</h3>";
    if (!M.traces.available) {
      return (
        h +
        '<p class="empty">Explain data is unavailable: ' +
        esc(M.traces.problem || "no routes.json was written next to this report") +
        ". Run <code>meshgate explain --matrix</code> to produce it.</p>"
      );
    }
    if (list.length === 0) return h + '<p class="empty">No request in routes.json goes this way.</p>';
    var shown = list.slice(0, 60);
    return (
      h +
      shown
        .map(function (e, i) {
          var req = e.request;
          var hdrs = Object.keys(req.headers || {}).map(function (k) {
            return k + ": " + req.headers[k];
          });
          var line =
            req.method +
            " " +
            req.url.replace(/^https?:\/\/[^/]*/, "") +
            (hdrs.length ? " [" + hdrs.join(", ") + "]" : "") +
            (req.consumer ? " as " + req.consumer : "") +
            (req.from ? " from " + req.from : "");
          var o = e.outcome;
          var dests = (o.destinations || [])
            .map(function (d) {
              return esc(d.host) + (d.subset ? " / " + esc(d.subset) : "") + " " + d.weight + "%";
            })
            .join(", ");
          var hops = e.hops
            .map(function (hp) {
              return (
                '<li class="' +
                esc(hp.result) +
                '"><div class="ht">' +
                esc(hp.title) +
                "</div><div>" +
                esc(hp.decision) +
                "</div>" +
                (hp.object ? '<div class="obj">' + esc(hp.object) + (hp.field ? " · " + esc(hp.field) : "") + "</div>" : "") +
                "</li>"
              );
            })
            .join("");
          var spans = (e.spans || [])
            .map(function (s) {
              return esc(s.by) + (s.sentTo ? " → " + esc(s.sentTo) : " (no span: " + esc(s.missingBecause || "?") + ")");
            })
            .join("<br>");
          return (
            '<details class="trace" data-entry="' +
            esc(e.id) +
            '"' +
            (i === 0 ? " open" : "") +
            '><summary><span class="req">' +
            esc(line) +
            '</span><span class="status ' +
            (o.reached ? "ok" : "bad") +
            '">' +
            (o.reached ? "reached" : "refused") +
            " " +
            o.status +
            "</span></summary>" +
            '<div class="body"><p class="reason">' +
            esc(o.reason) +
            "</p>" +
            (dests ? "<p><b>To:</b> " + dests + "</p>" : "") +
            '<ol class="hops">' +
            hops +
            "</ol>" +
            (spans ? '<p class="obj"><b>Spans:</b><br>' + spans + "</p>" : "") +
            "</div></details>"
          );
        })
        .join("") +
      (list.length > shown.length ? '<p class="empty">… and ' + (list.length - shown.length) + " more.</p>" : "")
    );
  }
  function details(id) {
    var n = G.nodeIdx[id];
    var kind = id.split(":")[0];
    var h = "";
    if (kind === "route") {
      var r = routeById[id.slice(6)];
      h =
        '<div class="kind">Kong route</div><h2 class="mono">' +
        esc(routeLabel(r)) +
        "</h2>" +
        problemsHtml(r.problems) +
        '<dl><dt>Object</dt><dd class="mono">' +
        esc(r.object) +
        "</dd><dt>Path</dt><dd><code>" +
        esc(r.path) +
        "</code> (" +
        esc(r.pathType) +
        (r.stripPath === null ? "" : ", strip-path " + r.stripPath) +
        ")</dd>" +
        "<dt>Methods</dt><dd>" +
        esc(r.methods.join(", ") || "any") +
        "</dd>" +
        (r.host ? "<dt>Host</dt><dd>" + esc(r.host) + "</dd>" : "") +
        "<dt>Auth</dt><dd>" +
        esc(r.auth.join(", ") || "none: anyone may call") +
        "</dd><dt>Rate limit</dt><dd>" +
        esc(r.rateLimit.join("; ") || "none") +
        "</dd>" +
        "<dt>Backend</dt><dd>" +
        (svcById[r.service] ? link("svc:" + r.service, r.service) : esc(r.service)) +
        (r.port ? " port " + esc(r.port) : "") +
        "</dd></dl>" +
        '<h3>Plugins</h3><ul class="plain">' +
        r.plugins
          .concat(M.edge.globalPlugins)
          .map(function (p) {
            return "<li><b>" + esc(p.plugin) + "</b> " + esc(p.name) + (p.scope === "global" ? " (global)" : "") + (p.summary ? ": " + esc(p.summary) : "") + "</li>";
          })
          .join("") +
        "</ul>" +
        policyHtml(policyByNode[id]) +
        traceHtml(routeTraces[r.id]);
    } else if (kind === "svc") {
      var s = svcById[id.slice(4)];
      var vers = s.versions
        .map(function (v) {
          return (
            '<li><span class="weight" style="width:' +
            Math.max(2, v.weight) +
            'px"></span><b>' +
            esc(v.subset) +
            "</b> " +
            v.weight +
            "%" +
            (Object.keys(v.labels).length
              ? ' <span class="obj">' +
                esc(
                  Object.keys(v.labels)
                    .map(function (k) {
                      return k + "=" + v.labels[k];
                    })
                    .join(", "),
                ) +
                "</span>"
              : "") +
            "</li>"
          );
        })
        .join("");
      var callers = s.callers
        .map(function (c) {
          return (
            "<li>" +
            (c.kind === "service" ? link("svc:" + c.service, c.from) : esc(c.from)) +
            (c.kind === "kong" ? " (Kong)" : c.kind === "unknown" ? " (not a service here)" : "") +
            "</li>"
          );
        })
        .join("");
      h =
        '<div class="kind">Service · namespace ' +
        esc(s.namespace) +
        "</div><h2>" +
        esc(s.name) +
        "</h2>" +
        problemsHtml(s.problems) +
        "<dl><dt>Port</dt><dd>" +
        esc(s.ports || "?") +
        "</dd>" +
        (s.timeout ? "<dt>Timeout</dt><dd>" + esc(s.timeout) + "</dd>" : "") +
        (s.retries ? "<dt>Retries</dt><dd>" + esc(s.retries) + "</dd>" : "") +
        (s.outlier ? "<dt>Outlier</dt><dd>" + esc(s.outlier) + "</dd>" : "") +
        (s.tls ? "<dt>TLS</dt><dd>" + esc(s.tls) + "</dd>" : "") +
        (s.canary ? "<dt>Canary</dt><dd><code>" + esc(s.canary.header) + ": " + esc(s.canary.value) + "</code> → " + esc(s.canary.subset) + " (matched first)</dd>" : "") +
        "<dt>Routes</dt><dd>" +
        (s.routes
          .map(function (rid) {
            return link("route:" + rid, routeLabel(routeById[rid]));
          })
          .join("<br>") || "none: internal only") +
        "</dd></dl>" +
        '<h3>Versions</h3><ul class="plain">' +
        vers +
        "</ul><h3>Who may call it</h3>" +
        (s.access === "open"
          ? '<p class="note">Any workload may call it: no AuthorizationPolicy applies, or one has a rule without a source.</p>'
          : s.access === "deny-all"
            ? '<p class="note">Nobody: deny-all.</p>'
            : '<ul class="plain">' + callers + "</ul>") +
        '<h3>Objects</h3><ul class="plain mono">' +
        s.objects
          .map(function (o) {
            return "<li>" + esc(o) + "</li>";
          })
          .join("") +
        "</ul>" +
        policyHtml(policyByNode[id]) +
        traceHtml(entriesForService(s.id), "Requests to this service");
    } else if (kind === "ver") {
      var d = n.data;
      h =
        '<div class="kind">Version (subset) of ' +
        esc(d.service) +
        "</div><h2>" +
        esc(d.subset) +
        "</h2><dl><dt>Weight</dt><dd>" +
        d.weight +
        "%" +
        (d.canary ? " + every request with the canary header" : "") +
        '</dd><dt>Pods</dt><dd class="mono">' +
        esc(
          Object.keys(d.labels)
            .map(function (k) {
              return k + "=" + d.labels[k];
            })
            .join(", ") || "?",
        ) +
        "</dd></dl>" +
        "<p>" +
        link("svc:" + d.service, "Back to " + d.service) +
        "</p>" +
        traceHtml(
          entriesForService(d.service).filter(function (e) {
            return (e.outcome.destinations || []).some(function (x) {
              return x.subset === d.subset;
            });
          }),
          "Requests that reach " + d.subset,
        );
    } else if (kind === "ns") {
      var ns = nsByName[id.slice(3)];
      h =
        '<div class="kind">Namespace</div><h2>' +
        esc(ns.name) +
        "</h2><dl><dt>Sidecars</dt><dd>" +
        (ns.injection === null ? "?" : ns.injection ? "injected" : "not injected") +
        "</dd><dt>mTLS</dt><dd>" +
        esc(ns.mtls || "mesh default") +
        "</dd><dt>Default</dt><dd>" +
        (ns.defaultDeny ? "deny (allow-nothing policy)" : "allow") +
        "</dd></dl>" +
        '<p><button class="iconbtn" data-expand="' +
        esc(ns.name) +
        '">' +
        (collapsed[ns.name] ? "Expand in the graph" : "Collapse in the graph") +
        '</button></p><h3>Services</h3><ul class="plain">' +
        ns.services
          .map(function (sid) {
            return "<li>" + dotFor(svcById[sid].problems, null, "svc:" + sid) + link("svc:" + sid, svcById[sid].name) + "</li>";
          })
          .join("") +
        "</ul>" +
        policyHtml(policyByNode[id]);
    } else if (id === "kong") {
      h =
        '<div class="kind">Gateway</div><h2>Kong proxy</h2><dl><dt>Namespace</dt><dd>' +
        esc(M.edge.kongNamespace) +
        "</dd><dt>Consumers</dt><dd>" +
        esc(M.edge.consumers.join(", ") || "none") +
        '</dd></dl><h3>Global plugins</h3><ul class="plain">' +
        (M.edge.globalPlugins
          .map(function (p) {
            return "<li><b>" + esc(p.plugin) + "</b> " + esc(p.name) + (p.summary ? ": " + esc(p.summary) : "") + "</li>";
          })
          .join("") || '<li class="empty">none</li>') +
        '</ul><h3>Routes</h3><ul class="plain">' +
        M.routes
          .slice(0, 200)
          .map(function (r) {
            return "<li>" + link("route:" + r.id, routeLabel(r)) + "</li>";
          })
          .join("") +
        "</ul>" +
        policyHtml(policyByNode.kong) +
        (unmatched.length ? traceHtml(unmatched, "Requests no route matched") : "");
    } else if (id === "nlb") {
      var l = M.edge.nlb;
      h =
        '<div class="kind">Load balancer</div><h2>' +
        esc(l.kind) +
        "</h2><dl><dt>Service</dt><dd>" +
        esc(l.name) +
        "</dd><dt>Scheme</dt><dd>" +
        esc(l.scheme) +
        "</dd><dt>Clients</dt><dd>" +
        esc(l.sourceRanges.join(", ") || "anyone (no loadBalancerSourceRanges)") +
        "</dd></dl>";
    } else if (id === "clients") {
      h =
        '<div class="kind">Edge</div><h2>Clients</h2><p>Requests arrive over HTTPS at the ' +
        esc(M.edge.nlb ? M.edge.nlb.kind : "gateway") +
        '.</p><h3>Kong consumers</h3><ul class="plain">' +
        (M.edge.consumers
          .map(function (c) {
            return "<li>" + esc(c) + "</li>";
          })
          .join("") || '<li class="empty">none</li>') +
        "</ul>";
    } else if (id === "nomatch") {
      h = '<div class="kind">Refused</div><h2>No route matched</h2>' + traceHtml(unmatched, "Requests");
    } else if (kind === "caller") {
      h =
        '<div class="kind">Caller</div><h2>' +
        esc(id.slice(7)) +
        '</h2><div class="problem">Allowed by an AuthorizationPolicy, but no service of this ' +
        (M.source === "plan" ? "stack" : "input") +
        " runs as this service account.</div>";
    }
    return h;
  }
  /** The selected box, and the connections that touch it (internal calls stand out when there are many). */
  function markSelected(id) {
    G.nodes.forEach(function (n) {
      n.el.classList.toggle("sel", n.id === id);
    });
    G.edges.forEach(function (e) {
      e.el.classList.remove("sel");
      e.el.classList.toggle("hl", e.from === id || e.to === id);
    });
  }
  function select(id) {
    if (G) markSelected(id);
    selected = id;
    $("details").innerHTML = details(id);
    document.querySelectorAll("#list button.sel").forEach(function (b) {
      b.classList.remove("sel");
    });
    var lb = $("list").querySelector('[data-node="' + CSS.escape(id) + '"]');
    if (lb) lb.classList.add("sel");
  }
  function selectEdge(e) {
    G.nodes.forEach(function (n) {
      n.el.classList.remove("sel");
    });
    G.edges.forEach(function (x) {
      x.el.classList.toggle("sel", x === e);
    });
    selected = null;
    var name = function (id) {
      var n = G.nodeIdx[id];
      return n ? n.lines[0].full : id;
    };
    var info = e.info || {},
      list,
      what;
    if (info.entries) {
      list = info.entries;
      what = "Requests";
    } else if (info.route) {
      list = routeTraces[info.route];
      what = "Requests on " + info.route;
    } else if (info.caller) {
      list = entries.filter(function (x) {
        return x.service === info.service && x.request.from === info.caller;
      });
      what = "Calls from " + info.caller;
    } else if (info.subset) {
      list = entriesForService(info.service).filter(function (x) {
        return (
          (x.outcome.destinations || []).some(function (d) {
            return d.subset === info.subset;
          }) &&
          (!info.canary || Object.keys(x.request.headers || {}).length > 0)
        );
      });
      what = "Requests that reach " + info.subset;
    } else if (e.to.indexOf("ns:") === 0 || e.from.indexOf("ns:") === 0) {
      what = "Requests into namespace";
      var nsn = (e.to.indexOf("ns:") === 0 ? e.to : e.from).slice(3);
      list = entries.filter(function (x) {
        return x.service && x.service.split("/")[0] === nsn;
      });
    } else {
      what = "Requests through the edge";
      list = entries.filter(function (x) {
        return !x.request.from;
      });
    }
    $("details").innerHTML =
      '<div class="kind">Connection</div><h2>' + esc(name(e.from)) + " → " + esc(name(e.to)) + "</h2>" + (e.text ? "<p>" + esc(e.text) + "</p>" : "") + traceHtml(list, what);
  }
  $("details").addEventListener("click", function (ev) {
    var b = ev.target.closest("button");
    if (!b) return;
    if (b.dataset.goto) revealAndSelect(b.dataset.goto);
    if (b.dataset.expand) {
      var nsName = b.dataset.expand,
        nsModel = nsByName[nsName];
      setCollapsed(nsName, !collapsed[nsName]);
      var next = G.nodeIdx["ns:" + nsName] ? "ns:" + nsName : nsModel.services[0] ? "svc:" + nsModel.services[0] : null;
      if (next) select(next);
    }
  });

  // ------------------------------------------------------------ policy tab
  (function renderPolicy() {
    var h;
    if (M.policy.length === 0) {
      h =
        '<div class="card clean"><div class="big">✓</div><div><h2>Clean: no policy violations</h2><p class="lead">All ' +
        M.counts.rules +
        " meshgate rules passed on " +
        (M.source === "plan" ? plural(M.counts.resources, "resource") : plural(M.counts.objects, "object")) +
        ".</p></div></div>";
    } else {
      var mand = M.policy.filter(function (p) {
        return p.level === "mandatory";
      }).length;
      h =
        '<div class="card"><h2>' +
        plural(M.policy.length, "policy violation") +
        '</h2><p class="lead">' +
        mand +
        " mandatory (block the deploy), " +
        (M.policy.length - mand) +
        " advisory. Each row names the object, the rule, what is wrong and how to fix it.</p>" +
        '<table class="pol"><thead><tr><th>Level</th><th>Object</th><th>Rule</th><th>What is wrong</th><th>Fix</th></tr></thead><tbody>' +
        M.policy
          .map(function (p) {
            return (
              '<tr><td><span class="lvl ' +
              esc(p.level) +
              '">' +
              esc(p.level) +
              '</span></td><td class="mono">' +
              (p.nodes.length ? '<button class="linkbtn" data-goto="' + esc(p.nodes[0]) + '">' + esc(p.object) + "</button>" : esc(p.object)) +
              (p.file ? '<div class="obj">' + esc(p.file) + "</div>" : "") +
              "</td><td><b>" +
              esc(p.policy) +
              '</b><div class="obj">' +
              md(p.description) +
              "</div></td><td>" +
              md(p.message) +
              '</td><td class="fix">' +
              md(p.fix || "—") +
              "</td></tr>"
            );
          })
          .join("") +
        "</tbody></table></div>";
    }
    $("policy-body").innerHTML = h;
    $("policy-body").addEventListener("click", function (ev) {
      var b = ev.target.closest("button[data-goto]");
      if (b) revealAndSelect(b.dataset.goto);
    });
  })();

  // ------------------------------------------------------------ created tab
  (function renderCreated() {
    function countsText(c) {
      return c
        .map(function (x) {
          return x[0] + " " + x[1];
        })
        .join(" · ");
    }
    function nodeHtml(t, depth) {
      var head =
        '<span class="tn">' +
        esc(t.label) +
        '</span><span class="tt">' +
        esc(t.type.slice(t.type.lastIndexOf(":") + 1)) +
        '</span><span class="tot">' +
        t.total +
        "</span>" +
        (t.counts.length ? '<span class="cnt">' + esc(countsText(t.counts)) + "</span>" : "");
      if (t.children.length === 0) return '<li class="leaf">' + head + "</li>";
      var lazy = t.children.length > 30;
      return (
        "<li><details" +
        (depth < 2 && !lazy ? " open" : "") +
        ' data-lazy="' +
        (lazy ? "1" : "") +
        '"><summary>' +
        head +
        "</summary>" +
        (lazy
          ? ""
          : '<ul class="tree">' +
            t.children
              .map(function (c) {
                return nodeHtml(c, depth + 1);
              })
              .join("") +
            "</ul>") +
        "</details></li>"
      );
    }
    var lazyTrees = [];
    function collectLazy(t) {
      if (t.children.length > 30) lazyTrees.push(t);
      t.children.forEach(collectLazy);
    }
    M.tree.forEach(collectLazy);
    var total = M.tree.reduce(function (s, t) {
      return s + t.total;
    }, 0);
    var treeHtml =
      '<div class="card"><h2>What will be created</h2><p class="lead">' +
      (M.source === "plan"
        ? "The component tree with the resources each component creates (" + plural(total, "resource") + ")."
        : "The objects given, by namespace (" + plural(total, "object") + ").") +
      '</p><ul class="tree root">' +
      M.tree
        .map(function (t) {
          return nodeHtml(t, 0);
        })
        .join("") +
      "</ul></div>";
    var tl = M.timeline,
      tlHtml;
    if (!tl) {
      tlHtml =
        '<div class="card"><h2>Deploy critical path</h2><p class="lead">Needs a plan\'s dependency graph: ' +
        (M.source === "plan" ? "these resources come without one." : "plain manifests have none.") +
        "</p></div>";
    } else {
      var total2 = Math.max(tl.seconds, 1),
        step = total2 > 3600 ? 600 : total2 > 1200 ? 300 : total2 > 300 ? 120 : 60;
      var axis = "";
      for (var s = 0; s <= total2; s += step) axis += '<span style="left:' + (s / total2) * 100 + '%">' + Math.round(s / 60) + " min</span>";
      var rows = tl.steps
        .map(function (st) {
          var left = (st.start / total2) * 100,
            width = ((st.finish - st.start) / total2) * 100;
          return (
            '<div class="lbl" title="' +
            esc(st.name + " (" + st.type + ")") +
            '"><span class="n">' +
            esc(st.name) +
            '</span><span class="k">' +
            esc(st.key) +
            (st.via.length ? " · after: " + esc(st.via.join(", ")) : "") +
            '</span></div><div class="lane"><div class="bar' +
            (st.finish / total2 > 0.62 ? " right" : "") +
            '" style="left:' +
            left +
            "%;width:" +
            width +
            '%"><span>' +
            fmtSec(st.finish - st.start) +
            " (ends " +
            fmtSec(st.finish) +
            ")</span></div></div>"
          );
        })
        .join("");
      tlHtml =
        '<div class="card"><h2>Deploy critical path <span class="estimate">estimate</span></h2><p class="lead"><b>≈ ' +
        fmtSec(tl.seconds) +
        "</b> for <code>pulumi up</code> from scratch; the unavoidable dependencies alone would take " +
        fmtSec(tl.lowerBoundSeconds) +
        ", one resource after another " +
        fmtSec(tl.serialSeconds) +
        ". Durations are the benchmark's model (tools/bench/durations.ts), not a measurement.</p>" +
        '<div class="gantt"><div></div><div class="axis">' +
        axis +
        "</div>" +
        rows +
        "</div></div>";
    }
    $("created-body").innerHTML = '<div class="created">' + treeHtml + tlHtml + "</div>";
    $("created-body").addEventListener(
      "toggle",
      function (ev) {
        var d = ev.target;
        if (d.tagName !== "DETAILS" || d.dataset.lazy !== "1" || !d.open || d.dataset.done) return;
        d.dataset.done = "1";
        var idx = Array.prototype.indexOf.call($("created-body").querySelectorAll('details[data-lazy="1"]'), d);
        var t = lazyTrees[idx];
        if (t)
          d.insertAdjacentHTML(
            "beforeend",
            '<ul class="tree">' +
              t.children
                .map(function (c) {
                  return nodeHtml(c, 9);
                })
                .join("") +
              "</ul>",
          );
      },
      true,
    );
  })();

  // ------------------------------------------------------------ start
  var traceNote = !M.traces.available
    ? "Explain traces unavailable (" + (M.traces.problem ? "routes.json unusable" : "no routes.json") + ")."
    : plural(entries.length, "explained request") + ": click a route or a connection for its trace.";
  $("trace-note").textContent = traceNote;
  layoutAndDraw();
  renderList();
  fit();
  var first = M.routes[0] ? "route:" + M.routes[0].id : M.services[0] ? "svc:" + M.services[0].id : "kong";
  if (G.nodeIdx[first]) select(first);
  else select("kong");
  window.__report = {
    ready: true,
    renderMs: performance.now() - t0,
    layoutMs: lastLayoutMs,
    nodes: G.nodes.length,
    edges: G.edges.length,
    namespaces: M.namespaces.map(function (n) {
      return n.name;
    }),
    // For the benchmark (tools/bench/report.ts): each returns how long it took, in ms.
    expand: function (ns) {
      var t = performance.now();
      setCollapsed(ns, false);
      return performance.now() - t;
    },
    search: function (q) {
      var t = performance.now();
      var s = $("search");
      s.value = q;
      s.dispatchEvent(new Event("input"));
      return performance.now() - t;
    },
    expandAll: function () {
      var t = performance.now();
      $("expand-all").click();
      window.__report.nodes = G.nodes.length;
      return performance.now() - t;
    },
  };
  document.body.setAttribute("data-ready", "1");
})();
