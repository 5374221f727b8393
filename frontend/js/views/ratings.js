// The signed-in user's ratings, newest first, each changeable in place; below them the movies they picked
// when starting fresh (likes without stars), which they can rate too.

import { emptyState, errorState, genreTags, loadingCards, movieHref, starRating, toast } from "../components.js";
import { h } from "../dom.js";
import { dateText, displayTitle, plural, starsText, yearText } from "../format.js";
import { poster } from "../poster.js";
import { session } from "../session.js";

const SHOWN_AT_ONCE = 50;

export async function render(main, { signal, navigate }) {
  document.title = "Your ratings · CineGraph";
  const summary = h("p", { class: "page-header__lead" }, "Loading your ratings…");
  const filter = h("input", { id: "ratings-filter", type: "search", placeholder: "Filter by title", autocomplete: "off" });
  const list = h("ol", { class: "rating-list", id: "my-ratings" });
  const results = h("section", { class: "results", "aria-label": "Rated movies" }, loadingCards(6, "row"));
  const more = h("button", { type: "button", class: "button button--secondary load-more", hidden: true }, "Show more");
  const picksSection = h("section", { class: "results picks", "aria-labelledby": "picks-title", hidden: true });
  let shown = SHOWN_AT_ONCE;
  let items = [];
  let picks = [];

  main.append(
    h("header", { class: "page-header" }, h("h1", { tabindex: -1 }, "Your ratings"), summary),
    h("div", { class: "field field--inline" }, h("label", { for: "ratings-filter" }, "Filter"), filter),
    results,
    more,
    picksSection,
  );

  async function load() {
    results.replaceChildren(loadingCards(6, "row"));
    try {
      const ratings = await session.ratings({ refresh: true });
      if (signal.aborted) return;
      items = [...ratings.entries()].map(([movieId, r]) => ({ movieId, ...r })).sort((a, b) => b.ts - a.ts);
      picks = session.picks;
      draw();
      drawPicks();
    } catch (failure) {
      if (signal.aborted) return;
      if (failure.status === 404) {
        session.signOut();
        navigate("/");
        return;
      }
      summary.textContent = "";
      results.replaceChildren(errorState(failure, { retry: load }));
    }
  }

  function draw() {
    const mean = items.length ? items.reduce((sum, item) => sum + item.rating, 0) / items.length : 0;
    const parts = [items.length && `${plural(items.length, "movie")} rated · average ${mean.toFixed(1)}★`, picks.length && `${plural(picks.length, "movie")} picked`];
    summary.textContent = parts.filter(Boolean).join(" · ");
    if (!items.length) {
      const text = picks.length ? "Rate the movies you picked (below) or your recommendations, and they'll show up here." : "Rate movies from your recommendations and they'll show up here.";
      results.replaceChildren(emptyState({ title: "No ratings yet", text, action: h("a", { class: "button button--primary", href: "#/for-you" }, "See recommendations") }));
      more.hidden = true;
      return;
    }
    const needle = filter.value.trim().toLowerCase();
    const matching = needle ? items.filter((item) => `${item.movie.title} ${displayTitle(item.movie.title)}`.toLowerCase().includes(needle)) : items;
    list.replaceChildren(...matching.slice(0, shown).map(row));
    results.replaceChildren(matching.length ? list : emptyState({ title: `No rated title matches “${filter.value.trim()}”` }));
    more.hidden = matching.length <= shown;
  }

  function drawPicks() {
    picksSection.hidden = !picks.length;
    if (!picks.length) return picksSection.replaceChildren();
    picksSection.replaceChildren(
      h("h2", { id: "picks-title", class: "section-title" }, "Movies you picked"),
      h("p", { class: "muted" }, "You picked these when you started, as movies you like. Give them stars to say how much."),
      h("ol", { class: "rating-list", id: "my-picks" }, picks.map((pick) => row({ ...pick, rating: null }))),
    );
  }

  function row(item) {
    const { movie } = item;
    const title = displayTitle(movie.title);
    const picked = item.rating === null;
    const when = h("span", { class: "rating-row__when" }, `${picked ? "Picked" : "Rated"} ${dateText(item.ts)}`);
    const stars = starRating({
      label: `Your rating for ${title}`,
      value: item.rating,
      onRate: async (value) => {
        try {
          const saved = await session.rate(movie, value);
          toast(`${picked ? "Rated" : "Updated"} “${title}” ${picked ? "" : "to "}${starsText(saved.rating)}`);
          if (picked) return load(); // it moves from the picks to the ratings
          item.rating = saved.rating;
          item.ts = saved.ts;
          when.textContent = `Rated ${dateText(saved.ts)}`;
        } catch (failure) {
          toast(`Couldn't save your rating: ${failure.message}`, { kind: "error" });
          throw failure;
        }
      },
    });
    return h(
      "li",
      { class: "rating-row", "data-movie-id": movie.id },
      h("a", { class: "rating-row__poster", href: movieHref(movie), tabindex: -1, "aria-hidden": "true" }, poster(movie)),
      h("div", { class: "rating-row__body" }, h("h2", { class: "rating-row__title" }, h("a", { href: movieHref(movie) }, title), " ", h("span", { class: "card__year" }, yearText(movie))), genreTags(movie.genres), when),
      h("div", { class: "rating-row__stars" }, stars),
    );
  }

  filter.addEventListener("input", () => {
    shown = SHOWN_AT_ONCE;
    if (items.length) draw();
  });
  more.addEventListener("click", () => {
    shown += SHOWN_AT_ONCE;
    draw();
  });
  await load();
}
