// Poster stand-ins drawn locally: a gradient and shapes derived from the movie id and first genre,
// with the title's initials. No network, so the UI works offline and every movie looks distinct.

import { svg } from "./dom.js";
import { initials } from "./format.js";

const GENRE_HUES = {
  Action: 8, Adventure: 28, Animation: 190, "Children's": 48, Comedy: 42, Crime: 215, Documentary: 160,
  Drama: 262, Fantasy: 290, "Film-Noir": 225, Horror: 350, Musical: 318, Mystery: 245, Romance: 335,
  "Sci-Fi": 195, Thriller: 12, War: 85, Western: 30, unknown: 210,
};

/** A small deterministic hash (FNV-1a) so the same movie always gets the same poster. */
function hash(value) {
  let h = 0x811c9dc5;
  for (const ch of String(value)) {
    h ^= ch.codePointAt(0);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function seeded(seed) {
  let state = seed || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return ((state >>> 0) % 10000) / 10000;
  };
}

export function posterColors(movie) {
  const genre = movie.genres?.[0] ?? "unknown";
  const random = seeded(hash(`${movie.id}:${genre}`));
  const base = (GENRE_HUES[genre] ?? 210) + Math.round((random() - 0.5) * 36);
  const muted = genre === "Film-Noir" || genre === "Documentary";
  const sat = muted ? 18 : 55 + Math.round(random() * 20);
  return {
    random,
    top: `hsl(${base} ${sat}% ${28 + Math.round(random() * 10)}%)`,
    bottom: `hsl(${(base + 40 + Math.round(random() * 60)) % 360} ${sat}% ${12 + Math.round(random() * 6)}%)`,
    accent: `hsl(${(base + 180) % 360} ${Math.min(sat + 15, 90)}% 62%)`,
  };
}

let posterCount = 0;

/** An <svg> poster (2:3) for a Movie; decorative, so hidden from assistive technology. */
export function poster(movie, { className = "poster" } = {}) {
  const { random, top, bottom, accent } = posterColors(movie);
  const id = `pg${++posterCount}`;
  const shapes = [];
  const pattern = hash(movie.id) % 3;
  if (pattern === 0) {
    for (let i = 0; i < 3; i++) {
      shapes.push(svg("circle", { cx: Math.round(random() * 200), cy: Math.round(random() * 200), r: 30 + Math.round(random() * 70), fill: accent, opacity: (0.08 + random() * 0.14).toFixed(2) }));
    }
  } else if (pattern === 1) {
    for (let i = 0; i < 5; i++) {
      const x = Math.round(random() * 260) - 30;
      shapes.push(svg("rect", { x, y: -40, width: 10 + Math.round(random() * 26), height: 400, fill: accent, opacity: (0.06 + random() * 0.12).toFixed(2), transform: `rotate(${20 + Math.round(random() * 20)} ${x} 0)` }));
    }
  } else {
    const cx = Math.round(60 + random() * 80);
    for (let i = 0; i < 4; i++) {
      shapes.push(svg("circle", { cx, cy: 90, r: 26 + i * 28, fill: "none", stroke: accent, "stroke-width": 6, opacity: (0.22 - i * 0.04).toFixed(2) }));
    }
  }
  const letters = initials(movie.title);
  return svg(
    "svg",
    { class: className, viewBox: "0 0 200 300", preserveAspectRatio: "xMidYMid slice", "aria-hidden": "true", focusable: "false" },
    svg(
      "defs",
      null,
      svg("linearGradient", { id, x1: 0, y1: 0, x2: 0.4, y2: 1 }, svg("stop", { offset: "0", "stop-color": top }), svg("stop", { offset: "1", "stop-color": bottom })),
    ),
    svg("rect", { width: 200, height: 300, fill: `url(#${id})` }),
    shapes,
    svg("rect", { y: 200, width: 200, height: 100, fill: "#000", opacity: 0.18 }),
    svg(
      "text",
      { x: 100, y: 190, "text-anchor": "middle", "font-size": letters.length > 1 ? 84 : 100, "font-weight": 800, fill: "#fff", "fill-opacity": 0.92, "font-family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", "letter-spacing": 2 },
      letters,
    ),
    movie.year ? svg("text", { x: 100, y: 262, "text-anchor": "middle", "font-size": 26, fill: "#fff", "fill-opacity": 0.75, "font-family": "system-ui, sans-serif", "letter-spacing": 4 }, String(movie.year)) : null,
  );
}
