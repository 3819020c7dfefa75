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

// Never backwards: a cached read must not undo a signature. `pending`: only from GET.
function showCount({ count: n, goal, pending }) {
  if (!(n >= shown && goal > 0)) return;
  shown = n;
  $("count").textContent = fmt(n);
  $("count-noun").textContent = n === 1 ? "signature" : "signatures";
  $("goal").textContent = fmt(goal);
  Object.assign($("progress"), { max: goal, value: n });
  if (pending >= 0) {
    $("pending").hidden = !pending;
    $("pending-count").textContent = fmt(pending);
  }
}

// Adds what #timeline lacks, newest first (by time: updates are in it).
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
    const t = Date.parse(at);
    ol.insertBefore(li, [...ol.children].find((o) => Date.parse(o.querySelector("time").dateTime) <= t) ?? null);
  }
}

// The count file beside the page, from the CDN (seconds old), never the API.
async function refresh(fresh) {
  try {
    const res = await fetch(tally.dataset.counts, { cache: fresh ? "no-cache" : "default" });
    if (!res.ok) return;
    const data = await res.json();
    showCount(data);
    showMilestones(data.milestones);
  } catch {} // offline: the baked count stays
}

async function poll() {
  clearTimeout(timer);
  await refresh();
  clearTimeout(timer); // visibilitychange may have polled
  if (open && !document.hidden) timer = setTimeout(poll, 10000);
}

function initLiveCount() {
  tally = $("tally");
  if (!tally) return;
  shown = +tally.dataset.count;
  open = tally.dataset.live === "true";
  document.onvisibilitychange = () => (document.hidden ? clearTimeout(timer) : poll());
  poll();
}

// generator/signing/typos.py ported: difflib's ratio ≥ 0.8 (tests/pages/test_script_typos.py).
const DOMAINS = `gmail.com googlemail.com yahoo.com yahoo.co.nz yahoo.co.uk hotmail.com
  hotmail.co.nz hotmail.co.uk outlook.com outlook.co.nz live.com live.co.uk msn.com icloud.com
  me.com mac.com aol.com protonmail.com proton.me xtra.co.nz slingshot.co.nz orcon.net.nz
  vodafone.co.nz gmx.com gmx.de web.de mail.com zoho.com fastmail.com btinternet.com sky.com`
  .split(/\s+/);

function matched(a, b) {
  let n = 0, i, j;
  a.forEach((_, x) => b.forEach((_, y) => {
    let k = 0;
    while (a[x + k] && a[x + k] === b[y + k]) k++;
    if (k > n) [n, i, j] = [k, x, y];
  }));
  return n && n + matched(a.slice(0, i), b.slice(0, j)) + matched(a.slice(i + n), b.slice(j + n));
}

function suggestion(address) {
  const [, local, domain = ""] = address.trim().match(/^(.+)@([^@]+)$/s) ?? [];
  const b = [...domain.toLowerCase().replace(/\.+$/, "")]; // code points, as in Python
  let best = "", score = 0.8;
  for (const d of DOMAINS) {
    const ratio = (2 * matched([...d], b)) / (d.length + b.length);
    if (ratio > score || (ratio === score && d > best)) [best, score] = [d, ratio];
  }
  return best && best !== b.join("") && `${local}@${best}`; // not for a common one itself
}

// JSON signing; #sign-thanks (201) or #sign-check (202) takes the sign section's place.
const form = $("sign-form"), status = $("sign-status"), email = form?.elements.email;
const note = Object.assign(make("span"), { className: "field-error", id: "sign-error" });
const ask = Object.assign(make("span"), { className: "suggestion", id: "sign-suggestion" });
const button = form?.querySelector("button"), label = button?.textContent;
let wrong;

function done(message = "") {
  button.disabled = false;
  button.textContent = label;
  status.textContent = message;
}

// A problem, or the question, by a field.
function mark(field, what, focus = field) {
  field.parentNode.append(what);
  field.setAttribute("aria-describedby", what.id);
  wrong = field;
  focus.focus();
  done(`Please check ${field.labels[0].textContent}.`);
}

function clear() {
  status.textContent = "";
  note.remove();
  ask.remove();
  wrong?.removeAttribute("aria-invalid");
  wrong?.removeAttribute("aria-describedby");
}

// Either answer signs at once; "No" adds email_as_typed for a form post.
const choice = (address, no) => Object.assign(make("button", `${no ? "No" : "Yes"}, sign as ${address}`), {
  type: "button",
  className: no ? "button button-secondary" : "button",
  onclick() {
    if (no) form.append(Object.assign(make("input"), { type: "hidden", name: "email_as_typed", value: "yes" }));
    email.value = address;
    send();
  },
});

function submit(event) {
  event.preventDefault();
  const better = !form.elements.email_as_typed && suggestion(email.value);
  if (!better) return send();
  clear();
  ask.replaceChildren(`Did you mean ${better}? `, choice(better), " ", choice(email.value, true));
  mark(email, ask, ask.firstElementChild);
}

async function send() {
  clear();
  button.disabled = true;
  button.textContent = "Signing…";
  const body = {}; // not email_as_typed: JSON is not checked for typos
  for (const input of form.elements) {
    if (input.name && input.name !== "email_as_typed") body[input.name] = input.type === "checkbox" ? input.checked : input.value;
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
  const thanks = res.status === 201;
  wrong = field ? form.elements.namedItem(field) : null;
  if ((thanks || res.status === 202) && data) {
    const panel = $(thanks ? "sign-thanks-template" : "sign-check-template").content.firstElementChild.cloneNode(true);
    (form.closest(".sign") ?? form).replaceWith(panel);
    const r = panel.querySelector(".receipt-link"), url = data.receipt;
    if (/^\/receipt\/#[\w=&-]+$/.test(url)) [r.firstChild.href, r.hidden] = [url, false];
    panel.focus();
    showCount(data);
    setTimeout(() => refresh(true), 3000); // counted within seconds
  } else if (res.status === 400 && wrong?.labels?.[0] && message) {
    // "email: must be…" -> "Must be…"
    note.textContent = message.replace(/^[\w ()-]{1,40}: (.)/, (_, first) => first.toUpperCase());
    wrong.setAttribute("aria-invalid", "true");
    mark(wrong, note);
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
