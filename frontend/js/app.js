// Boot: header, API health banner, and a hash router (so any static server can host the UI).

import { API_BASE, api } from "./api.js";
import { h, icon } from "./dom.js";
import { afterSignInPath, errorState, notFoundPage, signInHref } from "./components.js";
import { session } from "./session.js";
import { mountHeaderSearch } from "./views/search.js";

// Views are modules loaded when first visited (the header's search is on every page, so search.js is not).
const routes = [
  { pattern: /^\/?$/, load: () => import("./views/home.js"), name: "home" },
  { pattern: /^\/start$/, load: () => import("./views/onboarding.js"), name: "start" },
  { pattern: /^\/for-you$/, load: () => import("./views/for-you.js"), name: "for-you", auth: true },
  // Any id: the view tells a malformed or unknown one apart from an outage, on a page of its own.
  { pattern: /^\/movie\/([^/]*)$/, load: () => import("./views/movie.js"), name: "movie" },
  { pattern: /^\/person\/([^/]*)$/, load: () => import("./views/person.js"), name: "person" },
  { pattern: /^\/search$/, load: () => import("./views/search.js"), name: "search" },
  { pattern: /^\/ratings$/, load: () => import("./views/ratings.js"), name: "ratings", auth: true },
  { pattern: /^\/account$/, load: () => import("./views/account.js"), name: "account", auth: true },
];

const main = document.getElementById("main");
let activeController = null;
let activeCleanup = null;
let firstRoute = true;
/** The view on screen: its history entry's id, and what it asked to keep for a way back to it. */
let activeEntry = null;

