// The trustee page in the browser (templates/trustees/trustee.html): what
// `secret-ballot trustee init` and `step` do on the command line, with the
// key file downloaded to this device instead of written to a path, and the
// tally's partial decryptions. The secret lives in this page's memory and in
// the key files the trustee downloads; the server only ever receives the
// public key and the protocol's messages (trustee_cli.py is the reference).
//
// The page's texts come translated in the JSON element #trustee-text.

import { bytesToHex, pointToHex } from "./secret-ballot.js";
import * as tc from "./trustee-ceremony.js";

const root = document.getElementById("trustee-app");
const TEXT = JSON.parse(document.getElementById("trustee-text")?.textContent ?? "{}");

/** A translated text with its %(name)s placeholders filled. */
function t(key, values = {}) {
  return (TEXT[key] ?? key).replace(/%\((\w+)\)s/g, (_, name) => String(values[name] ?? ""));
}

/** A refusal to show the trustee: the key of its text, and the text's values. */
class Stop extends Error {
  constructor(key, values = {}) {
    super(t(key, values));
    this.key = key;
    this.values = values;
  }
}

class Api {
  constructor(node) {
    this.root = node.dataset.apiRoot.replace(/\/$/, "");
    this.board = node.dataset.board;
    this.csrf = node.dataset.csrf;
  }

