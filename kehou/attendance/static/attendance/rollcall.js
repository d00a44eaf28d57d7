/* Roll call that works without signal (R15).
 *
 * Each tap is a mark {student, status, at (the tap's time), note}, kept in localStorage
 * at once. Marks are grouped into batches, each with an id made here (crypto.randomUUID):
 * a batch is sent to the sitting's sync URL while the phone is online and removed only
 * after the server answered; sent again (the answer was lost), the server finds its id
 * and applies nothing twice. Without JavaScript the page is a plain form.
 */
(function () {
  "use strict";
  var form = document.getElementById("roll");
  if (!form || form.classList.contains("readonly")) return;
  var status = document.getElementById("sync-status");
  var texts = status.dataset;
  var url = form.dataset.syncUrl;
  var storeKey = "kehou.roll." + form.dataset.sitting;
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var noteInput = document.getElementById("roll-note");
  var sending = false;
  var retryDelay = 2000;
  var retryTimer = null;
  var flushTimer = null;

  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    // Pages served over plain http have no randomUUID: a version 4 UUID by hand.
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function load() {
    try {
      var s = JSON.parse(localStorage.getItem(storeKey) || "null");
      if (s && Array.isArray(s.outbox) && Array.isArray(s.pending)) return s;
    } catch (e) { /* a broken entry: start again */ }
    return { outbox: [], pending: [] };
  }
  var state = load();
  function save() {
    try {
      if (state.outbox.length || state.pending.length) {
        localStorage.setItem(storeKey, JSON.stringify(state));
      } else {
        localStorage.removeItem(storeKey);
      }
    } catch (e) {
      show(texts.offline, true);
    }
  }

  function rowOf(student) {
    return form.querySelector('li.child[data-student="' + student + '"]');
  }
  function setRow(student, value, how) {
    var row = rowOf(student);
    if (!row) return;
    row.dataset.status = value;
    row.className = row.className.replace(/\bis-(present|late|absent|leave)\b/g, "").trim();
    if (value) row.classList.add("is-" + value);
    var radio = row.querySelector('input[type=radio][value="' + value + '"]');
    if (radio) radio.checked = true;
    var label = row.querySelector(".state");
    label.className = "state " + (how || "");
    label.textContent = how === "local" ? texts.pending : how === "sent" ? "✓ " + texts.sent : how === "refused" ? texts.refused : "";
  }
  function counts() {
    var c = { present: 0, late: 0, absent: 0, leave: 0, none: 0 };
    form.querySelectorAll("li.child").forEach(function (row) {
      var v = row.dataset.status;
      var marked = row.querySelector("input[type=radio]:checked");
      if (marked && v) c[v] += 1;
      else if (!row.classList.contains("is-elsewhere")) c.none += 1;
    });
    Object.keys(c).forEach(function (k) {
      var el = document.querySelector('[data-count="' + k + '"]');
      if (el) el.textContent = c[k];
    });
  }
  function waiting() {
    var n = state.pending.length;
    state.outbox.forEach(function (b) { n += b.marks.length; });
    return n;
  }
  function show(message, pending) {
    status.hidden = false;
    status.textContent = message;
    status.classList.toggle("pending", !!pending);
  }
  function report() {
    var n = waiting();
    if (n) {
      show(n + " " + texts.pendingCount + (navigator.onLine ? "" : " " + texts.offline), true);
    } else if (!status.hidden) {
      show(texts.allSent, false);
    }
  }

  function mark(student, value) {
    state.pending.push({
      student: Number(student),
      status: value,
      at: new Date().toISOString(),
      note: noteInput ? noteInput.value.trim() : "",
    });
    save();
    setRow(student, value, "local");
    counts();
    report();
    clearTimeout(flushTimer);
    flushTimer = setTimeout(flush, 400);
  }

  function flush(close) {
    if (state.pending.length || close) {
      state.outbox.push({ batch: newId(), marks: state.pending, close: !!close });
      state.pending = [];
      save();
    }
    send();
  }

  function latestIn(batch, student) {
    // Whether no newer mark of the child waits on this phone.
    var others = state.pending.slice();
    state.outbox.forEach(function (b) { if (b !== batch) others = others.concat(b.marks); });
    return !others.some(function (m) { return m.student === student; });
  }

  function send() {
    if (sending || !state.outbox.length) { report(); return; }
    if (!navigator.onLine) { report(); return; }
    sending = true;
    var batch = state.outbox[0];
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, Accept: "application/json" },
      body: JSON.stringify({ batch: batch.batch, marks: batch.marks, close: batch.close }),
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (type.indexOf("application/json") === -1) throw new Error("not json");
      return response.json().then(function (body) { return { code: response.status, body: body }; });
    }).then(function (answer) {
      sending = false;
      if (answer.code === 200) {
        done(batch, "sent");
        retryDelay = 2000;
        if (answer.body.closed && batch.close) { window.location.reload(); return; }
        send();
      } else if (answer.code === 400 || answer.code === 404) {
        // Refused for good (the roll was closed, a child left the roster): keep the
        // reason on screen, the marks cannot be sent as they are.
        done(batch, "refused");
        var errors = (answer.body.errors || []).map(function (e) { return e.message; });
        show(texts.refused + ": " + errors.join(" "), true);
        send();
      } else {
        if (answer.code === 403) show(texts.signin, true);
        retry();
      }
    }).catch(function () {
      sending = false;
      retry();
    });
  }

  function done(batch, how) {
    state.outbox = state.outbox.filter(function (b) { return b.batch !== batch.batch; });
    save();
    batch.marks.forEach(function (m) {
      if (latestIn(batch, m.student)) setRow(m.student, m.status, how);
    });
    counts();
    report();
  }

  function retry() {
    report();
    clearTimeout(retryTimer);
    retryTimer = setTimeout(send, retryDelay);
    retryDelay = Math.min(retryDelay * 2, 30000);
  }

  // What this phone holds and the server has not answered yet wins over the page.
  state.outbox.forEach(function (b) { b.marks.forEach(function (m) { setRow(m.student, m.status, "local"); }); });
  state.pending.forEach(function (m) { setRow(m.student, m.status, "local"); });
  counts();

  form.addEventListener("change", function (event) {
    var input = event.target;
    if (input.type !== "radio") return;
    mark(input.closest("li.child").dataset.student, input.value);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearTimeout(flushTimer);
    flush();
  });

  var allPresent = document.getElementById("roll-all-present");
  if (allPresent) {
    allPresent.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!window.confirm(texts.confirmAll)) return;
      form.querySelectorAll("li.child").forEach(function (row) {
        if (!row.dataset.status && !row.classList.contains("is-elsewhere")) mark(row.dataset.student, "present");
      });
      allPresent.closest("details").open = false;
    });
  }
  var closeForm = document.getElementById("roll-close");
  if (closeForm) {
    closeForm.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!window.confirm(texts.confirmClose)) return;
      clearTimeout(flushTimer);
      flush(true);
    });
  }

  window.addEventListener("online", function () { retryDelay = 2000; send(); });
  window.addEventListener("offline", report);
  setInterval(send, 15000);
  report();
  send();
})();
