// Recommendations for the signed-in user: genre chips, cards with reasons, and rating in place.

import { anySignal, api } from "../api.js";
import { emptyState, errorState, genreChips, genreTags, loadingCards, predictedStars, recommendationCard, reasonLine, toast } from "../components.js";
import { append, h } from "../dom.js";
import { displayTitle, plural, starsText } from "../format.js";
import { session } from "../session.js";

const PAGE_SIZE = 20;
const reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)");

export async function render(main, { query, signal, navigate, replaceQuery, path }) {
  document.title = "For you · CineGraph";
  const user = session.user;
  let genres = (query.get("genres") ?? "").split(",").filter(Boolean);
  const justRated = new Set(); // guards against a response that was in flight while a rating was saved

  const subtitle = h("p", { class: "page-header__lead" }, `Signed in as ${session.displayName}.`);
  const chipsSlot = h("div", { class: "chips-slot" }, loadingCards(1, "chips"));
  const status = h("p", { class: "list-status", role: "status" });
  const grid = h("div", { class: "card-grid", id: "recommendations" });
  const results = h("section", { class: "results", "aria-labelledby": "for-you-title" }, loadingCards(6));

  append(main, [
    h("header", { class: "page-header" }, h("h1", { id: "for-you-title", tabindex: -1 }, "Recommended for you"), subtitle),
    user.isNew && !sessionStorage.getItem(`cinegraph.welcomed:${user.userId}`)
      ? h("div", { class: "notice", role: "note" }, "These recommendations come from the movies you picked. Rate what you've seen and the list adjusts at once.")
      : null,
    chipsSlot,
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
      const body = await api.recommendations({ userId: user.userId, token: user.token, genres, k: PAGE_SIZE }, { signal: mine });
      const items = body.items.filter((item) => !justRated.has(item.movie.id));
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
      const which = genres.length ? ` in ${genres.join(" or ")}` : "";
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
      const fresh = recommendationCard(item, { onRate, signedIn: true, genres });
      if (!firstRender && refill) fresh.classList.add("card--new");
      return fresh;
    });
    const arrived = items.filter((item) => !existing.has(item.movie.id)).length;
    grid.replaceChildren(...cards);
    if (!grid.isConnected) results.replaceChildren(grid);
    firstRender = false;
    return arrived;
  }

  async function onRate(movie, rating, card) {
    card.classList.add("card--saving");
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
    toast(`Rated “${displayTitle(movie.title)}” ${starsText(saved.rating)} — updating your recommendations`);
    const hadFocus = card.contains(document.activeElement);
    const next = card.nextElementSibling ?? card.previousElementSibling;
    await leave(card);
    if (hadFocus) (next?.querySelector(".card__title a") ?? main.querySelector("h1"))?.focus();
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

  function setGenres(names) {
    genres = names;
    chips?.setSelected(names);
    const next = new URLSearchParams();
    if (names.length) next.set("genres", names.join(","));
    replaceQuery(path, next);
    load();
  }

  let chips = null;
  const firstLoad = load();
  try {
    const all = await api.genres({ signal });
    const shown = all.filter((g) => g.name !== "unknown" || genres.includes("unknown"));
    chips = genreChips({ genres: shown, selected: genres, label: "Filter by genre", onChange: setGenres });
    chipsSlot.replaceChildren(chips.element);
  } catch {
    if (!signal.aborted) chipsSlot.replaceChildren(); // the list shows the API error with a retry
  }
  await firstLoad;
}
