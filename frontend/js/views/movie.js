// One movie: details, the people credited on it (named, from IMDb where the dataset links to it), similar
// movies. A dataset without checked people links (ml-100k) has none; the page then shows no People section.

import { api } from "../api.js";
import { emptyState, errorState, genreTags, loadingCards, movieHref, movieTile, notFoundPage, personHref, signInHref, spinner, starRating, toast } from "../components.js";
import { h, icon } from "../dom.js";
import { displayTitle, plural, roleLabel, roleRank, starsText, yearText } from "../format.js";
import { poster } from "../poster.js";
import { session } from "../session.js";

const PEOPLE_SHOWN = 6;

/** A page of its own for an id that names no movie: malformed (#/movie/0, #/movie/abc) or unknown. */
function movieNotFound() {
  return notFoundPage({
    title: "Movie not found",
    text: "There is no movie at this address in CineGraph's catalogue. It may have been mistyped, or the link is old.",
    signedIn: session.signedIn,
  });
}

export async function render(main, { params, signal, navigate }) {
  const movieId = /^[1-9]\d{0,15}$/.test(params[0]) ? Number(params[0]) : null;
  if (movieId === null || !Number.isSafeInteger(movieId)) {
    main.append(movieNotFound());
    return;
  }
  main.append(spinner("Loading movie…"));
  // Signed in, the list leaves out the movies this user marked "not interested".
  const similarRequest = api.similar(movieId, 12, { signal, token: session.user?.token });
  similarRequest.catch(() => {}); // shown in its own section below

  let movie;
  try {
    movie = await api.movie(movieId, { signal });
  } catch (failure) {
    if (signal.aborted) return;
    if (failure.status === 404 || failure.status === 422) {
      main.replaceChildren(movieNotFound());
      return;
    }
    document.title = "Movie unavailable · CineGraph";
    main.replaceChildren(
      h("h1", { class: "visually-hidden", tabindex: -1 }, "Movie"),
      errorState(failure, { retry: () => navigate(`/movie/${movieId}`) }),
    );
    return;
  }
  const title = displayTitle(movie.title);
  document.title = `${title} · CineGraph`;

  const similarSection = h("section", { class: "section", "aria-labelledby": "similar-title" }, h("h2", { id: "similar-title" }, "Similar movies"), loadingCards(6, "tile"));
  main.replaceChildren(
    h(
      "article",
      { class: "movie", "data-movie-id": movie.id },
      h("div", { class: "movie__poster" }, poster(movie)),
      h(
        "div",
        { class: "movie__info" },
        h("p", { class: "eyebrow" }, yearText(movie)),
        h("h1", { tabindex: -1, class: "movie__title" }, title),
        title !== movie.title ? h("p", { class: "movie__original" }, `Listed as “${movie.title}”`) : null,
        genreTags(movie.genres),
        statsLine(movie),
      ),
      yourRating(movie, signal),
    ),
    ...peopleSection(movie),
    similarSection,
  );

  try {
    const similar = await similarRequest;
    const items = similar.items.filter((item) => item.movie.id !== movie.id);
    similarSection.replaceChildren(
      similarSection.firstElementChild,
      items.length
        ? h("div", { class: "tile-grid", id: "similar" }, items.map((item) => movieTile(item.movie, { reason: item.reason })))
        : emptyState({ title: "Nothing similar yet", text: "Too few people have rated this movie to relate it to others." }),
    );
  } catch (failure) {
    if (signal.aborted) return;
    similarSection.replaceChildren(similarSection.firstElementChild, errorState(failure, { retry: () => navigate(`/movie/${movieId}`) }));
  }
}

function statsLine(movie) {
  if (!movie.ratings) return h("p", { class: "movie__stats" }, "No ratings yet.");
  return h(
    "p",
    { class: "movie__stats" },
    h("span", { class: "movie__mean" }, icon("star"), movie.mean_rating != null ? movie.mean_rating.toFixed(2) : "–"),
    h("span", null, `average of ${plural(movie.ratings, "rating")}`),
  );
}

