// Start page: start fresh (onboarding) or sign in as an existing MovieLens user.

import { api } from "../api.js";
import { h, icon } from "../dom.js";
import { session } from "../session.js";

export async function render(main, { navigate }) {
  document.title = "CineGraph — movies picked from a graph of taste";
  const input = h("input", { id: "demo-user", name: "user_id", type: "number", min: 1, step: 1, inputmode: "numeric", value: 1, required: true, "aria-describedby": "demo-hint" });
  const error = h("p", { class: "form-error", role: "alert", id: "demo-error" });
  const submit = h("button", { type: "submit", class: "button button--primary" }, "Sign in");
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
    submit.textContent = "Signing in…";
    try {
      const login = await api.demoLogin(userId);
      session.signIn({ userId: login.user_id, token: login.access_token });
      navigate("/for-you");
    } catch (failure) {
      let message = failure.message;
      if (failure.status === 403) message += " You can still start fresh with your own picks.";
      error.textContent = message;
      input.setAttribute("aria-invalid", "true");
      submit.disabled = false;
      submit.textContent = "Sign in";
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
        h("p", null, "Pick five or more movies you like. Your recommendations are ready the moment you finish."),
        h("a", { class: "button button--primary button--large", href: "#/start" }, "Start fresh", icon("arrow")),
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
  if (session.signedIn) navigate("/for-you");
}
