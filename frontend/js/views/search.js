// Search as people type: the header combobox (debounced suggestions of movies and people, arrow keys) and
// the full results page. The API forgives case, accents, articles ("Godfather, The"), typos and unfinished
// words, and ranks exact titles first, then the most rated.

import { anySignal, api } from "../api.js";
import { emptyState, errorState, listedGenres, loadingCards, movieHref, movieTile, personHref, spinner } from "../components.js";
import { h, icon } from "../dom.js";
import { displayTitle, matchesText, plural, starsText, yearText } from "../format.js";
import { poster } from "../poster.js";
import { session } from "../session.js";

const DEBOUNCE_MS = 220;
const SUGGESTIONS = 8;
const PEOPLE_SUGGESTIONS = 3;
const PAGE_SIZE = 24;

export function debounce(fn, ms) {
  let timer = null;
  const debounced = (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
  debounced.cancel = () => clearTimeout(timer);
  return debounced;
}

/** The search box in the header: a WAI-ARIA combobox with a listbox of matching titles and people. */
export function mountHeaderSearch(form, { navigate }) {
  const input = form.querySelector("input");
  const list = form.querySelector("[role=listbox]");
  let options = [];
  let active = -1;
  let controller = null;

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function setActive(index) {
    options.forEach((option, i) => option.setAttribute("aria-selected", String(i === index)));
    active = index;
    if (index >= 0) {
      input.setAttribute("aria-activedescendant", options[index].id);
      options[index].scrollIntoView({ block: "nearest" });
    } else input.removeAttribute("aria-activedescendant");
  }

  function choose(option) {
    const href = option.dataset.href;
    close();
    input.blur();
    navigate(href);
    if (option.dataset.kind !== "all") input.value = "";
  }

  function show(children) {
    list.replaceChildren(...children);
    options = [...list.querySelectorAll("[role=option]")];
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    setActive(-1);
  }

  const suggest = debounce(async (q) => {
    controller?.abort();
    controller = new AbortController();
    try {
      const body = await api.searchMovies({ q, pageSize: SUGGESTIONS }, { signal: controller.signal });
      if (input.value.trim() !== q) return;
      const rows = body.items.map((movie) =>
        h(
          "li",
          { role: "option", id: `suggest-${movie.id}`, class: "suggestion", "data-href": `/movie/${movie.id}`, "data-kind": "movie", "aria-selected": "false" },
          h("span", { class: "suggestion__poster" }, poster(movie)),
          h("span", { class: "suggestion__text" }, h("span", { class: "suggestion__title" }, displayTitle(movie.title)), h("span", { class: "suggestion__meta" }, yearText(movie))),
        ),
      );
      for (const person of (body.people ?? []).slice(0, PEOPLE_SUGGESTIONS)) {
        rows.push(
          h(
            "li",
            { role: "option", id: `suggest-person-${person.id}`, class: "suggestion suggestion--person", "data-href": `/person/${encodeURIComponent(person.id)}`, "data-kind": "person", "aria-selected": "false" },
            h("span", { class: "suggestion__avatar", "aria-hidden": "true" }, icon("user")),
            h("span", { class: "suggestion__text" }, h("span", { class: "suggestion__title" }, person.name), h("span", { class: "suggestion__meta" }, knownForText(person))),
          ),
        );
      }
      rows.push(
        h(
          "li",
          { role: "option", id: "suggest-all", class: "suggestion suggestion--all", "data-href": `/search?q=${encodeURIComponent(q)}`, "data-kind": "all", "aria-selected": "false" },
          body.total ? `See all ${plural(body.total, "result")} for “${q}”` : `No titles match “${q}”`,
        ),
      );
      show(rows);
    } catch (failure) {
      if (controller.signal.aborted) return;
      show([h("li", { class: "suggestion suggestion--error", role: "option", "aria-disabled": "true", id: "suggest-error", "data-href": "" }, failure.message)]);
    }
  }, DEBOUNCE_MS);

  input.addEventListener("input", () => {
    const q = input.value.trim();
    if (q.length < 2) {
      suggest.cancel();
      controller?.abort();
      close();
      return;
    }
    suggest(q);
  });

  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (list.hidden || !options.length) return;
      event.preventDefault();
      const step = event.key === "ArrowDown" ? 1 : -1;
      // Cycle through the options and back to the text itself (-1).
      let next = active + step;
      if (next >= options.length) next = -1;
      else if (next < -1) next = options.length - 1;
      setActive(next);
    } else if (event.key === "Escape") {
      if (!list.hidden) {
        event.preventDefault();
        close();
      } else input.value = "";
    }
  });

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const q = input.value.trim();
    if (active >= 0 && options[active]?.dataset.href) return choose(options[active]);
    suggest.cancel();
    close();
    if (q) navigate(`/search?q=${encodeURIComponent(q)}`);
  });

  list.addEventListener("mousedown", (event) => event.preventDefault()); // keep focus in the input
  list.addEventListener("click", (event) => {
    const option = event.target.closest("[role=option]");
    if (option?.dataset.href) choose(option);
  });
  input.addEventListener("blur", () => close());
  input.addEventListener("focus", () => {
    if (options.length && input.value.trim().length >= 2 && list.children.length) {
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }
  });
}

