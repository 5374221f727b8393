// Building blocks shared by the views: cards, stars, chips, states and toasts.

import { h, icon } from "./dom.js";
import { displayTitle, plural, starWords, starsText, yearText } from "./format.js";
import { poster } from "./poster.js";

export function movieHref(movie) {
  return `#/movie/${movie.id}`;
}

export function personHref(person) {
  return `#/person/${encodeURIComponent(person.person_id ?? person.id)}`;
}

/** A path of this app to come back to after signing in ("/movie/50"); the start pages lead nowhere new. */
function isReturnPath(path) {
  return typeof path === "string" && /^\/[^/\\]/.test(path) && !/^\/(start)?(\?|$)/.test(path);
}

/** `start` (the address of a way in: the start page, start fresh), remembering `from` to return to;
 * from another way in, the place that one remembers (Sign in on Start fresh keeps where both began). */
function returningTo(start, from) {
  const wayIn = typeof from === "string" && /^\/(start)?(\?|$)/.test(from);
  const place = wayIn ? new URLSearchParams(from.split("?")[1] ?? "").get("next") : from;
  return isReturnPath(place) ? `${start}?next=${encodeURIComponent(place)}` : start;
}

/** The start page's address, remembering `from` (the current view) to return to once signed in. */
export function signInHref(from) {
  return returningTo("#/", from);
}

/** Start fresh's address, remembering `from` (where the start page was opened from) to return to once done. */
export function startFreshHref(from) {
  return returningTo("#/start", from);
}

/** Where signing in (or starting fresh) leads: the view it started from (`?next=`), else the recommendations. */
export function afterSignInPath(query) {
  const next = query?.get("next");
  return isReturnPath(next) ? next : "/for-you";
}

/** MovieLens's placeholder genre "unknown" names no kind of film: it is never offered as a choice. */
export function listedGenres(genres) {
  return (genres ?? []).filter((genre) => (genre.name ?? genre) !== "unknown");
}

/** Every genre of a movie (MovieLens has at most six); `highlight` marks the ones being filtered on. */
export function genreTags(genres, { highlight = [] } = {}) {
  const shown = listedGenres(genres);
  return h(
    "ul",
    { class: "tags", "aria-label": "Genres" },
    shown.map((genre) => h("li", { class: ["tag", highlight.includes(genre) && "tag--match"], "data-genre": genre }, genre)),
  );
}

// Where the pointer last moved to. A pointer event at the same place is the browser hit-testing again
// because the page changed under a still pointer (a card left, a save ended): not someone pointing.
let lastPointer = null;
window.addEventListener("pointermove", (event) => {
  lastPointer = { x: event.clientX, y: event.clientY };
});

function pointerMoved(event) {
  return !lastPointer || lastPointer.x !== event.clientX || lastPointer.y !== event.clientY;
}

/**
 * A star rating control: one tab stop (role="slider"); arrows/Home/End/1-5 choose, Enter or Space saves.
 * Pointer: moving over the stars previews half or whole stars, click saves. A preview (pointer or keys)
 * is drawn unlike a saved rating (`data-preview`), and a still pointer previews nothing: stars that
 * slide under it, or come back from a save, show what is saved. `onRate(value, previous)` may return a
 * promise. With `onClear(previous)`, 0, Delete or Backspace remove the rating (as does
 * `element.clear()`); the slider then reads "Not rated". Either callback throwing puts the previous
 * value back.
 */
