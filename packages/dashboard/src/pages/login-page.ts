/** Asks for a token; the server keeps it in an HttpOnly cookie (docs/server.md). */
import { ApiError, api } from "../api-client.js";
import { h, replace } from "../dom.js";

export function renderLoginPage(main: HTMLElement, onLogin: () => void): void {
  const token = h("input", {
    type: "password",
    name: "token",
    placeholder: "Token",
    autocomplete: "off",
    required: true,
  });
  const problem = h("p", { class: "problem", role: "alert" });
  replace(
    main,
    h(
      "form",
      {
        class: "login",
        onsubmit: (event: Event) => {
          event.preventDefault();
          api.login(token.value.trim()).then(onLogin, (error: unknown) => {
            problem.textContent =
              error instanceof ApiError ? error.message : `Could not log in: ${String(error)}`;
          });
        },
      },
      h("h1", {}, "Log in"),
      h(
        "p",
        {},
        "Paste a token (",
        h("code", {}, "npx dreamlake-server token <user>"),
        "). It is kept in a cookie that scripts cannot read, until the browser closes.",
      ),
      token,
      h("button", { type: "submit" }, "Log in"),
      problem,
    ),
  );
}
