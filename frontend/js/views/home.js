// Start page: sign in with a username and password, start fresh (onboarding), or sign in as an existing
// MovieLens user (demo login). Signing in, or starting fresh, returns to the page it was chosen on
// (#/?next=/movie/50).

import { api } from "../api.js";
import { afterSignInPath, startFreshHref } from "../components.js";
import { h, icon } from "../dom.js";
import { session } from "../session.js";

function passwordSignInForm(navigate, next) {
  const username = h("input", { id: "signin-username", name: "username", autocomplete: "username", required: true, autocapitalize: "none", spellcheck: "false" });
  const password = h("input", { id: "signin-password", name: "password", type: "password", autocomplete: "current-password", required: true });
  const error = h("p", { class: "form-error", role: "alert", id: "signin-error" });
  const submit = h("button", { type: "submit", class: "button button--primary" }, "Sign in");
  const form = h(
    "form",
    { class: "signin-form", novalidate: true },
    h("label", { for: "signin-username" }, "Username"),
    username,
    h("label", { for: "signin-password" }, "Password"),
    password,
    h("div", { class: "form-actions" }, submit),
    error,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!username.value.trim() || !password.value) {
      error.textContent = "Enter your username and password.";
      (username.value.trim() ? password : username).focus();
      return;
    }
    error.textContent = "";
    submit.disabled = true;
    submit.textContent = "Signing in…";
    try {
      const login = await api.signIn(username.value.trim(), password.value);
      session.signIn({ userId: login.user_id, token: login.access_token, kind: "account", username: username.value.trim().toLowerCase() });
      navigate(next);
    } catch (failure) {
      error.textContent = failure.message;
      password.select();
      submit.disabled = false;
      submit.textContent = "Sign in";
    }
  });
  return form;
}

export async function render(main, { navigate, query }) {
  document.title = "CineGraph — movies picked from a graph of taste";
  const next = afterSignInPath(query);
  const input = h("input", { id: "demo-user", name: "user_id", type: "number", min: 1, step: 1, inputmode: "numeric", value: 1, required: true, "aria-describedby": "demo-hint" });
  const error = h("p", { class: "form-error", role: "alert", id: "demo-error" });
  const submit = h("button", { type: "submit", class: "button button--secondary" }, "Continue");
  const form = h(
    "form",
    { class: "demo-form", novalidate: true },
    h("label", { for: "demo-user" }, "MovieLens user id"),
    h("div", { class: "field-row" }, input, submit),
    h("p", { class: "hint", id: "demo-hint" }, "The ml-100k dataset has users 1 to 943. Try 1, 42 or 405."),
    error,
  );

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const userId = Number(input.value);
    if (!Number.isInteger(userId) || userId < 1) {
      error.textContent = "Enter a whole number, like 1.";
      input.setAttribute("aria-invalid", "true");
      input.focus();
      return;
    }
    input.removeAttribute("aria-invalid");
    error.textContent = "";
    submit.disabled = true;
    submit.textContent = "Continuing…";
    try {
      const login = await api.demoLogin(userId);
      session.signIn({ userId: login.user_id, token: login.access_token, kind: "demo" });
      navigate(next);
    } catch (failure) {
      let message = failure.message;
      if (failure.status === 403) message += " You can still start fresh with your own picks.";
      error.textContent = message;
      input.setAttribute("aria-invalid", "true");
      submit.disabled = false;
      submit.textContent = "Continue";
    }
  });

  main.append(
    h(
      "section",
      { class: "hero" },
      h("p", { class: "eyebrow" }, "CineGraph"),
      h("h1", { tabindex: -1 }, "Find your next favourite film"),
      h(
        "p",
        { class: "hero__lead" },
        "Recommendations learned from a graph of 100,000 ratings — who loved what, and who made it — each with the reason it was picked.",
      ),
    ),
    h(
      "div",
      { class: "entry-grid" },
      h(
        "section",
        { class: "panel panel--accent", "aria-labelledby": "fresh-title" },
        h("h2", { id: "fresh-title" }, "New here?"),
        h("p", null, "Pick five or more movies you like. Your recommendations are ready the moment you finish; then choose a username and password to come back to them."),
        h("a", { class: "button button--primary button--large", href: startFreshHref(query.get("next")) }, "Start fresh", icon("arrow")),
      ),
      h(
        "section",
        { class: "panel", "aria-labelledby": "signin-title" },
        h("h2", { id: "signin-title" }, "Welcome back"),
        h("p", null, "Sign in to your ratings and recommendations."),
        passwordSignInForm(navigate, next),
      ),
      h(
        "section",
        { class: "panel", "aria-labelledby": "demo-title" },
        h("h2", { id: "demo-title" }, "Demo sign-in"),
        h("p", null, "Continue as someone from the MovieLens dataset, with their rating history."),
        form,
      ),
    ),
  );
  if (session.signedIn) navigate(next);
}
