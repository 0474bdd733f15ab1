// The booth of an encrypted poll (spec §5): the member's device derives the
// poll's credential from the voting key kept in this browser, encrypts,
// proves and signs the ballot, shows its tracker BEFORE the voter chooses to
// cast or to audit (Benaloh, §5.7), checks the audited ballot and the
// board's receipt (§5.6), and talks to the JSON API with the session.

import * as sb from "./secret-ballot.js";
import { csrfToken, listKeys, postJson, texts } from "./voting-device.js";

const TAG_BOARD_RECEIPT = "board-receipt";
const root = document.getElementById("booth");
const text = texts(root);
const token = csrfToken(root);
const $ = (id) => document.getElementById(id);
const form = $("booth-form");

function say(id, message) {
  const el = $(id);
  el.textContent = message;
  el.hidden = !message;
}

function fail(message) {
  say("booth-status", "");
  say("booth-error", message);
}

function keyPageLink() {
  const link = root.querySelector("[data-link=key-page]");
  link.textContent = text["key-page"];
  $("booth-error").append(" ", link);
}

let election; // sb.loadElection(...)
let electionJson; // the API's answer
let credential; // {secret x, public P}
let pending; // {ballot, json, seed, selections, hB, tracker}

/** The poll's credential from a voting key on this device, or a message why not. */
async function findCredential() {
  let keys;
  try {
    keys = await listKeys();
  } catch {
    return { message: text["no-storage"] };
  }
  for (const key of keys) {
    const V = sb.pointFromHex(key.public);
    if (sb.pointToHex(sb.credentialPublic(V, electionJson.election_id)) === electionJson.credential) {
      const pair = sb.credentialFor(sb.scalarFromHex(key.secret), electionJson.election_id);
      if (sb.pointToHex(pair.public) === electionJson.credential) return { pair };
    }
  }
  return { message: keys.length ? text["other-key"] : text["no-key"], link: true };
}

/** The selections of the form: one value per option of the manifest (ids o<position>). */
function selections() {
  const data = new FormData(form);
  const chosen = new Set(data.getAll("choice"));
  const out = {};
  for (const contest of election.contests) {
    out[contest.contestId] = contest.optionIds.map((id) => {
      const position = id.slice(1);
      if (contest.optionMax === 1) return chosen.has(position) ? 1 : 0;
      const raw = String(data.get(`scores_${position}`) ?? "").trim();
      if (raw === "") return 0;
      const value = Number(raw);
      return Number.isSafeInteger(value) ? value : -1;
    });
  }
  return out;
}

function setChoosing(enabled) {
  for (const el of form.elements) el.disabled = !enabled;
}

async function encrypt(event) {
  event.preventDefault();
  say("booth-error", "");
  $("booth-audited").hidden = true;
  const chosen = selections();
  say("booth-status", text.encrypting);
  setChoosing(false);
  // Let the message paint before the work holds the main thread.
  await new Promise((resolve) => setTimeout(resolve, 30));
  let made;
  try {
    made = sb.encryptBallot(election, credential, chosen);
  } catch {
    setChoosing(true);
    return fail(text["bad-choice"]);
  }
  const json = sb.ballotToJson(made.ballot);
  const hB = sb.ballotDigest(election.electionHash, made.ballot);
  say("booth-status", text.sending);
  const answer = await postJson(root.dataset.previewUrl, { ballot: json }, token, text.network);
  if (!answer.ok) {
    setChoosing(true);
    return fail(answer.message);
  }
  const shown = sb.nextTracker(
    election.electionHash,
    sb.hexToBytes(answer.body.previous_tracker),
    hB,
  );
  if (sb.bytesToHex(shown) !== answer.body.tracker) {
    setChoosing(true);
    return fail(text["bad-answer"]);
  }
  pending = { ballot: made.ballot, json, seed: made.nonceSeed, selections: chosen, hB, tracker: answer.body.tracker };
  say("booth-status", "");
  $("booth-tracker").textContent = pending.tracker;
  $("booth-choice").hidden = false;
  $("booth-cast").focus();
}

function boardLink(tracker) {
  return `${root.dataset.boardUrl}?tracker=${tracker}`;
}

/** Whether the receipt is the board's signature on this very ballot (§5.6). */
function receiptMatches(ballot, receipt) {
  const hE = election.electionHash;
  try {
    const B = sb.pointFromHex(electionJson.election.board_key);
    const T = sb.hexToBytes(receipt.tracker);
    const signature = {
      c: sb.scalarFromHex(receipt.signature.c),
      v: sb.scalarFromHex(receipt.signature.v),
    };
    return (
      receipt.election_hash === sb.bytesToHex(hE) &&
      receipt.ballot_hash === sb.bytesToHex(ballot.hB) &&
      Number.isSafeInteger(receipt.index) &&
      receipt.index >= 1 &&
      sb.schnorrVerify(TAG_BOARD_RECEIPT, [hE, receipt.index, ballot.hB, T], B, signature)
    );
  } catch {
    return false;
  }
}

