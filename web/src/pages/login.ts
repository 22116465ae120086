import { afterLogin, attempt, client, navigate } from "../app.js";
import { formValues, h } from "../dom.js";

export function loginPage(main: HTMLElement): void {
  const signIn = h(
    "form",
    {
      class: "card",
      id: "login-form",
      onsubmit: async (e: Event) => {
        e.preventDefault();
        const v = formValues(e.target as HTMLFormElement);
        if (await attempt(() => client.login({ email: v.email!, password: v.password! }))) navigate(afterLogin());
      },
    },
    h("h2", {}, "Sign in"),
    h("label", {}, "Email", h("input", { name: "email", type: "email", required: true, autocomplete: "username" })),
    h(
      "label",
      {},
      "Password",
      h("input", { name: "password", type: "password", required: true, autocomplete: "current-password" }),
    ),
    h("button", { type: "submit" }, "Sign in"),
  );
  const register = h(
    "form",
    {
      class: "card",
      id: "register-form",
      onsubmit: async (e: Event) => {
        e.preventDefault();
        const v = formValues(e.target as HTMLFormElement);
        const user = await attempt(() =>
          client.register({ email: v.email!, password: v.password!, displayName: v.displayName! }),
        );
        if (user) navigate(afterLogin());
      },
    },
    h("h2", {}, "Register"),
    h("label", {}, "Name", h("input", { name: "displayName", required: true, maxlength: 80 })),
    h("label", {}, "Email", h("input", { name: "email", type: "email", required: true, autocomplete: "username" })),
    h(
      "label",
      {},
      "Password (8 characters or more)",
      h("input", { name: "password", type: "password", required: true, minlength: 8, autocomplete: "new-password" }),
    ),
    h("button", { type: "submit" }, "Create account"),
  );
  main.append(h("div", { class: "columns" }, signIn, register));
}
