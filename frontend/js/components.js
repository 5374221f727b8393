// Building blocks shared by the views: cards, stars, chips, states and toasts.

import { h, icon } from "./dom.js";
import { displayTitle, starsText, yearText } from "./format.js";
import { poster } from "./poster.js";

export function movieHref(movie) {
  return `#/movie/${movie.id}`;
}

/** Every genre of a movie (MovieLens has at most six); `highlight` marks the ones being filtered on. */
export function genreTags(genres, { highlight = [] } = {}) {
  const shown = (genres ?? []).filter((g) => g !== "unknown");
  return h(
    "ul",
    { class: "tags", "aria-label": "Genres" },
    shown.map((genre) => h("li", { class: ["tag", highlight.includes(genre) && "tag--match"], "data-genre": genre }, genre)),
  );
}

/**
 * A star rating control: one tab stop (role="slider"); arrows/Home/End/1-5 choose, Enter or Space saves.
 * Pointer: hover previews half or whole stars, click saves. `onRate(value)` may return a promise.
 */
export function starRating({ label, value = null, onRate, size = "md" }) {
  let current = value;
  let pending = null;
  const halves = [];
  const stars = [];
  const root = h("div", {
    class: ["stars", `stars--${size}`],
    role: "slider",
    tabindex: 0,
    "aria-label": label,
    "aria-valuemin": 0,
    "aria-valuemax": 5,
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
      half.addEventListener("pointerenter", () => paint(v));
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
  root.addEventListener("pointerleave", () => paint(pending ?? current));

  root.addEventListener("keydown", (event) => {
    const shown = pending ?? current ?? 0;
    const steps = { ArrowRight: 0.5, ArrowUp: 0.5, ArrowLeft: -0.5, ArrowDown: -0.5 };
    let next = null;
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
    paint(pending ?? current);
    const shown = pending ?? current;
    root.setAttribute("aria-valuenow", String(shown ?? 0));
    let text = shown === null ? "Not rated" : `${shown} stars`;
    if (pending !== null) text += ", press Enter to save";
    else if (current !== null) text = `Rated ${current} stars`;
    root.setAttribute("aria-valuetext", text);
    root.dataset.value = current ?? "";
  }

  async function commit(v) {
    if (root.getAttribute("aria-disabled") === "true") return;
    const previous = current;
    current = v;
    pending = null;
    update();
    root.setAttribute("aria-disabled", "true");
    try {
      await onRate?.(v);
    } catch {
      current = previous; // the caller reports the error
      update();
    } finally {
      root.removeAttribute("aria-disabled");
    }
  }

  update();
  root.setValue = (v) => {
    current = v;
    pending = null;
    update();
  };
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

/** A recommendation: poster, title, year, genres, predicted stars, reason, and stars to rate it. */
export function recommendationCard(item, { onRate, signedIn, genres = [] }) {
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
      h("h3", { class: "card__title", id: titleId }, h("a", { href: movieHref(movie) }, title), " ", h("span", { class: "card__year" }, yearText(movie))),
      genreTags(movie.genres, { highlight: genres }),
      h("div", { class: "card__score" }, predictedStars(item.predicted_rating)),
      reasonLine(item.reason),
      signedIn
        ? h("div", { class: "card__rate" }, h("span", { class: "card__rate-label", "aria-hidden": "true" }, "Rate"), starRating({ label: `Rate ${title}`, onRate: (v) => onRate(movie, v, card) }))
        : null,
    ),
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
    h("span", { class: "tile__meta" }, [yearText(movie), ...(movie.genres ?? []).filter((g) => g !== "unknown").slice(0, 2)].join(" · ")),
    reason ? h("span", { class: "tile__reason" }, reason) : null,
    extra ?? null,
  );
}

/** Genre chips: toggle buttons in a labelled group. Returns {element, setSelected}. */
export function genreChips({ genres, selected, onChange, label = "Genres", allLabel = "All genres", multiple = true }) {
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
    const button = h("button", { type: "button", class: "chip", "data-genre": genre.name, "aria-pressed": String(chosen.has(genre.name)), title: genre.movies ? `${genre.movies} movies` : null }, genre.name);
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

export function toast(message, { kind = "success", timeout = 4000 } = {}) {
  const region = document.getElementById("toasts");
  const close = h("button", { type: "button", class: "toast__close", "aria-label": "Dismiss" }, icon("close"));
  const item = h("div", { class: ["toast", `toast--${kind}`], role: kind === "error" ? "alert" : "status" }, icon(kind === "error" ? "alert" : "check"), h("span", { class: "toast__text" }, message), close);
  const remove = () => item.remove();
  close.addEventListener("click", remove);
  region.append(item);
  while (region.children.length > 3) region.firstElementChild.remove();
  if (timeout) setTimeout(remove, kind === "error" ? timeout * 2 : timeout);
  return item;
}
