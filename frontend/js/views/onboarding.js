// Start fresh: pick at least five liked movies from popular ones, per genre; then create the user.

import { anySignal, api } from "../api.js";
import { emptyState, errorState, genreChips, loadingCards, toast } from "../components.js";
import { h, icon } from "../dom.js";
import { displayTitle, yearText } from "../format.js";
import { poster } from "../poster.js";
import { session } from "../session.js";

export const MIN_PICKS = 5;

export async function render(main, { signal, navigate }) {
  document.title = "Start fresh · CineGraph";
  const picks = new Map(); // movie id -> Movie, in picking order
  let genre = null;

  const chipsSlot = h("div", { class: "chips-slot" }, loadingCards(1, "chips"));
  const grid = h("div", { class: "pick-grid", role: "group", "aria-label": "Popular movies" });
  const results = h("div", { class: "pick-results", "aria-live": "polite" }, loadingCards(12, "tile"));
  const tray = h("ul", { class: "pick-tray", "aria-label": "Your picks" });
  const counter = h("p", { class: "pick-bar__count", "aria-live": "polite" });
  const finish = h("button", { type: "button", class: "button button--primary", disabled: true }, "Show my recommendations", icon("arrow"));
  const error = h("p", { class: "form-error", role: "alert" });

  main.append(
    h(
      "header",
      { class: "page-header" },
      h("h1", { tabindex: -1 }, "Pick movies you like"),
      h("p", { class: "page-header__lead" }, `Choose at least ${MIN_PICKS}. Browse the most-watched movies by genre; we'll find more like them.`),
    ),
    chipsSlot,
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
  async function loadPopular() {
    loadController?.abort();
    loadController = new AbortController();
    const mine = anySignal(signal, loadController.signal);
    results.setAttribute("aria-busy", "true");
    if (!grid.isConnected) results.replaceChildren(loadingCards(12, "tile"));
    else grid.classList.add("is-refreshing");
    try {
      const body = await api.popular({ genre, k: 24 }, { signal: mine });
      grid.replaceChildren(...body.items.map(pickTile));
      grid.classList.remove("is-refreshing");
      results.replaceChildren(body.items.length ? grid : emptyState({ title: "No movies here", text: "Try another genre." }));
    } catch (failure) {
      if (mine.aborted) return;
      grid.classList.remove("is-refreshing");
      results.replaceChildren(errorState(failure, { retry: loadPopular }));
    } finally {
      if (!mine.aborted) results.removeAttribute("aria-busy");
    }
  }

  finish.addEventListener("click", async () => {
    error.textContent = "";
    finish.disabled = true;
    finish.textContent = "Creating your profile…";
    try {
      const created = await api.createUser([...picks.keys()], { signal });
      session.signIn({ userId: created.user_id, token: created.access_token, kind: "guest", isNew: true });
      toast(`Welcome! Your profile is built from ${picks.size} movies.`);
      navigate("/for-you");
    } catch (failure) {
      if (signal.aborted) return;
      error.textContent = failure.message;
      finish.replaceChildren("Show my recommendations", icon("arrow"));
      finish.disabled = picks.size < MIN_PICKS;
    }
  });

  updateBar();
  const popularLoad = loadPopular();
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
        loadPopular();
      },
    });
    chipsSlot.replaceChildren(chips.element);
  } catch (failure) {
    if (signal.aborted) return;
    chipsSlot.replaceChildren(); // the popular list below shows the error and a retry
  }
  await popularLoad;
}
