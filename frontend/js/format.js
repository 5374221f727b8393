// Text shown for movies: MovieLens keeps "Usual Suspects, The"; people read "The Usual Suspects".

const TRAILING_ARTICLE = /^(.*?), (The|A|An|Les|La|Le|L'|Il|Das|Der|Die|El|Los|Las)(\s*\(.*\))?$/;

export function displayTitle(title) {
  const match = TRAILING_ARTICLE.exec(title ?? "");
  if (!match) return title ?? "Untitled";
  const [, rest, article, suffix = ""] = match;
  const joiner = article.endsWith("'") ? "" : " ";
  return `${article}${joiner}${rest}${suffix}`;
}

const SKIPPED_WORDS = new Set(["the", "a", "an", "of", "and", "la", "le", "les", "el", "il", "das", "der", "die"]);

/** Up to two letters for a poster stand-in: "The Usual Suspects" -> "US", "Se7en" -> "S". */
export function initials(title) {
  const words = displayTitle(title)
    .replace(/\(.*?\)/g, " ")
    .split(/[\s:\-–]+/)
    .map((word) => word.replace(/[^\p{L}\p{N}]/gu, ""))
    .filter(Boolean);
  const significant = words.filter((word) => !SKIPPED_WORDS.has(word.toLowerCase()));
  const chosen = (significant.length ? significant : words).slice(0, 2);
  return chosen.map((word) => word[0].toUpperCase()).join("") || "?";
}

export function yearText(movie) {
  return movie?.year ? String(movie.year) : "Year unknown";
}

export function starsText(rating) {
  return `${Number(rating).toLocaleString("en", { maximumFractionDigits: 1 })}★`;
}

export function plural(count, one, many = `${one}s`) {
  return `${count.toLocaleString("en")} ${count === 1 ? one : many}`;
}

/** "1 movie matches", "2 movies match": the count and the verb agree. */
export function matchesText(count, one = "movie") {
  return `${plural(count, one)} ${count === 1 ? "matches" : "match"}`;
}

/** A rating in words, as the star slider speaks it: "1 star", "3.5 stars". */
export function starWords(rating) {
  return plural(rating, "star");
}

const ROLE_LABELS = {
  DIRECTED: "Director",
  ACTED_IN: "Cast",
  WROTE: "Writer",
  PRODUCED: "Producer",
  SHOT: "Cinematographer",
};
const ROLE_ORDER = ["DIRECTED", "WROTE", "ACTED_IN", "PRODUCED", "SHOT"];

export function roleLabel(role) {
  return ROLE_LABELS[role] ?? role.toLowerCase().replace(/_/g, " ");
}

export function roleRank(role) {
  const rank = ROLE_ORDER.indexOf(role);
  return rank === -1 ? ROLE_ORDER.length : rank;
}

export function dateText(ts) {
  if (!ts) return "";
  return new Date(ts * 1000).toLocaleDateString("en", { year: "numeric", month: "short", day: "numeric" });
}
