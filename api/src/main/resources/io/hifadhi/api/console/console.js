// The Hifadhi console. It holds no credential: the HttpOnly session cookie stands for the key, and the
// server checks every call against that key. Bucket calls are S3 requests under /ui/s3/, admin calls
// native ones under /ui/admin/; calls that change something carry X-Hifadhi-Console (CSRF guard).
"use strict";

const PART_SIZE = 8 * 1024 * 1024;
const MULTIPART_FROM = 16 * 1024 * 1024;
const PART_ATTEMPTS = 3;
const $ = (id) => document.getElementById(id);
let me = null;
let refreshTimer = null;

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") e.className = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) {
    if (c !== null && c !== undefined) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

function toast(text) {
  const t = $("toast");
  t.textContent = text;
  t.classList.add("show");
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => t.classList.remove("show"), 3500);
}

function bytes(n) {
  if (n === null || n === undefined || isNaN(n)) return "";
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
  let i = 0;
  let v = Number(n);
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return (i === 0 ? Math.round(v) : v.toFixed(v < 10 ? 1 : 0)) + " " + units[i];
}

const when = (iso) => (iso ? new Date(iso).toLocaleString() : "");
const enc = (s) => encodeURIComponent(s);
const objectPath = (bucket, key) => "/ui/s3/" + enc(bucket) + "/" + key.split("/").map(enc).join("/");

/** A failed call, with the server's message (JSON for the console and native API, XML for S3). */
class CallError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function failure(res) {
  const text = await res.text();
  let message = res.status + " " + res.statusText;
  try {
    const j = JSON.parse(text);
    message = j.message + (j.hint ? " " + j.hint : "");
  } catch (e) {
    const doc = new DOMParser().parseFromString(text, "application/xml");
    const m = doc.querySelector("Error > Message");
    const c = doc.querySelector("Error > Code");
    if (m) message = (c ? c.textContent + ": " : "") + m.textContent;
  }
  if (res.status === 401 && me) {
    me = null;
    route();
  }
  return new CallError(res.status, message);
}

async function call(method, url, body, type) {
  const headers = { "X-Hifadhi-Console": "1" };
  if (type) headers["Content-Type"] = type;
  const res = await fetch(url, { method, headers, body, credentials: "same-origin", cache: "no-store" });
  if (!res.ok) throw await failure(res);
  return res;
}

const json = async (method, url, body) =>
  (await call(method, url, body === undefined ? undefined : JSON.stringify(body), body === undefined ? null : "application/json")).json();
const xml = async (url) => new DOMParser().parseFromString(await (await call("GET", url)).text(), "application/xml");
const field = (node, name) => node.getElementsByTagName(name)[0]?.textContent ?? null;

// ---------------------------------------------------------------------------------------------- session

async function loadSession() {
  const res = await fetch("/ui/api/session", { credentials: "same-origin", cache: "no-store" });
  me = res.ok ? await res.json() : null;
}

function showChrome() {
  const signedIn = me !== null;
  $("nav").hidden = !signedIn;
  $("who").hidden = !signedIn;
  if (signedIn) {
    $("who-name").textContent = (me.access_key || "administrator") + (me.admin && me.access_key ? " · admin" : "");
    for (const a of document.querySelectorAll("#nav a")) {
      const s = a.dataset.section;
      a.hidden = (s === "buckets" && !me.access_key) || ((s === "cluster" || s === "keys" || s === "files") && !me.admin);
    }
  }
}

$("sign-in-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const body = {};
  for (const [name, id] of [["access_key", "access-key"], ["secret_key", "secret-key"], ["shard_key", "shard-key"]]) {
    const v = $(id).value.trim();
    if (v) body[name] = v;
  }
  $("sign-in-error").textContent = "";
  $("sign-in-button").disabled = true;
  try {
    me = await json("POST", "/ui/api/session", body);
    $("sign-in-form").reset();
    location.hash = me.access_key ? "#/" : "#/cluster";
    route();
  } catch (e) {
    $("sign-in-error").textContent = e.message;
    $("access-key").focus();
  } finally {
    $("sign-in-button").disabled = false;
  }
});

$("sign-out").addEventListener("click", async () => {
  await fetch("/ui/api/session", { method: "DELETE", headers: { "X-Hifadhi-Console": "1" }, credentials: "same-origin" });
  me = null;
  location.hash = "#/";
  route();
});

// ---------------------------------------------------------------------------------------------- routing

