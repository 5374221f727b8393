// Start fresh: pick at least five liked movies, found by search or among the popular ones of a genre;
// then create the user, and go back to where it began (`?next=`, as signing in does), else to For you.
// Movies picked from either list join the same picks.

import { anySignal, api } from "../api.js";
import { afterSignInPath, emptyState, errorState, genreChips, loadingCards, toast } from "../components.js";
import { h, icon } from "../dom.js";
import { displayTitle, matchesText, plural, yearText } from "../format.js";
import { poster } from "../poster.js";
import { session } from "../session.js";
import { debounce } from "./search.js";

export const MIN_PICKS = 5;
const POPULAR = 24;
const SEARCH_RESULTS = 24;
const SEARCH_DEBOUNCE_MS = 220;

export async function render(main, { signal, navigate, query: address }) {
  document.title = "Start fresh · CineGraph";
  const next = afterSignInPath(address);
  const picks = new Map(); // movie id -> Movie, in picking order
  let genre = null;
  let query = ""; // what the search box asks for; empty: the popular movies of `genre`

  const searchInput = h("input", { id: "pick-search-input", type: "search", placeholder: "A title, e.g. The Godfather", autocomplete: "off", spellcheck: "false" });
  const searchForm = h(
    "form",
    { class: "search-form pick-search", role: "search", "aria-label": "Find movies to pick", onsubmit: (event) => { event.preventDefault(); searchNow(); } },
    h("div", { class: "field" }, h("label", { for: "pick-search-input" }, "Find a movie you love"), searchInput),
  );
  const listStatus = h("p", { class: "list-status", role: "status" });
  const chipsSlot = h("div", { class: "chips-slot" }, loadingCards(1, "chips"));
  const grid = h("div", { class: "pick-grid", role: "group", "aria-label": "Popular movies" });
  const results = h("div", { class: "pick-results", "aria-live": "polite", tabindex: -1, "data-skip-target": "", "data-skip-label": "Skip to the movies" }, loadingCards(12, "tile"));
  const tray = h("ul", { class: "pick-tray", "aria-label": "Your picks" });
  const counter = h("p", { class: "pick-bar__count", "aria-live": "polite" });
  const finish = h("button", { type: "button", class: "button button--primary", disabled: true }, "Show my recommendations", icon("arrow"));
  const error = h("p", { class: "form-error", role: "alert" });

  main.append(
    h(
      "header",
      { class: "page-header" },
      h("h1", { tabindex: -1 }, "Pick movies you like"),
      h("p", { class: "page-header__lead" }, `Choose at least ${MIN_PICKS}. Search for the ones you love, or browse the most-watched by genre; we'll find more like them.`),
    ),
    searchForm,
    chipsSlot,
    listStatus,
    results,
    h("div", { class: "pick-bar" }, h("div", { class: "pick-bar__inner" }, h("div", { class: "pick-bar__status" }, counter, tray), h("div", { class: "pick-bar__actions" }, error, finish))),
  );

  function updateBar() {
    const count = picks.size;
    counter.textContent = count >= MIN_PICKS ? `${count} picked — ready` : `${count} of ${MIN_PICKS} picked`;
    counter.classList.toggle("is-ready", count >= MIN_PICKS);
    finish.disabled = count < MIN_PICKS;
    tray.replaceChildren(
      ...[...picks.values()].map((movie) =>
        h(
          "li",
          null,
          h("button", { type: "button", class: "pick-chip", "data-movie-id": movie.id, "aria-label": `Remove ${displayTitle(movie.title)}`, onclick: () => toggle(movie) }, displayTitle(movie.title), icon("close")),
        ),
      ),
    );
    for (const tile of grid.querySelectorAll("[data-movie-id]")) tile.setAttribute("aria-pressed", String(picks.has(Number(tile.dataset.movieId))));
  }

  function toggle(movie) {
    if (picks.has(movie.id)) picks.delete(movie.id);
    else picks.set(movie.id, movie);
    updateBar();
  }

  function pickTile(movie) {
    const tile = h(
      "button",
      { type: "button", class: "pick", "data-movie-id": movie.id, "aria-pressed": String(picks.has(movie.id)) },
      h("span", { class: "pick__poster" }, poster(movie), h("span", { class: "pick__check", "aria-hidden": "true" }, icon("check"))),
      h("span", { class: "pick__title" }, displayTitle(movie.title)),
      h("span", { class: "pick__meta" }, yearText(movie)),
    );
    tile.addEventListener("click", () => toggle(movie));
    return tile;
  }

  let loadController = null;
  /** The grid: movies matching the search box, or, with nothing typed, the popular ones of the genre. */
  async function load() {
    loadController?.abort();
    loadController = new AbortController();
    const mine = anySignal(signal, loadController.signal);
    const searching = query !== "";
    results.setAttribute("aria-busy", "true");
    if (!grid.isConnected) results.replaceChildren(loadingCards(12, "tile"));
    else grid.classList.add("is-refreshing");
    try {
      const body = searching
        ? await api.searchMovies({ q: query, pageSize: SEARCH_RESULTS }, { signal: mine })
        : await api.popular({ genre, k: POPULAR }, { signal: mine });
      grid.replaceChildren(...body.items.map(pickTile));
      grid.setAttribute("aria-label", searching ? `Movies matching “${query}”` : "Popular movies");
      grid.classList.remove("is-refreshing");
      listStatus.textContent = searching && body.total ? `${matchesText(body.total)} “${query}”` : "";
      const empty = searching
        ? emptyState({ title: `No movies match “${query}”`, text: "Check the spelling, or try fewer words." })
        : emptyState({ title: "No movies here", text: "Try another genre." });
      results.replaceChildren(body.items.length ? grid : empty);
    } catch (failure) {
      if (mine.aborted) return;
      grid.classList.remove("is-refreshing");
      results.replaceChildren(errorState(failure, { retry: load }));
    } finally {
      if (!mine.aborted) results.removeAttribute("aria-busy");
    }
  }

  const searchSoon = debounce(() => load(), SEARCH_DEBOUNCE_MS);
  signal.addEventListener("abort", () => searchSoon.cancel());
  function searchNow() {
    searchSoon.cancel();
    load();
  }
  searchInput.addEventListener("input", () => {
    const typed = searchInput.value.trim();
    const next = typed.length >= 2 ? typed : ""; // one letter matches too much to pick from
    if (next === query) return;
    query = next;
    if (query) searchSoon();
    else searchNow(); // back to the popular movies at once
  });

  finish.addEventListener("click", async () => {
    error.textContent = "";
    finish.disabled = true;
    finish.textContent = "Creating your profile…";
    try {
      const created = await api.createUser([...picks.keys()], { signal });
      session.signIn({ userId: created.user_id, token: created.access_token, kind: "guest", isNew: true });
      toast(`Welcome! Your profile is built from ${plural(picks.size, "movie")}.`);
      navigate(next);
    } catch (failure) {
      if (signal.aborted) return;
      error.textContent = failure.message;
      finish.replaceChildren("Show my recommendations", icon("arrow"));
      finish.disabled = picks.size < MIN_PICKS;
    }
  });

  updateBar();
  const firstLoad = load();
  try {
    const genres = await api.genres({ signal });
    const chips = genreChips({
      genres: genres.filter((g) => g.name !== "unknown"),
      selected: [],
      multiple: false,
      allLabel: "Most popular",
      label: "Show popular movies in a genre",
      onChange: (names) => {
        genre = names[0] ?? null;
        query = ""; // a genre chip browses again
        searchInput.value = "";
        searchNow();
      },
    });
    chipsSlot.replaceChildren(chips.element);
  } catch (failure) {
    if (signal.aborted) return;
    chipsSlot.replaceChildren(); // the popular list below shows the error and a retry
  }
  await firstLoad;
}
