// The voting key page: make the member's voting key (v, V) on this device,
// keep v in IndexedDB, save it as a passphrase-sealed key file (spec §11),
// register V through the API, and restore a key from its file. Without
// JavaScript the page says why it cannot work (the key is made here).

import { KeyFileError, WrongPassphrase, keyFileText, openVotingKey, sealVotingKey } from "./keyfile.js";
import { generateVotingKey, pointToHex, scalarToHex } from "./secret-ballot.js";
import { csrfToken, listKeys, postJson, saveKey, texts } from "./voting-device.js";

const MIN_PASSPHRASE = 12;
const root = document.getElementById("voting-key");
const text = texts(root);
const $ = (id) => document.getElementById(id);

function say(id, message) {
  const el = $(id);
  el.textContent = message;
  el.hidden = !message;
}

async function showDevice() {
  const active = root.dataset.active;
  let keys;
  try {
    keys = await listKeys();
  } catch {
    say("device-status", text["no-storage"]);
    return false;
  }
  if (active) {
    say("device-status", keys.some((k) => k.public === active) ? text["holds-active"] : text["lacks-active"]);
  }
  return true;
}

function offerDownload(file) {
  const link = $("make-download");
  const url = URL.createObjectURL(new Blob([keyFileText(file)], { type: "application/json" }));
  link.href = url;
  link.hidden = false;
  link.click();
}

async function make(event) {
  event.preventDefault();
  say("make-error", "");
  const passphrase = $("make-passphrase").value;
  if (passphrase.length < MIN_PASSPHRASE) return say("make-error", text.short);
  if (passphrase !== $("make-repeat").value) return say("make-error", text.mismatch);
  $("make-button").disabled = true;
  say("make-status", text.making);
  try {
    const pair = generateVotingKey();
    const file = await sealVotingKey(pair, passphrase);
    const publicHex = pointToHex(pair.public);
    await saveKey(publicHex, scalarToHex(pair.secret));
    offerDownload(file);
    const answer = await postJson(
      root.dataset.registerUrl,
      { public_key: publicHex },
      csrfToken(root),
      text.network,
    );
    if (!answer.ok) {
      say("make-status", "");
      say("make-error", `${text["not-registered"]} ${answer.message}`);
      return;
    }
    root.dataset.active = publicHex;
    let shown = $("active-key");
    if (!shown) {
      const none = $("no-active-key");
      shown = document.createElement("code");
      shown.className = "hex";
      shown.id = "active-key";
      const p = document.createElement("p");
      p.append(shown);
      none.replaceWith(p);
    }
    shown.textContent = publicHex;
    $("make-form").reset();
    say("make-status", text.made);
    await showDevice();
  } catch {
    say("make-status", "");
    say("make-error", text["no-storage"]);
  } finally {
    $("make-button").disabled = false;
  }
}

async function restore(event) {
  event.preventDefault();
  say("restore-error", "");
  const file = $("restore-file").files[0];
  if (!file) return;
  $("restore-button").disabled = true;
  say("restore-status", text.opening);
  try {
    let value;
    try {
      value = JSON.parse(await file.text());
    } catch {
      throw new KeyFileError("not JSON");
    }
    const pair = await openVotingKey(value, $("restore-passphrase").value);
    const publicHex = pointToHex(pair.public);
    await saveKey(publicHex, scalarToHex(pair.secret));
    $("restore-form").reset();
    say(
      "restore-status",
      publicHex === root.dataset.active ? text["restored-active"] : text["restored-other"],
    );
    await showDevice();
  } catch (exc) {
    say("restore-status", "");
    if (exc instanceof WrongPassphrase) say("restore-error", text["wrong-passphrase"]);
    else if (exc instanceof KeyFileError) say("restore-error", `${text["bad-file"]} ${exc.message}`);
    else say("restore-error", text["no-storage"]);
  } finally {
    $("restore-button").disabled = false;
  }
}

if (await showDevice()) {
  $("make").hidden = false;
  $("restore").hidden = false;
  $("make-form").addEventListener("submit", make);
  $("restore-form").addEventListener("submit", restore);
}