function yourRating(movie, signal) {
  if (!session.signedIn) {
    return h(
      "div",
      { class: "movie__rate movie__rate--signed-out" },
      h("a", { class: "button button--primary button--small movie__sign-in", href: signInHref(`/movie/${movie.id}`) }, icon("star"), "Sign in to rate this movie"),
      h("span", { class: "movie__rate-note" }, "Your ratings shape your recommendations."),
    );
  }
  const note = h("span", { class: "movie__rate-note", "aria-live": "polite" });
  const title = displayTitle(movie.title);
  const remove = h("button", { type: "button", class: "button button--ghost button--small", hidden: true, "aria-label": `Remove your rating of ${title}` }, "Remove your rating");
  const stars = starRating({
    label: `Your rating for ${title}`,
    size: "lg",
    onRate: async (value, previous) => {
      try {
        const saved = await session.rate(movie, value);
        show(saved.rating, `Saved ${starsText(saved.rating)}`);
        toast(`Rated “${title}” ${starsText(saved.rating)}`, { action: { label: "Undo", onClick: () => restore(previous) } });
      } catch (failure) {
        toast(`Couldn't save your rating: ${failure.message}`, { kind: "error" });
        throw failure;
      }
    },
    onClear: async (previous) => {
      try {
        await session.unrate(movie);
        show(null, "Rating removed");
        toast(`Removed your rating of “${title}”`, { action: { label: "Undo", onClick: () => restore(previous) } });
      } catch (failure) {
        toast(`Couldn't remove your rating: ${failure.message}`, { kind: "error" });
        throw failure;
      }
    },
  });
  remove.addEventListener("click", () => {
    stars.focus(); // the button hides itself: keep the focus on the rating
    stars.clear();
  });

  let changedHere = false; // a rating given before the stored one arrived is the newer one
  /** Shows a rating (or none) in the stars, the note and the Remove button. */
  function show(rating, text) {
    changedHere = true;
    stars.setValue(rating);
    note.textContent = text;
    remove.hidden = rating === null;
  }

  async function restore(previous) {
    try {
      await session.restoreRating(movie, previous);
      show(previous, previous === null ? "Not rated" : `Back to ${starsText(previous)}`);
    } catch (failure) {
      toast(`Couldn't undo: ${failure.message}`, { kind: "error" });
    }
  }

  session
    .ratingsOf([movie.id], { signal })
    .then((ratings) => {
      if (signal.aborted || changedHere) return;
      const mine = ratings.get(movie.id);
      if (mine) show(mine.rating, `You rated it ${starsText(mine.rating)}`);
    })
    .catch(() => {});
  return h("div", { class: "movie__rate" }, h("span", { class: "movie__rate-label" }, "Your rating"), stars, note, remove);
}

/** The people section as a list of zero or one element: a movie without people gets no section. */
function peopleSection(movie) {
  const people = [...(movie.people ?? [])].sort((a, b) => roleRank(a.role) - roleRank(b.role));
  if (!people.length) return [];
  const section = h(
    "section",
    { class: "section", "aria-labelledby": "people-title" },
    h("h2", { id: "people-title" }, "People"),
  );
  const byRole = new Map();
  for (const person of people) {
    if (!byRole.has(person.role)) byRole.set(person.role, []);
    byRole.get(person.role).push(person);
  }
  const groups = h("div", { class: "people" });
  for (const [role, members] of byRole) {
    const list = h("ul", { class: "people__list" });
    members.forEach((person, index) => {
      const item = personItem(person);
      if (index >= PEOPLE_SHOWN) item.hidden = true;
      list.append(item);
    });
    const group = h("div", { class: "people__group" }, h("h3", null, `${roleLabel(role)} `, h("span", { class: "count" }, members.length)), list);
    if (members.length > PEOPLE_SHOWN) {
      const more = h("button", { type: "button", class: "button button--ghost button--small", "aria-expanded": "false" }, `Show all ${members.length}`);
      more.addEventListener("click", () => {
        for (const item of list.children) item.hidden = false;
        more.remove();
        list.children[PEOPLE_SHOWN]?.querySelector("a")?.focus?.();
      });
      group.append(more);
    }
    groups.append(group);
  }
  section.append(groups);
  return [section];
}

function personItem(person) {
  const others = person.known_for ?? [];
  return h(
    "li",
    { class: "person" },
    h("span", { class: "person__avatar", "aria-hidden": "true" }, icon("user")),
    h(
      "div",
      { class: "person__body" },
      h("a", { class: "person__name", href: personHref(person) }, person.name),
      person.character ? h("p", { class: "person__character" }, `as ${person.character}`) : null,
      others.length
        ? h("p", { class: "person__known" }, "Also in ", others.slice(0, 4).flatMap((other, i) => [i ? ", " : "", h("a", { href: movieHref(other) }, displayTitle(other.title))]))
        : h("p", { class: "person__known muted" }, "No other movies in this catalogue"),
    ),
  );
}
