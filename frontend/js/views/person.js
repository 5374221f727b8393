// One person: their name and every movie they are credited on in this catalogue, grouped by role,
// newest first (GET /people/{id}). People come only from checked sources (IMDb via links.csv).

import { api } from "../api.js";
import { emptyState, errorState, movieTile, notFoundPage, spinner } from "../components.js";
import { h } from "../dom.js";
import { plural, roleLabel, roleRank } from "../format.js";
import { session } from "../session.js";

const PERSON_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** A page of its own for an id that names nobody: malformed or unknown. */
function personNotFound() {
  return notFoundPage({
    title: "Person not found",
    text: "There is nobody at this address in CineGraph's catalogue. It may have been mistyped, or the link is old.",
    signedIn: session.signedIn,
  });
}

function decoded(text) {
  try {
    return decodeURIComponent(text);
  } catch {
    return null; // a stray "%"
  }
}

export async function render(main, { params, signal, navigate }) {
  const personId = decoded(params[0]);
  if (!PERSON_ID.test(personId ?? "")) {
    main.append(personNotFound());
    return;
  }
  main.append(spinner("Loading person…"));
  let person;
  try {
    person = await api.person(personId, { signal });
  } catch (failure) {
    if (signal.aborted) return;
    if (failure.status === 404 || failure.status === 422) {
      main.replaceChildren(personNotFound());
      return;
    }
    document.title = "Person unavailable · CineGraph";
    main.replaceChildren(
      h("h1", { class: "visually-hidden", tabindex: -1 }, "Person"),
      errorState(failure, { retry: () => navigate(`/person/${encodeURIComponent(personId)}`) }),
    );
    return;
  }
  const name = person.name ?? "Unnamed person";
  document.title = `${name} · CineGraph`;
  const byRole = new Map();
  for (const credit of [...person.credits].sort((a, b) => roleRank(a.role) - roleRank(b.role))) {
    if (!byRole.has(credit.role)) byRole.set(credit.role, []);
    byRole.get(credit.role).push(credit);
  }
  const sections = [...byRole].map(([role, credits], index) =>
    h(
      "section",
      { class: "section", "aria-labelledby": `role-${role}`, ...(index === 0 ? { tabindex: -1, "data-skip-target": "", "data-skip-label": "Skip to their movies" } : {}) },
      h("h2", { id: `role-${role}` }, `${roleLabel(role)} `, h("span", { class: "count" }, credits.length)),
      h(
        "div",
        { class: "tile-grid" },
        credits.map((credit) => movieTile(credit.movie, { reason: credit.character ? `as ${credit.character}` : undefined })),
      ),
    ),
  );
  main.replaceChildren(
    h(
      "header",
      { class: "page-header" },
      h("p", { class: "eyebrow" }, person.birth_year ? `Born ${person.birth_year}` : "Person"),
      h("h1", { tabindex: -1 }, name),
      h("p", { class: "muted" }, `${plural(person.credits.length, "credit")} in this catalogue`),
    ),
    ...(sections.length ? sections : [emptyState({ title: "No movies here", text: "This person has no credits in this catalogue." })]),
  );
}
