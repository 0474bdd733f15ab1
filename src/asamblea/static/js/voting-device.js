// What the voting key page and the booth share: the member's voting keys on
// this device, in IndexedDB (database "asamblea", store "voting-keys", one
// record per public key V: {public: V hex, secret: v hex, saved: ISO time}),
// translated texts, and the JSON API with the session. The secret v stays in
// this browser; the server only ever sees V (spec §5.5). Keys are kept after
// a new one is made, since polls opened earlier keep the credential derived
// from the key that was active when they opened.

const DB_NAME = "asamblea";
const STORE = "voting-keys";

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function open() {
  const req = indexedDB.open(DB_NAME, 1);
  req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: "public" });
  return request(req);
}

/** Every voting key this browser holds, newest first. */
export async function listKeys() {
  const db = await open();
  try {
    const keys = await request(db.transaction(STORE).objectStore(STORE).getAll());
    return keys.sort((a, b) => (a.saved < b.saved ? 1 : -1));
  } finally {
    db.close();
  }
}

/** Keep {public, secret} (both hex) on this device. */
export async function saveKey(publicHex, secretHex) {
  const db = await open();
  try {
    const tx = db.transaction(STORE, "readwrite");
    tx.objectStore(STORE).put({ public: publicHex, secret: secretHex, saved: new Date().toISOString() });
    await new Promise((resolve, reject) => {
      tx.oncomplete = resolve;
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  } finally {
    db.close();
  }
}

/** The text of each data-text element under root, by its key: translated messages. */
export function texts(root) {
  const out = {};
  for (const el of root.querySelectorAll("[data-text]")) out[el.dataset.text] = el.textContent.trim();
  return out;
}

/** The CSRF token of the page's form, for the API's session authentication. */
export function csrfToken(root) {
  const input = root.querySelector("input[name=csrfmiddlewaretoken]");
  return input ? input.value : "";
}

/** The API's refusal message ({"error": {"message"}}) or a fallback. */
export async function apiError(response, fallback) {
  try {
    const body = await response.json();
    if (body && body.error && typeof body.error.message === "string") return body.error.message;
  } catch {
    // not JSON: a proxy's page or a network failure
  }
  return fallback;
}

/** POST JSON with the session and its CSRF token; {ok, body|message}. */
export async function postJson(url, payload, token, fallback) {
  let response;
  try {
    response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token },
      body: JSON.stringify(payload),
    });
  } catch {
    return { ok: false, message: fallback };
  }
  if (!response.ok) return { ok: false, message: await apiError(response, fallback) };
  return { ok: true, body: await response.json() };
}
