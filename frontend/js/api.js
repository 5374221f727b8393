// The CineGraph HTTP API, as promises of plain JSON. Knows nothing of the DOM.

const REQUEST_TIMEOUT_MS = 20000;
/** The most movie ids one GET /users/{id}/ratings?movie_ids= may ask for. */
export const RATINGS_OF_AT_ONCE = 100;

/**
 * Where the API lives: `?api=http://host:port` on the page URL, else the `cinegraph-api` meta tag,
 * else the origin that served this page (the service serves the UI at `/`).
 */
export function resolveApiBase(location = window.location, doc = document) {
  const fromQuery = new URLSearchParams(location.search).get("api");
  const fromMeta = doc.querySelector('meta[name="cinegraph-api"]')?.getAttribute("content");
  const base = (fromQuery ?? fromMeta ?? "").trim();
  return base.replace(/\/+$/, "");
}

export const API_BASE = resolveApiBase();

/** A failed request, with a message a person can act on. `status` is 0 when the API was unreachable. */
export class ApiError extends Error {
  constructor(message, { status = 0, kind = "http", detail = null } = {}) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.kind = kind; // "network" | "timeout" | "http"
    this.detail = detail;
  }

  get unreachable() {
    return this.kind === "network" || this.kind === "timeout";
  }
}


/** CineGraph's errors: `{"detail": "text", "errors"?: [...]}`; older FastAPI validation errors put the list in `detail`. */
export function messageFromBody(body, status) {
  const detail = body?.detail;
  if (typeof detail === "string" && detail) return sentence(detail);
  if (Array.isArray(detail) && detail.length) {
    const messages = detail.map((item) => (typeof item === "string" ? item : item?.msg)).filter(Boolean);
    if (messages.length) return sentence(messages.join("; "));
  }
  return `The API answered ${status}${statusText(status)}.`;
}

/** "movie 9 does not exist" -> "Movie 9 does not exist." */
function sentence(text) {
  const trimmed = text.trim();
  const capitalised = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?)]$/.test(capitalised) ? capitalised : `${capitalised}.`;
}

function statusText(status) {
  const texts = { 400: " (bad request)", 401: " (not signed in)", 403: " (not allowed)", 404: " (not found)", 409: " (conflict)", 413: " (too large)", 422: " (invalid input)", 429: " (too many requests)", 500: " (server error)", 502: " (bad gateway)", 503: " (service unavailable)" };
  return texts[status] ?? "";
}

/** A signal that aborts when any of the given ones does (AbortSignal.any where the browser has it). */
export function anySignal(...signals) {
  const present = signals.filter(Boolean);
  if (AbortSignal.any) return AbortSignal.any(present);
  const controller = new AbortController();
  for (const signal of present) {
    if (signal.aborted) controller.abort(signal.reason);
    else signal.addEventListener("abort", () => controller.abort(signal.reason), { once: true });
  }
  return controller.signal;
}

let unauthorizedListener = null;

/** Called with the token when the API refuses it (401): an expired or revoked sign-in. */
export function onUnauthorized(listener) {
  unauthorizedListener = listener;
}

export async function request(path, { method = "GET", body, form, token, signal, query } = {}) {
  const url = new URL(`${API_BASE}${path}`, window.location.href);
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== "") url.searchParams.set(key, String(value));
  }
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (form !== undefined) headers["Content-Type"] = "application/x-www-form-urlencoded";
  const payload = form !== undefined ? new URLSearchParams(form).toString() : body === undefined ? undefined : JSON.stringify(body);
  if (token) headers.Authorization = `Bearer ${token}`;

  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), REQUEST_TIMEOUT_MS);
  const signals = anySignal(signal, timeout.signal);
  let response;
  try {
    response = await fetch(url, { method, headers, body: payload, signal: signals });
  } catch (error) {
    if (signal?.aborted) throw error; // the caller moved on: not an error to show
    if (timeout.signal.aborted) {
      throw new ApiError(`CineGraph did not answer in ${REQUEST_TIMEOUT_MS / 1000} s. Try again in a moment.`, { kind: "timeout" });
    }
    throw new ApiError("Can't reach CineGraph right now. Check your connection, then try again.", { kind: "network" });
  } finally {
    clearTimeout(timer);
  }

  const text = await response.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!response.ok) {
    if (response.status === 401 && token) unauthorizedListener?.(token);
    throw new ApiError(messageFromBody(data, response.status), { status: response.status, detail: data?.detail ?? null });
  }
  if (data === null && text) {
    throw new ApiError("CineGraph answered with something unexpected. Try again in a moment.", { status: response.status });
  }
  return data;
}

export const api = {
  health: (opts) => request("/health", opts),
  demoLogin: (userId, opts) => request("/auth/demo", { method: "POST", body: { user_id: userId }, ...opts }),
  signIn: (username, password, opts) => request("/auth/token", { method: "POST", form: { username, password }, ...opts }),
  setCredentials: ({ username, password, token }, opts) => request("/auth/credentials", { method: "POST", body: { username, password }, token, ...opts }),
  createUser: (likedMovieIds, opts) => request("/users", { method: "POST", body: { liked_movie_ids: likedMovieIds }, ...opts }),
  me: (token, opts) => request("/users/me", { token, ...opts }),
  userRatings: ({ userId, token }, opts) => request(`/users/${userId}/ratings`, { token, ...opts }),
  /** The user's ratings and picks of these movies only (at most RATINGS_OF_AT_ONCE ids). */
  userRatingsOf: ({ userId, token, movieIds }, opts) => request(`/users/${userId}/ratings`, { query: { movie_ids: movieIds.join(",") }, token, ...opts }),
  rate: ({ userId, movieId, rating, token }, opts) =>
    request("/ratings", { method: "POST", body: { user_id: userId, movie_id: movieId, rating }, token, ...opts }),
  deleteRating: ({ userId, movieId, token }, opts) => request(`/users/${userId}/ratings/${movieId}`, { method: "DELETE", token, ...opts }),
  notInterested: ({ userId, token }, opts) => request(`/users/${userId}/not-interested`, { token, ...opts }),
  markNotInterested: ({ userId, movieId, token }, opts) => request(`/users/${userId}/not-interested/${movieId}`, { method: "PUT", token, ...opts }),
  undoNotInterested: ({ userId, movieId, token }, opts) => request(`/users/${userId}/not-interested/${movieId}`, { method: "DELETE", token, ...opts }),
  recommendations: ({ userId, token, genres = [], genreMode = "any", k = 20 }, opts) =>
    request("/recommendations", { query: { user_id: userId, genres: genres.join(","), genre_mode: genreMode, k }, token, ...opts }),
  searchMovies: ({ q = "", genre, page = 1, pageSize = 20 }, opts) =>
    request("/movies", { query: { q, genre, page, page_size: pageSize }, ...opts }),
  popular: ({ genre, k = 24 } = {}, opts) => request("/movies/popular", { query: { genre, k }, ...opts }),
  movie: (movieId, opts) => request(`/movies/${movieId}`, opts),
  similar: (movieId, k = 10, opts) => request(`/movies/${movieId}/similar`, { query: { k }, ...opts }),
  person: (personId, opts) => request(`/people/${encodeURIComponent(personId)}`, opts),
  genres: (opts) => request("/genres", opts),
};
