// The signed-in person's account: a start-fresh user sets a username and password here, and is warned
// before a sign-out that would lose their ratings (#/account?signout=1).

import { api } from "../api.js";
import { toast } from "../components.js";
import { h } from "../dom.js";
import { session } from "../session.js";

export async function render(main, { navigate, query }) {
  document.title = "Your account · CineGraph";
  const user = session.user;
  const leaving = query.get("signout") === "1";
  main.append(h("h1", { tabindex: -1 }, leaving && session.wouldLoseAccess ? "Before you sign out" : "Your account"));

  if (!session.wouldLoseAccess) {
    const how = user.kind === "account"
      ? `You sign in as ${session.displayName} with your password.`
      : `You are using the demo sign-in as MovieLens user ${user.userId}.`;
    const signOut = h("button", { type: "button", class: "button" }, "Sign out");
    signOut.addEventListener("click", () => {
      session.signOut();
      navigate("/");
    });
    main.append(h("p", null, how), h("div", { class: "form-actions" }, signOut));
    return;
  }

  if (leaving) {
    main.append(
      h(
        "div",
        { class: "notice", role: "alert" },
        h("p", null, h("strong", null, "You haven't set a password."), " If you sign out now, there is no way back to your ratings and recommendations."),
      ),
    );
  }
  main.append(h("p", null, "Choose a username and password to sign in again later, on any device."));

  const username = h("input", { id: "account-username", name: "username", autocomplete: "username", required: true, minlength: 3, maxlength: 32, pattern: "[A-Za-z0-9_.\\-]{3,32}", autocapitalize: "none", spellcheck: "false", "aria-describedby": "account-username-hint" });
  const password = h("input", { id: "account-password", name: "password", type: "password", autocomplete: "new-password", required: true, minlength: 8, maxlength: 128, "aria-describedby": "account-password-hint" });
  const error = h("p", { class: "form-error", role: "alert" });
  const save = h("button", { type: "submit", class: "button button--primary" }, leaving ? "Save and sign out" : "Save");
  const actions = h("div", { class: "form-actions" }, save);
  if (leaving) {
    const anyway = h("button", { type: "button", class: "button button--danger", id: "sign-out-anyway" }, "Sign out anyway");
    anyway.addEventListener("click", () => {
      session.signOut();
      navigate("/");
    });
    actions.append(anyway);
  }
  const form = h(
    "form",
    { class: "account-form", novalidate: true },
    h("label", { for: "account-username" }, "Username"),
    username,
    h("p", { class: "hint", id: "account-username-hint" }, "3 to 32 letters, digits, '_', '.' or '-'."),
    h("label", { for: "account-password" }, "Password"),
    password,
    h("p", { class: "hint", id: "account-password-hint" }, "At least 8 characters."),
    actions,
    error,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const invalid = [username, password].find((input) => !input.checkValidity());
    if (invalid) {
      error.textContent = invalid === username ? "Choose a username of 3 to 32 letters, digits, '_', '.' or '-'." : "Choose a password of at least 8 characters.";
      invalid.setAttribute("aria-invalid", "true");
      invalid.focus();
      return;
    }
    error.textContent = "";
    save.disabled = true;
    try {
      const saved = await api.setCredentials({ username: username.value.trim(), password: password.value, token: user.token });
      session.becameAccount(saved.username);
      if (leaving) {
        session.signOut();
        toast(`Saved. Sign in as ${saved.username} next time.`);
        navigate("/");
      } else {
        toast(`Saved. You can sign in as ${saved.username} from now on.`);
        navigate("/for-you");
      }
    } catch (failure) {
      error.textContent = failure.message;
      save.disabled = false;
    }
  });
  main.append(form);
}
