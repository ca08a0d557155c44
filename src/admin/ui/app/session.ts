// What the page remembers for this browser tab: the login, the chosen
// virtual host and refresh period (sessionStorage), and per-list settings
// that outlive the tab (localStorage).
const AUTH_KEY = "warren.ui.auth";
const USER_KEY = "warren.ui.user";
const VHOST_KEY = "warren.ui.vhost";
const REFRESH_KEY = "warren.ui.refresh";

export const session = {
  auth: sessionStorage.getItem(AUTH_KEY),
  user: sessionStorage.getItem(USER_KEY) ?? "",
  vhost: sessionStorage.getItem(VHOST_KEY) ?? "",
  refreshMs: Number(sessionStorage.getItem(REFRESH_KEY) ?? 2000),
};

export function saveLogin(auth: string, user: string): void {
  session.auth = auth;
  session.user = user;
  sessionStorage.setItem(AUTH_KEY, auth);
  sessionStorage.setItem(USER_KEY, user);
}

export function forgetLogin(): void {
  session.auth = null;
  sessionStorage.removeItem(AUTH_KEY);
}

export function saveVhost(vhost: string): void {
  session.vhost = vhost;
  sessionStorage.setItem(VHOST_KEY, vhost);
}

export function saveRefresh(ms: number): void {
  session.refreshMs = ms;
  sessionStorage.setItem(REFRESH_KEY, String(ms));
}

/** A list's settings (page size, sort, hidden columns), kept across visits. */
export function loadPref<T>(key: string, fallback: T): T {
  try {
    const raw = localStorage.getItem("warren.ui." + key);
    return raw === null ? fallback : { ...fallback, ...JSON.parse(raw) };
  } catch {
    return fallback;
  }
}

export function savePref(key: string, value: unknown): void {
  localStorage.setItem("warren.ui." + key, JSON.stringify(value));
}

/** The credentials for a Basic authorization header (UTF-8, base64). */
export function encodeAuth(user: string, pass: string): string {
  let bin = "";
  for (const b of new TextEncoder().encode(user + ":" + pass)) bin += String.fromCharCode(b);
  return btoa(bin);
}
