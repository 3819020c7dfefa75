// Progressive enhancement (loaded with defer): the page works without it.
(() => {
"use strict";
const $ = (id) => document.getElementById(id);
const make = (tag, text) => Object.assign(document.createElement(tag), { textContent: text });
const fmt = (n) => n.toLocaleString("en"); // 12,345, as the server
let tally, shown, open = true, timer;

function initCopyLinks() {
  if (!navigator.clipboard) return;
  for (const button of document.querySelectorAll("[data-copy]")) {
    const field = $(button.dataset.copy), status = button.nextElementSibling;
    button.hidden = false;
    button.onclick = () => navigator.clipboard.writeText(field.value).then(
      () => { status.textContent = "Copied"; },
      () => { field.select(); status.textContent = "Press Ctrl+C to copy"; });
  }
}

// Never backwards: a cached read must not undo a signature.
function showCount({ count: n, goal }) {
  if (!(n >= shown && goal > 0)) return;
  shown = n;
  $("count").textContent = fmt(n);
  $("count-noun").textContent = n === 1 ? "signature" : "signatures";
  $("goal").textContent = fmt(goal);
  Object.assign($("progress"), { max: goal, value: n });
}

// Adds what #timeline lacks, newest first.
function showMilestones(list) {
  const spare = $("milestones-template");
  if (spare && list.length) {
    spare.content.querySelector("ol").id = "timeline";
    spare.replaceWith(spare.content);
  }
  const ol = $("timeline");
  for (const { count, reached_at: at } of ol ? list : []) {
    if (ol.querySelector(`[data-count="${count}"]`)) continue;
    const li = make("li"), stamp = at.replace("T", " ").replace(/([+-]\d\d):(\d\d)$/, " $1$2");
    li.dataset.count = count;
    li.append(Object.assign(make("time", stamp), { dateTime: at }), " ", make("span", `${fmt(count)} signatures reached`));
    ol.insertBefore(li, [...ol.children].find((old) => +old.dataset.count < count) ?? null);
  }
}

async function refresh(fresh) {
  try {
    const { api, slug } = tally.dataset;
    const res = await fetch(`${api}/petitions/${slug}`, { cache: fresh ? "no-cache" : "default" });
    if (!res.ok) return;
    const data = await res.json();
    open = data.status === "open";
    showCount(data);
    showMilestones(data.milestones);
  } catch {} // offline: the baked count stays
}

async function poll() {
  clearTimeout(timer);
  await refresh();
  clearTimeout(timer); // visibilitychange may have polled
  if (open && !document.hidden) timer = setTimeout(poll, 20000);
}

function initLiveCount() {
  tally = $("tally");
  if (!tally) return;
  shown = +tally.dataset.count;
  document.onvisibilitychange = () => (document.hidden ? clearTimeout(timer) : poll());
  poll();
}

// JSON signing; on 201 #sign-thanks takes the form's place.
const form = $("sign-form"), status = $("sign-status");
const note = Object.assign(make("span"), { className: "field-error", id: "sign-error" });
const button = form?.querySelector("button"), label = button?.textContent;
let wrong;

function done(message = "") {
  button.disabled = false;
  button.textContent = label;
  status.textContent = message;
}

async function submit(event) {
  event.preventDefault();
  button.disabled = true;
  button.textContent = "Signing…";
  status.textContent = "";
  note.remove();
  wrong?.removeAttribute("aria-invalid");
  wrong?.removeAttribute("aria-describedby");
  const body = {};
  for (const input of form.elements) {
    if (input.name) body[input.name] = input.type === "checkbox" ? input.checked : input.value;
  }
  let res = {}, data;
  try {
    res = await fetch(form.action, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(15000),
    });
    data = await res.json();
  } catch {} // the plain post below
  const { field, message } = data?.error ?? {};
  wrong = field ? form.elements.namedItem(field) : null;
  if (res.status === 201 && data) {
    const panel = $("sign-thanks-template").content.firstElementChild.cloneNode(true);
    panel.append(...document.querySelectorAll("article .share"));
    form.replaceWith(panel);
    panel.focus();
    showCount(data);
    if (data.milestone !== null) refresh(true);
  } else if (res.status === 400 && wrong?.labels?.[0] && message) {
    // "email: must be…" -> "Must be…"
    note.textContent = message.replace(/^[\w ()-]{1,40}: (.)/, (_, first) => first.toUpperCase());
    wrong.parentNode.append(note);
    wrong.setAttribute("aria-invalid", "true");
    wrong.setAttribute("aria-describedby", note.id);
    wrong.focus();
    done(`Please check ${wrong.labels[0].textContent}.`);
  } else if (res.status === 429 || res.status === 503) {
    const wait = parseInt(res.headers.get("Retry-After"), 10) || 30;
    done(`Signing is busy. Please try again in ${wait} second${wait > 1 ? "s" : ""}.`);
  } else {
    done();
    form.submit(); // the JS-off path
  }
}

const initSigning = () => form?.addEventListener("submit", submit);

const features = [initCopyLinks, initLiveCount, initSigning];
for (const feature of features) feature();
})();
