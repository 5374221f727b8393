// The signed-in user's ratings, newest first; each can be changed in place.

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
  let shown = SHOWN_AT_ONCE;
  let items = [];

  main.append(
    h("header", { class: "page-header" }, h("h1", { tabindex: -1 }, "Your ratings"), summary),
    h("div", { class: "field field--inline" }, h("label", { for: "ratings-filter" }, "Filter"), filter),
    results,
    more,
  );

  async function load() {
    results.replaceChildren(loadingCards(6, "row"));
    try {
      const ratings = await session.ratings({ refresh: true });
      if (signal.aborted) return;
      items = [...ratings.entries()].map(([movieId, r]) => ({ movieId, ...r })).sort((a, b) => b.ts - a.ts);
      draw();
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
    summary.textContent = items.length ? `${plural(items.length, "movie")} rated · average ${mean.toFixed(1)}★` : "";
    if (!items.length) {
      results.replaceChildren(emptyState({ title: "No ratings yet", text: "Rate movies from your recommendations and they'll show up here.", action: h("a", { class: "button button--primary", href: "#/for-you" }, "See recommendations") }));
      more.hidden = true;
      return;
    }
    const needle = filter.value.trim().toLowerCase();
    const matching = needle ? items.filter((item) => `${item.movie.title} ${displayTitle(item.movie.title)}`.toLowerCase().includes(needle)) : items;
    list.replaceChildren(...matching.slice(0, shown).map(row));
    results.replaceChildren(matching.length ? list : emptyState({ title: `No rated title matches “${filter.value.trim()}”` }));
    more.hidden = matching.length <= shown;
  }

  function row(item) {
    const { movie } = item;
    const title = displayTitle(movie.title);
    const when = h("span", { class: "rating-row__when" }, `Rated ${dateText(item.ts)}`);
    const stars = starRating({
      label: `Your rating for ${title}`,
      value: item.rating,
      onRate: async (value) => {
        try {
          const saved = await session.rate(movie, value);
          item.rating = saved.rating;
          item.ts = saved.ts;
          when.textContent = `Rated ${dateText(saved.ts)}`;
          toast(`Updated “${title}” to ${starsText(saved.rating)}`);
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
