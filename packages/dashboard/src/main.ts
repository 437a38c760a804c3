/**
 * The dashboard: a page per hash route (`#/`, `#/session/<id>`, `#/compare?...`), each built
 * from the JSON of `/api/v1`. A 401 anywhere shows the login form.
 *
 * @module
 */
import "./style.css";
import { ApiError, api } from "./api-client.js";
import { h, replace } from "./dom.js";
import { renderComparePage } from "./pages/compare-page.js";
import { renderLoginPage } from "./pages/login-page.js";
import { renderSessionPage } from "./pages/session-page.js";
import { renderSessionsPage } from "./pages/sessions-page.js";

const main = document.getElementById("main") as HTMLElement;
const who = document.getElementById("who") as HTMLElement;
let cleanup: () => void = () => undefined;
let rendering = 0;

function navigate(hash: string): void {
  if (location.hash === hash) void route();
  else location.hash = hash;
}

async function route(): Promise<void> {
  const mine = ++rendering;
  cleanup();
  cleanup = () => undefined;
  const [path = "", search = ""] = location.hash.replace(/^#/, "").split("?");
  const params = new URLSearchParams(search);
  try {
    let done: () => void;
    if (path.startsWith("/session/")) {
      done = await renderSessionPage(main, decodeURIComponent(path.slice("/session/".length)));
    } else if (path === "/compare") {
      done = await renderComparePage(
        main,
        (params.get("sessions") ?? "")
          .split(",")
          .filter((id) => id !== "")
          .map(decodeURIComponent),
        {
          track: params.get("track") ?? "",
          field: params.get("field") ?? "",
          x: params.get("x") ?? "_ts",
        },
        navigate,
      );
    } else {
      done = await renderSessionsPage(
        main,
        {
          q: params.get("q") ?? "",
          tag: params.get("tag") ?? "",
          param: params.get("param") ?? "",
        },
        navigate,
      );
    }
    if (mine === rendering) cleanup = done;
    else done();
  } catch (error: unknown) {
    if (mine !== rendering) return;
    if (error instanceof ApiError && error.status === 401) {
      renderLoginPage(main, () => {
        void start();
      });
      return;
    }
    replace(
      main,
      h(
        "p",
        { class: "problem", role: "alert" },
        error instanceof Error ? error.message : String(error),
      ),
    );
  }
}

async function start(): Promise<void> {
  try {
    const me = await api.me();
    replace(
      who,
      me.namespace,
      me.authentication === "token"
        ? h(
            "button",
            {
              type: "button",
              onclick: () => {
                void api.logout().then(() => {
                  location.reload();
                });
              },
            },
            "Log out",
          )
        : null,
    );
  } catch (error: unknown) {
    if (error instanceof ApiError && error.status === 401) {
      replace(who);
      renderLoginPage(main, () => {
        void start();
      });
      return;
    }
    throw error;
  }
  await route();
}

window.addEventListener("hashchange", () => {
  void route();
});
void start();
