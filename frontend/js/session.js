// Who is signed in (kept in localStorage per API address) and what they have rated.
// kind: "account" (signs in again with a password), "demo" (a MovieLens user of the demo login) or
// "guest" (started fresh without a password: signing out loses the way back in).

import { API_BASE, RATINGS_OF_AT_ONCE, api, onUnauthorized } from "./api.js";

const STORAGE_KEY = `cinegraph.session:${API_BASE || "same-origin"}`;
const listeners = new Set();

function readStored() {
  try {
    const value = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? "null");
    return value && Number.isInteger(value.userId) && typeof value.token === "string" && typeof value.kind === "string" ? value : null;
  } catch {
    return null;
  }
}

let current = readStored();
/** movie id -> {rating, ts}; null until loaded for the current user. */
let myRatings = null;
let myPicks = null;
let ratingsRequest = null;

export const session = {
  get user() {
    return current;
  },

  get signedIn() {
    return current !== null;
  },

  /** How the header and pages name the signed-in person. */
  get displayName() {
    if (!current) return "";
    return current.username ?? `User ${current.userId}`;
  },

  /** Whether signing out would leave no way back to this user's ratings. */
  get wouldLoseAccess() {
    return current?.kind === "guest";
  },

  signIn({ userId, token, kind, username = null, isNew = false }) {
    current = { userId, token, kind, username, isNew };
    myRatings = null;
    myPicks = null;
    ratingsRequest = null;
    try {
      localStorage.setItem(STORAGE_KEY, JSON.stringify(current));
    } catch {
      // Private mode or storage full: the session still lasts until the page closes.
    }
    notify();
  },

  signOut() {
    current = null;
    myRatings = null;
    myPicks = null;
    ratingsRequest = null;
    try {
      localStorage.removeItem(STORAGE_KEY);
    } catch {
      // Nothing stored: nothing to remove.
    }
    notify();
  },

  /** After setting a password: the same user, now with an account. */
  becameAccount(username) {
    if (!current) return;
    this.signIn({ ...current, kind: "account", username });
  },

  onChange(listener) {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },

  /** The signed-in user's ratings as a Map(movieId -> {rating, ts, movie}), fetched once and kept current. */
  async ratings({ refresh = false } = {}) {
    if (!current) return new Map();
    if (myRatings && !refresh) return myRatings;
    const userId = current.userId;
    if (!ratingsRequest || refresh) {
      ratingsRequest = api.userRatings({ userId, token: current.token }).then((body) => {
        const map = new Map(body.items.map((item) => [item.movie.id, { rating: item.rating, ts: item.ts, movie: item.movie }]));
        if (current?.userId === userId) {
          myRatings = map;
          myPicks = body.picks ?? [];
        }
        return map;
      });
      ratingsRequest.catch(() => {
        ratingsRequest = null;
      });
    }
    return ratingsRequest;
  },

  /**
   * The signed-in user's ratings of these movies only, as a Map(movieId -> {rating, ts, movie}): the stars a
   * movie page or a page of results shows, asked of the store each time without fetching the whole list.
   */
  async ratingsOf(movieIds, { signal } = {}) {
    const ids = [...new Set(movieIds)];
    if (!current || !ids.length) return new Map();
    const { userId, token } = current;
    const batches = [];
    for (let start = 0; start < ids.length; start += RATINGS_OF_AT_ONCE) batches.push(ids.slice(start, start + RATINGS_OF_AT_ONCE));
    const answers = await Promise.all(batches.map((movieIds) => api.userRatingsOf({ userId, token, movieIds }, { signal })));
    return new Map(answers.flatMap((body) => body.items.map((item) => [item.movie.id, { rating: item.rating, ts: item.ts, movie: item.movie }])));
  },

  /** Rate (or re-rate) a movie; the ratings cache follows the store's answer. */
  async rate(movie, rating) {
    if (!current) throw new Error("Sign in to rate movies.");
    const saved = await api.rate({ userId: current.userId, movieId: movie.id, rating, token: current.token });
    if (myRatings) {
      myRatings.delete(movie.id); // re-insert so the Map stays newest-last
      myRatings.set(movie.id, { rating: saved.rating, ts: saved.ts, movie });
    }
    return saved;
  },

  /** Remove the rating of a movie; the ratings cache follows. A rating already gone (another tab) counts as removed. */
  async unrate(movie) {
    if (!current) throw new Error("Sign in to change your ratings.");
    try {
      await api.deleteRating({ userId: current.userId, movieId: movie.id, token: current.token });
    } catch (failure) {
      if (!(failure.status === 404 && /has not rated/.test(failure.message))) throw failure;
    }
    myRatings?.delete(movie.id);
  },

  /** Put back what a movie's rating was before a change: `previous` is a rating value, or null for none. */
  async restoreRating(movie, previous) {
    return previous === null || previous === undefined ? this.unrate(movie) : this.rate(movie, previous);
  },

  /** "Not interested": never recommend this movie again (until undone). */
  async hide(movie) {
    if (!current) throw new Error("Sign in first.");
    return api.markNotInterested({ userId: current.userId, movieId: movie.id, token: current.token });
  },

  async unhide(movie) {
    if (!current) throw new Error("Sign in first.");
    try {
      await api.undoNotInterested({ userId: current.userId, movieId: movie.id, token: current.token });
    } catch (failure) {
      if (!(failure.status === 404 && /has not marked/.test(failure.message))) throw failure;
    }
  },

  /** The movies marked "not interested" ({movie, ts}), newest first, from the store each time. */
  async hidden(opts) {
    if (!current) return [];
    return (await api.notInterested({ userId: current.userId, token: current.token }, opts)).items;
  },

  /** The movies picked when starting fresh and not rated since ({movie, ts}), as of the last ratings(). */
  get picks() {
    return (myPicks ?? []).filter((pick) => !myRatings?.has(pick.movie.id));
  },

  cachedRating(movieId) {
    return myRatings?.get(movieId)?.rating ?? null;
  },
};

function notify() {
  for (const listener of listeners) listener(current);
}

// A refused token (expired, or signed with another server key) ends the session.
onUnauthorized((token) => {
  if (current?.token === token) session.signOut();
});