function route() {
  clearInterval(refreshTimer);
  showChrome();
  const view = $("view");
  if (!me) {
    view.hidden = true;
    $("sign-in-view").hidden = false;
    $("access-key").focus();
    return;
  }
  $("sign-in-view").hidden = true;
  view.hidden = false;
  view.replaceChildren();
  const hash = location.hash.replace(/^#\/?/, "");
  const parts = hash.split("/");
  let section = "buckets";
  if (parts[0] === "cluster") section = "cluster";
  else if (parts[0] === "keys") section = "keys";
  else if (parts[0] === "files" && me.admin) section = "files";
  if (section === "buckets" && !me.access_key) section = "cluster";
  for (const a of document.querySelectorAll("#nav a")) {
    if (a.dataset.section === section) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  const shown = section === "cluster" ? showCluster(view)
    : section === "keys" ? showKeys(view)
      : section === "files" ? showFiles(view, decodeURIComponent(parts.slice(1).join("/")))
      : parts[0] === "b" && parts[1] ? showObjects(view, decodeURIComponent(parts[1]), decodeURIComponent(parts.slice(2).join("/")))
        : showBuckets(view);
  shown.catch((e) => view.append(el("p", { class: "error", role: "alert" }, e.message)));
}

window.addEventListener("hashchange", route);

// ---------------------------------------------------------------------------------------------- buckets

async function showBuckets(view) {
  document.title = "Buckets · Hifadhi";
  const list = el("tbody");
  const create = el("form", { id: "create-bucket" },
    el("div", {}, el("label", { for: "bucket-name" }, "New bucket"),
      el("input", { id: "bucket-name", required: true, pattern: "[a-z0-9][a-z0-9.\\-]{1,61}[a-z0-9]", autocapitalize: "off",
        spellcheck: "false", placeholder: "lowercase, 3-63 characters" })),
    el("button", { type: "submit" }, "Create"));
  create.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const name = $("bucket-name").value.trim();
    try {
      await call("PUT", "/ui/s3/" + enc(name));
      toast("Created bucket " + name);
      location.hash = "#/b/" + enc(name) + "/";
    } catch (e) {
      toast(e.message);
    }
  });
  view.append(el("div", { class: "card" },
    el("div", { class: "toolbar" }, el("h1", {}, "Buckets"), create),
    el("table", {}, el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Name"), el("th", { scope: "col", class: "hide-narrow" }, "Created"),
      el("th", { scope: "col", class: "num" }, "Your access"))), list)));
  const doc = await xml("/ui/s3/");
  const buckets = [...doc.getElementsByTagName("Bucket")];
  if (buckets.length === 0) {
    list.append(el("tr", {}, el("td", { colspan: 3, class: "empty" }, "No buckets yet." + (me.root ? " Create one above." : ""))));
  }
  for (const b of buckets) {
    const name = field(b, "Name");
    const access = me.root ? "owner" : me.buckets?.[name] || "";
    list.append(el("tr", {},
      el("td", { class: "name" }, el("a", { class: "folder", href: "#/b/" + enc(name) + "/" }, name)),
      el("td", { class: "hide-narrow" }, when(field(b, "CreationDate"))),
      el("td", { class: "num" }, access)));
  }
}

// ---------------------------------------------------------------------------------------------- objects

