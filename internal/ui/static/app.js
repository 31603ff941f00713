// warroom: small enhancements on top of server-rendered pages. Everything
// works without this file except the live parts (countdowns, live severity
// proposal, live incident updates); no library is needed for any of it.
(function () {
  "use strict";
  var body = document.body;
  var csrf = body.dataset.csrf || "";

  // Durations in at most two units, the same rule as the server's.
  function unit(n, u) { return (body.dataset["unit" + u.toUpperCase()] || "{n}" + u).replace("{n}", n); }
  function duration(ms) {
    var s = Math.floor(Math.abs(ms) / 1000);
    var d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600), m = Math.floor(s % 3600 / 60), sec = s % 60;
    if (d > 0) return unit(d, "d") + " " + unit(h, "h");
    if (h > 0) return unit(h, "h") + " " + unit(m, "m");
    if (m > 0) return unit(m, "m") + " " + unit(sec, "s");
    return unit(sec, "s");
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll("time.countdown[data-due]").forEach(function (el) {
      var left = Date.parse(el.dataset.due) - now;
      var fmt = left < 0 ? body.dataset.durOverdue : body.dataset.durLeft;
      el.textContent = (fmt || "{d}").replace("{d}", duration(left));
      var box = el.closest(".sla, dd");
      if (box) box.classList.toggle("breached", left < 0);
    });
  }
  setInterval(tick, 1000);

  function post(form) {
    return fetch(form.action, {
      method: "POST",
      body: new URLSearchParams(new FormData(form)),
      headers: { "X-CSRF-Token": csrf, "X-Warroom-Inplace": "1" },
      credentials: "same-origin"
    });
  }

  function banner(text) {
    var main = document.getElementById("main");
    var el = document.getElementById("inplace-error");
    if (!el) {
      el = document.createElement("div");
      el.id = "inplace-error";
      el.className = "banner error";
      el.setAttribute("role", "alert");
      main.insertBefore(el, main.firstChild);
    }
    el.textContent = text;
    el.hidden = !text;
  }

  // Live incident page: the stream says "something changed", the page
  // fetches its live fragment and swaps each region in place.
  var incident = document.getElementById("incident");
  var refreshing = false, again = false;
  function refreshLive() {
    if (!incident) return;
    if (refreshing) { again = true; return; }
    refreshing = true;
    fetch(incident.dataset.liveSrc, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.text(); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var active = document.activeElement, activeId = active && active.id;
        doc.querySelectorAll("[data-live][id]").forEach(function (fresh) {
          var old = document.getElementById(fresh.id);
          if (old) old.replaceWith(document.importNode(fresh, true));
        });
        if (activeId && document.activeElement !== active) {
          var again2 = document.getElementById(activeId);
          if (again2) again2.focus();
        }
        tick();
      })
      .catch(function () {})
      .finally(function () {
        refreshing = false;
        if (again) { again = false; refreshLive(); }
      });
  }
  if (incident && window.EventSource) {
    var status = document.getElementById("livestatus");
    var es = new EventSource(incident.dataset.stream);
    es.addEventListener("open", function () { status.textContent = incident.dataset.statusOn; status.classList.remove("offline"); });
    es.addEventListener("error", function () { status.textContent = incident.dataset.statusOff; status.classList.add("offline"); });
    es.addEventListener("change", refreshLive);
  }

  // Forms marked inplace post with fetch and refresh the live regions, so
  // checking a task or posting a note keeps the reader's place.
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) { ev.preventDefault(); return; }
    if (!form.classList.contains("inplace") || !window.fetch) return;
    ev.preventDefault();
    var buttons = form.querySelectorAll("button");
    buttons.forEach(function (b) { b.disabled = true; });
    post(form).then(function (r) {
      if (r.ok) {
        banner("");
        if (form.hasAttribute("data-reset")) form.reset();
        refreshLive();
        return;
      }
      return r.text().then(banner);
    }).catch(function (e) { banner(String(e)); })
      .finally(function () { buttons.forEach(function (b) { b.disabled = false; }); });
  });

  document.addEventListener("change", function (ev) {
    if (ev.target.matches("select[data-autosubmit]")) ev.target.form.submit();
  });

  // Declare form: propose the severity as the numbers are typed.
  var declare = document.getElementById("declare-form");
  if (declare) {
    var timer = null, seq = 0;
    var sev = document.getElementById("proposed-severity");
    var reason = document.getElementById("proposed-reason");
    var sops = document.getElementById("proposed-sops");
    var propose = function () {
      var mine = ++seq;
      fetch(declare.dataset.proposeUrl, {
        method: "POST", body: new URLSearchParams(new FormData(declare)),
        headers: { "X-CSRF-Token": csrf }, credentials: "same-origin"
      }).then(function (r) { return r.json().then(function (j) { return { ok: r.ok, j: j }; }); })
        .then(function (res) {
          if (mine !== seq) return;
          if (!res.ok) { reason.textContent = res.j.error || ""; return; }
          sev.textContent = res.j.severity;
          sev.className = "badge sev-" + res.j.severity.toLowerCase();
          reason.textContent = res.j.reason;
          sops.textContent = "";
          (res.j.sops || []).forEach(function (s) {
            var h = document.createElement("h4"); h.textContent = s.name; sops.appendChild(h);
            var ol = document.createElement("ol");
            s.tasks.forEach(function (t) { var li = document.createElement("li"); li.textContent = t; ol.appendChild(li); });
            sops.appendChild(ol);
          });
          if (!res.j.sops || !res.j.sops.length) {
            var p = document.createElement("p"); p.className = "muted"; p.textContent = sops.dataset.empty; sops.appendChild(p);
          }
        }).catch(function () {});
    };
    var schedule = function (ev) {
      if (!ev.target.hasAttribute("data-propose")) return;
      clearTimeout(timer);
      timer = setTimeout(propose, 150);
    };
    declare.addEventListener("input", schedule);
    declare.addEventListener("change", schedule);
  }

  // Copy buttons next to ingest URLs and keys.
  document.querySelectorAll("button.copy[data-copy]").forEach(function (b) {
    b.addEventListener("click", function () {
      if (navigator.clipboard) navigator.clipboard.writeText(b.dataset.copy);
    });
  });

  // Navigation menus: one open at a time, closed by a click elsewhere or Escape.
  var menus = document.querySelectorAll("details.navmenu");
  menus.forEach(function (m) {
    m.addEventListener("toggle", function () {
      if (!m.open) return;
      menus.forEach(function (o) { if (o !== m) o.open = false; });
    });
  });
  document.addEventListener("click", function (ev) {
    menus.forEach(function (m) { if (m.open && !m.contains(ev.target)) m.open = false; });
  });
  document.addEventListener("keydown", function (ev) {
    if (ev.key === "Escape") menus.forEach(function (m) { m.open = false; });
  });

  // Incident shortcuts: a acknowledges, r resolves, n starts a note. They
  // act only when nothing is being typed and no modifier is held, on key
  // up so that the n itself never lands in the note.
  function shortcut(ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return null;
    var t = ev.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return null;
    if (ev.key === "a") return document.getElementById("to-acknowledged");
    if (ev.key === "r") return document.getElementById("to-resolved");
    if (ev.key === "n") return document.querySelector("#note-form textarea");
    return null;
  }
  document.addEventListener("keydown", function (ev) { if (shortcut(ev)) ev.preventDefault(); });
  document.addEventListener("keyup", function (ev) {
    var el = shortcut(ev);
    if (!el) return;
    if (el.tagName === "TEXTAREA") el.focus(); else el.click();
  });
})();