/** Whether the board published this very ballot, opened to this very choice (§5.7). */
function auditMatches(ballot, reveal, line) {
  try {
    sb.checkAudit(election, ballot.ballot, ballot.seed, ballot.selections);
    const own = ballot.json.contests.map((c) => ({
      contest_id: c.contest_id,
      options: c.options.map((o) => ({ option_id: o.option_id, alpha: o.alpha, beta: o.beta })),
    }));
    const expected = sb.nextTracker(
      election.electionHash,
      sb.hexToBytes(line.previous_tracker),
      ballot.hB,
    );
    return (
      line.ballot_hash === sb.bytesToHex(ballot.hB) &&
      line.tracker === sb.bytesToHex(expected) &&
      line.nonce_seed === reveal.nonce_seed &&
      sb.canonicalJson(line.selections) === sb.canonicalJson(reveal.selections) &&
      sb.canonicalJson(line.contests) === sb.canonicalJson(own)
    );
  } catch {
    return false;
  }
}

/**
 * Send the pending ballot to the cast or audit API. A refusal leaves it
 * pending (the voter may try again); an answer the check refuses is shown
 * as untrusted. Returns the answer once checked, or undefined.
 */
async function settle(url, payload, check) {
  const buttons = [$("booth-cast"), $("booth-audit")];
  for (const b of buttons) b.disabled = true;
  say("booth-error", "");
  say("booth-status", text.sending);
  const answer = await postJson(url, payload, token, text.network);
  for (const b of buttons) b.disabled = false;
  if (!answer.ok) return fail(answer.message);
  const ballot = pending;
  pending = undefined;
  $("booth-choice").hidden = true;
  say("booth-status", "");
  if (!check(ballot, answer.body)) {
    setChoosing(true);
    return fail(text["bad-answer"]);
  }
  return answer.body;
}

async function cast() {
  const receipt = await settle(root.dataset.castUrl, { ballot: pending.json }, receiptMatches);
  if (!receipt) return;
  $("booth-cast-line").textContent = text.cast.replace("{index}", String(receipt.index));
  $("booth-receipt-tracker").textContent = receipt.tracker;
  $("booth-receipt-link").href = boardLink(receipt.tracker);
  $("booth-receipt-text").value = sb.canonicalJson(receipt);
  $("booth-receipt").hidden = false;
  form.hidden = true;
  $("booth-receipt").scrollIntoView();
}

async function audit() {
  const reveal = sb.auditReveal(election, pending.seed, pending.selections);
  const line = await settle(
    root.dataset.auditUrl,
    { ballot: pending.json, ...reveal },
    (ballot, body) => auditMatches(ballot, reveal, body),
  );
  if (!line) return;
  $("booth-audited-tracker").textContent = line.tracker;
  $("booth-audited-link").href = boardLink(line.tracker);
  $("booth-audited").hidden = false;
  setChoosing(true);
  $("booth-encrypt").focus();
}

async function copyReceipt() {
  const area = $("booth-receipt-text");
  try {
    await navigator.clipboard.writeText(area.value);
  } catch {
    area.select();
    document.execCommand("copy");
  }
  say("booth-status", text.copied);
}

async function start() {
  say("booth-status", text.loading);
  let response;
  try {
    response = await fetch(root.dataset.electionUrl, { credentials: "same-origin" });
  } catch {
    return fail(text.network);
  }
  if (!response.ok) return fail(text.network);
  electionJson = await response.json();
  if (electionJson.credential_kind !== "device") return fail(text["bad-answer"]);
  const found = await findCredential();
  if (!found.pair) {
    fail(found.message);
    if (found.link) keyPageLink();
    return;
  }
  credential = found.pair;
  election = sb.loadElection({
    manifest: electionJson.manifest,
    electionHash: electionJson.election.election_hash,
    jointKey: electionJson.election.joint_key,
  });
  say("booth-status", text.ready);
  form.hidden = false;
  form.addEventListener("submit", encrypt);
  $("booth-cast").addEventListener("click", cast);
  $("booth-audit").addEventListener("click", audit);
  $("booth-copy").addEventListener("click", copyReceipt);
  $("booth-print").addEventListener("click", () => window.print());
}

start();
