// One movie: details, the people linked to it (Freebase ids: the data has no names), similar movies.
// A dataset whose entity links failed the check on import has no people; the page then shows none.

import { api } from "../api.js";
import { emptyState, errorState, genreTags, loadingCards, movieHref, movieTile, spinner, starRating, toast } from "../components.js";
import { h, icon } from "../dom.js";
import { displayTitle, plural, roleLabel, roleRank, starsText, yearText } from "../format.js";
import { poster } from "../poster.js";
import { session } from "../session.js";

const PEOPLE_SHOWN = 6;

export async function render(main, { params, signal, navigate }) {
  const movieId = Number(params[0]);
  main.append(spinner("Loading movie…"));
  const similarRequest = api.similar(movieId, 12, { signal });
  similarRequest.catch(() => {}); // shown in its own section below

  let movie;
  try {
    movie = await api.movie(movieId, { signal });
  } catch (failure) {
    if (signal.aborted) return;
    document.title = "Movie not found · CineGraph";
    main.replaceChildren(
      h("h1", { class: "visually-hidden", tabindex: -1 }, "Movie"),
      errorState(failure, { title: failure.status === 404 ? "Movie not found" : undefined, retry: failure.status === 404 ? null : () => navigate(`/movie/${movieId}`) }),
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
    return h("p", { class: "movie__rate" }, h("a", { href: "#/" }, "Sign in"), " to rate this movie and get recommendations.");
  }
  const note = h("span", { class: "movie__rate-note", "aria-live": "polite" });
  const title = displayTitle(movie.title);
  const stars = starRating({
    label: `Your rating for ${title}`,
    size: "lg",
    onRate: async (value) => {
      try {
        const saved = await session.rate(movie, value);
        note.textContent = `Saved ${starsText(saved.rating)}`;
        toast(`Rated “${title}” ${starsText(saved.rating)}`);
      } catch (failure) {
        toast(`Couldn't save your rating: ${failure.message}`, { kind: "error" });
        throw failure;
      }
    },
  });
  session
    .ratings()
    .then((ratings) => {
      if (signal.aborted) return;
      const mine = ratings.get(movie.id);
      if (mine) {
        stars.setValue(mine.rating);
        note.textContent = `You rated it ${starsText(mine.rating)}`;
      }
    })
    .catch(() => {});
  return h("div", { class: "movie__rate" }, h("span", { class: "movie__rate-label" }, "Your rating"), stars, note);
}

/** The people section as a list of zero or one element: a movie without people gets no section. */
function peopleSection(movie) {
  const people = [...(movie.people ?? [])].sort((a, b) => roleRank(a.role) - roleRank(b.role));
  if (!people.length) return [];
  const section = h(
    "section",
    { class: "section", "aria-labelledby": "people-title" },
    h("h2", { id: "people-title" }, "People"),
    h("p", { class: "section__note" }, "The dataset links people by their Freebase id (it has no names); each shows their other movies here."),
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
        list.children[PEOPLE_SHOWN]?.querySelector("a, .person__id")?.focus?.();
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
      h("code", { class: "person__id", tabindex: -1 }, person.person_id),
      others.length
        ? h("p", { class: "person__known" }, "Also in ", others.slice(0, 4).flatMap((other, i) => [i ? ", " : "", h("a", { href: movieHref(other) }, displayTitle(other.title))]))
        : h("p", { class: "person__known muted" }, "No other movies in this dataset"),
    ),
  );
}
