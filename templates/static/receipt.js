// A signer's receipt (templates/receipt.html): checks, in this browser and with nothing but
// Web Crypto, that the petition's public log (generator/log; C2SP tlog-tiles) holds the
// signature under its latest signed checkpoint. The address's fragment, which never leaves
// the browser (generator/log/receipts.py):
// #p=<slug>&s=<signature hash, base64url>&from=<log size when signed>[&i=<leaf index>].
(() => {
"use strict";
const WIDTH = 256; // hashes in a full tile, entries in a full bundle
const ADD = 1, WITHDRAW = 2;
const POLL = 10000, TRIES = 18; // not in the log yet: look again every 10 s for 3 minutes
const SCAN = 256, AHEAD = 64; // bundles read at a time for the signature; for a withdrawal
const box = document.getElementById("receipt");
const text = new TextDecoder(), utf8 = new TextEncoder();
const tiles = new Map(), used = new Set(); // files read, by path; the hash tiles used
let key, shown, next, tries = 0;

class Failure extends Error {}
const fail = (message) => { throw new Failure(message); };
const when = (date) => date.toLocaleString(undefined, { dateStyle: "long", timeStyle: "long" });
const make = (tag, content) => Object.assign(document.createElement(tag), { textContent: content });
const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
const signs = (e, kind, hash) => e[1] === kind && same(e.subarray(2, 34), hash);

function b64(value, what) {
  try {
    const binary = atob(value.replace(/-/g, "+").replace(/_/g, "/"));
    return Uint8Array.from(binary, (c) => c.charCodeAt(0));
  } catch {
    return fail(`${what} is not base64.`);
  }
}

async function sha(...parts) {
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (all.set(p, at), at + p.length), 0);
  return new Uint8Array(await crypto.subtle.digest("SHA-256", all));
}
const node = (left, right) => sha([1], left, right);

// tiles.py tile_path and entries_path: tile 1234067 is x001/x234/067, a partial one .p/<width>.
function tilePath(level, index, width) {
  const digits = String(index);
  const groups = digits.padStart(Math.ceil(digits.length / 3) * 3, "0").match(/.../g);
  const last = groups.pop(), partial = width < WIDTH ? `.p/${width}` : "";
  return `tile/${level}/${groups.map((g) => `x${g}/`).join("")}${last}${partial}`;
}

// A file's bytes; null for a checkpoint not published yet (`fresh`: never from the cache).
async function get(path, what, fresh) {
  let response;
  try {
    response = await fetch(path, fresh ? { cache: "no-store" } : {});
  } catch {
    fail(`${what} (${path}) could not be fetched: the connection failed.`);
  }
  if (fresh && response.status === 404) return null;
  if (!response.ok) fail(`${what} (${path}) is missing: the server answered ${response.status}.`);
  return new Uint8Array(await response.arrayBuffer());
}

// /log/key.txt: <name>+<hex key id>+<base64(0x01 || Ed25519 public key)> (note.py Verifier).
async function readKey() {
  const where = "The log's key (/log/key.txt)";
  const line = text.decode(await get("/log/key.txt", "The log's key")).trim();
  const [, name, id, encoded] = /^([^+\s]+)\+([0-9a-f]{8})\+(\S+)$/.exec(line) ||
    fail(`${where} is not a key: expected <name>+<key id>+<base64 key>.`);
  const raw = b64(encoded, where);
  if (raw.length !== 33 || raw[0] !== 1) fail(`${where} is not an Ed25519 key.`);
  const made = hex((await sha(utf8.encode(name), [10], raw)).slice(0, 4));
  if (made !== id) fail(`${where} says its id is ${id}, but it is ${made}.`);
  let verifier;
  try {
    verifier = await crypto.subtle.importKey("raw", raw.slice(1), "Ed25519", false, ["verify"]);
  } catch {
    fail("This browser cannot check Ed25519 signatures, so it cannot verify the checkpoint.");
  }
  const idBytes = Uint8Array.from(id.match(/../g), (h) => parseInt(h, 16));
  return { name, id: idBytes, label: `${name}+${id}`, verifier };
}

// The checkpoint, a signed note: origin, size, base64 root; a blank line; signature lines
// `— <key name> <base64(key id || signature)>`, of which the log's key's must verify.
async function readCheckpoint(log, slug) {
  const path = log + "checkpoint";
  const data = await get(path, "The log's checkpoint", true);
  if (!data) return null;
  const note = text.decode(data), split = note.lastIndexOf("\n\n");
  if (split < 0 || !note.endsWith("\n")) fail(`The checkpoint (${path}) is not a signed note.`);
  const body = note.slice(0, split + 1);
  let verified = false;
  for (const line of note.slice(split + 2, -1).split("\n")) {
    const [dash, name, encoded = ""] = line.split(" ");
    if (dash !== "\u2014" || name !== key.name) continue;
    const signature = b64(encoded, `The signature of the checkpoint (${path})`);
    if (!same(signature.slice(0, 4), key.id)) continue; // another key of that name
    if (!(await crypto.subtle.verify("Ed25519", key.verifier, signature.slice(4), utf8.encode(body)))) {
      fail(`The checkpoint's signature does not verify with the log's key ${key.label}.`);
    }
    verified = true;
  }
  if (!verified) {
    fail(`The checkpoint's signature does not verify: it has none by the log's key ${key.label}.`);
  }
  const [origin, size, root] = body.split("\n");
  if (!/^(0|[1-9][0-9]*)$/.test(size)) fail(`The checkpoint's tree size "${size}" is not a number.`);
  const head = b64(root, "The checkpoint's root hash");
  if (head.length !== 32) fail("The checkpoint's root hash is not 32 bytes.");
  if (!origin.endsWith(`/petitions/${slug}`)) {
    fail(`The checkpoint is the log of ${origin}, not of this petition.`);
  }
  return { origin, size: Number(size), root: head };
}

// Tile `index` of hashes at `level`, as wide as a tree of `size` leaves makes it.
async function fetchTile(log, level, index, size) {
  const width = Math.min(WIDTH, Math.floor(size / WIDTH ** level) - index * WIDTH);
  const path = log + tilePath(level, index, width);
  if (!tiles.has(path)) {
    const data = await get(path, "A tile of the log's hashes");
    if (data.length !== width * 32) fail(`The tile ${path} is ${data.length} bytes, not ${width * 32}.`);
    tiles.set(path, data);
  }
  used.add(path);
  return tiles.get(path);
}

// The entries of bundle `index`, each 2 bytes of length then the leaf.
async function bundle(log, index, size) {
  const width = Math.min(WIDTH, size - index * WIDTH);
  const path = log + tilePath("entries", index, width);
  if (!tiles.has(path)) {
    const data = await get(path, "A bundle of the log's entries"), entries = [];
    for (let at = 0, end; at < data.length; at = end) {
      end = at + 2 + ((data[at] << 8) | data[at + 1]);
      if (end > data.length) fail(`The entry bundle ${path} is cut short.`);
      entries.push(data.subarray(at + 2, end));
    }
    if (entries.length !== width) {
      fail(`The entry bundle ${path} holds ${entries.length} entries, not ${width}.`);
    }
    tiles.set(path, entries);
  }
  return tiles.get(path);
}

// leaves.py: version 1, kind, signature hash (32), seconds (8), version's length, version.
function leaf(bytes, index) {
  if (bytes.length < 43 || bytes[0] !== 1 || bytes.length !== 43 + bytes[42]) {
    fail(`Entry ${index} of the log is not a leaf.`);
  }
  const seconds = new DataView(bytes.buffer, bytes.byteOffset + 34, 8).getBigUint64(0);
  return { index, bytes, at: new Date(Number(seconds) * 1000), version: text.decode(bytes.subarray(43)) };
}

// The first leaf of `kind` for `hash` from index `first` on, reading at most `budget`
// bundles: { found } or { to }, the index it looked up to.
async function scan(log, first, size, kind, hash, budget) {
  let n = Math.floor(first / WIDTH);
  for (; n * WIDTH < size && budget-- > 0; n++) {
    const entries = await bundle(log, n, size);
    for (let k = Math.max(0, first - n * WIDTH); k < entries.length; k++) {
      if (signs(entries[k], kind, hash)) return { found: leaf(entries[k], n * WIDTH + k) };
    }
  }
  return { to: Math.min(size, n * WIDTH) };
}

// The perfect subtree of 2^height leaves from index * 2^height: at level 8T+r it is the
// head of 2^r hashes of a level-T tile.
async function perfect(log, height, index, size) {
  const level = Math.floor(height / 8), count = 2 ** (height % 8), start = index * count;
  const data = await fetchTile(log, level, Math.floor(start / WIDTH), size);
  const at = (start % WIDTH) * 32;
  let hashes = [];
  for (let k = 0; k < count; k++) hashes.push(data.subarray(at + k * 32, at + k * 32 + 32));
  while (hashes.length > 1) {
    const up = [];
    for (let k = 0; k < hashes.length; k += 2) up.push(await node(hashes[k], hashes[k + 1]));
    hashes = up;
  }
  return hashes[0];
}

// RFC 6962 MTH of leaves [start, end): the leaf at `index` is hashed here from its own
// bytes, every subtree beside its path comes from the tiles (merkle.py subtree_hash).
async function subtree(log, start, end, size, index, leafHash) {
  if (index >= start && index < end) {
    if (end - start === 1) return leafHash;
    let k = 1;
    while (k * 2 < end - start) k *= 2;
    return node(await subtree(log, start, start + k, size, index, leafHash),
      await subtree(log, start + k, end, size, index, leafHash));
  }
  const parts = [];
  while (start < end) { // perfect subtrees, largest first
    let height = 0;
    while (2 ** (height + 1) <= end - start) height++;
    parts.push(await perfect(log, height, start / 2 ** height, size));
    start += 2 ** height;
  }
  let value = parts.pop();
  while (parts.length) value = await node(parts.pop(), value);
  return value;
}

// The live region says it again only when something changed.
function show(message, rows = [], problem = false) {
  const said = JSON.stringify([message, rows]);
  if (said === shown) return;
  shown = said;
  const lead = make("p", ""), list = make("dl", "");
  lead.append(make("strong", message));
  list.className = "version-text";
  for (const [term, value] of rows) list.append(make("dt", term), make("dd", value));
  box.className = problem ? "error-summary" : "notice";
  box.replaceChildren(lead, ...(rows.length ? [list] : []));
}

async function check(params, rows) {
  const slug = params.get("p"), from = Number(params.get("from"));
  const hint = Number(params.get("i") ?? -1), log = `/petitions/${slug}/log/`;
  const wanted = b64(params.get("s"), "The receipt's signature hash");
  key ||= await readKey();
  const checkpoint = await readCheckpoint(log, slug), size = checkpoint ? checkpoint.size : 0;
  if (checkpoint) {
    rows.push(["Signature of the log's checkpoint", `verified with the log's key ${key.label}`],
      ["Checkpoint's tree size", `${size} entries`], ["Log", checkpoint.origin]);
  }
  let found;
  if (hint >= 0 && hint < size) {
    const e = (await bundle(log, Math.floor(hint / WIDTH), size))[hint % WIDTH];
    if (signs(e, ADD, wanted)) found = leaf(e, hint);
  }
  next ??= from;
  if (!found && next < size) {
    const result = await scan(log, next, size, ADD, wanted, SCAN);
    found = result.found;
    next = result.to ?? next;
  }
  if (!found && next < size) { // read on at once, SCAN bundles at a time
    setTimeout(() => run(params));
    return show(`Looking for your signature: it is not in entries ${from} to ${next - 1} of ${size}…`);
  }
  if (!found) {
    if (++tries <= TRIES) {
      setTimeout(() => run(params), POLL);
      return show("Your signature is not in the published log yet: counting and publishing " +
        "take a few seconds. Checking again every 10 seconds.");
    }
    const looked = next > from ? ` It is not in entries ${from} to ${next - 1}.` : "";
    return show(`Your signature is still not in the published log after 3 minutes.${looked} ` +
      "Reload this page to check again.", rows, true);
  }
  const kept = new URLSearchParams(location.hash.slice(1));
  kept.set("i", found.index);
  history.replaceState(history.state, "", `#${kept}`); // the next visit goes straight there
  const leafHash = await sha([0], found.bytes);
  rows.push(["Leaf index", String(found.index)], ["Leaf hash", hex(leafHash)],
    ["Counted", when(found.at)], ["Text version signed", found.version || "not recorded"]);
  if (!same(await subtree(log, 0, size, size, found.index, leafHash), checkpoint.root)) {
    return show("Not included: the inclusion check failed. The log's tiles " +
      `(${[...used].join(", ")}) do not hash to the checkpoint's root.`, rows, true);
  }
  rows.push(["Inclusion", "checked: the leaf and the log's tiles hash to the checkpoint's root"]);
  const after = await scan(log, found.index + 1, size, WITHDRAW, wanted, AHEAD);
  if (after.found) {
    rows.push(["Withdrawn", `yes, at entry ${after.found.index}, ${when(after.found.at)}`]);
    return show("Included: your signature is in the log, and it was withdrawn later, " +
      "so it no longer counts.", rows);
  }
  rows.push(["Withdrawn", after.to >= size
    ? `no withdrawal up to the end of the log (entry ${size - 1}): it still counts`
    : `not in entries ${found.index + 1} to ${after.to - 1}; the ${size - after.to} after them ` +
      "were not checked"]);
  show("Included: your signature is in the log under its latest signed checkpoint.", rows);
}

function run(params) {
  const rows = [];
  check(params, rows).catch((error) => show(error instanceof Failure ? error.message
    : `The check stopped: ${error.message}`, rows, true));
}

const link = document.getElementById("receipt-link");
if (link) { // thanks/ and confirmed/: the receipt the server's redirect left in the address
  if (/^#p=[a-z0-9-]+&s=[\w-]{43}&from=\d+$/.test(location.hash)) {
    link.firstElementChild.href = `/receipt/${location.hash}`;
    link.hidden = false;
  }
  return;
}
if (!box) return;
const params = new URLSearchParams(location.hash.slice(1));
const number = (name) => /^[0-9]+$/.test(params.get(name));
if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(params.get("p") || "") || !/^[\w-]{43}$/.test(params.get("s")) ||
    !number("from") || (params.has("i") && !number("i"))) {
  show("This receipt's address is incomplete or damaged: it needs the petition, the " +
    "signature's hash and where to start looking.", [], true);
  return;
}
if (!window.crypto?.subtle) {
  show("Checking the receipt needs a secure (https) connection.", [], true);
  return;
}
const back = document.getElementById("receipt-petition");
back.firstElementChild.href = `/petitions/${params.get("p")}/`;
back.hidden = false;
show("Checking your receipt…");
run(params);
})();