function knownForText(person) {
  const titles = (person.known_for ?? []).map((movie) => displayTitle(movie.title));
  return titles.length ? `Person · ${titles.join(", ")}` : "Person";
}

/** People whose name matches, above the movies: name, birth year and two of their movies. */
function peopleSection(people) {
  if (!people?.length) return null;
  return h(
    "section",
    { class: "section search-people", "aria-labelledby": "search-people-title" },
    h("h2", { id: "search-people-title" }, "People"),
    h(
      "ul",
      { class: "people__list search-people__list" },
      people.map((person) =>
        h(
          "li",
          { class: "person", "data-person-id": person.id },
          h("span", { class: "person__avatar", "aria-hidden": "true" }, icon("user")),
          h(
            "div",
            { class: "person__body" },
            h("a", { class: "person__name", href: personHref(person) }, person.name),
            person.birth_year ? h("p", { class: "person__character" }, `Born ${person.birth_year}`) : null,
            person.known_for?.length
              ? h("p", { class: "person__known" }, "Known for ", person.known_for.flatMap((movie, i) => [i ? ", " : "", h("a", { href: movieHref(movie) }, displayTitle(movie.title))]))
              : null,
          ),
        ),
      ),
    ),
  );
}

/** The search page: #/search?q=star&genre=Sci-Fi */
export async function render(main, { query, signal, replaceQuery, path, restored, remember }) {
  let q = query.get("q") ?? "";
  let genre = query.get("genre") ?? "";
  let page = 1;
  document.title = q ? `“${q}” · Search · CineGraph` : "Search · CineGraph";

  const input = h("input", { id: "search-page-input", type: "search", value: q, placeholder: "A title or a name, e.g. The Godfather", autocomplete: "off", spellcheck: "false" });
  const select = h("select", { id: "search-genre" }, h("option", { value: "" }, "Any genre"));
  const summary = h("p", { class: "list-status", role: "status" });
  const peopleSlot = h("div", { id: "search-people" });
  const grid = h("div", { class: "tile-grid", id: "search-results" });
  const results = h("div", { class: "results", tabindex: -1, "data-skip-target": "", "data-skip-label": "Skip to results" });
  const more = h("button", { type: "button", class: "button button--secondary load-more", hidden: true }, "Show more");

  main.append(
    h("header", { class: "page-header" }, h("h1", { tabindex: -1 }, "Browse movies")),
    h(
      "form",
      { class: "search-form", role: "search", "aria-label": "Browse movies", onsubmit: (e) => { e.preventDefault(); runNow(); } },
      h("div", { class: "field" }, h("label", { for: "search-page-input" }, "Title or person"), input),
      h("div", { class: "field field--narrow" }, h("label", { for: "search-genre" }, "Genre"), select),
    ),
    peopleSlot,
    summary,
    results,
    more,
  );

  api
    .genres({ signal })
    .then((genres) => {
      for (const g of listedGenres(genres)) select.append(h("option", { value: g.name, selected: g.name === genre }, g.name));
    })
    .catch(() => {});

  let controller = null;
  async function search({ append = false } = {}) {
    controller?.abort();
    controller = new AbortController();
    const mine = anySignal(signal, controller.signal);
    const params = new URLSearchParams();
    if (q) params.set("q", q);
    if (genre) params.set("genre", genre);
    replaceQuery(path, params);
    if (!q && !genre) return showPopular(mine);
    if (!append) {
      page = 1;
      peopleSlot.replaceChildren();
      results.replaceChildren(loadingCards(8, "tile"));
    } else more.replaceChildren(spinner("Loading more…"));
    try {
      const body = await api.searchMovies({ q, genre: genre || undefined, page, pageSize: PAGE_SIZE }, { signal: mine });
      // The user's stars on this page's movies only; without them the tiles still show.
      const ratings = await session.ratingsOf(body.items.map((movie) => movie.id), { signal: mine }).catch(() => new Map());
      if (mine.aborted) return;
      const tiles = body.items.map((movie) => {
        const mine = ratings.get(movie.id);
        return movieTile(movie, { extra: mine ? h("span", { class: "tile__mine" }, `You: ${starsText(mine.rating)}`) : null });
      });
      if (append) grid.append(...tiles);
      else {
        grid.replaceChildren(...tiles);
        peopleSlot.replaceChildren(...[peopleSection(body.people)].filter(Boolean));
      }
      const what = [q && `“${q}”`, genre && `in ${genre}`].filter(Boolean).join(" ");
      summary.textContent = body.total ? `${q ? matchesText(body.total) : plural(body.total, "movie")} ${what}` : "";
      const nobody = !body.people?.length;
      results.replaceChildren(body.total ? grid : emptyState({ title: `No movies match ${what}`, text: nobody ? "Check the spelling, or try fewer words." : "" }));
      more.replaceChildren("Show more");
      more.hidden = page * PAGE_SIZE >= body.total;
    } catch (failure) {
      if (mine.aborted) return;
      results.replaceChildren(errorState(failure, { retry: () => search() }));
      more.hidden = true;
    }
  }

  /** Nothing typed yet: the most-rated movies, as a place to start exploring. */
  async function showPopular(mine) {
    more.hidden = true;
    peopleSlot.replaceChildren();
    summary.textContent = "";
    results.replaceChildren(loadingCards(8, "tile"));
    try {
      const body = await api.popular({ k: PAGE_SIZE }, { signal: mine });
      grid.replaceChildren(...body.items.map((movie) => movieTile(movie)));
      summary.textContent = "The most-rated movies. Type a title or choose a genre to narrow it down.";
      results.replaceChildren(grid);
    } catch (failure) {
      if (mine.aborted) return;
      results.replaceChildren(errorState(failure, { retry: () => search() }));
    }
  }

  const debounced = debounce(() => search(), DEBOUNCE_MS);
  function runNow() {
    debounced.cancel();
    search();
  }
  input.addEventListener("input", () => {
    q = input.value.trim();
    debounced();
  });
  select.addEventListener("change", () => {
    genre = select.value;
    runNow();
  });
  more.addEventListener("click", () => {
    page += 1;
    search({ append: true });
  });

  // Back from a movie: the pages that were shown come back (the router puts back the scroll position).
  remember(() => ({ pages: page }));
  await search();
  while (page < (restored?.pages ?? 1) && !more.hidden && !signal.aborted) {
    page += 1;
    await search({ append: true });
  }
  return () => debounced.cancel();
}