async function showObjects(view, bucket, prefix) {
  document.title = bucket + " · Hifadhi";
  const crumbs = el("nav", { class: "crumbs", "aria-label": "Folder" }, el("a", { href: "#/" }, "Buckets"), " / ",
    el("a", { href: "#/b/" + enc(bucket) + "/" }, bucket));
  let acc = "";
  for (const part of prefix.split("/").filter(Boolean)) {
    acc += part + "/";
    crumbs.append(" / ", el("a", { href: "#/b/" + enc(bucket) + "/" + acc.split("/").map(enc).join("/") }, part));
  }
  const search = el("input", { id: "search", type: "search", placeholder: "Name starts with…", autocapitalize: "off", spellcheck: "false" });
  const fileInput = el("input", { id: "file-input", type: "file", multiple: true });
  const drop = el("div", { class: "drop", id: "drop" },
    "Drop files here to upload to ", el("strong", {}, bucket + "/" + prefix), ", or ", el("label", { for: "file-input" }, "choose files"), fileInput);
  const uploads = el("ul", { class: "uploads", id: "uploads", "aria-label": "Uploads" });
  const rows = el("tbody", { id: "objects" });
  const more = el("button", { type: "button", class: "ghost", hidden: true }, "Show more");
  view.append(el("div", { class: "card" },
    el("div", { class: "toolbar" }, crumbs,
      el("form", { role: "search", onsubmit: (e) => e.preventDefault() }, el("div", {}, el("label", { for: "search" }, "Search by prefix"), search))),
    drop, uploads,
    el("table", { class: "stack" }, el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Name"), el("th", { scope: "col", class: "num" }, "Size"),
      el("th", { scope: "col", class: "hide-narrow" }, "Modified"), el("th", { scope: "col", class: "num" }, el("span", { class: "hide-narrow" }, "Actions")))), rows),
    more));

  let token = null;
  const load = async (reset) => {
    if (reset) {
      rows.replaceChildren();
      token = null;
    }
    const q = new URLSearchParams({ "list-type": "2", delimiter: "/", prefix: prefix + search.value, "max-keys": "200" });
    if (token) q.set("continuation-token", token);
    const doc = await xml("/ui/s3/" + enc(bucket) + "?" + q);
    for (const p of doc.querySelectorAll("ListBucketResult > CommonPrefixes")) {
      const full = field(p, "Prefix");
      rows.append(el("tr", {},
        el("td", { class: "name" }, el("a", { class: "folder", href: "#/b/" + enc(bucket) + "/" + full.split("/").map(enc).join("/") }, full.slice(prefix.length))),
        el("td", { class: "num" }, ""), el("td", { class: "hide-narrow" }, ""), el("td", {}, "")));
    }
    for (const c of doc.querySelectorAll("ListBucketResult > Contents")) {
      rows.append(objectRow(bucket, prefix, field(c, "Key"), Number(field(c, "Size")), field(c, "LastModified"), () => load(true)));
    }
    token = field(doc.documentElement, "NextContinuationToken");
    more.hidden = !token;
    if (rows.children.length === 0) {
      rows.append(el("tr", {}, el("td", { colspan: 4, class: "empty" }, search.value ? "Nothing starts with that." : "This folder is empty. Drop files above to upload.")));
    }
  };
  more.addEventListener("click", () => load(false).catch((e) => toast(e.message)));
  let debounce;
  search.addEventListener("input", () => {
    clearTimeout(debounce);
    debounce = setTimeout(() => load(true).catch((e) => toast(e.message)), 200);
  });
  const start = (files) => {
    for (const f of files) upload(bucket, prefix + f.name, f, uploads).then(() => load(true)).catch(() => {});
  };
  fileInput.addEventListener("change", () => {
    start([...fileInput.files]);
    fileInput.value = "";
  });
  drop.addEventListener("dragover", (e) => {
    e.preventDefault();
    drop.classList.add("over");
  });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => {
    e.preventDefault();
    drop.classList.remove("over");
    start([...e.dataTransfer.files]);
  });
  await load(true);
}

function kindOf(key) {
  const ext = key.toLowerCase().split(".").pop();
  if (["png", "jpg", "jpeg", "gif", "webp", "svg", "avif", "bmp"].includes(ext)) return "image";
  if (["mp4", "webm", "mov", "m4v", "ogv", "mkv"].includes(ext)) return "video";
  if (["mp3", "ogg", "oga", "wav", "flac", "m4a", "opus", "aac"].includes(ext)) return "audio";
  return null;
}

