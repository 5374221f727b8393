// The signed-in user's ratings, newest first, each changeable or removable in place (every change can be
// undone from its toast); below them the movies they picked when starting fresh (likes without stars),
// which they can rate too, and the movies they marked "not interested", which they can show again.

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
  const results = h("section", { class: "results", "aria-label": "Rated movies", tabindex: -1, "data-skip-target": "", "data-skip-label": "Skip to your ratings" }, loadingCards(6, "row"));
  const more = h("button", { type: "button", class: "button button--secondary load-more", hidden: true }, "Show more");
  const picksSection = h("section", { class: "results picks", "aria-labelledby": "picks-title", hidden: true });
  const hiddenSection = h("section", { class: "results hidden-movies", "aria-labelledby": "hidden-title", hidden: true });
  let shown = SHOWN_AT_ONCE;
  let items = [];
  let picks = [];
  let hidden = [];

  main.append(
    h("header", { class: "page-header" }, h("h1", { tabindex: -1 }, "Your ratings"), summary),
    h("div", { class: "field field--inline" }, h("label", { for: "ratings-filter" }, "Filter"), filter),
    results,
    more,
    picksSection,
    hiddenSection,
  );

  async function load() {
    results.replaceChildren(loadingCards(6, "row"));
    try {
      const [ratings, notInterested] = await Promise.all([session.ratings({ refresh: true }), session.hidden({ signal })]);
      if (signal.aborted) return;
      items = [...ratings.entries()].map(([movieId, r]) => ({ movieId, ...r })).sort((a, b) => b.ts - a.ts);
      picks = session.picks;
      hidden = notInterested;
      draw();
      drawPicks();
      drawHidden();
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

  function summarise() {
    const mean = items.length ? items.reduce((sum, item) => sum + item.rating, 0) / items.length : 0;
    const parts = [items.length && `${plural(items.length, "movie")} rated · average ${mean.toFixed(1)}★`, picks.length && `${plural(picks.length, "movie")} picked`];
    summary.textContent = parts.filter(Boolean).join(" · ");
  }

  function draw() {
    summarise();
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

  function drawHidden() {
    hiddenSection.hidden = !hidden.length;
    if (!hidden.length) return hiddenSection.replaceChildren();
    hiddenSection.replaceChildren(
      h("h2", { id: "hidden-title", class: "section-title" }, "Not interested"),
      h("p", { class: "muted" }, "We don't recommend these to you. Show one again to let it back into your recommendations."),
      h("ol", { class: "rating-list", id: "my-hidden" }, hidden.map(hiddenRow)),
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
      onRate: async (value, previous) => {
        try {
          const saved = await session.rate(movie, value);
          toast(`${picked ? "Rated" : "Updated"} “${title}” ${picked ? "" : "to "}${starsText(saved.rating)}`, {
            action: { label: "Undo", onClick: () => undo(() => session.restoreRating(movie, previous)) },
          });
          if (picked) return load(); // it moves from the picks to the ratings
          item.rating = saved.rating;
          item.ts = saved.ts;
          when.textContent = `Rated ${dateText(saved.ts)}`;
        } catch (failure) {
          toast(`Couldn't save your rating: ${failure.message}`, { kind: "error" });
          throw failure;
        }
      },
      onClear: picked ? null : (previous) => removeRating(item, previous, element),
    });
    const remove = picked
      ? null
      : h("button", { type: "button", class: "button button--ghost button--small", "aria-label": `Remove your rating of ${title}`, onclick: () => stars.clear() }, "Remove");
    const element = h(
      "li",
      { class: "rating-row", "data-movie-id": movie.id },
      h("a", { class: "rating-row__poster", href: movieHref(movie), tabindex: -1, "aria-hidden": "true" }, poster(movie)),
      h("div", { class: "rating-row__body" }, h("h2", { class: "rating-row__title" }, h("a", { href: movieHref(movie) }, title), " ", h("span", { class: "card__year" }, yearText(movie))), genreTags(movie.genres), when),
      h("div", { class: "rating-row__stars" }, stars, remove),
    );
    return element;
  }

  /** Removes a rating: the row leaves (focus goes to the next row's stars), and the toast can undo it. */
  async function removeRating(item, previous, element) {
    const title = displayTitle(item.movie.title);
    try {
      await session.unrate(item.movie);
    } catch (failure) {
      toast(`Couldn't remove your rating: ${failure.message}`, { kind: "error" });
      throw failure;
    }
    const neighbour = element.nextElementSibling ?? element.previousElementSibling;
    const hadFocus = element.contains(document.activeElement);
    items = items.filter((other) => other !== item);
    element.remove();
    if (items.length) summarise();
    else draw(); // the empty state
    if (hadFocus) (neighbour?.querySelector("[role='slider']") ?? main.querySelector("h1"))?.focus();
    toast(`Removed your rating of “${title}”`, { action: { label: "Undo", onClick: () => undo(() => session.rate(item.movie, previous)) } });
    // A pick that the rating had superseded counts again: the store's picks say which.
    session
      .ratings({ refresh: true })
      .then(() => {
        if (signal.aborted) return;
        picks = session.picks;
        summarise();
        drawPicks();
      })
      .catch(() => {});
  }

  /** Runs an undo, then shows the list as the store has it. */
  async function undo(change) {
    try {
      await change();
    } catch (failure) {
      toast(`Couldn't undo: ${failure.message}`, { kind: "error" });
      return;
    }
    await load();
  }

  function hiddenRow(entry) {
    const { movie } = entry;
    const title = displayTitle(movie.title);
    const showAgain = h("button", { type: "button", class: "button button--secondary button--small", "aria-label": `Show “${title}” again` }, "Show again");
    const element = h(
      "li",
      { class: "rating-row", "data-movie-id": movie.id },
      h("a", { class: "rating-row__poster", href: movieHref(movie), tabindex: -1, "aria-hidden": "true" }, poster(movie)),
      h("div", { class: "rating-row__body" }, h("h3", { class: "rating-row__title" }, h("a", { href: movieHref(movie) }, title), " ", h("span", { class: "card__year" }, yearText(movie))), genreTags(movie.genres), h("span", { class: "rating-row__when" }, `Not interested since ${dateText(entry.ts)}`)),
      h("div", { class: "rating-row__stars" }, showAgain),
    );
    showAgain.addEventListener("click", async () => {
      showAgain.disabled = true;
      try {
        await session.unhide(movie);
      } catch (failure) {
        showAgain.disabled = false;
        toast(`Couldn't show “${title}” again: ${failure.message}`, { kind: "error" });
        return;
      }
      const neighbour = element.nextElementSibling ?? element.previousElementSibling;
      hidden = hidden.filter((other) => other !== entry);
      element.remove();
      if (!hidden.length) drawHidden(); // the section goes
      (neighbour?.querySelector("button") ?? main.querySelector("h1"))?.focus();
      toast(`“${title}” can be recommended again`);
    });
    return element;
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