export function starRating({ label, value = null, onRate, onClear = null, size = "md" }) {
  let current = value;
  let pending = null; // chosen with the keys, not saved yet
  let hovered = null; // under a moving mouse or pen
  const halves = [];
  const stars = [];
  const root = h("div", {
    class: ["stars", `stars--${size}`],
    role: "slider",
    tabindex: 0,
    "aria-label": label,
    "aria-valuemin": 0,
    "aria-valuemax": 5,
    "aria-keyshortcuts": onClear ? "Delete Backspace 0" : null,
  });

  for (let i = 1; i <= 5; i++) {
    const star = h(
      "span",
      { class: "star", "data-fill": "0" },
      h("span", { class: "star__glyph star__glyph--base" }, icon("star")),
      h("span", { class: "star__glyph star__glyph--fill" }, icon("star")),
    );
    for (const v of [i - 0.5, i]) {
      const half = h("span", { class: ["star__hit", v % 1 ? "star__hit--left" : "star__hit--right"], "data-value": v, title: `${starsText(v)}` });
      half.addEventListener("click", (event) => {
        event.preventDefault();
        commit(v);
      });
      halves.push(half);
      star.append(half);
    }
    stars.push(star);
    root.append(star);
  }
  root.addEventListener("pointermove", (event) => {
    if (event.pointerType === "touch" || !pointerMoved(event)) return;
    const value = Number(event.target.closest?.(".star__hit")?.dataset.value);
    if (!(value > 0) || value === hovered) return; // between two stars: keep what is shown
    hovered = value;
    update();
  });
  root.addEventListener("pointerleave", () => {
    if (hovered === null) return;
    hovered = null;
    update();
  });

  root.addEventListener("keydown", (event) => {
    const shown = pending ?? current ?? 0;
    const steps = { ArrowRight: 0.5, ArrowUp: 0.5, ArrowLeft: -0.5, ArrowDown: -0.5 };
    let next = null;
    if (onClear && ["Delete", "Backspace", "0"].includes(event.key)) {
      event.preventDefault();
      pending = null;
      if (current !== null) clear();
      else update();
      return;
    }
    if (event.key in steps) next = Math.min(5, Math.max(0.5, shown + steps[event.key]));
    else if (event.key === "Home") next = 0.5;
    else if (event.key === "End") next = 5;
    else if (/^[1-5]$/.test(event.key)) next = Number(event.key);
    else if ((event.key === "Enter" || event.key === " ") && pending !== null) {
      event.preventDefault();
      commit(pending);
      return;
    } else if (event.key === "Escape" && pending !== null) {
      pending = null;
      update();
      return;
    } else return;
    event.preventDefault();
    pending = next;
    update();
  });
  root.addEventListener("blur", () => {
    pending = null;
    update();
  });

  function paint(shown) {
    stars.forEach((star, index) => {
      const fill = shown >= index + 1 ? "1" : shown >= index + 0.5 ? "0.5" : "0";
      star.dataset.fill = fill;
    });
  }

  function update() {
    const preview = hovered ?? pending;
    paint(preview ?? current);
    if (preview !== null && preview !== current) root.dataset.preview = "";
    else delete root.dataset.preview;
    const shown = pending ?? current;
    root.setAttribute("aria-valuenow", String(shown ?? 0));
    let text = shown === null ? "Not rated" : starWords(shown);
    if (pending !== null) text += ", press Enter to save";
    else if (current !== null) text = `Rated ${starWords(current)}`;
    root.setAttribute("aria-valuetext", text);
    root.dataset.value = current ?? "";
  }

  async function commit(v) {
    if (root.getAttribute("aria-disabled") === "true") return;
    await save(v, (previous) => onRate?.(v, previous));
  }

  async function clear() {
    if (root.getAttribute("aria-disabled") === "true" || current === null || !onClear) return;
    await save(null, (previous) => onClear(previous));
  }

  /** Show ``value`` at once, then ``send(previous)``; if it fails, the previous stars come back (the
   * caller reports the error). */
  async function save(value, send) {
    const previous = current;
    current = value;
    pending = null;
    hovered = null; // the saved stars show until the pointer moves again
    update();
    root.setAttribute("aria-disabled", "true");
    try {
      await send(previous);
    } catch {
      current = previous;
      hovered = null;
      update();
    } finally {
      root.removeAttribute("aria-disabled");
    }
  }

  update();
  root.setValue = (v) => {
    current = v;
    pending = null;
    hovered = null;
    update();
  };
  root.clear = clear;
  return root;
}

/**
 * The stars we think the user would give a movie (calibrated on held-out ratings, so 4.2 means the
 * same in every list), drawn as MovieLens does: the star row itself, in another colour than a rating.
 */
export function predictedStars(value) {
  if (value == null) return null;
  const row = () => Array.from({ length: 5 }, () => icon("star", { class: "icon predicted__star" }));
  return h(
    "p",
    { class: "predicted", "data-predicted": value, title: "The stars we think you would give it, from ratings like yours" },
    h("span", { class: "predicted__label" }, "Predicted"),
    h(
      "span",
      { class: "predicted__stars", role: "img", "aria-label": `Predicted rating ${value.toFixed(1)} of 5 stars` },
      h("span", { class: "predicted__base" }, row()),
      h("span", { class: "predicted__fill", style: { width: `${(value / 5) * 100}%` } }, row()),
    ),
    h("span", { class: "predicted__value" }, `${value.toFixed(1)}★`),
  );
}