export function parseHash(hash = window.location.hash) {
  const raw = hash.replace(/^#/, "") || "/";
  const [path, queryString = ""] = raw.split("?");
  return { path: path || "/", query: new URLSearchParams(queryString) };
}

export function navigate(path) {
  if (window.location.hash === `#${path}`) route();
  else window.location.hash = path;
}

/** Change the query of the current view without re-rendering it (chips, search box). */
export function replaceQuery(path, query) {
  const qs = query.toString();
  history.replaceState(history.state, "", `${window.location.pathname}${window.location.search}#${path}${qs ? `?${qs}` : ""}`);
}

// --- the way back ---------------------------------------------------------------------------------
// Each history entry gets an id in history.state. Leaving a view keeps, under that id, its scroll
// position, the link that had the focus and whatever the view asked to keep (`ctx.remember`, e.g. the
// search results' pages), so that Back (or a reload) shows the view as it was left.

const VIEW_STATE_KEY = "cinegraph.views";
const VIEW_STATES_KEPT = 30;

function entryId() {
  const known = history.state?.cinegraphEntry;
  if (known) return known;
  const id = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  history.replaceState({ ...history.state, cinegraphEntry: id }, "");
  return id;
}

function readViewStates() {
  try {
    return JSON.parse(sessionStorage.getItem(VIEW_STATE_KEY) ?? "{}") ?? {};
  } catch {
    return {};
  }
}

/** Called as a view is left: the DOM and the scroll position are still the view's own. */
function keepActiveView() {
  if (!activeEntry) return;
  const focusedLink = main.contains(document.activeElement) ? document.activeElement.closest("a[href]") : null;
  const states = readViewStates();
  delete states[activeEntry.id]; // re-inserted last: the oldest are the first to go
  states[activeEntry.id] = { scrollY: Math.round(window.scrollY), focus: focusedLink?.getAttribute("href") ?? null, view: activeEntry.remember?.() ?? null };
  const ids = Object.keys(states);
  for (const id of ids.slice(0, Math.max(0, ids.length - VIEW_STATES_KEPT))) delete states[id];
  try {
    sessionStorage.setItem(VIEW_STATE_KEY, JSON.stringify(states));
  } catch {
    // Storage full or off: Back shows the view afresh.
  }
}

/** After a view that came back has rendered: its scroll position, and the focus on the link it left by. */
function restoreView(kept) {
  window.scrollTo({ top: kept.scrollY });
  const link = kept.focus ? [...main.querySelectorAll("a[href]")].find((a) => a.getAttribute("href") === kept.focus) : null;
  (link ?? main.querySelector("h1"))?.focus({ preventScroll: true });
}

async function route() {
  const { path, query } = parseHash();
  if (!path.startsWith("/")) return; // an in-page anchor, not a route
  const match = routes.map((r) => ({ r, m: r.pattern.exec(path) })).find((x) => x.m);

  keepActiveView();
  activeEntry = null;
  activeController?.abort();
  activeCleanup?.();
  activeCleanup = null;
  const controller = new AbortController();
  activeController = controller;

  // Redirects replace the entry, so that Back does not lead into them again.
  if (match?.r.auth && !session.signedIn) {
    window.location.replace(signInHref(currentPath()));
    return;
  }
  if (match?.r.name === "home" && session.signedIn) {
    window.location.replace(`#${afterSignInPath(query)}`);
    return;
  }

  const entry = { id: entryId(), remember: null };
  activeEntry = entry;
  const kept = readViewStates()[entry.id] ?? null;
  highlightNav(match?.r.name);
  updateSignInLink();
  main.replaceChildren();
  main.dataset.view = match?.r.name ?? "not-found";
  if (!firstRoute) window.scrollTo({ top: 0 });

  const ctx = {
    params: match?.m.slice(1) ?? [],
    query,
    signal: controller.signal,
    navigate,
    replaceQuery,
    path,
    restored: kept?.view ?? null, // what `remember` gave when this entry was last left; null on a first visit
    remember: (keep) => {
      entry.remember = keep;
    },
  };
  try {
    if (!match) renderNotFound();
    else {
      const view = await match.r.load();
      if (controller.signal.aborted) return;
      activeCleanup = (await view.render(main, ctx)) ?? null;
    }
  } catch (error) {
    if (controller.signal.aborted) return;
    console.error(error);
    main.replaceChildren(errorState(error, { retry: route }));
  }
  if (!controller.signal.aborted) {
    if (kept) restoreView(kept);
    else if (!firstRoute) main.querySelector("h1")?.focus({ preventScroll: true });
  }
  firstRoute = false;
}

function currentPath() {
  return window.location.hash.replace(/^#/, "") || "/";
}

function renderNotFound() {
  main.append(
    notFoundPage({
      title: "Page not found",
      text: "This address doesn't lead anywhere in CineGraph. Browse the movies or search for one instead.",
      signedIn: session.signedIn,
    }),
  );
}

/**
 * The skip link lands on the view's list when it has one (`data-skip-target`, named by
 * `data-skip-label`): the first movie is then two Tabs from the top of the page.
 */
function skipTarget() {
  return main.querySelector("[data-skip-target]:not([hidden])") ?? main;
}

/** The sticky header's height, for the scroll padding that keeps what has the focus out from under it. */
function measureHeader() {
  const header = document.querySelector(".topbar");
  const measure = () => document.documentElement.style.setProperty("--header-height", `${header.offsetHeight}px`);
  new ResizeObserver(measure).observe(header);
  measure();
}

function mountSkipLink() {
  const link = document.querySelector(".skip-link");
  link.addEventListener("focus", () => {
    link.textContent = skipTarget().dataset.skipLabel ?? "Skip to content";
  });
  link.addEventListener("click", (event) => {
    event.preventDefault();
    skipTarget().focus();
  });
}

function highlightNav(name) {
  for (const link of document.querySelectorAll(".topnav a")) {
    if (link.dataset.route === name) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
}

function renderAccount() {
  const account = document.getElementById("account");
  for (const link of document.querySelectorAll(".topnav [data-auth]")) link.hidden = !session.signedIn;
  if (session.signedIn) {
    const signOut = h("button", { type: "button", class: "button button--ghost button--small" }, "Sign out");
    signOut.addEventListener("click", () => {
      // A start-fresh user without a password would lose their ratings: warn, and offer to save first.
      if (session.wouldLoseAccess) {
        navigate("/account?signout=1");
        return;
      }
      session.signOut();
      navigate("/");
    });
    const name = h("a", { class: "account__user", href: "#/account", title: `Signed in as ${session.displayName}` }, icon("user"), h("span", null, session.displayName));
    const save = session.wouldLoseAccess ? h("a", { class: "button button--secondary button--small", href: "#/account" }, "Set a password") : null;
    account.replaceChildren(...[name, save, signOut].filter(Boolean));
  } else {
    account.replaceChildren(h("a", { class: "button button--ghost button--small", href: signInHref(currentPath()), "data-sign-in": "" }, "Sign in"));
  }
}

/** The header's "Sign in" comes back to the page it was chosen on. */
function updateSignInLink() {
  const link = document.querySelector("#account [data-sign-in]");
  if (link) link.setAttribute("href", signInHref(currentPath()));
}

// --- API health banner --------------------------------------------------------------------------

async function checkHealth() {
  const banner = document.getElementById("banner");
  try {
    const health = await api.health();
    banner.hidden = true;
    banner.replaceChildren();
    const version = health?.model?.version;
    document.getElementById("model-version").textContent = version ? `Model ${version}` : "";
    return true;
  } catch (error) {
    const retry = h("button", { type: "button", class: "button button--small button--on-danger" }, icon("refresh"), "Retry");
    retry.addEventListener("click", async () => {
      retry.disabled = true;
      if (await checkHealth()) route();
      else retry.disabled = false;
    });
    banner.replaceChildren(icon("alert"), h("span", { class: "banner__text" }, error.message ?? "CineGraph is not answering right now."), retry);
    banner.hidden = false;
    return false;
  }
}

function start() {
  history.scrollRestoration = "manual"; // the router puts back each view's own scroll position
  mountSkipLink();
  measureHeader();
  window.addEventListener("pagehide", keepActiveView);
  // Keep ?api= on every in-app link: the router only touches the hash, so it is never lost.
  if (API_BASE) document.documentElement.dataset.api = API_BASE;
  mountHeaderSearch(document.getElementById("site-search"), { navigate });
  session.onChange(renderAccount);
  renderAccount();
  window.addEventListener("hashchange", route);
  checkHealth();
  route();
}

start();