function objectRow(bucket, prefix, key, size, modified, reload) {
  const path = objectPath(bucket, key);
  const kind = kindOf(key);
  const name = key.slice(prefix.length);
  const download = el("a", { class: "button", href: path + "?response-content-disposition=" + enc('attachment; filename="' + name.replace(/["\\]/g, "_") + '"'),
    "aria-label": "Download " + name }, "Download");
  const actions = el("td", { class: "actions" }, download);
  if (kind) actions.append(el("button", { type: "button", class: "small ghost", "aria-label": "Preview " + name, onclick: () => preview(path, kind, name) }, "Preview"));
  actions.append(el("button", { type: "button", class: "small ghost", "aria-label": "Share " + name, onclick: () => share(bucket, key) }, "Share"));
  if (me.admin) {
    actions.append(el("button", { type: "button", class: "small ghost", "aria-label": "IP grants of " + name,
      onclick: () => grants({ bucket, key }, bucket + "/" + key) }, "Grants"));
  }
  actions.append(el("button", { type: "button", class: "small danger", "aria-label": "Delete " + name, onclick: async () => {
    if (!confirm("Delete " + key + "?")) return;
    try {
      await call("DELETE", path);
      toast("Deleted " + name);
      reload();
    } catch (e) {
      toast(e.message);
    }
  } }, "Delete"));
  return el("tr", { "data-key": key },
    el("td", { class: "name" }, el("span", { class: "file" }, name)),
    el("td", { class: "num" }, bytes(size)),
    el("td", { class: "hide-narrow" }, when(modified)),
    actions);
}

// ---------------------------------------------------------------------------------------------- upload

/** One XHR PUT with upload progress; resolves with the response's ETag. */
function put(url, body, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("PUT", url);
    xhr.setRequestHeader("X-Hifadhi-Console", "1");
    xhr.upload.onprogress = (e) => onProgress(e.loaded);
    xhr.onload = () => (xhr.status >= 200 && xhr.status < 300 ? resolve(xhr.getResponseHeader("ETag"))
      : reject(new CallError(xhr.status, s3Message(xhr.responseText) || "HTTP " + xhr.status)));
    xhr.onerror = () => reject(new CallError(0, "the connection failed"));
    xhr.send(body);
  });
}

function s3Message(text) {
  const doc = new DOMParser().parseFromString(text || "", "application/xml");
  return doc.querySelector("Error > Message")?.textContent || null;
}

async function upload(bucket, key, file, list) {
  const bar = el("progress", { max: file.size || 1, value: 0, "aria-label": "Upload of " + key });
  const status = el("span", { class: "muted" }, "starting");
  const retry = el("button", { type: "button", class: "small", hidden: true }, "Resume");
  const item = el("li", { "data-upload": key }, el("span", { class: "name" }, key), el("span", {}, status, " ", retry), bar);
  list.prepend(item);
  const started = performance.now();
  const show = (done) => {
    bar.value = done;
    const secs = (performance.now() - started) / 1000;
    status.textContent = bytes(done) + " of " + bytes(file.size) + " · " + Math.floor((done / (file.size || 1)) * 100) + "%"
      + (secs > 0.5 ? " · " + bytes(done / secs) + "/s" : "");
  };
  const path = objectPath(bucket, key);
  try {
    if (file.size < MULTIPART_FROM) {
      await put(path, file, show);
    } else {
      await multipart(path, file, show, retry, status);
    }
    bar.value = bar.max;
    status.textContent = "uploaded " + bytes(file.size);
    status.className = "ok";
    item.dataset.done = "true";
    toast("Uploaded " + key);
  } catch (e) {
    status.textContent = "failed: " + e.message;
    status.className = "error";
    throw e;
  }
}

/** Multipart upload in PART_SIZE parts; a part that fails is retried, then the person may resume. */
async function multipart(path, file, show, retry, status) {
  const created = new DOMParser().parseFromString(await (await call("POST", path + "?uploads")).text(), "application/xml");
  const uploadId = field(created.documentElement, "UploadId");
  const count = Math.ceil(file.size / PART_SIZE);
  const etags = [];
  for (let n = 1; n <= count; n++) {
    const from = (n - 1) * PART_SIZE;
    const blob = file.slice(from, Math.min(file.size, from + PART_SIZE));
    for (let attempt = 1; ; attempt++) {
      try {
        etags[n] = await put(path + "?partNumber=" + n + "&uploadId=" + enc(uploadId), blob, (loaded) => show(from + loaded));
        break;
      } catch (e) {
        if (attempt < PART_ATTEMPTS) continue;
        status.textContent = "part " + n + " failed: " + e.message;
        retry.hidden = false;
        await new Promise((resume) => retry.addEventListener("click", resume, { once: true }));
        retry.hidden = true;
        attempt = 0;
      }
    }
  }
  let body = "<CompleteMultipartUpload>";
  for (let n = 1; n <= count; n++) body += "<Part><PartNumber>" + n + "</PartNumber><ETag>" + etags[n] + "</ETag></Part>";
  body += "</CompleteMultipartUpload>";
  const done = await call("POST", path + "?uploadId=" + enc(uploadId), body, "application/xml");
  const text = await done.text();
  if (text.includes("<Error>")) throw new CallError(500, s3Message(text) || "the upload could not be completed");
}

// ---------------------------------------------------------------------------------------------- share, preview

function share(bucket, key) {
  const dialog = $("share-dialog");
  $("share-object").textContent = bucket + "/" + key;
  $("share-result").hidden = true;
  $("share-error").textContent = "";
  $("share-ip").value = "";
  $("share-create").onclick = async () => {
    $("share-error").textContent = "";
    try {
      const body = { bucket, key, expires_in: Number($("share-expiry").value) };
      if ($("share-ip").value.trim()) body.ip = $("share-ip").value.trim();
      const link = await json("POST", "/ui/api/share", body);
      $("share-url").value = link.url;
      $("share-expires").textContent = "Works until " + when(link.expires_at) + (link.ip ? ", only from " + link.ip : ", from anywhere") + ".";
      $("share-qr").replaceChildren(QR.svg(link.url, "QR code of the link"));
      $("share-result").hidden = false;
      $("share-url").focus();
      $("share-url").select();
    } catch (e) {
      $("share-error").textContent = e.message;
    }
  };
  dialog.showModal();
  $("share-expiry").focus();
}

$("share-copy").addEventListener("click", async () => {
  const url = $("share-url").value;
  try {
    await navigator.clipboard.writeText(url);
  } catch (e) {
    $("share-url").select();
    document.execCommand("copy");
  }
  toast("Link copied");
});

function preview(path, kind, name) {
  const body = $("preview-body");
  $("preview-title").textContent = name;
  const media = kind === "image" ? el("img", { src: path, alt: name })
    : el(kind, { src: path, controls: true, preload: "metadata", id: "preview-media" });
  body.replaceChildren(media);
  const dialog = $("preview-dialog");
  dialog.addEventListener("close", () => body.replaceChildren(), { once: true });
  dialog.showModal();
}

// ---------------------------------------------------------------------------------------------- cluster

async function showCluster(view) {
  document.title = "Cluster · Hifadhi";
  const tiles = el("div", { class: "tiles" });
  const rows = el("tbody", { id: "members" });
  const hotRows = el("tbody", { id: "hot-objects" });
  view.append(el("h1", {}, "Cluster"), tiles, el("div", { class: "card" },
    el("table", {}, el("thead", {}, el("tr", {}, ...["Node", "State", "Zone", "Used of capacity", "Hot objects", "Requests/s", "In/s", "Out/s"].map((h, i) =>
      el("th", { scope: "col", class: (i >= 3 ? "num" : "") + (i >= 5 ? " hide-narrow" : "") }, h)))), rows)),
    el("div", { class: "card" }, el("h2", { id: "hot-heading" }, "Hot objects spread by this node"),
      el("p", { class: "muted" }, "Objects read hot through this node get extra copies on its neighbours for a while; each node lists its own."),
      el("table", { "aria-labelledby": "hot-heading" }, el("thead", {}, el("tr", {}, ...["Object", "Extra copies", "Chunks", "Held by", "Hot until"].map((h, i) =>
        el("th", { scope: "col", class: (i === 1 || i === 2 ? "num" : "") + (i >= 3 ? " hide-narrow" : "") }, h)))), hotRows)));
  const draw = async () => {
    const c = await json("GET", "/ui/admin/cluster");
    const members = c.members;
    const up = members.filter((m) => m.state === "UP").length;
    const cap = members.reduce((a, m) => a + (m.capacity_bytes || 0), 0);
    const used = members.reduce((a, m) => a + (m.used_bytes || 0), 0);
    tiles.replaceChildren(
      el("div", { class: "tile" }, el("span", { class: "muted" }, "Nodes up"), el("strong", {}, up + " of " + members.length)),
      el("div", { class: "tile" }, el("span", { class: "muted" }, "Used"), el("strong", {}, bytes(used)), el("span", { class: "muted" }, "of " + bytes(cap))),
      el("div", { class: "tile" }, el("span", { class: "muted" }, "Answered by"), el("strong", {}, c.instance)),
      rebalanceTile(c.rebalance));
    rows.replaceChildren(...members.map((m) => {
      const pct = m.capacity_bytes ? Math.min(100, (m.used_bytes / m.capacity_bytes) * 100) : 0;
      const fill = el("span");
      fill.style.width = pct.toFixed(1) + "%";
      const load = m.load || {};
      return el("tr", { "data-node": m.id },
        el("td", { class: "name" }, el("strong", {}, m.id), el("br"), el("span", { class: "muted" }, m.http_address || "")),
        el("td", {}, el("span", { class: "state-" + m.state }, m.state), m.reachable === false ? el("span", { class: "muted" }, " (unreachable)") : null),
        el("td", {}, m.zone || ""),
        el("td", { class: "num" }, bytes(m.used_bytes) + " of " + bytes(m.capacity_bytes),
          el("span", { class: "meter", role: "meter", "aria-valuenow": pct.toFixed(0), "aria-valuemin": 0, "aria-valuemax": 100, "aria-label": "Used" }, fill)),
        el("td", { class: "num", "data-hot": m.hot_objects ?? 0 }, String(m.hot_objects ?? 0)),
        el("td", { class: "num hide-narrow" }, (load.requests_per_second ?? 0).toFixed(1)),
        el("td", { class: "num hide-narrow" }, bytes(load.bytes_in_per_second ?? 0)),
        el("td", { class: "num hide-narrow" }, bytes(load.bytes_out_per_second ?? 0)));
    }));
    const hot = c.hot_here || [];
    hotRows.replaceChildren(...(hot.length === 0
      ? [el("tr", {}, el("td", { colspan: 5, class: "empty" }, "Nothing is hot on " + c.instance + " now."))]
      : hot.map((h) => el("tr", { "data-hot-object": h.bucket + "/" + h.key },
        el("td", { class: "name" }, h.bucket === ".native" ? h.key : h.bucket + "/" + h.key),
        el("td", { class: "num" }, String(h.copies)),
        el("td", { class: "num" }, String(h.chunks)),
        el("td", { class: "hide-narrow" }, (h.holders || []).join(", ") || "none yet"),
        el("td", { class: "hide-narrow" }, new Date(h.hot_until).toLocaleTimeString())))));
  };
  await draw();
  refreshTimer = setInterval(() => draw().catch(() => {}), 5000);
}

/** The move of data after a layout change, as the answering node sees it: a bar and the ETA, or "none under way". */
function rebalanceTile(r) {
  const tile = el("div", { class: "tile", id: "rebalance" }, el("span", { class: "muted" }, "Rebalancing"));
  const left = r ? (r.bytes_to_receive || 0) + (r.bytes_to_hand_over || 0) : 0;
  if (!r || (!r.in_progress && left === 0 && !r.entries_to_hand_over)) {
    tile.append(el("strong", {}, "none under way"));
    return tile;
  }
  const done = (r.bytes_received || 0) + (r.bytes_handed_over || 0);
  const pct = done + left === 0 ? 100 : (done / (done + left)) * 100;
  const fill = el("span");
  fill.style.width = pct.toFixed(1) + "%";
  tile.append(el("strong", {}, pct.toFixed(0) + "%"),
    el("span", { class: "meter", role: "meter", "aria-valuenow": pct.toFixed(0), "aria-valuemin": 0, "aria-valuemax": 100, "aria-label": "Rebalanced" }, fill),
    el("span", { class: "muted" }, bytes(left) + " to move · " + (r.owners_confirmed ?? 0) + " of " + (r.owners ?? 0) + " owners confirmed · ETA "
      + (r.eta_seconds >= 0 ? Math.ceil(r.eta_seconds) + " s" : "unknown")));
  return tile;
}

// ---------------------------------------------------------------------------------------------- native files

/** A native endpoint through the console, the query (INSTANCE@PATH) encoded whole as the native API expects. */
const nativeUrl = (endpoint, query) => "/ui/admin/" + endpoint + "/" + enc(query);
const filesHash = (dir) => "#/files/" + enc(dir);

async function showFiles(view, dir) {
  document.title = (dir || "Native files") + " · Hifadhi";
  const crumbs = el("nav", { class: "crumbs", "aria-label": "Directory" }, el("a", { href: filesHash("") }, "Native files"));
  if (dir) {
    const at = dir.indexOf("@");
    const instance = dir.slice(0, at + 1);
    crumbs.append(" / ", el("a", { href: filesHash(instance) }, instance));
    let acc = instance;
    for (const part of dir.slice(at + 1).split("/").filter(Boolean)) {
      acc += part + "/";
      crumbs.append(" / ", el("a", { href: filesHash(acc) }, part));
    }
  }
  const rows = el("tbody", { id: "native-files" });
  const more = el("button", { type: "button", class: "ghost", hidden: true }, "Show more");
  const toolbar = el("div", { class: "toolbar" }, crumbs);
  const card = el("div", { class: "card" }, toolbar);
  const table = el("table", { class: "stack" }, el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Name"), el("th", { scope: "col", class: "num" }, "Size"),
    el("th", { scope: "col", class: "hide-narrow" }, "Modified"), el("th", { scope: "col", class: "num" }, el("span", { class: "hide-narrow" }, "Actions")))), rows);
  if (dir) {
    const mkdir = el("form", { id: "create-dir" },
      el("div", {}, el("label", { for: "dir-name" }, "New directory"), el("input", { id: "dir-name", required: true, autocapitalize: "off", spellcheck: "false" })),
      el("button", { type: "submit" }, "Create"));
    mkdir.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const name = $("dir-name").value.trim().replace(/\/+$/, "");
      try {
        await call("PUT", nativeUrl("dirs", dir + name + "/"));
        toast("Created " + dir + name + "/");
        location.hash = filesHash(dir + name + "/");
      } catch (e) {
        toast(e.message);
      }
    });
    const fileInput = el("input", { id: "native-file-input", type: "file", multiple: true });
    const uploads = el("ul", { class: "uploads", id: "native-uploads", "aria-label": "Uploads" });
    fileInput.addEventListener("change", () => {
      for (const f of [...fileInput.files]) nativeUpload(dir + f.name, f, uploads).then(() => load(true)).catch(() => {});
      fileInput.value = "";
    });
    toolbar.append(mkdir);
    card.append(el("div", { class: "drop" }, "Upload into ", el("strong", {}, dir), ": ",
      el("label", { for: "native-file-input" }, "choose files"), fileInput), uploads);
  } else {
    card.append(el("p", { class: "muted" }, "Files stored through the native API (/api/v1/store), by instance. Open one to manage its files."));
  }
  card.append(table, more);
  view.append(card);

  let after = null;
  const load = async (reset) => {
    if (reset) {
      rows.replaceChildren();
      after = null;
    }
    const q = new URLSearchParams({ limit: "200" });
    if (after) q.set("after", after);
    const page = await json("GET", nativeUrl("dirs", dir) + "?" + q);
    for (const e of page.entries) {
      rows.append(e.type === "directory" ? nativeDirRow(dir, e, () => load(true)) : nativeFileRow(e, () => load(true)));
    }
    after = page.truncated ? page.next : null;
    more.hidden = !after;
    if (rows.children.length === 0) {
      rows.append(el("tr", {}, el("td", { colspan: 4, class: "empty" }, dir ? "This directory is empty." : "No native files yet.")));
    }
  };
  more.addEventListener("click", () => load(false).catch((e) => toast(e.message)));
  await load(true);
}

