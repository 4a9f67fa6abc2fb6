/* The field app: today, report a problem, home visits, patrols — on a phone, with or without signal.
 * Everything the user sends goes into a queue on the phone (IndexedDB, photos as Blobs) and is sent
 * from there in order, one at a time, each with the id made here: a resend after a lost answer is
 * recognised by the server. Refusals are shown with the server's words. Sign-out empties the queue
 * and every cache. */
(function () {
  "use strict";
  var box = document.getElementById("f-config");
  var S = JSON.parse(box.dataset.strings), PURPOSES = JSON.parse(box.dataset.purposes);
  var state = { csrf: "", today: null, position: null, photos: [], sending: false, patrol: null, timer: null };

  function t(key, params) {
    return String(S[key] || key).replace(/%\((\w+)\)s/g, function (_m, name) { return params ? params[name] : ""; });
  }
  function $(id) { return document.getElementById(id); }
  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = text;
    if (cls) node.className = cls;
    return node;
  }
  function say(text, bad) { var s = $("f-status"); s.textContent = text || ""; s.className = "f-status" + (bad ? " bad" : ""); }
  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16)); b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  /* -- the queue on the phone (IndexedDB) ------------------------------------------------------ */
  var dbPromise = null;
  function openDb() {
    if (!dbPromise) dbPromise = new Promise(function (resolve, reject) {
      var req = indexedDB.open("grid-field", 1);
      req.onupgradeneeded = function () {
        var d = req.result;
        d.createObjectStore("queue", { keyPath: "seq", autoIncrement: true });
        d.createObjectStore("refused", { keyPath: "seq", autoIncrement: true });
        d.createObjectStore("state");
      };
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
    return dbPromise;
  }
  function store(name, mode, work) {
    return openDb().then(function (d) {
      return new Promise(function (resolve, reject) {
        var tx = d.transaction(name, mode), result;
        var req = work(tx.objectStore(name));
        if (req) req.onsuccess = function () { result = req.result; };
        tx.oncomplete = function () { resolve(result); };
        tx.onerror = function () { reject(tx.error); };
      });
    });
  }
  function all(name) { return store(name, "readonly", function (s) { return s.getAll(); }); }
  function enqueue(item) {
    item.owner = state.today ? state.today.user.username : null;
    return store("queue", "readwrite", function (s) { return s.add(item); }).then(showQueue).then(sendQueue);
  }
  function setState(key, value) {
    return store("state", "readwrite", function (s) { return value === null ? s.delete(key) : s.put(value, key); });
  }
  function getState(key) { return store("state", "readonly", function (s) { return s.get(key); }); }

  function showQueue() {
    return Promise.all([all("queue"), all("refused")]).then(function (found) {
      var queue = $("f-queue"), list = $("f-refused");
      queue.hidden = !found[0].length;
      queue.textContent = t("queued", { count: found[0].length });
      list.textContent = "";
      found[1].forEach(function (item) {
        var row = el("li", t("refused") + ": " + item.label + " — " + item.error);
        var dismiss = el("button", t("dismiss"), "f-link");
        dismiss.type = "button";
        dismiss.addEventListener("click", function () {
          store("refused", "readwrite", function (s) { return s.delete(item.seq); }).then(showQueue);
        });
        row.appendChild(dismiss);
        list.appendChild(row);
      });
      return found[0].length;
    });
  }

  function post(item) {
    var body = new FormData();
    Object.keys(item.fields).forEach(function (k) { if (item.fields[k] !== null && item.fields[k] !== undefined) body.append(k, item.fields[k]); });
    (item.files || []).forEach(function (f) { body.append("photo", f.blob, f.name); });
    return fetch(item.url, { method: "POST", body: body, credentials: "same-origin", redirect: "manual",
      headers: { "X-CSRFToken": state.csrf, "Accept": "application/json" } });
  }

  /* One item at a time, oldest first; stops at the first that cannot go now (no signal, signed out). */
  function sendQueue() {
    if (state.sending || !state.csrf) return Promise.resolve();
    state.sending = true;
    function next() {
      return all("queue").then(function (items) {
        if (!items.length) return null;
        var item = items[0];
        return post(item).then(function (response) {
          if (response.type === "opaqueredirect" || response.status === 401) { signedOut(); return null; }
          if (response.ok) {
            return response.json().then(function (answer) {
              if (item.kind === "report" && answer.number) say(t("sent") + ": " + t("case_made", answer));
              return store("queue", "readwrite", function (s) { return s.delete(item.seq); });
            }).then(showQueue).then(next);
          }
          if (response.status === 422) {
            return response.json().then(function (answer) {
              item.error = answer.error;
              return store("queue", "readwrite", function (s) { return s.delete(item.seq); }).then(function () {
                delete item.seq; delete item.files; /* the message is what is kept of a refused item */
                return store("refused", "readwrite", function (s) { return s.add(item); });
              });
            }).then(showQueue).then(next);
          }
          if (response.status === 400) return loadToday(); /* a stale form token: fetch a new one, try later */
          return null; /* the server is away: try later */
        });
      });
    }
    return next().catch(function () { say(t("offline")); }).then(function () { state.sending = false; return showQueue(); });
  }

  function signedOut() { say(t("sign_in_again"), true); state.csrf = ""; }

  /* -- today --------------------------------------------------------------------------------- */
  function section(title, rows, show) {
    var part = el("div", null, "f-card");
    part.appendChild(el("h2", title));
    var list = el("ul");
    rows.forEach(function (row) { list.appendChild(el("li", show(row))); });
    if (!rows.length) list.appendChild(el("li", t("nothing"), "f-none"));
    part.appendChild(list);
    return part;
  }
  function renderToday(data) {
    var tab = $("tab-today");
    tab.textContent = "";
    $("f-user").textContent = data.user.name || data.user.username;
    tab.appendChild(section(t("my_cases"), data.cases, function (c) {
      return c.number + " " + c.title + " · " + c.stage + (c.due_on ? " · " + t("due") + " " + c.due_on : ""); }));
    tab.appendChild(section(t("follow_ups"), data.follow_ups, function (f) { return f.due_on + " " + f.content; }));
    tab.appendChild(section(t("visits_to_follow"), data.visits, function (v) { return v.visited_on + " " + v.household; }));
    tab.appendChild(section(t("my_reports"), data.reports, function (r) { return r.number + " " + r.title + " · " + r.stage; }));
    var select = $("f-category");
    if (!select.options.length) {
      select.appendChild(new Option(t("choose"), ""));
      data.categories.forEach(function (c) { select.appendChild(new Option(c.name, c.id)); });
    }
    document.querySelector("[data-tab=visit]").hidden = !data.may.visit;
    document.querySelector("[data-tab=patrol]").hidden = !data.may.patrol;
    document.querySelector("[data-tab=report]").hidden = !data.may.report;
  }
  function loadToday() {
    return fetch("/field/today", { credentials: "same-origin", redirect: "manual", headers: { "Accept": "application/json" } })
      .then(function (response) {
        if (response.type === "opaqueredirect" || response.status === 401) { signedOut(); return null; }
        if (!response.ok) { say(t("offline")); return response.status === 503 ? null : null; }
        return response.json();
      }).then(function (data) {
        if (!data || !data.user) return null;
        state.today = data;
        if (data.csrf_token && !data.offline) state.csrf = data.csrf_token;
        renderToday(data);
        return getState("owner").then(function (owner) {
          /* Someone else's leftovers on a shared phone are not sent as this user. */
          if (owner && owner !== data.user.username) return wipe();
          return setState("owner", data.user.username);
        }).then(function () { return getState("patrol"); }).then(function (patrol) {
          state.patrol = patrol || (data.patrol ? { client_id: data.patrol.client_id, started: Date.parse(data.patrol.started_at), points: data.patrol.points } : null);
          showPatrol();
          if (state.patrol && !state.timer) patrolTick();
        });
      }).catch(function () { say(t("offline")); });
  }

  /* -- position ------------------------------------------------------------------------------ */
  function locate() {
    if (!navigator.geolocation) { $("f-where").textContent = t("no_position"); return Promise.resolve(null); }
    $("f-where").textContent = t("locating");
    return new Promise(function (resolve) {
      navigator.geolocation.getCurrentPosition(function (p) {
        state.position = { lng: p.coords.longitude, lat: p.coords.latitude, accuracy: p.coords.accuracy, at: Date.now() };
        $("f-where").textContent = t("position") + " " + state.position.lng.toFixed(5) + " " + state.position.lat.toFixed(5) +
          " (" + t("accuracy", { metres: Math.round(p.coords.accuracy) }) + ")";
        resolve(state.position);
      }, function () { $("f-where").textContent = t("no_position"); resolve(null); },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 30000 });
    });
  }

  /* -- photos: made smaller on the phone before they are kept or sent ------------------------- */
  var MAX_SIDE = 1280, QUALITY = 0.7; /* a phone photo of 4 MB becomes some 200–400 KB */
  function shrink(file) {
    return new Promise(function (resolve) {
      var url = URL.createObjectURL(file), img = new Image();
      img.onload = function () {
        var scale = Math.min(1, MAX_SIDE / Math.max(img.naturalWidth, img.naturalHeight));
        var canvas = document.createElement("canvas");
        canvas.width = Math.round(img.naturalWidth * scale); canvas.height = Math.round(img.naturalHeight * scale);
        canvas.getContext("2d").drawImage(img, 0, 0, canvas.width, canvas.height);
        URL.revokeObjectURL(url);
        canvas.toBlob(function (blob) { resolve({ name: file.name.replace(/\.\w+$/, "") + ".jpg", blob: blob }); }, "image/jpeg", QUALITY);
      };
      img.onerror = function () { URL.revokeObjectURL(url); resolve(null); };
      img.src = url;
    });
  }
  $("f-photo").addEventListener("change", function (event) {
    var files = Array.prototype.slice.call(event.target.files || []);
    Promise.all(files.map(shrink)).then(function (done) {
      state.photos = state.photos.concat(done.filter(Boolean));
      var thumbs = $("f-thumbs"); thumbs.textContent = "";
      state.photos.forEach(function (p) {
        var img = el("img"); img.src = URL.createObjectURL(p.blob); img.alt = p.name; thumbs.appendChild(img);
      });
      $("f-thumbs").dataset.count = String(state.photos.length);
    });
  });

  $("f-locate").addEventListener("click", locate);
  $("f-report").addEventListener("submit", function (event) {
    event.preventDefault();
    var form = event.target, where = state.position;
    var send = function (position) {
      var text = $("f-text").value.trim(), category = $("f-category");
      enqueue({ kind: "report", url: "/field/report",
        label: (category.options[category.selectedIndex] || {}).text + " " + text.slice(0, 20),
        fields: { client_id: newId(), category: category.value, text: text,
          lng: position ? position.lng : "", lat: position ? position.lat : "",
          patrol: state.patrol ? state.patrol.client_id : "" },
        files: state.photos.slice() });
      form.reset(); state.photos = []; $("f-thumbs").textContent = ""; $("f-thumbs").dataset.count = "0";
      if (!navigator.onLine) say(t("saved_offline"));
    };
    if (where) send(where); else locate().then(send);
  });

  /* -- home visits: building → unit → household, or search ------------------------------------ */
  function options(select, rows, label, value) {
    select.textContent = "";
    select.appendChild(new Option(t("choose"), ""));
    rows.forEach(function (r) { select.appendChild(new Option(label(r), value(r))); });
  }
  function getJson(url) {
    return fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } }).then(function (r) { return r.json(); });
  }
  var households = [];
  function showUnits() {
    var units = []; households.forEach(function (h) { if (units.indexOf(h.unit) < 0) units.push(h.unit); });
    options($("f-unit"), units, function (u) { return u; }, function (u) { return u; });
    options($("f-household"), households, function (h) { return h.unit + "-" + h.room; }, function (h) { return h.id; });
  }
  $("f-building").addEventListener("change", function (event) {
    if (!event.target.value) return;
    getJson("/field/households?building=" + encodeURIComponent(event.target.value)).then(function (data) {
      households = data.households || []; showUnits();
    }).catch(function () { say(t("offline")); });
  });
  $("f-unit").addEventListener("change", function (event) {
    var unit = event.target.value;
    options($("f-household"), households.filter(function (h) { return !unit || h.unit === unit; }),
      function (h) { return h.unit + "-" + h.room; }, function (h) { return h.id; });
  });
  var searchTimer = null;
  $("f-search").addEventListener("input", function (event) {
    clearTimeout(searchTimer);
    var term = event.target.value.trim();
    if (!term) return;
    searchTimer = setTimeout(function () {
      getJson("/field/households?q=" + encodeURIComponent(term)).then(function (data) {
        households = data.households || [];
        options($("f-household"), households, function (h) { return h.building + " " + h.unit + "-" + h.room; },
          function (h) { return h.id; });
      }).catch(function () { say(t("offline")); });
    }, 300);
  });
  $("f-visit").addEventListener("submit", function (event) {
    event.preventDefault();
    var form = event.target, household = $("f-household");
    enqueue({ kind: "visit", url: "/field/visit", label: household.options[household.selectedIndex].text,
      fields: { client_id: newId(), household: household.value, purpose: $("f-purpose").value,
        notes: $("f-notes").value, follow_up: form.follow_up.checked ? "1" : "", at: Date.now() } });
    form.reset();
    if (!navigator.onLine) say(t("saved_offline"));
  });
  options($("f-purpose"), PURPOSES, function (p) { return p.label; }, function (p) { return p.code; });

  /* -- patrols: a position about every 30 s while the page is open ----------------------------- */
  var EVERY = 30000;
  function showPatrol() {
    var p = state.patrol;
    $("f-patrol-state").textContent = p ? t("on_patrol", { time: new Date(p.started).toLocaleTimeString(), count: p.points || 0 })
      : t("no_patrol");
    $("f-patrol-toggle").textContent = p ? t("end_patrol") : t("start_patrol");
  }
  function patrolTick() {
    clearTimeout(state.timer);
    if (!state.patrol) { state.timer = null; return; }
    locate().then(function (position) {
      if (position && state.patrol) {
        state.patrol.points = (state.patrol.points || 0) + 1;
        setState("patrol", state.patrol); showPatrol();
        enqueue({ kind: "point", url: "/field/patrol/point", label: t("patrol"),
          fields: { client_id: newId(), patrol: state.patrol.client_id, lng: position.lng, lat: position.lat,
            accuracy: position.accuracy, at: position.at } });
      }
    });
    state.timer = setTimeout(patrolTick, EVERY);
  }
  $("f-patrol-toggle").addEventListener("click", function () {
    if (state.patrol) {
      enqueue({ kind: "end", url: "/field/patrol/end", label: t("end_patrol"),
        fields: { patrol: state.patrol.client_id, at: Date.now() } });
      state.patrol = null; clearTimeout(state.timer); state.timer = null;
      setState("patrol", null); showPatrol();
      return;
    }
    state.patrol = { client_id: newId(), started: Date.now(), points: 0 };
    setState("patrol", state.patrol);
    enqueue({ kind: "start", url: "/field/patrol/start", label: t("start_patrol"),
      fields: { client_id: state.patrol.client_id, at: state.patrol.started } });
    showPatrol(); patrolTick();
  });

  /* -- tabs, sign-out ------------------------------------------------------------------------- */
  Array.prototype.forEach.call(document.querySelectorAll(".f-tabs button"), function (button) {
    button.addEventListener("click", function () {
      Array.prototype.forEach.call(document.querySelectorAll(".f-tabs button"), function (b) { b.classList.toggle("on", b === button); });
      Array.prototype.forEach.call(document.querySelectorAll(".f-tab"), function (tab) { tab.hidden = tab.id !== "tab-" + button.dataset.tab; });
      if (button.dataset.tab === "report" && !state.position) locate();
      if (button.dataset.tab === "visit" && !$("f-building").options.length) {
        getJson("/field/households").then(function (data) {
          options($("f-building"), data.buildings || [], function (b) { return b.name; }, function (b) { return b.id; });
        }).catch(function () { say(t("offline")); });
      }
    });
  });

  /* Nothing personal stays: the queue, the patrol, every cache. */
  function wipe() {
    clearTimeout(state.timer); state.patrol = null;
    var closing = dbPromise ? dbPromise.then(function (d) { d.close(); }) : Promise.resolve();
    dbPromise = null;
    return closing.then(function () {
      return new Promise(function (resolve) {
        var req = indexedDB.deleteDatabase("grid-field");
        req.onsuccess = req.onerror = req.onblocked = function () { resolve(); };
      });
    }).then(function () {
      return window.caches ? caches.keys().then(function (names) { return Promise.all(names.map(function (n) { return caches.delete(n); })); }) : null;
    });
  }
  $("f-signout").addEventListener("click", function () {
    all("queue").then(function (items) {
      if (items.length && !window.confirm(t("sign_out_queue", { count: items.length }))) return;
      var token = state.csrf;
      wipe().then(function () {
        $("f-logout-token").value = token;
        $("f-logout").submit();
      });
    });
  });

  window.addEventListener("online", function () { loadToday().then(sendQueue); });
  setInterval(function () { if (navigator.onLine) sendQueue(); }, EVERY);
  if ("serviceWorker" in navigator) navigator.serviceWorker.register("/field/sw.js", { scope: "/field/" }).catch(function () {});
  showQueue();
  loadToday().then(sendQueue);
})();