export function reasonLine(reason) {
  if (!reason) return null;
  return h("p", { class: "reason" }, icon("spark", { class: "icon reason__icon" }), h("span", null, reason));
}

/**
 * A recommendation: poster, title, year, genres, predicted stars, reason, stars to rate it and, with
 * `onHide(movie, card)`, a "Not interested" button. The title is a level-2 heading: cards sit right
 * under the page's h1. The rating row is the card's own row, so that on a phone it can take the card's
 * whole width (half-star targets of 24 px need 240 px).
 */
export function recommendationCard(item, { onRate, onHide = null, signedIn, genres = [] }) {
  const { movie } = item;
  const title = displayTitle(movie.title);
  const titleId = `rec-title-${movie.id}`;
  const card = h(
    "article",
    { class: "card", "data-movie-id": movie.id, "aria-labelledby": titleId },
    h("a", { class: "card__poster", href: movieHref(movie), tabindex: -1, "aria-hidden": "true" }, poster(movie)),
    h(
      "div",
      { class: "card__body" },
      h("h2", { class: "card__title", id: titleId }, h("a", { href: movieHref(movie) }, title), " ", h("span", { class: "card__year" }, yearText(movie))),
      genreTags(movie.genres, { highlight: genres }),
      h("div", { class: "card__score" }, predictedStars(item.predicted_rating)),
      reasonLine(item.reason),
    ),
    signedIn
      ? h(
          "div",
          { class: "card__rate" },
          h("span", { class: "card__rate-label", "aria-hidden": "true" }, "Rate"),
          starRating({ label: `Rate ${title}`, onRate: (v) => onRate(movie, v, card) }),
          onHide
            ? h("button", { type: "button", class: "card__hide", "aria-label": `Not interested in ${title}`, title: "Don't recommend this movie to me again", onclick: () => onHide(movie, card) }, "Not interested")
            : null,
        )
      : null,
  );
  return card;
}

/** A small clickable tile (similar movies, search results). */
export function movieTile(movie, { reason, extra } = {}) {
  return h(
    "a",
    { class: "tile", href: movieHref(movie), "data-movie-id": movie.id },
    h("span", { class: "tile__poster" }, poster(movie)),
    h("span", { class: "tile__title" }, displayTitle(movie.title)),
    h("span", { class: "tile__meta" }, [yearText(movie), ...listedGenres(movie.genres).slice(0, 2)].join(" · ")),
    reason ? h("span", { class: "tile__reason" }, reason) : null,
    extra ?? null,
  );
}

/** Genre chips: toggle buttons in a labelled group (never "unknown"). Returns {element, setSelected}. */
export function genreChips({ genres: offered, selected, onChange, label = "Genres", allLabel = "All genres", multiple = true }) {
  const genres = listedGenres(offered);
  const chosen = new Set(selected);
  const buttons = new Map();
  const all = h("button", { type: "button", class: "chip chip--all", "aria-pressed": String(chosen.size === 0) }, allLabel);
  all.addEventListener("click", () => {
    chosen.clear();
    sync();
    onChange([...chosen]);
  });
  const element = h("div", { class: "chips", role: "group", "aria-label": label }, all);
  for (const genre of genres) {
    const button = h("button", { type: "button", class: "chip", "data-genre": genre.name, "aria-pressed": String(chosen.has(genre.name)), title: genre.movies ? plural(genre.movies, "movie") : null }, genre.name);
    button.addEventListener("click", () => {
      if (chosen.has(genre.name)) chosen.delete(genre.name);
      else {
        if (!multiple) chosen.clear();
        chosen.add(genre.name);
      }
      sync();
      onChange(genres.map((g) => g.name).filter((name) => chosen.has(name)));
    });
    buttons.set(genre.name, button);
    element.append(button);
  }
  function sync() {
    all.setAttribute("aria-pressed", String(chosen.size === 0));
    for (const [name, button] of buttons) button.setAttribute("aria-pressed", String(chosen.has(name)));
  }
  return { element, setSelected: (names) => { chosen.clear(); names.forEach((n) => chosen.add(n)); sync(); } };
}

