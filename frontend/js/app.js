// Boot: header, API health banner, and a hash router (so any static server can host the UI).

import { API_BASE, api, describeBase } from "./api.js";
import { h, icon } from "./dom.js";
import { errorState } from "./components.js";
import { session } from "./session.js";
import { mountHeaderSearch } from "./views/search.js";
import * as accountPage from "./views/account.js";
import * as forYou from "./views/for-you.js";
import * as home from "./views/home.js";
import * as moviePage from "./views/movie.js";
import * as onboarding from "./views/onboarding.js";
import * as ratingsPage from "./views/ratings.js";
import * as searchPage from "./views/search.js";

const routes = [
  { pattern: /^\/?$/, view: home, name: "home" },
  { pattern: /^\/start$/, view: onboarding, name: "start" },
  { pattern: /^\/for-you$/, view: forYou, name: "for-you", auth: true },
  { pattern: /^\/movie\/(\d+)$/, view: moviePage, name: "movie" },
  { pattern: /^\/search$/, view: searchPage, name: "search" },
  { pattern: /^\/ratings$/, view: ratingsPage, name: "ratings", auth: true },
  { pattern: /^\/account$/, view: accountPage, name: "account", auth: true },
];

const main = document.getElementById("main");
let activeController = null;
let activeCleanup = null;
let firstRoute = true;

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

async function route() {
  const { path, query } = parseHash();
  if (!path.startsWith("/")) return; // an in-page anchor, not a route
  const match = routes.map((r) => ({ r, m: r.pattern.exec(path) })).find((x) => x.m);

  activeController?.abort();
  activeCleanup?.();
  activeCleanup = null;
  const controller = new AbortController();
  activeController = controller;

  if (match?.r.auth && !session.signedIn) {
    navigate("/");
    return;
  }
  if (match?.r.name === "home" && session.signedIn) {
    navigate("/for-you");
    return;
  }

  highlightNav(match?.r.name);
  main.replaceChildren();
  main.dataset.view = match?.r.name ?? "not-found";
  if (!firstRoute) window.scrollTo({ top: 0 });

  const ctx = { params: match?.m.slice(1) ?? [], query, signal: controller.signal, navigate, replaceQuery, path };
  try {
    if (!match) renderNotFound();
    else activeCleanup = (await match.r.view.render(main, ctx)) ?? null;
  } catch (error) {
    if (controller.signal.aborted) return;
    console.error(error);
    main.replaceChildren(errorState(error, { retry: route }));
  }
  if (!firstRoute && !controller.signal.aborted) main.querySelector("h1")?.focus({ preventScroll: true });
  firstRoute = false;
}

function renderNotFound() {
  document.title = "Not found · CineGraph";
  main.append(
    h("h1", { tabindex: -1 }, "Page not found"),
    h("p", null, "This address doesn't lead anywhere in CineGraph. ", h("a", { href: "#/" }, "Go to the start page"), "."),
  );
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
    account.replaceChildren(h("a", { class: "button button--ghost button--small", href: "#/" }, "Sign in"));
  }
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
    banner.replaceChildren(icon("alert"), h("span", { class: "banner__text" }, error.message ?? `The API at ${describeBase()} is not answering.`), retry);
    banner.hidden = false;
    return false;
  }
}

function start() {
  document.querySelector(".skip-link").addEventListener("click", (event) => {
    event.preventDefault();
    main.focus();
  });
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
