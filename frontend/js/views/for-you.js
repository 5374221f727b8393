// Recommendations for the signed-in user: genre chips, cards with reasons, and rating in place.

import { anySignal, api } from "../api.js";
import { emptyState, errorState, genreChips, genreTags, loadingCards, predictedStars, recommendationCard, reasonLine, toast } from "../components.js";
import { append, h, placeChildren } from "../dom.js";
import { displayTitle, plural, starsText } from "../format.js";
import { session } from "../session.js";

const PAGE_SIZE = 20;
const reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)");

export async function render(main, { query, signal, navigate, replaceQuery, path }) {
  document.title = "For you · CineGraph";
  const user = session.user;
  let genres = (query.get("genres") ?? "").split(",").filter(Boolean);
  let genreMode = query.get("mode") === "all" ? "all" : "any";
  const justRated = new Set(); // guards against a response that was in flight while a rating was saved
  const justHidden = new Set(); // the same for movies marked "not interested"

  const subtitle = h("p", { class: "page-header__lead" }, `Signed in as ${session.displayName}.`);
  const chipsSlot = h("div", { class: "chips-slot" }, loadingCards(1, "chips"));
  const modeSlot = h("div", { class: "genre-mode" });
  const status = h("p", { class: "list-status", role: "status" });
  const grid = h("div", { class: "card-grid", id: "recommendations" });
  const results = h("section", { class: "results", "aria-labelledby": "for-you-title", tabindex: -1, "data-skip-target": "", "data-skip-label": "Skip to recommendations" }, loadingCards(6));

  append(main, [
    h("header", { class: "page-header" }, h("h1", { id: "for-you-title", tabindex: -1 }, "Recommended for you"), subtitle),
    user.isNew && !sessionStorage.getItem(`cinegraph.welcomed:${user.userId}`)
      ? h("div", { class: "notice", role: "note" }, "These recommendations come from the movies you picked. Rate what you've seen and the list adjusts at once.")
      : null,
    chipsSlot,
    modeSlot,
    status,
    results,
  ]);
  if (user.isNew) sessionStorage.setItem(`cinegraph.welcomed:${user.userId}`, "1");

  function updateSubtitle({ ratings, picks, mean_rating: mean }) {
    const rated = ratings ? plural(ratings, "rating") + (mean != null ? ` (you average ${mean.toFixed(1)}★)` : "") : null;
    const basis = [rated, picks && plural(picks, "movie") + " you picked"].filter(Boolean);
    subtitle.textContent = `Signed in as ${session.displayName}` + (basis.length ? ` · based on ${basis.join(" and ")}.` : ".");
  }

  let loadController = null;
  let firstRender = true;

  async function load({ refill = false } = {}) {
    loadController?.abort();
    loadController = new AbortController();
    const mine = anySignal(signal, loadController.signal);
    results.setAttribute("aria-busy", "true");
    if (grid.isConnected) grid.classList.add("is-refreshing");
    else results.replaceChildren(loadingCards(6));
    status.textContent = refill ? "Updating your recommendations…" : "";
    try {
      const body = await api.recommendations({ userId: user.userId, token: user.token, genres, genreMode, k: PAGE_SIZE }, { signal: mine });
      const items = body.items.filter((item) => !justRated.has(item.movie.id) && !justHidden.has(item.movie.id));
      updateSubtitle(body);
      const arrived = showItems(items, { refill });
      status.textContent = refill ? `Recommendations updated: ${arrived} new.` : "";
      results.dataset.modelVersion = body.model_version ?? "";
    } catch (failure) {
      if (mine.aborted) return;
      if (failure.status === 404) return expired("Your user no longer exists on this server. Sign in again.");
      grid.classList.remove("is-refreshing");
      results.replaceChildren(errorState(failure, { retry: () => load(), title: failure.status === 422 ? "Those genres don't work" : undefined }));
      status.textContent = "";
    } finally {
      if (!mine.aborted) results.removeAttribute("aria-busy");
    }
  }

  /** Draws the list, keeping the cards that stay; returns how many cards are new. */
  function showItems(items, { refill }) {
    grid.classList.remove("is-refreshing");
    if (!items.length) {
      const which = genres.length ? ` in ${genresText()}` : "";
      results.replaceChildren(
        emptyState({
          title: `No recommendations${which}`,
          text: genres.length ? "Try another genre, or clear the filter." : "You've rated everything we could suggest. Impressive.",
          action: genres.length ? h("button", { type: "button", class: "button button--secondary", onclick: () => setGenres([]) }, "Show all genres") : null,
        }),
      );
      return 0;
    }
    const existing = new Map([...grid.children].map((card) => [Number(card.dataset.movieId), card]));
    const cards = items.map((item) => {
      const card = existing.get(item.movie.id);
      if (card) {
        card.querySelector(".card__score").replaceChildren(predictedStars(item.predicted_rating) ?? "");
        card.querySelector(".reason")?.replaceWith(reasonLine(item.reason) ?? "");
        card.querySelector(".tags").replaceWith(genreTags(item.movie.genres, { highlight: genres }));
        card.classList.remove("card--new");
        return card;
      }
      const fresh = recommendationCard(item, { onRate, onHide, signedIn: true, genres });
      if (!firstRender && refill) fresh.classList.add("card--new");
      return fresh;
    });
    const arrived = items.filter((item) => !existing.has(item.movie.id)).length;
    placeChildren(grid, cards); // the cards that stay keep the focus (the stars moved to after a rating)
    if (!grid.isConnected) results.replaceChildren(grid);
    firstRender = false;
    return arrived;
  }

  async function onRate(movie, rating, card) {
    card.classList.add("card--saving");
    const previous = session.cachedRating(movie.id); // null: not rated (a recommended movie rarely is)
    let saved;
    try {
      saved = await session.rate(movie, rating);
    } catch (failure) {
      card.classList.remove("card--saving");
      if (failure.status === 401 || failure.status === 403) return expired("Your sign-in has expired. Sign in again to keep rating.");
      toast(`Couldn't save your rating: ${failure.message}`, { kind: "error" });
      throw failure;
    }
    justRated.add(movie.id);
    toast(`Rated “${displayTitle(movie.title)}” ${starsText(saved.rating)} — updating your recommendations`, {
      action: { label: "Undo", onClick: () => undoRating(movie, previous) },
    });
    await leaveAndRefill(card);
  }

  /** Puts back the rating before (none: the rating is removed) and lets the movie return to the list. */
  async function undoRating(movie, previous) {
    const title = displayTitle(movie.title);
    try {
      await session.restoreRating(movie, previous);
    } catch (failure) {
      if (failure.status === 401 || failure.status === 403) return expired("Your sign-in has expired. Sign in again.");
      toast(`Couldn't undo your rating: ${failure.message}`, { kind: "error" });
      return;
    }
    justRated.delete(movie.id);
    toast(previous === null ? `Removed your rating of “${title}”` : `“${title}” is back to ${starsText(previous)}`);
    await load({ refill: true });
  }

  /** "Not interested": the card leaves at once; the store is told meanwhile, and Undo brings it back. */
  async function onHide(movie, card) {
    const title = displayTitle(movie.title);
    justHidden.add(movie.id);
    const saving = session.hide(movie);
    saving.catch(() => {}); // handled below, once the card has left
    await leaveAndRefill(card, async () => {
      try {
        await saving;
      } catch (failure) {
        justHidden.delete(movie.id);
        if (failure.status === 401 || failure.status === 403) return expired("Your sign-in has expired. Sign in again.");
        toast(`Couldn't hide “${title}”: ${failure.message}`, { kind: "error" });
        return;
      }
      toast(`We won't recommend “${title}” again`, { action: { label: "Undo", onClick: () => undoHide(movie) } });
    });
  }

  async function undoHide(movie) {
    const title = displayTitle(movie.title);
    try {
      await session.unhide(movie);
    } catch (failure) {
      if (failure.status === 401 || failure.status === 403) return expired("Your sign-in has expired. Sign in again.");
      toast(`Couldn't undo: ${failure.message}`, { kind: "error" });
      return;
    }
    justHidden.delete(movie.id);
    toast(`“${title}” can be recommended again`);
    await load({ refill: true });
  }

  /**
   * The card leaves, `between` runs, then the list refills. Focus in the card moves to the stars of the
   * next card (the previous one at the end of the list), so that rating with the keys goes on from there.
   */
  async function leaveAndRefill(card, between = async () => {}) {
    const hadFocus = card.contains(document.activeElement);
    const next = card.nextElementSibling ?? card.previousElementSibling;
    await leave(card);
    if (hadFocus) (next?.querySelector("[role='slider']") ?? results).focus();
    await between();
    if (!session.signedIn) return; // the sign-in expired meanwhile
    if (!grid.children.length) results.replaceChildren(loadingCards(3));
    await load({ refill: true });
  }

  async function leave(card) {
    card.classList.add("card--leaving");
    if (!reducedMotion.matches && card.animate) {
      const animation = card.animate(
        [
          { opacity: 1, transform: "scale(1)" },
          { opacity: 0, transform: "scale(0.96) translateY(-6px)" },
        ],
        { duration: 220, easing: "ease-in", fill: "forwards" },
      );
      await animation.finished.catch(() => {});
    }
    card.remove();
  }

  function expired(message) {
    session.signOut();
    toast(message, { kind: "error" });
    navigate("/");
  }

  function genresText() {
    if (genres.length < 2) return genres.join("");
    return `${genres.slice(0, -1).join(", ")} ${genreMode === "all" ? "and" : "or"} ${genres.at(-1)}`;
  }

  /** With two or more genres: say what the chips mean, and offer "any of them" or "all of them". */
  function renderMode() {
    if (genres.length < 2) {
      modeSlot.replaceChildren();
      return;
    }
    const option = (value, label) => {
      const button = h("button", { type: "button", class: "chip", "aria-pressed": String(genreMode === value) }, label);
      button.addEventListener("click", () => {
        if (genreMode === value) return;
        genreMode = value;
        setGenres(genres);
      });
      return button;
    };
    modeSlot.replaceChildren(
      h("p", { class: "genre-mode__text", id: "genre-mode-text" }, `Showing movies in ${genresText()}.`),
      h("div", { class: "chips", role: "group", "aria-label": "Movies in", "aria-describedby": "genre-mode-text" }, option("any", "Any of them"), option("all", "All of them")),
    );
  }

  function setGenres(names) {
    genres = names;
    chips?.setSelected(names);
    const next = new URLSearchParams();
    if (names.length) next.set("genres", names.join(","));
    if (names.length > 1 && genreMode === "all") next.set("mode", "all");
    replaceQuery(path, next);
    renderMode();
    load();
  }

  let chips = null;
  renderMode();
  const firstLoad = load();
  try {
    chips = genreChips({ genres: await api.genres({ signal }), selected: genres, label: "Filter by genre", onChange: setGenres });
    chipsSlot.replaceChildren(chips.element);
  } catch {
    if (!signal.aborted) chipsSlot.replaceChildren(); // the list shows the API error with a retry
  }
  await firstLoad;
}