function nativeDirRow(dir, e, reload) {
  const actions = el("td", { class: "actions" });
  if (dir) {
    actions.append(el("button", { type: "button", class: "small danger", "aria-label": "Delete directory " + e.name, onclick: async () => {
      if (!confirm("Delete " + e.query + " and everything in it?")) return;
      try {
        const r = await json("DELETE", nativeUrl("dirs", e.query) + "?recursive=true");
        toast("Deleted " + e.query + " (" + r.deleted_files + " files)");
        reload();
      } catch (err) {
        toast(err.message);
      }
    } }, "Delete"));
  }
  return el("tr", { "data-dir": e.query },
    el("td", { class: "name" }, el("a", { class: "folder", href: filesHash(e.query) }, e.name)),
    el("td", { class: "num" }, ""), el("td", { class: "hide-narrow" }, ""), actions);
}

function nativeFileRow(e, reload) {
  const kind = kindOf(e.name);
  const actions = el("td", { class: "actions" },
    el("a", { class: "button", href: nativeUrl("retrieve", e.query), "aria-label": "Download " + e.name }, "Download"));
  if (kind) actions.append(el("button", { type: "button", class: "small ghost", "aria-label": "Preview " + e.name,
    onclick: () => preview(nativeUrl("stream", e.query), kind, e.name) }, "Preview"));
  actions.append(
    el("button", { type: "button", class: "small ghost", "aria-label": "Move or copy " + e.name, onclick: () => rename(e.query, reload) }, "Move"),
    el("button", { type: "button", class: "small ghost", "aria-label": "IP grants of " + e.name, onclick: () => grants({ query: e.query }, e.query) }, "Grants"),
    el("button", { type: "button", class: "small danger", "aria-label": "Delete " + e.name, onclick: async () => {
      if (!confirm("Delete " + e.query + "?")) return;
      try {
        await call("DELETE", nativeUrl("files", e.query));
        toast("Deleted " + e.query);
        reload();
      } catch (err) {
        toast(err.message);
      }
    } }, "Delete"));
  return el("tr", { "data-query": e.query },
    el("td", { class: "name" }, el("span", { class: "file" }, e.name)),
    el("td", { class: "num" }, bytes(e.size)),
    el("td", { class: "hide-narrow" }, when(e.last_modified)),
    actions);
}