  /** The JSON answer, or null for a 404 when allowMissing; throws Stop with the API's message. */
  async call(method, path, body = undefined, { allowMissing = false } = {}) {
    const headers = { Accept: "application/json" };
    if (method !== "GET") headers["X-CSRFToken"] = this.csrf;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let response;
    try {
      response = await fetch(`${this.root}${path}`, {
        method,
        headers,
        credentials: "same-origin",
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      throw new Stop("network");
    }
    if (response.status === 404 && allowMissing) return null;
    let value = null;
    try {
      value = await response.json();
    } catch {
      value = null;
    }
    if (!response.ok) {
      const error = value?.error;
      if (error?.message) throw new Stop("api", { message: `${error.message} (${error.code})` });
      throw new Stop("refused", { status: response.status });
    }
    return value;
  }

  boardPath(path = "") {
    return `/trustees/boards/${this.board}${path}`;
  }
}

// --- State of this page ---------------------------------------------------------------

const state = {
  api: null,
  board: null,
  /** The opened trustee key (tc.openTrusteeKeyFile's shape), and its passphrase. */
  key: null,
  passphrase: null,
  /** A key made here that waits for the trustee's confirmation. */
  pending: null,
};

const $ = (id) => document.getElementById(id);

/** Show a text to the trustee; its key stays on the page for tests and styles. */
function say(key, values = {}, { error = false } = {}) {
  const out = $("tc-status");
  out.textContent = t(key, values);
  out.classList.toggle("error", error);
  root.dataset.said = key;
}

function show(id, visible) {
  $(id).hidden = !visible;
}

function download(sealed, phase) {
  const body = JSON.stringify(sealed, null, 1) + "\n";
  const url = URL.createObjectURL(new Blob([body], { type: "application/json" }));
  const link = $("tc-download");
  link.href = url;
  link.download = `trustee-${state.api.board}-${phase}.key`;
  link.textContent = t("download_again", { name: link.download });
  link.hidden = false;
  link.click();
}

async function save(phase) {
  const sealed = await tc.sealTrusteeKey(state.key, state.passphrase);
  download(sealed, phase);
}

// --- Init: key pair, key file, confirmation (trustee_cli.cmd_init) -------------------------

async function createKey(event) {
  event.preventDefault();
  const first = $("tc-new-pass").value;
  if (first.length < 8) throw new Stop("passphrase_short");
  if ($("tc-new-pass2").value !== first) throw new Stop("passphrase_differs");
  const board = state.board;
  say("sealing");
  state.key = tc.newTrusteeKey(board.ceremony_id, board.my_index);
  state.passphrase = first;
  state.pending = state.key;
  await save("new");
  $("tc-new-pass").value = "";
  $("tc-new-pass2").value = "";
  show("tc-create", false);
  show("tc-keep", true);
  say("downloaded");
}

async function confirmKept(event) {
  event.preventDefault();
  if (!$("tc-kept").checked) throw new Stop("confirm_first");
  if (state.pending) {
    await state.api.call("POST", state.api.boardPath("/key"), {
      communication_key: state.pending.communicationKey,
    });
  }
  await state.api.call("POST", state.api.boardPath("/key-file"));
  state.pending = null;
  say("registered");
  await refresh();
}

// --- Step (trustee_cli.cmd_step) -----------------------------------------------------------

async function openKey() {
  const file = $("tc-file").files?.[0];
  const passphrase = $("tc-pass").value;
  if (!file) throw new Stop("choose_file");
  if (!passphrase) throw new Stop("passphrase_empty");
  let value;
  try {
    value = JSON.parse(await file.text());
  } catch {
    throw new Stop("not_json");
  }
  say("opening");
  try {
    state.key = await tc.openTrusteeKeyFile(value, passphrase);
  } catch (exc) {
    if (exc instanceof tc.WrongPassphrase) throw new Stop("wrong_passphrase");
    if (exc instanceof tc.KeyFileError) throw new Stop("bad_key_file", { detail: exc.message });
    throw exc;
  }
  state.passphrase = passphrase;
  $("tc-pass").value = "";
  $("tc-file").value = "";
}

function checkBoard(board, key) {
  if (board.ceremony_id !== key.ceremonyId) throw new Stop("other_board");
  if (board.my_index !== key.index) throw new Stop("other_seat", { index: key.index });
  const mine = board.trustees.find((s) => s.index === key.index);
  if (mine?.communication_key !== key.communicationKey) throw new Stop("other_key");
}

function parametersOf(board, key) {
  let params;
  try {
    params = tc.loadParameters(board.parameters);
  } catch (exc) {
    throw new Stop("relay_check", { detail: exc.message });
  }
  const hK = bytesToHex(params.hK);
  if (board.ceremony_hash !== hK) throw new Stop("relay_check", { detail: "h_K" });
  if (key.ceremonyHash !== null && key.ceremonyHash !== hK) throw new Stop("parameters_changed");
  if (params.ceremonyId !== key.ceremonyId) throw new Stop("relay_check", { detail: "ceremony_id" });
  const info = params.trustees[key.index - 1];
  if (info === undefined || pointToHex(info.communicationKey) !== key.communicationKey) {
    throw new Stop("relay_check", { detail: "D_i" });
  }
  return params;
}

function checkPublished(sent, shown) {
  if (tc.droppedMessages(sent, shown).length) throw new Stop("dropped");
}

async function step() {
  const api = state.api;
  const board = await api.call("GET", api.boardPath());
  state.board = board;
  const key = state.key;
  checkBoard(board, key);
  if (board.state === "forming") return ["not_started"];
  const params = parametersOf(board, key);
  const secret = key.secret;
  let trustee;
  try {
    trustee =
      "coefficients" in secret || "key_share" in secret
        ? tc.Trustee.fromSecretJson(params, key.index, secret)
        : tc.Trustee.create(params, key.index, tc.communicationSecret(key));
  } catch (exc) {
    throw new Stop("key_does_not_fit", { detail: exc.message });
  }
  const keep = async (phase) => {
    state.key = { ...key, ceremonyHash: bytesToHex(params.hK), secret: trustee.toSecretJson() };
    await save(phase);
  };
  if (key.ceremonyHash === null) await keep("ceremony"); // the polynomial is fixed first
  if (board.state === "failed") return ["failed", { failure: board.failure }];
  if (board.state === "retired") return ["retired"];
  let published;
  try {
    published = tc.publishedMessages(params, await api.call("GET", api.boardPath("/messages")));
  } catch (exc) {
    if (exc instanceof Stop) throw exc;
    throw new Stop("relay_check", { detail: exc.message });
  }
  const own = (list) => list.filter((m) => m.dealer === key.index);
  const ownAnn = own(published.announcements);
  const ownRev = own(published.reveals);
  if (board.state === "active") {
    let outcome;
    try {
      outcome = await tc.outcomeOfBoard(params, published, board);
    } catch (exc) {
      throw new Stop("relay_check", { detail: exc.message });
    }
    if (trustee.finished) return ["share_already"];
    try {
      trustee.keyShare(outcome);
    } catch (exc) {
      throw new Stop("no_share", { detail: exc.message });
    }
    await keep("key-share");
    return ["share_kept"];
  }
  if (trustee.finished) throw new Stop("share_already");
  const steps = board.trustees.find((s) => s.index === key.index).steps;
  const send = (round, payload) => api.call("POST", api.boardPath(`/messages/${round}`), { payload });
  if (board.round === "announce") {
    if (steps.announce) return ["wait"];
    await send("announce", trustee.announce());
    return ["announced"];
  }
  if (board.round === "reveal") {
    if (!ownAnn.length) return ["not_dealing"];
    checkPublished([trustee.announce()], ownAnn);
    if (steps.reveal) return ["wait"];
    await send("reveal", await trustee.reveal());
    return ["revealed"];
  }
  if (board.round === "respond") {
    if (ownAnn.length) checkPublished([trustee.announce()], ownAnn);
    if (ownRev.length) checkPublished([await trustee.reveal()], ownRev);
    if (steps.respond) return ["wait"];
    let answers;
    try {
      answers = await trustee.respond(published.reveals);
    } catch (exc) {
      throw new Stop("bad_reveal", { detail: exc.message });
    }
    await keep("responded");
    await send("respond", answers);
    const complaints = answers.filter((r) => r.kind === "complaint").map((r) => r.dealer);
    return complaints.length
      ? ["complained", { dealers: complaints.join(", ") }]
      : ["responded", { count: answers.length }];
  }
  throw new Stop("unknown_state");
}

async function openAndStep(event) {
  event.preventDefault();
  if (state.key === null || $("tc-file").files?.length) await openKey();
  say("working");
  const [key, values] = await step();
  say(key, values);
  await refresh({ keepStatus: true });
}

// --- Partial decryption (§7.2) ----------------------------------------------------------------

async function decrypt(pollId) {
  // After a reload the key is opened here from the file fields above.
  if (state.key === null || $("tc-file").files?.length) await openKey();
  checkBoard(state.board, state.key);
  const api = state.api;
  say("working");
  const electionOut = await api.call("GET", `/polls/${pollId}/encrypted/election`);
  const tally = await api.call("GET", `/polls/${pollId}/encrypted/tally`);
  let answer;
  try {
    const election = tc.loadDecryptionElection(electionOut);
    answer = tc.decryptSums(state.key, election, tally.request);
  } catch (exc) {
    throw new Stop("cannot_decrypt", { detail: exc.message });
  }
  await api.call("POST", `/polls/${pollId}/encrypted/tally/answer`, { answer });
  say("decrypted", { poll: pollId });
  await listDecryptions();
}

async function listDecryptions() {
  const list = $("tc-decryptions");
  const waiting = await state.api.call("GET", state.api.boardPath("/decryptions"), undefined, {
    allowMissing: true,
  });
  list.replaceChildren();
  const open = (waiting ?? []).filter((d) => !d.answered);
  $("tc-no-decryption").hidden = open.length > 0;
  for (const d of open) {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = t("decrypt_poll", { poll: d.poll_id, question: d.question ?? "" });
    button.addEventListener("click", () => guarded(() => decrypt(d.poll_id)));
    item.append(button);
    if (d.deadline) {
      const by = document.createElement("p");
      by.className = "muted";
      const deadline = new Date(d.deadline).toLocaleString(document.documentElement.lang || undefined);
      by.textContent = t("answer_by", { deadline });
      item.append(by);
    }
    list.append(item);
  }
}

// --- Page ---------------------------------------------------------------------------------

async function refresh({ keepStatus = false } = {}) {
  const board = await state.api.call("GET", state.api.boardPath());
  state.board = board;
  const mine = board.trustees.find((s) => s.index === board.my_index);
  const forming = board.state === "forming";
  const registered = Boolean(mine?.steps.key_registered);
  const kept = Boolean(mine?.steps.key_file_kept);
  show("tc-create", forming && !registered && state.pending === null);
  show("tc-keep", forming && (state.pending !== null || (registered && !kept)));
  show("tc-step", !forming && ["ceremony", "active"].includes(board.state));
  show("tc-decrypt", board.state === "active");
  // Once the board is active, the only step left is keeping the key share.
  const stepButton = $("tc-step-button");
  stepButton.dataset.label ??= stepButton.textContent;
  stepButton.textContent = board.state === "active" ? t("keep_share_button") : stepButton.dataset.label;
  show("tc-file-fields", state.key === null || state.key.ceremonyId !== board.ceremony_id);
  $("tc-open-key").textContent = state.key ? t("key_open", { index: state.key.index }) : "";
  $("tc-round").textContent = board.round
    ? t("round_now", { round: board.round, state: board.state })
    : t("state_now", { state: board.state });
  if (!keepStatus && forming && registered && kept) say("ready");
  if (board.state === "active") await listDecryptions();
}

async function guarded(action) {
  try {
    await action();
  } catch (exc) {
    if (exc instanceof Stop) say(exc.key, exc.values, { error: true });
    else say("unexpected", { detail: exc.message }, { error: true });
  }
}

if (root) {
  state.api = new Api(root);
  root.hidden = false;
  for (const node of document.querySelectorAll("[data-without-script]")) node.hidden = true;
  $("tc-create").addEventListener("submit", (e) => guarded(() => createKey(e)));
  $("tc-keep").addEventListener("submit", (e) => guarded(() => confirmKept(e)));
  $("tc-step").addEventListener("submit", (e) => guarded(() => openAndStep(e)));
  guarded(() => refresh());
}