// --- states -------------------------------------------------------------------------------------

export function loadingCards(count = 6, kind = "card") {
  return h(
    "div",
    { class: ["skeletons", `skeletons--${kind}`], role: "status", "aria-label": "Loading" },
    Array.from({ length: count }, () => h("div", { class: `skeleton skeleton--${kind}`, "aria-hidden": "true" }, h("span"), h("span"), h("span"))),
    h("span", { class: "visually-hidden" }, "Loading…"),
  );
}

export function spinner(text = "Loading…") {
  return h("div", { class: "loading", role: "status" }, h("span", { class: "spinner", "aria-hidden": "true" }), h("span", null, text));
}

export function emptyState({ title, text, action }) {
  return h("div", { class: "state state--empty" }, icon("film", { class: "icon state__icon" }), h("h2", { class: "state__title" }, title), text ? h("p", null, text) : null, action ?? null);
}

/**
 * A page that is not there (an unknown address, movie or person), as a page, not an error: what was
 * asked for, and the ways on: Browse, the search box, and the start page or the recommendations.
 */
export function notFoundPage({ title, text, signedIn }) {
  document.title = `${title} · CineGraph`;
  const search = h("button", { type: "button", class: "button button--secondary" }, icon("search"), "Search by title");
  search.addEventListener("click", () => document.getElementById("site-search-input")?.focus());
  return h(
    "section",
    { class: "not-found", "aria-labelledby": "not-found-title" },
    icon("film", { class: "icon not-found__icon" }),
    h("h1", { id: "not-found-title", tabindex: -1 }, title),
    h("p", null, text),
    h(
      "nav",
      { class: "not-found__ways", "aria-label": "Ways on" },
      h("a", { class: "button button--primary", href: "#/search" }, "Browse movies"),
      search,
      signedIn
        ? h("a", { class: "button button--ghost", href: "#/for-you" }, "Your recommendations")
        : h("a", { class: "button button--ghost", href: "#/" }, "Start page"),
    ),
  );
}

export function errorState(error, { retry, title } = {}) {
  const unreachable = error?.unreachable;
  return h(
    "div",
    { class: "state state--error", role: "alert" },
    icon("alert", { class: "icon state__icon" }),
    h("h2", { class: "state__title" }, title ?? (unreachable ? "Can't reach CineGraph" : "Something went wrong")),
    h("p", { class: "state__message" }, error?.message ?? String(error)),
    retry ? h("button", { type: "button", class: "button button--secondary", onclick: retry }, icon("refresh"), "Try again") : null,
  );
}

// --- toasts -------------------------------------------------------------------------------------

const ACTION_TOAST_MS = 8000;

/**
 * A short message in the toast region (announced politely; errors as alerts). With `action`
 * ({label, onClick}, e.g. Undo) it carries a button and stays longer, and never leaves while the pointer
 * or the focus is on it.
 */
export function toast(message, { kind = "success", timeout = 4000, action = null } = {}) {
  const region = document.getElementById("toasts");
  const close = h("button", { type: "button", class: "toast__close", "aria-label": "Dismiss" }, icon("close"));
  const actionButton = action ? h("button", { type: "button", class: "toast__action" }, action.label) : null;
  const item = h("div", { class: ["toast", `toast--${kind}`], role: kind === "error" ? "alert" : "status" }, icon(kind === "error" ? "alert" : "check"), h("span", { class: "toast__text" }, message), actionButton, close);
  const shownFor = kind === "error" ? timeout * 2 : action ? Math.max(timeout, ACTION_TOAST_MS) : timeout;
  let timer = null;
  const remove = () => {
    clearTimeout(timer);
    item.remove();
  };
  const schedule = () => {
    clearTimeout(timer);
    if (timeout) timer = setTimeout(remove, shownFor);
  };
  close.addEventListener("click", remove);
  actionButton?.addEventListener("click", () => {
    remove();
    action.onClick();
  });
  for (const pause of ["pointerenter", "focusin"]) item.addEventListener(pause, () => clearTimeout(timer));
  item.addEventListener("pointerleave", schedule);
  item.addEventListener("focusout", (event) => {
    if (!item.contains(event.relatedTarget)) schedule();
  });
  region.append(item);
  while (region.children.length > 3) region.firstElementChild.remove();
  schedule();
  return item;
}