async function nativeUpload(query, file, list) {
  const bar = el("progress", { max: file.size || 1, value: 0, "aria-label": "Upload of " + query });
  const status = el("span", { class: "muted" }, "starting");
  const item = el("li", { "data-upload": query }, el("span", { class: "name" }, query), status, bar);
  list.prepend(item);
  try {
    await put(nativeUrl("store", query), file, (done) => {
      bar.value = done;
      status.textContent = bytes(done) + " of " + bytes(file.size);
    });
    bar.value = bar.max;
    status.textContent = "uploaded " + bytes(file.size);
    status.className = "ok";
    item.dataset.done = "true";
  } catch (e) {
    status.textContent = "failed: " + e.message;
    status.className = "error";
    throw e;
  }
}

/** Move (rename) or copy a native file, server-side; a name ending in / puts it into that directory. */
function rename(query, reload) {
  $("rename-object").textContent = query;
  $("rename-to").value = query;
  $("rename-overwrite").checked = false;
  $("rename-error").textContent = "";
  const go = (op) => async () => {
    $("rename-error").textContent = "";
    let to = $("rename-to").value.trim();
    if (to.endsWith("/") || to.endsWith("@")) to += query.slice(Math.max(query.lastIndexOf("/"), query.indexOf("@")) + 1);
    try {
      const r = await json("POST", "/ui/admin/" + op, { from: query, to, overwrite: $("rename-overwrite").checked });
      toast((op === "move" ? "Moved to " : "Copied to ") + r.to);
      $("rename-dialog").close();
      reload();
    } catch (e) {
      $("rename-error").textContent = e.message;
    }
  };
  $("rename-move").onclick = go("move");
  $("rename-copy").onclick = go("copy");
  $("rename-dialog").showModal();
  $("rename-to").focus();
}

/** The IP grants of one object: { query } for a native file, { bucket, key } for an S3 object. */
function grants(target, label) {
  $("grants-object").textContent = label;
  $("grants-error").textContent = "";
  $("grant-ip").value = "";
  const listUrl = target.query !== undefined ? nativeUrl("grants", target.query)
    : "/ui/admin/grants/" + enc(target.bucket) + "/" + enc(target.key);
  const draw = async () => {
    const list = (await json("GET", listUrl)).grants;
    $("grants-list").replaceChildren(...(list.length === 0 ? [el("tr", {}, el("td", { colspan: 3, class: "empty" }, "No grants: only keys read this file."))]
      : list.map((g) => el("tr", { "data-grant": g.ip },
        el("td", {}, g.ip, g.scope === "prefix" ? el("span", { class: "muted" }, " (prefix " + g.prefix + ")") : null),
        el("td", {}, g.expires === null ? "never" : when(g.expires_at) + (g.expired ? " (expired)" : "")),
        el("td", { class: "actions" }, g.scope === "prefix" ? null : el("button", { type: "button", class: "small danger", "aria-label": "Revoke " + g.ip,
          onclick: async () => {
            try {
              await json("DELETE", "/ui/admin/grant", { ...target, ip: g.ip });
              toast("Revoked " + g.ip);
              await draw();
            } catch (e) {
              $("grants-error").textContent = e.message;
            }
          } }, "Revoke"))))));
  };
  $("grant-add").onclick = async () => {
    $("grants-error").textContent = "";
    const body = { ...target, ip: $("grant-ip").value.trim() };
    if ($("grant-expiry").value) body.expires_in = Number($("grant-expiry").value);
    try {
      await json("POST", "/ui/admin/grant", body);
      $("grant-ip").value = "";
      toast("Granted " + body.ip);
      await draw();
    } catch (e) {
      $("grants-error").textContent = e.message;
    }
  };
  draw().then(() => {
    $("grants-dialog").showModal();
    $("grant-ip").focus();
  }, (e) => toast(e.message));
}

// ---------------------------------------------------------------------------------------------- keys

async function showKeys(view) {
  document.title = "Access keys · Hifadhi";
  const rows = el("tbody", { id: "keys" });
  const created = el("div", { id: "key-created", role: "status" });
  const form = el("form", { id: "create-key" },
    el("label", { for: "key-name" }, "Name"), el("input", { id: "key-name", required: true, placeholder: "e.g. backup-job" }),
    el("label", { for: "key-buckets" }, "Buckets and permissions"),
    el("input", { id: "key-buckets", placeholder: "photos=read, backups=readwrite", "aria-describedby": "key-buckets-help" }),
    el("p", { class: "muted", id: "key-buckets-help" }, "Comma-separated bucket=permission pairs; permission is read, write or readwrite; .native stands for the native files."),
    el("button", { type: "submit" }, "Create key"));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const buckets = {};
    for (const pair of $("key-buckets").value.split(",").map((s) => s.trim()).filter(Boolean)) {
      const [b, p] = pair.split("=").map((s) => s.trim());
      buckets[b] = p || "read";
    }
    try {
      const k = await json("POST", "/ui/admin/keys", { name: $("key-name").value.trim(), buckets });
      created.replaceChildren(el("div", { class: "card" }, el("h2", {}, "Key created"),
        el("p", {}, "Copy the secret now: it is shown only this once."),
        el("p", { class: "secret" }, "Access key: " + k.access_key), el("p", { class: "secret" }, "Secret key: " + k.secret_key)));
      form.reset();
      await list();
    } catch (e) {
      toast(e.message);
    }
  });
  view.append(el("h1", {}, "Access keys"), created,
    el("div", { class: "card" }, el("table", { class: "stack" }, el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Key"),
      el("th", { scope: "col" }, "Buckets"), el("th", { scope: "col", class: "hide-narrow" }, "Created"), el("th", { scope: "col" }, ""))), rows)),
    el("div", { class: "card" }, el("h2", {}, "New key"), form));
  const list = async () => {
    const keys = (await json("GET", "/ui/admin/keys")).keys;
    rows.replaceChildren(...keys.map((k) => el("tr", {},
      el("td", { class: "name" }, el("strong", {}, k.name || ""), el("br"), el("code", {}, k.access_key)),
      el("td", {}, k.root ? "every bucket (root)" : Object.entries(k.buckets || {}).map(([b, p]) => b + ": " + p).join(", ") || "none"),
      el("td", { class: "hide-narrow" }, when(k.created)),
      el("td", { class: "actions" }, k.root ? null : el("button", { type: "button", class: "small danger", "aria-label": "Delete key " + (k.name || k.access_key),
        onclick: async () => {
          if (!confirm("Delete key " + k.access_key + "? Programs using it stop working.")) return;
          try {
            await call("DELETE", "/ui/admin/keys/" + enc(k.access_key));
            await list();
          } catch (e) {
            toast(e.message);
          }
        } }, "Delete")))));
  };
  await list();
}

loadSession().then(route, () => route());
